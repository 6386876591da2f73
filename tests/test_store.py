"""The store for what people enter: the audit chain detects an edit, several processes write at once
and nothing is lost, and access.toml refuses what it cannot use in one line."""
from __future__ import annotations

import json
import multiprocessing as mp
import sqlite3
import threading

import pytest

from model import audit, store
from model.users import AccessError, load_users


def _writer(path, who, n, start=None):
    if start is not None:
        start.wait(30)    # every process starts writing at once, so their transactions contend
    for i in range(n):
        audit.record("export", who, f"deck-{i}.pptx", {"i": i}, path=path)


def _run(path, writers: int, n: int) -> None:
    ctx = mp.get_context("fork")
    start = ctx.Barrier(writers)
    procs = [ctx.Process(target=_writer, args=(path, f"user{k}", n, start)) for k in range(writers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0


def test_several_processes_append_and_nothing_is_lost(tmp_path):
    path = tmp_path / "store.sqlite"
    _run(path, 4, 40)
    rows = audit.entries(path=path).iloc[::-1]
    assert len(rows) == 160 and list(rows.id) == list(range(1, 161))     # no gap, no id twice
    assert sorted(rows.groupby("who").size().tolist()) == [40, 40, 40, 40]
    # each writer's entries in the order it wrote them, interleaved with the others'
    for _, own in rows.groupby("who"):
        assert [json.loads(d)["i"] for d in own.detail] == list(range(40))
    assert audit.verify(path) == []


def test_a_new_store_opened_by_many_at_once_opens_for_all(tmp_path):
    """Converting a new file to WAL takes it exclusively and SQLite runs no busy handler for that: 12
    threads opening a fresh store together failed with "database is locked" for 8 of 150 files (the
    audit test above failed that way in `make test`). Every open must succeed and leave it in WAL."""
    failed = []
    for k in range(150):
        path = tmp_path / f"store-{k}.sqlite"
        start = threading.Barrier(12)

        def open_it(path=path, start=start):
            start.wait(30)
            try:
                store.connect(path).close()
            except sqlite3.Error as err:
                failed.append((path.name, str(err)))

        threads = [threading.Thread(target=open_it) for _ in range(12)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        check = sqlite3.connect(path)
        assert check.execute("pragma journal_mode").fetchone()[0] == "wal"
        check.close()
    assert failed == []


def test_pending_entries_join_the_chain_once_while_processes_write_at_once(tmp_path):
    """Entries kept while the store could not be written are taken by exactly one of the writers that
    race for them: none lost, none twice, the chain intact."""
    path = tmp_path / "store.sqlite"
    audit.record("load", "admin", "first.csv", path=path)
    with open(audit.pending_path(path), "w", encoding="utf-8") as fh:
        for i in range(5):
            fh.write(json.dumps({"at": f"2026-01-0{i + 1}T10:00:00.000+00:00", "who": "late", "action": "load",
                                 "target": f"late-{i}.csv", "detail": "{}"}) + "\n")
    _run(path, 4, 10)
    rows = audit.entries(path=path).iloc[::-1]
    late = rows[rows.who == "late"]
    assert len(rows) == 46 and list(late.target) == [f"late-{i}.csv" for i in range(5)]
    assert list(late.id) == list(range(late.id.iloc[0], late.id.iloc[0] + 5))   # together, in their order
    assert not audit.pending_path(path).exists() and audit.verify(path) == []


def test_tampering_with_one_entry_is_detected(tmp_path):
    path = tmp_path / "store.sqlite"
    for i in range(5):
        audit.record("sign_in", "ivanova", detail={"n": i}, path=path)
    assert audit.verify(path) == []
    con = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("update audit set who = 'petrov' where id = 3")
    # someone with the file drops the guard and edits an entry: the chain shows where
    con.execute("drop trigger audit_no_update")
    con.execute("update audit set who = 'petrov' where id = 3")
    con.commit()
    con.close()
    assert audit.verify(path) == [3]


def test_deleting_an_entry_breaks_the_next_link(tmp_path):
    path = tmp_path / "store.sqlite"
    for i in range(4):
        audit.record("load", "admin", f"deals-{i}.csv", path=path)
    con = sqlite3.connect(path)
    con.execute("drop trigger audit_no_delete")
    con.execute("delete from audit where id = 2")
    con.commit()
    con.close()
    assert audit.verify(path) == [3]


def test_store_is_wal_and_survives_beside_the_warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("PARITY_DB", str(tmp_path / "wh.duckdb"))
    monkeypatch.delenv("PARITY_STORE", raising=False)
    assert store.store_path() == tmp_path / "parity-store.sqlite"
    con = store.connect()
    assert con.execute("pragma journal_mode").fetchone()[0] == "wal"
    con.close()


@pytest.mark.parametrize("text, message", [
    ('[users.a]\nrole = "boss"\n', "role 'boss' is not one of"),
    ('[users.a]\nrole = "regional_manager"\n', "needs regions"),
    ('[users.a]\nrole = "ceo"\nregions = ["Казань"]\n', "sees every region"),
    ('[users.a\nrole = "ceo"\n', "cannot be read"),
])
def test_access_file_errors_are_one_line(tmp_path, text, message):
    path = tmp_path / "access.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AccessError, match=message) as e:
        load_users(path)
    assert "\n" not in str(e.value) and str(path) in str(e.value)


def test_access_file_roles_and_regions(tmp_path):
    path = tmp_path / "access.toml"
    path.write_text('[users.iv]\nname = "Мария"\nrole = "regional_manager"\nregions = ["Казань"]\n'
                    'email = "Iv@Example.ru"\n[users.ceo]\nrole = "ceo"\n[users.old]\nrole = "data_admin"\n'
                    'disabled = true\n', encoding="utf-8")
    users = load_users(path)
    assert users["iv"].restricted and users["iv"].regions == ("Казань",) and users["iv"].email == "iv@example.ru"
    assert not users["ceo"].restricted and users["ceo"].can("company_totals") and not users["ceo"].can("load")
    assert not users["iv"].can("company_totals")
    assert not users["old"].can("load")    # disabled: no action at all
