"""The deck for a filter set: the chosen sections' slides (report.findings), built from the pages' own
views (model.views.load) through a query runner, with the filters line printed on every slide."""
from __future__ import annotations

from model.filters import Filters
from report import findings
from report.decisions import decisions_slides
from report.periods import is_quarter, period_label
from report.slides import Deck
from ui import fmt
from ui.agreement import label
from ui.i18n import t

SECTIONS = ("decisions", "headline", "regions", "contribution", "sla", "joint_plan", "data_quality")
# slides whose numbers follow an agreement (base currency, attribution, SLA): their note names its version
AGREED = frozenset({"headline", "regions", "contribution", "sla"})

# the deck opens with what the last meeting decided, then the period's numbers
BUILDERS = {"decisions": decisions_slides, **findings.SECTION_BUILDERS}


def filters_line(f: Filters, lang: str) -> str:
    """The line printed on every slide: period, dates, regions, products (ui.fmt.filters)."""
    dates = fmt.filters(f, lang)
    return f"{period_label(f, lang)} · {dates}" if is_quarter(f.date_from, f.date_to) else dates


def build(f: Filters, run, lang: str, sections=SECTIONS) -> Deck:
    """The deck for filters `f` in `lang` with the chosen `sections` (in SECTIONS order)."""
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise ValueError(f"unknown sections {unknown}: choose from {', '.join(SECTIONS)}")
    ctx = findings.Context(f, run, lang, filters_line(f, lang), period_label(f, lang))
    slides, omitted = [], []
    for name in (s for s in SECTIONS if s in sections):
        made, notes = BUILDERS[name](ctx)
        slides += made
        omitted += notes
    named = t("agr.caption", lang, label=label(run, lang))
    for s in slides:
        if s.key in AGREED:
            s.note = f"{s.note} {named}" if s.note else named
    return Deck(t("deck.title", lang), t("deck.subtitle", lang, period=ctx.period), ctx.filters, lang, slides,
                omitted)
