"""The deck as PDF (reportlab), page for page like the PPTX, with DejaVu Sans embedded for Cyrillic."""
from __future__ import annotations

import io
import math
import re
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, KeepInFrame, Paragraph, Table, TableStyle

from report.slides import Deck, Slide
from ui.i18n import t

FONTS = Path("/usr/share/fonts/truetype/dejavu")
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
PAGE = (13.333 * inch, 7.5 * inch)
GREY = colors.HexColor("#666666")
# the table on a slide's right half: its left edge, width, and the band between the title block and the note
TABLE_X, TABLE_W = 5.3 * inch, 7.6 * inch
TOP, BOTTOM = 1.3 * inch, 0.8 * inch      # from the page's top and bottom edges
SIZES = (8.5, 8.0, 7.5)   # a table's font, shrunk a little before its headers are abbreviated
PAD = 4.0                 # a cell's left and right padding, pt
SLACK = 0.5               # pt of room beyond a word's measured width, against rounding in the line breaker
VOWELS = "аеёиоуыэюяaeiouy"
_BREAK = re.compile(r"[^\S\u00a0]+")   # where reportlab may wrap: any space but a no-break one


def register_fonts() -> None:
    """DejaVu Sans from Debian's fonts-dejavu-core (reportlab's own fonts have no Cyrillic)."""
    for name in (REGULAR, BOLD):
        path = FONTS / f"{name}.ttf"
        if not path.is_file():
            raise RuntimeError(f"{path} is missing: install the Debian package fonts-dejavu-core")
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(path)))


def _style(size: float, font: str = REGULAR, color=colors.black, after: float = 0,
           split: bool = True) -> ParagraphStyle:
    """A paragraph style; `split=False` never breaks a word (a table's columns are sized to hold them)."""
    return ParagraphStyle(f"s{size}{font}", fontName=font, bulletFontName=font, fontSize=size, leading=size * 1.25,
                          textColor=color, spaceAfter=after, splitLongWords=int(split))


def _line(c: Canvas, text: str, x: float, y: float, size: float, font: str = REGULAR, color=colors.black):
    c.setFont(font, size)
    c.setFillColor(color)
    c.drawString(x, y, text)


def _words(text: str) -> list[str]:
    """The pieces a cell's text may wrap between: it breaks at spaces, never at a no-break one."""
    return [w for w in _BREAK.split(text) if w]


def _needs(head: str, cells: list[str], size: float) -> tuple[float, float, float]:
    """(narrowest, values, widest) width a column needs: its longest word, its longest value on one line,
    its longest text (the header included) on one line."""
    texts = [(BOLD, head)] + [(REGULAR, c) for c in cells]
    words = max((pdfmetrics.stringWidth(w, font, size) for font, text in texts for w in _words(text)), default=0.0)
    line = [pdfmetrics.stringWidth(" ".join(_words(text)), font, size) for font, text in texts]
    return words + 2 * PAD + SLACK, max([words, *line[1:]]) + 2 * PAD + SLACK, max(line) + 2 * PAD + SLACK


def column_widths(head: list[str], rows: list[list[str]], width: float, size: float) -> list[float] | None:
    """Column widths that fill `width` with every word whole, each column sized by its content: every
    text on one line when that fits (the spare room shared in proportion); else each column its values on
    one line where they all fit so (a header wraps before a figure does: «+5.9M / RUB» under a long header
    read as two cells), else its longest word; then the room left goes to the columns that need the least
    more to fit on one line, so as few columns as possible wrap. None when the longest words alone do not fit."""
    needs = [_needs(h, [r[j] for r in rows], size) for j, h in enumerate(head)]
    least, values, whole = ([n[i] for n in needs] for i in range(3))
    if sum(least) > width:
        return None
    if sum(whole) <= width:
        return [w * width / sum(whole) for w in whole]
    start = values if sum(values) <= width else least
    widths, room = list(start), width - sum(start)
    for j in sorted(range(len(head)), key=lambda j: whole[j] - widths[j]):
        more = min(whole[j] - widths[j], room)
        widths[j] += more
        room -= more
    return widths


def abbreviate(word: str, room: float, size: float) -> str:
    """A header word cut to fit `room` and ended with a dot, the cut falling after a consonant and
    before a vowel as Russian (and English) abbreviations do ("Отклонение" -> "Отклон."); the word
    itself when it fits, is short, or has no such cut."""
    if len(word) <= 4 or not word.isalpha() or pdfmetrics.stringWidth(word, BOLD, size) + 2 * PAD + SLACK <= room:
        return word
    cuts = [word[:n] + "." for n in range(len(word) - 1, 2, -1)
            if word[n - 1].lower() not in VOWELS + "йьъ" and word[n].lower() in VOWELS]
    fits = [c for c in cuts if pdfmetrics.stringWidth(c, BOLD, size) + 2 * PAD + SLACK <= room]
    return fits[0] if fits else cuts[-1] if cuts else word


def table_layout(head: list[str], rows: list[list[str]], width: float) -> tuple[float, list[str], list[float]]:
    """(font size, headers as shown, column widths) for a table in `width`: the first of SIZES at which
    every word fits whole; else, at the smallest, the headers that are wider than their column's content
    abbreviated; else the size at which the longest words just fit."""
    for size in SIZES:
        widths = column_widths(head, rows, width, size)
        if widths is not None:
            return size, head, widths
    size = SIZES[-1]
    body = [max((pdfmetrics.stringWidth(w, REGULAR, size) for r in rows for w in _words(r[j])), default=0.0)
            + 2 * PAD + SLACK for j in range(len(head))]
    short = [" ".join(abbreviate(w, room, size) for w in _words(h)) for h, room in zip(head, body, strict=True)]
    widths = column_widths(short, rows, width, size)
    if widths is not None:
        return size, short, widths
    # words longer than any abbreviation helps with: a smaller font, to the tenth of a point, at which the
    # longest words fit (word widths grow with the size, the padding does not)
    least = [_needs(h, [r[j] for r in rows], size)[0] for j, h in enumerate(short)]
    text = sum(least) - len(short) * (2 * PAD + SLACK)
    size = max(math.floor(10 * size * (width - len(short) * (2 * PAD + SLACK)) / (text or 1)) / 10, 1.0)
    widths = column_widths(short, rows, width, size)
    return size, short, widths or [_needs(h, [r[j] for r in rows], size)[0] for j, h in enumerate(short)]


def _table(frame, width: float) -> Table:
    rows = [[str(v) for v in row] for row in frame.itertuples(index=False)]
    size, head, widths = table_layout([str(c) for c in frame.columns], rows, width)
    cell, bold = _style(size, split=False), _style(size, BOLD, split=False)
    data = [[Paragraph(escape(v), bold) for v in head]] + [[Paragraph(escape(v), cell) for v in r] for r in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR),
                               ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#BBBBBB")),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), PAD), ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
                               ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return table


def _slide(c: Canvas, s: Slide, image: bytes | None, n: int, total: int, lang: str) -> None:
    w, h = PAGE
    _line(c, s.title, 0.4 * inch, h - 0.7 * inch, 22, BOLD)
    _line(c, s.filters, 0.4 * inch, h - 1.05 * inch, 11, color=GREY)
    left_w = 12.5 * inch if image is None and s.table is None else 4.7 * inch
    bullets = [Paragraph("• " + escape(f.text), _style(13, after=8)) for f in s.findings]
    top = h - TOP
    text_h = 2.9 * inch if s.wide_table else 5.2 * inch
    Frame(0.4 * inch, top - text_h, left_w, text_h, showBoundary=0).addFromList(
        [KeepInFrame(left_w, text_h, bullets, mode="shrink")], c)
    if s.wide_table:    # findings and chart on the left, the table on the whole right
        if image is not None:
            c.drawImage(ImageReader(io.BytesIO(image)), 0.4 * inch, 0.9 * inch, left_w, top - text_h - 1.0 * inch,
                        preserveAspectRatio=True, anchor="n")
    elif image is not None:
        c.drawImage(ImageReader(io.BytesIO(image)), TABLE_X, top - 3.3 * inch, TABLE_W, 3.3 * inch,
                    preserveAspectRatio=True, anchor="nw")
        top -= 3.4 * inch
    if s.table is not None and len(s.table.columns):
        height = top - BOTTOM
        Frame(TABLE_X, BOTTOM, TABLE_W, height, showBoundary=0, leftPadding=0, rightPadding=0).addFromList(
            [KeepInFrame(TABLE_W, height, [_table(s.table, TABLE_W)], mode="shrink")], c)
    if s.note:      # shrunk to fit: a Frame drops a paragraph taller than itself without a word
        Frame(0.4 * inch, 0.2 * inch, 10.5 * inch, 0.6 * inch, showBoundary=0).addFromList(
            [KeepInFrame(10.5 * inch, 0.6 * inch, [Paragraph(escape(s.note), _style(8.5, color=GREY))],
                         mode="shrink")], c)
    _line(c, t("deck.footer", lang, n=n, total=total), w - 1.9 * inch, 0.35 * inch, 9, color=GREY)


def write(deck: Deck, images: dict[int, bytes]) -> bytes:
    """The PDF file's bytes: a cover page, then one page per deck slide."""
    register_fonts()
    out = io.BytesIO()
    c = Canvas(out, pagesize=PAGE, pageCompression=1, initialFontName=REGULAR, initialFontSize=10)
    c.setTitle(f"{deck.title} · {deck.subtitle}")
    h = PAGE[1]
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
