"""A fresh process drawing two envelope cards of the reveal in the order that once moved a card's
type between its last entrance frame and the card at rest (for test_reveal_cards).

    python -m tests.ui.card_frames_child   -> three lines about the Frontier Award envelope's
                                               last entrance frame and its card at rest:
    LINE_INK n    pixels of the card at rest's 150 px line (it is drawn)
    MOVED n       pixels more than 4 grey levels apart (the old test's check)
    MISPLACED n   pixels more than 48 apart (`pixels.misplaced_pixels`)

Qt's FreeType state is per process, so the order has to start from nothing: in the test
process, every earlier test has drawn type already. In this order the envelope's line of the
last frame and of the card at rest came out a hair apart: 4,086 pixels more than 4 grey levels
(docs/dev/testing.md, "The reveal card whose last frame moved").
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QImage

from kiosk.core.event import AwardCategory
from kiosk.render.reveal_cards import AwardPlace, EnvelopeCard
from kiosk.ui.app import make_application
from kiosk.ui.stage.canvas import load_logo
from kiosk.ui.stage.card_view import render_card
from kiosk.ui.stage.reveal_scene import CardScene
from tests.ui.pixels import count_above, difference, misplaced_pixels

FULL_HD = QSize(1920, 1080)
PREVIEW = QSize(960, 540)
LINE = QRect(0, 400, 1920, 190)  # where the envelope's Chinese line is, at 1920x1080


def envelope(award: AwardCategory, number: int) -> EnvelopeCard:
    """The envelope card of the `number`th of four awards."""
    return EnvelopeCard(AwardPlace(award, number, 4))


def main() -> int:
    make_application()  # as the console does
    logo = load_logo()
    best_film = envelope(AwardCategory("best-film", "Best Film", "最佳影片"), 1)
    frontier = envelope(AwardCategory("frontier", "Frontier Award", "前沿獎"), 3)
    CardScene(best_film, FULL_HD, logo).render(1.0)  # the envelope's line drawn a first time
    # the Frontier name's type drawn for the first time, then the line again
    last_frame = CardScene(frontier, FULL_HD, logo).render(1.0)
    render_card(best_film, PREVIEW, logo)  # a card at preview size in between
    at_rest = render_card(frontier, FULL_HD, logo).image
    grey = at_rest.convertToFormat(QImage.Format.Format_Grayscale8)
    print(f"LINE_INK {count_above(grey, 48, LINE)}")
    print(f"MOVED {count_above(difference(last_frame, at_rest), 4)}")
    print(f"MISPLACED {misplaced_pixels(last_frame, at_rest)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
