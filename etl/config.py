"""Reads the reviewed config in data/: column synonyms, regions, channels, stages, currencies."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from etl.errors import LoadError
from etl.paths import config_dir

CONFIG_FILES = ("columns.toml", "regions.csv", "channels.csv", "channel_rules.csv", "campaign_rules.csv",
                "stages.csv", "agreements.toml", "fx_rates.csv", "lead_statuses.csv", "currencies.csv", "vocab.csv",
                "alerts.toml")


def norm_header(text: str) -> str:
    """Header text as compared with synonyms: lower-case, trimmed, single spaces, ё read as е."""
    text = text.replace("\ufeff", "").replace("\u00a0", " ").strip().strip('"').lower()
    return re.sub(r"\s+", " ", text).replace("ё", "е")


# The vocabulary normal form, character for character the SQL macro norm_key (macros.sql): each of
# KEY_SPACES (tab, CR, no-break, narrow no-break, thin, ideographic...) reads as a space, each of
# KEY_DROP (BOM, zero-width space, double quotes of any kind) goes, runs of spaces become one, then
# trim, blank markers read as nothing, lower case, ё read as е.
KEY_SPACES = "".join(map(chr, (9, 10, 11, 12, 13, 133, 160, 5760, *range(8192, 8203), 8232, 8233, 8239, 8287, 12288)))
KEY_DROP = "".join(map(chr, (65279, 8203))) + '"«»“”„'
KEY_TABLE = str.maketrans(KEY_SPACES, " " * len(KEY_SPACES), KEY_DROP)
BLANKS = frozenset(("", "--", "-", "—", "–", "n/a", "N/A", "#N/A", "null", "NULL"))  # macros.sql p_blank


def norm_key(text: str | None) -> str | None:
    """Text as looked up in a vocabulary (stages, statuses, currencies, channel rules); mirrors SQL norm_key."""
    if text is None:
        return None
    text = re.sub(" +", " ", text.translate(KEY_TABLE)).strip(" ")
    if text in BLANKS:
        return None
    return text.replace("İ", "i").lower().replace("ё", "е")  # DuckDB lower('İ') is 'i', Python's 'i̇'


# "Потрачено, ₽", "Amount spent (USD)", "Сумма, руб.": the currency rides in the header (VK, Meta ads)
CURRENCY_SUFFIX = re.compile(r"\s*(?:,|\()\s*(₽|руб\.?|р\.|rub|rur|usd|eur|kzt|byn|cny|\$|€)\s*\)?$")


def header_key(text: str) -> str:
    """A header as matched with column synonyms: norm_header without a currency suffix."""
    return CURRENCY_SUFFIX.sub("", norm_header(text))


def header_currency(text: str) -> str | None:
    """The ISO code a header's currency suffix names, e.g. 'Amount spent (USD)' -> 'USD'."""
    found = CURRENCY_SUFFIX.search(norm_header(text))
    return dict(currency_rows()).get(norm_key(found.group(1))) if found else None


REGION_PREFIX = re.compile(r"^(г\.|гор\.|г |город )\s*")
REGION_SUFFIX = re.compile(r" (г\.?|город)$")


def region_key(text: str | None) -> str | None:
    """Region text as matched against aliases: norm_key without a 'г.'/'город' before or after the
    name ('г. Москва', 'Москва г.'); mirrors the SQL macro region_key (macros.sql)."""
    key = norm_key(text)
    if key is None:
        return None
    return REGION_SUFFIX.sub("", REGION_PREFIX.sub("", key)).strip(" ")


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """A config CSV without its '#' comment lines."""
    return [row for _, row in read_csv_numbered(path)]


def read_csv_numbered(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number in the file, row) for each row of a config CSV, '#' comment lines skipped. A row with
    fewer cells than the header, or a quote never closed (the reader would take every later line as its
    cell), is a config error naming its line: a hand edit fails where it was made, not deep in the build."""
    lines = [(i, ln) for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if not ln.startswith("#")]
    reader = csv.DictReader(ln for _, ln in lines)
    header, out, end = reader.fieldnames or [], [], reader.line_num
    for row in reader:
        start, end = end + 1, reader.line_num         # the record's first and last line (of `lines`)
        line = lines[start - 1][0]
        if sum(ln.count('"') for _, ln in lines[start - 1:end]) % 2:
            raise LoadError(f"{path}: line {line} opens a quoted cell (\") that is never closed; close or remove "
                            f"the quote", "config_unclosed_quote", path=str(path), line=line)
        if None in row.values():
            cells = sum(v is not None for v in row.values())
            raise LoadError(f"{path}: line {line} has {cells} cells where the header names {len(header)} "
                            f"({', '.join(header)}); add the missing ones (they may be empty: ',,')",
                            "config_short_line", path=str(path), line=line, cells=cells, needed=len(header),
                            columns=", ".join(header))
        out.append((lines[end - 1][0], row))
    return out


class OneRowPerKey:
    """Collects (key, value) pairs of one config file so that each key has one row: the same pair
    written twice (in any spelling the key reads alike) counts once, one key with two values is a
    config error naming both lines."""

    def __init__(self, path: Path):
        self.path, self.pairs, self.seen = path, {}, {}

    def add(self, key: str | None, value: str, line: int, text: str) -> None:
        if key is None:
            return
        if key in self.pairs and self.pairs[key] != value:
            first_line, first_text = self.seen[key]
            raise LoadError(f"{self.path}: line {first_line} maps '{first_text}' to '{self.pairs[key]}' and "
                            f"line {line} maps '{text}' to '{value}', which read as the same text "
                            f"'{key}'; keep one of the two lines", "config_same_text", path=str(self.path),
                            first_line=first_line, first_text=first_text, first_value=self.pairs[key],
                            line=line, text=text, value=value)
        if key not in self.pairs:
            self.pairs[key], self.seen[key] = value, (line, text)

    def rows(self) -> list[tuple[str, str]]:
        return sorted(self.pairs.items())


def unique_rows(path: Path, column: str) -> list[dict[str, str]]:
    """Rows of a config CSV whose `column` must name each thing once (a channel, a region)."""
    out, seen = [], {}
    for line, row in read_csv_numbered(path):
        name = (row.get(column) or "").strip()
        if name in seen:
            raise LoadError(f"{path}: {column} '{name}' is on line {seen[name]} and line {line}; "
                            f"keep one of the two lines", "config_duplicate", path=str(path), column=column,
                            name=name, first_line=seen[name], line=line)
        seen[name] = line
        out.append(row)
    return out


@dataclass(frozen=True)
class Entity:
    name: str
    required: tuple[str, ...]       # columns a file must have to be this entity
    row_required: tuple[str, ...]   # cells a row must have to be loaded
    fields: dict[str, tuple[str, ...]]  # canonical field -> normalised synonyms
    detect_only: tuple[str, ...] = ()   # required to recognise a file by its headers, not once it is named


@lru_cache(maxsize=8)
def _entities(folder: Path, stamp: float) -> dict[str, Entity]:
    raw = tomllib.loads((folder / "columns.toml").read_text(encoding="utf-8"))
    return {
        name: Entity(name, tuple(spec["required"]), tuple(spec.get("row_required", spec["required"])),
                     {f: tuple(norm_header(s) for s in syns) for f, syns in spec["fields"].items()},
                     tuple(spec.get("detect_only", ())))
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
        if path.name == "alerts.toml" and not path.exists():   # optional: the defaults apply
            continue
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def region_alias_rows() -> list[tuple[str, str]]:
    """(alias key, canonical region) pairs, the canonical name itself included; one per key."""
    path = config_dir() / "regions.csv"
    pairs = OneRowPerKey(path)
    for line, row in read_csv_numbered(path):
        canon = row["region"].strip()
        for alias in [canon, *row["aliases"].split("|")]:
            if alias.strip():
                pairs.add(region_key(alias), canon, line, alias.strip())
    return pairs.rows()


def regions() -> list[dict[str, str]]:
    return [{"region": r["region"].strip(), "district": r["district"].strip()}
            for r in unique_rows(config_dir() / "regions.csv", "region")]


def channels() -> list[dict[str, str]]:
    return unique_rows(config_dir() / "channels.csv", "channel")


def channel_rules() -> list[dict[str, str]]:
    """data/channel_rules.csv; each priority once, so the first match is one rule, not a tie."""
    path = config_dir() / "channel_rules.csv"
    rules = unique_rows(path, "priority")
    for rule in rules:
        try:
            int(rule["priority"])
            re.compile(rule["pattern"])  # a broken rule fails here, with its text, not deep in SQL
        except (ValueError, re.error) as err:
            raise LoadError(f"{path}: rule {rule['priority']!r} '{rule['pattern']}': {err}; "
                            f"fix the priority (a whole number) or the pattern", "bad_channel_rule",
                            path=str(path), priority=rule["priority"], pattern=rule["pattern"],
                            detail=str(err)) from None
    return rules


def flat_keys(table: dict, prefix: str = "") -> dict:
    """A TOML document's nested tables as one level of dotted keys: {"a": {"b": 1}} -> {"a.b": 1}."""
    out: dict = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(flat_keys(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


def agreements() -> dict:
    """data/agreements.toml: what both departments signed off (attribution, SLA, base currency)."""
    path = config_dir() / "agreements.toml"
    return check_agreements(path.read_text(encoding="utf-8"), str(path))


# What each agreed value must be, so a typo fails where it is written (the file, or a proposal in the
# app), not deep in a build step: key -> (rule, test). Rules are words the UI translates (agr.rule.*).
def _number(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _whole(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


# The models the build and the pages know: analysis/attribution.py's MODELS, which imports this module, so
# the names are repeated here rather than imported (tests/test_agreements.py holds the two equal).
ATTRIBUTION_MODELS = ("first_touch", "last_touch", "linear", "time_decay", "position_based", "w_shaped", "markov",
                      "shapley")
ATTRIBUTION_WEIGHTS = ("first_weight", "last_weight", "middle_weight", "w_first_weight", "w_lead_weight",
                       "w_deal_weight", "w_other_weight")
AGREEMENT_RULES: dict[str, tuple[str, object]] = {
    "money.base_currency": ("currency", lambda v: isinstance(v, str) and re.fullmatch(r"[A-Za-z]{3}", v)),
    "sla.first_contact_hours": ("positive", lambda v: _number(v) and v > 0),
    "sla.working_hours": ("hours", lambda v: isinstance(v, list) and len(v) == 2 and all(map(_whole, v))
                          and 0 <= v[0] < v[1] <= 24),
    "sla.working_days": ("days", lambda v: isinstance(v, list) and v and all(_whole(d) and 1 <= d <= 7 for d in v)
                         and len(set(v)) == len(v)),
    "sla.min_qualified_share": ("share", lambda v: _number(v) and 0 <= v <= 1),
    "sla.min_lead_to_deal": ("share", lambda v: _number(v) and 0 <= v <= 1),
    "attribution.time_decay_half_life_days": ("positive", lambda v: _number(v) and v > 0),
    "attribution.lookback_days": ("positive", lambda v: _number(v) and v > 0),
    "attribution.max_path_steps": ("steps", lambda v: _whole(v) and v >= 2),
    **{f"attribution.{k}": ("share", lambda v: _number(v) and 0 <= v <= 1) for k in ATTRIBUTION_WEIGHTS},
}
RULE_WORDS = {"currency": "a three-letter currency code", "positive": "a number above 0",
              "hours": "[start, end] in whole hours 0-24, start first", "days": "distinct weekdays 1-7",
              "share": "a number from 0 to 1", "steps": "a whole number of at least 2", "sum_one": "1 in total",
              "model": "an attribution model (ATTRIBUTION_MODELS)", "text": "a text",
              "version": "a whole number", "date": "a date (YYYY-MM-DD)", "table": "a [table]"}
# every key the build and the pages read; lead_stages holds one text per stage, whatever its names
AGREEMENT_KEYS = frozenset({*AGREEMENT_RULES, "attribution.model", "version", "agreed_on", "signed_by"})
# weights that split one deal between them: they add up to 1 (the page states them as percentages)
WEIGHT_GROUPS = (("first_weight", "last_weight", "middle_weight"),
                 ("w_first_weight", "w_lead_weight", "w_deal_weight", "w_other_weight"))


def check_agreements(text: str, where: str) -> dict:
    """agreements.toml's text parsed, every agreed value checked (AGREEMENT_RULES, WEIGHT_GROUPS, a known
    attribution model, stage definitions as text); the first problem raises a one-line LoadError."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        at = re.search(r"\(at line (\d+), column (\d+)\)", str(err))   # tomllib states where in its message
        raise LoadError(f"{where}: {err}; fix the file", "bad_agreements", path=where, detail=str(err),
                        toml_line=int(at[1]) if at else None, toml_column=int(at[2]) if at else None) from None

    def bad(key: str, value, rule: str) -> LoadError:
        return LoadError(f"{where}: {key} = {value!r} must be {RULE_WORDS[rule]}; correct the value",
                         "bad_agreement_value", path=where, setting=key, value=repr(value), rule=rule)

    # a key nothing reads (a typo: first_contact_hour) would be signed off and change nothing
    for key in flat_keys(doc):
        section = key.split(".")[0]
        if key not in AGREEMENT_KEYS and section != "lead_stages":
            # the keys of its own [section] when that section is known, else the sections and top-level keys
            same = sorted(k for k in AGREEMENT_KEYS if "." in key and k.startswith(section + "."))
            known = ", ".join(same or sorted({k.split(".")[0] for k in AGREEMENT_KEYS} | {"lead_stages"}))
            raise LoadError(f"{where}: unknown setting {key}; nothing reads it, so agreeing on it would change "
                            f"nothing; use one of: {known}", "unknown_agreement_key",
                            path=where, setting=key, known=known)

    for key, (rule, ok) in AGREEMENT_RULES.items():
        section, name = key.split(".")
        table = doc.get(section, {})
        if not isinstance(table, dict):
            raise bad(section, table, "table")
        if name in table and not ok(table[name]):       # type: ignore[operator]
            raise bad(key, table[name], rule)
    attr = {**ATTRIBUTION_DEFAULTS, **doc.get("attribution", {})}
    if attr["model"] not in ATTRIBUTION_MODELS:
        raise bad("attribution.model", attr["model"], "model")
    for group in WEIGHT_GROUPS:
        if abs(sum(float(attr[k]) for k in group) - 1) > 1e-9:
            raise bad(" + ".join(f"attribution.{k}" for k in group), sum(float(attr[k]) for k in group), "sum_one")
    stages = doc.get("lead_stages", {})
    for name, value in (stages.items() if isinstance(stages, dict) else [("lead_stages", stages)]):
        if not isinstance(value, str) or not value.strip():
            raise bad(f"lead_stages.{name}", value, "text")
    if "version" in doc and not ((_whole(doc["version"]) and doc["version"] >= 1) or isinstance(doc["version"], str)):
        raise bad("version", doc["version"], "version")
    if "agreed_on" in doc and not isinstance(doc["agreed_on"], dt.date):
        raise bad("agreed_on", doc["agreed_on"], "date")
    return doc


def agreement_version(doc: dict) -> tuple[int, dt.date | None]:
    """(version, the day both heads approved it) an agreements.toml names: a file written by the agreement
    flow (model/agreement_flow.py) carries `version = N` and `agreed_on`; one from before versions is v1."""
    version = doc.get("version")
    return (version if _whole(version) else 1), doc.get("agreed_on")


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
                            f"write currency,YYYY-MM-DD,rate", "bad_fx_rate", path=str(config_dir() / "fx_rates.csv"),
                            row=",".join(str(v) for v in row.values()), detail=str(err)) from None
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
    """(normalised text, value) pairs from stages.csv / lead_statuses.csv, one per text."""
    path = config_dir() / name
    rows = read_csv_numbered(path)
    key, value = list(rows[0][1].keys())[:2]
    pairs = OneRowPerKey(path)
    for line, r in rows:
        pairs.add(norm_key(r[key]), r[value].strip(), line, r[key].strip())
    return pairs.rows()


def currency_rows() -> list[tuple[str, str]]:
    """(normalised alias, ISO code) pairs; the code itself is its own alias; one per alias."""
    path = config_dir() / "currencies.csv"
    pairs = OneRowPerKey(path)
    for line, row in read_csv_numbered(path):
        code = row["currency"].strip().upper()
        for alias in [code, *row["aliases"].split("|")]:
            pairs.add(norm_key(alias), code, line, alias.strip())
    return pairs.rows()


def vocab(kind: str) -> list[tuple[str, str]]:
    """(normalised text, value) pairs of one kind from vocab.csv, one per text."""
    path = config_dir() / "vocab.csv"
    pairs = OneRowPerKey(path)
    for line, r in read_csv_numbered(path):
        if r["kind"] == kind:
            pairs.add(norm_key(r["text"]), r["value"].strip(), line, r["text"].strip())
    return pairs.rows()


# What the issue specifies where agreements.toml is silent (W-shaped 30/30/30/10, paths of 8 steps).
ATTRIBUTION_DEFAULTS = {
    "model": "position_based", "first_weight": 0.4, "last_weight": 0.4, "middle_weight": 0.2,
    "time_decay_half_life_days": 7, "lookback_days": 90, "w_first_weight": 0.3, "w_lead_weight": 0.3,
    "w_deal_weight": 0.3, "w_other_weight": 0.1, "max_path_steps": 8,
}


def attribution_settings() -> dict:
    """The signed-off [attribution] section of agreements.toml over ATTRIBUTION_DEFAULTS."""
    return {**ATTRIBUTION_DEFAULTS, **agreements().get("attribution", {})}


# Alert thresholds where data/alerts.toml is silent or absent (the file documents each).
ALERT_DEFAULTS = {
    "spend": {"window_days": 7, "stopped_days": 3, "stopped_max_days": 60, "active_share": 0.8, "doubled_ratio": 1.8},
    "region": {"window_days": 14, "min_leads": 10, "leads_drop": 0.4, "cpl_ratio": 1.5, "z": 3.5},
    "sla": {"within_target": 0.9, "margin": 0.2, "lag_days": 3},
    "stale": {"days": 3, "sales": 10, "plan": 10000, "load_days": 7},
    "unrecognised": {"share": 0.02, "min_rows": 10},
}


def alert_settings() -> dict[str, float]:
    """data/alerts.toml over ALERT_DEFAULTS, flattened to section_key: value (one row of cfg_alerts)."""
    path = config_dir() / "alerts.toml"
    try:
        given = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except tomllib.TOMLDecodeError as err:
        raise LoadError(f"{path}: {err}; write a number", "bad_alerts", path=str(path), detail=str(err)) from None
    out = {}
    for section, defaults in ALERT_DEFAULTS.items():
        values = {**defaults, **given.get(section, {})}
        for key, value in values.items():
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise LoadError(f"{path}: [{section}] {key} = {value!r} is not a number; write a number",
                                "bad_alerts", path=str(path), detail=f"[{section}] {key} = {value!r}")
            out[f"{section}_{key}"] = float(value)
    return out
