"""The projector's voting slide: its QR code really reads as the vote page's address, the
countdown moves, and on a real 1920x1080 X screen (Xvfb, `stage-preview --card vote`) the
stage shows it fullscreen."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QImage

from kiosk.render.vote_card import VoteCard
from kiosk.store.event_folder import EventFolder
from kiosk.ui.doors.decoder import decode_qr
from kiosk.ui.stage.card_view import render_card
from kiosk.ui.stage.vote_painter import clock_text
from tests.ui.pixels import changed_pixels
from tests.xvfb import screenshot, xvfb_display

pytestmark = pytest.mark.usefixtures("qt_painting")  # fonts and painting need the QApplication

URL = "http://192.168.1.23:8080/"
ROOT = Path(__file__).resolve().parents[2]


def test_the_qr_code_reads_as_the_vote_address(demo_event: EventFolder, tmp_path: Path) -> None:
    config = demo_event.load_config()
    card = VoteCard.counting(config, URL, 600, clock=lambda: 0)
    image = render_card(card, QSize(1920, 1080)).image
    image.save(str(tmp_path / "vote-slide.png"))
    assert decode_qr(image) == [URL]
    small = render_card(card, QSize(1366, 768)).image  # a smaller projector still scans
    assert decode_qr(small) == [URL]


def test_the_countdown_moves(demo_event: EventFolder) -> None:
    config = demo_event.load_config()
    now = [0.0]
    card = VoteCard.counting(config, URL, 600, clock=lambda: now[0])
    assert card.live and card.remaining() == 600
    first = render_card(card, QSize(1920, 1080)).image
    now[0] = 61
    later = render_card(card, QSize(1920, 1080)).image
    countdown = QRect(810, 870, 340, 120)
    assert len(changed_pixels(first, later, countdown)) > 200
    assert len(changed_pixels(first, later, QRect(1180, 170, 560, 560))) == 0  # QR unchanged
    now[0] = 10_000
    assert card.remaining() == 0
    assert VoteCard.counting(config, URL, None).live is False


def test_clock_text() -> None:
    assert clock_text(600) == "10:00"
    assert clock_text(59.2) == "1:00"
    assert clock_text(0) == "0:00"
    assert clock_text(3725) == "1:02:05"


@pytest.mark.slow
def test_the_slide_on_a_real_1920x1080_screen(demo_event: EventFolder, tmp_path: Path) -> None:
    with xvfb_display(1920, 1080) as display:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        env["KIOSK_VOTE_URL"] = URL
        env.pop("WAYLAND_DISPLAY", None)
        preview = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "--event", str(demo_event.root),
             "stage-preview", "--card", "vote", "--seconds", "6"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            # look until the slide is up (not a fixed 4 s: a loaded machine starts slower)
            deadline = time.monotonic() + 30
            while True:
                shot = screenshot(display, tmp_path / "vote-slide-xvfb.png")
                image = QImage(str(shot))
                if decode_qr(image) == [URL] or preview.poll() is not None:
                    break
                assert time.monotonic() < deadline, "the voting slide never came up"
                time.sleep(0.3)
        finally:
            _out, err = preview.communicate(timeout=30)
        assert preview.returncode == 0, err
    assert (image.width(), image.height()) == (1920, 1080)
    assert decode_qr(image) == [URL]
    print(f"\nvoting slide on Xvfb: {shot}")
