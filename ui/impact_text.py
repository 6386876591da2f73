"""The impact page's words: the verdict sentence, lift bounds and warnings in the reader's locale."""
from __future__ import annotations

import pandas as pd

from ui import fmt


def verdict(r, metric: str, t, money) -> str:
    """One plain sentence from the result: significant gain, significant loss, or not told apart from zero."""
    low, high = money(r.incremental_low), money(r.incremental_high)
    what = t(f"impact.what.{metric}")
    if r.incremental_low > 0:
        return t("impact.verdict.up", low=low, high=high, what=what)
    if r.incremental_high < 0:
        return t("impact.verdict.down", low=low, high=high, what=what)
    return t("impact.verdict.none", low=low, high=high, what=what)


def bounded(share: float, lang: str, limit: float = 10.0) -> str:
    """A lift bound as a percent; past ±1000% (a counterfactual near zero) it reads "> 1000 %"."""
    if not pd.isna(share) and abs(share) > limit:      # inf included: a counterfactual at zero
        sign = ">" if share > 0 else "<"
        return f"{sign} {fmt.percent(limit if share > 0 else -limit, lang, 0)}"
    return fmt.percent(share, lang)


def warning_fields(warning: dict, lang: str) -> dict:
    """A warning's numbers in the reader's locale (shares as percents, a date as a date)."""
    out = {}
    for key, value in warning.items():
        if key in ("code", "text"):
            continue
        if key in ("mape", "share"):
            out[key] = fmt.percent(value, lang, 0)
        elif key == "since":
            out[key] = fmt.date(pd.Timestamp(value), lang)
        else:
            out[key] = value
    return out
