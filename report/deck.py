"""The deck's content, independent of the file format: slides with a title, the filters line, findings,
a chart and a table. `build()` runs the pages' own views (ui.views.load) through a query runner."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from ui import fmt
from ui.filters import Filters, add_months, month_end
from ui.i18n import t

SECTIONS = ("headline", "regions", "contribution", "sla", "joint_plan", "data_quality")


@dataclass(frozen=True)
class Finding:
    """One sentence, and the facts it states: name -> (value, the text the sentence and the table show)."""
    text: str
    facts: dict[str, tuple[float, str]] = field(default_factory=dict)


@dataclass
class Slide:
    key: str
    title: str
    filters: str
    findings: list[Finding] = field(default_factory=list)
    chart: go.Figure | None = None
    table: pd.DataFrame | None = None     # text cells, as shown
    note: str = ""

    @property
    def wide_table(self) -> bool:
        """A table that needs the whole right half: the chart then goes under the findings."""
        return self.table is not None and (len(self.table) > 7 or len(self.table.columns) > 6)

    def shown(self) -> str:
        """Every text the slide's table shows (headers and cells), for "the number is on the slide" checks."""
        if self.table is None:
            return ""
        return "\n".join([*map(str, self.table.columns), *(str(v) for v in self.table.to_numpy().ravel())])


@dataclass
class Deck:
    title: str
    subtitle: str
    filters: str
    lang: str
    slides: list[Slide]
    omitted: list[str] = field(default_factory=list)   # parts left out, and why (shown by the page and the CLI)
    images: dict[int, bytes] | None = field(default=None, repr=False)   # charts as PNG, once rendered


def is_quarter(start: dt.date, end: dt.date) -> bool:
    return start.day == 1 and start.month % 3 == 1 and end == month_end(add_months(start, 2))


def period_label(f: Filters, lang: str) -> str:
    """'2025-Q1' for a calendar quarter, else the dates."""
    if is_quarter(f.date_from, f.date_to):
        return f"{f.date_from.year}-Q{(f.date_from.month - 1) // 3 + 1}"
    return f"{fmt.date(f.date_from, lang)} – {fmt.date(f.date_to, lang)}"


def next_period(f: Filters) -> Filters:
    """The quarter after a quarter; otherwise a window of the same length right after the period."""
    if is_quarter(f.date_from, f.date_to):
        start = add_months(f.date_from, 3)
        end = month_end(add_months(start, 2))
    else:
        start = f.date_to + dt.timedelta(days=1)
        end = start + (f.date_to - f.date_from)
    return Filters("custom", start, end, f.regions, f.products)


def filters_line(f: Filters, lang: str) -> str:
    """The line printed on every slide: period, dates, regions, products."""
    regions = ", ".join(f.regions) if f.regions else t("all_regions", lang)
    products = ", ".join(f.products) if f.products else t("all_products", lang)
    dates = t("filters.caption", lang, date_from=fmt.date(f.date_from, lang), date_to=fmt.date(f.date_to, lang),
              regions=regions, products=products)
    return f"{period_label(f, lang)} · {dates}" if is_quarter(f.date_from, f.date_to) else dates


def build(f: Filters, run, lang: str, sections=SECTIONS) -> Deck:
    """The deck for filters `f` in `lang` with the chosen `sections` (in SECTIONS order)."""
    from report import findings

    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise ValueError(f"unknown sections {unknown}: choose from {', '.join(SECTIONS)}")
    ctx = findings.Context(f, run, lang, filters_line(f, lang), period_label(f, lang))
    slides, omitted = [], []
    for name in (s for s in SECTIONS if s in sections):
        made, notes = findings.SECTION_BUILDERS[name](ctx)
        slides += made
        omitted += notes
    return Deck(t("deck.title", lang), t("deck.subtitle", lang, period=ctx.period), ctx.filters, lang, slides,
                omitted)
