"""The console's Show tab: GO and the other show keys, now/next, the show clock, sound, run order.

Every action has a key, printed on its button; the buttons never take keyboard focus, so Space is
always GO and never "press the focused button".
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSizePolicy,
    QSlider,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.clock import now_in
from kiosk.core.media_identity import MediaState
from kiosk.core.night_end import night_end
from kiosk.core.programme import format_duration
from kiosk.core.show import CueKind, ShowPhase, Snapshot
from kiosk.media.audio_level import master_db
from kiosk.night.night import Night
from kiosk.night.projector import Slide
from kiosk.night.show import ShowController
from kiosk.ui.common.after_paints import AfterPaints
from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.common.theme import Colours, set_style, text_label, ui_font
from kiosk.ui.console.film_progress import FilmProgress
from kiosk.ui.console.jump_dialog import ChooseJump, ask_jump
from kiosk.ui.console.keymap import KeyMap, binding
from kiosk.ui.console.music_box import MusicBox
from kiosk.ui.console.run_order_model import RUN_COLUMNS, STATE_TEXTS, RunOrderModel
from kiosk.ui.console.stage_preview import StagePreview

log = logging.getLogger(__name__)

REFRESH_MS = 100
GO_FEEDBACK_MS = 1800

PHASE_STYLE = {
    ShowPhase.HOLDING: ("HOLDING · 等候", "#5b6270"),
    ShowPhase.CARD: ("TITLE CARD · 片名卡", "#8a6a1c"),
    ShowPhase.FILM: ("PLAYING · 放映中", "#2f7d3b"),
    ShowPhase.PAUSED: ("PAUSED · 暫停", "#a07d10"),
    ShowPhase.BLACK: ("BLACK · 黑幕", "#000000"),
    ShowPhase.INTERMISSION: ("INTERMISSION · 中場", "#2d5a8a"),
    ShowPhase.FAILED: ("FILM FAILED · 播放失敗", "#b3261e"),
    ShowPhase.ENDED: ("ENDED · 完場", "#5b6270"),
}

# what the projector shows when it is not what the show's own phase says (the slides put up by
# hand, the award reveal): the badge always names what the audience sees
SLIDE_STYLE = {
    Slide.DIFFICULTIES: ("DIFFICULTIES SLIDE · 技術問題畫面", "#b3261e"),
    Slide.VOTING: ("VOTING SLIDE · 投票畫面", "#6a3d9a"),
}
REVEAL_STYLE = ("AWARD REVEAL · 頒獎 (Awards tab)", "#8a6a1c")


# the control grid's buttons for keys whose full name (the log's, the tooltip's) is long
SHORT_LABELS = {
    "difficulties": "⚠ Difficulties slide",
    "jump": "Jump to film…",
    "outputs": "Screen and sound…",
}
GRID_COLUMNS = 5
SOUND_WIDTH = 350  # px: the sound box beside now/next
GRID_BUTTONS = (
    "pause", "fade", "black", "back", "skip",
    "rewind", "forward", "difficulties", "jump", "outputs",
)  # fmt: skip


def key_caption(shown: str) -> str:
    """The key as a button prints it: `[M]`; a bracket key is named, not bracketed (`[[]`
    read as garbled)."""
    return f"(key {shown})" if any(bracket in shown for bracket in "[]") else f"[{shown}]"


def clock(seconds: float | None) -> str:
    """`m:ss` or `h:mm:ss`; a dash when unknown."""
    if seconds is None:
        return "—"
    return format_duration(max(0.0, seconds))


def _panel() -> QFrame:
    frame = QFrame()
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    frame.setStyleSheet(f"QFrame {{ background: {Colours.panel.name()}; border-radius: 6px; }}")
    return frame


class ShowPanel(QWidget):
    """The projectionist's controls for the running show."""

    def __init__(
        self,
        night: Night,
        tasks: TaskRunner,
        keymap: KeyMap,
        on_start_over: Callable[[], None] | None = None,
        on_recheck: Callable[[str], None] | None = None,
        *,
        choose_jump: ChooseJump | None = None,
    ) -> None:
        super().__init__()
        if night.show is None:
            raise ValueError("the show panel needs a running show")
        controller: ShowController = night.show
        self.night = night
        self.controller = controller
        self.config = config = night.config
        self._on_start_over = on_start_over
        self._choose_jump = choose_jump or ask_jump
        self._on_recheck = on_recheck  # preflight one film's file again (F6)
        self._go_feedback_until = 0.0
        self.buttons: dict[str, QPushButton] = {}
        self.keymap = keymap
        self._register_keys(keymap)
        self.music_box = MusicBox(night, keymap)  # its buttons on the side, its line in sight

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(6)
        self.resume_banner = self._build_resume_banner()
        layout.addWidget(self.resume_banner)
        self.alert = self._build_alert()
        layout.addWidget(self.alert)
        # the next film's file is not the one preflight measured (or would not preload): said
        # across the whole tab, before its title card is up
        self.next_media = text_label("", 11, bold=True, colour="#ffffff")
        self.next_media.setWordWrap(True)
        self.next_media.setStyleSheet(
            f"background: {Colours.bad.name()}; border-radius: 6px; padding: 6px 10px;"
        )
        self.next_media.hide()
        layout.addWidget(self.next_media)

        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(self._build_now(), 1)
        # sound sits beside now/next in the top row, not under the run order: there it was
        # scrolled out of sight on a 1366x768 laptop with a banner up
        top.addWidget(self._build_sound(), 0, Qt.AlignmentFlag.AlignTop)
        self.preview = StagePreview(controller, tasks)
        preview_box = QVBoxLayout()
        preview_box.setSpacing(2)
        preview_box.addWidget(text_label("Projector / 投影", 9, colour=Colours.muted.name()))
        preview_box.addWidget(self.preview)
        preview_box.addStretch(1)
        top.addLayout(preview_box)
        layout.addLayout(top)
        layout.addWidget(self._build_buttons())

        bottom = QHBoxLayout()
        bottom.setSpacing(10)
        self.run_model = RunOrderModel(controller.programme, config)
        self.run_table = self._build_run_table()
        bottom.addWidget(self.run_table, 3)
        side = self._build_side()
        # the side column never scrolls or clips: the run order gives up rows instead
        side.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        bottom.addWidget(side, 2)
        layout.addLayout(bottom, 1)

        # the show's changes are redrawn after the stage's picture (the cut's paint) is out
        self._after_cut = AfterPaints(self.refresh, self)
        controller.changed.connect(self._after_cut.request)
        controller.ignored.connect(self._ignored)
        night.show_replaced.connect(self.set_controller)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    # Keys --------------------------------------------------------------------------------
    def _register_keys(self, keymap: KeyMap) -> None:
        """What the show's commands do (the key map routes the keys and logs each action)."""

        def c() -> ShowController:  # always the current show (Start over replaces it)
            return self.controller

        actions: dict[str, Callable[[], str | None]] = {
            "go": lambda: self._did(c().go),
            "pause": lambda: self._did(c().toggle_pause),
            "fade": lambda: self._did(c().fade_to_black),
            "black": lambda: self._did(c().cut_to_black),
            "back": lambda: self._did(c().back),
            "skip": lambda: self._did(c().skip),
            "rewind": lambda: self._did(lambda: c().seek_by(-10)),
            "forward": lambda: self._did(lambda: c().seek_by(10)),
            "retry": lambda: self._did(c().retry),
            "mute": self._toggle_mute,
            "volume_down": lambda: self._volume_by(-5),
            "volume_up": lambda: self._volume_by(5),
            "trim_down": lambda: self._trim_by(-0.5),
            "trim_up": lambda: self._trim_by(0.5),
            "jump": self._jump,
            "difficulties": self._difficulties,
            "recheck": self._recheck,
            "start_over": self._start_over,
        }
        for name, action in actions.items():
            keymap.handle(name, action)

    def trigger(self, name: str) -> bool:
        """Carry out the console command `name` as its key would (routed by the key mode)."""
        return self.keymap.press(name)

    def _did(self, action: Callable[[], None]) -> str:
        """Carry out a show action; what the show is doing now, for the log."""
        action()
        snap = self.controller.snapshot()
        text, _ = PHASE_STYLE[snap.phase]
        where = snap.cue.label
        if snap.film_elapsed_s is not None:
            where += f" at {clock(snap.film_elapsed_s)}"
        return f"{where} — {text}"

    def _toggle_mute(self) -> str:
        self.controller.toggle_mute()
        return "muted" if self.controller.players.muted else "unmuted"

    def _difficulties(self) -> str:
        up = self.night.toggle_difficulties()
        return "slide up (the show is held)" if up else "slide down (still black: GO lifts it)"

    def _jump(self) -> str | None:
        snap = self.controller.snapshot()
        target = self._choose_jump(self, self.controller.programme, snap)
        if target is None:
            return "cancelled"
        try:
            cue = self.night.jump_cue(target)
        except KeyError:
            return f"no film {target}"
        before = snap.cue.label
        self.controller.jump_to(cue)
        return f"from {before} to {self.controller.snapshot().cue.label}"

    def _button(self, name: str, *, size: float = 11, height: int = 40) -> QPushButton:
        key = binding(name)
        label = SHORT_LABELS.get(name, key.label)
        button = QPushButton(f"{label}   {key_caption(key.shown())}")
        button.setFont(ui_font(size, bold=True))
        button.setMinimumHeight(height)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setToolTip(key.label)
        button.clicked.connect(partial(self.trigger, name))
        self.buttons[name] = button
        return button

    # Construction ------------------------------------------------------------------------
    def _build_resume_banner(self) -> QFrame:
        frame = QFrame()
        frame.setStyleSheet("QFrame { background: #2d3f5c; border-radius: 6px; }")
        row = QHBoxLayout(frame)
        row.setContentsMargins(10, 6, 10, 6)
        self.resume_text = text_label("", 11, bold=True)
        self.resume_text.setWordWrap(True)
        row.addWidget(self.resume_text, 1)
        row.addWidget(self._button("start_over", size=10, height=30))
        frame.hide()
        return frame

    def _build_alert(self) -> QFrame:
        frame = QFrame()
        frame.setStyleSheet(f"QFrame {{ background: {Colours.bad.name()}; border-radius: 6px; }}")
        row = QHBoxLayout(frame)
        row.setContentsMargins(10, 6, 10, 6)
        self.alert_text = text_label("", 12, bold=True, colour="#fff")
        self.alert_text.setWordWrap(True)
        row.addWidget(self.alert_text, 1)
        self.alert_retry = self._button("retry", height=34)
        self.alert_skip = QPushButton(f"Skip   {key_caption(binding('skip').shown())}")
        self.alert_skip.setFont(ui_font(11, bold=True))
        self.alert_skip.setMinimumHeight(34)
        self.alert_skip.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.alert_skip.clicked.connect(partial(self.trigger, "skip"))
        row.addWidget(self.alert_retry)
        row.addWidget(self.alert_skip)
        frame.hide()
        return frame

    def _build_now(self) -> QFrame:
        frame = _panel()
        grid = QGridLayout(frame)
        grid.setContentsMargins(14, 8, 14, 6)
        grid.setVerticalSpacing(2)
        self.phase_label = text_label("", 11, bold=True, colour="#fff")
        self.phase_label.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.now_title = text_label("", 16, bold=True)
        self.now_title_zh = text_label("", 13, colour=Colours.accent.name())
        for label in (self.now_title, self.now_title_zh):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.elapsed = text_label("—", 26, bold=True)
        self.remaining = text_label("—", 26, bold=True, colour=Colours.accent.name())
        self.remaining.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.progress = FilmProgress()
        self.go_feedback = text_label("", 10, bold=True, colour=Colours.warn.name())
        grid.addWidget(self.phase_label, 0, 0)
        grid.addWidget(self.go_feedback, 0, 1, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.now_title, 1, 0, 1, 2)
        grid.addWidget(self.now_title_zh, 2, 0, 1, 2)
        grid.addWidget(self.elapsed, 3, 0)
        grid.addWidget(self.remaining, 3, 1)
        grid.addWidget(self.progress, 4, 0, 1, 2)
        captions = QHBoxLayout()
        captions.addWidget(text_label("elapsed · 已播", 9, colour=Colours.muted.name()))
        captions.addStretch(1)
        captions.addWidget(text_label("remaining · 餘下", 9, colour=Colours.muted.name()))
        grid.addLayout(captions, 5, 0, 1, 2)
        grid.addWidget(self.music_box.status, 6, 0, 1, 2)
        return frame

    def _build_buttons(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        go = self._button("go", size=20, height=56)
        go.setMinimumWidth(220)
        self._go_style = (
            "QPushButton { background: #2f7d3b; color: white; border-radius: 8px; }"
            "QPushButton:pressed { background: #3fa14d; }"
        )
        go.setStyleSheet(self._go_style)
        row.addWidget(go)
        grid = QGridLayout()
        grid.setSpacing(6)
        for index, name in enumerate(GRID_BUTTONS):
            button = self._button(name, size=10, height=29)
            grid.addWidget(button, index // GRID_COLUMNS, index % GRID_COLUMNS)
        self.buttons["black"].setStyleSheet("QPushButton { background: #000; color: #fff; }")
        row.addLayout(grid, 1)
        return box

    def _build_run_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.run_model)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(26)
        header = table.horizontalHeader()
        # sized when the rows change, not on every change of a film's state: ResizeToContents
        # asked every cell again at each cut, on the GUI thread, right after the cut
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(
            RUN_COLUMNS.index("Title / 片名"), QHeaderView.ResizeMode.Stretch
        )
        self.run_model.modelReset.connect(lambda: self._fit_run_columns(table))
        self._fit_run_columns(table)
        return table

    def _fit_run_columns(self, table: QTableView) -> None:
        """Number, start and length to their contents; the state to its widest possible text
        (in bold, as the current row shows it)."""
        table.resizeColumnsToContents()
        bold = QFont(table.font())
        bold.setBold(True)
        widest = max(QFontMetrics(bold).horizontalAdvance(text) for text in STATE_TEXTS)
        header = table.horizontalHeader()
        state = RUN_COLUMNS.index("State")
        header.resizeSection(state, max(header.sectionSizeHint(state), widest + 16))

    def _build_side(self) -> QWidget:
        side = QWidget()
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)

        info = _panel()
        info_layout = QVBoxLayout(info)
        info_layout.setContentsMargins(12, 6, 12, 6)
        info_layout.setSpacing(2)
        info_layout.addWidget(text_label("Next · 下一項", 9, colour=Colours.muted.name()))
        self.next_label = text_label("", 11, bold=True)
        self.next_label.setWordWrap(True)
        info_layout.addWidget(self.next_label)

        info_layout.addSpacing(2)
        self.show_clock = text_label("", 10, rich=True)  # times only
        self.show_clock.setTextFormat(Qt.TextFormat.RichText)
        info_layout.addWidget(self.show_clock)
        column.addWidget(info)
        column.addWidget(self.music_box)
        column.addStretch(1)
        return side

    def _build_sound(self) -> QFrame:
        sound_box = _panel()
        sound_box.setFixedWidth(SOUND_WIDTH)
        sound = QGridLayout(sound_box)
        sound.setContentsMargins(10, 6, 10, 6)
        sound.setVerticalSpacing(4)
        sound.addWidget(text_label("Sound · 音量", 9, colour=Colours.muted.name()), 0, 0, 1, 4)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.volume.setValue(round(self.controller.players.master_volume))
        self.volume.sliderReleased.connect(self._volume_released)
        self.volume_label = text_label("", 9)
        self.volume_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        sound.addWidget(self._button("volume_down", size=9, height=26), 1, 0)
        sound.addWidget(self.volume, 1, 1)
        sound.addWidget(self._button("volume_up", size=9, height=26), 1, 2)
        sound.addWidget(self._button("mute", size=9, height=26), 1, 3)
        self.trim = QDoubleSpinBox()
        self.trim.setRange(-12.0, 12.0)
        self.trim.setSingleStep(0.5)
        self.trim.setSuffix(" dB")
        self.trim.setMinimumHeight(26)
        self.trim.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.trim.valueChanged.connect(self._trim_changed)
        sound.addWidget(self._button("trim_down", size=9, height=26), 2, 0)
        sound.addWidget(self.trim, 2, 1)
        sound.addWidget(self._button("trim_up", size=9, height=26), 2, 2)
        sound.addWidget(self.volume_label, 2, 3)
        self.gain_label = text_label("", 9, colour=Colours.muted.name())
        self.gain_label.setWordWrap(True)
        sound.addWidget(self.gain_label, 3, 0, 1, 4)
        return sound_box

    # Behaviour ---------------------------------------------------------------------------
    def set_controller(self, controller: ShowController) -> None:
        """Drive a new show (the night replaced it: Start over)."""
        if controller is self.controller:
            return
        self.controller.changed.disconnect(self._after_cut.request)
        self.controller.ignored.disconnect(self._ignored)
        self.controller = controller
        self.preview.controller = controller
        controller.changed.connect(self._after_cut.request)
        controller.ignored.connect(self._ignored)
        self.resume_banner.hide()
        self.refresh()

    def offer_resume(self, text: str) -> None:
        """Tell the operator the show was restored after an interruption."""
        self.resume_text.setText(text)
        self.resume_banner.show()

    def _recheck(self) -> None:
        film = self._trim_film()
        if film is not None and self._on_recheck is not None:
            self._on_recheck(film)

    def _start_over(self) -> None:
        if self._on_start_over is not None:
            self._on_start_over()

    def _volume_by(self, step: int) -> str:
        value = max(0, min(100, round(self.controller.players.master_volume) + step))
        self.volume.setValue(value)
        self.controller.set_master_volume(value)
        return f"master {value} %"

    def _volume_released(self) -> None:
        self.controller.set_master_volume(self.volume.value())
        if self.night.messages is not None:
            self.night.messages.info(f"Volume (slider): master {self.volume.value()} %")

    def _trim_by(self, step: float) -> str:
        self.trim.setValue(self.trim.value() + step)
        film = self._trim_film()
        return f"{film}: trim {self.trim.value():+.1f} dB" if film else "no film to trim"

    def _trim_changed(self, value: float) -> None:
        film = self._trim_film()
        if film is not None and abs(self.controller.players.trim_of(film) - value) > 1e-6:
            self.controller.set_trim(film, value)

    def _trim_film(self) -> str | None:
        """The film the trim applies to: the current film, else the next one."""
        snap = self.controller.snapshot()
        if snap.cue.film is not None:
            return snap.cue.film.id
        if snap.next_cue is not None and snap.next_cue.film is not None:
            return snap.next_cue.film.id
        return None

    def _ignored(self, action: str, reason: str) -> None:
        if action != "go":
            self.go_feedback.setText(f"{action}: {reason}")
        else:
            self.go_feedback.setText(f"GO ignored — {reason}")
            self.buttons["go"].setStyleSheet(
                "QPushButton { background: #a07d10; color: white; border-radius: 8px; }"
            )
        self._go_feedback_until = time.monotonic() + GO_FEEDBACK_MS / 1000

    def refresh(self) -> None:
        """Redraw from the show's snapshot (10 times a second and after every action)."""
        snap = self.controller.snapshot()
        now = self.controller.now()
        text, colour = PHASE_STYLE[snap.phase]
        if snap.waiting_for_go and snap.phase in (ShowPhase.HOLDING, ShowPhase.INTERMISSION):
            text += "  — press GO"
        projector = self.night.projector
        slide = projector.slide()
        if projector.with_reveal:
            text, colour = REVEAL_STYLE
        elif slide is not None:
            text, colour = SLIDE_STYLE[slide]  # the audience sees the slide, not the show's cue
        self.phase_label.setText(f" {text} ")
        set_style(
            self.phase_label,
            f"background: {colour}; color: #fff; border-radius: 4px; padding: 2px 6px;",
        )
        slide_label = "⚠ Take the slide down" if slide is Slide.DIFFICULTIES else None
        self.buttons["difficulties"].setText(
            f"{slide_label or SHORT_LABELS['difficulties']}   "
            f"{key_caption(binding('difficulties').shown())}"
        )
        self._refresh_now(snap)
        self._refresh_resume_banner(snap)
        self._refresh_alert(snap)
        self._refresh_next(snap)
        self._refresh_clock(snap, now)
        self._refresh_sound()
        self.run_model.update(snap, slide)
        if self._go_feedback_until and time.monotonic() > self._go_feedback_until:
            self._go_feedback_until = 0.0
            self.go_feedback.setText("")
            self.buttons["go"].setStyleSheet(self._go_style)

    def _refresh_now(self, snap: Snapshot) -> None:
        cue = snap.cue
        film = cue.film
        if film is not None:
            prefix = "Title card · " if cue.kind is CueKind.CARD else ""
            self.now_title.setText(f"{prefix}{film.position}. {film.title_en}")
            self.now_title_zh.setText(f"{film.title_zh} — {film.director}")
        elif cue.kind is CueKind.INTERMISSION and self.controller.programme.intermission:
            pause = self.controller.programme.intermission
            self.now_title.setText(pause.title_en)
            self.now_title_zh.setText(pause.title_zh)
        else:
            names = {
                CueKind.HOLDING: ("Holding slide", "等候畫面"),
                CueKind.END: ("End of the show", "完場"),
            }
            en, zh = names.get(cue.kind, (cue.label, ""))
            self.now_title.setText(en)
            self.now_title_zh.setText(zh)
        if snap.film_elapsed_s is not None and snap.film_remaining_s is not None:
            total = snap.film_elapsed_s + snap.film_remaining_s
            self.elapsed.setText(clock(snap.film_elapsed_s))
            self.remaining.setText("−" + clock(snap.film_remaining_s))
            self.progress.set_fraction(snap.film_elapsed_s / total if total else 0.0)
        elif snap.countdown_s is not None:
            self.elapsed.setText("")
            self.remaining.setText("−" + clock(snap.countdown_s))
            length = cue.seconds or 1
            self.progress.set_fraction(1 - snap.countdown_s / length)
        else:
            self.elapsed.setText("—")
            self.remaining.setText("")
            self.progress.set_fraction(0.0)

    def _refresh_resume_banner(self, snap: Snapshot) -> None:
        """The "restored" banner is for the held moment after a restart: once GO lets the show
        run (or it reaches its end) it goes, so it never sits over the running night."""
        if self.resume_banner.isHidden():
            return
        if snap.cue.kind is CueKind.END or snap.phase not in (ShowPhase.PAUSED, ShowPhase.BLACK):
            self.resume_banner.hide()

    def _refresh_alert(self, snap: Snapshot) -> None:
        alert = snap.alert
        if alert is None:
            self.alert.hide()
            return
        self.alert_text.setText(
            f"Film {alert.film_id} failed: {alert.reason}. The projector is black. "
            "Retry plays it again from where it stopped; Skip moves on."
        )
        self.alert.show()

    def _refresh_media(self, snap: Snapshot) -> None:
        """Flag the next film (or the one on a title card) if its file is not the one measured."""
        film = self._trim_film()
        media = self.controller.media
        # as last looked at (every 2 s, off this thread): a stat here 10 times a second waited
        # on the disk while an import's commits kept it busy
        verdict = media.known_verdict(film) if media is not None and film is not None else None
        failure = self.controller.preload_failures.get(film) if film is not None else None
        if failure is not None and snap.alert is None:
            self.next_media.setText(
                f"⚠ {film} could not be preloaded: {failure}. It is tried again at its turn "
                "(Skip passes it) · 預載失敗"
            )
            self.next_media.show()
            return
        if verdict is None or verdict.state not in (MediaState.CHANGED, MediaState.MISSING):
            self.next_media.hide()
            return
        self.next_media.setText(
            f"⚠ Next film {film}: {verdict.reason}. It would play at 0 dB, not its measured "
            "gain. Press F6 to check it again · 下一部影片的檔案已變更，請按 F6 重新檢查"
        )
        self.next_media.show()

    def _refresh_next(self, snap: Snapshot) -> None:
        self._refresh_media(snap)
        cue = snap.next_cue
        if cue is None:
            self.next_label.setText("Nothing: this is the end of the night.")
            return
        if cue.film is not None:
            kind = "Title card, then film" if cue.kind is CueKind.CARD else "Film"
            self.next_label.setText(
                f"{kind} {cue.film.position}. {cue.film.title_en}\n{cue.film.title_zh}"
                f"  ({clock(cue.film.declared_runtime_s)})"
            )
        else:
            self.next_label.setText(cue.label)

    def _refresh_clock(self, snap: Snapshot, now: float) -> None:
        wall = now_in(self.config.zone)  # the event's clock, not the laptop's

        def on_the_wall(moment: float | None) -> dt.datetime | None:
            return None if moment is None else wall - dt.timedelta(seconds=now - moment)

        end = night_end(
            self.config,
            now=wall,
            left_s=max(0.0, snap.projected_end - now),
            started_at=on_the_wall(snap.started_at),
            ended_at=on_the_wall(snap.ended_at),
        )
        colour = Colours.bad.name() if end.late else Colours.ok.name()
        self.show_clock.setText(
            f"<span style='color:{Colours.muted.name()}'>Show clock · 節目時間</span> "
            f"elapsed <b>{clock(snap.show_elapsed_s)}</b> · "
            f"remaining <b>{clock(snap.projected_end - now)}</b><br>"
            f"ends <b style='color:{colour}'>{end.projected:%H:%M}</b> "
            f"(<span style='color:{colour}'>{end.context()}</span>)"
        )

    def _refresh_sound(self) -> None:
        players = self.controller.players
        muted = players.muted
        self.volume_label.setText(
            f"<b style='color:{Colours.bad.name()}'>MUTED</b>"
            if muted
            else f"master {players.master_volume:.0f} %"
        )
        self.buttons["mute"].setText("Unmute   [M]" if muted else "Mute   [M]")
        if not self.volume.isSliderDown():
            self.volume.setValue(round(players.master_volume))
        film = self._trim_film()
        self.trim.setEnabled(film is not None)
        if film is None:
            self.gain_label.setText("")
            return
        trim = players.trim_of(film)
        if abs(self.trim.value() - trim) > 1e-6 and not self.trim.hasFocus():
            self.trim.blockSignals(True)
            self.trim.setValue(trim)
            self.trim.blockSignals(False)
        measured = players.gain_of(film) - trim
        level = players.level_of(film)
        limited = " (libvlc cannot give more)" if level.limited else ""
        self.gain_label.setText(
            f"{film}: preflight {measured:+.1f} dB, trim {trim:+.1f} dB "
            f"→ plays at {level.gain_db:+.1f} dB{limited}; "
            f"master {master_db(players.master_volume):+.1f} dB"
        )

    def stop(self) -> None:
        """Stop refreshing (the window is closing)."""
        self._timer.stop()
        self.preview.stop()
