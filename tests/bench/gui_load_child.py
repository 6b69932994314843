"""Child process of the GUI-load benchmark: the real console running a show under office load.

Opens the real console (`open_console`, maximized, the stage fullscreen on the projector
monitor) on the event given, starts the show and presses GO whenever it waits, and measures:

* the GUI thread's lateness: a 5 ms precise timer whose every firing records how much later
  than 5 ms after the previous one it ran;
* each cut's lateness against libvlc's own events: film→card is due when the film's position,
  as libvlc reported it (stamped on libvlc's thread), reaches its length less the show's cut
  lead; card→film is due the card's seconds after the card went up. A cut happens when the
  show controller says so (its `changed` signal, emitted once the stage has been told).

Loads (a comma-separated list, started once the first film plays): `import` (a registration
export through the Registrations view: the preview dialog, then its Import button), `address`
(nothing to do here: the parent recorded an address that never answers), `export` (the Report
tab shown and Export PDF every 6 s), `ballots` (the Viewer's vote tab shown, unless the Report
tab is: the parent runs the vote server and the phones), `doors` (nothing here: the parent runs
door traffic).
Every event the application delivers is timed (`TimedApplication.notify`, nested events
inside their parent, e.g. each widget's Paint inside its window's UpdateRequest): an event whose
own time (less the events delivered inside it) is over ``EVENT_OVER_MS`` is kept as
`[start t, whole ms, own ms, own CPU ms, event type, receiver class#objectName]`, so the parent
can name the widget behind a stall the console's probe could only call "Qt itself". A Python
`notify` is a call into Python for every event, which is why this timer is the bench's and not
the product's.
The GUI thread's CPU time per event type and receiver is summed over the run (`event_cpu`).
The active window is logged whenever it changes (`ACTIVE ...`) and the time with none is counted
(the keys-between-windows filter is on the application then); with `GUI_LOAD_ACTIVATE=1` (the
default) the console is activated whenever no window is, as the operator's click does.
Prints one JSON line `RESULT {...}` and quits. Works on any version of the console that has
`open_console`, `RegistrationsView.preview_file` and `ReportView.export` (the bench runs the
code before and after a change with the same child).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.core.show import CueKind
from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application, open_console

try:
    from kiosk.core.thread_frames import current_frames
except ImportError:  # GUI_LOAD_BEFORE's code from before stop 34: the plain read
    current_frames = sys._current_frames

PROBE_MS = 5
DRIVE_MS = 100
EXPORT_EVERY_S = 6.0
CUTS_AFTER_LOAD = 4  # cuts measured once every load has finished
# the loads begin this long into the first film, clear of the cut's own redraw window
# (test_gui_load.CUT_WINDOW_S): a stall they cause is then counted "outside the cuts"
LOAD_AFTER_CUT_S = 1.0
MAX_RUN_S = float(os.environ.get("GUI_LOAD_MAX_RUN", "240"))  # then it gives up on the load
EVENT_OVER_MS = 8.0  # an event whose own time is longer is kept, with its receiver
ACTIVATE = os.environ.get("GUI_LOAD_ACTIVATE", "1") == "1"  # the operator clicks the console
GIL_EVERY_S = 0.002  # the interpreter-lock sampler wakes this often
GIL_GAP_MS = 30.0  # a wake-up later than this is kept, with what every thread was doing
GIL_SAMPLER = os.environ.get("GUI_LOAD_GIL", "1") == "1"
FRAMES_KEPT = 4  # innermost Python frames kept per thread at each look


def say(text: str) -> None:
    """One line on stdout, the text and its newline in one write (`print` makes two: a
    library writing to the same stdout from another thread, libvdpau's "Failed to open VDPAU
    backend", once landed between the result's JSON and its newline)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class TimedApplication(QApplication):
    """The application, timing every event it delivers: wall and GUI-thread CPU time, each
    less the events delivered inside it (its own time)."""

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        self.origin = time.monotonic()
        # t, whole ms, own ms, own CPU ms, type, receiver
        self.slow: list[tuple[float, float, float, float, str, str]] = []
        self.cpu: dict[str, list[float]] = {}  # "type receiver": [events, own CPU ms]
        self._nested: list[list[float]] = [[0.0, 0.0]]  # wall, CPU inside the current event

    def notify(self, receiver: QObject, event: QEvent) -> bool:
        """Deliver `event`, timed."""
        # named before delivery: a receiver may be deleted by its own event (DeferredDelete), and
        # an error raised here kept the event's wrapper alive, which shiboken later handed out
        # as the receiver of another event at the same address (`notify(QEvent, QEvent)`)
        kind, to = _type(event), _name(receiver)
        start, start_cpu = time.perf_counter(), time.thread_time()
        self._nested.append([0.0, 0.0])
        try:
            return super().notify(receiver, event)
        finally:
            took, took_cpu = time.perf_counter() - start, time.thread_time() - start_cpu
            inside, inside_cpu = self._nested.pop()
            self._nested[-1][0] += took
            self._nested[-1][1] += took_cpu
            own_ms, own_cpu_ms = (took - inside) * 1000, (took_cpu - inside_cpu) * 1000
            name = f"{kind} {to}"
            totals = self.cpu.setdefault(name, [0, 0.0])
            totals[0] += 1
            totals[1] += own_cpu_ms
            if own_ms > EVENT_OVER_MS:
                at = time.monotonic() - took - self.origin
                self.slow.append((at, took * 1000, own_ms, own_cpu_ms, kind, to))


Look = dict[int, tuple[float, float, "Frames"]]  # ident: (CPU s, run-queue wait s, frames)


class GilSampler(threading.Thread):
    """Who held the interpreter lock: a thread that wakes every ``GIL_EVERY_S`` and looks at
    every other Python thread: its innermost frames (`sys._current_frames`) and its CPU time
    (the kernel's per-thread CPU clock; for the GUI thread and itself also the time runnable
    but waiting for a core, `/proc/self/task/<tid>/schedstat`). Waking needs the interpreter
    lock, which a thread running bytecode hands over within the switch interval (5 ms) but a
    thread inside one long C call (a sort, a big `json.loads`, a regex) keeps to the end: a
    wake-up later than ``GIL_GAP_MS`` is kept with the looks before and after it. The
    sampler's own wait for a core over the gap says whether the gap was the machine's (no
    core) or the lock's; the thread that ran through it (CPU), on the same line before and
    after, is the one that held the lock. The GUI thread's CPU and wait are kept at every look
    (`gui`), so a GUI stall splits into its own CPU, its wait for a core and the rest
    (blocked: the lock, the window system)."""

    def __init__(self, origin: float) -> None:
        super().__init__(name="gil-sampler", daemon=True)
        self.origin = origin
        self.gaps: list[dict[str, Any]] = []
        self.gui: list[tuple[float, float, float]] = []  # t, GUI CPU ms, GUI wait ms
        self.looks = 0
        self.cpu_s = 0.0  # the sampler's own CPU time
        self._stopping = threading.Event()
        self._native: dict[int, int] = {}  # Python ident -> kernel thread id
        self._names: dict[int, str] = {}
        self._stats: dict[int, int] = {}  # kernel thread id -> open schedstat file

    def stop(self) -> dict[str, Any]:
        """Stop looking; the gaps, the GUI thread's timeline and the sampler's own cost."""
        self._stopping.set()
        self.join(timeout=5)
        for fd in self._stats.values():
            os.close(fd)
        return {"gaps": self.gaps, "gui": self.gui, "looks": self.looks, "cpu_s": self.cpu_s}

    def names(self) -> dict[int, str]:
        """The names of the threads seen, by kernel thread id."""
        return {native: self._names.get(i, str(i)) for i, native in self._native.items() if native}

    def run(self) -> None:
        me, gui = threading.get_ident(), threading.main_thread().ident or 0
        mine = threading.get_native_id()
        last_t, last, last_own = time.monotonic(), self._look(me, gui), self._sched(mine)
        while not self._stopping.is_set():
            time.sleep(GIL_EVERY_S)
            now = time.monotonic()  # the lock is ours again
            seen, own = self._look(me, gui), self._sched(mine)
            self.looks += 1
            cpu, wait, _ = seen.get(gui, (0.0, 0.0, ()))
            self.gui.append(
                (round(now - self.origin, 4), round(cpu * 1000, 2), round(wait * 1000, 2))
            )
            late_ms = (now - last_t - GIL_EVERY_S) * 1000
            if late_ms > GIL_GAP_MS:
                gap = self._gap(now, late_ms, last, seen)
                gap["sampler_wait_ms"] = (own[1] - last_own[1]) * 1000
                self.gaps.append(gap)
            last_t, last, last_own = now, seen, own
        self.cpu_s = time.thread_time()

    def _look(self, me: int, gui: int) -> Look:
        look: Look = {}
        for ident, frame in current_frames().items():
            if ident == gui:  # its wait for a core too
                cpu, wait = self._sched(self._native_of(ident))
                look[ident] = (cpu, wait, _innermost(frame))
            elif ident != me:
                look[ident] = (self._cpu_s(self._native_of(ident)), 0.0, _innermost(frame))
        return look

    @staticmethod
    def _cpu_s(native: int) -> float:
        if not native:
            return 0.0
        try:  # the kernel's CPU clock of one thread (a thread gone: EINVAL, never a crash)
            return time.clock_gettime((~native << 3) | 6)
        except OSError:
            return 0.0

    def _native_of(self, ident: int) -> int:
        native = self._native.get(ident)
        if native is None:
            for thread in threading.enumerate():
                if thread.ident is not None and thread.native_id is not None:
                    self._native[thread.ident] = thread.native_id
                    self._names[thread.ident] = thread.name
            native = self._native.setdefault(ident, 0)
        return native

    def _sched(self, native: int) -> tuple[float, float]:
        """A thread's CPU time and its wait for a core so far, in seconds (0, 0 if gone)."""
        if not native:
            return 0.0, 0.0
        try:
            fd = self._stats.get(native)
            if fd is None:
                fd = self._stats[native] = os.open(
                    f"/proc/self/task/{native}/schedstat", os.O_RDONLY
                )
            on_cpu, waiting, _slices = os.pread(fd, 100, 0).split()
            return int(on_cpu) / 1e9, int(waiting) / 1e9
        except (OSError, ValueError):  # the thread has ended
            fd = self._stats.pop(native, None)
            if fd is not None:
                os.close(fd)
            self._native = {i: n for i, n in self._native.items() if n != native}
            return 0.0, 0.0

    def _gap(self, now: float, late_ms: float, before: Look, after: Look) -> dict[str, Any]:
        threads: list[dict[str, Any]] = []
        for ident, (cpu_after, wait_after, frames_after) in after.items():
            cpu_before, wait_before, frames_before = before.get(ident, (cpu_after, wait_after, ()))
            threads.append(
                {
                    "name": self._names.get(ident, str(ident)),
                    "cpu_ms": (cpu_after - cpu_before) * 1000,
                    "wait_ms": (wait_after - wait_before) * 1000,
                    "same": frames_before == frames_after,
                    "before": _frames_text(frames_before),
                    "after": _frames_text(frames_after),
                }
            )
        for ident, (_cpu, _wait, frames_before) in before.items():
            if ident not in after:  # ended in the gap: what it was doing when last seen
                name = self._names.get(ident, str(ident))
                text = _frames_text(frames_before)
                threads.append(
                    {
                        "name": f"{name} (ended)",
                        "cpu_ms": -1.0,
                        "wait_ms": 0.0,
                        "same": False,
                        "before": text,
                        "after": "",
                    }
                )
        threads.sort(key=lambda t: -float(t["cpu_ms"]))
        return {"t": now - self.origin, "late_ms": late_ms, "threads": threads}


Frames = tuple[tuple[CodeType, int], ...]  # innermost first: (code, last instruction)


CUT_EFFECTS = {"CutToFilm", "PlayFilm", "ShowCard", "ShowIntermission", "ShowEnd", "Blank"}
CALLEE_DEPTH = 2  # the batch's own calls (runner, aim, each `changed` handler) and theirs


class CutCallees:
    """Times the Python calls a cut's batch makes, by name, while it runs (`sys.setprofile`
    on the GUI thread, only for a batch with a cue change in it): depth 1 is what
    `ShowController._carry_out` called itself (the effects' runner, the cut's aim, each
    `changed` handler in the order Qt calls them), depth 2 what those called. The profile
    hook is a Python call per call made, so only cut batches pay for it, both versions alike.
    """

    def __init__(self) -> None:
        self.root: FrameType | None = None
        self.open: dict[int, tuple[int, str, float]] = {}  # id(frame): depth, name, start
        self.timed: list[tuple[int, str, float]] = []  # depth, name, ms (in call order)

    def run(self, carry_out: Any, effects: Any) -> None:
        self.root, self.open, self.timed = None, {}, []
        sys.setprofile(self._hook)
        try:
            carry_out(effects)
        finally:
            sys.setprofile(None)

    def _hook(self, frame: FrameType, event: str, _arg: object) -> None:
        if event == "call":
            if self.root is None:
                if frame.f_code.co_name == "_carry_out":
                    self.root = frame
                return
            depth, up = 1, frame.f_back
            while up is not None and up is not self.root and depth <= CALLEE_DEPTH:
                depth, up = depth + 1, up.f_back
            if up is self.root and depth <= CALLEE_DEPTH:
                code = frame.f_code
                name = f"{Path(code.co_filename).stem}.{code.co_qualname}"
                self.open[id(frame)] = (depth, name, time.monotonic())
        elif event == "return" and id(frame) in self.open:
            depth, name, began = self.open.pop(id(frame))
            self.timed.append((depth, name, (time.monotonic() - began) * 1000))

    def named(self, over_ms: float = 0.5) -> list[tuple[int, str, float]]:
        """The calls that took over `over_ms`, in the order they ended."""
        return [(depth, name, ms) for depth, name, ms in self.timed if ms >= over_ms]


def _innermost(frame: FrameType | None) -> Frames:
    """The innermost frames, cheaply (their lines are worked out only for a gap)."""
    kept: list[tuple[CodeType, int]] = []
    while frame is not None and len(kept) < FRAMES_KEPT:
        kept.append((frame.f_code, frame.f_lasti))
        frame = frame.f_back
    return tuple(kept)


def _line(code: CodeType, instruction: int) -> int:
    return next(
        (line or 0 for start, end, line in code.co_lines() if start <= instruction < end),
        code.co_firstlineno,
    )


def _frames_text(frames: Frames) -> str:
    """Outermost first: `registrations_view.py:170 read → attendee_table.py:92 list_attendees`."""
    return " → ".join(
        f"{Path(code.co_filename).name}:{_line(code, lasti)} {code.co_name}"
        for code, lasti in reversed(frames)
    )


def _type(event: QEvent) -> str:
    kind = event.type()
    return kind.name if isinstance(kind, QEvent.Type) else str(int(kind))


def _name(receiver: QObject) -> str:
    name = receiver.objectName()
    named = f"{type(receiver).__name__}#{name}" if name else type(receiver).__name__
    if isinstance(receiver, QTimer):  # whose timer
        parent = receiver.parent()
        return f"{named}({type(parent).__name__})" if parent is not None else named
    return named


def thread_names(sampler: GilSampler | None) -> dict[int, str]:
    """The Python threads' names by kernel thread id (those the sampler saw end too)."""
    names = {t.native_id: t.name for t in threading.enumerate() if t.native_id is not None}
    if sampler is not None:
        names.update(sampler.names())
    return names


def software_gl_threads() -> int:
    """How many of the console's threads are Mesa's software renderer (`llvmpipe-N`) now."""
    tasks = Path("/proc/self/task")
    names = [(task / "comm").read_text().strip() for task in tasks.iterdir()]
    return sum(1 for name in names if name.startswith("llvmpipe"))


def tab_of(window: Any, class_name: str) -> QWidget:
    for index in range(window.tabs.count()):
        widget: QWidget = window.tabs.widget(index)
        if type(widget).__name__ == class_name:
            return widget
    raise LookupError(class_name)


class Bench:
    """Probe, cut clock and load driver in one (a bench, not product code)."""

    def __init__(self, window: Any, loads: set[str], export_csv: Path, out_dir: Path) -> None:
        self.window = window
        self.show = window.night.show
        self.loads = loads
        self.export_csv = export_csv
        self.out_dir = out_dir
        self.started = time.monotonic()
        self.probe_last = time.monotonic()
        self.samples: list[tuple[float, float]] = []  # (t, lateness ms)
        self.cut_lead = self.show.machine.options.cut_lead_s
        self.card_s = self.show.machine.options.title_card_seconds
        self.film_due: float | None = None  # film→card, from libvlc's positions
        self.film_length: dict[str, float] = {}
        self.cue_key = ""
        self.cue_at = time.monotonic()  # when the cue on stage began
        self.cue_kind: CueKind | None = None
        self.card_due = 0.0
        self.cuts: list[dict[str, Any]] = []
        self.load_started_at: float | None = None
        self.import_dialog: Any = None
        self.import_clicked = False
        self.import_done = "import" not in loads
        self.import_seconds: float | None = None
        self.import_progress_seen = False
        self.next_export = 0.0
        self.exports = 0
        self.pressed_at = 0.0
        self.finished = False
        self.active = "?"
        self.no_active_window_s = 0.0  # while the load ran: the keys filter on the application
        self.drove_at = time.monotonic()
        players = self.show.players
        players._vlc_event.connect(self._vlc_event, Qt.ConnectionType.DirectConnection)
        self.show.changed.connect(self._changed)
        self.probe = QTimer()
        self.probe.setTimerType(Qt.TimerType.PreciseTimer)
        self.probe.setInterval(PROBE_MS)
        self.probe.timeout.connect(self._probe)
        self.driver = QTimer()
        self.driver.setInterval(DRIVE_MS)
        self.driver.timeout.connect(self._drive)
        self.sampler = GilSampler(self.started) if GIL_SAMPLER else None
        self.batch_at = 0.0  # when the show began carrying out the latest batch of effects
        self.machine_due: float | None = None  # the show's own due time of the clock cut
        self.batch: list[tuple[str, float, float]] = []  # effect, start, end (monotonic)
        self.callees = CutCallees()
        self._time_effects()

    def start(self) -> None:
        self.probe.start()
        self.driver.start()
        if self.sampler is not None:
            self.sampler.start()

    def _time_effects(self) -> None:
        """Time the show's batches and each effect in them (instance wrappers of the
        controller's `_carry_out` and `_do`, which both versions have): a cut's lateness is
        then split into when it was decided, each effect, and the `changed` handlers."""
        show = self.show
        carry_out, do = show._carry_out, show._do

        def timed_carry_out(effects: Any) -> None:
            self.batch_at, self.batch = time.monotonic(), []
            effects = list(effects)
            if CUT_EFFECTS & {type(effect).__name__ for effect in effects}:
                self.callees.run(carry_out, effects)
            else:
                carry_out(effects)

        def timed_do(effect: Any) -> None:
            began = time.monotonic()
            try:
                do(effect)
            finally:
                self.batch.append((type(effect).__name__, began, time.monotonic()))

        show._carry_out, show._do = timed_carry_out, timed_do
        aim = getattr(show, "_aim_cut", None)
        if aim is not None:

            def noted_aim() -> None:  # the show's own idea of when the clock cut falls due
                aim()
                due = show.machine.clock_cut_at(time.monotonic())
                if due is not None:
                    self.machine_due = due

            show._aim_cut = noted_aim

    # --- measuring --------------------------------------------------------------------------
    def _probe(self) -> None:
        now = time.monotonic()
        self.samples.append((now - self.started, (now - self.probe_last) * 1000 - PROBE_MS))
        self.probe_last = now

    def _vlc_event(self, slot: str, generation: int, kind: str, value: float, at: float) -> None:
        # libvlc's thread: arithmetic only
        if kind == "length":
            self.film_length[slot] = value
        elif kind == "time" and slot == self.show.on_stage and slot in self.film_length:
            self.film_due = at + self.film_length[slot] - self.cut_lead - value

    def _changed(self) -> None:
        now = time.monotonic()
        cue = self.show.machine.cue
        if cue.key == self.cue_key:
            return
        previous = self.cue_kind
        self.cue_key, self.cue_kind = cue.key, cue.kind
        self.cue_at = now
        if previous is CueKind.FILM and cue.kind is CueKind.CARD and self.film_due is not None:
            self._cut("film>card", now, self.film_due)
        elif previous is CueKind.CARD and cue.kind is CueKind.FILM and self.card_due:
            self._cut("card>film", now, self.card_due)
        if cue.kind is CueKind.CARD:  # due when the machine's own countdown runs out
            self.card_due = now + (self.show.snapshot().countdown_s or self.card_s)
        if cue.kind is CueKind.FILM:
            self.film_due = None
        self.machine_due = None

    def _cut(self, kind: str, now: float, due: float) -> None:
        effects_end = self.batch[-1][2] if self.batch else now
        self.cuts.append(
            {
                "kind": kind,
                "t": now - self.started,
                "late_ms": (now - due) * 1000,
                "loaded": self.load_started_at is not None,
                "decided_ms": (self.batch_at - due) * 1000,  # the batch began, against due
                # the show's own due time against the bench's (film>card: libvlc's positions)
                "aimed_ms": (self.machine_due - due) * 1000
                if self.machine_due is not None and kind == "film>card"
                else None,
                "effects": [(name, (end - began) * 1000) for name, began, end in self.batch],
                "handlers_ms": (now - effects_end) * 1000,  # `changed` handlers before ours
                # what the batch called, by name (ours still running: `Bench._changed`)
                "callees": self.callees.named(),
            }
        )
        cut = self.cuts[-1]
        parts = " ".join(f"{name} {ms:.1f}" for name, ms in cut["effects"])
        say(
            f"CUT {kind} {cut['late_ms']:.1f} ms: decided {cut['decided_ms']:+.1f}, "
            f"{parts}, handlers {cut['handlers_ms']:.1f}"
        )

    # --- driving ----------------------------------------------------------------------------
    def _drive(self) -> None:
        now = time.monotonic()
        self._follow_active_window(now)
        snap = self.show.snapshot()
        if (snap.waiting_for_go or snap.alert is not None) and now - self.pressed_at > 1.0:
            self.pressed_at = now
            self.show.go() if snap.alert is None else self.show.skip()
        if (
            self.load_started_at is None
            and snap.cue.kind is CueKind.FILM
            and now - self.cue_at >= LOAD_AFTER_CUT_S
        ):
            self.load_started_at = now
            say("LOAD start")
            self._start_loads()
        if self.load_started_at is not None:
            self._keep_loads(now)
            cuts_since = sum(1 for c in self.cuts if c["t"] > self._done_t())
            if self.import_done and cuts_since >= CUTS_AFTER_LOAD:
                self._finish()
        if now - self.started > MAX_RUN_S:
            say("TIMEOUT")
            self._finish()

    def _follow_active_window(self, now: float) -> None:
        active = QApplication.activeWindow()
        name = type(active).__name__ if active is not None else "none"
        if active is None and self.load_started_at is not None:
            self.no_active_window_s += now - self.drove_at
        self.drove_at = now
        if name != self.active:
            self.active = name
            say(f"ACTIVE {name} at {time.monotonic() - self.started:.1f} s")
        modal = QApplication.activeModalWidget()
        if ACTIVATE and active is None and modal is None and self.window.isVisible():
            self.window.activateWindow()  # as the operator's click on the console does

    def _done_t(self) -> float:
        return (self.import_finished_at or 0.0) - self.started if self.import_done else 1e9

    import_finished_at: float | None = None

    def _start_loads(self) -> None:
        if "import" in self.loads:
            view: Any = tab_of(self.window, "RegistrationsView")
            self.import_began = time.monotonic()
            self.import_dialog = view.preview_file(self.export_csv)
            self.import_dialog.open()
        else:
            self.import_finished_at = time.monotonic()
        if "export" in self.loads:
            self.window.tabs.setCurrentWidget(tab_of(self.window, "ReportView"))
        elif "ballots" in self.loads:  # the turnout on screen while the phones vote
            self.window.tabs.setCurrentWidget(tab_of(self.window, "VotePanel"))

    def _keep_loads(self, now: float) -> None:
        dialog = self.import_dialog
        if dialog is not None and not self.import_done:
            progress = getattr(dialog, "progress", None)
            if progress is not None and progress.isVisible():
                self.import_progress_seen = True
            if not self.import_clicked and dialog.import_button.isEnabled():
                self.import_clicked = True
                say("IMPORT clicked")
                dialog.import_button.click()
            elif self.import_clicked and not dialog.isVisible():
                self.import_done = True
                self.import_finished_at = time.monotonic()
                self.import_seconds = self.import_finished_at - self.import_began
                say(f"IMPORT done {self.import_seconds:.1f} s")
        if "export" in self.loads and now >= self.next_export:
            self.next_export = now + EXPORT_EVERY_S
            view: Any = tab_of(self.window, "ReportView")
            self.exports += 1
            view.export(self.out_dir / f"report-{self.exports}.pdf")

    def _finish(self) -> None:
        if self.finished:
            return
        self.finished = True
        self.probe.stop()
        self.driver.stop()
        gil = self.sampler.stop() if self.sampler is not None else {}
        app = QApplication.instance()
        slow = app.slow if isinstance(app, TimedApplication) else []
        shift = app.origin - self.started if isinstance(app, TimedApplication) else 0.0
        result = {
            "samples": self.samples,
            "slow_events": [(t + shift, *rest) for t, *rest in slow],
            "event_cpu": app.cpu if isinstance(app, TimedApplication) else {},
            "cuts": self.cuts,
            "import_seconds": self.import_seconds,
            "import_progress_seen": self.import_progress_seen,
            "exports": self.exports,
            "no_active_window_s": self.no_active_window_s,
            "load_started_t": (self.load_started_at or self.started) - self.started,
            "gil": gil,
            "origin": self.started,  # the monotonic clock is the machine's: the parent's too
            "threads": thread_names(self.sampler),  # kernel thread id: Python thread's name
            "software_gl_threads": software_gl_threads(),
        }
        say("RESULT " + json.dumps(result))
        # closing the console during a show asks first (a dialog nobody answers here): the
        # figures are out, the event folder is thrown away, so the process simply ends
        os._exit(0)


def _time_collections(out: Path) -> None:
    """With ``GUI_LOAD_GC_LOG=FILE``: every garbage collection of the console's process over
    5 ms, as a JSON line (seconds since the child started, ms, generation, objects collected,
    the thread it ran on: a collection holds the interpreter lock wherever it runs)."""
    import gc

    started: list[float] = [0.0]
    origin = time.monotonic()

    def timed(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
            return
        ms = (time.perf_counter() - started[0]) * 1000
        if ms > 5:
            with out.open("a") as f:
                f.write(
                    json.dumps(
                        {
                            "t": round(time.monotonic() - origin, 2),
                            "ms": round(ms, 1),
                            "gen": info["generation"],
                            "collected": info["collected"],
                            "thread": threading.current_thread().name,
                        }
                    )
                    + "\n"
                )

    gc.callbacks.append(timed)


def main(event_dir: str, loads: str, export_csv: str, out_dir: str) -> int:
    if os.environ.get("GUI_LOAD_GC_LOG"):
        _time_collections(Path(os.environ["GUI_LOAD_GC_LOG"]))
    TimedApplication(sys.argv)
    app = make_application()
    folder = EventFolder(Path(event_dir))
    lock = folder.lock()
    lock.acquire()
    window, _reporter = open_console(folder, screen_name="PROJECTOR")
    window.showMaximized()
    bench = Bench(window, {x for x in loads.split(",") if x}, Path(export_csv), Path(out_dir))
    bench.start()
    say("READY")
    try:
        return app.exec()
    finally:
        window.close()
        lock.release()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
