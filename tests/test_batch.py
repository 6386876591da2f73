"""One file's failure is that file's alone: in a batch each file lands or is refused on its own with one
line (code and fields for the UI's language); every merge's row arithmetic is checked, so a fan-out
refuses its file instead of landing; unexpected errors are logged with a reference, never a traceback."""
from __future__ import annotations

import re
from decimal import Decimal as D
from pathlib import Path

import pytest

import etl.build
import etl.load
from etl.__main__ import main
from etl.errors import log_path
from etl.load import load_files
from tests.test_periods import GOOGLE, METRICA, query, write

# HubSpot deals as exported: every field quoted, Record ID, Create Date, Close Date of open deals expected.
HUBSPOT = (b'"Record ID","Deal Name","Deal Stage","Close Date","Create Date","Deal owner","Amount","Pipeline",'
           b'"Original Traffic Source"\n'
           b'"18000000001","Acme renewal","closedwon","2026-03-05 15:00","2026-02-01 09:30","John Smith","5000",'
           b'"Sales Pipeline","Paid Search"\n'
           b'"18000000002","Globex new","Closed Lost","2026-03-06 11:00","2026-02-03 10:00","Jane Roe","1200.50",'
           b'"Sales Pipeline","Organic Search"\n'
           b'"18000000003","Initech pilot","contractsent","2026-04-30 00:00","2026-02-10 12:00","Jane Roe","",'
           b'"Sales Pipeline","Direct Traffic"\n')
# amoCRM deals (newer export): `;`, UTF-8 with BOM, Russian headers, utm columns; a city per deal.
AMO = ("\ufeffID;Название сделки;Бюджет;Ответственный;Дата создания;Дата закрытия;Этап сделки;Город;"
       "utm_source;utm_medium;utm_campaign\n"
       "501;Окна;150 000;Анна Смирнова;02.03.2026 10:15:00;;Переговоры;г. Москва;vk;cpc;msk_vk\n"
       "502;Двери;80 000;Олег Петров;03.03.2026 11:00:00;05.03.2026 12:00:00;Успешно реализовано;Казань;"
       "yandex;cpc;kzn_search\n").encode()
# A workbook cut short in transfer: the zip header and nothing readable after it.
BROKEN_XLSX = b"PK\x03\x04" + bytes(range(256)) * 8


def statuses(result: dict) -> dict[str, str]:
    return {f["file"]: f["status"] for f in result["files"]}


def test_batch_lands_the_good_files_and_refuses_the_bad_ones_alone(fresh_db, tmp_path, capsys):
    good = [write(tmp_path, "hubspot-crm-exports-all-deals-2026-03-11.csv", HUBSPOT),
            write(tmp_path, "utm_2026-03-01_2026-03-10.csv", METRICA)]
    bad = [write(tmp_path, "Сделки.xlsx", BROKEN_XLSX), write(tmp_path, "utm.csv", METRICA.replace(b"vk,", b"vk2,"))]
    assert main(["load", str(good[0]), str(bad[0]), str(good[1]), str(bad[1])]) == 1
    out, err = capsys.readouterr()
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 2, err                                   # one line per bad file, nothing else
    assert lines[0].startswith("FAILED Сделки.xlsx: ") and "xlsx or CSV" in lines[0]
    assert lines[1].startswith("FAILED utm.csv: ") and "--period" in lines[1]
    assert "Traceback" not in out + err
    assert query(fresh_db, "select file_name, entity from loads order by load_id") == [
        (good[0].name, "deals"), (good[1].name, "traffic")]
    assert query(fresh_db, "select count(*), sum(amount) from deals") == [(3, D("6200.50"))]
    assert query(fresh_db, "select sum(visits) from traffic") == [(470,)]


@pytest.fixture
def no_vk_channel(config_copy):
    """A config where channel rules send `vk` to a channel data/channels.csv does not list (a config slip)."""
    channels = config_copy / "channels.csv"
    lines = channels.read_text(encoding="utf-8").splitlines(keepends=True)
    channels.write_text("".join(ln for ln in lines if not ln.startswith("vk_ads,")), encoding="utf-8")
    return config_copy


def test_a_failing_check_refuses_that_file_alone(fresh_db, tmp_path, no_vk_channel):
    files = [write(tmp_path, "hubspot.csv", HUBSPOT), write(tmp_path, "amo_deals.csv", AMO),
             write(tmp_path, "utm_2026-03-01_2026-03-10.csv", METRICA)]
    result = load_files(files, progress=False)
    assert statuses(result) == {"hubspot.csv": "loaded", "amo_deals.csv": "failed",
                                "utm_2026-03-01_2026-03-10.csv": "loaded"}
    failed = result["files"][1]
    assert failed["code"] == "check_failed" and failed["fields"]["check"] == "channels_canonical (1 rows)"
    assert failed["error"].startswith("amo_deals.csv: data check channels_canonical (1 rows) fails with this file")
    assert "\n" not in failed["error"] and "load it again" in failed["error"]
    # nothing of the refused file: no deals, no load, no rejects; the others are whole
    assert query(fresh_db, "select source_system, count(*) from deals group by 1") == [("hubspot", 3)]
    assert query(fresh_db, "select count(*) from loads where file_name = 'amo_deals.csv'") == [(0,)]
    assert query(fresh_db, "select sum(visits) from traffic") == [(470,)]


# ---------------------------------------------------------------------------------------------
# Row arithmetic: rows read = loaded + rejected + duplicates; rows inserted = loaded (+ spread days)
# - rows merged into their key; a fan-out breaks it

@pytest.fixture
def doubled_lookup(monkeypatch):
    """Forces a fan-out: after the batch's region and currency lookups are built, every row is in twice
    (what a vocabulary listing one value under two keys used to do)."""
    real = etl.load.run_file

    def run_file(con, path, params=None):
        written = real(con, path, params)      # the rows each table got: what the incremental build reads
        name = Path(path).name
        if name in ("lookups_region.sql", "lookups_currency.sql"):
            table = "lk_region" if "region" in name else "lk_currency"
            con.execute(f"insert into {table} select * from {table}").fetchall()
        return written

    monkeypatch.setattr(etl.load, "run_file", run_file)


def test_a_fan_out_refuses_its_file_alone(fresh_db, tmp_path, doubled_lookup):
    files = [write(tmp_path, "hubspot.csv", HUBSPOT),               # deals, no region or currency column
             write(tmp_path, "amo_deals.csv", AMO),                 # deals with a city: joins fan out
             write(tmp_path, "Campaign report.csv", GOOGLE),        # ad spend with a currency: sums would double
             write(tmp_path, "utm_2026-03-01_2026-03-10.csv", METRICA)]
    result = load_files(files, progress=False)
    assert statuses(result) == {"hubspot.csv": "loaded", "amo_deals.csv": "failed",
                                "Campaign report.csv": "failed", "utm_2026-03-01_2026-03-10.csv": "loaded"}
    amo, google = result["files"][1], result["files"][2]
    assert (amo["code"], amo["fields"]["inserted"], amo["fields"]["expected"]) == ("row_arithmetic", 4, 2)
    assert amo["error"] == ("amo_deals.csv: internal error: the deals merge wrote 4 rows where the file's "
                            "arithmetic says 2 (2 rows loaded + 0 days spread - 0 merged into their key): a lookup "
                            "matched a row more than once; nothing from the file was kept, the other files load; "
                            "report this with the file")
    # the aggregating merge writes its 20 day rows either way, but 40 rows went into them: counted as
    # merged that makes 2 loaded + 18 spread - 20 merged = 0 expected, so the sums cannot double unseen
    assert (google["code"], google["fields"]["inserted"], google["fields"]["expected"]) == ("row_arithmetic", 20, 0)
    assert query(fresh_db, "select (select count(*) from deals), (select count(*) from ad_spend), "
                           "(select list(file_name order by load_id) from loads)") == [
        (3, 0, ["hubspot.csv", "utm_2026-03-01_2026-03-10.csv"])]


TOUCHES = ("touch_at,lead_id,deal_id,channel,campaign\n"
           "2025-01-03 08:00:00,L1,,yandex_direct,camp_a\n"
           "2025-01-04 08:00:00,L1,D1,vk_ads,camp_b\n")


@pytest.mark.parametrize("channel", ["channel", "'email'"], ids=["same row twice", "another channel"])
def test_a_touchpoints_fan_out_refuses_the_file(fresh_db, tmp_path, monkeypatch, channel):
    """Every channel rule twice: a second copy that equals the first would be taken for a repeated
    touch and merged away, one that differs would stay; either breaks merge_touchpoints' arithmetic."""
    real = etl.load.run_file

    def run_file(con, path, params=None):
        written = real(con, path, params)
        if Path(path).name == "channel_map.sql":
            con.execute(f"insert into chan_map select * replace ({channel} as channel) from chan_map").fetchall()
        return written

    monkeypatch.setattr(etl.load, "run_file", run_file)
    rep = load_files([write(tmp_path, "touchpoints.csv", TOUCHES.encode())], progress=False)["files"][0]
    # 2 rows loaded, 4 written: 2 taken for repeats leave 2 where 0 are expected, or 4 stay where 2 are
    expected = (2, 0) if channel == "channel" else (4, 2)
    assert (rep["status"], rep["code"], rep["fields"]["inserted"], rep["fields"]["expected"]) == (
        "failed", "row_arithmetic", *expected)
    assert not fresh_db.exists()        # the only file refused: no warehouse was swapped in


def test_bitrix24_lines_merged_into_their_deal_are_counted(fresh_db):
    path = Path(__file__).resolve().parent / "data" / "formats" / "bitrix24_products.csv"
    rep = load_files([path], progress=False)["files"][0]
    deals = query(fresh_db, "select count(*) from deals")[0][0]
    assert rep["rows_read"] == rep["rows_loaded"] + rep["rows_rejected"] + rep["rows_duplicate"]
    assert rep["rows_inserted"] == deals == rep["rows_loaded"] - rep["rows_merged"]
    # by hand: deal 101 has 2 good lines and deal 103 has 2, so 2 lines are merged into their deal
    assert rep["rows_merged"] == 2
    assert any("2 rows merged into another row of their key" in n for n in rep["notes"])


# ---------------------------------------------------------------------------------------------
# Unexpected errors: logged with their traceback, one line with the reference

def logged(ref: str) -> str:
    text = log_path().read_text(encoding="utf-8")
    start = text.index(f"ref {ref}:")
    return text[start:]


def test_an_unexpected_error_fails_its_file_alone_with_a_reference(fresh_db, tmp_path, monkeypatch):
    real = etl.load._check_file

    def buggy(con, name, entity):
        if name == "amo_deals.csv":
            raise ZeroDivisionError("division by zero")
        return real(con, name, entity)

    monkeypatch.setattr(etl.load, "_check_file", buggy)
    result = load_files([write(tmp_path, "amo_deals.csv", AMO), write(tmp_path, "hubspot.csv", HUBSPOT)],
                        progress=False)
    assert statuses(result) == {"amo_deals.csv": "failed", "hubspot.csv": "loaded"}
    failed = result["files"][0]
    ref = failed["fields"]["ref"]
    assert failed["code"] == "unexpected" and re.fullmatch(r"[0-9a-f]{8}", ref)
    assert failed["error"] == (f"amo_deals.csv: unexpected error (ZeroDivisionError: division by zero); nothing "
                               f"from it was kept; the details are in {log_path()} under ref {ref}")
    entry = logged(ref)
    assert "Traceback" in entry and "ZeroDivisionError" in entry and "buggy" in entry
    assert query(fresh_db, "select source_system, count(*) from deals group by 1") == [("hubspot", 3)]


def test_cli_prints_one_line_with_the_reference(fresh_db, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("PARITY_DEBUG", raising=False)

    def broken_commit(self):
        raise RuntimeError("no space left on device\n(second line)")

    monkeypatch.setattr(etl.build.Builder, "commit", broken_commit)
    assert main(["load", str(write(tmp_path, "hubspot.csv", HUBSPOT))]) == 2
    _out, err = capsys.readouterr()
    [line] = [ln for ln in err.splitlines() if ln.strip()]
    found = re.fullmatch(r"error: unexpected RuntimeError: no space left on device \(nothing was changed; the "
                         r"details are in (.+) under ref ([0-9a-f]{8})\)", line)
    assert found and found.group(1) == str(log_path()), line
    assert "Traceback" in logged(found.group(2)) and "broken_commit" in logged(found.group(2))
    assert not fresh_db.exists()                                    # the warehouse was never swapped in


# ---------------------------------------------------------------------------------------------
# The Data page's words for these errors, and its way in

def test_errors_in_the_readers_language(fresh_db, tmp_path):
    from ui import upload
    result = load_files([write(tmp_path, "utm.csv", METRICA)], progress=False)["files"][0]
    assert upload.error_line(result, "ru") == (
        "utm.csv: в отчёте нет колонки с датой, а период не указан ни в заголовке, ни в имени файла. Выберите "
        "даты отчёта в поле «Период отчёта» и загрузите файл снова; ничего из него не загружено.")
    assert upload.error_line(result, "en").startswith("utm.csv: the report has no date column")
    # an error the UI has no words for keeps the ETL's own line, framed in the reader's language
    plain = {"file": "x.csv", "status": "failed", "error": "x.csv: the file is empty", "code": None}
    assert upload.error_line(plain, "ru") == "Не загружено: x.csv: the file is empty"


def test_upload_batch_failure_is_one_line_not_a_traceback(fresh_db, tmp_path, monkeypatch):
    from ui import upload
    monkeypatch.delenv("PARITY_DEBUG", raising=False)
    monkeypatch.setattr(etl.build.Builder, "commit", lambda self: 1 / 0)
    result = upload.load_uploads([("hubspot.csv", HUBSPOT)])
    assert result["ok"] is False and result["files"] == []
    ref = result["error"]["fields"]["ref"]
    assert upload.error_line(result["error"], "ru") == (
        f"upload: непредвиденная ошибка, ничего не изменилось. Подробности — в журнале {log_path()}, ссылка {ref}.")
    assert "ZeroDivisionError" in logged(ref)


def test_a_page_error_is_one_line_with_a_reference(fresh_db, monkeypatch):
    from streamlit.testing.v1 import AppTest
    monkeypatch.delenv("PARITY_DEBUG", raising=False)

    def script():
        from ui import page

        class Broken:
            url_path = "broken"

            def run(self):
                raise KeyError("column_that_is_not_there")

        page.run_guarded(Broken())

    at = AppTest.from_function(script, default_timeout=30).run()
    assert not at.exception
    [error] = at.error
    ref = re.search(r"ссылка ([0-9a-f]{8})", error.value).group(1)
    assert "column_that_is_not_there" not in error.value
    assert "KeyError" in logged(ref) and "page broken" in logged(ref)
