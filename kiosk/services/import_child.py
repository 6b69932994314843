"""The child process of a console import: `python -m kiosk.services.import_child`.

Reads one :class:`~kiosk.services.import_process.ImportRequest` (a JSON line) on stdin, previews
or imports the file, and writes JSON lines on stdout: ``{"progress": [done, total]}`` after each
chunk written, then one answer: ``{"preview": {...}}``, ``{"imported": {...}}`` or
``{"error": "file" | "stopped" | "store", "message": ..., "headers": [...]}``. SIGTERM stops it
(see :mod:`kiosk.services.import_process`). It runs at a lower CPU priority than the console
and never takes the event lock: the console that started it holds it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import signal
import sys
from types import FrameType
from typing import Any

from kiosk.core.problems import ConfigError
from kiosk.core.registrations import RegistrationFileError, sniff_header_row
from kiosk.core.tickets import TicketCodec
from kiosk.services.child_process import at_least_niceness
from kiosk.services.import_process import (
    ImportRequest,
    ImportSummary,
    PreviewSummary,
)
from kiosk.services.registrations import apply_preview, preview_import
from kiosk.store.attendees import ImportStoppedError
from kiosk.store.errors import StoreError
from kiosk.store.event_folder import EventFolder

log = logging.getLogger(__name__)


class StopRequest:
    """SIGTERM's meaning here: stop at once while nothing is written, else after the chunk."""

    def __init__(self) -> None:
        self.asked = False
        self.writing = False

    def on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        """The signal handler (runs between two bytecodes of the main thread)."""
        self.asked = True
        if not self.writing:
            raise ImportStoppedError(
                "Stopped before anything was written. 已停止，沒有寫入任何資料。"
            )

    def between_chunks(self, done: int, total: int) -> None:
        """The import's progress callback: report, or stop here if asked."""
        if self.asked:
            raise ImportStoppedError(
                f"Import stopped after {done} of {total} people. Those are imported; "
                "importing the same file again completes the rest. "
                f"已停止匯入：已匯入 {done} / {total} 人；再次匯入同一檔案即可完成其餘部分。"
            )
        emit({"progress": [done, total]})


def emit(message: dict[str, Any]) -> None:
    """One JSON line to the console."""
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def file_sha256(request: ImportRequest) -> str:
    """The file's SHA-256 (RegistrationFileError if it cannot be read)."""
    try:
        return hashlib.sha256(request.path.read_bytes()).hexdigest()
    except OSError as exc:
        raise RegistrationFileError(
            f"{request.path} cannot be read: {exc.strerror or exc}"
        ) from exc


def run(request: ImportRequest, stop: StopRequest) -> dict[str, Any]:
    """Preview or import as asked; the answer to send."""
    folder = EventFolder(request.event_root)
    folder.require()
    sha256 = file_sha256(request)
    if request.expect_sha256 is not None and sha256 != request.expect_sha256:
        raise RegistrationFileError(
            f"{request.path.name} changed since it was previewed; nothing was imported. "
            "Open it again to see what it would do now. 檔案在預覽後已更改，沒有匯入任何資料。"
        )
    codec = TicketCodec(folder.secret_key())
    db = folder.open_db()
    try:
        preview = preview_import(db, codec, request.path, request.mapping, source=request.source)
        summary = PreviewSummary.of(preview, sha256, request.mapping)
        if not request.apply:
            return {"preview": summary.to_wire()}
        stop.writing = True
        result = apply_preview(
            db,
            codec,
            preview,
            allow_many_gone=request.allow_many_gone,
            progress=stop.between_chunks,
        )
        return {"imported": ImportSummary.of(result, summary).to_wire()}
    finally:
        db.close()


def answer_for(request: ImportRequest, stop: StopRequest) -> dict[str, Any]:
    """:func:`run`'s answer, or the error it met as an answer."""
    try:
        return run(request, stop)
    except ImportStoppedError as exc:
        return {"error": "stopped", "message": str(exc)}
    except RegistrationFileError as exc:
        headers: list[str] | None = None
        if not request.apply:  # the console lets the operator map the columns by hand
            with contextlib.suppress(RegistrationFileError, OSError):
                headers = sniff_header_row(request.path.read_bytes())
        return {"error": "file", "message": str(exc), "headers": headers}
    except (StoreError, ConfigError) as exc:
        return {"error": "store", "message": str(exc)}


def main() -> int:
    """Read the request, answer it, exit 0 (an error is an answer too)."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    at_least_niceness()  # started through `nice` by the console: already so
    stop = StopRequest()
    signal.signal(signal.SIGTERM, stop.on_signal)
    try:
        request = ImportRequest.from_wire(json.loads(sys.stdin.readline()))
        emit(answer_for(request, stop))
    except ImportStoppedError as exc:  # asked between two statements of the answer's own code
        emit({"error": "stopped", "message": str(exc)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
