"""What a proposed agreement would move, before anyone approves it: each channel's credited revenue under
the proposed attribution model and weights, and the funnel's SLA share, qualified share and lead-to-deal
conversion under the proposed SLA, next to what the warehouse shows now.

The proposal's numbers come from the build's own SQL: an in-memory DuckDB database attaches the
warehouse read-only, holds the proposal's cfg_agreement and cfg_attribution, and reruns only the build
steps (etl/steps.py) the change reaches on the way to the tables the effect reads; names resolve to the
recomputed tables first, then to the warehouse. Everything aggregates in DuckDB; pandas gets the rows
of a channel table and one funnel row. The same queries (queries/app) then run on both sides.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from analysis import attribution
from etl import config
from etl.build import agreement_tables
from etl.sqlfiles import run_file
from etl.steps import STEPS, Step
from model import access, agreements, metrics
from model.filters import Filters
from model.runner import APP_CONFIG, Runner, connect, prepare, runner
from model.users import User
from model.views.contribution import with_models

# What the effect reads (attribution_by_channel, the Markov and Shapley inputs, funnel_scorecard_month):
# the steps that build these are rerun when the change reaches them.
TARGETS = frozenset({"attribution_channel_rows", "attribution_channel_day_compact",
                     "attribution_channel_month_compact", "attribution_models", "credited_to",
                     "attribution_transitions", "attribution_channel_sets", "mart_spend_day", "mart_leads_day",
                     "funnel_rows", "mart_funnel_day", "mart_funnel_month"})
SEARCH = "set search_path = 'memory.main,wh.main'"
FUNNEL = ("leads", "qualified", "qualified_share", "within_sla", "sla_share", "converted", "lead_to_deal")


def steps_to_rerun(changed: set[str]) -> list[Step]:
    """The build steps, in order, that make TARGETS differently once the `changed` cfg tables change, with
    the steps that make the temp tables those read (temp tables are not kept in the warehouse)."""
    affected = set(changed)
    for step in STEPS:
        if affected & set(step.reads):
            affected |= set(step.outputs)
    want, needed = set(TARGETS), []
    for step in reversed(STEPS):
        makes = set(step.outputs) & want
        if makes and (makes & affected or set(step.temp) & want):
            if step.updates:    # never: the steps that rewrite sources read no agreement
                raise RuntimeError(f"step {step.name} rewrites sources; the effect cannot rerun it")
            needed.append(step)
            want |= set(step.reads)
    return needed[::-1]


def changed_tables(current: dict, proposed: dict) -> set[str]:
    """The cfg tables (cfg_agreement, cfg_attribution) whose values for the build differ between two
    agreements."""
    def tables(doc: dict) -> dict[str, pd.DataFrame]:
        out = agreement_tables(doc)
        # the model's name picks which credit a page reads; the build computes every rule model's
        out["cfg_attribution"] = out["cfg_attribution"].query("key != 'model'").reset_index(drop=True)
        return out
    old, new = tables(current), tables(proposed)
    return {name for name in new if not new[name].equals(old[name])}


@contextmanager
def overlay(path: Path, proposed: dict, changed: set[str]) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory database over the warehouse at `path` (read-only) with the proposal's cfg tables and
    the steps its change reaches rerun into memory."""
    con = duckdb.connect(config=APP_CONFIG)
    link = path.with_name(f".{path.name}.effect-{uuid.uuid4().hex}")   # this file, even if a build swaps one in
    try:
        try:
            os.link(path, link)
        except OSError:     # a file system without hard links: the path itself
            link = path
        con.execute("attach '" + str(link).replace("'", "''") + "' as wh (read_only)")
        if link != path:
            link.unlink()
        con.execute(SEARCH)
        for name, frame in agreement_tables(proposed).items():
            con.register("cfg_frame", frame)
            con.execute("create table " + name + " as select * from cfg_frame")   # names from etl.build
            con.unregister("cfg_frame")
        run_file(con, "warehouse/macros.sql")    # the build's helpers (temporary macros: not in the file)
        for step in steps_to_rerun(changed):
            run_file(con, step.path)
        yield con
    finally:
        if link != path:
            link.unlink(missing_ok=True)
        con.close()


def _runner(con: duckdb.DuckDBPyConnection, user: User | None) -> Runner:
    """A Runner over the overlay as `user` (model/access.py's rules, as the runner applies them): each query on
    its own cursor, which resolves names as the overlay does."""
    def run(name: str, params: dict) -> pd.DataFrame:
        sql, bound, scope = prepare(name, params, user)
        cur = con.cursor()
        try:
            cur.execute(SEARCH)
            rows = cur.execute(sql, bound or None).df()
        finally:
            cur.close()
        return access.screen(scope, name, metrics.with_formulas(name, rows))
    return run


def _numbers(run: Runner, f: Filters, model: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(credited revenue per channel under `model`, the funnel's period totals with their shares)."""
    p = f.params()
    d = {"by_channel": run("attribution_by_channel", {**p, "model": model if model in attribution.RULE_MODELS
                                                      else "linear"}),
         "transitions": run("attribution_transitions", p), "channel_sets": run("attribution_channel_sets", p),
         "model": pd.DataFrame({"model": [model]})}
    credit = with_models(d)["by_channel"][["channel", "revenue"]]
    month = run("funnel_scorecard_month", p)
    totals = month[["leads", "qualified", "converted", "judged", "contacted", "within_sla"]].sum().to_frame().T
    return credit, metrics.with_formulas("funnel_scorecard_month", totals)


def effect(proposed_text: str, f: Filters, path: Path, user: User | None) -> dict:
    """What the proposal moves for filters `f` on the warehouse at `path`, against what it was built with:
    `channels` (channel, current, proposed, change), `funnel` (metric, current, proposed, change), the
    models compared and the cfg tables the change reaches (none: only texts or the model's name changed,
    and the warehouse already holds every rule model's credit). Both sides run as `user` (a regional user's
    numbers are their regions')."""
    proposed = config.check_agreements(proposed_text, "proposal")
    new_model = {**config.ATTRIBUTION_DEFAULTS, **proposed.get("attribution", {})}["model"]
    con = connect(path)
    try:
        run: Runner = runner(con, user)     # the warehouse as built
        built = agreements.agreements(run) or config.agreements()
        now_model = {**config.ATTRIBUTION_DEFAULTS, **built.get("attribution", {})}["model"]
        credit_now, funnel_now = _numbers(run, f, now_model)
        changed = changed_tables(built, proposed)
        if not changed:
            credit_new, funnel_new = _numbers(run, f, new_model)
    finally:
        con.close()
    if changed:
        with overlay(path, proposed, changed) as over:
            credit_new, funnel_new = _numbers(_runner(over, user), f, new_model)
    channels = credit_now.merge(credit_new, on="channel", how="outer", suffixes=("_now", "_new"))
    channels = pd.DataFrame({"channel": channels.channel,
                             "current": channels.revenue_now.astype(float).fillna(0.0),
                             "proposed": channels.revenue_new.astype(float).fillna(0.0)})
    channels["change"] = channels.proposed - channels.current
    channels = channels.sort_values("proposed", ascending=False, kind="stable").reset_index(drop=True)
    funnel = pd.DataFrame({"metric": FUNNEL, "current": [float(funnel_now[m].iloc[0]) for m in FUNNEL],
                           "proposed": [float(funnel_new[m].iloc[0]) for m in FUNNEL]})
    funnel["change"] = funnel.proposed - funnel.current
    return {"channels": channels, "funnel": funnel, "model_now": now_model, "model_new": new_model,
            "changed": sorted(changed)}
