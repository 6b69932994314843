"""The show report as one self-contained HTML file: inline CSS and SVG, no external assets.

It opens offline in any browser and prints on A4. Every piece of user data (film titles,
station names, reasons) is escaped: it is plain text here as everywhere else.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

from kiosk.core.report import ShowReport
from kiosk.render.report_layout import (
    Chart,
    Figures,
    Line,
    Marker,
    Palette,
    Paragraph,
    Rect,
    ReportLayout,
    Shape,
    Table,
    Text,
    layout_report,
)

log = logging.getLogger(__name__)

PT_TO_MM = 25.4 / 72

_CSS = f"""
:root {{ color-scheme: light; }}
body {{ margin: 0; background: #f3f4f6; color: {Palette.ink};
  font-family: "Noto Sans", "DejaVu Sans", "Noto Sans CJK TC", "Noto Sans TC",
  "PingFang TC", "Microsoft JhengHei", sans-serif; font-size: 14px; line-height: 1.45; }}
main {{ max-width: 1000px; margin: 0 auto; padding: 16px; background: #fff; }}
h1 {{ font-size: 24px; margin: 4px 0 0; }}
h1 .zh {{ display: block; font-size: 20px; font-weight: 600; }}
.sub {{ color: {Palette.muted}; margin: 4px 0 12px; }}
h2 {{ font-size: 18px; border-bottom: 2px solid {Palette.rule}; padding-bottom: 4px;
  margin: 24px 0 10px; }}
h2 .zh {{ color: {Palette.muted}; font-weight: 600; margin-left: 8px; }}
p.alert {{ color: {Palette.failed}; font-weight: 600; }}
.figures {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr));
  gap: 8px; margin: 10px 0; }}
.figure {{ border: 1px solid {Palette.rule}; border-radius: 6px; padding: 8px 10px; }}
.figure .value {{ font-size: 24px; font-weight: 700; }}
.figure.alert .value {{ color: {Palette.failed}; }}
.figure .label {{ color: {Palette.muted}; font-size: 12px; }}
.figure .label .zh {{ word-break: keep-all; }}  /* 分鐘 stays one word on a narrow card */
.scroll {{ overflow-x: auto; }}
table {{ border-collapse: collapse; width: 100%; min-width: 640px; margin: 8px 0;
  font-size: 13px; }}
th, td {{ text-align: left; padding: 4px 6px; border-bottom: 1px solid {Palette.grid};
  vertical-align: top; }}
th {{ font-weight: 700; border-bottom: 2px solid {Palette.rule}; white-space: nowrap; }}
th .zh {{ display: block; color: {Palette.muted}; font-weight: 600; }}
td.num, th.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
tr.alert td {{ color: {Palette.failed}; }}
td {{ white-space: pre-line; }}  /* a cell's second line: the Chinese, a trim */
p.muted {{ color: {Palette.muted}; font-size: 0.85em; white-space: pre-line; }}
p.alert {{ color: {Palette.failed}; font-weight: 700; }}
tr.muted td {{ color: {Palette.muted}; }}
figure {{ margin: 12px 0; }}
figure svg {{ width: 100%; min-width: 640px; height: auto; display: block; }}
figcaption {{ font-weight: 700; margin-bottom: 4px; }}
figcaption .zh {{ color: {Palette.muted}; margin-left: 6px; }}
.note {{ color: {Palette.muted}; font-size: 12px; }}
@media print {{ body {{ background: #fff; }} main {{ max-width: none; padding: 0; }} }}
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def svg_of(chart: Chart) -> str:
    """A chart as an inline SVG element (millimetre units in the viewBox)."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {chart.width:.2f} '
        f'{chart.height:.2f}" role="img" aria-label="{_e(chart.caption_en)}">'
    ]
    parts += [_svg_shape(shape) for shape in chart.shapes]
    parts.append("</svg>")
    return "".join(parts)


def _svg_shape(shape: Shape) -> str:
    title = ""
    match shape:
        case Rect():
            if shape.title:
                title = f"<title>{_e(shape.title)}</title>"
            fill = shape.fill or "none"
            stroke = f' stroke="{shape.stroke}" stroke-width="0.25"' if shape.stroke else ""
            opacity = f' fill-opacity="{shape.opacity:g}"' if shape.opacity < 1 else ""
            return (
                f'<rect x="{shape.x:.2f}" y="{shape.y:.2f}" width="{shape.w:.2f}" '
                f'height="{shape.h:.2f}" fill="{fill}"{stroke}{opacity}>{title}</rect>'
            )
        case Line():
            dash = ' stroke-dasharray="1 1"' if shape.dashed else ""
            return (
                f'<line x1="{shape.x1:.2f}" y1="{shape.y1:.2f}" x2="{shape.x2:.2f}" '
                f'y2="{shape.y2:.2f}" stroke="{shape.colour}" stroke-width="{shape.width:g}"'
                f"{dash}/>"
            )
        case Text():
            weight = ' font-weight="700"' if shape.bold else ""
            return (
                f'<text x="{shape.x:.2f}" y="{shape.y:.2f}" font-size="{shape.size * PT_TO_MM:.2f}"'
                f' fill="{shape.colour}" text-anchor="{shape.anchor}"{weight}>{_e(shape.text)}'
                "</text>"
            )
    if shape.title:
        title = f"<title>{_e(shape.title)}</title>"
    return f'<polygon points="{_marker_points(shape)}" fill="{shape.colour}">{title}</polygon>'


def _marker_points(marker: Marker) -> str:
    return " ".join(f"{px:.2f},{py:.2f}" for px, py in marker.points())


def _table(table: Table) -> str:
    def cls(index: int) -> str:
        return ' class="num"' if index in table.align_right else ""

    head = "".join(
        f'<th{cls(i)}>{_e(en)}<span class="zh">{_e(zh)}</span></th>'
        for i, (en, zh) in enumerate(table.headers)
    )
    body = []
    for number, row in enumerate(table.rows):
        tone = table.tones[number] if number < len(table.tones) else "normal"
        attr = f' class="{tone}"' if tone != "normal" else ""
        cells = "".join(f"<td{cls(i)}>{_e(cell)}</td>" for i, cell in enumerate(row))
        body.append(f"<tr{attr}>{cells}</tr>")
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def html_of(layout: ReportLayout) -> str:
    """The whole document."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(layout.title_en)}</title><style>{_CSS}</style></head><body><main>",
        f'<h1>{_e(layout.title_en)}<span class="zh" lang="zh-Hant">{_e(layout.title_zh)}</span>'
        "</h1>",
        f'<p class="sub">{_e(layout.subtitle)}<br>{_e(layout.made)}</p>',
    ]
    for section in layout.sections:
        out.append(
            f'<section><h2>{_e(section.heading_en)}<span class="zh" lang="zh-Hant">'
            f"{_e(section.heading_zh)}</span></h2>"
        )
        for block in section.blocks:
            match block:
                case Paragraph():
                    tone = f' class="{block.tone}"' if block.tone != "normal" else ""
                    out.append(f"<p{tone}>{_e(block.text)}</p>")
                case Figures():
                    items = "".join(
                        f'<div class="figure{" alert" if f.tone == "alert" else ""}">'
                        f'<div class="value">{_e(f.value)}</div>'
                        f'<div class="label">{_e(f.label_en)} · '
                        f'<span class="zh" lang="zh-Hant-HK">{_e(f.label_zh)}</span></div></div>'
                        for f in block.items
                    )
                    out.append(f'<div class="figures">{items}</div>')
                case Table():
                    out.append(_table(block))
                case Chart():
                    note = f'<div class="note">{_e(block.note)}</div>' if block.note else ""
                    out.append(
                        f"<figure><figcaption>{_e(block.caption_en)}"
                        f'<span class="zh">{_e(block.caption_zh)}</span></figcaption>'
                        f'<div class="scroll">{svg_of(block)}</div>{note}</figure>'
                    )
        out.append("</section>")
    out.append("</main></body></html>")
    return "\n".join(out)


def write_report_html(report: ShowReport, path: Path) -> None:
    """Write the report's HTML to `path` (through a temporary file: never half a report)."""
    partial = path.with_name(path.name + ".part")
    partial.write_text(html_of(layout_report(report)), encoding="utf-8")
    partial.replace(path)
    log.info("wrote %s", path)
