"""Why a region missed (or beat) its revenue plan: lead volume, conversion to deal, revenue per deal.

revenue = leads x (deals / leads) x (revenue / deals). The gap fact - plan is split into the three
factors by the logarithmic mean Divisia index (LMDI-I): each factor's part is
L(fact, plan) x ln(factor_fact / factor_plan), with L(a, b) = (a - b) / (ln a - ln b), and the parts
add up to the gap exactly. Where a factor is zero or missing the split is undefined and None is
returned (the page then shows the gap alone).
"""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Split:
    gap: float            # revenue fact - plan
    leads: float          # the part of the gap from lead volume
    conversion: float     # from deals per lead
    deal_value: float     # from revenue per deal (win rate x average deal)

    def largest(self) -> str:
        """The factor with the largest part in the gap's direction (the one that explains it)."""
        parts = {"leads": self.leads, "conversion": self.conversion, "deal_value": self.deal_value}
        sign = 1 if self.gap >= 0 else -1
        return max(parts, key=lambda k: sign * parts[k])


def _logmean(a: float, b: float) -> float:
    return a if math.isclose(a, b, rel_tol=1e-12) else (a - b) / (math.log(a) - math.log(b))


def decompose(fact: dict, plan: dict) -> Split | None:
    """`fact` and `plan`: {'leads', 'deals', 'revenue'}; None when any value is not positive."""
    values = [fact.get(k) for k in ("leads", "deals", "revenue")] + [plan.get(k) for k in ("leads", "deals", "revenue")]
    if any(v is None or not v > 0 for v in values):
        return None
    factors = {
        "leads": (fact["leads"], plan["leads"]),
        "conversion": (fact["deals"] / fact["leads"], plan["deals"] / plan["leads"]),
        "deal_value": (fact["revenue"] / fact["deals"], plan["revenue"] / plan["deals"]),
    }
    weight = _logmean(fact["revenue"], plan["revenue"])
    parts = {k: weight * math.log(f / p) for k, (f, p) in factors.items()}
    return Split(fact["revenue"] - plan["revenue"], **parts)
