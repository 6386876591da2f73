"""The deck as PDF (reportlab), page for page like the PPTX, with DejaVu Sans embedded for Cyrillic."""
from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, KeepInFrame, Paragraph, Table, TableStyle
from xml.sax.saxutils import escape

from report.slides import Deck, Slide
from ui.i18n import t

FONTS = Path("/usr/share/fonts/truetype/dejavu")
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
PAGE = (13.333 * inch, 7.5 * inch)
GREY = colors.HexColor("#666666")


def register_fonts() -> None:
    """DejaVu Sans from Debian's fonts-dejavu-core (reportlab's own fonts have no Cyrillic)."""
    for name in (REGULAR, BOLD):
        path = FONTS / f"{name}.ttf"
        if not path.is_file():
            raise RuntimeError(f"{path} is missing: install the Debian package fonts-dejavu-core")
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(path)))


def _style(size: float, font: str = REGULAR, color=colors.black, after: float = 0) -> ParagraphStyle:
    return ParagraphStyle(f"s{size}{font}", fontName=font, bulletFontName=font, fontSize=size, leading=size * 1.25,
                          textColor=color, spaceAfter=after)


def _line(c: Canvas, text: str, x: float, y: float, size: float, font: str = REGULAR, color=colors.black):
    c.setFont(font, size)
    c.setFillColor(color)
    c.drawString(x, y, text)


def _table(frame, width: float) -> Table:
    cell = _style(8.5)
    head = _style(8.5, BOLD)
    data = [[Paragraph(escape(str(v)), head) for v in frame.columns]]
    data += [[Paragraph(escape(str(v)), cell) for v in row] for row in frame.itertuples(index=False)]
    # columns as wide as their longest text (within bounds), so a label column gets the room it needs
    need = [min(max([len(str(c))] + [len(str(v)) for v in frame[c]]), 28) + 4 for c in frame.columns]
    table = Table(data, colWidths=[width * n / sum(need) for n in need], repeatRows=1)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR),
                               ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#BBBBBB")),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return table


def _slide(c: Canvas, s: Slide, image: bytes | None, n: int, total: int, lang: str) -> None:
    w, h = PAGE
    _line(c, s.title, 0.4 * inch, h - 0.7 * inch, 22, BOLD)
    _line(c, s.filters, 0.4 * inch, h - 1.05 * inch, 11, color=GREY)
    left_w = 12.5 * inch if image is None and s.table is None else 4.7 * inch
    bullets = [Paragraph("• " + escape(f.text), _style(13, after=8)) for f in s.findings]
    top = h - 1.3 * inch
    text_h = 2.9 * inch if s.wide_table else 5.2 * inch
    Frame(0.4 * inch, top - text_h, left_w, text_h, showBoundary=0).addFromList(
        [KeepInFrame(left_w, text_h, bullets, mode="shrink")], c)
    x = 5.3 * inch
    if s.wide_table:    # findings and chart on the left, the table on the whole right
        if image is not None:
            c.drawImage(ImageReader(io.BytesIO(image)), 0.4 * inch, 0.9 * inch, left_w, top - text_h - 1.0 * inch,
                        preserveAspectRatio=True, anchor="n")
    elif image is not None:
        c.drawImage(ImageReader(io.BytesIO(image)), x, top - 3.3 * inch, 7.6 * inch, 3.3 * inch,
                    preserveAspectRatio=True, anchor="nw")
        top -= 3.4 * inch
    if s.table is not None and len(s.table.columns):
        height = top - 0.8 * inch
        Frame(x, 0.8 * inch, 7.6 * inch, height, showBoundary=0, leftPadding=0, rightPadding=0).addFromList(
            [KeepInFrame(7.6 * inch, height, [_table(s.table, 7.6 * inch)], mode="shrink")], c)
    if s.note:
        Frame(0.4 * inch, 0.2 * inch, 10.5 * inch, 0.6 * inch, showBoundary=0).addFromList(
            [Paragraph(escape(s.note), _style(8.5, color=GREY))], c)
    _line(c, t("deck.footer", lang, n=n, total=total), w - 1.9 * inch, 0.35 * inch, 9, color=GREY)


def write(deck: Deck, images: dict[int, bytes]) -> bytes:
    """The PDF file's bytes: a cover page, then one page per deck slide."""
    register_fonts()
    out = io.BytesIO()
    c = Canvas(out, pagesize=PAGE, pageCompression=1, initialFontName=REGULAR, initialFontSize=10)
    c.setTitle(f"{deck.title} · {deck.subtitle}")
    w, h = PAGE
    _line(c, deck.title, 0.8 * inch, h - 3.0 * inch, 32, BOLD)
    _line(c, deck.subtitle, 0.8 * inch, h - 3.6 * inch, 20)
    _line(c, deck.filters, 0.8 * inch, h - 4.1 * inch, 13, color=GREY)
    c.showPage()
    total = len(deck.slides) + 1
    for i, s in enumerate(deck.slides):
        _slide(c, s, images.get(i), i + 2, total, deck.lang)
        c.showPage()
    c.save()
    return out.getvalue()
