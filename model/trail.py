"""What the audit trail keeps of a load, rebuild, demo or edit, for the command line and the app alike
(ui/trail.py adds the signed-in user and the exports)."""
from __future__ import annotations

import sys
from collections.abc import Callable

from etl import config
from model import audit


def file_lines(result: dict) -> list[dict]:
    """What each file of a load became, as the trail keeps it."""
    keys = ("file", "status", "entity", "format", "load_id", "rows_read", "rows_loaded", "rows_rejected", "code")
    return [{k: f[k] for k in keys if f.get(k) is not None} for f in result.get("files") or []]


def outcome(result: dict) -> str:
    files = result.get("files") or []
    failed = sum(f["status"] == "failed" for f in files)
    loaded = sum(f["status"] == "loaded" for f in files)
    if not failed:
        return "loaded" if loaded else "nothing new"
    return "failed" if not loaded else "partly failed"


def load_detail(result: dict) -> dict:
    files = result.get("files") or []
    return {"outcome": outcome(result), "files": file_lines(result),
            "rows_loaded": sum(int(f.get("rows_loaded") or 0) for f in files)}


def vocab_target(a) -> str:
    """An assignment as one line: 'channel: utm_source=zz_promo -> organic_search'."""
    return f"{a.dimension}: {a.field}{' ~ ' if a.is_pattern else '='}{a.value} -> {a.target}"


def vocab_detail(p: dict) -> dict:
    """What an applied assignment wrote and moved."""
    return {"outcome": "saved", "file": p.get("file"), "line": p.get("line"), "moved": p.get("moved"),
            "rebuilt_files": (p.get("rebuilt") or {}).get("files")}


def keep(action: str, who: str, target: str, detail: dict) -> None:
    """Records an action that happened; a store that cannot be written says so on stderr (the entry
    waits in the pending file, the action stands)."""
    note = audit.record_or_keep(action, who, target, detail)
    if note:
        print(f"warning: {note}", file=sys.stderr)


def recorded(action: str, who: str, target: str, run: Callable[[], dict], detail_of: Callable[[dict], dict],
             via: str = "cli") -> dict:
    """Runs `run` between a check that the trail can be written (AuditError: nothing is done) and its
    entry: the outcome, or the failure's first line."""
    audit.check()
    try:
        result = run()
    except BaseException as err:
        line = (str(err).strip().splitlines() or [type(err).__name__])[0][:300]
        keep(action, who, target, {"outcome": "failed", "error": line, "via": via, **_os_user(via),
                                   "code": getattr(err, "code", type(err).__name__)})
        raise
    keep(action, who, target, {**detail_of(result), "via": via, "config": _config_hash(), **_os_user(via)})
    return result


def _config_hash() -> str:
    """The config the build read: a hand edit of data/ shows as a changed hash between two entries."""
    try:
        return config.config_hash()
    except OSError:
        return ""


def _os_user(via: str) -> dict:
    """A command line's operating-system user beside its --as login: who typed it, whoever it names."""
    return {"os_user": audit.who_cli()} if via == "cli" else {}
