"""The suite's film cache: a spec (film or music track) is encoded by ffmpeg once, every test
gets its own copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.media.generate import ClipSpec
from kiosk.media.music_tracks import MusicSpec
from kiosk.media.probe import probe_media
from tests.film_cache import FilmCache, music_key, spec_key

pytestmark = pytest.mark.ffmpeg

SPEC = ClipSpec(("Cache",), 0.5, 160, 90)


def test_a_film_is_encoded_once_and_handed_out_as_private_copies(tmp_path: Path) -> None:
    cache = FilmCache(tmp_path / "cache")
    first = cache.render(SPEC, tmp_path / "a" / "film.mp4")
    second = cache.render(SPEC, tmp_path / "b" / "film.mp4")
    assert cache.rendered == 1
    assert first.read_bytes() == second.read_bytes()
    duration = probe_media(second).container_duration_s  # a real film, not a placeholder
    assert duration is not None and 0.4 <= duration <= 0.7
    first.write_bytes(b"truncated")  # a test spoils its copy: the cache and the others keep theirs
    assert cache.path(SPEC).read_bytes() == second.read_bytes()
    assert FilmCache(tmp_path / "cache").render(SPEC, tmp_path / "c.mp4").stat().st_size > 1000


def test_any_change_to_the_spec_is_another_film() -> None:
    keys = {
        spec_key(SPEC),
        spec_key(ClipSpec(("Cache",), 0.6, 160, 90)),
        spec_key(ClipSpec(("Cachf",), 0.5, 160, 90)),
        spec_key(ClipSpec(("Cache",), 0.5, 160, 90, tone_hz=441)),
    }
    assert len(keys) == 4
    assert spec_key(ClipSpec(("Cache",), 0.5, 160, 90)) == spec_key(SPEC)


def test_a_music_track_is_encoded_once_and_keyed_by_its_spec(tmp_path: Path) -> None:
    cache = FilmCache(tmp_path / "cache")
    track = MusicSpec((440.0, 550.0), 1.5, pulse_hz=0.2, title="Cache")
    first = cache.music(track, tmp_path / "a" / "track.m4a")
    second = cache.music(track, tmp_path / "b" / "track.m4a")
    assert cache.rendered == 1 and first.read_bytes() == second.read_bytes()
    facts = probe_media(second)
    assert facts.container_duration_s is not None and 1.3 <= facts.container_duration_s <= 1.7
    assert music_key(track) != music_key(MusicSpec((440.0, 551.0), 1.5, pulse_hz=0.2))
    assert music_key(track) != spec_key(SPEC)
