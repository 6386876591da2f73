"""Runs the SQL files in queries/: one statement at a time, each given only the $params it names."""
from __future__ import annotations

import re
from pathlib import Path

from etl.paths import QUERIES_DIR

PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


def statements(sql: str) -> list[str]:
    """Splits on ';' at line ends (our files put one statement per ';'-terminated block)."""
    body = "\n".join(ln for ln in sql.splitlines() if not ln.strip().startswith("--"))
    return [s.strip() for s in re.split(r";\s*\n", body + "\n") if s.strip()]


def run(con, sql: str, params: dict | None = None) -> list:
    """Executes and drains one statement: DuckDB 2 blocks a connection on an unfetched result."""
    return con.execute(sql, params).fetchall() if params else con.execute(sql).fetchall()


def run_file(con, path: Path | str, params: dict | None = None) -> None:
    path = Path(path)
    if not path.is_absolute():
        path = QUERIES_DIR / path
    for stmt in statements(path.read_text(encoding="utf-8")):
        used = {k: v for k, v in (params or {}).items() if k in set(PARAM.findall(stmt))}
        run(con, stmt, used or None)
