"""A load rebuilds only what its changes reach (etl.build.run_steps with the tables the merges wrote),
and the warehouse it leaves equals `python -m etl rebuild` of the same files: random sequences of
loads, in export formats as the systems write them, compared table by table."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.load import load_files, rebuild
from etl.paths import DATA_DIR
from etl.steps import SOURCES, STEPS, Step, check
from tests.test_vocab_props import write_csv

DEAL_IDS = [str(n) for n in range(101, 109)]
LEAD_IDS = [f"L{n}" for n in range(1, 7)]
# utm values: names, Yandex Direct campaign IDs (70003 named only by some spend files), a name with the
# ID glued on, none
UTM = ["msk_search_brand", "70001", "spb_rsya_retarget|70002", "70003", "jan_newsletter", ""]
# Touches carry names only: a re-exported touch whose campaign is an ID the warehouse has since
# rewritten no longer matches its stored row and is kept twice, loaded one file at a time but not in
# a rebuild (campaign_keys keeps no raw value for touchpoints); the same holds for an ID that a later
# spend file gives a second name. Both predate the incremental build: every load ran campaign_keys.
TOUCH_CAMPAIGNS = ["msk_search_brand", "spb_rsya_retarget", "jan_newsletter", ""]
CITIES = ["Москва", "мск", "Питер", "Казань", "Тверь", ""]
STAGES = ["Успешно реализовано", "Переговоры", "Закрыто и не реализовано", "Новая стадия X"]
CUSTOMERS = ["ООО Ромашка", "ООО Склад", "ИП Лебедев"]
AMOUNTS = ["150 000,00", "80000", "1 200 000,50", "45000"]
DAY = st.integers(min_value=1, max_value=28)


# --------------------------------------------------------------------------------------------
# Export files, each as its system writes it.

@st.composite
def deals_file(draw, folder: Path, n: int) -> Path:
    """amoCRM or Bitrix24 deals: a pool of IDs, so later files update earlier deals; some rows bad."""
    shape = draw(st.sampled_from(["amocrm", "bitrix24"]))
    header = ["ID", "Название сделки", "Бюджет", "Валюта", "Ответственный", "Дата создания", "Дата закрытия",
              "Этап сделки", "Город", "Источник", "utm_source", "utm_medium", "utm_campaign", "ID лида"]
    rows = []
    for deal_id in draw(st.lists(st.sampled_from(DEAL_IDS), min_size=1, max_size=4, unique=True)):
        stage, day = draw(st.sampled_from(STAGES)), draw(DAY)
        utm = draw(st.sampled_from(UTM))
        closed = f"{min(day + 7, 28):02}.02.2025 16:00:00" if stage != "Переговоры" else ""
        created = draw(st.sampled_from([f"{day:02}.01.2025 10:00:00", "31.02.2025 10:00:00"]))  # 31.02: rejected
        rows.append([deal_id, draw(st.sampled_from(CUSTOMERS)), draw(st.sampled_from([*AMOUNTS, "n/a"])),
                     draw(st.sampled_from(["RUB", "USD"])), "Анна Смирнова", created, closed, stage,
                     draw(st.sampled_from(CITIES)), draw(st.sampled_from(["", "Холодный звонок"])),
                     "yandex" if utm else "", "cpc" if utm else "", utm, draw(st.sampled_from([*LEAD_IDS, ""]))])
    return write_csv(folder / f"deals_{n}.csv", header, rows, shape)


@st.composite
def leads_file(draw, folder: Path, n: int) -> Path:
    header = ["ID лида", "Дата создания", "Город", "Источник", "utm_source", "utm_medium", "utm_campaign", "Статус",
              "Дата первого контакта", "Ответственный", "ID сделки"]
    rows = []
    for lead_id in draw(st.lists(st.sampled_from(LEAD_IDS), min_size=1, max_size=4, unique=True)):
        day, utm = draw(DAY), draw(st.sampled_from(UTM))
        rows.append([lead_id, f"{day:02}.01.2025 09:00:00", draw(st.sampled_from(CITIES)),
                     "" if utm else draw(st.sampled_from(["", "Сайт"])), "yandex" if utm else "",
                     "cpc" if utm else "", utm, draw(st.sampled_from(["Сконвертирован", "В работе", "Некачественный"])),
                     f"{day:02}.01.2025 12:00:00", "Анна Смирнова", draw(st.sampled_from([*DEAL_IDS, ""]))])
    return write_csv(folder / f"leads_{n}.csv", header, rows, "amocrm")


@st.composite
def touchpoints_file(draw, folder: Path, n: int) -> Path:
    lines = ["touch_at,lead_id,deal_id,channel,campaign"]
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        lines.append(",".join([f"2025-01-{draw(DAY):02} 08:00:00", draw(st.sampled_from([*LEAD_IDS, ""])),
                               draw(st.sampled_from([*DEAL_IDS, ""])),
                               draw(st.sampled_from(["yandex_direct", "seo", "vk_ads", "email"])),
                               draw(st.sampled_from(TOUCH_CAMPAIGNS))]))
    path = folder / f"touchpoints_{n}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@st.composite
def direct_file(draw, folder: Path, n: int) -> Path:
    """Yandex Direct Reports API TSV: title line, API field names, money in micros, `Total rows` footer."""
    names = {"70001": "msk_search_brand", "70002": "spb_rsya_retarget"}
    if draw(st.booleans()):
        names["70003"] = "ekb_search_summer"  # an ID leads and deals may have carried before
    rows = []
    for day in sorted(draw(st.lists(DAY, min_size=1, max_size=3, unique=True))):
        for cid in draw(st.lists(st.sampled_from(sorted(names)), min_size=1, max_size=2, unique=True)):
            rows.append(f"2025-01-{day:02}\t{cid}\t{names[cid]}\t1000\t{draw(st.integers(0, 60))}\t"
                        f"{draw(st.integers(1, 500)) * 10_000_000}")
    text = ('"Campaign stats (2025-01-01 - 2025-01-28)"\nDate\tCampaignId\tCampaignName\tImpressions\tClicks\tCost\n'
            + "\n".join(rows) + f"\nTotal rows: {len(rows)}\n")
    path = folder / f"direct_{n}.tsv"
    path.write_text(text, encoding="utf-8")
    return path


@st.composite
def sales_file(draw, folder: Path, n: int) -> Path:
    """1C: cp1251, report title lines, a grouped header, amounts with spaces and commas, a total line."""
    lines = ["Продажи", "Период: 01.01.2025 - 28.02.2025", "Показатели: Количество, Сумма", "",
             "Дата;Регион;Документ продажи;Контрагент;Номенклатура;Количество;Сумма"]
    for i in range(draw(st.integers(min_value=1, max_value=3))):
        day = draw(st.integers(min_value=1, max_value=28))
        sign = draw(st.sampled_from(["", "", "-"]))
        lines.append(f"{day:02}.02.2025;{draw(st.sampled_from(['Москва', 'Санкт-Петербург']))};"
                     f"Реализация 0000{n}{i:03} от {day:02}.02.2025;{draw(st.sampled_from(CUSTOMERS))};Окна;"
                     f"{sign}1,000;{sign}{draw(st.sampled_from(AMOUNTS))}")
    lines.append("Итого;;;;;1,000;1 000,00")
    path = folder / f"sales_1c_{n}.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1251"))
    return path


@st.composite
def plan_file(draw, folder: Path, n: int) -> Path:
    lines = ["Месяц;Регион;Продукт;Показатель;План;Ответственный"]
    for region in draw(st.lists(st.sampled_from(["Москва", "Санкт-Петербург"]), min_size=1, max_size=2, unique=True)):
        lines.append(f"01.01.2025;{region};;revenue;\"{draw(st.integers(1, 9))}00 000\";sales")
    path = folder / f"plan_{n}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@st.composite
def campaigns_file(draw, folder: Path, n: int) -> Path:
    region = draw(st.sampled_from(["Москва", "СПб", ""]))
    lines = ["campaign,campaign_id,platform,channel,region,product,start_date,end_date",
             f"spb_rsya_retarget,70002,Yandex Direct,,{region},,2025-01-01,2025-03-31"]
    path = folder / f"campaigns_{n}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def change_config(config: Path, n: int) -> None:
    """A reviewed config change: a new USD rate, and a city the regions did not know."""
    with open(config / "fx_rates.csv", "a", encoding="utf-8") as fh:
        fh.write(f"USD,2025-01-{10 + n:02},{95 + n}\n")
    regions = config / "regions.csv"
    if "Тверь" not in regions.read_text(encoding="utf-8"):
        with open(regions, "a", encoding="utf-8") as fh:
            fh.write("\nТверь,Центральный,Тверская область\n")


WRITERS = {"deals": deals_file, "leads": leads_file, "touchpoints": touchpoints_file, "ad_spend": direct_file,
           "sales": sales_file, "plan": plan_file, "campaigns": campaigns_file}
LOAD = st.one_of(st.lists(st.sampled_from(sorted(WRITERS)), min_size=1, max_size=2),
                 st.sampled_from([["config"], ["again"]]))


# --------------------------------------------------------------------------------------------
# What the build makes, compared row by row.

def contents(db: Path) -> dict[str, list]:
    """Every source table and every table or view the steps build, rows sorted; macros by definition."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        objects = {name for (name,) in con.execute(
            "select table_name from duckdb_tables() union all select view_name from duckdb_views() "
            "where not internal").fetchall()}
        built = {name for step in STEPS for name in step.builds}
        out: dict[str, list] = {}
        for name in sorted((SOURCES - {"meta"}) | built):
            if name in objects:
                # every column, load times included: a rebuild keeps each load's time (the manifest's)
                out[name] = sorted(con.table(name).fetchall(), key=repr)
            else:  # a table macro
                out[name] = con.execute("select macro_definition from duckdb_functions() where function_name = $n",
                                        {"n": name}).fetchall()
                assert out[name], f"{name}: the steps build it but the warehouse holds no such object"
        return out
    finally:
        con.close()


@contextlib.contextmanager
def scratch():
    """A warehouse folder and a config copy of its own for one example (function fixtures do not reset)."""
    old = {k: os.environ.get(k) for k in ("PARITY_DB", "PARITY_CONFIG")}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(DATA_DIR, root / "config",
                        ignore=shutil.ignore_patterns("raw", "demo", "*.duckdb*", "mappings"))
        (root / "wh").mkdir()
        (root / "files").mkdir()
        os.environ.update({"PARITY_DB": str(root / "wh" / "warehouse.duckdb"), "PARITY_CONFIG": str(root / "config")})
        try:
            yield root
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


# Six examples keep `make test` cheap and the same on every run (derandomize: a suite run neither finds
# nor shrinks something new for minutes); INCR_EXAMPLES=40 INCR_RANDOM=1 searches further by hand: that
# is how the campaigns case below was found.
@settings(max_examples=int(os.environ.get("INCR_EXAMPLES", "6")), deadline=None, database=None,
          derandomize=not os.environ.get("INCR_RANDOM"), suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), loads=st.lists(LOAD, min_size=1, max_size=3))
def test_incremental_loads_equal_a_rebuild(data, loads):
    """A company's deals and leads first, then one to three loads of anything, a config change or a file
    loaded again; the warehouse then holds what a rebuild of the same files holds."""
    with scratch() as root:
        written: list[Path] = []
        for n, kinds in enumerate([["deals", "leads"], *loads]):
            if kinds == ["config"]:
                change_config(root / "config", n)
                kinds = ["plan"]  # the next load finds the config changed
            if kinds == ["again"]:
                files = written[-1:]
            else:
                files = [data.draw(WRITERS[kind](root / "files", f"{n}{i}")) for i, kind in enumerate(kinds)]
            written += files
            load_files(files, progress=False)
        incremental = contents(root / "wh" / "warehouse.duckdb")
        shutil.copytree(root / "wh", root / "copy")
        os.environ["PARITY_DB"] = str(root / "copy" / "warehouse.duckdb")
        rebuild(progress=False)
        rebuilt = contents(root / "copy" / "warehouse.duckdb")
        assert incremental.keys() == rebuilt.keys()
        for name in incremental:
            assert incremental[name] == rebuilt[name], f"{name} differs from a rebuild after loads {loads}"


def test_what_the_fixing_steps_change_reaches_their_readers():
    """The chains random sequences reach only now and then: spend naming a campaign ID that deals and
    leads already carry (campaign_keys rewrites them in a spend load), then a lead whose new channel
    its deal inherits (deals_from_leads rewrites deals in a leads load); then equal to a rebuild."""
    deal_head = ["ID", "Название сделки", "Бюджет", "Ответственный", "Дата создания", "Дата закрытия", "Этап сделки",
                 "Город", "utm_source", "utm_medium", "utm_campaign", "ID лида"]
    lead_head = ["ID лида", "Дата создания", "Город", "utm_source", "utm_medium", "utm_campaign", "Статус"]
    with scratch() as root:
        files = root / "files"
        load_files([write_csv(files / "deals.csv", deal_head, [
            ["101", "ООО Ромашка", "150 000", "Анна Смирнова", "03.01.2025 10:00:00", "20.01.2025 16:00:00",
             "Успешно реализовано", "мск", "yandex", "cpc", "70003", ""],
            ["102", "ООО Склад", "80000", "Анна Смирнова", "05.01.2025 10:00:00", "25.01.2025 16:00:00",
             "Успешно реализовано", "", "", "", "", "L1"]], "amocrm"),
            write_csv(files / "leads.csv", lead_head, [["L1", "04.01.2025 09:00:00", "Казань", "vk", "cpc", "70003",
                                                        "Сконвертирован"]], "amocrm")], progress=False)
        spend = files / "direct.tsv"
        spend.write_text('"Campaign stats (2025-01-01 - 2025-01-28)"\nDate\tCampaignId\tCampaignName\tImpressions'
                         "\tClicks\tCost\n2025-01-03\t70003\tekb_search_summer\t1000\t5\t50000000\nTotal rows: 1\n",
                         encoding="utf-8")
        steps = ran(load_files([spend], progress=False))
        assert {"campaign_keys", "deals_from_leads", "attribution_journeys", "mart_deals_day"} <= set(steps)
        steps = ran(load_files([write_csv(files / "leads_2.csv", lead_head, [
            ["L1", "04.01.2025 09:00:00", "Москва", "email", "email", "jan_newsletter", "Сконвертирован"]],
            "amocrm")], progress=False))
        assert {"deals_from_leads", "reconciliation"} <= set(steps)  # deal 102 took Москва from its lead
        incremental = contents(root / "wh" / "warehouse.duckdb")
        shutil.copytree(root / "wh", root / "copy")
        os.environ["PARITY_DB"] = str(root / "copy" / "warehouse.duckdb")
        rebuild(progress=False)
        assert incremental == contents(root / "copy" / "warehouse.duckdb")


def test_a_later_campaigns_export_moves_spend_it_had_filled():
    """Spend from an export with no region takes its campaign's region; a later campaigns export naming
    another region moves it, as a rebuild of the same files would (the fill wrote only empty regions, so
    the first campaigns file stuck: found by a random search of the property test above)."""
    head = "campaign,campaign_id,platform,channel,region,product,start_date,end_date\n"
    with scratch() as root:
        files = root / "files"
        files.mkdir(exist_ok=True)
        spend = files / "direct.tsv"
        spend.write_text('"Campaign stats (2025-01-01 - 2025-01-28)"\nDate\tCampaignId\tCampaignName\tImpressions'
                         "\tClicks\tCost\n2025-01-21\t70002\tspb_rsya_retarget\t1000\t1\t10000000\nTotal rows: 1\n",
                         encoding="utf-8")
        first, second = files / "campaigns_1.csv", files / "campaigns_2.csv"
        first.write_text(head + "spb_rsya_retarget,70002,Yandex Direct,,Москва,,2025-01-01,2025-03-31\n",
                         encoding="utf-8")
        second.write_text(head + "spb_rsya_retarget,70002,Yandex Direct,,СПб,,2025-01-01,2025-03-31\n",
                          encoding="utf-8")
        db = root / "wh" / "warehouse.duckdb"
        assert load_files([spend, first], progress=False)["ok"]
        assert contents(db)["ad_spend"][0][4] == "Москва"
        assert load_files([second], progress=False)["ok"]
        incremental = contents(db)
        assert incremental["ad_spend"][0][4] == "Санкт-Петербург"
        shutil.copytree(root / "wh", root / "copy")
        os.environ["PARITY_DB"] = str(root / "copy" / "warehouse.duckdb")
        rebuild(progress=False)
        assert incremental == contents(root / "copy" / "warehouse.duckdb")


# --------------------------------------------------------------------------------------------
# What a load runs.

def ran(result: dict) -> list[str]:
    return [s["step"] for s in result["steps_run"]]


def test_a_load_runs_only_the_steps_its_tables_reach(copy_of_warehouse, tmp_path):
    """On a built warehouse: sales reach reconciliation and the alerts (an accounting export gone quiet),
    not the marts or attribution; spend reaches the spend marts and flights, not attribution or
    reconciliation; a deals file whose rows all fail changes only `loads` and `rejects`; what ran is kept
    in meta for `python -m bench etl`."""
    sales = load_files([sales_file_text(tmp_path)], progress=False)
    assert sales["ok"] and set(ran(sales)) == {"reconciliation", "dq_unrecognised", "mart_freshness", "alerts"}
    spend = write_csv(tmp_path / "spend.csv", ["Дата", "Кампания", "Регион", "Показы", "Клики", "Расход", "Валюта"],
                      [["2025-01-06", "msk_search_brand", "Москва", "900", "45", "4500", "RUB"]], "generic")
    steps = ran(load_files([spend], progress=False))
    assert {"campaign_fill", "mart_spend_day", "mart_campaign_day", "flights", "mart_region"} <= set(steps)
    assert not {"reconciliation", "deal_facts", "attribution_journeys", "attribution_credit"} & set(steps)
    bad = write_csv(tmp_path / "deals_bad.csv", ["ID", "Бюджет", "Дата создания", "Этап сделки"],
                    [["900", "1000", "31.02.2025", "Переговоры"]], "amocrm")
    result = load_files([bad], progress=False)
    assert result["files"][0]["rows_rejected"] == 1
    # loads and rejects, no deals (alerts read loads: the period a file states dates its export)
    assert ran(result) == ["dq_unrecognised", "mart_freshness", "mart_dq", "alerts"]
    con = duckdb.connect(str(copy_of_warehouse), read_only=True)
    try:
        kept = con.execute("select value from meta where key = 'steps_run'").fetchall()[0][0]
    finally:
        con.close()
    assert [s["step"] for s in json.loads(kept)] == ran(result)


def test_a_full_build_replaces_what_an_older_build_made_as_another_kind(copy_of_warehouse, tmp_path):
    """A warehouse an older version built, under another steps hash: there attribution_credit was a
    table (now a view) and attribution_models a view (say). `create or replace` cannot turn one kind into
    the other, so the full build the next load runs drops what the steps build before making it again."""
    con = duckdb.connect(str(copy_of_warehouse))
    try:
        for sql in ("drop view attribution_credit", "create table attribution_credit as select 1 as x",
                    "drop table attribution_models", "create view attribution_models as select 'linear' as model",
                    "update meta set value = 'older' where key = 'steps_hash'"):
            con.execute(sql).fetchall()
    finally:
        con.close()
    result = load_files([sales_file_text(tmp_path)], progress=False)
    assert result["ok"] and ran(result) == [s.name for s in STEPS]
    con = duckdb.connect(str(copy_of_warehouse), read_only=True)
    try:
        kinds = dict(con.execute("select table_name, 'table' from duckdb_tables() union all "
                                 "select view_name, 'view' from duckdb_views() where not internal").fetchall())
        assert kinds["attribution_credit"] == "view" and kinds["attribution_models"] == "table"
        assert con.execute("select count(distinct model) from attribution_credit").fetchall() == [(6,)]
    finally:
        con.close()


def sales_file_text(folder: Path) -> Path:
    path = folder / "sales_march.csv"
    path.write_bytes(("Продажи\r\nПериод: 01.03.2025 - 31.03.2025\r\n\r\n"
                      "Дата;Регион;Документ продажи;Контрагент;Номенклатура;Количество;Сумма\r\n"
                      "02.03.2025;Москва;Реализация 00000009 от 02.03.2025;ООО Ромашка;Окна;1,000;80 000,00\r\n"
                      "Итого;;;;;1,000;80 000,00\r\n").encode("cp1251"))
    return path


def test_a_step_that_updates_sources_hands_no_temp_table_on():
    """run_steps may run a temp table's maker out of turn; one that rewrites a source must not be."""
    steps = [Step("fix", reads=("deals",), temp=("fixed",), updates=("deals",)), Step("use", reads=("fixed",))]
    assert check(steps) == ["fix updates sources and hands fixed to later steps"]
    assert check(STEPS) == []


def test_a_deals_load_leaves_spend_and_flights_alone(copy_of_warehouse, tmp_path):
    """A deals file reaches everything that reads deals (reconciliation and attribution among them: their
    input changed) and nothing that reads only spend, campaigns or plan."""
    deals = write_csv(tmp_path / "deals_new.csv", ["ID", "Бюджет", "Дата создания", "Этап сделки", "Город"],
                      [["990", "5000", "07.01.2025", "Переговоры", "Москва"]], "amocrm")
    steps = ran(load_files([deals], progress=False))
    assert {"deal_facts", "mart_deals_day", "reconciliation", "attribution_journeys"} <= set(steps)
    assert not {"campaign_fill", "mart_spend_day", "mart_campaign_day", "flights"} & set(steps)
