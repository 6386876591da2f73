"""The command lines a scheduler runs (python -m report, python -m digest) say nothing on stderr when all
went well, so an hourly cron log holds only what went wrong (they printed Streamlit's «No runtime found,
using MemoryCacheStorageManager» on every run), yet still say what went wrong there."""
from __future__ import annotations

import hashlib
import os
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
