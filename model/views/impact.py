"""The campaign impact page: the regional flights, one flight's panel, the estimate and its verdict."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from model import metrics
from model.access import masked
from model.filters import Filters
from model.views import fetch, latest_frame

if TYPE_CHECKING:
    from analysis.impact import ImpactResult

METRICS = ("revenue", "won_deals", "leads")
PRE_DAYS, POST_DAYS = 364, 56      # a year before the flight, eight weeks after (for short histories)


def load(f: Filters, run, campaign: str | None = None, metric: str = "revenue") -> dict[str, pd.DataFrame]:
    p = f.params()
    out = fetch(run, {"flights": ("flights_list", p), "agreement": ("agreement", {}), "fresh": ("freshness", {})})
    out["latest"] = latest_frame(out["fresh"])
    # a restricted user's runner masks the flights that also cover other regions (model/access.py): they
    # count for which controls another flight exposed, and are listed nowhere
    out["exposing"], out["flights"] = out["flights"], listed(out["flights"])
    flights = out["flights"]
    if flights.empty:
        return out
    row = flights[flights.campaign == campaign] if campaign else flights.head(1)
    row = row if not row.empty else flights.head(1)
    out["flight"] = row
    start, end = row.start_date.iloc[0], row.end_date.iloc[0]
    latest = pd.Timestamp(out["latest"].latest.iloc[0]).date()
    window = {"date_from": _d(start) - dt.timedelta(days=PRE_DAYS),
              "date_to": min(_d(end) + dt.timedelta(days=POST_DAYS), latest)}
    # the joint activities in the flight's regions, marked on its chart like on every time chart
    out.update(fetch(run, {"panel": ("flight_panel", {"metric": metric, **window}),
                           "activities": ("activities_in_period", {**window, "regions": list(row.regions.iloc[0]),
                                                                   "products": p["products"]})}))
    return out


def listed(flights: pd.DataFrame) -> pd.DataFrame:
    """The flights a page or slide lists: all but those the runner masked for a restricted user."""
    own = [not masked(c) and not any(masked(r) for r in regions)
           for c, regions in zip(flights.campaign, flights.regions, strict=True)]
    return flights.loc[own].reset_index(drop=True)   # .loc: an empty list selects no rows, not no columns


def _d(x) -> dt.date:
    return pd.Timestamp(x).date()


def exposure(flights: pd.DataFrame) -> dict:
    """region -> [(start, end)] of every flight: controls exposed during the window are dropped."""
    out: dict = {}
    for f in flights.itertuples(index=False):
        for region in f.regions:
            out.setdefault(region, []).append((pd.Timestamp(f.start_date), pd.Timestamp(f.end_date)))
    return out


def flight_windows(d: dict) -> tuple:
    """(region, start, end) of every flight the warehouse knows, the masked ones of a restricted user too:
    the planner leaves them out of its history (analysis/planner.py). Plain values, for the page's cache."""
    every = d.get("exposing", d["flights"])
    return tuple((r, s, e) for r, spans in exposure(every).items() for s, e in spans)


def estimate_args(d: dict) -> tuple:
    """What the estimate depends on, as plain hashable values (the page caches on them)."""
    row = d["flight"].iloc[0]
    every = d.get("exposing", d["flights"])
    others = every[every.campaign != row.campaign]
    exposed = tuple((r, s, e) for r, spans in exposure(others).items() for s, e in spans)
    return tuple(row.regions), pd.Timestamp(row.start_date), pd.Timestamp(row.end_date), exposed


def estimate(panel: pd.DataFrame, treated: tuple, start, end, exposed: tuple):
    """estimate_impact on one flight; `exposed` (region, start, end) spans drop controls in the window."""
    from analysis.impact import estimate_impact
    spans: dict = {}
    for region, s, e in exposed:
        spans.setdefault(region, []).append((s, e))
    return estimate_impact(panel, list(treated), start, end, exposed=spans)


def returns(result, spend: float) -> dict[str, float]:
    """The flight's incremental ROMI, (incremental revenue - spend) / spend, at the estimate and at its
    interval's ends, by the registry's formula: ROMI means the same here as on the Overview."""
    row = pd.DataFrame([{"estimate": result.incremental, "low": result.incremental_low,
                         "high": result.incremental_high, "spend": spend}])
    out = {}
    for end, key in (("estimate", "romi"), ("low", "romi_low"), ("high", "romi_high")):
        inputs = {end: "incremental_revenue", "spend": "flight_spend"}
        out[key] = float(metrics.formulas(row, inputs, {key: "incremental_romi"})[key].iloc[0])
    return out


# ------------------------------------------------------------------------------ what the page can prove
# A treated series with nothing on more than this share of its days (e.g. a region with a few deals a
# week) is estimated on weekly totals: a day-level fit of mostly zeros and a few spikes has no log scale,
# a pre-period error over zero weeks and an interval wider than the business.
SPARSE_ZERO_SHARE = 0.2


@dataclass
class FlightEstimate:
    """One flight x metric: the estimate, the grain it was made on and the fit error or why there is none."""
    result: ImpactResult
    weekly: bool                     # estimated on 7-day totals aligned to the flight's first day
    zero_share: float                # share of the treated series' days with nothing, over its data
    fit_error: float                 # weekly MAPE of the reference period, or WAPE when a week was zero
    fit_kind: str                    # "mape", "wape" or a reason code when fit_error is NaN
    chart: pd.DataFrame = field(default_factory=pd.DataFrame)   # weekly date, actual, counterfactual, low, high


def trim(panel: pd.DataFrame, treated, start=None) -> pd.DataFrame:
    """The panel from the first day with data: the first day any region has the metric and the first day
    the treated regions do before the flight's `start` (none: the panel from the first). Before it the
    warehouse holds nothing (zero there is "no data", not "no sales")."""
    if panel.empty:
        return panel
    dates = pd.to_datetime(panel["date"])
    any_day = dates[panel["value"] != 0]
    own = dates[(panel["value"] != 0) & panel["region"].isin(list(treated))]
    if any_day.empty:
        return panel
    first = any_day.min()
    if not own.empty and (start is None or own.min() < pd.Timestamp(start)):
        first = max(first, own.min())     # nothing of the treated regions before the flight: keep it all
    return panel[dates >= first].reset_index(drop=True)


def zero_share(panel: pd.DataFrame, treated) -> float:
    """Share of the days with nothing in the treated regions' sum (the panel already trimmed)."""
    s = panel[panel["region"].isin(list(treated))].groupby("date")["value"].sum()
    return float((s == 0).mean()) if len(s) else float("nan")


def weekly(panel: pd.DataFrame, start) -> pd.DataFrame:
    """7-day totals per region, the weeks aligned to `start` (the flight's first day), only whole weeks;
    each week dated by its first day."""
    dates = pd.to_datetime(panel["date"])
    start = pd.Timestamp(start)
    week = (dates - start).dt.days // 7
    df = panel.assign(week=week)
    out = df.groupby(["region", "week"], as_index=False).agg(value=("value", "sum"), days=("value", "size"))
    out = out[out["days"] == 7]
    out["date"] = start + pd.to_timedelta(out["week"] * 7, unit="D")
    return out[["region", "date", "value"]].sort_values(["region", "date"], ignore_index=True)


def fit_error(result: ImpactResult, start, end) -> tuple[float, str]:
    """The reference period's error of the counterfactual's weekly totals: MAPE when the estimator gave it,
    else (a week with nothing makes a ratio infinite) the volume-weighted |actual - fit| / actual over its
    weeks. NaN and a reason code ("no_full_week", "no_volume") when neither can be computed."""
    if np.isfinite(result.pre_fit):
        return float(result.pre_fit), "mape"
    s = result.series
    ref = s[(s["date"] < pd.Timestamp(start)) | (s["date"] > pd.Timestamp(end))]
    if ref.empty:
        return float("nan"), "no_full_week"
    step = 7 if len(s) > 1 and (s["date"].iloc[1] - s["date"].iloc[0]).days >= 7 else 1
    block = (ref["date"] - ref["date"].iloc[0]).dt.days // 7
    weeks = ref.groupby(block).agg(a=("actual", "sum"), c=("counterfactual", "sum"), n=("actual", "size"))
    weeks = weeks[weeks["n"] == 7 // step]
    if weeks.empty:
        return float("nan"), "no_full_week"
    if not weeks["a"].sum() > 0:
        return float("nan"), "no_volume"
    return float((weeks["a"] - weeks["c"]).abs().sum() / weeks["a"].sum()), "wape"


def weekly_chart(result: ImpactResult, start, end, alpha: float = 0.05) -> pd.DataFrame:
    """The series as whole 7-day totals aligned to the flight's first day, with a band from the
    reference weeks' own errors (their alpha/2 and 1 - alpha/2 quantiles around the weekly fit)."""
    s = result.series.copy()
    s["date"] = pd.to_datetime(s["date"])
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    step = 7 if len(s) > 1 and (s["date"].iloc[1] - s["date"].iloc[0]).days >= 7 else 1
    s["week"] = (s["date"] - start).dt.days // 7
    w = s.groupby("week").agg(actual=("actual", "sum"), counterfactual=("counterfactual", "sum"),
                              n=("actual", "size"))
    w = w[w["n"] == 7 // step].drop(columns="n")
    w["date"] = start + pd.to_timedelta(w.index * 7, unit="D")
    ref = (w["date"] + pd.Timedelta(days=6) < start) | (w["date"] > end)
    gap = (w["actual"] - w["counterfactual"])[ref]
    lo, hi = np.quantile(gap, [alpha / 2, 1 - alpha / 2]) if len(gap) >= 4 else (np.nan, np.nan)
    w["low"], w["high"] = w["counterfactual"] + lo, w["counterfactual"] + hi
    return w.reset_index(drop=True)[["date", "actual", "counterfactual", "low", "high"]]


def estimate_flight(panel: pd.DataFrame, treated: tuple, start, end, exposed: tuple) -> FlightEstimate:
    """The page's estimate of one flight: the panel trimmed to the days with data, on weekly totals when
    the treated series is sparse (SPARSE_ZERO_SHARE), the fit error always a number or a reason.
    Raises ImpactError as estimate_impact does."""
    from analysis.impact import ImpactError
    trimmed = trim(panel, treated, start)
    share = zero_share(trimmed, treated)
    sparse = bool(share > SPARSE_ZERO_SHARE)
    try:
        r = estimate(weekly(trimmed, start) if sparse else trimmed, treated, start, end, exposed)
    except ImpactError:
        if not sparse:
            raise
        # whole weeks can lose the few days a region has (a flight of days, data at the edges): the daily
        # estimate then runs, or names its own reason
        sparse, r = False, estimate(trimmed, treated, start, end, exposed)
    err, kind = fit_error(r, start, end)
    return FlightEstimate(r, sparse, share, err, kind, weekly_chart(r, start, end))


def estimable(e) -> bool:
    """An estimate the page can lead with: made, with a finite p-value and interval."""
    return isinstance(e, FlightEstimate) and bool(np.isfinite([e.result.p_value, e.result.incremental_low,
                                                                e.result.incremental_high]).all())


def fits(e) -> bool:
    """An estimable estimate whose counterfactual follows the reference period's weekly totals within
    POOR_FIT_MAPE (the bound past which estimate_impact warns that the conclusion is unreliable)."""
    from analysis.impact import POOR_FIT_MAPE
    return estimable(e) and bool(e.fit_error <= POOR_FIT_MAPE)


def default_flight(flights: pd.DataFrame, estimates: dict) -> str:
    """The most recent flight (latest start) whose estimate `fits`; else the most recent `estimable` one;
    else the most recent one."""
    order = flights.sort_values("start_date", ascending=False).campaign.tolist()
    return next((c for c in order if fits(estimates.get(c))),
                next((c for c in order if estimable(estimates.get(c))), order[0]))


def steadier(estimates: dict[str, FlightEstimate | str], metric: str) -> str | None:
    """For one flight estimated on every metric ({metric: estimate or ImpactError code}): when the chosen
    `metric`'s estimate does not `fit`, the other metric whose estimate fits best; None when the chosen one
    fits or no other does. (A region's revenue is often a few large deals a week while its leads come
    daily: the same flight can be measured on the one and not on the other.)"""
    if fits(estimates.get(metric)):
        return None
    fitting = {m: e for m in METRICS if m != metric and isinstance(e := estimates.get(m), FlightEstimate)
               and fits(e)}
    return min(fitting, key=lambda m: (fitting[m].fit_error, METRICS.index(m))) if fitting else None


def every_metric(f: Filters, run, campaign: str, metric: str, e, estimate=None) -> dict:
    """{metric: estimate or ImpactError code} of one flight on every metric, `e` its estimate on `metric`
    (the others made here, with `estimate(panel, *estimate_args)`: the page passes its cached one)."""
    from analysis.impact import ImpactError

    def made(panel, *args):
        try:
            return estimate_flight(panel, *args)
        except ImpactError as err:
            return err.code
    out = {metric: e}
    for m in METRICS:
        if m != metric:
            d = load(f, run, campaign=campaign, metric=m)
            out[m] = (estimate or made)(d["panel"], *estimate_args(d))
    return out


def in_period(flights: pd.DataFrame) -> pd.DataFrame:
    """The flights that overlap the sidebar period (flights_list's in_period): the ones the page's
    scoreboard and the deck's impact slide list."""
    return flights[flights["in_period"].astype(bool)].reset_index(drop=True)


def scoreboard(flights: pd.DataFrame, estimates: dict, metric: str) -> pd.DataFrame:
    """One row per flight, newest first: what it cost and what it did on `metric`; `error` holds the
    ImpactError code of a flight that cannot be estimated (its numbers NaN)."""
    rows = []
    for f in flights.sort_values("start_date", ascending=False).itertuples(index=False):
        e = estimates.get(f.campaign)
        row = {"campaign": f.campaign, "regions": ", ".join(f.regions), "start_date": f.start_date,
               "end_date": f.end_date, "spend": f.spend, "metric": metric, "error": None}
        if isinstance(e, FlightEstimate):
            r = e.result
            row.update(lift=r.lift, lift_low=r.lift_low, lift_high=r.lift_high, incremental=r.incremental,
                       incremental_low=r.incremental_low, incremental_high=r.incremental_high, p_value=r.p_value,
                       verdict=verdict_code(r), fit_error=e.fit_error, fit_kind=e.fit_kind, weekly=e.weekly)
            if metric == "revenue":
                row.update(returns(r, f.spend))
        else:
            row["error"] = e if isinstance(e, str) else "not_estimated"
        rows.append(row)
    return pd.DataFrame(rows)


def verdict_code(r: ImpactResult) -> str:
    return "up" if r.incremental_low > 0 else "down" if r.incremental_high < 0 else "none"


# ------------------------------------------------------------------------------ the planner
def with_data(panel: pd.DataFrame) -> pd.DataFrame:
    """The regions that have the metric on some day of the panel: flight_panel lists every region of
    data/regions.csv, and one the company never sold in is neither a test region nor a control (the
    estimate drops such controls too)."""
    return panel[panel.groupby("region")["value"].transform("sum") != 0].reset_index(drop=True)


def plan_check(panel: pd.DataFrame, region: str, days: int) -> str | None:
    """Why `region` cannot be a treated region of a `days`-day test planned on `panel` (a code for
    ui/locales' impact.plan.err.*), or None when it can: the planner's first placebo window starts
    max(4 x days, 182) days into the history and the region needs something before it."""
    p = trim(panel, [])
    dates = pd.to_datetime(p["date"])
    if dates.empty or region not in set(p["region"]):
        return "no_data"
    first = dates.min() + pd.Timedelta(days=max(4 * days, 182))
    if first + pd.Timedelta(days=days - 1) > dates.max():
        return "short_history"
    if not p.loc[(p["region"] == region) & (dates < first), "value"].sum() > 0:
        return "no_history"
    if p["region"].nunique() - 1 < 3:
        return "few_regions"
    return None


def plannable(panel: pd.DataFrame, days: int) -> list[str]:
    """Regions a `days`-day test can be planned on, the largest first (they make the default picks)."""
    p = trim(with_data(panel), [])
    size = p.groupby("region")["value"].sum().sort_values(ascending=False)
    return [r for r in size.index if plan_check(p, r, days) is None]


def plan(panel: pd.DataFrame, candidates: tuple, days: int, flights: tuple = ()) -> dict:
    """plan_experiment on the candidates it can use, on the history without the `flights` (flight_windows):
    {"plan": Plan or None, "skipped": [(region, code)], "error": an ImpactError code when the whole plan fails}."""
    from analysis.impact import ImpactError
    from analysis.planner import plan_experiment
    p = trim(with_data(panel), [])
    skipped = [(c, code) for c in candidates if (code := plan_check(p, c, days))]
    usable = [c for c in candidates if c not in dict(skipped)]
    out: dict = {"plan": None, "skipped": skipped, "error": None}
    if usable:
        try:
            out["plan"] = plan_experiment(p, usable, days, flights=list(flights) or None)
        except ImpactError as e:
            out["error"] = e.code
    return out
