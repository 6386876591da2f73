"""The app as a user meets it (AppTest): the overview page on the fixture warehouse, and with no data."""
from __future__ import annotations

import json
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from ui import fmt
from ui.i18n import TEXT, t

ROOT = Path(__file__).resolve().parent.parent


def run_app(lang: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sql_one(path: Path, sql: str):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()[0][0]
    finally:
        con.close()


def won_revenue(path: Path, currency: str) -> Decimal:
    return sql_one(path, f"select sum(amount) from deals where status = 'won' and currency = '{currency}'")


def amount_shown(text: str, lang: str) -> Decimal:
    """'1 380 001 ₽' / '1,380,001 RUB' / 'Точно: 1 380 000,50 ₽' -> the number."""
    digits = re.sub(r"[^\d,.\-]", "", text.replace("\u00a0", "").replace("\u202f", ""))
    digits = digits.replace(",", ".") if lang == "ru" else digits.replace(",", "")
    return Decimal(digits.strip("."))


def metric(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert len(found) == 1, (label, [m.label for m in at.metric])
    return found[0]


def test_every_text_key_exists_in_both_languages():
    assert TEXT["ru"].keys() == TEXT["en"].keys()


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_overview_headline_matches_the_warehouse(warehouse, lang):
    at = run_app(None if lang == "ru" else "en")  # RU is the default with no ?lang=
    assert at.session_state["lang"] == lang
    assert at.query_params["lang"] == lang  # the URL carries the language for sharing
    assert at.title[0].value == t("overview.title", lang)

    for currency in ("RUB", "USD"):  # one metric per currency: RUB and USD are never added up
        expected = won_revenue(warehouse, currency)
        assert expected and expected > 0
        shown = metric(at, f"{t('won_revenue', lang)}, {currency}")
        assert shown.value == fmt.compact(expected, lang, currency)  # "1,4 млн ₽" / "1.4M RUB"
        assert amount_shown(shown.proto.help, lang) == expected  # the tooltip gives it to the kopeck
    assert metric(at, f"{t('won_revenue', lang)}, RUB").value.endswith("₽" if lang == "ru" else " RUB")
    assert metric(at, f"{t('won_revenue', lang)}, USD").value.endswith("$" if lang == "ru" else " USD")

    won, lost = (sql_one(warehouse, f"select count(*) from deals where status = '{s}'") for s in ("won", "lost"))
    assert metric(at, t("won_deals", lang)).value == str(won)
    assert amount_shown(metric(at, t("win_rate", lang)).value, lang) == round(Decimal(100 * won / (won + lost)), 1)
    assert metric(at, t("leads", lang)).value == str(sql_one(warehouse, "select count(*) from leads"))


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_chart_is_in_the_main_currency_by_close_month(warehouse, lang):
    at = run_app(lang)
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    assert "RUB" in spec["layout"]["title"]["text"]  # RUB has the most won revenue in the fixture
    bars = spec["data"][0]
    assert Decimal(str(sum(bars["y"]))) == won_revenue(warehouse, "RUB")
    months = sql_one(warehouse, "select count(distinct date_trunc('month', closed_at)) from deals "
                                "where status = 'won' and currency = 'RUB'")
    assert len(bars["x"]) == months


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_freshness_lists_latest_date_per_source(warehouse, lang):
    at = run_app(lang)
    table = at.dataframe[0].value
    assert list(table["source"]) == [t(f"source.{s}", lang)
                                     for s in ("deals", "leads", "ad_spend", "sales", "traffic", "plan")]
    deals = table[table["source"] == t("source.deals", lang)]
    assert deals["latest"].iloc[0].date() == sql_one(warehouse, "select max(created_at)::date from deals")
    built = sql_one(warehouse, "select value from meta where key = 'built_at'")
    expected = t("freshness.built_at", lang).format(when=fmt.timestamp(built, lang))
    assert expected in [c.value for c in at.caption]


def test_language_switch_in_the_sidebar(warehouse):
    at = run_app()
    at.sidebar.segmented_control(key="lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert at.query_params["lang"] == "en"
    assert any(m.label == "Won revenue, RUB" for m in at.metric)


def test_a_swapped_in_warehouse_is_noticed(copy_of_warehouse, tmp_path):
    at = run_app("en")
    before = amount_shown(metric(at, "Won revenue, RUB").proto.help, "en")
    # what the ETL does: build a new file beside the old one, then os.replace() it in
    new = tmp_path / "next.duckdb"
    shutil.copyfile(copy_of_warehouse, new)
    con = duckdb.connect(str(new))
    con.execute("update deals set amount = amount + 1000 where status = 'won' and currency = 'RUB' "
                "and deal_id = (select min(deal_id) from deals where status = 'won' and currency = 'RUB')")
    con.execute("checkpoint")
    con.close()
    os.replace(new, copy_of_warehouse)
    at.run()
    assert amount_shown(metric(at, "Won revenue, RUB").proto.help, "en") == before + 1000


@pytest.fixture(params=["missing", "schema only"])
def empty_warehouse(request, fresh_db):
    if request.param == "schema only":  # a warehouse that exists but holds no deals yet
        con = duckdb.connect(str(fresh_db))
        con.execute((ROOT / "queries" / "warehouse" / "schema.sql").read_text(encoding="utf-8"))
        con.close()
    return fresh_db


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_no_data_shows_how_to_load_it(empty_warehouse, lang):
    at = run_app(lang)
    assert len(at.info) == 1
    info = at.info[0].value
    assert t("empty.title", lang) in info
    assert "python -m etl load" in info and "python -m etl demo" in info
    assert not at.metric and not at.get("plotly_chart")
