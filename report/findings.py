"""Each section's slides from the numbers the pages show: a table, a chart and sentences written by
templates (ui/locales/meeting.toml) over the computed facts. Every number a sentence states is
formatted once and put in the slide's table too, so the audience can find it."""
from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd
import plotly.graph_objects as go

from analysis import attribution
from analysis.forecast import run_rate
from model import agreements, metrics
from model.filters import Filters
from model.views import load
from model.views.contribution import with_models
from model.views.funnel import scorecard
from model.views.overview import headline
from model.views.plan_fact import splits
from report import impact
from report.periods import next_period, period_label
from report.slides import Finding, Slide
from ui import charts, fmt
from ui.attribution import describe, model_name
from ui.dq import unrecognised_line
from ui.i18n import t
from ui.reasons import words

MAX_ROWS = 12      # table rows that stay readable on a slide
MAX_REGIONS = 8    # regions on the regions slide: the largest deviations


@dataclass
class Context:
    f: Filters
    run: object
    lang: str
    filters: str
    period: str
    views: dict = field(default_factory=dict)

    def view(self, page: str, **extra) -> dict:
        key = (page, tuple(sorted(extra.items())))
        if key not in self.views:
            self.views[key] = load(page, self.f if page != "joint_plan" else extra.pop("f"), self.run, **extra)
        return self.views[key]

    @cached_property
    def base(self) -> str:
        return self.run("agreement", {}).base_currency.iloc[0]

    def t(self, key: str, **fields) -> str:
        return t(key, self.lang, **fields)

    def money(self, x, currency: str | None = None) -> str:
        return fmt.compact(x, self.lang, currency or self.base)

    def signed(self, x, currency: str | None = None) -> str:
        text = self.money(x, currency)
        return "+" + text if x is not None and not pd.isna(x) and x > 0 else text

    def pct(self, x) -> str:
        return fmt.percent(x, self.lang, 0)

    def num(self, x) -> str:
        return fmt.number(x, self.lang)

    def slide(self, key: str, title: str, **kw) -> Slide:
        return Slide(key, title, self.filters, **kw)

    def fig(self, fig: go.Figure, height: int = 420) -> go.Figure:
        charts.style(fig, self.lang, None, height=height)
        fig.update_layout(hovermode=False, paper_bgcolor="white", plot_bgcolor="white", font={"size": 18},
                          margin={"t": 20, "b": 40, "l": 60, "r": 20})
        fig.update_xaxes(automargin=True)
        fig.update_yaxes(gridcolor="#E5E5E5", automargin=True)
        return fig


def said(ctx: Context, key: str, **facts) -> Finding:
    """The sentence `key` with each fact given as (value, text); the text goes into the sentence. A fact
    with no value (a name, a period label) is words, not a number to check."""
    return Finding(ctx.t(key, **{k: v[1] for k, v in facts.items()}),
                   {k: (float(v[0]), v[1]) for k, v in facts.items() if v[0] is not None})


# ------------------------------------------------------------------------------------------------
# headline: plan vs fact, forecast, marketing's share, ROMI


def headline_slides(ctx: Context):
    d = ctx.view("overview")
    h = headline(d)
    rr = run_rate(h["revenue"], ctx.f.date_from, ctx.f.date_to, d["latest"].latest.iloc[0])
    basis = {b: metrics.text(f"basis.{b}", ctx.lang) for b in metrics.BASES}
    plan = h["revenue_plan_period"] or None
    rev, pl = (h["revenue"], ctx.money(h["revenue"])), (plan, ctx.money(plan))
    share = (h["revenue_vs_plan_period"], ctx.pct(h["revenue_vs_plan_period"]))
    rows = [(f'{ctx.t("deck.h.revenue")}, {basis["period"]}', rev[1], pl[1], share[1])]
    facts = {"period": (None, ctx.period), "revenue": rev, "plan": pl, "share": share,
             "basis_period": (None, basis["period"])}
    key = "deck.h.revenue_no_plan" if not plan else "deck.h.revenue_line"
    # a plan of part of the period (November of 01.11-31.12): the revenue of all of it is not compared with
    # it (the registry leaves the share out); the sentence says which days the plan covers, as the Overview
    part = plan and h["revenue_plan_gaps"]
    extra = {"covered": (h["revenue_plan_days"], ctx.num(h["revenue_plan_days"])),
             "days": (h["period_days"], ctx.num(h["period_days"])),
             "days_word": (None, fmt.days_after_of(h["period_days"], ctx.lang)),
             "gaps": (None, fmt.date_ranges(h["revenue_plan_gaps"], ctx.lang))} if part else {}
    if part:
        facts = {k: v for k, v in facts.items() if k not in ("share", "basis_period")} | extra
        key = "deck.h.revenue_plan_part"
    if plan and not rr.finished and h["revenue_plan_to_date"] and not (part and h["revenue_vs_plan_to_date"] is None):
        to_date = (h["revenue_plan_to_date"], ctx.money(h["revenue_plan_to_date"]))
        share_to_date = (h["revenue_vs_plan_to_date"], ctx.pct(h["revenue_vs_plan_to_date"]))
        rows.append((f'{ctx.t("deck.h.revenue")}, {basis["to_date"]}', rev[1], to_date[1], share_to_date[1]))
        facts.update(plan_to_date=to_date, share_to_date=share_to_date, basis_to_date=(None, basis["to_date"]))
        key = "deck.h.revenue_plan_part_to_date" if part else "deck.h.revenue_line_to_date"
    found = [said(ctx, key, **facts)]
    if not rr.finished and h["revenue_forecast"] is not None:
        fc = (h["revenue_forecast"], ctx.money(h["revenue_forecast"]))
        fc_share = (h["revenue_forecast_vs_plan"], ctx.pct(h["revenue_forecast_vs_plan"]))
        # its name says its basis («прогноз»): «Прогноз на конец периода (прогноз)» said it twice
        # a plan of part of the period is not what a forecast of all of it is compared with (the Overview's card)
        rows.append((ctx.t("deck.h.forecast"), fc[1], fmt.DASH if part else pl[1], fc_share[1]))
        key = "deck.h.forecast_plan_part" if part else "deck.h.forecast_line" if plan else "deck.h.forecast_no_plan"
        found.append(said(ctx, key, forecast=fc, forecast_share=fc_share,
                          elapsed=(rr.elapsed_days, ctx.num(rr.elapsed_days)),
                          **{k: extra[k] for k in ("covered", "gaps") if k in extra},
                          days=(rr.period_days, ctx.num(rr.period_days)),
                          days_word=(None, fmt.days_after_of(rr.period_days, ctx.lang))))
        rows.append((ctx.t("deck.h.elapsed"), ctx.num(rr.elapsed_days), ctx.num(rr.period_days), fmt.DASH))
    if part:
        rows.append((ctx.t("deck.h.plan_days"), extra["covered"][1], extra["days"][1], fmt.DASH))
    src = (h["revenue_sourced"], ctx.money(h["revenue_sourced"]))
    src_share = (h["sourced_share"], ctx.pct(h["sourced_share"]))
    inf = (h["revenue_influenced"], ctx.money(h["revenue_influenced"]))
    inf_share = (h["influenced_share"], ctx.pct(h["influenced_share"]))
    rows += [(ctx.t("deck.h.sourced"), src[1], fmt.DASH, src_share[1]),
             (ctx.t("deck.h.influenced"), inf[1], fmt.DASH, inf_share[1])]
    found.append(said(ctx, "deck.h.marketing_line", sourced=src, sourced_share=src_share, influenced=inf,
                      influenced_share=inf_share))
    spend = (h["spend"], ctx.money(h["spend"]))
    spend_plan = (h["spend_plan_period"] or None, ctx.money(h["spend_plan_period"] or None))
    rows.append((f'{ctx.t("deck.h.spend")}, {basis["period"]}', spend[1], spend_plan[1],
                 ctx.pct(h["spend_vs_plan_period"]) if h["spend_plan_period"] else fmt.DASH))
    if h["romi"] is not None:
        romi = (h["romi"], ctx.pct(h["romi"]))
        rows.append((ctx.t("deck.h.romi"), romi[1], fmt.DASH, fmt.DASH))
        found.append(said(ctx, "deck.h.romi_line", romi=romi, spend=spend))
    table = pd.DataFrame(rows, columns=[ctx.t("deck.col.metric"), ctx.t("deck.col.fact"), ctx.t("deck.col.plan"),
                                        ctx.t("deck.col.of_plan")])
    m = d["monthly"]
    fig = go.Figure()
    # a month the period or the latest data cut says which days its bar holds ('дек 2026 / по 02.12')
    partial = charts.partial_months(m.month, ctx.f.date_from, ctx.f.date_to, d["latest"].latest.iloc[0])
    x = [charts.with_partial(fmt.month(v, ctx.lang), v, partial, ctx.lang) for v in m.month]
    fig.add_bar(x=x, y=m.revenue.astype(float), name=ctx.t("deck.chart.fact"), marker_color=charts.FACT)
    fig.add_bar(x=x, y=m.revenue_plan.astype(float), name=ctx.t("deck.chart.plan"), marker_color=charts.PLAN)
    fig.update_layout(barmode="group", yaxis=charts.value_axis([*m.revenue, *m.revenue_plan], ctx.lang,
                                                               title=ctx.base))
    note = ctx.t("deck.h.note", currency=ctx.base)
    if dq := unrecognised_line(d["unrecognised"], d["cells"], ctx.lang):
        note = dq + " " + note
    return [ctx.slide("headline", ctx.t("deck.title.headline", period=ctx.period), findings=found,
                      chart=ctx.fig(fig), table=table, note=note)], []


# ------------------------------------------------------------------------------------------------
# regions: fact vs plan, the biggest deviations, and the gap split into leads / conversion / deal value


def regions_slides(ctx: Context):
    parts = splits(ctx.view("plan_fact")["cells"])
    title = ctx.t("deck.title.regions")
    if parts.empty:
        return [ctx.slide("regions", title, findings=[said(ctx, "deck.r.no_plan")])], []
    parts = parts.assign(share=parts.revenue / parts.revenue_plan.where(parts.revenue_plan != 0))
    shown = parts.reindex(parts.gap.abs().sort_values(ascending=False).index).head(MAX_REGIONS)
    factor = {k: ctx.t(f"plan.factor.{k}") for k in ("leads", "conversion", "deal_value")}
    table = pd.DataFrame({
        ctx.t("deck.col.region"): shown.region, ctx.t("deck.col.fact"): [ctx.money(v) for v in shown.revenue],
        ctx.t("deck.col.plan"): [ctx.money(v) for v in shown.revenue_plan],
        ctx.t("deck.col.of_plan"): [ctx.pct(v) for v in shown.share],
        ctx.t("deck.col.gap"): [ctx.signed(v) for v in shown.gap],
        **{ctx.t(f"deck.col.{k}"): [ctx.signed(v) if v is not None and not pd.isna(v) else fmt.DASH for v in shown[k]]
           for k in ("leads", "conversion", "deal_value")}})
    top = shown.head(3)
    found = [Finding(ctx.t("deck.r.deviations", items="; ".join(
        ctx.t("deck.r.item", region=r.region, gap=ctx.signed(r.gap), share=ctx.pct(r.share),
              basis=metrics.text("basis.to_date", ctx.lang)) for r in top.itertuples())),
        {f"{r.region}.{k}": (float(v), s) for r in top.itertuples()
         for k, v, s in (("gap", r.gap, ctx.signed(r.gap)), ("share", r.share, ctx.pct(r.share)))})]
    below = shown[(shown.gap < 0) & shown.main.notna()]
    for key, group in below.groupby("main", sort=False):
        regions = list(group.region)
        names = ctx.t("deck.and").join([", ".join(regions[:-1]), regions[-1]]) if len(regions) > 1 else regions[0]
        amounts = ", ".join(ctx.signed(getattr(r, key)) for r in group.itertuples())
        found.append(Finding(ctx.t("deck.r.why_below", regions=names, factor=factor[key], parts=amounts,
                                   column=ctx.t(f"deck.col.{key}")),
                             {f"{r.region}.{key}": (float(getattr(r, key)), ctx.signed(getattr(r, key)))
                              for r in group.itertuples()}))
    fig = go.Figure()
    fig.add_bar(x=list(shown.region), y=shown.revenue.astype(float), name=ctx.t("deck.chart.fact"),
                marker_color=charts.FACT)
    fig.add_bar(x=list(shown.region), y=shown.revenue_plan.astype(float), name=ctx.t("deck.chart.plan"),
                marker_color=charts.PLAN)
    fig.update_layout(barmode="group", yaxis=charts.value_axis([*shown.revenue, *shown.revenue_plan], ctx.lang,
                                                               title=ctx.base))
    return [ctx.slide("regions", title, findings=found, chart=ctx.fig(fig), table=table,
                      note=ctx.t("deck.r.note", currency=ctx.base, page=ctx.t("page.regions")))], []


# ------------------------------------------------------------------------------------------------
# contribution: the agreed attribution model per channel (and the flights' impact, when available)


def contribution_slides(ctx: Context):
    agreed = attribution.agreed_model(agreements.attribution(ctx.run))
    d = with_models(ctx.view("contribution", model=agreed["name"]))
    title = ctx.t("deck.title.contribution")
    note = ctx.t("deck.c.model", description=describe(agreed, ctx.lang))
    slides = []
    ch = d["by_channel"]
    if ch.empty:
        slides.append(ctx.slide("contribution", title, findings=[said(ctx, "deck.c.empty")], note=note))
    else:
        slides.append(_contribution_slide(ctx, d, title, note))
    made, omitted = impact.slides(ctx)
    return slides + made, omitted


def _credit_shares(rows: pd.DataFrame, total: float) -> pd.DataFrame:
    """rows plus `share`: their attributed revenue's share of the period's, the registry's formula."""
    return metrics.formulas(rows.assign(total=total), {"revenue": "attributed_revenue", "total": "revenue"},
                            {"share": "attributed_share"})


def _contribution_slide(ctx: Context, d: dict, title: str, note: str) -> Slide:
    # the base currency, every currency converted, over the period's exact days: the total is the
    # period's revenue the headline slide states
    cur = ctx.base
    labels = dict(zip(d["channels"].channel, d["channels"]["label_" + ctx.lang], strict=True))
    labels[attribution.UNATTRIBUTED] = ctx.t("contrib.unattributed")
    owner = dict(zip(d["channels"].channel, d["channels"].owner, strict=True))
    ch = d["by_channel"].sort_values("revenue", ascending=False, kind="stable").reset_index(drop=True)
    total = float(ch.revenue.sum())
    mk = ch[[owner.get(c) == "marketing" for c in ch.channel]]
    ch = _credit_shares(ch, total)
    mk_rev = float(mk.revenue.sum())
    mk_share = _credit_shares(pd.DataFrame({"revenue": [mk_rev]}), total).share.iloc[0]
    shown = ch.head(MAX_ROWS - 2)
    table = pd.DataFrame({
        ctx.t("deck.col.channel"): [labels.get(c, c) for c in shown.channel],
        ctx.t("deck.col.credit"): [ctx.money(v, cur) for v in shown.revenue],
        ctx.t("deck.col.share"): [ctx.pct(v) for v in shown.share],
        ctx.t("deck.col.spend"): [ctx.money(v, cur) if v else fmt.DASH for v in shown.spend],
        ctx.t("deck.col.romi"): [ctx.pct(v) for v in shown.romi]})
    table.loc[len(table)] = [ctx.t("deck.c.marketing_total"), ctx.money(mk_rev, cur), ctx.pct(mk_share),
                             ctx.money(float(mk.spend.sum()), cur), fmt.DASH]
    table.loc[len(table)] = [ctx.t("deck.c.total"), ctx.money(total, cur), ctx.pct(1 if total else None),
                             ctx.money(float(ch.spend.sum()), cur), fmt.DASH]
    # names its model: right after the headline's «Из маркетинга» (first touch) it read as a second answer
    found = [said(ctx, "deck.c.marketing_line", marketing=(mk_rev, ctx.money(mk_rev, cur)),
                  total=(total, ctx.money(total, cur)), share=(mk_share, ctx.pct(mk_share)),
                  model=(None, model_name(d["model"].model.iloc[0], ctx.lang)))]
    # the largest channel, not the revenue no channel could be credited with (its own line on the data slide)
    named = shown[shown.channel != attribution.UNATTRIBUTED]
    if not named.empty:
        first = named.iloc[0]
        found.append(said(ctx, "deck.c.top_line", channel=(None, labels.get(first.channel, first.channel)),
                          top_revenue=(first.revenue, ctx.money(first.revenue, cur)),
                          top_share=(first.share, ctx.pct(first.share))))
    paid = shown[shown.romi.notna()]
    if not paid.empty:
        best = paid.loc[paid.romi.idxmax()]
        found.append(said(ctx, "deck.c.romi_line", channel=(None, labels.get(best.channel, best.channel)),
                          best_romi=(best.romi, ctx.pct(best.romi)),
                          best_spend=(best.spend, ctx.money(best.spend, cur))))
    fig = go.Figure(go.Bar(x=shown.revenue.astype(float)[::-1], y=[labels.get(c, c) for c in shown.channel][::-1],
                           orientation="h", marker_color=[charts.OWNER_COLORS.get(owner.get(c), "#9D9D9D")
                                                          for c in shown.channel][::-1]))
    fig.update_layout(xaxis=charts.value_axis(shown.revenue, ctx.lang, title=cur), showlegend=False)
    return ctx.slide("contribution", title, findings=found, chart=ctx.fig(fig), table=table, note=note)


# ------------------------------------------------------------------------------------------------
# the two-sided SLA scorecard


def leads_plan_part(h: dict, lang: str) -> dict[str, str] | None:
    """Where the leads plan covers part of the days to the data's date (the registry leaves the share of
    plan out): the days of the period it covers and those it does not, in the Overview's words."""
    if h["leads_vs_plan_to_date"] is not None or not h["leads_plan_gaps"]:
        return None
    return {"covered": fmt.number(h["leads_plan_days"], lang), "days": fmt.number(h["period_days"], lang),
            "days_word": fmt.days_after_of(h["period_days"], lang), "gaps": fmt.date_ranges(h["leads_plan_gaps"], lang)}


def sla_slides(ctx: Context):
    d = ctx.view("funnel")
    m = d["scorecard"]
    title = ctx.t("deck.title.sla")
    if m.empty or not m.leads.sum():
        return [ctx.slide("sla", title, findings=[said(ctx, "deck.s.empty")])], []
    sc = scorecard(d)
    a = m.iloc[0]
    leads, plan = int(m.leads.sum()), float(m.leads_plan.sum()) if m.leads_plan.notna().any() else None
    # a leads plan of part of the days to date (January of Q1): the period's leads are not compared with it
    # (the registry leaves leads_vs_plan_to_date out); the line says which days it covers, as the Overview
    h = headline(ctx.view("overview"))
    part = leads_plan_part(h, ctx.lang) if plan else None
    facts = {"leads": leads / plan if plan and not part else None, "qualified": m.qualified.sum() / leads,
             # the registry's within_sla_share: of the leads judged (an export with no first-contact
             # column is not judged: «—», not 0 %), as each month's column is
             "sla": m.within_sla.sum() / m.judged.sum() if m.judged.sum() else None,
             "lead_to_deal": m.converted.sum() / leads}
    targets = {"leads": 1.0 if plan and not part else None, "qualified": a.min_qualified_share,
               "sla": a.within_sla_target, "lead_to_deal": a.min_lead_to_deal}
    monthly = {"leads": [v / p if not pd.isna(p) and p else None for v, p in zip(sc.leads, sc.leads_plan, strict=True)],
               "qualified": sc.qualified_share, "sla": sc.sla_share, "lead_to_deal": sc.lead_to_deal}
    hours = fmt.number(a.first_contact_hours, ctx.lang, 0 if float(a.first_contact_hours).is_integer() else 1)
    sides = {"leads": "marketing", "qualified": "marketing", "sla": "sales", "lead_to_deal": "sales"}
    met = {k: None if facts[k] is None or targets[k] is None else bool(facts[k] >= targets[k]) for k in facts}
    months = [fmt.month(v, ctx.lang) for v in sc.month]
    rows = []
    for k in facts:
        rows.append([ctx.t(f"owner.{sides[k]}"), ctx.t(f"deck.s.{k}", hours=hours), ctx.pct(targets[k]),
                     *[ctx.pct(v) for v in monthly[k]], ctx.pct(facts[k]),
                     fmt.DASH if met[k] is None else ("✓" if met[k] else "✗")])
    table = pd.DataFrame(rows, columns=[ctx.t("deck.col.side"), ctx.t("deck.col.commitment"),
                                        ctx.t("deck.col.target"), *months, ctx.t("deck.col.period"),
                                        ctx.t("deck.col.met")])
    table.loc[len(table)] = [ctx.t("owner.marketing"), ctx.t("deck.s.leads_count"), ctx.num(plan) if plan else fmt.DASH,
                             *[ctx.num(v) for v in sc.leads], ctx.num(leads), fmt.DASH]
    f = {k: (facts[k], ctx.pct(facts[k])) for k in facts}
    tg = {k: (targets[k], ctx.pct(targets[k])) for k in targets}
    extra = {k: (h["leads_plan_days"] if k == "covered" else None, v) for k, v in part.items()} if part else {}
    found = [said(ctx, "deck.s.marketing_plan_part" if part else "deck.s.marketing_line" if plan
                  else "deck.s.marketing_no_plan", **extra,
                  leads=(leads, ctx.num(leads)), leads_noun=(None, fmt.noun(leads, "lead", ctx.lang)),
                  plan=(plan, ctx.num(plan) if plan else fmt.DASH),
                  share=f["leads"], qualified=f["qualified"], qualified_target=tg["qualified"]),
             said(ctx, "deck.s.sales_line", sla=f["sla"], sla_target=tg["sla"], lead_to_deal=f["lead_to_deal"],
                  lead_to_deal_target=tg["lead_to_deal"]) if facts["sla"] is not None else
             said(ctx, "deck.s.sales_line_unjudged", lead_to_deal=f["lead_to_deal"],
                  lead_to_deal_target=tg["lead_to_deal"])]
    judged = [v for v in met.values() if v is not None]
    found.append(said(ctx, "deck.s.met_line", met=(sum(judged), ctx.num(sum(judged))),
                      total=(len(judged), ctx.num(len(judged)))))
    fig = go.Figure()
    # names wrapped (side by side they ran into each other), values at the foot of their bars (at the top
    # they sat on the target's mark)
    names = ["<br>".join(textwrap.wrap(ctx.t(f"deck.s.{k}", hours=hours), 18)) for k in facts]
    fig.add_bar(x=names, y=[facts[k] for k in facts], name=ctx.t("deck.chart.fact"),
                marker_color=[charts.OWNER_COLORS[sides[k]] for k in facts],
                text=[ctx.pct(facts[k]) for k in facts], textposition="inside", insidetextanchor="start")
    fig.add_scatter(x=names, y=[targets[k] for k in facts], mode="markers", name=ctx.t("deck.chart.target"),
                    marker={"symbol": "line-ew", "size": 40, "line": {"width": 4, "color": "#333333"}})
    shown = [v for v in (*facts.values(), *targets.values()) if v is not None and not pd.isna(v)]
    fig.update_layout(yaxis=charts.percent_axis(ctx.lang, max([1.0, *shown])))
    return [ctx.slide("sla", title, findings=found, chart=ctx.fig(fig), table=table,
                      note=ctx.t("deck.s.note"))], []


# ------------------------------------------------------------------------------------------------
# the joint plan for the next period: who, what, when, where


def joint_plan_slides(ctx: Context):
    nxt = next_period(ctx.f)
    label = period_label(nxt, ctx.lang)
    d = ctx.view("joint_plan", f=nxt, on=nxt.date_from)
    acts = d["activities"]
    acts = acts[acts.status != "cancelled"].sort_values(["start_date", "owner"], kind="stable")
    title = ctx.t("deck.title.joint_plan", period=label)
    if acts.empty:
        return [ctx.slide("joint_plan", title, findings=[said(ctx, "deck.j.none", period=(None, label))])], []
    who = {o: ctx.t(f"owner.{o}") for o in acts.owner.unique()}
    shown = acts.head(MAX_ROWS - len(who) - 1)
    def dates(r) -> str:
        end = r.end_date if not pd.isna(r.end_date) and r.end_date else r.start_date
        return f"{fmt.date(r.start_date, ctx.lang)} – {fmt.date(end, ctx.lang)}"

    rows = [[dates(r), who[r.owner] + (f" · {r.responsible}" if isinstance(r.responsible, str) else ""), r.title,
             r.region if isinstance(r.region, str) else ctx.t("all_regions"),
             ctx.money(r.budget) if not pd.isna(r.budget) else fmt.DASH]
            for r in shown.itertuples()]
    # an owner whose activities carry no budget (sales' call blitzes) has none, not a budget of 0
    per = acts.groupby("owner").agg(n=("activity_id", "count"),
                                    budget=("budget", lambda b: b.sum(min_count=1)))
    for o, r in per.iterrows():
        rows.append([ctx.t("deck.j.subtotal"), who[o], ctx.t("deck.j.count", n=ctx.num(r.n)), fmt.DASH,
                     ctx.money(r.budget)])
    total_budget = float(acts.budget.sum())
    rows.append([ctx.t("deck.j.total"), fmt.DASH, ctx.t("deck.j.count", n=ctx.num(len(acts))), fmt.DASH,
                 ctx.money(total_budget)])
    table = pd.DataFrame(rows, columns=[ctx.t("deck.col.when"), ctx.t("deck.col.who"), ctx.t("deck.col.what"),
                                        ctx.t("deck.col.where"), ctx.t("deck.col.budget")])
    parts = "; ".join(ctx.t("deck.j.owner_part" if r.budget == r.budget else "deck.j.owner_part_no_budget",
                            owner=who[o], n=ctx.num(r.n), budget=ctx.money(r.budget))
                      for o, r in per.iterrows())
    facts = {"total": (len(acts), ctx.num(len(acts))), "budget": (total_budget, ctx.money(total_budget))}
    for o, r in per.iterrows():
        facts[f"{o}.n"] = (int(r.n), ctx.num(r.n))
        if r.budget == r.budget:
            facts[f"{o}.budget"] = (float(r.budget), ctx.money(r.budget))
    found = [Finding(ctx.t("deck.j.line", period=label, n=facts["total"][1], budget=facts["budget"][1], parts=parts),
                     facts)]
    # the first to start in the period: one begun before it (26.12 for next quarter) runs on, it is not «first»
    starting = acts[pd.to_datetime(acts.start_date) >= pd.Timestamp(nxt.date_from)]
    if not starting.empty:
        first = starting.iloc[0]
        found.append(Finding(ctx.t("deck.j.first", title=first.title, owner=who[first.owner],
                                   date=fmt.date(first.start_date, ctx.lang),
                                   region=first.region if isinstance(first.region, str) else ctx.t("all_regions"))))
    fig = go.Figure()
    for o, g in acts.groupby("owner", sort=True):
        start = pd.to_datetime(g.start_date)
        end = pd.to_datetime(g.end_date.where(g.end_date.notna(), g.start_date)) + pd.Timedelta(days=1)
        fig.add_bar(base=[str(s.date()) for s in start],
                    x=[(e - s).days * 86_400_000 for s, e in zip(start, end, strict=True)],
                    y=list(g.title), orientation="h", name=who[o], marker_color=charts.OWNER_COLORS.get(o, "#888888"))
    fig.update_xaxes(type="date", range=[str(nxt.date_from), str(nxt.date_to + dt.timedelta(days=1))],
                     tickformat="%d.%m" if ctx.lang == "ru" else "%b %d")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(barmode="overlay")
    return [ctx.slide("joint_plan", title, findings=found, chart=ctx.fig(fig), table=table,
                      note=ctx.t("deck.j.note", currency=ctx.base))], []


# ------------------------------------------------------------------------------------------------
# data quality: revenue without attribution, rejected rows


def data_quality_slides(ctx: Context):
    d = ctx.view("data", tab=None)     # every tab's tables: the slide takes from several
    u = d["unattributed"].iloc[0]      # as the Data page and the Contribution page state it
    un, share = float(u.unattributed), None if pd.isna(u.share) else float(u.share)
    h = d["history"]
    # the load history is a company figure (model/catalog.py): a user who sees some regions only gets no
    # rows, and a warehouse with data has loads, so none here means withheld, not «0 of 0»
    withheld = h.empty
    rejected, read = int(h.rows_rejected.sum()), int(h.rows_read.sum())
    rows = [[ctx.t("deck.q.unattributed", currency=ctx.base), ctx.money(un), ctx.pct(share)],
            [ctx.t("deck.q.rejected"), fmt.DASH, ctx.t("deck.q.withheld")] if withheld else
            [ctx.t("deck.q.rejected"), ctx.num(rejected), ctx.t("deck.q.of_read", n=ctx.num(read))]]
    reasons = d["reasons"].groupby("reason", as_index=False).rows.sum().sort_values("rows", ascending=False)
    for r in reasons.head(5).itertuples():
        rows.append([ctx.t("deck.q.reason", reason=words(r.reason, ctx.lang)), ctx.num(r.rows), fmt.DASH])
    for r in d["unrecognised_share"].head(5).itertuples():
        rows.append([ctx.t("deck.q.unrecognised", dimension=ctx.t(f"dq.dimension.{r.dimension}"),
                           source=ctx.t(f"dq.of.{r.source}"), values=ctx.num(r.values)),
                     ctx.num(r.rows), ctx.pct(r.share)])
    table = pd.DataFrame(rows, columns=[ctx.t("deck.col.metric"), ctx.t("deck.col.value"), ctx.t("deck.col.share")])
    found = [said(ctx, "deck.q.unattributed_line", revenue=(un, ctx.money(un)), share=(share, ctx.pct(share))),
             Finding(ctx.t("deck.q.rejected_withheld")) if withheld else
             said(ctx, "deck.q.rejected_line", rejected=(rejected, ctx.num(rejected)), read=(read, ctx.num(read)))]
    if dq := unrecognised_line(d["unrecognised_share"], d["cells"], ctx.lang):
        found.append(Finding(dq))
    return [ctx.slide("data_quality", ctx.t("deck.title.data_quality"), findings=found, table=table,
                      note=ctx.t("deck.q.note"))], []


SECTION_BUILDERS = {"headline": headline_slides, "regions": regions_slides, "contribution": contribution_slides,
                    "sla": sla_slides, "joint_plan": joint_plan_slides, "data_quality": data_quality_slides}
