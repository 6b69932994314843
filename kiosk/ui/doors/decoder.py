"""QR decoding of camera frames on a worker thread (zxing-cpp), skipping frames while busy.

The camera delivers 30 frames a second; decoding one 720p frame takes a few milliseconds to a
few tens. The worker takes one frame at a time and every frame that arrives while it is busy is
dropped, so the GUI never queues up work and the answer is always about the latest frame. A
ticket held in front of the camera is seen in many frames: the same text seen again within
three seconds is ignored.

Only QR Code Model 2, the symbol every ticket is printed with, is read. zxing-cpp 3 made
`BarcodeFormat.QRCode` the whole QR family, Micro QR and rMQR included; a Micro QR M1 (up to
five digits, two codewords that only detect errors) is then found now and then in the finder
patterns and modules of a page of real tickets: "0780" and "04564" were read from four-up
ticket pages in two test runs, which at a door camera is a red "not a ticket" beside the
real one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import zxingcpp
from PySide6.QtGui import QImage

log = logging.getLogger(__name__)

REPEAT_WINDOW_S = 3.0


def ticket_symbol() -> zxingcpp.BarcodeFormat:
    """The symbol tickets are printed with: QR Code Model 2 (zxing-cpp 2's `QRCode`)."""
    return getattr(zxingcpp.BarcodeFormat, "QRCodeModel2", zxingcpp.BarcodeFormat.QRCode)


def decode_qr(image: QImage) -> list[str]:
    """Texts of the QR codes (Model 2) in a picture (grey conversion first: fewer bytes, same
    answer)."""
    if image.isNull():
        return []
    grey = (
        image
        if image.format() == QImage.Format.Format_Grayscale8
        else image.convertToFormat(QImage.Format.Format_Grayscale8)
    )
    # (built per call: a module-level nanobind object is reported as leaked at exit)
    formats = zxingcpp.BarcodeFormats(ticket_symbol())
    found = zxingcpp.read_barcodes(grey, formats=formats, try_invert=False)
    return [barcode.text for barcode in found if barcode.valid and barcode.text]


class RepeatSuppressor:
    """Lets a text through once, then ignores it while it keeps being seen within the window."""

    def __init__(
        self, window_s: float = REPEAT_WINDOW_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.window_s = window_s
        self._clock = clock
        self._last_seen: dict[str, float] = {}

    def accept(self, text: str) -> bool:
        """True if ``text`` was not seen in the last ``window_s`` seconds; remembers it."""
        now = self._clock()
        last = self._last_seen.get(text)
        self._last_seen[text] = now
        if len(self._last_seen) > 256:
            self._last_seen = {
                seen: moment
                for seen, moment in self._last_seen.items()
                if now - moment < self.window_s
            }
        return last is None or now - last >= self.window_s


class FrameDecoder:
    """One worker thread decoding the latest frame; frames arriving while it is busy are skipped.

    ``on_code`` is called on the worker thread with each new text (after repeat suppression);
    hand it to the GUI through a queued signal.
    """

    def __init__(
        self,
        on_code: Callable[[str], None],
        *,
        suppressor: RepeatSuppressor | None = None,
        decode: Callable[[QImage], list[str]] = decode_qr,
    ) -> None:
        self._on_code = on_code
        self._suppressor = suppressor or RepeatSuppressor()
        self._decode = decode
        self._condition = threading.Condition()
        self._pending: QImage | None = None
        self._busy = False
        self._stopped = False
        self.frames_decoded = 0
        self.frames_skipped = 0
        self._thread = threading.Thread(target=self._run, name="qr-decoder", daemon=True)
        self._thread.start()

    @property
    def busy(self) -> bool:
        """True while a frame is waiting or being decoded (the next one would be skipped)."""
        return self._busy or self._pending is not None

    def submit(self, image: QImage) -> bool:
        """Offer a frame; returns False (frame skipped) if the worker is still busy."""
        with self._condition:
            if self._stopped or self._busy or self._pending is not None:
                self.frames_skipped += 1
                return False
            self._pending = image
            self._condition.notify()
            return True

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until the worker has nothing to do (for tests and benchmarks)."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._busy or self._pending is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._condition.wait(left)
        return True

    def stop(self) -> None:
        """Finish the frame in hand and end the worker thread."""
        with self._condition:
            self._stopped = True
            self._condition.notify_all()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._condition:
                while self._pending is None and not self._stopped:
                    self._condition.wait()
                if self._stopped:
                    return
                image, self._pending = self._pending, None
                self._busy = True
            try:
                texts = self._decode(image) if image is not None else []
            except Exception:
                log.exception("QR decoding failed on a frame")
                texts = []
            for text in texts:
                if self._suppressor.accept(text):
                    try:
                        self._on_code(text)
                    except Exception:
                        log.exception("handling a decoded QR code failed")
            with self._condition:
                self._busy = False
                self.frames_decoded += 1
                self._condition.notify_all()
