"""The players prime a film only once the output is warm (`kiosk.media.output_hold`), and what
the show asks of a slot meanwhile holds.

On PulseAudio the first film's sound, started on an output nothing had played on, fell behind
its clock and libvlc threw it away at the cut (docs/dev/testing.md, "The first film's sound on
a cold output"; heard through a real PulseAudio server by
`tests/ui/test_chosen_output_heard.py::test_a_primed_film_is_silent_until_its_cut_when_its_pause_is_late`).
Here the waiting itself, on libvlc's dummy outputs: the film comes up primed no sooner than
`WARM_S` after the players were made, a cut while it waits plays it, and a slot stopped or
loaded again while it waits never gets the film it no longer holds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.media.output_hold import WARM_S
from kiosk.media.player import FilmPlayers, SlotState
from kiosk.media.vlc_backend import create_instance

pytestmark = [pytest.mark.vlc]

PRIMED_WITHIN_MS = 15_000


@pytest.fixture
def warming_players(qtbot: QtBot) -> Iterator[tuple[FilmPlayers, float]]:
    """Players that warm their output, and when they were made (monotonic seconds)."""
    instance = create_instance(headless=True)
    made_at = time.monotonic()
    players = FilmPlayers(instance, warm_output=True)
    yield players, made_at
    players.close()
    instance.release()  # type: ignore[attr-defined]


@pytest.mark.slow  # 2.5-5.5 s at idle: left out of make test-fast
def test_a_film_is_primed_once_the_output_is_warm(
    warming_players: tuple[FilmPlayers, float], clips: dict[str, Path], qtbot: QtBot
) -> None:
    players, made_at = warming_players
    players.preload("A", "good", clips["good"])
    assert players.state_of("A") is SlotState.PRIMING
    qtbot.waitUntil(lambda: players.state_of("A") is SlotState.READY, timeout=PRIMED_WITHIN_MS)
    assert time.monotonic() - made_at >= WARM_S


@pytest.mark.slow  # 2.5-5.5 s at idle: left out of make test-fast
def test_a_cut_while_the_output_warms_plays_the_film(
    warming_players: tuple[FilmPlayers, float], clips: dict[str, Path], qtbot: QtBot
) -> None:
    players, made_at = warming_players
    players.preload("A", "good", clips["good"])
    with qtbot.waitSignal(players.film_started, timeout=PRIMED_WITHIN_MS) as started:
        players.cut("A")
    assert started.args == ["good"]
    assert players.state_of("A") is SlotState.PLAYING
    assert time.monotonic() - made_at >= WARM_S


@pytest.mark.slow  # 2.5-5.5 s at idle: left out of make test-fast
def test_a_slot_loaded_again_while_the_output_warms_gets_only_its_new_film(
    warming_players: tuple[FilmPlayers, float], clips: dict[str, Path], qtbot: QtBot
) -> None:
    players, _ = warming_players
    lengths: list[str] = []
    players.duration.connect(lambda film_id, _seconds: lengths.append(film_id))
    players.preload("A", "good", clips["good"])
    players.stop("A")
    players.preload("A", "vertical", clips["vertical"])
    qtbot.waitUntil(lambda: players.state_of("A") is SlotState.READY, timeout=PRIMED_WITHIN_MS)
    qtbot.waitUntil(lambda: bool(lengths), timeout=PRIMED_WITHIN_MS)
    assert lengths == ["vertical"]
