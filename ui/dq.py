"""The one line the overview and the deck show when values no rule matched, or won deals without an
amount, carry a noticeable share of the data (the Data page lists every value anyway)."""
from __future__ import annotations

import math

import pandas as pd

from ui import fmt
from ui.i18n import t

# Said when values no rule matched carry more than this share of a table's rows or of won revenue
# (below it the figures stand).
UNRECOGNISED_ALERT = 0.02


def unrecognised_line(share: pd.DataFrame, cells: pd.DataFrame, lang: str,
                      threshold: float = UNRECOGNISED_ALERT) -> str | None:
    """One sentence naming each dimension whose unmatched values exceed `threshold` of a table's rows or
    of won revenue ("channel: 12 % of leads"), and won deals without an amount past the same share;
    None when nothing does. `share` is dq_unrecognised_share, `cells` dq_cells (whole warehouse)."""
    parts = []
    for r in share.itertuples():
        dim = t(f"dq.dimension.{r.dimension}", lang)
        mine = []
        if r.revenue_share is not None and r.revenue_share == r.revenue_share and r.revenue_share > threshold:
            mine.append(t("dq.part.revenue", lang, dimension=dim, share=_pct(r.revenue_share, lang)))
        if r.share is not None and r.share == r.share and r.share > threshold:
            mine.append(t("dq.part.rows", lang, dimension=dim, share=_pct(r.share, lang),
                          source=t(f"dq.of.{r.source}", lang)))
        if mine:     # the values behind them once, after the dimension's last part
            mine[-1] += _values(r, lang)
        parts += mine
    if not cells.empty and cells.won_deals.iloc[0]:
        no_amount = int(cells.won_no_amount.iloc[0])
        if no_amount / int(cells.won_deals.iloc[0]) > threshold:
            parts.append(t("dq.part.no_amount", lang, share=_pct(no_amount / int(cells.won_deals.iloc[0]), lang),
                           n=fmt.number(no_amount, lang)))
    return t("dq.line", lang, parts="; ".join(parts)) if parts else None


def _values(r, lang: str) -> str:
    """The values behind a dimension's share, as the person will find them on the Data page: « («Авито»,
    «Перезвонить» и ещё 3)»; nothing when the frame does not carry them (a list or an array per row)."""
    top = getattr(r, "top_values", None)
    top = [] if top is None or (isinstance(top, float) and math.isnan(top)) else list(top)
    if not top:
        return ""
    more = int(r.values) - len(top)
    named = ", ".join(t("dq.value", lang, value=v) for v in top)
    return " (" + (t("dq.values_more", lang, values=named, n=more) if more > 0 else named) + ")"


def _pct(x: float, lang: str) -> str:
    return fmt.percent(x, lang, 0 if x >= 0.1 else 1)
