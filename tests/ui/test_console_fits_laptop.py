"""The console fits a 1366x768 laptop in every banner state, the log panel included.

Offscreen for the geometry of each state (no banner, restored, a film failed, no sound, and
their combinations); then the worst states on a real 1366x768 Xvfb screen with openbox,
maximized, with a screenshot.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from kiosk.store.event_folder import EventFolder
from kiosk.ui.app import make_application, open_console
from kiosk.ui.console.window import ConsoleWindow
from tests.ui.banners import fail_current_film, hold_as_restored, lose_sound
from tests.ui.conftest import LAPTOP, LAPTOP_CLIENT_HEIGHT
from tests.xvfb import qt_child, requires_xvfb, screenshot, xvfb_display


def fits(window: ConsoleWindow) -> None:
    QApplication.processEvents()
    assert window.minimumSizeHint().height() <= LAPTOP_CLIENT_HEIGHT
    assert window.height() <= LAPTOP_CLIENT_HEIGHT
    log_view = window.log_view
    bottom = log_view.mapTo(window, QPoint(0, log_view.height())).y()
    assert log_view.isVisible() and log_view.height() >= 50
    assert bottom <= window.height(), "the log panel is cut off"


@pytest.mark.logs_errors
def test_the_console_fits_in_every_banner_state(laptop_console: ConsoleWindow) -> None:
    panel = laptop_console.show_panel
    assert panel is not None
    fits(laptop_console)  # no banner
    hold_as_restored(laptop_console)
    fits(laptop_console)  # restored
    assert panel.resume_banner.isVisible()
    fail_current_film(laptop_console)
    QApplication.processEvents()
    assert panel.alert.isVisible()
    fits(laptop_console)  # restored banner + film failure (it stays while the show is held)
    panel.resume_banner.hide()
    fits(laptop_console)  # film failure
    lose_sound(laptop_console)
    QApplication.processEvents()
    assert laptop_console.sound_banner.isVisible()
    fits(laptop_console)  # no sound + film failure
    hold_as_restored(laptop_console)
    fits(laptop_console)  # every banner at once: no sound, restored, film failure
    panel.resume_banner.hide()
    panel.alert.hide()
    fits(laptop_console)  # no sound alone


CHILD = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from PySide6.QtCore import QPoint, Qt, QTimer
    from kiosk.store.event_folder import EventFolder
    from kiosk.ui.app import make_application, open_console
    from tests.xvfb import quit_when_stdin_closes
    from tests.ui.banners import fail_current_film, hold_as_restored, lose_sound

    app = make_application()
    window, _ = open_console(EventFolder(Path(sys.argv[1])))
    window.showMaximized()
    if sys.argv[2] == "restored":
        hold_as_restored(window)
    elif sys.argv[2] == "sound":
        fail_current_film(window)
        lose_sound(window)
    else:
        fail_current_film(window)
    keep = quit_when_stdin_closes(app)

    def facts():
        log_view = window.log_view
        top_left = log_view.mapToGlobal(QPoint(0, 0))
        frame = window.frameGeometry()
        return {
            "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
            "log": [top_left.x(), top_left.y(), log_view.width(), log_view.height()],
            "alert": window.show_panel.alert.isVisible(),
            "banner": window.show_panel.resume_banner.isVisible(),
            "sound": window.sound_banner.isVisible(),
        }

    # report once openbox has maximized and focused the window and nothing has moved for
    # half a second (or after 15 s, whatever it looks like then: the test says what is wrong)
    seen, started = [], time.monotonic()

    def settle():
        managed = window.isActiveWindow() and bool(window.windowState() & Qt.WindowMaximized)
        seen.append(json.dumps(facts()) if managed else None)
        steady = len(seen) >= 5 and seen[-1] is not None and len(set(seen[-5:])) == 1
        if steady or time.monotonic() - started > 15:
            poll.stop()
            print("READY " + json.dumps(facts()), flush=True)

    poll = QTimer()
    poll.timeout.connect(settle)
    poll.start(100)
    app.exec()
    """
)


@pytest.fixture(scope="module")
def laptop_screen() -> Iterator[str]:
    """One real 1366x768 Xvfb screen with openbox for the module: each state's console child
    takes its window with it when it ends, so the next one starts on a bare screen."""
    with xvfb_display(*LAPTOP) as display:
        yield display


@requires_xvfb
@pytest.mark.slow
@pytest.mark.logs_errors
@pytest.mark.parametrize("state", ["restored", "failed", "sound"])
def test_the_console_fits_a_real_1366x768_screen(
    small_event: EventFolder, tmp_path: Path, laptop_screen: str, state: str
) -> None:
    event = str(small_event.root)
    with qt_child(laptop_screen, CHILD, event, state, KIOSK_VLC_AOUT="dummy") as (_, line):
        facts = json.loads(line.removeprefix("READY "))
        shot = screenshot(laptop_screen, tmp_path / f"console-1366x768-{state}.png")
    assert facts["banner"] if state == "restored" else facts["alert"], facts
    assert facts["sound"] == (state == "sound"), facts
    x, y, width, height = facts["frame"]
    assert x >= 0 and y >= 0 and x + width <= LAPTOP[0] and y + height <= LAPTOP[1], facts
    _, log_y, _, log_height = facts["log"]
    assert log_height >= 50 and log_y + log_height <= LAPTOP[1], facts
    assert shot.stat().st_size > 0


def test_every_tab_title_fits_a_1366_px_laptop(laptop_console: ConsoleWindow) -> None:
    """All nine tabs show their whole title (no scroll arrows hiding "Viewer's vote")."""
    QApplication.processEvents()
    bar = laptop_console.tabs.tabBar()
    assert laptop_console.tabs.count() == 9, [
        laptop_console.tabs.tabText(i) for i in range(laptop_console.tabs.count())
    ]
    needed = sum(bar.tabSizeHint(i).width() for i in range(bar.count()))
    assert needed <= laptop_console.tabs.width(), (needed, laptop_console.tabs.width())
    last = bar.tabRect(bar.count() - 1)
    assert last.right() <= bar.width(), (last, bar.width())


def test_programme_titles_keep_room_on_a_1366_px_laptop(
    qtbot: QtBot, demo_event: EventFolder
) -> None:
    """On the demo night the title column was squeezed to ~60 px ("The L… 最後…") by a
    220 px Preflight column."""
    from kiosk.core.preflight import FilmCheck
    from kiosk.ui.console.programme_model import COLUMNS

    make_application()
    window, _reporter = open_console(demo_event)
    qtbot.addWidget(window)
    window.resize(LAPTOP[0], LAPTOP_CLIENT_HEIGHT)
    window.show()
    qtbot.waitExposed(window)
    programme = window.programme
    checks = {  # what preflight measured on the real demo night (0:20 films)
        film.id: FilmCheck(
            film.id,
            film.file,
            True,
            duration_s=20.0,
            width=640,
            height=346,
            display_aspect=1.85,
            loudness_lufs=-12.8,
            gain_db=-10.2,
        )
        for film in programme.films
    }
    window.model.set_checks(checks)
    window.tabs.setCurrentIndex(1)
    QApplication.processEvents()
    table = window.table
    title = table.columnWidth(COLUMNS.index("Title / 片名"))
    assert title >= 140, {name: table.columnWidth(i) for i, name in enumerate(COLUMNS)}
    window.night.close()


def clipped_controls(window: ConsoleWindow) -> list[str]:
    """The current tab's controls that are not wholly on the screen: hidden behind a parent's
    edge (an inner scroll area, a layout squeezed) or squeezed below their own size hint."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractSlider,
        QAbstractSpinBox,
        QComboBox,
        QLineEdit,
        QScrollArea,
        QScrollBar,
    )

    QApplication.processEvents()
    page = window.tabs.currentWidget()
    controls = (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit)
    problems = []
    for widget in page.findChildren(QWidget):
        if not isinstance(widget, controls) or not widget.isVisibleTo(page):
            continue
        if isinstance(widget, QScrollBar) or widget.size().isEmpty():
            continue  # a document's own scroll bar; a table's unused corner button
        if widget.window() is not window:
            continue
        name = getattr(widget, "text", lambda: "")() or type(widget).__name__
        scroller = widget.parent()
        while scroller is not None and scroller is not page:
            inner = scroller.widget() if isinstance(scroller, QScrollArea) else None
            if (
                isinstance(scroller, QScrollArea)
                and inner is not None
                and (inner.height() > scroller.viewport().height())
            ):
                problems.append(f"{name}: inside a scrolling area")
                break
            scroller = scroller.parent()
        shown = widget.visibleRegion().boundingRect()
        if shown.size() != widget.size():
            problems.append(f"{name}: {shown.size().toTuple()} of {widget.size().toTuple()} shown")
        elif widget.height() < min(widget.minimumSizeHint().height(), 24):
            problems.append(f"{name}: squeezed to {widget.height()} px")
    return problems


BANNERS = {
    "none": (),
    "restored": (hold_as_restored,),
    "failed": (fail_current_film,),
    "no sound": (lose_sound,),
    "no sound + failed": (lose_sound, fail_current_film),
    "all": (lose_sound, hold_as_restored, fail_current_film),
}


@pytest.mark.logs_errors
@pytest.mark.parametrize("banners", list(BANNERS), ids=list(BANNERS))
def test_every_control_of_every_tab_shows_at_1366x768(
    laptop_console: ConsoleWindow, banners: str
) -> None:
    """Issue #23 item 4: Vol, Mute and Trim sat in an inner scroll area, the gain line was cut;
    with the no-sound banner half a row of sound buttons showed. Every tab, every banner."""
    for put_up in BANNERS[banners]:
        put_up(laptop_console)
    QApplication.processEvents()
    problems: dict[str, list[str]] = {}
    for index in range(laptop_console.tabs.count()):
        laptop_console.tabs.setCurrentIndex(index)
        found = clipped_controls(laptop_console)
        if found:
            problems[laptop_console.tabs.tabText(index)] = found
    fits(laptop_console)
    panel = laptop_console.show_panel
    assert panel is not None
    laptop_console.tabs.setCurrentIndex(0)
    QApplication.processEvents()
    gain = panel.gain_label
    assert gain.visibleRegion().boundingRect().size() == gain.size(), "the gain line is cut"
    assert panel.run_table.viewport().height() >= 4 * 26, "the run order shows under 4 rows"
    assert problems == {}, problems
