"""The hostile hall: what an attacker on the venue Wi-Fi does to a real `serve`, measured.

Each attack is a bounded loop (a count and a deadline) against a running event server on
127.0.0.1 and returns what it saw, so the suite can assert and the benchmark can print the same
figures. Nothing here knows the server's code: it talks HTTP(S) over sockets, like a laptop in
the hall would, and reads the server's memory from /proc and its log files from the disk.
"""

from __future__ import annotations

import http.client
import json
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

API = "/api/v1"
# Loopback has a whole /8: the attacker's laptop, a NAT'd group of phones and a cross-site page
# each get an address of their own, as on the venue Wi-Fi (the honest door is 127.0.0.1).
ATTACKER = "127.0.0.2"
NAT = "127.0.0.3"
VISITOR = "127.0.0.4"


@dataclass(frozen=True)
class Hall:
    """The target: the station API (TLS), the vote page (plain HTTP), the process, its logs."""

    station_port: int
    vote_port: int
    pid: int
    logs_dir: Path
    token: str  # a real station's token, as a stolen door laptop has it
    secrets_: frozenset[str] = field(default_factory=frozenset)  # every ticket and vote code

    def leaked(self, text: str) -> int:
        """How many ticket or vote codes appear in ``text``."""
        return sum(1 for code in self.secrets_ if code in text)


@dataclass(frozen=True)
class Answer:
    """One HTTP answer (status 0: the connection was closed or reset instead)."""

    status: int
    body: str
    seconds: float


def _tls() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the attacker does not care who the server is
    return context


def request(
    hall: Hall,
    method: str,
    path: str,
    body: bytes | None = None,
    *,
    station: bool = True,
    headers: dict[str, str] | None = None,
    token: str | None = None,
    timeout: float = 30.0,
    source: str = ATTACKER,
) -> Answer:
    """One request on a fresh connection (station API over TLS, or the vote page)."""
    connection: http.client.HTTPConnection
    if station:
        connection = http.client.HTTPSConnection(
            "127.0.0.1", hall.station_port, timeout=timeout, context=_tls(),
            source_address=(source, 0),
        )  # fmt: skip
    else:
        connection = http.client.HTTPConnection(
            "127.0.0.1", hall.vote_port, timeout=timeout, source_address=(source, 0)
        )
    sent = dict(headers or {})
    if station and token is not None:
        sent["Authorization"] = f"Bearer {token}"
    if body is not None:
        sent.setdefault("Content-Type", "application/json")
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return Answer(response.status, text, time.perf_counter() - started)
    except (OSError, http.client.HTTPException):
        return Answer(0, "", time.perf_counter() - started)
    finally:
        connection.close()


def as_json(hall: Hall, method: str, path: str, data: object, **options: Any) -> Answer:
    """A request with a JSON body."""
    return request(hall, method, path, json.dumps(data).encode(), **options)


# ------------------------------------------------------------------ the server, from outside


def rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in KiB: now and the peak so far."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values["VmRSS"], values["VmHWM"]


def log_bytes(logs_dir: Path) -> int:
    """The size of every log file of the event (kiosk.log and its rotations)."""
    return sum(path.stat().st_size for path in logs_dir.glob("*.log*"))


def log_text(logs_dir: Path) -> str:
    """Every log file's text (for counting tracebacks and finding leaked codes)."""
    return "\n".join(path.read_text("utf-8", "replace") for path in sorted(logs_dir.glob("*.log*")))


def rotated(logs_dir: Path) -> bool:
    """True if kiosk.log was rotated (a flood pushed the night's log into kiosk.log.1...)."""
    return (logs_dir / "kiosk.log.1").exists()


# ------------------------------------------------------------------ attacks


def harvest(hall: Hall, absent_ids: Iterable[int]) -> dict[str, Any]:
    """With a station token: search everyone, admit no-shows by hand, register a walk-in;
    then vote on the phone page with every code that came back."""
    answers = [request(hall, "GET", f"{API}/search?q=AIFF", token=hall.token)]
    answers += [request(hall, "GET", f"{API}/search?q=Tester", token=hall.token)]
    for attendee_id in absent_ids:
        answers.append(
            as_json(
                hall, "POST", f"{API}/admit",
                {"nonce": secrets.token_hex(8), "attendee_id": attendee_id}, token=hall.token,
            )
        )  # fmt: skip
    answers.append(
        as_json(
            hall, "POST", f"{API}/walk-in",
            {"nonce": secrets.token_hex(8), "name": "Harvest", "name_latin": "Harvest"},
            token=hall.token,
        )
    )  # fmt: skip
    answers.append(request(hall, "GET", f"{API}/figures", token=hall.token))
    found = sorted({code for answer in answers for code in hall.secrets_ if code in answer.body})
    ballots = 0
    film = hall_film(hall)
    for code in found:
        vote = as_json(hall, "POST", "/vote", {"code": code, "film": film}, station=False)
        if '"accepted":true' in vote.body.replace(" ", ""):
            ballots += 1
    return {
        "codes_leaked": len(found),
        "statuses": sorted({answer.status for answer in answers}),
        "ballots_with_leaked_codes": ballots,
    }


def big_bodies(hall: Hall, count: int, megabytes: int, deadline_s: float = 60.0) -> dict[str, Any]:
    """``count`` parallel POSTs of ``megabytes`` each, no credentials, to the vote page and the
    station API; streamed 1 MB at a time until sent or the server shuts the door."""
    chunk = b"x" * (1 << 20)
    sent_mb: list[int] = []
    statuses: list[int] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + deadline_s

    def one(station: bool) -> None:
        port = hall.station_port if station else hall.vote_port
        sock = socket.create_connection(("127.0.0.1", port), 10, (ATTACKER, 0))
        stream: socket.socket = _tls().wrap_socket(sock) if station else sock
        path = f"{API}/checkin" if station else "/vote"
        sent = 0
        status = 0
        try:
            stream.sendall(
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Content-Length: {megabytes << 20}\r\n\r\n".encode()
            )
            while sent < megabytes and time.monotonic() < stop_at:
                stream.sendall(chunk)
                sent += 1
            status = _read_status(stream)
        except OSError:
            status = _read_status(stream)
        finally:
            stream.close()
        with lock:
            sent_mb.append(sent)
            statuses.append(status)

    threads = [
        threading.Thread(target=one, args=(index % 2 == 1,), daemon=True) for index in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=deadline_s + 15)
    return {"megabytes_sent": sum(sent_mb), "statuses": sorted(statuses)}


def _read_status(stream: socket.socket) -> int:
    try:
        stream.settimeout(5)
        head = stream.recv(64)
    except OSError:
        return 0
    parts = head.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def huge_header(hall: Hall, megabytes: int = 16) -> dict[str, Any]:
    """One GET with a ``megabytes`` header line to the vote page: refused or served?"""
    sock = socket.create_connection(("127.0.0.1", hall.vote_port), 10, (ATTACKER, 0))
    filler = b"a" * (1 << 20)
    try:
        sock.sendall(b"GET /state HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ")
        for _ in range(megabytes):
            sock.sendall(filler)
        sock.sendall(b"\r\n\r\n")
    except OSError:
        pass
    status = _read_status(sock)
    sock.close()
    return {"status": status}


def deep_json(hall: Hall, depth: int = 100_000) -> dict[str, Any]:
    """``[[[[...]]]]`` ``depth`` deep to the vote page and (with a token) the station API."""
    body = b"[" * depth + b"]" * depth
    vote = request(hall, "POST", "/vote", body, station=False)
    station = request(hall, "POST", f"{API}/checkin", body, token=hall.token)
    return {"statuses": [vote.status, station.status]}


def loose_types(hall: Hall, attendee_id: int) -> dict[str, Any]:
    """Values of the wrong type or range in the station API's fields."""
    nonce = secrets.token_hex(8)
    tries = [
        ("/admit", {"nonce": nonce + "a", "attendee_id": 10**30}),
        ("/admit", {"nonce": nonce + "b", "attendee_id": True}),
        ("/walk-in", {"nonce": nonce + "c", "name": "X", "name_latin": ["a", "b"]}),
        ("/checkin", {"nonce": [1], "code": "AIFF"}),
        ("/upload", {"items": [{"nonce": nonce + "d", "method": "scan", "at": 5}]}),
        ("/admit", {"nonce": nonce + "e", "attendee_id": attendee_id, "extra": "x" * 10}),
    ]
    statuses = [
        as_json(hall, "POST", f"{API}{path}", data, token=hall.token).status for path, data in tries
    ]
    return {"statuses": statuses}


def bad_tokens(
    hall: Hall, clients: int = 2, each: int = 2000, deadline_s: float = 60
) -> dict[str, Any]:
    """``clients`` connections each sending ``each`` requests with made-up tokens (keep-alive)."""
    answered = [0] * clients
    stop_at = time.monotonic() + deadline_s

    def one(index: int) -> None:
        connection = http.client.HTTPSConnection(
            "127.0.0.1", hall.station_port, timeout=10, context=_tls(), source_address=(ATTACKER, 0)
        )
        try:
            for _ in range(each):
                if time.monotonic() > stop_at:
                    break
                try:
                    connection.request(
                        "GET", f"{API}/figures",
                        headers={"Authorization": f"Bearer {secrets.token_hex(16)}"},
                    )  # fmt: skip
                    connection.getresponse().read()
                    answered[index] += 1
                except (OSError, http.client.HTTPException):
                    connection.close()
                    connection = http.client.HTTPSConnection(
                        "127.0.0.1", hall.station_port, timeout=10, context=_tls(),
                        source_address=(ATTACKER, 0),
                    )  # fmt: skip
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=deadline_s + 15)
    return {"answered": sum(answered)}


def old_offline_upload(hall: Hall, attendee_id: int, years: int = 10) -> dict[str, Any]:
    """An offline admission whose station clock was ``years`` behind; then how long /figures
    takes and how many arrival buckets it holds."""
    at = time.strftime("%Y-%m-%dT%H:%M:%S.000+00:00", time.gmtime(time.time() - years * 3.156e7))
    item = {
        "nonce": secrets.token_hex(8), "method": "manual", "attendee_id": attendee_id,
        "at": at, "verdict": "admitted",
    }  # fmt: skip
    upload = as_json(hall, "POST", f"{API}/upload", {"items": [item]}, token=hall.token)
    figures = request(hall, "GET", f"{API}/figures", token=hall.token, timeout=60)
    try:
        buckets = len(json.loads(figures.body).get("arrivals", []))
    except ValueError:
        buckets = -1
    return {
        "upload_status": upload.status,
        "upload": upload.body[:300],
        "figures_s": figures.seconds,
        "buckets": buckets,
    }


def wrong_codes_then_valid(hall: Hall, valid_code: str, wrong: int = 25) -> dict[str, Any]:
    """``wrong`` typos from one address (phones behind one NAT, each its own cookie), then a
    valid vote code from another phone at the same address."""
    for index in range(wrong):
        cookie = {"Cookie": f"aiff_vote_device=typo{index}"}
        as_json(hall, "POST", "/check", {"code": f"ZZZZ-{index:04d}"}, station=False,
                headers=cookie, source=NAT)  # fmt: skip
    answer = as_json(hall, "POST", "/vote", {"code": valid_code, "film": hall_film(hall)},
                     station=False, headers={"Cookie": "aiff_vote_device=honest"},
                     source=NAT)  # fmt: skip
    return {"status": answer.status, "body": answer.body[:300]}


def hall_film(hall: Hall) -> str:
    """The first film on the phone page's ballot."""
    page = request(hall, "GET", "/", station=False).body
    marker = 'data-film="'
    start = page.find(marker)
    return page[start + len(marker) : page.find('"', start + len(marker))] if start >= 0 else ""


def cross_site_post(hall: Hall, valid_code: str) -> dict[str, Any]:
    """A form on another site posting a ballot as text/plain (what a browser sends cross-site)."""
    body = json.dumps({"code": valid_code, "film": hall_film(hall)}).encode()
    answer = request(
        hall, "POST", "/vote", body, station=False,
        headers={"Content-Type": "text/plain", "Origin": "http://evil.example"}, source=VISITOR,
    )  # fmt: skip
    return {"status": answer.status, "accepted": '"accepted":true' in answer.body.replace(" ", "")}


def slowloris(
    hall: Hall, count: int, *, tls: bool, hold_s: float, enough_at: int | None = None
) -> dict[str, Any]:
    """``count`` connections that send half a request and wait; how many does the server still
    hold after ``hold_s`` (or as soon as it holds ``enough_at`` or fewer, when given), and does
    a real request get through meanwhile?"""
    port = hall.station_port if tls else hall.vote_port
    held: list[socket.socket] = []
    opened = 0
    for _ in range(count):
        try:
            sock = socket.create_connection(("127.0.0.1", port), 5, (ATTACKER, 0))
        except OSError:
            break
        opened += 1
        try:
            if not tls:  # a TLS half-open connection sends nothing at all (no handshake)
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: b\r\n")
        except OSError:
            pass
        held.append(sock)
    during = request(hall, "GET", "/state", station=False, timeout=10, source=VISITOR)
    deadline = time.monotonic() + hold_s
    still_open = _still_open(held)
    while time.monotonic() < deadline and (enough_at is None or still_open > enough_at):
        time.sleep(0.2)
        still_open = _still_open(held)
    for sock in held:
        sock.close()
    after = request(hall, "GET", "/state", station=False, timeout=10, source=VISITOR)
    return {
        "opened": opened,
        "still_open": still_open,
        "page_during": during.status,
        "page_after": after.status,
    }


def _still_open(held: list[socket.socket]) -> int:
    """How many of the connections the server still holds open (without reading them)."""
    still_open = 0
    for sock in held:
        sock.setblocking(False)
        try:
            data = sock.recv(1, socket.MSG_PEEK)
            still_open += 0 if data == b"" else 1  # an answer (408/400) is being closed
        except BlockingIOError:
            still_open += 1
        except OSError:
            pass
    return still_open


# ------------------------------------------------------------------ the hall, set up


@dataclass
class RunningHall:
    """A voting event served by a real `serve` process, a stolen station token, the people."""

    hall: Hall
    server: Any  # tests.station_helpers.ServerProcess
    event_dir: Path
    door_dir: Path  # a second, honest door station (paired) for scanning during the attack
    admitted: list[Any]
    absent: list[Any]
    vote_codes: list[str]  # of the admitted, as printed on their tickets


def open_hall(
    root: Path,
    *,
    admitted: int,
    absent: int,
    open_files: tuple[int, int],
    stations: bool = True,
) -> RunningHall:
    """Make the event, start `serve` (RLIMIT_NOFILE ``open_files``), open the vote, pair a
    stolen door laptop and an honest one (``stations=False``: none paired, for a test of the
    server alone; the hall's token is then empty and `door_dir` does not exist)."""
    from kiosk.core.vote import vote_code
    from kiosk.station.folder import StationFolder
    from tests.station_helpers import pair_station, run_cli, start_server
    from tests.vote_helpers import make_voting_event

    voting = make_voting_event(root / "event", admitted=admitted, absent=absent)
    event_dir = voting.folder.root
    server = start_server(event_dir, open_files=open_files)
    opened = run_cli("--event", str(event_dir), "vote", "open", "--minutes", "60")
    assert opened.returncode == 0, opened.stderr
    token = ""
    if stations:
        pair_station(event_dir, "Door 9", root / "stolen")
        pair_station(event_dir, "Door 1", root / "door")
        token = StationFolder(root / "stolen").credentials().token
    key = voting.folder.secret_key()
    people = voting.admitted + voting.absent
    canonical = [vote_code(key, person.code) for person in people]
    codes = {person.code for person in people} | set(canonical)
    codes |= {voting.vote_code_of(person) for person in people}
    hall = Hall(
        server.port, server.vote_port, server.proc.pid, voting.folder.logs_dir, token,
        frozenset(codes),
    )  # fmt: skip
    return RunningHall(
        hall, server, event_dir, root / "door", voting.admitted, voting.absent,
        [voting.vote_code_of(person) for person in voting.admitted],
    )  # fmt: skip


def tracebacks(logs_dir: Path) -> int:
    """Tracebacks in the event's logs."""
    return log_text(logs_dir).count("Traceback (most recent call last)")


def percentiles(samples_ms: list[float]) -> tuple[float, float, float]:
    """(p50, p99, max) of latencies (zeros when there are none)."""
    if not samples_ms:
        return 0.0, 0.0, 0.0
    ordered = sorted(samples_ms)
    return (
        ordered[len(ordered) // 2],
        ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        ordered[-1],
    )


# ------------------------------------------------------------------ the server's share of the CPU

# The server was starved over a stretch of time when it waited for a CPU (runnable, in the run
# queue; summed over its threads) for at least this share of the stretch, and at least
# STARVED_RATIO times as long as it ran. An idle machine gives a runnable server a CPU at once
# (waits of a few ms a second). Measured (docs/dev/testing.md): starved stretches under busy
# loops 0.8-1.3 of the stretch; a server that blocked its loop under the attack 0.01 at idle,
# 0.23 beside two busy loops.
STARVED_WAIT_SHARE = 0.5
STARVED_RATIO = 3.0


@dataclass(frozen=True)
class CpuSample:
    """The server's CPU time and run-queue wait so far, summed over its threads."""

    at: float  # time.time()
    run_s: float
    wait_s: float


@dataclass(frozen=True)
class CpuShare:
    """What the server got from the CPU over a stretch of time, and what it waited for."""

    seconds: float
    run_s: float
    wait_s: float

    @property
    def starved(self) -> bool:
        """It wanted a CPU for a good part of the stretch and got little of what it wanted."""
        return (
            self.wait_s >= STARVED_WAIT_SHARE * self.seconds
            and self.wait_s >= STARVED_RATIO * self.run_s
        )

    def __str__(self) -> str:
        return (
            f"the server ran {self.run_s * 1000:.0f} ms and waited {self.wait_s * 1000:.0f} ms "
            f"for a CPU in {self.seconds:.1f} s"
        )


class ServerCpu:
    """Samples `/proc/PID/task/*/schedstat` of the server every ``every_s`` in a thread (the
    kernel's own count of the time each thread ran and waited runnable for a CPU)."""

    def __init__(self, pid: int, every_s: float = 0.1) -> None:
        self._pid = pid
        self._every_s = every_s
        self._samples: list[CpuSample] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="server-cpu", daemon=True)

    def __enter__(self) -> ServerCpu:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self._every_s):
            self._sample()

    def _sample(self) -> None:
        run_ns = wait_ns = 0
        try:
            for task in Path(f"/proc/{self._pid}/task").iterdir():
                fields = (task / "schedstat").read_text().split()
                run_ns += int(fields[0])
                wait_ns += int(fields[1])
        except (OSError, IndexError, ValueError):
            return  # a thread ended while read, or the server is gone: the next sample counts
        with self._lock:
            self._samples.append(CpuSample(time.time(), run_ns / 1e9, wait_ns / 1e9))

    def over(self, start: float, end: float) -> CpuShare:
        """The server's CPU over ``start``-``end`` (epoch seconds), from the samples around it."""
        with self._lock:
            samples = list(self._samples)
        before = [sample for sample in samples if sample.at <= start] or samples[:1]
        after = [sample for sample in samples if sample.at >= end] or samples[-1:]
        first, last = before[-1], after[0]
        return CpuShare(
            max(last.at - first.at, 1e-3),
            max(last.run_s - first.run_s, 0.0),
            max(last.wait_s - first.wait_s, 0.0),
        )


@dataclass(frozen=True)
class HonestDoor:
    """A real door station process scanning through the attack: its verdicts (JSON lines),
    the server's CPU meanwhile, and how many requests the server had recorded from it before."""

    out: Path
    cpu: ServerCpu
    requests_before: int


@dataclass(frozen=True)
class OfflineStretch:
    """A door's time offline: from the scan that waited for the server in vain to the next
    scan the server answered."""

    start: float
    end: float
    scans: int


def offline_stretches(scans: Sequence[dict[str, Any]]) -> list[OfflineStretch]:
    """The stretches of a station child's scans (each with `offline`, `ms`, `ended`) decided
    offline and then answered online again, each from when its first scan began waiting for
    the server (one still going at the last scan is left out)."""
    stretches = []
    start: float | None = None
    count = 0
    for scan in scans:
        if scan.get("offline"):
            if start is None:
                start = float(scan["ended"]) - float(scan["ms"]) / 1000
            count += 1
        elif start is not None:
            stretches.append(OfflineStretch(start, float(scan["ended"]), count))
            start, count = None, 0
    return stretches
