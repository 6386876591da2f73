"""The overview as a user meets it (AppTest) on the fixture warehouse, against direct SQL; and with no data."""
from __future__ import annotations

import datetime as dt
import os
import shutil
from decimal import Decimal

import duckdb
import pytest

from model import metrics
from tests.apptest import (
    PARTIAL_PLAN_PERIOD,
    Q1_2025,
    ROOT,
    amount_shown,
    chart,
    charts,
    load_partial_plan,
    metric,
    run_app,
    sql,
    sql_one,
    texts,
    tick_value,
    values,
)
from ui import fmt
from ui.i18n import TEXT, t

# Won revenue in RUB with USD at the data/fx_rates.csv rate (90), closed in the period.
REVENUE = """select sum(amount * case currency when 'RUB' then 1 else 90 end) from deals
             where status = 'won' and closed_at::date between $a and $b
               and ($region is null or region = $region)"""
# The company line (no region) where the plan has one, else the regions' lines; a region: its lines.
PLAN = """select case when $region is null then coalesce(sum(target) filter (where region is null), sum(target))
                 else sum(target) filter (where region = $region) end
          from plan where metric = $m and month between $a and $b"""


def revenue(db, region=None) -> Decimal:
    return sql_one(db, REVENUE, {"a": Q1_2025["from"], "b": Q1_2025["to"], "region": region})


def test_every_text_key_exists_in_both_languages():
    assert TEXT["ru"].keys() == TEXT["en"].keys()


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_headline_matches_the_warehouse(warehouse, lang):
    at = run_app("overview", lang, **Q1_2025)
    assert at.session_state["lang"] == lang and at.query_params["lang"] == lang
    assert at.title[0].value == t("overview.title", lang)
    expected = revenue(warehouse)
    shown = metric(at, t("kpi.revenue", lang, currency="RUB"))
    assert shown.value == fmt.compact(expected, lang, "RUB")
    assert amount_shown(shown.proto.help.split(":")[-1], lang) == expected   # "Точно: 1 380 000,50 ₽"
    # the fixture's revenue plan is January's alone: Q1's revenue is not held to it (it read 452 % of plan)
    assert shown.delta == t("kpi.plan_part", lang, covered="31", days=90, days_word=fmt.days_after_of(90, lang))
    january = run_app("overview", lang, period="custom", **{"from": "2025-01-01", "to": "2025-01-31"})
    plan = sql_one(warehouse, PLAN, {"m": "revenue", "a": "2025-01-01", "b": "2025-01-31", "region": None})
    expected = sql_one(warehouse, REVENUE, {"a": "2025-01-01", "b": "2025-01-31", "region": None})
    assert metric(january, t("kpi.revenue", lang, currency="RUB")).delta == t(
        "kpi.of_plan", lang, share=fmt.percent(expected / plan, lang, 0), basis=metrics.text("basis.period", lang))
    leads = sql_one(warehouse, "select count(*) from leads where created_at::date between $a and $b",
                    {"a": Q1_2025["from"], "b": Q1_2025["to"]})
    assert metric(at, t("kpi.leads", lang)).value == fmt.number(leads, lang)
    spend = sql_one(warehouse, "select sum(cost * case currency when 'RUB' then 1 else 90 end) from ad_spend "
                               "where date between $a and $b", {"a": Q1_2025["from"], "b": Q1_2025["to"]})
    assert metric(at, t("kpi.spend", lang, currency="RUB")).value == fmt.compact(spend, lang, "RUB")
    assert metric(at, t("kpi.cpl", lang)).value == fmt.money(spend / leads, "RUB", lang)
    assert "USD" in texts(at)   # the conversion is said on the page


def test_region_filter_changes_the_numbers(warehouse):
    everything = run_app("overview", "en", **Q1_2025)
    moscow = run_app("overview", "en", **Q1_2025, regions="Москва")
    got = amount_shown(metric(moscow, "Revenue, RUB").proto.help.split(":")[-1], "en")
    assert got == revenue(warehouse, "Москва") != revenue(warehouse)
    assert metric(moscow, "Revenue, RUB").value != metric(everything, "Revenue, RUB").value
    assert moscow.query_params["regions"] == "Москва"   # the view is a link


# The fixture's latest data day (deals, leads, spend) is 3 March 2025: March is a month under way.
MONTHS = {"ru": ["янв 2025", "фев 2025", "мар 2025<br>по 03.03"],
          "en": ["Jan 2025", "Feb 2025", "Mar 2025<br>to Mar 3"]}


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_monthly_chart_fact_plan_spend_and_activities(warehouse, lang):
    at = run_app("overview", lang, **Q1_2025)
    spec = chart(at, t("overview.chart", lang, currency="RUB"))
    fact = [tr for tr in spec["data"] if tr.get("legendgroup") == t("chart.fact", lang)]
    assert sum(sum(values(tr)) for tr in fact) == pytest.approx(float(revenue(warehouse)))
    assert sum(len(values(tr, "x")) for tr in fact) == 3                          # Jan, Feb, Mar
    plan = sql_one(warehouse, PLAN, {"m": "revenue", "a": Q1_2025["from"], "b": Q1_2025["to"], "region": None})
    plan_trace = next(tr for tr in spec["data"] if tr.get("name") == t("chart.plan", lang))
    assert sum(v for v in values(plan_trace) if v is not None) == pytest.approx(float(plan))   # no plan: None
    markers = [tr for tr in spec["data"] if tr.get("yaxis") == "y9"]
    shown = sum(len(values(tr, "x")) for tr in markers)
    assert shown == sql_one(warehouse, "select count(*) from activities where status <> 'cancelled' "
                                       "and start_date <= date '2025-03-31' and end_date >= date '2025-01-01'")


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_monthly_chart_axes_speak_the_readers_language(warehouse, lang):
    spec = chart(run_app("overview", lang, **Q1_2025), t("overview.chart", lang, currency="RUB"))
    layout = spec["layout"]
    assert layout["xaxis"]["ticktext"] == MONTHS[lang]
    assert layout["xaxis"]["range"] == ["2025-01-01", "2025-04-01"]     # the data's months, nothing after
    for axis in ("yaxis", "yaxis2"):
        ticks, texts_ = layout[axis]["tickvals"], layout[axis]["ticktext"]
        assert ticks[0] == 0 and texts_[0] == "0" and len(ticks) == len(layout["yaxis"]["tickvals"])
        assert [tick_value(x, lang) for x in texts_] == pytest.approx(ticks)   # '50 млн' / '50M', not '50000000'


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_month_under_way_is_marked_partial(warehouse, lang):
    spec = chart(run_app("overview", lang, **Q1_2025), t("overview.chart", lang, currency="RUB"))
    span = t("chart.partial.to", lang, date="03.03" if lang == "ru" else "Mar 3")
    partial = [tr for tr in spec["data"] if tr.get("name") == t("chart.partial.month", lang,
                                                                 name=t("chart.fact", lang), span=span)]
    assert len(partial) == 1 and partial[0]["marker"]["pattern"]["shape"] == "/"
    assert [x[:7] for x in values(partial[0], "x")] == ["2025-03"]
    whole = next(tr for tr in spec["data"] if tr.get("name") == t("chart.fact", lang))
    assert [x[:7] for x in values(whole, "x")] == ["2025-01", "2025-02"]
    spend = next(tr for tr in spec["data"] if tr.get("name") == t("chart.spend", lang))
    assert len(values(spend, "x")) == 2                 # the spend line stops before the month under way


def test_months_after_the_data_are_not_drawn(warehouse):
    spec = chart(run_app("overview", "ru", period="custom", **{"from": "2025-01-01", "to": "2025-06-30"}),
                 t("overview.chart", "ru", currency="RUB"))
    assert spec["layout"]["xaxis"]["range"] == ["2025-01-01", "2025-04-01"]
    assert spec["layout"]["xaxis"]["ticktext"][-1] == "мар 2025<br>по 03.03"


def test_freshness_on_the_page(warehouse):
    at = run_app("overview", "ru", **Q1_2025)
    built = sql_one(warehouse, "select value from meta where key = 'built_at'")
    latest = sql_one(warehouse, "select max(created_at)::date from deals")
    line = texts(at)
    assert fmt.timestamp(built, "ru") in line and f"Сделки: {fmt.date(latest, 'ru')}" in line


def test_language_switch_in_the_sidebar(warehouse):
    at = run_app("overview", None, **Q1_2025)
    at.sidebar.segmented_control(key="lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert at.query_params["lang"] == "en"
    assert any(m.label == "Revenue, RUB" for m in at.metric)


def test_a_swapped_in_warehouse_is_noticed(copy_of_warehouse, tmp_path):
    at = run_app("overview", "en", **Q1_2025)
    before = amount_shown(metric(at, "Revenue, RUB").proto.help.split(":")[-1], "en")
    # what the ETL does: build a new file beside the old one, then os.replace() it in
    new = tmp_path / "next.duckdb"
    shutil.copyfile(copy_of_warehouse, new)
    con = duckdb.connect(str(new))
    for table, col in (("mart_region_day", "day"), ("mart_region_month", "month")):   # a period reads either
        con.execute(f"update {table} set revenue_base = revenue_base + 1000 "
                    f"where {col} = (select min({col}) from {table} where deals_won > 0 and currency = 'RUB' "
                    f"and {col} between '2025-01-01' and '2025-03-31') "
                    f"and deals_won > 0 and currency = 'RUB' and region = (select min(region) from {table} "
                    f"where deals_won > 0 and currency = 'RUB' and {col} between '2025-01-01' and '2025-03-31')")
    con.execute("checkpoint")
    con.close()
    os.replace(new, copy_of_warehouse)
    at.run()
    assert amount_shown(metric(at, "Revenue, RUB").proto.help.split(":")[-1], "en") > before


@pytest.fixture(params=["missing", "schema only"])
def empty_warehouse(request, fresh_db):
    if request.param == "schema only":  # a warehouse that exists but holds no deals yet
        con = duckdb.connect(str(fresh_db))
        con.execute((ROOT / "queries" / "warehouse" / "schema.sql").read_text(encoding="utf-8"))
        con.close()
    return fresh_db


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_no_data_shows_how_to_load_it(empty_warehouse, lang):
    at = run_app("overview", lang)
    assert len(at.info) == 1
    info = at.info[0].value
    assert t("empty.title", lang) in info
    assert "python -m etl load" in info and "python -m etl demo" in info
    assert not at.metric and not at.get("plotly_chart")


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_period_without_any_data_says_so_above_its_zeros(warehouse, lang):
    """A period before the data (or after it): the cards read 0, and one line above them says the warehouse
    holds nothing for it and when its data ends, so a zero is not read as a measured result."""
    latest = fmt.date(dt.date(2025, 3, 3), lang)
    for dates in (("2024-01-01", "2024-03-31"), ("2027-01-01", "2027-03-31")):
        at = run_app("overview", lang, period="custom", **{"from": dates[0], "to": dates[1]})
        assert t("overview.no_facts", lang, latest=latest) in [i.value for i in at.info], dates
    at = run_app("overview", lang, **Q1_2025)
    assert not any(i.value.startswith(t("overview.no_facts", lang)[:20]) for i in at.info)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_product_filter_says_what_it_cannot_narrow(small_demo, monkeypatch, lang):
    """Leads carry no product, and rows without one count under any product: with a product chosen, the
    filters' line says so (it heads every page, slide and file); without one it does not."""
    monkeypatch.setenv("PARITY_DB", str(small_demo))
    product = sql_one(small_demo, "select min(product) from mart_region_day where product <> '(none)'")
    period = {"period": "custom", "from": "2026-07-01", "to": "2026-09-30"}
    at = run_app("overview", lang, **period, products=product)
    assert at.caption[0].value.endswith(f"({t('filters.products_note', lang)})")
    assert product in at.caption[0].value
    assert t("filters.products_note", lang) not in run_app("overview", lang, **period).caption[0].value


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_period_with_no_month_of_data_says_so_instead_of_an_empty_chart(warehouse, lang):
    """A month after the data's last day: the monthly chart drew an empty date axis from Jan 2000 to Jan
    2001; the page now says there is nothing to chart by month and which day the data ends."""
    at = run_app("overview", lang, period="custom", **{"from": "2045-01-01", "to": "2045-01-31"})
    title = t("overview.chart", lang, currency="RUB")
    assert not [c for c in charts(at) if title in (c["layout"].get("title") or {}).get("text", "")]
    latest = sql_one(warehouse, "select max(d) from (select max(created_at::date) as d from deals union all "
                                "select max(created_at::date) from leads union all select max(date) from ad_spend)")
    assert t("chart.no_months", lang, latest=fmt.date(latest, lang)) in texts(at)
    at = run_app("overview", lang, **Q1_2025)                 # a period with data keeps its chart
    assert [c for c in charts(at) if title in (c["layout"].get("title") or {}).get("text", "")]


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_forecast_is_not_compared_with_a_plan_of_part_of_the_period(fresh_db, tmp_path, lang):
    """01.11-31.12 with a plan for November alone: the forecast card says the plan covers 30 of the 61
    days and which days have none, instead of «NN % к плану периода»; the revenue card names the days
    without a plan too. November alone, planned whole, still compares the forecast with its plan."""
    load_partial_plan(tmp_path)
    at = run_app("overview", lang, **PARTIAL_PLAN_PERIOD)
    forecast, revenue = metric(at, t("kpi.forecast", lang)), metric(at, t("kpi.revenue", lang, currency="RUB"))
    days = fmt.days_after_of(61, lang)
    assert forecast.value == fmt.compact(600_000 / 30 * 61, lang, "RUB")
    assert forecast.delta == t("kpi.plan_part", lang, covered="30", days=61, days_word=days)
    gaps = fmt.date_ranges([(dt.date(2026, 12, 1), dt.date(2026, 12, 31))], lang)
    assert t("kpi.forecast.plan_part", lang, covered="30", days=61, days_word=days, gaps=gaps,
             plan=fmt.money(1_000_000, "RUB", lang)) in forecast.proto.help
    assert t("kpi.revenue.plan_part", lang, covered="30", days=61, days_word=days, gaps=gaps) in revenue.proto.help
    assert metrics.text("basis.period", lang) not in forecast.delta
    november = run_app("overview", lang, period="custom", **{"from": "2026-11-01", "to": "2026-11-30"})
    assert metric(november, t("kpi.forecast", lang)).delta == t(
        "kpi.of_plan", lang, share=fmt.percent(0.6, lang, 0), basis=metrics.text("basis.period", lang))
    words = TEXT[lang]["kpi.revenue.plan_part"].split("{")[0]
    assert words not in metric(november, t("kpi.revenue", lang, currency="RUB")).proto.help


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_revenue_by_currency_holds_amounts_as_numbers(warehouse, lang, monkeypatch):
    """The revenue-by-currency table held each amount as text («1 380 000,50 ₽», «7 000,00 $»), so a header
    click sorted them as words; the amount is a number now (the currency in its own column), shown with two
    decimals, and the Excel file holds it as a number."""
    import io

    from openpyxl import load_workbook

    from tests.apptest import record_files

    built = record_files(monkeypatch)
    at = run_app("overview", lang, **Q1_2025)
    frame = next(d.value for d in at.dataframe if "currency" in d.value.columns)
    assert frame.revenue.dtype.kind == "f", frame.revenue.tolist()
    expected = dict(sql(warehouse, "select currency, sum(amount) from deals where status = 'won' "
                                   "and closed_at::date between $a and $b group by all",
                        {"a": Q1_2025["from"], "b": Q1_2025["to"]}))
    assert {c: pytest.approx(float(v)) for c, v in expected.items()} == dict(zip(frame.currency, frame.revenue,
                                                                              strict=True))
    rows = list(load_workbook(io.BytesIO(built["revenue_by_currency.xlsx"])).active.iter_rows(values_only=True))
    i = rows[1].index(t("col.revenue", lang))
    assert sorted(r[i] for r in rows[2:]) == pytest.approx(sorted(float(v) for v in expected.values()))


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_spend_and_leads_cards_compare_only_with_a_plan_of_every_day(warehouse, lang):
    """The fixture's leads and spend plans are Moscow's January alone. Before: Moscow's Q1 4 leads read «40 % к
    плану периода» against January's 10, and its Q1 spend 90 % of January's 10 000. After: the cards say the plan
    covers 31 of 90 days and which have none; Moscow's January keeps 3 / 10 = 30 %.
    The company's January (Kazan and St Petersburg had leads and spend with no plan) is not compared either."""
    days = fmt.days_after_of(90, lang)
    at = run_app("overview", lang, **Q1_2025, regions="Москва")
    for key, plan in ((t("kpi.leads", lang), fmt.number(10, lang)),
                      (t("kpi.spend", lang, currency="RUB"), fmt.money(10_000, "RUB", lang))):
        card = metric(at, key)
        assert card.delta == t("kpi.plan_part", lang, covered="31", days=90, days_word=days), (key, card.delta)
        assert t("kpi.fact.plan_part", lang, covered="31", days=90, days_word=days, plan=plan,
                 gaps=fmt.date_ranges([(dt.date(2025, 2, 1), dt.date(2025, 3, 31))], lang)) == card.proto.help
    jan = {"a": "2025-01-01", "b": "2025-01-31"}
    january = run_app("overview", lang, period="custom", **{"from": "2025-01-01", "to": "2025-01-31"},
                      regions="Москва")
    msk = "select count(*) from leads where created_at::date between $a and $b and region = 'Москва'"
    share = sql_one(warehouse, msk, jan) / sql_one(warehouse, PLAN, {"m": "leads", **jan, "region": "Москва"})
    assert metric(january, t("kpi.leads", lang)).delta == t(
        "kpi.of_plan", lang, share=fmt.percent(share, lang, 0), basis=metrics.text("basis.period", lang))
    # the company's January: Kazan and St Petersburg had leads and no leads plan, so no day is planned for all
    assert sql_one(warehouse, "select count(distinct region) from leads where region <> 'Москва' "
                              "and created_at::date between $a and $b", jan) > 0
    company = run_app("overview", lang, period="custom", **{"from": "2025-01-01", "to": "2025-01-31"})
    card = metric(company, t("kpi.leads", lang))
    one = fmt.days_after_of(31, lang)
    assert card.delta == t("kpi.plan_part", lang, covered="0", days=31, days_word=one)
    assert card.proto.help == t("kpi.fact.plan_part", lang, covered="0", days=31, days_word=one,
                                plan=fmt.number(10, lang),
                                gaps=fmt.date_ranges([(dt.date(2025, 1, 1), dt.date(2025, 1, 31))], lang))
