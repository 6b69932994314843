"""The usher's check-in window: scan, see the verdict, find people, walk-ins, live figures."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QColor, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.core import glossary
from kiosk.core.admissions import ArrivalBucket, DoorFigures, ScanResult, UndoneAdmission
from kiosk.core.checkin import (
    NEXT_STEPS,
    NOT_RECORDED_NEXT,
    Tone,
    Verdict,
    local_clock,
    station_label_zh,
    verdict_headlines,
)
from kiosk.core.repeat_scans import RepeatGuard
from kiosk.core.station_clock import SET_THE_CLOCK, clock_warning
from kiosk.services.door_backend import DoorBackend
from kiosk.services.open_event import StoreError
from kiosk.station.remote_doors import LinkState
from kiosk.ui.common.arrivals_chart import ArrivalsChart
from kiosk.ui.common.serial_worker import GuiRelay, SerialWorker
from kiosk.ui.common.theme import Colours, ui_font
from kiosk.ui.doors.camera import CameraInput
from kiosk.ui.doors.panels import Failed, Found, SearchPanel, WalkInPanel
from kiosk.ui.doors.sounds import SoundBoard
from kiosk.ui.doors.verdict_view import TONE_COLOURS, VerdictCard, VerdictOverlay

log = logging.getLogger(__name__)

POLL_MS = 2000
REFRESH_DELAY_MS = 40  # counters refresh just after the verdict is painted, not before
HISTORY_LENGTH = 8


@dataclass
class DoorsContext:
    """Everything the door window works with, passed in (no globals).

    ``repo`` is the event folder's repository (local mode) or a paired station's
    :class:`~kiosk.station.remote_doors.RemoteDoors`; ``link_state`` is given in station mode
    only, and the header then says whether the station is online and how old its list is;
    ``watch_link`` (station mode) registers a call made, on any thread, the moment the station
    goes offline, online or is revoked (it returns the call that stops watching): the header
    changes at once, not at its next poll.

    ``writer`` runs the writes (scans, hand admissions, walk-ins, undo) on its worker thread,
    on whichever backend it was given (its own connection to the event folder, or the
    station's RemoteDoors); ``reader``, if given, counts the live figures and runs the Find
    box's searches on another, so neither ever holds up the GUI while a scan comes in (without
    a reader, ``repo`` reads them on the GUI thread).
    """

    title_en: str
    title_zh: str
    repo: DoorBackend
    writer: SerialWorker[DoorBackend]
    station: str
    zone: dt.tzinfo
    sounds: SoundBoard
    camera: CameraInput | None = None
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    repeats: RepeatGuard = field(default_factory=RepeatGuard)
    reader: SerialWorker[DoorBackend] | None = None
    link_state: Callable[[], LinkState] | None = None
    watch_link: Callable[[Callable[[], None]], Callable[[], None]] | None = None


UNDO_UNKNOWN = "Undo this door's last admission… / 撤銷此門上一位入場…"


def undo_button_text(name: str, clock: str) -> str:
    """The Undo button names who it would un-admit."""
    return f"Undo: {name} ({clock})… / 撤銷入場"


def undo_question(name: str | None, clock: str | None) -> str:
    """The one confirmation before an admission is undone (plain text: names are data)."""
    if name is None:
        return (
            "Un-admit the last person admitted at this door? They are no longer counted in "
            "the hall and must scan again to come in.\n\n撤銷此門上一位入場？"
        )
    return (
        f"Un-admit {name} (admitted {clock})? They are no longer counted in the hall and must "
        f"scan again to come in.\n\n撤銷 {name}（{clock} 入場）的入場？"
    )


def confirm_undo(parent: QWidget, question: str) -> bool:
    """Ask once; Cancel is the default, so a scanner's Enter never confirms."""
    box = QMessageBox(parent)
    box.setWindowTitle("Undo admission / 撤銷入場")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(question)
    confirm = box.addButton("&Un-admit / 撤銷入場", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton("Cancel / 取消", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is confirm


def describe_link(state: LinkState, now: dt.datetime) -> tuple[str, Tone]:
    """The header's connection lines: online or offline, the list's age, uploads waiting."""
    age = state.list_age(now)
    if age is None:
        age_text = "no ticket list yet / 尚無門票名單"
    else:
        minutes, seconds = divmod(max(0, int(age.total_seconds())), 60)
        age_text = f"list {minutes}:{seconds:02d} old / 名單 {minutes} 分 {seconds} 秒前"
    waiting = ""
    if state.pending_uploads:
        waiting = f" · {state.pending_uploads} to upload / 待上傳 {state.pending_uploads}"
    if state.revoked:
        return "● REVOKED · 已撤銷\npair this station again / 請重新配對", Tone.STOP
    warning = clock_warning(state.clock_offset) if state.clock_offset is not None else None
    if warning is not None and state.online:
        en, zh = warning
        do_en, do_zh = SET_THE_CLOCK
        return f"● Online · 已連線  ⚠ {en} / {zh}\n{do_en} / {do_zh}", Tone.CAUTION
    if state.online:
        return f"● Online · 已連線  {state.server}\n{age_text}{waiting}", Tone.GO
    return f"● OFFLINE · 離線 — deciding from its list\n{age_text}{waiting}", Tone.CAUTION


def card_for(result: ScanResult) -> VerdictCard:
    """The verdict screen for a scan result."""
    decision = result.decision
    name = result.name or ""
    latin = result.name_latin or ""
    if result.verdict in (Verdict.INVALID_CODE, Verdict.UNKNOWN_TICKET) and result.code:
        latin = result.code
    badge = "OFFLINE · 離線 — from this station's list / 按本站名單判斷" if result.offline else ""
    next_step = NEXT_STEPS.get(result.verdict)
    return VerdictCard(
        tone=result.verdict.tone,
        headline_en=decision.headline_en,
        headline_zh=decision.headline_zh,
        name=name,
        name_latin=latin,
        detail_en=decision.detail_en,
        detail_zh=decision.detail_zh,
        badge=badge,
        next_step_en=next_step.en if next_step else "",
        next_step_zh=next_step.zh if next_step else "",
    )


def count_figures(repo: DoorBackend) -> tuple[DoorFigures, list[ArrivalBucket]]:
    """The header's figures and the arrivals chart (on the window's reader)."""
    return repo.figures(), repo.arrivals(5)


class FigureTile(QFrame):
    """One big number with a bilingual caption in the header."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tile")
        self.setStyleSheet(f"#tile {{ background: {Colours.raised.name()}; border-radius: 10px; }}")
        self._style = ""
        self.value = QLabel("–")
        self.value.setFont(ui_font(26, bold=True))
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption = QLabel(caption)
        self.caption.setFont(ui_font(10))
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setStyleSheet(f"color: {Colours.muted.name()}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 6, 16, 6)
        layout.setSpacing(0)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set_value(self, text: str, colour: QColor | None = None) -> None:
        """Show a figure (optionally coloured).

        The style sheet is set only when the colour changes: setting it re-polishes the label
        and lays the header out again, which the door cannot afford on every scan.
        """
        style = f"color: {(colour or Colours.text).name()}"
        if style != self._style:
            self._style = style
            self.value.setStyleSheet(style)
        self.value.setText(text)


class DoorsWindow(QWidget):
    """Full-screen door station: every scan gets an instant, unmistakable verdict."""

    answered = Signal(object)  # ScanResult, UndoneAdmission, None (nothing to undo) or an error

    def __init__(self, context: DoorsContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.repo = context.repo
        self.station = context.station
        self.last_result: ScanResult | None = None
        self.figures: DoorFigures | None = None
        self._closed = False  # after close: no more reads (a station's database is closed)
        # this window's admissions, latest last: the Undo button names who it would un-admit
        self._admitted: list[tuple[str, str]] = []
        self._preview: QWidget | None = None
        self.setWindowTitle(f"Doors — {self.station} / {station_label_zh(self.station)} · AIFF")
        self.setAutoFillBackground(True)

        header = self._build_header(context)
        body = QHBoxLayout()
        body.addLayout(self._build_scan_column(), 11)
        body.addSpacing(16)
        body.addLayout(self._build_side_column(context), 9)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 14, 20, 14)
        outer.addLayout(header)
        outer.addSpacing(8)
        outer.addLayout(body, 1)
        self.overlay = VerdictOverlay(self)
        self._install_shortcuts()
        self._connect_camera(context)
        self._start_timers()
        self._unwatch_link = self._watch_link(context)
        if context.reader is None:
            self.refresh_figures()
        else:
            self._refresh_in_background()  # the first figures too: counted on the reader
        self.refresh_link()
        self.code_entry.setFocus()

    def _build_header(self, context: DoorsContext) -> QHBoxLayout:
        """The event, the station (and its link) and the live figures."""
        title = QLabel(f"{context.title_zh}\n{context.title_en}")
        title.setTextFormat(Qt.TextFormat.PlainText)
        title.setFont(ui_font(15, bold=True))
        station = QLabel(f"{self.station}  ·  {station_label_zh(self.station)}")
        station.setTextFormat(Qt.TextFormat.PlainText)
        station.setFont(ui_font(13))
        station.setStyleSheet(f"color: {Colours.accent.name()}")
        heading = QVBoxLayout()
        heading.addWidget(title)
        heading.addWidget(station)
        self.link_label = QLabel("")
        self.link_label.setFont(ui_font(12, bold=True))
        self.link_label.setTextFormat(Qt.TextFormat.PlainText)
        self.link_label.setVisible(context.link_state is not None)
        heading.addWidget(self.link_label)
        self.in_tile = FigureTile(glossary.CHECKED_IN.pair(" / "))
        self.registered_tile = FigureTile(glossary.REGISTERED.pair(" / "))
        self.capacity_tile = FigureTile(glossary.CAPACITY.pair(" / "))
        self.left_tile = FigureTile(glossary.PLACES_LEFT.pair(" / "))
        header = QHBoxLayout()
        header.addLayout(heading, 1)
        for tile in (self.in_tile, self.registered_tile, self.capacity_tile, self.left_tile):
            header.addWidget(tile)
        return header

    def _build_scan_column(self) -> QVBoxLayout:
        """The ready screen, recent scans, the typed code and the camera."""
        self.ready_title = QLabel("Scan a ticket\n請掃描門票")
        self.ready_title.setFont(ui_font(40, bold=True))
        self.ready_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ready_hint = QLabel(
            "Hold the QR code under the scanner or up to the camera\n將門票二維碼對準掃描器或鏡頭"
        )
        self.ready_hint.setFont(ui_font(14))
        self.ready_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ready_hint.setStyleSheet(f"color: {Colours.muted.name()}")
        history_label = QLabel("Recent scans / 最近掃描")
        history_label.setFont(ui_font(11, bold=True))
        self.history = QListWidget()
        self.history.setFont(ui_font(12))
        self.history.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.code_entry = QLineEdit()
        self.code_entry.setPlaceholderText(
            "Type a ticket code and press Enter / 輸入票號後按 Enter"
        )
        self.code_entry.setFont(ui_font(14))
        self.code_entry.setMinimumHeight(44)
        self.code_entry.returnPressed.connect(self._typed_code)
        self.camera_button = QPushButton("Start camera / 開啟鏡頭")
        self.camera_button.setMinimumHeight(44)
        self.camera_button.clicked.connect(self.toggle_camera)
        self.camera_status = QLabel("")
        self.camera_status.setStyleSheet(f"color: {Colours.muted.name()}")
        self.preview_holder = QVBoxLayout()
        entry_row = QHBoxLayout()
        entry_row.addWidget(self.code_entry, 1)
        entry_row.addWidget(self.camera_button)
        left = QVBoxLayout()
        left.addStretch(1)
        left.addWidget(self.ready_title)
        left.addWidget(self.ready_hint)
        left.addStretch(1)
        left.addLayout(self.preview_holder)
        left.addWidget(self.camera_status)
        left.addWidget(history_label)
        left.addWidget(self.history, 1)
        left.addLayout(entry_row)
        return left

    def _build_side_column(self, context: DoorsContext) -> QVBoxLayout:
        """Find / walk-in, the arrivals chart, Undo and the status line."""
        self.search_panel = SearchPanel(self._search_off_the_gui, context.zone)
        self.search_panel.admit_requested.connect(self.admit_manually)
        self.walk_in_panel = WalkInPanel()
        self.walk_in_panel.register_requested.connect(self.register_walk_in)
        self.tabs = QTabWidget()
        self.tabs.setFont(ui_font(12))
        self.tabs.addTab(self.search_panel, "Find / 查找")
        self.tabs.addTab(
            self.walk_in_panel, f"{glossary.WALK_IN.en.capitalize()} / {glossary.WALK_IN.zh}"
        )
        self.chart = ArrivalsChart(5)
        self.chart.setMinimumHeight(90)  # the found list comes first on a laptop screen
        self.undo_button = QPushButton(UNDO_UNKNOWN)
        self.undo_button.setMinimumHeight(44)
        self.undo_button.setFont(ui_font(11))
        self.undo_button.clicked.connect(self.ask_undo)
        self.status_line = QLabel("")
        self.status_line.setTextFormat(Qt.TextFormat.PlainText)  # names are data, never markup
        self.status_line.setWordWrap(True)
        self.status_line.setFont(ui_font(11))
        right = QVBoxLayout()
        right.addWidget(self.tabs, 6)  # the found list first: ten namesakes without scrolling
        right.addWidget(self.chart, 1)
        right.addWidget(self.undo_button)
        right.addWidget(self.status_line)
        return right

    def _search_off_the_gui(self, text: str, found: Found, failed: Failed) -> None:
        """The Find box's search, on the reader (a station's asks the server: up to its scan
        timeout when the server hangs); without a reader, here."""
        reader = self.context.reader
        if reader is None:
            try:
                hits = self.repo.search(text)
            except (StoreError, OSError) as exc:
                failed(exc)
                return
            found(hits)
            return
        reader.submit(lambda repo: repo.search(text), found, failed)

    def _install_shortcuts(self) -> None:
        """The window's keys: undo, find, walk-in, dismiss, full screen."""
        # Ctrl+Z in a text box undoes the typing (the box claims it); elsewhere it asks, as the
        # Undo button does: un-admitting someone is never one keystroke
        QShortcut(QKeySequence("Ctrl+Z"), self, self.ask_undo)
        QShortcut(QKeySequence("Ctrl+F"), self, self.focus_search)
        QShortcut(QKeySequence("Ctrl+N"), self, self.focus_walk_in)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.overlay.dismiss)
        QShortcut(QKeySequence(Qt.Key.Key_F11), self, self._toggle_full_screen)

    def _connect_camera(self, context: DoorsContext) -> None:
        """Codes the camera sees are scans; without a camera its button is off."""
        if context.camera is not None:
            context.camera.code_seen.connect(lambda text: self.handle_code(text, "camera"))
            context.camera.state_changed.connect(self._camera_state)
        else:
            self.camera_button.setEnabled(False)
            self.camera_status.setText("No camera / 沒有鏡頭")

    def _start_timers(self) -> None:
        """The figures poll, the refresh just after a verdict, the overlay warm-up."""
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self.poll)
        self._poll.start()
        self._refresh_soon = QTimer(self)
        self._refresh_soon.setSingleShot(True)
        self._refresh_soon.setInterval(REFRESH_DELAY_MS)
        self._refresh_soon.timeout.connect(self._refresh_in_background)
        self._warm_up = QTimer(self)
        self._warm_up.setSingleShot(True)
        self._warm_up.setInterval(200)
        self._warm_up.timeout.connect(lambda: self.overlay.warm_up(verdict_headlines()))

    def _watch_link(self, context: DoorsContext) -> Callable[[], None] | None:
        """Station mode: the header follows the link the moment anything finds it changed."""
        if context.watch_link is None:
            return None
        relay = GuiRelay(self)
        return context.watch_link(lambda: relay.post(self._link_changed))

    def _link_changed(self) -> None:
        if not self._closed:
            self.refresh_link()

    # ------------------------------------------------------------ scanning

    def handle_code(self, text: str, method: str = "scan") -> None:
        """One scan from the scanner, the camera or the keyboard: decide, record, show.

        The check-in runs on the writer's worker; the verdict comes back in :meth:`show_result`.
        The same code read again at this door within ~2 s is the same scan: the verdict stays.
        """
        if self.context.repeats.is_repeat(text):
            log.info("same code read again at %s within %.0f s: one scan", self.station, 2)
            self.overlay.hold_longer()
            return
        station, now = self.station, self.context.clock()
        self.context.writer.submit(
            lambda repo: repo.scan(text, station, method, now),
            self._answer_scan,
            self._answer_failure,
        )

    def admit_manually(self, attendee_id: int) -> None:
        """Admit a person found by name (recorded as manual)."""
        station, now = self.station, self.context.clock()
        self.context.writer.submit(
            lambda repo: repo.admit_manually(attendee_id, station, now),
            self._answer_scan,
            self._answer_failure,
        )

    def register_walk_in(self, name: str, name_latin: str, email: str) -> None:
        """Register and admit someone at the door while the hall has room."""
        station, now = self.station, self.context.clock()
        self.context.writer.submit(
            lambda repo: repo.walk_in(name, name_latin, email, station, now),
            self._answer_walk_in,
            self._answer_walk_in_failure,
        )

    def ask_undo(self) -> None:
        """The Undo button (or Ctrl+Z outside a text box): name who, confirm once, undo."""
        name, clock = self._admitted[-1] if self._admitted else (None, None)
        if confirm_undo(self, undo_question(name, clock)):
            self.undo_last()

    def undo_last(self) -> None:
        """Annul this station's latest admission (kept in the records, marked annulled)."""
        station, now = self.station, self.context.clock()
        self.context.writer.submit(
            lambda repo: repo.undo_last(station, now), self._answer_undo, self._answer_failure
        )

    def _answer_scan(self, result: ScanResult) -> None:
        self.show_result(result)
        self.answered.emit(result)

    def _answer_walk_in(self, result: ScanResult) -> None:
        if result.verdict is Verdict.ADMITTED:
            self.walk_in_panel.clear()
            self.walk_in_panel.show_feedback(
                f"{glossary.REGISTERED.en} and admitted: {result.name} / "
                f"{glossary.REGISTERED.zh}並入場：{result.name}"
            )
        self.show_result(result)
        self.answered.emit(result)

    def _answer_walk_in_failure(self, exc: BaseException) -> None:
        if isinstance(exc, ValueError):
            self.walk_in_panel.show_feedback(str(exc), error=True)
            self.answered.emit(exc)
            return
        self._answer_failure(exc)

    def _answer_failure(self, exc: BaseException) -> None:
        if isinstance(exc, StoreError | LookupError | OSError):
            self.context.repeats.forget()  # the same ticket again is a new try
            self._show_failure(exc)
            self.answered.emit(exc)
            return
        self.answered.emit(exc)
        raise exc  # a bug: to the error reporter

    def _answer_undo(self, undone: UndoneAdmission | None) -> None:
        self.context.repeats.forget()
        if undone is None:
            self._status("Nothing to undo at this door / 此門沒有可撤銷的入場", Colours.muted)
            self.answered.emit(None)
            return
        if self._admitted and self._admitted[-1][0] == undone.name:
            self._admitted.pop()
        else:
            self._admitted.clear()  # the door's records and this window's memory differ
        self._name_undo_button()
        clock = local_clock(undone.at, self.context.zone)
        undone_word = glossary.UNDONE
        self._status(
            f"{undone_word.en}: {undone.name} (admitted {clock}) / "
            f"已{undone_word.zh}：{undone.name}（{clock} 入場）",
            Colours.warn,
        )
        self._add_history(
            f"{self._now_clock()}  ↶  {undone_word.pair(' / 已')}  {undone.name}", Colours.warn
        )
        self._refresh_soon.start()
        self.answered.emit(undone)

    def show_result(self, result: ScanResult) -> None:
        """Fill the window with the verdict, play its sound, log it in the recent list."""
        self.last_result = result
        self.overlay.show_card(card_for(result))
        self.context.sounds.play(result.verdict)
        self.code_entry.clear()
        who = result.name or result.code or ""
        if result.verdict is Verdict.ADMITTED:
            self._admitted.append((who, self._now_clock()))
            self._name_undo_button()
            self._status("", Colours.muted)  # an old "Undone: …" is not news any more
        symbol = {Tone.GO: "✔", Tone.CAUTION: "!", Tone.STOP: "✖"}[result.verdict.tone]
        mode = "  (offline / 離線)" if result.offline else ""
        self._add_history(
            f"{self._now_clock()}  {symbol}  {result.decision.headline}  {who}{mode}",
            TONE_COLOURS[result.verdict.tone][0],
        )
        self._refresh_soon.start()  # after the verdict is painted: the verdict comes first

    def _show_failure(self, exc: BaseException) -> None:
        log.error("door action failed: %s", exc)
        self.overlay.show_card(
            VerdictCard(
                Tone.STOP,
                glossary.NOT_RECORDED.en,
                glossary.NOT_RECORDED.zh,
                detail_en=str(exc)[:160],
                detail_zh="系統未能儲存，此人尚未入場",
                next_step_en=NOT_RECORDED_NEXT.en,
                next_step_zh=NOT_RECORDED_NEXT.zh,
            ),
            hold_ms=4000,
        )
        self.context.sounds.play(Verdict.INVALID_CODE)
        self._status(f"Error / 錯誤: {exc}", Colours.bad)

    def _typed_code(self) -> None:
        text = self.code_entry.text().strip()
        if text:
            self.handle_code(text, "scan")

    # ------------------------------------------------------------ live figures

    def poll(self) -> None:
        """Every ~2 s while on screen: pick up other stations' admissions (and the server
        link's state). Whether anything changed is asked on the reader, with the counting."""
        if self._closed or not self.isVisible():
            return
        self.refresh_link()
        reader = self.context.reader
        if reader is not None:
            reader.submit(
                lambda repo: count_figures(repo) if repo.has_changed() else None,
                self._counted,
                lambda exc: log.warning("could not read the figures: %s", exc),
            )
            return
        try:
            if self.repo.has_changed():
                self.refresh_all()
        except StoreError as exc:
            log.warning("could not read the figures: %s", exc)

    def refresh_link(self) -> None:
        """Station mode: say in the header whether the server is reachable, the list's age
        and the uploads waiting (from memory: the station counts them where they change)."""
        if self.context.link_state is None:
            return
        text, tone = describe_link(self.context.link_state(), self.context.clock())
        self.link_label.setText(text)
        colour = {Tone.GO: Colours.ok, Tone.CAUTION: Colours.warn, Tone.STOP: Colours.bad}[tone]
        self.link_label.setStyleSheet(f"color: {colour.name()}")

    def refresh_all(self) -> None:
        """Figures, chart and search results, after a change made here."""
        self.refresh_link()
        self.refresh_figures()
        self.search_panel.refresh()

    def _refresh_in_background(self) -> None:
        """Figures and chart counted on the reader thread (100k rows take a few ms), then shown."""
        if self._closed:  # an answer delivered after the window closed refreshes nothing
            return
        reader = self.context.reader
        if reader is None:
            self.refresh_all()
            return
        self.refresh_link()  # a scan may just have found the server gone (or back)
        reader.submit(
            count_figures,
            self._counted,
            lambda exc: log.warning("could not read the figures: %s", exc),
        )

    def _counted(self, counted: tuple[DoorFigures, list[ArrivalBucket]] | None) -> None:
        if self._closed or counted is None:  # (None: nothing changed since the last count)
            return
        self._show_figures(*counted)
        self.search_panel.refresh()

    def refresh_figures(self) -> None:
        """Counters and chart from the database, now."""
        self._show_figures(self.repo.figures(), self.repo.arrivals(5))

    def _show_figures(self, figures: DoorFigures, arrivals: list[ArrivalBucket]) -> None:
        self.figures = figures
        self.in_tile.set_value(f"{figures.checked_in:,}", Colours.ok)
        self.registered_tile.set_value(f"{figures.registered:,}")
        capacity = figures.capacity
        self.capacity_tile.set_value("—" if capacity is None else f"{capacity:,}")
        left = figures.places_left
        left_colour = Colours.bad if left == 0 else Colours.warn if left and left < 20 else None
        self.left_tile.set_value("—" if left is None else f"{left:,}", left_colour)
        self.walk_in_panel.set_full(left == 0)
        self.chart.set_slots([(b.start, b.count) for b in arrivals])

    # ------------------------------------------------------------ camera

    def toggle_camera(self) -> None:
        """Start or stop the webcam scanner."""
        camera = self.context.camera
        if camera is None:
            return
        if camera.running:
            camera.stop()
            return
        if self._preview is None:
            from PySide6.QtMultimediaWidgets import QVideoWidget

            preview = QVideoWidget()
            preview.setMinimumHeight(180)
            preview.setMaximumHeight(260)
            self.preview_holder.addWidget(preview)
            self._preview = preview
        assert self._preview is not None
        camera.start(self._preview)  # type: ignore[arg-type]

    def _camera_state(self, running: bool, text: str) -> None:
        self.camera_status.setText(text)
        self.camera_button.setText(
            "Stop camera / 關閉鏡頭" if running else "Start camera / 開啟鏡頭"
        )
        if self._preview is not None:
            self._preview.setVisible(running)

    # ------------------------------------------------------------ helpers

    def focus_search(self) -> None:
        """Ctrl+F: the find box."""
        self.tabs.setCurrentWidget(self.search_panel)
        self.search_panel.query.setFocus()
        self.search_panel.query.selectAll()

    def focus_walk_in(self) -> None:
        """Ctrl+N: the walk-in form."""
        self.tabs.setCurrentWidget(self.walk_in_panel)
        self.walk_in_panel.name.setFocus()

    def _add_history(self, text: str, colour: QColor) -> None:
        item = QListWidgetItem(text)
        item.setForeground(colour)
        self.history.insertItem(0, item)
        while self.history.count() > HISTORY_LENGTH:
            self.history.takeItem(self.history.count() - 1)

    def _name_undo_button(self) -> None:
        last = self._admitted[-1] if self._admitted else None
        self.undo_button.setText(undo_button_text(*last) if last else UNDO_UNKNOWN)

    def _status(self, text: str, colour: QColor) -> None:
        self.status_line.setStyleSheet(f"color: {colour.name()}")
        self.status_line.setText(text)

    def _now_clock(self) -> str:
        return local_clock(self.context.clock(), self.context.zone)

    def _toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showMaximized()
        else:
            self.showFullScreen()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.overlay.setGeometry(self.rect())
        self._warm_up.start()  # once the size settles: the verdicts' shared parts, rendered

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closed = True
        if self._unwatch_link is not None:
            self._unwatch_link()
        self._poll.stop()
        self._refresh_soon.stop()
        self._warm_up.stop()
        self.context.writer.shutdown()
        if self.context.reader is not None:
            self.context.reader.shutdown()
        if self.context.camera is not None:
            self.context.camera.shutdown()
        super().closeEvent(event)
