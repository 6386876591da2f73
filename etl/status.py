"""What the warehouse holds: row counts, freshness per source, loads, rejects, config state."""
from __future__ import annotations

import duckdb

from etl import config
from etl.paths import db_path
from etl.sweep import sweep

TABLES = ("deals", "leads", "touchpoints", "ad_spend", "campaigns", "plan", "activities", "sales", "traffic")
# The date column that says how fresh each source is.
FRESHNESS = {"deals": "created_at", "leads": "created_at", "touchpoints": "touch_at", "ad_spend": "date",
             "sales": "sale_date", "traffic": "period_end", "plan": "month", "activities": "start_date"}


def status() -> dict:
    """What the warehouse holds; first removes what loads killed mid-way left beside it (`swept`)."""
    path = db_path()
    swept = sweep(path)
    if not path.exists():
        return {"warehouse": str(path), "exists": False, "swept": swept,
                "hint": "no warehouse yet: run `python -m etl demo` or `python -m etl load FILE...`"}
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {"warehouse": str(path), "exists": True, "size_bytes": path.stat().st_size, "swept": swept,
               "tables": {}}
        for t in TABLES:
            col = FRESHNESS.get(t)
            n, latest = con.execute("select count(*), " + (("max(" + col + ")::varchar") if col else "null")
                                    + " from " + t).fetchall()[0]
            out["tables"][t] = {"rows": n, "latest": latest}
        # a warehouse built before cell warnings has no cell_warnings table or columns: `etl rebuild` adds them
        fresh = con.execute("select count(*) from duckdb_tables() where table_name = 'cell_warnings'").fetchall()[0][0]
        out["loads"] = [dict(zip(("load_id", "file", "entity", "loaded_at", "rows_loaded", "rows_rejected",
                                  "cells_warned"), r, strict=True))
                        for r in con.execute("select load_id, file_name, entity, loaded_at::varchar, rows_loaded, "
                                             "rows_rejected, " + ("cells_warned" if fresh else "null") +
                                             " from loads order by load_id").fetchall()]
        out["rejects"] = con.execute("select count(*) from rejects").fetchall()[0][0]
        out["cell_warnings"] = con.execute("select count(*) from cell_warnings").fetchall()[0][0] if fresh else None
        out["deals_channel_from_lead"] = con.execute(
            "select count(*) from deals where channel_from_lead").fetchall()[0][0] if fresh else None
        meta = dict(con.execute("select key, value from meta").fetchall())
        out["built_at"] = meta.get("built_at")
        out["config_current"] = meta.get("config_hash") == config.config_hash()
        out["unknown_regions"] = con.execute(
            "select count(*) from deals where region not in (select region from cfg_regions)").fetchall()[0][0]
        # values no vocabulary rule matched, per dimension and table (python -m etl vocab lists them)
        has_dq = con.execute(
            "select count(*) from duckdb_tables() where table_name = 'dq_unrecognised'").fetchall()[0][0]
        out["unrecognised"] = [
            dict(zip(("dimension", "source", "values", "rows", "share"), r, strict=True)) for r in con.execute(
                "select dimension, source, count(*), sum(rows), sum(share) from dq_unrecognised group by all "
                "order by 4 desc").fetchall()] if has_dq else None
        return out
    finally:
        con.close()
