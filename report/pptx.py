"""The deck as PowerPoint (python-pptx): 16:9, title and filters line on top, findings left, chart and
table right, the footer with the page number."""
from __future__ import annotations

import io

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from report.slides import Deck, Slide
from ui.i18n import t

GREY, DARK = RGBColor(0x66, 0x66, 0x66), RGBColor(0x22, 0x22, 0x22)
W, H = Inches(13.333), Inches(7.5)


def _text(slide, x, y, w, h, text: str, size: int, bold: bool = False, color=DARK):
    box = slide.shapes.add_textbox(x, y, w, h)
    frame = box.text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = text
    run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, color
    return box


def _findings(slide, findings, x, y, w, h):
    frame = slide.shapes.add_textbox(x, y, w, h).text_frame
    frame.word_wrap = True
    for i, f in enumerate(findings):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        p.space_after = Pt(10)
        run = p.add_run()
        run.text = "• " + f.text
        run.font.size, run.font.color.rgb = Pt(15), DARK


def _table(slide, frame, x, y, w, h):
    rows, cols = len(frame) + 1, len(frame.columns)
    row_h = Inches(0.24)
    table = slide.shapes.add_table(rows, cols, x, y, w, Emu(min(h, row_h * rows))).table
    # columns as wide as their longest text (within bounds), as in the PDF
    need = [min(max([len(str(c))] + [len(str(v)) for v in frame[c]]), 28) + 4 for c in frame.columns]
    for j, n in enumerate(need):
        table.columns[j].width = Emu(int(w * n / sum(need)))
    for i in range(rows):
        table.rows[i].height = row_h
    size = 10 if cols <= 6 else 9
    for j, name in enumerate(frame.columns):
        table.cell(0, j).text = str(name)
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            table.cell(i, j).text = str(value)
    for cell in (table.cell(i, j) for i in range(rows) for j in range(cols)):
        cell.margin_top = cell.margin_bottom = Inches(0.02)
        for p in cell.text_frame.paragraphs:
            for r in p.runs:
                r.font.size = Pt(size)


def _slide(prs, s: Slide, images: dict, i: int, n: int, lang: str):
    slide = prs.slides.add_slide(prs.slide_layouts[6])   # blank
    _text(slide, Inches(0.4), Inches(0.25), Inches(12.5), Inches(0.7), s.title, 26, bold=True)
    _text(slide, Inches(0.4), Inches(0.9), Inches(12.5), Inches(0.35), s.filters, 12, color=GREY)
    right, left_w = Inches(5.3), Inches(4.7) if (s.chart or s.table is not None) else Inches(12.5)
    image = io.BytesIO(images[i]) if i in images else None
    if s.wide_table:    # findings and chart on the left, the table on the whole right
        _findings(slide, s.findings, Inches(0.4), Inches(1.4), left_w, Inches(2.9))
        if image:
            slide.shapes.add_picture(image, Inches(0.4), Inches(4.4), width=left_w)
        _table(slide, s.table, right, Inches(1.4), Inches(7.6), Inches(5.2))
    else:
        _findings(slide, s.findings, Inches(0.4), Inches(1.4), left_w, Inches(5.2))
        y = Inches(1.4)
        if image:
            slide.shapes.add_picture(image, right, y, height=Inches(3.3))
            y = Inches(4.8)
        if s.table is not None and len(s.table.columns):
            _table(slide, s.table, right, y, Inches(7.6), Inches(6.6) - y)
    if s.note:
        _text(slide, Inches(0.4), Inches(6.75), Inches(10.5), Inches(0.5), s.note, 10, color=GREY)
    _text(slide, Inches(11.2), Inches(7.0), Inches(2.0), Inches(0.3), t("deck.footer", lang, n=i + 2, total=n),
          10, color=GREY)


def write(deck: Deck, images: dict[int, bytes]) -> bytes:
    """The PPTX file's bytes: a cover, then one slide per deck slide."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = W, H
    cover = prs.slides.add_slide(prs.slide_layouts[6])
    _text(cover, Inches(0.8), Inches(2.4), Inches(11.7), Inches(1.2), deck.title, 36, bold=True)
    _text(cover, Inches(0.8), Inches(3.6), Inches(11.7), Inches(0.6), deck.subtitle, 22)
    _text(cover, Inches(0.8), Inches(4.3), Inches(11.7), Inches(0.5), deck.filters, 14, color=GREY)
    n = len(deck.slides) + 1
    for i, s in enumerate(deck.slides):
        _slide(prs, s, images, i, n, deck.lang)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
