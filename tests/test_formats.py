"""Export formats (etl/formats/): each system's file, as the system writes it, loads with no flags.

Fixtures in tests/data/formats/ are hand-written from ../shared/FORMATS.md (encoding, BOM, delimiter,
title lines, footers, number and date forms, dirty rows). Each test asserts rows loaded, rows
rejected with their reasons, and totals computed by hand (the arithmetic is in the comments).
"""
from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from etl import formats
from etl.errors import LoadError
from etl.load import load_files, rebuild
from etl.sniff import sniff

D = Decimal
DATA = Path(__file__).resolve().parent / "data" / "formats"


def load(name: str, **kwargs) -> dict:
    result = load_files([DATA / name], progress=False, **kwargs)
    assert result["ok"], result
    return result["files"][0]


def query(db: Path, sql: str, params: dict | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def counts(rep: dict) -> tuple:
    return rep["format"], rep["entity"], rep["rows_read"], rep["rows_loaded"], rep["rows_rejected"], rep["rows_skipped"]


def reasons(rep: dict) -> list[tuple[int, str]]:
    return [(r["row"], r["reason"]) for r in rep["reject_reasons"]]


# ---------------------------------------------------------------------------------------------
# 1. Yandex Direct Reports API TSV

def test_yandex_direct_micros(fresh_db):
    rep = load("yandex_direct_micros.tsv")
    assert counts(rep) == ("yandex_direct", "ad_spend", 5, 4, 1, 1)
    assert rep["container"] == "csv" and rep["delimiter"] == "\t"
    assert reasons(rep) == [(7, "invalid date '2025-02-30' in column \"Date\" (no such day or unknown form)")]
    assert rep["skipped_lines"] == ["Total rows: 5"]
    assert "Cost in micros: divided by 1,000,000" in rep["notes"]
    rows = query(fresh_db, "select date, campaign, campaign_id, impressions, clicks, cost, currency, platform, channel "
                           "from ad_spend order by date, campaign")
    assert rows == [
        (dt.date(2025, 3, 1), "msk_search_brand", "70001", 1200, 48, D("1234.56"),
         "RUB", "Yandex Direct", "yandex_direct"),
        (dt.date(2025, 3, 1), "spb_rsya_retarget", "70002", 5400, 0, D("0.00"),
         "RUB", "Yandex Direct", "yandex_direct"),
        (dt.date(2025, 3, 2), "msk_search_brand", "70001", 1100, 40, D("987.65"),
         "RUB", "Yandex Direct", "yandex_direct"),
        (dt.date(2025, 3, 2), "новосибирск поиск", "70003", 800, 12, D("150.00"),
         "RUB", "Yandex Direct", "yandex_direct"),
    ]
    # by hand: 1 234 560 000 + 0 + 987 650 000 + 150 000 000 micros = 2 372 210 000 micros = 2 372.21 RUB;
    # the 2025-02-30 row (50 000 000) is rejected; "Total rows: 5" is a footer, not a row
    assert query(fresh_db, "select sum(cost), sum(impressions), sum(clicks) from ad_spend") == [
        (D("2372.21"), 8500, 100)]
    assert query(fresh_db, "select format, source_system from loads") == [("yandex_direct", "yandex_direct")]


def test_yandex_direct_mapping_option_wins(fresh_db, tmp_path):
    """money = "units" in a --mapping overrides the format's micros rule (the user's mapping wins)."""
    toml = tmp_path / "direct.toml"
    toml.write_text('[options]\nmoney = "units"\n', encoding="utf-8")
    rep = load("yandex_direct_micros.tsv", mapping_path=toml)
    assert counts(rep)[:4] == ("yandex_direct", "ad_spend", 5, 4)
    # by hand: the cells as written, 1 234 560 000 + 0 + 987 650 000 + 150 000 000 = 2 372 210 000
    assert query(fresh_db, "select sum(cost) from ad_spend") == [(D("2372210000.00"),)]


def test_yandex_direct_units_are_not_divided(fresh_db, tmp_path):
    """Cells that cannot be micros (not whole multiples of 10,000) stay as written."""
    path = tmp_path / "direct_rub.tsv"
    path.write_bytes(b'"Report (2025-03-01 - 2025-03-01)"\nDate\tCampaignName\tCost\n'
                      b"2025-03-01\tA\t5000.5\n2025-03-01\tB\t1200\nTotal rows: 2\n")
    rep = load_files([path], progress=False)["files"][0]
    assert rep["format"] == "yandex_direct" and rep["rows_loaded"] == 2
    assert query(fresh_db, "select sum(cost) from ad_spend") == [(D("6200.50"),)]  # 5000.50 + 1200


# ---------------------------------------------------------------------------------------------
# 2. Google Ads "Excel .csv"

def test_google_ads_excel_csv(fresh_db):
    assert (DATA / "google_ads_excel.csv").read_bytes()[:2] == b"\xff\xfe"
    rep = load("google_ads_excel.csv")
    assert counts(rep) == ("google_ads", "ad_spend", 4, 3, 1, 3)
    assert (rep["encoding"], rep["delimiter"]) == ("utf-16-le-bom", "\t")
    assert reasons(rep) == [(7, "invalid date '2025-02-30' in column \"Day\" (no such day or unknown form)")]
    assert [s.split(" ")[:2] for s in rep["skipped_lines"]] == [["Total:", "Account"], ["Total:", "Search"],
                                                                 ["Total:", "Display"]]
    assert query(fresh_db, "select date, campaign, campaign_id, impressions, clicks, cost, currency, platform, channel "
                           "from ad_spend order by date, campaign") == [
        (dt.date(2025, 3, 1), "brand search", "123456789", 64518, 3429, D("3429.21"),
         "USD", "Google Ads", "google_ads"),
        (dt.date(2025, 3, 1), "display rt", "987654321", 12000, 85, D("101.50"), "USD", "Google Ads", "google_ads"),
        (dt.date(2025, 3, 2), "brand search", "123456789", 1204, 60, D("1000.00"), "USD", "Google Ads", "google_ads"),
    ]
    # by hand: cost 3 429.21 + 101.50 + 1 000.00 = 4 530.71; impressions 64 518 + 12 000 + 1 204 = 77 722;
    # clicks 3 429 + 85 + 60 = 3 574. The Total: rows (4 550.71 with the rejected row) are never summed.
    assert query(fresh_db, "select sum(cost), sum(impressions), sum(clicks) from ad_spend") == [
        (D("4530.71"), 77722, 3574)]


def test_google_ads_total_label_in_second_column(fresh_db, tmp_path):
    """A totals row whose first cell is '--' (first column 'Campaign status') is skipped, not rejected;
    a day written the UI way ('Mar 1, 2025') is read."""
    path = tmp_path / "gads.csv"
    path.write_bytes("\ufeff".encode("utf-16-le") + (
        "Campaign report\r\nMarch 1, 2025 - March 2, 2025\r\n"
        "Campaign status\tCampaign\tDay\tCurrency code\tImpr.\tClicks\tCost\r\n"
        "Enabled\tBrand\tMar 1, 2025\tUSD\t1,000\t10\t1,234.50\r\n"
        "--\tTotal: Account\t--\tUSD\t1,000\t10\t1,234.50\r\n").encode("utf-16-le"))
    rep = load_files([path], progress=False)["files"][0]
    assert counts(rep) == ("google_ads", "ad_spend", 1, 1, 0, 1)
    assert query(fresh_db, "select date, cost from ad_spend") == [(dt.date(2025, 3, 1), D("1234.50"))]


def test_google_ads_download_in_russian(fresh_db, tmp_path):
    """The same download from the Russian UI: Russian columns, decimal commas, «Всего: ...» totals. It
    loaded as a generic spend file: platform 'unknown', no campaign IDs, spend left to campaign rules."""
    path = tmp_path / "google_ads_ru.csv"
    path.write_bytes("\ufeff".encode("utf-16-le") + (
        "Отчет по кампаниям\r\n1 декабря 2026 г. - 7 декабря 2026 г.\r\n"
        "Статус кампании\tКампания\tИдентификатор кампании\tДень\tКод валюты\tПоказы\tКлики\tСтоимость\r\n"
        "Включено\tBrand Search\t12345678901\t2026-12-05\tRUB\t64 518\t3 429\t3 429,21\r\n"
        "Приостановлено\tDisplay RT\t12345678902\t2026-12-06\tRUB\t1 000\t--\t0,50\r\n"
        "--\tВсего: аккаунт\t--\t--\tRUB\t65 518\t3 429\t3 429,71\r\n").encode("utf-16-le"))
    rep = load_files([path], progress=False)["files"][0]
    assert counts(rep) == ("google_ads", "ad_spend", 2, 2, 0, 1)
    assert query(fresh_db, "select date, campaign, campaign_id, impressions, clicks, cost, currency, platform, channel "
                           "from ad_spend order by date") == [
        (dt.date(2026, 12, 5), "brand search", "12345678901", 64518, 3429, D("3429.21"), "RUB", "Google Ads",
         "google_ads"),
        (dt.date(2026, 12, 6), "display rt", "12345678902", 1000, None, D("0.50"), "RUB", "Google Ads", "google_ads")]


# ---------------------------------------------------------------------------------------------
# 3. Bitrix24 deal list with product lines

def test_bitrix24_product_lines_are_summed(fresh_db):
    raw = (DATA / "bitrix24_products.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.splitlines()[1].endswith(b'";')
    rep = load("bitrix24_products.csv")
    assert counts(rep) == ("bitrix24", "deals", 7, 5, 2, 0)
    assert reasons(rep) == [
        (7, "invalid date '31.02.2025 10:00:00' in column \"Дата создания\" (no such day or unknown form)"),
        (8, "unknown currency 'Тугрик' (add it to data/currencies.csv)")]
    assert query(fresh_db, "select deal_id, source_system, title, status, amount, currency, region, closed_at, "
                           "utm_source, utm_medium, utm_campaign from deals order by deal_id") == [
        ("101", "bitrix24", 'Окна для ООО "Ромашка"', "won", D("34501.50"), "RUB", "Москва",
         dt.datetime(2025, 3, 20), "yandex", "cpc", "msk_search_brand"),
        ("102", "bitrix24", "Склад; стеллажи", "lost", D("1200.00"), "USD", "Санкт-Петербург",
         dt.datetime(2025, 3, 10), None, None, None),
        # open: its "Предполагаемая дата закрытия" 30.04.2025 is a plan, not a close
        ("103", "bitrix24", "Двери", "open", D("12000.00"), "RUB", "Казань", None, "vk", "cpc", "kzn_vk_doors"),
    ]
    # by hand: deal 101 = 30 000 (2 x 15 000) + 4 501.50 (3 x 1 500.50) = 34 501.50 (not the last line's 4 501.50);
    # deal 103 = 5 000 + 7 000 (2 x 3 500) = 12 000; RUB total 34 501.50 + 12 000 = 46 501.50; USD 1 200 (deal 102);
    # 104 (31.02) and 105 (Тугрик) rejected
    assert query(fresh_db, "select currency, sum(amount) from deals group by 1 order by 1") == [
        ("RUB", D("46501.50")), ("USD", D("1200.00"))]


def test_bitrix24_excel_export_is_an_html_table(fresh_db):
    """Bitrix24's "Excel" export is an HTML table saved as .xls: same rows, same totals as the CSV."""
    assert (DATA / "bitrix24_excel.xls").read_bytes().startswith(b"<meta")
    rep = load("bitrix24_excel.xls")
    assert rep["container"] == "html"
    assert counts(rep) == ("bitrix24", "deals", 7, 5, 2, 0)
    assert query(fresh_db, "select currency, sum(amount) from deals group by 1 order by 1") == [
        ("RUB", D("46501.50")), ("USD", D("1200.00"))]
    # one product per deal: its largest line's (101's windows, 30 000, not its last line's sills, 4 501.50),
    # and the load says how many deals named several
    assert query(fresh_db, "select deal_id, product from deals order by 1") == [
        ("101", "Окно ПВХ"), ("102", "Стеллаж"), ("103", "Дверь межкомнатная")]
    assert any(n.startswith("2 deals have lines of several products") for n in rep["notes"]), rep["notes"]


def test_bitrix24_default_failure_stages_are_lost(fresh_db, tmp_path):
    """Bitrix24's default pipeline ends in two failure stages (semantics F): LOSE «Сделка провалена» and
    APOLOGY «Анализ причины провала». A deal in the second was open and an unrecognised stage."""
    path = tmp_path / "bitrix.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (
        '"ID";"Название сделки";"Стадия сделки";"Сумма";"Валюта";"Дата создания";"Сделка закрыта";\n'
        '"1";"Окна";"Сделка провалена";"1000";"Российский рубль";"03.03.2025 10:00:00";"Да";\n'
        '"2";"Двери";"Анализ причины провала";"2000";"Российский рубль";"04.03.2025 10:00:00";"Да";\n').encode())
    assert load_files([path], progress=False)["files"][0]["format"] == "bitrix24"
    assert query(fresh_db, "select deal_id, status from deals order by 1") == [("1", "lost"), ("2", "lost")]
    assert query(fresh_db, "select raw_value from dq_unrecognised where dimension = 'stage'") == []


def test_sum_lines_is_off_for_other_crms(fresh_db, tmp_path):
    """Without the option a repeated deal is a later state of the same deal: the last line wins."""
    path = tmp_path / "amo.csv"
    path.write_bytes("ID;Бюджет;Дата создания;Этап сделки\n1;100;03.03.2025;Переговоры\n1;250;03.03.2025;Переговоры\n"
                     .encode())
    assert load_files([path], progress=False)["files"][0]["format"] == "amocrm"
    assert query(fresh_db, "select deal_id, amount from deals") == [("1", D("250.00"))]


# ---------------------------------------------------------------------------------------------
# 4. 1C sales report, grouped by region, no date column

def test_1c_report_with_two_groupings_sums_sale_lines_only(fresh_db):
    rep = load("1c_sales_two_groupings.csv")
    # 4 sale lines; 2 region subtotals + 3 customer subtotals skipped, Итого dropped by staging
    assert counts(rep)[:4] == ("1c", "sales", 4, 4)
    # by hand: Москва 2 436 000 + 150 000 = 2 586 000; СПб 100 000 - 100 000 (return) = 0
    assert query(fresh_db, "select region, sum(amount), count(*) from sales group by 1 order by 1") == [
        ("Москва", D("2586000.00"), 2), ("Санкт-Петербург", D("0.00"), 2)]

def test_1c_grouped_report(fresh_db):
    raw = (DATA / "1c_sales_grouped.csv").read_bytes()
    assert b"\xa0" in raw and "Итого".encode("cp1251") in raw  # cp1251 with NBSP thousands
    rep = load("1c_sales_grouped.csv")
    assert counts(rep) == ("1c", "sales", 6, 5, 1, 4)
    assert rep["encoding"] == "cp1251"
    assert reasons(rep) == [(16, ("invalid date 'Реализация товаров и услуг 00000127 от 31.02.2025 12:00:00' "
                                  "in column \"Документ продажи\" (no such day or unknown form)"))]
    # the three region group rows and Итого are skipped, never loaded
    assert rep["skipped_lines"] == ["Москва", "Санкт-Петербург", "Казань", "Итого"]
    assert query(fresh_db, "select sale_date, region, customer, product, quantity, amount, currency "
                           "from sales order by sale_date") == [
        (dt.date(2025, 3, 12), "Москва", 'ООО "Ромашка"', "Окно ПВХ", D("2.000"), D("2436000.00"), "RUB"),
        (dt.date(2025, 3, 14), "Москва", "ИП Иванов", "Дверь", D("1.000"), D("150000.00"), "RUB"),
        (dt.date(2025, 3, 15), "Санкт-Петербург", "ООО Склад", "Профиль 60 м?", D("1.000"), D("100000.00"), "RUB"),
        (dt.date(2025, 3, 20), "Санкт-Петербург", "ООО Склад", "Профиль 60 м?", D("-1.000"), D("-100000.00"), "RUB"),
        (dt.date(2025, 3, 21), "Санкт-Петербург", "ИП Петров", "Фурнитура", D("0.500"), D("45000.00"), "RUB"),
    ]
    # by hand: Москва 2 436 000 + 150 000 = 2 586 000 (its group row says the same: not added again);
    # Санкт-Петербург 100 000 - 100 000 (return) + 45 000 = 45 000; Казань's only row (31.02) rejected;
    # total 2 631 000.00; quantity 2 + 1 + 1 - 1 + 0.5 = 3.5 ("1,000" is one unit)
    assert query(fresh_db, "select region, sum(amount) from sales group by 1 order by 1") == [
        ("Москва", D("2586000.00")), ("Санкт-Петербург", D("45000.00"))]
    assert query(fresh_db, "select sum(amount), sum(quantity) from sales") == [(D("2631000.00"), D("3.500"))]


def test_yandex_direct_web_report(fresh_db):
    """The web interface's report (`№ Кампании`, `Расход (руб.)`, `;`, title lines, comma decimals) loaded
    through the generic path as platform and channel «unknown», its campaign ids dropped."""
    rep = load("yandex_direct_web.csv")
    assert counts(rep) == ("yandex_direct_web", "ad_spend", 4, 3, 1, 0)
    assert reasons(rep) == [(9, "invalid date '31.02.2026' in column \"Дата\" (no such day or unknown form)")]
    # one row per campaign x day: the two ad lines of 05.12 summed, by hand: 1200 + 800 = 2000 shows,
    # 35 + 4 = 39 clicks, 1 520,40 + 96,10 = 1 616,50 roubles
    assert query(fresh_db, "select date, campaign, campaign_id, impressions, clicks, cost, currency, platform, channel "
                           "from ad_spend order by date") == [
        (dt.date(2026, 12, 5), "бренд москва", "70123456", 2000, 39, D("1616.50"), "RUB", "Yandex Direct",
         "yandex_direct"),
        (dt.date(2026, 12, 6), "рся казань", "70123999", 15000, 60, D("2400.00"), "RUB", "Yandex Direct",
         "yandex_direct")]


# ---------------------------------------------------------------------------------------------
# 5. Salesforce, HubSpot, Pipedrive

def test_salesforce_report_with_footer(fresh_db):
    rep = load("salesforce_opportunities.csv")
    assert counts(rep) == ("salesforce", "deals", 4, 3, 1, 3)
    assert reasons(rep) == [(5, "invalid date '2/30/2025' in column \"Created Date\" (no such day or unknown form)")]
    assert rep["skipped_lines"] == ["Grand Totals (4 records)", "Confidential Information - Do Not Distribute",
                                    "Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."]
    # no Opportunity ID column in this report: the opportunity name is the key
    assert query(fresh_db, "select deal_id, source_system, manager, status, amount, currency, created_at, closed_at "
                           "from deals order by created_at") == [
        ("Acme - 500 Widgets", "salesforce", "John Smith", "won", D("12500.00"), "USD",
         dt.datetime(2024, 12, 3), dt.datetime(2025, 1, 15)),                      # M/D/YYYY
        ("Globex - Renewal", "salesforce", "John Smith", "lost", D("3000.00"), "USD",
         dt.datetime(2025, 1, 5), dt.datetime(2025, 2, 28)),
        ('Initech - Pilot "East"', "salesforce", "Jane Roe", "open", D("7250.50"), "EUR",
         dt.datetime(2025, 2, 1), None),                                            # expected close dropped
    ]
    # by hand: USD 12 500.00 + 3 000.00 = 15 500.00 (won 12 500.00); EUR 7 250.50; Umbrella (2/30) rejected
    assert query(fresh_db, "select currency, sum(amount), sum(amount) filter (where status = 'won') from deals "
                           "group by 1 order by 1") == [("EUR", D("7250.50"), None),
                                                        ("USD", D("15500.00"), D("12500.00"))]


def test_hubspot_deals(fresh_db):
    rep = load("hubspot_deals.csv")
    assert counts(rep) == ("hubspot", "deals", 5, 4, 1, 0)
    assert reasons(rep) == [(5, "empty required field created_at in column \"Create Date\"")]
    assert query(fresh_db, "select deal_id, status, stage, amount, closed_at, utm_campaign from deals order by 1") == [
        ("18000000001", "won", "closedwon", D("5000.00"), dt.datetime(2025, 3, 10, 15), "msk_search_brand"),
        ("18000000002", "lost", "Closed Lost", D("1200.50"), dt.datetime(2025, 3, 12, 11), None),
        ("18000000003", "open", "contractsent", None, None, None),
        ("18000000005", "open", "appointmentscheduled", D("2500.00"), None, None),
    ]
    # by hand: won 5 000; lost 1 200.50; open 2 500.00 (+ one empty amount); all 8 700.50
    assert query(fresh_db, "select sum(amount), sum(amount) filter (where status = 'won') from deals") == [
        (D("8700.50"), D("5000.00"))]
    assert query(fresh_db, "select count(*) from dq_unknown_stages") == [(0,)]  # internal ids are known stages


def test_pipedrive_deals(fresh_db):
    rep = load("pipedrive_deals.csv")
    assert counts(rep) == ("pipedrive", "deals", 4, 3, 1, 0)
    assert reasons(rep) == [(5, ("invalid date '2025-02-30 12:00:00' in column \"Deal - Deal created\" "
                                 "(no such day or unknown form)"))]
    # statuses in any case; closed_at = won time or lost time, whichever is set
    assert query(fresh_db, "select deal_id, title, status, amount, currency, closed_at from deals order by 1") == [
        ("1", "Acme deal", "won", D("5000.00"), "USD", dt.datetime(2025, 3, 10, 15)),
        ("2", "Globex, renewal", "lost", D("1200.50"), "USD", dt.datetime(2025, 3, 12, 11)),
        ("3", "Initech deal", "open", D("2500.00"), "EUR", None),
    ]
    # by hand: USD 5 000 + 1 200.50 = 6 200.50; EUR 2 500; deal 4 (2025-02-30) rejected
    assert query(fresh_db, "select currency, sum(amount) from deals group by 1 order by 1") == [
        ("EUR", D("2500.00")), ("USD", D("6200.50"))]


# ---------------------------------------------------------------------------------------------
# 6. amoCRM (both generations), VK Ads, Meta Ads, Yandex Metrica

def test_amocrm_new_export(fresh_db):
    rep = load("amocrm_new.csv")
    assert counts(rep) == ("amocrm", "deals", 5, 3, 1, 0) and rep["rows_duplicate"] == 1
    assert reasons(rep) == [(6, ("invalid date '31.04.2025 09:00:00' in column \"Дата создания\" "
                                 "(no such day or unknown form)"))]
    assert query(fresh_db, "select deal_id, source_system, status, amount, region, utm_campaign, utm_campaign_raw "
                           "from deals order by 1") == [
        ("5001", "amocrm", "won", D("150000.00"), "Москва", "msk_search_brand", "MSK_Search_Brand"),
        ("5002", "amocrm", "open", D("80000.00"), "Казань", "70001", "70001"),   # a {campaign_id} macro, kept raw
        ("5003", "amocrm", "lost", D("25000.50"), "Санкт-Петербург", None, None),
    ]
    # by hand: 150 000 + 80 000 + 25 000.50 = 255 000.50 (the exact duplicate of 5003 counts once; 5004 rejected)
    assert query(fresh_db, "select sum(amount) from deals") == [(D("255000.50"),)]


def test_amocrm_old_wide_export(fresh_db):
    rep = load("amocrm_old.csv")
    assert counts(rep) == ("amocrm", "deals", 3, 3, 0, 0)
    assert (rep["encoding"], rep["delimiter"]) == ("cp1251", ",")
    assert rep["columns"]["product"] == "Товар" and rep["columns"]["source"] == "Источник"  # first of the repeats
    assert query(fresh_db, "select deal_id, title, created_at, closed_at, status, amount, product, source, channel "
                           "from deals order by 1") == [
        ("7001", "Окна", dt.datetime(2025, 1, 2, 15, 4, 5), dt.datetime(2025, 1, 20, 16), "won", D("150000.00"),
         "Окно", "Яндекс", "yandex_direct"),
        ("7002", "Двери, фурнитура", dt.datetime(2025, 1, 5, 11), None, "open", D("80000.00"), "Дверь", "Звонок",
         "direct"),
        ("7003", "Кухня", dt.datetime(2025, 1, 7, 9), dt.datetime(2025, 1, 12, 10), "lost", D("45000.00"), "Кухня",
         "ВКонтакте", "vk_ads"),
    ]
    # by hand: 150 000 + 80 000 + 45 000 = 275 000 roubles, won 150 000
    assert query(fresh_db, "select sum(amount), sum(amount) filter (where status = 'won') from deals") == [
        (D("275000.00"), D("150000.00"))]


def test_vk_ads_stats(fresh_db):
    rep = load("vk_ads_stats.csv")
    assert counts(rep) == ("vk_ads", "ad_spend", 4, 3, 1, 1)
    assert reasons(rep) == [(5, "not a number: 'abc' in column \"Потрачено, ₽\"")]
    assert rep["skipped_lines"] == ["Итого"]
    assert query(fresh_db, "select distinct platform, channel, currency from ad_spend") == [("VK Ads", "vk_ads", "RUB")]
    # by hand: 2 999.50 + 2 000 + 7 450.25 = 12 449.75; impressions 1 500 + 500 + 12 000 = 14 000; clicks 160
    assert query(fresh_db, "select sum(cost), sum(impressions), sum(clicks), count(*) from ad_spend") == [
        (D("12449.75"), 14000, 160, 3)]


def test_meta_ads_english_and_french(fresh_db):
    reps = {f["file"]: f for f in load_files([DATA / "meta_ads_en.csv", DATA / "meta_ads_fr.csv"],
                                             progress=False)["files"]}
    assert counts(reps["meta_ads_en.csv"]) == ("meta_ads", "ad_spend", 3, 3, 0, 0)
    assert counts(reps["meta_ads_fr.csv"]) == ("meta_ads", "ad_spend", 2, 2, 0, 0)
    # by hand: USD 120.50 + 1 079.50 + 35.00 = 1 235.00 (link clicks 150 + 900 = 1 050; the empty one is NULL);
    # EUR (French headers, comma decimals) 120,50 + 79,50 = 200.00
    assert query(fresh_db, "select currency, platform, channel, sum(cost), sum(clicks), count(*) from ad_spend "
                           "group by all order by 1") == [
        ("EUR", "Meta Ads", "meta_ads", D("200.00"), 240, 2), ("USD", "Meta Ads", "meta_ads", D("1235.00"), 1050, 3)]


def test_meta_ads_any_currency_in_header(fresh_db, tmp_path):
    """A currency the header suffix list does not know ('(GBP)') is still read from the spend header."""
    path = tmp_path / "meta_gbp.csv"
    path.write_bytes(b"\xef\xbb\xbfReporting starts,Reporting ends,Campaign name,Amount spent (GBP)\n"
                     b"2025-03-01,2025-03-01,Spring,10.25\n2025-03-02,2025-03-02,Spring,4.75\n")
    rep = load_files([path], progress=False)["files"][0]
    assert (rep["format"], rep["rows_loaded"]) == ("meta_ads", 2)
    # 10.25 + 4.75
    assert query(fresh_db, "select currency, sum(cost) from ad_spend group by 1") == [("GBP", D("15.00"))]


def test_yandex_metrica_traffic(fresh_db):
    rep = load("yandex_metrica_utm.csv")
    assert counts(rep) == ("yandex_metrica", "traffic", 4, 3, 1, 1)
    assert reasons(rep) == [(6, "not a number: 'много' in column \"Визиты\"")]
    assert rep["skipped_lines"] == ["Итого и средние"]
    assert query(fresh_db, "select period_start, utm_source, utm_campaign, visits, visitors from traffic "
                           "order by 1, 2 nulls first") == [
        (dt.date(2025, 3, 1), None, None, 150, 140),          # "Не определено" is no value, not a source
        (dt.date(2025, 3, 1), "yandex", "msk_search_brand", 200, 150),
        (dt.date(2025, 3, 2), "vk", "spb_vk_retarget", 120, 100),
    ]
    # by hand: visits 200 + 150 + 120 = 470 (the totals row's 480 includes the rejected row); visitors 390
    assert query(fresh_db, "select sum(visits), sum(visitors) from traffic") == [(470, 390)]


# ---------------------------------------------------------------------------------------------
# The registry: detection, forcing, the generic path

EXPECTED = {
    "yandex_direct_micros.tsv": "yandex_direct", "google_ads_excel.csv": "google_ads",
    "bitrix24_products.csv": "bitrix24", "bitrix24_excel.xls": "bitrix24", "1c_sales_grouped.csv": "1c",
    "1c_sales_two_groupings.csv": "1c",
    "salesforce_opportunities.csv": "salesforce", "hubspot_deals.csv": "hubspot",
    "pipedrive_deals.csv": "pipedrive", "amocrm_new.csv": "amocrm", "amocrm_old.csv": "amocrm",
    "vk_ads_stats.csv": "vk_ads", "meta_ads_en.csv": "meta_ads", "meta_ads_fr.csv": "meta_ads",
    "yandex_metrica_utm.csv": "yandex_metrica", "yandex_direct_web.csv": "yandex_direct_web",
}


@pytest.mark.parametrize("name", EXPECTED)
def test_detect(tmp_path, name):
    fmt = formats.detect(sniff(DATA / name, tmp_path))
    assert fmt is not None and fmt.name == EXPECTED[name]


@pytest.mark.parametrize("name", ["ad_spend.tsv", "campaigns.csv", "plan.csv", "activities.csv", "touchpoints.csv",
                                  "leads.csv"])
def test_generic_files_are_not_claimed(tmp_path, name):
    """Our own sheets (a spend file with Region and Currency columns is no Reports API file) stay generic."""
    assert formats.detect(sniff(Path(__file__).resolve().parent / "data" / "wh" / name, tmp_path)) is None


def test_every_format_documents_its_facts():
    for fmt in formats.all_formats():
        assert "FORMATS.md" in fmt.doc, fmt.name
    assert len(set(formats.names())) == len(formats.names())


def test_forced_format_survives_rebuild(fresh_db, tmp_path):
    """--format forces a format on a file it would not be recognised in; a rebuild replays it the same way."""
    src = Path(__file__).resolve().parent / "data" / "wh" / "ad_spend.tsv"
    path = tmp_path / "direct_by_region.tsv"
    shutil.copyfile(src, path)
    rep = load_files([path], progress=False, format_name="yandex_direct")["files"][0]
    assert (rep["format"], rep["rows_loaded"]) == ("yandex_direct", 4)
    expected = [("Yandex Direct", "yandex_direct", 4)]
    assert query(fresh_db, "select platform, channel, count(*) from ad_spend group by all") == expected
    rebuild(progress=False)
    assert query(fresh_db, "select platform, channel, count(*) from ad_spend group by all") == expected


def test_unknown_format_name(fresh_db):
    with pytest.raises(LoadError, match="unknown format 'nope'; choose one of: yandex_direct"):
        load_files([DATA / "vk_ads_stats.csv"], progress=False, format_name="nope")


def test_unrecognised_file_is_generic(fresh_db, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_bytes(b"deal_id,amount,created_at\nx1,10,2025-03-01\n")
    rep = load_files([path], progress=False)["files"][0]
    assert (rep["format"], rep["container"], rep["rows_loaded"]) == ("generic", "csv", 1)
    assert query(fresh_db, "select source_system from deals") == [("crm",)]
