"""A small live picture of what the projector shows, for the operator's console.

Cards are grabbed from the stage window itself; a film is snapshotted by its libvlc player on a
worker thread (libvlc may wait for the next picture) about twice a second, so the preview costs
little CPU and never stalls the show's event loop.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QSize, Qt, QTimer, Signal
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
            self._tasks.run(
                lambda: players.snapshot(slot, path, PREVIEW_WIDTH),
                self._snapshot_done,
                self._snapshot_failed,
            )

    def _grab_stage(self) -> None:
        stage = self.controller.stage
        if not isinstance(stage, QWidget):
            return
        pixmap = stage.grab()
        if pixmap.isNull() or pixmap.width() == 0:
            return
        self._show(pixmap)

    def _snapshot_done(self, ok: object) -> None:
        self._busy = False
        if ok and self._file.is_file():
            self._show(QPixmap(str(self._file)))

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
        self.setPixmap(
            pixmap.scaled(
                self.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        self.refreshed.emit()

    def stop(self) -> None:
        """Stop refreshing and delete the temporary picture."""
        self._timer.stop()
        self._folder.cleanup()
