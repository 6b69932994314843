"""Where the console writes tickets: a PDF for printing and/or PNGs (with a mail-merge file)
for e-mail, one or four per page."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from kiosk.ui.common.theme import Colours, text_label


class RenderTicketsDialog(QDialog):
    """Where to write tickets: a PDF for printing and/or PNGs for e-mail."""

    def __init__(self, out: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Render tickets · 製作門票")
        self.resize(640, 240)
        layout = QFormLayout(self)
        self.pdf_path = QLineEdit(str(out / "tickets.pdf"))
        self.png_dir = QLineEdit(str(out / "png"))
        layout.addRow("PDF (A4, to print) 列印用", self._with_browse(self.pdf_path, folder=False))
        layout.addRow("PNGs (to e-mail) 電郵用", self._with_browse(self.png_dir, folder=True))
        per_page = QHBoxLayout()
        self.four_per_page = QRadioButton("4 per page, with cut marks")
        self.one_per_page = QRadioButton("1 per page")
        self.four_per_page.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.four_per_page)
        group.addButton(self.one_per_page)
        per_page.addWidget(self.four_per_page)
        per_page.addWidget(self.one_per_page)
        per_page.addStretch(1)
        layout.addRow("Layout 版面", per_page)
        layout.addRow(
            text_label(
                "Leave a field empty to skip it. PNGs come with mail-merge.csv "
                "(name, e-mail, code, PNG file).",
                9,
                colour=Colours.muted.name(),
            )
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Render 製作")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)

    def _with_browse(self, line: QLineEdit, *, folder: bool) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(line, 1)
        browse = QPushButton("Browse…")

        def choose() -> None:
            if folder:
                chosen = QFileDialog.getExistingDirectory(self, "PNG folder", line.text())
            else:
                chosen, _ = QFileDialog.getSaveFileName(self, "PDF file", line.text(), "*.pdf")
            if chosen:
                line.setText(chosen)

        browse.clicked.connect(choose)
        row.addWidget(browse)
        return box

    def choice(self) -> tuple[Path | None, Path | None, int]:
        """The PDF path, the PNG folder (None when left empty) and tickets per page."""
        pdf = Path(self.pdf_path.text().strip()) if self.pdf_path.text().strip() else None
        png = Path(self.png_dir.text().strip()) if self.png_dir.text().strip() else None
        return pdf, png, 4 if self.four_per_page.isChecked() else 1
