"""The metric registry: every business number Parity shows, defined once.

Each `Metric` has a key, a unit, the grain it is computed at, the filters it honours, the SQL that
computes it (a queries/app file and its column, or a formula over other metrics) and, for plan figures,
its basis:

- "period":  against the plan of the chosen window, each month's plan prorated to its days inside it
             ("к плану периода");
- "to_date": against the plan of the window up to the data's latest day ("к плану на дату");
- "forecast": the run-rate forecast of the whole window (fact / elapsed days x days) against the plan
             of the period ("прогноз").

Names and definitions in both languages live in model/metrics.toml, read here; the Data page lists
them from `definitions()`. Surfaces read numbers through `region_table()` (one row per region plus the
total row) and `totals()`; tests compare every surface with these and with SQL written independently.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.forecast import run_rate
from model import catalog
from model.filters import Filters

BASES = ("period", "to_date", "forecast")
UNITS = ("money", "money_own", "count", "share", "money_per", "hours")
PERIOD_FILTERS = ("period", "regions", "products")
NOW_FILTERS = ("regions", "products")
TEXTS = Path(__file__).with_name("metrics.toml")
REGION_QUERY = "metrics_region"            # region rows and the total row
REGION_MONTH_QUERY = "plan_fact_region_month"   # region x month x plan metric, same bases


@dataclass(frozen=True)
class Metric:
    key: str
    unit: str                      # money (base currency), count, share, money_per (money per unit)
    grain: str                     # "region" (and the total), "region_month"
    filters: tuple[str, ...]       # which of the sidebar's filters it honours
    query: str | None = None       # queries/app/<query>.sql computes it as column `key`, or ...
    ratio: tuple[str, str] | None = None         # ... numerator / denominator (registered metrics), or
    combine: tuple[str, str, str] | None = None  # ... (a, "+" or "-", b)
    basis: str | None = None       # plan figures: one of BASES
    higher_is_better: bool = True
    computed: str | None = None    # ... or the Python function that computes it (a forecast, an estimator)
    cost: bool = False             # a cost per unit: with no cost recorded (0) it is unknown, not free

    @property
    def source(self) -> str:
        if self.query:
            return f"queries/app/{self.query}.sql: {self.key}"
        if self.ratio:
            return f"{self.ratio[0]} / {self.ratio[1]}"
        if self.combine:
            return " ".join(self.combine)
        return self.computed or ""


def _m(key, unit, query: str | None = REGION_QUERY, ratio=None, combine=None, basis=None,
       filters=PERIOD_FILTERS, grain="region", higher=True, computed=None, cost=False) -> Metric:
    return Metric(key, unit, grain, filters, None if ratio or combine or computed else query, ratio, combine, basis,
                  higher, computed, cost)


_PLAN = ("revenue", "deals", "leads", "spend")
# what each plan metric is compared with
PLAN_FACT = {"revenue": "revenue", "deals": "deals_created", "leads": "leads", "spend": "spend"}

REGISTRY: dict[str, Metric] = {m.key: m for m in (
    _m("revenue", "money"), _m("deals_won", "count"), _m("deals_lost", "count"), _m("deals_created", "count"),
    _m("revenue_sourced", "money"), _m("revenue_influenced", "money"), _m("deals_won_sourced", "count"),
    _m("deals_won_priced", "count"),
    _m("spend", "money", higher=False), _m("leads", "count"), _m("qualified", "count"),
    _m("open_deals", "count", filters=NOW_FILTERS), _m("open_pipeline", "money", filters=NOW_FILTERS),
    *(_m(f"{p}_plan_{b}", "money" if p in ("revenue", "spend") else "count", basis=b)
      for p in _PLAN for b in ("period", "to_date")),
    *(_m(f"{p}_vs_plan_{b}", "share", ratio=(PLAN_FACT[p], f"{p}_plan_{b}"), basis=b,
         higher=p != "spend") for p in _PLAN for b in ("period", "to_date")),
    *(_m(f"{p}_gap_{b}", "money" if p in ("revenue", "spend") else "count",
         combine=(PLAN_FACT[p], "-", f"{p}_plan_{b}"), basis=b, higher=p != "spend")
      for p in _PLAN for b in ("period", "to_date")),
    _m("revenue_forecast", "money", basis="forecast", computed="model/metrics.py: forecast()"),
    _m("revenue_forecast_vs_plan", "share", ratio=("revenue_forecast", "revenue_plan_period"), basis="forecast"),
    # the days of the window each plan metric's lines cover: a fact (and revenue's forecast) is compared only
    # with a plan of every day its basis counts (<p>_vs_plan_*, <p>_gap_* and revenue_forecast_vs_plan are
    # missing otherwise, and the surfaces say how many days the plan covers and which have none)
    *(_m(f"{p}_plan_days", "count", basis="period", computed="model/metrics.py: plan_days()") for p in _PLAN),
    _m("deals_closed", "count", combine=("deals_won", "+", "deals_lost")),
    _m("marketing_return", "money", combine=("revenue_sourced", "-", "spend")),
    _m("avg_deal", "money_per", ratio=("revenue", "deals_won_priced")),   # a won deal without an amount: unknown
    _m("win_rate", "share", ratio=("deals_won", "deals_closed")),
    # a channel or region with leads and no spend loaded (SEO, events, a platform not exported) has no
    # known cost per lead: "—" beside its ROMI's "—", not a cost of 0
    _m("cpl", "money_per", ratio=("spend", "leads"), higher=False, cost=True),
    _m("cac", "money_per", ratio=("spend", "deals_won_sourced"), higher=False, cost=True),
    _m("romi", "share", ratio=("marketing_return", "spend")),
    _m("sourced_share", "share", ratio=("revenue_sourced", "revenue")),
    _m("influenced_share", "share", ratio=("revenue_influenced", "revenue")),
    _m("qualified_share", "share", ratio=("qualified", "leads")),
    _m("revenue_in_currency", "money_own", query="kpi_deals", grain="currency"),
    # the funnel: the period's leads (by creation day) and how far they went, at any later date
    *(_m(k, "count", query="funnel_breakdown", grain="lead_cohort", filters=("period", "regions"))
      for k in ("converted", "won_leads", "cohort_won_deals", "sla_judged", "contacted", "within_sla",
                "linked_leads")),
    _m("cohort_revenue", "money", query="funnel_breakdown", grain="lead_cohort", filters=("period", "regions")),
    _m("response_hours_sum", "hours", query="funnel_breakdown", grain="lead_cohort", filters=("period", "regions"),
       higher=False),
    # the agreed first-contact rule judges all the period's leads whose exports record first contacts: a lead
    # nobody contacted is not in time; a lead of an export with no first-contact column is not judged (unknown)
    *(_m(k, "share", ratio=r, grain="lead_cohort", filters=("period", "regions")) for k, r in (
        ("within_sla_share", ("within_sla", "sla_judged")), ("lead_to_deal", ("converted", "leads")),
        ("qualified_to_deal", ("converted", "qualified")), ("deal_to_won", ("won_leads", "converted")),
        ("lead_to_won", ("won_leads", "leads")))),
    _m("cohort_revenue_per_lead", "money_per", ratio=("cohort_revenue", "leads"), grain="lead_cohort",
       filters=("period", "regions")),
    _m("response_hours_mean", "hours", ratio=("response_hours_sum", "contacted"), grain="lead_cohort",
       filters=("period", "regions"), higher=False),
    _m("revenue_per_lead", "money_per", ratio=("revenue", "leads"), grain="channel",
       filters=("period", "regions", "products")),
    _m("unattributed_revenue", "money", query="attribution_unattributed", grain="period"),
    _m("unattributed_share", "share", ratio=("unattributed_revenue", "revenue"), grain="period"),
    # attribution under the agreed (or chosen) model
    *(_m(k, unit, query="attribution_by_channel", grain="channel", filters=("period", "regions"))
      for k, unit in (("attributed_revenue", "money"), ("attributed_pipeline", "money"),
                      ("attributed_deals", "count"), ("attributed_open_deals", "count"))),
    _m("attributed_return", "money", combine=("attributed_revenue", "-", "spend"), grain="channel",
       filters=("period", "regions")),
    _m("attributed_share", "share", ratio=("attributed_revenue", "revenue"), grain="channel",
       filters=("period", "regions")),
    _m("attributed_romi", "share", ratio=("attributed_return", "spend"), grain="channel",
       filters=("period", "regions")),
    # what the data-driven models are fitted from: closed deals' channel paths, the whole company's
    *(_m(k, unit, query="attribution_transitions", grain="transition", filters=("period",))
      for k, unit in (("path_transitions", "count"), ("path_won_value", "money"))),
    *(_m(k, unit, query="attribution_channel_sets", grain="channel_set", filters=("period",))
      for k, unit in (("channel_set_deals", "count"), ("channel_set_value", "money"))),
    # CRM against accounting, in the deal's own currency
    *(_m(k, unit, query="recon_by_region_month", grain="region_month_currency", filters=("period", "regions"))
      for k, unit in (("accounting_sales", "money_own"), ("accounting_returns", "money_own"),
                      ("recon_difference", "money_own"), ("recon_crm_only", "count"),
                      ("recon_accounting_only", "count"), ("recon_returns", "count"))),
    # regional flights and the impact page's daily panel
    _m("flight_spend", "money", query="flights_list", grain="flight", filters=("period", "regions")),
    _m("flight_spend_share", "share", query="flights_list", grain="flight", filters=("period", "regions")),
    _m("panel_value", "count", query="flight_panel", grain="region_day", filters=("period",)),
    # a flight's effect, estimated on that panel with its interval (the impact page, its deck slide)
    _m("incremental_revenue", "money", grain="flight", filters=("period",),
       computed="analysis/impact.py: estimate_impact()"),
    _m("incremental_return", "money", combine=("incremental_revenue", "-", "flight_spend"), grain="flight",
       filters=("period",)),
    _m("incremental_romi", "share", ratio=("incremental_return", "flight_spend"), grain="flight", filters=("period",)),
)}
BASE_COLUMNS = tuple(k for k, m in REGISTRY.items() if m.query == REGION_QUERY)


@functools.cache
def _texts() -> dict[str, Any]:
    return tomllib.loads(TEXTS.read_text(encoding="utf-8"))


def text(key: str, lang: str, part: str = "name") -> str:
    """A metric's name or definition ("definition"), or a basis label ("basis.period") in `lang`.
    Plan metrics (<what>_plan_<basis>, <what>_vs_plan_<basis>, <what>_gap_<basis>) are their family's
    text with the plan metric and basis filled in."""
    texts = _texts()[lang]
    if key.startswith("basis."):
        return texts["basis"][key.split(".", 1)[1]]
    if key in texts:
        return texts[key][part]
    what, sep, _ = key.partition("_plan_days")
    if sep and not _ and what in texts["what"]:
        return texts["family"]["plan_days"][part].format(what=texts["what"][what])
    for family in ("vs_plan", "plan", "gap"):
        what, sep, basis = key.partition(f"_{family}_")
        if sep and basis in texts["basis"] and what in texts["what"]:
            word = texts["what"][what]
            cover = texts["family"]["cover"]["definition"].format(what=word) if (
                part == "definition" and family != "plan") else ""
            return texts["family"][family][part].format(
                what=word, What=word[:1].upper() + word[1:], basis=texts["basis"][basis],
                basis_definition=texts["basis_definition"][basis]) + cover
    raise KeyError(f"no {lang} text for metric {key!r} in {TEXTS.name}")


def definitions(lang: str) -> pd.DataFrame:
    """The registry as a table for the Data page: name, definition, basis, unit, grain, filters, source."""
    rows = []
    for key, m in REGISTRY.items():
        rows.append({"key": key, "name": text(key, lang), "definition": text(key, lang, "definition"),
                     "basis": text(f"basis.{m.basis}", lang) if m.basis else "",
                     "unit": _texts()[lang]["unit"][m.unit], "grain": _texts()[lang]["grain"][m.grain],
                     "filters": ", ".join(_texts()[lang]["filter"][x] for x in m.filters), "source": m.source})
    return pd.DataFrame(rows)


def _ratio(a: np.ndarray, b: np.ndarray, cost: bool = False) -> np.ndarray:
    """a / b, NaN where b is 0 or missing (no plan, no deals: no ratio, not 0 %); for a cost per unit
    (`cost`) also where the cost a is 0 or missing (none recorded: unknown, not free)."""
    a, b = a.astype("float64"), b.astype("float64")
    where = (b != 0) & ~np.isnan(b)
    if cost:
        where &= (a != 0) & ~np.isnan(a)
    return np.divide(a, b, out=np.full(len(a), np.nan), where=where)


def forecast(fact: np.ndarray, start: dt.date, end: dt.date, data_to) -> np.ndarray:
    """analysis.forecast.run_rate for each fact: fact / elapsed days x days of the window, elapsed
    counted up to the data's latest day; the fact itself once the window is over; NaN before it starts
    (run_rate is linear in the fact, so its factor for 1 scales every row)."""
    factor = run_rate(1.0, start, end, None if pd.isna(data_to) else pd.Timestamp(data_to))
    fact = fact.astype("float64")
    return fact * factor.forecast if factor.forecast is not None else np.full(len(fact), np.nan)


def _months(months) -> list[dt.date]:
    """A row's <metric>_plan_months (a list DuckDB returns, or missing) as dates."""
    if months is None or (not hasattr(months, "__len__") and pd.isna(months)):
        return []
    # DuckDB hands dates; a pandas Timestamp per month and a MonthEnd offset cost the Overview ~10 ms a run
    if isinstance(months, np.ndarray) and months.dtype.kind == "M":   # a pandas frame's list: datetime64 days
        return months.astype("datetime64[D]").tolist()
    return [m if type(m) is dt.date else pd.Timestamp(m).date() for m in months]


def _month_end(m: dt.date) -> dt.date:
    return m.replace(day=calendar.monthrange(m.year, m.month)[1])


def plan_days(months, start: dt.date, end: dt.date) -> int:
    """Days of [start, end] inside the plan months given (a row's <metric>_plan_months)."""
    days = 0
    for m in _months(months):
        last = _month_end(m)
        days += max(0, (min(last, end) - max(m, start)).days + 1)
    return days


def plan_gaps(months, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The stretches of [start, end] no plan month covers, first to last: what a surface names when it
    does not compare a forecast of the whole window with a plan of part of it."""
    covered = sorted(_months(months))
    gaps, day = [], start
    for m in covered:
        last = _month_end(m)
        if last < day:
            continue
        if m > day:
            gaps.append((day, min(m - dt.timedelta(days=1), end)))
        day = last + dt.timedelta(days=1)
        if day > end:
            break
    if day <= end:
        gaps.append((day, end))
    return [g for g in gaps if g[0] <= g[1]]


def derive(rows: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """The registry's formula metrics over base rows (one row per region and the total alike): counts
    filled with 0 where a region had none, plans left missing where there is no plan line."""
    col = {c: rows[c].to_numpy() for c in rows.columns}
    for key in BASE_COLUMNS:
        if key not in col:
            col[key] = np.full(len(rows), np.nan)
        if "_plan_" not in key:
            col[key] = np.nan_to_num(col[key].astype("float64"), nan=0.0)
        else:
            col[key] = col[key].astype("float64")
    if "leads_known" in rows and len(rows) and not rows["leads_known"].any():
        # a leads plan beside no leads export: the fact is unknown («—»), not 0 leads at 0 % of plan
        for key in ("leads", "qualified"):
            col[key] = np.full(len(rows), np.nan)
    data_to = rows["data_to"].iloc[0] if "data_to" in rows and len(rows) else None
    col["revenue_forecast"] = forecast(col["revenue"], f.date_from, f.date_to, data_to)
    months = {p: rows[f"{p}_plan_months"] if f"{p}_plan_months" in rows else [None] * len(rows) for p in _PLAN}
    for p in _PLAN:
        col[f"{p}_plan_days"] = np.array([plan_days(m, f.date_from, f.date_to) for m in months[p]], dtype="float64")
    at_region = {k: m for k, m in REGISTRY.items() if m.grain == "region"}
    for key, m in at_region.items():       # sums and differences first: ratios may divide them
        if m.combine:
            a, op, b = m.combine
            col[key] = col[a] + col[b] if op == "+" else col[a] - col[b]
    for key, m in at_region.items():
        if m.ratio:
            col[key] = _ratio(col[m.ratio[0]], col[m.ratio[1]], m.cost)
    # revenue (leads, deals, spend) of 01.11-31.12, or a forecast of it, against a plan of November alone is
    # no comparison: the fact of 61 days over a plan of 30. A share or gap of plan is kept only where that
    # metric's plan covers every day its basis counts: the window (period, forecast) or the window up to the
    # data's date (to date)
    whole = (f.date_to - f.date_from).days + 1
    to = min(f.date_to, pd.Timestamp(data_to).date()) if data_to is not None and not pd.isna(data_to) else None
    for p in _PLAN:
        covered = {"period": col[f"{p}_plan_days"] >= whole}
        if to is not None and to >= f.date_from:
            covered["to_date"] = np.array([plan_days(m, f.date_from, to) for m in months[p]]) >= (
                (to - f.date_from).days + 1)
        else:      # no day of the window has data yet: nothing to compare to date (the plan to date is 0)
            covered["to_date"] = np.zeros(len(rows), dtype=bool)
        keys = [(f"{p}_{k}_{b}", b) for k in ("vs_plan", "gap") for b in ("period", "to_date")]
        if p == "revenue":
            keys.append(("revenue_forecast_vs_plan", "period"))
        for key, basis in keys:
            col[key] = np.where(covered[basis], col[key], np.nan)
    return pd.DataFrame(col, index=rows.index)


def region_table(run: Callable[[str, dict], pd.DataFrame], f: Filters) -> pd.DataFrame:
    """One row per region with any data or plan in the window (unknown ones flagged), then the total
    row (`is_total`), with every registered metric at the region grain."""
    return derive(run(REGION_QUERY, f.params()), f)


def totals(table: pd.DataFrame) -> dict[str, float | None]:
    """The total row of `region_table` as {metric: value} (None where there is no value)."""
    row = table[table.is_total].iloc[0]
    return {k: (None if pd.isna(row[k]) else float(row[k])) for k, m in REGISTRY.items() if m.grain == "region"}


def regions(table: pd.DataFrame) -> pd.DataFrame:
    """The region rows of `region_table` (the total row left out)."""
    return table[~table.is_total].reset_index(drop=True)


def _formula(key: str, col: dict[str, np.ndarray]) -> np.ndarray:
    """Metric `key` over the arrays in `col` ({metric: values}), the registry's combine and ratio
    formulas resolved down to what `col` holds."""
    if key in col:
        return col[key]
    m = REGISTRY[key]
    if m.combine:
        a, op, b = m.combine
        x, y = _formula(a, col), _formula(b, col)
        col[key] = x + y if op == "+" else x - y
    elif m.ratio:
        col[key] = _ratio(_formula(m.ratio[0], col), _formula(m.ratio[1], col), m.cost)
    else:
        raise KeyError(f"metric {key!r} is computed by {m.source}, not a formula over the given columns")
    return col[key]


def formulas(frame: pd.DataFrame, inputs: dict[str, str], wanted: dict[str, str]) -> pd.DataFrame:
    """`frame` plus a column for each {column: metric} in `wanted`, each the registry's formula of that
    metric over the frame's columns `inputs` ({column: metric}); NaN where a ratio divides by 0 or a
    missing value (a share of nothing is no share, not 0 %). Whatever breakdown the rows are (a channel,
    a manager, a month, a summed 'rest' row), a ratio is computed here, from its parts, never averaged."""
    col = {metric: pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
           for c, metric in reversed(inputs.items()) if c in frame}   # a metric's first column wins
    return frame.assign(**{c: _formula(metric, col) for c, metric in wanted.items()})


# A channel table's «Без атрибуции» / Unattributed row (channel 'unattributed') holds revenue credited to no
# channel beside leads and spend whose channel is 'unknown' (a campaign no rule maps): the spend did not buy
# that revenue or those leads, so the row has no ROMI and no cost per lead ("—", the page says why). A
# campaign's own row keeps them: its spend against the revenue credited to that campaign.
NO_RETURN_ROW = {"attribution_by_channel": ("channel", "unattributed", ("romi", "cpl"))}


# A funnel whose period has no lead a deal names by its lead id (a Bitrix24 deal list has no lead id column)
# cannot say what the leads' deals won: its won step, their revenue and every share built on them are unknown
# («—»), not 0 (113 won deals read «Выиграно 0»). With any such link the figures stand.
UNLINKED = {"funnel_breakdown": ("linked_leads", ("won_leads", "won_deals", "won_revenue_base", "to_won",
                                                  "lead_to_won", "win_rate", "revenue_per_lead"))}


def with_formulas(name: str, frame: pd.DataFrame, only: tuple[str, ...] | None = None) -> pd.DataFrame:
    """_with_formulas(), then the NO_RETURN_ROW rule (the Unattributed row has no ROMI and no cost per lead)
    and the UNLINKED rule (no lead linked to a deal: the won figures unknown)."""
    out = _with_formulas(name, frame, only)
    if name in NO_RETURN_ROW and not out.empty:
        key, value, cols = NO_RETURN_ROW[name]
        out = out.assign(**{c: out[c].where(out[key] != value) for c in cols if c in out})
    if name in UNLINKED and not out.empty and UNLINKED[name][0] in out:
        link, unknown = UNLINKED[name]
        known = pd.to_numeric(out[link], errors="coerce").fillna(0).gt(0)
        out = out.assign(**{c: out[c].astype("float64").where(known) for c in unknown if c in out})
    return out


def _with_formulas(name: str, frame: pd.DataFrame, only: tuple[str, ...] | None = None) -> pd.DataFrame:
    """A query's rows plus the formula columns model/catalog.py's DERIVED declares for it (or the `only`
    ones of them): the runner calls this on every read, and views on the rows they sum, so no surface
    divides on its own. A query in plan_fact_region_month's long format (a `metric` column) resolves
    "{metric}" and "{fact}" per row's plan metric."""
    wanted = catalog.DERIVED.get(name)
    if wanted and only is not None:
        wanted = {c: wanted[c] for c in only}
    if not wanted or frame.empty:
        return frame.assign(**{c: np.full(len(frame), np.nan) for c in wanted or {}})
    inputs = catalog.SOURCES[name]
    if not any("{" in m for m in (*inputs.values(), *wanted.values())):
        return formulas(frame, inputs, wanted)
    parts = []
    for plan_metric, rows in frame.groupby("metric", sort=False):
        fill = {"metric": str(plan_metric), "fact": PLAN_FACT[str(plan_metric)]}
        parts.append(formulas(rows, {c: m.format(**fill) for c, m in inputs.items()},
                              {c: m.format(**fill) for c, m in wanted.items()}))
    return pd.concat(parts).loc[frame.index]
