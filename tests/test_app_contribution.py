"""The contribution page (AppTest) against the warehouse: every model's credits add up to the period's
won revenue (the Overview's), the agreed model is named, the picker offers every model the chart
compares, and the sentence about disagreement names the chart's longest bar."""
from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from analysis import attribution
from tests.apptest import Q1_2025, chart, metric, run_app, sql, sql_one, texts, tick_value, values
from ui import fmt
from ui.attribution import describe, model_names
from ui.i18n import t

# won revenue in the base currency (RUB; the fixture's USD at 90), by close date
WON = """select sum(amount * case currency when 'RUB' then 1 else 90 end) from deals where status = 'won'
         and closed_at::date between $a and $b"""
CUT = {"period": "custom", "from": "2025-01-21", "to": "2025-02-10"}   # cuts January and February


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_models_side_by_side_and_the_agreed_model(warehouse, lang):
    at = run_app("contribution", lang, **Q1_2025)
    assert describe(attribution.agreed_model(), lang) in texts(at)
    spec = chart(at, t("contrib.chart", lang, currency="RUB"))
    dots = [tr for tr in spec["data"] if tr.get("mode") == "markers"]
    names = model_names(lang)
    assert {tr["name"] for tr in dots} == set(names.values())
    axis = spec["layout"]["yaxis"]                 # '50 тыс.' / '50K' at round steps, not '50000'
    assert [tick_value(x, lang) for x in axis["ticktext"]] == pytest.approx(axis["tickvals"])
    won = float(sql_one(warehouse, WON, {"a": "2025-01-01", "b": "2025-03-31"}))
    for tr in dots:     # every model credits exactly the won revenue, only split differently
        assert sum(values(tr)) == pytest.approx(won), tr["name"]
    shown = metric(at, t("contrib.revenue", lang, currency="RUB"))
    assert shown.value == fmt.compact(won, lang, "RUB")
    # the picker offers every model the chart compares
    picker = at.selectbox(key="contrib_model")
    assert list(picker.options) == [names[m] + (t("contrib.agreed_mark", lang) if m == "position_based" else "")
                                    for m in attribution.MODELS]


def test_a_period_that_cuts_months_credits_its_own_days(warehouse):
    at = run_app("contribution", "en", **CUT)
    won = float(sql_one(warehouse, WON, {"a": CUT["from"], "b": CUT["to"]}))
    whole_months = float(sql_one(warehouse, WON, {"a": "2025-01-01", "b": "2025-02-28"}))
    assert won != whole_months
    assert at.dataframe[0].value.revenue.astype(float).sum() == pytest.approx(won)
    assert at.dataframe[1].value.revenue.astype(float).sum() == pytest.approx(won)
    assert metric(at, t("contrib.revenue", "en", currency="RUB")).value == fmt.compact(won, "en", "RUB")


def test_the_sentence_names_the_charts_longest_bar(warehouse):
    at = run_app("contribution", "en", **Q1_2025)
    spec = chart(at, t("contrib.chart", "en", currency="RUB"))
    bars = next(tr for tr in spec["data"] if tr.get("type") == "bar")
    lengths = dict(zip(values(bars, "x"), values(bars), strict=True))
    longest = max(lengths, key=lengths.get)
    assert lengths[longest] > 0
    assert any(line.startswith("The models disagree most on “" + longest + "”") for line in texts(at).splitlines())


def test_switching_the_model_changes_channel_credit(warehouse):
    first = run_app("contribution", "en", **Q1_2025)
    first.selectbox(key="contrib_model").set_value("first_touch").run()
    last = run_app("contribution", "en", **Q1_2025)
    last.selectbox(key="contrib_model").set_value("last_touch").run()
    a = first.dataframe[0].value.set_index("channel").revenue.astype(float)
    b = last.dataframe[0].value.set_index("channel").revenue.astype(float)
    assert a.sum() == pytest.approx(b.sum())
    assert not a.reindex(b.index).fillna(0).equals(b)


@pytest.mark.parametrize("model", attribution.DATA_DRIVEN_MODELS)
def test_a_data_driven_model_can_be_picked(warehouse, model):
    at = run_app("contribution", "en", **Q1_2025)
    at.selectbox(key="contrib_model").set_value(model).run()
    assert not at.exception
    names = model_names("en")
    spec = chart(at, t("contrib.chart", "en", currency="RUB"))
    dots = {tr["name"]: tr for tr in spec["data"] if tr.get("mode") == "markers"}
    table = at.dataframe[0].value.set_index("channel")
    # the table's revenue is the model's dots, channel by channel
    chart_credit = dict(zip(values(dots[names[model]], "x"), values(dots[names[model]]), strict=True))
    for channel, revenue in table.revenue.items():
        assert float(revenue) == pytest.approx(chart_credit.get(channel, 0.0), abs=0.01), channel
    assert table.pipeline.isna().all()
    assert t("contrib.campaign_rule_model", "en", picked=names[model], model=names["position_based"]) in texts(at)


def test_campaign_none_rows_count_leads_without_a_campaign(warehouse):
    at = run_app("contribution", "en", **Q1_2025)
    campaigns = at.dataframe[1].value
    none = campaigns[campaigns.campaign == t("contrib.no_campaign", "en")]
    leads = dict(sql(warehouse, "select channel, count(*) from leads where utm_campaign is null "
                                "and created_at::date between '2025-01-01' and '2025-03-31' group by all"))
    assert leads
    labels = dict(sql(warehouse, "select channel, label_en from cfg_channels"))
    shown = dict(zip(none.channel, none.leads, strict=True))
    for channel, n in leads.items():
        assert shown[labels[channel]] == n, channel


def test_a_channel_with_leads_and_no_spend_has_no_cost_per_lead(warehouse):
    """SEO, referrals, events: leads and no spend loaded. Their spend and CPL are unknown ("—" beside ROMI's
    "—"), not 0, as the page's note says; a channel with spend keeps spend / leads."""
    at = run_app("contribution", "en", **Q1_2025)
    spent = {label or c for c, label in sql(warehouse, "select distinct s.channel, c.label_en from mart_spend_day s "
                                                      "left join cfg_channels c using (channel) "
                                                      "where s.day between '2025-01-01' and '2025-03-31'")}
    for table in (at.dataframe[0].value, at.dataframe[1].value):
        spend, leads, cpl = (table[c].astype(float) for c in ("spend", "leads", "cpl"))
        free = spend.isna() & (leads > 0)
        if "campaign" not in table:         # by channel: missing exactly where no spend is loaded
            assert (spend.isna() == ~table.channel.isin(spent)).all()
        assert free.any() and (~free & (leads > 0)).any()
        assert cpl[free].isna().all() and table.romi[free].isna().all()
        paid = (spend > 0) & (leads > 0)
        assert cpl[paid].to_numpy() == pytest.approx((spend / leads)[paid].to_numpy())


# A small company's files as amoCRM and a CRM's lead export write them (windows-1251, ';', Russian
# headers): 9001 won with no source, no tags, no lead and no touch; 9002 won after a touch from a source
# no rule recognises and one from Yandex Direct; leads L91 (no source) and L92 (a source no rule knows).
MISSING_DEALS = (
    "ID;Название сделки;Бюджет;Валюта;Ответственный;Дата создания;Дата закрытия;Этап сделки;Город;"
    "Источник;utm_source;utm_medium;utm_campaign;ID лида\n"
    '9001;Склад без источника;"100 000";RUB;Анна Смирнова;02.03.2025 10:00:00;12.03.2025 12:00:00;'
    "Успешно реализовано;мск;;;;;\n"
    '9002;Офис;"300 000";RUB;Анна Смирнова;03.03.2025 10:00:00;20.03.2025 12:00:00;'
    "Успешно реализовано;г. Москва;;yandex;cpc;msk_search;L93\n")
MISSING_LEADS = (
    "ID лида;Дата создания;Город;Источник;utm_source;utm_medium;utm_campaign;Статус;Дата первого контакта;"
    "Ответственный;ID сделки\n"
    "L91;04.03.2025 11:00:00;Москва;;;;;Новый;;Анна Смирнова;\n"
    "L92;05.03.2025 11:00:00;Москва;Источник №7;;;;Новый;;Анна Смирнова;\n"
    "L93;01.03.2025 11:00:00;Москва;;yandex;cpc;msk_search;Сконвертирован;01.03.2025 12:00:00;Анна Смирнова;9002\n")
MISSING_TOUCHES = ("touch_at,lead_id,deal_id,channel,campaign\n"
                   "2025-03-01 09:00:00,L93,9002,газета «Из рук в руки»,\n"
                   "2025-03-02 09:00:00,L93,9002,yandex_direct,msk_search\n")
MARCH = {"period": "custom", "from": "2025-03-01", "to": "2025-03-31"}


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_missing_channel_is_one_row_with_its_revenue_and_its_leads(fresh_db, tmp_path, lang):
    """Deals credited to no channel, a touch whose channel is unknown and leads whose channel is unknown
    are one row, «Без атрибуции» / “Unattributed”: its revenue is the card's, its leads the unknown leads;
    no «Не определён» / “Unknown” row beside it, in the channel or the campaign table."""
    from etl.load import load_files

    files = {"amo_deals.csv": (MISSING_DEALS, "cp1251"), "leads.csv": (MISSING_LEADS, "utf-8-sig"),
             "touchpoints.csv": (MISSING_TOUCHES, "utf-8")}
    for name, (text, encoding) in files.items():
        (tmp_path / name).write_text(text, encoding=encoding)
    assert load_files([tmp_path / name for name in files], progress=False)["ok"]
    unknown_leads = sql_one(fresh_db, "select count(*) from leads where channel = 'unknown'")
    assert unknown_leads == 2
    assert sql_one(fresh_db, "select count(*) from touchpoints where channel = 'unknown'") == 1
    at = run_app("contribution", lang, **MARCH)
    label = t("contrib.unattributed", lang)
    unknown = sql_one(fresh_db, f"select label_{lang} from cfg_channels where channel = 'unknown'")
    by_channel, by_campaign = at.dataframe[0].value, at.dataframe[1].value
    for table in (by_channel, by_campaign):
        assert unknown not in set(table.channel), table
    row = by_channel[by_channel.channel == label]
    assert len(row) == 1, by_channel
    # 9001 whole, and 9002's first touch (unknown channel) under the agreed position-based model: 50 %
    assert float(row.revenue.iloc[0]) == pytest.approx(100_000 + 150_000)
    assert int(row.leads.iloc[0]) == unknown_leads
    card = metric(at, t("contrib.unattributed_rev", lang))
    assert card.value == fmt.compact(250_000, lang, "RUB")
    assert float(by_channel.revenue.astype(float).sum()) == pytest.approx(400_000)


# Ad spend as a generic CRM-side export writes it (windows-1251, ';', Russian headers, «20 000,00»): two
# campaigns no rule in data/campaign_rules.csv gives a channel, so their 60 000 ₽ is spend of channel 'unknown'
UNMAPPED_SPEND = ("Дата;Кампания;Регион;Показы;Клики;Расход;Валюта\n"
                  '05.03.2025;Весна_промо;Москва;1 000;50;"20 000,00";RUB\n'
                  '06.03.2025;Весна_промо;Москва;900;40;"30 000,00";RUB\n'
                  '06.03.2025;Партнёрка март;Москва;900;40;"10 000,00";RUB\n')


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_unattributed_row_has_no_romi_and_says_why(fresh_db, tmp_path, lang):
    """Spend whose campaigns map to no channel lands in the Unattributed row beside revenue no channel
    earned: the row read ROMI (250 000 − 60 000) / 60 000 = 317 % and CPL 60 000 / 2 = 30 000 ₽, a ratio of
    two unrelated sums. Now both are «—» on the page and in the deck, and a line says why;
    the row keeps its revenue, spend and leads, and a campaign's own row keeps its ROMI."""
    from etl.load import load_files
    from model.access import OPERATOR
    from model.filters import Filters
    from model.runner import run_on
    from report import deck as decks

    files = {"amo_deals.csv": (MISSING_DEALS, "cp1251"), "leads.csv": (MISSING_LEADS, "utf-8-sig"),
             "touchpoints.csv": (MISSING_TOUCHES, "utf-8"), "spend_2025-03.csv": (UNMAPPED_SPEND, "cp1251")}
    for name, (text, encoding) in files.items():
        (tmp_path / name).write_text(text, encoding=encoding)
    assert load_files([tmp_path / name for name in files], progress=False)["ok"]
    assert sql_one(fresh_db, "select sum(cost) from ad_spend where channel = 'unknown'") == 60_000
    at = run_app("contribution", lang, **MARCH)
    by_channel, by_campaign = at.dataframe[0].value, at.dataframe[1].value
    row = by_channel[by_channel.channel == t("contrib.unattributed", lang)].iloc[0]
    assert float(row.revenue) == pytest.approx(250_000) and float(row.spend) == pytest.approx(60_000)
    assert int(row.leads) == 2
    assert row.romi != row.romi and row.cpl != row.cpl                 # NaN: «—»
    assert t("contrib.unattributed_no_romi", lang, spend=fmt.money(60_000, "RUB", lang, 0)) in texts(at)
    spring = by_campaign[by_campaign.campaign.str.lower() == "весна_промо"].iloc[0]
    assert float(spring.romi) == pytest.approx(-1.0)                  # 50 000 spent, nothing credited
    con = duckdb.connect(str(fresh_db), read_only=True)
    try:
        f = Filters("custom", dt.date(2025, 3, 1), dt.date(2025, 3, 31))
        deck = decks.build(f, lambda name, params: run_on(con, name, params, OPERATOR), lang, ["contribution"])
    finally:
        con.close()
    slide = next(s for s in deck.slides if s.key == "contribution" and s.table is not None)
    table = slide.table.set_index(t("deck.col.channel", lang))
    assert table.at[t("contrib.unattributed", lang), t("deck.col.romi", lang)] == fmt.DASH
