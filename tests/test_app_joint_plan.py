"""The joint plan as a user meets it (AppTest) on the fixture warehouse, against direct SQL."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests.apptest import Q1_2025, chart, record_files, run_app, sql, sql_one, texts, tick_value, values
from ui import filters
from ui.i18n import t

PERIOD = {"a": Q1_2025["from"], "b": Q1_2025["to"]}
OVERLAPS = "start_date <= $b and coalesce(end_date, start_date) >= $a"
WON = """select coalesce(sum(amount * case currency when 'RUB' then 1 else 90 end), 0) from deals
         where status = 'won' and closed_at::date between $a and $b and ($r is null or region = $r)"""


def timeline(at, lang, region=None) -> tuple[list, list]:
    """(activity ids on the timeline, the weekly revenue trace's values)."""
    spec = chart(at, t("jp.chart", lang, region=region or t("all_regions", lang)))
    weekly = t("jp.weekly", lang, currency="RUB")
    bars = [tr for tr in spec["data"] if tr.get("legendgroup") != weekly]
    week = sorted((x, y) for tr in spec["data"] if tr.get("legendgroup") == weekly
                  for x, y in zip(values(tr, "x"), values(tr), strict=True))       # whole and partial weeks, by date
    assert all(tr["orientation"] == "h" for tr in bars) and week
    return [y for tr in bars for y in values(tr, "y")], [y for _, y in week]


def activity_ids(db, where: str = "true", **params) -> list:
    return [r[0] for r in sql(db, f"select activity_id from activities where {OVERLAPS} and {where} order by 1",
                              {**PERIOD, **params})]


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_timeline_has_one_bar_per_activity_and_the_weeks_revenue(warehouse, lang):
    at = run_app("joint_plan", lang, **Q1_2025)
    assert at.title[0].value == t("jp.title", lang)
    ids, weekly = timeline(at, lang)
    assert sorted(ids) == activity_ids(warehouse) and len(ids) == len(set(ids))
    assert "A4" in ids                                   # a cancelled activity is shown (faint), not hidden
    assert sum(weekly) == pytest.approx(float(sql_one(warehouse, WON, {**PERIOD, "r": None})))
    assert len(weekly) == 14                             # ISO weeks touching Q1 2025 (from 30 Dec 2024)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_planned_vs_done_per_owner_equals_sql(warehouse, lang):
    at = run_app("joint_plan", lang, **Q1_2025)
    shown = at.dataframe[0].value.set_index("owner")
    expected = sql(warehouse, f"""select owner, count(*) filter (where status = 'planned'),
                                          count(*) filter (where status = 'done'),
                                          count(*) filter (where status = 'cancelled'), count(*)
                                   from activities where {OVERLAPS} group by owner order by owner""", PERIOD)
    assert len(shown) == len(expected)
    for owner, planned, done, cancelled, n in expected:
        row = shown.loc[t(f"owner.{owner}", lang)]
        assert (row.planned, row.done, row.cancelled, row.activities) == (planned, done, cancelled, n)
        tile = next(m for m in at.metric if m.label == t(f"owner.{owner}", lang))
        assert tile.value == t("jp.done_of", lang, done=done, total=n - cancelled)


def test_owner_filter_narrows_everything(warehouse):
    at = run_app("joint_plan", "en", **Q1_2025)
    at.multiselect(key="jp_owners").set_value(["sales"]).run()
    assert not at.exception
    ids, _ = timeline(at, "en")
    assert sorted(ids) == activity_ids(warehouse, "owner = 'sales'") != activity_ids(warehouse)
    assert list(at.dataframe[0].value.owner) == ["Sales"]


def test_region_filter_and_the_weekly_sales_region(warehouse):
    at = run_app("joint_plan", "en", **Q1_2025, regions="Москва")
    ids, weekly = timeline(at, "en", "Москва")          # the weekly sales follow the sidebar's first region
    assert sorted(ids) == activity_ids(warehouse, "(region = 'Москва' or region is null)")
    assert sum(weekly) == pytest.approx(float(sql_one(warehouse, WON, {**PERIOD, "r": "Москва"})))
    box = next(s for s in at.selectbox if s.label == t("jp.sales_region", "en"))
    box.set_value(None).run()                             # the chart's "all regions" are the sidebar's
    assert sorted(timeline(at, "en", "Москва")[0]) == activity_ids(warehouse, "(region = 'Москва' or region is null)")

    at = run_app("joint_plan", "en", **Q1_2025)
    box = next(s for s in at.selectbox if s.label == t("jp.sales_region", "en"))
    assert box.value is None                              # no sidebar region: all
    box.set_value("Санкт-Петербург").run()
    assert not at.exception
    ids, weekly = timeline(at, "en", "Санкт-Петербург")
    # the chart is the region's: its activities and company-wide ones, never another region's
    assert sorted(ids) == activity_ids(warehouse, "(region = 'Санкт-Петербург' or region is null)")
    assert sorted(ids) != activity_ids(warehouse)
    assert len(at.dataframe[0].value) == 2                # the counts per owner keep the sidebar's (all) regions
    spb = float(sql_one(warehouse, WON, {**PERIOD, "r": "Санкт-Петербург"}))
    assert sum(weekly) == pytest.approx(spb) and spb < float(sql_one(warehouse, WON, {**PERIOD, "r": None}))


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_next_30_days_from_today(warehouse, monkeypatch, lang):
    monkeypatch.setattr(filters, "today", lambda: dt.date(2025, 2, 10))
    built = record_files(monkeypatch)
    at = run_app("joint_plan", lang, **Q1_2025)
    expected = sql(warehouse, "select title from activities where start_date <= date '2025-03-12' and "
                              "end_date >= date '2025-02-10' and status <> 'cancelled' order by start_date")
    assert list(at.dataframe[-1].value.title) == [r[0] for r in expected] == ["Выставка"]
    # the file's columns, those only it has included, are named in words (activity_id, start_date... were not)
    header = list(load_workbook(io.BytesIO(built["joint_plan_next_30_days.xlsx"])).active.iter_rows(
        values_only=True))[1]
    assert t("field.start_date", lang) in header and not {"activity_id", "product", "start_date", "end_date"} & set(
        header), header
    # in March only the cancelled call blitz is left: nothing to come
    monkeypatch.setattr(filters, "today", lambda: dt.date(2025, 3, 5))
    at = run_app("joint_plan", lang, **Q1_2025)
    assert t("jp.next.none", lang) in texts(at)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_timeline_reads_in_the_readers_language(warehouse, lang):
    spec = chart(run_app("joint_plan", lang, **Q1_2025), t("jp.chart", lang, region=t("all_regions", lang)))
    layout = spec["layout"]
    assert layout["xaxis"]["ticktext"][:2] == {"ru": ["6 янв", "20 янв"], "en": ["Jan 6", "Jan 20"]}[lang]
    assert layout["xaxis"]["range"] == ["2025-01-01", "2025-04-01"]
    assert [tick_value(x, lang) for x in layout["yaxis2"]["ticktext"]] == pytest.approx(layout["yaxis2"]["tickvals"])
    # names repeat across regions: each row says where
    assert layout["yaxis"]["type"] == "category"          # one row per activity, evenly spaced
    names = layout["yaxis"]["ticktext"]
    assert "Обзвон базы СПб · Санкт-Петербург" in names and f"Выставка · {t('all_regions', lang)}" in names
    # the first week starts before the period (Monday 30 Dec) and the data end on Monday 3 March: both hatched
    weekly = t("jp.weekly", lang, currency="RUB")
    partial = [tr for tr in spec["data"] if tr.get("legendgroup") == weekly and tr["name"] != weekly]
    assert [x[:10] for x in values(partial[0], "x")] == ["2024-12-30", "2025-03-03"]


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_kinds_in_words_and_rows_with_their_region(warehouse, monkeypatch, lang):
    """«Тип» reads «Мероприятие», not 'event'; each timeline row names its region (or all regions)."""
    monkeypatch.setattr(filters, "today", lambda: dt.date(2025, 2, 10))
    at = run_app("joint_plan", lang, **Q1_2025)
    nxt = at.dataframe[-1].value
    assert list(nxt.kind) == [t("jp.kind.event", lang)] and "event" not in list(nxt.kind)
    assert list(nxt.owner) == [t("owner.marketing", lang)]
    spec = chart(at, t("jp.chart", lang, region=t("all_regions", lang)))
    ticks = spec["layout"]["yaxis"]["ticktext"]
    assert "Обзвон базы СПб · Санкт-Петербург" in ticks and f"Выставка · {t('all_regions', lang)}" in ticks


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_budgets_are_numbers_the_grid_sorts_as_amounts(warehouse, monkeypatch, lang):
    """The budgets per owner and the next 30 days' budgets were text («150 000 ₽»): a header click put
    «90 000 ₽» after «150 000 ₽». They are numbers under the table's format, as in the Excel file."""
    monkeypatch.setattr(filters, "today", lambda: dt.date(2025, 2, 10))
    at = run_app("joint_plan", lang, **Q1_2025)
    by_owner, ahead = at.dataframe[0].value, at.dataframe[-1].value
    budgets = [c for c in by_owner.columns if c.startswith("budget_")]
    assert budgets and all(by_owner[c].dtype.kind == "f" for c in budgets), by_owner.dtypes
    total = sql_one(warehouse, f"select sum(budget) filter (where status = 'done') from activities where {OVERLAPS}",
                    PERIOD)
    assert by_owner.budget_done.sum() == pytest.approx(float(total or 0))
    assert ahead.budget.dtype.kind == "f"
