"""The build steps (etl/steps.py): each declaration matches what DuckDB's binder says the step's SQL
reads and creates, and every step reads only sources and objects built before it.

What a statement reads comes from DuckDB itself: the unoptimised logical plan of EXPLAIN lists every
table the binder resolved (CTEs, comments and string literals are not tables; subqueries and macro
bodies are expanded), and the catalog before and after each statement says what it created. The
steps run in order on an empty warehouse, as `etl.build.run_steps` runs them.
"""
from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import pytest

from etl.build import drop_temp, prepare, run_steps
from etl.errors import LoadError
from etl.sqlfiles import run, statements
from etl.steps import SOURCES, STEPS, STEPS_DIR, Step, check, describe, schedule

TESTS = Path(__file__).resolve().parent
BY_NAME = {s.name: s for s in STEPS}
WRITES = re.compile(r"^\s*(?:update|delete\s+from|insert\s+(?:or\s+\w+\s+)?into)\s+([a-z_][\w.]*)", re.I)


@dataclass
class Seen:
    """What one step's SQL did, by DuckDB's account."""

    reads: set[str] = field(default_factory=set)
    builds: set[str] = field(default_factory=set)
    temp: set[str] = field(default_factory=set)
    updates: set[str] = field(default_factory=set)
    drops: set[str] = field(default_factory=set)


def empty_warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    prepare(con)
    run(con, "set explain_output = 'all'")  # EXPLAIN then returns the plan as bound, before optimising
    return con


def temp_objects(con) -> set[str]:
    """The connection's temp tables and views."""
    rows = con.execute("select table_name from duckdb_tables() where temporary union all "
                       "select view_name from duckdb_views() where temporary and not internal").fetchall()
    return {n for (n,) in rows}


def catalog(con) -> dict[str, tuple[bool, int]]:
    """Tables, views and macros the steps could make: name -> (temporary, oid). A replaced object gets a new oid."""
    return {name: (db == "temp", oid) for name, db, oid in con.execute(
        "select table_name, database_name, table_oid from duckdb_tables() "
        "union all select view_name, database_name, view_oid from duckdb_views() where not internal "
        "union all select function_name, database_name, function_oid from duckdb_functions() "
        "where not internal and function_type in ('macro', 'table_macro')").fetchall()}


def tables_bound(con, sql: str) -> set[str]:
    """Every table the binder resolved for one statement: scans in its unoptimised logical plan."""
    plans = dict(con.execute("explain (format json) " + sql).fetchall())
    found: set[str] = set()

    def walk(node: dict) -> None:
        table = node.get("extra_info", {}).get("Table")
        if table:
            found.add(table.split(".")[-1].strip('"'))
        for child in node.get("children", []):
            walk(child)

    for node in json.loads(plans["logical_plan"]):
        walk(node)
    return found


def observe(con, path: Path) -> Seen:
    """Runs one step's statements on `con`, noting what each reads, writes and creates."""
    seen = Seen()
    before = catalog(con)
    made: set[str] = set()   # created or replaced by this step's earlier statements
    # split as the runner splits, then as DuckDB does (a chunk may hold two statements)
    for parsed in (p for chunk in statements(path.read_text(encoding="utf-8"))
                   for p in duckdb.extract_statements(chunk)):
        stmt = parsed.query
        seen.reads |= tables_bound(con, stmt) - made
        if parsed.type in (duckdb.StatementType.INSERT, duckdb.StatementType.UPDATE,
                           duckdb.StatementType.DELETE):
            target = WRITES.match(stmt)
            assert target, f"{path.name}: cannot name the table this statement writes: {stmt[:80]}"
            if target.group(1) not in made:
                seen.updates.add(target.group(1))
        run(con, stmt)
        made |= {n for n, v in catalog(con).items() if before.get(n) != v}
    after = catalog(con)
    seen.drops = (set(before) | made) - set(after)
    for name in made & set(after):
        (seen.temp if after[name][0] else seen.builds).add(name)
    # a table macro reads when called: bind a call to see its body's tables
    for name, params in con.execute("select function_name, parameters from duckdb_functions() "
                                    "where function_type = 'table_macro' and not internal").fetchall():
        if name in made:
            args = ", ".join("null" for _ in params)
            seen.reads |= tables_bound(con, f"select * from {name}({args})") - made
    return seen


def differences(step: Step, seen: Seen) -> list[str]:
    out = []
    for label, declared, actual in (("reads", step.reads, seen.reads), ("builds", step.builds, seen.builds),
                                    ("temp", step.temp, seen.temp), ("updates", step.updates, seen.updates)):
        if missing := actual - set(declared):
            out.append(f"{step.name} {label} {sorted(missing)} but does not declare it")
        if extra := set(declared) - actual:
            out.append(f"{step.name} declares {label} {sorted(extra)} its SQL does not")
    if seen.drops:
        out.append(f"{step.name} drops {sorted(seen.drops)}: the runner drops temp tables after their last reader")
    return out


@pytest.fixture(scope="module")
def seen_by_step() -> dict[str, Seen]:
    """Every step observed in the declared order, temp tables dropped on the runner's schedule."""
    con = empty_warehouse()
    out = {}
    try:
        for step, drops in schedule(STEPS):
            out[step.name] = observe(con, step.path)
            drop_temp(con, drops)
    finally:
        con.close()
    return out


# ---------------------------------------------------------------------------------------------
# The list as it is

@pytest.mark.parametrize("name", list(BY_NAME))
def test_step_declares_what_its_sql_reads_and_builds(seen_by_step, name):
    assert differences(BY_NAME[name], seen_by_step[name]) == []


def test_every_step_reads_only_what_is_built_before_it():
    assert check(STEPS) == []


def test_sources_are_what_the_load_stage_leaves():
    con = duckdb.connect()
    try:
        prepare(con)
        kept = {n for (n,) in con.execute("select table_name from duckdb_tables() where not temporary").fetchall()}
    finally:
        con.close()
    assert kept == SOURCES


def test_every_sql_file_under_steps_is_a_step_and_runs_once():
    assert sorted(p.stem for p in STEPS_DIR.glob("*.sql")) == sorted(BY_NAME)
    assert len(BY_NAME) == len(STEPS)


def test_the_build_leaves_no_temp_object_behind_and_keeps_every_built_object():
    con = duckdb.connect()
    try:
        prepare(con)
        before = temp_objects(con)
        run_steps(con)
        left = temp_objects(con)
        kept = set(catalog(con)) - before
    finally:
        con.close()
    assert left == before
    assert {n for s in STEPS for n in s.builds} <= kept


def test_describe_prints_every_step_in_order():
    text = describe()
    positions = [text.index(f". {s.name}  (") for s in STEPS]
    assert positions == sorted(positions)


# ---------------------------------------------------------------------------------------------
# The checks catch what they are for

def moved(name: str, after: str) -> list[Step]:
    """STEPS with one step moved to just after another."""
    rest = [s for s in STEPS if s.name != name]
    i = [s.name for s in rest].index(after)
    return [*rest[:i + 1], BY_NAME[name], *rest[i + 1:]]


def test_a_step_moved_before_what_it_reads_is_caught():
    problems = check(moved("mart_deals_day", after="mart_region"))
    assert "mart_region reads mart_deals_day, which mart_deals_day builds only later" in problems


def test_a_temp_table_read_before_its_step_is_caught():
    problems = check(moved("attribution_journeys", after="attribution_credit"))
    assert "attribution_credit reads attr_touches, which attribution_journeys builds only later" in problems


def test_an_update_after_a_reader_is_caught():
    # deal_facts would read deals before their lead's channel is filled in
    problems = check(moved("deals_from_leads", after="deal_facts"))
    assert ("deals_from_leads updates deals after reconciliation, dq_unrecognised, dq_unmapped_campaigns, "
            "dq_cells, deal_facts read it") in problems


def test_building_twice_reading_nothing_known_and_building_a_source_are_caught():
    extra = [Step("again", reads=("deals",), builds=("mart_dq",)),
             Step("ghost", reads=("mart_nothing",), builds=("ghost",)),
             Step("over", reads=(), builds=("deals",))]
    problems = check(list(STEPS) + extra)
    assert "mart_dq is built twice: by mart_dq and again" in problems
    assert "ghost reads mart_nothing, which no step builds and no source holds" in problems
    assert "over builds deals, a source table" in problems


def test_the_runner_refuses_a_misordered_list_before_running_anything():
    con = duckdb.connect()
    try:
        prepare(con)
        before = set(catalog(con))
        with pytest.raises(LoadError, match="mart_region reads mart_deals_day"):
            run_steps(con, moved("mart_deals_day", after="mart_region"))
        assert set(catalog(con)) == before
    finally:
        con.close()


def test_the_observer_follows_the_binder_not_the_text(tmp_path):
    sql = tmp_path / "decoy.sql"
    sql.write_text(
        "-- reads from touchpoints? No: a comment\n"
        "create or replace table decoy as\n"
        "with deals as (select 1 as x)   -- a CTE named like a table\n"
        "select x, 'from ad_spend' as note from deals\n"
        "where x in (select count(*) from leads);\n"
        "\n"
        "create or replace temp table scratch as select * from decoy;\n"
        "\n"
        "update campaigns set product = null where campaign in (select campaign from scratch);\n"
        "\n"
        "insert into scratch select 2, 'x';\n"
        "\n"
        "create or replace macro decoy_rows(d) as table select * from decoy where x = d union all\n"
        "    select count(*), 'y' from sales;\n", encoding="utf-8")
    con = empty_warehouse()
    try:
        seen = observe(con, sql)
    finally:
        con.close()
    assert seen == Seen(reads={"leads", "campaigns", "sales"}, builds={"decoy", "decoy_rows"},
                        temp={"scratch"}, updates={"campaigns"})
    declared = Step("decoy", reads=("leads", "deals"), builds=("decoy", "decoy_rows"), temp=("scratch",))
    assert differences(declared, seen) == [
        "decoy reads ['campaigns', 'sales'] but does not declare it",
        "decoy declares reads ['deals'] its SQL does not",
        "decoy updates ['campaigns'] but does not declare it",
    ]


def test_a_drop_in_a_steps_sql_is_reported(tmp_path):
    sql = tmp_path / "dropper.sql"
    sql.write_text("create or replace temp table t as select 1 as x;\n\ndrop table t;\n", encoding="utf-8")
    con = empty_warehouse()
    try:
        seen = observe(con, sql)
    finally:
        con.close()
    assert differences(replace(BY_NAME["flights"], name="dropper", reads=(), builds=()), seen) == [
        "dropper drops ['t']: the runner drops temp tables after their last reader"]


# ---------------------------------------------------------------------------------------------
# The order the list fixed: campaign keys are whole before deals take their lead's campaign

LEADS = ("ID лида;Дата создания;Город;Источник;utm_source;utm_medium;utm_campaign;Статус;"
         "Дата первого контакта;Ответственный;ID сделки\n"
         "L1;01.03.2025 09:00:00;Москва;;yandex;cpc;81234567;Сконвертирован;01.03.2025 09:20:00;Анна Смирнова;\n")
DEALS = ("\ufeffID;Название сделки;Бюджет;Валюта;Ответственный;Дата создания;Дата закрытия;Этап сделки;Город;"
         "Источник;utm_source;utm_medium;utm_campaign;ID лида\n"
         "501;ООО Ромашка;\"100 000,00\";RUB;Анна Смирнова;02.03.2025 10:00:00;05.03.2025 12:00:00;"
         "Успешно реализовано;Москва;;;;;L1\n")


@pytest.mark.parametrize("batches", [["all"], ["deals", "leads"], ["leads", "deals"]])
def test_a_deal_takes_its_leads_campaign_by_name_not_by_id(fresh_db, tmp_path, batches):
    from etl.load import load_files
    files = {"leads": tmp_path / "leads.csv", "deals": tmp_path / "deals_amo.csv",
             "direct": tmp_path / "direct.tsv"}
    files["leads"].write_text(LEADS, encoding="utf-8")
    files["deals"].write_text(DEALS, encoding="utf-8")
    shutil.copyfile(TESTS / "data" / "campaigns" / "direct.tsv", files["direct"])
    groups = [list(files.values())] if batches == ["all"] else \
        [[files["direct"], files[batches[0]]], [files[batches[1]]]]
    for group in groups:
        assert load_files(group, progress=False)["ok"]
    con = duckdb.connect(str(fresh_db), read_only=True)
    try:
        got = con.execute("select utm_campaign, channel_from_lead from deals where deal_id = '501'").fetchall()
        lead = con.execute("select utm_campaign from leads where lead_id = 'L1'").fetchall()
    finally:
        con.close()
    assert lead == [("msk_search_brand",)]
    assert got == [("msk_search_brand", True)]
