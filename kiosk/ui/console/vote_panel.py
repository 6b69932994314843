"""The console's Viewer's Award tab: open and close the vote, turnout only, the voting slide.

Nobody sees a running tally here: the panel shows whether the vote is open, the time left,
ballots cast against people checked in (a bar), and the vote page's address. The vote is
counted only when the results are opened for the reveal (Awards tab).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kiosk.core import glossary
from kiosk.core.vote import VotePhase, vote_state_text
from kiosk.render.cards import Card
from kiosk.render.vote_card import VoteCard
from kiosk.services.vote import ViewerVote, VoteError, VoteStatus
from kiosk.services.vote_address import phones_can_reach
from kiosk.ui.common.messages import MessageBus
from kiosk.ui.common.serial_worker import SerialWorker
from kiosk.ui.common.theme import Colours, text_label, ui_font
from kiosk.ui.stage.window import Layer, StageWindow

log = logging.getLogger(__name__)

POLL_MS = 1000
PHASE_COLOURS = {
    VotePhase.NOT_OPEN_YET: Colours.muted,
    VotePhase.OPEN: Colours.ok,
    VotePhase.CLOSED: Colours.warn,
}
# the slide button says whether the slide is up (on/off), not only what it does
SLIDE_BUTTON = {
    False: "Show the voting slide · 投影投票畫面",
    True: "Voting slide ON the projector — take it down · 投票畫面投影中",
}
URLS_EVERY_S = 5.0  # the server records its address when it starts: show it soon after
PAGE_CHECK_EVERY_S = 2.0  # whether the page answers: asked on a worker, only while on screen


class StageForSlide(Protocol):
    """What the panel needs of the projector: what it shows, and to show a card."""

    @property
    def layer(self) -> Layer: ...

    def current_card(self) -> Card: ...

    def show_card(self, card: Card, animate: bool = False) -> None: ...

    def busy(self) -> str | None: ...


class VoteSlide:
    """Puts the voting slide on the projector over a card, and puts that card back after."""

    def __init__(self, stage: StageForSlide) -> None:
        self._stage = stage
        self._covered: Card | None = None

    @property
    def shown(self) -> bool:
        """True while the audience sees the voting slide (not merely "it was put up": GO, a film
        or the black may have replaced it since)."""
        if self._covered is None:
            return False
        return self._stage.layer is Layer.CARD and isinstance(self._stage.current_card(), VoteCard)

    def forget_if_replaced(self) -> None:
        """The show put another card up over the slide: there is nothing to put back."""
        if self._covered is not None and not isinstance(self._stage.current_card(), VoteCard):
            self._covered = None

    def show(self, card: VoteCard) -> str | None:
        """Show the slide; returns why not (a film is playing, the reveal has it) or None."""
        busy = self._stage.busy()
        if busy is not None:
            return busy
        if self._stage.layer is not Layer.CARD:
            return "a film is on the projector: show the voting slide between films"
        if self._covered is None:
            self._covered = self._stage.current_card()
        self._stage.show_card(card)
        return None

    def hide(self) -> None:
        """Put back what the slide covered."""
        if self._covered is not None:
            covered, self._covered = self._covered, None
            self._stage.show_card(covered)


class VotePanel(QWidget):
    """Open / close the vote, turnout (ballots / checked in), show or hide the voting slide."""

    def __init__(
        self,
        vote: ViewerVote,
        slide: VoteSlide,
        messages: MessageBus,
        urls: Callable[[], list[str]],
        page_answers: Callable[[], bool] = lambda: True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.vote = vote
        self.slide = slide
        self.messages = messages
        self._find_urls = urls
        self._known_urls: list[str] = []
        self._urls_read_at = -1.0
        self._page_answers = page_answers  # waits on the network: only on the worker
        self._page_check: SerialWorker[None] = SerialWorker(
            lambda: None, name="vote-page-check", parent=self
        )
        self._answering: bool | None = None  # None: not asked yet
        self._checking = False
        self._checked_at = -PAGE_CHECK_EVERY_S
        layout = QVBoxLayout(self)
        self.state = QLabel("—")
        self.state.setFont(ui_font(26, bold=True))
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        self.state.setWordWrap(True)
        layout.addWidget(self.state)
        self.turnout = QLabel("—")
        self.turnout.setFont(ui_font(20))
        self.turnout.setTextFormat(Qt.TextFormat.PlainText)
        self.turnout.setWordWrap(True)
        layout.addWidget(self.turnout)
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.bar.setMinimumHeight(36)
        layout.addWidget(self.bar)
        self.address = text_label(size=14)
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.address.setWordWrap(True)
        layout.addWidget(self.address)
        buttons = QHBoxLayout()
        self.minutes = QSpinBox()
        self.minutes.setRange(1, 240)
        self.minutes.setValue(vote.config.vote.minutes)
        self.minutes.setSuffix(" min")
        self.open_button = QPushButton("Open the vote · 開始投票")
        self.close_button = QPushButton("Close the vote · 結束投票")
        self.slide_button = QPushButton(SLIDE_BUTTON[False])
        self.slide_button.setCheckable(True)
        self.slide_button.setStyleSheet(
            f"QPushButton:checked {{ background: {Colours.ok.name()}; color: #fff; }}"
        )
        for widget in (self.minutes, self.open_button, self.close_button, self.slide_button):
            widget.setMinimumHeight(44)
            buttons.addWidget(widget)
        layout.addLayout(buttons)
        note = text_label(colour=Colours.muted.name())
        note.setWordWrap(True)
        note.setText(
            "Turnout only: the choices stay sealed until the results are opened for the reveal. "
            "只顯示投票人數；投票結果於頒獎時以密碼開啟。"
        )
        layout.addWidget(note)
        layout.addStretch(1)
        self.open_button.clicked.connect(self.open_vote)
        self.close_button.clicked.connect(self.close_vote)
        self.slide_button.toggled.connect(self.toggle_slide)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def open_vote(self) -> None:
        """Open the vote for the minutes chosen (journalled), then show the slide."""
        try:
            status = self.vote.open_vote(self.minutes.value())
        except VoteError as exc:
            self.messages.error(f"The vote could not be opened: {exc}")
            return
        self.messages.info(f"The Viewer's Award vote is open for {self.minutes.value()} min")
        self.refresh(status)
        self.slide_button.setChecked(True)

    def close_vote(self) -> None:
        """Close the vote now (journalled) and take the slide down."""
        try:
            status = self.vote.close_vote()
        except VoteError as exc:
            self.messages.error(f"The vote could not be closed: {exc}")
            return
        self.messages.info(f"The vote is closed: {status.ballots} ballot(s)")
        self.slide_button.setChecked(False)
        self.refresh(status)

    def toggle_slide(self, wanted: bool) -> None:
        """Show or hide the voting slide on the projector."""
        self.slide_button.setText(SLIDE_BUTTON[wanted])
        if not wanted:
            self.slide.hide()
            return
        try:
            status = self.vote.status()
        except VoteError as exc:
            self.messages.error(f"Voting slide not shown: {exc}")
            self.slide_button.setChecked(False)
            return
        card = VoteCard.counting(self.vote.config, self._url(), status.seconds_left)
        refused = self.slide.show(card)
        if refused is not None:
            self.messages.warning(f"Voting slide not shown: {refused}")
            self.slide_button.setChecked(False)

    def _follow_the_projector(self) -> None:
        """The button's on/off follows what the projector shows (GO or a film may have replaced
        the slide without this button)."""
        self.slide.forget_if_replaced()
        shown = self.slide.shown
        if self.slide_button.isChecked() != shown:
            self.slide_button.blockSignals(True)
            self.slide_button.setChecked(shown)
            self.slide_button.blockSignals(False)
            self.slide_button.setText(SLIDE_BUTTON[shown])

    def _urls(self) -> list[str]:
        """The vote page's address, looked up again every few seconds (the server may start)."""
        now = time.monotonic()
        if self._urls_read_at < 0 or now - self._urls_read_at > URLS_EVERY_S:
            self._known_urls = self._find_urls()
            self._urls_read_at = now
        return self._known_urls

    def stop(self) -> None:
        """The console is closing: no more polling, and the vote's connection is closed."""
        self._timer.stop()
        self._page_check.shutdown()
        self.vote.close_database()

    def _url(self) -> str:
        urls = self._urls()
        return urls[0] if urls else "http://127.0.0.1/"

    def refresh(self, status: VoteStatus | None = None) -> None:
        """Read the state and the turnout again."""
        try:
            status = status or self.vote.status()
        except VoteError as exc:
            self.state.setText(f"Vote: cannot read the event ({exc})")
            return
        en, zh = vote_state_text(status.phase, status.seconds_left)
        self.state.setText(f"{en} · {zh}")
        self.state.setStyleSheet(f"color: {PHASE_COLOURS[status.phase].name()};")
        if not status.open and self.slide.shown:
            self.slide_button.setChecked(False)  # the vote is over: the slide comes down
        self._follow_the_projector()
        share = status.ballots / status.checked_in if status.checked_in else 0.0
        self.turnout.setText(
            f"{status.ballots} ballots / {status.checked_in} checked in ({share:.0%}) · "
            f"已投票 {status.ballots} / {glossary.CHECKED_IN.zh} {status.checked_in}"
        )
        self.bar.setRange(0, max(1, status.checked_in))
        self.bar.setValue(min(status.ballots, max(1, status.checked_in)))
        self.bar.setFormat(f"{status.ballots} / {status.checked_in}")
        self._check_page()
        answering = self._answering is not False  # not asked yet: no warning
        urls = self._urls()
        reachable = any(phones_can_reach(url) for url in urls)
        problem = ""
        if not answering:
            problem = (
                "  — not answering: start the event server on the Stations tab · "
                "投票網頁未啟動，請在「入口站」分頁啟動伺服器"
            )
        elif not reachable:
            problem = (
                "  — phones cannot reach this address (it is this laptop only): connect the "
                "laptop to the venue Wi-Fi and restart the event server · "
                "手機無法連線此位址，請將電腦連接場地 Wi-Fi 後重新啟動伺服器"
            )
        self.address.setText("Vote page · 投票網址: " + "  ".join(urls) + problem)
        self.address.setStyleSheet(f"color: {(Colours.warn if problem else Colours.text).name()};")
        self.open_button.setEnabled(not status.open)
        self.close_button.setEnabled(status.open)

    def _check_page(self) -> None:
        """Ask (on the worker, while the tab is on screen) whether the vote page answers."""
        now = time.monotonic()
        if self._checking or not self.isVisible() or now - self._checked_at < PAGE_CHECK_EVERY_S:
            return
        self._checking = True
        self._page_check.submit(
            lambda _none: self._page_answers(), self._page_checked, self._page_check_failed
        )

    def _page_checked(self, answering: bool) -> None:
        self._checking = False
        self._checked_at = time.monotonic()
        if answering != self._answering:
            self._answering = answering
            self.refresh()

    def _page_check_failed(self, error: BaseException) -> None:
        self._checking = False
        self._checked_at = time.monotonic()
        log.warning("could not check the vote page: %s", error)


class StageWindowSlide:
    """The projector window as `StageForSlide`; `busy` says when another owner has it."""

    def __init__(self, stage: StageWindow, busy: Callable[[], str | None]) -> None:
        self._stage = stage
        self._busy = busy

    def busy(self) -> str | None:
        """Why the slide may not go up now (None: it may)."""
        return self._busy()

    @property
    def layer(self) -> Layer:
        """What the audience sees."""
        return self._stage.layer

    def current_card(self) -> Card:
        """The card on the card layer."""
        return self._stage.cards.card

    def show_card(self, card: Card, animate: bool = False) -> None:
        """Cut to a card."""
        self._stage.show_card(card, animate)
