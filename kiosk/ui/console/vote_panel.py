"""The console's Viewer's Award tab: open and close the vote, turnout only, the voting slide.

Nobody sees a running tally here: the panel shows whether the vote is open, the time left,
ballots cast against people checked in (a bar), and the vote page's address. The vote is
counted only when the results are opened for the reveal (Awards tab).

The GUI thread belongs to the show: the panel's ViewerVote (its database connection) and the vote
page's recorded address are used only on the panel's own worker ("vote-panel"): opening and
closing the vote are confirmed on screen once committed there, and the turnout is read there
every second, only while the tab is on screen or the voting slide is up (the slide comes down
when the vote's time is over). Whether the page answers (a network connect) is asked on a
second worker, so a dead address never delays the turnout.
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
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kiosk.core import glossary
from kiosk.core.event import EventConfig
from kiosk.core.vote import VotePhase, vote_state_text
from kiosk.render.cards import Card
from kiosk.render.vote_card import VoteCard
from kiosk.services.vote import ViewerVote, VoteStatus
from kiosk.services.vote_address import VotePageAddress, phones_can_reach
from kiosk.ui.common.messages import MessageBus
from kiosk.ui.common.progress_strip import ProgressStrip
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
        open_vote: Callable[[], ViewerVote],
        config: EventConfig,
        slide: VoteSlide,
        messages: MessageBus,
        address: VotePageAddress,
        page_address: VotePageAddress,
        parent: QWidget | None = None,
    ) -> None:
        """``open_vote`` (it opens a database connection) runs on the panel's worker, where the
        vote and ``address`` (its urls read the database) are used; ``page_address`` (whether
        the page answers: the network) on the page check's;
        each address keeps a connection of that thread, closed there when the panel stops."""
        super().__init__(parent)
        self.config = config
        self.slide = slide
        self.messages = messages
        self._find_urls = address.urls
        self._known_urls: list[str] = []
        self._urls_read_at = -1.0  # on the worker: when the address was last looked up
        self._status: VoteStatus | None = None  # the latest read, and when (monotonic)
        self._status_at = 0.0
        self._reading = False  # a turnout read is on the worker
        self._changing = False  # an opening or closing is on the worker

        def close_vote(opened: ViewerVote) -> None:
            opened.close_database()
            address.close()

        self._vote_work: SerialWorker[ViewerVote] = SerialWorker(
            open_vote, name="vote-panel", close_resource=close_vote, parent=self
        )
        # waits on the network: only on its worker
        self._page_check: SerialWorker[VotePageAddress] = SerialWorker(
            lambda: page_address,
            name="vote-page-check",
            close_resource=VotePageAddress.close,
            parent=self,
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
        self.bar = ProgressStrip()
        self.bar.setMinimumHeight(36)
        layout.addWidget(self.bar)
        self.address = text_label(size=14)
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.address.setWordWrap(True)
        layout.addWidget(self.address)
        buttons = QHBoxLayout()
        self.minutes = QSpinBox()
        self.minutes.setRange(1, 240)
        self.minutes.setValue(config.vote.minutes)
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
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self.refresh()

    @property
    def busy(self) -> bool:
        """Whether a read, an opening or a closing is still to be answered (tests wait)."""
        return self._reading or self._changing

    def open_vote(self) -> None:
        """Open the vote for the minutes chosen (journalled, on the worker); once committed,
        say so and show the slide."""
        minutes = self.minutes.value()

        def opened(answer: tuple[VoteStatus, list[str]]) -> None:
            self._changing = False
            self.messages.info(f"The Viewer's Award vote is open for {minutes} min")
            self._show(answer)
            self.slide_button.setChecked(True)

        self._change(lambda vote: vote.open_vote(minutes), opened, "The vote could not be opened")

    def close_vote(self) -> None:
        """Close the vote now (journalled, on the worker); once committed, say so and take the
        slide down."""

        def closed(answer: tuple[VoteStatus, list[str]]) -> None:
            self._changing = False
            self.messages.info(f"The vote is closed: {answer[0].ballots} ballot(s)")
            self.slide_button.setChecked(False)
            self._show(answer)

        self._change(lambda vote: vote.close_vote(), closed, "The vote could not be closed")

    def _change(
        self,
        work: Callable[[ViewerVote], VoteStatus],
        done: Callable[[tuple[VoteStatus, list[str]]], None],
        failure: str,
    ) -> None:
        if self._changing:
            return
        self._changing = True
        self.open_button.setEnabled(False)
        self.close_button.setEnabled(False)

        def failed(error: BaseException) -> None:
            self._changing = False
            self.messages.error(f"{failure}: {error}")
            if self._status is not None:
                self._show((self._status, self._known_urls))

        self._vote_work.submit(lambda vote: (work(vote), self._urls()), done, failed)

    def toggle_slide(self, wanted: bool) -> None:
        """Show or hide the voting slide on the projector (its countdown from the latest
        turnout read, which the panel keeps fresh while the tab is on screen)."""
        self.slide_button.setText(SLIDE_BUTTON[wanted])
        if not wanted:
            self.slide.hide()
            return
        status = self._status
        if status is None:
            self.messages.error("Voting slide not shown: the vote's state is not read yet")
            self.slide_button.setChecked(False)
            return
        seconds_left = status.seconds_left
        if seconds_left is not None:
            seconds_left = max(0.0, seconds_left - (time.monotonic() - self._status_at))
        card = VoteCard.counting(self.config, self._url(), seconds_left)
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
        """The vote page's address, looked up again every few seconds (the server may start).
        On the worker: it reads the address the server recorded."""
        now = time.monotonic()
        if self._urls_read_at < 0 or now - self._urls_read_at > URLS_EVERY_S:
            self._urls_read_at = now
            return self._find_urls()
        return self._known_urls

    def stop(self) -> None:
        """The console is closing: no more polling, and the vote's connection is closed (on
        its worker, after what was asked of it)."""
        self._timer.stop()
        self._page_check.shutdown()
        self._vote_work.shutdown()

    def _url(self) -> str:
        urls = self._known_urls
        return urls[0] if urls else "http://127.0.0.1/"

    def _tick(self) -> None:
        """Every second: read the turnout while someone can see it (the tab, or the slide's
        countdown on the projector, which comes down when the vote is over)."""
        if self.isVisible() or self.slide.shown:
            self.refresh()
        else:
            self._follow_the_projector()

    def refresh(self) -> None:
        """Read the state and the turnout again, on the worker (one read at a time); the slide
        button follows the projector at once (no read needed)."""
        self._follow_the_projector()
        if self._reading:
            return
        self._reading = True
        self._vote_work.submit(
            lambda vote: (vote.status(), self._urls()), self._read, self._read_failed
        )

    def _read(self, answer: tuple[VoteStatus, list[str]]) -> None:
        self._reading = False
        self._show(answer)

    def _read_failed(self, error: BaseException) -> None:
        self._reading = False
        self.state.setText(f"Vote: cannot read the event ({error})")

    def _show(self, answer: tuple[VoteStatus, list[str]]) -> None:
        """Show a state read on the worker."""
        status, self._known_urls = answer
        self._status, self._status_at = status, time.monotonic()
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
        urls = self._known_urls
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
        self.open_button.setEnabled(not status.open and not self._changing)
        self.close_button.setEnabled(status.open and not self._changing)

    def _check_page(self) -> None:
        """Ask (on the worker, while the tab is on screen) whether the vote page answers."""
        now = time.monotonic()
        if self._checking or not self.isVisible() or now - self._checked_at < PAGE_CHECK_EVERY_S:
            return
        self._checking = True
        self._page_check.submit(
            VotePageAddress.answers, self._page_checked, self._page_check_failed
        )

    def _page_checked(self, answering: bool) -> None:
        self._checking = False
        self._checked_at = time.monotonic()
        if answering != self._answering:
            self._answering = answering
            if self._status is not None:
                self._show((self._status, self._known_urls))

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
