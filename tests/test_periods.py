"""Period reports: a traffic or ad-spend report without a date column takes its period from its title
lines, else its file name, else the user (--period, the upload form); spend is spread over the days
with exact totals; a report whose period cannot be found fails whole, in one line."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest

from etl.__main__ import main
from etl.load import load_files, rebuild
from etl.periods import find

# A Yandex Metrica UTM report as the UI exports it: UTF-8 with BOM, row 2 the totals row
# `Итого и средние`, `Не определено` for an empty dimension, no date dimension.
METRICA = ("\ufeffUTM Source,UTM Campaign,Визиты,Посетители,Отказы,Глубина просмотра,Время на сайте\n"
           "Итого и средние,,470,390,0.21,2.2,0:01:40\n"
           "yandex,msk_search_brand,200,150,0.1,2.5,0:02:10\n"
           "Не определено,Не определено,150,140,0.3,1.8,0:00:55\n"
           "vk,spb_vk_retarget,120,100,0.25,1.9,0:01:05\n").encode("utf-8")
METRICA_ROWS = {("yandex", "msk_search_brand"): (200, 150), (None, None): (150, 140),
                ("vk", "spb_vk_retarget"): (120, 100)}

# A Google Ads campaign report ("Excel .csv"): UTF-16LE with BOM, tab-separated, report name and date
# range above the header, thousands commas, totals rows at the bottom, and no Day column.
GOOGLE = ("Campaign performance report\n"
          "March 1, 2025 - March 10, 2025\n"
          "Campaign status\tCampaign\tCampaign ID\tCurrency code\tImpr.\tClicks\tCost\tConv. rate\n"
          "Enabled\tBrand Search\t123456789\tUSD\t64,518\t3,429\t3,429.21\t5.11%\n"
          "Paused\tDisplay Retarget\t987654321\tUSD\t1,005\t7\t1,000.00\t--\n"
          "--\tTotal: Account\t--\tUSD\t65,523\t3,436\t4,429.21\t--\n").encode("utf-16")

# VK Ads statistics by campaign over a period: Russian headers, comma decimals, `Итого` at the end.
VK = ("\ufeffID кампании;Кампания;Показы;Клики;Потрачено, ₽;Цели\n"
      "9001;spb_vk_retarget;1 500;30;2 999,50;2\n"
      "9002;msk_vk_brand;700;11;1 000,01;0\n"
      "Итого;;2 200;41;3 999,51;2\n").encode("utf-8")


def query(db: Path, sql: str, params: dict | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params).fetchall() if params else con.execute(sql).fetchall()
    finally:
        con.close()


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def days(start: str, n: int) -> list[dt.date]:
    first = dt.date.fromisoformat(start)
    return [first + dt.timedelta(days=k) for k in range(n)]


def spread(total: str, n: int) -> list[D]:
    """By hand: an equal share in whole cents, rounded down, and the remainder on the last day."""
    cents = int(D(total) * 100)
    share = cents // n
    return [D(share) / 100] * (n - 1) + [D(cents - share * (n - 1)) / 100]


# ---------------------------------------------------------------------------------------------
# The forms a period is written in

@pytest.mark.parametrize("text, expected", [
    ("utm_2026-03-01_2026-03-10", ("2026-03-01", "2026-03-10")),
    ("Отчет_01.03.2026-10.03.2026", ("2026-03-01", "2026-03-10")),
    ("report_20260301_20260310", ("2026-03-01", "2026-03-10")),
    ("Sources_20260301-20260310 (1)", ("2026-03-01", "2026-03-10")),
    ("costs 2026.03.01-2026.03.10", ("2026-03-01", "2026-03-10")),
    ("Маркетинг 2026-03-01..2026-03-10", ("2026-03-01", "2026-03-10")),
    ("March 1, 2025 - March 10, 2025", ("2025-03-01", "2025-03-10")),
    ("1 Mar 2025 - 10 Mar 2025", ("2025-03-01", "2025-03-10")),
    ("Mar 1 - 31, 2025", ("2025-03-01", "2025-03-31")),
    ("Период: 1 марта 2026 г. — 10 марта 2026 г.", ("2026-03-01", "2026-03-10")),
    ("Источники, сводка 1–10 марта 2026", ("2026-03-01", "2026-03-10")),
    ('"Campaign stats (2025-03-01 - 2025-03-31)"', ("2025-03-01", "2025-03-31")),
    ("spend_2026-03", ("2026-03-01", "2026-03-31")),                 # a whole month
    ("Отчет март 2026", ("2026-03-01", "2026-03-31")),
    ("February_2024", ("2024-02-01", "2024-02-29")),
    ("traffic 2026-01_2026-03", ("2026-01-01", "2026-03-31")),        # months between two months
    ("report_2026-03-05", None),                                      # one day is when it was saved
    ("export 1712345678", None),
    ("utm_03/01/2026-03/10/2026", None),                              # slash dates: order unknown
    ("2026-02-30_2026-03-10", None),                                  # no such day: one date left
    ("utm", None),
])
def test_period_forms(text, expected):
    found = find(text)
    assert (tuple(d.isoformat() for d in found) if found else None) == expected


# ---------------------------------------------------------------------------------------------
# From the title lines

def test_google_ads_report_without_day_takes_the_title_period(fresh_db, tmp_path):
    rep = load_files([write(tmp_path, "Campaign report.csv", GOOGLE)], progress=False)["files"][0]
    assert (rep["format"], rep["entity"], rep["rows_read"], rep["rows_loaded"], rep["rows_skipped"]) == (
        "google_ads", "ad_spend", 2, 2, 1)
    assert rep["period"] == ["2025-03-01", "2025-03-10"] and rep["rows_spread"] == 18
    assert rep["rows_inserted"] == 20 and rep["rows_merged"] == 0
    assert any("from the title" in n and "spread evenly" in n for n in rep["notes"])
    # the Data page says it in the reader's language (it was kept only in the loads table)
    from ui.upload import note_lines
    said = ("В файле нет колонки с датой: период 01.03.2025 — 10.03.2025 (10 дней) взят из заголовка отчёта. "
            "Расход, показы и клики каждой строки распределены поровну по дням периода.")
    assert note_lines(rep, "ru") == [said]
    assert note_lines(rep, "en")[0].startswith("The file has no date column: the period ")
    # totals equal the file's: 3,429.21 + 1,000.00 = 4,429.21 USD, 64,518 + 1,005 impressions, 3,429 + 7 clicks
    assert query(fresh_db, "select sum(cost), sum(impressions), sum(clicks), min(date), max(date), count(*) "
                           "from ad_spend") == [(D("4429.21"), 65523, 3436, dt.date(2025, 3, 1),
                                                 dt.date(2025, 3, 10), 20)]
    brand = query(fresh_db, "select date, cost, impressions, clicks, currency from ad_spend "
                            "where campaign = 'brand search' order by date")
    assert [r[0] for r in brand] == days("2025-03-01", 10)
    assert [r[1] for r in brand] == spread("3429.21", 10)              # 342.92 x 9, then 342.93
    assert [r[2] for r in brand] == [6451] * 9 + [6459]                # 64,518 = 6,451 x 9 + 6,459
    assert [r[3] for r in brand] == [342] * 9 + [351]
    assert {r[4] for r in brand} == {"USD"}


def test_yandex_direct_report_without_date_takes_the_title_period(fresh_db, tmp_path):
    text = ('"Campaign stats (2025-03-01 - 2025-03-31)"\n'
            "CampaignId\tCampaignName\tImpressions\tClicks\tCost\n"
            "70001\tmsk_search_brand\t12000\t480\t1234560000\n"       # micros: 1,234.56 RUB
            "70002\tspb_search_generic\t3100\t31\t310000000\n"         # 310.00 RUB
            "Total rows: 2\n")
    rep = load_files([write(tmp_path, "direct.tsv", text.encode())], progress=False)["files"][0]
    assert (rep["format"], rep["rows_loaded"], rep["period"]) == ("yandex_direct", 2, ["2025-03-01", "2025-03-31"])
    rows = query(fresh_db, "select campaign, count(*), sum(cost), sum(impressions), sum(clicks), min(date), max(date) "
                           "from ad_spend group by 1 order by 1")
    assert rows == [("msk_search_brand", 31, D("1234.56"), 12000, 480, dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
                    ("spb_search_generic", 31, D("310.00"), 3100, 31, dt.date(2025, 3, 1), dt.date(2025, 3, 31))]
    assert [r[0] for r in query(fresh_db, "select cost from ad_spend where campaign = 'msk_search_brand' "
                                          "order by date")] == spread("1234.56", 31)   # 39.82 x 30, then 39.96
    assert query(fresh_db, "select count(*) from ad_spend where campaign = 'spb_search_generic' "
                           "and cost = 10.00 and impressions = 100 and clicks = 1") == [(31,)]


def test_meta_reporting_range_is_spread_and_a_day_breakdown_is_not(fresh_db, tmp_path):
    total = ("\ufeffReporting starts,Reporting ends,Campaign name,Impressions,Link clicks,Amount spent (USD)\n"
             "2025-03-01,2025-03-07,Spring Sale,7000,70,\"1,000.05\"\n"
             "2025-03-01,2025-03-07,Brand Awareness,5000,,35.00\n").encode()
    daily = ("\ufeffDay,Reporting starts,Reporting ends,Campaign name,Impressions,Link clicks,Amount spent (EUR)\n"
             "2025-04-01,2025-04-01,2025-04-02,Retarget,100,5,10.00\n"
             "2025-04-02,2025-04-01,2025-04-02,Retarget,300,6,20.50\n").encode()
    result = load_files([write(tmp_path, "meta_total.csv", total), write(tmp_path, "meta_daily.csv", daily)],
                        progress=False)
    assert result["ok"], result
    spring = query(fresh_db, "select cost, impressions, clicks from ad_spend where campaign = 'spring sale' "
                             "order by date")
    assert [r[0] for r in spring] == spread("1000.05", 7)               # 142.86 x 6, then 142.89
    assert [r[1] for r in spring] == [1000] * 7 and [r[2] for r in spring] == [10] * 7
    assert query(fresh_db, "select count(*), sum(cost), count(clicks) from ad_spend "
                           "where campaign = 'brand awareness'") == [(7, D("35.00"), 0)]  # no clicks stay none
    assert query(fresh_db, "select date, cost, currency from ad_spend where campaign = 'retarget' order by 1") == [
        (dt.date(2025, 4, 1), D("10.00"), "EUR"), (dt.date(2025, 4, 2), D("20.50"), "EUR")]


# ---------------------------------------------------------------------------------------------
# From the file name

@pytest.mark.parametrize("name, start, end", [
    ("utm_2026-03-01_2026-03-10.csv", "2026-03-01", "2026-03-10"),
    ("Отчет_01.03.2026-10.03.2026.csv", "2026-03-01", "2026-03-10"),
    ("report_20260301_20260310.csv", "2026-03-01", "2026-03-10"),
    ("Источники, сводка 1–10 марта 2026.csv", "2026-03-01", "2026-03-10"),
    ("utm_2026-03.csv", "2026-03-01", "2026-03-31"),
])
def test_metrica_report_takes_the_period_of_its_file_name(fresh_db, tmp_path, name, start, end):
    rep = load_files([write(tmp_path, name, METRICA)], progress=False)["files"][0]
    assert (rep["format"], rep["status"], rep["rows_read"], rep["rows_loaded"], rep["rows_skipped"]) == (
        "yandex_metrica", "loaded", 3, 3, 1)
    assert rep["period"] == [start, end] and any("from the file name" in n for n in rep["notes"])
    rows = query(fresh_db, "select period_start, period_end, utm_source, utm_campaign, visits, visitors from traffic")
    assert {(r[2], r[3]): (r[4], r[5]) for r in rows} == METRICA_ROWS
    assert {(r[0], r[1]) for r in rows} == {(dt.date.fromisoformat(start), dt.date.fromisoformat(end))}
    assert query(fresh_db, "select count(*) from rejects") == [(0,)]


def test_vk_campaign_report_named_by_its_month(fresh_db, tmp_path):
    rep = load_files([write(tmp_path, "vk_ads_февраль_2026.csv", VK)], progress=False)["files"][0]
    assert (rep["format"], rep["rows_loaded"], rep["period"]) == ("vk_ads", 2, ["2026-02-01", "2026-02-28"])
    assert query(fresh_db, "select campaign, count(*), sum(cost), sum(impressions), sum(clicks) from ad_spend "
                           "group by 1 order by 1") == [("msk_vk_brand", 28, D("1000.01"), 700, 11),
                                                        ("spb_vk_retarget", 28, D("2999.50"), 1500, 30)]


# ---------------------------------------------------------------------------------------------
# From the user: --period on the command line, the range in the upload form

def test_period_flag_dates_a_report_that_names_none(fresh_db, tmp_path, capsys):
    files = [write(tmp_path, "utm.csv", METRICA), write(tmp_path, "vk_campaigns.csv", VK)]
    assert main(["load", "--period", "2026-03-01..2026-03-10", *map(str, files)]) == 0
    out = capsys.readouterr().out
    assert "utm.csv: traffic (yandex_metrica, utf-8-sig, period 2026-03-01..2026-03-10)" in out
    assert query(fresh_db, "select distinct period_start, period_end from traffic") == [
        (dt.date(2026, 3, 1), dt.date(2026, 3, 10))]
    assert query(fresh_db, "select sum(visits), sum(visitors) from traffic") == [(470, 390)]
    assert query(fresh_db, "select count(*), sum(cost), min(date), max(date) from ad_spend") == [
        (20, D("3999.51"), dt.date(2026, 3, 1), dt.date(2026, 3, 10))]
    notes = [r[0] for r in query(fresh_db, "select notes from loads order by load_id")]
    assert all("is from the user" in n for n in notes), notes


def test_the_report_own_period_wins_over_the_flag(fresh_db, tmp_path, capsys):
    path = write(tmp_path, "google.csv", GOOGLE)
    assert main(["load", "--period", "2025-02-01..2025-02-28", str(path)]) == 0
    assert query(fresh_db, "select min(date), max(date) from ad_spend") == [(dt.date(2025, 3, 1), dt.date(2025, 3, 10))]
    [notes] = query(fresh_db, "select notes from loads")[0]
    assert "from the title, not --period 2025-02-01..2025-02-28" in notes


def test_a_bad_period_flag_is_one_line(fresh_db, tmp_path, capsys):
    assert main(["load", "--period", "soon", str(write(tmp_path, "utm.csv", METRICA))]) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(err) == 1 and "--period 'soon'" in err[0] and "2026-03-01..2026-03-10" in err[0]
    assert not fresh_db.exists()


def test_a_reversed_period_flag_is_refused_as_the_form_refuses_it(fresh_db, tmp_path, capsys):
    """«--period 2026-03-10..2026-03-01» was read as 03-01..03-10 in silence, where the upload form's reversed
    pair is refused: the user's range is meant as written, so it is refused alike (a title's may run either way)."""
    assert main(["load", "--period", "2026-03-10..2026-03-01", str(write(tmp_path, "utm.csv", METRICA))]) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(err) == 1 and "first day is after the last" in err[0], err
    assert not fresh_db.exists()
    from ui import upload
    result = upload.load_uploads([("utm.csv", METRICA)], period=(dt.date(2026, 3, 10), dt.date(2026, 3, 1)))
    assert not result["ok"] and "first day is after the last" in result["error"]["error"], result


def test_upload_form_period(fresh_db, tmp_path):
    from ui import upload
    result = upload.load_uploads([("utm.csv", METRICA)], period=(dt.date(2026, 3, 1), dt.date(2026, 3, 10)))
    assert result["ok"] and result["files"][0]["period"] == ["2026-03-01", "2026-03-10"]
    manifest = [json.loads(ln) for ln in (fresh_db.parent / "raw" / "manifest.jsonl").read_text().splitlines()]
    assert manifest[0]["period"] == ["2026-03-01", "2026-03-10"]   # so `rebuild` dates it the same way
    assert upload.period_of((dt.date(2026, 3, 1),)) is None          # half a range picked: no period yet
    assert upload.period_of((dt.date(2026, 3, 1), None)) is None     # the form's "to" field still empty


# ---------------------------------------------------------------------------------------------
# No period anywhere: the whole file fails in one line; nothing from it, no rejects flood

def test_no_period_fails_whole_in_one_line(fresh_db, tmp_path, capsys):
    good = write(tmp_path, "utm_2026-03-01_2026-03-10.csv", METRICA)
    bad = [write(tmp_path, "utm.csv", METRICA.replace(b"200,150", b"201,151")),
           write(tmp_path, "vk_campaigns.csv", VK)]
    assert main(["load", str(good), *map(str, bad)]) == 1
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(err) == 2, err
    for line, path, entity in zip(err, bad, ("traffic", "ad_spend"), strict=True):
        assert line.startswith(f"FAILED {path.name}: a {entity} report with no date column and "   # named once
                               f"no period in its title lines or file name; pass --period FIRST..LAST"), line
    assert query(fresh_db, "select file_name from loads") == [(good.name,)]
    assert query(fresh_db, "select (select count(*) from rejects), (select sum(visits) from traffic), "
                           "(select count(*) from ad_spend)") == [(0, 470, 0)]
    result = load_files(bad[:1], progress=False)["files"][0]
    assert (result["status"], result["code"], result["fields"]) == (
        "failed", "no_period", {"file": "utm.csv", "entity": "traffic"})


# ---------------------------------------------------------------------------------------------
# Rebuild replays a --period load identically

def test_rebuild_replays_a_period_load(fresh_db, tmp_path, capsys):
    files = [write(tmp_path, "utm.csv", METRICA), write(tmp_path, "vk.csv", VK),
             write(tmp_path, "Campaign report.csv", GOOGLE)]
    assert main(["load", "--period", "2026-03-01..2026-03-10", *map(str, files)]) == 0

    def snapshot():
        return {t: query(fresh_db, f"select * exclude (load_id) from {t} order by all")
                for t in ("traffic", "ad_spend")} | {
            "loads": query(fresh_db, "select * exclude (loaded_at) from loads order by load_id")}

    before = snapshot()
    assert len(before["traffic"]) == 3 and len(before["ad_spend"]) == 40   # 2 VK + 2 Google campaigns x 10 days
    result = rebuild(progress=False)
    assert result["ok"] and result["files"] == 3
    assert snapshot() == before
