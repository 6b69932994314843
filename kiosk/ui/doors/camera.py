"""Webcam input: Qt Multimedia frames to the QR decoder worker, codes back on the GUI thread."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QCamera, QMediaCaptureSession, QMediaDevices, QVideoFrame
from PySide6.QtMultimediaWidgets import QVideoWidget

from kiosk.ui.doors.decoder import FrameDecoder, RepeatSuppressor

log = logging.getLogger(__name__)


class CameraInput(QObject):
    """Feeds camera frames to a :class:`FrameDecoder`; emits :attr:`code_seen` on the GUI thread.

    The preview widget's own video sink is tapped, so the usher sees what the camera sees and
    the decoder gets the same frames. Frames that arrive while the decoder is busy are dropped
    before they are even converted.
    """

    code_seen = Signal(str)
    state_changed = Signal(bool, str)  # running, a bilingual line for the screen

    def __init__(
        self, suppressor: RepeatSuppressor | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.decoder = FrameDecoder(self.code_seen.emit, suppressor=suppressor)
        self._session = QMediaCaptureSession(self)
        self._camera: QCamera | None = None
        self._preview: QVideoWidget | None = None

    @staticmethod
    def available() -> bool:
        """True if the computer has a camera Qt can open."""
        return bool(QMediaDevices.videoInputs())

    @property
    def running(self) -> bool:
        """True while frames are being captured."""
        return self._camera is not None and self._camera.isActive()

    def start(self, preview: QVideoWidget) -> bool:
        """Open the default camera into ``preview``; False (with a message) if there is none."""
        if self._camera is not None:
            return True
        device = QMediaDevices.defaultVideoInput()
        if device.isNull():
            self.state_changed.emit(False, "No camera found / 找不到鏡頭")
            log.info("no camera: QR scanning by camera is off")
            return False
        camera = QCamera(device, self)
        camera.errorOccurred.connect(self._on_error)
        self._session.setCamera(camera)
        self._session.setVideoOutput(preview)
        preview.videoSink().videoFrameChanged.connect(self.handle_frame)
        self._camera, self._preview = camera, preview
        camera.start()
        self.state_changed.emit(True, f"Camera on / 鏡頭已開啟 ({device.description()})")
        log.info("camera %s started", device.description())
        return True

    def stop(self) -> None:
        """Close the camera (the decoder stays ready)."""
        if self._camera is None:
            return
        if self._preview is not None:
            self._preview.videoSink().videoFrameChanged.disconnect(self.handle_frame)
        self._camera.stop()
        self._session.setCamera(None)  # type: ignore[arg-type]
        self._camera.deleteLater()
        self._camera = None
        self.state_changed.emit(False, "Camera off / 鏡頭已關閉")

    def shutdown(self) -> None:
        """Stop the camera and the decoder thread."""
        self.stop()
        self.decoder.stop()

    def handle_frame(self, frame: QVideoFrame) -> None:
        """One camera frame: converted and decoded only if the worker is free."""
        if self.decoder.busy or not frame.isValid():
            self.decoder.frames_skipped += 1
            return
        self.handle_image(frame.toImage())

    def handle_image(self, image: QImage) -> bool:
        """Offer a picture to the decoder (the camera path minus the camera, for tests)."""
        return self.decoder.submit(image)

    def _on_error(self, error: QCamera.Error, text: str) -> None:
        log.warning("camera error %s: %s", error, text)
        self.state_changed.emit(False, f"Camera problem / 鏡頭故障: {text}")
