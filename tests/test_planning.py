"""The joint plan planned in the app: activities added and changed on the Joint plan page (AppTest) are kept
in the store with who and when, show on every time chart's markers and in the deck, survive a rebuild,
and the plan's gaps are found."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from model import activities
from model.access import OPERATOR, scope_of
from model.filters import Filters
from model.runner import connect, runner
from tests.apptest import Q1_2025, charts, run_app, values

ALL = scope_of(OPERATOR)
KAZAN_FAIR = activities.Activity("marketing", "Ярмарка в Казани", dt.date(2025, 2, 3), dt.date(2025, 2, 5),
                                 "event", "Казань", None, Decimal("75000"), "Ольга", "planned")


@pytest.fixture
def store(tmp_path, monkeypatch):
    path = tmp_path / "store.sqlite"
    monkeypatch.setenv("PARITY_STORE", str(path))
    return path


def timeline_ids(at) -> list:
    spec = next(c for c in charts(at) if any(tr.get("orientation") == "h" for tr in c["data"]))
    return [y for tr in spec["data"] if tr.get("orientation") == "h" for y in values(tr, "y")]


def test_activities_added_and_edited_on_the_page_with_their_history(warehouse, store):
    at = run_app("joint_plan", **Q1_2025)
    loaded = timeline_ids(at)
    at.text_input(key="jp_edit_new_title").set_value("Ярмарка в Казани")
    at.date_input(key="jp_edit_new_start").set_value(dt.date(2025, 2, 3))
    at.date_input(key="jp_edit_new_end").set_value(dt.date(2025, 2, 5))
    at.selectbox(key="jp_edit_new_region").set_value("Казань")
    at.number_input(key="jp_edit_new_budget").set_value(75000)
    at.text_input(key="jp_edit_new_resp").set_value("Ольга")
    at.button(key="jp_edit_new_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert sorted(timeline_ids(at)) == sorted([*loaded, "app-1"])
    row = activities.table().to_pylist()[0]
    assert (row["title"], row["region"], row["start_date"], row["end_date"], row["budget"], row["owner"]) == (
        "Ярмарка в Казани", "Казань", dt.date(2025, 2, 3), dt.date(2025, 2, 5), Decimal("75000.00"), "marketing")

    # the same activity changed: its status and budget; and a loaded one's responsible person
    at.selectbox(key="jp_edit_which").set_value("app-1").run()
    at.selectbox(key="jp_edit_app-1_status").set_value("done")
    at.number_input(key="jp_edit_app-1_budget").set_value(80000)
    at.button(key="jp_edit_app-1_save").click().run()
    assert not at.exception and not at.error
    at.selectbox(key="jp_edit_which").set_value("A1").run()
    at.text_input(key="jp_edit_A1_resp").set_value("Пётр Новый")
    at.button(key="jp_edit_A1_save").click().run()
    assert not at.exception and not at.error
    ids = timeline_ids(at)
    assert ids.count("A1") == 1 and "app-1" in ids          # an edited loaded activity replaces its row
    h = activities.history(scope_of(OPERATOR))
    assert set(h.who) == {"admin"}
    edits = h[h.action == "edit"].set_index(["activity_id", "field"])
    assert edits.loc[("app-1", "status"), ["before", "after"]].tolist() == ["planned", "done"]
    assert edits.loc[("app-1", "budget"), ["before", "after"]].tolist() == ["75000.00", "80000.00"]
    assert edits.loc[("A1", "responsible"), "after"] == "Пётр Новый" and len(edits.loc["A1"]) == 1
    shown = next(d.value for d in at.dataframe if "after" in d.value.columns)
    assert {"Пётр Новый", "Сделано"} <= set(shown.after)      # a status in words, not its code


def test_entered_activities_mark_every_time_chart_and_reach_the_deck(warehouse, store):
    activities.save(KAZAN_FAIR, "admin", scope=ALL)
    for page, query in (("overview", {}), ("regions", {"region": "Казань"})):
        at = run_app(page, **Q1_2025, **query)
        marks = [h for c in charts(at) for tr in c["data"] if tr.get("yaxis") == "y9" for h in tr["hovertext"]]
        assert any("Ярмарка в Казани" in h for h in marks), (page, marks)

    from report import deck
    con = connect(warehouse)
    try:
        d = deck.build(Filters("custom", dt.date(2024, 10, 1), dt.date(2024, 12, 31)), runner(con, OPERATOR), "ru",
                       ("joint_plan",))
    finally:
        con.close()
    assert "Ярмарка в Казани" in d.slides[0].shown()       # the next quarter's plan holds it


def test_entered_activities_survive_a_rebuild(copy_of_warehouse, store):
    from etl.load import rebuild

    aid = activities.save(KAZAN_FAIR, "admin", scope=ALL)
    assert rebuild(progress=False)["ok"]
    con = connect(copy_of_warehouse)
    try:
        feb = Filters("custom", dt.date(2025, 2, 1), dt.date(2025, 2, 28))
        rows = runner(con, OPERATOR)("joint_plan_activities", {**feb.params(), "owners": []})
    finally:
        con.close()
    mine = rows[rows.activity_id == aid]
    assert mine.source.tolist() == ["app"] and mine.title.tolist() == ["Ярмарка в Казани"]
    assert set(rows.source) == {"file", "app"}


def _plan(*rows) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(("owner", "title", "region", "start_date", "end_date", "status"), r, strict=True))
                         for r in rows])


def test_the_plans_gaps_are_found():
    d = dt.date
    found = activities.conflicts(_plan(
        ("marketing", "Запуск в Казани", "Казань", d(2025, 3, 3), d(2025, 3, 9), "planned"),
        ("sales", "Обзвон Казань", "Казань", d(2025, 3, 12), d(2025, 3, 14), "planned"),     # follows it up
        ("marketing", "Баннеры Самара", "Самара", d(2025, 3, 3), d(2025, 3, 4), "planned"),  # no follow-up
        ("marketing", "Вебинар Самара", "Самара", d(2025, 3, 5), d(2025, 3, 5), "planned"),  # same week, no follow-up
        ("sales", "Акция Пермь", "Пермь", d(2025, 3, 10), d(2025, 3, 20), "planned"),         # no support
        ("sales", "Акция Омск", "Омск", d(2025, 3, 10), d(2025, 3, 20), "cancelled")))        # cancelled: ignored
    got = sorted(zip(found.kind, found.title, strict=True))
    assert got == [("no_follow_up", "Баннеры Самара"), ("no_follow_up", "Вебинар Самара"),
                   ("no_support", "Акция Пермь"), ("same_week", "Баннеры Самара")]


def test_an_activity_that_cannot_exist_is_refused_in_one_line(store):
    with pytest.raises(activities.ActivityError, match="before it starts"):
        activities.save(activities.Activity("sales", "x", dt.date(2025, 2, 5), dt.date(2025, 2, 1)), "admin",
                        scope=ALL)
    with pytest.raises(activities.ActivityError, match="sign in"):
        activities.save(KAZAN_FAIR, "", scope=ALL)
    assert activities.version() == 0
