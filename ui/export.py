"""Tables as Excel files: a first line saying what the file covers, then the raw values with a number
format per column kind (money, counts, shares, dates), and text a spreadsheet could run as a formula kept
as text."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# a cell starting with these is a formula (or DDE) to Excel and LibreOffice: OWASP's CSV-injection list
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    """'=HYPERLINK(...)' -> "'=HYPERLINK(...)": the quote makes a spreadsheet show it as text."""
    return "'" + text if text.startswith(FORMULA_START) else text


def cell_value(value):
    """A value openpyxl writes as itself: numbers, dates, bools; None for anything missing; else text."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return ", ".join(str(v) for v in value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float, Decimal)):
        return float(value)
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value
    return str(value)


def _write(ws, row: int, col: int, value) -> None:
    value = cell_value(value)
    if isinstance(value, str):
        cell = ws.cell(row=row, column=col)
        cell.value = safe_text(value)
        cell.data_type = TYPE_STRING    # never 'f', whatever openpyxl guessed from the text
    else:
        ws.cell(row=row, column=col, value=value)


# A column's kind decides its Excel number format; the values stay raw (a share stays 0.8279...).
KINDS = ("money", "integer", "number", "percent", "date", "datetime", "text")
DATE_FORMAT = {"ru": "DD.MM.YYYY", "en": "YYYY-MM-DD"}
DATETIME_FORMAT = {"ru": "DD.MM.YYYY HH:MM", "en": "YYYY-MM-DD HH:MM"}


def number_format(kind: str, values: pd.Series, lang: str = "ru", decimals: int | None = None) -> str | None:
    """Excel's format code for a column of `kind` (None: leave "General", for text). Money shows kopecks
    only when a value has them; thousands are grouped (Excel writes the separator of the reader's locale)."""
    if kind == "money":
        cents = any(_has_fraction(v) for v in values)
        return "#,##0.00" if cents else "#,##0"
    if kind == "integer":
        return "#,##0"
    if kind == "number":
        places = 2 if decimals is None else decimals
        return "#,##0" + ("." + "0" * places if places else "")
    if kind == "percent":
        return "0.0%"
    if kind == "date":
        return DATE_FORMAT.get(lang, DATE_FORMAT["en"])
    if kind == "datetime":
        return DATETIME_FORMAT.get(lang, DATETIME_FORMAT["en"])
    return None


def _has_fraction(value) -> bool:
    value = cell_value(value)
    return isinstance(value, float) and round(value, 2) != round(value)


def kind_of(values: pd.Series) -> str:
    """A column's kind from its values alone, for columns no caller named: whole numbers are counts,
    other numbers get two decimals, timestamps at midnight are dates. A share is a float like any other,
    so callers name it (tables.show takes it from the column's on-screen format)."""
    present = [cell_value(v) for v in values if cell_value(v) is not None]
    if not present or all(isinstance(v, bool) for v in present):
        return "text"
    if all(isinstance(v, dt.datetime) for v in present):
        return "date" if all(v.time() == dt.time(0) for v in present) else "datetime"
    if all(isinstance(v, dt.date) for v in present):
        return "date"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "integer" if all(float(v).is_integer() for v in present) else "number"
    return "text"


def to_xlsx(frame: pd.DataFrame, headers: dict[str, str] | None = None, sheet: str = "data",
            kinds: dict[str, str] | None = None, note: str | None = None, lang: str = "ru",
            decimals: dict[str, int] | None = None) -> bytes:
    """One sheet, rows in the frame's order: `note` on the first line (what the file covers: period,
    filters, language), then a header row (column labels from `headers`, else the column names), then
    the values, each column with the number format of its kind (`kinds`, else guessed from the values)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    headers, kinds, decimals = headers or {}, kinds or {}, decimals or {}
    top = 1
    if note:
        _write(ws, 1, 1, note)
        ws.cell(row=1, column=1).font = Font(italic=True)
        top = 2
    for j, column in enumerate(frame.columns, start=1):
        _write(ws, top, j, headers.get(column, str(column)))
        ws.cell(row=top, column=j).font = Font(bold=True)
    for i, row in enumerate(frame.itertuples(index=False, name=None), start=top + 1):
        for j, value in enumerate(row, start=1):
            _write(ws, i, j, value)
    for j, column in enumerate(frame.columns, start=1):
        values = frame[column]
        code = number_format(kinds.get(column) or kind_of(values), values, lang, decimals.get(column))
        if code:
            for i in range(top + 1, top + 1 + len(frame)):
                ws.cell(row=i, column=j).number_format = code
        width = max([len(str(headers.get(column, column)))] + [len(str(cell_value(v))) for v in values.head(200)])
        ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 60)
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    if len(frame.columns):
        ws.auto_filter.ref = f"A{top}:{get_column_letter(len(frame.columns))}{top + len(frame)}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
