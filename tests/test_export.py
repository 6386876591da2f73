"""Excel export: raw values come back as written, and text that looks like a formula stays text."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.apptest import Q1_2025, run_app
from ui.export import safe_text, to_xlsx


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+7 900 000-00-00", "-1+2", "@SUM(A1)",
                                  "\t=1", "\r=1"])
def test_formula_like_text_stays_text(text):
    frame = pd.DataFrame({"title": [text], "amount": [1.5]})
    data = to_xlsx(frame)
    ws = load_workbook(io.BytesIO(data)).active
    cell = ws["A2"]
    assert cell.data_type == "s" and cell.value == "'" + text
    assert ws["B2"].value == 1.5
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet


def test_raw_values_and_headers():
    frame = pd.DataFrame({"region": ["Москва", None], "revenue": [1234567.5, float("nan")], "won": [3, 4],
                          "day": [dt.date(2025, 1, 15), dt.date(2025, 2, 1)], "ok": [True, False]})
    ws = load_workbook(io.BytesIO(to_xlsx(frame, {"region": "Регион"}))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Регион", "revenue", "won", "day", "ok")
    assert rows[1] == ("Москва", 1234567.5, 3, dt.datetime(2025, 1, 15), True)
    assert rows[2] == (None, None, 4, dt.datetime(2025, 2, 1), False)


def test_plain_text_is_unchanged():
    assert safe_text("Москва") == "Москва" and safe_text("a=b") == "a=b"


@pytest.mark.parametrize("page", ["regions", "plan_fact", "funnel", "joint_plan", "contribution", "data"])
def test_every_table_has_an_excel_download(warehouse, page):
    at = run_app(page, "en", **Q1_2025)
    buttons = [b for b in at.get("download_button") if b.proto.label == "Download as Excel"]
    assert buttons and len(buttons) == len(at.dataframe), (len(buttons), len(at.dataframe))
