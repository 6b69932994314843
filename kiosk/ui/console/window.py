"""The projectionist's console: the show (GO and friends), the programme and preflight, the log.

Tabs: "Show" (the running show, when there is one) and "Programme"; other views
(e.g. registrations) are mounted with `add_tab`. The log panel sits under the tabs.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.audio_outputs import audio_outputs
from kiosk.core.booth_lines import ToneResult
from kiosk.core.console_settings import ConsoleSettings
from kiosk.core.media_identity import MediaVerdict
from kiosk.core.memory_trend import MemoryTrend
from kiosk.core.night_end import planned_end
from kiosk.core.preflight import FilmCheck, check_schedule
from kiosk.core.programme import Film, format_duration
from kiosk.core.stalls import JOURNAL_KIND as STALL_JOURNAL_KIND
from kiosk.core.stalls import Stall
from kiosk.desktop.inhibit import InhibitStatus
from kiosk.desktop.notifications import DoNotDisturb
from kiosk.desktop.power import PowerState
from kiosk.media.test_tone import TonePlayer
from kiosk.night.night import Night
from kiosk.services.booth_checklist import Checklist
from kiosk.services.film_media import FilmMedia
from kiosk.services.open_event import OpenEvent
from kiosk.services.preflight import PreflightReport
from kiosk.ui.common.messages import Level, MessageBus
from kiosk.ui.common.progress_strip import ProgressStrip
from kiosk.ui.common.stall_probe import StallProbe
from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.common.theme import Colours, text_label, ui_font
from kiosk.ui.console.checklist_view import ChecklistDialog
from kiosk.ui.console.close_guard import CloseGuard, ConfirmClose
from kiosk.ui.console.desktop_banner import DesktopBanner
from kiosk.ui.console.keymap import KeyMap
from kiosk.ui.console.memory_status import MemoryStatus
from kiosk.ui.console.outputs_dialog import OutputsDialog
from kiosk.ui.console.programme_model import COLUMNS, ProgrammeModel
from kiosk.ui.console.show_panel import ShowPanel
from kiosk.ui.console.sound_banner import SoundBanner
from kiosk.ui.stage.window import StageWindow

log = logging.getLogger(__name__)
MEDIA_EVERY_MS = 2000  # how often the console looks whether film files changed (one stat each)


class FilmDetails(QFrame):
    """The selected film in full: still, bilingual title, credits, preflight findings."""

    def __init__(self) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(300)
        layout = QVBoxLayout(self)
        self.still = QLabel()
        self.still.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.still.setMinimumHeight(150)
        self.still.setStyleSheet(f"background: {Colours.background.name()};")
        self.title_en = text_label(size=15, bold=True)
        self.title_zh = text_label(size=14)
        self.credits = text_label(colour=Colours.muted.name())
        self.findings = text_label(rich=True)  # each finding escaped below
        for label in (self.title_en, self.title_zh, self.credits, self.findings):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for widget in (self.still, self.title_en, self.title_zh, self.credits, self.findings):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.show_film(None, None)

    def show_film(self, film: Film | None, model: ProgrammeModel | None) -> None:
        """Fill the panel for `film` (or a hint when nothing is selected)."""
        if film is None or model is None:
            self.title_en.setText("Select a film")
            self.title_zh.setText("選擇影片")
            self.credits.setText("")
            self.findings.setText("")
            self.still.clear()
            return
        self.title_en.setText(f"{film.position}. {film.title_en}")
        self.title_zh.setText(film.title_zh)
        parts = [film.director, film.country, str(film.year)]
        if film.language:
            parts.append(film.language + (" · English subtitles" if film.subtitles else ""))
        credits = " · ".join(parts)
        if film.content_note:
            credits += f"\nContent note: {film.content_note}"
        credits += f"\n{film.file}"
        self.credits.setText(credits)
        check = model.checks.get(film.id)
        if check is None:
            self.findings.setText("Not checked yet: run preflight (F5).")
        else:
            lines = [
                f"<span style='color:{Colours.bad.name()}'>✖ {html.escape(p)}</span>"
                for p in check.problems
            ]
            lines += [
                f"<span style='color:{Colours.warn.name()}'>• {html.escape(w)}</span>"
                for w in check.warnings
            ]
            if not lines:
                lines = [f"<span style='color:{Colours.ok.name()}'>✔ ready to play</span>"]
            self.findings.setText("<br>".join(lines))
        self._show_still(film.still)

    def _show_still(self, still: Path | None) -> None:
        pixmap = QPixmap(str(still)) if still and still.is_file() else QPixmap()
        if pixmap.isNull():
            self.still.setText("no still")
            return
        self.still.setPixmap(
            pixmap.scaled(
                320,
                180,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )


def ask_start_over(parent: QWidget) -> bool:
    """Ask the operator before the night starts over (True: yes)."""
    answer = QMessageBox.question(
        parent,
        "Start the show over?",
        "Go back to the holding slide and mark every film as not yet played?\n"
        "The journal keeps what happened so far.",
    )
    return answer == QMessageBox.StandardButton.Yes


def apply_outputs(night: Night, settings: ConsoleSettings) -> None:
    """Move the stage to the chosen screen and send the films' sound to the chosen device;
    say it loudly when there is no audio device at all (films would play silently)."""
    stage = night.projector.stage
    if settings.projector_screen and isinstance(stage, StageWindow):
        stage.place_on_screen(settings.projector_screen)
    players = night.projector.players
    if settings.audio_device:
        night.projector.set_audio_device(settings.audio_device)  # films, music and sting
    if night.sound is not None and night.sound.sound_lost:
        night.sound.reconnect()  # a lost output takes no device choice: open a new one
    if not audio_outputs(players.audio_devices(), None) and night.messages is not None:
        night.messages.error(
            "No audio output device: the films would play SILENTLY · 沒有音效輸出裝置 — "
            "check the sound card / HDMI audio, then choose it with O"
        )


PREFLIGHT_COLUMN_PX = 130


class ConsoleWindow(QMainWindow):
    """Main window on the operator's screen."""

    closed = Signal()  # the window closed (confirmed): its panels let go of what they hold

    def __init__(
        self,
        event: OpenEvent,
        night: Night,
        messages: MessageBus,
        tasks: TaskRunner,
        *,
        confirm_start_over: Callable[[QWidget], bool] | None = None,
        supervised: bool = False,
        confirm_close: ConfirmClose | None = None,
        tone: TonePlayer | None = None,
        read_power: Callable[[], PowerState] | None = None,
        do_not_disturb: DoNotDisturb | None = None,
    ) -> None:
        super().__init__()
        self.open_event = event
        self.night = night
        self.config = night.config
        self.programme = night.programme
        self.messages = messages
        self.tasks = tasks
        self._confirm_start_over = confirm_start_over or ask_start_over
        self.close_guard = CloseGuard(night, self, supervised=supervised, confirm=confirm_close)
        self.setWindowTitle(f"{self.config.name_en} — Console")
        self.model = ProgrammeModel(self.programme, self.config)
        self._preflight_running = False
        self._tone = tone  # the booth checklist's test tone (None: no sound to test)
        self.checklist: ChecklistDialog | None = None  # made the first time it is opened
        self._inhibit_status: InhibitStatus | None = None  # what run_console holds awake

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(12, 10, 12, 10)
        self.memory = MemoryStatus(messages, MemoryTrend(), parent=self)
        self.stall_probe = StallProbe(self._record_stall, parent=self)
        outer.addLayout(self._build_header())
        self.sound_banner = SoundBanner(
            self.choose_outputs, self._reconnect_sound, self.config.zone
        )
        outer.addWidget(self.sound_banner)
        if night.sound is not None:
            night.sound.lost.connect(self.sound_banner.sound_lost)
            night.sound.back.connect(self.sound_banner.sound_back)
        self.desktop_banner = DesktopBanner(tasks, read_power, do_not_disturb)
        outer.addWidget(self.desktop_banner)
        night.film_outside_stage.connect(self.desktop_banner.film_outside_stage)

        self.tabs = QTabWidget()
        self.tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tabs.setFont(ui_font(11, bold=True))
        self.keys = KeyMap(self, lambda: night.mode, messages)
        self.keys.handle("preflight", self._preflight_key)
        self.keys.handle("quit", self._quit_key)
        self.keys.handle("outputs", self.choose_outputs)
        self.keys.handle("checklist", self.open_checklist)
        self.show_panel: ShowPanel | None = None
        if night.show is not None:
            self.show_panel = ShowPanel(
                night, tasks, self.keys, self._start_over, self.recheck_film
            )
            self.tabs.addTab(self.show_panel, "Show · 放映")
        self.tabs.addTab(self._build_programme_tab(), "Programme · 節目")

        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(2000)
        self.log_view.setPlaceholderText("What happened tonight appears here.")
        self.log_view.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tabs)
        splitter.addWidget(self.log_view)
        splitter.setStretchFactor(0, 6)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([620, 90])
        outer.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.memory.watch(night.show)
        night.show_replaced.connect(self.memory.watch)  # Start over: a new show's films
        # measuring starts with the event loop: building the console is not a stall of the night
        QTimer.singleShot(0, self.stall_probe.start)

        messages.subscribe(self._append_message)
        self.media: FilmMedia | None = night.media  # None: a night built without it
        self._media_looking = False  # the films' files are being looked at on a worker
        self._media_timer = QTimer(self)  # a film replaced or deleted is flagged within 2 s
        self._media_timer.setInterval(MEDIA_EVERY_MS)
        self._media_timer.timeout.connect(self.refresh_media)
        self._media_timer.start()
        self.load_checks()
        messages.info(f"Event opened: {event.root}")

    def add_tab(self, widget: QWidget, title: str) -> int:
        """Mount another view (e.g. registrations) as a tab; returns its index."""
        return self.tabs.addTab(widget, title)

    def show_inhibit_status(self, status: InhibitStatus) -> None:
        """What keeps the screens and the laptop awake (a banner when something is missing)."""
        self._inhibit_status = status
        self.desktop_banner.show_inhibit_status(status)

    def offer_resume(self, text: str) -> None:
        """Show that the show was restored after an interruption (GO continues it)."""
        if self.show_panel is not None:
            self.show_panel.offer_resume(text)

    def choose_outputs(self) -> str | None:
        """The projector screen and audio device dialog (key O); applies and remembers them."""
        players = self.night.projector.players
        current = self.open_event.settings()
        stage = self.night.projector.stage
        aliases = stage.screen_aliases() if isinstance(stage, StageWindow) else {}
        outputs = audio_outputs(players.audio_devices(), current.audio_device)
        dialog = OutputsDialog(self, current, outputs, self.night.projector.test_tone, aliases)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return "cancelled"
        chosen = dialog.chosen()
        apply_outputs(self.night, chosen)
        self.open_event.save_settings(chosen)
        return (
            f"projector {chosen.projector_screen or 'default screen'}, "
            f"sound {chosen.audio_device or 'default device'} (remembered for this event)"
        )

    def open_checklist(self) -> str | None:
        """The booth checklist (key K): shown at once, its lines gathered on a worker."""
        if self.checklist is None:
            event = self.open_event
            held = self._inhibit_status

            def gather(tone: Callable[[], ToneResult | None]) -> Checklist:
                return event.check_booth(tone, (lambda: held) if held is not None else None)

            self.checklist = ChecklistDialog(
                gather,
                self.tasks,
                self.messages,
                self._tone,
                lambda: event.settings().audio_device or "",
                self,
            )
        self.checklist.show()
        self.checklist.raise_()
        self.checklist.activateWindow()
        self.checklist.refresh()
        return None

    def write_run_sheet(self, path: Path | None = None) -> None:
        """Print the run sheet to a PDF in the event folder, on a worker thread."""
        target = path or self.open_event.run_sheet_path()
        self.run_sheet_button.setEnabled(False)

        def done(pages: int) -> None:
            self.run_sheet_button.setEnabled(True)
            self.messages.info(f"Run sheet written to {target} ({pages} page(s)) · 流程表已輸出")

        def failed(error: BaseException) -> None:
            self.run_sheet_button.setEnabled(True)
            self.messages.error(f"The run sheet could not be written to {target}: {error}")

        self.tasks.run(self.open_event.write_run_sheet, done, failed, target)

    def _run_sheet_clicked(self) -> None:
        self.write_run_sheet()

    def _reconnect_sound(self) -> None:
        if self.night.sound is not None:
            self.messages.info("Reconnecting the sound (operator)")
            self.night.sound.reconnect()

    def _preflight_key(self) -> None:
        self.start_preflight()

    def _quit_key(self) -> None:
        self.close()  # asks during the show (see CloseGuard)

    def _start_over(self) -> None:
        if self.night.show is None or not self._confirm_start_over(self):
            return
        self.night.start_over()  # the show panel hears `show_replaced`

    def _build_programme_tab(self) -> QWidget:
        tab = QWidget()
        column = QVBoxLayout(tab)
        column.setContentsMargins(0, 4, 0, 0)
        column.addWidget(self._build_toolbar())
        top = QSplitter(Qt.Orientation.Horizontal)
        self.table = self._build_table()
        self.details = FilmDetails()
        top.addWidget(self.table)
        top.addWidget(self.details)
        top.setStretchFactor(0, 4)
        top.setStretchFactor(1, 1)
        column.addWidget(top, 1)
        return tab

    # --- construction -------------------------------------------------------------------
    def _build_header(self) -> QHBoxLayout:
        config = self.config
        header = QHBoxLayout()
        names = QVBoxLayout()
        names.addWidget(text_label(config.name_en, 17, bold=True))
        names.addWidget(text_label(config.name_zh, 15, colour=Colours.accent.name()))
        header.addLayout(names, 1)
        doors = f"doors {config.doors_open:%H:%M} · " if config.doors_open else ""
        facts = text_label(
            f"{config.date:%a %d %b %Y} · {doors}{config.start:%H:%M}–{config.end:%H:%M}\n"
            f"{config.venue_en} / {config.venue_zh} · capacity {config.capacity}",
            11,
            colour=Colours.muted.name(),
        )
        facts.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        right = QVBoxLayout()
        right.setSpacing(0)
        right.addWidget(facts)
        # the memory line sits under the event's facts, not beside the tabs: there the eight
        # tabs did not fit a 1366 px laptop ("Viewer's vote" hidden behind scroll arrows)
        self.memory.label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        status = QHBoxLayout()  # memory and the GUI thread's worst stall share one line
        status.setSpacing(12)
        status.addStretch(1)
        status.addWidget(self.stall_probe.label)
        status.addWidget(self.memory.label)
        right.addLayout(status)
        header.addLayout(right)
        checklist = QPushButton("Checklist · 檢查清單  [K]")
        checklist.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        checklist.setToolTip("Before the doors: projector, sound, disk, films, seal, server, clock")
        checklist.clicked.connect(self.open_checklist)
        header.addWidget(checklist)
        if self.programme.demo:
            badge = text_label(" DEMO ", 11, bold=True)
            badge.setStyleSheet(
                f"background:{Colours.accent.name()}; color:#000; border-radius:4px; padding:4px;"
            )
            header.addWidget(badge)
        return header

    def _build_toolbar(self) -> QWidget:
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 6, 0, 6)
        self.summary = text_label("", 11, rich=True)  # numbers and times only
        row.addWidget(self.summary, 1)
        self.progress = ProgressStrip("Preflight %v/%m")
        self.progress.setMinimumWidth(220)
        self.progress.hide()
        row.addWidget(self.progress)
        self.preflight_button = QPushButton("Run preflight  [F5]")
        self.preflight_button.setToolTip(
            "Decode every film, measure loudness, check subtitles "
            "and stills, and the total running time."
        )
        self.preflight_button.clicked.connect(self.start_preflight)
        row.addWidget(self.preflight_button)
        self.run_sheet_button = QPushButton("Run sheet (PDF) · 流程表")
        self.run_sheet_button.setToolTip(
            "Print the night on two A4 pages for the booth: run order, times, gains, notes."
        )
        self.run_sheet_button.clicked.connect(self._run_sheet_clicked)
        row.addWidget(self.run_sheet_button)
        return bar

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(44)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("Title / 片名"), QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COLUMNS.index("Preflight"), QHeaderView.ResizeMode.Interactive)
        # narrow, so the title keeps room on a 1366 px laptop (a finding's whole text is in the
        # cell's tooltip and the details panel)
        header.resizeSection(COLUMNS.index("Preflight"), PREFLIGHT_COLUMN_PX)
        table.selectionModel().selectionChanged.connect(self._selection_changed)
        return table

    # --- behaviour ------------------------------------------------------------------------
    def load_checks(self) -> None:
        """Show the stored preflight results (from the last run, by anyone)."""
        checks = self.night.film_checks()
        self.model.set_checks(checks)
        if self.show_panel is not None:
            self.show_panel.run_model.set_checks(checks)
        if self.media is not None:
            self.media.forget()
        self.refresh_media()
        self._update_summary()

    def refresh_media(self) -> None:
        """Flag, in the programme and the run order, films whose file is not the one measured
        (the files are looked at on a worker: a stat can wait on a busy disk)."""
        if self.media is None or self._media_looking:
            return
        self._media_looking = True
        media, films = self.media, [film.id for film in self.programme]
        self.tasks.run(
            lambda: {film_id: media.verdict(film_id) for film_id in films},
            self._media_looked,
            self._media_look_failed,
        )

    def _media_look_failed(self, error: BaseException) -> None:
        self._media_looking = False
        log.warning("the film files could not be looked at: %s", error)

    def _media_looked(self, verdicts: dict[str, MediaVerdict]) -> None:
        self._media_looking = False
        self.model.set_media(verdicts)
        if self.show_panel is not None:
            self.show_panel.run_model.set_media(verdicts)

    def recheck_film(self, film_id: str) -> None:
        """Preflight one film again on a worker thread (F6), e.g. after its file was replaced."""
        self.messages.info(f"Checking {film_id} again…")
        self.tasks.run(
            self.open_event.recheck_film,
            self._recheck_done,
            lambda error: self.messages.error(f"{film_id} could not be checked: {error}"),
            film_id,
        )

    def _recheck_done(self, check: FilmCheck) -> None:
        self.load_checks()
        if check.ok:
            self.messages.info(
                f"{check.film_id} checked again: ready, plays at {check.gain_db or 0:+.1f} dB"
            )
        else:
            self.messages.error(f"{check.film_id}: {'; '.join(check.problems)}")

    def _update_summary(self) -> None:
        checks = self.model.checks
        schedule = check_schedule(
            self.programme,
            self.config,
            {k: c.duration_s for k, c in checks.items()},
        )
        total = len(self.programme)
        ready = sum(1 for c in checks.values() if c.ok)
        blocked = sum(1 for c in checks.values() if not c.ok)
        unchecked = total - len(checks)
        state = f"<b style='color:{Colours.ok.name()}'>{ready} ready</b>"
        if blocked:
            state += f" · <b style='color:{Colours.bad.name()}'>{blocked} blocked</b>"
        if unchecked:
            state += f" · <span style='color:{Colours.muted.name()}'>{unchecked} unchecked</span>"
        end = planned_end(self.config, schedule.total_s)  # the Show tab's computation too
        end_colour = Colours.bad.name() if end.late else Colours.text.name()
        self.summary.setText(
            f"{total} films · {state} · running time {format_duration(schedule.total_s)} · "
            f"<span style='color:{end_colour}'>{end.describe()}</span>"
        )

    def start_preflight(self) -> None:
        """Run preflight on a worker thread, with a progress bar."""
        if self._preflight_running:
            return
        self._preflight_running = True
        self.preflight_button.setEnabled(False)
        self.progress.setRange(0, len(self.programme))
        self.progress.setValue(0)
        self.progress.show()
        self.messages.info("Preflight started")
        tasks = self.tasks

        def progress(done: int, total: int, film_id: str) -> None:  # worker thread
            tasks.to_main(lambda: self.progress.setValue(done))

        tasks.run(
            self.open_event.run_preflight, self._preflight_done, self._preflight_failed, progress
        )

    def _preflight_finished(self) -> None:
        self._preflight_running = False
        self.preflight_button.setEnabled(True)
        self.progress.hide()

    def _preflight_done(self, report: PreflightReport) -> None:
        self._preflight_finished()
        self.load_checks()
        self.night.refresh_music()  # the music's gains as preflight measured them now
        blocked = [c for c in report.checks if not c.ok]
        for check in blocked:
            self.messages.error(f"{check.film_id}: {'; '.join(check.problems)}")
        if blocked:
            self.messages.error(f"Preflight: {len(blocked)} film(s) would stop the show")
        else:
            self.messages.info(
                f"Preflight: all {len(report.checks)} films ready. {report.schedule.describe()}"
            )
        self._selection_changed()

    def _preflight_failed(self, error: BaseException) -> None:
        self._preflight_finished()
        self.messages.error(f"Preflight could not run: {error}")

    def _selection_changed(self, *_: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        film = self.model.film_at(rows[0].row()) if rows else None
        self.details.show_film(film, self.model)

    def _append_message(self, level: Level, at: str, text: str) -> None:
        colour = {Level.INFO: Colours.text, Level.WARNING: Colours.warn, Level.ERROR: Colours.bad}[
            level
        ].name()
        self.log_view.appendHtml(
            f"<span style='color:{Colours.muted.name()}'>{at}</span> "
            f"<span style='color:{colour}'>{html.escape(text)}</span>"
        )

    @property
    def exit_code(self) -> int:
        """The app's exit status once the window closed (KEEP_PROJECTOR_DARK: closed during
        the show, the supervisor keeps the projector black)."""
        return self.close_guard.exit_code

    def _record_stall(self, stall: Stall) -> None:
        """A stall over 100 ms is an incident of the night: journalled (by the ordered
        writer: no wait here), so the show report lists it."""
        self.night.runner.record(STALL_JOURNAL_KIND, stall.journal_data())

    def closeEvent(self, event: QCloseEvent) -> None:
        """During the show ask first (see CloseGuard); then let a running preflight finish
        writing, stop the show, close the projector window."""
        if not self.close_guard.may_close():
            event.ignore()
            return
        if self.show_panel is not None:
            self.show_panel.stop()
        self.memory.stop()
        self.stall_probe.stop()
        self.tasks.wait(timeout=30)
        if self._tone is not None:
            self._tone.close()
        self.night.close()
        self.closed.emit()
        super().closeEvent(event)
