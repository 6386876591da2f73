"""The contribution page's tables: every attribution model per channel, the chosen model's credit,
ROMI and CPL per channel and campaign, sourced vs influenced revenue; all in the base currency, over
the period's exact days, so every model splits the period's won revenue (the Overview's)."""
from __future__ import annotations

import pandas as pd

from analysis import attribution
from model import agreements, metrics
from model.filters import Filters
from model.views import fetch

SUMMARY_INPUTS = {"revenue": "revenue", "sourced_revenue": "revenue_sourced",
                  "influenced_revenue": "revenue_influenced"}
SUMMARY_SHARES = {"sourced_share": "sourced_share", "influenced_share": "influenced_share"}


def rule_model(model: str, agreed: str) -> str:
    """The rule model the queries run with: `model` itself, or for Markov and Shapley (which credit
    channels only, from paths) the agreed model, else linear. Campaign credit and the sourced and
    influenced totals (the same under every model) come from it."""
    if model in attribution.RULE_MODELS:
        return model
    return agreed if agreed in attribution.RULE_MODELS else "linear"


def load(f: Filters, run, model: str | None = None) -> dict[str, pd.DataFrame]:
    """The page's query results (what `python -m bench pages` times); with_models() turns them into
    what the page and the deck show."""
    p = f.params()
    agreed = agreements.attribution(run)["model"]     # as the warehouse was built with it
    model = model or agreed
    q = {**p, "model": rule_model(model, agreed)}
    out = fetch(run, {"by_channel": ("attribution_by_channel", q),  # the rule model's and every rule model's
                      "by_campaign": ("attribution_by_campaign", q),
                      "transitions": ("attribution_transitions", p), "channel_sets": ("attribution_channel_sets", p),
                      "unattributed": ("attribution_unattributed", q),
                      "agreement": ("agreement", {}), "channels": ("channel_labels", {}),
                      "fresh": ("freshness", {})})
    out["model"] = pd.DataFrame({"model": [model], "campaign_model": [q["model"]]})
    return out


def with_models(d: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """load()'s frames plus `models` (every model's credit per channel, models_side_by_side), `summary`
    (the period's revenue, sourced and influenced: totals every model shares) and `by_channel` under the
    chosen model (Markov and Shapley split from the paths' transitions and channel sets). Fits the
    data-driven models: ~0.03 s at 1M deals."""
    model = d["model"].model.iloc[0]
    out = dict(d)
    fitted = attribution.fit_data_driven(d["transitions"], d["channel_sets"])
    out["models"] = attribution.models_side_by_side(d["by_channel"], fitted)
    out["summary"] = metrics.formulas(attribution.sourced_summary(d["by_channel"]), SUMMARY_INPUTS, SUMMARY_SHARES)
    # Markov and Shapley re-split revenue: the registry recomputes ROMI and CPL from the new split
    out["by_channel"] = metrics.with_formulas("attribution_by_channel",
                                              attribution.under_model(d["by_channel"], fitted, model))
    return out


def side_by_side(d: dict) -> pd.DataFrame:
    """Revenue credit per channel under every model, with each channel's range between them: `low`,
    `high` and `range` (high - low, what the chart's bar draws), largest credit first."""
    wide = d["models"].drop(columns="currency").set_index("channel")
    models = [m for m in attribution.MODELS if m in wide]
    wide = wide[models].astype(float)
    # a channel no model credits (leads or spend alone) has no bar to draw: the tables still show it
    wide = wide[wide.fillna(0.0).abs().sum(axis=1) > 0]
    out = wide.assign(low=wide.min(axis=1), high=wide.max(axis=1))
    out["range"] = out.high - out.low
    return out.sort_values("high", ascending=False)


def widest(sbs: pd.DataFrame) -> str | None:
    """The channel the models disagree on most: the longest bar of the chart, over the same rows."""
    ranges = sbs["range"].dropna()
    return None if ranges.empty or not ranges.max() > 0 else str(ranges.idxmax())
