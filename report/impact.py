"""The one place the deck touches the incrementality module (analysis/impact.py, written separately):
the period's regional flights with their effect, interval and fit error (and, as the impact page offers it,
the metric a flight fits on when its revenue estimate does not), or nothing and the reason why."""
from __future__ import annotations

import importlib

import pandas as pd
import plotly.graph_objects as go

from report.slides import Failure, Finding, Slide
from ui import charts, fmt
from ui.impact_text import fit_text, steadier_fields

MAX_FLIGHTS = 6


def estimator():
    """(estimate, load) of the campaign impact page's view, or None with the reason when the
    incrementality module is not there."""
    try:
        impact = importlib.import_module("analysis.impact")
    except ImportError as e:
        return None, f"analysis.impact is not importable ({e})"
    if not hasattr(impact, "estimate_impact"):
        return None, "analysis.impact lacks estimate_impact"
    from model.views import impact as view
    return (view,), None


def verdict(low: float, high: float) -> str:
    """'up' when the whole interval is above zero, 'down' when below, else 'none' (not distinguishable)."""
    return "up" if low > 0 else "down" if high < 0 else "none"


def slides(ctx) -> tuple[list[Slide], list[str]]:
    """The impact slide for the period's flights; ([], [reason]) when it cannot be made."""
    fns, reason = estimator()
    if fns is None:
        return [], [Failure(ctx.t("deck.i.omitted", reason=ctx.t("deck.i.missing", detail=reason)))]
    try:
        made = _slide(ctx, *fns)
    except Exception as e:  # noqa: BLE001 - a module still being written must not break the deck
        return [], [Failure(ctx.t("deck.i.omitted", reason=f"{type(e).__name__}: {e}"))]
    # a period without flights: no slide of a footnote alone, the deck says what it left out (as for decisions)
    return ([made], []) if made else ([], [ctx.t("deck.i.omitted", reason=ctx.t("deck.i.none"))])


def _slide(ctx, view) -> Slide | None:
    """The flights that overlap the period (the build's `flights` table; the impact page's scoreboard
    lists the same), each estimated exactly as the campaign impact page estimates it."""
    f = ctx.f
    flights = view.listed(ctx.run("flights_list", f.params()))   # a restricted user's own flights
    inside = view.in_period(flights)
    title = ctx.t("deck.title.impact")
    if inside.empty:
        return None
    rows, skipped = [], []
    for fl in inside.head(MAX_FLIGHTS).itertuples():
        d = view.load(f, ctx.run, campaign=fl.campaign, metric="revenue")
        try:
            e = view.estimate_flight(d["panel"], *view.estimate_args(d))   # the page's estimate
        except ValueError as err:     # analysis.impact.ImpactError: this flight cannot be estimated
            why = ctx.t(f"impact.err.{err.code}", **err.fields) if hasattr(err, "code") else str(err)
            skipped.append(ctx.t("deck.i.skipped", flight=fl.campaign, reason=why))
            continue
        r, other, every = e.result, None, {}
        if not view.fits(e):    # as the page offers it: the metric the flight fits on when its revenue does not
            every = view.every_metric(f, ctx.run, fl.campaign, "revenue", e)
            other = view.steadier(every, "revenue")
        rows.append({"campaign": fl.campaign, "regions": ", ".join(fl.regions), "start": pd.Timestamp(fl.start_date),
                     "end": pd.Timestamp(fl.end_date),
                     "incremental": r.incremental, "low": r.incremental_low, "high": r.incremental_high,
                     "verdict": verdict(r.incremental_low, r.incremental_high),
                     "fit": fit_text(e.fit_error, e.fit_kind, ctx.lang, ctx.t)[0],
                     "steadier": " " + ctx.t("deck.i.steadier", **steadier_fields(other, every[other], ctx.lang,
                                                                                 ctx.t)) if other else ""})
    if not rows:
        return Slide("impact", title, ctx.filters, findings=[], note=" ".join(skipped))
    res = pd.DataFrame(rows)
    table = pd.DataFrame({
        ctx.t("deck.col.flight"): res.campaign, ctx.t("deck.col.where"): res.regions,
        ctx.t("deck.col.when"): [f"{fmt.date(a, ctx.lang)} – {fmt.date(b, ctx.lang)}"
                                 for a, b in zip(res.start, res.end, strict=True)],
        ctx.t("deck.col.effect"): [ctx.signed(v) for v in res.incremental],
        ctx.t("deck.col.interval"): [f"{ctx.signed(a)} … {ctx.signed(b)}"
                                     for a, b in zip(res.low, res.high, strict=True)],
        ctx.t("deck.col.verdict"): [ctx.t(f"deck.i.verdict.{v}") for v in res.verdict],
        ctx.t("deck.col.fit"): res.fit})
    found = [Finding(ctx.t("deck.i.line", flight=r.campaign, regions=r.regions, effect=ctx.signed(r.incremental),
                           low=ctx.signed(r.low), high=ctx.signed(r.high),
                           verdict=ctx.t(f"deck.i.verdict.{r.verdict}")) + r.steadier,
                     {f"{r.campaign}.effect": (float(r.incremental), ctx.signed(r.incremental))})
             for r in res.itertuples()]
    fig = go.Figure(go.Scatter(x=res.incremental, y=res.campaign, mode="markers", marker_color=charts.FACT,
                               error_x={"type": "data", "symmetric": False, "array": res.high - res.incremental,
                                        "arrayminus": res.incremental - res.low}))
    fig.add_vline(x=0, line_color=charts.PLAN, line_dash="dash")
    fig.update_layout(xaxis=charts.value_axis([*res.low, *res.high], ctx.lang, title=ctx.base), showlegend=False)
    return Slide("impact", title, ctx.filters, findings=found, chart=ctx.fig(fig), table=table,
                 note=" ".join([ctx.t("deck.i.note"), *skipped]))
