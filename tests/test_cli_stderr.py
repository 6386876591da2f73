"""The command lines a scheduler runs (python -m report, python -m digest) say nothing on stderr when all
went well, so an hourly cron log holds only what went wrong (they printed Streamlit's «No runtime found,
using MemoryCacheStorageManager» on every run), yet still say what went wrong there; and a digest dry run
writes its own files and nothing else (it made the store's folder and file, and its --out folder)."""
from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(**extra: str) -> dict:
    env = {**os.environ, **extra}
    env.pop("PARITY_DEBUG", None)       # which lets Streamlit's own warnings through
    return env


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], check=False, cwd=ROOT, capture_output=True, text=True,
                          env=_env(**env), timeout=300)


def _tree(*folders: Path) -> dict[Path, str | None]:
    """Every file (its sha256) and folder (None) under `folders`."""
    out: dict[Path, str | None] = {}
    for folder in folders:
        for path in folder.rglob("*"):
            out[path] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    return out


# --------------------------------------------------------------------------------------------- the deck

def test_the_deck_cli_says_nothing_on_stderr_when_it_succeeds(warehouse, tmp_path):
    """A deck whose decisions section has nothing to show (no commitment recorded) is no error: that line
    is on stdout beside the slides, and stderr is empty."""
    run = _cli("report", "--period", "2025-Q1", "--sections", "decisions,headline", "--out",
               str(tmp_path / "deck.pptx"), PARITY_DB=str(warehouse), PARITY_STORE=str(tmp_path / "store.sqlite"))
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert (tmp_path / "deck.pptx").is_file() and "not included" in run.stdout, run.stdout


def test_the_deck_cli_still_says_what_went_wrong_on_stderr(warehouse, tmp_path):
    run = _cli("report", "--period", "2025-Q1", "--as", "nobody", "--out", str(tmp_path / "deck.pptx"),
               PARITY_DB=str(warehouse), PARITY_STORE=str(tmp_path / "store.sqlite"))
    assert run.returncode == 2 and run.stderr.startswith("report: --as nobody: no such user"), run.stderr
    assert len(run.stderr.splitlines()) == 1 and not (tmp_path / "deck.pptx").exists()


def test_a_slide_that_failed_is_said_on_stderr_one_with_nothing_to_show_on_stdout(warehouse, tmp_path, monkeypatch,
                                                                                   capsys):
    from report import impact
    from report.__main__ import main as report_main
    monkeypatch.setenv("PARITY_STORE", str(tmp_path / "store.sqlite"))
    monkeypatch.setattr(impact, "estimator", lambda: (None, "analysis.impact lacks estimate_impact"))
    assert report_main(["--period", "2025-Q1", "--sections", "decisions,contribution",
                        "--out", str(tmp_path / "deck.pptx")]) == 0
    got = capsys.readouterr()
    assert got.err.startswith("report: not included: ") and "estimate_impact" in got.err, got.err
    assert len(got.err.splitlines()) == 1 and "not included" in got.out, got


# --------------------------------------------------------------------------------------------- the digest

def _subscribe(folder: Path) -> dict[str, str]:
    (folder / "access.toml").write_text(
        '[users.rm_msk]\nname = "Ольга Смирнова"\nrole = "regional_manager"\nregions = ["Москва"]\n'
        'email = "olga@example.ru"\n', encoding="utf-8")
    (folder / "digests.toml").write_text(
        'timezone = "Europe/Moscow"\n[defaults]\ncadence = "monthly"\nhour = 8\nsections = ["headline"]\n'
        '[recipients.rm_msk]\ntelegram_chat_id = "777"\n', encoding="utf-8")
    return {"PARITY_ACCESS": str(folder / "access.toml"), "PARITY_DIGESTS": str(folder / "digests.toml")}


def _dry_run(warehouse: Path, out: Path, store: Path, env: dict) -> subprocess.CompletedProcess:
    return _cli("digest", "send", "--to", "rm_msk", "--dry-run", "--out", str(out), "--now",
                "2025-02-03T09:00+03:00", PARITY_DB=str(warehouse), PARITY_STORE=str(store), **env)


def test_the_digest_cli_says_nothing_on_stderr_when_it_succeeds(warehouse, tmp_path):
    env = _subscribe(tmp_path)
    (tmp_path / "out").mkdir()
    run = _dry_run(warehouse, tmp_path / "out", tmp_path / "store.sqlite", env)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert len(list((tmp_path / "out").iterdir())) == 4, run.stdout


def test_a_digest_dry_run_writes_its_files_and_nothing_else_and_is_quiet(warehouse, tmp_path):
    """No store yet: the dry run reads none and makes none (it made the store's folder and file)."""
    env = _subscribe(tmp_path)
    (tmp_path / "out").mkdir()
    store = tmp_path / "app" / "parity-store.sqlite"
    before = _tree(tmp_path, warehouse.parent)
    run = _dry_run(warehouse, tmp_path / "out", store, env)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    after = _tree(tmp_path, warehouse.parent)
    assert {p: h for p, h in after.items() if p in before} == before
    assert sorted(p.name for p in after.keys() - before.keys()) == [
        f"digest-rm_msk-2025-01-31{ext}" for ext in (".eml", ".html", ".pdf", ".telegram.txt")]
    assert not store.parent.exists()


def test_a_digest_dry_run_reads_the_sent_log_without_changing_the_store(warehouse, tmp_path, monkeypatch):
    """The store there (WAL, the sent-log holding January's digest): read, left byte for byte as it was, with
    no -wal or -shm file beside it."""
    from digest import schedule
    env = _subscribe(tmp_path)
    store = tmp_path / "app" / "parity-store.sqlite"
    monkeypatch.setenv("PARITY_STORE", str(store))
    con = schedule.open_store()
    con.execute("insert into digest_sends (login, period, channel, status, date_from, date_to) values "
                "('rm_msk', 'monthly:2025-01-01', 'telegram', 'sent', '2024-12-01', '2024-12-31')")
    con.close()
    (tmp_path / "out").mkdir()
    before = _tree(tmp_path, warehouse.parent)
    run = _dry_run(warehouse, tmp_path / "out", store, env)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    after = _tree(tmp_path, warehouse.parent)
    assert {p: h for p, h in after.items() if p in before} == before
    assert {p.parent for p in after.keys() - before.keys()} == {tmp_path / "out"}
    with sqlite3.connect(store) as check:
        assert check.execute("select count(*) from digest_sends").fetchone() == (1,)


def test_a_digest_dry_run_into_a_folder_that_is_not_there_is_one_line_and_makes_nothing(warehouse, tmp_path):
    env = _subscribe(tmp_path)
    before = _tree(tmp_path)
    run = _dry_run(warehouse, tmp_path / "no" / "out", tmp_path / "app" / "parity-store.sqlite", env)
    assert run.returncode == 2, run
    assert run.stderr.splitlines()[-1].endswith(
        f"--out {tmp_path / 'no' / 'out'}: there is no folder {tmp_path / 'no' / 'out'}; create it or name another")
    assert _tree(tmp_path) == before
