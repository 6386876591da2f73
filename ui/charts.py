"""Chart helpers every page shares: locale-aware layout and axes, owner colours, joint-activity markers,
partial months.

Axes carry their own tick values and texts (plotly's built-in formats speak English: "Oct 2026",
"200M"), written by ui.fmt in the reader's language: months as 'окт 2026', money as '200 млн', at
round steps, over the months that hold data. What plotly itself writes (a hover's date, the modebar's
tooltips) follows `plotly_config(lang)`, which every st.plotly_chart passes: plotly's own locale option.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go

from ui import fmt
from ui.i18n import TEXT, t

# Neutral, distinguishable colours for the departments; the same on every page and in the deck.
OWNER_COLORS = {"marketing": "#4C78A8", "sales": "#F58518", "company": "#54A24B", "partner": "#B279A2"}
FACT, PLAN, SPEND = "#4C78A8", "#9D9D9D", "#E45756"
BESIDE_OWNERS = "#72B7B2"   # a fact series drawn next to owner-coloured marks (FACT is marketing's blue)
MANTISSAS = (1, 2, 2.5, 5, 10)   # round steps: 1, 2, 2.5, 5 times a power of ten
TITLE_PX = 44                    # room for a one-line chart title above the legend


DAYS_RU = ("воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница", "суббота")
MONTHS_FULL_RU = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
                  "ноябрь", "декабрь")


def plotly_config(lang: str) -> dict:
    """st.plotly_chart's config in the reader's language: plotly's `locales` option (a locale given with the
    chart instead of a registered plotly-locale file) with ui.fmt's month names, so '%b %Y' in a hover reads
    'окт 2026' like the axis, and the modebar's tooltips from ui/locales/streamlit.toml. English is plotly's
    own default."""
    if lang == "en":
        return {}
    modebar = [k for k in TEXT["en"] if k.startswith("plotly.modebar.")]
    return {"locale": lang, "locales": {lang: {
        "dictionary": {TEXT["en"][k]: TEXT[lang][k] for k in modebar},
        "format": {"months": list(MONTHS_FULL_RU), "shortMonths": list(fmt.MONTHS_RU),
                   "days": list(DAYS_RU), "shortDays": [d[:2] for d in DAYS_RU],
                   "date": "%d.%m.%Y", "year": "%Y", "month": "%b %Y", "dayMonth": "%-d %b",
                   "dayMonthYear": "%-d %b %Y"}}}}


def separators(lang: str) -> str:
    """plotly's decimal mark then thousands separator: '1 234,5' in Russian, '1,234.5' in English."""
    return ",\u00a0" if lang == "ru" else ".,"


def style(fig: go.Figure, lang: str, title: str | None = None, height: int = 380) -> go.Figure:
    """Title, size, number separators, one hover per x (its date as the header, whole series names); the
    legend in rows between the title and the plot, where it never covers the x axis' labels (long region
    names, slanted). The legend is placed in the figure's own coordinates, so plotly moves the plot down
    by the legend's height, however many rows it wraps to."""
    top = TITLE_PX if title else 4
    fig.update_layout(title={"text": title, "yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 12}},
                      separators=separators(lang), height=height, hovermode="x unified",
                      hoverlabel={"namelength": -1},   # a series' whole name in the hover, not 'Рекламный ра...'

                      margin={"t": top, "b": 30, "l": 10, "r": 10},
                      legend={"orientation": "h", "yref": "container", "y": 1 - top / height, "yanchor": "top",
                              "xanchor": "left", "x": 0})
    return fig


# ---------------------------------------------------------------------------------------------------
# value axes: round steps, labels in the reader's units


def nice_step(raw: float) -> Decimal:
    """The smallest round step (1, 2, 2.5 or 5 times a power of ten) not below `raw` (> 0)."""
    power = Decimal(10) ** math.floor(math.log10(raw))
    for m in MANTISSAS:
        step = (Decimal(str(m)) * power).normalize()
        if step >= Decimal(repr(raw)):
            return step
    return (10 * power).normalize()


def _finite(values) -> list[float]:
    out = []
    for v in values:
        try:
            x = float(v)
        except (TypeError, ValueError):
            continue
        if math.isfinite(x):
            out.append(x)
    return out


def value_ticks(values, target: int = 5, intervals: int | None = None) -> tuple[list[Decimal], Decimal]:
    """Tick values at a round step covering 0 and every value, about `target` intervals (exactly
    `intervals` when given: a second axis whose ticks sit on the first one's grid lines; at least two
    when the values lie on both sides of 0); the step. Nothing but zeros (or nothing): one tick at 0."""
    xs = _finite(values)
    lo, hi = min([0.0, *xs]), max([0.0, *xs])
    if lo == hi:
        return [Decimal(0)], Decimal(1)
    if intervals and lo < 0 < hi:
        intervals = max(intervals, 2)    # one step cannot hold values on both sides of its 0 tick
    step = nice_step((hi - lo) / (intervals or target))
    while True:
        first = Decimal(math.floor(Decimal(repr(lo)) / step)) * step
        count = intervals or math.ceil((Decimal(repr(hi)) - first) / step)
        if first + count * step >= Decimal(repr(hi)):
            return [first + i * step for i in range(count + 1)], step
        step = nice_step(float(step) * 1.0001)   # `intervals` of this step fall short: the next round one


def value_labels(ticks: list[Decimal], lang: str) -> list[str]:
    """Ticks in one unit chosen by the largest: '0', '50 млн', '100 млн' (ru) / '0', '50M', '100M' (en);
    a tick between whole units with its decimals ('2,5 млн')."""
    scale = fmt.scale_of(max(abs(v) for v in ticks))
    # each tick with the decimals it needs: '0,5 млн', '1 млн', '1,5 млн'
    return [fmt.in_scale(v, scale, lang, max(0, -(v / scale[0]).normalize().as_tuple().exponent)) for v in ticks]


def value_axis(values, lang: str, intervals: int | None = None, **extra) -> dict:
    """A plotly axis over `values` (money or counts) with round ticks written in the reader's units,
    its range from the lowest to the highest tick; hover shows the exact number."""
    ticks, _ = value_ticks(values, intervals=intervals)
    top = ticks[-1] if len(ticks) > 1 else Decimal(1)
    return {"tickmode": "array", "tickvals": [float(v) for v in ticks], "ticktext": value_labels(ticks, lang),
            "range": [float(ticks[0]), float(top)], "hoverformat": ",.0f", **extra}


def intervals(axis: dict) -> int:
    """How many steps a value_axis has (for a second axis aligned to it)."""
    return max(1, len(axis["tickvals"]) - 1)


def percent_axis(lang: str, top: float = 1.0, step: float = 0.25, **extra) -> dict:
    """Shares from 0 to `top` (rounded up to a step) as '0 %', '25 %' ... (ru) / '0%', '25%' ... (en)."""
    ticks = [i * step for i in range(math.ceil(round(top / step, 9)) + 1)]
    return {"tickmode": "array", "tickvals": ticks, "ticktext": [fmt.percent(v, lang, 0) for v in ticks], **extra}


# ---------------------------------------------------------------------------------------------------
# time axes: months and days in the reader's language, no stretch beyond the data


def _month(d) -> dt.date:
    d = pd.Timestamp(d)
    return dt.date(d.year, d.month, 1)


def _next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)


def _months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    out, m = [], first
    while m <= last:
        out.append(m)
        m = _next_month(m)
    return out


def _thin(n: int) -> int:
    """Every how many months a label goes, so at most about 12 labels."""
    return next(s for s in (1, 2, 3, 6, 12, 24) if n / s <= 12)


def month_labels(months: list[dt.date], lang: str) -> list[str]:
    """'окт 2026' each when few; when many, the month's name with the year under the first and
    wherever the year changes ('окт<br>2026', 'ноя', 'дек', 'янв<br>2027')."""
    if len(months) <= 6:
        return [fmt.month(m, lang) for m in months]
    return [fmt.month_name(m, lang) + (f"<br>{m.year}" if i == 0 or m.year != months[i - 1].year else "")
            for i, m in enumerate(months)]


@dataclass(frozen=True)
class Span:
    """The days a partial month or week holds, and which end of it is cut."""
    first: dt.date
    last: dt.date
    cut_start: bool
    cut_end: bool

    def text(self, lang: str) -> str:
        """'по 02.12' (cut at the end), 'с 15.02' (at the start), '15.02–20.02' (both)."""
        if not self.cut_start:
            return t("chart.partial.to", lang, date=fmt.day_month(self.last, lang))
        if not self.cut_end:
            return t("chart.partial.from", lang, date=fmt.day_month(self.first, lang))
        return t("chart.partial.between", lang, first=fmt.day_month(self.first, lang),
                 last=fmt.day_month(self.last, lang))


def _day(d) -> dt.date:
    return pd.Timestamp(d).date()


def with_partial(label: str, start, partial: dict | None, lang: str) -> str:
    """A month's (week's) label, with the days it holds under it when partial: 'дек 2026<br>по 02.12'."""
    d = _day(start)
    return label + "<br>" + partial[d].text(lang) if partial and d in partial else label


def month_axis(months, lang: str, partial: dict | None = None, **extra) -> dict:
    """A date axis over whole months, first to last (no stretch past them): a tick in each month's
    middle (where bars drawn with xperiod='M1', xperiodalignment='middle' stand) labelled in the
    reader's language, level; up to six months a partial month's label says which days it holds."""
    given = sorted({_month(m) for m in months})
    if not given:
        return {"type": "date", **extra}
    every = _months_between(given[0], given[-1])
    step = _thin(len(every))
    shown = every[::step]
    labels = month_labels(shown, lang)
    if len(shown) <= 6:     # room under a bar for its days; with more months the hatch and the legend say it
        labels = [with_partial(label, m, partial, lang) for label, m in zip(labels, shown, strict=True)]
    mids = [pd.Timestamp(m) + (pd.Timestamp(_next_month(m)) - pd.Timestamp(m)) / 2 for m in shown]
    return {"type": "date", "tickmode": "array", "tickvals": [x.isoformat() for x in mids], "ticktext": labels,
            "tickangle": 0,
            "range": [given[0].isoformat(), _next_month(given[-1]).isoformat()],
            "hoverformat": "%b %Y", **extra}   # 'окт 2026' through plotly_config's month names


def date_axis(start, end, lang: str, **extra) -> dict:
    """A date axis from `start` to the end of `end` (inclusive days): weekly ticks on Mondays ('5 окт')
    over up to about four months, else month ticks ('окт', the year under the first and each January)."""
    start, end = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    days = (end - start).days + 1
    if days <= 120:
        monday = start + dt.timedelta(days=-start.weekday() % 7)
        ticks = [monday + dt.timedelta(weeks=i) for i in range((end - monday).days // 7 + 1)]
        if len(ticks) > 12:
            ticks = ticks[::2]
        labels = [f"{d.day} {fmt.month_name(d, lang)}" if lang == "ru" else fmt.day_month(d, lang) for d in ticks]
    else:
        months = _months_between(_next_month(_month(start)) if start.day > 1 else start, _month(end))
        ticks = months[::_thin(len(months))]
        labels = month_labels(ticks, lang) if len(ticks) > 6 else [fmt.month(m, lang) for m in ticks]
    return {"type": "date", "tickmode": "array", "tickvals": [d.isoformat() for d in ticks], "ticktext": labels,
            "tickangle": 0, "range": [start.isoformat(), (end + dt.timedelta(days=1)).isoformat()],
            "hoverformat": "%d.%m.%Y" if lang == "ru" else "%Y-%m-%d", **extra}


def data_months(frame: pd.DataFrame, columns: list[str], latest, month: str = "month") -> pd.DataFrame:
    """The months worth drawing: from the first with any of `columns` non-zero to the month of the latest
    data (`latest`, the last day with any deal, lead or spend); months after it have no data yet, and
    months before the first hold none. Months between keep their zeros: a gap is a fact."""
    if frame.empty:
        return frame
    months = pd.to_datetime(frame[month])
    any_value = frame[columns].fillna(0).astype("float64").ne(0).any(axis=1)
    keep = pd.Series(True, index=frame.index)
    if any_value.any():
        keep &= months >= months[any_value].min()
    if latest is not None and not pd.isna(latest):
        keep &= months <= pd.Timestamp(_month(latest))
    return frame[keep]


def _partial(starts: list[dt.date], length, date_from, date_to, latest) -> dict[dt.date, Span]:
    date_from, date_to = _day(date_from), _day(date_to)
    stop = date_to if latest is None or pd.isna(latest) else min(date_to, _day(latest))
    out = {}
    for start in sorted(set(starts)):
        end = length(start)
        first, last = max(start, date_from), min(end, stop)
        if first <= last and (first, last) != (start, end):
            out[start] = Span(first, last, first != start, last != end)
    return out


def partial_months(months, date_from, date_to, latest) -> dict[dt.date, Span]:
    """{month start: its Span} for the months whose data cover less than the whole month: cut by the
    period's dates or by the latest data (the month under way)."""
    return _partial([_month(m) for m in months], lambda m: _next_month(m) - dt.timedelta(days=1),
                    date_from, date_to, latest)


def partial_weeks(weeks, date_from, date_to, latest) -> dict[dt.date, Span]:
    """{Monday: its Span} for the weeks (Monday to Sunday) the period or the latest data cut."""
    return _partial([_day(w) for w in weeks], lambda w: w + dt.timedelta(days=6), date_from, date_to, latest)


# ---------------------------------------------------------------------------------------------------
# monthly series with the partial months marked


def _split(x: list, partial: dict | None) -> tuple[list[int], list[int]]:
    part = [i for i, d in enumerate(x) if partial and _day(d) in partial]
    return [i for i in range(len(x)) if i not in part], part


def _pick(kw: dict, idx: list[int], n: int) -> dict:
    """Per-point options (a list as long as the series) narrowed to `idx`; the others as they are."""
    return {k: [v[i] for i in idx] if isinstance(v, list) and len(v) == n else v for k, v in kw.items()}


def partial_name(name: str, partial: dict, lang: str, unit: str = "month") -> str:
    """'Факт, неполный месяц: данные по 02.12': the legend entry of a series' partial months (weeks)."""
    return t(f"chart.partial.{unit}", lang, name=name,
             span="; ".join(s.text(lang) for _, s in sorted(partial.items())))


MONTHLY = {"xperiod": "M1", "xperiodalignment": "middle"}


def period_bars(fig: go.Figure, x: list, y, partial: dict | None, lang: str, name: str, color: str,
                unit: str = "month", **kw) -> go.Figure:
    """Bars per month (or week: pass its own width/offset in `kw`); a partial one hatched and paler, with
    a legend entry of its own saying which days it holds. Both traces share one slot per x."""
    y, n = list(y), len(x)
    whole, part = _split(x, partial)
    common = {"offsetgroup": name, "legendgroup": name}
    fig.add_bar(x=[x[i] for i in whole], y=[y[i] for i in whole], name=name, marker_color=color,
                **common, **_pick(kw, whole, n))
    if part:
        fig.add_bar(x=[x[i] for i in part], y=[y[i] for i in part],
                    name=partial_name(name, partial or {}, lang, unit),
                    marker={"color": color, "opacity": 0.45,
                            "pattern": {"shape": "/", "fgcolor": "white", "solidity": 0.3, "fillmode": "overlay"}},
                    **common, **_pick(kw, part, n))
    return fig


def month_bars(fig: go.Figure, x: list, y, partial: dict | None, lang: str, name: str, color: str,
               **kw) -> go.Figure:
    """Monthly bars, each 0.8 of its month wide: plotly infers a bar's width from the gaps between bars,
    so a period of one month drew its only bar 1 ms wide (invisible)."""
    widths = [0.8 * pd.Timestamp(_day(d)).days_in_month * DAY_MS for d in x]
    return period_bars(fig, x, y, partial, lang, name, color, **MONTHLY, width=widths, **kw)


DAY_MS = 86_400_000


def week_bars(weeks, partial: dict | None) -> tuple[list[float], list[float]]:
    """(offset, width) in ms of each week's bar on a date axis: Monday to Saturday for a whole week (a
    gap before the next), a partial week's bar over the days it holds, scaled alike."""
    offsets, widths = [], []
    for w in weeks:
        span = (partial or {}).get(_day(w))
        first, days = ((span.first - _day(w)).days, (span.last - span.first).days + 1) if span else (0, 7)
        offsets.append(first * DAY_MS)
        widths.append(days * DAY_MS * 6 / 7)
    return offsets, widths


def month_line(fig: go.Figure, x: list, y, partial: dict | None, lang: str, name: str, color: str,
               dash: str | None = None, **kw) -> go.Figure:
    """A monthly line; the way to a partial month dotted and its point hollow (that month is not over,
    its dip is not a fall)."""
    y = list(y)
    whole, part = _split(x, partial)
    common = {**MONTHLY, "legendgroup": name, **kw}
    line = {"color": color, **({"dash": dash} if dash else {})}
    fig.add_scatter(x=[x[i] for i in whole], y=[y[i] for i in whole], name=name, mode="lines+markers", line=line,
                    **common)
    if part:
        # the dotted links from each partial month to its whole neighbour, None between them
        lx: list = []
        ly: list = []
        for i in part:
            j = i - 1 if i - 1 in whole else i + 1 if i + 1 in whole else None
            if j is not None:
                lx += [x[j], x[i], None]
                ly += [y[j], y[i], None]
        fig.add_scatter(x=lx, y=ly, mode="lines", line={"color": color, "dash": "dot"}, showlegend=False,
                        hoverinfo="skip", **common)
        fig.add_scatter(x=[x[i] for i in part], y=[y[i] for i in part], mode="markers", showlegend=False,
                        name=partial_name(name, partial or {}, lang),
                        marker={"color": "white", "line": {"color": color, "width": 2}, "size": 8}, **common)
    return fig


# ---------------------------------------------------------------------------------------------------
# joint activities over a time axis


def mark_activities(fig: go.Figure, activities: pd.DataFrame, lang: str, t, since=None) -> go.Figure:
    """Each joint activity as a light band over its dates, coloured by owner, with a marker on top
    whose hover says who did what, where and when; the markers are one legend entry per owner. An
    activity begun before `since` (the axis' first day) has its marker there, in sight."""
    if activities is None or activities.empty:
        return fig
    since = None if since is None else pd.Timestamp(since).date()
    fig.update_layout(yaxis9={"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True})
    for owner, group in activities.groupby("owner", sort=True):
        color = OWNER_COLORS.get(owner, "#888888")
        for a in group.itertuples():
            end = (a.end_date or a.start_date) + dt.timedelta(days=1)
            fig.add_vrect(x0=a.start_date, x1=end, fillcolor=color, opacity=0.08, line_width=0, layer="below")
        # a company-wide activity has no region (None, or NaN out of a frame): all regions, not "nan"
        where = [r if isinstance(r, str) and r else t("all_regions") for r in group.region]
        text = [f"{a.title}<br>{t('owner.' + a.owner)} · {w}<br>"
                f"{fmt.date(a.start_date, lang)} – {fmt.date(a.end_date or a.start_date, lang)}"
                for a, w in zip(group.itertuples(), where, strict=True)]
        starts = [pd.Timestamp(s).date() for s in group.start_date]
        x = [s if since is None or s >= since else since for s in starts]
        fig.add_trace(go.Scatter(
            x=x, y=[0.97] * len(group), yaxis="y9", mode="markers",
            marker={"symbol": "triangle-down", "size": 10, "color": color},
            # a template, not hoverinfo="text": the point keeps its x label, so a unified hover it wins still
            # has the month as its header and the series' values without '(окт 2026, ...)' each
            name=t("activities.legend", owner=t("owner." + owner)), hovertext=text,
            hovertemplate="%{hovertext}<extra></extra>"))
    return fig


def monthly_x(months: pd.Series) -> list:
    """Month starts as dates, so bars share the axis with activity bands."""
    return [pd.Timestamp(m) for m in months]
