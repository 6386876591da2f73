"""Revenue against a plan that covers part of the period (a plan for November, the period 01.11-31.12,
a deal won in December): every surface leaves the share of plan out and says which days the plan covers,
by the registry's rule (model/metrics.py derive()), so the Overview, the Regions table, Plan vs fact, the
deck and the digest agree. Expected figures are written out from the fixture, not read back from the app."""
from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from model import metrics
from model.access import OPERATOR
from model.filters import Filters
from model.runner import run_on
from report import deck as decks
from tests.apptest import PARTIAL_PLAN_PERIOD, load_partial_plan, metric, run_app
from ui import fmt
from ui.i18n import t

WINDOW = Filters("custom", dt.date(2026, 11, 1), dt.date(2026, 12, 31))
NOVEMBER = Filters("custom", dt.date(2026, 11, 1), dt.date(2026, 11, 30))
GAPS = [(dt.date(2026, 12, 1), dt.date(2026, 12, 31))]


def _run(path):
    con = duckdb.connect(str(path), read_only=True)
    return con, (lambda name, params: run_on(con, name, params, OPERATOR))


@pytest.fixture
def partial(fresh_db, tmp_path):
    load_partial_plan(tmp_path, december=True)
    return fresh_db


def test_the_registry_compares_revenue_only_with_a_plan_of_every_day_it_counts(partial):
    """Before: 800 000 over 01.11-31.12 against November's 1 000 000 read 80 % of plan (and 80 % to date,
    the data running to 15.12). After: no share or gap on either basis, the 30 planned days stated;
    November alone keeps 600 000 / 1 000 000 = 60 %."""
    con, run = _run(partial)
    try:
        window, november = (metrics.region_table(run, f) for f in (WINDOW, NOVEMBER))
    finally:
        con.close()
    for table in (window, metrics.regions(window)[lambda r: r.region == "Москва"]):
        row = table.iloc[-1] if table is window else table.iloc[0]
        assert row.revenue == pytest.approx(800_000) and row.revenue_plan_period == pytest.approx(1_000_000)
        assert row.revenue_plan_days == 30
        for key in ("revenue_vs_plan_period", "revenue_gap_period", "revenue_vs_plan_to_date",
                    "revenue_gap_to_date", "revenue_forecast_vs_plan"):
            assert row[key] != row[key], (key, row[key])        # NaN: not compared
    total = metrics.totals(november)
    assert total["revenue_vs_plan_period"] == pytest.approx(0.6)
    assert total["revenue_vs_plan_to_date"] == pytest.approx(0.6)
    assert total["revenue_gap_period"] == pytest.approx(-400_000)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_overview_card_says_the_planned_days_instead_of_a_share(partial, lang):
    """The revenue card read «80 % к плану периода»; it says «план есть на 30 из 61 дня», the help which
    days have none and that the revenue is not compared with the plan."""
    at = run_app("overview", lang, **PARTIAL_PLAN_PERIOD)
    card = metric(at, t("kpi.revenue", lang, currency="RUB"))
    days = fmt.days_after_of(61, lang)
    assert card.value == fmt.compact(800_000, lang, "RUB")
    assert card.delta == t("kpi.plan_part", lang, covered="30", days=61, days_word=days)
    assert metrics.text("basis.period", lang) not in card.delta
    assert t("kpi.revenue.plan_part", lang, covered="30", days=61, days_word=days,
             gaps=fmt.date_ranges(GAPS, lang)) in card.proto.help
    assert fmt.percent(0.8, lang, 0) not in card.proto.help


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_deck_the_digest_and_plan_vs_fact_agree_with_the_card(partial, lang):
    """The deck's headline states the revenue with the 30 planned days and no share (it said 80 % of
    plan); the digest's company row shows «—» and the same sentence of planned days; Plan vs fact's gap
    holds November's fact against November's plan (600 000 - 1 000 000), not 800 000 against it."""
    from digest.content import plan_fact
    from model.views import load
    from model.views.plan_fact import splits

    con, run = _run(partial)
    try:
        deck = decks.build(WINDOW, run, lang, ["headline"])
        d = load("overview", WINDOW, run)
        s = plan_fact(d, lang, "RUB")
        cells = load("plan_fact", WINDOW, run)["cells"]
    finally:
        con.close()
    line = next(x for sl in deck.slides for x in sl.findings if "revenue" in x.facts)
    assert "share" not in line.facts and "share_to_date" not in line.facts
    assert line.facts["covered"][0] == 30 and line.facts["revenue"][0] == pytest.approx(800_000)
    assert fmt.date_ranges(GAPS, lang) in line.text and fmt.percent(0.8, lang, 0) not in line.text
    company = s.rows[-1]
    assert company[0] == t("digest.company", lang) and company[3] == fmt.DASH
    assert t("digest.plan_part", lang, covered="30", days=61, days_word=fmt.days_after_of(61, lang),
             gaps=fmt.date_ranges(GAPS, lang), plan=fmt.compact(1_000_000, lang, "RUB")) in s.lines
    assert not any(fmt.percent(0.8, lang, 0) in x for x in s.lines)
    gap = splits(cells).set_index("region").loc["Москва"]
    assert gap.revenue == pytest.approx(600_000) and gap.revenue_plan == pytest.approx(1_000_000)
    assert gap.gap == pytest.approx(-400_000)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_deviation_line_says_the_share_to_date_alone_when_the_period_is_planned_in_part(fresh_db, tmp_path, lang):
    """November planned, the data to 30.11, the period 01.11-31.12: Москва is 600 000 of 1 000 000 to date
    (60 %, 400 000 below), and its period share is not compared; the line read «…; — к плану периода»."""
    load_partial_plan(tmp_path)
    at = run_app("overview", lang, **PARTIAL_PLAN_PERIOD)
    basis = {b: metrics.text(f"basis.{b}", lang) for b in ("period", "to_date")}
    shown = [m.value for m in at.markdown if "Москва" in m.value]
    assert shown and not any(f"{fmt.DASH} {basis['period']}" in x for x in shown), shown
    line = t("overview.below", lang, region="Москва", share_to_date=fmt.percent(0.6, lang, 0),
             basis_to_date=basis["to_date"], gap=fmt.compact(400_000, lang, "RUB"), period="")
    assert line in shown, shown


TWO_REGIONS_PLAN = ("Месяц;Регион;Продукт;Показатель;План;Ответственный\n"
                    '01.11.2026;Москва;;revenue;"1 000 000";sales\n'
                    '01.12.2026;Казань;;revenue;"500 000";sales\n')
TWO_REGIONS_DEALS = (
    "ID;Название сделки;Бюджет;Валюта;Ответственный;Дата создания;Дата закрытия;Этап сделки;Город;"
    "Источник;utm_source;utm_medium;utm_campaign;ID лида\n"
    '8001;Склад;"600 000";RUB;Анна Смирнова;02.11.2026 10:00:00;10.11.2026 12:00:00;Успешно реализовано;мск;'
    "Сайт;;;;\n"
    '8002;Офис;"200 000";RUB;Анна Смирнова;01.12.2026 10:00:00;10.12.2026 12:00:00;Успешно реализовано;мск;'
    "Сайт;;;;\n"
    '8003;Цех;"300 000";RUB;Олег Петров;03.11.2026 10:00:00;12.11.2026 12:00:00;Успешно реализовано;Казань;'
    "Сайт;;;;\n"
    '8004;Ангар;"400 000";RUB;Олег Петров;02.12.2026 10:00:00;20.12.2026 12:00:00;Успешно реализовано;Казань;'
    "Сайт;;;;\n")


@pytest.fixture
def two_regions(fresh_db, tmp_path):
    from etl.load import load_files

    (tmp_path / "plan.csv").write_text(TWO_REGIONS_PLAN, encoding="utf-8")
    (tmp_path / "amo_deals.csv").write_text(TWO_REGIONS_DEALS, encoding="cp1251")
    result = load_files([tmp_path / "plan.csv", tmp_path / "amo_deals.csv"], progress=False)
    assert result["ok"], result
    return fresh_db


def test_the_total_is_planned_only_on_days_every_region_with_fact_has_a_plan(two_regions):
    """Moscow planned for November (1 000 000), Kazan for December (500 000), both won deals in both months
    (1 500 000 in all). Before: the total's plan counted as covering all 61 days, so 1 500 000 read 100 % of
    the 1 500 000 summed plan (gap 0). After: no day has a plan for both regions, so the total covers 0 days
    and is not compared; each region still has its 30 or 31 planned days (and no share either)."""
    con, run = _run(two_regions)
    try:
        table = metrics.region_table(run, WINDOW)
    finally:
        con.close()
    total = metrics.totals(table)
    assert total["revenue"] == pytest.approx(1_500_000) and total["revenue_plan_period"] == pytest.approx(1_500_000)
    assert total["revenue_plan_days"] == 0
    for key in ("revenue_vs_plan_period", "revenue_gap_period", "revenue_forecast_vs_plan"):
        assert total[key] is None, (key, total[key])
    days = metrics.regions(table).set_index("region").revenue_plan_days
    assert days["Москва"] == 30 and days["Казань"] == 31


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_regions_slide_says_its_fact_covers_the_planned_months_only(partial, lang):
    """Moscow's plan is November's; its revenue over 01.11-31.12 is 800 000 (the Regions page), the regions
    slide's «Факт» 600 000 (November's deals). The note said «за дни периода, на которые у региона есть план»
    without saying the fact is therefore less than the Regions page's revenue; it says so, naming the page."""
    con, run = _run(partial)
    try:
        deck = decks.build(WINDOW, run, lang, ["regions"])
        revenue = metrics.regions(metrics.region_table(run, WINDOW)).set_index("region").revenue["Москва"]
    finally:
        con.close()
    slide = next(sl for sl in deck.slides if sl.key == "regions")
    fact = slide.table.set_index(t("deck.col.region", lang))[t("deck.col.fact", lang)]["Москва"]
    assert revenue == pytest.approx(800_000) and fact == fmt.compact(600_000, lang, "RUB")
    assert t("page.regions", lang) in slide.note
