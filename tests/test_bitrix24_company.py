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
from tests.apptest import run_app, sql, sql_one

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
    folder = tmp_path_factory.mktemp("bitrix24_company")
    mp = pytest.MonkeyPatch()
    mp.setenv("PARITY_DB", str(folder / "warehouse.duckdb"))
    try:
        result = load_files(FILES, progress=False)
    finally:
        mp.undo()
    assert result["ok"], result
    return folder / "warehouse.duckdb", {Path(f["file"]).name: f for f in result["files"]}


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
