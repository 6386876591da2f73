"""Cell problems keep the row, constants in mappings, deals inheriting their lead's channel: loaded from
files written the way the exports write them, through etl.load.load_files into a fresh warehouse."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from etl import profiles
from etl.__main__ import main
from etl.errors import LoadError
from etl.load import load_files, rebuild
from etl.sniff import sniff
from etl.stage import Mapping
from tests.apptest import sql as query

BOM = "\ufeff"
# amoCRM's newer export: ';', UTF-8 with BOM, Russian headers; a won deal's budget typed as text.
AMO = (BOM + "ID;Название сделки;Бюджет;Ответственный;Дата создания;Дата закрытия;Этап сделки;Воронка;"
       "utm_source;utm_medium;utm_campaign\n"
       "5001;Окна;150000;Анна Смирнова;03.03.2025 10:00:00;10.03.2025 12:00:00;Успешно реализовано;Продажи;"
       "yandex;cpc;msk_brand\n"
       "5002;Двери;договорная;Анна Смирнова;04.03.2025 10:00:00;11.03.2025 12:00:00;Успешно реализовано;Продажи;;;\n"
       "5003;Кухня;80 000;Олег Петров;05.03.2025 10:00:00;;Переговоры;Продажи;;;\n")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


def load_one(path: Path, **kw) -> dict:
    result = load_files([path], progress=False, **kw)
    [rep] = result["files"]
    assert rep["status"] == "loaded", rep
    return rep


# ---------------------------------------------------------------------------------------------
# 6. Cell problems keep the row.

def test_text_amount_keeps_its_deal(fresh_db, tmp_path):
    rep = load_one(write(tmp_path, "amo_deals.csv", AMO))
    assert (rep["format"], rep["rows_read"], rep["rows_loaded"], rep["rows_rejected"]) == ("amocrm", 3, 3, 0)
    assert (rep["rows_warned"], rep["cells_warned"]) == (1, 1)
    assert rep["cell_warnings"] == [{"row": 3, "column": "Бюджет", "raw": "договорная",
                                     "reason": "not a number; amount left empty"}]
    # the deal is there, won, with an unknown amount (not zero)
    assert query(fresh_db, "select deal_id, status, amount, closed_at from deals order by 1") == [
        ("5001", "won", D("150000.00"), dt.datetime(2025, 3, 10, 12)),
        ("5002", "won", None, dt.datetime(2025, 3, 11, 12)),
        ("5003", "open", D("80000.00"), None)]
    assert query(fresh_db, 'select load_id, row_number, "column", raw, reason from cell_warnings') == [
        (1, 3, "Бюджет", "договорная", "not a number; amount left empty")]
    assert query(fresh_db, "select rows_read, rows_loaded, rows_rejected, rows_warned, cells_warned from loads") == [
        (3, 3, 0, 1, 1)]
    assert query(fresh_db, "select count(*) from rejects") == [(0,)]
    # the Data page's flag: won deals whose revenue is unknown, per currency and region
    sql = (Path(__file__).resolve().parent.parent / "queries" / "app" / "dq_won_no_amount.sql").read_text()
    assert query(fresh_db, sql) == [("RUB", None, 1)]
    # a rebuild from raw/ gives the same warnings, line for line
    before = query(fresh_db, "select * from cell_warnings order by all")
    assert rebuild(progress=False)["ok"]
    assert query(fresh_db, "select * from cell_warnings order by all") == before
    assert query(fresh_db, "select rows_warned, cells_warned from loads") == [(1, 1)]


def test_json_and_text_summary_count_warnings(fresh_db, tmp_path, capsys):
    path = write(tmp_path, "amo_deals.csv", AMO)
    assert main(["load", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    [rep] = out["files"]
    assert (rep["rows_loaded"], rep["rows_warned"], rep["cells_warned"]) == (3, 1, 1)
    assert rep["cell_warnings"][0]["raw"] == "договорная"
    second = write(tmp_path, "amo_deals_2.csv", AMO.replace("\n500", "\n600"))
    assert main(["load", str(second)]) == 0
    printed = capsys.readouterr().out
    assert "cells left empty 1 (in 1 rows)" in printed
    assert "row 3, column \"Бюджет\" = 'договорная': not a number; amount left empty" in printed


def test_optional_cells_load_empty(fresh_db, tmp_path):
    """An impossible close date on an open deal, a date out of range, a huge number, a word in clicks:
    the rows load with those cells empty; each cell is listed once."""
    deals = ("ID;Бюджет;Дата создания;Дата закрытия;Этап сделки\n"
             "1;100;03.01.2025;31.02.2025;Переговоры\n"
             "2;99999999999999999999;04.01.2025;;Переговоры\n"
             "3;300;05.01.2025;01.01.1900;Переговоры\n")
    rep = load_one(write(tmp_path, "deals.csv", deals))
    assert (rep["rows_loaded"], rep["rows_rejected"], rep["rows_warned"], rep["cells_warned"]) == (3, 0, 3, 3)
    assert query(fresh_db, 'select row_number, "column", raw, reason from cell_warnings order by 1') == [
        (2, "Дата закрытия", "31.02.2025", "no such date or unknown form; closed_at left empty"),
        (3, "Бюджет", "99999999999999999999", "number too large; amount left empty"),
        (4, "Дата закрытия", "01.01.1900", "date out of range (1990-2100); closed_at left empty")]
    assert query(fresh_db, "select deal_id, amount, closed_at from deals order by 1") == [
        ("1", D("100.00"), None), ("2", None, None), ("3", D("300.00"), None)]
    # VK Ads-style spend: a word in clicks keeps the row; a word in cost (the row's point) rejects it
    spend = (BOM + "Дата,Кампания,Показы,Клики,\"Потрачено, ₽\"\n"
             "2025-03-01,msk_brand,1500,много,\"2999,50\"\n"
             "2025-03-02,msk_brand,500,40,abc\n")
    rep = load_one(write(tmp_path, "vk.csv", spend))
    assert (rep["rows_loaded"], rep["rows_rejected"], rep["cells_warned"]) == (1, 1, 1)
    assert rep["reject_reasons"] == [{"row": 3, "reason": "not a number: 'abc' in column \"Потрачено, ₽\""}]
    assert rep["cell_warnings"][0]["column"] == "Клики" and rep["cell_warnings"][0]["raw"] == "много"
    assert query(fresh_db, "select date, clicks, impressions, cost from ad_spend") == [
        (dt.date(2025, 3, 1), None, 1500, D("2999.50"))]


# HubSpot: every field quoted; Pipedrive: 'Deal - ' headers, ISO times. A won deal's amount as words,
# an impossible win time: the deal stays, the cell is listed.
HUBSPOT = (
    '"Record ID","Deal Name","Deal Stage","Close Date","Create Date","Deal owner","Amount","Pipeline"\n'
    '"18000000001","Acme renewal","closedwon","2025-03-10 15:00","2025-02-01 09:30","John Smith","5000","Sales"\n'
    '"18000000002","Globex new","Closed Won","2025-03-12 11:00","2025-02-03 10:00","Jane Roe","TBD","Sales"\n'
)
PIPEDRIVE = ("Deal - ID,Deal - Title,Deal - Value,Deal - Currency of value,Deal - Status,Deal - Deal created,"
             "Deal - Won time,Deal - Lost time\n"
             "1,Acme deal,5000,USD,won,2025-02-01 09:30:00,2025-03-10 15:00:00,\n"
             "2,\"Globex, renewal\",1200.5,USD,won,2025-02-03 10:00:00,2025-02-30 11:00:00,\n")


@pytest.mark.parametrize("name, text, column, raw, field_name", [
    ("hubspot", HUBSPOT, "Amount", "TBD", "amount"),
    ("pipedrive", PIPEDRIVE, "Deal - Won time", "2025-02-30 11:00:00", "closed_at"),
])
def test_crm_exports_keep_a_deal_with_an_unreadable_cell(fresh_db, tmp_path, name, text, column, raw, field_name):
    rep = load_one(write(tmp_path, f"{name}.csv", text))
    assert (rep["format"], rep["rows_loaded"], rep["rows_rejected"], rep["cells_warned"]) == (name, 2, 0, 1)
    assert query(fresh_db, 'select row_number, "column", raw from cell_warnings') == [(3, column, raw)]
    assert query(fresh_db, f"select count(*) filter (where {field_name} is null), count(*) filter "
                           "(where status = 'won') from deals") == [(1, 2)]


def test_required_fields_still_reject(fresh_db, tmp_path):
    """Its id and its own date: without them the row cannot exist; its other bad cells are not warned."""
    text = ("ID;Бюджет;Дата создания;Город\n"
            "1;100;28.02.2026;Москва\n"
            ";200;01.03.2026;Москва\n"                  # no id
            "3;договорная;31.02.2026 10:00;Москва\n"     # no such day: rejected whole, amount and all
            "4;400;;Москва\n")                           # no date
    rep = load_one(write(tmp_path, "deals.csv", text))
    assert (rep["rows_read"], rep["rows_loaded"], rep["rows_rejected"], rep["cells_warned"]) == (4, 1, 3, 0)
    assert query(fresh_db, "select row_number, reason from rejects order by 1") == [
        (3, 'empty required field deal_id in column "ID"'),
        (4, "invalid date '31.02.2026 10:00' in column \"Дата создания\" (no such day or unknown form)"),
        (5, 'empty required field created_at in column "Дата создания"')]
    assert query(fresh_db, "select count(*) from cell_warnings") == [(0,)]


def test_warned_row_rejected_later_keeps_only_its_reject(fresh_db, tmp_path):
    """A row a later check rejects (an unknown currency) is a reject, not also a warning."""
    text = ("ID;Бюджет;Валюта;Дата создания\n"
            "1;договорная;RUB;03.01.2025\n"
            "2;договорная;Тугрик;04.01.2025\n")
    rep = load_one(write(tmp_path, "deals.csv", text))
    assert (rep["rows_loaded"], rep["rows_rejected"], rep["cells_warned"]) == (1, 1, 1)
    assert query(fresh_db, "select row_number from cell_warnings") == [(2,)]
    assert query(fresh_db, "select row_number from rejects") == [(3,)]


# ---------------------------------------------------------------------------------------------
# 4. Constants in mappings.

# A marketing-funnel company's closed-deals file: a win date and no status or currency column.
CLOSED = ("mql_id,seller_id,sdr_id,won_date,business_segment,declared_monthly_revenue\n"
          "m1,s1,d1,2018-02-26 19:58:54,pet,0\n"
          "m2,s2,d1,2018-05-08 20:17:59,car_accessories,\n"
          "m3,s3,d2,2018-06-05 17:27:23,home_decor,125000.5\n")
CLOSED_TOML = ('entity = "deals"\n[columns]\ndeal_id = "seller_id"\nlead_id = "mql_id"\ncreated_at = "won_date"\n'
               'closed_at = "won_date"\namount = "declared_monthly_revenue"\nproduct = "business_segment"\n'
               '[constants]\nstatus = "won"\ncurrency = "BRL"\nsource_system = "olist"\n')


def test_constants_set_every_row(fresh_db, tmp_path):
    path = write(tmp_path, "closed_deals.csv", CLOSED)
    rep = load_one(path, mapping_path=write(tmp_path, "closed.toml", CLOSED_TOML))
    assert (rep["rows_loaded"], rep["rows_rejected"]) == (3, 0)
    assert rep["constants"] == {"status": "won", "currency": "BRL", "source_system": "olist"}
    assert not any("no currency column" in n for n in rep["notes"])
    assert query(fresh_db, "select deal_id, source_system, status, currency, amount from deals order by 1") == [
        ("s1", "olist", "won", "BRL", D("0.00")), ("s2", "olist", "won", "BRL", None),
        ("s3", "olist", "won", "BRL", D("125000.50"))]
    # the manifest keeps the constants: a rebuild gives the same deals
    before = query(fresh_db, "select * from deals order by all")
    assert rebuild(progress=False)["ok"]
    assert query(fresh_db, "select * from deals order by all") == before


def test_constant_region_and_channel_are_canonical(fresh_db, tmp_path):
    text = "ID;Бюджет;Дата создания\n1;100;03.01.2025\n2;200;04.01.2025\n"
    toml = 'entity = "deals"\n[constants]\nregion = "мск"\nchannel = "seo"\n'
    load_one(write(tmp_path, "deals.csv", text), mapping_path=write(tmp_path, "m.toml", toml))
    assert query(fresh_db, "select distinct region, channel from deals") == [("Москва", "seo")]


def test_constant_replaces_a_synonym_column_and_says_so(fresh_db, tmp_path):
    text = "ID;Сумма;Дата создания;Статус\n1;100;03.01.2025;в работе\n"
    rep = load_one(write(tmp_path, "deals.csv", text),
                   mapping_path=write(tmp_path, "m.toml", '[constants]\nstatus = "lost"\n'))
    assert "status: constant 'lost' used for every row; column 'Статус' ignored" in rep["notes"]
    assert query(fresh_db, "select status from deals") == [("lost",)]


def test_a_repeated_column_is_named_as_not_read(fresh_db, tmp_path, capsys):
    """«…;Источник;Источник» with the value only in the second: only the first of a name is read, so the
    deal loaded with no source and channel unknown, and nothing said so. The load now says which column it
    read and which repeat it did not, in its notes and in the CLI's lines."""
    from etl.__main__ import main
    text = "ID;Бюджет;Дата создания;Источник;Источник\n1;100;03.01.2025;;Авито\n"
    rep = load_one(write(tmp_path, "deals.csv", text))
    assert "source: column 'Источник' is read; the file repeats it as 'Источник (2)', which is not read" \
        in rep["notes"], rep["notes"]
    capsys.readouterr()
    assert main(["load", str(write(tmp_path, "deals2.csv", text.replace("1;100", "2;100")))]) == 0
    assert "note: source: column 'Источник' is read; the file repeats it" in capsys.readouterr().out
    from ui.upload import note_lines
    repeated = ("Поле «Источник» читается из колонки «Источник»; её повтор в файле (Источник (2)) не читается — "
                "значения, записанные только там, не загружены.")
    assumed = "В файле нет колонки с валютой: суммы считаются в RUB (валюта по умолчанию)."
    assert note_lines(rep, "ru") == [repeated, assumed]


def test_every_note_the_load_makes_has_words_in_both_languages():
    """Each note code the ETL writes (Staged.note) is said on the Data page in ru and en."""
    import re

    from etl.paths import ROOT
    from ui.i18n import TEXT
    codes = {m for p in (ROOT / "etl").rglob("*.py")
             for m in re.findall(r'\bst\.note\(\s*"(\w+)"', p.read_text(encoding="utf-8"))}
    assert {"period", "merged", "currency_assumed", "repeated_column", "micros"} <= codes, codes
    for lang in ("ru", "en"):
        assert not [c for c in codes if f"data.load.note.{c}" not in TEXT[lang]], lang


@pytest.mark.parametrize("toml, message", [
    ('entity = "deals"\n[constant]\nstatus = "won"\n',
     "unknown section [constant] in the mapping; accepted: entity, [columns], [options], [constants]"),
    ('entity = "deals"\nstatus = "won"\n',
     "unknown key 'status' in the mapping; accepted: entity, [columns], [options], [constants]"),
    ('entity = "deals"\n[options]\ndecimals = ","\n',
     "unknown option 'decimals' in [options]; accepted: decimal, date_order, currency, source_system"),
])
def test_unknown_mapping_keys_are_errors(fresh_db, tmp_path, toml, message):
    path = write(tmp_path, "closed_deals.csv", CLOSED)
    with pytest.raises(LoadError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_files([path], mapping_path=write(tmp_path, "m.toml", toml), progress=False)
    assert not fresh_db.exists()  # nothing was read or built


@pytest.mark.parametrize("constants, message", [
    ('status = "closed"', "[constants] status = 'closed' is not a deal status; use one of: lost, open, won"),
    ('currency = "Реал"', "[constants] currency = 'Реал' is not a currency code of data/currencies.csv"),
    ('channel = "organic"', "[constants] channel = 'organic' is not a channel of data/channels.csv"),
    ('region = "Атлантида"', "[constants] region = 'Атлантида' is not a region of data/regions.csv"),
    ('colour = "red"', "[constants] names unknown field 'colour' for deals"),
    ('amount = "100"', "[constants] amount: a constant is text"),
])
def test_bad_constant_is_one_clear_line(fresh_db, tmp_path, constants, message):
    toml = CLOSED_TOML.split("[constants]")[0] + "[constants]\n" + constants + "\n"
    result = load_files([write(tmp_path, "closed_deals.csv", CLOSED)],
                        mapping_path=write(tmp_path, "m.toml", toml), progress=False)
    [rep] = result["files"]
    assert rep["status"] == "failed" and "\n" not in rep["error"]
    assert rep["error"].startswith("closed_deals.csv: ") and message in rep["error"]


def test_column_and_constant_for_one_field_is_an_error(fresh_db, tmp_path):
    toml = CLOSED_TOML + 'product = "any"\n'
    [rep] = load_files([write(tmp_path, "closed_deals.csv", CLOSED)],
                       mapping_path=write(tmp_path, "m.toml", toml), progress=False)["files"]
    assert "product has both a column ('business_segment') and a constant ('any')" in rep["error"]


def test_saved_profile_keeps_constants(fresh_db, tmp_path, config_copy):
    path = write(tmp_path, "closed_deals.csv", CLOSED)
    mapping = Mapping.read(write(tmp_path, "closed.toml", CLOSED_TOML))
    header = profiles.layout_of(path, tmp_path).header
    saved = profiles.save("closed deals", header, mapping)
    assert "[constants]" in saved.read_text(encoding="utf-8")
    name, again = profiles.match(sniff(path, tmp_path))
    assert (name, again.constants) == ("closed_deals", {"status": "won", "currency": "BRL", "source_system": "olist"})
    preview = profiles.preview(path, again)
    assert list(preview["rows"].status) == ["won"] * 3 and list(preview["rows"].currency) == ["BRL"] * 3
    rep = load_one(path)  # no flags: the profile, constants and all
    assert rep["format"] == "mapping:closed_deals"
    assert query(fresh_db, "select distinct status, currency, source_system from deals") == [("won", "BRL", "olist")]


# ---------------------------------------------------------------------------------------------
# 5. Deals inherit their lead's channel.

LEADS = ("lead_id;created_at;region;utm_source;utm_medium;utm_campaign\n"
         "L1;02.01.2025 09:00;мск;yandex;cpc;msk_brand\n"
         "L2;03.01.2025 09:00;Казань;vk;cpc;kzn_vk\n"
         "L3;04.01.2025 09:00;СПб;google;cpc;spb_search\n")
DEALS = ("deal_id;created_at;amount;status;region;utm_source;lead_id\n"
         "D1;05.01.2025;1000;won;;;L1\n"                # no source: takes L1's channel, campaign, region
         "D2;06.01.2025;2000;won;Самара;;L2\n"          # its own region stays
         "D3;07.01.2025;3000;won;;google;L3\n"          # its own source stays
         "D4;08.01.2025;4000;open;;;L9\n")              # no such lead: unknown


def inherited(db: Path) -> list[tuple]:
    return query(db, "select deal_id, channel, utm_campaign, region, channel_from_lead from deals order by 1")


EXPECTED = [("D1", "yandex_direct", "msk_brand", "Москва", True), ("D2", "vk_ads", "kzn_vk", "Самара", True),
            ("D3", "google_ads", None, None, False), ("D4", "unknown", None, None, False)]


@pytest.mark.parametrize("order", ["leads first", "deals first", "together"])
def test_deals_take_their_leads_channel(fresh_db, tmp_path, order):
    leads, deals = write(tmp_path, "leads.csv", LEADS), write(tmp_path, "deals.csv", DEALS)
    if order == "together":
        result = load_files([deals, leads], progress=False)
    else:
        first, second = (leads, deals) if order == "leads first" else (deals, leads)
        load_files([first], progress=False)
        result = load_files([second], progress=False)
    assert result["ok"] and result["deals_channel_from_lead"] == 2
    assert inherited(fresh_db) == EXPECTED
    assert query(fresh_db, "select count(*) from deals") == [(4,)]


def test_inheritance_follows_a_reloaded_lead_and_survives_rebuild(fresh_db, tmp_path, capsys):
    load_files([write(tmp_path, "leads.csv", LEADS), write(tmp_path, "deals.csv", DEALS)], progress=False)
    # the CRM re-exports L1 with another source: its deal follows at the next build
    load_files([write(tmp_path, "leads_2.csv", LEADS.splitlines()[0] + "\nL1;02.01.2025 09:00;мск;vk;cpc;msk_vk\n")],
               progress=False)
    assert inherited(fresh_db)[0] == ("D1", "vk_ads", "msk_vk", "Москва", True)
    before = query(fresh_db, "select * from deals order by all")
    assert rebuild(progress=False)["deals_channel_from_lead"] == 2
    assert query(fresh_db, "select * from deals order by all") == before
    assert main(["status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["deals_channel_from_lead"] == 2


def test_a_lead_without_a_source_still_gives_its_region(fresh_db, tmp_path):
    """A deal exported with no region and no source names a lead that has a region but no source: the deal
    stood in the regions' «(none)» row though its lead said where the client is; it now takes the region
    (not a channel: it stays unknown, and is not counted as taking its lead's channel). When the lead is
    re-exported without a region the deal has none again, and a rebuild gives the same table."""
    leads = "lead_id;created_at;region;source\nL7;02.01.2025 09:00;Казань;\nL8;02.01.2025 09:00;;\n"
    deals = "deal_id;created_at;amount;status;region;lead_id\nD7;05.01.2025;1000;won;;L7\nD8;05.01.2025;500;won;;L8\n"
    result = load_files([write(tmp_path, "leads.csv", leads), write(tmp_path, "deals.csv", deals)], progress=False)
    assert result["ok"] and result["deals_channel_from_lead"] == 0
    assert inherited(fresh_db) == [("D7", "unknown", None, "Казань", False), ("D8", "unknown", None, None, False)]
    before = query(fresh_db, "select * from deals order by all")
    assert rebuild(progress=False)["ok"]
    assert query(fresh_db, "select * from deals order by all") == before
    load_files([write(tmp_path, "leads_2.csv", "lead_id;created_at;region;source\nL7;02.01.2025 09:00;;\n")],
               progress=False)
    assert inherited(fresh_db)[0] == ("D7", "unknown", None, None, False)


def test_a_lead_id_two_systems_share_never_fans_out(fresh_db, tmp_path):
    """L1 exists in two source systems: a deal of one of them takes that one's lead; a deal of a third
    system takes one of them, always the same (first by system name), and stays one row."""
    lead_a = write(tmp_path, "leads_a.csv", "lead_id;created_at;utm_source\nL1;02.01.2025;yandex\n")
    lead_b = write(tmp_path, "leads_b.csv", "lead_id;created_at;utm_source\nL1;02.01.2025;vk\n")
    deals_b = write(tmp_path, "deals_b.csv", "deal_id;created_at;amount;lead_id\nD1;05.01.2025;100;L1\n")
    deals_c = write(tmp_path, "deals_c.csv", "deal_id;created_at;amount;lead_id\nD2;05.01.2025;100;L1\n")
    for path, system in ((lead_a, "alpha"), (lead_b, "beta"), (deals_b, "beta"), (deals_c, "gamma")):
        load_one(path, mapping=Mapping(constants={"source_system": system}))
    assert query(fresh_db, "select deal_id, source_system, channel, channel_from_lead from deals order by 1") == [
        ("D1", "beta", "vk_ads", True), ("D2", "gamma", "yandex_direct", True)]
