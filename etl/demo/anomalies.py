"""Anomalies planted in the demo's last nine weeks for the alerts to find, and their truth (anomalies.json).

They come after every flight has ended (flights end 10+ weeks before the end), each in its own region or
campaign, drawn from their own random stream: the rest of the company's draws are the ones an unplanted
demo makes, so only the rows they touch change. `also` names the alerts a planted change implies besides
its own kind (fewer leads for the same spend is a higher cost per lead), which are not false alerts.
"""
from __future__ import annotations

import numpy as np

from etl.demo.company import CAMPAIGN_VARIANTS, CHANNEL_KEYS, REGION_NAMES, SOURCE_TEXTS, UTM_MEDIUMS, UTM_SOURCES
from etl.demo.world import World

QUIZ_SOURCE = "Заявка с квиза"   # a new lead widget's source text that no rule in data/channel_rules.csv names

# (kind, where, first day as days before the end, days (None: to the end), size, alerts it also implies)
# where: a region, a campaign, an export kind, a channel, or "fast" (the fastest-answering region left)
PLANTED = (
    ("leads_down", "Санкт-Петербург", 60, 21, 0.3, ("cpl_up",)),
    ("leads_down", "Екатеринбург", 24, None, 0.3, ("cpl_up",)),
    ("sla_breach", "fast", 50, 21, 0.9, ()),
    ("sla_breach", "fast", 22, None, 0.9, ()),
    ("spend_stopped", "msk_search_generic", 45, 18, 0.0, ()),
    ("spend_stopped", "kzn_search_generic", 9, None, 0.0, ()),
    ("spend_doubled", "nnv_search_generic", 55, 21, 2.2, ()),
    ("spend_doubled", "msk_rsya_premium", 14, None, 2.2, ()),
    ("cpl_up", "Краснодар", 40, 21, 2.2, ("spend_doubled",)),
    ("cpl_up", "Ростов-на-Дону", 21, None, 3.0, ("spend_doubled",)),
    ("stale_export", "traffic", 8, None, None, ()),
    ("stale_export", "ad_spend:VK Ads", 6, None, None, ()),
    ("unrecognised", "vk_ads", 21, None, None, ()),
)
DIRECTION = {"leads_down": "down", "sla_breach": "up", "spend_stopped": "stopped", "spend_doubled": "up",
             "cpl_up": "up", "stale_export": "late", "unrecognised": "new value"}


def plan(w: World) -> list[dict]:
    """The planted anomalies of this world: day ranges [a, b) in history days, and where."""
    used = {where for _, where, *_ in PLANTED}
    speed = [(np.mean(w.mgr["median_h"][w.mgr["by_region"][r, :w.mgr["count"][r]]]), r)
             for r in range(len(REGION_NAMES)) if REGION_NAMES[r] not in used and r > 0]
    fast = iter(r for _, r in sorted(speed))
    out = []
    for kind, where, back, days, size, also in PLANTED:
        a = w.n_days - back
        b = w.n_days if days is None else a + days
        item = {"kind": kind, "a": a, "b": b, "size": size, "also": list(also), "region": None, "campaign": None,
                "subject": None}
        if where == "fast":
            item["region"] = REGION_NAMES[next(fast)]
        elif where in REGION_NAMES:
            item["region"] = where
        elif kind.startswith("spend_"):
            i = int(np.flatnonzero(w.camp["name"] == where)[0])
            item.update(campaign=where, camp=i, platform=str(w.camp["platform"][i]),
                        region=REGION_NAMES[w.camp["region"][i]] if w.camp["region"][i] >= 0 else None)
        else:
            item["subject"] = where
        out.append(item)
    return out


def truth(w: World, planted: list[dict]) -> list[dict]:
    """anomalies.json: what was planted where, from which day, and which way the number moved."""
    return [{"kind": p["kind"], "region": p["region"], "campaign": p["campaign"], "subject": p["subject"],
             "start": str(w.horizon[p["a"]]), "end": str(w.horizon[p["b"] - 1]), "to_the_end": p["b"] == w.n_days,
             "direction": DIRECTION[p["kind"]], "size": p["size"], "also": p["also"]} for p in planted]


def plant_spend(w: World, S: dict, planted: list[dict]) -> dict:
    """Ad spend rows with the spend anomalies and a late VK Ads export: a new dict, S untouched."""
    keep = np.ones(S["day"].size, bool)
    factor = np.ones(S["day"].size)
    for p in planted:
        days = (S["day"] >= p["a"]) & (S["day"] < p["b"])
        if p["kind"] == "spend_stopped":
            keep &= ~(days & (S["camp"] == p["camp"]))
        elif p["kind"] == "spend_doubled":
            factor[days & (S["camp"] == p["camp"])] *= p["size"]
        elif p["kind"] == "cpl_up":
            factor[days & (S["region"] == REGION_NAMES.index(p["region"]))] *= p["size"]
        elif p["kind"] == "stale_export" and p["subject"].startswith("ad_spend:"):
            platform = p["subject"].split(":", 1)[1]
            keep &= ~(days & (w.camp["platform"][S["camp"]] == platform))
    out = {k: (v[keep] if isinstance(v, np.ndarray) and v.shape[:1] == keep.shape else v) for k, v in S.items()}
    f = factor[keep]
    out["kop"] = np.round(out["kop"] * f).astype(np.int64)
    out["clicks"] = np.round(out["clicks"] * f).astype(out["clicks"].dtype)
    out["impressions"] = np.round(out["impressions"] * f).astype(out["impressions"].dtype)
    return out


def plant_traffic(V: dict, planted: list[dict]) -> dict:
    """Web-analytics rows without the days a late export has not brought yet."""
    keep = np.ones(V["day"].size, bool)
    for p in planted:
        if p["kind"] == "stale_export" and p["subject"] == "traffic":
            keep &= V["day"] < p["a"]
    return {k: v[keep] for k, v in V.items()}


def plant_crm(w: World, L: dict, D: dict, T: dict, planted: list[dict], rng: np.random.Generator) -> tuple:
    """One month's leads, deals and touches with the lead anomalies: leads that never arrived (with their
    deals and touches), first contacts a day or more late, a widget's leads with a source no rule knows.
    Returns L, D, T and which of the drawn leads remain (their ids keep their gaps, as deleted rows do)."""
    n = L["created"].size
    keep = np.ones(n, bool)
    for p in planted:
        days = (L["day"] >= p["a"]) & (L["day"] < p["b"])
        u = rng.random(n)
        if p["kind"] == "leads_down":
            keep &= ~(days & (L["region"] == REGION_NAMES.index(p["region"])) & (u >= p["size"]))
        elif p["kind"] == "sla_breach":
            late = days & (L["region"] == REGION_NAMES.index(p["region"])) & L["contacted"] & ~L["converts"] \
                & (u < p["size"])
            L["contact"] = np.where(late, L["created"] + (26 + 46 * rng.random(n)).astype(np.int64) * 3600,
                                    L["contact"])
            called = L["contacted"] & (L["contact"] <= w.end_sec)
            L["status"] = np.where(called, L["status"], 0)            # not called back yet: 'Новый'
            L["contacted"] = called
        elif p["kind"] == "unrecognised":
            quiz = days & (L["chan"] == CHANNEL_KEYS.index(p["subject"]))
            L["source"] = np.where(quiz, SOURCE_TEXTS.index(QUIZ_SOURCE), L["source"])
            L["utm_source"] = np.where(quiz, UTM_SOURCES.index(""), L["utm_source"])
            L["utm_medium"] = np.where(quiz, UTM_MEDIUMS.index(""), L["utm_medium"])
            L["utm_campaign"] = np.where(quiz, len(CAMPAIGN_VARIANTS) * w.camp["name"].size, L["utm_campaign"])
    if keep.all():
        return L, D, T, keep
    index = np.cumsum(keep) - 1
    d_keep, t_keep = keep[D["lead"]], keep[T["lead"]]
    L = {k: v[keep] for k, v in L.items()}
    D = {k: v[d_keep] for k, v in D.items()}
    T = {k: v[t_keep] for k, v in T.items()}
    D["lead"], T["lead"] = index[D["lead"]], index[T["lead"]]
    return L, D, T, keep

