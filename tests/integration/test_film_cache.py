"""The suite's film cache: a spec is encoded by ffmpeg once, every test gets its own copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.media.generate import ClipSpec
from kiosk.media.probe import probe_media
from tests.film_cache import FilmCache, spec_key

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
