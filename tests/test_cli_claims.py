"""What the README and `--help` say the command line does, taken literally."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from etl.__main__ import main
from tests.test_bad_input import HEADER, deals, write

ROOT = Path(__file__).resolve().parent.parent


def test_status_speaks_to_a_person_and_json_only_when_asked(fresh_db, tmp_path, capsys):
    """`etl status [--json]`: without --json it printed the same JSON as with it (the option did nothing)."""
    assert main(["load", str(write(tmp_path / "deals_march.csv", [HEADER, *deals(4)]))]) == 0
    capsys.readouterr()
    assert main(["status"]) == 0
    plain = capsys.readouterr().out
    assert plain.startswith(f"{fresh_db} (") and "config current" in plain, plain
    assert any(line.split()[:3] == ["deals", "4", "rows"] for line in plain.splitlines()), plain
    assert "loads 1, rejected rows 0" in plain and "{" not in plain
    assert main(["status", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["tables"]["deals"]["rows"] == 4 and doc["audit"]["chain"] == "intact"


def test_a_folder_is_named_as_a_folder(fresh_db, tmp_path, capsys):
    assert main(["load", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    example = tmp_path / "*.csv"
    line = f"FAILED {tmp_path.name}: {tmp_path}: is a folder, not a file; name the files in it (e.g. {example})"
    assert err.strip() == line, err


def test_output_piped_into_a_reader_that_stops_is_no_error():
    """`python -m etl steps | head -3` printed two tracebacks and «error: [Errno 32] Broken pipe»."""
    code = ("import os, sys; r, w = os.pipe(); os.close(r); os.dup2(w, 1)\n"
            "from etl.__main__ import main; sys.exit(main(['steps']))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 1 and done.stderr == "", done.stderr


def test_status_reads_a_store_whose_folder_cannot_be_written(fresh_db, tmp_path, capsys, monkeypatch):
    """On a read-only data folder `etl status` (a reader) failed with a traceback on the screen: SQLite
    cannot put the store in WAL mode there (unable to open database file), and parity.log could not be
    written either, so its fallback printed the whole traceback. Now the trail is read as it stands."""
    import sqlite3

    from model import audit, store
    audit.record("load", "tester", "deals.csv", {"outcome": "loaded"})
    audit.record("rebuild", "tester", "warehouse", {"outcome": "rebuilt"})

    def read_only_mount(*_a, **_k):      # what SQLite answers on a read-only mount (reproduced with mount -o ro)
        raise sqlite3.OperationalError("unable to open database file")
    monkeypatch.setattr(store, "open_with", read_only_mount)
    assert main(["status"]) == 0
    out = capsys.readouterr()
    assert "Traceback" not in out.err and "(2 entries), chain intact" in out.err, out.err


def test_an_unexpected_error_where_the_log_cannot_be_written_is_one_line(fresh_db, tmp_path, capsys, monkeypatch):
    """The log beside a read-only warehouse: the traceback goes to the temp folder's parity.log, which the
    line names; nothing but that line reaches the screen."""
    import os
    import tempfile

    from etl import errors
    fresh_db.parent.mkdir(exist_ok=True)
    real = os.access
    monkeypatch.setattr(errors.os, "access", lambda p, mode: False if Path(p) == fresh_db.parent else real(p, mode))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    assert errors.log_path() == tmp_path / "temp" / "parity.log"
    try:
        raise ValueError("boom")
    except ValueError as err:
        ref = errors.log_unexpected(err, "python -m etl status")
    assert capsys.readouterr().err == ""
    assert f"ref {ref}" in (tmp_path / "temp" / "parity.log").read_text(encoding="utf-8")


def test_the_deck_refuses_a_region_it_cannot_show_and_a_folder_that_is_not_there(fresh_db, tmp_path, capsys):
    """`python -m report --regions Нигде` drew a deck of 7 slides for no region, with «not included: слайд
    об эффекте флайтов (KeyError: 'in_period')»; `--out /no/such/dir/deck.pptx` ended in a traceback after
    the deck was drawn and its export recorded. Each is now one line, before anything is drawn."""
    import pytest

    from report.__main__ import main as report_main
    rows = [r.replace(";Москва", ";Казань") if i % 2 else r for i, r in enumerate(deals(6))]
    assert main(["load", str(write(tmp_path / "deals_march.csv", [HEADER, *rows]))]) == 0
    capsys.readouterr()
    assert report_main(["--period", "2025-03", "--regions", "Нигде,Москва", "--out", str(tmp_path / "d.pptx")]) == 1
    err = capsys.readouterr().err
    head, _, offered = err.rstrip("\n").partition("; use one of: ")
    assert head == "report: --regions Нигде: not a region this deck can show", err
    assert sorted(offered.split(", ")) == ["Казань", "Москва"] and "\n" not in err.rstrip("\n"), err
    assert not (tmp_path / "d.pptx").exists()
    with pytest.raises(SystemExit) as stopped:
        report_main(["--period", "2025-03", "--out", str(tmp_path / "no" / "d.pptx")])
    assert stopped.value.code == 2
    assert f"--out {tmp_path / 'no' / 'd.pptx'}: there is no folder {tmp_path / 'no'}" in capsys.readouterr().err


def test_decisions_take_who_where_the_readme_writes_it_and_refuse_an_unknown_region(tmp_path, monkeypatch, capsys):
    """The README writes `python -m decisions add ... --who LOGIN`: argparse answered «unrecognized arguments:
    --who». And `--regions Нигде` recorded a commitment for a region that does not exist, which no regional
    manager would ever see. Now --who works after the subcommand too and an unknown region is one line."""
    import sqlite3

    from decisions.__main__ import main as decisions_main
    store = tmp_path / "store.sqlite"
    monkeypatch.setenv("PARITY_STORE", str(store))
    add = ["add", "--meeting", "2026-06-30", "--department", "sales", "--person", "Олег П.", "--text", "Перезвонить",
           "--due", "2026-07-31"]
    assert decisions_main([*add, "--regions", "Нигде,Москва", "--who", "olga"]) == 2
    assert capsys.readouterr().err.startswith("decisions: --regions Нигде: not a region of data/regions.csv; use "
                                              "one of: Москва, ")
    assert not store.exists() or sqlite3.connect(store).execute("select count(*) from commitments").fetchone() == (0,)
    assert decisions_main([*add, "--regions", "Москва", "--who", "olga"]) == 0
    assert decisions_main(["--who", "ivan", *add]) == 0
    con = sqlite3.connect(store)
    assert con.execute("select who from commitment_changes order by id").fetchall() == [("olga",), ("ivan",)]


def test_digest_out_without_dry_run_sends_nothing(tmp_path, capsys):
    """`python -m digest send --to LOGIN --out DIR` (--dry-run forgotten) ignored --out and sent for real."""
    import pytest

    from digest.__main__ import main as digest_main
    with pytest.raises(SystemExit) as stopped:
        digest_main(["send", "--to", "admin", "--out", str(tmp_path)])
    assert stopped.value.code == 2
    assert "--out is where --dry-run writes its files: add --dry-run" in capsys.readouterr().err


def test_a_load_waiting_for_another_says_so(fresh_db, tmp_path):
    """A second load while one runs waited in silence (11 s of a command that looked hung). It now says why
    it waits, then loads once the other one is done."""
    import fcntl
    import os
    import select

    from etl.sweep import lock_path
    path = write(tmp_path / "deals_march.csv", [HEADER, *deals(4)])
    fresh_db.parent.mkdir(exist_ok=True)
    with open(lock_path(fresh_db), "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)           # another load holds the writer lock
        load = subprocess.Popen([sys.executable, "-m", "etl", "load", str(path)], cwd=ROOT, text=True,
                                env={**os.environ, "PARITY_DB": str(fresh_db)}, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        try:   # the line within 60 s, or nothing (the old code waited without a word)
            said = load.stderr.readline() if select.select([load.stderr], [], [], 60)[0] else ""
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)
    out, _ = load.communicate(timeout=120)
    assert said == f"another load or rebuild is writing {fresh_db}; waiting for it to finish\n", said
    assert load.returncode == 0 and "loaded 4" in out, out


def test_vocab_assign_names_a_field_it_does_not_know(capsys):
    """`etl vocab --assign bogusfield=x --to seo` said «unknown dimension None; use one of channel, ...»: a
    dimension the user never gave. It now names the field and the fields there are."""
    assert main(["vocab", "--assign", "bogusfield=x", "--to", "seo", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --assign 'bogusfield=x': no field 'bogusfield'; write FIELD=VALUE with one of: "
                          "utm_source, utm_medium, source, channel, region"), err


def test_demo_refuses_a_count_or_a_day_it_cannot_use_before_anything(fresh_db, capsys):
    """`etl demo --deals 0` printed numpy warnings and «unexpected IndexError: list index out of range»;
    `--end 2026-02-30` «unexpected ValueError: day is out of range for month». Now argparse's one line."""
    import pytest
    for args, says in ((["--deals", "0"], "'0' is not a number of deals; write a whole number of at least 1"),
                       (["--deals", "-5"], "'-5' is not a number of deals"),
                       (["--end", "2026-02-30"], "'2026-02-30' is not a day; write YYYY-MM-DD")):
        with pytest.raises(SystemExit) as stopped:
            main(["demo", *args])
        err = capsys.readouterr().err
        assert stopped.value.code == 2 and says in err and "Traceback" not in err and "unexpected" not in err, err
    assert not fresh_db.parent.joinpath("demo").exists()


def test_a_deck_for_a_manager_whose_regions_have_no_flights_says_so_in_words(fresh_db, tmp_path, capsys, monkeypatch):
    """A regional manager whose regions hold no flight got «not included: слайд об эффекте флайтов (KeyError:
    'in_period')»: the flights list, empty for them, lost its columns. Now the deck says there are none."""
    from report.__main__ import main as report_main
    access = tmp_path / "access.toml"
    access.write_text('[users.rmo]\nname = "Омск"\nrole = "regional_manager"\nregions = ["Омск"]\n', encoding="utf-8")
    monkeypatch.setenv("PARITY_ACCESS", str(access))
    assert main(["load", str(write(tmp_path / "deals_march.csv", [HEADER, *deals(4)]))]) == 0
    capsys.readouterr()
    assert report_main(["--period", "2025-03", "--as", "rmo", "--sections", "contribution",
                        "--out", str(tmp_path / "d.pptx")]) == 0
    err = capsys.readouterr().err
    assert "KeyError" not in err and "Error" not in err, err
