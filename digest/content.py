"""A recipient's digest: the numbers through the same runner and access as the app (model.runner as the
recipient), as sections of rows, then the HTML body, the plain text for Telegram and the deck as PDF."""
from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from digest.config import Recipient
from model import alerts_clock, metrics
from model.access import narrow, scope_of
from model.filters import Filters
from model.runner import runner
from model.views import load
from model.views.overview import headline
from report.findings import leads_plan_part
from report.impact import verdict
from ui import fmt
from ui.alerts import line as alert_line
from ui.i18n import t

MAX_FLIGHTS = 6


@dataclass
class Section:
    key: str
    title: str
    lines: list[str] = field(default_factory=list)          # sentences
    header: list[str] = field(default_factory=list)         # a table, text cells as shown
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Digest:
    login: str
    lang: str
    subject: str
    intro: str
    sections: list[Section]
    date_from: dt.date
    date_to: dt.date
    pdf: bytes = b""
    pdf_name: str = ""

    def html(self) -> str:
        e = html.escape
        out = ['<html><body style="font-family:sans-serif;font-size:14px;color:#222">',
               f"<h2>{e(self.subject)}</h2><p>{e(self.intro)}</p>"]
        for s in self.sections:
            out.append(f'<h3 style="margin-bottom:4px">{e(s.title)}</h3>')
            out += [f"<p style=\"margin:2px 0\">{_code(e(x))}</p>" for x in s.lines]
            if s.rows:
                cell = 'style="border:1px solid #ccc;padding:3px 8px;text-align:left"'
                out.append('<table style="border-collapse:collapse">')
                out.append("<tr>" + "".join(f"<th {cell}>{e(h)}</th>" for h in s.header) + "</tr>")
                out += ["<tr>" + "".join(f"<td {cell}>{e(v)}</td>" for v in r) + "</tr>" for r in s.rows]
                out.append("</table>")
        out.append(f'<p style="color:#666">{e(t("digest.footer", self.lang))}</p></body></html>')
        return "\n".join(out)

    def text(self) -> str:
        """The Telegram message: every section's sentences and rows as lines (the PDF follows as a document)."""
        out = [self.subject, self.intro]
        for s in self.sections:
            out.append("\n" + s.title)
            out += [_plain(x) for x in s.lines]
            # a row without its table's header read as bare values («СПб · 4,1 млн ₽ · 6,5 млн ₽ · 62 %»): each
            # value after the first with its column's name
            out += ["• " + (f"{r[0]}: " + " · ".join(f"{h} {v}" for h, v in zip(s.header[1:], r[1:], strict=False))
                            if len(s.header) == len(r) else " · ".join(r)) for r in s.rows]
        return "\n".join(out)


def _code(text: str) -> str:
    """An escaped line of the app's markdown (an alert line's **what** and `campaign key`) as HTML."""
    bold = text.split("**")
    text = "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(bold))
    parts = text.split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def _plain(text: str) -> str:
    return text.replace("**", "").replace("`", "")


def build(r: Recipient, con: duckdb.DuckDBPyConnection, date_from: dt.date, date_to: dt.date,
          since: dt.date | None) -> Digest:
    """The digest of `r` for the days date_from..date_to; flights finished after `since` (the last digest's
    last day; None: within these days)."""
    run, lang = runner(con, r.user), r.lang
    f = narrow(Filters("custom", date_from, date_to), r.user)
    base = run("agreement", {}).base_currency.iloc[0]
    ov = load("overview", f, run)
    where = ", ".join(f.regions) if f.regions else t("all_regions", lang)
    sections = [plan_fact(ov, lang, base, bool(f.regions)), sla(load("funnel", f, run), lang, headline(ov)),
                *commitments(r, lang, date_to + dt.timedelta(days=1)),
                flights(f, run, lang, base, since or date_from - dt.timedelta(days=1)),
                freshness(ov, r, lang), alerts(f, run, lang, base, r.user.can("company_totals"))]
    period = f"{fmt.date(date_from, lang)} – {fmt.date(date_to, lang)}"
    return Digest(r.login, lang, t("digest.subject", lang, period=period, regions=where),
                  t("digest.intro", lang, name=r.user.name, period=period, regions=where), sections,
                  date_from, date_to)


def plan_fact(d: dict, lang: str, base: str, own: bool = False) -> Section:
    """The recipient's regions against their plans, and the company's line (the Overview's: its plan is the
    company plan where there is one, which the regions' plans need not add up to; a line says so); for a
    recipient who sees only some regions (`own`) that line is their regions' total and is named so. Raw
    region names no rule knows are left out (the data quality part lists them), as are regions with neither
    revenue nor plan. A finished period's plan to date is its plan: then one basis, not the same twice."""
    h, regions = headline(d), d["regions"]
    regions = regions[~regions.unknown_region & (regions.revenue.fillna(0).ne(0)
                                                 | regions.revenue_plan_period.notna())]
    basis = {b: metrics.text(f"basis.{b}", lang) for b in ("period", "to_date")}
    same = all(_same(a, b) for a, b in zip([*regions.revenue_plan_period, h["revenue_plan_period"]],
                                           [*regions.revenue_plan_to_date, h["revenue_plan_to_date"]], strict=True))
    money = lambda x: fmt.compact(x, lang, base)  # noqa: E731
    pct = lambda x: fmt.percent(x, lang, 0)  # noqa: E731
    s = Section("plan_fact", t("digest.plan_fact", lang),
                header=[t("deck.col.region", lang), t("deck.col.fact", lang), t("deck.col.plan", lang),
                        basis["period"], *([] if same else [t("digest.plan_to_date", lang), basis["to_date"]])])

    def row(name, revenue, plan, share, plan_to_date, share_to_date):
        return [name, money(revenue), money(plan), pct(share), *([] if same else [money(plan_to_date),
                                                                                   pct(share_to_date)])]
    for r in regions.sort_values("revenue_gap_to_date", kind="stable").itertuples():
        s.rows.append(row(str(r.region), r.revenue, r.revenue_plan_period, r.revenue_vs_plan_period,
                          r.revenue_plan_to_date, r.revenue_vs_plan_to_date))
    s.rows.append(row(t("digest.own_total" if own else "digest.company", lang), h["revenue"], h["revenue_plan_period"],
                      h["revenue_vs_plan_period"], h["revenue_plan_to_date"], h["revenue_vs_plan_to_date"]))
    if h["revenue_vs_plan_to_date"] is not None or not h["revenue_plan_gaps"]:
        s.lines.append(t("digest.plan_fact_line", lang, revenue=money(h["revenue"]),
                         share=pct(h["revenue_vs_plan_to_date"]), basis=basis["to_date"],
                         plan=money(h["revenue_plan_to_date"])))
    if h["revenue_plan_period"] and h["revenue_plan_gaps"]:   # a plan of part of the days: the Overview's words
        s.lines.append(t("digest.plan_part", lang, covered=fmt.number(h["revenue_plan_days"], lang),
                         days=h["period_days"], days_word=fmt.days_after_of(h["period_days"], lang),
                         gaps=fmt.date_ranges(h["revenue_plan_gaps"], lang), plan=money(h["revenue_plan_period"])))
    regional = regions.revenue_plan_period.sum(min_count=1)
    if not pd.isna(regional) and not _same(regional, h["revenue_plan_period"]):
        s.lines.append(t("digest.plan_basis", lang, regions=money(regional), company=money(h["revenue_plan_period"])))
    return s


def _same(a, b) -> bool:
    """Two plan figures alike to the kopeck (both missing alike too)."""
    if pd.isna(a) or pd.isna(b):
        return bool(pd.isna(a) and pd.isna(b))
    return abs(float(a) - float(b)) < 0.005


def sla(d: dict, lang: str, h: dict | None = None) -> Section:
    """Both departments' commitments over the days, as the deck's SLA slide states them; with the Overview's
    headline `h`, a leads plan of part of the days is not compared with (its days said, as the deck)."""
    m = d["scorecard"]
    s = Section("sla", t("digest.sla", lang), header=[t("deck.col.side", lang), t("deck.col.commitment", lang),
                                                      t("deck.col.target", lang), t("deck.col.fact", lang),
                                                      t("deck.col.met", lang)])
    if m.empty or not m.leads.sum():
        s.lines.append(t("deck.s.empty", lang))
        return s
    a, leads = m.iloc[0], float(m.leads.sum())
    plan = float(m.leads_plan.sum()) if m.leads_plan.notna().any() else None
    part = leads_plan_part(h, lang) if plan and h else None
    hours = fmt.number(a.first_contact_hours, lang, 0 if float(a.first_contact_hours).is_integer() else 1)
    rows = [("marketing", "leads", leads / plan if plan and not part else None, 1.0 if plan and not part else None),
            ("marketing", "qualified", m.qualified.sum() / leads, a.min_qualified_share),
            ("sales", "sla", m.within_sla.sum() / leads, a.within_sla_target),
            ("sales", "lead_to_deal", m.converted.sum() / leads, a.min_lead_to_deal)]
    for side, key, fact, target in rows:
        met = "—" if fact is None or target is None or pd.isna(target) else ("✓" if fact >= target else "✗")
        s.rows.append([t(f"owner.{side}", lang), t(f"deck.s.{key}", lang, hours=hours),
                       fmt.percent(target, lang, 0), fmt.percent(fact, lang, 0), met])
    s.lines.append(t("digest.leads_plan_part" if part else "digest.leads_line", lang, leads=fmt.number(leads, lang),
                     plan=fmt.number(plan, lang) if plan else "—", **(part or {})))
    return s


def commitments(r: Recipient, lang: str, on: dt.date) -> list[Section]:
    """Both departments' commitments overdue on `on` (model/decisions.py: past due and not done) that concern
    the recipient: company-wide ones and, for a regional user, those naming only their regions."""
    try:
        from model import decisions
    except ImportError:     # decisions are not recorded in this installation
        return []
    table = decisions.listing(scope_of(r.user), today=on)
    overdue = table[table.status == "overdue"].sort_values(["due_date", "department"], kind="stable")
    s = Section("commitments", t("digest.commitments", lang),
                header=[t("deck.col.side", lang), t("digest.person", lang), t("deck.col.commitment", lang),
                        t("deck.col.where", lang), t("digest.due", lang)])
    for c in overdue.itertuples():
        s.rows.append([t(f"owner.{c.department}", lang), str(c.person), str(c.text),
                       ", ".join(c.regions) if c.regions else t("all_regions", lang), fmt.date(c.due_date, lang)])
    s.lines.append(t("digest.overdue", lang, n=len(overdue)) if len(overdue) else t("digest.no_overdue", lang))
    return [s]


def flights(f: Filters, run, lang: str, base: str, since: dt.date) -> Section:
    """Regional flights that ended after `since` and by the digest's last day, each with the campaign impact
    page's estimate and verdict (a flight that cannot be estimated says why)."""
    from model.views import impact as view
    s = Section("flights", t("digest.flights", lang),
                header=[t("deck.col.flight", lang), t("deck.col.where", lang), t("deck.col.when", lang),
                        t("deck.col.effect", lang), t("deck.col.interval", lang), t("deck.col.verdict", lang)])
    rows = run("flights_list", {**f.params(), "date_from": since, "date_to": f.date_to})
    listed = view.listed(rows) if not rows.empty else rows     # (an empty frame indexed by [] loses its columns)
    end = pd.to_datetime(listed.end_date).dt.date
    done = listed[(end > since) & (end <= f.date_to)]
    if done.empty:
        s.lines.append(t("digest.no_flights", lang, since=fmt.date(since, lang)))
        return s
    signed = lambda x: ("+" if x > 0 else "") + fmt.compact(x, lang, base)  # noqa: E731
    for fl in done.head(MAX_FLIGHTS).itertuples():
        when = f"{fmt.date(fl.start_date, lang)} – {fmt.date(fl.end_date, lang)}"
        try:
            d = view.load(f, run, campaign=fl.campaign, metric="revenue")
            r = view.estimate_flight(d["panel"], *view.estimate_args(d)).result
        except ValueError as e:     # analysis.impact.ImpactError: this flight cannot be estimated
            code, fields = getattr(e, "code", None), getattr(e, "fields", {})
            why = t(f"impact.err.{code}", lang, **fields) if code else str(e)
            s.rows.append([fl.campaign, ", ".join(fl.regions), when, "—", "—", why])
            continue
        s.rows.append([fl.campaign, ", ".join(fl.regions), when, signed(r.incremental),
                       f"{signed(r.incremental_low)} … {signed(r.incremental_high)}",
                       t(f"deck.i.verdict.{verdict(r.incremental_low, r.incremental_high)}", lang)])
    return s


def freshness(d: dict, r: Recipient, lang: str) -> Section:
    """Each source's latest day, and values no rule recognised (company-wide: for those who see the company)."""
    s = Section("freshness", t("digest.freshness", lang),
                header=[t("digest.source", lang), t("digest.latest", lang)])
    for row in d["fresh"].itertuples():
        s.rows.append([t(f"digest.source.{row.source}", lang),
                       fmt.date(row.latest, lang) if not pd.isna(row.latest) else "—"])
    u = d["unrecognised"]
    if not r.user.can("company_totals"):
        s.lines.append(t("digest.unrecognised_company", lang))
    elif u.empty:
        s.lines.append(t("digest.unrecognised_none", lang))
    for x in u.itertuples():
        s.lines.append(t("digest.unrecognised", lang, dimension=t(f"dq.dimension.{x.dimension}", lang),
                         source=t(f"dq.of.{x.source}", lang), values=fmt.number(x.values, lang),
                         share=fmt.percent(x.share, lang, 1)))
    return s


def alerts(f: Filters, run, lang: str, base: str, company: bool) -> Section:
    """Open alerts of the recipient's regions and, for one who sees the company, those with no region (the
    access layer withholds them from a regional manager: model/catalog.py, "regional"); an unrecognised raw
    value (it may be another region's raw name) only for those who see the company's data quality."""
    s = Section("alerts", t("digest.alerts", lang))
    try:
        rows = run("alerts_open", {"regions": list(f.regions)})
    except duckdb.CatalogException:     # a warehouse built before alerts existed: the next load adds them
        s.lines.append(t("alerts.not_built", lang))
        return s
    rows = rows if company else rows[rows.rule != "unrecognised"]
    rows = alerts_clock.with_clock(rows, run, dt.date.today(), company)
    s.lines += [alert_line(r, lang, base) for r in rows.itertuples()] or [t("alerts.none", lang)]
    return s
