"""A layout no format knows: map it once (preview, save to data/mappings/), then it loads with no flags."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl import profiles
from etl.__main__ import main
from etl.errors import LoadError
from etl.load import load_files
from etl.stage import Mapping

DATA = Path(__file__).resolve().parent / "data" / "mapping"




def test_unknown_layout_fails_with_the_way_out(fresh_db, config_copy):
    result = load_files([DATA / "orders_march.csv"], progress=False)
    error = result["files"][0]["error"]
    assert "Номер заказа" in error and "--mapping" in error


def test_preview_shows_rows_as_they_will_be_loaded(config_copy):
    got = profiles.preview(DATA / "orders_march.csv", Mapping.read(DATA / "orders.toml"))
    rows = got["rows"]
    # A-3's amount 'abc' is a cell problem (the order loads, amount empty); A-4's 31.02 is a reject
    assert (got["rows_read"], got["rows_loaded"], got["rows_rejected"], got["cells_warned"]) == (4, 3, 1, 1)
    assert list(rows["line"]) == [2, 3, 4, 5]                       # file line numbers, header is line 1
    assert rows.loc[0, "amount"] == pytest.approx(12500.5)          # "12 500,50": Russian number form
    assert str(rows.loc[0, "closed_at"].date()) == "2025-03-10"     # dd.mm.yyyy
    assert pd.isna(rows.loc[2, "reason"])
    assert rows.loc[2, "warning"] == "Итог заказа, руб.: not a number; amount left empty"
    assert pd.isna(rows.loc[2, "amount"])
    assert "31.02.2025" in rows.loc[3, "reason"]


def test_saved_mapping_is_recognised_next_time(fresh_db, config_copy, capsys):
    code = main(["load", str(DATA / "orders_march.csv"), "--mapping", str(DATA / "orders.toml"),
                 "--save-mapping", "Shop orders", "--json"])
    assert code == 0
    saved = config_copy / "mappings" / "shop_orders.toml"
    assert saved.exists()
    capsys.readouterr()
    assert main(["load", str(DATA / "orders_april.csv"), "--json"]) == 0   # no flags
    report = json.loads(capsys.readouterr().out)["files"][0]
    assert report["format"] == "mapping:shop_orders"
    assert (report["rows_loaded"], report["rows_rejected"]) == (2, 0)
    con = duckdb.connect(str(fresh_db), read_only=True)
    try:
        got = con.execute("select deal_id, amount, region, source_system from deals order by 1").fetchall()
    finally:
        con.close()
    assert got == [("A-1", Decimal("12500.50"), "Москва", "shop"),
                   ("A-2", Decimal("7000.00"), "Санкт-Петербург", "shop"),
                   ("A-3", None, "Казань", "shop"),       # 'abc' as its amount: the order stays, amount empty
                   ("A-5", Decimal("20000.00"), "Москва", "shop"), ("A-6", Decimal("1000.00"), "Москва", "shop")]


def test_saving_refuses_a_column_the_file_does_not_have(config_copy):
    with pytest.raises(LoadError, match="not a column"):
        profiles.save("x", ["a", "b"], Mapping("deals", {"amount": "Сумма"}))
    profiles.save("x", ["a", "b"], Mapping("deals", {"amount": "a"}))
    with pytest.raises(LoadError, match="exists"):
        profiles.save("x", ["a", "b"], Mapping("deals", {"amount": "b"}))
