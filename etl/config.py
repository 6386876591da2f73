"""Reads the reviewed config in data/: column synonyms, regions, channels, stages, currencies."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from etl.errors import LoadError
from etl.paths import config_dir

CONFIG_FILES = ("columns.toml", "regions.csv", "channels.csv", "channel_rules.csv",
                "campaign_rules.csv", "stages.csv", "agreements.toml", "fx_rates.csv", "lead_statuses.csv", "currencies.csv", "vocab.csv")


def norm_header(text: str) -> str:
    """Header text as compared with synonyms: lower-case, trimmed, single spaces, ё read as е."""
    text = text.replace("\ufeff", "").replace("\u00a0", " ").strip().strip('"').lower()
    return re.sub(r"\s+", " ", text).replace("ё", "е")


# "Потрачено, ₽", "Amount spent (USD)", "Сумма, руб.": the currency rides in the header (VK, Meta ads)
CURRENCY_SUFFIX = re.compile(r"\s*(?:,|\()\s*(₽|руб\.?|р\.|rub|rur|usd|eur|kzt|byn|cny|\$|€)\s*\)?$")


def header_key(text: str) -> str:
    """A header as matched with column synonyms: norm_header without a currency suffix."""
    return CURRENCY_SUFFIX.sub("", norm_header(text))


def header_currency(text: str) -> str | None:
    """The ISO code a header's currency suffix names, e.g. 'Amount spent (USD)' -> 'USD'."""
    found = CURRENCY_SUFFIX.search(norm_header(text))
    return dict(currency_rows()).get(found.group(1)) if found else None


def region_key(text: str) -> str:
    """Region text as matched against aliases; mirrors the SQL macro region_key in build.py."""
    text = norm_header(text)
    text = re.sub(r"^(г\.|г |город )\s*", "", text)
    return text.strip()


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """A config CSV without its '#' comment lines."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


@dataclass(frozen=True)
class Entity:
    name: str
    required: tuple[str, ...]       # columns a file must have to be this entity
    row_required: tuple[str, ...]   # cells a row must have to be loaded
    fields: dict[str, tuple[str, ...]]  # canonical field -> normalised synonyms


@lru_cache(maxsize=8)
def _entities(folder: Path, stamp: float) -> dict[str, Entity]:
    raw = tomllib.loads((folder / "columns.toml").read_text(encoding="utf-8"))
    return {
        name: Entity(name, tuple(spec["required"]), tuple(spec.get("row_required", spec["required"])),
                     {f: tuple(norm_header(s) for s in syns) for f, syns in spec["fields"].items()})
        for name, spec in raw.items()
    }


def entities() -> dict[str, Entity]:
    folder = config_dir()
    return _entities(folder, (folder / "columns.toml").stat().st_mtime)


def config_hash() -> str:
    """One hash over every config file the build reads: a change means the warehouse is stale."""
    h = hashlib.sha256()
    mappings = sorted((config_dir() / "mappings").glob("*.toml"))  # saved profiles map columns too
    for path in [config_dir() / name for name in CONFIG_FILES] + mappings:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def region_alias_rows() -> list[tuple[str, str]]:
    """(alias key, canonical region) pairs, the canonical name itself included."""
    pairs: dict[str, str] = {}
    for row in read_csv_rows(config_dir() / "regions.csv"):
        canon = row["region"].strip()
        for alias in [canon, *row["aliases"].split("|")]:
            if alias.strip():
                pairs[region_key(alias)] = canon
    return sorted(pairs.items())


def regions() -> list[dict[str, str]]:
    return [{"region": r["region"].strip(), "district": r["district"].strip()}
            for r in read_csv_rows(config_dir() / "regions.csv")]


def channels() -> list[dict[str, str]]:
    return read_csv_rows(config_dir() / "channels.csv")


def channel_rules() -> list[dict[str, str]]:
    rules = read_csv_rows(config_dir() / "channel_rules.csv")
    for rule in rules:
        re.compile(rule["pattern"])  # a broken rule fails here, with its text, not deep in SQL
    return rules


def agreements() -> dict:
    """data/agreements.toml: what both departments signed off (attribution, SLA, base currency)."""
    try:
        return tomllib.loads((config_dir() / "agreements.toml").read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise LoadError(f"{config_dir() / 'agreements.toml'}: {err}; fix the file") from None


def fx_rates() -> list[dict]:
    """data/fx_rates.csv: (currency, valid_from, rate into the base currency)."""
    out = []
    for row in read_csv_rows(config_dir() / "fx_rates.csv"):
        try:
            out.append({"currency": row["currency"].strip().upper(),
                        "valid_from": dt.date.fromisoformat(row["valid_from"].strip()),
                        "rate": float(row["rate"])})
        except (KeyError, ValueError) as err:
            raise LoadError(f"{config_dir() / 'fx_rates.csv'}: bad row {row} ({err}); "
                            f"write currency,YYYY-MM-DD,rate") from None
    return out


def campaign_rules() -> list[dict[str, str]]:
    """data/campaign_rules.csv with patterns compiled once here, so a broken one fails with its text."""
    rules = read_csv_rows(config_dir() / "campaign_rules.csv")
    for rule in rules:
        re.compile(rule["pattern"])
        for field in ("region", "channel", "product"):
            rule[field] = (rule.get(field) or "").strip() or None
    return rules


def vocabulary(name: str) -> list[tuple[str, str]]:
    """(normalised text, value) pairs from stages.csv / lead_statuses.csv."""
    rows = read_csv_rows(config_dir() / name)
    key, value = list(rows[0].keys())[:2]
    return [(norm_header(r[key]), r[value].strip()) for r in rows]


def currency_rows() -> list[tuple[str, str]]:
    """(normalised alias, ISO code) pairs; the code itself is its own alias."""
    pairs: dict[str, str] = {}
    for row in read_csv_rows(config_dir() / "currencies.csv"):
        code = row["currency"].strip().upper()
        for alias in [code, *row["aliases"].split("|")]:
            pairs[norm_header(alias)] = code
    return sorted(pairs.items())


def vocab(kind: str) -> list[tuple[str, str]]:
    """(normalised text, value) pairs of one kind from vocab.csv."""
    return [(norm_header(r["text"]), r["value"].strip())
            for r in read_csv_rows(config_dir() / "vocab.csv") if r["kind"] == kind]


# What the issue specifies where agreements.toml is silent (W-shaped 30/30/30/10, paths of 8 steps).
ATTRIBUTION_DEFAULTS = {
    "model": "position_based", "first_weight": 0.4, "last_weight": 0.4, "middle_weight": 0.2,
    "time_decay_half_life_days": 7, "lookback_days": 90, "w_first_weight": 0.3, "w_lead_weight": 0.3,
    "w_deal_weight": 0.3, "w_other_weight": 0.1, "max_path_steps": 8,
}


def attribution_settings() -> dict:
    """The signed-off [attribution] section of agreements.toml over ATTRIBUTION_DEFAULTS."""
    return {**ATTRIBUTION_DEFAULTS, **agreements().get("attribution", {})}
