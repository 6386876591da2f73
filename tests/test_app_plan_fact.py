"""The plan-vs-fact page (AppTest) against direct SQL on the fixture warehouse, in both languages."""
from __future__ import annotations

import pytest

from tests.apptest import Q1_2025, chart, run_app, sql_one, texts, values
from ui.i18n import t


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_heatmap_share_of_plan_equals_sql(warehouse, lang):
    at = run_app("plan_fact", lang, **Q1_2025)
    assert at.title[0].value == t("plan.title", lang)
    spec = chart(at, t("metric.revenue", lang))
    assert t("owner.sales", lang) in spec["layout"]["title"]["text"]        # the line's owner is shown
    heat = spec["data"][0]
    row = heat["y"].index("Москва")
    fact = sql_one(warehouse, "select sum(amount * case currency when 'RUB' then 1 else 90 end) from deals "
                              "where region = 'Москва' and status = 'won' and closed_at::date "
                              "between '2025-01-01' and '2025-01-31'")
    plan = sql_one(warehouse, "select sum(target) from plan where region = 'Москва' and metric = 'revenue' "
                              "and month = '2025-01-01'")
    assert values(heat, "z")[row][0] == pytest.approx(100 * float(fact) / float(plan))


def test_switching_metric_and_owner(warehouse):
    at = run_app("plan_fact", "en", **Q1_2025)
    at.button_group(key="plan_metric").set_value("leads").run()
    assert not at.exception
    spec = chart(at, "Leads")
    assert "Marketing" in spec["layout"]["title"]["text"]
    leads = sql_one(warehouse, "select count(*) from leads where region = 'Москва' and created_at::date "
                               "between '2025-01-01' and '2025-01-31'")
    target = sql_one(warehouse, "select target from plan where region = 'Москва' and metric = 'leads'")
    heat = spec["data"][0]
    assert values(heat, "z")[heat["y"].index("Москва")][0] == pytest.approx(100 * leads / float(target))


def test_plan_lines_keep_their_owner_and_level(warehouse):
    at = run_app("plan_fact", "en", **Q1_2025)
    lines = at.dataframe[0].value
    got = {(r.metric, r.owner, r.level) for r in lines.itertuples()}
    assert ("Revenue", "Company", "whole company") in got and ("Revenue", "Sales", "by region") in got
    assert ("Leads", "Marketing", "by region") in got
    assert "Where the revenue gap comes from" in [s.value for s in at.subheader]
    assert "Москва" in texts(at)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_heatmap_months_and_scale_in_the_readers_language(warehouse, lang):
    at = run_app("plan_fact", lang, period="custom", **{"from": "2025-01-10", "to": "2025-03-31"})
    heat = chart(at, t("metric.revenue", lang))["data"][0]
    # the fixture plans revenue for January only; the period starts on the 10th: the column says so
    assert heat["x"] == {"ru": ["янв 2025<br>с 10.01"], "en": ["Jan 2025<br>from Jan 10"]}[lang]
    assert heat["colorbar"]["ticktext"][2] == ("100\u00a0%" if lang == "ru" else "100%")


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_region_whose_gap_cannot_be_split_says_so_beside_one_that_can(copy_of_warehouse, tmp_path, lang):
    """Москва gets a deals plan, so its gap splits into three parts; Санкт-Петербург plans revenue alone,
    so its gap cannot be split. The page used to print the raw key «plan.factor.nan» and three «—» for
    the second region (the missing factor reaches the page as NaN, not None, once another region has one)."""
    from etl.load import load_files

    extra = tmp_path / "plan_deals.csv"
    extra.write_text("Месяц;Регион;Продукт;Показатель;План;Ответственный\n01.01.2025;Москва;;deals;3;sales\n",
                     encoding="utf-8")
    assert load_files([extra], progress=False)["ok"]
    at = run_app("plan_fact", lang, period="custom", **{"from": "2025-01-01", "to": "2025-01-31"})
    shown = texts(at)
    assert "plan.factor" not in shown
    lines = {ln.split("**")[1]: ln for ln in shown.splitlines() if ln.startswith("**")}
    assert any(t(f"plan.factor.{k}", lang) in lines["Москва"] for k in ("leads", "conversion", "deal_value"))
    assert lines["Санкт-Петербург"].endswith(t("plan.why_gap_only", lang, region="", gap="").split(";")[-1])


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_gap_below_plan_reads_with_the_languages_minus(warehouse, lang):
    """Regions below their plan: the gap reads «−1,2 млн ₽» with the minus sign (U+2212) in Russian, where it
    printed a hyphen, and "-1.2M RUB" in English; the Excel file keeps the number."""
    import re

    at = run_app("plan_fact", lang, **Q1_2025)
    lines = [m.value for m in at.markdown if m.value.startswith("**")]
    signs = [s for line in lines for s in re.findall(r"([-\u2212])(?=\d)", line)]   # a sign before a digit
    assert signs, lines
    assert set(signs) == {"\u2212" if lang == "ru" else "-"}, lines
    assert at.dataframe[-1].value.gap.dtype.kind == "f"
