"""Tables as Excel files: raw values, and text a spreadsheet could run as a formula kept as text."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

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


def to_xlsx(frame: pd.DataFrame, headers: dict[str, str] | None = None, sheet: str = "data") -> bytes:
    """One sheet: a header row (column labels from `headers`, else the column names), then the values."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    headers = headers or {}
    for j, column in enumerate(frame.columns, start=1):
        _write(ws, 1, j, headers.get(column, str(column)))
    for i, row in enumerate(frame.itertuples(index=False, name=None), start=2):
        for j, value in enumerate(row, start=1):
            _write(ws, i, j, value)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
