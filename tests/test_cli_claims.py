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
