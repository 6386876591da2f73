"""All warehouse writes: a new file is built beside the old one, checked, CHECKPOINTed and swapped in."""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from etl import config, sweep
from etl.errors import LoadError, check_writable
from etl.paths import QUERIES_DIR, config_dir, demo_dir
from etl.phases import phase
from etl.sqlfiles import run, run_file
from etl.steps import SOURCES, STEPS, Step, check, schedule, steps_hash, temp_producers

# Which batch fields feed channel rules, per entity: (channel, utm_source, utm_medium, source).
CHANNEL_INPUTS = {
    "deals": ("channel", "utm_source", "utm_medium", "source"),
    "leads": ("channel", "utm_source", "utm_medium", "source"),
    "touchpoints": ("channel", "utm_source", "utm_medium", None),
    "ad_spend": ("channel", None, None, "platform"),
    "campaigns": ("channel", None, None, "platform"),
}


def agreement_tables(agreed: dict) -> dict[str, pd.DataFrame]:
    """An agreements.toml (parsed) as the cfg_agreement and cfg_attribution tables the steps read: the
    build's, and the agreement flow's recompute of what a proposal would move (model/agreement_effect.py)."""
    sla, money = agreed.get("sla", {}), agreed.get("money", {})
    hours = sla.get("working_hours", [9, 19])
    attribution = {**config.ATTRIBUTION_DEFAULTS, **agreed.get("attribution", {})}
    return {
        # one row: the agreed SLA and base currency, so marts compute "within target" in SQL
        "cfg_agreement": pd.DataFrame([{
            "base_currency": str(money.get("base_currency", "RUB")).upper(),
            "first_contact_hours": float(sla.get("first_contact_hours", 2)),
            "day_start": int(hours[0]), "day_end": int(hours[1]),
            "working_days": [int(d) for d in sla.get("working_days", [1, 2, 3, 4, 5])],
            "min_qualified_share": float(sla.get("min_qualified_share", 0)),
            "min_lead_to_deal": float(sla.get("min_lead_to_deal", 0))}]),
        # model parameters the attribution steps read: one place, agreements.toml
        "cfg_attribution": pd.DataFrame([(k, str(v)) for k, v in attribution.items()], columns=["key", "value"]),
    }


def _config_tables() -> dict[str, pd.DataFrame]:
    """data/ config as the cfg_* tables SQL joins with."""
    def pairs(rows, cols):
        return pd.DataFrame(rows, columns=cols)
    rules = config.channel_rules()
    return {
        "cfg_fx": pd.DataFrame(config.fx_rates(), columns=["currency", "valid_from", "rate"]).astype(
            {"currency": "string", "rate": "float64"}),
        **agreement_tables(config.agreements()),
        "cfg_regions": pd.DataFrame(config.regions()),
        "cfg_region_alias": pairs(config.region_alias_rows(), ["key", "region"]),
        "cfg_channels": pd.DataFrame(config.channels()),
        "cfg_channel_rules": pd.DataFrame({
            "priority": [int(r["priority"]) for r in rules], "field": [r["field"] for r in rules],
            "pattern": [r["pattern"] for r in rules], "channel": [r["channel"] for r in rules]}),
        "cfg_campaign_rules": pd.DataFrame(
            [{k: (int(r["priority"]) if k == "priority" else r[k]) for k in
              ("priority", "pattern", "region", "channel", "product")} for r in config.campaign_rules()],
            columns=["priority", "pattern", "region", "channel", "product"]).astype(
            {"region": "string", "channel": "string", "product": "string"}),
        "cfg_stages": pairs(config.vocabulary("stages.csv"), ["key", "status"]),
        "cfg_lead_statuses": pairs(config.vocabulary("lead_statuses.csv"), ["key", "status"]),
        "cfg_currencies": pairs(config.currency_rows(), ["key", "currency"]),
        "cfg_plan_metrics": pairs(config.vocab("plan_metric"), ["key", "metric"]),
        "cfg_owners": pairs(config.vocab("owner"), ["key", "owner"]),
        "cfg_activity_statuses": pairs(config.vocab("activity_status"), ["key", "status"]),
        # one row: the alert rules' thresholds (data/alerts.toml), as cfg_agreement holds the SLA
        "cfg_alerts": pd.DataFrame([config.alert_settings()]),
    }


def run_checks(con, names: list[str] | None = None) -> dict[str, int]:
    """Every queries/checks/*.sql (or those `names`) must return zero rows; returns name -> violating row count."""
    out = {}
    for path in sorted((QUERIES_DIR / "checks").glob("*.sql")):
        if names is not None and path.stem not in names:
            continue
        sql = path.read_text(encoding="utf-8")
        out[path.stem] = con.execute("select count(*) from (" + sql.rstrip().rstrip(";") + ")").fetchall()[0][0]
    return out


def _tables_read(sql: str) -> set[str]:
    """The tables a check reads: names after from/join, less its own CTEs (our SQL style, lowercase)."""
    body = "\n".join(ln.split("--")[0] for ln in sql.splitlines())
    ctes = set(re.findall(r"(\w+)\s+as\s*\(", body, flags=re.I))
    return {t.lower() for t in re.findall(r"\b(?:from|join)\s+([a-z_]\w*)", body, flags=re.I)} - ctes


def check_docs() -> dict[str, str]:
    """Check name -> what it asserts (its first comment line)."""
    out = {}
    for path in sorted((QUERIES_DIR / "checks").glob("*.sql")):
        first = path.read_text(encoding="utf-8").lstrip().splitlines()[0]
        out[path.stem] = first.lstrip("-").strip() if first.startswith("--") else path.stem
    return out


def file_checks(entity: str) -> list[str]:
    """The checks one file's merge can break: those over the contract's tables (schema.sql) and
    config only, reading the file's own table, `loads` or `rejects`. They run inside the file's
    transaction, so a violation refuses that file alone; checks over derived tables run at commit."""
    schema = set(re.findall(r"create table if not exists (\w+)",
                            (QUERIES_DIR / "warehouse" / "schema.sql").read_text(encoding="utf-8")))
    out = []
    for path in sorted((QUERIES_DIR / "checks").glob("*.sql")):
        tables = _tables_read(path.read_text(encoding="utf-8"))
        facts = {t for t in tables if not t.startswith("cfg_")}
        if facts <= schema and facts & {entity, "loads", "rejects"}:
            out.append(path.stem)
    return out


def _memory(var: str, default: str) -> str:
    value = os.environ.get(var, default).strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)", value, flags=re.I):
        raise LoadError(f"{var}={value!r}: write a size such as 4GB or 1500MB", "bad_memory_setting",
                        var=var, value=value)
    return value


def derived_memory() -> str:
    """DuckDB memory limit for the build steps: $PARITY_DERIVED_MEMORY, else 4GB."""
    return _memory("PARITY_DERIVED_MEMORY", "4GB")


# The load pool by the size of the files a build reads: LOAD_POOL_MB[0] up to POOL_GROWS_FROM bytes, growing
# linearly to LOAD_POOL_MB[1] at POOL_FULL_AT and more. A 1M-row deals export (160 MB) keeps the small pool
# and its load stays under 1 GiB RSS; the 10M-deal demo (12 GB of files) spilled its sorts and joins from
# 640MB (a 4M-row deals file: 39-47 s at 640MB, 34-35 s at 1024-1280MB) and has 2 GiB of RSS to spend.
LOAD_POOL_MB = (640, 1280)
POOL_GROWS_FROM, POOL_FULL_AT = 1 << 30, 10 << 30


def load_memory(input_bytes: int = 0) -> str:
    """DuckDB memory limit for staging and merging files (and the build steps, until one runs out of it):
    $PARITY_LOAD_MEMORY, else by `input_bytes`, the size of the files the build reads (LOAD_POOL_MB)."""
    lo, hi = LOAD_POOL_MB
    share = min(max((input_bytes - POOL_GROWS_FROM) / (POOL_FULL_AT - POOL_GROWS_FROM), 0.0), 1.0)
    return _memory("PARITY_LOAD_MEMORY", f"{round(lo + (hi - lo) * share)}MB")


def load_config(con) -> None:
    """data/ config into the cfg_* tables SQL joins with."""
    for name, frame in _config_tables().items():
        con.register("cfg_frame", frame)
        run(con, "create or replace table " + name + " as select * from cfg_frame")
        con.unregister("cfg_frame")


def run_steps(con, steps: Sequence[Step] = STEPS, changed: Iterable[str] | None = None) -> list[dict]:
    """The build steps (etl/steps.py) in their declared order, each temp table dropped after its last reader.

    `changed` names the source tables a load changed; then a step runs only when it reads something
    changed (a source, or an object a step that ran rebuilt), and what it builds counts as changed,
    as does a source it updates when its updates touched rows. A temp table a running step reads is
    made first by its step even when that one has nothing changed to read. None runs every step.
    Returns the steps run, in order: name, seconds, and why it ran.

    They run in the pool the connection has (the load's, 640MB); a statement DuckDB cannot fit in it
    (an ordered list aggregate over 10M deals does not spill) runs again in the derived pool
    (derived_memory(), 4GB), which the rest of the build then keeps. A 1M-row load never grows past
    the small pool, a 10M-deal build grows only where it must."""
    problems = check(steps, SOURCES)
    if problems:
        listed = "; ".join(problems)
        raise LoadError(f"etl/steps.py: the build steps do not add up ({listed}); correct the list, nothing was built",
                        "build_steps_invalid", problems=listed)
    dirty = None if changed is None else set(changed)
    if dirty is None:
        drop_derived(con, steps)
    made_by = temp_producers(steps)
    present: set[str] = set()
    ran: list[dict] = []

    def execute(step: Step, why: str) -> dict[str, int]:
        for name in step.reads:
            if name in made_by and name not in present:
                execute(made_by[name], f"makes {name} for {step.name}")
        started = time.perf_counter()
        with phase(step.name):
            written = run_file(con, step.path, execute=_run_growing)
        present.update(step.temp)
        ran.append({"step": step.name, "seconds": round(time.perf_counter() - started, 3), "why": why})
        return written

    for step, drops in schedule(steps):
        due = sorted(dirty & set(step.reads)) if dirty is not None else []
        if dirty is None or due:
            written = execute(step, "reads " + ", ".join(due) if due else "full build")
            if dirty is not None:
                dirty.update(step.outputs)
                dirty.update(name for name in step.updates if written.get(name))
        drop_temp(con, [n for n in drops if n in present])
        present.difference_update(drops)
    return ran


def drop_temp(con, names: Sequence[str]) -> None:
    """Drops the steps' temp objects `names`: tables, or views over them (attribution_credit's)."""
    if not names:
        return
    views = {v for (v,) in con.execute("select view_name from duckdb_views() where temporary and "
                                       "list_contains($n, view_name)", {"n": list(names)}).fetchall()}
    for name in names:      # names from etl/steps.py, not users
        run(con, f"drop {'view' if name in views else 'table'} temp.main.{name}")


def drop_derived(con, steps: Sequence[Step] = STEPS) -> None:
    """Drops what the steps build where it is already in the warehouse (a copy of the live one, before a
    full build): an object whose kind the steps changed (attribution_credit, once a table, is now a
    view) cannot be replaced by `create or replace`, and the full build makes everything again anyway.
    Only the connection's own database: the agreement preview builds in memory beside an attached one."""
    names = [n for s in steps for n in s.builds]
    found = con.execute("""
        select table_name, 'table' from duckdb_tables() where database_name = current_database() and not temporary
            and schema_name = 'main' and list_contains($n, table_name)
        union all
        select view_name, 'view' from duckdb_views() where database_name = current_database() and not temporary
            and not internal and schema_name = 'main' and list_contains($n, view_name)
        union all
        select distinct function_name, case function_type when 'table_macro' then 'macro table' else 'macro' end
        from duckdb_functions() where database_name = current_database() and not internal
            and schema_name = 'main' and function_type in ('macro', 'table_macro') and list_contains($n, function_name)
        """, {"n": names}).fetchall()
    for name, kind in found:
        run(con, f"drop {kind} main.{name}")    # names from etl/steps.py, not users


def _run_growing(con, stmt: str, params: dict | None = None) -> list:
    """One build statement; out of memory in the small pool, once more in the derived pool. A failed
    statement left nothing behind (DuckDB rolls it back), so running it again is safe."""
    try:
        return run(con, stmt, params)
    except duckdb.OutOfMemoryException:
        setting = "select current_setting('memory_limit')"
        before = con.execute(setting).fetchall()[0][0]
        run(con, "set memory_limit = '" + derived_memory() + "'")
        if con.execute(setting).fetchall()[0][0] == before:
            raise  # already in the derived pool
        return run(con, stmt, params)


def prepare(con) -> None:
    """Macros, the contract's tables and config on a connection: what staging and merges expect."""
    run_file(con, "warehouse/macros.sql")
    run_file(con, "warehouse/schema.sql")
    load_config(con)


def demo_build(con: duckdb.DuckDBPyConnection) -> bool:
    """True when every file loaded is one `python -m etl demo` wrote (data/demo/, same name and bytes): the
    demo company alone, which the app shows without sign-in. A file of one's own loaded beside it (or
    instead) makes it a real warehouse that needs sign-in; a rebuild of the demo stays the demo."""
    rows = con.execute("select distinct file_name, sha256 from loads").fetchall()
    folder = demo_dir()
    for name, sha in rows:
        path = folder / Path(name).name
        if not path.is_file():
            return False
        with open(path, "rb") as fh:
            if hashlib.file_digest(fh, "sha256").hexdigest() != sha:
                return False
    return bool(rows)


def built_by_other_steps(path: Path) -> bool:
    """True when the warehouse at `path` holds derived tables built by other build steps than this code's (the
    product was upgraded since; `make run` rebuilds it then, the pages say so). False for no warehouse, or one
    that records no steps hash."""
    if not path.exists():
        return False
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("select value from meta where key = 'steps_hash'").fetchall()
    except duckdb.CatalogException:
        return False
    finally:
        con.close()
    return bool(rows) and rows[0][0] != steps_hash()


class Builder:
    """Builds the next warehouse file; `commit()` swaps it in, leaving early discards it untouched."""

    def __init__(self, target: Path, fresh: bool = False, input_bytes: int = 0):
        self.target = target
        self.fresh = fresh
        self.input_bytes = input_bytes    # the files this build reads, which size its pool (load_memory)
        self.tmp = sweep.scratch(target)
        # decoded copies of the files being loaded, named as the build's so a crash's are swept too
        self.work = self.tmp.with_name(self.tmp.name + ".work")
        self.con: duckdb.DuckDBPyConnection | None = None
        self._lock: contextlib.ExitStack | None = None
        self.swept: list[dict] = []
        self.changed: set[str] = set()  # source tables the loads so far changed: what the build rebuilds from

    def __enter__(self) -> Builder:
        check_writable(self.target.parent)   # one line (what, where, what to do), not an OSError from below
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self._lock = contextlib.ExitStack()
        # one writer at a time, readers never wait; held until __exit__ (the kernel drops it on a crash)
        self._lock.enter_context(sweep.writer_lock(self.target))
        try:
            return self._open()
        except BaseException:
            self.__exit__()
            raise

    def _open(self) -> Builder:
        # what loads that died mid-way left (build file, its log, spill and work folders): nobody else
        # builds while the lock is held, so all of it is orphaned
        self.swept = sweep.remove_orphans(self.target)
        self.work.mkdir()
        if self.target.exists() and not self.fresh:
            with phase("copy"):
                shutil.copyfile(self.target, self.tmp)
        with phase("open"):
            self._connect()
        return self

    def _connect(self) -> None:
        try:
            self.con = duckdb.connect(str(self.tmp))
        except duckdb.Error as err:
            raise LoadError(f"{self.target}: the warehouse file cannot be opened ({err}); "
                            f"run `python -m etl rebuild`", "warehouse_unreadable", path=str(self.target),
                            detail=str(err).strip().splitlines()[0] if str(err).strip() else "") from None
        # a bounded buffer pool keeps a 1M-row load under 1 GiB RSS; DuckDB spills past it
        self.size_pool(self.input_bytes)
        # No automatic checkpoints: the build file is scratch until commit() CHECKPOINTs it, and the
        # one DuckDB runs on the temp catalog after a big staging write (numbering 20M typed rows)
        # must pin more than a 100MB pool holds ("Checkpoint failed for database temp").
        run(self.con, "set checkpoint_threshold = '1TB'")
        # DuckDB's own progress bar draws on stderr for every long statement: noise beside the CLI's
        run(self.con, "set enable_progress_bar = false")
        prepare(self.con)
        if self.config_stale():
            self.fresh = True

    def size_pool(self, input_bytes: int) -> None:
        """The load pool for a build that reads `input_bytes` of files (a rebuild learns them from raw/)."""
        self.input_bytes = input_bytes
        run(self.con, "set memory_limit = '" + load_memory(input_bytes) + "'")

    def __exit__(self, *exc) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None
        self._discard()
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _discard(self) -> None:
        for suffix in sweep.KINDS:
            path = self.tmp.with_name(self.tmp.name + suffix)
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    def meta(self, key: str) -> str | None:
        rows = self.con.execute("select value from meta where key = $k", {"k": key}).fetchall()
        return rows[0][0] if rows else None

    def config_stale(self) -> bool:
        """True when rows were canonicalised with other config than data/ holds now."""
        has_rows = self.con.execute("select count(*) from loads").fetchall()[0][0] > 0
        return has_rows and self.meta("config_hash") != config.config_hash()

    def reset(self) -> None:
        """Empties every fact table: a rebuild replays data/raw/ from nothing."""
        for (table,) in self.con.execute(
                "select table_name from duckdb_tables() where not temporary").fetchall():
            run(self.con, 'drop table "' + table + '"')  # names from the catalog, not users
        run_file(self.con, "warehouse/schema.sql")
        self.refresh_config()

    def refresh_config(self) -> None:
        load_config(self.con)

    def wrote(self, tables: Iterable[str]) -> None:
        """Notes source tables a committed file changed, so commit() rebuilds what reads them."""
        self.changed.update(t for t in tables if t in SOURCES)

    def full_build(self) -> bool:
        """True when every step must run: a fresh build, or derived tables built under other steps or config."""
        return (self.fresh or self.meta("steps_hash") != steps_hash()
                or self.meta("config_hash") != config.config_hash())

    def loaded(self, sha: str) -> tuple[int, str] | None:
        rows = self.con.execute("select load_id, strftime(loaded_at, '%Y-%m-%d %H:%M') from loads "
                                "where sha256 = $s", {"s": sha}).fetchall()
        return rows[0] if rows else None

    def next_load_id(self) -> int:
        return self.con.execute("select coalesce(max(load_id), 0) + 1 from loads").fetchall()[0][0]

    def commit(self) -> dict[str, Any]:
        """Build steps, checks, CHECKPOINT, then os.replace: readers see old or new, never half.
        Returns build-wide figures for the load summary, and the steps run (`steps_run`)."""
        # The derived tables join whole fact tables (80M touchpoints at 10M deals) with operators that
        # cannot all spill to disk (ordered list aggregates): a statement that needs more than the load
        # pool gets the larger, still bounded, derived pool (run_steps).
        with phase("derived"):
            ran = run_steps(self.con, changed=None if self.full_build() else self.changed)
        with phase("checks"):
            try:
                counts = run_checks(self.con)
            except duckdb.OutOfMemoryException:  # outside a transaction: nothing to undo, run them again
                run(self.con, "set memory_limit = '" + derived_memory() + "'")
                counts = run_checks(self.con)
            failed = {k: v for k, v in counts.items() if v}
        if failed:
            listed = ", ".join(f"{k}: {v} rows" for k, v in failed.items())
            raise LoadError(f"data checks failed ({listed}); the warehouse was left unchanged", "build_checks_failed",
                            checks=listed, failed=failed)
        # build-wide figures the load summary states (the deals_from_leads step)
        stats: dict[str, Any] = {"deals_channel_from_lead": self.con.execute(
            "select count(*) from deals where channel_from_lead").fetchall()[0][0], "steps_run": ran}
        now = dt.datetime.now().isoformat(timespec="seconds")
        # the agreements the numbers were built with: pages read them from here, not from data/
        agreed = (config_dir() / "agreements.toml").read_text(encoding="utf-8")
        # and their version, which every page and slide that uses them names ("agreement v3 of 12.01.2026");
        # demo: whether the app may run without sign-in (ui/auth.py); steps_hash: what the derived tables were
        # built by; steps_run: what this build ran (bench etl prints it)
        version, agreed_on = config.agreement_version(config.check_agreements(agreed, "agreements.toml"))
        for key, value in (("config_hash", config.config_hash()), ("built_at", now), ("agreements", agreed),
                           ("agreement_version", str(version)),
                           ("agreement_date", agreed_on.isoformat() if agreed_on else ""),
                           ("steps_hash", steps_hash()), ("steps_run", json.dumps(ran)),
                           ("demo", "true" if demo_build(self.con) else "false")):
            run(self.con, "insert or replace into meta values ($k, $v)", {"k": key, "v": value})
        with phase("checkpoint"):
            run(self.con, "checkpoint")
            self.con.close()
            self.con = None
        with phase("swap"):
            os.replace(self.tmp, self.target)
        return stats
