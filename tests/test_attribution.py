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
                      for c, d, s in zip(created, rng.integers(1, 40, n_deals), status, strict=True)],
        "status": status, "amount": rng.integers(1, 100, n_deals) * 1000.0,
        "currency": rng.choice(["RUB", "USD"], n_deals), "region": "Москва", "product": "Базовый",
        "channel": rng.choice([*channels, "unknown"], n_deals), "utm_campaign": None,
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


def markov(paths: pd.DataFrame) -> pd.DataFrame:
    """The Markov fit on whole paths: their transitions counted in Python."""
    return attr.markov_credit(attr.transitions_of(paths))


def shapley(paths: pd.DataFrame) -> pd.DataFrame:
    """The Shapley fit on whole paths: their won channel sets counted in Python."""
    return attr.shapley_credit(attr.channel_sets_of(paths))


def test_markov_removal_effect():
    # every conversion comes right after 'a'; 'c' leads nowhere but to null (first order: a path's
    # steps, not the whole path, are what the chain remembers)
    got = markov(paths(("b > a", True, 30, 3000.0), ("a", True, 10, 500.0),
                       ("b", False, 20, 0.0), ("c", False, 40, 0.0))).set_index("channel")
    assert got.loc["a", "removal_effect"] == pytest.approx(1.0)
    assert got.loc["c", "removal_effect"] == pytest.approx(0.0)
    assert 0 < got.loc["b", "removal_effect"] < 1
    assert got["revenue"].sum() == pytest.approx(3500)
    assert got["deals"].sum() == pytest.approx(40)


def test_markov_keeps_currencies_apart():
    frame = pd.concat([paths(("a", True, 1, 10.0)), paths(("b", True, 1, 7.0)).assign(currency="USD")])
    got = markov(frame).set_index(["channel", "currency"])["revenue"]
    assert got.to_dict() == {("a", "RUB"): 10.0, ("b", "USD"): 7.0}


def test_shapley_known_answer_symmetry_and_efficiency():
    # v(a)=10, v(b)=0, v(ab)=30: phi_a = (10 + 30)/2 = 20, phi_b = (0 + 20)/2 = 10
    got = shapley(paths(("a", True, 1, 10.0), ("a > b", True, 1, 20.0))).set_index("channel")
    assert got["revenue"].to_dict() == pytest.approx({"a": 20.0, "b": 10.0})
    sym = shapley(paths(("a > b", True, 3, 300.0), ("b > a", True, 3, 300.0),
                        ("c", True, 1, 50.0), ("a > b > c", False, 9, 0.0))).set_index("channel")
    assert sym.loc["a", "revenue"] == pytest.approx(sym.loc["b", "revenue"])
    assert sym["revenue"].sum() == pytest.approx(650)   # efficiency: the values add up to v(all)
    assert sym["deals"].sum() == pytest.approx(7)


def test_shapley_refuses_too_many_channels():
    many = " > ".join(f"c{i}" for i in range(17))
    with pytest.raises(ValueError):
        shapley(paths((many, True, 1, 1.0)))


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


def read(db, sql: str, params: dict | None = None) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params).df()
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
    expected = attr.credit_by(credit[credit["status"] != "lost"], by=[*GRAIN[1:-2], "status"])
    expected = expected.drop(columns="won_deals")
    got = read(db, "select * from attribution_credit")
    a, b = comparable(got), comparable(expected)
    assert a[GRAIN].equals(b[GRAIN])
    for m in MEASURES:
        assert a[m].to_numpy() == pytest.approx(b[m].to_numpy(), rel=1e-9, abs=1e-6), m


def warehouse_of(touches, deals, leads, params: dict | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse holding just these rows, with the derived attribution tables built (with
    `params` as the agreed attribution settings when given)."""
    from etl.build import _config_tables, run_steps
    from etl.sqlfiles import run, run_file
    from etl.steps import STEPS
    con = duckdb.connect()
    run_file(con, "warehouse/schema.sql")
    tables = {"touchpoints": touches, "deals": deals.assign(source_system="crm"),
              "leads": leads.assign(source_system="crm", channel="seo", status="new"), **_config_tables()}
    if params is not None:
        tables["cfg_attribution"] = pd.DataFrame([(k, str(v)) for k, v in params.items()], columns=["key", "value"])
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
    expected = attr.credit_by(credit[credit["status"] != "lost"], by=[*GRAIN[1:-2], "status"])
    a, b = comparable(got), comparable(expected.drop(columns="won_deals"))
    assert a[GRAIN].equals(b[GRAIN])
    for m in MEASURES:
        assert a[m].to_numpy() == pytest.approx(b[m].to_numpy(), rel=1e-9, abs=1e-6), m
    assert attr.UNATTRIBUTED in set(got["channel"])
    paths = con.execute("select path, converted, currency, sum(deals) as deals from attribution_paths "
                        "group by all order by all").fetchall()
    ref = attr.paths_of(touches, deals).sort_values(["path", "converted", "currency"])
    assert paths == [(p, c, cur, n)
                     for p, c, cur, n in ref[["path", "converted", "currency", "deals"]].itertuples(index=False)]


def test_one_touch_and_multi_touch_journeys_add_up_on_the_same_rows():
    # the step aggregates one-touch journeys apart from the others and joins them per model: one-touch
    # deals, a fallback deal and a three-touch deal, on shared rows and on rows of their own
    touches = touches_frame(("a", "2025-01-02", "seo", None), ("b", "2025-01-03", "seo", None),
                            ("b", "2025-01-04", "direct", None), ("b", "2025-01-05", "email", "jan_news"),
                            ("d", "2025-01-06", "vk_ads", "spb_retarget"))
    deals = deals_frame({"deal_id": "a", "created_at": TS("2025-01-10")},
                        {"deal_id": "d", "created_at": TS("2025-01-10"), "amount": 700.0},
                        {"deal_id": "b", "created_at": TS("2025-01-10"), "amount": 3000.0},
                        {"deal_id": "c", "created_at": TS("2025-01-10"), "channel": "email",
                         "utm_campaign": "jan_news", "amount": 500.0})
    leads = pd.DataFrame({"lead_id": ["L0"], "created_at": [TS("2025-01-01")]})
    sql = ("select model, channel, coalesce(campaign, '') as campaign, sum(revenue_base) as revenue, "
           "sum(won_deals) as won_deals from attribution_campaign_day group by all order by all")
    got = warehouse_of(touches, deals, leads).execute(sql).df()
    expected = attr.credit_by(attr.touch_credit(touches, deals, leads), by=["channel", "campaign"])
    expected = expected.assign(campaign=expected["campaign"].fillna("")).sort_values(["model", "channel", "campaign"])
    assert got[["model", "channel", "campaign"]].values.tolist() == \
        expected[["model", "channel", "campaign"]].values.tolist()
    for m in ("revenue", "won_deals"):
        assert got[m].to_numpy() == pytest.approx(expected[m].to_numpy(float)), m
    seo = got[got["channel"] == "seo"].set_index("model")["revenue"]
    assert seo[["first_touch", "last_touch", "linear"]].tolist() == pytest.approx([4000, 1000, 2000])
    # a missing parameter leaves its model out (its weights are null), one-touch journeys included
    params = {k: v for k, v in attr.settings().items() if k != "time_decay_half_life_days"}
    missing = warehouse_of(touches, deals, leads, params).execute(sql).df()
    assert "time_decay" not in set(missing["model"])
    kept = got[got["model"] != "time_decay"].reset_index(drop=True)
    assert missing[["model", "channel", "campaign"]].equals(kept[["model", "channel", "campaign"]])
    assert missing["revenue"].to_numpy() == pytest.approx(kept["revenue"].to_numpy())


TRANSITION_KEY = ["from_state", "to_state", "currency"]


def model_inputs(con, month_from: str = "1900-01-01") -> tuple[pd.DataFrame, pd.DataFrame]:
    """attribution_transitions and attribution_channel_sets summed over months, per currency."""
    transitions = con.execute("select from_state, to_state, currency, sum(transitions) as transitions, "
                              "sum(value) as value from attribution_transitions where month >= $m group by all "
                              "order by all", {"m": month_from}).df()
    sets = con.execute("select channels, currency, sum(deals) as deals, sum(value) as value "
                       "from attribution_channel_sets where month >= $m group by all", {"m": month_from}).df()
    return transitions, sets


def assert_same_fit(transitions: pd.DataFrame, sets: pd.DataFrame, paths: pd.DataFrame) -> None:
    """Markov and Shapley fitted on the aggregates give the fit on the whole paths, channel by channel."""
    for got, expected in ((attr.markov_credit(transitions), markov(paths)),
                          (attr.shapley_credit(sets), shapley(paths))):
        key = ["channel", "currency"]
        a, b = (f.sort_values(key, ignore_index=True) for f in (got, expected))
        assert a[key].astype(str).equals(b[key].astype(str))
        for m in ("deals", "revenue", *(["removal_effect"] if "removal_effect" in a else [])):
            assert a[m].to_numpy(float) == pytest.approx(b[m].to_numpy(float), rel=1e-9, abs=1e-9), m


def test_transitions_and_channel_sets_by_hand():
    got = attr.transitions_of(paths(("a > b > a", True, 2, 10.0), ("b", False, 3, 0.0)))
    rows = {(f, t): (n, v) for f, t, _, n, v in got.itertuples(index=False)}
    assert rows == {(attr.START, "a"): (2, 0.0), ("a", "b"): (2, 0.0), ("b", "a"): (2, 0.0),
                    ("a", attr.CONVERSION): (2, 10.0), (attr.START, "b"): (3, 0.0), ("b", attr.NULL): (3, 0.0)}
    sets = attr.channel_sets_of(paths(("a > b > a", True, 2, 10.0), ("b > a", True, 1, 5.0), ("b", False, 3, 0.0)))
    assert sets[["channels", "deals", "value"]].values.tolist() == [[("a", "b"), 3, 15.0]]


@pytest.mark.parametrize("seed, cap, lookback", [(1, 8, 90), (2, 3, 90), (3, 2, 20)])
def test_model_inputs_equal_the_reference_within_the_step_cap_and_window(seed, cap, lookback):
    # the warehouse's transitions and channel sets are those of the reference's whole paths, built with
    # the agreed max_path_steps and lookback_days; so are the Markov and Shapley fits on them
    touches, deals, leads = random_case(seed)
    p = {**attr.settings(), "max_path_steps": cap, "lookback_days": lookback}
    paths = attr.paths_of(touches, deals, p)
    if cap < 8:     # the cap binds: some path is cut to it (and none is longer)
        assert paths["path"].str.split(" > ").map(len).max() == cap
    if lookback < 90:   # the window binds: a longer one gives other paths
        assert not attr.paths_of(touches, deals, {**p, "lookback_days": 90})[["path", "deals"]].equals(
            paths[["path", "deals"]])
    transitions, sets = model_inputs(warehouse_of(touches, deals, leads, params=p))
    expected = attr.transitions_of(paths)
    assert transitions[TRANSITION_KEY].values.tolist() == expected[TRANSITION_KEY].values.tolist()
    assert transitions["transitions"].tolist() == expected["transitions"].tolist()
    assert transitions["value"].to_numpy() == pytest.approx(expected["value"].to_numpy())
    expected_sets = attr.channel_sets_of(paths)
    assert sorted((tuple(c), cur, n) for c, cur, n in sets[["channels", "currency", "deals"]].itertuples(index=False)) \
        == sorted(expected_sets[["channels", "currency", "deals"]].itertuples(index=False, name=None))
    assert_same_fit(transitions, sets, paths)


@pytest.mark.parametrize("which", ["fixture", "demo"])
def test_models_from_the_page_queries_equal_the_fit_on_whole_paths(which, warehouse, small_demo):
    # what the Contribution page reads (base currency, the period's months) fits the models exactly as
    # the whole, unfolded paths of the same months do, at no more rows than the models need
    db = warehouse if which == "fixture" else small_demo
    months = read(db, "select distinct month from attribution_paths order by 1")["month"]
    month = months.iloc[len(months) // 2]     # from the middle of a month: its whole month counts
    f = {**ALL_TIME, "date_from": pd.Timestamp(month).date() + dt.timedelta(days=10)}
    transitions = app_query(db, "attribution_transitions", **f)
    sets = app_query(db, "attribution_channel_sets", **f)
    paths = read(db, "select path, converted, (select base_currency from cfg_agreement) as currency, "
                     "sum(deals) as deals, sum(value_base) as value from attribution_paths "
                     "where month >= $month group by all", {"month": pd.Timestamp(month).date()})
    assert paths["deals"].sum() > 0
    assert_same_fit(transitions, sets, paths)
    channels = len(set(transitions["from_state"]) - {attr.START})
    assert len(transitions) <= (channels + 2) ** 2 and len(sets) <= 2 ** channels


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
# What the Contribution page reads: queries/app/attribution_*.sql and the table functions

ALL_TIME = {"date_from": dt.date(2000, 1, 1), "date_to": dt.date(2100, 12, 31), "regions": [], "products": []}


def app_query(db, name: str, **params) -> pd.DataFrame:
    from etl.paths import QUERIES_DIR
    from model.runner import used
    sql = (QUERIES_DIR / "app" / f"{name}.sql").read_text(encoding="utf-8")
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, used(sql, params) or None).df()
    finally:
        con.close()


# Won revenue in the base currency straight from the deals, converted as data/fx_rates.csv says: no
# mart, no attribution table, so it checks both.
WON_BASE = """
    select coalesce(sum(d.amount * case when d.currency = a.base_currency then 1 else fx.rate end), 0)::double,
           count(*)
    from deals d
    cross join cfg_agreement a
    asof left join cfg_fx fx on fx.currency = d.currency and d.closed_at::date >= fx.valid_from
    where d.status = 'won' and d.closed_at::date between $date_from and $date_to
      and (len($regions) = 0 or list_contains($regions, coalesce(d.region, '(none)')))
      and (len($products) = 0 or list_contains($products, coalesce(d.product, '(none)')))"""


def won_base(db, f: dict) -> tuple[float, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(WON_BASE, f).fetchall()[0]
    finally:
        con.close()


def filter_sets(db, n: int, seed: int) -> list[dict]:
    """n seeded filter sets over the warehouse's dates: periods that start and end inside months (some
    a day long, some across a year end), region subsets and product subsets (empty: all)."""
    rng = np.random.default_rng(seed)
    first, last = read(db, "select min(closed_at)::date, max(closed_at)::date from deals").iloc[0]
    regions = read(db, "select distinct coalesce(region, '(none)') as r from deals order by 1")["r"].tolist()
    products = read(db, "select distinct coalesce(product, '(none)') as p from deals order by 1")["p"].tolist()
    days = (last - first).days
    out = []
    for _ in range(n):
        start = first + dt.timedelta(days=int(rng.integers(0, days)))
        length = int(rng.choice([0, int(rng.integers(1, 40)), int(rng.integers(40, 400))]))
        pick_regions = [] if rng.random() < 0.3 else sorted(rng.choice(regions, int(rng.integers(1, 4)),
                                                                        replace=False).tolist())
        pick_products = [] if rng.random() < 0.6 else sorted(rng.choice(products, int(rng.integers(1, 3)),
                                                                          replace=False).tolist())
        out.append({"date_from": start, "date_to": start + dt.timedelta(days=length),
                    "regions": pick_regions, "products": pick_products})
    return out


@pytest.mark.parametrize("model", attr.RULE_MODELS)
def test_page_queries_credit_all_won_revenue_in_base(small_demo, model):
    by_channel = app_query(small_demo, "attribution_by_channel", model=model, **ALL_TIME)
    by_campaign = app_query(small_demo, "attribution_by_campaign", model=model, **ALL_TIME)
    revenue, won = won_base(small_demo, ALL_TIME)
    for got in (by_channel, by_campaign):
        assert got["revenue"].sum() == pytest.approx(revenue)
        assert got["won_deals"].sum() == pytest.approx(won)
        assert set(got["currency"]) == {"RUB"}       # the base currency, every currency converted
    spend = read(small_demo, """select sum(s.cost * case when s.currency = a.base_currency then 1 else fx.rate end)
                                from ad_spend s cross join cfg_agreement a
                                asof left join cfg_fx fx on fx.currency = s.currency and s.date >= fx.valid_from""")
    assert by_channel["spend"].sum() == pytest.approx(float(spend.iloc[0, 0]))
    assert by_campaign["spend"].sum() == pytest.approx(float(spend.iloc[0, 0]))


@pytest.mark.parametrize("seed", range(6))
def test_attributed_revenue_equals_the_periods_revenue_for_random_filters(small_demo, seed):
    """Periods that cut months, region and product subsets: every rule model's credit, the campaign
    table, kpi_deals (the Overview's card), metrics_region (the Regions table) and the deals themselves
    give one revenue."""
    for f in filter_sets(small_demo, 10, seed):
        revenue, won = won_base(small_demo, f)
        channel = app_query(small_demo, "attribution_by_channel", model="position_based", **f)
        campaign = app_query(small_demo, "attribution_by_campaign", model="position_based", **f)
        kpi = app_query(small_demo, "kpi_deals", **f)
        regions = app_query(small_demo, "metrics_region", **f)
        regions = regions[~regions.is_total]
        unattributed = app_query(small_demo, "attribution_unattributed", model="linear", **f)
        for m in attr.RULE_MODELS:
            assert channel[m].sum() == pytest.approx(revenue, abs=0.05), (f, m)
        assert channel["revenue"].sum() == pytest.approx(revenue, abs=0.05), f
        assert channel["won_deals"].sum() == pytest.approx(won), f
        assert campaign["revenue"].sum() == pytest.approx(revenue, abs=0.05), f
        assert float(kpi["revenue_base"].sum()) == pytest.approx(revenue, abs=0.05), f
        assert float(regions["revenue"].sum()) == pytest.approx(revenue, abs=0.05), f
        assert float(regions["deals_won"].sum()) == won, f
        assert unattributed["revenue"].iloc[0] == pytest.approx(revenue, abs=0.05), f
        # a channel's campaigns add up to its row: credit, spend and leads
        per_channel = campaign.groupby("channel")[["revenue", "won_deals", "spend", "leads"]].sum()
        rows = channel.set_index("channel")[["revenue", "won_deals", "spend", "leads"]]
        joined = rows.join(per_channel, suffixes=("", "_campaigns"), how="outer").fillna(0)
        for c in ("revenue", "won_deals", "spend", "leads"):
            assert joined[c].to_numpy() == pytest.approx(joined[c + "_campaigns"].to_numpy(), abs=0.05), (f, c)


PER_MODEL = """
    select {key}, sum(revenue_base) as revenue, sum(pipeline_base) as pipeline, sum(won_deals) as won_deals,
           sum(open_deals) as open_deals{extra}
    from {table}
    where model = $model and day between $date_from and $date_to
        and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
        and (len($products::varchar[]) = 0 or list_contains($products::varchar[], product))
    group by all"""


@pytest.mark.parametrize("seed", range(2))
def test_page_queries_read_every_models_credit_as_the_per_model_tables_state_it(small_demo, seed):
    """The credit is stored compact: a model's own rows plus the rows every rule model shares (model '*',
    the one-touch journeys). Channel by channel and campaign by campaign, under every model, the page
    queries that read it give what the per-model views (one row per model and key) state, and so does
    each model's column of the side-by-side table."""
    kinds = read(small_demo, "select model = '*' as shared, count(*) as n from attribution_campaign_day_compact "
                             "group by all").set_index("shared")["n"]
    assert kinds.get(True, 0) > 0 and kinds.get(False, 0) > 0      # both kinds of journeys are in the demo
    channel_sql = PER_MODEL.format(key="channel", table="attribution_channel_day",
                                   extra=", sum(sourced_base) as sourced_revenue, sum(influenced_base) as "
                                         "influenced_revenue")
    campaign_sql = PER_MODEL.format(key="channel, campaign", table="attribution_campaign_day", extra="")
    for name in ("attribution_by_channel", "attribution_by_campaign", "attribution_unattributed"):
        # a model that is not a rule model has no credit here (not even the shared rows)
        assert app_query(small_demo, name, model="markov", **ALL_TIME)["revenue"].sum() == 0, name
    for f in [*filter_sets(small_demo, 4, seed), ALL_TIME]:
        for model in attr.RULE_MODELS:
            channel = app_query(small_demo, "attribution_by_channel", model=model, **f).set_index("channel")
            want = read(small_demo, channel_sql, {**f, "model": model}).set_index("channel")
            got = channel.loc[channel[want.columns].ne(0).any(axis=1) | channel.index.isin(want.index), want.columns]
            pd.testing.assert_frame_equal(got.sort_index(), want.reindex(got.index).fillna(0).sort_index(),
                                          check_dtype=False, rtol=1e-9, atol=1e-6)
            credited = channel[model].dropna()     # each model's side-by-side column
            assert credited.to_numpy() == pytest.approx(want["revenue"].reindex(credited.index).fillna(0).to_numpy(),
                                                        abs=1e-6), (f, model)
            campaign = app_query(small_demo, "attribution_by_campaign", model=model, **f)
            want = read(small_demo, campaign_sql, {**f, "model": model})
            keys = ["channel", "campaign"]
            got = campaign.fillna({"campaign": "(none)"}).groupby(keys)[want.columns.drop(keys)].sum()
            want = want.fillna({"campaign": "(none)"}).set_index(keys)
            joined = got.join(want, how="outer", suffixes=("", "_want")).fillna(0)
            for c in want.columns:
                assert joined[c].to_numpy() == pytest.approx(joined[c + "_want"].to_numpy(), abs=1e-6), (f, model, c)


def test_campaign_none_rows_count_the_channels_leads_without_a_campaign(small_demo):
    f = {"date_from": dt.date(2026, 2, 15), "date_to": dt.date(2026, 5, 10), "regions": ["Москва", "Казань"],
         "products": []}
    got = app_query(small_demo, "attribution_by_campaign", model="linear", **f)
    none = got[got["campaign"].isna()].set_index("channel")["leads"]
    expected = read(small_demo, """select channel, count(*) as n from leads where utm_campaign is null
                                   and created_at::date between '2026-02-15' and '2026-05-10'
                                   and region in ('Москва', 'Казань') group by all""").set_index("channel")["n"]
    # leads of no known channel are the page's one row for a missing channel (6655aeb)
    expected = expected.rename(index={"unknown": "unattributed"})
    assert expected.sum() > 0
    assert none.reindex(expected.index).tolist() == expected.tolist()


def test_page_query_region_filter(small_demo):
    everywhere = app_query(small_demo, "attribution_by_channel", model="linear", **ALL_TIME)
    moscow = app_query(small_demo, "attribution_by_channel", model="linear", **{**ALL_TIME, "regions": ["Москва"]})
    revenue, _ = won_base(small_demo, {**ALL_TIME, "regions": ["Москва"]})
    assert moscow["revenue"].sum() == pytest.approx(revenue)
    assert moscow["revenue"].sum() < everywhere["revenue"].sum()


def test_models_side_by_side_every_model_credits_the_same_total(small_demo):
    f = {"date_from": dt.date(2025, 11, 12), "date_to": dt.date(2026, 2, 20), "regions": ["Москва", "Казань"],
         "products": []}
    rules = app_query(small_demo, "attribution_by_channel", model="linear", **f)
    fitted = attr.fit_data_driven(app_query(small_demo, "attribution_transitions", **f),
                                  app_query(small_demo, "attribution_channel_sets", **f))
    side = attr.models_side_by_side(rules, fitted)
    revenue, _ = won_base(small_demo, f)
    totals = side[list(attr.MODELS)].sum()
    assert totals.to_numpy() == pytest.approx([revenue] * len(attr.MODELS))   # Markov and Shapley too
    # a channel no selected deal touched gets nothing from the data-driven models either
    untouched = side[list(attr.RULE_MODELS)].max(axis=1) == 0
    assert (side.loc[untouched, list(attr.DATA_DRIVEN_MODELS)] == 0).all().all()


def test_data_driven_models_split_the_rule_models_total_by_their_weights():
    rules = pd.DataFrame({"channel": ["seo", "vk_ads", "email", attr.UNATTRIBUTED], "currency": "RUB",
                          **{m: [60.0, 40.0, 0.0, 5.0] for m in attr.RULE_MODELS}})
    rules["linear"] = [50.0, 50.0, 0.0, 5.0]      # every rule model credits the same total (105)
    fitted = pd.DataFrame({"channel": ["seo", "vk_ads", "email"], "currency": "RUB", "revenue": [1.0, 3.0, 10.0]})
    got = attr.split_like_rules(rules, fitted, "revenue")
    # email touched no selected deal: its weight counts for nothing; unattributed keeps its 5 in every model
    assert got.tolist() == pytest.approx([25.0, 75.0, 0.0, 5.0])
    nothing = attr.split_like_rules(rules, fitted.assign(revenue=0.0), "revenue")
    assert nothing.iloc[:3].isna().all() and nothing.iloc[3] == 5.0


def test_under_a_data_driven_model_the_channel_table_splits_revenue_and_deals(small_demo):
    rules = app_query(small_demo, "attribution_by_channel", model="linear", **ALL_TIME)
    fitted = attr.fit_data_driven(app_query(small_demo, "attribution_transitions", **ALL_TIME),
                                  app_query(small_demo, "attribution_channel_sets", **ALL_TIME))
    for model in attr.DATA_DRIVEN_MODELS:
        got = attr.under_model(rules, fitted, model)
        assert got["revenue"].sum() == pytest.approx(rules["revenue"].sum())
        assert got["won_deals"].sum() == pytest.approx(rules["won_deals"].sum())
        assert got["pipeline"].isna().all()       # open deals have no outcome to learn from
        assert not got["revenue"].equals(rules["revenue"])
    assert attr.under_model(rules, fitted, "linear").equals(rules)


@pytest.mark.parametrize("lang, expected", [
    ("ru", "«Позиционная» — первое касание 40%, последнее 40%, середина 20%; касания за 90 дн."),
    ("en", "Position-based — first touch 40%, last 40%, middle 20%; touches from 90 days"),
])
def test_agreed_model_reads_agreements_and_ui_words_it(lang, expected):
    from ui.attribution import describe, model_name
    agreed = attr.agreed_model()
    assert agreed["name"] == "position_based"
    assert agreed["params"]["first_weight"] == 0.4
    assert describe(agreed, lang).startswith(expected)
    assert len({model_name(m, lang) for m in attr.MODELS}) == len(attr.MODELS)   # a name each, none shared


def test_analysis_holds_no_ui_text():
    import inspect
    source = inspect.getsource(attr)
    assert not any("\u0400" <= ch <= "\u04ff" for ch in source), "Cyrillic text in analysis/attribution.py"
    assert not hasattr(attr, "MODEL_NAMES")
