"""Child process for the stage tests on a real X display (run by tests/xvfb.qt_child).

`python -m tests.integration.stage_child MODE EVENT_DIR [ARGS...]`; prints `READY {json}` once
the screen is ready to be captured, then runs until its stdin closes. Modes:

* `cover`: a console window with a text field on the primary screen, the stage on the other
  one showing black; unplugs and replugs the projector and reports where the stage went.
* `video CLIP [SRT]`: the stage plays CLIP into video surface A with the real libvlc (xcb
  output), cuts to it, pauses once a second of the film has played (by the film's clock), and
  shows $STAGE_CAPTION as a caption if set.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QPoint, QTimer
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from kiosk.render.cards import BlackCard
from kiosk.store.event_folder import EventFolder
from kiosk.ui.stage.window import StageWindow
from tests.xvfb import quit_when_stdin_closes

KEEP: list[object] = []  # objects that must live until the child ends
PLAYED_MS = 1000  # how much of the film `video` plays before it pauses
ATOMS = ("FULLSCREEN", "SKIP_TASKBAR", "SKIP_PAGER")  # the stage's window-manager states


def wait(ms: int) -> None:
    """Run the Qt event loop for `ms` milliseconds."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def describe(stage: StageWindow) -> dict[str, Any]:
    """Where the stage is and who has the keyboard."""
    focus = QGuiApplication.focusWindow()
    geometry = stage.frameGeometry()
    return {
        "screen": stage.screen_name(),
        "geometry": [geometry.x(), geometry.y(), geometry.width(), geometry.height()],
        "focus": focus.title() if focus is not None else None,
        "stage_active": stage.isActiveWindow(),
        "full_screen": stage.isFullScreen(),
        "screens": [s.name() for s in QGuiApplication.screens()],
        "net_wm_state": subprocess.run(
            ["xprop", "-id", str(int(stage.winId())), "_NET_WM_STATE"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip(),
    }


def settled(stage: StageWindow, screen: str, timeout_s: float = 15.0) -> dict[str, Any]:
    """`describe` once the stage covers `screen` full-screen with its window-manager states
    (or once `timeout_s` has passed: the report then shows where it got to). How long the
    window manager took is in "settle_ms": under load it was once more than a fixed 1.5 s."""
    began = time.monotonic()
    while True:
        state = describe(stage)
        wanted = next((s for s in QGuiApplication.screens() if s.name() == screen), None)
        box = wanted.geometry() if wanted is not None else None
        there = box is not None and state["geometry"] == [
            box.x(),
            box.y(),
            box.width(),
            box.height(),
        ]
        atoms = all(f"_NET_WM_STATE_{atom}" in state["net_wm_state"] for atom in ATOMS)
        if (there and state["screen"] == screen and state["full_screen"] and atoms) or (
            time.monotonic() - began > timeout_s
        ):
            state["settle_ms"] = round((time.monotonic() - began) * 1000)
            return state
        wait(100)


def cover(stage: StageWindow, display_env: dict[str, str]) -> dict[str, Any]:
    """Console + stage on two screens; unplug and replug the projector."""
    console = QWidget()
    console.setWindowTitle("console")
    field = QLineEdit(console)
    QVBoxLayout(console).addWidget(field)
    primary = QGuiApplication.primaryScreen()
    console.setGeometry(primary.geometry().adjusted(100, 100, -100, -100))
    console.show()
    console.activateWindow()
    field.setFocus()
    wait(500)
    stage.show_card(BlackCard())
    stage.start()  # as the console starts it
    report: dict[str, Any] = {"start": settled(stage, "PROJECTOR")}
    # the pointer over the projector: it must be invisible there
    centre = stage.geometry().center()
    QCursor.setPos(QPoint(centre.x(), centre.y()))
    wait(300)
    report["cursor_at"] = [centre.x(), centre.y()]
    report["cursors"] = sorted(
        {w.cursor().shape().name for w in [stage, *stage.findChildren(QWidget)]}
    )
    report["flags"] = int(stage.windowFlags().value)
    projector = "PROJECTOR"
    geometry = QGuiApplication.screens()[1].geometry()
    monitor = f"{geometry.width()}/508x{geometry.height()}/286+{geometry.x()}+{geometry.y()}"
    subprocess.run(["xrandr", "--delmonitor", projector], env=display_env, check=True)
    report["unplugged"] = settled(stage, "CONSOLE")
    subprocess.run(
        ["xrandr", "--setmonitor", projector, monitor, "none"], env=display_env, check=True
    )
    report["replugged"] = settled(stage, "PROJECTOR")
    report["console_has_focus"] = field.hasFocus() and console.isActiveWindow()
    report["console_wid"] = int(console.winId())
    KEEP.append(console)
    return report


def video(stage: StageWindow, clip: Path, srt: Path | None) -> dict[str, Any]:
    """Play `clip` into surface A with real libvlc, cut to it, pause once a second of the film
    has played."""
    import vlc

    from kiosk.media.vlc_backend import create_instance, embed_in_x11_window
    from kiosk.ui.stage.subtitles import libvlc_subtitle_args

    stage.show()
    wait(800)
    instance = create_instance(extra=["--vout=xcb_x11", "--aout=dummy", *libvlc_subtitle_args()])
    assert isinstance(instance, vlc.Instance)
    player = instance.media_player_new()
    player.video_set_key_input(False)
    player.video_set_mouse_input(False)
    embed_in_x11_window(player, int(stage.video_surface("A").winId()))  # keeps xcb_x11
    player.set_media(instance.media_new_path(str(clip)))
    if srt is not None:
        player.add_slave(vlc.MediaSlaveType.subtitle, srt.as_uri(), True)
    playing = threading.Event()
    # libvlc callback thread: only set a flag, never call libvlc here
    player.event_manager().event_attach(vlc.EventType.MediaPlayerVout, lambda _event: playing.set())
    player.play()
    deadline = time.monotonic() + 10
    while not playing.is_set() and time.monotonic() < deadline:
        wait(50)
    stage.show_video("A")
    # a second of the film, by the film's clock: on a loaded machine a second of wall time
    # after the first picture can still be the first picture (frame #0, before the sidecar
    # subtitles are on), and a pause there kept that picture without them
    deadline = time.monotonic() + 30
    while player.get_time() < PLAYED_MS and time.monotonic() < deadline:
        wait(50)
    played_ms = player.get_time()
    player.set_pause(1)
    caption = os.environ.get("STAGE_CAPTION")
    if caption:
        stage.set_subtitle(caption)
    wait(500)
    KEEP.extend([player, instance])
    return {"vout": playing.is_set(), "played_ms": played_ms, "screen": stage.screen_name()}


def main() -> None:
    """Set up the requested scene, print READY with a report, run until stdin closes."""
    mode, event_dir, *rest = sys.argv[1:]
    app = QApplication(sys.argv[:1])
    folder = EventFolder(Path(event_dir))
    config = folder.load_config()
    stage = StageWindow(config, folder.load_programme(config))
    env = dict(os.environ)
    if mode == "cover":
        report = cover(stage, env)
    else:
        report = video(stage, Path(rest[0]), Path(rest[1]) if len(rest) > 1 else None)
    report["stage_wid"] = int(stage.winId())
    print("READY " + json.dumps(report), flush=True)
    timer = quit_when_stdin_closes(app)
    app.exec()
    del timer


if __name__ == "__main__":
    main()
