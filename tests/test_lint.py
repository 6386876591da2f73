"""The lint and the type check `make test` runs: ruff over the repository (ruff.toml) and mypy over the
core (mypy.ini). A finding fails the suite; fix it rather than silence it (ruff.toml says why any rule
is off)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          check=False)


def test_ruff_finds_nothing():
    done = _run("ruff", "check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]


def test_mypy_finds_nothing_in_the_core():
    done = _run("mypy", "--no-incremental")
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "no issues found" in done.stdout


def test_ruff_would_catch_a_finding(tmp_path):
    """The lint can fail: an unused import in a file under the same config is reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n", encoding="utf-8")
    done = _run("ruff", "check", "--no-cache", "--config", str(ROOT / "ruff.toml"), str(bad))
    assert done.returncode == 1 and "F401" in done.stdout
