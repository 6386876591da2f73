"""The Data page (AppTest) on a copy of the fixture warehouse: history, rejects, quality, reconciliation,
agreements; uploads through the same ETL; the mapping step for an unknown layout."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.apptest import Q1_2025, run_app, sql, sql_one, texts
from ui import upload
from ui.i18n import t

MAPPING = Path(__file__).resolve().parent / "data" / "mapping"


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_history_rejects_quality_recon_terms(warehouse, lang):
    at = run_app("data", lang, **Q1_2025)
    assert at.title[0].value == t("data.title", lang)
    history = at.dataframe[0].value
    assert sorted(history.load_id) == [r[0] for r in sql(warehouse, "select load_id from loads order by 1")]
    rejects = at.dataframe[1].value
    load_id = at.selectbox(key="reject_load").value
    assert list(rejects.row_number) == [r[0] for r in sql(
        warehouse, "select row_number from rejects where load_id = $l order by 1", {"l": load_id})]
    unrecognised = next(df.value for df in at.dataframe if "raw_value" in df.value.columns)
    assert list(zip(unrecognised.raw_value, unrecognised.rows)) == [tuple(r) for r in sql(
        warehouse, "select raw_value, rows from dq_unrecognised order by won_revenue desc nulls last, rows desc, "
                   "dimension, source, raw_value")]
    assert ("Тверь", t("dq.dimension.region", lang)) in set(zip(unrecognised.raw_value, unrecognised.dimension))
    recon = next(df.value for df in at.dataframe if "crm_won_amount" in df.value.columns)
    crm = sql_one(warehouse, "select sum(amount * case currency when 'RUB' then 1 else 90 end) from deals "
                             "where status = 'won' and closed_at::date between '2025-01-01' and '2025-03-31'")
    assert float(recon.crm_won_amount.sum()) == pytest.approx(float(crm))
    page = texts(at)
    assert (t("data.terms.sla_text", lang, hours="2", start=9, end=19,
              days=", ".join(t(f"weekday.{d}", lang) for d in range(1, 6)), qualified="35\u00a0%" if lang == "ru"
              else "35%", conversion="20\u00a0%" if lang == "ru" else "20%")) in page


def test_rejected_rows_of_another_load(warehouse):
    at = run_app("data", "en", **Q1_2025)
    ids = at.selectbox(key="reject_load").options
    assert len(ids) >= 1
    assert not at.exception


def test_upload_goes_through_the_etl(copy_of_warehouse):
    before = sql_one(copy_of_warehouse, "select count(*) from loads")
    name = "deals_extra.csv"
    data = "ID;Бюджет;Дата создания;Этап сделки;Город\n9001;1 000;03.03.2025;Переговоры;Москва\n".encode()
    seen = []
    result = upload.load_uploads([(name, data)], on_file=seen.append)
    assert result["ok"] and [r["file"] for r in seen] == [name]
    assert sql_one(copy_of_warehouse, "select count(*) from loads") == before + 1
    assert sql_one(copy_of_warehouse, "select amount from deals where deal_id = '9001'") == 1000
    again = upload.load_uploads([("renamed.csv", data)])
    assert again["files"][0]["status"] == "already loaded"          # the same content changes nothing




def test_mapping_step_previews_saves_and_loads(copy_of_warehouse, config_copy):
    name = "orders_march.csv"
    data = (MAPPING / name).read_bytes()
    result = upload.load_uploads([(name, data)])
    assert upload.needs_mapping(result["files"][0])
    at = run_app("data", "en", **Q1_2025)
    at.session_state["to_map"] = [(name, data)]
    at.run()
    at.selectbox(key="map_entity").set_value("deals").run()
    for field, column in {"deal_id": "Номер заказа", "created_at": "Открыт", "amount": "Итог заказа, руб.",
                          "region": "Филиал"}.items():
        at.selectbox(key=f"map_col_deals_{field}").set_value(column)
    at.selectbox(key="map_opt_decimal").set_value(",")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Read 4 rows: 2 will load, 2 rejected." in texts(at)
    preview = next(df.value for df in at.dataframe if "reason" in df.value.columns and "amount" in df.value.columns)
    assert float(preview.amount.iloc[0]) == 12500.5
    at.text_input(key="map_name").input("shop orders").run()
    at.button[-1].click().run()
    assert not at.exception
    assert (config_copy / "mappings" / "shop_orders.toml").exists()
    assert sql_one(copy_of_warehouse, "select count(*) from deals where deal_id in ('A-1', 'A-2')") == 2
