"""Attribution models in words: their names and the agreed model's one-line description, in the
reader's language (ui/locales/contribution.toml); analysis/attribution.py holds no UI text."""
from __future__ import annotations

from analysis.attribution import MODELS
from ui.i18n import t


def model_name(model: str, lang: str) -> str:
    """'position_based' -> 'Позиционная' / 'Position-based'; an unknown name shows as itself."""
    return t(f"attr.model.{model}", lang) if model in MODELS else model


def model_names(lang: str) -> dict[str, str]:
    return {m: model_name(m, lang) for m in MODELS}


def describe(agreed: dict, lang: str) -> str:
    """The agreed model (analysis.attribution.agreed_model()) with its weights and lookback window."""
    name, p = agreed["name"], agreed["params"]
    pct = {k: f"{float(v) * 100:g}%" for k, v in p.items() if k.endswith("_weight")}
    fields = {"first": pct.get("first_weight"), "last": pct.get("last_weight"), "middle": pct.get("middle_weight"),
              "w_first": pct.get("w_first_weight"), "w_other": pct.get("w_other_weight"),
              "half_life": p.get("time_decay_half_life_days")}
    details = t(f"attr.details.{name}", lang, **fields) if name in ("position_based", "time_decay", "w_shaped") else ""
    return t("attr.describe", lang, name=model_name(name, lang), details=f" — {details}" if details else "",
             lookback=p.get("lookback_days"))
