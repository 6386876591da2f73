"""Reading files as they really arrive: encodings, delimiters, preambles, totals, numbers, dates, xlsx, parquet."""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl import sniff, stage
from etl.build import prepare
from etl.errors import LoadError
from etl.load import load_files

D = Decimal
UTF16 = "\ufeff".encode("utf-16-le")  # the BOM Excel-style downloads start with


def load(path: Path) -> dict:
    """One file through the real ETL into $PARITY_DB; its per-file report."""
    result = load_files([path], progress=False)
    assert result["ok"], result
    return result["files"][0]


def query(db: Path, sql: str, params: dict | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def table(rows: list[list[str]], delim: str, line_end: str = "\n") -> str:
    """Rows as a delimited text, quoted only where a cell needs it (as Excel and most CRMs write)."""
    out = io.StringIO()
    csv.writer(out, delimiter=delim, lineterminator=line_end).writerows(rows)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Encodings x delimiters: the same Russian deals export, written every way it arrives.

RU_DEALS = [
    ["ID", "Название сделки", "Бюджет", "Дата создания", "Этап сделки", "Город"],
    ["1", "Окна, двери; фурнитура", "1 234 567,50", "03.01.2025 10:15", "Успешно реализовано", "г. Москва"],
    ["2", "Склад", "80 000", "04.01.2025", "Переговоры", "СПб"],
    ["3", "Ёлки", "15,5", "05.01.2025 23:59:59", "Закрыто и не реализовано", "Казань"],
]
RU_DEALS_SUM = D("1234567.50") + D("80000") + D("15.50")  # 1 314 583.00

ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-sig": lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    "utf-16-le-bom": lambda text: UTF16 + text.encode("utf-16-le"),
    "cp1251": lambda text: text.encode("cp1251"),
}


VARIANTS = [
    ("utf-8", ";"), ("utf-8", ","), ("utf-8", "\t"),
    ("utf-8-sig", ";"),
    ("utf-16-le-bom", "\t"),   # Google Ads "Excel CSV": UTF-16LE with BOM, tab-separated, CRLF
    ("cp1251", ";"), ("cp1251", ","),
]


def load_into(folder: Path, files: list[Path]) -> tuple[Path, dict[str, dict]]:
    """Loads files in one build into folder/warehouse.duckdb (for module-scoped fixtures)."""
    old = os.environ.get("PARITY_DB")
    os.environ["PARITY_DB"] = str(folder / "warehouse.duckdb")
    try:
        result = load_files(files, progress=False)
    finally:
        os.environ.pop("PARITY_DB") if old is None else os.environ.__setitem__("PARITY_DB", old)
    assert result["ok"], result
    return folder / "warehouse.duckdb", {f["file"]: f for f in result["files"]}


@pytest.fixture(scope="module")
def variants_db(tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    """The same deals written every way; variant k's deal IDs are 'k-1', 'k-2', 'k-3'."""
    folder = tmp_path_factory.mktemp("variants")
    files = []
    for k, (encoding, delim) in enumerate(VARIANTS):
        rows = [RU_DEALS[0]] + [[f"{k}-{r[0]}", *r[1:]] for r in RU_DEALS[1:]]
        line_end = "\r\n" if encoding == "utf-16-le-bom" else "\n"
        files.append(write(folder, f"deals_{k}.csv", ENCODINGS[encoding](table(rows, delim, line_end))))
    return load_into(folder, files)


@pytest.mark.parametrize("k, encoding, delim", [(k, e, d) for k, (e, d) in enumerate(VARIANTS)])
def test_encoding_and_delimiter(variants_db, k, encoding, delim):
    db, reports = variants_db
    rep = reports[f"deals_{k}.csv"]
    assert (rep["entity"], rep["encoding"], rep["delimiter"]) == ("deals", encoding, delim)
    assert (rep["rows_read"], rep["rows_loaded"], rep["rows_rejected"], rep["rows_skipped"]) == (3, 3, 0, 0)
    rows = query(db, "select deal_id, title, amount, created_at, status, region from deals "
                     "where deal_id like $p order by deal_id", {"p": f"{k}-%"})
    assert rows == [
        (f"{k}-1", "Окна, двери; фурнитура", D("1234567.50"), dt.datetime(2025, 1, 3, 10, 15), "won", "Москва"),
        (f"{k}-2", "Склад", D("80000.00"), dt.datetime(2025, 1, 4), "open", "Санкт-Петербург"),
        (f"{k}-3", "Ёлки", D("15.50"), dt.datetime(2025, 1, 5, 23, 59, 59), "lost", "Казань"),
    ]
    assert query(db, "select sum(amount) from deals where deal_id like $p", {"p": f"{k}-%"}) == [(RU_DEALS_SUM,)]


# ---------------------------------------------------------------------------------------------
# Real export layouts: trailing delimiters, quoted line breaks, title lines, totals and footers.

BITRIX = (  # UTF-8 BOM, every cell quoted, each line ends with ';', inner quotes doubled
    '"ID";"Название сделки";"Стадия сделки";"Сумма";"Валюта";"Дата создания";"Город";\n'
    '"11";"Окна; двери";"Сделка успешна";"1000";"Российский рубль";"03.01.2025 10:00:00";"мск";\n'
    '"12";"Строка\nвторая ""в кавычках""";"Сделка провалена";"2000,50";"Доллар США";"04.01.2025 11:00:00";"Питер";\n'
    '"13";"Три";"Новая";"";"Евро";"05.01.2025";"";\n'
)

ONE_C = (  # cp1251 1C report: title lines, NBSP thousands, '1,000' = one unit, a final Итого row
    "Продажи\n"
    "Период: 01.01.2025 - 31.01.2025\n"
    "Показатели: Количество, Сумма\n"
    "\n"
    "Дата;Регион;Документ продажи;Контрагент;Номенклатура;Количество;Сумма\n"
    "20.01.2025;Москва;Реализация 00000001 от 20.01.2025;ООО Ромашка;Окна;1,000;150\u00a0000,00\n"
    "21.01.2025;г. Москва;Реализация 00000002 от 21.01.2025;ООО Ромашка;Двери;2,500;2\u00a0436\u00a0000,00\n"
    "25.01.2025;СПб;Реализация 00000003 от 25.01.2025;ООО Склад;Стеллажи;-1,000;-100\u00a0000,00\n"
    "Итого;;;;;2,500;2\u00a0486\u00a0000,00\n"
)

SALESFORCE = (  # all quoted, M/D/YYYY, a summary Total row, Grand Totals + confidentiality footer
    '"Opportunity Owner","Opportunity Name","Opportunity ID","Stage","Amount","Amount Currency","Created Date"\n'
    '"John Smith","Acme, Inc.","006A1","Closed Won","1,234.50","USD","1/2/2025"\n'
    '"John Smith","Initech ""East""","006A2","Prospecting","500.00","USD","3/4/2025"\n'
    '"Total","","","","1,734.50","",""\n'
    '"Jane Roe","Globex","006B1","Closed Lost","12,000.00","USD","12/31/2024"\n'
    '\n\n'
    '"Grand Totals (3 records)"\n'
    '"Confidential Information - Do Not Distribute"\n'
    '"Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."\n'
)

YANDEX_DIRECT = (  # Reports API TSV: quoted title line, '--' for missing, a 'Total rows: N' last line
    '"Campaign performance (2025-01-01 - 2025-01-31)"\n'
    "Date\tCampaignId\tCampaignName\tImpressions\tClicks\tCost\n"
    "2025-01-03\t701\tMSK Brand \t1000\t--\t5000.5\n"
    "2025-01-04\t701\tMSK Brand\t--\t3\t1200\n"
    "Total rows: 2\n"
)

GOOGLE_ADS = (  # UTF-16LE BOM, tab, CRLF; two lines above the header; 'Total: ...' rows at the bottom
    "Campaign performance report\r\n"
    "January 1, 2025 - January 31, 2025\r\n"
    "Campaign\tDay\tCurrency code\tImpr.\tClicks\tCost\tConv. rate\r\n"
    "Brand Search\t2025-01-03\tUSD\t64,518\t3,429\t1,234.50\t5.11%\r\n"
    "Display RT\t2025-01-03\tUSD\t--\t12\t10.25\t--\r\n"
    "Total: Account\t--\tUSD\t64,518\t3,441\t1,244.75\t--\r\n"
    "Total: Search\t--\tUSD\t64,518\t3,429\t1,234.50\t--\r\n"
)

METRICA = (  # UTF-8 BOM; row 2 is the totals row 'Итого и средние'
    "UTM Source,UTM Campaign,Визиты,Посетители,Отказы\n"
    "Итого и средние,,350,290,0.2\n"
    "yandex,msk_brand,200,150,0.1\n"
    "vk,spb_retarget,150,140,0.3\n"
)

VK_ADS = (  # Russian headers, comma decimals, a currency mark in the header, an Итого row
    "Дата;ID кампании;Кампания;Показы;Клики;Потрачено, ₽\n"
    "03.01.2025;9001;spb_vk_retarget;1 500;30;2 999,50\n"
    "04.01.2025;9001;spb_vk_retarget;500;20;2000\n"
    "Итого;;;2 000;50;4 999,50\n"
)

META_ADS = (  # the currency is only in a header: 'Amount spent (USD)'
    "Reporting starts,Reporting ends,Campaign name,Amount spent (USD),Impressions,Link clicks\n"
    "2025-01-03,2025-01-03,Spring Sale,120.50,10000,150\n"
    "2025-01-04,2025-01-04,Spring Sale,\"1,079.50\",80000,900\n"
)

LAYOUTS = {
    "bitrix_trailing_delimiter": (
        "bitrix.csv", b"\xef\xbb\xbf" + BITRIX.encode(),
        {"entity": "deals", "encoding": "utf-8-sig", "delimiter": ";",
         "rows_read": 3, "rows_loaded": 3, "rows_skipped": 0},
        # a quoted line break stays inside its cell; whitespace is compared collapsed
        ("select deal_id, regexp_replace(title, '\\s+', ' ', 'g'), status, amount, currency, region "
         "from deals order by deal_id"),
        [("11", "Окна; двери", "won", D("1000.00"), "RUB", "Москва"),
         ("12", 'Строка вторая "в кавычках"', "lost", D("2000.50"), "USD", "Санкт-Петербург"),
         ("13", "Три", "open", None, "EUR", None)]),
    "1c_report_cp1251": (
        "sales_1c.csv", ONE_C.encode("cp1251"),
        {"entity": "sales", "encoding": "cp1251", "delimiter": ";",
         "rows_read": 3, "rows_loaded": 3, "rows_skipped": 1},
        "select sum(amount), sum(quantity), count(*), string_agg(distinct region, ',' order by region) from sales",
        [(D("150000") + D("2436000") - D("100000"), D("1") + D("2.5") - D("1"), 3, "Москва,Санкт-Петербург")]),
    "salesforce_footer": (
        "opportunities.csv", SALESFORCE.encode(),
        {"entity": "deals", "encoding": "utf-8", "delimiter": ",",
         "rows_read": 3, "rows_loaded": 3, "rows_skipped": 4},
        "select deal_id, title, status, amount, currency, created_at::date from deals order by deal_id",
        [("006A1", "Acme, Inc.", "won", D("1234.50"), "USD", dt.date(2025, 1, 2)),
         ("006A2", 'Initech "East"', "open", D("500.00"), "USD", dt.date(2025, 3, 4)),
         ("006B1", "Globex", "lost", D("12000.00"), "USD", dt.date(2024, 12, 31))]),
    "yandex_direct_tsv": (
        "direct.tsv", YANDEX_DIRECT.encode(),
        {"entity": "ad_spend", "encoding": "utf-8", "delimiter": "\t",
         "rows_read": 2, "rows_loaded": 2, "rows_skipped": 1},
        "select date, campaign, campaign_id, impressions, clicks, cost from ad_spend order by date",
        [(dt.date(2025, 1, 3), "msk brand", "701", 1000, None, D("5000.50")),
         (dt.date(2025, 1, 4), "msk brand", "701", None, 3, D("1200.00"))]),
    "google_ads_utf16": (
        "google_ads.csv", UTF16 + GOOGLE_ADS.encode("utf-16-le"),
        {"entity": "ad_spend", "encoding": "utf-16-le-bom", "delimiter": "\t",
         "rows_read": 2, "rows_loaded": 2, "rows_skipped": 2},
        "select campaign, impressions, clicks, cost, currency from ad_spend order by campaign",
        [("brand search", 64518, 3429, D("1234.50"), "USD"), ("display rt", None, 12, D("10.25"), "USD")]),
    "metrica_totals_row": (
        "metrica.csv", b"\xef\xbb\xbf" + ("Период: 01.01.2025 - 31.01.2025\n" + METRICA).encode(),
        {"entity": "traffic", "encoding": "utf-8-sig", "delimiter": ",",
         "rows_read": 2, "rows_loaded": 2, "rows_skipped": 1},
        "select period_start, period_end, utm_source, visits, visitors from traffic order by utm_source",
        [(dt.date(2025, 1, 1), dt.date(2025, 1, 31), "vk", 150, 140),
         (dt.date(2025, 1, 1), dt.date(2025, 1, 31), "yandex", 200, 150)]),
    "vk_ads_itogo": (
        "vk.csv", VK_ADS.encode(),
        {"entity": "ad_spend", "encoding": "utf-8", "delimiter": ";",
         "rows_read": 2, "rows_loaded": 2, "rows_skipped": 1},
        "select sum(cost), sum(impressions), sum(clicks), count(*) from ad_spend",
        [(D("2999.50") + D("2000"), 2000, 50, 2)]),
    "meta_ads_currency_in_header": (
        "meta.csv", b"\xef\xbb\xbf" + META_ADS.encode(),
        {"entity": "ad_spend", "encoding": "utf-8-sig", "delimiter": ",",
         "rows_read": 2, "rows_loaded": 2, "rows_skipped": 0},
        "select campaign, sum(cost), currency, sum(clicks) from ad_spend group by all",
        [("spring sale", D("1200.00"), "USD", 1050)]),
}


SKIPPED = {
    "1c_report_cp1251": ["Итого"],
    "salesforce_footer": ["Total", "Grand Totals (3 records)", "Confidential Information - Do Not Distribute",
                          "Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."],
    "yandex_direct_tsv": ["Total rows: 2"],
    "google_ads_utf16": ["Total: Account -- USD", "Total: Search -- USD"],
    "metrica_totals_row": ["Итого и средние  350"],
    "vk_ads_itogo": ["Итого"],
}


@pytest.mark.parametrize("name", LAYOUTS)
def test_export_layout(fresh_db, tmp_path, name):
    file_name, data, expected, sql, rows = LAYOUTS[name]
    rep = load(write(tmp_path, file_name, data))
    assert {k: rep[k] for k in expected} == expected
    assert rep["rows_rejected"] == 0, rep["reject_reasons"]
    assert query(fresh_db, sql) == rows
    # totals and footers are reported as skipped lines, never loaded
    assert rep["skipped_lines"] == SKIPPED.get(name, [])


@pytest.mark.parametrize("header", [
    "ID;Название сделки;Бюджет;Дата создания;Этап сделки\n",                         # amoCRM, every 1000 rows
    '"ID";"Название сделки";"Сумма";"Дата создания";"Стадия сделки";"";\n',            # Bitrix24, an empty title
])
def test_a_header_repeated_further_down_is_skipped(fresh_db, tmp_path, header):
    """It was a rejected row («invalid date 'Дата создания'») among the data, counted as read."""
    rows = ["1;А;100;05.12.2026;Успешно реализовано\n", "2;Б;200;06.12.2026;Переговоры\n"]
    if header.startswith('"'):
        rows = ['"1";"А";"100";"05.12.2026";"Сделка успешна";"";\n', '"2";"Б";"200";"06.12.2026";"Новая";"";\n']
    rep = load(write(tmp_path, "deals.csv", b"\xef\xbb\xbf" + (header + rows[0] + header + rows[1]).encode()))
    assert (rep["rows_read"], rep["rows_loaded"], rep["rows_rejected"], rep["rows_skipped"]) == (2, 2, 0, 1)
    assert rep["skipped_lines"] == ["ID Название сделки " + ("Бюджет" if "Бюджет" in header else "Сумма")]
    assert query(fresh_db, "select deal_id, amount, status from deals order by 1") == [
        ("1", D("100.00"), "won"), ("2", D("200.00"), "open")]


def test_totals_after_a_blank_marker_are_skipped_not_summed(fresh_db, tmp_path):
    """A campaign report over a period (no date column: every row is spread over the title's days) whose
    totals rows start with '--' in the status column, as Google Ads writes them in any UI language: the
    «Всего» rows are totals, so the spend is the campaigns' 3 529.21, not three times as much."""
    text = ("Отчет по кампаниям\r\n1 декабря 2026 г. - 7 декабря 2026 г.\r\n"
            "Статус кампании\tКампания\tСтоимость\r\n"
            "Включено\tBrand Search\t3 429,21\r\n"
            "Приостановлено\tDisplay\t100,00\r\n"
            "--\tВсего: аккаунт\t3 529,21\r\n"
            "--\tВсего: поиск\t3 429,21\r\n")
    rep = load(write(tmp_path, "campaigns.csv", UTF16 + text.encode("utf-16-le")))
    assert (rep["format"], rep["entity"], rep["rows_read"], rep["rows_loaded"], rep["rows_skipped"]) == (
        "generic", "ad_spend", 2, 2, 2)
    assert rep["skipped_lines"] == ["-- Всего: аккаунт 3 529,21", "-- Всего: поиск 3 429,21"]
    assert query(fresh_db, "select campaign, sum(cost), min(date), max(date) from ad_spend group by 1 order by 1") == [
        ("brand search", D("3429.21"), dt.date(2026, 12, 1), dt.date(2026, 12, 7)),
        ("display", D("100.00"), dt.date(2026, 12, 1), dt.date(2026, 12, 7))]


# ---------------------------------------------------------------------------------------------
# Numbers: one file per convention, loaded once; one assertion per cell text.

RU_NUMBERS = [  # Russian ';' file: comma decimals, space / NBSP / narrow NBSP thousands
    ("1 234 567,50", D("1234567.50")),
    ("1\u00a0234\u00a0567,50", D("1234567.50")),
    ("1\u202f234\u202f567,50", D("1234567.50")),
    ("125 000 руб.", D("125000")),
    ("7000 ₽", D("7000")),
    ("1 250 000 р.", D("1250000")),
    ("-100 000,00", D("-100000")),
    ("0,99", D("0.99")),
    ("1,000", D("1")),
    ("\u22121 234", D("-1234")),            # a typographic minus (U+2212), as Word and macOS write it
    ("\u20131 234,50", D("-1234.50")),      # an en dash for a minus
    ("(1 234)", D("-1234")),
    ("1 234,56\u202f₽", D("1234.56")),
    ("1 234,56р", D("1234.56")),
    ("1.234,56", D("1234.56")),
    ("1,234.56", D("1234.56")),             # an English cell in a Russian file: the later mark is the decimal
    ("1.234.567", D("1234567")),            # a repeated mark groups thousands
    ("--", None),
    ("", None),
]
CP1251_NUMBERS = [  # nothing in the column tells; the file (cp1251, ';') says Russian: '1,000' is one
    ("1,000", D("1")),
    ("12,500", D("12.5")),
    ("3", D("3")),
]
EN_NUMBERS = [  # English ',' file: comma thousands, point decimals
    ("1,000", D("1000")),
    ("12,500", D("12500")),
    ("1,234.50", D("1234.50")),
    ("1,234,567", D("1234567")),
    ("$1,200.00", D("1200")),
    ("-5.25", D("-5.25")),
    ("1.234,56", D("1234.56")),             # a Russian/German cell in an English file: never 1.23456
    ("0,5", D("0.5")),                      # a comma before other than three digits groups no thousands
    ("\u22125.25", D("-5.25")),
    ("--", None),
    ("", None),
]


def _numbers_file(kind: str, values: list[str]) -> bytes:
    if kind == "en":
        return table([["Deal ID", "Amount", "Created"]] + [[f"en{i}", v, "2025-01-03"] for i, v in enumerate(values)],
                     ",").encode()
    rows = [["ID", "Бюджет", "Дата создания"]] + [[f"{kind}{i}", v, "03.01.2025"] for i, v in enumerate(values)]
    return table(rows, ";").encode("cp1251" if kind == "cp" else "utf-8")


@pytest.fixture(scope="module")
def numbers_db(tmp_path_factory) -> Path:
    """One warehouse holding the three number files; deal_id says which file and which cell."""
    folder = tmp_path_factory.mktemp("numbers")
    files = []
    for kind, cases in (("ru", RU_NUMBERS), ("cp", CP1251_NUMBERS), ("en", EN_NUMBERS)):
        files.append(write(folder, f"numbers_{kind}.csv", _numbers_file(kind, [c for c, _ in cases])))
    db, reports = load_into(folder, files)
    assert reports["numbers_cp.csv"]["encoding"] == "cp1251"
    assert all(f["rows_rejected"] == 0 for f in reports.values()), reports
    return db


@pytest.mark.parametrize("kind, index, text, expected", [
    (kind, i, text, value)
    for kind, cases in (("ru", RU_NUMBERS), ("cp", CP1251_NUMBERS), ("en", EN_NUMBERS))
    for i, (text, value) in enumerate(cases)
])
def test_number_forms(numbers_db, kind, index, text, expected):
    assert query(numbers_db, "select amount from deals where deal_id = $id", {"id": f"{kind}{index}"}) == [(expected,)]


@pytest.mark.parametrize(("header", "origin", "currency"), [
    ("Amount spent (USD)", "header", "USD"), ("Amount spent", "default", "RUB")])
def test_the_currency_note_says_where_the_currency_came_from(fresh_db, tmp_path, header, origin, currency):
    """A spend file without a currency column: the note said «amounts taken as USD» (assumed) when the money
    column's header names USD; now it says the header, and only the default is called a default."""
    text = f"Day,Campaign name,{header}\n2026-12-01,camp_a,100.50\n2026-12-02,camp_a,99.50\n"
    rep = load(write(tmp_path, "meta_ads.csv", text.encode()))
    keys = [n for n in rep["note_keys"] if n["code"] == "currency_assumed"]
    assert keys == [{"code": "currency_assumed", "fields": {"currency": currency, "origin": origin}}], rep["note_keys"]
    said = {"header": ", as the money column's header says", "default": ""}[origin]
    assert f"no currency column: amounts taken as {currency}{said}" in rep["notes"]


def test_number_sums(numbers_db):
    """The hand-computed total of each file: nothing double-counted, nothing dropped."""
    for kind, cases in (("ru", RU_NUMBERS), ("cp", CP1251_NUMBERS), ("en", EN_NUMBERS)):
        total = sum((v for _, v in cases if v is not None), D(0))
        got = query(numbers_db, "select sum(amount), count(*) from deals where deal_id like $p", {"p": kind + "%"})
        assert got == [(total, len(cases))]


def test_amounts_marked_in_one_currency_are_in_that_currency(fresh_db, tmp_path):
    """No currency column, amounts written «$500»: they loaded as 500 roubles."""
    text = ("ID;Бюджет;Дата создания;Этап сделки\n1;$500;05.12.2026;Успешно реализовано\n"
            "2;$1,200.50;05.12.2026;Успешно реализовано\n3;;05.12.2026;Переговоры\n")
    rep = load(write(tmp_path, "deals.csv", text.encode()))
    assert "no currency column: amounts taken as USD, as its amounts are written" in rep["notes"]
    assert {"code": "currency_assumed", "fields": {"currency": "USD", "origin": "marks"}} in rep["note_keys"]
    assert query(fresh_db, "select deal_id, amount, currency from deals order by 1") == [
        ("1", D("500.00"), "USD"), ("2", D("1200.50"), "USD"), ("3", None, "USD")]


def test_plain_amounts_are_not_read_again_for_marks(fresh_db, tmp_path, monkeypatch):
    """Cells the fast parse read are digits and separators: a file of such amounts is not read a second time
    to look for currency marks (a pass over a 1M-row export), and still loads in the base currency."""
    reads = []
    create = stage.Source.create
    monkeypatch.setattr(stage.Source, "create", lambda self, sql, *a, **kw: (
        reads.append(sql), create(self, sql, *a, **kw))[1])
    text = "ID;Бюджет;Дата создания\n1;1 500,50;05.12.2026\n2;700;05.12.2026\n"
    load(write(tmp_path, "deals.csv", text.encode()))
    assert not [q for q in reads if "translate(lower(" in q], reads
    assert query(fresh_db, "select sum(amount), any_value(currency) from deals") == [(D("2200.50"), "RUB")]
    load(write(tmp_path, "deals2.csv", text.replace("1 500,50", "$1 500,50").replace("1;", "3;").encode()))
    assert [q for q in reads if "translate(lower(" in q]                 # a marked cell: read for its marks


def test_amounts_marked_in_several_currencies_refuse_the_file(fresh_db, tmp_path):
    """«$500», «300 €» and «1 000 ₽» in one column with no currency column all loaded as roubles."""
    text = ("ID;Бюджет;Дата создания;Этап сделки\n1;$500;05.12.2026;Успешно реализовано\n"
            "2;300 €;05.12.2026;Успешно реализовано\n3;1 000 ₽;05.12.2026;Успешно реализовано\n")
    [failed] = load_files([write(tmp_path, "deals.csv", text.encode())], progress=False)["files"]
    assert (failed["code"], failed["fields"]["currencies"]) == ("mixed_currency_marks", "EUR, RUB, USD"), failed
    # the user's mapping names the currency: the marks do not overrule it
    result = load_files([write(tmp_path, "deals.csv", text.encode())], progress=False,
                        mapping=stage.Mapping(options={"currency": "EUR"}))
    assert result["ok"], result
    assert query(fresh_db, "select distinct currency from deals") == [("EUR",)]


def _column_source(folder: Path, header: str, cells: list[str]) -> stage.Source:
    """A one-column file of `cells` under `header`, sniffed and opened as staging reads it."""
    path = folder / "cells.csv"
    path.write_text(table([[header], *[[c] for c in cells]], ","), encoding="utf-8")
    con = duckdb.connect()
    prepare(con)
    work = folder / "work"
    work.mkdir(exist_ok=True)
    return stage.Source(con, sniff.sniff(path, work))


def _read_numbers(src: stage.Source, loc: str) -> list[tuple]:
    """(cell, value) as staging reads a number column: the fast parse, else p_num (the slow one)."""
    fast = stage._fast_sql("amount", "c0", loc)
    return src.create(f"select c0, coalesce({fast}, {stage._slow_sql('amount', 'c0', loc, True)}) from {{source}}")


GROUPS = {"ru": (" ", "\u00a0", "\u202f", "."), "en": (",",)}   # thousands marks by the decimal mark's side
SIGNS = ("-{}", "\u2212{}", "\u2013{}", "({})")                     # minus, U+2212, en dash, an accountant's ()
MARKS = ("{}", "{} ₽", "{}\u00a0₽", "{}\u202f₽", "{} руб.", "{} р.", "{}р", "${}", "{} RUB", "{}%")


def _notation(value: Decimal, side: str, group: str, sign: str, mark: str) -> str:
    """`value` written with two decimals as a person or a system writes it."""
    whole, cents = f"{abs(value):.2f}".split(".")
    digits = f"{int(whole):,}".replace(",", group)
    text = f"{digits}{',' if side == 'ru' else '.'}{cents}"
    return mark.format(sign.format(text) if value < 0 else text)


NOTATIONS = st.sampled_from([(side, g) for side, groups in GROUPS.items() for g in groups])
AMOUNTS = st.integers(-10**13, 10**13).map(lambda n: Decimal(n) / 100)


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=st.lists(st.tuples(AMOUNTS, NOTATIONS, st.sampled_from(SIGNS), st.sampled_from(MARKS)),
                      min_size=1, max_size=20),
       loc=st.sampled_from(["ru", "en"]))
def test_any_amount_in_any_notation_reads_back_the_same(tmp_path, cases, loc):
    """Written with its decimals, an amount is the same number in a Russian column and in an English one:
    whatever the thousands mark (space, NBSP, narrow NBSP, point, comma), minus or currency."""
    cells = [_notation(v, side, group, sign, mark) for v, (side, group), sign, mark in cases]
    src = _column_source(tmp_path, "Amount", cells)
    try:
        got = [(c, None if v is None else round(Decimal(v), 2)) for c, v in _read_numbers(src, loc)]
    finally:
        src.con.close()
    assert got == [(c, v) for c, (v, *_) in zip(cells, cases, strict=True)]


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.text("0123456789,.- ", min_size=1, max_size=12), min_size=1, max_size=30),
       loc=st.sampled_from(["ru", "en"]))
def test_the_fast_number_parse_reads_no_cell_otherwise_than_p_num(tmp_path, cells, loc):
    """The fast parse leaves a cell to p_num or reads what p_num reads: a cell's value never depends on
    which path took it."""
    src = _column_source(tmp_path, "Amount", cells)
    fast = stage._fast_sql("amount", "c0", loc)
    try:
        rows = src.create(f"select c0, {fast}, {stage._slow_sql('amount', 'c0', loc, True)} from {{source}}")
    finally:
        src.con.close()
    assert [(c, f, s) for c, f, s in rows if f is not None and f != s] == []


# ---------------------------------------------------------------------------------------------
# Dates: Russian forms and ISO in one file; slash dates read by the file's convention.

RU_DATES = [
    ("03.01.2025", dt.datetime(2025, 1, 3)),
    ("03.01.2025 10:15", dt.datetime(2025, 1, 3, 10, 15)),
    ("03.01.2025 10:15:30", dt.datetime(2025, 1, 3, 10, 15, 30)),
    ("3.1.2025", dt.datetime(2025, 1, 3)),
    ("2025-01-03", dt.datetime(2025, 1, 3)),
    ("2025-01-03 10:15:30", dt.datetime(2025, 1, 3, 10, 15, 30)),
    ("2025-01-03T10:15:30", dt.datetime(2025, 1, 3, 10, 15, 30)),
    ("2025-01-03T10:15:30+03:00", dt.datetime(2025, 1, 3, 10, 15, 30)),  # local time of the export
    ("2025-01-03T10:15:30.123Z", dt.datetime(2025, 1, 3, 10, 15, 30)),
    ("02-01-2006 15:04:05", dt.datetime(2006, 1, 2, 15, 4, 5)),            # old amoCRM export
    ("3 января 2025", dt.datetime(2025, 1, 3)),                             # 1C, office documents
    ("03 янв. 2025 г., 10:15", dt.datetime(2025, 1, 3, 10, 15)),
    ("3 January 2025", dt.datetime(2025, 1, 3)),
    ("3-Jan-2025", dt.datetime(2025, 1, 3)),
    ("03.01.2025 г.", dt.datetime(2025, 1, 3)),
    ("03.01.2025, 10:15:30", dt.datetime(2025, 1, 3, 10, 15, 30)),         # toLocaleString('ru')
    ("03.01.25", dt.datetime(2025, 1, 3)),                                  # a short year (1C, Excel)
    ("03.01.25 10:15", dt.datetime(2025, 1, 3, 10, 15)),
    ("31.12.99", dt.datetime(1999, 12, 31)),
]
US_DATES = [("1/2/2025", dt.datetime(2025, 1, 2)), ("12/31/2024", dt.datetime(2024, 12, 31)),
            ("3/4/2025 2:30 PM", dt.datetime(2025, 3, 4, 14, 30))]
DMY_DATES = [("1/2/2025", dt.datetime(2025, 2, 1)), ("31/12/2024", dt.datetime(2024, 12, 31)),  # 31 > 12 tells
             ("4/3/2025 14:30", dt.datetime(2025, 3, 4, 14, 30))]
DATE_FILES = {"ru": (RU_DATES, ";"), "us": (US_DATES, ","), "dmy": (DMY_DATES, ",")}


@pytest.fixture(scope="module")
def dates_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dates")
    files = []
    for kind, (cases, delim) in DATE_FILES.items():
        rows = [["Deal ID", "Amount", "Created"]] + [[f"{kind}{i}", "1", t] for i, (t, _) in enumerate(cases)]
        files.append(write(folder, f"dates_{kind}.csv", table(rows, delim).encode()))
    db, reports = load_into(folder, files)
    assert all(f["rows_rejected"] == 0 for f in reports.values()), reports
    return db


@pytest.mark.parametrize("kind, index, text, expected", [
    (kind, i, text, value) for kind, (cases, _) in DATE_FILES.items() for i, (text, value) in enumerate(cases)
])
def test_date_forms(dates_db, kind, index, text, expected):
    got = query(dates_db, "select created_at from deals where deal_id = $id", {"id": f"{kind}{index}"})
    assert got == [(expected,)]


def test_month_names_mirror_the_period_finder():
    """The cells' month names (macros.sql p_months) are the title lines' (etl.periods.MONTHS)."""
    from etl.periods import MONTHS
    con = duckdb.connect()
    prepare(con)
    try:
        [(names, numbers)] = con.execute("select map_keys(p_months()), map_values(p_months())").fetchall()
    finally:
        con.close()
    assert dict(zip(names, numbers, strict=True)) == MONTHS and len(names) == len(MONTHS)


RU_MONTH_NAMES = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
                  "ноября", "декабря")
RU_MONTHS_SHORT = ("янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
DAY_NOTATIONS = [  # (notation of a moment, does it keep the time of day)
    (lambda d: d.strftime("%d.%m.%Y"), False),
    (lambda d: d.strftime("%d.%m.%Y %H:%M"), True),
    (lambda d: d.strftime("%d.%m.%Y, %H:%M:%S"), True),
    (lambda d: f"{d.day}.{d.month}.{d.year} г.", False),
    (lambda d: d.strftime("%Y-%m-%dT%H:%M:%S+03:00"), True),
    (lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.000Z"), True),
    (lambda d: d.strftime("%Y-%m-%d"), False),
    (lambda d: f"{d.day} {RU_MONTH_NAMES[d.month - 1]} {d.year}", False),
    (lambda d: f"{d.day:02d} {RU_MONTHS_SHORT[d.month - 1]}. {d.year} г., {d.hour}:{d.minute:02d}", True),
    (lambda d: f"{d.day} {d.strftime('%B %Y')}", False),
    (lambda d: d.strftime("%b %d, %Y").replace(" 0", " "), False),
    (lambda d: str((d.date() - dt.date(1899, 12, 30)).days), False),   # an Excel serial saved as text
]


def _read_dates(tmp_path, cells: list[str]) -> list[tuple]:
    """(cell, the moment staging reads from it: the fast forms, else the slow parse) for one Created column."""
    src = _column_source(tmp_path, "Created", cells)
    formats = stage.detect_date_formats(src, [0])
    fast = stage._fast_sql("created_at", "c0", "ru", "fmt" if formats else None)
    try:
        return src.create(f"select c0, coalesce({fast}, {stage._slow_sql('created_at', 'c0', 'ru', True)}) "
                          "from {source}", {"fmt": formats[0]} if formats else None)
    finally:
        src.con.close()


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=st.lists(st.tuples(st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2100, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)), st.integers(0, len(DAY_NOTATIONS) - 1)), min_size=1, max_size=20))
def test_any_day_in_any_notation_reads_back_the_same_day(tmp_path, cases):
    """A moment written in any notation exports use loads as that day (and its time, where written)."""
    cells = [DAY_NOTATIONS[k][0](d) for d, k in cases]
    got = _read_dates(tmp_path, cells)
    assert got == [(c, d if DAY_NOTATIONS[k][1] else d.replace(hour=0, minute=0))
                   for c, (d, k) in zip(cells, cases, strict=True)]


# Weekday names as calendars and CRMs write them before a date (Monday first), in both languages.
WEEKDAYS = {"ru": (("пн", "вт", "ср", "чт", "пт", "сб", "вс"),
                   ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")),
            "en": (("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
                   ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))}
EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")
WEEKDAY_NOTATIONS = [  # (a date after weekday word w, does it keep the time of day)
    (lambda w, d: f"{w}, {d.day} {RU_MONTH_NAMES[d.month - 1]} {d.year}", False),      # «пт, 5 декабря 2026»
    (lambda w, d: f"{w} {d:%d.%m.%Y}", False),                                          # «Пт 05.12.2026»
    (lambda w, d: f"{w}, {d:%d.%m.%Y} {d.hour}:{d.minute:02d}", True),
    (lambda w, d: f"{w}, {d.day} {EN_MONTHS[d.month - 1][:3]} {d.year}", False),        # «Fri, 5 Dec 2026»
    (lambda w, d: f"{w}, {EN_MONTHS[d.month - 1]} {d.day}, {d.year}", False),           # «Friday, December 5, 2026»
    (lambda w, d: f"{w}. {d:%Y-%m-%d}", False),
]
CASES = (str, str.capitalize, str.upper)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=st.lists(st.tuples(
    st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2100, 12, 31)).map(lambda d: d.replace(second=0, microsecond=0)),
    st.sampled_from(sorted(WEEKDAYS)), st.integers(0, 1), st.integers(0, len(CASES) - 1),
    st.integers(0, len(WEEKDAY_NOTATIONS) - 1), st.integers(0, 6)), min_size=1, max_size=20))
def test_a_date_after_its_weekday_reads_as_that_date_and_after_another_weekday_as_none(tmp_path, cases):
    """«Сб, 5 декабря 2026», «Sat, 5 Dec 2026» were rejected as unreadable dates; a weekday word that is not
    the date's (shift > 0) reads as no date, not as the date with its weekday ignored."""
    cells, want = [], []
    for d, lang, full, case, k, shift in cases:
        word = CASES[case](WEEKDAYS[lang][full][(d.weekday() + shift) % 7])
        cells.append(WEEKDAY_NOTATIONS[k][0](word, d))
        want.append(None if shift else d if WEEKDAY_NOTATIONS[k][1] else d.replace(hour=0, minute=0))
    got = _read_dates(tmp_path, cells)
    assert got == list(zip(cells, want, strict=True))


def test_weekday_dates_through_the_load(fresh_db, tmp_path):
    """A deals export with weekday-prefixed dates: the right weekday loads, a wrong one and a word that is no
    weekday are rejected with the cell's text (5 December 2026 is a Saturday)."""
    rows = [["ID", "Бюджет", "Дата создания", "Этап сделки"],
            ["1", "100", "сб, 5 декабря 2026", "Переговоры"], ["2", "100", "Сб 05.12.2026", "Переговоры"],
            ["3", "100", "Sat, 5 Dec 2026", "Переговоры"], ["4", "100", "Saturday, December 5, 2026", "Переговоры"],
            ["5", "100", "Пт 05.12.2026", "Переговоры"], ["6", "100", "Сбор 05.12.2026", "Переговоры"]]
    rep = load(write(tmp_path, "deals.csv", table(rows, ";").encode("utf-8")))
    assert query(fresh_db, "select deal_id, created_at from deals order by 1") == [
        (str(i), dt.datetime(2026, 12, 5)) for i in range(1, 5)]
    assert [(r["row"], "Пт 05.12.2026" in r["reason"] or "Сбор 05.12.2026" in r["reason"])
            for r in rep["reject_reasons"]] == [(6, True), (7, True)]


@pytest.mark.parametrize("text", ["Январь 2026", "январь 2026 г.", "янв. 2026", "янв.26", "Jan-26", "January 2026",
                                  "01.2026", "2026-01", "15.01.2026"])
def test_a_plan_month_written_by_name(tmp_path, text):
    src = _column_source(tmp_path, "Месяц", [text])
    try:
        assert src.create(f"select {stage._slow_sql('month', 'c0', 'ru', True)} from {{source}}") == [
            (dt.datetime(2026, 1, 1),)]
    finally:
        src.con.close()


# A column's own date form is tried before p_ts_fast's list (etl/stage.py detect_date_formats); the
# value must be the list's either way, for any mix of cells, ambiguous ones included.
DATES = st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2100, 12, 31))
DATE_PART = st.integers(1, 12).map(lambda n: f"{n:02d}") | st.integers(1990, 2100).map(str)


def _rare(fmt: str):
    """Cells in any of the list's forms, or digit groups with `fmt`'s separator that several forms may
    read, each its own way (05-06-07: %Y-%m-%d reads year 5, %d-%m-%Y year 7)."""
    sep = next((c for c in fmt if c in "-./"), "-")
    clock = dt.datetime(2000, 1, 1, 10, 15, 30).strftime(fmt[8:])    # the form's own time part, if any
    return DATES.flatmap(lambda d: st.sampled_from(stage.fast_formats()).map(d.strftime)) | st.tuples(
        DATE_PART, DATE_PART, DATE_PART).map(lambda p: f"{p[0]}{sep}{p[1]}{sep}{p[2]}{clock}")


def _date_source(folder: Path, cells: list[str]) -> stage.Source:
    path = folder / "dates.csv"
    path.write_text(table([["Created"], *[[c] for c in cells]], ","), encoding="utf-8")
    con = duckdb.connect()
    prepare(con)
    work = folder / "work"
    work.mkdir(exist_ok=True)
    return stage.Source(con, sniff.sniff(path, work))


def _read_as_list(src: stage.Source, fmt: str | None) -> list[tuple]:
    """(cell, p_ts_fast's value, the fast parse's value with `fmt` tried first), per cell."""
    expr = stage._fast_sql("created_at", "c0", "ru", "fmt" if fmt else None)
    return src.create(f"select c0, p_ts_fast(trim(c0)), {expr} from {{source}}", {"fmt": fmt} if fmt else None)


@pytest.mark.parametrize("fmt", stage.fast_formats())
@settings(max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_columns_own_date_form_reads_every_cell_as_the_list_does(tmp_path, fmt, data):
    """A column mostly in one form, as exports write them, with a few cells in any other."""
    cells = data.draw(st.lists(DATES.map(lambda d: d.strftime(fmt)), min_size=1, max_size=30))
    cells += data.draw(st.lists(_rare(fmt), max_size=4))
    src = _date_source(tmp_path, cells)
    try:
        chosen = stage.detect_date_formats(src, [0]).get(0)
        assert chosen is None or chosen in stage.fast_formats()
        assert [(c, a, b) for c, a, b in _read_as_list(src, chosen) if a != b] == []
    finally:
        src.con.close()


def test_a_date_form_that_reads_some_cell_otherwise_is_not_chosen(tmp_path):
    # "05-06-07" is 0005-06-07 by the list (%Y-%m-%d comes first) and 0007-06-05 by %d-%m-%Y
    src = _date_source(tmp_path, ["05-06-2007"] * 30 + ["05-06-07"])
    try:
        assert stage.detect_date_formats(src, [0]) == {0: "%Y-%m-%d"}
    finally:
        src.con.close()
    src = _date_source(tmp_path, ["2025-01-03 10:15:30"] * 30 + ["03.01.2025", "05-06-07", "n/a"])
    try:
        assert stage.detect_date_formats(src, [0]) == {0: "%Y-%m-%d %H:%M:%S"}
        assert [(c, a) for c, a, b in _read_as_list(src, "%Y-%m-%d %H:%M:%S") if a != b] == []
    finally:
        src.con.close()


def test_a_date_form_is_found_below_empty_cells(tmp_path):
    """Open deals first: their close dates are empty, and the form is counted on the cells that are not."""
    path = tmp_path / "deals.csv"
    path.write_text(table([["ID", "Closed"]] + [[str(i), ""] for i in range(1500)]
                          + [[str(i), "2025-01-03 10:15:30"] for i in range(1500, 1600)], ","), encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    con = duckdb.connect()
    prepare(con)
    try:
        assert stage.detect_date_formats(stage.Source(con, sniff.sniff(path, work)), [1]) == {1: "%Y-%m-%d %H:%M:%S"}
    finally:
        con.close()


WALKTHROUGH = Path(__file__).resolve().parent / "data" / "walkthrough"


def test_rows_are_numbered_as_a_spreadsheet_shows_the_file(fresh_db):
    """«Строка файла» is the row the user finds the record on when the file is opened (Excel,
    LibreOffice; a workbook's own row): the text line until a quoted cell spans lines. The QA file
    (amoCRM, ';', UTF-8 BOM, CRLF, written by hand) has a two-line quoted cell in row 3 (lines 3-4), a
    blank line (row 9, which the CSV reader drops) and a row without its ID in row 12 (line 13)."""
    path = WALKTHROUGH / "amo_deals_nov.csv"
    rep = load(path)
    assert [(r["row"], r["reason"].split(" '")[0].split(" in ")[0]) for r in rep["reject_reasons"]] == [
        (8, "invalid date"), (12, "empty required field deal_id")]
    assert [(w["row"], w["raw"]) for w in rep["cell_warnings"]] == [(7, "договорная")]
    rejects = query(fresh_db, "select row_number, raw from rejects order by 1")
    assert [(n, raw.split(";")[:2]) for n, raw in rejects] == [
        (8, ["91000007", "Плохая дата"]), (12, ["", "Без номера"])]
    assert query(fresh_db, 'select row_number, raw from cell_warnings') == [(7, "договорная")]
    # the mapping step's preview numbers the rows the same way
    from etl import profiles
    preview = profiles.preview(path, stage.Mapping())["rows"]
    assert preview.loc[preview["reason"].str.contains("deal_id", na=False), "line"].tolist() == [12]


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_row_numbers_after_blank_lines_and_cells_spanning_lines(fresh_db, tmp_path, line_end):
    """Title lines, a blank line under the header, cells spanning lines (one with a blank line and a
    doubled quote inside) and blank lines at the end: each reject names the row a spreadsheet shows."""
    rows = [["Сделки за январь"], [], ["ID", "Название сделки", "Бюджет", "Дата создания"], [],
            ["1", "Первая", "100", "03.01.2025"],
            ["2", 'Много\n\nстрок "в кавычках"', "200", "31.02.2025"],      # row 6, lines 6-8: bad date
            [], ["3", "Третья", "300", "04.01.2025"],
            ["", "Без номера", "400", "05.01.2025"]]                             # row 9, line 11
    text = table(rows, ";", line_end) + line_end * 2
    rep = load(write(tmp_path, "deals.csv", text.encode("cp1251")))
    assert (rep["rows_read"], rep["rows_loaded"]) == (4, 2)
    assert [r["row"] for r in rep["reject_reasons"]] == [6, 9]
    assert query(fresh_db, "select row_number from rejects order by 1") == [(6,), (9,)]


CYR_DEALS = "Дата создания;ID;Бюджет\r\n03.01.2025;1;100\r\n04.01.2025;2;200\r\n"


@pytest.mark.parametrize("name, data", [
    ("deals.csv", CYR_DEALS.encode("utf-16-le")),               # UTF-16 without a BOM, Cyrillic first: NULs
    ("deals.csv", CYR_DEALS.encode("utf-16-be")),
    ("deals.csv", UTF16 + CYR_DEALS.encode("utf-16-le")),
    ("deals.csv", CYR_DEALS.encode("cp1251") + b"\x1a"),        # a DOS end-of-file mark after the data
    ("deals.xlsx", None),                                        # a workbook: a zip, starts with PK
])
def test_text_tables_and_workbooks_are_not_taken_for_binary(fresh_db, tmp_path, name, data):
    """The binary check (a file that is no table is refused in one line) lets every real table through."""
    path = WALKTHROUGH / "amo_deals_nov_corrected.xlsx" if data is None else write(tmp_path, name, data)
    rep = load(path)
    assert rep["entity"] == "deals" and rep["rows_loaded"] >= 2, rep


def test_windows_1251_first_seen_past_the_sniffed_head(fresh_db, tmp_path):
    """An English header and Latin campaign names for the first 256 KB, then «Кампания Москва» in
    windows-1251 (an export sorted by name): the file loads with its Cyrillic as written; it failed whole
    («CSV Error on Line: 12002») when its ASCII head was taken for UTF-8."""
    rows = "".join(f"2026-12-{1 + i % 28:02d};brand_search_{i:05d};{i}\n" for i in range(12000))
    text = "date;campaign;cost\n" + rows + "2026-12-05;Кампания Москва;100,50\n"
    assert len(text) > sniff.HEAD_BYTES
    rep = load(write(tmp_path, "spend.csv", text.encode("cp1251")))
    assert (rep["encoding"], rep["rows_read"], rep["rows_loaded"]) == ("cp1251", 12001, 12001)
    assert query(fresh_db, "select date, cost from ad_spend where campaign = 'кампания москва'") == [
        (dt.date(2026, 12, 5), D("100.50"))]
    assert query(fresh_db, "select sum(cost) from ad_spend") == [(D(12000 * 11999 // 2) + D("100.50"),)]


@pytest.mark.parametrize("data, code, detail", [
    # UTF-8 with Cyrillic from the first line, one byte of another encoding on line 4: its own code,
    # bad_utf8, in the reader's language (tests/test_bad_input.py); the line number is the reader's
    ("ID;Бюджет;Дата создания\n1;5;03.01.2025\n2;6;04.01.2025\n".encode() + b"3;7;05.01.2025 \xff\n",
     "bad_utf8", "line 4 holds bytes that are not UTF-8"),
    # a cell of 3 MB (a whole document pasted into a comment): past the reader's 2 MB line
    (f"ID;Бюджет;Дата создания;Комментарий\n1;5;03.01.2025;\"{'я' * 1_500_000}\"\n".encode(),
     "bad_delimited", "line 2: Maximum line size of 2000000 bytes exceeded."),
    # a cell going on past its closing quote, written by hand or by an exporter that quotes nothing:
    # DuckDB calls the line invalid UTF-8, which sent the user to re-save a file that is UTF-8
    ('ID;Название сделки;Бюджет;Дата создания\n1;"Окна" Люкс;5;03.01.2025\n2;Двери;6;04.01.2025\n'.encode(),
     "bad_delimited", "line 2: the text is valid UTF-8, but a cell that starts with a quote seems to go on after"),
])
def test_an_unreadable_line_is_named_with_its_cause(fresh_db, tmp_path, data, code, detail):
    """The one line says which line of the file and why (it said «CSV Error on Line: 4», no cause)."""
    result = load_files([write(tmp_path, "deals.csv", data)], progress=False)
    [failed] = result["files"]
    assert failed["code"] == code, failed
    if code == "bad_utf8":
        assert failed["fields"]["line"] == 4 and failed["error"].startswith(f"deals.csv: {detail}"), failed
    else:
        assert failed["fields"]["detail"].startswith(detail), failed
    assert len(failed["error"]) < 400


@pytest.mark.parametrize("data, problem, facts", [
    (f"ID;Бюджет;Дата создания;Комментарий\n1;5;03.01.2025;\"{'я' * 1_500_000}\"\n".encode(), "line_too_long",
     ("строка 2 длиннее", "3 000 017 байт при пределе 2 000 000")),
    ('ID;Название сделки;Бюджет;Дата создания\n1;"Окна" Люкс;5;03.01.2025\n2;Двери;6;04.01.2025\n'.encode(),
     "quote_runs_on", ("в строке 2 ячейка начинается с кавычки",)),
])
def test_an_unreadable_line_reads_in_russian_throughout(fresh_db, tmp_path, data, problem, facts):
    """In Russian the line embedded DuckDB's English («... (line 2: Maximum line size of 2000000 bytes
    exceeded. Actual Size:3000017 bytes.). Сохраните его в CSV заново...»); the facts stay, the English goes
    to the `detail` field only."""
    import re

    from ui import upload

    [failed] = load_files([write(tmp_path, "deals.csv", data)], progress=False)["files"]
    assert failed["code"] == "bad_delimited"
    ru = upload.error_line(failed, "ru").replace("\u00a0", " ").replace("\u202f", " ")
    # no English word of DuckDB's (or ours) left: Latin letters only in the file name
    assert re.findall(r"[A-Za-z]{2,}", ru.replace("deals.csv", "")) == [], ru
    assert ru.startswith("deals.csv: файл не разбирается как таблица с разделителями — ") and "\n" not in ru
    assert all(f in ru for f in facts), ru
    assert (failed["fields"]["problem"], failed["fields"]["line"]) == (problem, 2)
    assert failed["fields"]["detail"] not in ru and failed["fields"]["detail"].startswith("line 2: ")
    en = upload.error_line(failed, "en")
    assert en.startswith("deals.csv: cannot be read as delimited text: ") and not re.search("[а-яё]", en), en


def test_a_quote_that_never_closes_refuses_the_file(fresh_db, tmp_path):
    """An exporter that quotes nothing, and a title typed with one quote: the reader took lines 2-5 as one
    cell, and deals 2-4 vanished without a word (read 1, rejected 1 for its date)."""
    text = ("ID;Название сделки;Бюджет;Дата создания\n1;\"Ромашка;1000;05.12.2026\n2;Б;2000;05.12.2026\n"
            "3;В;3000;05.12.2026\n4;Г;4000;05.12.2026\n")
    [failed] = load_files([write(tmp_path, "deals.csv", text.encode())], progress=False)["files"]
    assert (failed["code"], failed["fields"]["line"], failed["fields"]["last"]) == ("unclosed_quote", 2, 5), failed


def test_a_stray_quote_inside_a_cell_is_text(fresh_db, tmp_path):
    """A quote inside a cell («15" экран») opens nothing, beside a cell that spans lines."""
    text = ("ID;Название сделки;Бюджет;Дата создания\n1;\"Окна\nдвери\";1000;05.12.2026\n"
            "2;Монитор 15\" экран;2000;05.12.2026\n")
    rep = load(write(tmp_path, "deals.csv", text.encode()))
    assert (rep["rows_read"], rep["rows_loaded"]) == (2, 2)
    assert query(fresh_db, "select deal_id, title from deals order by 1") == [
        ("1", "Окна\nдвери"), ("2", 'Монитор 15" экран')]


def test_impossible_date_rejects_that_row(fresh_db, tmp_path):
    text = ("ID;Бюджет;Дата создания;Город\n"
            "1;100;28.02.2026;Москва\n"
            "2;200;31.02.2026 10:00;Москва\n"     # February has no 31st: rejected, never shifted to March
            "3;300;01.03.2026;Москва\n")
    rep = load(write(tmp_path, "deals.csv", text.encode()))
    assert (rep["rows_read"], rep["rows_loaded"], rep["rows_rejected"]) == (3, 2, 1)
    [reject] = rep["reject_reasons"]
    assert reject["row"] == 3  # the file's line number, header included
    assert "31.02.2026 10:00" in reject["reason"] and "Дата создания" in reject["reason"]
    assert query(fresh_db, "select row_number, reason, raw from rejects") == [
        (3, reject["reason"], "2;200;31.02.2026 10:00;Москва")]
    assert query(fresh_db, "select deal_id, created_at::date from deals order by 1") == [
        ("1", dt.date(2026, 2, 28)), ("3", dt.date(2026, 3, 1))]
    assert query(fresh_db, "select sum(amount) from deals") == [(D("400.00"),)]


# ---------------------------------------------------------------------------------------------
# Workbooks and Parquet.

def test_xlsx(fresh_db, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Отчёт по сделкам за январь"])
    sheet.append([])
    sheet.append(["ID", "Название сделки", "Бюджет", "Дата создания", "Дата закрытия", "Этап сделки", "Город"])
    sheet.append([1, "Окна", 150000.5, dt.datetime(2025, 1, 3, 10, 15), 45678, "Успешно реализовано", "мск"])
    sheet.append([2, "Двери", 80000, dt.date(2025, 1, 5), None, "Переговоры", "СПб"])
    sheet.append(["3", "Склад", "1 200 000,50", "10.01.2025", 45700.5, "Переговоры", "Казань"])
    sheet.append(["Итого", None, 1430001.0, None, None, None, None])
    path = tmp_path / "deals.xlsx"
    book.save(path)
    rep = load(path)
    assert (rep["container"], rep["entity"]) == ("xlsx", "deals")
    assert (rep["rows_read"], rep["rows_loaded"], rep["rows_rejected"], rep["rows_skipped"]) == (3, 3, 0, 1)
    assert query(fresh_db, "select deal_id, amount, created_at, closed_at, region from deals order by 1") == [
        # Excel serials: 45678 = 2025-01-21, 45700.5 = 2025-02-12 12:00
        ("1", D("150000.50"), dt.datetime(2025, 1, 3, 10, 15), dt.datetime(2025, 1, 21), "Москва"),
        ("2", D("80000.00"), dt.datetime(2025, 1, 5), None, "Санкт-Петербург"),
        ("3", D("1200000.50"), dt.datetime(2025, 1, 10), dt.datetime(2025, 2, 12, 12), "Казань"),
    ]
    assert query(fresh_db, "select sum(amount) from deals") == [(D("150000.50") + D("80000") + D("1200000.50"),)]


def test_an_xlsx_time_a_hair_before_midnight_stays_on_its_day(fresh_db, tmp_path):
    """openpyxl (as Excel) stores 2026-12-05 23:59:59.999999 as the serial 46361.99999999999; calamine rounds
    serials to the millisecond, and the deal loaded as created 2026-12-06 00:00."""
    import zipfile

    from python_calamine import CalamineWorkbook

    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Сделки"
    book.active.append(["ID", "Бюджет", "Дата создания", "Дата закрытия", "Этап сделки"])
    book.active.append([1, 100, dt.datetime(2026, 12, 5, 23, 59, 59, 999999),
                        dt.datetime(2026, 12, 31, 23, 59, 59, 999600), "Успешно реализовано"])
    book.active.append([2, 200, dt.datetime(2026, 12, 6), dt.date(2026, 12, 7), "Успешно реализовано"])
    book.create_sheet("Время").append(["Время", dt.time(23, 59, 59, 999999)])
    path = tmp_path / "deals.xlsx"
    book.save(path)
    assert b"<v>46361.99999999999</v>" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    rep = load(path)
    assert rep["rows_loaded"] == 2
    assert query(fresh_db, "select deal_id, created_at, closed_at from deals order by 1") == [
        ("1", dt.datetime(2026, 12, 5, 23, 59, 59), dt.datetime(2026, 12, 31, 23, 59, 59)),
        ("2", dt.datetime(2026, 12, 6), dt.datetime(2026, 12, 7))]     # real midnights stay midnights
    # a time-of-day cell (a serial below 1) likewise
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_name("Время").to_python(skip_empty_area=False)
    assert sheet[0][1] == dt.time(0, 0)
    sniff._keep_day(path, "Время", sheet)
    assert sheet[0][1] == dt.time(23, 59, 59, 999999)


@pytest.mark.parametrize("chunk", [16, 37, 64, 1 << 20])
def test_the_near_midnight_scan_finds_every_cell_whatever_the_chunks(tmp_path, monkeypatch, chunk):
    """The sheet's XML is scanned in chunks; a cell a chunk boundary cuts is found in the next one."""
    import zipfile

    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for i in range(40):
        book.active.append([i, dt.datetime(2026, 1, 1 + i % 28, 23, 59, 59, 999999), "=A1+1", i / 7])
    book.save(tmp_path / "b.xlsx")
    monkeypatch.setattr(sniff, "CHUNK", chunk)
    with zipfile.ZipFile(tmp_path / "b.xlsx") as zf, zf.open("xl/worksheets/sheet1.xml") as fh:
        found = [m.group(0) for m in sniff._near_midnight(fh)]
        whole = [m.group(0) for m in sniff._NEAR_MIDNIGHT.finditer(zf.read("xl/worksheets/sheet1.xml"))]
    assert found == whole and len(found) == 40


def test_a_workbook_opening_with_a_parameters_sheet_loads_its_data_sheet(fresh_db, tmp_path):
    """The first sheet holds the report's parameters: it failed with «cannot tell which columns hold
    deal_id... Columns found: Период, 01.12.2026 - 31.12.2026»."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Параметры"
    book.active.append(["Параметры отчёта"])
    book.active.append(["Период", "01.12.2026 - 31.12.2026"])
    data = book.create_sheet("Сделки")
    data.append(["ID", "Бюджет", "Дата создания", "Этап сделки"])
    data.append([1, 1500.5, dt.datetime(2026, 12, 5, 14, 3), "Успешно реализовано"])
    book.create_sheet("Справочник").append(["Этап", "Статус"])
    book.save(tmp_path / "deals.xlsx")
    rep = load(tmp_path / "deals.xlsx")
    assert (rep["entity"], rep["rows_loaded"]) == ("deals", 1)
    assert query(fresh_db, "select deal_id, amount, created_at, status from deals") == [
        ("1", D("1500.50"), dt.datetime(2026, 12, 5, 14, 3), "won")]


@pytest.mark.parametrize("name", ["deals.xlsx", "deals.xls"])
def test_an_empty_workbook_is_named_as_the_user_knows_it(fresh_db, tmp_path, name):
    """It said «deals.xlsx.csv: the file is empty», the name of a file the loader wrote, not the user's."""
    if name.endswith(".xlsx"):
        openpyxl = pytest.importorskip("openpyxl")
        openpyxl.Workbook().save(tmp_path / name)
    else:  # Bitrix24's "Excel" export: an HTML table saved as .xls, here one without rows
        (tmp_path / name).write_text('<meta charset="utf-8"><table></table>', encoding="utf-8")
    [failed] = load_files([tmp_path / name], progress=False)["files"]
    assert (failed["code"], failed["error"], failed["fields"]["file"]) == (
        "empty", f"{name}: the file is empty; export it again with data rows", name)


def test_parquet_typed_columns(fresh_db, tmp_path):
    path = tmp_path / "deals.parquet"
    con = duckdb.connect()
    con.execute(  # closed_at is TIMESTAMPTZ: it reads as '2025-01-20 12:00:00+00' and must parse
        "copy (select * from (values "
        " ('p1', 1000.25::decimal(18,2), timestamp '2025-01-03 10:00:00', timestamptz '2025-01-20 12:00:00+00',"
        "  'Closed Won', 'Moscow', 'USD'),"
        " ('p2', 2000.50::decimal(18,2), timestamp '2025-01-04 11:30:00', null, 'Open', 'Kazan', 'USD'),"
        " ('p3', 7.00::decimal(18,2), timestamp '2025-01-05 00:00:00', timestamptz '2025-01-06 12:00:00+00',"
        "  'Closed Lost', null, 'EUR')"
        ") t(deal_id, amount, created_at, closed_at, stage, region, currency)) to '" + str(path) + "' (format parquet)"
    ).fetchall()
    con.close()
    rep = load(path)
    assert (rep["container"], rep["entity"], rep["rows_read"], rep["rows_loaded"]) == ("parquet", "deals", 3, 3), rep
    assert query(fresh_db, "select deal_id, amount, created_at, closed_at::date, status, region, currency "
                           "from deals order by 1") == [
        ("p1", D("1000.25"), dt.datetime(2025, 1, 3, 10), dt.date(2025, 1, 20), "won", "Москва", "USD"),
        ("p2", D("2000.50"), dt.datetime(2025, 1, 4, 11, 30), None, "open", "Казань", "USD"),
        ("p3", D("7.00"), dt.datetime(2025, 1, 5), dt.date(2025, 1, 6), "lost", None, "EUR"),
    ]


def test_parquet_text_columns_from_pyarrow(fresh_db, tmp_path):
    """A Parquet file of export text (as a converter writes it) is parsed like the CSV it came from."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    tbl = pa.table({
        "ID": ["1", "2", "3"],
        "Бюджет": ["1 234,50", "7000 ₽", "--"],
        "Дата создания": ["03.01.2025 10:15", "2025-01-04T09:00:00+03:00", "05.01.2025"],
        "Город": ["г. Москва", "Тверь", "Питер"],
        "created_ts": pa.array([dt.datetime(2025, 1, 3, 10, 15)] * 3, pa.timestamp("s")),
    })
    path = tmp_path / "deals_text.parquet"
    pq.write_table(tbl, path)
    rep = load(path)
    assert (rep["rows_read"], rep["rows_loaded"], rep["rows_rejected"]) == (3, 3, 0)
    assert query(fresh_db, "select deal_id, amount, created_at, region from deals order by 1") == [
        ("1", D("1234.50"), dt.datetime(2025, 1, 3, 10, 15), "Москва"),
        ("2", D("7000.00"), dt.datetime(2025, 1, 4, 9), "Тверь"),
        ("3", None, dt.datetime(2025, 1, 5), "Санкт-Петербург"),
    ]


def test_oversized_number_fails_its_row_or_cell_not_the_file(fresh_db, tmp_path):
    """Money is DECIMAL(18,2): a larger value must not fail the merge. A deal's amount is optional (the
    deal loads, amount empty, the cell listed); a spend row's cost is what the row is for (rejected)."""
    text = "ID;Бюджет;Дата создания\n1;5;03.01.2025\n2;99999999999999999999;03.01.2025\n"
    rep = load(write(tmp_path, "deals.csv", text.encode()))
    assert (rep["rows_loaded"], rep["rows_rejected"], rep["cells_warned"]) == (2, 0, 1)
    assert rep["cell_warnings"][0]["row"] == 3 and "too large" in rep["cell_warnings"][0]["reason"]
    assert query(fresh_db, "select deal_id, amount from deals order by 1") == [("1", D("5.00")), ("2", None)]
    spend = "date;campaign;cost\n2025-01-03;brand;5\n2025-01-04;brand;99999999999999999999\n"
    rep = load(write(tmp_path, "spend.csv", spend.encode()))
    assert (rep["rows_loaded"], rep["rows_rejected"]) == (1, 1)
    assert "too large" in rep["reject_reasons"][0]["reason"] and rep["reject_reasons"][0]["row"] == 3


# ---------------------------------------------------------------------------------------------
# Unit level: the sniffer's three decisions.

CP1251_SAMPLE = "Продажи\nПериод: 01.01.2025 - 31.01.2025\nДата;Регион;Сумма\n20.01.2025;Москва;150\u00a0000,00\n"


@pytest.mark.parametrize("head, expected", [
    (b"ID,Amount\n1,5\n", "utf-8"),
    ("ID;Бюджет\n1;5\n".encode(), "utf-8"),
    (b"\xef\xbb\xbfID;\xd0\x91\n", "utf-8-sig"),
    (UTF16 + "Campaign\tCost\r\n".encode("utf-16-le"), "utf-16-le-bom"),
    (b"\xfe\xff" + "ID".encode("utf-16-be"), "utf-16-be-bom"),
    ("Campaign\tCost\n".encode("utf-16-le"), "utf-16-le"),
    (CP1251_SAMPLE.encode("cp1251"), "cp1251"),
    ("ID;Бюджет;Дата создания\n1;5;03.01.2025\n".encode("cp1251"), "cp1251"),
    ("Окна ёлки".encode()[:-1], "utf-8"),  # a sample cut inside a multi-byte character
])
def test_detect_encoding(head, expected):
    assert sniff.detect_encoding(head) == expected


@pytest.mark.parametrize("text, expected", [
    ("a;b;c\n1;2;3\n", ";"),
    ("a,b,c\n1,2,3\n", ","),
    ("a\tb\tc\n1\t2\t3\n", "\t"),
    ("ID;Сумма;Дата\n1;1 000,50;03.01.2025\n2;2,5;04.01.2025\n", ";"),     # decimal commas inside ';' cells
    ('Name,Note\n"x;y;z",1\n"p;q",2\n', ","),                              # quoted ';' inside ',' cells
    ("Campaign\tCost\tClicks\nA\t1,234.50\t3\nB\t2,000.00\t4\n", "\t"),   # thousands commas in a TSV
    ('"ID";"Сумма";"Дата";\n"1";"5";"03.01.2025";\n"2";"6";"04.01.2025";\n', ";"),  # Bitrix trailing ';'
    ('"Report (2025-01-01 - 2025-01-31)"\nDate\tCampaign\tCost\n2025-01-01\tA\t5\nTotal rows: 1\n', "\t"),
])
def test_pick_delimiter(text, expected):
    assert sniff.pick_delimiter(text) == expected


@pytest.mark.parametrize("text, delim, expected", [
    ("ID;Бюджет;Дата создания\n1;5;03.01.2025\n", ";", 0),
    ('"Report (2025-01-01 - 2025-01-31)"\nDate\tCampaignName\tCost\n2025-01-01\tA\t5\n', "\t", 1),
    ("Campaign report\nJanuary 2025\nCampaign\tDay\tCost\nA\t2025-01-01\t5\n", "\t", 2),
    (CP1251_SAMPLE, ";", 2),
    ("Продажи\nПериод: 01.01.2025\n\nДата;Регион;Документ продажи;Сумма\n20.01.2025;Москва;Д1;5\n", ";", 3),
    ("foo;bar;baz\n1;2;3\n", ";", 0),                                  # unknown names: first full-width line
    ("Export of 2025-01-31\nfoo;bar;baz\n1;2;3\n4;5;6\n", ";", 1),
])
def test_pick_header(text, delim, expected):
    assert sniff.pick_header(sniff._records(text, delim)) == expected


def test_pick_header_empty_file():
    with pytest.raises(LoadError, match="empty"):
        sniff.pick_header([])
