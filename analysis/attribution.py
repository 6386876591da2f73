"""Attribution models: which channel and campaign get credit for a deal, on small DataFrames.

This is the reference implementation. queries/warehouse/steps/attribution_*.sql compute the same
rule-based models at build time (tests prove the two agree); pages read that aggregate and use the
functions at the end of this module to turn small query results into tables.

Definitions both implementations follow (the page's "how we count" text can quote them):
- A deal's journey is its touchpoints (by deal_id, or by its lead_id for touches recorded before
  the deal existed) from `lookback_days` before the deal was created up to its close; touches after
  the close (the win) or before the window are ignored. Touches are ordered by time, then channel,
  then campaign, so ties are broken the same way everywhere.
- A deal with no touch in its window gets one synthetic touch at its creation from its own channel
  and utm_campaign. A deal with neither (channel empty or 'unknown', no campaign) is credited to the
  channel 'unattributed': kept and shown, never dropped.
- Every model gives each deal weights that sum to 1 (raw weights are normalised per deal), so the
  credits of any model sum to the attributed total.
- position_based: first and last touch get first_weight / last_weight, the middle ones share
  middle_weight; with two touches first:last (50/50 for 40/40), with one touch 100%.
- time_decay: weight 2^(-(t_last - t) / half_life), t_last the journey's last touch.
- w_shaped: the first touch, the lead-creation touch (last touch at or before the lead was
  created) and the deal-creation touch (last touch at or before the deal was created) get 30%
  each; the other touches share 10%. A touch that is two milestones gets both shares; a missing
  milestone (no lead, no touch before the event) and an empty "other" group give nothing, and the
  rest is rescaled to 100%. So one touch gets 100%; two touches where the first created the lead and
  the second the deal get 2/3 and 1/3.
- Money stays in its currency: every total is per currency, RUB and USD are never added.
- sourced: the journey's first touch is a marketing channel (owner 'marketing' in channels.csv);
  influenced: any touch is. sourced_revenue / influenced_revenue are the row's revenue credit from
  such deals, so they add up across channels to the marketing-sourced / -influenced revenue.
- Markov and Shapley run on channel paths (distinct consecutive channels, at most max_path_steps:
  the first step and the last max_path_steps - 1, so the originating channel is kept), read as the
  counts each needs: Markov the transitions between consecutive states, Shapley the won deals per
  channel set (transitions_of, channel_sets_of). On the page their channel weights split the same
  revenue the rule models split (models_side_by_side).
"""
from __future__ import annotations

from itertools import pairwise
from math import factorial

import numpy as np
import pandas as pd

RULE_MODELS = ("first_touch", "last_touch", "linear", "time_decay", "position_based", "w_shaped")
DATA_DRIVEN_MODELS = ("markov", "shapley")
UNATTRIBUTED = "unattributed"
NO_CHANNEL = ("", "unknown")
ORDER = ["deal_id", "touch_at", "channel", "campaign"]

MODELS = RULE_MODELS + DATA_DRIVEN_MODELS
# the Markov chain's states besides the channels (attribution_transitions uses the same names)
START, CONVERSION, NULL = "(start)", "(conversion)", "(null)"


def settings() -> dict:
    """Model parameters both departments signed off (data/agreements.toml over the defaults)."""
    from etl.config import attribution_settings
    return attribution_settings()


def agreed_model(params: dict | None = None) -> dict:
    """The agreed model: its name and parameters (ui/attribution.py words them for a reader)."""
    p = params or settings()
    return {"name": p["model"], "params": {k: v for k, v in p.items() if k != "model"}}


# ---------------------------------------------------------------------------------------------
# Journeys: which touches count for which deal


def journeys_of(touches: pd.DataFrame, deals: pd.DataFrame, lookback_days: float) -> pd.DataFrame:
    """Each deal's touches in its window, a synthetic or 'unattributed' touch where none; ordered.

    touches: touch_at, deal_id, lead_id (optional), channel, campaign. deals: deal_id, created_at,
    closed_at, channel, utm_campaign, lead_id. Returns deal_id, touch_at, channel, campaign, k, n.
    """
    t = touches.copy()
    if "lead_id" not in t:
        t["lead_id"] = None
    by_deal = t[t["deal_id"].notna()][["deal_id", "touch_at", "channel", "campaign"]]
    # touches a CRM recorded on the lead before there was a deal
    by_lead = (t[t["deal_id"].isna() & t["lead_id"].notna()].drop(columns="deal_id")
               .merge(deals[["deal_id", "lead_id"]].dropna(), on="lead_id"))
    linked = pd.concat([by_deal, by_lead[by_deal.columns]], ignore_index=True)
    d = deals[["deal_id", "created_at", "closed_at"]]
    linked = linked.merge(d, on="deal_id")
    start = linked["created_at"] - pd.Timedelta(days=float(lookback_days))
    keep = (linked["touch_at"] >= start) & (linked["closed_at"].isna() | (linked["touch_at"] <= linked["closed_at"]))
    linked = linked[keep][["deal_id", "touch_at", "channel", "campaign"]]
    bare = deals[~deals["deal_id"].isin(linked["deal_id"])]
    linked = pd.concat([linked, _fallback_touches(bare)], ignore_index=True)
    linked = linked.sort_values(ORDER, na_position="first", kind="mergesort").reset_index(drop=True)
    linked["k"] = linked.groupby("deal_id").cumcount() + 1
    linked["n"] = linked.groupby("deal_id")["k"].transform("max")
    return linked


def _fallback_touches(deals: pd.DataFrame) -> pd.DataFrame:
    """One touch at creation from the deal's own channel/campaign, or 'unattributed' without both."""
    channel = deals["channel"].fillna("").str.strip()
    campaign = deals["utm_campaign"].where(deals["utm_campaign"].fillna("").str.strip() != "")
    nothing = channel.isin(NO_CHANNEL) & campaign.isna()
    return pd.DataFrame({
        "deal_id": deals["deal_id"], "touch_at": deals["created_at"],
        "channel": np.where(nothing, UNATTRIBUTED, channel.where(channel != "", "unknown")),
        "campaign": campaign,
    })


# ---------------------------------------------------------------------------------------------
# Rule-based weights: one column per model, each summing to 1 per deal


def rule_weights(j: pd.DataFrame, deals: pd.DataFrame, leads: pd.DataFrame | None, p: dict) -> pd.DataFrame:
    """journeys_of(...) plus one weight column per rule model."""
    j = j.copy()
    first, last, n = j["k"] == 1, j["k"] == j["n"], j["n"]
    j["first_touch"] = first.astype(float)
    j["last_touch"] = last.astype(float)
    j["linear"] = 1.0 / n
    t_last = j.groupby("deal_id")["touch_at"].transform("max")
    age_days = (t_last - j["touch_at"]).dt.total_seconds() / 86400.0
    j["time_decay"] = np.power(0.5, age_days / float(p["time_decay_half_life_days"]))
    middle = ~first & ~last
    j["position_based"] = (float(p["first_weight"]) * first + float(p["last_weight"]) * last
                           + float(p["middle_weight"]) * middle / (n - 2).clip(lower=1))
    j["w_shaped"] = _w_shaped_raw(j, deals, leads, p)
    for model in ("time_decay", "position_based", "w_shaped"):
        j[model] = j[model] / j.groupby("deal_id")[model].transform("sum")
    return j


def _w_shaped_raw(j: pd.DataFrame, deals: pd.DataFrame, leads: pd.DataFrame | None, p: dict) -> pd.Series:
    """Raw W-shaped weights (milestones 30% each, others share 10%), before per-deal rescaling."""
    events = deals[["deal_id", "created_at", "lead_id"]].rename(columns={"created_at": "deal_at"})
    if leads is not None and len(leads):
        lead_at = leads.groupby("lead_id")["created_at"].min().rename("lead_at")
        events = events.merge(lead_at, left_on="lead_id", right_index=True, how="left")
    else:
        events["lead_at"] = pd.NaT
    e = j[["deal_id", "touch_at", "k"]].merge(events, on="deal_id", how="left")
    e.index = j.index
    k_lead = e["k"].where(e["touch_at"] <= e["lead_at"]).groupby(e["deal_id"]).transform("max")
    k_deal = e["k"].where(e["touch_at"] <= e["deal_at"]).groupby(e["deal_id"]).transform("max")
    is_lead, is_deal, is_first = j["k"] == k_lead, j["k"] == k_deal, j["k"] == 1
    other = ~(is_lead | is_deal | is_first)
    others = other.groupby(j["deal_id"]).transform("sum")
    return (float(p["w_first_weight"]) * is_first + float(p["w_lead_weight"]) * is_lead
            + float(p["w_deal_weight"]) * is_deal + float(p["w_other_weight"]) * other / others.clip(lower=1))


def touch_credit(touches, deals, leads=None, owners: dict | None = None, params: dict | None = None) -> pd.DataFrame:
    """One row per deal x touch x rule model: the touch's weight and the deal's money and dims.

    Columns: model, deal_id, channel, campaign, weight, status, currency, region, product, month,
    amount, sourced, influenced. Sum of weight per deal and model is 1.
    """
    p = params or settings()
    owners = owners if owners is not None else channel_owners()
    j = rule_weights(journeys_of(touches, deals, p["lookback_days"]), deals, leads, p)
    marketing = j["channel"].map(owners).eq("marketing")
    j["sourced"] = marketing.where(j["k"] == 1, False).groupby(j["deal_id"]).transform("max").astype(bool)
    j["influenced"] = marketing.groupby(j["deal_id"]).transform("max").astype(bool)
    dims = deals[["deal_id", "status", "currency", "region", "product", "amount", "created_at", "closed_at"]].copy()
    won_at = dims["closed_at"].where(dims["status"] == "won", dims["created_at"])
    dims["month"] = won_at.dt.to_period("M").dt.to_timestamp()
    long = j.melt(id_vars=["deal_id", "channel", "campaign", "sourced", "influenced"],
                  value_vars=list(RULE_MODELS), var_name="model", value_name="weight")
    return long.merge(dims.drop(columns=["created_at", "closed_at"]), on="deal_id")


def channel_owners() -> dict:
    """channel -> owner from data/channels.csv."""
    from etl.config import channels
    return {r["channel"]: r["owner"] for r in channels()}


def credit_by(credit: pd.DataFrame, by=("channel",)) -> pd.DataFrame:
    """Credits summed per model x `by` x currency: revenue (won), pipeline (open), deals, won_deals,
    sourced_revenue and influenced_revenue. Money is never added across currencies."""
    c = credit.assign(amount=credit["amount"].astype(float).fillna(0.0))
    won, open_ = c["status"].eq("won"), c["status"].eq("open")
    w = c["weight"]
    c = c.assign(revenue=w * c["amount"] * won, pipeline=w * c["amount"] * open_, deals=w, won_deals=w * won,
                 sourced_revenue=w * c["amount"] * won * c["sourced"],
                 influenced_revenue=w * c["amount"] * won * c["influenced"])
    keys = ["model", *by, "currency"]
    cols = ["revenue", "pipeline", "deals", "won_deals", "sourced_revenue", "influenced_revenue"]
    return c.groupby(keys, dropna=False, as_index=False)[cols].sum()


# ---------------------------------------------------------------------------------------------
# Data-driven models on channel paths (attribution_paths), fitted from the counts each needs
# (attribution_transitions, attribution_channel_sets: queries/warehouse/steps/attribution_model_inputs.sql)


def paths_of(touches, deals, params: dict | None = None) -> pd.DataFrame:
    """Closed deals' channel paths: path, converted (won), currency, deals, value (won amount).

    Open deals have no outcome yet and unattributed deals no channel: neither is a path.
    """
    p = params or settings()
    j = journeys_of(touches, deals, p["lookback_days"])
    j = j[j["channel"] != UNATTRIBUTED]
    steps = j[j["channel"] != j.groupby("deal_id")["channel"].shift()]
    steps = steps.assign(step=steps.groupby("deal_id").cumcount() + 1)
    steps = steps.assign(steps=steps.groupby("deal_id")["step"].transform("max"))
    cap = int(p["max_path_steps"])
    steps = steps[(steps["step"] == 1) | (steps["step"] > steps["steps"] - (cap - 1))]
    path = steps.groupby("deal_id")["channel"].agg(" > ".join).rename("path")
    closed = deals[deals["status"].isin(["won", "lost"])].merge(path, left_on="deal_id", right_index=True)
    closed = closed.assign(converted=closed["status"].eq("won"),
                           value=closed["amount"].astype(float).fillna(0.0).where(closed["status"].eq("won"), 0.0))
    return (closed.groupby(["path", "converted", "currency"], dropna=False, as_index=False)
            .agg(deals=("deal_id", "size"), value=("value", "sum")))


def _steps(path: str) -> list[str]:
    return path.split(" > ")


def transitions_of(paths: pd.DataFrame) -> pd.DataFrame:
    """What a first-order Markov chain learns from paths: from_state, to_state, currency, transitions
    (the steps the paths' deals take, weighted by deals) and value (the won value of the deals whose path
    ends on the transition: non-zero only into conversion). States are START, each channel, CONVERSION
    and NULL. The warehouse's attribution_transitions holds the same per month."""
    rows = []
    for path, converted, currency, n, value in zip(paths["path"], paths["converted"], paths["currency"],
                                                   paths["deals"], paths["value"], strict=True):
        states = [START, *_steps(path), CONVERSION if converted else NULL]
        rows += [(a, b, currency, n, value if b == CONVERSION else 0.0) for a, b in pairwise(states)]
    frame = pd.DataFrame(rows, columns=["from_state", "to_state", "currency", "transitions", "value"])
    return frame.groupby(["from_state", "to_state", "currency"], dropna=False, as_index=False, sort=True).sum()


def channel_sets_of(paths: pd.DataFrame) -> pd.DataFrame:
    """What Shapley's coalition worth needs from paths: channels (a won path's distinct channels, sorted,
    as a tuple), currency, deals and value of the won deals. The warehouse's attribution_channel_sets
    holds the same per month."""
    won = paths[paths["converted"]]
    won = won.assign(channels=won["path"].map(lambda p: tuple(sorted(set(_steps(p))))))
    return won.groupby(["channels", "currency"], dropna=False, as_index=False, sort=True)[["deals", "value"]].sum()


def markov_credit(transitions: pd.DataFrame) -> pd.DataFrame:
    """First-order Markov removal effect per currency: channel, currency, removal_effect, deals, revenue.

    `transitions`: transitions_of(paths) or the attribution_transitions query. States are start, each
    channel, conversion and null; transition probabilities are the counts' shares of their from_state's.
    A channel's removal effect is the share of conversion probability lost when its visits go to null;
    credits split the currency's converted deals and value in proportion to the removal effects.
    """
    out = [_markov_one(group).assign(currency=cur)
           for cur, group in transitions.groupby(transitions["currency"].fillna(""), sort=True)]
    cols = ["channel", "currency", "removal_effect", "deals", "revenue"]
    frame = pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=cols)
    frame["currency"] = frame["currency"].replace("", None)
    return frame[cols]


def _markov_one(t: pd.DataFrame) -> pd.DataFrame:
    channels = sorted((set(t["from_state"]) | set(t["to_state"])) - {START, CONVERSION, NULL})
    size = len(channels) + 1
    # rows: start (0) and the channels; columns: the same, then conversion, null
    idx = {START: 0, **{c: i + 1 for i, c in enumerate(channels)}, CONVERSION: size, NULL: size + 1}
    counts = np.zeros((size, size + 2))
    np.add.at(counts, (t["from_state"].map(idx).to_numpy(int), t["to_state"].map(idx).to_numpy(int)),
              t["transitions"].to_numpy(float))
    rows = counts.sum(axis=1, keepdims=True)
    probs = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
    base = _conversion_probability(probs, removed=None)
    effects = np.array([1 - _conversion_probability(probs, removed=idx[c]) / base if base > 0 else 0.0
                        for c in channels])
    share = effects / effects.sum() if effects.sum() > 0 else effects
    won = t[t["to_state"] == CONVERSION]
    return pd.DataFrame({"channel": channels, "removal_effect": effects,
                         "deals": share * won["transitions"].astype(float).sum(),
                         "revenue": share * won["value"].astype(float).sum()})


def _conversion_probability(probs: np.ndarray, removed: int | None) -> float:
    """P(reach conversion from start) of the absorbing chain; a removed state's visits go to null."""
    size = probs.shape[0]
    q, r = probs[:, :size].copy(), probs[:, size].copy()
    if removed is not None:
        q[:, removed] = 0.0
        q[removed, :] = 0.0
        r[removed] = 0.0
    x = np.linalg.solve(np.eye(size) - q, r)
    return float(x[0])


def shapley_credit(sets: pd.DataFrame, max_channels: int = 16) -> pd.DataFrame:
    """Exact Shapley values per currency: channel, currency, deals, revenue.

    `sets`: channel_sets_of(paths) or the attribution_channel_sets query (channels, currency, deals,
    value of won deals). A coalition's worth v(S) is the won deals (and value) whose channels all lie
    in S. Every coalition is enumerated (2^n of them), so n is capped at `max_channels`.
    """
    out = []
    for cur, group in sets.groupby(sets["currency"].fillna(""), sort=True):
        members = [frozenset(c) for c in group["channels"]]
        channels = sorted(set().union(*members))
        if len(channels) > max_channels:
            raise ValueError(f"Shapley over {len(channels)} channels: at most {max_channels}")
        bit = {c: 1 << i for i, c in enumerate(channels)}
        masks = np.array([sum(bit[c] for c in s) for s in members], dtype=np.int64)
        deals = _shapley(masks, group["deals"].to_numpy(float), len(channels))
        value = _shapley(masks, group["value"].to_numpy(float), len(channels))
        out.append(pd.DataFrame({"channel": channels, "currency": cur or None, "deals": deals, "revenue": value}))
    cols = ["channel", "currency", "deals", "revenue"]
    return pd.concat(out, ignore_index=True)[cols] if out else pd.DataFrame(columns=cols)


def _shapley(masks: np.ndarray, worth: np.ndarray, n: int) -> np.ndarray:
    """phi_i = sum over S not holding i of |S|!(n-|S|-1)!/n! * (v(S+i) - v(S))."""
    v = np.zeros(1 << n)
    np.add.at(v, masks, worth)
    all_masks = np.arange(1 << n)
    for i in range(n):  # subset sums: v(S) = worth of paths whose channel set is inside S
        has = (all_masks >> i) & 1 == 1
        v[has] += v[all_masks[has] ^ (1 << i)]
    size = np.array([bin(m).count("1") for m in all_masks])
    coef = np.array([factorial(s) * factorial(n - s - 1) / factorial(n) if s < n else 0.0 for s in range(n + 1)])
    phi = np.zeros(n)
    for i in range(n):
        without = all_masks[((all_masks >> i) & 1) == 0]
        phi[i] = np.sum(coef[size[without]] * (v[without | (1 << i)] - v[without]))
    return phi


# ---------------------------------------------------------------------------------------------
# Page tables from the small queries/app/attribution_*.sql results (never from fact rows)


def fit_data_driven(transitions: pd.DataFrame, sets: pd.DataFrame) -> dict[str, pd.DataFrame | None]:
    """{model: its credit per channel x currency} for Markov (from the attribution_transitions rows) and
    Shapley (from the attribution_channel_sets rows; None past 16 channels in one currency: it
    enumerates every coalition). What models_side_by_side and under_model split revenue by."""
    fitted: dict[str, pd.DataFrame | None] = {"markov": markov_credit(transitions)}
    try:
        fitted["shapley"] = shapley_credit(sets)
    except ValueError:
        fitted["shapley"] = None
    return fitted


def models_side_by_side(rules: pd.DataFrame, fitted: dict[str, pd.DataFrame | None]) -> pd.DataFrame:
    """Channel x currency rows: every model's revenue credit, each model's credits adding up to the same
    revenue, so the rows compare how models split one total.

    rules: attribution_by_channel rows (channel, currency, one column per rule model); fitted:
    fit_data_driven(...). Markov and Shapley learn each channel's weight from closed deals' paths (a
    wider set than the selection: see attribution_transitions.sql); that weight then splits
    what the rule models split, less the unattributed deals' revenue (no channel to credit: their row
    keeps the same value in every model), among the channels the rule models credit in the selection,
    so a channel no selected deal touched gets nothing. A data-driven column is NaN where the paths give
    none of those channels any weight, and Shapley's is NaN past 16 channels in one currency.
    """
    out = rules[["channel", "currency", *RULE_MODELS]].copy()
    out[list(RULE_MODELS)] = out[list(RULE_MODELS)].astype(float).fillna(0.0)
    for model, credit in fitted.items():
        out[model] = np.nan if credit is None else split_like_rules(out, credit, "revenue")
    return out.sort_values(["currency", "channel"], ignore_index=True)


def split_like_rules(rows: pd.DataFrame, fitted: pd.DataFrame, measure: str,
                     total: str = RULE_MODELS[0]) -> pd.Series:
    """rows' `total` column (a rule model's credit per channel x currency: every rule model credits the
    same sum) split again in each currency by the data-driven `fitted` frame's `measure` per channel,
    as models_side_by_side describes. Returns a Series aligned with rows."""
    weight = rows[["channel", "currency"]].merge(
        fitted[["channel", "currency", measure]], on=["channel", "currency"], how="left")[measure]
    weight = pd.Series(weight.astype(float).fillna(0.0).to_numpy(), index=rows.index)
    bare = rows["channel"].eq(UNATTRIBUTED)
    touched = rows[list(RULE_MODELS)].astype(float).fillna(0.0).max(axis=1) > 0
    weight = weight.where(touched & ~bare, 0.0)
    amount = rows[total].astype(float).fillna(0.0)
    out = pd.Series(np.nan, index=rows.index)
    for idx in rows.groupby(rows["currency"].fillna(""), sort=False).groups.values():
        shared, w = amount[idx][~bare[idx]].sum(), weight[idx]
        if w.sum() > 0:
            out[idx] = w / w.sum() * shared
        elif shared == 0:
            out[idx] = 0.0
    return out.where(~bare, amount)


def under_model(by_channel: pd.DataFrame, fitted: dict[str, pd.DataFrame | None], model: str) -> pd.DataFrame:
    """attribution_by_channel rows under `model`. A rule model's are the query's own (it ran with that
    model); under Markov or Shapley, revenue and won deals are that model's split (as in
    models_side_by_side, won deals split by its deal credit), and the pipeline is NaN: open deals have no
    outcome to learn from; `fitted` is fit_data_driven(...). A new frame; the input is untouched."""
    out = by_channel.copy()
    if model not in DATA_DRIVEN_MODELS:
        return out
    credit = fitted[model]
    if credit is None:      # Shapley past 16 channels: no credit to show
        credit = pd.DataFrame(columns=["channel", "currency", "deals", "revenue"])
    out["revenue"] = split_like_rules(out, credit, "revenue")
    out["won_deals"] = split_like_rules(out, credit, "deals", total="won_deals")
    out[["pipeline", "open_deals"]] = np.nan
    return out


def sourced_summary(by_channel: pd.DataFrame) -> pd.DataFrame:
    """One row per currency: attributed revenue, marketing-sourced and -influenced revenue (their shares
    are the metric registry's: model/views/contribution.py)."""
    return by_channel.groupby("currency", as_index=False)[["revenue", "sourced_revenue", "influenced_revenue"]].sum()
