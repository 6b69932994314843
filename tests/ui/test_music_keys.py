"""The booth's music keys as real X key events (xdotool) in the console's own process (as
`python main.py` opens it, on Xvfb with a laptop monitor beside a projector): U pauses and
resumes the doors music, Y moves to the next track, ' and ; set the music level, Shift+U fades
it out now, U starts it again on the holding slide. Each press is in the log panel (the one key
map logs it) and in the journal; the Music box is on the Show tab at 1366x768 (screenshot).
And, offscreen, F5's preflight gives the music that plays its measured gains at once.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.core.music_plan import MusicMoment, MusicPlan
from kiosk.core.programme import load_programme
from kiosk.media.music_tracks import MusicSpec, render_music
from kiosk.services.music import check_music
from kiosk.store.event_folder import EventFolder
from kiosk.store.film_checks import FilmCheckRepository
from kiosk.store.journal import Journal
from kiosk.ui.app import make_application, open_console
from tests.ui.console_keys import SCREENSHOTS, console_on_xvfb
from tests.xvfb import requires_xvfb, screenshot


@pytest.fixture
def event_with_music(small_event: EventFolder) -> EventFolder:
    for number, chord in enumerate(((261.63, 329.63, 392.0), (220.0, 261.63, 329.63)), 1):
        spec = MusicSpec(chord, 8.0, pulse_hz=0.2)
        render_music(spec, small_event.root / "music" / "doors" / f"0{number} Warm Room.m4a")
    with (small_event.root / "programme.toml").open("a", encoding="utf-8") as programme:
        programme.write('\n[music]\ndoors = "music/doors"\nfade_seconds = 2\n')
    plan = load_programme(small_event.root / "programme.toml").music
    assert isinstance(plan, MusicPlan)
    checks, notes = check_music(plan, small_event.load_config().loudness_target_lufs)
    assert not notes and all(c.ok for c in checks), [c.problems for c in checks]
    FilmCheckRepository(small_event.open_db()).save_run(checks, {"music": len(checks)})
    return small_event


KEYS = (  # key, what the log panel says it did
    ("u", "⌨ Music start / pause: music paused"),
    ("u", "⌨ Music start / pause: music resumed"),
    ("y", "⌨ Music next track: next track"),
    ("apostrophe", "⌨ Music +: music level +2.0 dB"),
    ("semicolon", "⌨ Music −: music level +0.0 dB"),
    ("semicolon", "⌨ Music −: music level -2.0 dB"),
    ("shift+u", "⌨ Music fade out now: music fading out over 2 s"),
)


@requires_xvfb
@pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool is needed")
@pytest.mark.serial  # keys typed by hand at a person's pace
def test_music_keys_from_the_booth(event_with_music: EventFolder, tmp_path: Path) -> None:
    with console_on_xvfb(event_with_music, tmp_path) as console:
        before = len(console.commands())
        for key, said in KEYS:
            console.person_types(key)
            done = console.new_commands(before, said)  # the key's line comes last
            before += len(done)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        screenshot(console.display, SCREENSHOTS / "console-music.png")
        console.person_types("u")  # faded out: U starts the doors music again
        assert console.new_commands(before, "Doors · 入場 music started")
    # (crossfades into the next track may come in between: "music_track" alone is left out)
    entries = Journal(event_with_music.open_db()).entries()
    kinds = [e.kind for e in entries if "music" in e.kind and e.kind != "music_track"]
    assert kinds[:1] == ["music_started"]  # the holding slide put the doors music on
    assert kinds[1:] == [
        "music_paused",
        "music_resumed",
        "music_skipped",
        "music_level",
        "music_level",
        "music_level",
        "music_faded",
        "music_started",
    ]


def test_preflight_in_the_console_measures_the_music_that_plays(
    qtbot: QtBot, small_event: EventFolder
) -> None:
    """Offscreen: music not yet measured plays flagged NOT MEASURED; preflight (F5) measures
    it, and the deck takes the gains at once (the next track plays at its measured gain)."""
    render_music(MusicSpec((330.0,), 6.0), small_event.root / "music" / "doors" / "a.m4a")
    with (small_event.root / "programme.toml").open("a", encoding="utf-8") as programme:
        programme.write('\n[music]\ndoors = "music/doors"\n')
    make_application()
    window, _reporter = open_console(small_event)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    music = window.night.music
    assert music is not None and window.show_panel is not None
    status = window.show_panel.music_box.status
    assert music.view().unmeasured and "NOT MEASURED" in status.text()
    window.start_preflight()  # what F5 and the Preflight button do
    assert not window.preflight_button.isEnabled()  # preflight runs
    qtbot.waitUntil(window.preflight_button.isEnabled, timeout=60_000)
    track = music.deck.tracks[MusicMoment.DOORS][0]
    assert track.measured and track.gain_db != -8.0  # measured, not the unmeasured default
    window.close()
