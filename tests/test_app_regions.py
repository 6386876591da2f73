"""The regions page (AppTest) against direct SQL on the fixture warehouse, in both languages."""
from __future__ import annotations

import pandas as pd
import pytest

from model.access import OPERATOR
from tests.apptest import (
    Q1_2025,
    chart,
    charts,
    open_tab,
    record_files,
    record_queries,
    run_app,
    sql,
    sql_one,
    texts,
    tick_value,
    values,
)
from ui.i18n import t

WON = """select region, sum(amount * case currency when 'RUB' then 1 else 90 end), count(*) from deals
         where status = 'won' and closed_at::date between '2025-01-01' and '2025-03-31' group by region"""


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_region_table_equals_sql(warehouse, lang):
    at = run_app("regions", lang, **Q1_2025)
    assert at.title[0].value == t("regions.title", lang)
    table = at.dataframe[0].value.set_index("region")
    for region, revenue, won in sql(warehouse, WON):
        assert float(table.at[region, "revenue"]) == pytest.approx(float(revenue))
        assert table.at[region, "deals_won"] == won
    leads = dict(sql(warehouse, "select region, count(*) from leads where created_at::date "
                                "between '2025-01-01' and '2025-03-31' group by all"))
    for region, n in leads.items():
        assert table.at[region, "leads"] == n
    plan = sql_one(warehouse, "select sum(target) from plan where region = 'Москва' and metric = 'revenue'")
    assert float(table.at["Москва", "revenue_plan_period"]) == pytest.approx(float(plan))
    # the plan is January's alone: Q1's revenue is not held to it («—», it read Q1's fact / January's plan)
    assert pd.isna(table.at["Москва", "revenue_vs_plan_period"])
    january = run_app("regions", lang, period="custom", **{"from": "2025-01-01", "to": "2025-01-31"})
    jan = january.dataframe[0].value.set_index("region")
    fact = sql_one(warehouse, "select sum(amount) from deals where status = 'won' and region = 'Москва' "
                              "and closed_at::date between '2025-01-01' and '2025-01-31'")
    assert jan.at["Москва", "revenue_vs_plan_period"] == pytest.approx(float(fact) / float(plan))
    # an export's unrecognised region is a row of its own, kept at the bottom
    assert table.index[-1] == "Тверь"
    bars = chart(at, t("regions.chart", lang, currency="RUB"))["data"][0]
    assert "Тверь" not in values(bars, "x")


def test_region_filter_and_drill_down(warehouse):
    at = run_app("regions", "en", **Q1_2025, regions="Санкт-Петербург")
    table = at.dataframe[0].value
    assert list(table.region) == ["Санкт-Петербург"]
    assert at.selectbox(key="region_pick").value == "Санкт-Петербург"
    at = run_app("regions", "en", **Q1_2025)
    at.selectbox(key="region_pick").set_value("Москва").run()
    assert not at.exception
    assert at.query_params["region"] == "Москва"
    managers = at.dataframe[1].value
    expected = dict(sql(warehouse, "select manager, count(*) from deals where region = 'Москва' and status = 'won' "
                                   "and closed_at::date between '2025-01-01' and '2025-03-31' group by all"))
    shown = dict(zip(managers.manager, managers.deals_won, strict=True))
    assert shown == {**dict.fromkeys(managers.manager, 0), **expected}
    monthly = chart(at, "Москва")
    fact = [v for tr in monthly["data"] if tr.get("legendgroup") == "Fact" for v in values(tr)]
    won = sql_one(warehouse, "select sum(amount * case currency when 'RUB' then 1 else 90 end) from deals "
                             "where region = 'Москва' and status = 'won' and closed_at::date "
                             "between '2025-01-01' and '2025-03-31'")
    assert sum(fact) == pytest.approx(float(won))


def _query(db, name: str, params: dict):
    import duckdb

    from model.runner import run_on
    con = duckdb.connect(str(db), read_only=True)
    try:
        return run_on(con, name, params, OPERATOR)
    finally:
        con.close()


@pytest.mark.parametrize("which", ["fixture", "demo"])
def test_a_regions_sources_managers_and_products_add_up_to_its_row(which, warehouse, small_demo):
    """Periods that cut months, with and without a product filter: each region's sources (won deals and
    revenue by the deal's channel, deals without a source under 'unknown'), managers and products sum to
    its row."""
    import datetime as dt

    import numpy as np
    db = warehouse if which == "fixture" else small_demo
    rng = np.random.default_rng(14)
    first, last = sql(db, "select min(closed_at)::date, max(closed_at)::date from deals")[0]
    products = [p for (p,) in sql(db, "select distinct coalesce(product, '(none)') from deals order by 1")]
    periods = [(first, last), (dt.date(2025, 1, 21), dt.date(2025, 2, 20))]
    for _ in range(4):
        start = first + dt.timedelta(days=int(rng.integers(0, (last - first).days)))
        periods.append((start, start + dt.timedelta(days=int(rng.integers(0, 120)))))
    checked = 0
    for (a, b), picked in zip(periods, [[], [], [], products[:1], [], products[-1:]], strict=True):
        p = {"date_from": a, "date_to": b, "regions": [], "products": picked}
        rows = _query(db, "metrics_region", p)
        rows = rows[~rows.is_total]
        for r in rows.itertuples():
            src = _query(db, "region_sources", {**p, "region": r.region})
            assert src.won_deals.sum() == r.deals_won, (a, b, picked, r.region)
            assert float(src.revenue.fillna(0).sum()) == pytest.approx(float(r.revenue or 0), abs=0.05)
            assert src.leads.sum() == r.leads
            # the managers and products beside it count the same deals
            for name in ("region_managers", "region_products"):
                part = _query(db, name, {**p, "region": r.region})
                assert part.deals_won.sum() == r.deals_won, (name, a, b, picked, r.region)
                assert float(part.revenue.fillna(0).sum()) == pytest.approx(float(r.revenue or 0), abs=0.05)
            checked += r.deals_won > 0
    assert checked >= 5


def test_the_drill_down_sources_table_shows_the_regions_won_deals(warehouse):
    at = run_app("regions", "en", **Q1_2025)
    at.selectbox(key="region_pick").set_value("Москва").run()
    open_tab(at, "regions", "sources")
    table = at.dataframe[0].value.set_index("region")
    sources = next(df.value for df in at.dataframe if "revenue_per_lead" in df.value.columns)
    assert sources.won_deals.sum() == table.at["Москва", "deals_won"]
    assert float(sources.revenue.sum()) == pytest.approx(float(table.at["Москва", "revenue"]))
    assert t("regions.sources_note", "en") in texts(at)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_charts_read_in_the_readers_language(warehouse, lang):
    at = run_app("regions", lang, **Q1_2025, region="Санкт-Петербург")
    bars = chart(at, t("regions.chart", lang, currency="RUB"))["layout"]
    # the legend sits under the title, above the plot: the slanted region names below stay uncovered
    assert bars["legend"]["yref"] == "container" and bars["legend"]["yanchor"] == "top" and bars["legend"]["y"] > 0.8
    assert [tick_value(x, lang) for x in bars["yaxis"]["ticktext"]] == pytest.approx(bars["yaxis"]["tickvals"])
    drill = chart(at, t("regions.drill_chart", lang, region="Санкт-Петербург", currency="RUB"))["layout"]
    months = {"ru": ["янв 2025", "фев 2025", "мар 2025<br>по 03.03"],
              "en": ["Jan 2025", "Feb 2025", "Mar 2025<br>to Mar 3"]}[lang]
    assert drill["xaxis"]["ticktext"] == months and drill["xaxis"]["range"] == ["2025-01-01", "2025-04-01"]
    for axis in ("yaxis", "yaxis2"):
        assert [tick_value(x, lang) for x in drill[axis]["ticktext"]] == pytest.approx(drill[axis]["tickvals"])


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_drill_down_tab_reads_its_table_when_opened(warehouse, lang, monkeypatch):
    """The page opens on the managers tab and queries only its table; opening products or sources shows that
    table (adding up to the region's row) and queries it then, while the region stays the one picked."""
    asked = record_queries(monkeypatch)
    at = run_app("regions", lang, **Q1_2025, region="Москва")
    assert not at.exception
    assert "region_managers" in asked and not {"region_products", "region_sources"} & set(asked)
    row = at.dataframe[0].value.set_index("region").loc["Москва"]
    for tab, column in (("products", "avg_deal"), ("sources", "revenue_per_lead"), ("managers", "within_sla_share")):
        open_tab(at, "regions", tab)
        assert at.selectbox(key="region_pick").value == "Москва"
        shown = [df.value for df in at.dataframe[1:]]
        assert len(shown) == 1 and column in shown[0].columns, tab
        won = "won_deals" if tab == "sources" else "deals_won"
        assert shown[0][won].sum() == row.deals_won
        assert float(shown[0].revenue.fillna(0).sum()) == pytest.approx(float(row.revenue))
    assert {"region_products", "region_sources"} <= set(asked)


def test_the_open_tab_and_region_stay_when_the_language_changes(warehouse):
    """The reader on Moscow's sources switches the language: the page reopens on the same tab and region,
    its label in the other language."""
    at = run_app("regions", "ru", **Q1_2025, region="Москва")
    open_tab(at, "regions", "sources")
    at.sidebar.segmented_control(key="lang").set_value("en").run()
    assert not at.exception and not at.warning
    assert at.selectbox(key="region_pick").value == "Москва"
    assert [tab.label for tab in at.tabs] == [t(f"regions.{k}", "en") for k in ("managers", "products", "sources")]
    assert any("revenue_per_lead" in df.value.columns for df in at.dataframe)       # sources drawn, in English
    assert t("regions.sources_note", "en") in texts(at)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_drill_down_file_says_it_covers_its_region(warehouse, monkeypatch, lang):
    """The managers', products' and sources' files hold one region: their first line names it, not the
    sidebar's «all regions»."""
    import io

    from openpyxl import load_workbook

    built = record_files(monkeypatch)
    at = run_app("regions", lang, **Q1_2025, region="Москва")
    for tab in ("managers", "products", "sources"):
        open_tab(at, "regions", tab)
        note = next(iter(load_workbook(io.BytesIO(built[f"{tab}_Москва.xlsx"])).active.iter_rows(values_only=True)))[0]
        assert "Москва" in note and t("all_regions", lang) not in note, (tab, note)
    note = next(iter(load_workbook(io.BytesIO(built["regions.xlsx"])).active.iter_rows(values_only=True)))[0]
    assert t("all_regions", lang) in note        # the summary table covers the sidebar's regions


NO_REGION_DEAL = ("ID;Название сделки;Бюджет;Валюта;Ответственный;Дата создания;Дата закрытия;Этап сделки;Воронка;"
                  "Город;Источник;utm_source;utm_medium;utm_campaign;ID лида\n"
                  "901;Котёл;50000;RUB;;10.02.2025 10:00:00;20.02.2025 12:00:00;Успешно реализовано;Продажи;"
                  ";Холодный звонок;;;;\n")
NO_REGION_LEAD = ("ID лида;Дата создания;Город;Источник;Статус;Дата первого контакта;Ответственный\n"
                  "L901;11.02.2025 10:00:00;;Холодный звонок;Новый;;\n")


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_rows_without_a_region_or_manager_are_named_in_words(copy_of_warehouse, tmp_path, lang):
    """A deal and a lead exported without a region or a manager: the regions table, its drill-down (the pick,
    the chart, the managers) and the funnel's region breakdown and first-contact table read «(не указан)» /
    "(not given)", where they read the marts' «(none)» in both languages."""
    from etl.load import load_files

    (tmp_path / "deals_x.csv").write_text(NO_REGION_DEAL, encoding="utf-8-sig")
    (tmp_path / "leads_x.csv").write_text(NO_REGION_LEAD, encoding="utf-8-sig")
    assert load_files([tmp_path / "deals_x.csv", tmp_path / "leads_x.csv"], progress=False)["ok"]
    none = t("value.none", lang)
    at = run_app("regions", lang, **Q1_2025, region="(none)")
    table = at.dataframe[0].value.set_index("region")
    assert float(table.at[none, "revenue"]) == 50000 and "(none)" not in table.index
    pick = at.selectbox(key="region_pick")
    assert pick.value == "(none)" and none in pick.options and "(none)" not in pick.options
    assert chart(at, t("regions.drill_chart", lang, region=none, currency="RUB"))
    assert list(at.dataframe[1].value.manager) == [none]
    at = run_app("funnel", lang, **Q1_2025)
    first_contact = at.dataframe[2].value
    assert none in set(first_contact.region) and none in set(first_contact.manager)
    at.segmented_control(key="funnel_by").set_value("region").run()
    assert none in set(at.dataframe[0].value.label) and "(none)" not in texts(at)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_drill_down_with_no_month_of_data_says_so_instead_of_an_empty_chart(warehouse, lang):
    """A month after the data (a region's open deals still give it a row): the drill-down's monthly chart drew
    an empty date axis from Jan 2000 to Jan 2001; it now says there is nothing to chart by month."""
    at = run_app("regions", lang, period="custom", **{"from": "2045-01-01", "to": "2045-01-31"}, region="Москва")
    assert at.selectbox(key="region_pick").value == "Москва"
    title = t("regions.drill_chart", lang, region="Москва", currency="RUB")
    assert not [c for c in charts(at) if title in (c["layout"].get("title") or {}).get("text", "")]
    assert t("chart.no_months", lang, latest="\x00").split("\x00")[0] in texts(at)
    at = run_app("regions", lang, **Q1_2025, region="Москва")            # a period with data keeps its chart
    assert chart(at, title)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_average_deal_leaves_out_a_won_deal_whose_amount_is_unknown(copy_of_warehouse, tmp_path, lang):
    """A won deal exported without an amount is revenue unknown, not zero: it counts as won, and the average
    deal divides the known revenue by the won deals with an amount (it divided by every won deal, an amount
    of 0 for the unknown one: Москва of the check company read 96 735 ₽ for 97 503 ₽), in the table and in
    the products tab."""
    from etl.load import load_files

    (tmp_path / "deals_no_amount.csv").write_text(
        NO_REGION_DEAL.splitlines()[0] + "\n902;Котёл;;RUB;Анна Смирнова;10.02.2025 10:00:00;20.02.2025 12:00:00;"
        "Успешно реализовано;Продажи;Москва;Холодный звонок;;;;\n", encoding="utf-8-sig")
    assert load_files([tmp_path / "deals_no_amount.csv"], progress=False)["ok"]
    revenue, won, priced = sql(copy_of_warehouse, "select sum(amount * case currency when 'RUB' then 1 else 90 end), "
                                                  "count(*), count(amount) from deals where region = 'Москва' and "
                                                  "status = 'won' and closed_at::date between '2025-01-01' and "
                                                  "'2025-03-31'")[0]
    assert won == priced + 1
    at = run_app("regions", lang, **Q1_2025, region="Москва")
    row = at.dataframe[0].value.set_index("region").loc["Москва"]
    assert row.deals_won == won and float(row.avg_deal) == pytest.approx(float(revenue) / priced)
    open_tab(at, "regions", "products")
    products = at.dataframe[1].value
    assert products.deals_won.sum() == won
    unknown = products.set_index("product").loc[t("value.none", lang)]     # the deal's export names no product
    rev, n, known = sql(copy_of_warehouse, "select sum(amount), count(*), count(amount) from deals where region = "
                                           "'Москва' and status = 'won' and product is null and currency = 'RUB' "
                                           "and closed_at::date between '2025-01-01' and '2025-03-31'")[0]
    assert unknown.deals_won == n == known + 1
    assert (pd.isna(unknown.avg_deal) if not known else float(unknown.avg_deal) == pytest.approx(float(rev) / known))
