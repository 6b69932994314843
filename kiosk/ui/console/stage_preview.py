"""A small live picture of what the projector shows, for the operator's console.

Cards are painted from the stage window itself, at the preview's size; a film is snapshotted by
its libvlc player on a worker thread (libvlc may wait for the next picture) about twice a
second, so the preview costs little CPU and never stalls the show's event loop.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from kiosk.media.player import FilmPlayers
from kiosk.ui.common.tasks import TaskRunner
from kiosk.ui.common.theme import Colours, ui_font

log = logging.getLogger(__name__)

PREVIEW_WIDTH = 320
PREVIEW_EVERY_MS = 500


class _BlackState(Protocol):
    @property
    def black(self) -> bool: ...


@runtime_checkable
class _SlideStage(Protocol):
    @property
    def slide_image(self) -> QImage | None: ...


class PreviewSource(Protocol):
    """What the preview reads: the show's controller, or the award reveal's."""

    players: FilmPlayers
    on_stage: str | None  # the player slot whose picture is up, None while a card is

    @property
    def stage(self) -> object:
        """The projector window."""
        ...

    def snapshot(self) -> _BlackState:
        """The current state; only `black` is read."""
        ...


class StagePreview(QLabel):
    """A 16:9 picture of the projector, refreshed a couple of times a second.

    Signal: `refreshed()` each time a new picture is put up.
    """

    refreshed = Signal()

    def __init__(self, controller: PreviewSource, tasks: TaskRunner) -> None:
        super().__init__()
        self.controller = controller
        self._tasks = tasks
        self._busy = False
        self._folder = tempfile.TemporaryDirectory(
            prefix="kiosk-preview-",
            ignore_cleanup_errors=True,  # a snapshot may still be written
        )
        self._file = Path(self._folder.name) / "frame.png"
        self.setFixedSize(QSize(PREVIEW_WIDTH, PREVIEW_WIDTH * 9 // 16))
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("background: #000; border: 1px solid #444;")
        self.setFont(ui_font(9))
        self.setToolTip("What the projector shows now (updated twice a second)")
        self._timer = QTimer(self)
        self._timer.setInterval(PREVIEW_EVERY_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()

    def refresh(self) -> None:
        """Take a new picture of the stage."""
        if not self.isVisible():
            return
        controller = self.controller
        if controller.snapshot().black:
            stage = controller.stage
            slide = stage.slide_image if isinstance(stage, _SlideStage) else None
            # the difficulties slide is on the black curtain: show what the audience sees
            self._show(
                QPixmap.fromImage(slide) if slide is not None else self._blank("BLACK · 黑幕")
            )
            return
        slot = controller.on_stage
        if slot is None:
            self._grab_stage()
        elif not self._busy:
            self._busy = True
            players, path = controller.players, self._file

            def snapshot() -> QImage | None:  # the worker: libvlc writes, the PNG is read here
                if not players.snapshot(slot, path, PREVIEW_WIDTH) or not path.is_file():
                    return None
                image = QImage(str(path))
                return None if image.isNull() else image

            self._tasks.run(
                snapshot, lambda image: self._snapshot_done(slot, image), self._snapshot_failed
            )

    def _grab_stage(self) -> None:
        """Paint the stage's card into a preview-sized picture. Not `stage.grab()`: that paints
        all 1920x1080 pixels (the card's gradient alone was ~60 ms a time on the GUI thread under
        load) and then the picture has to be scaled down; painted through a scaled painter, the
        card's pixels are the preview's few."""
        stage = self.controller.stage
        if not isinstance(stage, QWidget) or stage.width() <= 0 or stage.height() <= 0:
            return
        size = stage.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        if size.isEmpty():
            return
        pixmap = QPixmap(size)
        pixmap.fill(QColor("#000"))
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.scale(size.width() / stage.width(), size.height() / stage.height())
        stage.render(painter, QPoint(0, 0))
        painter.end()
        self._show(pixmap)

    def _snapshot_done(self, slot: str, image: QImage | None) -> None:
        self._busy = False
        if self.controller.on_stage != slot:
            self.refresh()  # the show cut away while libvlc took it: show what is up now
        elif image is not None:
            self._show(QPixmap.fromImage(image))

    def _snapshot_failed(self, error: BaseException) -> None:
        self._busy = False
        log.debug("preview snapshot failed: %s", error)

    def _blank(self, text: str) -> QPixmap:
        pixmap = QPixmap(self.size())
        pixmap.fill(QColor("#000"))
        painter = QPainter(pixmap)
        painter.setPen(Colours.muted)
        painter.setFont(ui_font(10, bold=True))
        painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, text)
        painter.end()
        return pixmap

    def _show(self, pixmap: QPixmap) -> None:
        if pixmap.isNull():
            return
        fitted = pixmap.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        if fitted != pixmap.size():  # a card is painted at this size already
            pixmap = pixmap.scaled(
                fitted,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        self.setPixmap(pixmap)
        self.refreshed.emit()

    def stop(self) -> None:
        """Stop refreshing and delete the temporary picture."""
        self._timer.stop()
        self._folder.cleanup()
