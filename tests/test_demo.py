"""The demo company: deterministic, consistent with its own truth.json, and carrying the planted effects."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from etl.demo import generate

END = dt.date(2026, 6, 30)
HEADERS = {  # file -> (encoding, first header line)
    "crm_deals.csv": ("utf-8", ("\ufeffID;Название сделки;Бюджет;Валюта;Ответственный;Дата создания;Дата закрытия;"
                                "Этап сделки;Воронка;Город;Продукт;Источник;Причина отказа;ID лида;utm_source;"
                                "utm_medium;utm_campaign")),
    "crm_leads.csv": ("utf-8", ("ID лида;Дата создания;Город;Источник;utm_source;utm_medium;utm_campaign;Статус;"
                                "Дата первого контакта;Ответственный;ID сделки")),
    "touchpoints.csv": ("utf-8", "touch_at,lead_id,deal_id,channel,campaign"),
    "ad_spend.csv": ("utf-8", "Дата;Площадка;Кампания;Регион;Показы;Клики;Расход;Валюта"),
    "campaigns.csv": ("utf-8", "campaign,campaign_id,platform,channel,region,product,start_date,end_date"),
    "plan.csv": ("utf-8", "Месяц;Регион;Продукт;Показатель;План;Ответственный"),
    "activities.csv": ("utf-8", ("ID;Ответственный отдел;Тип;Название;Регион;Продукт;Дата начала;Дата окончания;"
                                 "Бюджет;Ответственный;Статус")),
    "1c_sales.csv": ("cp1251", "Продажи"),
    "metrica_traffic.csv": ("utf-8", "\ufeffДата визита,UTM Source,UTM Campaign,Визиты,Посетители"),
}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo_small")
    return out, generate(out, seed=7, deals=3000, end=END)


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """Big enough for the planted effects to stand out of the noise."""
    out = tmp_path_factory.mktemp("demo_big")
    return out, generate(out, seed=11, deals=40_000, end=END)


def _csv(path, sep, **kw) -> pd.DataFrame:
    return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig", **kw)


def _money(text: pd.Series) -> pd.Series:
    return text.str.replace("\u00a0", "").str.replace(" ", "").str.replace(",", ".").astype(float)


def _region(text: pd.Series, truth: dict) -> pd.Series:
    canon = {r["name"]: r["name"] for r in truth["regions"]} | truth["region_aliases"]
    return text.map(canon)


def _count(daily: pd.Series, regions, lo, hi) -> int:
    """Deals created in `regions` between lo and hi (inclusive), from a region x day series."""
    region, day = daily.index.get_level_values(0), daily.index.get_level_values(1)
    return daily[region.isin(regions) & (day >= lo) & (day <= hi)].sum()


def _deals(out, truth) -> pd.DataFrame:
    d = _csv(out / "crm_deals.csv", ";").drop_duplicates()
    d["created"] = pd.to_datetime(d["Дата создания"], format="%d.%m.%Y %H:%M:%S", errors="coerce")
    d["region"] = _region(d["Город"], truth)
    return d


def test_same_seed_and_end_give_identical_bytes(small, tmp_path):
    out, _ = small
    generate(tmp_path, seed=7, deals=3000, end=END)
    for name in [*HEADERS, "truth.json"]:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_another_seed_gives_another_company(small, tmp_path):
    out, _ = small
    generate(tmp_path, seed=8, deals=3000, end=END)
    assert (tmp_path / "crm_deals.csv").read_bytes() != (out / "crm_deals.csv").read_bytes()
    assert (tmp_path / "ad_spend.csv").read_bytes() != (out / "ad_spend.csv").read_bytes()


@pytest.mark.parametrize("name", list(HEADERS))
def test_files_have_their_encoding_and_header(small, name):
    out, _ = small
    encoding, header = HEADERS[name]
    text = (out / name).read_bytes().decode(encoding)
    assert text.splitlines()[0] == header


def test_truth_json_has_the_promised_keys(small):
    out, truth = small
    assert json.loads((out / "truth.json").read_text(encoding="utf-8")) == truth
    for key in ("seed", "start", "end", "deals", "regions", "channels", "flights", "speed_to_lead",
                "channel_revenue_share", "realised_channel_revenue_share", "dirty", "totals", "managers"):
        assert key in truth
    assert truth["start"] == "2024-07-01" and truth["end"] == "2026-06-30"
    assert sum(truth["channel_revenue_share"].values()) == pytest.approx(1, abs=1e-3)
    assert len(truth["flights"]) >= 6 and len(truth["managers"]) == 20


def test_deals_file_matches_truth_totals(small):
    out, truth = small
    raw = _csv(out / "crm_deals.csv", ";")
    totals, dirty = truth["totals"]["crm_deals.csv"], truth["dirty"]["crm_deals.csv"]
    assert len(raw) == totals["rows"]
    assert raw["ID"].nunique() == totals["unique_deal_ids"] == truth["deals_realised"]
    assert raw.duplicated().sum() == dirty["duplicate_rows"] > 0
    d = _deals(out, truth)
    assert d["created"].isna().sum() == dirty["impossible_dates"] >= 5
    valid = d[d["created"].notna()]
    won = valid[valid["Этап сделки"] == "Успешно реализовано"]
    for currency, amount in totals["valid_won_amount_by_currency"].items():
        assert _money(won.loc[won["Валюта"] == currency, "Бюджет"]).sum() == pytest.approx(amount, abs=0.01)
    assert d["region"].isna().sum() == dirty["unknown_regions"]
    assert (d["Бюджет"].str.contains("\u00a0")).any() and (d["Бюджет"].str.fullmatch(r"\d+")).any()


def test_leads_and_deals_point_at_each_other(small):
    out, truth = small
    leads, deals = _csv(out / "crm_leads.csv", ";"), _deals(out, truth)
    assert leads["ID лида"].is_unique and len(leads) == truth["totals"]["crm_leads.csv"]["rows"]
    converted = leads[leads["Статус"] == "Сконвертирован"]
    assert set(converted["ID сделки"]) == set(deals["ID"])
    both = deals.merge(leads, left_on="ID лида", right_on="ID лида", suffixes=("", "_lead"))
    lead_created = pd.to_datetime(both["Дата создания_lead"], format="%d.%m.%Y %H:%M:%S")
    assert (both["created"].dropna() >= lead_created[both["created"].notna()]).all()
    assert (leads.loc[leads["Статус"] == "Новый", "Дата первого контакта"] == "").all()


def test_no_sales_of_the_new_product_before_its_launch(small):
    out, truth = small
    launch = next(p["on_sale_from"] for p in truth["model"]["products"] if p["name"] == "Корпоративный")
    d = _deals(out, truth)
    corporate = d[d["Продукт"] == "Корпоративный"]
    assert len(corporate) > 0 and (corporate["created"].dropna() >= pd.Timestamp(launch)).all()


def test_1c_report_is_cp1251_with_nbsp_and_a_total_that_is_not_data(small):
    out, truth = small
    raw = (out / "1c_sales.csv").read_bytes()
    assert b"\xa0" in raw
    lines = raw.decode("cp1251").splitlines()
    assert lines[:4] == ["Продажи", "Период: 01.07.2024 - 30.06.2026", "Показатели: Количество, Сумма", ""]
    rows = pd.read_csv(out / "1c_sales.csv", sep=";", skiprows=4, dtype=str, encoding="cp1251")
    total, detail = rows.iloc[-1], rows.iloc[:-1]
    assert total["Дата"] == "Итого"
    assert _money(detail["Сумма"]).sum() == pytest.approx(_money(pd.Series([total["Сумма"]]))[0], abs=0.01)
    expected = truth["totals"]["1c_sales.csv"]
    assert len(detail) == expected["detail_rows"]
    assert _money(detail["Сумма"]).sum() == pytest.approx(expected["amount"], abs=0.01)
    assert (_money(detail["Сумма"]) < 0).sum() == truth["dirty"]["1c_sales.csv"]["returns"]


def test_flights_spend_only_in_their_regions_and_window(small):
    out, truth = small
    spend = _csv(out / "ad_spend.csv", ";")
    spend["date"] = pd.to_datetime(spend["Дата"], format="%d.%m.%Y")
    for f in truth["flights"]:
        rows = spend[spend["Кампания"] == f["campaign"]]
        assert set(rows["Регион"]) == set(f["regions"])
        assert rows["date"].min() >= pd.Timestamp(f["start"]) and rows["date"].max() <= pd.Timestamp(f["end"])
        assert _money(rows["Расход"]).sum() == pytest.approx(f["spend"], abs=0.01)
    windows = [(set(f["regions"]), pd.Timestamp(f["start"]), pd.Timestamp(f["end"])) for f in truth["flights"]]
    for i, (ra, sa, ea) in enumerate(windows):      # overlapping flights never share a treated region
        for rb, sb, eb in windows[i + 1:]:
            assert not (sa <= eb and sb <= ea) or not (ra & rb)
    assert {r for f in truth["flights"] for r in f["regions"]} != {"Москва"}


def test_touchpoints_cover_every_lead_and_last_touch_is_not_always_the_cause(small):
    out, truth = small
    touches = _csv(out / "touchpoints.csv", ",")
    assert len(touches) == truth["totals"]["touchpoints.csv"]["rows"]
    assert touches["lead_id"].nunique() == truth["leads_realised"]
    assert set(touches["channel"]) <= {c["key"] for c in truth["channels"]}
    leads = _csv(out / "crm_leads.csv", ";")
    paid = leads[leads["utm_medium"] == "cpc"].set_index("ID лида")
    cause = paid["utm_source"].map({"yandex": "yandex_direct", "vk": "vk_ads", "mytarget": "mytarget"})
    created = pd.to_datetime(paid["Дата создания"], format="%d.%m.%Y %H:%M:%S")
    t = touches[touches["lead_id"].isin(paid.index)].copy()
    t["at"] = pd.to_datetime(t["touch_at"])
    t = t[t["at"] <= created.reindex(t["lead_id"]).values]          # touches before the lead only
    last = t.sort_values("at").groupby("lead_id")["channel"].last()
    mismatch = (last != cause.reindex(last.index)).mean()
    assert 0.1 < mismatch < 0.5


def test_plan_and_calendar_cover_history_plus_three_months(small):
    out, truth = small
    plan = _csv(out / "plan.csv", ";")
    assert plan["Месяц"].nunique() == 24 + 3
    assert set(plan["Ответственный"]) == {"sales", "marketing", "company"}
    assert (plan.loc[plan["Ответственный"] == "company", "Регион"] == "").all()
    acts = _csv(out / "activities.csv", ";")
    assert 60 <= len(acts) <= 100
    assert set(acts["Тип"]) == {"campaign", "event", "promo", "launch", "call_blitz"}
    for f in truth["flights"]:
        assert (acts["Название"] == f"Флайт {f['campaign']}").sum() == len(f["regions"])


def test_conversion_falls_with_first_contact_delay(big):
    out, truth = big
    leads = _csv(out / "crm_leads.csv", ";")
    created = pd.to_datetime(leads["Дата создания"], format="%d.%m.%Y %H:%M:%S")
    contact = pd.to_datetime(leads["Дата первого контакта"], format="%d.%m.%Y %H:%M:%S", errors="coerce")
    hours = (contact - created).dt.total_seconds() / 3600
    bucket = pd.cut(hours, [0, 1, 4, 24, np.inf], right=False, labels=["<1h", "1-4h", "4-24h", ">24h"])
    bucket = bucket.cat.add_categories("never").fillna("never")
    rate = (leads["Статус"] == "Сконвертирован").groupby(bucket, observed=True).mean()
    assert list(rate.index) == ["<1h", "1-4h", "4-24h", ">24h", "never"]
    assert rate.is_monotonic_decreasing and rate["never"] == 0
    expected = truth["speed_to_lead"]["expected_conversion_by_bucket"]
    for name, value in rate.items():
        assert value == pytest.approx(expected[name], abs=0.03)


def test_flights_lift_deal_creation_in_treated_regions(big):
    """Coarse difference-in-differences over all flights: treated regions' deals per day in the window
    against their 8 pre-weeks, scaled by never-treated regions over the same days."""
    out, truth = big
    d = _deals(out, truth).dropna(subset=["created", "region"])
    daily = d.groupby(["region", d["created"].dt.floor("D")]).size()
    treated_any = {r for f in truth["flights"] for r in f["regions"]}
    controls = [r["name"] for r in truth["regions"] if r["name"] not in treated_any]
    actual = counterfactual = planted = 0.0
    for f in truth["flights"]:
        start, end = pd.Timestamp(f["start"]), pd.Timestamp(f["end"])
        pre = (start - pd.Timedelta(days=56), start - pd.Timedelta(days=1))
        factor = _count(daily, controls, start, end) / _count(daily, controls, *pre)
        actual += _count(daily, f["regions"], start, end)
        counterfactual += _count(daily, f["regions"], *pre) * factor
        planted += f["baseline_deals_created"] * f["lift"]
    assert actual / counterfactual > 1.08
    assert actual - counterfactual == pytest.approx(planted, rel=0.6)
