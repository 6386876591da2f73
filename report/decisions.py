"""The deck's opening section: the last meeting's commitments, both departments side by side, each with
its status and its linked metric's movement since the meeting (model/decisions.py)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from model import decisions, metrics
from model.access import Scope
from model.filters import today
from model.views import latest_frame
from report.findings import Context, said
from report.slides import Slide
from ui import fmt


def value_text(ctx: Context, key: str, x) -> str:
    """A metric's value as its unit reads: money, a count, a share."""
    if x is None or pd.isna(x):
        return fmt.DASH
    unit = metrics.REGISTRY[key].unit
    return ctx.pct(x) if unit == "share" else ctx.num(x) if unit == "count" else ctx.money(x)


def movement_text(ctx: Context, key: str, m: dict | None) -> str:
    if m is None:
        return fmt.DASH
    change = m["change"]
    sign = "+" if change is not None and change > 0 else ""
    delta = fmt.DASH if change is None else sign + value_text(ctx, key, change)
    if metrics.REGISTRY[key].unit == "share" and change is not None:
        delta = ctx.t("dec.pp", n=fmt.number(change * 100, ctx.lang, 1 if abs(change) < 0.1 else 0),
                      sign=sign)
    return ctx.t("dec.move", before=value_text(ctx, key, m["before"]), since=value_text(ctx, key, m["since"]),
                 delta=delta)


def decisions_slides(ctx: Context):
    # the deck's regions are already its user's (report/make.py narrows the filters to them), so as a scope
    # they keep a regional manager's deck to their regions and company-wide commitments, and last_meeting
    # keeps anyone's to the regions chosen
    scope = Scope(tuple(ctx.f.regions) or None, False)
    table = decisions.last_meeting(decisions.listing(scope, today=today()), ctx.f.regions)
    if table.empty:
        return [], [ctx.t("dec.deck.none")]
    latest = latest_frame(ctx.run("freshness", {})).latest.iloc[0]
    data_to = None if latest is None or pd.isna(latest) else pd.Timestamp(latest).date()
    meeting: dt.date = table.meeting_date.iloc[0]
    table = table.sort_values(["department", "id"], kind="stable")
    rows = []
    for c in table.itertuples():
        # a company-wide commitment in a deck for some regions is measured, and labelled, on those regions
        c = c._replace(regions=tuple(c.regions) or tuple(ctx.f.regions))
        m = decisions.movement(ctx.run, c, data_to) if data_to else None
        key = c.metric if isinstance(c.metric, str) else None
        target = value_text(ctx, key, c.target) if key and c.target == c.target and c.target is not None else fmt.DASH
        rows.append([f"{ctx.t('owner.' + c.department)} · {c.person}", c.text,
                     ", ".join(c.regions) or ctx.t("all_regions"), fmt.date(c.due_date, ctx.lang),
                     ctx.t(f"dec.status.{c.status}"), metrics.text(key, ctx.lang) if key else fmt.DASH,
                     movement_text(ctx, key, m) if key else fmt.DASH, target])
    frame = pd.DataFrame(rows, columns=[ctx.t(f"dec.col.{k}") for k in
                                        ("who", "what", "where", "due", "status", "metric", "move", "target")])
    found = []
    for dep, g in table.groupby("department", sort=True):
        n = {s: int((g.status == s).sum()) for s in decisions.STATUSES}
        # counts of the table's rows, not numbers the table repeats: words, not facts to find in a cell
        found.append(said(ctx, "dec.deck.line", owner=(None, ctx.t(f"owner.{dep}")), total=(None, ctx.num(len(g))),
                          **{s: (None, ctx.num(n[s])) for s in decisions.STATUSES}))
    if data_to:
        found.append(said(ctx, "dec.deck.window", meeting=(None, fmt.date(meeting, ctx.lang)),
                          data_to=(None, fmt.date(data_to, ctx.lang))))
    title = ctx.t("dec.deck.title", date=fmt.date(meeting, ctx.lang))
    return [Slide("decisions", title, ctx.filters, findings=found, table=frame, note=ctx.t("dec.deck.note"))], []
