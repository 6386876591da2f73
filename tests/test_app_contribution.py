"""The contribution page (AppTest) against the warehouse: every model's credits add up to the won
revenue, the agreed model is named, and switching the model changes the tables."""
from __future__ import annotations

import pytest

from analysis import attribution
from tests.apptest import Q1_2025, chart, metric, run_app, sql_one, texts, tick_value, values
from ui import fmt
from ui.i18n import t

WON_RUB = """select sum(amount) from deals where status = 'won' and currency = 'RUB'
             and closed_at::date between '2025-01-01' and '2025-03-31'"""


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_models_side_by_side_and_the_agreed_model(warehouse, lang):
    at = run_app("contribution", lang, **Q1_2025)
    assert attribution.agreed_model()["description"][lang] in texts(at)
    spec = chart(at, t("contrib.chart", lang, currency="RUB"))
    dots = [tr for tr in spec["data"] if tr.get("mode") == "markers"]
    assert {tr["name"] for tr in dots} == {attribution.MODEL_NAMES[m][0 if lang == "ru" else 1]
                                           for m in attribution.RULE_MODELS + attribution.DATA_DRIVEN_MODELS}
    axis = spec["layout"]["yaxis"]                 # '50 тыс.' / '50K' at round steps, not '50000'
    assert [tick_value(x, lang) for x in axis["ticktext"]] == pytest.approx(axis["tickvals"])
    won = float(sql_one(warehouse, WON_RUB))
    for tr in dots:     # every model credits exactly the won revenue, only split differently
        assert sum(values(tr)) == pytest.approx(won), tr["name"]
    shown = metric(at, t("contrib.attributed", lang, currency="RUB"))
    assert shown.value == fmt.compact(won, lang, "RUB")


def test_switching_the_model_changes_channel_credit(warehouse):
    first = run_app("contribution", "en", **Q1_2025)
    first.selectbox(key="contrib_model").set_value("first_touch").run()
    last = run_app("contribution", "en", **Q1_2025)
    last.selectbox(key="contrib_model").set_value("last_touch").run()
    a = first.dataframe[0].value.set_index(["channel", "currency"]).revenue.astype(float)
    b = last.dataframe[0].value.set_index(["channel", "currency"]).revenue.astype(float)
    assert a.sum() == pytest.approx(b.sum())
    assert not a.reindex(b.index).fillna(0).equals(b)
