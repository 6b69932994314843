"""The projector as one object: the stage window, the two A/B film players, the sting and the
room's music players (the same libvlc instance, so the same audio output).

One owner for the whole night. The show plays films on it; the award reveal is handed the
whole projector (not a flag on the show) and hands it back. Starting the show over builds a new
show on the same projector: the players live as long as the projector, so nobody can be left
holding players that were released.
"""

from __future__ import annotations

import logging
from enum import Enum

from PySide6.QtCore import QObject, Signal

from kiosk.media.music_player import MusicPlayers
from kiosk.media.player import FilmPlayers
from kiosk.media.sting import StingPlayer
from kiosk.media.test_tone import TonePlayer
from kiosk.night.ports import Stage
from kiosk.render.vote_card import VoteCard

log = logging.getLogger(__name__)

SLOTS = ("A", "B")


class Slide(Enum):
    """A slide put over the show by hand: the show's own state does not know it is up, so the
    console must ask the projector (a voting slide over the holding card is not "holding")."""

    VOTING = "voting"
    DIFFICULTIES = "difficulties"


class Projector(QObject):
    """Stage + players + sting + music players, and who has them: the show (default) or the
    award reveal.

    Signal `handed_over(bool)`: True when the reveal takes the projector, False when it gives
    it back to the show.
    """

    handed_over = Signal(bool)

    def __init__(
        self,
        stage: Stage,
        players: FilmPlayers,
        sting: StingPlayer | None = None,
        *,
        music: MusicPlayers | None = None,
        tone: TonePlayer | None = None,
        bind_surfaces: bool = True,
    ) -> None:
        super().__init__()
        self.stage = stage
        self.players = players
        self.sting = sting
        self.music = music
        self._tone = tone
        self._bind = bind_surfaces
        self._bound = False
        self._with_reveal = False
        self.closed = False

    @property
    def with_reveal(self) -> bool:
        """True while the award reveal has the projector."""
        return self._with_reveal

    def slide(self) -> Slide | None:
        """The slide the audience sees over the show, if any."""
        stage = self.stage
        if stage.black:
            return Slide.DIFFICULTIES if stage.slide_up else None
        return Slide.VOTING if isinstance(stage.showing_card, VoteCard) else None

    def test_tone(self, device: str | None) -> bool:
        """Play the short test tone on an output device (the Outputs dialog's "Test"); False
        when this projector has no tone player (headless)."""
        if self._tone is None:
            return False
        self._tone.play(device)
        return True

    def bind_surfaces(self) -> None:
        """Let the players draw into the stage's video surfaces (once; not headless)."""
        if self._bind and not self._bound:
            for slot in SLOTS:
                self.players.bind(slot, int(self.stage.video_surface(slot).winId()))
            self._bound = True

    def hand_to_reveal(self) -> None:
        """The reveal takes the projector (the show stands still meanwhile)."""
        if not self._with_reveal:
            self._with_reveal = True
            log.info("the projector goes to the award reveal")
            self.handed_over.emit(True)

    def give_back(self) -> None:
        """The reveal gives the projector back to the show."""
        if self._with_reveal:
            self._with_reveal = False
            log.info("the projector goes back to the show")
            self.handed_over.emit(False)

    def set_audio_device(self, device_id: str) -> None:
        """Send the show's sound to `device_id` (the Outputs dialog's): the films, the music
        and the reveal's sting."""
        self.players.set_audio_device(device_id)
        if self.music is not None:
            self.music.set_audio_device(device_id)
        if self.sting is not None:
            self.sting.set_audio_device(device_id)

    def stop_films(self) -> None:
        """Stop both players (a show that is replaced leaves nothing playing)."""
        for slot in SLOTS:
            self.players.stop(slot)

    def close(self) -> None:
        """End of the night: release the players, the sting and the music, close the stage."""
        if self.closed:
            return
        self.closed = True
        if self.music is not None:
            self.music.close()
        self.players.close()
        if self.sting is not None:
            self.sting.close()
        if self._tone is not None:
            self._tone.close()
        self.stage.close()
