"""A registration import run in a child process, so the console's show shares no CPU lock with it.

Parsing a 200,000-row export and planning it against the event (matching everyone already
registered) is pure Python: on a thread of the console it holds the interpreter lock for seconds
at a time, and the GUI thread that times every cut waits for it. So the console runs the
preview and the import in a child process (`python -m kiosk.services.import_child`, at a lower
CPU priority from its first instruction: :func:`~kiosk.services.child_process.niced`) that
streams its progress back as JSON lines; the console only receives the progress and the final
summary.

Stopping (:meth:`ImportProcess.stop`, thread-safe): while the file is read and planned (nothing
is written yet) the child ends at once. While it writes, it stops after the chunk being written
(each chunk of people with their tickets is one transaction): the chunks written stay, and
importing the same file again completes the import (people already there are matched, not added
twice). If the child does not end within ``STOP_GRACE_S`` it is killed; SQLite rolls the open
chunk back, so the database still holds whole chunks only.

The child re-reads the file to import it; the preview's SHA-256 goes with the request and a file
changed since its preview is refused (nothing is written): preview it again.
"""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from kiosk.services.child_process import child_env, niced
from kiosk.services.registrations import ImportPreview, ImportResult
from kiosk.store.attendees import DEFAULT_SOURCE, ImportStoppedError
from kiosk.store.errors import StoreError

log = logging.getLogger(__name__)

SHOWN_LINES = 500  # bad rows and missing people sent back to be shown (the counts are whole)
STOP_GRACE_S = 10.0  # a stop asked while a chunk is written: then the child is killed
KILLER_THREAD = "import-stop-deadline"  # the thread that kills a child that did not stop
CHILD_MODULE = "kiosk.services.import_child"

Progress = Callable[[int, int], None]  # (people written, people to write)


class ImportChildError(StoreError):
    """The import's child process failed or ended without an answer (nothing more was written
    than the whole chunks already committed)."""


class ImportFileRefusedError(StoreError):
    """The file cannot be read as an export (``headers``: its header row, if one was found)."""

    def __init__(self, message: str, headers: list[str] | None) -> None:
        super().__init__(message)
        self.headers = headers


@dataclass(frozen=True)
class MissingPerson:
    """Someone already imported whom this export leaves out."""

    attendee_id: int
    name: str
    email: str | None


@dataclass(frozen=True)
class PreviewSummary:
    """What importing a file would do, as the console shows it (plain data, from the child).

    ``errors`` and ``missing`` hold at most ``SHOWN_LINES`` entries; ``counts`` are whole."""

    path: Path
    sha256: str
    source: str
    format: str
    encoding: str
    delimiter: str
    header_row: int
    headers: list[str]
    column_mapping: dict[str, str]  # as detected or chosen
    asked_mapping: dict[str, str] | None  # the mapping the preview was asked with (the import's)
    people: int  # registrations read from the file
    counts: dict[str, int]
    errors: list[str]
    missing: list[MissingPerson]
    registered: int
    would_mark_gone: int
    empty: bool
    can_import: bool
    many_gone: str | None  # why the import needs confirming, or None

    @property
    def to_write(self) -> int:
        """People the import writes (new and updated): the progress bar's length."""
        return self.counts["new"] + self.counts["updated"]

    def many_gone_problem(self) -> str | None:
        """Why this import marks many people gone (see ImportPreview), or None."""
        return self.many_gone

    def to_wire(self) -> dict[str, Any]:
        """As one JSON object (the child's answer)."""
        return {
            **{name: getattr(self, name) for name in _PLAIN_FIELDS},
            "path": str(self.path),
            "missing": [[m.attendee_id, m.name, m.email] for m in self.missing],
        }

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> PreviewSummary:
        """Read back what :meth:`to_wire` wrote."""
        return cls(
            **{name: data[name] for name in _PLAIN_FIELDS},
            path=Path(data["path"]),
            missing=[MissingPerson(int(i), str(n), e) for i, n, e in data["missing"]],
        )

    @classmethod
    def of(
        cls, preview: ImportPreview, sha256: str, asked_mapping: dict[str, str] | None
    ) -> PreviewSummary:
        """The summary of a preview made in this process with `asked_mapping`."""
        export = preview.export
        return cls(
            path=preview.path,
            sha256=sha256,
            source=preview.source,
            format=export.format,
            encoding=export.encoding,
            delimiter=export.delimiter,
            header_row=export.header_row,
            headers=list(export.headers),
            column_mapping=dict(export.column_mapping),
            asked_mapping=asked_mapping,
            people=len(export.registrations),
            counts=preview.counts(),
            errors=[str(error) for error in export.errors[:SHOWN_LINES]],
            missing=[
                MissingPerson(a.attendee_id, a.name, a.email)
                for a in preview.plan.missing[:SHOWN_LINES]
            ],
            registered=preview.registered,
            would_mark_gone=preview.would_mark_gone,
            empty=preview.empty,
            can_import=preview.can_import,
            many_gone=preview.many_gone_problem(),
        )


_PLAIN_FIELDS = [
    "sha256",
    "source",
    "format",
    "encoding",
    "delimiter",
    "header_row",
    "headers",
    "column_mapping",
    "asked_mapping",
    "people",
    "counts",
    "errors",
    "registered",
    "would_mark_gone",
    "empty",
    "can_import",
    "many_gone",
]


@dataclass(frozen=True)
class ImportSummary:
    """What an import changed (from the child)."""

    preview: PreviewSummary
    new: int
    updated: int
    unchanged: int
    marked_gone: int
    returned: int
    tickets_issued: int

    @classmethod
    def of(cls, result: ImportResult, preview: PreviewSummary) -> ImportSummary:
        """The summary of an import applied in this process."""
        applied = result.applied
        return cls(
            preview,
            len(applied.new_ids),
            len(applied.updated_ids),
            len(applied.unchanged_ids),
            len(applied.gone_ids),
            len(applied.returned_ids),
            applied.tickets_issued,
        )

    def to_wire(self) -> dict[str, Any]:
        """As one JSON object (the child's answer)."""
        return {
            "preview": self.preview.to_wire(),
            **{name: getattr(self, name) for name in _COUNT_FIELDS},
        }

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> ImportSummary:
        """Read back what :meth:`to_wire` wrote."""
        counts = {name: int(data[name]) for name in _COUNT_FIELDS}
        return cls(PreviewSummary.from_wire(data["preview"]), **counts)


_COUNT_FIELDS = ("new", "updated", "unchanged", "marked_gone", "returned", "tickets_issued")


@dataclass(frozen=True)
class ImportRequest:
    """What the child is asked: preview `path` (``apply`` False) or import it."""

    event_root: Path
    path: Path
    mapping: dict[str, str] | None = None
    source: str = DEFAULT_SOURCE
    apply: bool = False
    allow_many_gone: bool = False
    expect_sha256: str | None = None  # the previewed file's: a changed file is refused

    def to_wire(self) -> dict[str, Any]:
        """As one JSON object (the child's stdin)."""
        return {
            "event_root": str(self.event_root),
            "path": str(self.path),
            "mapping": self.mapping,
            "source": self.source,
            "apply": self.apply,
            "allow_many_gone": self.allow_many_gone,
            "expect_sha256": self.expect_sha256,
        }

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> ImportRequest:
        """Read back what :meth:`to_wire` wrote."""
        return cls(
            Path(data["event_root"]),
            Path(data["path"]),
            data.get("mapping"),
            str(data.get("source") or DEFAULT_SOURCE),
            bool(data.get("apply")),
            bool(data.get("allow_many_gone")),
            data.get("expect_sha256"),
        )


class ImportProcess:
    """Runs previews and imports in a child process, one at a time (call from one worker
    thread; :meth:`stop` from any thread)."""

    def __init__(self, event_root: Path, *, python: str = sys.executable) -> None:
        self.event_root = event_root
        self._python = python
        self._lock = threading.Lock()
        self._child: subprocess.Popen[str] | None = None
        self._stop_asked = False
        self._killer: threading.Timer | None = None  # a stop's deadline, while it runs

    def preview(
        self,
        path: Path,
        mapping: Mapping[str, str] | None = None,
        *,
        source: str = DEFAULT_SOURCE,
    ) -> PreviewSummary:
        """What importing `path` would do (writes nothing). ImportFileRefusedError for a file
        that cannot be read as an export; ImportStoppedError if stopped."""
        mapping = dict(mapping) if mapping else None
        request = ImportRequest(self.event_root, path, mapping, source)
        answer = self._run(request, None)
        return PreviewSummary.from_wire(answer["preview"])

    def apply(
        self,
        preview: PreviewSummary,
        *,
        allow_many_gone: bool = False,
        progress: Progress | None = None,
    ) -> ImportSummary:
        """Import the file `preview` read, read as it was (see the module's doc for
        stopping). Raises what the import raised (refused rows, many gone, a changed file)."""
        request = ImportRequest(
            self.event_root,
            preview.path,
            preview.asked_mapping,
            preview.source,
            apply=True,
            allow_many_gone=allow_many_gone,
            expect_sha256=preview.sha256,
        )
        answer = self._run(request, progress)
        return ImportSummary.from_wire(answer["imported"])

    def stop(self) -> None:
        """Stop the running child, if any: at once while it reads, after the chunk being
        written while it imports; killed if it has not ended after ``STOP_GRACE_S``."""
        with self._lock:
            self._stop_asked = True
            child = self._child
            if child is None or child.poll() is not None:
                return
            # known to the run before it can end: its end cancels the deadline (even unstarted)
            killer = threading.Timer(STOP_GRACE_S, _kill_if_running, (child,))
            killer.name = KILLER_THREAD
            killer.daemon = True
            self._killer = killer
        log.info("stopping the import child %d", child.pid)
        child.send_signal(signal.SIGTERM)
        killer.start()

    @property
    def child_pid(self) -> int | None:
        """The running child's process id (None when none runs)."""
        with self._lock:
            return self._child.pid if self._child is not None else None

    def _run(self, request: ImportRequest, progress: Progress | None) -> dict[str, Any]:
        with tempfile.TemporaryFile("w+", encoding="utf-8") as errors:
            child = subprocess.Popen(
                niced([self._python, "-m", CHILD_MODULE]),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                encoding="utf-8",
                env=child_env(),
            )
            with self._lock:
                self._child, self._stop_asked = child, False
            try:
                return self._talk(child, request, progress, errors)
            finally:
                if child.poll() is None:
                    child.kill()
                child.wait()
                with self._lock:
                    self._child = None
                    killer, self._killer = self._killer, None
                if killer is not None:
                    killer.cancel()  # the child has ended: its deadline's thread ends too

    def _talk(
        self,
        child: subprocess.Popen[str],
        request: ImportRequest,
        progress: Progress | None,
        errors: IO[str],
    ) -> dict[str, Any]:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(json.dumps(request.to_wire()) + "\n")
        child.stdin.close()
        answer: dict[str, Any] | None = None
        for line in child.stdout:
            message = json.loads(line)
            if "progress" in message and progress is not None:
                progress(*message["progress"])
            elif "progress" not in message:
                answer = message
        code = child.wait()
        if answer is None:
            errors.seek(0)
            tail = errors.read()[-600:].strip()
            if self._stop_asked:
                raise ImportStoppedError(
                    "Import stopped. Whole chunks written before the stop are imported; "
                    "importing the same file again completes it. 已停止匯入；再次匯入同一檔案"
                    "即可完成其餘部分。"
                )
            raise ImportChildError(
                f"The import process ended without an answer (exit {code}); whole chunks "
                f"written before that are kept. {tail}".strip()
            )
        return _raise_refusal(answer)


def _raise_refusal(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer, or the error it carries raised as the error the console shows."""
    kind = answer.get("error")
    if kind is None:
        return answer
    message = str(answer.get("message", "the import failed"))
    if kind == "file":
        raise ImportFileRefusedError(message, answer.get("headers"))
    if kind == "stopped":
        raise ImportStoppedError(message)
    raise StoreError(message)


def _kill_if_running(child: subprocess.Popen[str]) -> None:
    if child.poll() is None:
        log.warning("the import child %d did not stop in time: killed", child.pid)
        child.kill()
