"""Attribution: every model on hand-computed journeys, the data-driven ones on known answers, and
the warehouse's attribution_credit equal to analysis/attribution.py on the same deals."""
from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from analysis import attribution as attr

P = {**attr.settings(), "model": "position_based", "first_weight": 0.4, "last_weight": 0.4,
     "middle_weight": 0.2, "time_decay_half_life_days": 7, "lookback_days": 90}
OWNERS = {"seo": "marketing", "email": "marketing", "vk_ads": "marketing", "yandex_direct": "marketing",
          "direct": "sales", "referral": "partner", "unknown": "unknown"}
TS = pd.Timestamp


def deals_frame(*rows: dict) -> pd.DataFrame:
    base = {"status": "won", "amount": 1000.0, "currency": "RUB", "region": "Москва", "product": "Базовый",
            "channel": "seo", "utm_campaign": None, "lead_id": None, "closed_at": TS("2025-01-20")}
    return pd.DataFrame([{**base, **r} for r in rows])


def touches_frame(*rows: tuple) -> pd.DataFrame:
    """(deal_id, touch_at, channel, campaign) tuples."""
    frame = pd.DataFrame(rows, columns=["deal_id", "touch_at", "channel", "campaign"])
    return frame.assign(touch_at=pd.to_datetime(frame["touch_at"]), lead_id=None)


def weights(touches, deals, leads=None) -> pd.DataFrame:
    """model x channel -> summed weight (a channel appears once per deal in these cases)."""
    c = attr.touch_credit(touches, deals, leads, owners=OWNERS, params=P)
    return c.pivot_table(index="channel", columns="model", values="weight", aggfunc="sum")


# ---------------------------------------------------------------------------------------------
# Rule models, by hand

# Deal 1, created 10 Jan, won 20 Jan, its lead created 5 Jan. Four touches count; one after the
# win and one before the 90-day window (created_at - 90 days = 12 Oct 2024) do not.
JOURNEY = touches_frame(
    ("1", "2024-09-01", "direct", None),          # before the lookback window
    ("1", "2025-01-01", "seo", None),             # first touch
    ("1", "2025-01-04", "email", "jan_news"),     # the lead-creation touch (last before 5 Jan)
    ("1", "2025-01-08", "vk_ads", "spb_retarget"),  # the deal-creation touch (last before 10 Jan)
    ("1", "2025-01-15", "yandex_direct", "brand"),  # last touch
    ("1", "2025-01-25", "referral", None),        # after the win
)
JOURNEY_DEAL = deals_frame({"deal_id": "1", "created_at": TS("2025-01-10"), "lead_id": "L1"})
JOURNEY_LEAD = pd.DataFrame({"lead_id": ["L1"], "created_at": [TS("2025-01-05")]})
DECAY = {"seo": 2 ** (-14 / 7), "email": 2 ** (-11 / 7), "vk_ads": 2 ** (-7 / 7), "yandex_direct": 1.0}
EXPECTED = {
    "first_touch": {"seo": 1, "email": 0, "vk_ads": 0, "yandex_direct": 0},
    "last_touch": {"seo": 0, "email": 0, "vk_ads": 0, "yandex_direct": 1},
    "linear": {"seo": 0.25, "email": 0.25, "vk_ads": 0.25, "yandex_direct": 0.25},
    "time_decay": {k: v / sum(DECAY.values()) for k, v in DECAY.items()},
    "position_based": {"seo": 0.4, "email": 0.1, "vk_ads": 0.1, "yandex_direct": 0.4},
    "w_shaped": {"seo": 0.3, "email": 0.3, "vk_ads": 0.3, "yandex_direct": 0.1},
}


@pytest.mark.parametrize("model", attr.RULE_MODELS)
def test_rule_model_on_a_hand_computed_journey(model):
    got = weights(JOURNEY, JOURNEY_DEAL, JOURNEY_LEAD)[model]
    assert set(got.index) == set(EXPECTED[model])  # the late and the too-early touch are ignored
    for channel, expected in EXPECTED[model].items():
        assert got[channel] == pytest.approx(expected), channel


def test_one_touch_gets_everything_in_every_model():
    got = weights(touches_frame(("1", "2025-01-02", "seo", None)),
                  deals_frame({"deal_id": "1", "created_at": TS("2025-01-10")}))
    assert got.loc["seo"].tolist() == pytest.approx([1.0] * len(attr.RULE_MODELS))


def test_two_touches():
    # lead created between the touches, deal after both: touch 1 is first + lead creation (30+30),
    # touch 2 the deal creation (30); no other touches, so 60:30 rescales to 2/3 and 1/3
    got = weights(touches_frame(("1", "2025-01-01", "seo", None), ("1", "2025-01-08", "email", None)),
                  deals_frame({"deal_id": "1", "created_at": TS("2025-01-10"), "lead_id": "L1"}),
                  pd.DataFrame({"lead_id": ["L1"], "created_at": [TS("2025-01-05")]}))
    assert got.loc[["seo", "email"], "position_based"].tolist() == pytest.approx([0.5, 0.5])
    assert got.loc[["seo", "email"], "w_shaped"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert got.loc[["seo", "email"], "time_decay"].tolist() == pytest.approx([1 / 3, 2 / 3])  # 7 days = half


def test_w_shaped_without_a_lead_spreads_over_first_and_deal_creation():
    got = weights(touches_frame(("1", "2025-01-01", "seo", None), ("1", "2025-01-08", "email", None),
                                ("1", "2025-01-12", "vk_ads", None)),
                  deals_frame({"deal_id": "1", "created_at": TS("2025-01-10")}))
    # first 30, deal creation (email) 30, the one other touch 10: rescaled to 100%
    assert got.loc[["seo", "email", "vk_ads"], "w_shaped"].tolist() == pytest.approx([3 / 7, 3 / 7, 1 / 7])


def test_deal_without_touches_falls_back_to_its_own_fields_and_unattributed_is_kept():
    deals = deals_frame(
        {"deal_id": "1", "created_at": TS("2025-01-10"), "channel": "email", "utm_campaign": "jan_news"},
        {"deal_id": "2", "created_at": TS("2025-01-10"), "channel": "unknown", "amount": 500.0},
        {"deal_id": "3", "created_at": TS("2025-01-10"), "channel": None, "status": "open", "amount": 70.0})
    credit = attr.touch_credit(touches_frame(), deals, owners=OWNERS, params=P)
    table = attr.credit_by(credit, by=("channel", "campaign"))
    for model in attr.RULE_MODELS:
        rows = table[table["model"] == model].set_index("channel")
        assert rows.loc["email", "campaign"] == "jan_news"
        assert rows.loc["email", "revenue"] == pytest.approx(1000)
        assert rows.loc[attr.UNATTRIBUTED, "revenue"] == pytest.approx(500)
        assert rows.loc[attr.UNATTRIBUTED, "pipeline"] == pytest.approx(70)
        assert rows["deals"].sum() == pytest.approx(3)


def test_currencies_are_never_added():
    deals = deals_frame({"deal_id": "1", "created_at": TS("2025-01-10")},
                        {"deal_id": "2", "created_at": TS("2025-01-10"), "currency": "USD", "amount": 60.0})
    touches = touches_frame(("1", "2025-01-02", "seo", None), ("2", "2025-01-03", "seo", None))
    table = attr.credit_by(attr.touch_credit(touches, deals, owners=OWNERS, params=P))
    seo = table[(table["model"] == "linear") & (table["channel"] == "seo")].set_index("currency")
    assert seo["revenue"].to_dict() == {"RUB": 1000.0, "USD": 60.0}


def test_sourced_and_influenced():
    deals = deals_frame({"deal_id": "1", "created_at": TS("2025-01-10")},
                        {"deal_id": "2", "created_at": TS("2025-01-10"), "amount": 300.0},
                        {"deal_id": "3", "created_at": TS("2025-01-10"), "amount": 50.0})
    touches = touches_frame(("1", "2025-01-02", "seo", None), ("1", "2025-01-03", "direct", None),
                            ("2", "2025-01-02", "direct", None), ("2", "2025-01-03", "email", None),
                            ("3", "2025-01-02", "referral", None))
    table = attr.credit_by(attr.touch_credit(touches, deals, owners=OWNERS, params=P))
    for _, rows in table.groupby("model"):
        assert rows["sourced_revenue"].sum() == pytest.approx(1000)      # deal 1 only
        assert rows["influenced_revenue"].sum() == pytest.approx(1300)   # deals 1 and 2


def random_case(seed: int, n_deals: int = 60):
    rng = np.random.default_rng(seed)
    channels = ["seo", "email", "vk_ads", "direct", "referral", "yandex_direct"]
    created = TS("2025-03-01") + pd.to_timedelta(rng.integers(0, 60, n_deals), unit="D")
    status = rng.choice(["won", "open", "lost"], n_deals)
    deals = pd.DataFrame({
        "deal_id": [str(i) for i in range(n_deals)], "created_at": created,
        "closed_at": [c + pd.Timedelta(days=int(d)) if s != "open" else pd.NaT
                      for c, d, s in zip(created, rng.integers(1, 40, n_deals), status)],
        "status": status, "amount": rng.integers(1, 100, n_deals) * 1000.0,
        "currency": rng.choice(["RUB", "USD"], n_deals), "region": "Москва", "product": "Базовый",
        "channel": rng.choice(channels + ["unknown"], n_deals), "utm_campaign": None,
        "lead_id": [f"L{i}" for i in range(n_deals)]})
    bare = deals_frame(  # no touches at all: unattributed (won, open) and a fallback to own fields
        {"deal_id": "x1", "created_at": TS("2025-03-05"), "closed_at": TS("2025-03-09"), "channel": "unknown"},
        {"deal_id": "x2", "created_at": TS("2025-03-05"), "closed_at": pd.NaT, "status": "open", "channel": ""},
        {"deal_id": "x3", "created_at": TS("2025-03-05"), "channel": "email", "utm_campaign": "jan_news",
         "currency": "USD"})
    deals = pd.concat([deals, bare.assign(lead_id=None)], ignore_index=True)
    leads = pd.DataFrame({"lead_id": deals["lead_id"][:n_deals], "created_at": created - pd.Timedelta(days=3)})
    n_touches = n_deals * 4
    touches = pd.DataFrame({
        "deal_id": rng.choice(deals["deal_id"][:n_deals], n_touches),
        "touch_at": TS("2025-01-01") + pd.to_timedelta(rng.integers(0, 150 * 24, n_touches), unit="h"),
        "channel": rng.choice(channels, n_touches), "campaign": rng.choice(["a", "b", None], n_touches),
        "lead_id": None})
    return touches, deals, leads


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_credits_sum_to_the_attributed_total_in_every_model(seed):
    touches, deals, leads = random_case(seed)
    credit = attr.touch_credit(touches, deals, leads, owners=OWNERS, params=P)
    per_deal = credit.groupby(["model", "deal_id"])["weight"].sum()
    assert per_deal.to_numpy() == pytest.approx(1.0)
    assert len(per_deal) == len(attr.RULE_MODELS) * len(deals)  # no deal dropped, fallbacks included
    table = attr.credit_by(credit)
    won = deals[deals["status"] == "won"].groupby("currency")["amount"].sum()
    for _, rows in table.groupby("model"):
        assert rows.groupby("currency")["revenue"].sum().to_dict() == pytest.approx(won.to_dict())


# ---------------------------------------------------------------------------------------------
# Data-driven models on paths with known answers


def paths(*rows) -> pd.DataFrame:
    """(path, converted, deals, value) rows in RUB."""
    frame = pd.DataFrame(rows, columns=["path", "converted", "deals", "value"])
    return frame.assign(currency="RUB")


def test_markov_removal_effect():
    # every conversion comes right after 'a'; 'c' leads nowhere but to null (first order: a path's
    # steps, not the whole path, are what the chain remembers)
    got = attr.markov_credit(paths(("b > a", True, 30, 3000.0), ("a", True, 10, 500.0),
                                   ("b", False, 20, 0.0), ("c", False, 40, 0.0))).set_index("channel")
    assert got.loc["a", "removal_effect"] == pytest.approx(1.0)
    assert got.loc["c", "removal_effect"] == pytest.approx(0.0)
    assert 0 < got.loc["b", "removal_effect"] < 1
    assert got["revenue"].sum() == pytest.approx(3500)
    assert got["deals"].sum() == pytest.approx(40)


def test_markov_keeps_currencies_apart():
    frame = pd.concat([paths(("a", True, 1, 10.0)), paths(("b", True, 1, 7.0)).assign(currency="USD")])
    got = attr.markov_credit(frame).set_index(["channel", "currency"])["revenue"]
    assert got.to_dict() == {("a", "RUB"): 10.0, ("b", "USD"): 7.0}


def test_shapley_known_answer_symmetry_and_efficiency():
    # v(a)=10, v(b)=0, v(ab)=30: phi_a = (10 + 30)/2 = 20, phi_b = (0 + 20)/2 = 10
    got = attr.shapley_credit(paths(("a", True, 1, 10.0), ("a > b", True, 1, 20.0))).set_index("channel")
    assert got["revenue"].to_dict() == pytest.approx({"a": 20.0, "b": 10.0})
    sym = attr.shapley_credit(paths(("a > b", True, 3, 300.0), ("b > a", True, 3, 300.0),
                                    ("c", True, 1, 50.0), ("a > b > c", False, 9, 0.0))).set_index("channel")
    assert sym.loc["a", "revenue"] == pytest.approx(sym.loc["b", "revenue"])
    assert sym["revenue"].sum() == pytest.approx(650)   # efficiency: the values add up to v(all)
    assert sym["deals"].sum() == pytest.approx(7)


def test_shapley_refuses_too_many_channels():
    many = " > ".join(f"c{i}" for i in range(17))
    with pytest.raises(ValueError):
        attr.shapley_credit(paths((many, True, 1, 1.0)))


def test_paths_collapse_repeats_and_keep_the_first_step():
    steps = ["seo", "seo", "email", "vk_ads", "email", "direct", "referral", "yandex_direct", "seo", "vk_ads",
             "email"]
    touches = touches_frame(*[("1", f"2025-01-{i + 1:02d}", c, None) for i, c in enumerate(steps)])
    got = attr.paths_of(touches, deals_frame({"deal_id": "1", "created_at": TS("2025-01-10")}), P)
    # 10 distinct consecutive steps, capped at 8: the first and the last seven
    assert got["path"].tolist() == ["seo > email > direct > referral > yandex_direct > seo > vk_ads > email"]


# ---------------------------------------------------------------------------------------------
# The warehouse computes the same credits as the reference (pulled into pandas for the test only)

GRAIN = ["model", "month", "region", "channel", "campaign", "product", "currency", "status"]
MEASURES = ["deals", "revenue", "pipeline", "sourced_revenue", "influenced_revenue"]


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    from etl.demo_load import run_demo
    folder = tmp_path_factory.mktemp("attr_demo")
    mp = pytest.MonkeyPatch()
    mp.setenv("PARITY_DB", str(folder / "warehouse.duckdb"))
    run_demo(seed=11, deals=2500, end="2026-06-30")
    yield folder / "warehouse.duckdb"
    mp.undo()


def read(db, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def reference(db):
    touches = read(db, "select touch_at, lead_id, deal_id, channel, campaign from touchpoints")
    deals = read(db, "select deal_id, created_at, closed_at, status, amount::double as amount, currency, region,"
                     " product, channel, utm_campaign, lead_id from deals")
    leads = read(db, "select lead_id, created_at from leads")
    return touches, deals, leads


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Keys as text (None and NaN alike), measures as floats, rows in one order."""
    keys = frame[GRAIN].astype(object).where(frame[GRAIN].notna(), "").astype(str)
    keys["month"] = keys["month"].str[:10]
    out = pd.concat([keys, frame[MEASURES].astype(float)], axis=1)
    return out.groupby(GRAIN, as_index=False)[MEASURES].sum().sort_values(GRAIN).reset_index(drop=True)


@pytest.mark.parametrize("which", ["fixture", "demo"])
def test_warehouse_credit_equals_the_reference(which, warehouse, small_demo):
    db = warehouse if which == "fixture" else small_demo
    credit = attr.touch_credit(*reference(db))
    expected = attr.credit_by(credit[credit["status"] != "lost"], by=GRAIN[1:-2] + ["status"])
    expected = expected.drop(columns="won_deals")
    got = read(db, "select * from attribution_credit")
    a, b = comparable(got), comparable(expected)
    assert a[GRAIN].equals(b[GRAIN])
    for m in MEASURES:
        assert a[m].to_numpy() == pytest.approx(b[m].to_numpy(), rel=1e-9, abs=1e-6), m


def warehouse_of(touches, deals, leads) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse holding just these rows, with the derived attribution tables built."""
    from etl.build import _config_tables, run_steps
    from etl.sqlfiles import run, run_file
    from etl.steps import STEPS
    con = duckdb.connect()
    run_file(con, "warehouse/schema.sql")
    tables = {"touchpoints": touches, "deals": deals.assign(source_system="crm"),
              "leads": leads.assign(source_system="crm", channel="seo", status="new"), **_config_tables()}
    for name, frame in tables.items():
        con.register("frame", frame)
        if name.startswith("cfg_"):
            run(con, f"create or replace table {name} as select * from frame")
        else:
            run(con, f"insert into {name} by name select * from frame")
        con.unregister("frame")
    run_steps(con, [s for s in STEPS if s.name.startswith("attribution_")])  # as Builder.commit runs them
    return con


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_warehouse_sql_equals_the_reference_on_edge_cases(seed):
    # random journeys: touches before the window and after the close, deals without touches (some
    # with channel 'unknown': unattributed), open and lost deals, RUB and USD
    touches, deals, leads = random_case(seed)
    con = warehouse_of(touches, deals, leads)
    got = con.execute("select * from attribution_credit").df()
    credit = attr.touch_credit(touches, deals, leads)
    expected = attr.credit_by(credit[credit["status"] != "lost"], by=GRAIN[1:-2] + ["status"])
    a, b = comparable(got), comparable(expected.drop(columns="won_deals"))
    assert a[GRAIN].equals(b[GRAIN])
    for m in MEASURES:
        assert a[m].to_numpy() == pytest.approx(b[m].to_numpy(), rel=1e-9, abs=1e-6), m
    assert attr.UNATTRIBUTED in set(got["channel"])
    paths = con.execute("select path, converted, currency, sum(deals) as deals from attribution_paths "
                        "group by all order by all").fetchall()
    ref = attr.paths_of(touches, deals).sort_values(["path", "converted", "currency"])
    assert paths == [(p, c, cur, n) for p, c, cur, n in ref[["path", "converted", "currency", "deals"]].itertuples(index=False)]


@pytest.mark.parametrize("which", ["fixture", "demo"])
def test_warehouse_paths_equal_the_reference(which, warehouse, small_demo):
    db = warehouse if which == "fixture" else small_demo
    touches, deals, _ = reference(db)
    expected = attr.paths_of(touches, deals)
    got = read(db, "select path, converted, currency, sum(deals) as deals, sum(value) as value "
                   "from attribution_paths group by all")
    key = ["path", "converted", "currency"]
    a = got.sort_values(key).reset_index(drop=True)
    b = expected.sort_values(key).reset_index(drop=True)
    assert a[key].astype(str).equals(b[key].astype(str))
    assert a["deals"].tolist() == b["deals"].tolist()
    assert a["value"].to_numpy() == pytest.approx(b["value"].to_numpy())


# ---------------------------------------------------------------------------------------------
# What the Contribution page will read: queries/app/attribution_*.sql and the table functions

ALL_TIME = {"date_from": dt.date(2000, 1, 1), "date_to": dt.date(2100, 12, 31)}


def app_query(db, name: str, **params) -> pd.DataFrame:
    from etl.paths import QUERIES_DIR
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute((QUERIES_DIR / "app" / f"{name}.sql").read_text(encoding="utf-8"), params).df()
    finally:
        con.close()


@pytest.mark.parametrize("name", ["attribution_by_channel", "attribution_by_campaign"])
@pytest.mark.parametrize("model", attr.RULE_MODELS)
def test_page_queries_credit_all_won_revenue_per_currency(small_demo, name, model):
    got = app_query(small_demo, name, model=model, regions=[], **ALL_TIME)
    won = read(small_demo, "select currency, sum(amount)::double as revenue from deals where status = 'won' "
                           "group by all")
    assert got.groupby("currency")["revenue"].sum().to_dict() == pytest.approx(
        dict(zip(won["currency"], won["revenue"])))
    spend = read(small_demo, "select currency, sum(cost)::double as spend from ad_spend group by all")
    spent = got.groupby("currency")["spend"].sum()
    assert spent[spent > 0].to_dict() == pytest.approx(
        dict(zip(spend["currency"], spend["spend"])))


def test_page_query_region_filter(small_demo):
    everywhere = app_query(small_demo, "attribution_by_channel", model="linear", regions=None, **ALL_TIME)
    moscow = app_query(small_demo, "attribution_by_channel", model="linear", regions=["Москва"], **ALL_TIME)
    won = read(small_demo, "select sum(amount)::double from deals where status = 'won' and region = 'Москва' "
                           "and currency = 'RUB'").iloc[0, 0]
    assert moscow.loc[moscow["currency"] == "RUB", "revenue"].sum() == pytest.approx(won)
    assert moscow["revenue"].sum() < everywhere["revenue"].sum()


def test_models_side_by_side_every_model_credits_the_same_total(small_demo):
    rules = app_query(small_demo, "attribution_by_channel", model="linear", regions=[], **ALL_TIME)
    rules = rules[["channel", "currency", *attr.RULE_MODELS]]
    paths = app_query(small_demo, "attribution_paths", **ALL_TIME)
    side = attr.models_side_by_side(rules, paths)
    totals = side.groupby("currency")[list(attr.RULE_MODELS + attr.DATA_DRIVEN_MODELS)].sum()
    for model in attr.RULE_MODELS:
        assert totals[model].to_numpy() == pytest.approx(totals["position_based"].to_numpy()), model
    # the data-driven models split what the paths converted (unattributed deals have no path)
    converted = paths[paths["converted"]].groupby("currency")["value"].sum()
    for model in attr.DATA_DRIVEN_MODELS:
        assert totals[model].to_numpy() == pytest.approx(converted.reindex(totals.index).to_numpy()), model


def test_returns_romi_and_cpl():
    frame = pd.DataFrame({"channel": ["vk_ads", "seo", "email"], "currency": "RUB",
                          "revenue": [300.0, 50.0, 0.0], "spend": [100.0, 0.0, 20.0], "leads": [4, 5, 0]})
    got = attr.with_returns(frame)
    assert got["romi"].tolist()[0] == pytest.approx(2.0)
    assert got["cpl"].tolist()[0] == pytest.approx(25.0)
    assert got["romi"].isna().tolist() == [False, True, False]   # no spend: no ROMI
    assert got["cpl"].isna().tolist() == [False, True, True]     # no spend or no leads: no CPL
    assert "romi" not in frame  # the (cached) input is not mutated


def test_agreed_model_reads_agreements():
    agreed = attr.agreed_model()
    assert agreed["name"] == "position_based"
    assert agreed["params"]["first_weight"] == 0.4
    assert agreed["description"]["ru"].startswith("Позиционная модель: первое касание 40%, последнее 40%, середина 20%")
    assert agreed["description"]["en"].startswith("Position-based model: first touch 40%")
