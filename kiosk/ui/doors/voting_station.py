"""A door station in voting mode: the usher scans the ticket, the attendee taps a film.

For people without a phone. Scan → the ticket is checked (admitted tonight, not voted yet) →
the attendee taps one of the films (bilingual titles, big tiles) → confirms → thank you → back
to scanning. Every refusal is said in both languages; nothing here shows a count per film.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import Enum

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.programme import Film
from kiosk.core.vote import BallotVerdict
from kiosk.services.vote import VoteDesk, VoteError
from kiosk.ui.common.theme import Colours, ui_font

log = logging.getLogger(__name__)

COLUMNS = 4
IDLE_RESET_MS = 60_000  # a ticket scanned but no film chosen for a minute: back to scanning
MESSAGE_MS = 4000
THANKS_MS = 3000


class Phase(Enum):
    """What the station is waiting for."""

    SCAN = "scan"
    CHOOSE = "choose"
    CONFIRM = "confirm"
    THANKS = "thanks"


def _label(text: str, size: int, *, bold: bool = False, colour: str | None = None) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setFont(ui_font(size, bold=bold))
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    if colour:
        label.setStyleSheet(f"color: {colour};")
    return label


class VotingStationWindow(QWidget):
    """Full-screen voting station; `handle_code` is fed by the scanner capture."""

    def __init__(self, desk: VoteDesk, station: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.station = station
        self.phase = Phase.SCAN
        self._code: str | None = None
        self._film: Film | None = None
        self.setWindowTitle(f"Voting station — {station} · 投票站 · AIFF")
        self.setAutoFillBackground(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(_label("觀眾票選獎 · Viewer's Award", 22, bold=True,
                                colour=Colours.accent.name()))  # fmt: skip
        layout.addWidget(_label(f"投票站 · Voting station — {station}", 12,
                                colour=Colours.muted.name()))  # fmt: skip
        self.message = _label("", 18, bold=True)
        self.message.setMinimumHeight(70)
        layout.addWidget(self.message)
        self.pages = QStackedWidget()
        layout.addWidget(self.pages, 1)

        self.scan_page = _label("請工作人員掃描門票\nUsher: scan the ticket to vote", 34, bold=True)
        self.pages.addWidget(self.scan_page)

        choose = QWidget()
        choose_layout = QVBoxLayout(choose)
        choose_layout.addWidget(_label("請選出你最喜愛的作品 · Tap your favourite film", 20))
        grid_holder = QWidget()
        grid = QGridLayout(grid_holder)
        grid.setSpacing(10)
        self.film_buttons: dict[str, QPushButton] = {}
        for index, film in enumerate(desk.films):
            button = QPushButton(f"{film.position}. {film.title_zh}\n{film.title_en}")
            button.setFont(ui_font(13, bold=True))
            button.setMinimumHeight(96)
            button.clicked.connect(lambda _=False, chosen=film: self.choose(chosen))
            grid.addWidget(button, index // COLUMNS, index % COLUMNS)
            self.film_buttons[film.id] = button
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(grid_holder)
        choose_layout.addWidget(scroll, 1)
        cancel = QPushButton("取消 · Cancel")
        cancel.setFont(ui_font(16, bold=True))
        cancel.setMinimumHeight(64)
        cancel.clicked.connect(self.reset)
        choose_layout.addWidget(cancel)
        self.pages.addWidget(choose)

        confirm = QWidget()
        confirm_layout = QVBoxLayout(confirm)
        confirm_layout.addWidget(_label("確認你的選擇 · Confirm your choice", 22))
        self.choice = _label("", 30, bold=True)
        confirm_layout.addWidget(self.choice, 1)
        self.confirm_button = QPushButton("確認投票 · Cast my vote")
        self.back_button = QPushButton("返回 · Choose again")
        for button in (self.confirm_button, self.back_button):
            button.setFont(ui_font(18, bold=True))
            button.setMinimumHeight(90)
            confirm_layout.addWidget(button)
        self.confirm_button.clicked.connect(self.confirm)
        self.back_button.clicked.connect(lambda: self._show(Phase.CHOOSE))
        self.pages.addWidget(confirm)

        self.thanks_page = _label(
            "✓\n多謝投票！\nThank you for voting!", 40, bold=True, colour=Colours.ok.name()
        )
        self.pages.addWidget(self.thanks_page)

        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.timeout.connect(self.reset)
        self._clear = QTimer(self)
        self._clear.setSingleShot(True)
        self._clear.timeout.connect(lambda: self.message.setText(""))
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self).activated.connect(self.reset)

    # -- the flow -------------------------------------------------------------------------

    def handle_code(self, text: str, _method: str = "scan") -> None:
        """A scanned ticket (or typed vote code): may it vote? Then show the films."""
        if self.phase is not Phase.SCAN:
            return  # one voter at a time: the current one finishes or cancels first
        try:
            outcome = self.desk.check(text)
        except VoteError as exc:
            self._say(f"The event database cannot be read: {exc}", Colours.bad.name())
            return
        if not outcome.accepted:
            self._refuse(outcome.verdict)
            return
        self._code = text
        self.message.setText("")
        self._show(Phase.CHOOSE)

    def choose(self, film: Film) -> None:
        """The attendee tapped a film: ask to confirm."""
        if self.phase is not Phase.CHOOSE:
            return
        self._film = film
        self.choice.setText(f"{film.title_zh}\n{film.title_en}\n{film.director}")
        self._show(Phase.CONFIRM)

    def confirm(self) -> None:
        """Cast the ballot; the thank-you shows only once it is committed."""
        if self.phase is not Phase.CONFIRM or self._code is None or self._film is None:
            return
        try:
            outcome = self.desk.cast(self._code, self._film.id, self.station)
        except VoteError as exc:
            self._say(f"Not recorded, try again · 未能記錄，請再試: {exc}", Colours.bad.name())
            return
        if not outcome.accepted:
            self.reset()
            self._refuse(outcome.verdict)
            return
        self._code = self._film = None
        self._show(Phase.THANKS)
        QTimer.singleShot(THANKS_MS, self._after_thanks)

    def reset(self) -> None:
        """Back to waiting for a scan (nothing is recorded)."""
        self._code = self._film = None
        self._show(Phase.SCAN)

    # -- inside ---------------------------------------------------------------------------

    def _after_thanks(self) -> None:
        if self.phase is Phase.THANKS:
            self.reset()

    def _refuse(self, verdict: BallotVerdict) -> None:
        en, zh = verdict.message
        self._say(f"{zh}\n{en}", Colours.bad.name())

    def _say(self, text: str, colour: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {colour};")
        self._clear.start(MESSAGE_MS)

    def _show(self, phase: Phase) -> None:
        self.phase = phase
        self.pages.setCurrentIndex(list(Phase).index(phase))
        if phase in (Phase.CHOOSE, Phase.CONFIRM):
            self._idle.start(IDLE_RESET_MS)
        else:
            self._idle.stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop the timers and close the desk's database connection with the window."""
        self._idle.stop()
        self._clear.stop()
        self.desk.disconnect()
        super().closeEvent(event)


class StationModes:
    """Switches one station between check-in and voting (F9), routing scans to the one shown.

    The voting window is built on first use (it needs the programme, which check-in does not).
    """

    def __init__(
        self,
        doors: QWidget,
        make_voting: Callable[[], VotingStationWindow],
        show: Callable[[QWidget], None],
    ) -> None:
        self.doors = doors
        self._make_voting = make_voting
        self._show = show
        self.voting: VotingStationWindow | None = None
        self.current: QWidget = doors
        QShortcut(QKeySequence(Qt.Key.Key_F9), doors).activated.connect(self.toggle)

    def handle_code(self, text: str, method: str = "scan") -> None:
        """A scan goes to the mode on screen."""
        handler = getattr(self.current, "handle_code", None)
        if handler is not None:
            handler(text, method)

    def toggle(self) -> None:
        """Check-in → voting → check-in."""
        if self.current is self.doors:
            self.to_voting()
        else:
            self.to_doors()

    def to_voting(self) -> None:
        """Show the voting station in place of the check-in window."""
        if self.voting is None:
            self.voting = self._make_voting()
            QShortcut(QKeySequence(Qt.Key.Key_F9), self.voting).activated.connect(self.toggle)
        self._swap(self.voting)

    def to_doors(self) -> None:
        """Back to check-in."""
        self._swap(self.doors)

    def _swap(self, target: QWidget) -> None:
        if target is self.current:
            return
        previous, self.current = self.current, target
        self._show(target)
        previous.hide()
        log.info("station switched to %s", "voting" if target is self.voting else "check-in")
