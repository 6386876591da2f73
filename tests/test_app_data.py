"""The Data page (AppTest) on a copy of the fixture warehouse: history, rejects, quality, reconciliation,
agreements; uploads through the same ETL; the mapping step for an unknown layout."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from analysis.attribution import agreed_model
from model import metrics
from tests.apptest import (
    Q1_2025,
    UNATTRIBUTED_EXPECTED,
    UNATTRIBUTED_PERIOD,
    load_no_source_deals,
    metric,
    open_tab,
    record_queries,
    run_app,
    sql,
    sql_one,
    texts,
)
from ui import fmt, upload
from ui.attribution import describe
from ui.i18n import TEXT, t

MAPPING = Path(__file__).resolve().parent / "data" / "mapping"


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_history_rejects_quality_recon_terms(warehouse, lang):
    at = run_app("data", lang, **Q1_2025)
    assert at.title[0].value == t("data.title", lang)
    open_tab(at, "data", "history")
    history = at.dataframe[0].value
    assert sorted(history.load_id) == [r[0] for r in sql(warehouse, "select load_id from loads order by 1")]
    rejects = at.dataframe[1].value
    load_id = at.selectbox(key="reject_load").value
    assert list(rejects.row_number) == [r[0] for r in sql(
        warehouse, "select row_number from rejects where load_id = $l order by 1", {"l": load_id})]
    open_tab(at, "data", "quality")
    unrecognised = next(df.value for df in at.dataframe if "raw_value" in df.value.columns)
    assert list(zip(unrecognised.raw_value, unrecognised.rows, strict=True)) == [tuple(r) for r in sql(
        warehouse, "select raw_value, rows from dq_unrecognised order by won_revenue desc nulls last, rows desc, "
                   "dimension, source, raw_value")]
    pairs = set(zip(unrecognised.raw_value, unrecognised.dimension, strict=True))
    assert ("Тверь", t("dq.dimension.region", lang)) in pairs
    open_tab(at, "data", "recon")
    recon = next(df.value for df in at.dataframe if "crm_won_amount" in df.value.columns)
    crm = sql_one(warehouse, "select sum(amount * case currency when 'RUB' then 1 else 90 end) from deals "
                             "where status = 'won' and closed_at::date between '2025-01-01' and '2025-03-31'")
    assert float(recon.crm_won_amount.sum()) == pytest.approx(float(crm))
    page = texts(open_tab(at, "data", "terms"))
    assert describe(agreed_model(), lang) in page      # the model in words, not its code position_based
    assert "position_based" not in page
    assert (t("data.terms.sla_text", lang, hours="2", start=9, end=19,
              days=", ".join(t(f"weekday.{d}", lang) for d in range(1, 6)), qualified="35\u00a0%" if lang == "ru"
              else "35%", conversion="20\u00a0%" if lang == "ru" else "20%")) in page
    # the Metrics tab lists the registry, generated from it in the reader's language
    open_tab(at, "data", "metrics")
    defs = next(df.value for df in at.dataframe if "definition" in df.value.columns)
    assert list(defs.name) == list(metrics.definitions(lang).name)
    assert metrics.text("revenue_vs_plan_to_date", lang) in set(defs.name)


def test_rejected_rows_of_another_load(warehouse):
    at = open_tab(run_app("data", "en", **Q1_2025), "data", "history")
    ids = at.selectbox(key="reject_load").options
    assert len(ids) >= 1
    assert not at.exception


def test_upload_goes_through_the_etl(copy_of_warehouse):
    before = sql_one(copy_of_warehouse, "select count(*) from loads")
    name = "deals_extra.csv"
    data = "ID;Бюджет;Дата создания;Этап сделки;Город\n9001;1 000;03.03.2025;Переговоры;Москва\n".encode()
    seen = []
    result = upload.load_uploads([(name, data)], on_file=seen.append)
    assert result["ok"] and [r["file"] for r in seen] == [name]
    assert sql_one(copy_of_warehouse, "select count(*) from loads") == before + 1
    assert sql_one(copy_of_warehouse, "select amount from deals where deal_id = '9001'") == 1000
    again = upload.load_uploads([("renamed.csv", data)])
    assert again["files"][0]["status"] == "already loaded"          # the same content changes nothing




def test_mapping_step_previews_saves_and_loads(copy_of_warehouse, config_copy):
    name = "orders_march.csv"
    data = (MAPPING / name).read_bytes()
    result = upload.load_uploads([(name, data)])
    assert upload.needs_mapping(result["files"][0])
    at = run_app("data", "en", **Q1_2025)
    at.session_state["to_map"] = [(name, data)]
    at.run()
    at.selectbox(key="map_entity").set_value("deals").run()
    for field, column in {"deal_id": "Номер заказа", "created_at": "Открыт", "amount": "Итог заказа, руб.",
                          "region": "Филиал"}.items():
        at.selectbox(key=f"map_col_deals_{field}").set_value(column)
    at.selectbox(key="map_opt_decimal").set_value(",")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # each field in words, its code beside it for whoever reads the warehouse; a required one starred
    assert at.selectbox(key="map_col_deals_amount").label == "Amount · amount *"
    assert at.selectbox(key="map_col_deals_closed_at").label == "Closed on · closed_at"
    # A-3's amount 'abc' leaves its amount empty (the order loads); A-4's 31.02.2025 rejects it
    assert "Read 4 rows: 3 will load, 1 rejected, 1 cells left empty." in texts(at)
    preview = next(df for df in at.dataframe if "reason" in df.value.columns and "amount" in df.value.columns)
    assert float(preview.value.amount.iloc[0]) == 12500.5
    headers = {c: v.get("label") for c, v in json.loads(preview.proto.columns).items()}
    assert headers["amount"] == "Amount · amount" and headers["reason"] == "Reason", headers
    at.text_input(key="map_name").input("shop orders").run()
    at.button[-1].click().run()
    assert not at.exception
    assert (config_copy / "mappings" / "shop_orders.toml").exists()
    assert sql_one(copy_of_warehouse, "select count(*) from deals where deal_id in ('A-1', 'A-2')") == 2


# amoCRM's newer export (';', UTF-8 with BOM): a won deal whose budget is typed as text.
AMO = ("\ufeffID;Название сделки;Бюджет;Ответственный;Дата создания;Дата закрытия;Этап сделки;Воронка\n"
       "9101;Окна;договорная;Анна Смирнова;03.03.2025 10:00:00;10.03.2025 12:00:00;Успешно реализовано;Продажи\n"
       "9102;Двери;50 000;Анна Смирнова;04.03.2025 10:00:00;;Переговоры;Продажи\n").encode()


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_cell_warnings_listed_and_won_without_amount_flagged(copy_of_warehouse, lang):
    result = upload.load_uploads([("amo_march.csv", AMO)])
    assert result["ok"] and result["files"][0]["cells_warned"] == 1
    at = open_tab(run_app("data", lang, **Q1_2025), "data", "history")
    load_id = sql_one(copy_of_warehouse, "select max(load_id) from loads")
    assert at.selectbox(key="warn_load").value == load_id
    warned = next(df.value for df in at.dataframe if "column" in df.value.columns)
    assert warned.to_dict("records") == [{"row_number": 2, "column": "Бюджет", "raw": "договорная",
                                          "reason": {"en": "not a number; amount left empty",
                                                     "ru": "не число; поле «Сумма» оставлено пустым"}[lang]}]
    history = at.dataframe[0].value
    assert int(history.set_index("load_id").loc[load_id, "cells_warned"]) == 1
    won_no_amount = sql_one(copy_of_warehouse, "select count(*) from deals where status = 'won' and amount is null")
    assert won_no_amount >= 1
    open_tab(at, "data", "quality")
    assert metric(at, t("data.dq.won_no_amount", lang)).value == str(won_no_amount)
    by_region = next(df.value for df in at.dataframe if list(df.value.columns) == ["currency", "region", "deals"])
    assert int(by_region.deals.sum()) == won_no_amount
    assert metric(at, t("data.dq.cells_warned", lang)).value == "1"
    assert metric(at, t("data.dq.from_lead", lang)).value == str(
        sql_one(copy_of_warehouse, "select count(*) from deals where channel_from_lead"))


def test_mapping_step_offers_constants_for_fields_the_file_lacks(copy_of_warehouse, config_copy):
    name = "orders_march.csv"
    data = (MAPPING / name).read_bytes()
    at = run_app("data", "en", **Q1_2025)
    at.session_state["to_map"] = [(name, data)]
    at.run()
    at.selectbox(key="map_entity").set_value("deals").run()
    for field, column in {"deal_id": "Номер заказа", "created_at": "Открыт", "amount": "Итог заказа, руб.",
                          "region": "Филиал"}.items():
        at.selectbox(key=f"map_col_deals_{field}").set_value(column)
    at.run()
    keys = {s.key for s in at.selectbox}
    # status, currency and channel have no column: offered; region has one: not offered
    assert {"map_const_deals_status", "map_const_deals_currency", "map_const_deals_channel"} <= keys
    assert "map_const_deals_region" not in keys
    assert at.selectbox(key="map_const_deals_status").options == ["—", "lost", "open", "won"]
    at.selectbox(key="map_const_deals_status").set_value("won")
    at.selectbox(key="map_const_deals_currency").set_value("USD").run()
    assert not at.exception, [e.value for e in at.exception]
    preview = next(df.value for df in at.dataframe if "reason" in df.value.columns and "amount" in df.value.columns)
    assert set(preview.status) == {"won"} and set(preview.currency) == {"USD"}
    at.text_input(key="map_name").input("shop won").run()
    at.button[-1].click().run()
    assert not at.exception
    saved = (config_copy / "mappings" / "shop_won.toml").read_text(encoding="utf-8")
    assert '[constants]\nstatus = "won"\ncurrency = "USD"' in saved
    assert sql(copy_of_warehouse, "select distinct status, currency from deals where deal_id like 'A-%'") == [
        ("won", "USD")]


def test_agreements_come_from_the_built_warehouse_and_a_config_change_is_announced(copy_of_warehouse, config_copy):
    """The Data page shows the SLA the numbers were built with; after data/agreements.toml changes every
    page says a rebuild is due and still shows the built values; a rebuild takes the new ones."""
    from etl.load import rebuild

    rebuild()     # the copy was built with the repo's config; build it with the test's copy
    at = open_tab(run_app("data", "en", **Q1_2025), "data", "terms")
    assert not at.warning or all(t("config.stale", "en") != w.value for w in at.warning)
    assert "within 2 working hours" in texts(at)
    toml = config_copy / "agreements.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("first_contact_hours = 2", "first_contact_hours = 4"),
                    encoding="utf-8")
    for page in ("data", "overview", "regions"):
        at = run_app(page, "en", **Q1_2025)
        assert t("config.stale", "en") in [w.value for w in at.warning], page
    assert "within 2 working hours" in texts(open_tab(run_app("data", "en", **Q1_2025), "data", "terms"))  # built
    rebuild()
    at = open_tab(run_app("data", "en", **Q1_2025), "data", "terms")
    assert t("config.stale", "en") not in [w.value for w in at.warning]
    assert "within 4 working hours" in texts(at)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_revenue_without_attribution_is_the_periods(copy_of_warehouse, tmp_path, lang):
    """The quality tab states revenue without attribution for the sidebar's period and regions (not the
    whole warehouse), the same figure the deck and the Contribution page state (tests/test_report.py)."""
    load_no_source_deals(tmp_path)
    p = UNATTRIBUTED_PERIOD
    revenue = float(sql_one(copy_of_warehouse, "select sum(amount * case currency when 'RUB' then 1 else 90 end) "
                                               "from deals where status = 'won' and closed_at::date between $a and $b "
                                               "and region in ('Москва', 'Казань')", {"a": p["from"], "b": p["to"]}))
    at = open_tab(run_app("data", lang, **p), "data", "quality")
    tile = metric(at, t("data.dq.unattributed", lang))
    assert tile.value == fmt.percent(UNATTRIBUTED_EXPECTED / revenue, lang)
    assert tile.delta == fmt.compact(UNATTRIBUTED_EXPECTED, lang, "RUB")
    whole_q1 = open_tab(run_app("data", lang, **Q1_2025), "data", "quality")   # another period, all regions
    q1_revenue = float(sql_one(copy_of_warehouse, "select sum(amount * case currency when 'RUB' then 1 else 90 end) "
                                                  "from deals where status = 'won' and closed_at::date "
                                                  "between '2025-01-01' and '2025-03-31'"))
    q1_bare = 500_000 + 7_000 * 90 + 90_000      # all three no-source deals close in Q1, in any region
    assert metric(whole_q1, t("data.dq.unattributed", lang)).value == fmt.percent(q1_bare / q1_revenue, lang)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_reconciliation_without_an_accounting_export_says_so(fresh_db, lang):
    """CRM deals alone: nothing to reconcile, so the tab says what is missing instead of listing every won
    deal as a CRM-only difference; once the accounting export is loaded the comparison appears."""
    from etl.load import load_files
    from tests.conftest import WH_FILES

    files = {p.name: p for p in WH_FILES}
    assert load_files([files["deals_amo.csv"]], progress=False)["ok"]
    won = sql_one(fresh_db, "select count(*) from deals where status = 'won' and closed_at is not null")
    assert won > 0
    assert sql_one(fresh_db, "select count(*) from recon_differences") == 0
    assert sql_one(fresh_db, "select count(*) from recon_region_month") == 0
    at = open_tab(run_app("data", lang, **Q1_2025), "data", "recon")
    assert t("data.recon.no_sales", lang) in [i.value for i in at.info]
    assert not any("crm_won_amount" in df.value.columns for df in at.dataframe)
    assert t("data.recon.lines", lang) not in [h.value for h in at.subheader]

    assert load_files([files["sales_1c.csv"]], progress=False)["ok"]
    assert sql_one(fresh_db, "select count(*) from recon_differences where kind = 'crm_only'") > 0
    assert sql_one(fresh_db, "select count(*) from recon_region_month") > 0
    at = open_tab(run_app("data", lang, **Q1_2025), "data", "recon")
    assert t("data.recon.no_sales", lang) not in [i.value for i in at.info]
    assert any("crm_won_amount" in df.value.columns for df in at.dataframe)


@pytest.fixture
def clicks(monkeypatch) -> dict:
    """Every download the page offers, built at once as if clicked: file name -> (bytes, trail detail)."""
    import ui.trail

    built = {}
    real = ui.trail.exported

    def exported(build, target, detail, lang_, user=None):
        data = real(build, target, detail, lang_, user)
        built[target] = (data(), dict(detail))
        return data

    monkeypatch.setattr(ui.trail, "exported", exported)
    return built


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_reconciliation_shows_the_largest_lines_and_exports_them_all(warehouse, monkeypatch, clicks, lang):
    """Fewer lines on screen than the period has: the page says how many it shows of how many, and the
    table's Excel export has every line of the period, largest first, kinds in the reader's language."""
    import io

    from openpyxl import load_workbook

    from model.views import data as data_view

    every = sql(warehouse, "select kind, coalesce(deal_id, document) from recon_differences "
                           "where date between '2025-01-01' and '2025-03-31' "
                           "order by greatest(abs(coalesce(crm_amount, 0)), abs(coalesce(sales_amount, 0))) desc, "
                           "kind, deal_id, document")
    assert len(every) == 3
    monkeypatch.setattr(data_view, "RECON_ROWS", 2)
    at = open_tab(run_app("data", lang, **Q1_2025), "data", "recon")
    assert t("data.recon.largest", lang, shown=fmt.number(2, lang), total=fmt.number(3, lang)) in texts(at)
    shown = next(df.value for df in at.dataframe if "document" in df.value.columns and "crm_amount" in df.value.columns)
    assert len(shown) == 2 and "lines" not in shown.columns
    book, detail = clicks["recon_differences.xlsx"]
    rows = list(load_workbook(io.BytesIO(book)).active.iter_rows(values_only=True))[2:]   # note line, header
    assert [(r[0], r[3] or r[4]) for r in rows] == [(t(f"data.kind.{k}", lang), key) for k, key in every]
    assert detail["rows"] == 3

    monkeypatch.setattr(data_view, "RECON_ROWS", 500)        # all of them fit: no line about it
    at = open_tab(run_app("data", lang, **Q1_2025), "data", "recon")
    assert t("data.recon.largest", lang).split("{shown}")[1].split("{total}")[0] not in texts(at)


MANY_BAD = ("\ufeffID;Название сделки;Бюджет;Ответственный;Дата создания;Дата закрытия;Этап сделки;Воронка\n"
            + "".join(f"92{i:02};Окна;договорная;Анна Смирнова;0{i}.03.2025 10:00:00;;Переговоры;Продажи\n"
                      for i in range(1, 4))                                   # 3 cells read as empty
            + "".join(f"93{i:02};Двери;50 000;Анна Смирнова;3{i}.02.2025 10:00:00;;Переговоры;Продажи\n"
                      for i in range(1, 4))).encode()                          # 3 rows rejected: no such day


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_rejects_and_cell_warnings_say_what_they_leave_out_and_download_it_all(copy_of_warehouse, monkeypatch,
                                                                                clicks, lang):
    """A load with more rejected rows and unreadable cells than the page lists: each table says it shows the
    first rows of how many, and its downloads (Excel, and the rejects' CSV) have every one."""
    import io

    from openpyxl import load_workbook

    from model.views import data as data_view

    result = upload.load_uploads([("amo_march.csv", MANY_BAD)])
    assert result["ok"] and (result["files"][0]["rows_rejected"], result["files"][0]["cells_warned"]) == (3, 3)
    monkeypatch.setattr(data_view, "LOAD_ROWS", 2)
    at = open_tab(run_app("data", lang, **Q1_2025), "data", "history")
    load_id = sql_one(copy_of_warehouse, "select max(load_id) from loads")
    assert at.selectbox(key="reject_load").value == at.selectbox(key="warn_load").value == load_id
    note = t("data.rows.first", lang, shown=fmt.number(2, lang), total=fmt.number(3, lang))
    assert [c.value for c in at.caption].count(note) == 2
    shown = [df.value for df in at.dataframe if {"row_number", "raw"} <= set(df.value.columns)]
    assert [len(df) for df in shown] == [2, 2]
    csv_text, detail = clicks[f"rejects_{load_id}_amo_march.csv"]
    assert csv_text.decode("utf-8-sig").count("\n") == 1 + 3 and detail["rows"] == 3
    header = csv_text.decode("utf-8-sig").splitlines()[0]          # named as on screen, not row_number,reason,raw
    assert header == ",".join(t(f"data.col.{c}", lang) for c in ("row_number", "reason", "raw"))
    for name in ("rejects.xlsx", "cell_warnings.xlsx"):
        book, detail = clicks[name]
        assert len(list(load_workbook(io.BytesIO(book)).active.iter_rows(values_only=True))) == 2 + 3, name
        assert detail["rows"] == 3


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_unrecognised_values_and_unmapped_campaigns_beyond_the_list_are_counted_and_exported(copy_of_warehouse,
                                                                                            monkeypatch, clicks, lang):
    """More values no rule matched (and campaigns without a region or channel) than the page lists: each
    table says how many of how many it shows, and its Excel export has them all."""
    import io

    from openpyxl import load_workbook

    from model.views import data as data_view
    from tests.test_periods import GOOGLE

    assert upload.load_uploads([("Campaign report.csv", GOOGLE)])["ok"]     # campaigns no rule places
    unrecognised = sql_one(copy_of_warehouse, "select count(*) from dq_unrecognised")
    campaigns = sql_one(copy_of_warehouse, "select count(*) from dq_unmapped_campaigns")
    assert unrecognised >= 2 and campaigns >= 2
    monkeypatch.setattr(data_view, "DQ_ROWS", 1)
    at = open_tab(run_app("data", lang, **Q1_2025), "data", "quality")
    captions = [c.value for c in at.caption]
    for total in (unrecognised, campaigns):
        assert t("data.rows.first", lang, shown=fmt.number(1, lang), total=fmt.number(total, lang)) in captions
    for name, total in (("dq_unrecognised.xlsx", unrecognised), ("dq_campaigns.xlsx", campaigns)):
        rows = list(load_workbook(io.BytesIO(clicks[name][0])).active.iter_rows(values_only=True))
        assert len(rows) == 2 + total and "all_rows" not in rows[1], name
    # the unrecognised values' file in words as the screen, every row of it (it held region, deals, source)
    rows = list(load_workbook(io.BytesIO(clicks["dq_unrecognised.xlsx"][0])).active.iter_rows(values_only=True))
    head = list(rows[1])
    for column, key in (("dimension", "dq.dimension"), ("source", "source"), ("field", "field")):
        j = head.index(t(f"data.col.{column}", lang))
        words = {v for k, v in TEXT[lang].items() if k.startswith(key + ".")}
        assert {r[j] for r in rows[2:]} <= words, (column, {r[j] for r in rows[2:]})



def _names_of(db, tab: str | None) -> set[str]:
    """The queries the Data view runs for `tab` (None: every tab's), recorded on the warehouse itself."""
    import duckdb

    from model.access import OPERATOR
    from model.filters import from_query, today
    from model.runner import run_on
    from model.views import data as data_view

    names: set[str] = set()
    con = duckdb.connect(str(db), read_only=True)
    try:
        def run(name, params):
            names.add(name)
            return run_on(con, name, params, OPERATOR)
        data_view.load(from_query(Q1_2025, today()), run, tab=tab)
    finally:
        con.close()
    return names


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_tab_reads_its_tables_when_opened_and_no_others(warehouse, lang, monkeypatch):
    """The page draws the open tab only: a tab's tables are queried when it is opened, the other tabs' are
    not, and every tab opens without an error (data_admin's first tab is loading files, which reads none)."""
    from model.views import data as data_view

    shared = {"agreement", "freshness", "build_meta"}      # the page's caption and footer read them too
    every = _names_of(warehouse, None) - shared
    asked = record_queries(monkeypatch)
    at = run_app("data", lang, **Q1_2025)        # the Overview first, then the Data page
    asked.clear()
    at.run()
    assert asked and not set(asked) & every
    for tab in data_view.TABS:
        asked.clear()
        open_tab(at, "data", tab)
        mine = _names_of(warehouse, tab) - shared
        assert mine and mine <= set(asked), tab
        assert not (set(asked) & every) - mine, tab
    for tab in ("metrics", "vocab", "load", "history"):
        asked.clear()
        open_tab(at, "data", tab)
        assert (not set(asked) & every) if tab != "history" else set(asked) & every, tab


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_quality_tiles_of_the_whole_warehouse_say_so(warehouse, lang):
    """Beside «Выручка без атрибуции за период», the unknown-region share, the deals without a source and the
    rejected rows are the whole warehouse's (mart_dq): a one-month period leaves them unchanged, and each
    tile now says so under its value (they stood unlabelled beside the period's figure)."""
    q1 = open_tab(run_app("data", lang, **Q1_2025), "data", "quality")
    jan = open_tab(run_app("data", lang, period="custom", **{"from": "2025-01-01", "to": "2025-01-31"}),
                   "data", "quality")
    for key in ("data.dq.unknown_region", "data.dq.no_source", "data.dq.rejected"):
        tile = metric(jan, t(key, lang))
        assert tile.value == metric(q1, t(key, lang)).value           # the period does not move it
        assert tile.delta == t("data.dq.whole", lang) != "data.dq.whole"
    assert metric(jan, t("data.dq.unattributed", lang)).delta != t("data.dq.whole", lang)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_history_says_each_loads_notes_in_the_readers_language(copy_of_warehouse, lang):
    """The history lists how each file was read (here: no currency column, so amounts in the base currency),
    in the reader's language; it kept the English text of the loads table out of the Russian page."""
    result = upload.load_uploads([("amo_march.csv", AMO)])
    assert result["ok"]
    load_id = sql_one(copy_of_warehouse, "select max(load_id) from loads")
    history = open_tab(run_app("data", lang, **Q1_2025), "data", "history").dataframe[0].value
    notes = history.set_index("load_id").loc[load_id, "notes"]
    default = t("data.load.note.currency_assumed.default", lang)
    assert notes == t("data.load.note.currency_assumed", lang, currency="RUB", origin=default), notes
    # a load from before the codes were kept shows the text it stored, never an empty cell
    con = duckdb.connect(str(copy_of_warehouse))
    con.execute("update loads set note_keys = null where load_id = ?", [load_id]).fetchall()
    con.close()
    history = open_tab(run_app("data", lang, **Q1_2025), "data", "history").dataframe[0].value
    assert history.set_index("load_id").loc[load_id, "notes"] == "no currency column: amounts taken as RUB"


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_warehouse_built_by_other_build_steps_is_announced_and_make_run_rebuilds_it(copy_of_warehouse, lang):
    """After an upgrade the derived tables may lack what the pages read (a funnel column): every page says a
    rebuild is due, and `make run`'s check (etl.build.built_by_other_steps) asks for one; a rebuild clears both."""
    from etl.build import built_by_other_steps
    from etl.load import rebuild

    assert not built_by_other_steps(copy_of_warehouse)
    assert t("build.stale", lang) not in [w.value for w in run_app("overview", lang, **Q1_2025).warning]
    con = duckdb.connect(str(copy_of_warehouse))
    con.execute("update meta set value = 'an older build' where key = 'steps_hash'").fetchall()
    con.close()
    assert built_by_other_steps(copy_of_warehouse)
    for page in ("overview", "funnel"):
        assert t("build.stale", lang) in [w.value for w in run_app(page, lang, **Q1_2025).warning], page
    rebuild(progress=False)
    assert not built_by_other_steps(copy_of_warehouse)
    assert t("build.stale", lang) not in [w.value for w in run_app("overview", lang, **Q1_2025).warning]
