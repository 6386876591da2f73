"""Excel export: raw values come back as written, and text that looks like a formula stays text."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.apptest import Q1_2025, open_tab, record_files, run_app
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
    """Every table, in every tab of the pages that draw only the open tab."""
    at = run_app(page, "en", **Q1_2025)
    tabs = {"data": ("history", "quality", "recon", "terms", "metrics"),
            "regions": ("managers", "products", "sources")}.get(page, (None,))
    for tab in tabs:
        if tab:
            open_tab(at, page, tab)
        buttons = [b for b in at.get("download_button") if b.proto.label == "Download as Excel"]
        assert buttons and len(buttons) == len(at.dataframe), (tab, len(buttons), len(at.dataframe))


def test_number_formats_by_column_kind():
    """A share stays 0.8279... but reads as 82.8 %; money and counts group thousands; dates are dates."""
    frame = pd.DataFrame({"region": ["Москва", "Казань"], "revenue": [1234567.5, 20.0], "plan": [1000000, 2000000],
                          "share": [0.8279333091438056, None], "deals": [3, 4000],
                          "day": [dt.date(2025, 1, 15), dt.date(2025, 2, 1)],
                          "at": [dt.datetime(2025, 1, 15, 10, 30), None], "hours": [1.25, 3.5]})
    data = to_xlsx(frame, kinds={"revenue": "money", "plan": "money", "share": "percent"}, lang="ru")
    ws = load_workbook(io.BytesIO(data)).active
    formats = {ws.cell(1, j).value: ws.cell(2, j).number_format for j in range(1, ws.max_column + 1)}
    assert formats == {"region": "General", "revenue": "#,##0.00", "plan": "#,##0", "share": "0.0%",
                       "deals": "#,##0", "day": "DD.MM.YYYY", "at": "DD.MM.YYYY HH:MM", "hours": "#,##0.00"}
    assert ws["D2"].value == 0.8279333091438056          # the raw share, only shown as a percentage
    assert ws.cell(3, 2).number_format == "#,##0.00"      # every row of the column, not the first alone
    en = load_workbook(io.BytesIO(to_xlsx(frame, lang="en"))).active
    assert en["F2"].number_format == "YYYY-MM-DD"


@pytest.mark.parametrize("values,kind", [([1, 2], "integer"), ([1.0, 2.0], "integer"), ([1.5, None], "number"),
                                         ([dt.date(2025, 1, 1)], "date"), ([pd.Timestamp("2025-01-01")], "date"),
                                         ([pd.Timestamp("2025-01-01 10:00")], "datetime"), (["a", 1], "text"),
                                         ([True, False], "text"), ([None, None], "text")])
def test_kind_guessed_from_values(values, kind):
    from ui.export import kind_of
    assert kind_of(pd.Series(values)) == kind


def test_first_line_says_what_the_file_covers():
    frame = pd.DataFrame({"region": ["Москва"], "revenue": [1.5]})
    ws = load_workbook(io.BytesIO(to_xlsx(frame, {"region": "Регион"}, note="Что в файле: 2025"))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Что в файле: 2025" and rows[1] == ("Регион", "revenue") and rows[2] == ("Москва", 1.5)
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:B3"


def test_export_note_names_filters_language_and_time():
    from ui.tables import export_note
    note = export_note("01.01.2025 – 31.03.2025 · Москва · все продукты", "ru", dt.datetime(2025, 4, 2, 9, 5))
    assert note == ("Что в файле: 01.01.2025 – 31.03.2025 · Москва · все продукты. Язык: Русский. "
                    "Выгружено: 02.04.2025 09:05.")
    assert "Language: English" in export_note("x", "en")


def test_table_file_keeps_the_rows_in_the_order_shown_and_the_screen_formats():
    """tables.xlsx: the raw frame's rows follow the frame on screen; a column formatted as money, a share
    or a count on screen gets that kind in the file; a caller's kind wins."""
    from ui import tables
    raw = pd.DataFrame({"region": ["Казань", "Москва", "Уфа"], "revenue": [10.5, 30.0, 20.0],
                        "share": [0.5, 0.25, 0.75], "deals": [1, 3, 2], "text_share": [0.1, 0.2, 0.3]})
    shown = raw.sort_values("revenue", ascending=False)            # the page sorts what it shows
    formats = {"revenue": tables.money("ru", "RUB"), "share": tables.percent("ru"), "deals": tables.number("ru")}
    data = tables.xlsx(shown.assign(text_share=["10 %", "20 %", "30 %"]), formats, raw=raw,
                       column_config={"region": "Регион"}, kinds={"text_share": "percent"}, note="n", lang_="ru")
    ws = load_workbook(io.BytesIO(data)).active
    assert [ws.cell(i, 1).value for i in range(3, 6)] == ["Москва", "Уфа", "Казань"]
    assert ws.cell(2, 1).value == "Регион"
    assert [ws.cell(3, j).number_format for j in range(2, 6)] == ["#,##0.00", "0.0%", "#,##0", "0.0%"]
    assert ws.cell(3, 5).value == 0.2                               # the raw share, not the text shown


# every page, and every tab whose tables are read only when it is open
EVERY_TABLE = [("overview", None), ("regions", "managers"), ("regions", "products"), ("regions", "sources"),
               ("plan_fact", None), ("funnel", None), ("joint_plan", None), ("contribution", None), ("impact", None),
               ("data", "history"), ("data", "quality"), ("data", "recon"), ("data", "terms"), ("data", "metrics")]
CODE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$|^[a-z]{2,}$")     # a column's code (leads_plan), not its name


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("page,tab", EVERY_TABLE)
def test_every_excel_file_names_its_columns_in_words(warehouse, monkeypatch, page, tab, lang):
    """Each table's file, built as a click builds it, heads every column with its own name in the reader's
    language, the columns only the file has included (the scorecard's targets and marks were leads_plan,
    sla_met...; the load history's time and row count were both "Loaded")."""
    built = record_files(monkeypatch)
    at = run_app(page, lang, **Q1_2025)
    if tab:
        open_tab(at, page, tab)
    files = {name: data for name, data in built.items() if name.endswith(".xlsx")}
    assert files or page == "overview"
    for name, data in files.items():
        header = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))[1]
        assert not [h for h in header if isinstance(h, str) and CODE.match(h)], (name, header)
        assert len(set(header)) == len(header), (name, header)        # told apart (the history's two «Loaded»)


def _unformatted(frame: pd.DataFrame, formats: dict | None) -> list[str]:
    """Columns of `frame` holding numbers that no format turns into the reader's text."""
    from decimal import Decimal
    out = []
    for c in frame.columns:
        if c in (formats or {}) or c in ("load_id", "row_number"):   # identifiers: «12345», not «12 345»
            continue
        col = frame[c]
        if pd.api.types.is_bool_dtype(col) or pd.api.types.is_datetime64_any_dtype(col):
            continue
        numeric = pd.api.types.is_numeric_dtype(col) or any(
            isinstance(v, (Decimal, float, int)) and not isinstance(v, bool) for v in col.dropna().head(50))
        if numeric and col.notna().any():
            out.append(c)
    return out


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("page,tab", EVERY_TABLE)
def test_every_number_a_table_shows_reads_in_the_readers_locale(warehouse, monkeypatch, page, tab, lang):
    """A table's numbers go through fmt (ui.tables.show's formats), not the grid's own «4140976.810000» and
    «0.001042» (the quality tab's unrecognised values did): a column of numbers without a format fails."""
    import ui.tables
    shown: list[tuple[str, list[str]]] = []
    real = ui.tables.show

    def show(frame, formats=None, **kw):
        shown.append((kw.get("key"), _unformatted(frame, formats)))
        return real(frame, formats, **kw)

    monkeypatch.setattr(ui.tables, "show", show)
    at = run_app(page, lang, **Q1_2025)
    if tab:
        open_tab(at, page, tab)
    assert [(key, cols) for key, cols in shown if cols] == []
