"""metrica_traffic.csv: daily visits per UTM source and campaign, as web analytics exports them."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from etl.demo.company import PLATFORM_UTM
from etl.demo.world import World
from etl.demo.writer import csv_header, csv_lines, dates, ints


def draw_traffic(w: World, rng: np.random.Generator, S: dict) -> dict:
    """Daily visits per utm_source x utm_campaign: paid clicks that landed, organic, email, partners."""
    n, n_camp = w.n_days, w.camp["name"].size
    clicks = np.bincount(S["day"] * n_camp + S["camp"], weights=S["clicks"], minlength=n * n_camp)
    visits = np.round(clicks.reshape(n, n_camp) * rng.uniform(0.8, 0.95, (n, n_camp)))
    demand = w.lam0.sum(0)
    weekday = (w.horizon[:n].astype(np.int64) + 3) % 7
    for name, per_lead in (("all_email_digest", np.where(weekday == 1, 12.0, 1.0)),   # sent on Tuesdays
                           ("all_email_promo", np.where(weekday == 3, 4.0, 0.3)),
                           ("all_partner_program", np.full(n, 2.0))):
        visits[:, list(w.camp["name"]).index(name)] = rng.poisson(demand * per_lead)
    source = np.array([PLATFORM_UTM[p] for p in w.camp["platform"]])
    d, c = np.nonzero(visits > 0)
    organic = rng.poisson(np.outer(demand, (25.0, 15.0)))           # yandex, google organic
    day = np.concatenate([d, np.arange(n), np.arange(n)])
    texts = np.concatenate([source[c], np.full(n, "yandex"), np.full(n, "google")])
    campaign = np.concatenate([w.camp["name"][c], np.full(2 * n, "")])
    count = np.concatenate([visits[d, c], organic[:, 0], organic[:, 1]]).astype(np.int64)
    order = np.lexsort((campaign, texts, day))
    visitors = np.round(count * rng.uniform(0.75, 0.9, count.size)).astype(np.int64)
    return {"day": day[order], "source": texts[order], "campaign": campaign[order], "visits": count[order],
            "visitors": visitors[order]}


def write_traffic(path: Path, w: World, V: dict) -> None:
    cols = [dates(w.horizon[V["day"]].astype(np.int64), "iso"), pa.array(V["source"]),
            pa.array(V["campaign"]), ints(V["visits"]), ints(V["visitors"])]
    path.write_bytes(b"\xef\xbb\xbf" + csv_header("Дата визита,UTM Source,UTM Campaign,Визиты,Посетители", ",", "\n")
                     + csv_lines(cols, ",", "\n"))
