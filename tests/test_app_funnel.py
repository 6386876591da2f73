"""Funnel and SLA as a user meets it (AppTest) on the fixture warehouse, against direct SQL on the facts."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis.sla import response_hours
from tests.apptest import Q1_2025, chart, run_app, sql, sql_one, texts, values
from ui import fmt, upload
from ui.i18n import t

PERIOD = {"a": Q1_2025["from"], "b": Q1_2025["to"]}
IN_PERIOD = "created_at::date between $a and $b"
FUNNEL, QUALITY, SLA, SCORECARD = range(4)   # the page's tables, top to bottom


def table(at, i):
    return at.dataframe[i].value


def leads_by(db, column: str, region: str | None = None) -> dict:
    return dict(sql(db, f"select {column}, count(*) from leads where {IN_PERIOD} "
                        "and ($r is null or region = $r) group by all", {**PERIOD, "r": region}))


def label(db, channel: str, lang: str) -> str:
    return sql_one(db, f"select label_{lang} from cfg_channels where channel = $c", {"c": channel})


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_funnel_by_channel_counts_the_leads(warehouse, lang):
    at = run_app("funnel", lang, **Q1_2025)
    assert at.title[0].value == t("funnel.title", lang)
    rows = table(at, FUNNEL).set_index("label")
    expected = leads_by(warehouse, "channel")
    for channel, n in expected.items():
        assert rows.loc[label(warehouse, channel, lang), "leads"] == n
    total = rows.loc[t("funnel.total", lang)]
    assert total.leads == sum(expected.values())
    won = sql_one(warehouse, f"select count(*) from leads l where {IN_PERIOD} and exists "
                             "(select 1 from deals d where d.lead_id = l.lead_id and d.status = 'won')", PERIOD)
    assert total.won_leads == won
    assert total.lead_to_won == pytest.approx(won / total.leads)
    spec = chart(at, t("funnel.chart", lang, by=t("funnel.by.channel", lang).lower()))
    assert sum(values(tr, "x")[0] for tr in spec["data"]) == total.leads   # the stacked top step
    for tr in spec["data"]:          # the labels as the table writes them ('1 234' / '1,234'), not '1.234k'
        assert tr["text"] == [fmt.number(v, lang) for v in values(tr, "x")] and tr["textinfo"] == "text"


def test_breakdown_selector_switches_to_managers(warehouse):
    at = run_app("funnel", "en", **Q1_2025)
    at.segmented_control(key="funnel_by").set_value("manager").run()
    assert not at.exception
    rows = table(at, FUNNEL).set_index("label")
    assert rows.drop("Total").leads.to_dict() == leads_by(warehouse, "manager")


def test_region_filter_changes_the_funnel(warehouse):
    everything = table(run_app("funnel", "en", **Q1_2025), FUNNEL).set_index("label")
    moscow = table(run_app("funnel", "en", **Q1_2025, regions="Москва"), FUNNEL).set_index("label")
    assert moscow.loc["Total", "leads"] == sum(leads_by(warehouse, "channel", "Москва").values())
    assert moscow.loc["Total", "leads"] < everything.loc["Total", "leads"]


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_lead_quality_by_channel(warehouse, lang):
    at = run_app("funnel", lang, **Q1_2025)
    rows = table(at, QUALITY).set_index("label")
    yandex = rows.loc[label(warehouse, "yandex_direct", lang)]
    qualified, n, revenue = sql(warehouse, f"""
        select count(*) filter (where status in ('qualified', 'converted')
                                or exists (select 1 from deals d where d.lead_id = l.lead_id)),
               count(*),
               (select sum(amount) from deals d join leads l2 on d.lead_id = l2.lead_id
                where d.status = 'won' and l2.channel = 'yandex_direct' and l2.{IN_PERIOD})
        from leads l where channel = 'yandex_direct' and {IN_PERIOD}""", PERIOD)[0]
    assert yandex.qualified_share == pytest.approx(qualified / n)     # numbers, shown by the table's format
    assert yandex.revenue_per_lead == pytest.approx(float(revenue) / n)
    assert yandex.owner == t("owner.marketing", lang)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_tables_hold_numbers_not_their_text(warehouse, lang):
    """The funnel's shares, the lead quality's shares and money, the SLA's mean hours were text («41 %»,
    «12 000 ₽», «—»): a header click sorted them as words, «—» and «9 %» among «10 %». They are numbers now,
    a missing one empty (shown «—» by the table's format), so the grid sorts them as amounts."""
    at = run_app("funnel", lang, **Q1_2025)
    numeric = {FUNNEL: ("to_qualified", "to_deal", "to_won", "lead_to_won"),
               QUALITY: ("qualified_share", "win_rate", "revenue", "revenue_per_lead"), SLA: ("mean_hours",)}
    for i, columns in numeric.items():
        frame = table(at, i)
        for c in columns:
            assert frame[c].dtype.kind == "f", (i, c, frame[c].tolist())
            assert not frame[c].astype(str).str.contains(fmt.DASH).any()
    assert table(at, SLA).mean_hours.isna().any()       # a manager with no first contact: missing, not «—»


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_first_contact_share_equals_the_working_hours_reference(warehouse, lang):
    at = run_app("funnel", lang, **Q1_2025)
    hours, h0, h1, days = sql(warehouse, "select first_contact_hours, day_start, day_end, working_days "
                                         "from cfg_agreement")[0]
    leads = sql(warehouse, f"select manager, region, created_at, first_contact_at from leads where {IN_PERIOD}",
                PERIOD)
    shown = table(at, SLA).set_index(["manager", "region"])
    for (manager, region), row in shown.iterrows():
        mine = [(c, f) for m, r, c, f in leads if (m, r) == (manager, region)]
        taken = [response_hours(c, f, h0, h1, days) for c, f in mine if f is not None and f >= c]
        within = sum(h <= hours for h in taken)
        assert row.leads == len(mine) and row.within_sla == within
        assert row.share == pytest.approx(within / len(mine)) and same_mark(row.met, within / len(mine) >= 0.9)
        assert row.mean_hours == pytest.approx(sum(taken) / len(taken)) if taken else pd.isna(row.mean_hours)
    assert len(shown) == len({(m, r) for m, r, _, _ in leads})
    # the chart: a bar per pair (the fixture has fewer than the chart's top), each share as in the table
    bars = chart(at, t("funnel.sla.chart", lang))["data"][0]
    shares = {f"{m} · {r}": row.share for (m, r), row in shown.iterrows()}
    assert sorted(bars["y"]) == sorted(shares)
    assert all(fmt.percent(shares[y], lang, 0) == text for y, text in zip(bars["y"], bars["text"], strict=True))
    # the target is printed with the rule for "met"
    page = texts(at)
    assert t("funnel.sla.target", lang, hours="2", start=9, end=19,
             days=", ".join(t(f"weekday.{d}", lang) for d in days), share=fmt.percent(0.9, lang, 0)) in page


def mark(fact, target):
    """The mark a commitment's own column holds: True met, False missed, None nothing to judge."""
    return None if target is None else bool(fact >= target)


def same_mark(shown, expected) -> bool:
    """The page's mark column: '✓' met, '✗' missed, empty (shown «—») nothing to judge."""
    return (shown is None or pd.isna(shown)) if expected is None else shown == ("✓" if expected else "✗")


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_scorecard_marks_each_commitment(warehouse, lang):
    at = run_app("funnel", lang, **Q1_2025)
    sc = table(at, SCORECARD)
    months = [dt.date(2025, m, 1) for m in (1, 2, 3)]
    assert [pd.Timestamp(m).date() for m in sc.month] == months
    hours, h0, h1, days, min_q, min_ltd = sql(
        warehouse, "select first_contact_hours, day_start, day_end, working_days, min_qualified_share, "
                   "min_lead_to_deal from cfg_agreement")[0]
    for row, month in zip(sc.itertuples(), months, strict=True):
        leads = sql(warehouse, """
            select status in ('qualified', 'converted') or exists (select 1 from deals d where d.lead_id = l.lead_id),
                   status = 'converted' or deal_id is not null, created_at, first_contact_at
            from leads l where date_trunc('month', created_at) = $m""", {"m": month})
        n = len(leads)
        plan = sql_one(warehouse, "select sum(target) from plan where metric = 'leads' and month = $m", {"m": month})
        assert row.leads == n and (pd.isna(row.leads_plan) if plan is None
                                   else float(row.leads_plan) == pytest.approx(float(plan)))
        assert same_mark(row.leads_met, mark(n, plan))
        qualified = sum(q for q, _, _, _ in leads)
        converted = sum(c for _, c, _, _ in leads)
        within = sum(f is not None and f >= c and response_hours(c, f, h0, h1, days) <= hours for _, _, c, f in leads)
        for shown, met, count, target in ((row.qualified_share, row.qualified_met, qualified, min_q),
                                          (row.lead_to_deal, row.lead_to_deal_met, converted, min_ltd),
                                          (row.sla_share, row.sla_met, within, 0.9)):
            assert shown == pytest.approx(count / n) and same_mark(met, mark(count / n, target))
    assert (sc.leads_met == "✗").any() and (sc.sla_met == "✓").any()   # the fixture has both
    assert t("funnel.sc.note", lang, share=fmt.percent(0.9, lang, 0)) in texts(at)   # the rule is said on the page



@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_month_under_way_holds_marketing_to_its_leads_plan_so_far(copy_of_warehouse, lang):
    """Leads are judged against the plan to date, as revenue is on the Overview: the month the data stops in
    (the fixture's latest day is 03.03.2025) counts its plan for the days up to that day, and a month after
    it has no plan yet («—»): three days of March are not marked missed against thirty-one days of plan."""
    from tests.conftest import WH_FILES
    from ui import upload

    plan = next(p for p in WH_FILES if p.name == "plan.csv").read_text(encoding="utf-8")
    plan += "01.03.2025;Москва;;leads;31;marketing\n01.04.2025;Москва;;leads;40;marketing\n"
    assert upload.load_uploads([("plan_v2.csv", plan.encode())])["ok"]
    latest = sql_one(copy_of_warehouse, "select max(activity_latest) from mart_freshness")
    assert latest == dt.date(2025, 3, 3)
    at = run_app("funnel", lang, period="custom", regions="Москва", **{"from": "2025-03-01", "to": "2025-04-30"})
    sc = table(at, SCORECARD)
    assert [pd.Timestamp(m).date() for m in sc.month] == [dt.date(2025, m, 1) for m in (3, 4)]
    n = sql_one(copy_of_warehouse, "select count(*) from leads where region = 'Москва' "
                                   "and created_at::date between '2025-03-01' and '2025-03-03'")
    so_far = 31 * 3 / 31
    assert sc.leads.iloc[0] == n and float(sc.leads_plan.iloc[0]) == pytest.approx(so_far)
    assert same_mark(sc.leads_met.iloc[0], mark(n, so_far))
    assert pd.isna(sc.leads_plan.iloc[1]) and same_mark(sc.leads_met.iloc[1], None)   # nothing yet


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_period_without_leads_opens_and_says_so(warehouse, lang):
    """Decades before or after the data: the page opened on an error (an empty first-contact chart read its
    last row); it opens, and says there is no lead to judge."""
    for dates in (("1998-01-01", "1998-03-31"), ("2045-01-01", "2045-02-28")):
        at = run_app("funnel", lang, period="custom", **{"from": dates[0], "to": dates[1]})
        assert not at.exception and not at.error, dates
        assert t("funnel.sla.no_leads", lang) in texts(at)


def bitrix_leads(managers: int) -> bytes:
    """Bitrix24's lead list as it exports it: UTF-8 with BOM, every cell quoted, each line ending in ';';
    manager k owns k + 1 leads, so the largest are the last ones."""
    lines = ['"ID";"Название лида";"Дата создания";"Ответственный";']
    n = 0
    for k in range(managers):
        for _ in range(k + 1):
            n += 1
            when = f"{10 + k % 15:02d}.02.2025 10:{n % 60:02d}:00"
            lines.append(f'"{90000 + n}";"Заявка с сайта";"{when}";"Менеджер {k:02d}";')
    return ("\ufeff" + "\n".join(lines) + "\n").encode()


def test_the_chart_names_what_it_folds(copy_of_warehouse):
    """Past seven values the chart folds the rest into one trace; it says how many and which (the hover), and
    every value of the table is in the chart: a trace of its own or a member of the fold."""
    assert upload.load_uploads([("bitrix_leads.csv", bitrix_leads(12))])["ok"]
    at = run_app("funnel", "en", **Q1_2025)
    at.segmented_control(key="funnel_by").set_value("manager").run()
    rows = table(at, FUNNEL).set_index("label").drop("Total")
    assert len(rows) > 12
    spec = chart(at, t("funnel.chart", "en", by=t("funnel.by.manager", "en").lower()))
    folded = [tr for tr in spec["data"] if tr["name"].startswith("Others (")]
    assert len(folded) == 1 and len(spec["data"]) == 8
    members = folded[0]["customdata"][0].split(", ")
    assert folded[0]["name"] == f"Others ({len(members)})" and "%{customdata}" in folded[0]["hovertemplate"]
    shown = [tr["name"] for tr in spec["data"] if tr is not folded[0]]
    assert sorted(shown + members) == sorted(rows.index)
    assert values(folded[0], "x")[0] == rows.loc[members, "leads"].sum()
    assert {f"Менеджер {k:02d}" for k in range(5, 12)} <= set(shown)   # the seven largest have traces


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_scorecard_and_the_sla_table_hold_numbers_and_marks_apart(warehouse, lang, monkeypatch):
    """The scorecard's leads were text («✗ 41 / 60»), its shares and the SLA table's share text with a mark
    («✓ 92 %»), so a header click sorted them as words (every ✓ before every ✗). Each fact is a number
    now, under the table's format, and its mark (✓/✗, «—» for nothing to judge) a column of its own; the
    Excel files hold the numbers as numbers."""
    import io

    from openpyxl import load_workbook

    from tests.apptest import record_files

    built = record_files(monkeypatch)
    at = run_app("funnel", lang, **Q1_2025)
    sc, sla_table = table(at, SCORECARD), table(at, SLA)
    for c in ("leads", "leads_plan", "qualified_share", "sla_share", "lead_to_deal"):
        assert sc[c].dtype.kind in "iuf", (c, sc[c].tolist())
    assert sla_table.share.dtype.kind == "f" and sla_table.leads.dtype.kind in "iuf"
    for frame, marks in ((sc, ("leads_met", "qualified_met", "sla_met", "lead_to_deal_met")), (sla_table, ("met",))):
        for c in marks:
            assert set(frame[c].dropna()) <= {"✓", "✗"}, (c, frame[c].tolist())
    for name, header in (("sla_scorecard.xlsx", t("funnel.sc.sla", lang, share=fmt.percent(0.9, lang, 0),
                                                   hours=int(sql_one(warehouse, "select first_contact_hours "
                                                                                "from cfg_agreement")))),
                         ("sla_first_contact.xlsx", t("funnel.col.sla_share", lang))):
        rows = list(load_workbook(io.BytesIO(built[name])).active.iter_rows(values_only=True))
        i = rows[1].index(header)
        values = [r[i] for r in rows[2:]]
        assert values and all(v is None or isinstance(v, (int, float)) for v in values), (name, values)
        assert any(isinstance(v, float) for v in values)
