"""Stills taken from real films with ffmpeg, for the award reveal's cards.

Every film without a still gets one at about a third of its length, all at once (taking them
only for the nominees would leave a trail naming them); a single film's still taken on demand
never lands in the event's cache and is deleted with the provider.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QImage

from kiosk.core.event import AwardCategory
from kiosk.core.programme import Programme
from kiosk.media import stills as stills_module
from kiosk.media.stills import StillProvider, cache_dir_for, take_still
from kiosk.render.reveal_cards import AwardPlace, ShownFilm, WinnerCard
from kiosk.store.event_folder import EventFolder
from kiosk.ui.stage.card_view import render_card
from tests.conftest import film_toml, write_event

pytestmark = [pytest.mark.ffmpeg]


@pytest.fixture
def stills_event(tmp_path: Path, clips: dict[str, Path]) -> EventFolder:
    """Four films (copies: a test may touch them): one with its own still, a vertical one,
    one unreadable."""
    root = tmp_path / "event"
    (root / "films").mkdir(parents=True)
    own = root / "own.png"
    picture = QImage(64, 36, QImage.Format.Format_RGB32)
    picture.fill(QColor("#c03030"))
    assert picture.save(str(own))
    files = {}
    for film_id, clip in (("A1", "good"), ("A2", "good"), ("A3", "vertical"), ("A4", "fake")):
        files[film_id] = root / "films" / f"{film_id}{clips[clip].suffix}"
        shutil.copyfile(clips[clip], files[film_id])
    return write_event(
        root,
        [
            film_toml("A1", files["A1"], still=str(own)),
            film_toml("A2", files["A2"]),
            film_toml("A3", files["A3"]),
            film_toml("A4", files["A4"]),
        ],
    )


def programme_of(folder: EventFolder) -> Programme:
    return folder.load_programme(folder.load_config())


def test_prepare_all_takes_a_still_from_every_film_without_one(stills_event: EventFolder) -> None:
    programme = programme_of(stills_event)
    provider = StillProvider(cache_dir_for(stills_event.root))
    seen: list[tuple[int, int, str]] = []
    report = provider.prepare_all(programme, progress=lambda *args: seen.append(args))
    assert (report.own, report.cached, report.made, report.failed) == (1, 0, 2, ("A4",))
    assert seen[-1][:2] == (4, 4)
    cache = stills_event.root / "cache" / "stills"
    assert sorted(p.name for p in cache.iterdir()) == ["A2.jpg", "A3.jpg"]  # nothing half-made
    wide, tall = QImage(str(cache / "A2.jpg")), QImage(str(cache / "A3.jpg"))
    assert (wide.width(), wide.height()) == (320, 180)
    assert (tall.width(), tall.height()) == (180, 320)
    # the generated film's colour (0x203a5a), not black
    colour = wide.pixelColor(10, 90)
    assert abs(colour.red() - 0x20) < 24 and abs(colour.blue() - 0x5A) < 24
    # looked up afterwards: own still, then the prepared ones; nothing for the broken film
    films = {f.id: f for f in programme}
    assert provider.still_for(films["A1"]) == films["A1"].still
    assert provider.still_for(films["A2"]) == cache / "A2.jpg"
    assert provider.missing(programme) == [films["A4"]]
    # a second run keeps what is current
    again = provider.prepare_all(programme)
    assert (again.own, again.cached, again.made, again.failed) == (1, 2, 0, ("A4",))


def test_a_still_is_taken_again_when_its_film_changes(stills_event: EventFolder) -> None:
    programme = programme_of(stills_event)
    provider = StillProvider(cache_dir_for(stills_event.root))
    provider.prepare_all(programme)
    film = programme.film("A2")
    later = time.time() + 60
    os.utime(film.file, (later, later))  # the film was replaced after its still was taken
    assert provider.prepared_still(film) is None
    report = provider.prepare_all(programme)
    assert (report.cached, report.made) == (1, 1)
    assert provider.prepared_still(film) == provider.cached_path(film)


def test_one_still_on_demand_leaves_no_trail_in_the_event(stills_event: EventFolder) -> None:
    programme = programme_of(stills_event)
    cache = cache_dir_for(stills_event.root)
    provider = StillProvider(cache)
    film = programme.film("A3")
    still = provider.still_for(film)
    assert still is not None and still.is_file()
    assert not cache.exists(), "a still for one film must not be written into the event"
    assert film.id not in still.name and cache not in still.parents
    assert (still.parent.stat().st_mode & 0o777) == 0o700
    assert provider.still_for(film) == still  # taken once
    assert provider.still_for(programme.film("A4")) is None  # unreadable film: placeholder
    provider.close()
    assert not still.exists() and not still.parent.exists()


def test_the_still_is_taken_at_a_third_of_the_film(
    stills_event: EventFolder, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    asked: list[float] = []
    real = stills_module.extract_frame

    def spy(film_file: Path, out: Path, at_s: float) -> bool:
        asked.append(at_s)
        return real(film_file, out, at_s)

    monkeypatch.setattr(stills_module, "extract_frame", spy)
    assert take_still(programme_of(stills_event).film("A2"), tmp_path / "still.jpg")
    assert asked == [pytest.approx(2.0 / 3, abs=0.05)]  # the clip lasts 2 s


def test_a_taken_still_shows_on_the_winner_card(qapp: object, stills_event: EventFolder) -> None:
    programme = programme_of(stills_event)
    with StillProvider(cache_dir_for(stills_event.root)) as provider:
        film = programme.film("A2")
        card = WinnerCard(
            AwardPlace(AwardCategory("best-film", "Best Film", "最佳影片"), 1, 1),
            ShownFilm(film, provider.still_for(film)),
        )
        image = render_card(card, QSize(1920, 1080)).image
    frame = QRectF(98, 344, 912, 513)  # the still's frame (no citation: the block sits lower)
    colour = image.pixelColor(round(frame.left()) + 40, round(frame.center().y()))
    assert abs(colour.red() - 0x20) < 24 and abs(colour.blue() - 0x5A) < 24, colour.name()


def test_the_phone_page_has_a_picture_for_every_film_without_a_still(
    small_event: EventFolder,
) -> None:
    """Films with neither their own still nor a prepared one get a frame of the film itself
    (the phone list showed pictures only for every third film of the demo, issue #23 item 12);
    a declared runtime longer than the file still gives a picture (the first frames)."""
    from kiosk.services.vote import programme_thumbnails

    programme = small_event.load_programme(small_event.load_config())
    provider = StillProvider(cache_dir_for(small_event.root))
    assert all(
        provider.own_still(f) is None and provider.prepared_still(f) is None for f in programme
    )
    thumbnails = programme_thumbnails(small_event, programme)
    for film in programme:
        assert thumbnails.has(film.id), film.id
        jpeg = thumbnails.get(film.id)
        assert jpeg is not None and jpeg.startswith(b"\xff\xd8"), film.id
        picture = QImage.fromData(jpeg)
        assert picture.width() == 192 and picture.height() > 50, film.id
