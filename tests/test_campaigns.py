"""Campaign keys made whole (IDs in utm fields, region/channel/product rules, the unmapped list) and
the CRM vs accounting reconciliation, on hand-written exports in tests/data/campaigns/.

The files: a Yandex Direct report with CampaignId and CampaignName but no region column; six amoCRM
deals whose utm_campaign is an ID, a name with the ID glued on, a name in other case, an ID no export
knows, a name no export knows, and nothing; a 1C report with a return and a sale nobody entered in CRM.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from etl.load import load_files

DATA = Path(__file__).resolve().parent / "data" / "campaigns"
D = Decimal


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("campaigns") / "warehouse.duckdb"
    mp = pytest.MonkeyPatch()
    mp.setenv("PARITY_DB", str(path))
    try:
        result = load_files(sorted(DATA.iterdir()), progress=False)
        assert result["ok"], result
    finally:
        mp.undo()
    return path


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_campaign_ids_in_utm_fields_become_the_campaign_name(db):
    got = dict(rows(db, "select deal_id, utm_campaign from deals"))
    assert got["1"] == "msk_search_brand"         # utm_campaign=81234567, a {campaign_id} macro
    assert got["2"] == "spb_rsya_retarget"        # "spb_rsya_retarget|81234568"
    assert got["3"] == "msk_search_brand"         # "MSK_Search_Brand": case-folded
    assert got["4"] == "99999999"                 # an ID no ad export has: kept, listed as unmapped
    assert got["6"] is None                       # no campaign: "(none)" on pages
    raw = dict(rows(db, "select deal_id, utm_campaign_raw from deals"))
    assert raw["1"] == "81234567"                 # the text as exported stays beside the key


def test_campaign_region_channel_product_from_exports_else_rules(db):
    got = {r[0]: r[1:] for r in rows(db, "select campaign, region, channel, product from campaigns")}
    assert got["msk_search_brand"] == ("Москва", "yandex_direct", None)          # prefix msk_ is an alias
    assert got["spb_rsya_retarget"] == ("Санкт-Петербург", "yandex_direct", None)
    assert got["premium_launch"] == (None, "yandex_direct", "Премиум")           # product rule, no region
    spend = dict(rows(db, "select campaign, region from ad_spend"))
    assert spend["spb_rsya_retarget"] == "Санкт-Петербург" and spend["brand_protect"] is None


def test_unmapped_campaigns_are_listed_with_their_spend(db):
    got = {(r[0], r[1]): r[2:] for r in rows(
        db, "select source, campaign, missing, cost, won_deals from dq_unmapped_campaigns")}
    assert got == {
        ("ad_spend", "premium_launch"): ("region", D("300.00"), None),     # 300000000 micros
        ("ad_spend", "brand_protect"): ("region", D("200.00"), None),
        ("deals", "99999999"): ("no ad export", None, 0),
        ("deals", "autumn_sale"): ("no ad export", None, 1),
    }


def test_reconciliation_lists_each_difference(db):
    got = sorted(rows(db, "select kind, deal_id, document, crm_amount, sales_amount from recon_differences"))
    assert got == [
        ("accounting_only", None, "Реализация 005 от 14.03.2025", None, D("90000.00")),
        ("amount_differs", "3", "Реализация 003 от 11.03.2025", D("70000.00"), D("65000.00")),
        ("crm_only", "6", None, D("20000.00"), None),
        ("return", None, "Возврат 001 от 25.03.2025", None, D("-100000.00")),
    ]


def test_reconciliation_per_region_and_month(db):
    got = {r[0]: r[1:] for r in rows(db, "select region, crm_won_amount, sales_amount, returns_amount, difference "
                                         "from recon_region_month where month = date '2025-03-01'")}
    # Москва: CRM won 100 000 (deal 1) + 20 000 (deal 6); 1C 100 000 + 90 000, return -100 000
    assert got["Москва"] == (D("120000.00"), D("190000.00"), D("-100000.00"), D("-30000.00"))
    assert got["Казань"] == (D("70000.00"), D("65000.00"), D("0.00"), D("-5000.00"))
    assert got["Санкт-Петербург"][-1] == D("0.00")
