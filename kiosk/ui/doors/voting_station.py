"""A door station in voting mode: the usher scans the ticket, the attendee taps a film.

For people without a phone. Scan → the ticket is checked (admitted tonight, not voted yet) →
the attendee taps one of the films (bilingual titles, a still each, big tiles) → confirms →
thank you → back to scanning. Every refusal is said in both languages; nothing here shows a
count per film.

Two backends (:class:`~kiosk.services.voting_backend.VotingBackend`): the event folder's
:class:`~kiosk.services.vote.ViewerVote`, or, on a paired station, the event server
(:class:`~kiosk.station.remote_vote.RemoteVoting`) — then a line under the title says whether
the server answers, since voting needs it (nothing is decided or queued offline). The work runs
on a :class:`VoteRunner` (the station's worker thread), so a slow server never freezes the
screen; while a request is out, taps and scans wait for its answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import Enum
from typing import Any, Protocol, TypeGuard, cast

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.core import glossary
from kiosk.core.vote import BallotVerdict
from kiosk.services.vote import VoteError
from kiosk.services.voting_backend import BallotFilm, VotingBackend
from kiosk.station.remote_doors import LinkState
from kiosk.station.remote_vote import RemoteVoteError, VoteUnconfirmedError
from kiosk.ui.common.serial_worker import GuiRelay
from kiosk.ui.common.theme import Colours, ui_font

log = logging.getLogger(__name__)

COLUMN_MIN_WIDTH = 420  # three tiles across a 1366-px laptop, four on a 1920-px screen
MAX_COLUMNS = 5
TILE_HEIGHT = 96
TILE_MARGIN = 8
IDLE_RESET_MS = 60_000  # a ticket scanned but no film chosen for a minute: back to scanning
MESSAGE_MS = 4000
THANKS_MS = 3000
LINK_EVERY_MS = 1000
THUMB_SIZE = QSize(128, 72)
CHOICE_PICTURE_HEIGHT = 108


class Phase(Enum):
    """What the station is waiting for."""

    SCAN = "scan"
    CHOOSE = "choose"
    CONFIRM = "confirm"
    THANKS = "thanks"


class VoteRunner(Protocol):
    """Runs work on the voting backend and answers on the GUI thread (the door's writer)."""

    def submit(
        self,
        work: Callable[[Any], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """Run ``work(backend)``; then ``on_done(result)`` or ``on_error(exc)``."""
        ...

    def shutdown(self, timeout_s: float = ...) -> None:
        """Run the work submitted so far, then stop (closing the station)."""
        ...


class InlineRunner:
    """Runs the work at once, on the caller's thread (a local event folder, tests)."""

    def __init__(self, backend: VotingBackend) -> None:
        self._backend = backend

    def submit(
        self,
        work: Callable[[Any], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """Run ``work(backend)`` now."""
        try:
            result = work(self._backend)
        except Exception as exc:  # handed to the window, like the worker does
            on_error(exc)
            return
        on_done(result)

    def shutdown(self, timeout_s: float = 0.0) -> None:
        """Nothing is ever pending here, and no thread to stop."""
        del timeout_s


class FilmTile(QPushButton):
    """A big tap target: the film's still on the left, its titles (wrapped, never cut) beside."""

    def __init__(self, film: BallotFilm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.film = film
        self.setAccessibleName(f"{film.title_zh} {film.title_en}")
        self.setMinimumHeight(TILE_HEIGHT)
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        row = QHBoxLayout(self)
        row.setContentsMargins(TILE_MARGIN, 6, TILE_MARGIN, 6)
        row.setSpacing(TILE_MARGIN)
        picture = _pixmap(film.thumbnail_jpeg)
        self.picture = QLabel()
        self.picture.setFixedSize(THUMB_SIZE)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if picture is not None:
            self.picture.setPixmap(
                picture.scaled(THUMB_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                               Qt.TransformationMode.SmoothTransformation)
            )  # fmt: skip
        else:
            self.picture.setText(str(film.position))
            self.picture.setFont(ui_font(20, bold=True))
        self.titles = QLabel(f"{film.position}. {film.title_zh}\n{film.title_en}")
        self.titles.setTextFormat(Qt.TextFormat.PlainText)
        self.titles.setFont(ui_font(13, bold=True))
        self.titles.setWordWrap(True)
        for label in (self.picture, self.titles):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            row.addWidget(label)
        row.setStretch(1, 1)

    def hasHeightForWidth(self) -> bool:
        """Long titles wrap: the tile grows to show every line."""
        return True

    def heightForWidth(self, width: int) -> int:
        """As tall as the wrapped titles need at this width (at least TILE_HEIGHT)."""
        text_width = max(80, width - THUMB_SIZE.width() - 3 * TILE_MARGIN)
        return max(TILE_HEIGHT, self.titles.heightForWidth(text_width) + 14)

    def sizeHint(self) -> QSize:
        """About three thumbnails wide, as tall as the titles need."""
        width = THUMB_SIZE.width() * 3
        return QSize(width, self.heightForWidth(width))


def _label(text: str, size: int, *, bold: bool = False, colour: str | None = None) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setFont(ui_font(size, bold=bold))
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    if colour:
        label.setStyleSheet(f"color: {colour};")
    return label


def describe_voting_link(state: LinkState) -> tuple[str, str]:
    """The voting station's connection line and its colour: voting needs the server."""
    if state.revoked:
        return (
            "● REVOKED · 已撤銷 — this station cannot take ballots; pair it again / 請重新配對",
            Colours.bad.name(),
        )
    if state.online:
        return f"● Online · 已連線 — ballots go to {state.server}", Colours.ok.name()
    return (
        "● OFFLINE · 離線 — voting needs the event server: no ballot can be cast until it "
        "answers / 投票需要連線伺服器，恢復連線前無法投票",
        Colours.bad.name(),
    )


class VotingStationWindow(QWidget):
    """Full-screen voting station; `handle_code` is fed by the scanner capture."""

    def __init__(
        self,
        voting: VotingBackend | VoteRunner,
        station: str,
        parent: QWidget | None = None,
        *,
        link_state: Callable[[], LinkState] | None = None,
        watch_link: Callable[[Callable[[], None]], Callable[[], None]] | None = None,
    ) -> None:
        """``link_state`` and ``watch_link``: a paired station's link, read and watched (see
        :class:`~kiosk.ui.doors.window.DoorsContext`): the line follows it at once."""
        super().__init__(parent)
        self.runner: VoteRunner = (
            voting if _is_runner(voting) else InlineRunner(cast(VotingBackend, voting))
        )
        self.station = station
        self.phase = Phase.SCAN
        self.busy = False
        self._link_state = link_state
        self._server_message = False
        self._let_go = False
        self._code: str | None = None
        self._film: BallotFilm | None = None
        self._films: tuple[BallotFilm, ...] = ()
        self.setWindowTitle(f"Voting station — {station} · 投票站 · AIFF")
        self.setAutoFillBackground(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(_label("觀眾票選獎 · Viewer's Award", 22, bold=True,
                                colour=Colours.accent.name()))  # fmt: skip
        layout.addWidget(_label(f"投票站 · Voting station — {station}", 12,
                                colour=Colours.muted.name()))  # fmt: skip
        self.link_label = _label("", 12, bold=True)
        self.link_label.setVisible(link_state is not None)
        layout.addWidget(self.link_label)
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
        self._grid = QGridLayout(grid_holder)
        self._grid.setSpacing(10)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.film_buttons: dict[str, FilmTile] = {}
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(grid_holder)
        # 35 films do not fit a laptop screen: a finger drags the list (taps still choose)
        QScroller.grabGesture(scroll.viewport(), QScroller.ScrollerGestureType.TouchGesture)
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
        self.choice_picture = QLabel()
        self.choice_picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        confirm_layout.addWidget(self.choice_picture)
        self.choice = _label("", 26, bold=True)
        confirm_layout.addWidget(self.choice, 1)
        self.confirm_button = QPushButton("確認投票 · Cast my vote")
        self.back_button = QPushButton("返回 · Choose again")
        for button in (self.confirm_button, self.back_button):
            button.setFont(ui_font(18, bold=True))
            button.setMinimumHeight(90)
            confirm_layout.addWidget(button)
        self.confirm_button.clicked.connect(self.confirm)
        self.back_button.clicked.connect(self._choose_again)
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
        self._link_timer = QTimer(self)
        self._link_timer.timeout.connect(self.refresh_link)
        if link_state is not None:
            self._link_timer.start(LINK_EVERY_MS)
            self.refresh_link()
        self._unwatch_link: Callable[[], None] | None = None
        if watch_link is not None:
            relay = GuiRelay(self)
            self._unwatch_link = watch_link(lambda: relay.post(self._link_changed))
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self).activated.connect(self.reset)

    # -- the flow -------------------------------------------------------------------------

    def handle_code(self, text: str, _method: str = "scan") -> None:
        """A scanned ticket (or typed vote code): may it vote? Then show the films."""
        if self.phase is not Phase.SCAN or self.busy:
            return  # one voter at a time: the current one finishes or cancels first
        self._begin("Checking the ticket… · 正在核對門票……")

        def work(backend: VotingBackend) -> tuple[Any, tuple[BallotFilm, ...]]:
            outcome = backend.check(text)
            return outcome, (backend.ballot_films() if outcome.accepted else ())

        self.runner.submit(work, lambda answer: self._checked(text, *answer), self._check_failed)

    def choose(self, film: BallotFilm) -> None:
        """The attendee tapped a film: ask to confirm."""
        if self.phase is not Phase.CHOOSE or self.busy:
            return
        self._film = film
        self.choice.setText(f"{film.title_zh}\n{film.title_en}\n{film.director}")
        picture = _pixmap(film.thumbnail_jpeg)
        self.choice_picture.setVisible(picture is not None)
        if picture is not None:
            self.choice_picture.setPixmap(picture.scaledToHeight(CHOICE_PICTURE_HEIGHT))
        self._show(Phase.CONFIRM)

    def confirm(self) -> None:
        """Cast the ballot; the thank-you shows only once the server or database committed it."""
        if self.phase is not Phase.CONFIRM or self.busy or self._code is None or self._film is None:
            return
        code, film = self._code, self._film
        self._begin("Casting your vote… · 正在投票……")
        self._idle.stop()
        self.runner.submit(
            lambda backend: backend.cast(code, film.id, self.station),
            self._cast_done,
            self._cast_failed,
        )

    def reset(self) -> None:
        """Back to waiting for a scan (nothing is recorded)."""
        if self.busy:
            return  # an answer is on its way: it decides what comes next
        self._code = self._film = None
        self._show(Phase.SCAN)

    def _link_changed(self) -> None:
        if not self._let_go:
            self.refresh_link()

    def refresh_link(self) -> None:
        """Paired station: say whether the event server answers (voting needs it)."""
        if self._link_state is None:
            return
        state = self._link_state()
        text, colour = describe_voting_link(state)
        if state.online and self._server_message and not self.busy:
            self._server_message = False  # the server is back: its absence is old news
            self.message.setText("")
        self.link_label.setText(text)
        self.link_label.setStyleSheet(f"color: {colour};")

    def let_go(self) -> None:
        """Close the backend's connection (database or server), on the thread that uses it;
        once. The window can still be shown; it would then have nothing to vote through."""
        if self._let_go:
            return
        self._let_go = True
        self.runner.submit(lambda backend: backend.close_database(), _ignore, _ignore)

    def finish(self, timeout_s: float = 10.0) -> None:
        """Closing the station: let go of the backend and stop the runner once the work
        submitted so far (a ballot on its way, then the close) has run, waiting up to
        ``timeout_s`` for it."""
        self.let_go()
        self.runner.shutdown(timeout_s)

    # -- answers --------------------------------------------------------------------------

    def _checked(self, text: str, outcome: Any, films: tuple[BallotFilm, ...]) -> None:
        self.busy = False
        self.refresh_link()
        if not outcome.accepted:
            self._refuse(outcome.verdict)
            return
        self._set_films(films)
        self._code = text
        self.message.setText("")
        self._show(Phase.CHOOSE)

    def _check_failed(self, exc: BaseException) -> None:
        self.busy = False
        self.refresh_link()
        if isinstance(exc, RemoteVoteError):
            self._say(str(exc), Colours.bad.name(), keep=True)  # until the server answers
            self._server_message = True
        elif isinstance(exc, VoteError):
            self._say(f"The event database cannot be read · 無法讀取活動資料: {exc}",
                      Colours.bad.name())  # fmt: skip
        else:
            log.error("the voting station's check failed: %s", exc)
            self._say(f"Something went wrong · 出錯了: {exc}", Colours.bad.name())

    def _cast_done(self, outcome: Any) -> None:
        self.busy = False
        self.refresh_link()
        if not outcome.accepted:
            self._code = self._film = None
            self._show(Phase.SCAN)
            self._refuse(outcome.verdict)
            return
        self._code = self._film = None
        self.message.setText("")
        self._show(Phase.THANKS)
        QTimer.singleShot(THANKS_MS, self._after_thanks)

    def _cast_failed(self, exc: BaseException) -> None:
        self.busy = False
        self.refresh_link()
        if isinstance(exc, VoteUnconfirmedError):
            # stay on the choice: "Cast my vote" again re-sends the same nonce
            self._say(str(exc), Colours.warn.name(), keep=True)
            self._idle.start(IDLE_RESET_MS)
        elif isinstance(exc, RemoteVoteError):
            self._code = self._film = None
            self._show(Phase.SCAN)
            self._say(str(exc), Colours.bad.name(), keep=True)
        elif isinstance(exc, VoteError):
            self._say(f"{glossary.NOT_RECORDED.pair()}: {exc}", Colours.bad.name())
        else:
            log.error("the voting station's ballot failed: %s", exc)
            self._say(f"{glossary.NOT_RECORDED.pair()}: {exc}", Colours.bad.name())

    # -- inside ---------------------------------------------------------------------------

    def _begin(self, text: str) -> None:
        self.busy = True
        self._server_message = False
        self._clear.stop()
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {Colours.muted.name()};")

    def _choose_again(self) -> None:
        if not self.busy:
            self._show(Phase.CHOOSE)

    def _set_films(self, films: tuple[BallotFilm, ...]) -> None:
        """The film tiles, rebuilt only when the ballot's films changed."""
        if tuple(f.id for f in films) == tuple(f.id for f in self._films):
            return
        for button in self.film_buttons.values():
            self._grid.removeWidget(button)
            button.deleteLater()
        self.film_buttons = {}
        self._films = films
        columns = max(2, min(MAX_COLUMNS, max(self.width(), 800) // COLUMN_MIN_WIDTH))
        for index, film in enumerate(films):
            button = FilmTile(film)
            button.clicked.connect(lambda _=False, chosen=film: self.choose(chosen))
            self._grid.addWidget(button, index // columns, index % columns)
            self.film_buttons[film.id] = button

    def _after_thanks(self) -> None:
        if self.phase is Phase.THANKS:
            self.reset()

    def _refuse(self, verdict: BallotVerdict) -> None:
        log.info("voting station: scan refused (%s)", verdict.value)
        en, zh = verdict.message
        self._say(f"{zh}\n{en}", Colours.bad.name())

    def _say(self, text: str, colour: str, *, keep: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {colour};")
        if keep:
            self._clear.stop()
        else:
            self._clear.start(MESSAGE_MS)

    def _show(self, phase: Phase) -> None:
        self.phase = phase
        self.pages.setCurrentIndex(list(Phase).index(phase))
        if phase in (Phase.CHOOSE, Phase.CONFIRM):
            self._idle.start(IDLE_RESET_MS)
        else:
            self._idle.stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop the timers and close the vote's database connection with the window."""
        self._idle.stop()
        self._clear.stop()
        self._link_timer.stop()
        if self._unwatch_link is not None:
            self._unwatch_link()
            self._unwatch_link = None
        self.let_go()
        super().closeEvent(event)


def _ignore(_value: object) -> None:
    """An answer nobody waits for."""


def _is_runner(value: VotingBackend | VoteRunner) -> TypeGuard[VoteRunner]:
    return callable(getattr(value, "submit", None))


def _pixmap(jpeg: bytes | None) -> QPixmap | None:
    if not jpeg:
        return None
    picture = QPixmap()
    return picture if picture.loadFromData(jpeg) and not picture.isNull() else None


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
