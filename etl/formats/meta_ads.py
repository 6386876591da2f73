"""Meta Ads Manager export.

Facts relied on (../shared/FORMATS.md, "Meta Ads Manager export", seen): `Reporting starts`,
`Reporting ends`, `Campaign name`, `Amount spent (USD)` (the currency code is inside the spend
header and is read from it, any ISO code), `Results`, `Result indicator`, `Reach`, `Impressions`,
`Link clicks`; headers are localised with the UI language (French `Début des rapports`,
`Montant dépensé (EUR)`); read as utf-8-sig. Results may be empty (not loaded).

A row covers `Reporting starts` .. `Reporting ends`: Ads Manager exports a campaign's total over the
selected dates unless broken down by day, so a row whose ends are after its starts is spread over its
days (queries/warehouse/merge_ad_spend.sql); a `Day` column, where present, dates the row alone.
Detection: a reporting-start or amount-spent header, English or French.
"""
from __future__ import annotations

import re

from etl.formats import Format, column, has_any
from etl.sqlfiles import run

DAY = ("Day", "Jour")

SPEND = ("Amount spent", "Montant dépensé", "Amount spent (*", "Montant dépensé (*")
CODE = re.compile(r"\(([A-Za-z]{3})\)\s*$")


def layout_options(layout) -> dict:
    """The ISO code inside the spend header ('Amount spent (GBP)'), when the file has no currency column."""
    idx = column(layout.header, SPEND)
    found = CODE.search(layout.header[idx]) if idx is not None else None
    return {"currency": found.group(1).upper()} if found else {}


def transform(src, st, mapping) -> None:
    """A file broken down by day dates each row by its Day; the reporting range is the whole report's."""
    if "end_date" in st.columns and column(src.layout.header, DAY) is not None:
        run(src.con, "update typed set end_date = null")


FORMAT = Format(
    name="meta_ads", entity="ad_spend", source_system="meta_ads",
    columns={"date": (*DAY, "Reporting starts", "Début des rapports"),
             "end_date": ("Reporting ends", "Fin des rapports"),
             "campaign": ("Campaign name", "Nom de la campagne"),
             "campaign_id": ("Campaign ID", "Identifiant de la campagne"),
             "cost": SPEND, "impressions": ("Impressions",),
             "clicks": ("Link clicks", "Clics sur un lien"), "currency": ("Currency", "Devise")},
    options={"platform": "Meta Ads"},
    detect=lambda layout: has_any(layout, "Reporting starts", "Début des rapports", *SPEND),
    layout_options=layout_options, transform=transform, doc=__doc__)
