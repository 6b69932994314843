"""Paints the voting slide on the 1920x1080 design canvas: the call to vote in both languages
on the left, the QR code of the vote page (with its address) on the right, the countdown below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor

from kiosk.core import glossary
from kiosk.render.qr import qr_matrix
from kiosk.render.vote_card import VoteCard
from kiosk.ui.stage.typesetting import StageColours, stage_font

if TYPE_CHECKING:
    from kiosk.ui.stage.canvas import Canvas

_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_QR_SIDE = 560.0
_QR_LEFT = 1180.0
_QR_TOP = 170.0
_STEPS = (
    ("1", "用手機掃描二維碼", "Scan the QR code with your phone"),
    ("2", "輸入門票上的 8 位投票碼", "Enter the 8-character vote code on your ticket"),
    ("3", "選出你最喜愛的作品", "Choose your favourite film"),
)


def clock_text(seconds: float) -> str:
    """`m:ss` (or `h:mm:ss`), rounded up so the countdown shows 0:00 only at the end."""
    whole = int(-(-seconds // 1))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def paint_vote_card(painter: Canvas, card: VoteCard) -> None:
    """Draw the voting slide (the caller has scaled the painter to design units)."""
    kind = painter.type
    painter.festival_line(96)
    left = 150.0
    width = 900.0
    kind.text(
        QRectF(left, 170, width, 170),
        "觀眾票選獎",
        stage_font(140, serif=True, bold=True),
        StageColours.text,
        align=_LEFT,
    )
    kind.text(
        QRectF(left, 340, width, 100),
        "Viewer's Award",
        stage_font(84, serif=True),
        StageColours.soft,
        align=_LEFT,
    )
    kind.text(
        QRectF(left, 450, width, 60),
        f"{glossary.VOTE_OPEN.zh}  ·  {glossary.VOTE_OPEN.en}",
        stage_font(44, bold=True),
        StageColours.amber,
        align=_LEFT,
    )
    top = 540.0
    for number, zh, en in _STEPS:
        kind.text(QRectF(left, top, 70, 90), number, stage_font(64, bold=True), StageColours.amber)
        kind.text(QRectF(left + 90, top, width - 90, 50), zh, stage_font(40), StageColours.text,
                  align=_LEFT)  # fmt: skip
        kind.text(QRectF(left + 90, top + 48, width - 90, 40), en, stage_font(30),
                  StageColours.soft, align=_LEFT)  # fmt: skip
        top += 105
    _paint_qr(painter, card.url)
    remaining = card.remaining()
    if remaining is not None:
        kind.text(
            QRectF(left, 905, 640, 50),
            "投票將於以下時間後結束  ·  Voting closes in",
            stage_font(32),
            StageColours.soft,
            align=_LEFT,
        )
        kind.text(
            QRectF(left + 660, 870, 340, 120),
            clock_text(remaining),
            stage_font(110, tabular=True),
            StageColours.amber,
            align=_LEFT,
            min_pixels=60,
        )


def _paint_qr(painter: Canvas, url: str) -> None:
    """The QR code on a white square (so phones read it off a projector), the address under."""
    matrix = qr_matrix(url)
    p = painter.painter
    box = QRectF(_QR_LEFT, _QR_TOP, _QR_SIDE, _QR_SIDE)
    p.fillRect(box, Qt.GlobalColor.white)
    module = _QR_SIDE / matrix.size
    p.save()
    p.setRenderHint(p.RenderHint.Antialiasing, False)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(Qt.GlobalColor.black))
    p.drawRects(
        [
            QRectF(box.left() + column * module, box.top() + row * module, length * module, module)
            for row, column, length in matrix.dark_runs()
        ]
    )
    p.restore()
    painter.type.mark(box)
    painter.type.text(
        QRectF(_QR_LEFT - 80, _QR_TOP + _QR_SIDE + 16, _QR_SIDE + 160, 60),
        url.removeprefix("http://").rstrip("/"),
        stage_font(44, bold=True, tabular=True),
        StageColours.text,
    )
    painter.type.text(
        QRectF(_QR_LEFT - 80, _QR_TOP + _QR_SIDE + 76, _QR_SIDE + 160, 44),
        "場內 Wi-Fi，毋須上網  ·  On the venue Wi-Fi, no internet needed",
        stage_font(26),
        StageColours.muted,
    )
