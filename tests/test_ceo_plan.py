"""The CEO's plan as finance writes it in Excel (regions as rows, months as columns, a title, merged
headers, an «Итого» row and column, a second sheet of leads), loaded by the real load path into a real
DuckDB file and checked against pandas over the same workbook and deals export."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from etl.load import load_files
from tests.apptest import chart, run_app, sql, values
from ui.i18n import t

DATA = Path(__file__).resolve().parent / "data" / "ceo_plan"
Q1_2026 = {"period": "custom", "from": "2026-01-01", "to": "2026-03-31"}
MONTHS = ["2026-01-01", "2026-02-01", "2026-03-01"]


def load(tmp_path: Path, monkeypatch, *names: str) -> tuple[Path, dict]:
    db = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("PARITY_DB", str(db))
    result = load_files([DATA / n for n in names], progress=False)
    return db, {Path(f["file"]).name: f for f in result["files"]}


def sheet_plan(sheet: str, header: int) -> pd.DataFrame:
    """One sheet's region x month cells as pandas reads them: the «Итого» row and column dropped."""
    frame = pd.read_excel(DATA / "plan_wide.xlsx", sheet_name=sheet, header=header, engine="openpyxl")
    frame = frame.rename(columns={frame.columns[0]: "region"})
    frame = frame[frame.region.notna() & (frame.region != "Итого")]
    frame = frame.iloc[:, :4].set_axis(["region", *MONTHS], axis=1)
    return frame.melt("region", var_name="month", value_name="target")


def expected_plan() -> pd.DataFrame:
    return pd.concat([sheet_plan("План выручки", 3).assign(metric="revenue"),
                      sheet_plan("Лиды", 2).assign(metric="leads")])


def test_wide_plan_workbook_loads_each_region_and_month_once(tmp_path, monkeypatch):
    db, files = load(tmp_path, monkeypatch, "plan_wide.xlsx")
    assert files["plan_wide.xlsx"]["status"] == "loaded", files
    got = pd.DataFrame(sql(db, "select region, strftime(month, '%Y-%m-%d'), metric, target::double from plan"),
                       columns=["region", "month", "metric", "target"])
    want = expected_plan()
    key = ["metric", "region", "month"]
    pd.testing.assert_frame_equal(got.sort_values(key).reset_index(drop=True)[[*key, "target"]],
                                  want.sort_values(key).reset_index(drop=True)[[*key, "target"]], check_dtype=False)
    assert "Итого" not in set(got.region)                      # the totals row is no region
    assert got[got.metric == "revenue"].target.sum() == 18_950_000   # not 2x: neither row nor column summed
    assert sql(db, "select distinct owner from plan where metric = 'leads'") == [("marketing",)]


def test_wide_plan_bad_cell_is_rejected_on_its_workbook_row(tmp_path, monkeypatch):
    db, files = load(tmp_path, monkeypatch, "plan_bad_cell.xlsx")
    f = files["plan_bad_cell.xlsx"]
    assert (f["status"], f["rows_loaded"], f["rows_rejected"]) == ("loaded", 8, 1), f
    # «н/д» is in C6: Санкт-Петербург, February, the sheet's sixth row
    assert [r[0] for r in sql(db, "select row_number from rejects")] == [6]


def test_wide_plan_without_a_metric_is_refused_in_one_line(tmp_path, monkeypatch):
    _, files = load(tmp_path, monkeypatch, "plan_no_metric.xlsx", "deals.csv")
    f = files["plan_no_metric.xlsx"]
    assert f["status"] == "failed"
    assert "\n" not in f["error"] and "«Лист1»" in f["error"] and "«Выручка»" in f["error"], f["error"]
    assert files["deals.csv"]["status"] == "loaded"              # the other file lands


def test_plan_fact_page_equals_pandas(tmp_path, monkeypatch):
    load(tmp_path, monkeypatch, "plan_wide.xlsx", "deals.csv")
    deals = pd.read_csv(DATA / "deals.csv", sep=";", encoding="utf-8-sig", dtype=str)
    won = deals[deals["Этап сделки"] == "Успешно реализовано"].copy()
    won["amount"] = won["Бюджет"].str.replace(" ", "").astype(int)
    won["month"] = pd.to_datetime(won["Дата закрытия"], format="%d.%m.%Y %H:%M:%S").dt.strftime("%Y-%m-01")
    fact = won.groupby(["Город", "month"]).amount.sum()
    plan = expected_plan().query("metric == 'revenue'").set_index(["region", "month"]).target
    at = run_app("plan_fact", "ru", **Q1_2026)
    heat = chart(at, t("metric.revenue", "ru"))["data"][0]
    z = values(heat, "z")
    for region in plan.index.get_level_values(0).unique():
        for j, month in enumerate(MONTHS[:2]):          # March runs to the data's last day: plan to date
            share = 100 * fact.get((region, month), 0) / plan[(region, month)]
            assert z[heat["y"].index(region)][j] == pytest.approx(share), (region, month)


def test_plan_subtotal_lines_are_skipped_not_a_region(tmp_path, monkeypatch):
    """A long plan CSV with each month's «Итого» line (and a region's product subtotal): skipped as
    totals, the company's plan the regions' lines alone."""
    db, files = load(tmp_path, monkeypatch, "plan_month_subtotals.csv")
    f = files["plan_month_subtotals.csv"]
    lines = pd.read_csv(DATA / "plan_month_subtotals.csv", sep=";", dtype=str, keep_default_na=False)
    totals = lines["Регион"].str.startswith("Итого") | lines["Продукт"].str.startswith("Итого")
    want = lines[~totals].assign(target=lambda x: x["План"].str.replace(" ", "").astype(float))
    assert (f["status"], f["rows_loaded"], f["rows_skipped"]) == ("loaded", len(want), int(totals.sum())), f
    got = dict(sql(db, "select region, sum(target)::double from plan group by region"))
    assert got == want.groupby("Регион").target.sum().to_dict()      # {'Москва': 6.2M, 'Казань': 1.85M}
    assert sql(db, "select count(*) from plan where product like 'Итого%'") == [(0,)]


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_stale_spend_of_a_file_naming_no_platform_prints_no_placeholder(tmp_path, monkeypatch, lang):
    """A generic spend file (no platform column) that ends 20.02 while deals run to 13.03: the Overview's
    stale-export alert names the export in the reader's words, not the merge's placeholder «unknown»."""
    load(tmp_path, monkeypatch, "deals.csv", "spend.csv")
    spend = pd.read_csv(DATA / "spend.csv", sep=";")
    last = pd.to_datetime(spend["Дата"], format="%d.%m.%Y").max()
    at = run_app("overview", lang, **Q1_2026)
    found = [m.value for m in at.markdown if t("alerts.title.stale_export", lang) in m.value]
    assert len(found) == 1, [m.value for m in at.markdown]
    since = (last + pd.Timedelta(days=1)).strftime("%d.%m.%Y") if lang == "ru" else ""
    assert f"{t('alerts.kind.ad_spend', lang)}:" in found[0] and since in found[0], found[0]
    assert "unknown" not in found[0], found[0]


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_leads_plan_beside_no_leads_export_reads_unknown_not_zero(tmp_path, monkeypatch, lang):
    """The plan has a leads sheet, no leads export was loaded: the Overview read «Лиды 0 · 0 % к плану периода»
    and the Plan/fact heatmap 0 % in every region and month; the leads fact is unknown: «—», no share."""
    from model.access import OPERATOR
    from model.filters import Filters
    from model.runner import connect, runner
    from model.views import load as load_view
    from model.views.plan_fact import heat
    from tests.apptest import metric

    db, files = load(tmp_path, monkeypatch, "plan_wide.xlsx", "deals.csv", "spend.csv")
    assert all(f["status"] == "loaded" for f in files.values()), files
    assert sql(db, "select count(*) from leads") == [(0,)]
    assert sql(db, "select count(*) from plan where metric = 'leads'")[0][0] > 0
    at = run_app("overview", lang, **Q1_2026)
    card = metric(at, t("kpi.leads", lang))
    assert card.value == "—" and not card.delta, (card.value, card.delta)
    con = connect(db)
    try:
        cells = load_view("plan_fact", Filters("custom", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
                          runner(con, OPERATOR))["cells"]
    finally:
        con.close()
    leads = cells[cells.metric == "leads"]
    assert len(leads) and leads.fact.isna().all() and leads.plan_share.isna().all(), leads
    assert heat(cells, "leads").isna().all().all()
    assert heat(cells, "revenue").notna().any().any()     # the revenue plan is compared as before
    assert not run_app("plan_fact", lang, **Q1_2026).exception
