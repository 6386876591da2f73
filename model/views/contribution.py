"""The contribution page's tables: every attribution model per channel, the chosen model's credit,
ROMI and CPL per channel and campaign, sourced vs influenced revenue."""
from __future__ import annotations

import pandas as pd

from analysis import attribution
from model.filters import Filters
from model.views import fetch


def load(f: Filters, run, model: str | None = None) -> dict[str, pd.DataFrame]:
    p = f.params()
    model = model or attribution.settings()["model"]
    q = {**p, "model": model}
    out = fetch(run, {"by_channel": ("attribution_by_channel", q),  # the chosen model's and every rule model's
                      "by_campaign": ("attribution_by_campaign", q), "paths": ("attribution_paths", p),
                      "agreement": ("agreement", {}), "channels": ("channel_labels", {}),
                      "fresh": ("freshness", {})})
    out["models"] = rule_models(out["by_channel"])
    return out


def rule_models(by_channel: pd.DataFrame) -> pd.DataFrame:
    """Channel x currency rows with each rule model's revenue, from attribution_by_channel's columns."""
    return by_channel[["channel", "currency", *attribution.RULE_MODELS]]


def side_by_side(d: dict, currency: str) -> pd.DataFrame:
    """Revenue credit per channel under every model, in one currency, with the spread between them."""
    wide = attribution.models_side_by_side(d["models"], d["paths"])
    wide = wide[wide.currency == currency].drop(columns="currency").set_index("channel")
    models = [m for m in attribution.RULE_MODELS + attribution.DATA_DRIVEN_MODELS if m in wide]
    wide = wide[models].astype(float)
    out = wide.assign(low=wide.min(axis=1), high=wide.max(axis=1))
    out["spread"] = (out.high - out.low) / out[models].mean(axis=1).where(lambda s: s > 0)
    return out.sort_values("high", ascending=False)


def main_currency(by_channel: pd.DataFrame, base: str) -> str:
    if by_channel.empty or base in set(by_channel.currency):
        return base
    return by_channel.groupby("currency").revenue.sum().idxmax()
