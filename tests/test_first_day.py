"""A real company's marketing funnel on the first day, in the shape of a public one (Olist's marketing
funnel: qualified leads with an `origin` column, closed deals with a win date and no status, amount or
currency, linked to their lead by `mql_id`), re-saved by a spreadsheet (BOM, CRLF). Written here as
those files are, not through the demo generator; the answers are computed with pandas over the files."""
from __future__ import annotations

import hashlib
import random

import pandas as pd
import pytest

from etl.load import load_files
from tests.apptest import sql

# Olist's origin values as its export writes them, with how often they occur in its 8,000 leads.
ORIGINS = {"organic_search": 2296, "paid_search": 1586, "social": 1350, "unknown": 1099,
           "direct_traffic": 499, "email": 493, "referral": 284, "other": 150, "display": 118,
           "other_publicities": 65, "": 60}
# Standard web-analytics names: each must land on a named channel, never in 'other' or 'unknown'.
STANDARD = {"organic_search", "paid_search", "social", "direct_traffic", "email", "referral", "display"}
LEADS_HEADER = "mql_id,first_contact_date,landing_page_id,origin"
DEALS_HEADER = ("mql_id,seller_id,sdr_id,sr_id,won_date,business_segment,lead_type,lead_behaviour_profile,"
                "has_company,has_gtin,average_stock,business_type,declared_product_catalog_size,"
                "declared_monthly_revenue")

LEADS_MAPPING = """entity = "leads"
[columns]
lead_id = "mql_id"
created_at = "first_contact_date"
source = "origin"
[options]
source_system = "olist"
"""
# The closed-deals file says nothing of status or currency: every row is a won deal, in reais.
DEALS_MAPPING = """entity = "deals"
[columns]
deal_id = "seller_id"
lead_id = "mql_id"
created_at = "won_date"
closed_at = "won_date"
[constants]
status = "won"
currency = "BRL"
[options]
source_system = "olist"
"""


def _hex(rng: random.Random) -> str:
    return hashlib.md5(str(rng.random()).encode()).hexdigest()


def funnel_files(folder, scale: int = 10, seed: int = 3):
    """1/scale of Olist's leads by origin, about one in ten won, as the two CSVs (BOM, CRLF)."""
    rng = random.Random(seed)
    leads, deals = [LEADS_HEADER], [DEALS_HEADER]
    for origin, n in ORIGINS.items():
        for _ in range(max(1, n // scale)):
            mql, day = _hex(rng), f"2017-{rng.randint(6, 12):02d}-{rng.randint(1, 28):02d}"
            leads.append(f"{mql},{day},{_hex(rng)},{origin}")
            if rng.random() < 0.105:
                won = f"2018-{rng.randint(1, 5):02d}-{rng.randint(1, 28):02d} {rng.randint(8, 19):02d}:17:00"
                deals.append(f"{mql},{_hex(rng)},{_hex(rng)},{_hex(rng)},{won},home_decor,online_medium,cat,,,,"
                             f"reseller,,0")
    (folder / "olist_marketing_qualified_leads_dataset.csv").write_bytes(
        ("\ufeff" + "\r\n".join(leads) + "\r\n").encode("utf-8"))
    (folder / "olist_closed_deals_dataset.csv").write_bytes(
        ("\ufeff" + "\r\n".join(deals) + "\r\n").encode("utf-8"))
    (folder / "leads.toml").write_text(LEADS_MAPPING, encoding="utf-8")
    (folder / "deals.toml").write_text(DEALS_MAPPING, encoding="utf-8")
    return folder / "olist_marketing_qualified_leads_dataset.csv", folder / "olist_closed_deals_dataset.csv"


@pytest.fixture
def funnel(fresh_db, tmp_path):
    leads_csv, deals_csv = funnel_files(tmp_path)
    for path, mapping in ((leads_csv, "leads.toml"), (deals_csv, "deals.toml")):
        result = load_files([path], mapping_path=tmp_path / mapping, progress=False)
        assert result["ok"], result
    leads = pd.read_csv(leads_csv, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    deals = pd.read_csv(deals_csv, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    return fresh_db, leads, deals


def test_every_channel_counts_as_the_files_say(funnel):
    db, leads, deals = funnel
    channel_of = dict(sql(db, "select lead_id, channel from leads"))
    assert len(channel_of) == len(leads)
    leads = leads.assign(channel=leads.mql_id.map(channel_of))
    # a standard name never lands in 'other' or 'unknown'; one origin is one channel
    per_origin = leads.groupby("origin").channel.agg(set)
    for origin in STANDARD:
        assert len(per_origin[origin]) == 1 and not per_origin[origin] & {"other", "unknown"}, origin
    assert per_origin["direct_traffic"] != {"direct"}        # the website's direct traffic is not sales' outbound
    # leads per channel and won deals per channel (the deal takes its lead's channel) equal the files'
    want_leads = leads.groupby("channel").size().to_dict()
    assert dict(sql(db, "select channel, count(*) from leads group by 1")) == want_leads
    won = deals.merge(leads[["mql_id", "channel"]], on="mql_id")
    assert dict(sql(db, "select channel, count(*) from deals where status = 'won' group by 1")) == \
        won.groupby("channel").size().to_dict()
    counts = sql(db, "select count(*), count(*) filter (where currency = 'BRL'), "
                     "count(*) filter (where channel_from_lead) from deals")
    assert counts == [(len(deals), len(deals), int((won.channel != "unknown").sum()))]


def test_unknown_origins_are_listed_with_their_counts(funnel):
    db, leads, deals = funnel
    listed = dict(sql(db, "select raw_value, rows from dq_unrecognised "
                          "where dimension = 'channel' and source = 'leads'"))
    named = leads[leads.origin != ""].origin.value_counts()
    # every origin that reached no named channel is listed with its leads; nothing standard is
    unmatched = {o: int(n) for o, n in named.items() if o not in STANDARD and
                 sql(db, "select any_value(channel) from leads where source = $o", {"o": o})[0][0] == "unknown"}
    assert listed == unmatched
    assert not set(listed) & STANDARD
    # what rides on each: the leads that have a deal (the deals file names their mql_id)
    with_deal = dict(sql(db, "select raw_value, deals from dq_unrecognised where dimension = 'channel' "
                             "and source = 'leads'"))
    assert with_deal == {o: int(leads[(leads.origin == o) & leads.mql_id.isin(deals.mql_id)].shape[0])
                         for o in unmatched}


def test_won_deals_without_amount_are_revenue_unknown(funnel):
    db, _, deals = funnel
    assert sql(db, "select count(*) from deals where status = 'won' and amount is null") == [(len(deals),)]


def test_the_same_names_as_utm_source_land_on_the_same_channels(fresh_db, tmp_path):
    """A CRM that keeps the channel group in its utm_source field: the standard names still map."""
    leads_csv, _ = funnel_files(tmp_path)
    (tmp_path / "utm.toml").write_text(LEADS_MAPPING.replace('source = "origin"', 'utm_source = "origin"'),
                                       encoding="utf-8")
    assert load_files([leads_csv], mapping_path=tmp_path / "utm.toml", progress=False)["ok"]
    got = dict(sql(fresh_db, "select utm_source, any_value(channel) from leads where utm_source is not null "
                             "group by 1"))
    assert {o: got[o] for o in STANDARD} == {
        "organic_search": "seo", "paid_search": "paid_search", "social": "social", "direct_traffic": "website",
        "email": "email", "referral": "referral", "display": "display"}
