"""Running counts over the CRM's monthly chunks: the realised truths and what each file holds."""
from __future__ import annotations

import numpy as np

from etl.demo.company import DELAY_BUCKETS, LEAD_STATUS, N_CHANNELS, N_REGIONS, UNKNOWN_START, WON
from etl.demo.world import World


class Tally:
    """Running counts over the monthly chunks: realised truths and what each file holds."""

    def __init__(self, w: World):
        self.n: dict[str, int] = {}
        self.bucket_leads, self.bucket_deals = np.zeros(len(DELAY_BUCKETS) + 1), np.zeros(len(DELAY_BUCKETS) + 1)
        self.won_by_channel, self.won_by_region = np.zeros(N_CHANNELS), np.zeros(N_REGIONS)
        self.flight_revenue, self.flight_won = np.zeros(len(w.flights)), np.zeros(len(w.flights))
        self.money: dict[str, int] = {"RUB": 0, "USD": 0}
        self.lead_status, self.deal_status = np.zeros(len(LEAD_STATUS), np.int64), np.zeros(3, np.int64)
        self.invoices: list[dict] = []
        self.impossible_ids: list[int] = []

    def count(self, key: str, value) -> None:
        self.n[key] = self.n.get(key, 0) + int(value)

    def add_leads(self, L: dict, n_touches: int) -> None:
        delay_h = (L["contact"] - L["created"]) / 3600
        bucket = np.where(L["contacted"], np.searchsorted([1, 4, 24], delay_h, side="right"), len(DELAY_BUCKETS))
        self.bucket_leads += np.bincount(bucket, minlength=self.bucket_leads.size)
        self.bucket_deals += np.bincount(bucket[L["converted"]], minlength=self.bucket_leads.size)
        self.lead_status += np.bincount(L["status"], minlength=len(LEAD_STATUS))
        self.count("leads", L["created"].size)
        self.count("touches", n_touches)
        self.count("leads_no_source", L["blank"].sum())
        self.count("leads_alias_region", ((L["region_text"] >= N_REGIONS) & (L["region_text"] < UNKNOWN_START)).sum())
        self.count("leads_unknown_region", (L["region_text"] >= UNKNOWN_START).sum())

    def add_deals(self, L: dict, D: dict, bad: np.ndarray, n_dup: int) -> None:
        won = D["stage"] == WON
        chan, region = L["chan"][D["lead"]], L["region"][D["lead"]]
        self.won_by_channel += np.bincount(chan[won], weights=D["rub_kop"][won] / 100, minlength=N_CHANNELS)
        self.won_by_region += np.bincount(region[won], weights=D["rub_kop"][won] / 100, minlength=N_REGIONS)
        flight = L["flight"][D["lead"]]
        hit = won & (flight >= 0)
        self.flight_revenue += np.bincount(flight[hit], weights=D["rub_kop"][hit] / 100, minlength=self.flight_won.size)
        self.flight_won += np.bincount(flight[hit], minlength=self.flight_won.size)
        self._add_file_totals(D, bad, n_dup)
        self.invoices.append({"day": D["invoice_day"][won], "region": region[won], "product": D["product"][won],
                              "customer": D["customer"][won], "kop": D["rub_kop"][won], "deal": D["id"][won]})

    def _add_file_totals(self, D: dict, bad: np.ndarray, n_dup: int) -> None:
        ok, won = ~bad, D["stage"] == WON
        self.count("deals", D["id"].size)
        self.count("deals_no_source", D["no_source"].sum())
        self.count("deal_duplicate_rows", n_dup)
        self.count("deals_alias_region", ((D["region_text"] >= N_REGIONS) & (D["region_text"] < UNKNOWN_START)).sum())
        self.count("deals_unknown_region", (D["region_text"] >= UNKNOWN_START).sum())
        self.impossible_ids += [int(i) for i in D["id"][bad]]
        status = np.where(D["stage"] < WON, 0, np.where(won, 1, 2))
        self.deal_status += np.bincount(status[ok], minlength=3)
        self.money["RUB"] += int(D["minor"][ok & won & ~D["usd"]].sum())
        self.money["USD"] += int(D["minor"][ok & won & D["usd"]].sum())
