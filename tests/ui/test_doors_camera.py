"""The camera path: QR tickets rendered by qrcode into video frames, decoded by zxing-cpp."""

from __future__ import annotations

import threading
import wave
from io import BytesIO
from pathlib import Path

import pytest
import zxingcpp
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtMultimedia import QVideoFrame
from pytestqt.qtbot import QtBot

from kiosk.core.checkin import Verdict
from kiosk.core.tickets import TicketCodec
from kiosk.ui.app import make_application
from kiosk.ui.doors.app import open_doors
from kiosk.ui.doors.camera import CameraInput
from kiosk.ui.doors.decoder import FrameDecoder, RepeatSuppressor, decode_qr
from kiosk.ui.doors.sounds import ASSET_SOUNDS_DIR, SOUNDS, SoundBoard, render_wav, sound_for
from tests.doors_helpers import make_event, qr_frame, seed_people

CODE = TicketCodec(b"c" * 32).issue(42)
# page 2 of a test event's four-up ticket PDF (pdftoppm at 150 dpi, scaled to 90 % by Qt),
# where zxing-cpp 3's QR family reads a Micro QR "4244" out of a real code's finder pattern
PHANTOM_PAGE = (
    Path(__file__).parents[1] / "data" / "tickets" / "four-up-page-with-a-phantom-micro-qr.png"
)
PAGE_CODES = [
    "AIFF-00050-ZM4CCFJPJ6BDK819",
    "AIFF-00060-Q7YC0F829CK9JEGB",
    "AIFF-00070-1CPWE5BBT96RWV0R",
]


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _app() -> None:
    make_application()


def test_decodes_a_rendered_ticket_in_a_720p_frame() -> None:
    assert decode_qr(qr_frame(CODE)) == [CODE]
    blank = QImage(1280, 720, QImage.Format.Format_RGB32)
    blank.fill(QColor("#6f6455"))
    assert decode_qr(blank) == []
    assert decode_qr(QImage()) == []


def test_other_members_of_the_qr_family_are_not_read_as_tickets() -> None:
    """Micro QR and rMQR are not tickets: zxing-cpp 3's `QRCode` reads them, and a Micro QR
    M1 ("0780", "04564") was found in pages of real tickets now and then (decoder.py)."""
    create = getattr(zxingcpp, "create_barcode", None)
    if create is None:
        pytest.skip("zxing-cpp 2 reads the other QR symbols only when asked, and cannot make them")
    frame = qr_frame(CODE)
    painter = QPainter(frame)
    for index, symbol in enumerate(
        (zxingcpp.BarcodeFormat.MicroQRCode, zxingcpp.BarcodeFormat.RMQRCode)
    ):
        drawn = memoryview(create("04564", symbol).to_image(scale=6))
        height, width = drawn.shape[:2] if drawn.shape else (0, 0)
        picture = QImage(bytes(drawn), width, height, width, QImage.Format.Format_Grayscale8)
        picture = picture.copy()  # its own pixels (the bytes above are a temporary)
        painter.fillRect(
            40, 40 + index * 260, picture.width() + 60, picture.height() + 60, QColor("white")
        )
        painter.drawImage(70, 70 + index * 260, picture)
    painter.end()
    everything = zxingcpp.read_barcodes(frame.convertToFormat(QImage.Format.Format_Grayscale8))
    assert sorted(str(found.format) for found in everything) == [
        "Micro QR Code",
        "QR Code",
        "rMQR Code",
    ]  # the frame really shows all three
    assert decode_qr(frame) == [CODE]


def test_a_page_of_real_tickets_gives_its_tickets_and_no_phantom() -> None:
    """The phantom as it was found (one of 3,600 scaled pages of 200 rendered events): the
    whole QR family reads a fourth, 4-digit code; the door's decoder only the three tickets."""
    page = QImage(str(PHANTOM_PAGE))
    assert not page.isNull()
    if hasattr(zxingcpp.BarcodeFormat, "QRCodeModel2"):  # zxing-cpp 3: QRCode is the family
        family = zxingcpp.read_barcodes(
            page, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
        )
        assert sorted((str(found.format), found.text) for found in family) == [
            ("Micro QR Code", "4244"),
            *(("QR Code", code) for code in PAGE_CODES),
        ]
    assert sorted(decode_qr(page)) == PAGE_CODES


def test_worker_suppresses_the_same_code_within_three_seconds() -> None:
    clock = FakeClock()
    seen: list[str] = []
    decoder = FrameDecoder(seen.append, suppressor=RepeatSuppressor(3.0, clock))
    try:
        frame = qr_frame(CODE)
        for advance in (0.0, 1.0, 1.9, 2.9):  # held up to the camera: seen again and again
            clock.now += advance
            assert decoder.submit(frame)
            assert decoder.wait_idle()
        assert seen == [CODE]
        clock.now += 3.5  # taken away and shown again later
        decoder.submit(frame)
        decoder.wait_idle()
        assert seen == [CODE, CODE]
        other = TicketCodec(b"c" * 32).issue(43)
        decoder.submit(qr_frame(other))
        decoder.wait_idle()
        assert seen[-1] == other
    finally:
        decoder.stop()


def test_frames_arriving_while_busy_are_skipped() -> None:
    gate = threading.Event()
    started = threading.Event()

    def slow_decode(image: QImage) -> list[str]:
        started.set()
        gate.wait(5)
        return [CODE]

    seen: list[str] = []
    decoder = FrameDecoder(seen.append, decode=slow_decode)
    try:
        frame = qr_frame(CODE)
        assert decoder.submit(frame)
        assert started.wait(5)
        assert [decoder.submit(frame) for _ in range(5)] == [False] * 5
        assert decoder.frames_skipped == 5
        gate.set()
        assert decoder.wait_idle()
        assert seen == [CODE] and decoder.frames_decoded == 1
    finally:
        gate.set()
        decoder.stop()


def test_camera_frames_admit_through_the_window(qtbot: QtBot, tmp_path: Path) -> None:
    folder = make_event(tmp_path / "event")
    people = seed_people(folder)
    window = open_doors(folder, "Door 3", with_camera=False, with_sound=False)
    qtbot.addWidget(window)
    camera = CameraInput()
    window.context.camera = camera
    camera.code_seen.connect(lambda text: window.handle_code(text, "camera"))
    try:
        frame = QVideoFrame(qr_frame(people[0].code))
        with qtbot.waitSignal(window.answered, timeout=5000):
            camera.handle_frame(frame)
        assert window.last_result is not None
        assert window.last_result.verdict is Verdict.ADMITTED
        assert window.last_result.method == "camera" and window.last_result.name == "陳大文"
        # the same ticket still in view: no second (amber) verdict
        camera.decoder.wait_idle()
        camera.handle_frame(frame)
        camera.decoder.wait_idle()
        qtbot.wait(50)
        assert window.repo.figures().checked_in == 1
        assert window.context.sounds.played == ["admitted"]
    finally:
        camera.shutdown()


def test_verdict_sounds_are_distinct_short_wavs(tmp_path: Path) -> None:
    rendered = {name: render_wav(spec) for name, spec in SOUNDS.items()}
    assert len(set(rendered.values())) == len(SOUNDS)
    for name, data in rendered.items():
        with wave.open(BytesIO(data)) as sound:
            seconds = sound.getnframes() / sound.getframerate()
            assert sound.getnchannels() == 1 and 0.2 < seconds < 0.7, name
        assert (ASSET_SOUNDS_DIR / f"{name}.wav").read_bytes() == data  # shipped = generated
    assert {sound_for(v) for v in Verdict} == set(SOUNDS)
    board = SoundBoard(tmp_path / "sounds")  # no audio device in tests: silent, no error
    board.play(Verdict.ADMITTED)
    assert board.played == ["admitted"]
