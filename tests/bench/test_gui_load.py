"""Benchmark: does anything the console does for the doors, the vote or the office delay a cut?

The real console (`gui_load_child.py`: `open_console` under Xvfb, a 1366x768 console monitor
beside a 1920x1080 projector, openbox, libvlc's own video output, audio to libvlc's dummy)
runs a show of 6 s films with 8 s title cards, GO pressed whenever it waits, while in turn and
then together:

* `import`: a 200,000-row registration export through the Registrations view (preview, Import);
* `address`: the server's and the vote page's recorded address never answers (a loopback
  listener whose backlog is full: connects hang until their timeout);
* `doors`: four busy doors (`door_traffic_child.py`, 4 scans + 4 undos a second each) writing
  the same event database from another process, at nice 10: on the night these writes come
  from the door laptops through the event server, which runs at nice 10;
* `export`: the Report tab open and Export PDF every 6 s;
* `ballots`: 700 phones vote through the real vote server (`main.py vote serve` on 127.0.0.1,
  POST /check then /vote each, spread over 24 s) while the Viewer's vote tab is on screen; the
  phones' threads run at nice 10 (on the night the phones are not on the laptop: only the
  server, at nice 10, works for them there).

For each run it prints the GUI thread's p99 and max lateness (a 5 ms probe timer; "outside
the cuts" leaves out 250 ms around each cut, the cut's own redraw), each cut's lateness against
libvlc's events, and how long the import took. `GUI_LOAD_BEFORE=<commit>` also runs the same
child on that commit's code (exported with `git archive` into a temporary folder) side by side;
`GUI_LOAD_RUNS=baseline,import,...` chooses the runs. The machine's load average is printed
with the figures (on a shared machine they are noisy). Figures only (`make bench`).
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.vote import display_vote_code, vote_code
from kiosk.media.generate import ClipSpec, render_clip
from kiosk.services.child_process import CHILD_NICE, niced
from kiosk.services.vote_address import remember_vote_address
from kiosk.store.database import transaction
from kiosk.store.event_folder import EventFolder
from kiosk.store.stations import StationRegistry
from tests.bench.commit_tree import commit_tree
from tests.bench.process_cpu import ProcessCpu
from tests.conftest import film_toml
from tests.doors_helpers import Person, seed_people
from tests.results_helpers import KDF_N, PASSPHRASE, sealed_results
from tests.vote_helpers import open_vote
from tests.vote_server import vote_server
from tests.xvfb import Monitor, qt_env, xvfb_display

pytestmark = [pytest.mark.vlc, pytest.mark.ffmpeg, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CHILD = ROOT / "tests" / "bench" / "gui_load_child.py"
DOORS_CHILD = ROOT / "tests" / "bench" / "door_traffic_child.py"
CONSOLE = Monitor("CONSOLE", 1366, 768)
PROJECTOR = Monitor("PROJECTOR", 1920, 1080, 1366)
FILM_S, CARD_S, FILMS = 6.0, 8, 24
IMPORT_ROWS = int(os.environ.get("GUI_LOAD_ROWS", "200000"))
CHILD_TIMEOUT_S = float(os.environ.get("GUI_LOAD_TIMEOUT", "400"))
SEEDED = 700
DOOR_RATE = 4.0  # scans a second at each of four doors
CUT_WINDOW_S = 0.25  # the cut's own redraw: left out of "outside the cuts"
BALLOTS_OVER_S = 24.0  # the 700 ballots arrive evenly over this long (the run lasts ~30 s)
PHONES = 16  # ballots in flight at once
RUNS = {
    "baseline": "",
    "import": "import",
    "address": "address",
    "doors": "doors",
    "ballots": "ballots",
    "export": "export",
    "all": "import,address,doors,ballots,export",
}
JURY = """\
[[results]]
category = "best-film"
winner = "F01"
nominees = ["F01", "F02"]
citation_en = "For a bench."
citation_zh = "為測試。"
"""
CHOSEN = [r for r in os.environ.get("GUI_LOAD_RUNS", ",".join(RUNS)).split(",") if r]
BEFORE = os.environ.get("GUI_LOAD_BEFORE", "")
VERSIONS = os.environ.get("GUI_LOAD_VERSIONS", "before,after" if BEFORE else "after").split(",")
PORT = int(os.environ.get("GUI_LOAD_PORT", "26411"))
# libvlc's video output: xcb_x11, as the figures were measured; "" = libvlc's own
# choice, which under Xvfb is its OpenGL output drawn in software by Mesa's llvmpipe (threads
# that take most of a core as a film starts: a GPU does that work on the night's laptop)
VOUT = os.environ.get("GUI_LOAD_VOUT", "xcb_x11")


@dataclass
class Outcome:
    """One run's figures."""

    version: str
    run: str
    p99_ms: float
    max_ms: float
    max_outside_ms: float
    p99_outside_ms: float
    cuts: list[dict[str, Any]]
    import_s: float | None
    progress_seen: bool
    load: str
    stalls: str = ""  # the console's own stall probe: handlers that held the GUI thread
    widgets: str = ""  # the event (type, receiver widget) behind each stall, from the timer
    cpu: str = ""  # where the GUI thread's CPU went, per event type and receiver
    no_active_window_s: float = 0.0  # the keys filter on the application that long
    gil: str = ""  # who held the interpreter lock in each stall (the child's GIL sampler)
    gil_detail: str = ""  # the worst stalls' threads, before and after the gap
    cut_detail: str = ""  # each cut: when it was decided, its effects, the handlers
    software_gl_threads: int = 0  # Mesa's llvmpipe threads in the console at the end

    def line(self) -> str:
        loaded = [c["late_ms"] for c in self.cuts if c["loaded"]]
        worst = max(loaded) if loaded else float("nan")
        cuts = " ".join(f"{c['late_ms']:.0f}" for c in self.cuts if c["loaded"])
        imported = f" import {self.import_s:.1f} s" if self.import_s else ""
        bar = " (progress bar seen)" if self.progress_seen else ""
        bar += f" no active window {self.no_active_window_s:.1f} s"
        bar += f" llvmpipe threads {self.software_gl_threads}"
        return (
            f"{self.version:<7}{self.run:<9} GUI p99 {self.p99_ms:7.1f} max {self.max_ms:8.1f} | "
            f"outside cuts p99 {self.p99_outside_ms:6.1f} max {self.max_outside_ms:8.1f} | "
            f"worst cut {worst:8.1f} ms [{cuts}]{imported}{bar} | load {self.load}"
        )


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gui-load-clip")
    spec = ClipSpec(("Bench", "測試"), FILM_S, 640, 360, colour="0x1f3a93", tone_hz=440)
    return render_clip(spec, folder / "film.mp4")


@pytest.fixture(scope="module")
def export_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gui-load-export") / "registrations.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Name,English name,Email\n")
        for n in range(SEEDED):  # the people already there stay (nobody marked gone)
            handle.write(f"測試{n:06d},Tester {n:06d},tester{n}@example.com\n")
        for n in range(IMPORT_ROWS - SEEDED):
            handle.write(f"匯入{n:06d},Imported {n:06d},imported{n}@example.org\n")
    return path


@pytest.fixture(scope="module")
def before_tree() -> Iterator[Path | None]:
    with commit_tree(BEFORE) as tree:
        yield tree


def make_event(root: Path, clip: Path) -> tuple[EventFolder, list[Person]]:
    root.mkdir(parents=True)
    (root / "event.toml").write_text(
        textwrap.dedent(
            f"""
            [event]
            name_en = "Bench Night"
            name_zh = "測試之夜"
            date = 2026-12-05
            start = 19:30:00
            end = 22:00:00
            venue_en = "Test Hall"
            venue_zh = "測試禮堂"
            capacity = 300000
            programme = "programme.toml"

            [show]
            title_card_seconds = {CARD_S}

            [[awards]]
            id = "best-film"
            name_en = "Best Film"
            name_zh = "最佳影片"

            [[awards]]
            id = "viewers"
            name_en = "Viewer's Award"
            name_zh = "觀眾獎"
            kind = "audience"
            """
        ),
        encoding="utf-8",
    )
    films = [
        film_toml(f"F{n:02d}", clip).replace('runtime = "0:02"', 'runtime = "0:06"')
        for n in range(1, FILMS + 1)
    ]
    programme = '[programme]\nname_en = "Bench"\nname_zh = "測試"\n\n' + "\n".join(films)
    (root / "programme.toml").write_text(programme, encoding="utf-8")
    folder = EventFolder(root)
    return folder, seed_people(folder, count=SEEDED)


def open_the_vote(folder: EventFolder, people: list[Person]) -> list[str]:
    """Seal a jury result (the vote's key), admit everyone, open the vote; their vote codes."""
    jury = folder.root.parent / "jury.toml"
    jury.write_text(JURY, encoding="utf-8")
    sealed_results(folder).seal_results(jury, [PASSPHRASE], kdf_n=KDF_N)
    jury.unlink()
    db = folder.open_db()
    now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    with transaction(db) as conn:
        conn.executemany(
            "INSERT INTO checkins (attendee_id, code, station, method, at) "
            "VALUES (?, ?, 'Door 1', 'scan', ?)",
            [(p.attendee_id, p.code, now) for p in people],
        )
    db.close()
    with open_vote(folder) as vote:
        vote.open_vote(120)
    key = folder.secret_key()
    return [display_vote_code(vote_code(key, p.code)) for p in people]


class Phones:
    """700 phones voting through the real vote server, spread over BALLOTS_OVER_S."""

    def __init__(self, url: str, codes: list[str]) -> None:
        self.host, port = url.removeprefix("http://").split(":")
        self.port = int(port)
        self.codes = codes
        self.accepted = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="phones")
        self.thread.start()

    def _vote(self, index: int) -> None:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            for path, body in (
                ("/check", {"code": self.codes[index]}),
                ("/vote", {"code": self.codes[index], "film": f"F{index % 3 + 1:02d}"}),
            ):
                connection.request(
                    "POST", path, json.dumps(body), {"Content-Type": "application/json"}
                )
                answer = json.loads(connection.getresponse().read())
            self.accepted += bool(answer.get("accepted"))
        finally:
            connection.close()

    def _run(self) -> None:
        started = time.monotonic()
        with ThreadPoolExecutor(PHONES, initializer=_as_another_machine) as pool:
            for index in range(len(self.codes)):
                due = started + index * BALLOTS_OVER_S / len(self.codes)
                if self.stop.wait(max(0.0, due - time.monotonic())):
                    break
                pool.submit(self._vote, index)

    def close(self) -> int:
        """Stop sending; the ballots accepted."""
        self.stop.set()
        self.thread.join(timeout=60)
        return self.accepted


def _as_another_machine() -> None:
    """This thread at the niceness the event server gives other machines' work on the night
    (Linux: a thread's own priority)."""
    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), CHILD_NICE)


def p99(samples: list[float]) -> float:
    """The 99th percentile (nan for none)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")


class DeadAddress:
    """A loopback listener whose accept queue is full: every connect hangs to its timeout."""

    def __init__(self, port: int) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(0)
        self.fillers = []
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            self.fillers.append(filler)

    def close(self) -> None:
        for filler in self.fillers:
            filler.close()
        self.listener.close()


def run_once(
    display: str, version: str, tree: Path, run: str, clip: Path, export: Path, work: Path
) -> Outcome:
    loads = RUNS[run]
    folder, people = make_event(work / f"{version}-{run}" / "event", clip)
    codes = open_the_vote(folder, people) if "ballots" in loads else []
    dead = None
    phones: Phones | None = None
    if "address" in loads:
        dead = DeadAddress(PORT)
        remember_vote_address(folder, "127.0.0.1", PORT)
        db = folder.open_db()
        StationRegistry(db).remember_address("127.0.0.1", PORT)
        db.close()
    env = qt_env(display, KIOSK_VLC_AOUT="dummy", PYTHONPATH=str(tree))
    if VOUT:
        env["KIOSK_VLC_VOUT"] = VOUT
    env.pop("KIOSK_VOTE_URL", None)
    out = work / f"{version}-{run}" / "out"
    out.mkdir()
    cpu = ProcessCpu(os.getpid())  # who had the cores in each stall
    cpu.start()
    with contextlib.ExitStack() as stack:
        stack.callback(cpu.stop)
        if codes:
            url = stack.enter_context(vote_server(folder))
            phones = Phones(url, codes)
            stack.callback(phones.close)
        output = run_child(env, tree, folder, loads, export, out, dead)
    ballots = f" ballots {phones.accepted}" if phones is not None else ""
    return outcome_of(version, run, output, ballots, cpu)


def run_child(
    env: dict[str, str],
    tree: Path,
    folder: EventFolder,
    loads: str,
    export: Path,
    out: Path,
    dead: DeadAddress | None,
) -> str:
    """The console child under the loads (and the doors' traffic); its output."""
    doors = None
    try:
        if "doors" in loads:
            doors = subprocess.Popen(  # the server's writes for four door laptops: nice 10
                niced([sys.executable, str(DOORS_CHILD), str(folder.root), str(DOOR_RATE)]),
                env={**os.environ, "PYTHONPATH": str(tree)},
                cwd=tree,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        # no result within the time: the GUI thread never came back (a figure too)
        with (out / "child.log").open("w") as log, contextlib.suppress(subprocess.TimeoutExpired):
            subprocess.run(
                [sys.executable, str(CHILD), str(folder.root), loads, str(export), str(out)],
                env=env,
                cwd=tree,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=CHILD_TIMEOUT_S,
                check=False,
            )
        return (out / "child.log").read_text()
    finally:
        if doors is not None:
            doors.communicate("", timeout=30)
        if dead is not None:
            dead.close()


def outcome_of(
    version: str, run: str, output: str, ballots: str, cpu: ProcessCpu | None = None
) -> Outcome:
    """One run's figures from the child's output (`cpu`: who had the cores meanwhile)."""
    result_lines = [line for line in output.splitlines() if line.startswith("RESULT ")]
    if not result_lines:
        print(output[-2000:])
        load = os.getloadavg()
        nan = float("nan")
        frozen = f"frozen: no result within {CHILD_TIMEOUT_S:.0f} s"
        return Outcome(
            version, run, nan, nan, nan, nan, [], None, False, f"{load[0]:.1f} {frozen}{ballots}"
        )
    # raw_decode: a child on an older tree printed its line in two writes, and libvdpau's
    # message from a libvlc thread could land between the JSON and its newline
    result, _ = json.JSONDecoder().raw_decode(result_lines[-1][len("RESULT ") :])
    start = result["load_started_t"]
    samples = [(t, late) for t, late in result["samples"] if t >= start]
    cut_times = [c["t"] for c in result["cuts"]]
    outside = [late for t, late in samples if all(abs(t - ct) > CUT_WINDOW_S for ct in cut_times)]
    lateness = [late for _, late in samples]
    load = os.getloadavg()
    origin = result.get("origin")  # the child's start on the monotonic clock
    names = {int(tid): name for tid, name in result.get("threads", {}).items()}
    cores = None
    if cpu is not None and origin is not None:

        def cores(begun: float, end: float) -> list[str]:
            window = (origin + begun, origin + end)
            return [f"the cores: {cpu.share(*window)}", *cpu.threads(*window, names)]

    return Outcome(
        version,
        run,
        p99(lateness),
        max(lateness, default=float("nan")),
        max(outside, default=float("nan")),
        p99(outside),
        result["cuts"],
        result["import_seconds"],
        result["import_progress_seen"],
        f"{load[0]:.1f} {load[1]:.1f}{ballots}",
        stall_handlers(output),
        stall_widgets(samples, result.get("slow_events", [])),
        cpu_by_event(result.get("event_cpu", {})),
        result.get("no_active_window_s", 0.0),
        *gil_holders(samples, result.get("gil", {}), cores, cpu.cost() if cpu else ""),
        cut_details(result["cuts"]),
        result.get("software_gl_threads", 0),
    )


STALL_LINE = re.compile(r"GUI thread held (\d+) ms by (.*)$")
TIMER_FRAME = re.compile(r"^(gui_load_child\.py:\d+ notify( → )?)+")  # the bench's event timer
TIMER_INSIDE = re.compile(r" → gui_load_child\.py:\d+ notify$")  # a window painting, no Python
NO_PYTHON = "Qt itself"


def stall_handlers(output: str, shown: int = 4) -> str:
    """The handlers the console's stall probe named (> 50 ms), the most often first:
    `count× handler (max ms)`."""
    seen: dict[str, list[int]] = {}
    for line in output.splitlines():
        match = STALL_LINE.search(line)
        if match:
            handler = TIMER_FRAME.sub("", match.group(2).strip()) or NO_PYTHON
            handler = TIMER_INSIDE.sub(" (Qt)", handler)
            seen.setdefault(handler, []).append(int(match.group(1)))
    ranked = sorted(seen.items(), key=lambda item: (-len(item[1]), -max(item[1])))
    return "; ".join(f"{len(ms)}x {name} (max {max(ms)})" for name, ms in ranked[:shown])


PROBE_S = 0.005  # the child's probe interval
STALL_MS = 50.0  # a stall worth naming (the console's probe logs from there too)


def stall_widgets(
    samples: list[tuple[float, float]], slow_events: list[list[Any]], shown: int = 5
) -> str:
    """Which event held the GUI thread in each stall over STALL_MS: of the slow events (`[t,
    ms, own ms, type, receiver]`, timed by the child's application) that overlap the stall,
    the one with the longest own time; `count× type receiver (max own ms, max stall ms)`,
    the most often first. A stall no slow event overlaps is the process waiting for a CPU, or
    the interpreter lock, between events."""
    seen: dict[str, list[tuple[float, float]]] = {}
    for t, late in samples:
        if late <= STALL_MS:
            continue
        begun = t - late / 1000 - PROBE_S
        overlapping = [e for e in slow_events if e[0] < t and e[0] + e[1] / 1000 > begun]
        if overlapping:
            event = max(overlapping, key=lambda e: e[2])
            name, own = f"{event[4]} {event[5]} (CPU {event[3]:.0f})", event[2]
        else:
            name, own = "no slow event (between events: CPU or interpreter lock)", 0.0
        seen.setdefault(name, []).append((own, late))
    ranked = sorted(seen.items(), key=lambda item: (-len(item[1]), -max(item[1])[1]))
    return "; ".join(
        f"{len(hits)}x {name} (own {max(o for o, _ in hits):.0f}, "
        f"stall {max(late for _, late in hits):.0f})"
        for name, hits in ranked[:shown]
    )


MOST = 0.5  # a share of a stall (or of the sampler's gap) that names what it was
OFF_CPU = "the lock held by a thread itself off the CPU"


def stall_kind(late: float, cpu: float, wait: float, gap: dict[str, Any] | None) -> str:
    """What a GUI stall of `late` ms was, given the GUI thread's CPU and wait for a core in
    it and the sampler's longest gap overlapping it (None: the lock was free)."""
    if cpu >= MOST * late:
        return "the GUI thread ran (its own CPU)"
    if wait >= MOST * late:
        return "the GUI thread waited for a core"
    if gap is None:
        return "the GUI thread blocked, the lock free (window system, Qt)"
    if gap.get("sampler_wait_ms", 0.0) >= MOST * gap["late_ms"]:
        return "the process waited for a core"
    top = gap["threads"][0] if gap["threads"] else None
    if top is None or top["cpu_ms"] < MOST * gap["late_ms"]:
        return OFF_CPU
    frames = (top["after"] or top["before"]).split(" → ")[-2:]
    one_call = " (one C call)" if top["same"] else ""
    return f"the lock held by {top['name']} {' → '.join(frames)}{one_call}"


def gil_holders(
    samples: list[tuple[float, float]],
    gil: dict[str, Any],
    cores: Callable[[float, float], list[str]] | None = None,
    cores_cost: str = "",
    shown: int = 5,
    detailed: int = 3,
) -> tuple[str, str]:
    """What each GUI stall over STALL_MS was, from the child's GIL sampler (`gui`: the GUI
    thread's CPU and wait for a core at each look; `gaps`: the sampler's late wake-ups with
    every thread's CPU and frames; `cores(start, end)`: the processes' CPU over a window of the
    child's clock, and the console's threads seen from outside): the GUI thread running (its
    CPU), waiting for a core, or
    blocked; blocked while the sampler could not get the interpreter lock either, the thread
    that ran through that gap holds it (`(one C call)` when its line did not move); blocked
    with the lock free, something outside Python (the window system, a lock of Qt's). Returns
    `count× what (max stall)`, the most often first, and the worst stalls in full."""
    if not gil:
        return "", ""
    gui, gaps = gil.get("gui", []), gil.get("gaps", [])
    times = [look[0] for look in gui]
    seen: dict[str, list[float]] = {}
    worst: list[Stall] = []
    worst_window: dict[float, float] = {}  # a stall's end: its beginning
    for t, late in samples:
        if late <= STALL_MS:
            continue
        begun = t - late / 1000 - PROBE_S
        first = max(0, bisect.bisect_right(times, begun) - 1)
        last = min(len(gui) - 1, bisect.bisect_left(times, t))
        cpu = gui[last][1] - gui[first][1] if gui else 0.0
        wait = gui[last][2] - gui[first][2] if gui else 0.0
        overlapping = [g for g in gaps if g["t"] > begun and g["t"] - g["late_ms"] / 1000 < t]
        gap = max(overlapping, key=lambda g: g["late_ms"]) if overlapping else None
        name = stall_kind(late, cpu, wait, gap)
        seen.setdefault(name, []).append(late)
        worst.append((late, t, f"GUI CPU {cpu:.0f}, waiting for a core {wait:.0f}: {name}", gap))
        worst_window[t] = begun
    ranked = sorted(seen.items(), key=lambda item: (-len(item[1]), -max(item[1])))
    summary = "; ".join(f"{len(ms)}x {name} (max {max(ms):.0f})" for name, ms in ranked[:shown])
    looks, cpu_s = gil.get("looks", 0), gil.get("cpu_s", 0.0)
    each_us = cpu_s / max(looks, 1) * 1e6
    lines = [f"  sampler: {looks} looks, {cpu_s * 1000:.0f} ms of CPU ({each_us:.0f} µs each)"]
    if cores_cost:
        lines.append(f"  {cores_cost}")
    for late, t, what, gap in detailed_stalls(worst, detailed):
        lines.append(f"  stall {late:.0f} ms at {t:.1f} s, {what}")
        if cores is not None:
            lines += [f"    {line}" for line in cores(worst_window[t], t)]
        if gap is None:
            continue
        lines.append(
            f"    sampler's gap {gap['late_ms']:.0f} ms "
            f"(it waited {gap.get('sampler_wait_ms', 0.0):.0f} for a core)"
        )
        off_cpu = what.endswith(OFF_CPU)  # then the holder used no CPU: every thread is shown
        for thread in gap["threads"]:
            if thread["cpu_ms"] >= 1.0 or thread["cpu_ms"] < 0 or off_cpu:
                before = thread["before"] or "(not yet running Python)"
                lines.append(
                    f"    {thread['name']} CPU {thread['cpu_ms']:.0f}: {before}"
                    + ("" if thread["same"] else f"  ==>  {thread['after']}")
                )
    return summary, "\n".join(lines)


Stall = tuple[float, float, str, dict[str, Any] | None]  # ms, t, what it was, the sampler's gap


def detailed_stalls(worst: list[Stall], detailed: int) -> list[Stall]:
    """The `detailed` worst stalls, then the `detailed` worst of each other kind (the GUI
    thread waiting for a core hides the rare kinds otherwise), in time order."""
    ranked = sorted(worst, key=lambda w: -w[0])
    chosen = ranked[:detailed]
    kinds = {what.split(": ", 1)[-1] for _, _, what, _ in chosen}
    for stall in ranked[detailed:]:
        kind = stall[2].split(": ", 1)[-1]
        if kind not in kinds and sum(1 for c in chosen if c[2].endswith(kind)) < detailed:
            chosen.append(stall)
    return sorted(chosen, key=lambda w: w[1])


def cut_details(cuts: list[dict[str, Any]]) -> str:
    """Each cut while loaded: lateness = when the batch began (against due; a film's end also
    when the show itself meant to cut) + its effects + the `changed` handlers before the
    bench's."""
    lines = []
    for cut in cuts:
        if not cut["loaded"] or "effects" not in cut:
            continue
        effects = " ".join(f"{name} {ms:.1f}" for name, ms in cut["effects"] if ms >= 0.5)
        aimed = cut.get("aimed_ms")
        aim = f" (the show aimed at {aimed:+.1f})" if aimed is not None else ""
        lines.append(
            f"  {cut['kind']:<9} at {cut['t']:6.1f} s late {cut['late_ms']:5.1f}: decided "
            f"{cut['decided_ms']:+.1f}{aim}, {effects}, handlers {cut['handlers_ms']:.1f}"
        )
        callees = cut.get("callees", [])
        called = [f"{'> ' * (depth - 1)}{name} {ms:.1f}" for depth, name, ms in callees]
        if called:
            lines.append("    called: " + "; ".join(called))
    return "\n".join(lines)


def cpu_by_event(event_cpu: dict[str, list[float]], shown: int = 8) -> str:
    """The GUI thread's CPU by event type and receiver (own time, nested events apart), the
    most first: `type receiver ms/count`."""
    ranked = sorted(event_cpu.items(), key=lambda item: -item[1][1])
    return "; ".join(f"{name} {ms:.0f} ms/{count:.0f}" for name, (count, ms) in ranked[:shown])


def test_cuts_under_office_load(
    clip: Path, export_csv: Path, before_tree: Path | None, tmp_path: Path
) -> None:
    trees = {"after": ROOT, "before": before_tree}
    versions = [(name, tree) for name, tree in ((v, trees.get(v)) for v in VERSIONS) if tree]
    outcomes = []
    with xvfb_display(
        CONSOLE.width + PROJECTOR.width, PROJECTOR.height, monitors=[CONSOLE, PROJECTOR]
    ) as display:
        for run in CHOSEN:
            for version, tree in versions:
                outcome = run_once(display, version, tree, run, clip, export_csv, tmp_path)
                print(outcome.line(), flush=True)
                outcomes.append(outcome)
    print("\n".join(["", "GUI load bench (lateness in ms):", *(o.line() for o in outcomes)]))
    print("\n".join(["", "Stalls the console's probe named (> 50 ms):"]))
    for o in outcomes:
        print(f"{o.version:<7}{o.run:<9} {o.stalls or '-'}")
    print("\n".join(["", "What held the GUI thread in each stall > 50 ms (event, receiver):"]))
    for o in outcomes:
        print(f"{o.version:<7}{o.run:<9} {o.widgets or '-'}")
    print("\n".join(["", "The GUI thread's CPU by event and receiver (own ms/events):"]))
    for o in outcomes:
        print(f"{o.version:<7}{o.run:<9} {o.cpu or '-'}")
    print("\n".join(["", "What each stall > 50 ms was (GIL sampler, kernel's CPU and wait):"]))
    for o in outcomes:
        print(f"{o.version:<7}{o.run:<9} {o.gil or '-'}")
        if o.gil_detail:
            print(o.gil_detail)
    print("\n".join(["", "Each cut (ms against due): decided, its effects, the handlers:"]))
    for o in outcomes:
        print(f"{o.version:<7}{o.run:<9}")
        if o.cut_detail:
            print(o.cut_detail)
    assert outcomes
