"""The regions page (AppTest) against direct SQL on the fixture warehouse, in both languages."""
from __future__ import annotations

import pytest

from tests.apptest import Q1_2025, chart, run_app, sql, sql_one, tick_value, values
from ui.i18n import t

WON = """select region, sum(amount * case currency when 'RUB' then 1 else 90 end), count(*) from deals
         where status = 'won' and closed_at::date between '2025-01-01' and '2025-03-31' group by region"""


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_region_table_equals_sql(warehouse, lang):
    at = run_app("regions", lang, **Q1_2025)
    assert at.title[0].value == t("regions.title", lang)
    table = at.dataframe[0].value.set_index("region")
    for region, revenue, won in sql(warehouse, WON):
        assert float(table.at[region, "revenue"]) == pytest.approx(float(revenue))
        assert table.at[region, "deals_won"] == won
    leads = dict(sql(warehouse, "select region, count(*) from leads where created_at::date "
                                "between '2025-01-01' and '2025-03-31' group by all"))
    for region, n in leads.items():
        assert table.at[region, "leads"] == n
    plan = sql_one(warehouse, "select sum(target) from plan where region = 'Москва' and metric = 'revenue'")
    assert float(table.at["Москва", "revenue_plan"]) == pytest.approx(float(plan))
    assert table.at["Москва", "plan_share"] == pytest.approx(float(table.at["Москва", "revenue"]) / float(plan))
    # an export's unrecognised region is a row of its own, kept at the bottom
    assert table.index[-1] == "Тверь"
    bars = chart(at, t("regions.chart", lang, currency="RUB"))["data"][0]
    assert "Тверь" not in values(bars, "x")


def test_region_filter_and_drill_down(warehouse):
    at = run_app("regions", "en", **Q1_2025, regions="Санкт-Петербург")
    table = at.dataframe[0].value
    assert list(table.region) == ["Санкт-Петербург"]
    assert at.selectbox(key="region_pick").value == "Санкт-Петербург"
    at = run_app("regions", "en", **Q1_2025)
    at.selectbox(key="region_pick").set_value("Москва").run()
    assert not at.exception
    assert at.query_params["region"] == "Москва"
    managers = at.dataframe[1].value
    expected = dict(sql(warehouse, "select manager, count(*) from deals where region = 'Москва' and status = 'won' "
                                   "and closed_at::date between '2025-01-01' and '2025-03-31' group by all"))
    assert dict(zip(managers.manager, managers.deals_won)) == {**{m: 0 for m in managers.manager}, **expected}
    monthly = chart(at, "Москва")
    fact = [v for tr in monthly["data"] if tr.get("legendgroup") == "Fact" for v in values(tr)]
    won = sql_one(warehouse, "select sum(amount * case currency when 'RUB' then 1 else 90 end) from deals "
                             "where region = 'Москва' and status = 'won' and closed_at::date "
                             "between '2025-01-01' and '2025-03-31'")
    assert sum(fact) == pytest.approx(float(won))


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_charts_read_in_the_readers_language(warehouse, lang):
    at = run_app("regions", lang, **Q1_2025, region="Санкт-Петербург")
    bars = chart(at, t("regions.chart", lang, currency="RUB"))["layout"]
    # the legend sits under the title, above the plot: the slanted region names below stay uncovered
    assert bars["legend"]["yref"] == "container" and bars["legend"]["yanchor"] == "top" and bars["legend"]["y"] > 0.8
    assert [tick_value(x, lang) for x in bars["yaxis"]["ticktext"]] == pytest.approx(bars["yaxis"]["tickvals"])
    drill = chart(at, t("regions.drill_chart", lang, region="Санкт-Петербург", currency="RUB"))["layout"]
    months = {"ru": ["янв 2025", "фев 2025", "мар 2025<br>по 03.03"],
              "en": ["Jan 2025", "Feb 2025", "Mar 2025<br>to Mar 3"]}[lang]
    assert drill["xaxis"]["ticktext"] == months and drill["xaxis"]["range"] == ["2025-01-01", "2025-04-01"]
    for axis in ("yaxis", "yaxis2"):
        assert [tick_value(x, lang) for x in drill[axis]["ticktext"]] == pytest.approx(drill[axis]["tickvals"])
