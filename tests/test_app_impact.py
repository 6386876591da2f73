"""The campaign impact page (AppTest) on a small demo company whose flights are planted: every flight
found at build is offered, the page shows what analysis.impact estimates on the same panel, and the
planner answers."""
from __future__ import annotations

import pytest

from model import runner
from model.filters import from_query, today
from model.views import load
from model.views.impact import estimate, estimate_args
from tests.apptest import Q1_2025, metric, run_app, sql, texts
from ui import fmt
from ui.i18n import t


@pytest.fixture
def on_demo(small_demo, monkeypatch):
    monkeypatch.setenv("PARITY_DB", str(small_demo))
    return small_demo


def expected(db, campaign=None, metric_="revenue"):
    con = runner.connect(db)
    try:
        d = load("impact", from_query({"period": "last12"}, today()), lambda n, p: runner.run_on(con, n, p),
                 campaign=campaign, metric=metric_)
    finally:
        con.close()
    return d, estimate(d["panel"], *estimate_args(d))


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_flights_offered_and_the_estimate_shown(on_demo, lang):
    at = run_app("impact", lang, period="last12")
    flights = [r[0] for r in sql(on_demo, "select campaign from flights")]
    box = at.selectbox(key="impact_flight")
    assert len(box.options) == len(flights) == 7
    _d, r = expected(on_demo, box.value)
    base = "RUB"
    shown = metric(at, t("impact.incremental", lang))
    assert shown.value == fmt.compact(r.incremental, lang, base)
    assert t("impact.range", lang, low=fmt.compact(r.incremental_low, lang, base),
             high=fmt.compact(r.incremental_high, lang, base)) == shown.delta
    assert metric(at, t("impact.p_value", lang)).value == fmt.number(r.p_value, lang, 3)
    page = texts(at)
    assert fmt.compact(r.incremental_low, lang, base) in page          # the verdict states the interval
    weights = at.dataframe[0].value
    assert set(weights.region) <= set(r.weights.index) and abs(weights.weight.sum() - 1) < 0.01


def test_another_flight_and_metric_change_the_result(on_demo):
    at = run_app("impact", "en", period="last12")
    first = metric(at, "Incremental over the flight").value
    other = at.selectbox(key="impact_flight").options[2]
    at.selectbox(key="impact_flight").set_value(other).run()
    assert not at.exception
    assert metric(at, "Incremental over the flight").value != first
    at.button_group(key="impact_metric").set_value("leads").run()
    assert not at.exception
    assert "RUB" not in metric(at, "Incremental over the flight").value


def test_planner_gives_a_minimum_detectable_effect(on_demo):
    at = run_app("impact", "en", period="last12")
    at.multiselect(key="plan_candidates").set_value(["Москва"]).run()
    at.button(key="plan_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(df.value for df in at.dataframe if "mde" in df.value.columns)
    assert list(table.region) == ["Москва"]
    assert "80% power" in texts(at) or t("impact.plan.too_few", "en") in texts(at)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_flight_that_cannot_be_estimated_says_why(warehouse, lang):
    """The fixture company's Q1 flight went to a region with no revenue outside it: the page says in one
    line which regions and what to do, in the reader's language, and the planner tab still works."""
    at = run_app("impact", lang, **Q1_2025)
    shown = [w.value for w in at.warning]
    reason = t("impact.err.no_reference", lang, regions="Санкт-Петербург")
    assert t("impact.cannot", lang, detail=reason) in shown
    assert not at.metric and at.multiselect(key="plan_candidates").options
