"""Screenshots of the whole console on the demo night, under Xvfb, for people to look at.

    .venv/bin/python -m tests.console_tour [--event DIR] [--out build/screenshots/tour]

Builds the demo night with `main.py demo` if DIR has none (a fresh copy is used for each
laptop size, so the night's journal starts clean), then for a 1366x768 and a 1920x1080 laptop,
each beside a 1920x1080 projector monitor (RandR monitors on one Xvfb screen, openbox), opens
the real console and stage (real libvlc) and writes:

    <out>/<laptop>/console-<tab>.png       every tab of the console
    <out>/<laptop>/console-show-film.png   the Show tab while a film plays
    <out>/<laptop>/projector-film.png      the projector during a film
    <out>/<laptop>/projector-difficulties.png   the projector on the difficulties slide
    <out>/<laptop>/console-beside-projector.png the console and the projector side by side
                                                (the projector scaled to the laptop's height)
    <out>/<laptop>/console-reveal-passphrase.png, console-reveal.png   the award reveal: the
                                                passphrase dialog, the Awards tab at the winner
    <out>/<laptop>/projector-reveal-{category,nominees,envelope,winner}.png   its cards
    <out>/<laptop>/door-ready.png, door-welcome.png, door-already.png, door-invalid.png
                                                an usher's check-in window on the laptop screen:
                                                ready, then a ticket scanned (real X key events),
                                                the same ticket again, a code of no event

`--laptops 1366x768` tours one laptop size only (`make screenshots` does, for the manual).

The reveal runs on a second copy of the night (it starts only at the holding slide), opened with
the demo's published passphrase. The console runs in a child process that prints
`SHOT <name> <console|projector|both>` when its screen is ready and waits for a line on stdin;
this process takes the picture with ImageMagick (the X server's real pixels, film frames
included) and crops the monitor.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

from tests.line_child import LineChild
from tests.xvfb import Monitor, qt_child, qt_env, screenshot, xvfb_display

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
PROJECTOR_SIZE = (1920, 1080)
LAPTOPS = ((1366, 768), (1920, 1080))
DOOR_CHILD = ROOT / "tests" / "ui" / "doors_child.py"  # built as `python main.py doors` builds it
NOT_A_TICKET = "AIFF-99999-NOTAREALTICKET0"
ATTENDEES_JSON = ("attendees", "list", "--json")
DOOR_SETTLE_S = 2.0  # the door window going full screen before the first picture
REPEAT_GAP_S = 2.5  # the same code again within 2 s is one scan (a double read), not "already in"

# Each console child is this head, its own `steps()` (a generator of waits in ms, taking
# pictures with `shot`), and this tail that walks the steps on the Qt event loop.
CONSOLE_HEAD = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from kiosk.core.show import ShowPhase
    from kiosk.services.demo import DEMO_PASSPHRASE
    from kiosk.store.event_folder import EventFolder
    from kiosk.ui.app import make_application, open_console

    app = make_application()
    folder = EventFolder(Path(sys.argv[1]))
    lock = folder.event_lock("the console")
    lock.acquire()
    window, _ = open_console(folder)
    window.showMaximized()
    window.activateWindow()
    night = window.night
    tabs = window.tabs

    def shot(name, monitor):
        print(f"SHOT {name} {monitor}", flush=True)
        sys.stdin.readline()

    def done():
        print("DONE", flush=True)
        # quitting mid-show would (rightly) ask "Close the console during the show?"
        night.close()
        os._exit(0)
    """
)
CONSOLE_TAIL = textwrap.dedent(
    """
    walk = steps()

    def advance():
        try:
            QTimer.singleShot(next(walk), advance)
        except StopIteration:
            pass

    QTimer.singleShot(0, advance)
    app.exec()
    """
)

# Every tab, then GO: the title card, the first film, the difficulties slide.
CHILD = (
    CONSOLE_HEAD
    + textwrap.dedent(
        """
        def steps():
            yield 2500
            for index in range(tabs.count()):
                tabs.setCurrentIndex(index)
                yield 1200
                title = tabs.tabText(index).split(" · ")[0].split(" /")[0]
                slug = title.lower().replace("'", "").replace(" ", "-")
                shot(f"console-{slug}", "console")
            tabs.setCurrentIndex(0)
            shot("projector-holding", "projector")
            window.activateWindow()
            QTest.keyClick(window, Qt.Key.Key_Space)  # GO: the title card, then film 1 by itself
            yield 1500
            shot("projector-title-card", "projector")
            for _ in range(200):
                snap = night.show.snapshot()
                if snap.phase is ShowPhase.FILM and (snap.film_elapsed_s or 0) > 3:
                    break
                yield 100
            shot("projector-film", "projector")
            shot("console-show-film", "console")
            shot("console-beside-projector", "both")
            QTest.keyClick(window, Qt.Key.Key_T)  # the difficulties slide, through the key map
            yield 1500
            shot("projector-difficulties", "projector")
            shot("console-show-difficulties", "console")
            done()
        """
    )
    + CONSOLE_TAIL
)

# The award reveal on a fresh copy of the night (it starts only at the holding slide or the end
# card): F8, the demo's passphrase typed into the console's dialog, then GO until each kind of
# projector card has been shown once.
REVEAL_CHILD = (
    CONSOLE_HEAD
    + textwrap.dedent(
        """
        WANTED = {
            "category": "projector-reveal-category",
            "nominees": "projector-reveal-nominees",
            "envelope": "projector-reveal-envelope",
            "winner": "projector-reveal-winner",
        }

        def steps():
            yield 2500
            tabs.setCurrentIndex(
                next(i for i in range(tabs.count()) if tabs.tabText(i).startswith("Awards"))
            )
            yield 1000
            QTest.keyClick(window, Qt.Key.Key_F8)
            dialog = None
            for _ in range(100):
                dialog = QApplication.activeModalWidget()
                if dialog is not None and hasattr(dialog, "fields"):
                    break
                yield 100
            for field in dialog.fields:
                field.setText(DEMO_PASSPHRASE)
            yield 500
            shot("console-reveal-passphrase", "console")
            dialog.open_seal()
            for _ in range(300):
                if night.reveal is not None:
                    break
                yield 100
            window.activateWindow()
            for _ in range(16):
                if not WANTED:
                    break
                QTest.keyClick(window, Qt.Key.Key_Space)  # GO: the next step
                yield 2500  # past the GO guard; the winner card animates in over 1.5 s
                current = night.reveal.machine.snapshot().current
                name = WANTED.pop(current.kind.value, None) if current is not None else None
                if name is not None:
                    shot(name, "projector")
                    if current.kind.value == "winner":
                        shot("console-reveal", "console")
            done()
        """
    )
    + CONSOLE_TAIL
)


def build_demo(event: Path) -> None:
    """`main.py demo` into `event` (the real demo night: 35 films, registrations, results)."""
    print(f"building the demo night in {event} …", file=sys.stderr)
    subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--event", str(event), "demo"],
        env={**qt_env(":0"), "QT_QPA_PLATFORM": "offscreen"},
        check=True,
    )


def crop(source: Path, target: Path, monitor: Monitor) -> None:
    subprocess.run(
        [
            "convert",
            str(source),
            "-crop",
            f"{monitor.width}x{monitor.height}+{monitor.x}+{monitor.y}",
            "+repage",
            str(target),
        ],
        check=True,
    )


def side_by_side(source: Path, target: Path, console: Monitor, projector: Monitor) -> None:
    """The console and the projector in one picture, the projector scaled to the console's
    height (as a person sees the two screens on the booth's table)."""
    subprocess.run(
        [
            "convert",
            "(",
            str(source),
            "-crop",
            f"{console.width}x{console.height}+{console.x}+{console.y}",
            "+repage",
            ")",
            "(",
            str(source),
            "-crop",
            f"{projector.width}x{projector.height}+{projector.x}+{projector.y}",
            "+repage",
            "-resize",
            f"x{console.height}",
            ")",
            "+append",
            str(target),
        ],
        check=True,
    )


def tour(event: Path, out: Path, laptop: tuple[int, int]) -> list[Path]:
    """Every screenshot for one laptop size; returns the PNGs written."""
    console = Monitor("CONSOLE", *laptop)
    projector = Monitor("PROJECTOR", *PROJECTOR_SIZE, x=laptop[0])
    folder = out / f"{laptop[0]}x{laptop[1]}"
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="tour-") as work:
        width = laptop[0] + PROJECTOR_SIZE[0]
        height = max(laptop[1], PROJECTOR_SIZE[1])
        with xvfb_display(width, height, monitors=[console, projector]) as display:
            shots = Shots(display, folder, console, projector, Path(work))
            for script, copy in ((CHILD, "event"), (REVEAL_CHILD, "event-reveal")):
                night = Path(work) / copy
                shutil.copytree(event, night)
                written += run_console(script, night, shots)
            written += door_tour(display, Path(work) / "event", folder, console, Path(work))
    return written


@dataclass(frozen=True)
class Shots:
    """Where the pictures are taken (the Xvfb display and its two monitors) and where they go."""

    display: str
    folder: Path
    console: Monitor
    projector: Monitor
    work: Path

    def take(self, name: str, where: str) -> Path:
        """The display's pixels now, cropped to the console, the projector, or both."""
        whole = screenshot(self.display, self.work / "whole.png")
        target = self.folder / f"{name}.png"
        if where == "both":
            side_by_side(whole, target, self.console, self.projector)
        else:
            crop(whole, target, self.console if where == "console" else self.projector)
        print(f"  {target}", file=sys.stderr)
        return target


def run_console(script: str, night: Path, shots: Shots) -> list[Path]:
    """Run one console child on `night`; a picture for each `SHOT name where` it prints."""
    env = qt_env(shots.display, KIOSK_VLC_AOUT="dummy", KIOSK_VLC_VOUT="xcb_x11")
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(night)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert child.stdout is not None and child.stdin is not None
    written: list[Path] = []
    try:
        for line in child.stdout:
            if line.startswith("DONE"):
                break
            if not line.startswith("SHOT "):
                continue
            _, name, where = line.split()
            written.append(shots.take(name, where))
            child.stdin.write("next\n")
            child.stdin.flush()
        child.stdin.close()
        child.wait(20)
    except subprocess.TimeoutExpired:
        log.warning("the console did not close within 20 s after the tour; killed")
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
    return written


def a_ticket_code(event: Path) -> str:
    """The code of a valid ticket whose holder is not in yet (`attendees list --json`)."""
    listed = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--event", str(event), *ATTENDEES_JSON],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        check=True,
    )
    for attendee in json.loads(listed.stdout):
        if attendee["code"] and not attendee["checked_in"]:
            return str(attendee["code"])
    raise RuntimeError(f"no valid ticket left to scan in {event}")


def scanner_types(display: str, text: str) -> None:
    """A keyboard-wedge scanner on the X server: the code key by key, then Return."""
    for args in (("type", "--delay", "12", text), ("key", "Return")):
        subprocess.run(
            ["xdotool", *args], env=qt_env(display), check=True, timeout=30, capture_output=True
        )


def door_tour(display: str, event: Path, folder: Path, console: Monitor, work: Path) -> list[Path]:
    """The usher's check-in window, full screen on the laptop: ready, then one ticket scanned
    (admitted), the same ticket again (already in) and a code of no event (not valid)."""
    code = a_ticket_code(event)
    scans = (
        ("door-ready", None),
        ("door-welcome", code),
        ("door-already", code),
        ("door-invalid", NOT_A_TICKET),
    )
    written: list[Path] = []
    with qt_child(display, DOOR_CHILD.read_text(encoding="utf-8"), str(event), "Door 1") as ready:
        door = LineChild(ready[0], display)
        door.start_reading()
        for name, typed in scans:
            if typed is None:
                time.sleep(DOOR_SETTLE_S)
            else:
                time.sleep(REPEAT_GAP_S)
                scanner_types(display, typed)
                door.expect("ANSWER", 30)
                door.expect("PAINTED", 30)  # the verdict is on the X server now
            target = folder / f"{name}.png"
            crop(screenshot(display, work / "door.png"), target, console)
            written.append(target)
            print(f"  {target}", file=sys.stderr)
    return written


def laptop_sizes(text: str) -> tuple[tuple[int, int], ...]:
    """`1366x768,1920x1080` → ((1366, 768), (1920, 1080))."""
    sizes = []
    for item in text.split(","):
        width, _, height = item.strip().partition("x")
        if not (width.isdigit() and height.isdigit()):
            raise argparse.ArgumentTypeError(f"{item!r} is not a size like 1366x768")
        sizes.append((int(width), int(height)))
    return tuple(sizes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--event", type=Path, default=ROOT / "build" / "tour-demo")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "screenshots" / "tour")
    parser.add_argument(
        "--laptops",
        type=laptop_sizes,
        default=LAPTOPS,
        help="laptop sizes to tour, e.g. 1366x768 or 1366x768,1920x1080 (default: both)",
    )
    args = parser.parse_args()
    if not (args.event / "event.toml").exists():
        build_demo(args.event)
    for laptop in args.laptops:
        print(f"{laptop[0]}x{laptop[1]} laptop + projector:", file=sys.stderr)
        tour(args.event, args.out, laptop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
