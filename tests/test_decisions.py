"""The meeting's commitments: recorded (CLI and Meeting page), the demo's data advanced, and the next deck
opens with them, each with its status and its metric's movement since the meeting, checked against SQL
written independently of the metric registry."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from decisions.__main__ import main as cli
from model import decisions
from model.access import OPERATOR, scope_of
from model.filters import Filters
from model.runner import connect, runner
from tests.apptest import run_app, sql_one

ALL = scope_of(OPERATOR)     # whoever runs the store's own functions here sees every commitment
MEETING = dt.date(2026, 5, 31)
NOW = dt.date(2026, 9, 1)     # "today" for the statuses: after the second build's data


@pytest.fixture
def store(tmp_path, monkeypatch):
    path = tmp_path / "store.sqlite"
    monkeypatch.setenv("PARITY_STORE", str(path))
    return path


def leads_between(db, a: dt.date, b: dt.date, region: str) -> int:
    return int(sql_one(db, "select count(*) from leads where created_at::date between $a and $b and region = $r",
                       {"a": a, "b": b, "r": region}))


def test_the_next_deck_opens_with_the_last_meetings_commitments(tmp_path, store, monkeypatch):
    from etl.demo_load import run_demo
    from report import decisions as slide
    from report.deck import SECTIONS, build

    db = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("PARITY_DB", str(db))
    assert run_demo(seed=5, deals=600, end=str(MEETING))["ok"]
    c = decisions.Commitment
    assert cli(["--who", "ivanova", "add", "--meeting", str(MEETING), "--department", "marketing",
                               "--person", "Мария К.", "--text", "Лиды Москвы", "--due", "2026-07-31",
                               "--regions", "Москва", "--metric", "leads", "--target", "500"]) == 0
    sales = decisions.add(c(MEETING, "sales", "Олег П.", "Обзвон всех лидов за 2 часа", dt.date(2026, 6, 30),
                            ("Москва",), "revenue"), "petrov", ALL)
    decisions.add(c(MEETING, "sales", "Анна С.", "Новая воронка", dt.date(2026, 12, 31)), "petrov", ALL)
    decisions.add(c(dt.date(2026, 4, 30), "marketing", "Мария К.", "Старое решение", dt.date(2026, 5, 15)), "ivanova",
                  ALL)
    decisions.set_done(sales, "petrov", ALL, on=dt.date(2026, 6, 25))

    assert run_demo(seed=5, deals=600, end="2026-08-31")["ok"]       # the data advanced past the meeting
    monkeypatch.setattr(slide, "today", lambda: NOW)
    con = connect(db)
    try:
        deck = build(Filters("custom", dt.date(2026, 6, 1), dt.date(2026, 8, 31)), runner(con, OPERATOR), "ru",
                     SECTIONS[:2])
    finally:
        con.close()
    first = deck.slides[0]
    assert SECTIONS[0] == "decisions" and first.key == "decisions" and "31.05.2026" in first.title
    rows = first.table.set_index(first.table.columns[1])
    assert "Старое решение" not in rows.index           # the last meeting's commitments, not an earlier one's
    status = rows[first.table.columns[4]]
    assert status.to_dict() == {"Лиды Москвы": "просрочено", "Обзвон всех лидов за 2 часа": "выполнено",
                                "Новая воронка": "в работе"}
    # marketing first, then sales: both departments side by side, in the same order every time
    assert [w.split(" · ")[0] for w in first.table.iloc[:, 0]] == ["Маркетинг", "Продажи", "Продажи"]

    # leads in Москва since the meeting (1 June to the data's last day) against as many days before it
    data_to = dt.date(2026, 8, 31)
    days = (data_to - MEETING).days
    before = leads_between(db, MEETING - dt.timedelta(days=days - 1), MEETING, "Москва")
    since = leads_between(db, MEETING + dt.timedelta(days=1), data_to, "Москва")
    move = rows.loc["Лиды Москвы", first.table.columns[6]]
    assert move.startswith(f"{before:,} → {since:,}".replace(",", "\u00a0")), (move, before, since)
    change = since - before
    # Russian writes a negative with the minus sign (U+2212), not a hyphen
    assert move.endswith(f"({'+' if change > 0 else ''}{change:,})".replace(",", "\u00a0").replace("-", "\u2212")), move
    assert rows.loc["Новая воронка", first.table.columns[6]] == "—"          # no metric linked
    assert "Маркетинг: обязательств 1, выполнено 0, в работе 0, просрочено 1." in first.findings[0].text


def test_commitments_are_recorded_and_marked_done_on_the_meeting_page(warehouse, store):
    at = run_app("meeting", period="custom", **{"from": "2025-01-01", "to": "2025-03-31"})
    at.text_input(key="dec_person").set_value("Мария К.")
    at.text_input(key="dec_text").set_value("Запустить флайт в Казани")
    at.selectbox(key="dec_department").set_value("marketing")
    at.multiselect(key="dec_regions").set_value(["Казань"])
    at.selectbox(key="dec_metric").set_value("leads")
    next(b for b in at.button if b.label == "Записать").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    table = decisions.listing(ALL)
    assert table[["department", "person", "text", "metric", "recorded_by"]].values.tolist() == [
        ["marketing", "Мария К.", "Запустить флайт в Казани", "leads", "admin"]]
    assert table.regions.iloc[0] == ("Казань",) and table.status.iloc[0] == "in_progress"
    at.button(key="dec_mark").click().run()
    assert decisions.listing(ALL).status.tolist() == ["done"]
    assert decisions.history(ALL).action.tolist() == ["done", "add"]
    shown = [d for d in at.dataframe if "text" in d.value.columns]
    assert [list(d.value.text) for d in shown] == [["Запустить флайт в Казани"]]
    # dates as the Russian UI writes them, not the grid's ISO: the display values the table sends
    import pyarrow as pa
    display = pa.ipc.open_stream(shown[0].proto.arrow_data.styler.display_values).read_all().to_pandas()
    today = dt.date.today()
    assert f"{today:%d.%m.%Y}" in display.to_numpy().ravel().tolist(), display


def test_a_commitment_that_cannot_be_kept_is_refused_in_one_line(store):
    bad = decisions.Commitment(MEETING, "sales", "Олег", "x", MEETING - dt.timedelta(days=1))
    with pytest.raises(decisions.DecisionError, match="before the meeting"):
        decisions.add(bad, "petrov", ALL)
    with pytest.raises(decisions.DecisionError, match="not one a commitment can move"):
        decisions.add(decisions.Commitment(MEETING, "sales", "Олег", "x", MEETING, metric="revenue_forecast"), "p", ALL)
    assert decisions.listing(ALL).empty


def test_a_deck_for_some_regions_shows_no_commitment_naming_another():
    meeting = dt.date(2026, 3, 1)
    table = pd.DataFrame({"id": [1, 2, 3, 4], "meeting_date": [meeting] * 4,
                          "regions": [("Москва",), ("Москва", "Казань"), (), ("Казань",)]})
    assert decisions.last_meeting(table, ("Москва",)).id.tolist() == [1, 3]
    assert decisions.last_meeting(table, ("Москва", "Казань")).id.tolist() == [1, 2, 3, 4]
    assert decisions.last_meeting(table).id.tolist() == [1, 2, 3, 4]
