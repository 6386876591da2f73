"""What both departments signed off, as the warehouse was built with it.

Pages read the agreements (SLA, attribution model, lead stages, base currency) from the built warehouse,
the numbers' source, not from data/: after data/agreements.toml changes, the numbers still follow the
old file until a rebuild, and `config_stale` says so.
"""
from __future__ import annotations

import datetime as dt
import tomllib

from etl import config
from etl.steps import steps_hash
from model.runner import Runner


def _meta(run: Runner) -> dict[str, str]:
    rows = run("build_meta", {})
    return dict(zip(rows.key, rows.value, strict=True))


def agreements(run: Runner) -> dict:
    """data/agreements.toml as the warehouse was built with it ({} for a warehouse built before it was
    recorded)."""
    text = _meta(run).get("agreements")
    return tomllib.loads(text) if text else {}


def config_stale(run: Runner, current: str | None = None) -> bool:
    """True when data/ config differs from what the warehouse was built with (a rebuild is due);
    `current` is config.config_hash() when the caller has it already (ui/page.py caches it)."""
    built = _meta(run).get("config_hash")
    return built is not None and built != (current if current is not None else config.config_hash())


def steps_stale(run: Runner) -> bool:
    """True when the warehouse's derived tables were built by other build steps than this code's (the product
    was upgraded since): a page may read a column they lack until `python -m etl rebuild`."""
    built = _meta(run).get("steps_hash")
    return built is not None and built != steps_hash()


def attribution(run: Runner) -> dict:
    """The attribution model's parameters the warehouse was built with ([attribution] over the defaults)."""
    return {**config.ATTRIBUTION_DEFAULTS, **agreements(run).get("attribution", {})}


def version(run: Runner) -> tuple[int, dt.date | None]:
    """(version, the day both heads approved it) of the agreements the warehouse was built with; a
    warehouse built before versions were recorded is v1 with no date."""
    meta = _meta(run)
    number, day = meta.get("agreement_version"), meta.get("agreement_date")
    return (int(number) if number else 1), (dt.date.fromisoformat(day) if day else None)
