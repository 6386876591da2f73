"""The fixture warehouse: golden query results, the data checks, and how rows are canonicalised."""
from __future__ import annotations

import csv
import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.build import run_checks
from etl.load import load_files
from etl.paths import QUERIES_DIR
from etl.sqlfiles import run_file

GOLDEN = Path(__file__).resolve().parent / "golden"
GOLDEN_QUERIES = sorted(p.stem for p in GOLDEN.glob("*.sql"))
CHECKS = sorted(p.stem for p in (QUERIES_DIR / "checks").glob("*.sql"))


def query(db: Path, sql: str, params: dict | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def as_text(value) -> str:
    """A result cell as the golden CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------------------------------------
# Golden results: each tests/golden/<name>.sql against <name>.csv, computed by hand from tests/data/wh.

@pytest.mark.parametrize("name", GOLDEN_QUERIES)
def test_golden(warehouse, name):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cur = con.execute((GOLDEN / f"{name}.sql").read_text(encoding="utf-8"))
        header = [d[0] for d in cur.description]
        rows = [[as_text(v) for v in row] for row in cur.fetchall()]
    finally:
        con.close()
    with open(GOLDEN / f"{name}.csv", encoding="utf-8", newline="") as fh:
        expected = list(csv.reader(fh))
    assert [header, *rows] == expected


def test_golden_files_pair_up():
    assert GOLDEN_QUERIES and sorted(p.stem for p in GOLDEN.glob("*.csv")) == GOLDEN_QUERIES


def test_sales_total_equals_the_reports_itogo(warehouse):
    """The 1C file's own Итого line says 1 250 000,50 for quantity 2: the loaded lines sum to it once."""
    assert query(warehouse, "select sum(amount), sum(quantity), count(*) from sales") == [
        (Decimal("1250000.50"), Decimal("2.000"), 3)]


# ---------------------------------------------------------------------------------------------
# Data checks: all pass on the fixture; each one can fail.

def _checks(con) -> dict[str, int]:
    run_file(con, "warehouse/macros.sql")  # temp macros: allowed on a read-only connection too
    return run_checks(con)


@pytest.mark.parametrize("check", CHECKS)
def test_check_passes_on_fixture(warehouse, check):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert _checks(con)[check] == 0
    finally:
        con.close()


VIOLATIONS = {  # check -> a statement that breaks exactly what the check guards
    "activities_unique_key": "insert into activities select * from activities where activity_id = 'A1'",
    "ad_spend_unique_key": "insert into ad_spend select * from ad_spend limit 1",
    # the credit is stored compact: a model's own rows and the rows every rule model shares ('*')
    "attribution_credits_add_up": "update attribution_credit_compact set revenue = revenue + 1 "
                                  "where model in ('linear', '*') and status = 'won'",
    "attribution_days_add_up": "update attribution_channel_day_compact set revenue_base = revenue_base + 1 "
                               "where model in ('linear', '*') and won_deals > 0 and channel = "
                               "(select min(channel) from attribution_channel_day_compact where won_deals > 0)",
    "channels_canonical": "update deals set channel = 'tv' where deal_id = '101'",
    "currency_iso": "update deals set currency = 'руб' where deal_id = '101'",
    "deals_accepted_status": "update deals set status = 'closed' where deal_id = '101'",
    "deals_unique_key": "insert into deals select * from deals where deal_id = '101'",
    "leads_accepted_status": "update leads set status = 'hot' where lead_id = 'L1'",
    "leads_unique_key": "insert into leads select * from leads where lead_id = 'L1'",
    "loads_unique_sha": "insert into loads select * replace (load_id + 100 as load_id) from loads where load_id = 1",
    "owners_accepted": "update plan set owner = 'finance' where metric = 'leads'",
    "plan_unique_key": "insert into plan select * from plan where metric = 'leads'",
    "regions_canonical": "update deals set region = 'мск' where deal_id = '101'",
    "rejects_have_load": "insert into rejects values (999, 1, 'no such load', '')",
}


def test_every_check_has_a_violation_case():
    assert sorted(VIOLATIONS) == CHECKS


@pytest.mark.parametrize("check", sorted(VIOLATIONS))
def test_check_can_fail(copy_of_warehouse, check):
    con = duckdb.connect(str(copy_of_warehouse))
    try:
        con.execute(VIOLATIONS[check]).fetchall()
        assert _checks(con)[check] >= 1
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------
# Canonical regions, channels and statuses; duplicates; later exports.

@pytest.mark.parametrize("deal_id, region, region_raw, channel, status", [
    ("101", "Москва", "г. Москва", "yandex_direct", "won"),           # alias; utm_source yandex
    ("102", "Москва", "мск", "yandex_direct", "open"),                # alias; 'Переговоры' is open
    ("103", "Санкт-Петербург", "Питер", "direct", "won"),             # CRM source 'Холодный звонок'
    ("104", "Санкт-Петербург", "СПб", "vk_ads", "lost"),              # 'Закрыто и не реализовано'
    ("105", "Казань", "Казань", "email", "won"),                      # utm_medium email beats utm_source
    ("107", "Тверь", "Тверь", "events", "won"),                       # unknown region kept raw; 'Выставка'
    ("108", "Москва", "Москва", "yandex_direct", "open"),             # unknown stage counts as open
])
def test_deal_canonical_values(warehouse, deal_id, region, region_raw, channel, status):
    assert query(warehouse, "select region, region_raw, channel, status from deals where deal_id = $id",
                 {"id": deal_id}) == [(region, region_raw, channel, status)]


@pytest.mark.parametrize("sql, expected", [
    # L5: CRM source 'Сайт' with no tags is the website channel (data/channel_rules.csv), not a catch-all 'other'
    ("select lead_id, channel from leads order by lead_id",
     [("L1", "yandex_direct"), ("L2", "yandex_direct"), ("L3", "yandex_direct"), ("L4", "vk_ads"), ("L5", "website"),
      ("L6", "google_ads"), ("L7", "yandex_direct")]),
    ("select lead_id, status from leads order by lead_id",
     [("L1", "converted"), ("L2", "converted"), ("L3", "junk"), ("L4", "converted"), ("L5", "in_progress"),
      ("L6", "qualified"), ("L7", "in_progress")]),
    ("select channel, campaign from touchpoints order by touch_at",
     [("seo", None), ("yandex_direct", "msk_search_brand"), ("yandex_direct", "msk_search_brand")]),
    ("select campaign, platform, channel, region from campaigns order by campaign",
     [("msk_search_brand", "Yandex Direct", "yandex_direct", "Москва"),
      ("spb_vk_retarget", "VK Ads", "vk_ads", "Санкт-Петербург")]),
    ("select source, raw_text, rows from dq_unknown_regions", [("deals", "Тверь", 1)]),
    ("select stage, deals from dq_unknown_stages", [("Новая стадия X", 1)]),
    ("select utm_campaign, utm_campaign_raw from deals where deal_id = '101'",
     [("msk_search_brand", "MSK_Search_Brand")]),
    ("select activity_id, owner, kind, status, budget from activities order by 1",
     [("A1", "marketing", "campaign", "done", Decimal("9000.00")), ("A2", "sales", "call_blitz", "done", None),
      ("A3", "marketing", "event", "planned", Decimal("50000.00")),
      ("A4", "sales", "call_blitz", "cancelled", Decimal("2000.00"))]),
])
def test_canonical_values(warehouse, sql, expected):
    assert query(warehouse, sql) == expected


def test_exact_duplicate_line_counts_once(warehouse):
    assert query(warehouse, "select count(*) from deals where deal_id = '107'") == [(1,)]
    assert query(warehouse, "select rows_read, rows_loaded, rows_rejected, rows_duplicate from loads "
                            "where file_name = 'deals_amo.csv'") == [(9, 7, 1, 1)]


def test_only_identical_lines_are_duplicates(fresh_db, tmp_path):
    """Staging compares lines that hash alike on the columns it reads (etl/stage.py _mark_duplicates):
    a line differing only in a column the load does not read, or in spaces, is no duplicate."""
    text = ("ID;Бюджет;Дата создания;Этап сделки;Город;Комментарий\n"
            "201;1 000,50;03.01.2025;Переговоры;Москва;позвонить\n"
            "201;1 000,50;03.01.2025;Переговоры;Москва;позвонить\n"      # the same line: a duplicate
            "201;1 000,50;03.01.2025;Переговоры;Москва;перезвонить\n"    # another comment: another line,
            "201;1 000,50;03.01.2025;Переговоры;Москва;перезвонить\n"    # repeated as well
            "201;1 000,50; 03.01.2025;Переговоры;Москва;позвонить\n"     # a space before the date
            "202;1 000,50;03.01.2025;Переговоры;Москва;позвонить\n"
            "202;1 000,50;03.01.2025;Переговоры;Москва;позвонить\n")
    (tmp_path / "deals.csv").write_text(text, encoding="utf-8")
    rep = load_files([tmp_path / "deals.csv"], progress=False)["files"][0]
    assert (rep["rows_read"], rep["rows_duplicate"], rep["rows_rejected"]) == (7, 3, 0)
    assert query(fresh_db, "select deal_id, amount from deals order by 1") == [
        ("201", Decimal("1000.50")), ("202", Decimal("1000.50"))]


def test_rejects_name_row_and_reason(warehouse):
    rows = query(warehouse, "select l.file_name, r.row_number, r.reason from rejects r join loads l using (load_id) "
                            "order by 1")
    assert [(f, n) for f, n, _ in rows] == [("deals_amo.csv", 7), ("plan.csv", 7)]
    assert "31.02.2025" in rows[0][2] and "прибыль" in rows[1][2]


DEALS_V1 = ("ID;Бюджет;Дата создания;Этап сделки;Город\n"
            "101;100 000;03.01.2025;Переговоры;Москва\n"
            "102;50 000;04.01.2025;Переговоры;Казань\n")
DEALS_V2 = ("ID;Бюджет;Дата создания;Этап сделки;Город\n"   # a later export: 101 won at a new price
            "101;120 000;03.01.2025;Успешно реализовано;Москва\n"
            "103;70 000;05.01.2025;Переговоры;СПб\n")


def test_later_export_replaces_earlier_row(fresh_db, tmp_path):
    for name, text in (("deals_v1.csv", DEALS_V1), ("deals_v2.csv", DEALS_V2)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert load_files([tmp_path / name], progress=False)["ok"]
    assert query(fresh_db, "select deal_id, amount, status, load_id from deals order by 1") == [
        ("101", Decimal("120000.00"), "won", 2),
        ("102", Decimal("50000.00"), "open", 1),     # not in v2: kept from v1
        ("103", Decimal("70000.00"), "open", 2),
    ]
    assert query(fresh_db, "select sum(amount) from deals") == [(Decimal("240000.00"),)]


TOUCHES_V1 = ("touch_at,lead_id,deal_id,channel,campaign,utm_source\n"
              "2025-01-03 08:00:00,L1,,yandex_direct,Camp_A,yandex\n"
              "2025-01-04 08:00:00,L1,D1,vk_ads,camp_b,vk\n")
TOUCHES_V2 = ("touch_at,lead_id,deal_id,channel,campaign,utm_source\n"
              "2025-01-03 08:00:00,L1,,yandex_direct,camp_a,Yandex\n"   # v1's first touch again: replaces it
              "2025-01-05 08:00:00,L2,,seo,,\n"
              "2025-01-05 08:00:00,L2,,seo,,\n"                        # the same line: a duplicate
              "2025-01-06 08:00:00,L2,D2,email,CAMP_C,\n"
              "2025-01-06 08:00:00,L2,D2,email,camp_c,\n"              # the same touch in other case: kept once
              "2025-01-06 08:00:00,L2,D2,email,camp_d,\n")             # another campaign: another touch


def test_touches_repeated_in_a_file_or_across_loads_count_once(fresh_db, tmp_path):
    """merge_touchpoints.sql: a touch repeated in the batch (its text differs only where the canonical
    values do not) is kept once, and a later load's touch replaces an earlier load's with its key."""
    reports = []
    for name, text in (("touchpoints_v1.csv", TOUCHES_V1), ("touchpoints_v2.csv", TOUCHES_V2)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = load_files([tmp_path / name], progress=False)
        assert result["ok"]
        reports.append(result["files"][0])
    assert [(r["rows_read"], r["rows_duplicate"], r["rows_loaded"], r["rows_merged"], r["rows_inserted"])
            for r in reports] == [(2, 0, 2, 0, 2), (6, 1, 5, 1, 4)]
    assert query(fresh_db, "select touch_at::date, lead_id, deal_id, channel, campaign, utm_source, load_id "
                           "from touchpoints order by all") == [
        (dt.date(2025, 1, 3), "L1", None, "yandex_direct", "camp_a", "yandex", 2),
        (dt.date(2025, 1, 4), "L1", "D1", "vk_ads", "camp_b", "vk", 1),
        (dt.date(2025, 1, 5), "L2", None, "seo", None, None, 2),
        (dt.date(2025, 1, 6), "L2", "D2", "email", "camp_c", None, 2),
        (dt.date(2025, 1, 6), "L2", "D2", "email", "camp_d", None, 2),
    ]


@pytest.mark.parametrize("macro, day_table, measures", [
    ("region_rows", "mart_region_day", ["revenue", "revenue_base", "deals_won", "deals_created", "cost_base", "leads"]),
    ("funnel_rows", "mart_funnel_day", ["leads", "qualified", "won_revenue_base", "within_sla", "response_hours_sum"]),
    ("channel_rows", "mart_channel_day", ["leads", "qualified", "deals_won", "revenue_base", "cost_base"]),
    ("manager_deals_rows", "mart_manager_deals_day", ["deals_won", "deals_lost", "revenue_base"]),
    ("campaign_rows", "mart_campaign_day", ["cost_base", "leads"]),
    ("attribution_channel_rows", "attribution_channel_day_compact", ["revenue_base", "pipeline_base", "won_deals"]),
    ("attribution_campaign_rows", "attribution_campaign_day_compact", ["revenue_base", "open_deals", "sourced_base"]),
])
def test_period_rows_equal_the_day_mart(warehouse, macro, day_table, measures):
    """Whole months from the month mart plus the partial months' days sum to the day mart, for any range:
    edges of the data, whole months, part of one month, a range from the last day of one month, an empty
    (reversed) range, and random ranges that start and end on any day."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        lo, hi = con.execute(f"select min(day), max(day) from {day_table}").fetchall()[0]
        first_full = (lo.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        last_full = hi.replace(day=1) - dt.timedelta(days=1)
        ranges = [(lo, hi), (lo + dt.timedelta(days=17), hi - dt.timedelta(days=11)), (first_full, last_full),
                  (first_full + dt.timedelta(days=3), first_full + dt.timedelta(days=12)),
                  (first_full - dt.timedelta(days=1), first_full + dt.timedelta(days=31)),
                  (last_full, first_full), (first_full, first_full + dt.timedelta(days=9)),
                  (first_full + dt.timedelta(days=9), (first_full + dt.timedelta(days=40)).replace(day=1))]
        rng = random.Random(macro)
        span = (hi - lo).days
        for _ in range(12):
            a = lo + dt.timedelta(days=rng.randint(-20, span))
            ranges.append((a, a + dt.timedelta(days=rng.choice([0, 1, rng.randint(2, 40), rng.randint(41, 400)]))))
        sums = ", ".join(f"sum({m})::double as {m}" for m in measures)
        for a, b in ranges:
            params = {"a": a, "b": b}
            got = con.execute(f"select month, region, {sums} from {macro}($a, $b) group by all order by all",
                              params).df()
            want = con.execute(f"select date_trunc('month', day)::date as month, region, {sums} from {day_table} "
                               "where day between $a and $b group by all order by all", params).df()
            assert len(want) > 0 or (a, b) != (lo, hi)
            pd.testing.assert_frame_equal(got, want, check_dtype=False)
    finally:
        con.close()


# VK Ads' statistics export as the cabinet saves it: a title and a period line, no region column, NBSP
# thousands, comma decimals and a totals row. v2 is the same month exported again with 10.11 restated.
VK_V1 = ("\ufeffСтатистика рекламного кабинета\nПериод: 01.11.2026 - 30.11.2026\n"
         "Дата;ID кампании;Кампания;Показы;Клики;Потрачено, ₽\n"
         "10.11.2026;555001;kzn_vk_autumn;12\u00a0345;234;5\u00a0432,10\n"
         "11.11.2026;555001;kzn_vk_autumn;10\u00a0000;200;4\u00a0567,90\n"
         "11.11.2026;555002;promo_vk_all;3\u00a0000;50;1\u00a0000,00\n"
         "Итого;;;25\u00a0345;484;11\u00a0000,00\n")
VK_V2 = VK_V1.replace("10.11.2026;555001;kzn_vk_autumn;12\u00a0345;234;5\u00a0432,10",
                      "10.11.2026;555001;kzn_vk_autumn;12\u00a0345;234;6\u00a0000,00")


def test_a_spend_export_again_replaces_its_days_whatever_region_the_campaign_gave_them(fresh_db, tmp_path):
    """An export without a region column leaves its rows' region to the campaign (kzn_ -> Казань, filled
    after the merge). The same days exported again were matched on that filled region, found nothing
    to replace, and the batch failed its unique-key check: a restated day could never be loaded."""
    for name, text in (("vk_ads_stats_nov.csv", VK_V1), ("vk_ads_stats_nov_v2.csv", VK_V2)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = load_files([tmp_path / name], progress=False)
        assert result["ok"], result.get("error")
    assert query(fresh_db, "select date, campaign, region, cost from ad_spend order by all") == [
        (dt.date(2026, 11, 10), "kzn_vk_autumn", "Казань", Decimal("6000.00")),
        (dt.date(2026, 11, 11), "kzn_vk_autumn", "Казань", Decimal("4567.90")),
        (dt.date(2026, 11, 11), "promo_vk_all", None, Decimal("1000.00")),
    ]
    con = duckdb.connect(str(fresh_db), read_only=True)
    try:
        assert not any(_checks(con).values())
    finally:
        con.close()


def test_a_spend_export_by_region_and_one_without_replace_each_other(fresh_db, tmp_path):
    """The latest export of a campaign's day wins whether or not it splits the day by region: a total
    without a region replaces the regional rows, and regional rows replace a total."""
    by_region = ("Дата;Площадка;Кампания;Регион;Расход\n"
                 "10.11.2026;VK Ads;kzn_vk_autumn;Казань;300,00\n10.11.2026;VK Ads;kzn_vk_autumn;Самара;200,00\n")
    for name, text, expected in (
            ("spend_by_region.csv", by_region, [("Казань", Decimal("300.00")), ("Самара", Decimal("200.00"))]),
            ("vk_ads_stats_nov.csv", VK_V1, [("Казань", Decimal("5432.10"))]),
            ("spend_by_region_again.csv", by_region.replace("300,00", "310,00"),
             [("Казань", Decimal("310.00")), ("Самара", Decimal("200.00"))])):
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = load_files([tmp_path / name], progress=False)
        assert result["ok"], result.get("error")
        assert query(fresh_db, "select region, cost from ad_spend where date = '2026-11-10' order by all") == expected

