"""The audit trail wired in: the command line and the app record who loaded, rebuilt and exported what;
the store beside the warehouse survives a rebuild's atomic swap; a store that cannot be written refuses a
change or an export in one line, and an entry that fails after a committed load waits and joins the
chain; the Data page's «Журнал» tab shows the trail to the CEO and the data admin only."""
from __future__ import annotations

import json
import sqlite3

import pandas as pd
import pytest

from etl.__main__ import main as etl_main
from model import audit
from model.users import User
from tests.apptest import ROOT, open_tab, run_app
from ui import trail, upload
from ui.i18n import t

DEALS = ROOT / "tests" / "data" / "wh" / "deals_amo.csv"
CEO = User(login="petrova", name="Петрова", role="ceo")
MARKETING = User(login="smirnov", name="Смирнов", role="marketing")


@pytest.fixture
def beside(monkeypatch):
    """The store where it lives by default: beside the warehouse file."""
    monkeypatch.delenv("PARITY_STORE", raising=False)


def test_cli_load_and_rebuild_are_recorded_and_the_store_survives_the_swap(fresh_db, beside, capsys):
    store = fresh_db.parent / "parity-store.sqlite"
    assert etl_main(["load", str(DEALS), "--as", "ivanova"]) == 0
    (load,) = audit.entries().itertuples()
    detail = json.loads(load.detail)
    assert (load.who, load.action, load.target, detail["outcome"]) == ("ivanova", "load", "deals_amo.csv", "loaded")
    assert detail["files"][0]["rows_loaded"] == 7 and detail["os_user"] and detail["config"]
    warehouse_before = fresh_db.stat().st_ino
    assert etl_main(["rebuild"]) == 0    # builds a new file and swaps it in: the store beside it stays
    assert fresh_db.stat().st_ino != warehouse_before
    rows = audit.entries(hashes=True)
    assert list(rows.action) == ["rebuild", "load"] and rows.who[0] == audit.who_cli()
    assert audit.verify() == [] and rows.prev[0] == rows.hash[1]
    capsys.readouterr()
    assert etl_main(["status", "--json"]) == 0
    out = capsys.readouterr()
    shown = json.loads(out.out)["audit"]
    assert shown["store"] == str(store) and shown["chain"] == "intact" and shown["entries"] == 2
    assert f"audit trail: {store} (2 entries), chain intact" in out.err


def test_a_store_that_cannot_be_written_refuses_a_load_in_one_line(fresh_db, tmp_path, monkeypatch, capsys):
    blocked = tmp_path / "store-is-a-folder"
    blocked.mkdir()
    monkeypatch.setenv("PARITY_STORE", str(blocked))
    assert etl_main(["load", str(DEALS)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: the audit trail {blocked} cannot be written (") and "nothing was done" in err
    assert "\n" not in err and not fresh_db.exists()      # nothing was loaded
    result = upload.load_uploads([("deals_amo.csv", DEALS.read_bytes())], who="ivanova")
    assert result["error"]["code"] == "audit_unwritable" and result["files"] == [] and not fresh_db.exists()
    assert upload.error_line(result["error"], "ru").startswith("Ничего не загружено: журнал")


def test_an_export_is_recorded_when_clicked_and_refused_unrecorded(tmp_path, monkeypatch):
    monkeypatch.setenv("PARITY_STORE", str(tmp_path / "store.sqlite"))
    data = trail.exported(lambda: b"PK\x03\x04 a workbook", "regions.xlsx", {"kind": "xlsx", "rows": 5}, "ru",
                          user="petrova")
    assert audit.entries().empty              # nothing is recorded until the click builds the file
    assert data() == b"PK\x03\x04 a workbook"
    (e,) = audit.entries().itertuples()
    assert (e.who, e.action, e.target) == ("petrova", "export", "regions.xlsx")
    assert json.loads(e.detail) == {"kind": "xlsx", "rows": 5, "bytes": 15, "via": "app"}
    (tmp_path / "blocked").mkdir()
    monkeypatch.setenv("PARITY_STORE", str(tmp_path / "blocked"))
    with pytest.raises(RuntimeError) as refused:
        data()
    assert str(refused.value) == t("audit.unwritable.export", "ru", path=str(tmp_path / "blocked"))


def test_an_entry_that_fails_after_the_action_waits_and_joins_the_chain(tmp_path, monkeypatch):
    path = tmp_path / "store.sqlite"
    audit.record("load", "ivanova", "deals.csv", path=path)
    real = audit._append

    def full_disk(con, row):
        raise sqlite3.OperationalError("database or disk is full")
    monkeypatch.setattr(audit, "_append", full_disk)
    note = audit.record_or_keep("load", "petrov", "leads.csv", {"outcome": "loaded"}, path=path)
    assert "database or disk is full" in note and str(audit.pending_path(path)) in note and "\n" not in note
    assert len(audit.entries(path=path)) == 1 and audit.summary(path)["pending"] == 1
    monkeypatch.setattr(audit, "_append", real)
    with open(audit.pending_path(path), "a", encoding="utf-8") as fh:
        fh.write('{"at": "2026-12-01T10:00:00')      # a line torn by a crash must not block the trail
    audit.record("export", "petrova", "deck.pptx", path=path)
    rows = audit.entries(path=path)
    assert list(zip(rows.action, rows.who, rows.target, strict=True)) == [
        ("export", "petrova", "deck.pptx"), ("pending_unreadable", "", audit.pending_path(path).name),
        ("load", "petrov", "leads.csv"), ("load", "ivanova", "deals.csv")]
    assert json.loads(rows.detail[2]) == {"outcome": "loaded", "late": True}
    assert audit.verify(path) == [] and not audit.pending_path(path).exists()


def test_a_downloaded_copy_can_be_checked_from_its_hashes(tmp_path):
    path = tmp_path / "store.sqlite"
    for who, target in [("ivanova", "=HYPERLINK(\"x\")"), ("petrov", "Сделки; март.csv"), ("", "")]:
        audit.record("export", who, target, {"note": "строка, с \"кавычками\"\nи переносом"}, path=path)
    csv = tmp_path / "audit.csv"
    audit.entries(path=path, hashes=True).to_csv(csv, index=False)
    copy = pd.read_csv(csv, dtype=str, keep_default_na=False).iloc[::-1]
    prev = ""
    for row in copy.to_dict("records"):
        assert row["prev"] == prev and row["hash"] == audit._digest(prev, row)
        prev = row["hash"]


def test_audit_tab_shows_the_trail_and_the_broken_link_to_the_ceo_only(warehouse, tmp_path, monkeypatch):
    path = tmp_path / "store.sqlite"
    monkeypatch.setenv("PARITY_STORE", str(path))
    for who, action, target in [("admin", "load", "deals.csv"), ("petrova", "export", "deck.pptx"),
                                ("admin", "vocab_edit", "channel: utm_source=zz -> organic_search")]:
        audit.record(action, who, target, path=path)
    con = sqlite3.connect(path)      # someone with the file edits entry 2 past the guard
    con.execute("drop trigger audit_no_update")
    con.execute("update audit set target = 'nothing.pptx' where id = 2")
    con.commit()
    con.close()
    at = run_app("data", "ru", user=CEO)
    assert t("data.tab.audit", "ru") in [tab.label for tab in at.tabs]
    open_tab(at, "data", "audit")
    assert [e.value for e in at.error] == [t("audit.broken", "ru", n=1, ids="2")]
    table = next(d.value for d in at.dataframe if t("audit.col.chain", "ru") in d.value.columns)
    assert list(table[t("audit.col.id", "ru")]) == [3, 2, 1]                     # newest first
    assert list(table[t("audit.col.chain", "ru")]) == ["цела", "нарушена", "цела"]
    assert table[t("audit.col.action", "ru")][1] == "выгрузка"
    at.multiselect(key="audit_who").set_value(["admin"]).run()
    table = next(d.value for d in at.dataframe if t("audit.col.chain", "ru") in d.value.columns)
    assert list(table[t("audit.col.target", "ru")]) == ["channel: utm_source=zz -> organic_search", "deals.csv"]
    assert {b.proto.label for b in at.get("download_button")} >= {t("audit.csv", "ru"), t("export.xlsx", "ru")}
    other = run_app("data", "ru", user=MARKETING)
    assert t("data.tab.audit", "ru") not in [tab.label for tab in other.tabs]
    assert not any(t("audit.col.chain", "ru") in d.value.columns for d in other.dataframe)
