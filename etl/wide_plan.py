"""A plan workbook laid out as finance writes it: regions as rows, months as columns.

A sheet is such a plan when a row within its first 40 holds two or more month headers (`янв. 2026`,
`Февраль 2026`, `Jan 2026`, `01.2026`, or a date cell, whose month is read) and a column left of them is
headed «Регион»/«Город»/region in that row or in the (merged) rows just above it. The metric is the one
its header cells above the months, its sheet name or its title rows name (`Выручка`, `Лиды`, `Расход`,
`Сделки`, ...). Each region x month cell becomes one plan line `region, month, metric, target`, on the
workbook's own row; a totals column (`Итого`) has no month and is not read; a totals row keeps its label
first, so the loader skips it as a summary line, never summing it.
"""
from __future__ import annotations

import datetime as dt
import re

from etl.errors import LoadError
from etl.periods import _months

REGION_HEADERS = {"регион", "регионы", "город", "region", "regions", "city", "филиал"}
# word stems that name the metric, in the order they are tried within one text
METRIC_STEMS = (("выручк", "revenue"), ("revenue", "revenue"), ("продаж", "revenue"), ("оборот", "revenue"),
                ("сделк", "deals"), ("deals", "deals"), ("лид", "leads"), ("заявк", "leads"), ("leads", "leads"),
                ("расход", "spend"), ("spend", "spend"), ("бюджет", "spend"))
SCAN_ROWS = 40
SUMMARY = r"(?i)^\s*(итого|итог|всего|total|totals|grand totals?)(\s|$|[:.,;(])"


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def month_of(value) -> dt.date | None:
    """The month a header cell names: a date cell's month, or one month written as text."""
    if isinstance(value, dt.datetime | dt.date):
        return dt.date(value.year, value.month, 1)
    text = _text(value)
    if not text or len(text) > 24:
        return None
    found = _months(text)
    return dt.date(found[0][0], found[0][1], 1) if len(found) == 1 else None


def metric_in(text: str) -> str | None:
    words = re.findall(r"\w+", text.lower())
    for stem, metric in METRIC_STEMS:
        if any(w.startswith(stem) for w in words):
            return metric
    return None


def _region_col(rows: list, h: int, first_month: int) -> int | None:
    """The column headed as regions: in row `h`, or above it when its cell in row `h` is empty (merged)."""
    for col in range(first_month):
        if _text(rows[h][col] if col < len(rows[h]) else None).lower() not in REGION_HEADERS | {""}:
            continue   # a data row (`Москва` beside two dates) is no header
        for r in range(h, max(h - 3, -1), -1):   # a merged «Регион» cell holds its text in its top row
            if _text(rows[r][col] if col < len(rows[r]) else None).lower() in REGION_HEADERS:
                return col
    return None


def sheet_plan(name: str, rows: list, file_name: str) -> tuple[list[list[str]], list[int]] | None:
    """The sheet's plan lines ([region, month, metric, target]) and each one's workbook row, or None
    when the sheet is not a regions x months plan."""
    for h, row in enumerate(rows[:SCAN_ROWS]):
        months = {c: m for c, v in enumerate(row) if (m := month_of(v))}
        if len(months) < 2:
            continue
        first = min(months)
        region = _region_col(rows, h, first)
        if region is None or any(_text(v) and c not in months and not re.match(SUMMARY, _text(v))
                                 for c, v in enumerate(row) if c > first):
            continue   # right of the first month a header holds months and totals only (a data row holds amounts)
        above = [_text(c) for r in rows[max(h - 3, 0):h] for c in r[first:max(months) + 1]]
        titles = [_text(c) for r in rows[:h] for c in r]
        metric = next((m for m in (metric_in(" ".join(above)), metric_in(name), metric_in(" ".join(titles))) if m),
                      None)
        if metric is None:
            raise LoadError(f"{file_name}, sheet «{name}»: a plan with months as columns, but neither its headers, "
                            "its sheet name nor its title say which metric it holds; name the sheet or the header "
                            "above the months «Выручка», «Лиды», «Расход» or «Сделки», or write the plan as rows "
                            "(Месяц; Регион; Показатель; План)", "wide_plan_metric", file=file_name, sheet=name)
        lines, at = [], []
        for r in range(h + 1, len(rows)):
            cells = rows[r]
            label = _text(cells[region] if region < len(cells) else None)
            if not label:
                continue
            for c, month in sorted(months.items()):
                value = cells[c] if c < len(cells) else None
                if value is None or _text(value) == "":
                    continue
                lines.append([label, month.isoformat(), metric, value])
                at.append(r + 1)
        return lines, at
    return None


def is_plan(name: str, rows: list, file_name: str) -> bool:
    return sheet_plan(name, rows, file_name) is not None


def read(sheets: list[tuple[str, list]], file_name: str) -> tuple[list[list], list[int], list[str]] | None:
    """Every regions x months plan sheet of a workbook as plan lines, their workbook rows and the sheets
    read; None when no sheet is laid out so."""
    lines: list[list] = []
    at: list[int] = []
    read_sheets = []
    for name, rows in sheets:
        got = sheet_plan(name, rows, file_name)
        if got:
            lines += got[0]
            at += got[1]
            read_sheets.append(name)
    if not read_sheets:
        return None
    return [["region", "month", "metric", "target"], *lines], at, read_sheets
