"""The narrow interfaces the running night needs from the windows (implemented in kiosk.ui)."""

from __future__ import annotations

from typing import Protocol

from kiosk.render.cards import Card


class OperatorMessages(Protocol):
    """Where the night tells the operator something (kiosk.ui.common.messages.MessageBus)."""

    def info(self, text: str) -> None:
        """An informational message."""
        ...

    def warning(self, text: str) -> None:
        """Something the operator should look at."""
        ...

    def error(self, text: str) -> None:
        """Something went wrong."""
        ...


class VideoSurface(Protocol):
    """A native window a player draws into (a QWidget of the stage)."""

    def winId(self) -> int:  # noqa: N802 (Qt's name)
        """The native window id."""
        ...


class Stage(Protocol):
    """What the night needs from the projector window (kiosk.ui.stage's StageWindow)."""

    def video_surface(self, slot: str) -> VideoSurface:
        """The native child window a slot's player draws into."""
        ...

    def show_video(self, slot: str) -> None:
        """Raise a slot's video surface (in the same frame, flushed to the display)."""
        ...

    def show_card(self, card: Card, animate: bool = False) -> None:
        """Put a card up instead of video (animate: play its entrance)."""
        ...

    def prepare_card(self, card: Card) -> None:
        """Render a card ahead of time (kept in memory only)."""
        ...

    def set_black(self, black: bool, fade_s: float = 0.0) -> None:
        """Fade the black overlay in or out."""
        ...

    def set_slide(self, card: Card | None) -> None:
        """Show a slide (technical difficulties) on the black instead of plain black."""
        ...

    @property
    def slide_up(self) -> bool:
        """True while a slide is on the black."""
        ...

    @property
    def black(self) -> bool:
        """True while the black overlay is (or is fading) down."""
        ...

    @property
    def showing_card(self) -> Card | None:
        """The card the audience sees (None: a film's picture, or black)."""
        ...

    def set_subtitle(self, text: str | None, level: float = 1.0) -> None:
        """Show one subtitle (or none) over the film, at `level` of full white (it fades with
        the picture)."""
        ...

    def close(self) -> bool:
        """Close the projector window (at the end of the night)."""
        ...
