"""Who had the machine's cores: the CPU time of the bench's processes over a window, from /proc.

The GUI-load bench's console shares 2 cores with Xvfb, openbox, the import child, the doors'
traffic child, the vote server and the bench itself (the phones). A GUI stall with next to no
CPU of the GUI thread in it was a wait; `ProcessCpu` says who ran meanwhile: a thread in the
bench process that every ``EVERY_S`` reads the CPU time (user + system, the kernel's clock
ticks) of every process descended from the bench (found again every ``FIND_EVERY_S``: the
import child comes and goes) and of the whole machine (`/proc/stat`: the rest is other users'
work). `share(start, end)` names each process's CPU between the looks that bracket a window
of the monotonic clock (which every process on the machine shares).

It also looks at every thread of the console from outside (a thread of the console blocked
while holding the interpreter lock stops every Python thread in there, a sampler included):
its state (running or runnable `R`, sleeping `S`, in the disk `D`), CPU ticks and the kernel
function it waits in (`wchan`: `futex_wait_queue` for a lock or a condition such as the
interpreter lock, `do_sys_poll` for an event loop, `pipe_read`, `wait_for_vfork_done`...);
`threads(start, end)` lists those that ran or waited on anything but a futex in a window.
Its own cost is counted.
"""

from __future__ import annotations

import bisect
import os
import threading
import time
from pathlib import Path

EVERY_S = 0.025
HELD_UP_S = 0.010  # a look that took longer (the sampler preempted in it) is dropped
CONSOLE = "console"
IDLE_WAITS = ("futex", "do_sys_poll", "do_select", "ep_poll", "poll_schedule", "hrtimer_nanosleep")
FIND_EVERY_S = 0.5
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")
ROLES = (  # (a part of the command line, the name printed), the first match names a process
    ("gui_load_child", "console"),
    ("import_child", "import child"),
    ("door_traffic_child", "doors"),
    ("vote", "vote server"),
    ("Xvfb", "Xvfb"),
    ("openbox", "openbox"),
    ("pytest", "bench (phones)"),
)


def role_of(pid: int) -> str:
    """What a process is in the bench, from its command line (its command name otherwise)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return str(pid)
    for part, role in ROLES:
        if part in command:
            return role
    return Path(command.split(" ", 1)[0]).name or str(pid)


def descendants(root: int) -> list[int]:
    """`root` and every process below it (`/proc/<pid>/task/<tid>/children`)."""
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                children = Path(f"/proc/{pid}/task/{tid}/children").read_text().split()
            except OSError:
                continue
            queue.extend(int(child) for child in children)
    return found


def _process_ticks(fd: int) -> int:
    """utime + stime of a process, from its open `/proc/<pid>/stat`."""
    text = os.pread(fd, 1024, 0)
    fields = text[text.rindex(b")") + 2 :].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def _thread_look(stat_fd: int, wchan_fd: int) -> tuple[str, int, str]:
    """A thread's state, CPU ticks and what it waits in."""
    text = os.pread(stat_fd, 1024, 0)
    fields = text[text.rindex(b")") + 2 :].split()
    wchan = os.pread(wchan_fd, 128, 0).decode() or "-"
    return fields[0].decode(), int(fields[11]) + int(fields[12]), wchan


def _machine_ticks(fd: int) -> int:
    """The whole machine's busy ticks (every core), from the open `/proc/stat`."""
    first = os.pread(fd, 512, 0).split(b"\n", 1)[0].split()[1:]
    values = [int(v) for v in first]
    return sum(values) - values[3] - values[4]  # less idle and iowait


class ProcessCpu(threading.Thread):
    """Samples the CPU time of `root`'s process tree and of the machine (see the module)."""

    def __init__(self, root: int) -> None:
        super().__init__(name="process-cpu", daemon=True)
        self.root = root
        self.times: list[float] = []  # monotonic
        self.ticks: list[dict[str, int]] = []  # role: ticks so far (summed over its processes)
        self.machine: list[int] = []
        self.looks = 0
        self.held_up = 0  # looks dropped: the sampler was preempted in the middle of them
        self.cpu_s = 0.0  # this thread's own CPU time
        self._stopping = threading.Event()
        self._open: dict[int, tuple[int, str]] = {}  # pid: (fd, role)
        self._gone: dict[str, int] = {}  # ticks of processes that ended, per role
        self._threads: dict[int, tuple[int, int, str]] = {}  # console tid: stat, wchan, comm
        # per look: console tid: (state, ticks, wchan)
        self.thread_looks: list[dict[int, tuple[str, int, str]]] = []
        self.names: dict[int, str] = {}  # tid: thread name (the console's own, else comm)

    def stop(self) -> None:
        """Stop sampling (the figures stay)."""
        self._stopping.set()
        self.join(timeout=5)
        for fd, _role in self._open.values():
            os.close(fd)
        self._open.clear()
        for stat_fd, wchan_fd, _comm in self._threads.values():
            os.close(stat_fd)
            os.close(wchan_fd)
        self._threads.clear()

    def run(self) -> None:
        machine_fd = os.open("/proc/stat", os.O_RDONLY)
        last: dict[int, int] = {}
        found_at = 0.0
        try:
            while not self._stopping.wait(EVERY_S):
                now = time.monotonic()
                if now - found_at >= FIND_EVERY_S:
                    found_at = now
                    self._find()
                else:  # the console's new threads (a film's libvlc threads) at every look
                    self._find_console_threads()
                began = time.monotonic()  # the look itself, timed: see below
                machine = _machine_ticks(machine_fd)
                per_role = dict(self._gone)
                for pid, (fd, role) in list(self._open.items()):
                    try:
                        ticks = _process_ticks(fd)
                    except (OSError, ValueError):  # ended: keep what it had used
                        os.close(fd)
                        del self._open[pid]
                        ended = last.pop(pid, 0)
                        self._gone[role] = self._gone.get(role, 0) + ended
                        per_role[role] = per_role.get(role, 0) + ended
                        continue
                    last[pid] = ticks
                    per_role[role] = per_role.get(role, 0) + ticks
                threads = self._look_at_threads()
                self.looks += 1
                done_at = time.monotonic()
                if done_at - began > HELD_UP_S:  # this thread was held up in the middle of the
                    self.held_up += 1  # look: its figures are not of one moment, dropped
                    continue
                self.times.append((began + done_at) / 2)
                self.machine.append(machine)
                self.ticks.append(per_role)
                self.thread_looks.append(threads)
        finally:
            os.close(machine_fd)
            self.cpu_s = time.thread_time()

    def _look_at_threads(self) -> dict[int, tuple[str, int, str]]:
        look = {}
        for tid, (stat_fd, wchan_fd, _comm) in list(self._threads.items()):
            try:
                look[tid] = _thread_look(stat_fd, wchan_fd)
            except (OSError, ValueError):  # ended
                os.close(stat_fd)
                os.close(wchan_fd)
                del self._threads[tid]
        return look

    def _find(self) -> None:
        for pid in descendants(self.root):
            if pid in self._open:
                continue
            try:
                fd = os.open(f"/proc/{pid}/stat", os.O_RDONLY)
            except OSError:
                continue
            self._open[pid] = (fd, role_of(pid))
        self._find_console_threads()

    def _find_console_threads(self) -> None:
        for pid, (_fd, role) in self._open.items():
            if role == CONSOLE:
                self._find_threads(pid)

    def _find_threads(self, pid: int) -> None:
        try:
            tids = [int(tid) for tid in os.listdir(f"/proc/{pid}/task")]
        except OSError:
            return
        for tid in tids:
            if tid in self._threads:
                continue
            folder = f"/proc/{pid}/task/{tid}"
            try:
                comm = Path(f"{folder}/comm").read_text().strip()
                stat_fd = os.open(f"{folder}/stat", os.O_RDONLY)
            except OSError:
                continue
            try:
                wchan_fd = os.open(f"{folder}/wchan", os.O_RDONLY)
            except OSError:
                os.close(stat_fd)
                continue
            self._threads[tid] = (stat_fd, wchan_fd, comm)
            self.names.setdefault(tid, comm)

    def threads(self, start: float, end: float, python_names: dict[int, str]) -> list[str]:
        """The console's threads that ran, were runnable, or waited on something other than a
        lock or an event loop in the looks around [start, end]: `name CPU ms: states`."""
        first = max(0, bisect.bisect_right(self.times, start) - 1)
        last = min(len(self.times) - 1, bisect.bisect_left(self.times, end))
        looks = self.thread_looks[first : last + 1]
        if len(looks) < 2:
            return []
        lines = []
        for tid in sorted({tid for look in looks for tid in look}):
            seen = [look[tid] for look in looks if tid in look]
            cpu_ms = (seen[-1][1] - seen[0][1]) * TICK_MS
            states: dict[str, int] = {}
            for state, _ticks, wchan in seen[1:]:
                shown = "R" if state == "R" else f"{state} {wchan}"
                states[shown] = states.get(shown, 0) + 1
            busy = any(not (s.startswith("S ") and s[2:].startswith(IDLE_WAITS)) for s in states)
            if cpu_ms <= 0 and not busy:
                continue
            name = python_names.get(tid) or self.names.get(tid, str(tid))
            what = ", ".join(f"{s}×{n}" for s, n in sorted(states.items(), key=lambda i: -i[1]))
            lines.append(f"{name} [{tid}] CPU {cpu_ms:.0f}: {what}")
        return lines

    def share(self, start: float, end: float) -> str:
        """Each process's CPU (ms) between the looks around [start, end] (monotonic), the most
        first, and the rest of the machine's: `console 120, Xvfb 40, … others 300 (of 2×410)`."""
        first = max(0, bisect.bisect_right(self.times, start) - 1)
        last = min(len(self.times) - 1, bisect.bisect_left(self.times, end))
        if last <= first:
            return "no CPU looks over the window"
        before, after = self.ticks[first], self.ticks[last]
        used = {
            role: (ticks - before.get(role, 0)) * TICK_MS
            for role, ticks in after.items()
            if ticks - before.get(role, 0) > 0
        }
        others = (self.machine[last] - self.machine[first]) * TICK_MS - sum(used.values())
        window_ms = (self.times[last] - self.times[first]) * 1000
        ranked = sorted(used.items(), key=lambda item: -item[1])
        parts = [f"{role} {ms:.0f}" for role, ms in ranked]
        parts.append(f"other users {max(0.0, others):.0f}")
        cores = os.cpu_count() or 1
        return f"{', '.join(parts)} (ms of CPU in {window_ms:.0f} ms × {cores} cores)"

    def cost(self) -> str:
        """This sampler's own cost."""
        each_us = self.cpu_s / max(self.looks, 1) * 1e6
        return (
            f"process sampler: {self.looks} looks ({self.held_up} dropped, held up), "
            f"{self.cpu_s * 1000:.0f} ms of CPU ({each_us:.0f} µs each, {len(self.names)} "
            "threads of the console followed)"
        )
