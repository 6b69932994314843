"""The console's Awards tab: open the sealed results and step the reveal with GO.

Before the reveal it says what is sealed (awards, keyholders; never a winner) and offers to
open it; a reveal interrupted by a crash is offered again at the same step. During the reveal
it shows, in large type, the award and the step on the projector now and the ones the next GO
brings (the category is never in doubt), the whole list of steps, and a live preview. It never
names a film: the winner is seen on the projector preview only once it is on the projector.

What it knows of the seal and of an interrupted reveal is read on the tab's own reader worker
(``reveal-reader``): checking the seal reads its file and the journal, which must never hold up
the GUI thread that times the show's cuts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.awards import JuryResults, RevealScreen, RevealSnapshot, RevealStep
from kiosk.night.reveal import RevealController
from kiosk.night.reveal_launcher import SealStatus
from kiosk.ui.common.messages import MessageBus
from kiosk.ui.common.serial_worker import SerialWorker
from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.common.theme import Colours, text_label, ui_font
from kiosk.ui.console.keymap import REVEAL, KeyMap
from kiosk.ui.console.passphrase_dialog import PassphraseDialog

log = logging.getLogger(__name__)


class RevealLauncher(Protocol):
    """Opens the seal and builds the reveal (kiosk.night.reveal_launcher in the app).

    Everything but :meth:`build` reads files or the database: the panel calls it on a worker.
    """

    def status(self) -> SealStatus:
        """The seal, as far as it can be checked without a passphrase (worker thread)."""
        ...

    def interrupted_at(self) -> RevealStep | None:
        """The step an interrupted reveal reached (from the journal), or None (worker thread)."""
        ...

    def open_results(self, passphrases: list[str]) -> JuryResults:
        """Decrypt the results (slow: runs on a worker thread); raises with a plain message."""
        ...

    def build(self, results: JuryResults) -> RevealController:
        """A started reveal on the opened results (resumed under black if interrupted)."""
        ...


@dataclass(frozen=True)
class SealReading:
    """What the reader worker found: the seal's status and the step of an interrupted reveal."""

    status: SealStatus
    interrupted: RevealStep | None


def read_seal(launcher: RevealLauncher) -> SealReading:
    """Check the seal and the journal (on the reader worker: both wait on the disk)."""
    return SealReading(launcher.status(), launcher.interrupted_at())


@dataclass(frozen=True)
class RevealKey:
    """One reveal action: its name, button text, keys and what it does."""

    name: str
    text: str
    keys: tuple[str, ...]


REVEAL_KEYS = (
    RevealKey("go", "GO · 下一步", ("Space",)),
    RevealKey("back", "Back · 上一步", ("B", "Left")),
    RevealKey("fade", "Fade to black", ("Esc",)),
    RevealKey("black", "Black now", ("Shift+Esc",)),
    RevealKey("holding", "Holding slide", ("H",)),
)


def _panel() -> QFrame:
    frame = QFrame()
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    frame.setStyleSheet(f"QFrame {{ background: {Colours.panel.name()}; border-radius: 6px; }}")
    return frame


class RevealPanel(QWidget):
    """The Awards tab."""

    def __init__(
        self,
        launcher: RevealLauncher,
        tasks: TaskRunner,
        messages: MessageBus,
        *,
        preview_factory: Callable[[RevealController], QWidget] | None = None,
        on_active: Callable[[bool], None] | None = None,
        on_interrupted: Callable[[RevealStep], None] | None = None,
    ) -> None:
        """``on_interrupted``: told once, when the first reading finds an interrupted reveal."""
        super().__init__()
        self.launcher = launcher
        self.tasks = tasks
        self.messages = messages
        self.controller: RevealController | None = None
        self._preview_factory = preview_factory
        self._on_active = on_active
        self._on_interrupted = on_interrupted
        self.reader: SerialWorker[RevealLauncher] = SerialWorker(
            lambda: launcher, name="reveal-reader", parent=self
        )
        self._readings = 0  # asked for and not yet answered
        self._first_reading = True
        self._starting = False  # F8 pressed: the seal is being read before the dialog opens
        self.buttons: dict[str, QPushButton] = {}
        self.dialog: PassphraseDialog | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self._build_seal_box())
        self.now_box, self.next_box = self._build_now_next()
        steps_row = QHBoxLayout()
        steps_row.setSpacing(10)
        steps_row.addWidget(self.now_box, 3)
        # the preview has a column of its own: under the step list it left a laptop about
        # three steps (issue #23 item 4); the list now has the row's whole height
        self.side = QVBoxLayout()
        self.side.setSpacing(4)
        self.side.addWidget(text_label("Projector / 投影", 9, colour=Colours.muted.name()))
        self.side.addStretch(1)
        steps_row.addLayout(self.side)
        self.steps = QListWidget()
        self.steps.setFont(ui_font(10))
        self.steps.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.steps.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.steps.setWordWrap(True)  # a long step wraps: never cut at the right
        self.steps.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        steps_column = QVBoxLayout()
        steps_column.setSpacing(4)
        steps_column.addWidget(text_label("Steps / 步驟", 9, colour=Colours.muted.name()))
        steps_column.addWidget(self.steps, 1)
        steps_row.addLayout(steps_column, 2)
        layout.addLayout(steps_row, 1)
        layout.addWidget(self.next_box)
        layout.addWidget(self._build_buttons())
        self.refresh_status()
        self.refresh()

    # Building ----------------------------------------------------------------------------

    def _build_seal_box(self) -> QFrame:
        box = _panel()
        row = QHBoxLayout(box)
        row.setContentsMargins(12, 8, 12, 8)
        column = QVBoxLayout()
        column.addWidget(text_label("Awards · 頒獎", 16, bold=True))
        self.seal_text = text_label(
            "Checking the seal… · 正在檢查封存結果…", 10, colour=Colours.muted.name()
        )
        self.seal_text.setWordWrap(True)
        column.addWidget(self.seal_text)
        self.interrupted_text = text_label("", 11, bold=True, colour=Colours.warn.name())
        self.interrupted_text.setWordWrap(True)
        self.interrupted_text.hide()
        column.addWidget(self.interrupted_text)
        row.addLayout(column, 1)
        self.start_button = QPushButton("Open results and start the reveal…   [F8]")
        self.start_button.setFont(ui_font(12, bold=True))
        self.start_button.setMinimumHeight(48)
        self.start_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.start_button.clicked.connect(self.start)
        row.addWidget(self.start_button)
        self.end_button = QPushButton("End the reveal   [Ctrl+Shift+End]")
        self.end_button.setFont(ui_font(10))
        self.end_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.end_button.clicked.connect(self.end)
        row.addWidget(self.end_button)
        return box

    def _build_now_next(self) -> tuple[QFrame, QFrame]:
        now = _panel()
        column = QVBoxLayout(now)
        column.setContentsMargins(16, 10, 16, 12)
        column.addWidget(
            text_label(
                "ON THE PROJECTOR NOW · 現正投影", 10, bold=True, colour=Colours.muted.name()
            )
        )
        self.now_award = text_label("", 30, bold=True, colour=Colours.accent.name())
        self.now_award.setWordWrap(True)
        self.now_step = text_label("", 20, bold=True)
        self.now_step.setWordWrap(True)
        self.now_where = text_label("", 11, colour=Colours.muted.name())
        for widget in (self.now_award, self.now_step, self.now_where):
            column.addWidget(widget)
        column.addStretch(1)

        following = _panel()
        row = QHBoxLayout(following)
        row.setContentsMargins(16, 8, 16, 8)
        row.addWidget(text_label("NEXT GO · 下一步", 11, bold=True, colour=Colours.muted.name()))
        self.next_award = text_label("", 18, bold=True, colour=Colours.accent.name())
        self.next_step = text_label("", 16, bold=True)
        self.next_warning = text_label("", 12, bold=True, colour=Colours.warn.name())
        row.addWidget(self.next_award)
        row.addWidget(self.next_step)
        row.addStretch(1)
        row.addWidget(self.next_warning)
        return now, following

    def _build_buttons(self) -> QWidget:
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        for key in REVEAL_KEYS:
            shown = " / ".join("␣ Space" if s == "Space" else s for s in key.keys)
            button = QPushButton(f"{key.text}   [{shown}]")
            big = key.name == "go"
            button.setFont(ui_font(16 if big else 11, bold=True))
            button.setMinimumHeight(64 if big else 44)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(partial(self.trigger, key.name))
            row.addWidget(button, 3 if big else 1)
            self.buttons[key.name] = button
        self.buttons["go"].setStyleSheet(
            f"QPushButton {{ background: {Colours.ok.darker(160).name()}; }}"
        )
        return bar

    def register_keys(self, keymap: KeyMap) -> None:
        """What the console's commands do while the reveal has the projector (the key map
        routes by the night's key mode: the show's GO, back and black keys step the reveal)."""
        for name in ("go", "back", "fade", "black", "holding"):
            keymap.handle(name, partial(self._key, name), REVEAL)
        keymap.handle("skip", partial(self._key, "go"), REVEAL)  # skip = the next step
        keymap.handle("end_reveal", self._end_key, REVEAL)
        keymap.handle("open_reveal", self._open_key)

    def _key(self, name: str) -> str | None:
        if not self.trigger(name):
            return "no reveal running"
        return self.now_step.text() or None

    def _end_key(self) -> None:
        self.end()

    def _open_key(self) -> None:
        self.start()

    # Actions -----------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        """True while a reveal runs (the show's keys then step the reveal)."""
        return self.controller is not None and self.controller.running

    def trigger(self, name: str) -> bool:
        """Carry out reveal action `name`; False if no reveal runs."""
        controller = self.controller
        if controller is None or not controller.running:
            return False
        action = {
            "go": controller.go,
            "back": controller.back,
            "fade": controller.fade_to_black,
            "black": controller.cut_to_black,
            "holding": controller.toggle_holding,
        }[name]
        log.debug("reveal key: %s", name)
        action()
        return True

    @property
    def busy(self) -> bool:
        """Whether a reading of the seal is on its way (tests wait on it)."""
        return self._readings > 0

    def stop(self) -> None:
        """The console is closing: the reader finishes what it was asked, then stops."""
        self.reader.shutdown()

    def start(self) -> None:
        """Read the seal (on the reader), then ask for the passphrase(s), open the results and
        start (or resume) the reveal."""
        if self.active or self._starting or self.dialog is not None:
            return
        self._starting = True
        self._read(self._start_with)

    def _start_with(self, reading: SealReading) -> None:
        self._starting = False
        if self.active or self.dialog is not None:
            return
        status = reading.status
        if status.problem is not None:
            self.messages.error(f"The reveal cannot start: {status.problem}")
            return
        intro = ""
        if reading.interrupted is not None:
            intro = f"The reveal continues at step {reading.interrupted.index + 1}. "
        self.dialog = PassphraseDialog(
            status.keyholders, self.launcher.open_results, self.tasks, self, intro=intro
        )
        self.dialog.accepted.connect(self._opened)
        self.dialog.rejected.connect(self._dialog_closed)
        self.dialog.open()

    def _dialog_closed(self) -> None:
        self.dialog = None

    def _opened(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is None or not isinstance(dialog.result_value, JuryResults):
            return
        results: JuryResults = dialog.result_value
        dialog.result_value = None
        try:
            controller = self.launcher.build(results)
        except Exception as exc:  # e.g. the programme changed since sealing
            log.exception("the reveal could not be built")
            self.messages.error(f"The reveal cannot start: {exc}")
            return
        self.attach(controller)
        self.window().activateWindow()  # the keys go back to the console, not the dialog
        self.messages.info("Results opened; the award reveal is running (GO steps it)")

    def attach(self, controller: RevealController) -> None:
        """Show a started reveal (the launcher built it)."""
        self.controller = controller
        controller.changed.connect(self.refresh)
        controller.refused.connect(lambda _a, reason: self.messages.info(f"Reveal: {reason}"))
        self.steps.clear()
        for step in controller.machine.plan:
            item = QListWidgetItem(f"{step.index + 1:>2}   {step.describe()}")
            self.steps.addItem(item)
        if self._preview_factory is not None:
            self.preview = self._preview_factory(controller)
            self.side.insertWidget(1, self.preview)
        if self._on_active is not None:
            self._on_active(True)
        self.refresh()

    def end(self) -> None:
        """Stop the reveal and give the projector back to the show."""
        controller = self.controller
        if controller is None:
            return
        controller.finish()
        if self._on_active is not None:
            self._on_active(False)
        self.messages.info("The award reveal was closed; the show has the projector again")
        self.refresh()

    # Redraw ------------------------------------------------------------------------------

    def refresh_status(self) -> None:
        """Re-read (on the reader worker) what is sealed and whether a reveal was interrupted."""
        self._read(lambda _reading: None)

    def _read(self, then: Callable[[SealReading], None]) -> None:
        """Read the seal on the worker; show it, then ``then(reading)`` on the GUI thread."""
        self._readings += 1
        self.reader.submit(read_seal, partial(self._answered, then), self._read_failed)

    def _read_failed(self, exc: BaseException) -> None:
        self._readings -= 1
        self._starting = False
        log.error("the seal could not be read: %s", exc)
        self.seal_text.setText(f"The seal could not be read: {exc}")
        self.seal_text.setStyleSheet(f"color: {Colours.bad.name()};")

    def _answered(self, then: Callable[[SealReading], None], reading: SealReading) -> None:
        self._readings -= 1
        self._show_status(reading)
        first, self._first_reading = self._first_reading, False
        if first and reading.interrupted is not None and self._on_interrupted is not None:
            self._on_interrupted(reading.interrupted)
        then(reading)

    def _show_status(self, reading: SealReading) -> None:
        status, interrupted = reading.status, reading.interrupted
        colour = Colours.muted if status.problem is None else Colours.bad
        self.seal_text.setText(status.problem or status.text)
        self.seal_text.setStyleSheet(f"color: {colour.name()};")
        if interrupted is not None and not self.active:
            self.interrupted_text.setText(
                f"The reveal was interrupted at step {interrupted.index + 1}: "
                f"{interrupted.describe()}. Open the results again to continue there "
                "(the projector stays black until GO)."
            )
            self.interrupted_text.show()
        else:
            self.interrupted_text.hide()
        self.start_button.setEnabled(status.problem is None)

    def refresh(self) -> None:
        """Redraw from the reveal's snapshot."""
        active = self.active
        self.start_button.setVisible(not active)
        self.end_button.setVisible(active)
        for button in self.buttons.values():
            button.setEnabled(active)
        if not active or self.controller is None:
            self.now_award.setText("Not started · 未開始")
            self.now_step.setText("")
            self.now_where.setText("The show keeps the projector until the reveal starts.")
            self.next_award.setText("")
            self.next_step.setText("")
            self.next_warning.setText("")
            return
        self.interrupted_text.hide()
        snap = self.controller.snapshot()
        self._refresh_now(snap)
        self._refresh_next(snap)
        for row in range(self.steps.count()):
            item = self.steps.item(row)
            current = snap.current is not None and row == snap.current.index
            item.setForeground(Colours.accent if current else Colours.text)
            font = ui_font(10, bold=current)
            item.setFont(font)
            item.setBackground(Colours.selection if current else Colours.panel)
        if snap.current is not None:
            self.steps.scrollToItem(self.steps.item(snap.current.index))

    def _refresh_now(self, snap: RevealSnapshot) -> None:
        step = snap.current
        if step is None:
            self.now_award.setText("Ready · 準備就緒")
            self.now_step.setText("The show's picture stays up until the first GO")
            self.now_where.setText(f"{snap.step_count} steps")
            return
        self.now_award.setText(_award_text(step))
        screen = {
            RevealScreen.BLACK: "   — BLACK on the projector (GO brings it back)",
            RevealScreen.HOLDING: "   — HOLDING SLIDE on the projector (GO brings it back)",
        }.get(snap.screen, "")
        en, zh = step.kind.label
        clip = "   ▶ clip playing" if snap.clip_playing else ""
        self.now_step.setText(f"{en} · {zh}{screen}{clip}")
        where = f"Step {step.index + 1} of {snap.step_count}"
        if step.award is not None:
            where += f"   ·   Award {step.award_number} of {step.award_count}"
        self.now_where.setText(where)

    def _refresh_next(self, snap: RevealSnapshot) -> None:
        step = snap.next
        if step is None:
            self.next_award.setText("—")
            self.next_step.setText("The reveal is over · 頒獎完畢")
            self.next_warning.setText("")
            return
        self.next_award.setText(_award_text(step))
        en, zh = step.kind.label
        self.next_step.setText(f"{en} · {zh}")
        current = snap.current
        new_award = step.award is not None and (current is None or current.award != step.award)
        self.next_warning.setText("NEW AWARD · 新獎項" if new_award else "")


def _award_text(step: RevealStep) -> str:
    if step.award is None:
        return "The Awards · 頒獎典禮"
    return f"{step.award.name_en} · {step.award.name_zh}"
