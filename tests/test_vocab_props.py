"""Lookups are one row per key, and every looked-up value reads the same in any spelling.

Property tests (Hypothesis) feed the vocabularies' values (stages, lead statuses, regions and their
aliases, currencies, channel sources and utm tags) in the variants real exports write: case,
leading/trailing/inner spaces, no-break and narrow no-break spaces, ё/е, quotes, aliases, the same
value in two forms in one file and across files. The ETL runs for real (etl.load.load_files) on
small files written in Bitrix24's, amoCRM's and a generic CRM's shape; the pure normalisation and
the channel rules run on an in-memory DuckDB with the config loaded (etl.build.prepare).
"""
from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl import config
from etl.build import prepare
from etl.errors import LoadError
from etl.load import load_files
from etl.paths import QUERIES_DIR
from etl.sqlfiles import run, run_file
from tests.apptest import sql as query

CHANNEL_MAP = QUERIES_DIR / "warehouse" / "channel_map.sql"
ETL = settings(max_examples=20, deadline=None, database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --------------------------------------------------------------------------------------------
# The vocabularies as data/ holds them: clean text -> canonical value, with the other spellings.

def _groups(pairs_by_text: list[tuple[str, str]], key) -> list[tuple[tuple[str, ...], str]]:
    """(spellings that read as one key, value) from (text, value) config rows."""
    out: dict[str, tuple[list[str], str]] = {}
    for text, value in pairs_by_text:
        out.setdefault(key(text), ([], value))[0].append(text)
    return [(tuple(texts), value) for texts, value in out.values()]


def _rows(name: str) -> list[dict[str, str]]:
    return config.read_csv_rows(config.config_dir() / name)


STAGES = _groups([(r["stage"].strip(), r["status"].strip()) for r in _rows("stages.csv")], config.norm_key)
LEAD_STATUSES = _groups([(r["text"].strip(), r["status"].strip()) for r in _rows("lead_statuses.csv")],
                        config.norm_key)
REGIONS = [((r["region"].strip(), *[a.strip() for a in r["aliases"].split("|") if a.strip()]), r["region"].strip())
           for r in _rows("regions.csv")]
CURRENCIES = [((r["currency"].strip(), *[a.strip() for a in r["aliases"].split("|") if a.strip()]),
               r["currency"].strip()) for r in _rows("currencies.csv")]

# Source names of the standard lists, by system: (name, the channel it must land on).
STANDARD_SOURCES = {
    "GA4 default channel groups": [
        ("Direct", "website"), ("Organic Search", "seo"), ("Paid Search", "paid_search"),
        ("Paid Social", "paid_social"), ("Organic Social", "social"), ("Display", "display"), ("Email", "email"),
        ("Referral", "referral"), ("Affiliates", "referral"), ("Organic Video", "video"), ("Paid Video", "video"),
        ("SMS", "sms"), ("Audio", "paid_other"), ("Mobile Push Notifications", "sms"),
        ("Cross-network", "paid_other"), ("Organic Shopping", "shopping"), ("Paid Shopping", "shopping"),
        ("Paid Other", "paid_other"), ("Direct Traffic", "website"), ("Social", "social"),
        ("Other Advertising", "paid_other"), ("(direct) / (none)", "website"), ("google / organic", "seo"),
        ("google / cpc", "google_ads"), ("yandex / cpc", "yandex_direct")],
    "HubSpot original source": [
        ("ORGANIC_SEARCH", "seo"), ("PAID_SEARCH", "paid_search"), ("PAID_SOCIAL", "paid_social"),
        ("SOCIAL_MEDIA", "social"), ("EMAIL_MARKETING", "email"), ("REFERRALS", "referral"),
        ("DIRECT_TRAFFIC", "website"), ("OFFLINE", "offline"), ("OTHER_CAMPAIGNS", "paid_other"),
        ("AI_REFERRALS", "seo"), ("Organic Search", "seo"), ("Paid Search", "paid_search"),
        ("Paid Social", "paid_social"), ("Social Media", "social"), ("Organic Social", "social"),
        ("Email Marketing", "email"), ("Referrals", "referral"), ("Direct Traffic", "website"),
        ("Offline Sources", "offline"), ("Other Campaigns", "paid_other"), ("AI Referrals", "seo")],
    "Yandex Metrica traffic sources": [
        ("Переходы из поисковых систем", "seo"), ("Прямые заходы", "website"),
        ("Переходы по ссылкам на сайтах", "referral"), ("Переходы по рекламе", "paid_other"),
        ("Переходы из социальных сетей", "social"), ("Внутренние переходы", "website"),
        ("Переходы с почтовых рассылок", "email"), ("Переходы из рекомендательных систем", "social"),
        ("Переходы из мессенджеров", "social"), ("Переходы с сохранённых страниц", "website"),
        ("Переходы по QR-коду", "website"), ("Search engine traffic", "seo"), ("Direct traffic", "website"),
        ("Link traffic", "referral"), ("Ad traffic", "paid_other"), ("Traffic from social networks", "social"),
        ("Internal traffic", "website"), ("Mailing traffic", "email"),
        ("Recommendation system traffic", "social"), ("Messenger traffic", "social"),
        ("Cached page traffic", "website"), ("QR code traffic", "website"),
        ("Органический поиск", "seo"), ("Поисковая реклама", "paid_search"), ("Рекламная система", "paid_other")],
    "Bitrix24 sources": [
        ("Звонок", "direct"), ("Веб-сайт", "website"), ("E-mail", "email"), ("Электронная почта", "email"),
        ("Реклама", "paid_other"), ("Существующий клиент", "direct"), ("По рекомендации", "referral"),
        ("Выставка", "events"), ("CRM-форма", "website"), ("Обратный звонок", "website"),
        ("Онлайн-чат", "website"), ("Торговая точка", "offline"), ("Генератор продаж", "direct"),
        ("Интернет-магазин", "website"), ("WEB", "website"), ("WEBFORM", "website"), ("CALL", "direct"),
        ("CALLBACK", "website"), ("EMAIL", "email"), ("ADVERTISING", "paid_other"),
        ("RECOMMENDATION", "referral"), ("TRADE_SHOW", "events"), ("STORE", "website"),
        ("RC_GENERATOR", "direct")],
    "Roistat channels": [
        ("Яндекс.Директ", "yandex_direct"), ("Google Ads", "google_ads"), ("Органический трафик", "seo"),
        ("Прямые заходы", "website"), ("Прямой заход", "website"), ("Прямые визиты", "website"),
        ("Реферальный трафик", "referral"), ("Социальные сети", "social"), ("ВКонтакте", "vk_ads")],
    "amoCRM sources": [
        ("Сайт", "website"), ("Форма на сайте", "website"), ("Заявка с сайта", "website"),
        ("Чат на сайте", "website"), ("Входящий звонок", "direct"), ("Холодный звонок", "direct"),
        ("Почта", "email"), ("Яндекс", "yandex_direct"), ("Instagram", "meta_ads"), ("Партнёр", "referral"),
        ("Рекомендация", "referral"), ("WhatsApp", "social"), ("Telegram", "social")],
    "Salesforce lead sources": [
        ("Web", "website"), ("Phone Inquiry", "direct"), ("Partner Referral", "referral"),
        ("Purchased List", "direct"), ("Advertisement", "paid_other"), ("Employee Referral", "referral"),
        ("External Referral", "referral"), ("Partner", "referral"), ("Seminar - Internal", "events"),
        ("Seminar - Partner", "events"), ("Trade Show", "events"), ("Word of mouth", "referral")],
}
# A CRM's own "Other" is a person's choice made there: it lands in 'other', on purpose.
CRM_OTHER = ["Другое", "Прочее", "Other"]
# (utm_source, utm_medium) as GA-style tagging writes them -> channel.
STANDARD_TAGS = [
    ("google", "organic", "seo"), ("yandex", "organic", "seo"), ("bing", "organic", "seo"),
    ("bing", "cpc", "paid_search"), (None, "cpc", "paid_search"), (None, "ppc", "paid_search"),
    ("(direct)", "(none)", "website"), ("newsletter", "email", "email"), ("facebook", "social", "social"),
    ("facebook", "paid_social", "meta_ads"), ("linkedin", "paid_social", "paid_social"),
    ("partner", "affiliate", "referral"), ("site.ru", "referral", "referral"), ("youtube", "video", "video"),
    ("sms", "sms", "sms"), ("firebase", "push", "sms"), ("taboola", "display", "display"),
    ("criteo", "cpm", "display"), ("spotify", "audio", "paid_other"), ("criteo", "retargeting", "paid_other"),
    ("chatgpt.com", None, "seo"), ("yandex", "cpc", "yandex_direct"), ("vk", "cpc", "vk_ads"),
    ("mytarget", "cpm", "mytarget"), ("google", "cpc", "google_ads"), ("facebook", "cpc", "meta_ads"),
    ("telegram", None, "social"), ("unisender", "email", "email"),
]
SOURCES = sorted({s for names in STANDARD_SOURCES.values() for s in names})


# Systems whose names also travel as identifiers: GA4's channel groups as snake_case in exports and
# warehouses ('organic_search'), HubSpot's internal values ('ORGANIC_SEARCH') beside their labels.
IDENTIFIER_FORMS = ("GA4 default channel groups", "HubSpot original source")


def forms(name: str, identifiers: bool) -> list[str]:
    """The spellings exports use for one name: as written, lower, UPPER, ё as е, and where the
    system's names travel as identifiers snake_case, spaced and Capitalised forms of Latin words."""
    out = [name, name.lower(), name.upper()]
    if identifiers and all(c.isascii() and (c.isalpha() or c in " _") for c in name):
        words = name.replace("_", " ").split()
        out += ["_".join(words).lower(), " ".join(words).lower(), " ".join(w.capitalize() for w in words),
                "_".join(words).upper()]
    if "ё" in name:
        out.append(name.replace("ё", "е"))
    return list(dict.fromkeys(out))


# --------------------------------------------------------------------------------------------
# Variants as exports write them.

SPACE = st.sampled_from([" ", "  ", "\u00a0", "\u202f", " \u00a0"])
EDGE = st.sampled_from(["", "", " ", "  ", "\u00a0", "\u202f", "\u2009"])


@st.composite
def variant(draw, spellings: tuple[str, ...]) -> str:
    """One of the value's spellings, then case, ё/е, spaces (edges, inner, no-break) and quotes."""
    text = draw(st.sampled_from(spellings))
    text = draw(st.sampled_from([text, text.lower(), text.upper(), text.title(), text.swapcase()]))
    yo = draw(st.sampled_from(["", "ё>е", "е>ё"]))
    if yo:
        a, b = yo.split(">")
        text = text.replace(a, b).replace(a.upper(), b.upper())
    if " " in text:
        text = text.replace(" ", draw(SPACE))
    open_q, close_q = draw(st.sampled_from([("", ""), ("", ""), ('"', '"'), ("«", "»")]))
    return draw(EDGE) + open_q + text + close_q + draw(EDGE)


@contextlib.contextmanager
def fresh_warehouse():
    """PARITY_DB on an empty folder for one Hypothesis example (function fixtures do not reset per example)."""
    old = os.environ.get("PARITY_DB")
    with tempfile.TemporaryDirectory() as folder:
        os.environ["PARITY_DB"] = str(Path(folder) / "warehouse.duckdb")
        try:
            yield Path(folder)
        finally:
            if old is None:
                os.environ.pop("PARITY_DB", None)
            else:
                os.environ["PARITY_DB"] = old


def write_csv(path: Path, header: list[str], rows: list[list[str]], shape: str) -> Path:
    """Bitrix24: BOM, ';', every cell quoted and each line ending with ';'; amoCRM: BOM, ';', quoted
    only where needed; generic: plain ';' UTF-8 (a CRM report re-saved by a spreadsheet)."""
    buf = io.StringIO()
    quoting = csv.QUOTE_ALL if shape == "bitrix24" else csv.QUOTE_MINIMAL
    writer = csv.writer(buf, delimiter=";", quoting=quoting, lineterminator="\r\n" if shape == "bitrix24" else "\n")
    for row in [header, *rows]:
        writer.writerow(row + ([""] if shape == "bitrix24" else []))
    text = buf.getvalue()
    if shape == "bitrix24":  # Bitrix24 ends each line with '";', not with an empty quoted cell
        text = text.replace(';""\r\n', ";\r\n")
    path.write_bytes((b"\xef\xbb\xbf" if shape in ("bitrix24", "amocrm") else b"") + text.encode("utf-8"))
    return path


# One deal: (stage spellings, status), (region spellings, region), (currency spellings, code),
# (source, channel); drawn clean, then written twice in two independent variants.
DEAL = st.tuples(st.sampled_from(STAGES), st.sampled_from(REGIONS), st.sampled_from(CURRENCIES),
                 st.sampled_from(SOURCES))


def deal_rows(draw, specs, shape: str, start: int) -> tuple[list[str], list[list[str]], dict[str, tuple]]:
    """Header and rows of a deals file of `shape`; expected (status, region, currency, channel) per ID."""
    if shape == "bitrix24":
        header = ["ID", "Название сделки", "Стадия сделки", "Сумма", "Валюта", "Ответственный", "Дата создания",
                  "Дата изменения", "Предполагаемая дата закрытия", "Источник", "Город"]
    else:
        header = ["ID", "Название сделки", "Бюджет", "Ответственный", "Дата создания", "Дата закрытия",
                  "Этап сделки", "Воронка", "Город", "Источник", "utm_source", "utm_medium", "utm_campaign"]
    rows, expected = [], {}
    for i, (stage, region, currency, source) in enumerate(specs + specs):  # each clean value in two forms
        deal_id = str(start + i)
        st_text, rg_text = draw(variant(stage[0])), draw(variant(region[0]))
        src_text = draw(variant((source[0],)))
        if shape == "bitrix24":
            cur_text = draw(variant(currency[0]))
            rows.append([deal_id, f"Сделка {deal_id}", st_text, "1000", cur_text, "Анна Смирнова",
                         "03.03.2025 10:00:00", "05.03.2025 12:00:00", "20.03.2025", src_text, rg_text])
            expected[deal_id] = (stage[1], region[1], currency[1], source[1])
        else:  # amoCRM has no currency column: amounts are in the base currency
            rows.append([deal_id, f"Сделка {deal_id}", "1000", "Анна Смирнова", "03.03.2025 10:00:00",
                         "20.03.2025 12:00:00", st_text, "Основная", rg_text, src_text, "", "", ""])
            expected[deal_id] = (stage[1], region[1], "RUB", source[1])
    return header, rows, expected


def assert_deals(db: Path, expected: dict[str, tuple], system: str) -> None:
    got = query(db, "select deal_id, status, region, currency, channel from deals where source_system = $s",
                {"s": system})
    assert len(got) == len(expected)  # no fan-out: one row per deal read
    assert {d: tuple(v) for d, *v in got} == expected


# --------------------------------------------------------------------------------------------
# Python and SQL normalisation agree (pure, in memory, many examples).

@pytest.fixture(scope="module")
def mem() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    prepare(con)
    yield con
    con.close()


TRICKY = st.sampled_from(["\u00a0", "\u202f", "\u2009", "\u2007", "\u3000", "\t", "\r", "\n", "\x0b", "\x0c",
                          "\u0085", "\ufeff", "\u200b", '"', "«", "»", "“", "”", "„", "'", "ё", "Ё", "е", "İ",
                          "г.", "г ", "город ", " г.", " город", "гор.", "Москва", "СПб", "Счёт", " ", "  ", "-",
                          "n/a", "NULL", "--", "_", "/", "."])
TEXTS = st.lists(st.one_of(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12),
                           st.lists(TRICKY, max_size=8).map("".join)), min_size=1, max_size=20)


@settings(max_examples=200, deadline=None, database=None)
@given(TEXTS)
def test_python_and_sql_normalise_alike(mem, texts):
    mem.register("norm_in", pd.DataFrame({"i": range(len(texts)), "t": pd.Series(texts, dtype="string")}))
    got = mem.execute("select norm_key(t), region_key(t) from norm_in order by i").fetchall()
    assert got == [(config.norm_key(t), config.region_key(t)) for t in texts]


@pytest.mark.parametrize("text, key, region", [
    ("  Счёт\u00a0на  предоплату\u202f", "счет на предоплату", "счет на предоплату"),
    ("\tСЧЁТ на ПРЕДОПЛАТУ\r", "счет на предоплату", "счет на предоплату"),
    ('«Сделка успешна»', "сделка успешна", "сделка успешна"),
    ('"г. Москва"', "г. москва", "москва"), ("город  Москва ", "город москва", "москва"),
    ("Москва г.", "москва г.", "москва"), ("г.Москва", "г.москва", "москва"), ("Нижний Новгород", "нижний новгород",
                                                                              "нижний новгород"),
    ("\ufeffRUB", "rub", "rub"), ("n/a", None, None), (" - ", None, None),
])
def test_normal_form_by_hand(mem, text, key, region):
    assert (config.norm_key(text), config.region_key(text)) == (key, region)
    assert mem.execute("select norm_key($t), region_key($t)", {"t": text}).fetchall() == [(key, region)]


# --------------------------------------------------------------------------------------------
# Standard channel names land on their channel, in every form (channel_map.sql, in memory).

def map_channels(con, tuples: list[tuple]) -> dict[tuple, str]:
    """(channel, utm_source, utm_medium, source) -> channel, through queries/warehouse/channel_map.sql."""
    frame = pd.DataFrame(tuples, columns=["ch_channel", "ch_utm_source", "ch_utm_medium", "ch_source"]).astype("string")
    con.register("chan_rows", frame)
    run(con, "create or replace temp view chan_in as select * from chan_rows")
    run_file(con, CHANNEL_MAP)
    rows = con.execute("select ch_channel, ch_utm_source, ch_utm_medium, ch_source, channel from chan_map").fetchall()
    return {tuple(r[:4]): r[4] for r in rows}


@pytest.mark.parametrize("system", list(STANDARD_SOURCES))
def test_standard_source_names_land_on_their_channel(mem, system):
    cases = [(form, want) for name, want in STANDARD_SOURCES[system]
             for form in forms(name, system in IDENTIFIER_FORMS)]
    # as a CRM's source column, and as an export's channel column when there is no source
    as_source = map_channels(mem, [(None, None, None, form) for form, _ in cases])
    as_column = map_channels(mem, [(form, None, None, None) for form, _ in cases if form.lower() != "direct"])
    wrong = {form: got for form, want in cases
             for got in [as_source[(None, None, None, form)], as_column.get((form, None, None, None), want)]
             if got != want}
    assert not wrong, f"{system}: {wrong}"
    assert not {c for _, c in cases} & {"other", "unknown"}


def test_channel_column_direct_is_sales_and_source_direct_is_website(mem):
    """'direct' in a channel column is Parity's canonical name (sales' own, as the demo's touchpoints
    write it); the same word in a source column is web analytics' direct traffic (the website)."""
    got = map_channels(mem, [("direct", None, None, None), (None, None, None, "Direct"),
                             (None, None, None, "Прямые продажи"), (None, None, None, "Прямые заходы")])
    assert got == {("direct", None, None, None): "direct", (None, None, None, "Direct"): "website",
                   (None, None, None, "Прямые продажи"): "direct", (None, None, None, "Прямые заходы"): "website"}


def test_standard_utm_tags_land_on_their_channel(mem):
    got = map_channels(mem, [(None, s, m, None) for s, m, _ in STANDARD_TAGS])
    wrong = {(s, m): got[(None, s, m, None)] for s, m, want in STANDARD_TAGS if got[(None, s, m, None)] != want}
    assert not wrong


def test_crm_other_is_other_and_unknown_text_is_unknown(mem):
    """No catch-all: a text no rule names stays 'unknown' (to be listed), a CRM's 'Другое' is 'other'."""
    texts = [*CRM_OTHER, "Unassigned", "(not set)", "Не определено", "Листовка у метро", "bing"]
    got = map_channels(mem, [(None, None, None, t) for t in texts] + [(None, "bing-ish", None, None)])
    assert [got[(None, None, None, t)] for t in texts] == ["other"] * 3 + ["unknown"] * 5
    assert got[(None, "bing-ish", None, None)] == "unknown"


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(st.sampled_from(SOURCES).flatmap(lambda s: variant((s[0],)).map(lambda v: (v, s[1]))),
                min_size=1, max_size=30))
def test_source_variants_map_as_their_clean_form(mem, pairs):
    got = map_channels(mem, [(None, None, None, v) for v, _ in pairs])
    assert {v: got[(None, None, None, v)] for v, _ in pairs} == dict(pairs)


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(st.sampled_from(STANDARD_TAGS).flatmap(
    lambda t: st.tuples(variant((t[0],)) if t[0] else st.none(), variant((t[1],)) if t[1] else st.none(),
                        st.just(t[2]))), min_size=1, max_size=20))
def test_utm_variants_map_as_their_clean_form(mem, tags):
    got = map_channels(mem, [(None, s, m, None) for s, m, _ in tags])
    assert [got[(None, s, m, None)] for s, m, _ in tags] == [want for _, _, want in tags]


# --------------------------------------------------------------------------------------------
# Through the real ETL: no fan-out, and each variant lands where its clean form does.

@ETL
@given(st.data(), st.lists(DEAL, min_size=2, max_size=6))
def test_bitrix24_deals_in_variants_load_once_each(data, specs):
    with fresh_warehouse() as folder:
        header, rows, expected = deal_rows(data.draw, specs, "bitrix24", 1)
        path = write_csv(folder / "deals.csv", header, rows, "bitrix24")
        result = load_files([path], progress=False)
        assert result["ok"], result
        assert result["files"][0]["rows_loaded"] == len(rows)
        assert_deals(folder / "warehouse.duckdb", expected, "bitrix24")


@settings(ETL, max_examples=12)
@given(st.data(), st.lists(DEAL, min_size=2, max_size=5))
def test_the_same_values_across_two_exports_map_alike(data, specs):
    """A Bitrix24 and an amoCRM export name the same stages, cities and sources in their own forms."""
    with fresh_warehouse() as folder:
        h1, r1, e1 = deal_rows(data.draw, specs, "bitrix24", 1)
        h2, r2, e2 = deal_rows(data.draw, specs, "amocrm", 1)
        paths = [write_csv(folder / "b24.csv", h1, r1, "bitrix24"), write_csv(folder / "amo.csv", h2, r2, "amocrm")]
        result = load_files(paths, progress=False)
        assert result["ok"], result
        assert query(folder / "warehouse.duckdb", "select count(*) from deals") == [(len(r1) + len(r2),)]
        assert_deals(folder / "warehouse.duckdb", e1, "bitrix24")
        assert_deals(folder / "warehouse.duckdb", e2, "amocrm")


LEAD = st.tuples(st.sampled_from(LEAD_STATUSES), st.sampled_from(REGIONS),
                 st.one_of(st.sampled_from(SOURCES).map(lambda s: ((s[0], None, None), s[1])),
                           st.sampled_from(STANDARD_TAGS).map(lambda t: ((None, t[0], t[1]), t[2]))))


@settings(ETL, max_examples=15)
@given(st.data(), st.lists(LEAD, min_size=2, max_size=6))
def test_leads_in_variants_load_once_each(data, specs):
    with fresh_warehouse() as folder:
        header = ["ID лида", "Дата создания", "Город", "Источник", "utm_source", "utm_medium", "utm_campaign", "Статус"]
        rows, expected = [], {}
        for i, (status, region, ((src, utm_s, utm_m), channel)) in enumerate(specs + specs):
            lead_id = f"L{i}"
            cells = [data.draw(variant((t,))) if t else "" for t in (src, utm_s, utm_m)]
            rows.append([lead_id, "02.01.2025 09:00:00", data.draw(variant(region[0])), *cells, "",
                         data.draw(variant(status[0]))])
            expected[lead_id] = (status[1], region[1], channel)
        path = write_csv(folder / "leads.csv", header, rows, "generic")
        result = load_files([path], progress=False)
        assert result["ok"], result
        got = query(folder / "warehouse.duckdb", "select lead_id, status, region, channel from leads")
        assert len(got) == len(rows)
        assert {i: tuple(v) for i, *v in got} == expected


def test_bitrix24_deal_in_prepayment_stage_with_a_spaced_city_loads_once(fresh_db, tmp_path):
    """The held-out case: 'Счёт на предоплату' (data/stages.csv also writes 'Счет на предоплату') and
    a city with a trailing space or no-break space; each deal is one row, the checks pass."""
    header = ["ID", "Название сделки", "Стадия сделки", "Сумма", "Валюта", "Ответственный", "Дата создания",
              "Дата изменения", "Предполагаемая дата закрытия", "Источник", "Город"]
    rows = [["1", "Окна", "Счёт на предоплату", "1000", "Российский рубль", "Анна", "03.03.2025 10:00:00",
             "04.03.2025 10:00:00", "20.03.2025", "Реклама", "Москва "],
            ["2", "Двери", "Счет на предоплату", "2000", "Российский рубль", "Анна", "03.03.2025 10:00:00",
             "04.03.2025 10:00:00", "20.03.2025", "Веб-сайт", "Москва\u00a0"],
            ["3", "Кухня", "Финальный счёт", "3000", "Российский рубль", "Анна", "03.03.2025 10:00:00",
             "04.03.2025 10:00:00", "20.03.2025", "Звонок", " г. Москва"],
            ["4", "Шкаф", "Сделка успешна", "4000", "Российский рубль", "Анна", "03.03.2025 10:00:00",
             "05.03.2025 10:00:00", "05.03.2025", "Звонок", "Москва"]]
    result = load_files([write_csv(tmp_path / "deals.csv", header, rows, "bitrix24")], progress=False)
    assert result["ok"], result
    assert query(fresh_db, "select deal_id, status, region, currency, channel, amount::double from deals "
                           "order by deal_id") == [
        ("1", "open", "Москва", "RUB", "paid_other", 1000.0), ("2", "open", "Москва", "RUB", "website", 2000.0),
        ("3", "open", "Москва", "RUB", "direct", 3000.0), ("4", "won", "Москва", "RUB", "direct", 4000.0)]


# --------------------------------------------------------------------------------------------
# Lookups one row per key: in the config (Python) and by construction in SQL.

def test_stage_spellings_that_read_alike_collapse():
    stages = dict(config.vocabulary("stages.csv"))
    assert stages["счет на предоплату"] == "open" and stages["финальный счет"] == "open"


def _line_of(path: Path, text: str) -> int:
    return next(i for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if ln.startswith(text))


@pytest.mark.parametrize("name, line, loader, first", [
    ("stages.csv", "  СДЕЛКА  УСПЕШНА ,lost", lambda: config.vocabulary("stages.csv"), "Сделка успешна,"),
    ("lead_statuses.csv", "«Спам»,qualified", lambda: config.vocabulary("lead_statuses.csv"), "Спам,"),
    ("currencies.csv", "EUR2,$", config.currency_rows, "USD,"),
    ("regions.csv", "Тверь,Центральный,Питер", config.region_alias_rows, "Санкт-Петербург,"),
    ("vocab.csv", "owner,Отдел  Продаж,marketing", lambda: config.vocab("owner"), "owner,отдел продаж,"),
])
def test_one_key_with_two_values_is_a_config_error_naming_both_lines(config_copy, name, line, loader, first):
    path = config_copy / name
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + line + "\n", encoding="utf-8")
    last = len(path.read_text(encoding="utf-8").splitlines())
    with pytest.raises(LoadError) as err:
        loader()
    msg = str(err.value)
    assert "\n" not in msg and str(path) in msg
    assert f"line {_line_of(path, first)} " in msg and f"line {last} " in msg


def test_the_same_pair_twice_collapses(config_copy):
    path = config_copy / "stages.csv"
    path.write_text(path.read_text(encoding="utf-8") + " «СДЕЛКА\u00a0УСПЁШНА» ,won\n", encoding="utf-8")
    stages = config.vocabulary("stages.csv")
    assert [s for k, s in stages if k == "сделка успешна"] == ["won"]


@pytest.mark.parametrize("name, line, loader", [
    ("channels.csv", "seo,marketing,SEO again,SEO again", config.channels),
    ("regions.csv", "Москва,Центральный,Мск2", config.regions),
    ("channel_rules.csv", "10,source,^x$,seo,a second rule 10", config.channel_rules),
])
def test_a_name_or_priority_twice_is_a_config_error(config_copy, name, line, loader):
    path = config_copy / name
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    with pytest.raises(LoadError, match=name):
        loader()


def test_sql_lookups_stay_one_row_per_value_whatever_the_config_holds():
    """Even with duplicate keys in the cfg tables, each lookup is one row per raw text and the deal
    merge keeps one row per deal: the group by in the lookups, not the config, guarantees it."""
    con = duckdb.connect()
    prepare(con)
    for table, row in (("cfg_stages", "('счет на предоплату', 'open')"), ("cfg_stages", "('сделка успешна', 'lost')"),
                       ("cfg_region_alias", "('москва', 'Мск')"), ("cfg_currencies", "('rub', 'RUR')"),
                       ("cfg_channel_rules", "(1000, 'source', 'реклам', 'paid_other')")):
        run(con, f"insert into {table} values {row}")
    run(con, """create temp table good as
        select rn, deal_id, title, stage, status, amount, currency, region, source,
               timestamp '2025-03-03 10:00' as created_at, null::timestamp as closed_at,
               null::varchar as product, null::varchar as manager, null::varchar as channel,
               null::varchar as utm_source, null::varchar as utm_medium, null::varchar as utm_campaign,
               null::varchar as lead_id, null::varchar as lost_reason
        from (values (1, '1', 'Окна', 'Счёт на предоплату', null, 1000.0, 'Российский рубль', 'Москва', 'Реклама'),
                     (2, '2', 'Двери', 'Сделка успешна', 'won', 2000.0, 'RUB', 'г. Москва', 'Звонок'))
             t(rn, deal_id, title, stage, status, amount, currency, region, source)""")
    for lookup in ("lookups_region.sql", "lookups_currency.sql"):
        run_file(con, QUERIES_DIR / "warehouse" / lookup)
    run(con, "create temp view chan_in as select channel as ch_channel, utm_source as ch_utm_source, "
             "utm_medium as ch_utm_medium, source as ch_source from good")
    run_file(con, CHANNEL_MAP)
    run_file(con, QUERIES_DIR / "warehouse" / "merge_deals.sql",
             {"load_id": 1, "source_system": "bitrix24", "currency": "RUB", "sum_lines": False})
    for table, raws in (("lk_region", 2), ("lk_currency", 2), ("lk_status", 3)):  # lk_status: 2 stages, 1 status
        assert con.execute(f"select count(*), count(distinct raw) from {table}").fetchall() == [(raws, raws)], table
    assert con.execute("select count(*) from chan_map").fetchall() == [(2,)]
    assert con.execute("select deal_id, status, region, currency, channel from deals order by 1").fetchall() == [
        ("1", "open", "Москва", "RUB", "paid_other"), ("2", "won", "Москва", "RUB", "direct")]
    con.close()
