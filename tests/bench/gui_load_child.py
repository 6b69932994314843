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
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.core.show import CueKind
from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application, open_console

PROBE_MS = 5
DRIVE_MS = 100
EXPORT_EVERY_S = 6.0
CUTS_AFTER_LOAD = 4  # cuts measured once every load has finished
MAX_RUN_S = float(os.environ.get("GUI_LOAD_MAX_RUN", "240"))  # then it gives up on the load
EVENT_OVER_MS = 8.0  # an event whose own time is longer is kept, with its receiver
ACTIVATE = os.environ.get("GUI_LOAD_ACTIVATE", "1") == "1"  # the operator clicks the console


def say(text: str) -> None:
    print(text, flush=True)


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
            kind, to = _type(event), _name(receiver)
            name = f"{kind} {to}"
            totals = self.cpu.setdefault(name, [0, 0.0])
            totals[0] += 1
            totals[1] += own_cpu_ms
            if own_ms > EVENT_OVER_MS:
                at = time.monotonic() - took - self.origin
                self.slow.append((at, took * 1000, own_ms, own_cpu_ms, kind, to))


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

    def start(self) -> None:
        self.probe.start()
        self.driver.start()

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
        if previous is CueKind.FILM and cue.kind is CueKind.CARD and self.film_due is not None:
            self._cut("film>card", now, self.film_due)
        elif previous is CueKind.CARD and cue.kind is CueKind.FILM and self.card_due:
            self._cut("card>film", now, self.card_due)
        if cue.kind is CueKind.CARD:  # due when the machine's own countdown runs out
            self.card_due = now + (self.show.snapshot().countdown_s or self.card_s)
        if cue.kind is CueKind.FILM:
            self.film_due = None

    def _cut(self, kind: str, now: float, due: float) -> None:
        self.cuts.append(
            {
                "kind": kind,
                "t": now - self.started,
                "late_ms": (now - due) * 1000,
                "loaded": self.load_started_at is not None,
            }
        )
        say(f"CUT {kind} {self.cuts[-1]['late_ms']:.1f} ms")

    # --- driving ----------------------------------------------------------------------------
    def _drive(self) -> None:
        now = time.monotonic()
        self._follow_active_window(now)
        snap = self.show.snapshot()
        if (snap.waiting_for_go or snap.alert is not None) and now - self.pressed_at > 1.0:
            self.pressed_at = now
            self.show.go() if snap.alert is None else self.show.skip()
        if self.load_started_at is None and snap.cue.kind is CueKind.FILM:
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
        }
        say("RESULT " + json.dumps(result))
        # closing the console during a show asks first (a dialog nobody answers here): the
        # figures are out, the event folder is thrown away, so the process simply ends
        os._exit(0)


def main(event_dir: str, loads: str, export_csv: str, out_dir: str) -> int:
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
