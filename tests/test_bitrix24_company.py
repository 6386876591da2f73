"""A Bitrix24 company as its head of sales reads it (tests/data/bitrix24_company, August-November 2026).

The files are as Bitrix24 and the ad platforms write them: the deal list CSV (BOM, ';', every cell quoted,
each line ending in ';', one line per product of a deal with `Сумма` = price x quantity, written by PHP as
`25501.5`), the later "Excel" export (an HTML table saved as .xls) in which deals closed since are exported
again, currencies by name, a city user field spelt several ways («г. Москва», «МОСКВА », «Moscow», «Екб»),
custom open stages, the lead list with Bitrix24's default statuses, Yandex Direct (micros) and VK Ads
spend. Each goes through the real load path into a DuckDB file, and the pages' figures are checked
against pandas reading the same files, converted at data/fx_rates.csv's rates (USD 90, EUR 98).
"""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from etl.load import load_files
from tests.apptest import load_company, run_app, sql, sql_one
from ui.i18n import t

DATA = Path(__file__).resolve().parent / "data" / "bitrix24_company"
FILES = sorted(DATA.iterdir())           # the CSV export (Oct 31) before the .xls one (Nov 30): the later wins
PERIOD = {"period": "custom", "from": "2026-08-01", "to": "2026-11-30"}
FX = {"Российский рубль": ("RUB", 1.0), "Доллар США": ("USD", 90.0), "Евро": ("EUR", 98.0)}
CITY = {"г. москва": "Москва", "москва": "Москва", "moscow": "Москва", "санкт-петербург": "Санкт-Петербург",
        "спб": "Санкт-Петербург", "г. санкт-петербург": "Санкт-Петербург", "казань": "Казань",
        "г. казань": "Казань", "екатеринбург": "Екатеринбург", "екб": "Екатеринбург",
        "новосибирск": "Новосибирск", "краснодар": "Краснодар"}
WON, LOST = {"Сделка успешна"}, {"Сделка провалена", "Анализ причины провала"}


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    """The company's files loaded by etl.load.load_files, in the order they were exported."""
    return load_company(tmp_path_factory.mktemp("bitrix24_company"), FILES)


@pytest.fixture
def db(company, monkeypatch) -> Path:
    monkeypatch.setenv("PARITY_DB", str(company[0]))
    return company[0]


def export_lines(path: Path) -> pd.DataFrame:
    """One export's lines as pandas reads them: the CSV by its own conventions, the .xls as the HTML it is."""
    if path.suffix == ".xls":
        lines = pd.read_html(io.StringIO(path.read_text(encoding="utf-8")), header=0)[0]
        lines = lines.astype(str).replace("nan", "")
    else:   # the trailing ';' makes one empty last column
        lines = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False).iloc[:, :-1]
    return lines.assign(line=range(len(lines)))


def deals() -> pd.DataFrame:
    """One row per deal from the exports: its amount the sum of its product lines, the latest export's."""
    frames = [export_lines(p).assign(export=i) for i, p in enumerate(sorted(DATA.glob("deal_*")))]
    lines = pd.concat(frames, ignore_index=True)
    lines = lines[lines.export == lines.groupby("ID").export.transform("max")]
    lines = lines.assign(amount=lines["Сумма"].str.replace(",", ".").astype(float))
    d = lines.groupby("ID").agg(stage=("Стадия сделки", "last"), currency=("Валюта", "last"),
                                city=("Город", "last"), closed=("Предполагаемая дата закрытия", "last"),
                                amount=("amount", "sum"))
    city = d.city.str.strip()
    d["region"] = city.str.lower().map(CITY).fillna(city).replace("", "(none)")
    d["status"] = ["won" if s in WON else "lost" if s in LOST else "open" for s in d.stage]
    d["closed"] = pd.to_datetime(d.closed, format="%d.%m.%Y").where(d.status != "open")
    d["code"] = d.currency.map(lambda c: FX[c][0])
    d["rub"] = d.amount * d.currency.map(lambda c: FX[c][1])
    return d


def leads() -> pd.DataFrame:
    return export_lines(DATA / "lead_2026-11-30.csv")


def test_each_export_is_read_as_what_it_is(company):
    """The lead list has `ID`, `Дата создания` and `Сумма`, a deal file's required columns: it loaded as 70
    deals of amount 0 beside the real ones, and no lead reached the funnel."""
    path, files = company
    read = {name: (f["format"], f["entity"]) for name, f in files.items()}
    assert read == {"deal_2026-10-31.csv": ("bitrix24", "deals"), "deal_2026-11-30.xls": ("bitrix24", "deals"),
                    "lead_2026-11-30.csv": ("bitrix24_leads", "leads"),
                    "direct_2026-11-01_2026-11-30.tsv": ("yandex_direct", "ad_spend"),
                    "vk_ads_2026-11.csv": ("vk_ads", "ad_spend")}
    assert sql_one(path, "select count(*) from deals") == len(deals())
    assert sql(path, "select source_system, count(*) from leads group by all") == [("bitrix24", len(leads()))]


def test_a_product_added_twice_is_two_lines_of_its_deal(company, tmp_path, monkeypatch):
    """Deal 2001 holds «Пусконаладка» twice at 35 000 x 1: two identical lines one under the other. They were
    taken for a line exported twice and counted once, so the deal lost 35 000 and Moscow's revenue with it.
    The same export pasted twice is still one export: its lines then repeat another run of the deal's."""
    path, files = company
    assert sql_one(path, "select amount from deals where deal_id = '2001'") == pytest.approx(95501.50)
    assert deals().at["2001", "amount"] == pytest.approx(95501.50)
    assert files["deal_2026-10-31.csv"]["rows_duplicate"] == 0

    text = (DATA / "deal_2026-10-31.csv").read_text(encoding="utf-8-sig")
    header, body = text.split("\n", 1)
    twice = tmp_path / "deal_2026-10-31_twice.csv"
    twice.write_text("\ufeff" + header + "\n" + body + body, encoding="utf-8")
    monkeypatch.setenv("PARITY_DB", str(tmp_path / "warehouse.duckdb"))
    [rep] = load_files([twice], progress=False)["files"]
    assert rep["rows_duplicate"] == body.count("\n")
    got = dict(sql(tmp_path / "warehouse.duckdb", "select deal_id, amount from deals"))
    assert float(got["2001"]) == pytest.approx(95501.50)
    lines = export_lines(DATA / "deal_2026-10-31.csv")
    once = lines["Сумма"].str.replace(",", ".").astype(float).groupby(lines["ID"]).sum()
    assert {k: float(v) for k, v in got.items()} == pytest.approx(once.to_dict())


def test_regions_table_equals_pandas(db):
    """Revenue won by region (closed in the period, converted at the file's rates), deals won, average
    deal, win rate, open pipeline and leads: the Regions page's row of each region against pandas."""
    d = deals()
    won = d[(d.status == "won") & d.closed.between("2026-08-01", "2026-11-30")]
    closed = d[(d.status != "open") & d.closed.between("2026-08-01", "2026-11-30")]
    expected = pd.DataFrame({"revenue": won.groupby("region").rub.sum(), "deals_won": won.groupby("region").size(),
                             "closed": closed.groupby("region").size(),
                             "open_pipeline": d[d.status == "open"].groupby("region").rub.sum()}).fillna(0)
    lead_cities = leads()["Город"].str.strip()
    expected["leads"] = lead_cities.str.lower().map(CITY).fillna(lead_cities).value_counts()
    expected = expected.fillna(0)
    at = run_app("regions", "ru", **PERIOD)
    table = at.dataframe[0].value.set_index("region").rename(index={t("value.none", "ru"): "(none)"})
    assert sorted(table.index) == sorted(expected.index)
    for region, e in expected.iterrows():
        row = table.loc[region]
        assert float(row.revenue) == pytest.approx(e.revenue), region
        assert row.deals_won == e.deals_won, region
        assert float(row.open_pipeline) == pytest.approx(e.open_pipeline), region
        assert row.leads == e.leads, region
        if e.deals_won:
            assert float(row.avg_deal) == pytest.approx(e.revenue / e.deals_won), region
            assert float(row.win_rate) == pytest.approx(e.deals_won / e.closed), region
    assert float(table.loc["Москва", "revenue"]) == pytest.approx(won[won.region == "Москва"].rub.sum())


def test_overview_revenue_per_currency_equals_pandas(db):
    d = deals()
    won = d[(d.status == "won") & d.closed.between("2026-08-01", "2026-11-30")]
    at = run_app("overview", "ru", **PERIOD)
    shown = at.dataframe[0].value.set_index("currency")
    for code, amount in won.groupby("code").amount.sum().items():
        assert float(shown.at[code, "revenue"]) == pytest.approx(amount), code   # a number under the table's format
        assert shown.at[code, "deals_won"] == (won.code == code).sum(), code


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_lead_quality_by_source_reads_bitrix24_statuses(db, lang):
    """Bitrix24's default lead statuses («Не обработан», «Обработан», «Качественный лид», «Некачественный
    лид») were unrecognised and read as new: every source's qualified share was 0 %."""
    assert not sql(db, "select * from dq_unrecognised where dimension = 'lead_status'")
    lf = leads()
    paid = lf["Рекламная система"].map({"yandex": "yandex_direct", "vk": "vk_ads"})
    own = lf["Источник"].map({"Веб-сайт": "website", "CRM-форма": "website", "Звонок": "direct",
                             "Существующий клиент": "direct", "По рекомендации": "referral", "Выставка": "events",
                             "Электронная почта": "email"})
    lf = lf.assign(channel=paid.fillna(own).fillna("unknown"), qualified=lf["Статус"] == "Качественный лид")
    labels = dict(sql(db, f"select channel, label_{lang} from cfg_channels"))
    at = run_app("funnel", lang, **PERIOD)
    quality = next(df.value for df in at.dataframe if "qualified_share" in df.value.columns).set_index("label")
    for channel, g in lf.groupby("channel"):
        label = labels.get(channel, channel)
        assert quality.at[label, "leads"] == len(g), channel
        assert float(quality.at[label, "qualified_share"]) == pytest.approx(g.qualified.mean()), channel
    assert sql(db, "select status, count(*) from leads group by all order by 1") == sorted(
        lf["Статус"].map({"Не обработан": "new", "В работе": "in_progress", "Обработан": "in_progress",
                          "Качественный лид": "converted", "Некачественный лид": "junk"}).value_counts().items())


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_data_page_lists_campaigns_in_the_readers_language(db, lang):
    """The list of campaigns without a region or channel showed its codes: source «deals», missing «no ad
    export» / «region, channel», whatever the reader's language."""
    from tests.apptest import open_tab
    at = open_tab(run_app("data", lang, **PERIOD), "data", "quality")
    campaigns = next(df.value for df in at.dataframe if "missing" in df.value.columns)
    assert set(campaigns.source) == {t("source.deals", lang)}
    assert set(campaigns.missing) == {t("data.dq.missing.no_ad_export", lang)}
    codes = {"deals", "ad_spend", "no ad export", "region", "channel", "region, channel"}
    assert not codes & {*campaigns.source, *campaigns.missing}


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_first_contact_unknown_is_not_a_miss(db, lang):
    """Bitrix24's lead list has no first-contact column: whether a lead was contacted in time is unknown. The
    Funnel and the Regions page's managers read «✗ 0 %» on time for every manager and month (a lead «nobody
    contacted»); it is «—», nothing to judge, and no SLA alert names a manager for it."""
    at = run_app("funnel", lang, **PERIOD)
    sla = next(df.value for df in at.dataframe if "mean_hours" in df.value.columns)
    assert set(sla.manager) == set(export_lines(DATA / "lead_2026-11-30.csv")["Ответственный"])
    assert sla.share.isna().all(), sla          # a number column: unknown is empty, shown «—»
    card = next(df.value for df in at.dataframe if "sla_share" in df.value.columns)
    assert card.sla_share.isna().all(), card
    at = run_app("regions", lang, **PERIOD, region="Москва")
    managers = next(df.value for df in at.dataframe if "within_sla_share" in df.value.columns)
    assert managers.within_sla_share.isna().all(), managers
    assert not sql(db, "select * from alerts where rule = 'sla_breach'")
    assert not sql(db, "select * from alert_missed_contacts")


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_lead_to_won_unknown_without_a_link_from_deal_to_lead(db, lang):
    """Bitrix24's deal exports have no lead id column: no deal names a lead, so what the period's leads won is
    unknown. The Funnel read «Выиграно 0», «Сделка → выигрыш 0 %» and «Лид → выигрыш 0 %» for every source
    though deals were won; those figures are «—» (empty number cells), and a line says why."""
    for path in (DATA / "deal_2026-10-31.csv", DATA / "deal_2026-11-30.xls"):
        assert not [c for c in export_lines(path).columns if "лид" in c.lower()], path
    lines = pd.concat([export_lines(DATA / "deal_2026-10-31.csv"), export_lines(DATA / "deal_2026-11-30.xls")])
    assert lines[lines["Стадия сделки"].isin(WON)]["ID"].nunique() > 0     # deals were won all the same
    at = run_app("funnel", lang, **PERIOD)
    funnel = next(df.value for df in at.dataframe if "lead_to_won" in df.value.columns)
    assert funnel.leads.sum() > 0
    for col in ("won_leads", "to_won", "lead_to_won"):
        assert funnel[col].isna().all(), (col, funnel[col])
    quality = next(df.value for df in at.dataframe if "win_rate" in df.value.columns)
    assert quality.win_rate.isna().all() and quality.revenue.isna().all(), quality
    assert t("funnel.no_link", lang) in [c.value for c in at.caption]
