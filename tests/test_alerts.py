"""Alerts (queries/warehouse/steps/alert*.sql): each rule on a hand-written tiny warehouse (a spend series
that stops, doubles; leads that fall; late first contacts; a quiet export; a new raw value), a flat company
that never alerts, and the planted anomalies of the demo found with few false alerts (etl/demo/anomalies.py)."""
from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.alerts import score
from etl.alerts_cli import describe
from etl.build import prepare, run_steps
from etl.steps import STEPS

END = dt.date(2026, 3, 31)          # a Tuesday
DAYS = 120
REGIONS = ("Москва", "Казань", "Пермь")


def _needed() -> list:
    """The steps `alerts` depends on, in the build's order."""
    made = {name: s for s in STEPS for name in s.outputs}
    want, todo = set(), ["alerts"]
    while todo:
        name = todo.pop()
        step = next(s for s in STEPS if s.name == name)
        if step.name not in want:
            want.add(step.name)
            todo += [made[r].name for r in step.reads if r in made]
    return [s for s in STEPS if s.name in want]


NEEDED = _needed()


def day(i: int) -> dt.date:
    """Day i of the history, 0 the first, DAYS - 1 the END."""
    return END - dt.timedelta(days=DAYS - 1 - i)


def spend(campaign: str, region: str | None, cost, days=range(DAYS), platform="Yandex Direct") -> list[dict]:
    return [{"date": day(i), "platform": platform, "campaign": campaign, "region": region,
             "channel": "yandex_direct", "cost": cost(i) if callable(cost) else cost, "currency": "RUB"}
            for i in days if (cost(i) if callable(cost) else cost) > 0]


def leads(region: str, per_day, days=range(DAYS), late=lambda i, k: False, manager="Иванов Сергей",
          utm_source=None, channel="seo", prefix="") -> list[dict]:
    """per_day(i) leads created at 10:00 on day i, each called back 30 minutes later (a day and a half
    later where late(i, k))."""
    out = []
    for i in days:
        for k in range(per_day(i) if callable(per_day) else per_day):
            created = dt.datetime.combine(day(i), dt.time(10, k % 60))
            called = created + (dt.timedelta(hours=36) if late(i, k) else dt.timedelta(minutes=30))
            out.append({"lead_id": f"{prefix}{region}-{i}-{k}", "source_system": "crm", "created_at": created,
                        "region": region, "channel": "unknown" if utm_source else channel, "utm_source": utm_source,
                        "status": "in_progress", "first_contact_at": called, "manager": manager})
    return out


def alerts(ad_spend=(), lead_rows=(), campaigns=(), sales=(), traffic=()) -> pd.DataFrame:
    """The alerts a warehouse holding these rows gets from the build's own steps."""
    con = duckdb.connect()
    try:
        prepare(con)
        for table, rows in (("ad_spend", ad_spend), ("leads", lead_rows), ("campaigns", campaigns),
                            ("sales", sales), ("traffic", traffic)):
            if rows:
                con.register("rows_frame", pd.DataFrame(list(rows)))
                con.execute("insert into " + table + " by name select * from rows_frame")  # the test's own names
                con.unregister("rows_frame")
        run_steps(con, NEEDED)
        return con.execute("select * from alerts").df()
    finally:
        con.close()


def steady_leads(regions=REGIONS) -> list[dict]:
    return [row for r in regions for row in leads(r, 12)]


def _first(got: pd.DataFrame, rule: str, **where) -> pd.Series:
    rows = got[got.rule == rule]
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, (rule, where, got[["rule", "region", "campaign", "subject"]])
    return rows.iloc[0]


@pytest.fixture(scope="module")
def tiny() -> pd.DataFrame:
    """One small company where each rule has its own place (a region, a campaign, an export), so one
    build answers every rule:
    - Москва's search campaign stops 10 days before the end; its banner ends on its planned day;
    - Самара's search doubles for the last 10 days (Самара has no leads: no cost per lead);
    - Казань's leads fall from 12 a day to 4 over the last 14 days;
    - Пермь's spend triples for the last 14 days while its leads stay as they were;
    - two thirds of Екатеринбург's leads are called back a day and a half late for the last 20 days;
    - the accounting export ends 12 days before the end, web analytics 2 days;
    - a new utm_source brings 3 Москва leads a day for the last 10 days."""
    history = range(-80, DAYS)
    money = (spend("msk_search", "Москва", 1000, range(-80, DAYS - 10))
             + spend("msk_banner", "Москва", 300, range(-80, DAYS - 10))
             + spend("msk_brand", "Москва", 500, history)
             + spend("sam_search", "Самара", lambda i: 2500 if i >= DAYS - 10 else 1000, history)
             + spend("prm_search", "Пермь", lambda i: 3000 if i >= DAYS - 14 else 1000, history))
    plan = [{"campaign": "msk_banner", "platform": "Yandex Direct", "channel": "yandex_direct",
             "region": "Москва", "end_date": day(DAYS - 11)}]
    people = (steady_leads(("Москва", "Пермь"))
              + leads("Казань", lambda i: 4 if i >= DAYS - 14 else 12)
              + leads("Екатеринбург", 12, late=lambda i, k: i >= DAYS - 20 and k < 8, manager="Киселёва Светлана")
              + leads("Москва", 3, range(DAYS - 10, DAYS), utm_source="quiz_widget", prefix="q"))
    sales = [{"sale_date": day(i), "amount": 100, "currency": "RUB"} for i in range(DAYS - 12)]
    traffic = [{"period_start": day(i), "period_end": day(i), "visits": 5} for i in range(DAYS - 2)]
    return alerts(money, people, plan, sales, traffic)


def test_each_rule_alerts_once_where_it_was_planted_and_nowhere_else(tiny):
    assert sorted(zip(tiny.rule, tiny.region.fillna("-"), tiny.campaign.fillna("-"), strict=True)) == [
        ("cpl_up", "Пермь", "-"), ("leads_down", "Казань", "-"), ("sla_breach", "Екатеринбург", "-"),
        ("spend_doubled", "Пермь", "prm_search"), ("spend_doubled", "Самара", "sam_search"),
        ("spend_stopped", "Москва", "msk_search"), ("stale_export", "-", "-"), ("unrecognised", "-", "-")]
    assert tiny.is_open.all()       # every change lasts to the end of its data


def test_a_campaign_that_stops_alerts_from_its_first_day_without_spend(tiny):
    a = _first(tiny, "spend_stopped")
    assert (a.campaign, a.region, a.owner) == ("msk_search", "Москва", "marketing")
    assert a.since == pd.Timestamp(day(DAYS - 10))
    assert a.value == 0 and a.usual == pytest.approx(7000)
    assert "spend_stopped msk_search / Москва" in describe(a) and "usual 7,000" in describe(a)


def test_a_campaign_whose_spend_doubles_alerts_from_the_change(tiny):
    a = _first(tiny, "spend_doubled", campaign="sam_search")
    assert a.since == pd.Timestamp(day(DAYS - 10))
    assert a.value == pytest.approx(17500) and a.usual == pytest.approx(7000) and a.threshold == pytest.approx(12600)


def test_leads_that_fall_in_one_region_alert_there_only(tiny):
    a = _first(tiny, "leads_down")
    # expected: its usual 14 x 12, moved as the rest of the country moved (Москва's new widget brings more)
    assert a.region == "Казань" and a.value == 14 * 4 and a.owner == "marketing"
    assert a.usual == pytest.approx(14 * 12 * (3 * 14 * 12 + 30) / (3 * 14 * 12))
    assert a.since == pd.Timestamp(day(DAYS - 14))


def test_cost_per_lead_up_when_spend_triples_and_leads_do_not(tiny):
    a = _first(tiny, "cpl_up")
    assert a.region == "Пермь" and a.value == pytest.approx(250) and a.usual == pytest.approx(1000 / 12)
    assert a.since == pd.Timestamp(day(DAYS - 14))


def test_late_first_contacts_alert_sales_and_name_the_manager(tiny):
    a = _first(tiny, "sla_breach")
    assert (a.region, a.owner, a.responsible) == ("Екатеринбург", "sales", "Киселёва Светлана")
    # weekend leads called back on Sunday night lost no working hour: on weekdays 8 of 12 were late
    assert 0.5 <= a.value <= 8 / 12 and a.usual < 0.05 and a.threshold == pytest.approx(0.1)


def test_an_export_that_stopped_arriving_is_stale_and_a_recent_one_is_not(tiny):
    a = _first(tiny, "stale_export")
    assert (a.subject, a.value, a.threshold, a.owner) == ("sales", 12, 10, "data_admin")
    assert a.since == pd.Timestamp(day(DAYS - 12))


def test_a_new_raw_value_on_many_leads_is_unrecognised(tiny):
    a = _first(tiny, "unrecognised")
    assert a.subject == "channel utm_source: quiz_widget" and a.since == pd.Timestamp(day(DAYS - 10))
    assert a.value == pytest.approx(30 / (3 * 14 * 12 + 14 * 4 + 30)) and a.owner == "data_admin"
    # the line a reader gets names the field in words, not «channel utm_source: quiz_widget»
    from ui.alerts import where
    assert where(a, "ru") == "канал (поле «utm_source»): `quiz_widget`"
    assert where(a, "en") == "channel (utm_source field): `quiz_widget`"
    quiz = a.copy()
    quiz["subject"] = "channel source: Заявка с квиза"
    assert where(quiz, "ru") == "канал (поле «Источник»): `Заявка с квиза`"


def test_a_national_dip_is_no_regional_alert():
    """Every region's leads fall by the same share: the country moved, no region did."""
    rows = [r for r in steady_leads() if not (r["created_at"].date() >= day(DAYS - 14)
                                              and int(r["lead_id"].rsplit("-", 1)[1]) >= 5)]
    assert alerts(lead_rows=rows).empty


@settings(max_examples=2, deadline=None, derandomize=True)
@given(per_day=st.integers(1, 40), cost=st.integers(50, 20_000), days=st.integers(60, 160),
       weekday_dip=st.booleans())
def test_a_flat_company_never_alerts(per_day, cost, days, weekday_dip):
    """Flat leads and spend (optionally the same weekly pattern every week) in every region: no alert."""
    def level(i):
        return max(1, per_day // 3) if weekday_dip and day(i).weekday() >= 5 else per_day
    rng = range(DAYS - days, DAYS)
    rows = [row for r in REGIONS for row in leads(r, level, rng)]
    money = [row for r in REGIONS for row in spend(f"{r}_search", r, lambda i: cost * level(i) / per_day, rng)]
    assert alerts(money, rows).empty


def test_the_demo_alerts_find_the_planted_anomalies_with_few_false_ones(small_demo):
    """anomalies.json beside the demo files is the truth; the build's alerts over the whole history must
    find at least 90% of it, with at most one false alert per region (or company-wide) per month."""
    truth = json.loads((small_demo.parent / "demo" / "anomalies.json").read_text(encoding="utf-8"))
    con = duckdb.connect(str(small_demo), read_only=True)
    try:
        got = con.execute("select * from alerts").df()
    finally:
        con.close()
    result = score(got, truth)
    assert result.planted == 13 and {p["kind"] for p in truth} == {
        "leads_down", "sla_breach", "spend_stopped", "spend_doubled", "cpl_up", "stale_export", "unrecognised"}
    assert result.recall >= 0.9, result.missed
    per_cell = result.false_per_region_month()
    assert per_cell.max() <= 1, per_cell[per_cell > 1]
    assert got.owner.notna().all() and got.since.le(got.detected_on).all()
    assert got[got.rule == "sla_breach"].responsible.notna().all()


def test_the_overview_lists_the_open_alerts_of_the_chosen_regions(small_demo, monkeypatch):
    """Москва's open alerts and those with no region (exports, raw values), none of another region's."""
    from tests.apptest import run_app, texts
    from ui.i18n import t
    monkeypatch.setenv("PARITY_DB", str(small_demo))
    con = duckdb.connect(str(small_demo), read_only=True)
    try:
        moscow = con.execute("select count(*) from alerts where is_open and (region is null or region = 'Москва')"
                             ).fetchall()[0][0]
    finally:
        con.close()
    at = run_app("overview", "ru", period="last12", regions="Москва")   # English: test_app_texts keeps the keys
    assert t("alerts.heading", "ru", n=moscow) in [h.value for h in at.subheader]
    assert t("alerts.title.stale_export", "ru") in texts(at)
    lines = [m.value for m in at.markdown if m.value.startswith("**")]
    assert any("`msk_rsya_premium`, Москва" in line for line in lines)
    assert not any("Новосибирск" in line for line in lines)      # another region's alert


def test_no_load_for_a_week_alerts_against_today_for_company_viewers_only(warehouse):
    from model import alerts_clock
    from model.access import OPERATOR
    from model.runner import connect, runner
    con = connect(warehouse)
    try:
        run = runner(con, OPERATOR)
        last = pd.to_datetime(run("freshness", {}).loaded_at).max().date()
        assert alerts_clock.no_load(run, last + dt.timedelta(days=6)).empty
        row = alerts_clock.no_load(run, last + dt.timedelta(days=9)).iloc[0]
        assert (row.rule, row.owner, row.value, row.threshold) == ("no_load", "data_admin", 9.0, 7.0)
        assert row.since.date() == last
        listed = run("alerts_open", {"regions": []})
        later = last + dt.timedelta(days=30)
        with_it = alerts_clock.with_clock(listed, run, later, company=True)
        assert len(with_it) == len(listed) + 1 and with_it.rule.iloc[0] == "no_load"
        assert list(with_it.columns) == list(listed.columns)
        assert len(alerts_clock.with_clock(listed, run, later, company=False)) == len(listed)
    finally:
        con.close()


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_campaigns_spend_reads_as_money_in_the_alert(tiny, lang):
    """The Overview's line of a spend alert gives its amounts with the currency, as every amount on the page."""
    from ui import alerts as ui_alerts
    from ui import fmt

    for rule, campaign in (("spend_stopped", "msk_search"), ("spend_doubled", "sam_search")):
        text = ui_alerts.line(_first(tiny, rule, campaign=campaign), lang, "RUB")
        assert fmt.money(7000, "RUB", lang) in text, text


def test_the_cli_says_units_in_words_and_refuses_a_region_it_does_not_know(tiny, small_demo, monkeypatch, capsys):
    """`etl alerts` printed «0 money over 7 days», «1,793 cost_per_lead over 14 days» (the marts' unit codes),
    and `--region Нигде` listed the company-wide alerts as if the region had none of its own."""
    from etl.__main__ import main
    stopped, cpl = _first(tiny, "spend_stopped"), _first(tiny, "cpl_up")
    assert ": 0 RUB over " in describe(stopped, "RUB") and " money" not in describe(stopped, "RUB")
    assert " RUB per lead over " in describe(cpl, "RUB") and "cost_per_lead" not in describe(cpl, "RUB")
    monkeypatch.setenv("PARITY_DB", str(small_demo))
    assert main(["alerts", "--region", "Нигде"]) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip() and "streamlit" not in ln]
    assert len(err) == 1 and err[0].startswith("error: --region Нигде: no such region in the warehouse"), err
    assert main(["alerts", "--region", "Москва", "--all"]) == 0
    out = capsys.readouterr().out
    assert out.strip() and " money" not in out and "cost_per_lead" not in out, out


# --------------------------------------------------------------------------------------------
# An ended flight against a late export: the period each loaded file covers (loads.period_*).

FLIGHT_DAYS = [dt.date(2025, 2, 1) + dt.timedelta(days=i) for i in range(43)]      # 01.02-15.03.2025
SEARCH_DAYS = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(181)]     # 01.01-30.06.2025


def _direct_report(folder, days=SEARCH_DAYS):
    """Yandex Direct's campaign report as Direct saves it: its period in the title line, tab-separated,
    cost in micros."""
    path = folder / "yandex_direct.tsv"
    rows = [f"{d.isoformat()}\t7000000{k}\t{name}\t{900 + k}\t{30 + k}\t{(4000 + 100 * k) * 1_000_000}"
            for d in days for k, name in enumerate(("msk_search", "kzn_search"))]
    path.write_text(f'"Campaign performance report ({days[0]:%d.%m.%Y} - {days[-1]:%d.%m.%Y})"\n'
                    "Date\tCampaignId\tCampaignName\tImpressions\tClicks\tCost\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    return path


def _vk_export(folder, name="vk_ads.csv"):
    """VK Ads statistics as VK saves them: ';', day.month.year, decimal commas, an Итого line; one flight
    that spent from 01.02 to 15.03.2025 and then ended."""
    rows = [f"{d:%d.%m.%Y};555001;kzn_vk_flight;{5000 + i};{80 + i % 50};{4695 + i},61"
            for i, d in enumerate(FLIGHT_DAYS)]
    path = folder / name
    path.write_text("Дата;ID кампании;Кампания;Показы;Клики;Потрачено, ₽\n" + "\n".join(rows)
                    + f"\nИтого;;;;;{sum(4695 + i for i in range(len(FLIGHT_DAYS)))},00\n", encoding="utf-8")
    return path


def _warehouse_alerts(db) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select * from alerts where rule = 'stale_export'").df()
    finally:
        con.close()


@pytest.mark.parametrize("how", ["file name", "--period"])
def test_a_flight_that_ended_in_a_fresh_export_is_no_stale_export(fresh_db, tmp_path, how):
    """VK Ads' only campaign ended on 15.03 in a report for 01.02-30.06 (its name says so, or --period does):
    the export is as fresh as Direct's, so no «Выгрузка не обновляется» (it stayed open for ever, measured
    from VK's last day of spend); a rebuild from raw/ says the same."""
    from etl.load import load_files, rebuild
    assert load_files([_direct_report(tmp_path)], progress=False)["ok"]
    if how == "file name":
        done = load_files([_vk_export(tmp_path, "vk_ads_01.02.2025-30.06.2025.csv")], progress=False)
    else:
        done = load_files([_vk_export(tmp_path)], progress=False, period="2025-02-01..2025-06-30")
    assert done["ok"], done
    con = duckdb.connect(str(fresh_db), read_only=True)
    try:
        assert con.execute("select file_name, period_start, period_end, period_from from loads order by load_id"
                           ).fetchall()[1][1:] == (dt.date(2025, 2, 1), dt.date(2025, 6, 30),
                                                   "file_name" if how == "file name" else "user")
        assert con.execute("select max(date) from ad_spend where platform = 'VK Ads'").fetchall() == [
            (dt.date(2025, 3, 15),)]
    finally:
        con.close()
    assert _warehouse_alerts(fresh_db).empty
    assert rebuild(progress=False)["ok"] and _warehouse_alerts(fresh_db).empty


@pytest.mark.parametrize("how", ["rows", "file name"])
def test_an_export_whose_period_stops_weeks_before_the_others_stays_stale(fresh_db, tmp_path, how):
    """The same VK rows in a file that states no period (its rows' days are all it covers), or in a report
    for 01.02-31.03 while Direct's runs to 30.06: a late export, alerted from the day after it ends."""
    from etl.load import load_files
    name = "vk_ads.csv" if how == "rows" else "vk_ads_01.02.2025-31.03.2025.csv"
    assert load_files([_direct_report(tmp_path), _vk_export(tmp_path, name)], progress=False)["ok"]
    got = _warehouse_alerts(fresh_db)
    assert len(got) == 1, got
    a = got.iloc[0]
    since = dt.date(2025, 3, 16) if how == "rows" else dt.date(2025, 4, 1)
    assert (a.subject, a.platform, bool(a.is_open)) == ("ad_spend", "VK Ads", True)
    assert a.since == pd.Timestamp(since) and a.value == (dt.date(2025, 6, 30) - since).days + 1


def test_a_warehouse_built_before_loads_kept_periods_still_loads(fresh_db, tmp_path):
    """A warehouse whose `loads` has no period columns (built by an older version) gains them on the next
    load; its old loads, with no period, are dated by their rows."""
    from etl.load import load_files
    assert load_files([_direct_report(tmp_path)], progress=False)["ok"]
    con = duckdb.connect(str(fresh_db))
    try:
        for column in ("period_start", "period_end", "period_from"):
            con.execute("alter table loads drop column " + column)   # the test's own names
    finally:
        con.close()
    assert load_files([_vk_export(tmp_path, "vk_ads_01.02.2025-30.06.2025.csv")], progress=False)["ok"]
    con = duckdb.connect(str(fresh_db), read_only=True)
    try:
        assert con.execute("select period_end, period_from from loads order by load_id").fetchall() == [
            (None, None), (dt.date(2025, 6, 30), "file_name")]
    finally:
        con.close()
    assert _warehouse_alerts(fresh_db).empty


def test_a_campaign_alert_names_a_region_only_when_its_figure_is_that_regions():
    """A campaign the campaign file puts in Казань that spends in Казань and Самара: its doubled spend (the
    two regions summed, 14 000 ₽ a week of Самара's in it) was an alert of Казань, so a manager of Казань
    read Самара's spend in it. Now it is a company figure (no region: withheld from her); a campaign whose
    spend rows all name one region is that region's whatever the file says, and one whose spend rows name
    none keeps the file's region."""
    from model.access import Scope, screen
    history = range(-80, DAYS)
    money = (spend("vlg_search", "Казань", 1000, history)
             + spend("vlg_search", "Самара", lambda i: 3000 if i >= DAYS - 10 else 1000, history)
             + spend("odd_file", "Пермь", lambda i: 3000 if i >= DAYS - 10 else 1000, history)
             + spend("fed_brand", None, lambda i: 3000 if i >= DAYS - 10 else 1000, history))
    files = [{"campaign": c, "platform": "Yandex Direct", "channel": "yandex_direct", "region": "Казань"}
             for c in ("vlg_search", "odd_file", "fed_brand")]
    got = alerts(money, steady_leads(), files)
    doubled = got[got.rule == "spend_doubled"].set_index("campaign")
    assert doubled.region.fillna("-").to_dict() == {"vlg_search": "-", "odd_file": "Пермь", "fed_brand": "Казань"}
    assert doubled.value["vlg_search"] == pytest.approx(7 * 4000)      # both regions' spend: no one region's
    kazan = screen(Scope(("Казань",), False), "alerts_list", got)
    assert set(kazan.campaign.dropna()) == {"fed_brand"}
