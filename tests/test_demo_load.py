"""The demo company goes through the same ETL as any export, and the warehouse matches its truth."""
from __future__ import annotations

import json

import duckdb
import pytest

from etl.demo_load import run_demo
from etl.errors import LoadError


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    mp = pytest.MonkeyPatch()
    mp.setenv("PARITY_DB", str(folder / "warehouse.duckdb"))
    result = run_demo(seed=7, deals=4000, end="2026-10-31")
    truth = json.loads((folder / "demo" / "truth.json").read_text(encoding="utf-8"))
    yield folder / "warehouse.duckdb", result, truth
    mp.undo()


def _one(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_demo_file_loads(demo):
    _, result, _ = demo
    assert result["ok"], result
    assert {f["entity"] for f in result["files"]} == {
        "campaigns", "ad_spend", "leads", "deals", "touchpoints", "plan", "activities", "sales", "traffic"}


def test_deals_match_planted_totals(demo):
    db, result, truth = demo
    t = truth["totals"]["crm_deals.csv"]
    deals = next(f for f in result["files"] if f["entity"] == "deals")
    assert deals["rows_duplicate"] == truth["dirty"]["crm_deals.csv"]["duplicate_rows"]
    assert deals["rows_rejected"] == truth["dirty"]["crm_deals.csv"]["impossible_dates"]
    assert all("invalid date" in r["reason"] for r in deals["reject_reasons"])
    assert _one(db, "select count(*) from deals")[0][0] == t["valid_deals"]
    won = dict(_one(db, "select currency, sum(amount)::double from deals where status = 'won' group by 1"))
    for currency, amount in t["valid_won_amount_by_currency"].items():
        assert won[currency] == pytest.approx(amount, abs=0.01)
    by_status = dict(_one(db, "select status, count(*) from deals group by 1"))
    assert by_status == t["valid_by_status"]


def test_accounting_total_excludes_the_itogo_row(demo):
    db, _, truth = demo
    total = _one(db, "select sum(amount)::double from sales")[0][0]
    assert total == pytest.approx(truth["totals"]["1c_sales.csv"]["amount"], abs=0.01)


def test_reconciliation_finds_the_planted_differences(demo):
    db, _, truth = demo
    t, dirty = truth["dirty"]["1c_sales.csv"], truth["dirty"]["crm_deals.csv"]
    crm_only = {r[0] for r in _one(db, "select deal_id from recon_differences where kind = 'crm_only'")}
    valid_missing = {str(i) for i in t["missing_deal_ids"]} - {str(i) for i in dirty["impossible_date_deal_ids"]}
    assert crm_only == valid_missing
    kinds = dict(_one(db, "select kind, count(*) from recon_differences group by 1"))
    assert kinds["return"] == t["returns"]
    # sales nobody entered in the CRM, plus invoices of won deals the load rejected (impossible dates)
    assert t["lines_without_crm_deal"] <= kinds["accounting_only"] <= t["lines_without_crm_deal"] + len(
        dirty["impossible_date_deal_ids"])


def test_campaign_ids_typed_in_utm_fields_are_mapped_to_names(demo):
    db, _, _ = demo
    typed_ids, left = _one(db, "select count(*) filter (where regexp_full_match(trim(utm_campaign_raw), '[0-9]+')), "
                               "count(*) filter (where regexp_full_match(utm_campaign, '[0-9]+')) from deals")[0]
    assert typed_ids > 0 and left == 0
    names = {r[0] for r in _one(db, "select campaign from campaigns")}
    mapped = {r[0] for r in _one(db, "select distinct utm_campaign from deals "
                                     "where regexp_full_match(trim(utm_campaign_raw), '[0-9]+')")}
    assert mapped <= names


def test_regions_canonical_and_unknown_ones_reported(demo):
    db, _, truth = demo
    canon = {r[0] for r in _one(db, "select region from cfg_regions")}
    stored = {r[0] for r in _one(db, "select distinct region from deals where region is not null")}
    unknown = stored - canon
    assert unknown == {r[0] for r in _one(db, "select raw_text from dq_unknown_regions where source = 'deals'")}
    assert sum(n for (n,) in _one(db, "select rows from dq_unknown_regions where source = 'deals'")) == \
        truth["dirty"]["crm_deals.csv"]["unknown_regions"]


def test_demo_refuses_to_replace_a_users_data(fresh_db, tmp_path):
    from etl.load import load_files
    own = tmp_path / "my_deals.csv"
    own.write_text("ID;Дата создания;Бюджет\n1;01.02.2025;100\n", encoding="utf-8")
    assert load_files([own], progress=False)["ok"]
    with pytest.raises(LoadError, match="--replace"):
        run_demo(seed=1, deals=500, end="2026-10-31")
