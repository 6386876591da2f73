"""Hostile uploads, made by hand as an attacker would make them: a zip-bomb workbook, names that try to
leave the upload folder, an oversized file. Each is refused in one line (or, for a name, kept as a label
only), nothing already loaded changes, and nothing lands outside data/raw under a name of its own."""
from __future__ import annotations

import json
import re
import tomllib
import zipfile
from pathlib import Path

import pytest

from etl import limits
from etl.errors import LoadError
from etl.load import load_files, manifest_path
from etl.paths import raw_dir
from model import audit
from tests.apptest import ROOT, sql
from ui import upload

DEALS = ("ID;Бюджет;Дата создания;Этап сделки;Город\n"
         "9101;2 500;04.03.2025;Переговоры;Москва\n9102;4 000;05.03.2025;Переговоры;Казань\n")
RAW_NAME = re.compile(r"[0-9a-f]{64}(\.[a-z0-9]{1,8})?|manifest\.jsonl")


def zip_bomb(path: Path, inflated_mb: int = 40) -> Path:
    """An .xlsx-shaped zip whose sheet is `inflated_mb` MB of one repeated row: a few dozen KB on disk."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                                           'package/2006/content-types"/>')
        zf.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            row = b"<row><c><v>0</v></c></row>" * 40_000
            for _ in range(inflated_mb * limits.MB // len(row) + 1):
                fh.write(row)
    return path


def state(db: Path) -> tuple:
    """What is loaded: every load and every table's rows, and the raw manifest."""
    loads = sql(db, "select load_id, file_name, sha256, rows_loaded from loads order by load_id")
    counts = sql(db, "select (select count(*) from deals), (select count(*) from leads), (select count(*) from sales)")
    return loads, counts, manifest_path().read_text(encoding="utf-8")


def raw_names() -> set[str]:
    return {p.name for p in raw_dir().iterdir()}


def test_zip_bomb_workbook_is_refused_before_it_is_opened(copy_of_warehouse, tmp_path, monkeypatch):
    bomb = zip_bomb(tmp_path / "deals.xlsx", inflated_mb=15)
    assert bomb.stat().st_size < 1_000_000
    opened = []
    import python_calamine

    real = python_calamine.CalamineWorkbook

    class Spy:   # calamine must never be asked to open the bomb
        @staticmethod
        def from_path(path):
            opened.append(path)
            return real.from_path(path)
    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Spy)
    before = state(copy_of_warehouse)
    result = upload.load_uploads([("deals.xlsx", bomb.read_bytes())], who="tester")
    (r,) = result["files"]
    assert r["status"] == "failed" and r["code"] == "zip_bomb" and "\n" not in r["error"]
    assert r["fields"]["ratio"] > 100 and r["fields"]["size"] >= 15
    assert r["error"].startswith("deals.xlsx: the workbook would inflate to")
    assert "zip" in upload.error_line(r, "ru") and opened == []
    assert state(copy_of_warehouse) == before


def test_a_workbook_over_the_unzipped_limit_is_refused_whatever_its_ratio(tmp_path):
    """The sum of the parts counts too (many parts of a modest ratio: the overlapping-files bomb)."""
    book = tmp_path / "big.xlsx"
    with zipfile.ZipFile(book, "w", zipfile.ZIP_STORED) as zf:
        for i in range(3):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", b"x" * 400_000)
    lim = limits.Limits(max_unzipped_mb=1)
    with pytest.raises(LoadError, match="inflate to 1 MB") as e:
        limits.check_zip(book, "big.xlsx", lim)
    assert e.value.code == "zip_bomb"
    limits.check_zip(book, "big.xlsx", limits.Limits(max_unzipped_mb=2))   # within both limits: passes


@pytest.mark.parametrize("name, label", [
    ("../../etc/passwd.csv", "passwd.csv"),
    ("C:\\x\\deals.csv", "deals.csv"),
    ("dea\x00ls\n.csv", "deals.csv"),
    ("..", "upload"),
])
def test_file_names_are_labels_never_paths(name, label):
    assert limits.label(name) == label
    assert limits.suffix(name) in (".csv", "")
    assert limits.suffix("deals.c\x00sv/../x") == ""


def test_hostile_names_are_refused_and_a_folder_path_is_only_a_label(copy_of_warehouse, monkeypatch):
    """'../..' and a NUL byte come only from a crafted request: refused in one line; a Windows path (old
    browsers send one) loads under its last part. Nothing lands outside data/raw, whose names are hashes."""
    monkeypatch.delenv("PARITY_STORE", raising=False)
    before, raw_before = state(copy_of_warehouse), raw_names()
    outside = sorted(p for p in copy_of_warehouse.parent.parent.rglob("*") if "passwd" in p.name)
    result = upload.load_uploads([("../../etc/passwd.csv", DEALS.encode()), ("dea\x00ls.csv", DEALS.encode())],
                                 who="tester")
    assert [(r["file"], r["code"]) for r in result["files"]] == [("passwd.csv", "bad_file_name"),
                                                                  ("deals.csv", "bad_file_name")]
    assert all("\n" not in r["error"] and "\x00" not in upload.error_line(r, "ru") for r in result["files"])
    assert state(copy_of_warehouse) == before and raw_names() == raw_before
    (r,) = upload.load_uploads([("C:\\x\\deals.csv", DEALS.encode())], who="tester")["files"]
    assert r["status"] == "loaded" and r["file"] == "deals.csv" and r["rows_loaded"] == 2
    added = raw_names() - raw_before
    assert len(added) == 1 and all(RAW_NAME.fullmatch(n) for n in raw_names()), added
    assert sorted(p for p in copy_of_warehouse.parent.parent.rglob("*") if "passwd" in p.name) == outside
    assert sql(copy_of_warehouse, "select file_name from loads order by load_id desc limit 1") == [("deals.csv",)]
    # the trail beside the warehouse: the refusal and the load, each with who and what became of each file
    refused, loaded = audit.entries(path=copy_of_warehouse.parent / "parity-store.sqlite").detail[1::-1]
    assert [(f["file"], f["code"]) for f in json.loads(refused)["files"]] == [("passwd.csv", "bad_file_name"),
                                                                             ("deals.csv", "bad_file_name")]
    assert json.loads(refused)["outcome"] == "failed" and json.loads(loaded)["outcome"] == "loaded"


def test_oversized_file_is_refused_in_one_line_before_it_is_written(copy_of_warehouse, config_copy, tmp_path):
    (config_copy / "upload.toml").write_text("max_file_mb = 0.0001\n", encoding="utf-8")   # 100 bytes
    before, raw_before = state(copy_of_warehouse), raw_names()
    result = upload.load_uploads([("deals_march.csv", DEALS.encode())], who="tester")
    (r,) = result["files"]
    assert r["code"] == "file_too_large" and "\n" not in r["error"] and not result["ok"]
    assert r["error"].startswith("deals_march.csv: the file is 0.0 MB, over the limit of 0.0001 MB per file")
    assert "0.0001" in upload.error_line(r, "ru")
    # the command line refuses it too, from the file's size on disk
    path = tmp_path / "deals_march.csv"
    path.write_text(DEALS, encoding="utf-8")
    (r,) = load_files([path], progress=False)["files"]
    assert r["code"] == "file_too_large"
    assert state(copy_of_warehouse) == before and raw_names() == raw_before


def test_streamlit_upload_cap_equals_the_etl_limit():
    app = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    ours = tomllib.loads((ROOT / "data" / "upload.toml").read_text(encoding="utf-8"))
    assert app["server"]["maxUploadSize"] == ours["max_file_mb"] == limits.limits().max_file_mb


def test_a_real_workbook_passes_the_guard(tmp_path):
    """An export written by openpyxl (as Excel writes one) loads as before: the guard refuses bombs only."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Сделки")
    ws.append(["ID", "Бюджет", "Дата создания", "Этап сделки", "Город"])
    for i in range(4_000):   # over a megabyte of sheet: the ratio rule applies to it
        ws.append([i, 1000 + i, "04.03.2025", "Переговоры", "Москва"])
    wb.save(tmp_path / "deals.xlsx")
    with zipfile.ZipFile(tmp_path / "deals.xlsx") as zf:
        assert max(p.file_size for p in zf.infolist()) > limits.RATIO_FROM
    limits.check_zip(tmp_path / "deals.xlsx", "deals.xlsx")


def test_the_demo_is_not_held_to_the_upload_limit(fresh_db, config_copy):
    """The demo loads the files it wrote itself whatever their size (at 1M deals its leads file is 505 MB,
    over the 200 MB upload limit): a limit of 100 bytes refuses an upload, not the demo."""
    from etl.demo_load import run_demo
    (config_copy / "upload.toml").write_text("max_file_mb = 0.0001\n", encoding="utf-8")
    result = run_demo(seed=3, deals=300, end="2026-06-30")
    assert result["ok"], [f.get("error") for f in result.get("files", [])]
