"""crm_leads.csv, crm_deals.csv and touchpoints.csv, written month by month as the CRM exports them."""
from __future__ import annotations

import datetime as dt
from itertools import pairwise
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.demo.anomalies import plant_crm
from etl.demo.company import (
    CHANNEL_KEYS,
    CUSTOMERS,
    DUPLICATE_RATE,
    LEAD_STATUS,
    LOST_REASONS,
    NBSP,
    PRODUCT_NAMES,
    REGION_TEXTS,
    SOURCE_TEXTS,
    STAGES,
    UTM_MEDIUMS,
    UTM_SOURCES,
    WON,
)
from etl.demo.crm import (
    campaign_texts,
    draw_contact,
    draw_deals,
    draw_lead_status,
    draw_lead_texts,
    draw_leads,
    draw_touches,
)
from etl.demo.draws import sample
from etl.demo.tally import Tally
from etl.demo.world import World
from etl.demo.writer import clock_texts, coded, csv_header, csv_lines, datetimes, fixed, ints

IMPOSSIBLE_DAYS = ("30.02", "31.02", "31.04", "31.06", "31.09", "31.11")
FUNNELS = ("Основная", "Партнёрская")
LOST_REASON_TEXTS = [r for r, _ in LOST_REASONS]
DEALS_HEADER = ("ID;Название сделки;Бюджет;Валюта;Ответственный;Дата создания;Дата закрытия;Этап сделки;Воронка;"
                "Город;Продукт;Источник;Причина отказа;ID лида;utm_source;utm_medium;utm_campaign")
LEADS_HEADER = ("ID лида;Дата создания;Город;Источник;utm_source;utm_medium;utm_campaign;Статус;"
                "Дата первого контакта;Ответственный;ID сделки")
TOUCH_HEADER = "touch_at,lead_id,deal_id,channel,campaign"


def _budget(rng: np.random.Generator, minor: np.ndarray) -> pa.Array:
    """Бюджет as people type it: '125000', '125 000,50' or the same with a no-break space."""
    form = sample(rng, (0.5, 0.3, 0.2), minor.size)
    text = pc.if_else(pa.array(form == 1), fixed(minor, 2, " "), fixed(minor, 2, "", keep_zero_fraction=False))
    return pc.if_else(pa.array(form == 2), fixed(minor, 2, NBSP), text)


def _impossible_dates(rng: np.random.Generator, sec: np.ndarray, bad: np.ndarray) -> pa.Array:
    """A handful of calendar dates that cannot exist, as a broken CRM field produces them."""
    text = np.full(sec.size, "", object)
    for i in np.flatnonzero(bad):
        year = np.datetime64(int(sec[i]), "s").astype(dt.datetime).year
        clock = clock_texts()[int(sec[i] % 86400)].as_py()
        text[i] = f"{IMPOSSIBLE_DAYS[rng.integers(len(IMPOSSIBLE_DAYS))]}.{year} {clock}"
    return pa.array(text, pa.string())


def _deal_columns(w: World, L: dict, D: dict, lead_ids: np.ndarray, created: pa.Array, budget: pa.Array,
                  camp_texts: list[str]) -> list[pa.Array]:
    lead = D["lead"]
    funnel = (L["chan"][lead] == CHANNEL_KEYS.index("referral")).astype(np.int8)
    return [ints(D["id"]), coded(CUSTOMERS, D["customer"], ";"), budget,
            coded(["RUB", "USD"], D["usd"].astype(np.int8), ";"), coded(w.mgr["name"], L["manager"][lead], ";"),
            created, datetimes(D["closed"], "ru", D["stage"] < WON), coded(STAGES, D["stage"], ";"),
            coded(FUNNELS, funnel, ";"), coded(REGION_TEXTS, D["region_text"], ";"),
            coded(PRODUCT_NAMES, D["product"], ";"), coded(SOURCE_TEXTS, L["source"][lead], ";"),
            coded(LOST_REASON_TEXTS, D["reason"], ";"), ints(lead_ids[lead]),
            coded(UTM_SOURCES, L["utm_source"][lead], ";"), coded(UTM_MEDIUMS, L["utm_medium"][lead], ";"),
            coded(camp_texts, L["utm_campaign"][lead], ";")]


def _write_deals(fh, w: World, rng: np.random.Generator, L: dict, D: dict, lead_ids: np.ndarray,
                 camp_texts: list[str], n_bad: int) -> tuple[np.ndarray, int]:
    """crm_deals.csv rows of one chunk, with planted impossible dates and exact duplicate lines."""
    n = D["id"].size
    bad = np.zeros(n, bool)
    bad[rng.choice(n, size=min(n_bad, n), replace=False)] = True
    created = datetimes(D["created"], "ru")
    if bad.any():
        created = pc.if_else(pa.array(bad), _impossible_dates(rng, D["created"], bad), created)
    cols = _deal_columns(w, L, D, lead_ids, created, _budget(rng, D["minor"]), camp_texts)
    dup = np.flatnonzero((rng.random(n) < DUPLICATE_RATE) & ~bad)   # an export page read twice
    key = np.concatenate([np.arange(n, dtype=float), dup + rng.uniform(0, n - dup)])
    order = np.concatenate([np.arange(n), dup])[np.argsort(key, kind="stable")]
    fh.write(csv_lines(cols, ";", "\r\n", order))
    return bad, dup.size


def _write_leads(fh, w: World, L: dict, lead_ids: np.ndarray, deal_of_lead: np.ndarray,
                 camp_texts: list[str]) -> None:
    cols = [ints(lead_ids), datetimes(L["created"], "ru"), coded(REGION_TEXTS, L["region_text"], ";"),
            coded(SOURCE_TEXTS, L["source"], ";"), coded(UTM_SOURCES, L["utm_source"], ";"),
            coded(UTM_MEDIUMS, L["utm_medium"], ";"), coded(camp_texts, L["utm_campaign"], ";"),
            coded(LEAD_STATUS, L["status"], ";"), datetimes(L["contact"], "ru", ~L["contacted"]),
            coded(w.mgr["name"], L["manager"], ";"), ints(deal_of_lead, deal_of_lead < 0)]
    fh.write(csv_lines(cols, ";", "\n"))


def _write_touches(fh, w: World, T: dict, lead_ids: np.ndarray, deal_of_lead: np.ndarray) -> None:
    deal, names = deal_of_lead[T["lead"]], [*w.camp["name"], ""]
    camp = np.where(T["camp"] < 0, len(names) - 1, T["camp"])          # no campaign -> ""
    cols = [datetimes(T["at"], "iso"), ints(lead_ids[T["lead"]]), ints(deal, deal < 0),
            coded(CHANNEL_KEYS, T["chan"], ","), coded(names, camp, ",")]
    fh.write(csv_lines(cols, ",", "\n"))


def _month_bounds(w: World) -> np.ndarray:
    days = w.horizon[:w.n_days]
    firsts = np.flatnonzero(days == days.astype("datetime64[M]").astype("datetime64[D]"))
    return np.append(firsts, w.n_days)


def write_crm(out: Path, w: World, rng: np.random.Generator, planted: list[dict] | None = None) -> Tally:
    """crm_leads, crm_deals and touchpoints month by month, so memory stays flat at any size; the
    planted anomalies (etl/demo/anomalies.py) change the rows they touch, from a stream of their own."""
    bounds = _month_bounds(w)
    expected = np.array([(w.lam0[:, a:b] * (1 + w.lift[:, a:b]) * (w.conv @ w.mix)[:, None]).sum()
                         for a, b in pairwise(bounds)])
    bad_per_month = rng.multinomial(int(rng.integers(5, 21)), expected / expected.sum())
    chunk_rngs = rng.spawn(len(bounds) - 1)       # one stream per month: order-independent draws
    camp_texts, tally = campaign_texts(w), Tally(w)
    next_lead, next_deal = 1_000_001, 50_000_001
    with open(out / "crm_leads.csv", "wb") as fl, open(out / "crm_deals.csv", "wb") as fd, \
            open(out / "touchpoints.csv", "wb") as ft:
        fl.write(csv_header(LEADS_HEADER, ";", "\n"))
        fd.write(b"\xef\xbb\xbf" + csv_header(DEALS_HEADER, ";", "\r\n"))
        ft.write(csv_header(TOUCH_HEADER, ",", "\n"))
        for i, (a, b) in enumerate(pairwise(bounds)):
            crng = chunk_rngs[i]
            L = draw_leads(w, crng, a, b)
            draw_contact(w, crng, L)
            L["status"] = draw_lead_status(w, crng, L)
            draw_lead_texts(w, crng, L)
            D = draw_deals(w, crng, L, next_deal)
            drawn_leads, drawn_deals = L["created"].size, D["id"].size
            T = draw_touches(w, crng, L)
            L, D, T, kept = plant_crm(w, L, D, T, planted or [], np.random.default_rng([w.seed, 18, i]))
            lead_ids = (next_lead + np.arange(drawn_leads))[kept]
            deal_of_lead = np.full(lead_ids.size, -1)
            deal_of_lead[D["lead"]] = D["id"]
            _write_leads(fl, w, L, lead_ids, deal_of_lead, camp_texts)
            bad, n_dup = _write_deals(fd, w, crng, L, D, lead_ids, camp_texts, int(bad_per_month[i]))
            _write_touches(ft, w, T, lead_ids, deal_of_lead)
            tally.add_leads(L, T["lead"].size)
            tally.add_deals(L, D, bad, n_dup)
            next_lead, next_deal = next_lead + drawn_leads, next_deal + drawn_deals
    return tally
