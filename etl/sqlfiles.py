"""Runs the SQL files in queries/: one statement at a time, each given only the $params it names."""
from __future__ import annotations

import re
from pathlib import Path

from etl.paths import QUERIES_DIR

PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
# The table an insert, update or delete writes (our files name it right after the keyword).
WRITES = re.compile(r"^\s*(?:update|delete\s+from|insert\s+(?:or\s+\w+\s+)?into)\s+([a-z_][\w.]*)", re.I)


def statements(sql: str) -> list[str]:
    """Splits on ';' at line ends (our files put one statement per ';'-terminated block)."""
    body = "\n".join(ln for ln in sql.splitlines() if not ln.strip().startswith("--"))
    return [s.strip() for s in re.split(r";\s*\n", body + "\n") if s.strip()]


def run(con, sql: str, params: dict | None = None) -> list:
    """Executes and drains one statement: DuckDB 2 blocks a connection on an unfetched result."""
    return con.execute(sql, params).fetchall() if params else con.execute(sql).fetchall()


def run_file(con, path: Path | str, params: dict | None = None, execute=run) -> dict[str, int]:
    """Runs a file's statements in order, each through `execute` (run, or the build's pool-growing
    run); returns table -> rows its inserts, updates and deletes reported (DuckDB counts the rows each
    one touched), so a caller knows what the file changed."""
    path = Path(path)
    if not path.is_absolute():
        path = QUERIES_DIR / path
    written: dict[str, int] = {}
    for stmt in statements(path.read_text(encoding="utf-8")):
        used = {k: v for k, v in (params or {}).items() if k in set(PARAM.findall(stmt))}
        rows = execute(con, stmt, used or None)
        target = WRITES.match(stmt)
        if target and rows and isinstance(rows[0][0], int):
            name = target.group(1).lower()
            written[name] = written.get(name, 0) + rows[0][0]
    return written
