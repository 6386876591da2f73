"""ui.charts: the axes every chart shares (round value ticks in the reader's units, months in the reader's
language over the months that hold data) and the marking of partial months and weeks."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.apptest import tick_value
from ui import charts

S = "\u00a0"
D = dt.date


@pytest.mark.parametrize("raw, step", [(1, "1"), (1.2, "2"), (2.1, "2.5"), (3, "5"), (7, "10"), (0.03, "0.05"),
                                       (370_000, "500000"), (40_000_000, "50000000")])
def test_nice_step(raw, step):
    assert charts.nice_step(raw) == Decimal(step)


@pytest.mark.parametrize("values, lang, expected", [
    ([0, 157e6, 200e6], "ru", ["0", f"50{S}млн", f"100{S}млн", f"150{S}млн", f"200{S}млн"]),
    ([0, 157e6, 200e6], "en", ["0", "50M", "100M", "150M", "200M"]),
    # the spend axis the issue saw ticking at 107 067 · 1 895 109
    ([107_067, 1_895_109], "ru", ["0", f"0,5{S}млн", f"1{S}млн", f"1,5{S}млн", f"2{S}млн"]),
    ([107_067, 1_895_109], "en", ["0", "0.5M", "1M", "1.5M", "2M"]),
    ([3, 40], "ru", ["0", "10", "20", "30", "40"]),                    # counts stay plain numbers
    ([0, 4_000], "ru", ["0", f"1{S}000", f"2{S}000", f"3{S}000", f"4{S}000"]),
    ([0, 4_000], "en", ["0", "1,000", "2,000", "3,000", "4,000"]),
    # negatives with the minus sign (U+2212), as Russian typography writes them
    ([-3_500_000, 4_400_000], "ru", [f"\u22124{S}млн", f"\u22122{S}млн", "0", f"2{S}млн", f"4{S}млн", f"6{S}млн"]),
    ([2.4e9], "en", ["0", "0.5B", "1B", "1.5B", "2B", "2.5B"]),
])
def test_value_axis_labels(values, lang, expected):
    axis = charts.value_axis(values, lang)
    assert axis["ticktext"] == expected
    assert axis["range"] == [axis["tickvals"][0], axis["tickvals"][-1]]
    assert axis["tickmode"] == "array" and axis["hoverformat"] == ",.0f"   # hover keeps the exact number


@pytest.mark.parametrize("values", [[], [0, 0], [None, float("nan")], ["x"]])
def test_value_axis_of_nothing_is_one_zero_tick(values):
    axis = charts.value_axis(values, "ru")
    assert axis["tickvals"] == [0.0] and axis["ticktext"] == ["0"] and axis["range"] == [0.0, 1.0]


def test_value_axis_ignores_missing_values():
    assert charts.value_axis([None, 157e6, float("nan"), 200e6], "ru") == charts.value_axis([157e6, 200e6], "ru")


def test_a_second_axis_ticks_on_the_first_ones_grid():
    revenue = charts.value_axis([157e6, 148e6, 200e6], "ru")
    spend = charts.value_axis([7_258_764, 86_110], "ru", charts.intervals(revenue))
    assert len(spend["tickvals"]) == len(revenue["tickvals"])
    assert spend["ticktext"] == ["0", f"2{S}млн", f"4{S}млн", f"6{S}млн", f"8{S}млн"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=-10**15, max_value=10**15).map(lambda cents: cents / 100), min_size=1,
                max_size=12),
       st.sampled_from(["ru", "en"]), st.one_of(st.none(), st.integers(min_value=1, max_value=8)))
def test_value_ticks_cover_zero_and_every_value_at_a_round_step(values, lang, intervals):
    axis = charts.value_axis(values, lang, intervals)
    ticks = axis["tickvals"]
    lo, hi = axis["range"]
    assert lo <= min(0, *values) and hi >= max(0, *values)
    assert 0.0 in ticks
    if len(ticks) > 1:
        steps = {round(b - a, 6) for a, b in itertools.pairwise(ticks)}
        assert len(steps) == 1                                  # evenly spaced
        mantissa = Decimal(repr(steps.pop())).normalize()
        assert mantissa.scaleb(-mantissa.adjusted()) in {1, 2, Decimal("2.5"), 5}
        both_sides = min(values) < 0 < max(values)
        assert len(ticks) - 1 == (max(intervals, 2 if both_sides else 1) if intervals else len(ticks) - 1)
        assert intervals or 2 <= len(ticks) <= 12
    for value, text in zip(ticks, axis["ticktext"], strict=True):            # the label says the tick's value
        assert tick_value(text, lang) == pytest.approx(value, rel=1e-9, abs=1e-9)


def test_month_axis_in_russian_and_english():
    months = [D(2026, 10, 1), D(2026, 11, 1), D(2026, 12, 1)]
    ru, en = charts.month_axis(months, "ru"), charts.month_axis(months, "en")
    assert ru["ticktext"] == ["окт 2026", "ноя 2026", "дек 2026"]
    assert en["ticktext"] == ["Oct 2026", "Nov 2026", "Dec 2026"]
    assert ru["range"] == ["2026-10-01", "2027-01-01"]          # the data's months, no stretch
    assert ru["tickvals"][0].startswith("2026-10-16")            # under the middle of the month's bar


def test_month_axis_of_one_month():
    axis = charts.month_axis([pd.Timestamp("2026-02-01")], "ru")
    assert axis["ticktext"] == ["фев 2026"] and axis["range"] == ["2026-02-01", "2026-03-01"]


def test_month_axis_keeps_a_gap_month():
    axis = charts.month_axis([D(2026, 1, 1), D(2026, 3, 1)], "en")
    assert axis["ticktext"] == ["Jan 2026", "Feb 2026", "Mar 2026"]
    assert axis["range"] == ["2026-01-01", "2026-04-01"]


def test_many_months_name_the_year_where_it_changes_and_thin_out():
    year = charts.month_axis([D(2025, m, 1) for m in range(3, 13)] + [D(2026, 1, 1)], "ru")
    assert year["ticktext"] == ["мар<br>2025", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек",
                                "янв<br>2026"]
    long = charts.month_axis([D(2024, 1, 1), D(2026, 12, 1)], "en")    # 36 months: every third labelled
    assert len(long["ticktext"]) == 12 and long["ticktext"][:2] == ["Jan<br>2024", "Apr"]
    assert long["range"] == ["2024-01-01", "2027-01-01"]


def test_month_axis_of_nothing():
    assert charts.month_axis([], "ru") == {"type": "date"}


def test_date_axis_weeks_then_months():
    weeks = charts.date_axis(D(2026, 10, 1), D(2026, 12, 31), "ru")
    assert weeks["ticktext"][0] == "5 окт" and weeks["tickvals"][0] == "2026-10-05"     # Mondays
    assert weeks["range"] == ["2026-10-01", "2027-01-01"]
    assert charts.date_axis(D(2026, 10, 1), D(2026, 10, 31), "en")["ticktext"][0] == "Oct 5"
    months = charts.date_axis(D(2025, 7, 10), D(2026, 10, 31), "ru")
    assert months["ticktext"] == ["авг<br>2025", "окт", "дек", "фев<br>2026", "апр", "июн", "авг", "окт"]


def test_partial_months_the_month_under_way_and_a_cut_period():
    months = [D(2026, 10, 1), D(2026, 11, 1), D(2026, 12, 1)]
    under_way = charts.partial_months(months, D(2026, 10, 1), D(2026, 12, 31), D(2026, 12, 2))
    assert under_way == {D(2026, 12, 1): charts.Span(D(2026, 12, 1), D(2026, 12, 2), False, True)}
    assert under_way[D(2026, 12, 1)].text("ru") == "по 02.12" and under_way[D(2026, 12, 1)].text("en") == "to Dec 2"
    cut = charts.partial_months([D(2026, 2, 1), D(2026, 3, 1), D(2026, 5, 1)], D(2026, 2, 15), D(2026, 5, 10),
                                D(2026, 12, 2))
    assert [s.text("ru") for s in cut.values()] == ["с 15.02", "по 10.05"]
    both = charts.partial_months([D(2026, 2, 1)], D(2026, 2, 15), D(2026, 2, 20), None)
    assert both[D(2026, 2, 1)].text("ru") == "15.02–20.02"
    assert charts.partial_months(months, D(2026, 10, 1), D(2026, 12, 31), D(2026, 12, 31)) == {}
    assert charts.partial_months(months, D(2026, 10, 1), D(2026, 12, 31), pd.NaT) == {}


def test_partial_weeks():
    weeks = [D(2026, 9, 28), D(2026, 10, 5), D(2026, 11, 30)]     # Mondays
    got = charts.partial_weeks(weeks, D(2026, 10, 1), D(2026, 12, 31), D(2026, 12, 2))
    assert got == {D(2026, 9, 28): charts.Span(D(2026, 10, 1), D(2026, 10, 4), True, False),
                   D(2026, 11, 30): charts.Span(D(2026, 11, 30), D(2026, 12, 2), False, True)}
    offsets, widths = charts.week_bars(weeks, got)
    day = charts.DAY_MS
    assert offsets == [3 * day, 0, 0] and widths == [4 * day * 6 / 7, 6 * day, 3 * day * 6 / 7]


def test_a_partial_month_label_says_its_days():
    months = [D(2026, 11, 1), D(2026, 12, 1)]
    partial = charts.partial_months(months, D(2026, 11, 1), D(2026, 12, 31), D(2026, 12, 2))
    assert charts.month_axis(months, "ru", partial)["ticktext"] == ["ноя 2026", "дек 2026<br>по 02.12"]
    assert charts.month_axis(months, "en", partial)["ticktext"] == ["Nov 2026", "Dec 2026<br>to Dec 2"]
    year = [D(2026, m, 1) for m in range(1, 13)]         # too many to write the days under a bar
    assert charts.month_axis(year, "ru", charts.partial_months(year, D(2026, 1, 1), D(2026, 12, 31),
                                                               D(2026, 12, 2)))["ticktext"][-1] == "дек"


def test_data_months_trims_months_without_data_and_keeps_a_gap():
    frame = pd.DataFrame({"month": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01",
                                                   "2026-05-01", "2026-06-01"]),
                          "revenue": [0.0, 5.0, 0.0, 7.0, 0.0, 0.0], "spend": [0.0, 1.0, 0.0, None, 0.0, 0.0]})
    kept = charts.data_months(frame, ["revenue", "spend"], D(2026, 5, 3))
    assert [m.month for m in kept.month] == [2, 3, 4, 5]         # from the first data to the latest's month
    assert list(charts.data_months(frame, ["revenue"], None).month.dt.month) == [2, 3, 4, 5, 6]
    empty = frame.assign(revenue=0.0, spend=0.0)
    assert len(charts.data_months(empty, ["revenue", "spend"], D(2026, 3, 31))) == 3   # nothing: up to the latest


def test_a_partial_month_is_drawn_apart():
    x = [pd.Timestamp(f"2026-{m}-01") for m in (10, 11, 12)]
    partial = charts.partial_months(x, D(2026, 10, 1), D(2026, 12, 31), D(2026, 12, 2))
    fig = go.Figure()
    charts.month_bars(fig, x, [157.0, 148.0, 9.0], partial, "ru", "Факт", charts.FACT)
    charts.month_line(fig, x, [7.0, 7.1, 0.3], partial, "ru", "Расход", charts.SPEND, yaxis="y2")
    whole, part, line, link, point = fig.data
    assert list(whole.y) == [157.0, 148.0] and list(part.y) == [9.0]
    assert part.name == "Факт, неполный месяц: данные по 02.12" and part.marker.pattern.shape == "/"
    assert whole.offsetgroup == part.offsetgroup                   # one slot per month, not side by side
    assert list(line.y) == [7.0, 7.1] and line.line.dash is None
    assert link.line.dash == "dot" and list(link.y) == [7.1, 0.3, None] and link.hoverinfo == "skip"
    assert list(point.y) == [0.3] and point.marker.color == "white" and point.yaxis == "y2"


def test_whole_months_are_one_trace_each():
    x = [pd.Timestamp("2026-10-01"), pd.Timestamp("2026-11-01")]
    fig = go.Figure()
    charts.month_bars(fig, x, [1.0, 2.0], {}, "en", "Fact", charts.FACT)
    charts.month_line(fig, x, [1.0, None], None, "en", "Plan", charts.PLAN, dash="dash")
    assert [tr.name for tr in fig.data] == ["Fact", "Plan"]


def test_a_week_bar_takes_its_per_point_hover_along():
    fig = go.Figure()
    weeks = ["2026-11-23", "2026-11-30"]
    partial = charts.partial_weeks(weeks, D(2026, 11, 23), D(2026, 12, 6), D(2026, 12, 2))
    charts.period_bars(fig, weeks, [3.0, 1.0], partial, "en", "Revenue", charts.FACT, unit="week",
                       hovertext=["a", "b"], hoverinfo="text")
    assert [list(tr.hovertext) for tr in fig.data] == [["a"], ["b"]]
    assert fig.data[1].name == "Revenue, partial week: data to Dec 2"


def test_percent_axis():
    assert charts.percent_axis("ru")["ticktext"] == ["0\u00a0%", "25\u00a0%", "50\u00a0%", "75\u00a0%", "100\u00a0%"]
    assert charts.percent_axis("en", 1.1)["ticktext"][-1] == "125%"          # rounded up to a step


def test_legend_sits_between_title_and_plot():
    fig = charts.style(go.Figure(), "ru", "Заголовок", height=400)
    legend = fig.layout.legend
    assert legend.yref == "container" and legend.yanchor == "top"
    assert legend.y == pytest.approx(1 - charts.TITLE_PX / 400)      # under the title, above the plot
    assert fig.layout.title.yref == "container" and fig.layout.separators == f",{S}"


def test_plotly_config_speaks_the_readers_language():
    """A chart's hover writes months with ui.fmt's names ('%b %Y' -> 'окт 2026'), the modebar in Russian;
    English is plotly's own default."""
    from ui import fmt

    ru = charts.plotly_config("ru")
    assert ru["locale"] == "ru" and ru["locales"]["ru"]["format"]["shortMonths"] == list(fmt.MONTHS_RU)
    assert ru["locales"]["ru"]["dictionary"]["Autoscale"] == "Автомасштаб"
    assert charts.plotly_config("en") == {}
    assert charts.month_axis([dt.date(2026, 10, 1)], "ru")["hoverformat"] == "%b %Y"
