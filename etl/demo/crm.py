"""CRM rows: leads, who calls them back and when, the deals they become, and the marketing touches before them."""
from __future__ import annotations

import numpy as np

from etl.demo.company import (
    AMOUNT_SIGMA,
    CAMPAIGN_VARIANTS,
    CHANNEL_KEYS,
    CHANNELS,
    CONVERTED,
    CUSTOMERS,
    DEAL_LAG_H,
    FLOOR,
    FX_USD_RUB,
    HOUR_WEIGHT,
    IN_WORK,
    JUNK,
    LOST,
    LOST_LAG,
    LOST_REASONS,
    N_CHANNELS,
    NEW,
    NO_SOURCE_RATE,
    OPEN_STAGES,
    P_CONTACT,
    PRODUCTS,
    QUALIFIED,
    SOURCE_OPTIONS,
    TAU_H,
    USD_RATE,
    UTM_MEDIUM_CODE,
    UTM_SOURCE_OPTIONS,
    WON,
    WON_LAG,
    campaign_id,
)
from etl.demo.draws import choose, draw_products, region_spellings, sample
from etl.demo.world import World


def draw_leads(w: World, rng: np.random.Generator, a: int, b: int) -> dict:
    """Leads created on history days [a, b): Poisson per region-day; flights multiply the rate."""
    counts = rng.poisson(w.lam0[:, a:b] * (1 + w.lift[:, a:b])).ravel()
    cell = np.repeat(np.arange(counts.size), counts)
    day = a + cell % (b - a)
    created = w.day_sec[day] + sample(rng, HOUR_WEIGHT, cell.size) * 3600 + rng.integers(0, 3600, cell.size)
    order = np.argsort(created, kind="stable")
    L = {"region": (cell // (b - a))[order], "day": day[order], "created": created[order]}
    n = created.size
    L["param"] = sample(rng, w.mix, n)                    # the channel whose odds this lead has
    lift = w.lift[L["region"], L["day"]]
    flight = w.flight_of[L["region"], L["day"]]
    # The flight's extra leads (lift / (1 + lift) of the cell) come through the flight's campaign.
    L["incremental"] = rng.random(n) < lift / (1 + lift)
    flight_chan = np.array([CHANNEL_KEYS.index(f["channel"]) for f in w.flights])
    L["chan"] = np.where(L["incremental"], flight_chan[flight], L["param"])   # flight -1 is masked out
    camp = _pick_campaigns(w, rng, L["chan"], L["region"], L["day"])
    flight_camp = np.flatnonzero(w.camp["flight"] >= 0)[np.maximum(flight, 0)]
    L["camp"] = np.where(L["incremental"], flight_camp, camp)
    L["flight"] = np.where(L["incremental"], flight, -1)
    return L


def _pick_campaigns(w: World, rng: np.random.Generator, chan: np.ndarray, region: np.ndarray,
                    day: np.ndarray) -> np.ndarray:
    """An always-on campaign of the channel running in the region that day, by budget weight."""
    out, u = np.full(chan.size, -1), rng.random(chan.size)
    day = np.clip(day, 0, w.n_days - 1)
    for c in range(N_CHANNELS):
        ids = np.flatnonzero((w.camp["channel"] == c) & (w.camp["flight"] < 0))
        rows = np.flatnonzero(chan == c)
        if ids.size == 0 or rows.size == 0:
            continue
        r, d = region[rows, None], day[rows, None]
        ok = ((w.camp["region"][ids] == -1) | (w.camp["region"][ids] == r)) \
            & (w.camp["start"][ids] <= d) & (d <= w.camp["end"][ids])
        cum = np.cumsum(ok * w.camp["weight"][ids], axis=1)
        pick = (u[rows, None] * cum[:, -1:] >= cum).sum(1)
        out[rows] = ids[np.minimum(pick, ids.size - 1)]
    return out


def draw_contact(w: World, rng: np.random.Generator, L: dict) -> None:
    """Who calls the lead back and when, and whether it becomes a deal (the speed-to-lead model)."""
    r, n = L["region"], L["region"].size
    m = w.mgr["by_region"][r, (rng.random(n) * w.mgr["count"][r]).astype(np.int64)]
    never = rng.random(n) < w.mgr["never"][m]
    delay_h = w.mgr["median_h"][m] * np.exp(w.mgr["sigma"][m] * rng.standard_normal(n))
    contact = L["created"] + np.round(delay_h * 3600).astype(np.int64)
    p = P_CONTACT[L["param"]] * (FLOOR + (1 - FLOOR) * np.exp(-delay_h / TAU_H))
    converts = ~never & (rng.random(n) < p)
    lag_h = DEAL_LAG_H[0] * np.exp(DEAL_LAG_H[1] * rng.standard_normal(n))
    deal_at = contact + np.round(lag_h * 3600).astype(np.int64)
    L.update(manager=m, contact=contact, deal_at=deal_at, converts=converts,
             contacted=~never & (contact <= w.end_sec),      # later calls are not in the export yet
             converted=converts & (deal_at <= w.end_sec))


def draw_lead_status(w: World, rng: np.random.Generator, L: dict) -> np.ndarray:
    """CRM lead status: converted, untouched, junk, or still being worked (stale when old)."""
    n = L["created"].size
    u, v = rng.random(n), rng.random(n)
    recent = w.end_sec - L["created"] < 21 * 86400
    worked = np.where(recent, np.where(v < 0.6, IN_WORK, QUALIFIED),
                      np.select([v < 0.4, v < 0.75], [JUNK, IN_WORK], QUALIFIED))
    status = np.where(u < np.array([c.junk for c in CHANNELS])[L["param"]], JUNK, worked)
    status = np.where(L["converts"], QUALIFIED, status)           # its deal comes after the export
    status = np.where(L["converted"], CONVERTED, status)
    return np.where(L["contacted"], status, NEW)


def draw_lead_texts(w: World, rng: np.random.Generator, L: dict) -> None:
    """What the CRM shows: typed region, source and UTM tags; ~3% of leads lost their source."""
    n = L["chan"].size
    blank = rng.random(n) < NO_SOURCE_RATE                        # the true channel stays in truth
    L["blank"] = blank
    L["region_text"] = region_spellings(rng, L["region"])
    L["source"] = np.where(blank, 0, choose(rng, L["chan"], SOURCE_OPTIONS))
    L["utm_source"] = np.where(blank, 0, choose(rng, L["chan"], UTM_SOURCE_OPTIONS))
    L["utm_medium"] = np.where(blank, 0, UTM_MEDIUM_CODE[L["chan"]])
    variant = sample(rng, CAMPAIGN_VARIANTS, n)
    no_campaign = len(CAMPAIGN_VARIANTS) * w.camp["name"].size
    typed = L["camp"] * len(CAMPAIGN_VARIANTS) + variant
    L["utm_campaign"] = np.where(blank | (L["camp"] < 0), no_campaign, typed)


def campaign_texts(w: World) -> list[str]:
    """utm_campaign as typed: each campaign name in its variants, then the empty value."""
    out = []
    for i, name in enumerate(w.camp["name"]):
        out += [name, name.upper(), f" {name}", f"{name} ", name.capitalize(), campaign_id(i)]
    return [*out, ""]


def draw_deals(w: World, rng: np.random.Generator, L: dict, first_id: int) -> dict:
    """Deals from converted leads, numbered in creation order: product, amount, outcome, close date."""
    lead = np.flatnonzero(L["converted"])
    lead = lead[np.argsort(L["deal_at"][lead], kind="stable")]
    n, region, param = lead.size, L["region"][lead], L["param"][lead]
    D = {"lead": lead, "id": first_id + np.arange(n), "created": L["deal_at"][lead]}
    D["product"] = draw_products(rng, (D["created"] - w.day_sec[0]) // 86400 >= w.launch)
    rub = np.array([p[1] for p in PRODUCTS])[D["product"]] * np.exp(AMOUNT_SIGMA * rng.standard_normal(n))
    kop = np.where(rng.random(n) < 0.85, np.round(rub / 500) * 50_000, np.round(rub * 100)).astype(np.int64)
    D["usd"] = rng.random(n) < USD_RATE                           # foreign clients pay whole dollars
    cents = np.round(kop / FX_USD_RUB / 100).astype(np.int64) * 100
    D["minor"] = np.where(D["usd"], cents, kop)
    D["rub_kop"] = np.where(D["usd"], np.round(cents * FX_USD_RUB).astype(np.int64), kop)
    won = rng.random(n) < w.win[region, param]
    median, sigma = np.where(won, WON_LAG[0], LOST_LAG[0]), np.where(won, WON_LAG[1], LOST_LAG[1])
    D["closed"] = D["created"] + np.round(86400 * median * np.exp(sigma * rng.standard_normal(n))).astype(np.int64)
    is_open = D["closed"] > w.end_sec
    D["stage"] = np.where(is_open, sample(rng, [p for _, p in OPEN_STAGES], n), np.where(won, WON, LOST))
    D["reason"] = np.where(D["stage"] == LOST, sample(rng, [p for _, p in LOST_REASONS], n), len(LOST_REASONS) - 1)
    D["customer"] = rng.integers(0, len(CUSTOMERS), n)
    D["region_text"] = region_spellings(rng, region)
    D["no_source"] = L["blank"][lead]
    invoice_day = (D["closed"] - w.day_sec[0]) // 86400 + rng.integers(0, 3, n)   # 1C posts 0-2 days later
    D["invoice_day"] = np.minimum(invoice_day, w.n_days - 1)
    return D


NOISE_P = np.array([c.noise for c in CHANNELS])


def draw_touches(w: World, rng: np.random.Generator, L: dict) -> dict:
    """1-5 touches in the 30 days before each lead: one is the lead's true channel (the last one
    70% of the time), the others are noise; 30% of converted leads get one more before the deal."""
    n = L["created"].size
    k = 1 + rng.binomial(4, 0.3, n)
    lead = np.repeat(np.arange(n), k)
    pos = np.arange(lead.size) - np.repeat(np.cumsum(k) - k, k)
    anchor = np.where(rng.random(n) < 0.7, k - 1, (rng.random(n) * k).astype(np.int64))
    is_anchor = pos == anchor[lead]
    back = np.where(pos == k[lead] - 1, rng.exponential(2 * 3600, lead.size), rng.uniform(0, 30 * 86400, lead.size))
    at = L["created"][lead] - back.astype(np.int64)
    after = np.flatnonzero(L["converted"] & (rng.random(n) < 0.3))
    gap = L["deal_at"][after] - L["created"][after]
    after_at = L["created"][after] + (rng.random(after.size) * gap).astype(np.int64)
    lead, at = np.concatenate([lead, after]), np.concatenate([at, after_at])
    is_anchor = np.concatenate([is_anchor, np.zeros(after.size, bool)])
    chan = np.where(is_anchor, L["chan"][lead], sample(rng, NOISE_P, lead.size))
    camp = _pick_campaigns(w, rng, chan, L["region"][lead], (at - w.day_sec[0]) // 86400)
    camp = np.where(is_anchor, L["camp"][lead], camp)
    order = np.lexsort((at, lead))
    return {"at": at[order], "lead": lead[order], "chan": chan[order], "camp": camp[order]}
