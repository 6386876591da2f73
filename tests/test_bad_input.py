"""Bad input as a person brings it: each file is refused in one line (what, where, what to do) and the warehouse
stays exactly as it was; a file that is merely unusual still loads whole."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from etl.errors import LoadError
from etl.load import load_files
from tests.apptest import sql
from ui import upload

HEADER = "ID;Бюджет;Дата создания;Этап сделки;Город"


def deals(n: int, first: int = 9100) -> list[str]:
    return [f"{first + i};{1000 + i};0{1 + i % 9}.03.2025;Переговоры;Москва" for i in range(n)]


def state(db: Path) -> tuple:
    return (sql(db, "select load_id, file_name, rows_read, rows_loaded, rows_rejected from loads order by load_id"),
            sql(db, "select count(*), sum(amount) from deals"), sql(db, "select count(*) from rejects"))


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_quote_never_closed_refuses_the_file_instead_of_swallowing_the_rest(fresh_db, tmp_path):
    """A stray quote on one row made the reader take every later line as that row's cell: 5 of 12 rows
    loaded, none rejected, nothing said. Now the file is refused naming the row, and nothing changes."""
    (first,) = load_files([write(tmp_path / "deals_feb.csv", [HEADER, *deals(3, 9000)])], progress=False)["files"]
    assert first["status"] == "loaded"
    before = state(fresh_db)
    rows = deals(12)
    rows[3] = rows[3].replace(";Переговоры", ';"Переговоры')      # file row 5 (the header is row 1)
    (r,) = load_files([write(tmp_path / "deals_march.csv", [HEADER, *rows])], progress=False)["files"]
    assert r["status"] == "failed" and r["code"] == "unclosed_quote", r
    assert r["fields"] == {"file": "deals_march.csv", "line": 5, "last": 13}
    assert r["error"].startswith("deals_march.csv: line 5: a quote opens a cell") and "\n" not in r["error"]
    assert "строке 5" in upload.error_line(r, "ru") and "строки 5–13" in upload.error_line(r, "ru")
    assert state(fresh_db) == before
    # the same rows through the Data page's upload: the same refusal, the warehouse as it was
    (u,) = upload.load_uploads([("deals_march.csv", (tmp_path / "deals_march.csv").read_bytes())],
                               who="tester")["files"]
    assert u["code"] == "unclosed_quote" and state(fresh_db) == before


def test_quotes_that_close_or_sit_inside_a_cell_still_load_every_row(fresh_db, tmp_path):
    """A quote inside an unquoted cell (27") and a quoted cell spanning lines on the last row are text,
    not a broken file: all 12 rows load."""
    rows = deals(12)
    rows[3] = rows[3].replace(";Переговоры", ";Переговоры 27\"")
    rows[11] = rows[11].replace(";Москва", ';"Москва\nцентр"')
    (r,) = load_files([write(tmp_path / "deals_march.csv", [HEADER, *rows])], progress=False)["files"]
    assert r["status"] == "loaded" and r["rows_read"] == 12 and r["rows_loaded"] == 12, r


@pytest.mark.parametrize("line, code, words", [
    ('Новоград,"Приволжский,ng', "config_unclosed_quote", "line 18 opens a quoted cell"),
    ("Новоград,Приволжский", "config_short_line", "line 18 has 2 cells where the header names 3"),
])
def test_a_broken_line_in_a_vocabulary_names_its_line_and_changes_nothing(fresh_db, config_copy, tmp_path, line, code,
                                                                         words):
    """A hand edit of data/regions.csv with an unclosed quote or a missing cell stopped every load with
    "unexpected AttributeError: 'NoneType' object has no attribute 'split'". Now: the file and its line."""
    load_files([write(tmp_path / "deals_feb.csv", [HEADER, *deals(3, 9000)])], progress=False)
    before = state(fresh_db)
    regions = config_copy / "regions.csv"
    assert len(regions.read_text(encoding="utf-8").splitlines()) == 17
    with regions.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    with pytest.raises(LoadError) as refused:
        load_files([write(tmp_path / "deals_march.csv", [HEADER, *deals(4)])], progress=False)
    assert refused.value.code == code and words in str(refused.value) and "\n" not in str(refused.value)
    assert "18" in upload.error_line({"code": code, "fields": refused.value.fields, "error": ""}, "ru")
    assert state(fresh_db) == before


def test_a_header_the_app_does_not_know_is_worded_in_the_readers_words(fresh_db, tmp_path):
    """The Russian Data page said «…в каких колонках deal_id, created_at, amount для таблицы deals…»: the
    warehouse's codes. It now names what the mapping step below it names: «ID сделки», «сделки»."""
    (r,) = load_files([write(tmp_path / "export.csv", ["foo;bar;baz", "1;2;3"])], progress=False)["files"]
    assert r["code"] == "columns_not_found" and r["error"].startswith("export.csv: cannot tell which columns hold")
    ru, en = upload.error_line(r, "ru"), upload.error_line(r, "en")
    assert "ID сделки, Дата создания, Сумма для таблицы «сделки»" in ru, ru
    assert not {"deal_id", "created_at", "deals»"} & set(re.findall(r"[\w»]+", ru)), ru
    assert "foo, bar, baz" in ru and "Deal ID" in en and "for deals." in en, en


PLAN = ["Месяц;Регион;Продукт;Показатель;План;Ответственный", "01.01.2025;;;revenue;3129000;company",
        "01.01.2025;Москва;;revenue;867000;sales", "01.01.2025;Казань;;leads;300;marketing"]


def test_a_plan_giving_one_region_month_two_targets_is_refused_naming_both_rows(fresh_db, tmp_path):
    """A plan file with Москва's January revenue twice (867 000, then 999 as «мск») loaded as «1 merged into
    another row of their key»: the later target replaced the plan in silence. Now the file is refused in
    one line naming both rows and both targets; the plan in force stays. The same line twice still loads."""
    assert load_files([write(tmp_path / "plan_2025.csv", PLAN)], progress=False)["ok"]
    before = state(fresh_db), sql(fresh_db, "select month, region, metric, target from plan order by all")
    doubled = [*PLAN[:3], "01.02.2025;Москва;;revenue;900000;sales", "01.01.2025;мск;;revenue;999;sales"]
    (r,) = load_files([write(tmp_path / "plan_v2.csv", doubled)], progress=False)["files"]
    assert r["status"] == "failed" and r["code"] == "plan_conflict", r
    assert r["error"].startswith("plan_v2.csv: rows 3 and 5 give revenue for 2025-01, region Москва, product - "
                                 "two targets (867000.00 and 999.00)"), r["error"]
    ru = upload.error_line(r, "ru")
    said = ("строки 3 и 5 задают план «Выручка» на 2025-01 (регион: Москва, продукт: —) два разных значения — "
            "867\u00a0000 и 999.")
    assert said in ru and "\n" not in ru, ru
    assert "two targets, 867,000 and 999." in upload.error_line(r, "en")
    assert (state(fresh_db), sql(fresh_db, "select month, region, metric, target from plan order by all")) == before
    (same,) = load_files([write(tmp_path / "plan_v3.csv", [*PLAN, PLAN[2]])], progress=False)["files"]
    assert same["status"] == "loaded" and same["rows_duplicate"] == 1, same


def test_a_file_cut_short_mid_row_is_refused_naming_the_row(fresh_db, tmp_path):
    """A download cut off mid-row loaded 11 of 12 deals and rejected the 12th as «empty required field
    created_at» (cut inside a quote, the same): nothing said the file was incomplete. Now it is refused in
    one line naming the row. A whole last row without a line end, and a short row ending its line, load."""
    load_files([write(tmp_path / "deals_feb.csv", [HEADER, *deals(3, 9000)])], progress=False)
    before = state(fresh_db)
    rows = deals(12)
    for name, last in (("cut.csv", rows[11][:9]), ("cut_in_quote.csv", '9111;"АО ""Гр')):
        (tmp_path / name).write_text("\n".join([HEADER, *rows[:11], last]), encoding="utf-8")
        (r,) = load_files([tmp_path / name], progress=False)["files"]
        assert r["status"] == "failed" and r["code"] == "cut_short", r
        assert r["fields"]["row"] == 13 and r["fields"]["needed"] == 5 and "\n" not in r["error"], r
        assert "обрывается посреди строки 13" in upload.error_line(r, "ru")
        assert state(fresh_db) == before
    (tmp_path / "whole.csv").write_text("\n".join([HEADER, *rows]), encoding="utf-8")       # no line end: whole
    (r,) = load_files([tmp_path / "whole.csv"], progress=False)["files"]
    assert r["status"] == "loaded" and r["rows_loaded"] == 12, r
    (r,) = load_files([write(tmp_path / "short.csv", [HEADER, *deals(3, 9200), "9203;1000"])], progress=False)["files"]
    assert r["status"] == "loaded" and r["rows_loaded"] == 3 and r["rows_rejected"] == 1, r


def test_a_csv_saved_under_a_workbooks_name_loads_as_the_text_it_is(fresh_db, tmp_path):
    """deals.xlsx holding CSV text (a report saved with the wrong extension) failed with «cannot read the
    workbook (invalid Zip archive: Could not find EOCD)», while a CSV named .parquet loaded: the bytes decide."""
    path = write(tmp_path / "deals.xlsx", [HEADER, *deals(4)])
    (r,) = load_files([path], progress=False)["files"]
    assert (r["status"], r["container"], r["rows_loaded"]) == ("loaded", "csv", 4), r
    (tmp_path / "junk.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))   # neither text nor a workbook
    (r,) = load_files([tmp_path / "junk.xlsx"], progress=False)["files"]
    assert (r["status"], r["code"]) == ("failed", "not_a_table"), r


def test_damaged_bytes_and_a_cut_character_name_their_line_or_the_cut(fresh_db, tmp_path, monkeypatch):
    """A UTF-8 export with three damaged bytes on line 5 said «byte 202 is not valid cp1251» (the wrong
    encoding and a byte far from the damage); a UTF-16 download cut mid-character «byte 0 is not valid
    utf-16-le-bom»; a windows-1251 byte past the first chunk was counted from that chunk's start."""
    from etl import sniff
    load_files([write(tmp_path / "deals_feb.csv", [HEADER, *deals(3, 9000)])], progress=False)
    before = state(fresh_db)
    text = "\n".join([HEADER, *deals(12)]) + "\n"
    data = text.encode()
    at = data.index(b"\n", data.index(b"\n", data.index(b"\n", data.index(b"\n") + 1) + 1) + 1) + 6   # in line 5
    (tmp_path / "damaged.csv").write_bytes(data[:at] + b"\xff\xfe\xfa" + data[at:])
    (r,) = load_files([tmp_path / "damaged.csv"], progress=False)["files"]
    assert (r["code"], r["fields"]) == ("bad_utf8", {"file": "damaged.csv", "line": 5}), r
    assert "в строке 5 байты не в UTF-8" in upload.error_line(r, "ru")
    (tmp_path / "cut16.csv").write_bytes(text.encode("utf-16")[:-1])
    (r,) = load_files([tmp_path / "cut16.csv"], progress=False)["files"]
    assert r["code"] == "cut_mid_character", r
    assert state(fresh_db) == before
    monkeypatch.setattr(sniff, "CHUNK", 1000)
    latin = ("Дата;Сумма\n" * 300).encode("cp1251")
    (tmp_path / "c1251.csv").write_bytes(latin[:2500] + b"\x98" + latin[2500:])
    with pytest.raises(LoadError) as refused:
        sniff.transcode(tmp_path / "c1251.csv", "cp1251", tmp_path / "out.csv")
    assert refused.value.fields["byte"] == 2500


def _unwritable(tmp_path: Path, how: str, monkeypatch) -> Path:
    """A data folder no load can write in, with (for `permission`) a warehouse already loaded there."""
    if how == "under_a_file":              # PARITY_DB pointing below a regular file (bites as root too)
        (tmp_path / "not_a_folder").write_text("x", encoding="utf-8")
        folder = tmp_path / "not_a_folder" / "data"
        monkeypatch.setenv("PARITY_DB", str(folder / "warehouse.duckdb"))
        return folder
    folder = tmp_path / "data"
    monkeypatch.setenv("PARITY_DB", str(folder / "warehouse.duckdb"))
    assert load_files([write(tmp_path / "first.csv", [HEADER, *deals(2)])], progress=False)["ok"]
    folder.chmod(0o555)                    # read and list, never write
    return folder


@pytest.mark.parametrize("how, cause", [
    ("under_a_file", "not_a_folder"),
    pytest.param("permission", "permission", marks=pytest.mark.skipif(
        os.geteuid() == 0, reason="root writes whatever the mode bits say; under_a_file bites as root")),
])
def test_a_data_folder_that_cannot_be_written_is_one_line(tmp_path, monkeypatch, capsys, how, cause):
    """A load into a folder it cannot write in failed with a traceback from Builder (NotADirectoryError) in
    the API, «error: the audit trail ... ([Errno 17] File exists: ...)» on the command line, and «unexpected
    error» or the audit trail's «free disk space» on the upload page (reproduced on a read-only mount too:
    OSError [Errno 30]). Now: which folder, why, what to do, in one line; nothing changes."""
    from etl.__main__ import main

    folder = _unwritable(tmp_path, how, monkeypatch)
    before = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else None
    try:
        path = write(tmp_path / "deals.csv", [HEADER, *deals(3, 9200)])
        with pytest.raises(LoadError) as refused:
            load_files([path], progress=False)
        assert (refused.value.code, refused.value.fields["cause"]) == ("data_folder_unwritable", cause)
        where = refused.value.fields["path"]
        assert where == str(folder if how == "permission" else folder.parent)
        assert main(["load", str(path)]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"error: {where}: the data folder cannot be written: ") and "\n" not in err, err
        assert "Errno" not in err and "Traceback" not in err and "then load again; nothing was loaded" in err
        page = upload.load_uploads([("deals.csv", path.read_bytes())], who="tester")
        assert page["error"]["code"] == "data_folder_unwritable", page
        ru = upload.error_line(page["error"], "ru")
        assert ru.startswith(f"Ничего не загружено: в папку данных {where} нельзя записать — "), ru
        assert re.findall(r"[A-Za-z]{3,}", ru.replace(where, "").replace("PARITY_DB", "")) == [], ru
        assert "Errno" not in upload.error_line(page["error"], "en")
        assert (sorted(p.name for p in folder.iterdir()) if folder.is_dir() else None) == before
    finally:
        if folder.is_dir():
            folder.chmod(0o755)
