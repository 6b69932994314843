"""The console's "mark many attendees gone?" question answered with real X key events.

Under Xvfb with openbox, the Registrations view imports 40 people, then an export of 20: Import
opens the question. Enter (on the default button) and Escape must both cancel and change
nothing; only Alt+M (the button that names the number) imports and marks the 20 gone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import film_toml, write_event
from tests.line_child import LineChild
from tests.xvfb import qt_child, requires_xvfb, screenshot, xvfb_display

pytestmark = [
    requires_xvfb,
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which("xdotool"), reason="needs xdotool"),
]  # not `serial`: no time is measured (each key waits for the focus); stable under load

CHILD = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox
    from kiosk.services.open_event import OpenEvent
    from kiosk.store.event_folder import EventFolder
    from kiosk.ui.app import make_application
    from kiosk.ui.common.messages import MessageBus
    from kiosk.ui.common.tasks import TaskRunner
    from kiosk.ui.console.registrations_view import RegistrationsView
    from tests.xvfb import quit_when_stdin_closes

    app = make_application()
    folder = EventFolder(Path(sys.argv[1]))
    everyone, half = Path(sys.argv[2]), Path(sys.argv[3])
    event = OpenEvent.open(folder)
    view = RegistrationsView(event.registrations(), MessageBus(), TaskRunner())
    view.resize(1200, 700)
    view.show()

    def settle(widget):  # the registrations worker reads and imports off the GUI thread
        deadline = time.monotonic() + 60
        while widget.busy and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)

    first = view.preview_file(everyone)
    settle(first)
    first.import_button.click()
    settle(first)
    dialog = view.preview_file(half)
    dialog.show()
    settle(dialog)
    keep = quit_when_stdin_closes(app)
    reader = event.registrations().open_desk()

    def gone():
        return sum(1 for a in reader.attendees() if a.status == "gone")

    def ask():
        print("GONE " + json.dumps(gone()), flush=True)
        dialog.activateWindow()
        dialog.import_button.click()  # the question box runs until a key answers it
        settle(dialog)
        answer = {"gone": gone(), "imported": dialog.import_result is not None}
        print("ANSWERED " + json.dumps(answer), flush=True)
        if dialog.import_result is None:
            QTimer.singleShot(300, ask)

    def watch():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.isVisible() and not getattr(box, "_said", False):
            box._said = True
            print("ASKED " + json.dumps(box.windowTitle()), flush=True)

    timer = QTimer()
    timer.timeout.connect(watch)
    timer.start(100)
    QTimer.singleShot(500, ask)
    print("READY", flush=True)
    app.exec()
    """
)


def _people(path: Path, count: int) -> Path:
    rows = ["Name,Email", *(f"Person {n:02d},p{n}@example.com" for n in range(count))]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _wait_for_focus_on(display: str, title: str, timeout_s: float = 10.0) -> None:
    """Until the X server's input focus is on the window titled `title` (openbox gives it)."""
    deadline = time.monotonic() + timeout_s
    name = ""
    while title not in name:
        assert time.monotonic() < deadline, f"the focus never reached {title!r} ({name!r})"
        time.sleep(0.05)
        name = subprocess.run(
            ["xdotool", "getwindowfocus", "getwindowname"],
            env={**os.environ, "DISPLAY": display},
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout


def _key(display: str, name: str) -> None:
    subprocess.run(
        ["xdotool", "key", name],
        env={**os.environ, "DISPLAY": display},
        check=True,
        capture_output=True,
        timeout=10,
    )


def test_enter_and_escape_cancel_only_alt_m_marks_them_gone(tmp_path: Path) -> None:
    folder = write_event(
        tmp_path / "event", [film_toml("A1", "a1.mp4")]
    )  # opening reads a programme
    everyone = _people(tmp_path / "all.csv", 40)
    half = _people(tmp_path / "half.csv", 20)
    with (
        xvfb_display(1366, 768) as display,
        qt_child(display, CHILD, str(folder.root), str(everyone), str(half)) as (process, _),
    ):
        child = LineChild(process, display)
        child.start_reading()  # `expect` times out even when the child says nothing

        def said(prefix: str) -> str:
            return child.expect(prefix, 20).removeprefix(prefix).strip()

        answers = []
        for key in ("Return", "Escape", "alt+m"):
            assert json.loads(said("GONE ")) == 0
            assert "Mark many attendees gone?" in said("ASKED ")
            _wait_for_focus_on(display, "Mark many attendees gone?")  # where the key goes
            if key == "Return":
                screenshot(display, tmp_path / "many-gone-question.png")
            _key(display, key)
            answers.append(json.loads(said("ANSWERED ")))
    assert answers[0] == {"gone": 0, "imported": False}, answers  # Enter: the default, Cancel
    assert answers[1] == {"gone": 0, "imported": False}, answers  # Escape
    assert answers[2] == {"gone": 20, "imported": True}, answers  # Alt+M: the named button
