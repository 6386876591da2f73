"""The vocabulary step: raw values no rule recognised, what assigning one would move, and the assignment
written into the data/ config the build reads (logged with who, when, before and after), then rebuilt."""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import fcntl
import io
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pandas as pd

from etl import config
from etl.errors import LoadError
from etl.paths import QUERIES_DIR, config_dir, db_path
from etl.sqlfiles import run, run_file, statements

# dimension -> the raw fields a rule of it matches (dq_unrecognised.field)
FIELDS = {
    "channel": ("utm_source", "utm_medium", "source", "channel"),
    "region": ("region",), "stage": ("stage", "status"), "lead_status": ("status",), "currency": ("currency",),
}
# stage: a deal's stage text or its own status text (Pipedrive's `Deal - Status`); the build looks both up in
# data/stages.csv, so either field's line is the same line and a bare value is a stage's
FILES = {"channel": "channel_rules.csv", "region": "regions.csv", "stage": "stages.csv",
         "lead_status": "lead_statuses.csv", "currency": "currencies.csv"}
STATUSES = {"stage": ("open", "won", "lost"),
            "lead_status": ("new", "in_progress", "qualified", "converted", "junk")}
LOG = "vocab_changes.csv"  # reviewed like config, but the build does not read it (not in config_hash)
LOG_COLUMNS = ("when", "who", "dimension", "field", "value", "is_pattern", "file", "before", "after")
VOCAB_SQL = QUERIES_DIR / "vocab"
_REGEX_META = re.compile(r"([\\.^$|?*+()\[\]{}])")


class VocabError(LoadError):
    """A vocabulary step error: the one English line, plus a code and fields the UI words in its language."""

    def __init__(self, code: str, message: str, **fields: object):
        super().__init__(message, code, **fields)


@dataclass(frozen=True)
class Assignment:
    """A person's choice: raw text (or a regex over it) of one field -> a canonical value."""
    dimension: str
    field: str
    value: str
    is_pattern: bool
    target: str

    @classmethod
    def parse(cls, text: str, target: str, dimension: str | None = None, pattern: bool = False) -> Assignment:
        """'utm_source=organic_search' (FIELD=VALUE, or a bare value of a one-field dimension)."""
        field, sep, value = text.partition("=")
        field = field.strip().lower()
        if not sep:
            if not dimension or (len(FIELDS.get(dimension, ())) != 1 and dimension != "stage"):
                fields = ", ".join(f for fs in FIELDS.values() for f in fs)
                raise LoadError(f"--assign {text!r}: write FIELD=VALUE, e.g. utm_source=organic_search "
                                f"(fields: {fields})", "assign_syntax", text=text, fields=fields)
            field, value = FIELDS[dimension][0], text
        if dimension is None:
            # a field of several dimensions (status: leads' and deals') is the one whose own field it is first
            dimension = next((d for d, fs in FIELDS.items() if fs[0] == field),
                             next((d for d, fs in FIELDS.items() if field in fs), None))
            if dimension is None:   # no field of any dimension: name the field, not a dimension never given
                fields = ", ".join(f for fs in FIELDS.values() for f in fs)
                raise LoadError(f"--assign {text!r}: no field {field!r}; write FIELD=VALUE with one of: {fields}",
                                "assign_unknown_field", text=text, field=field, fields=fields)
        if dimension not in FIELDS:
            raise _unknown_dimension(dimension)
        if field not in FIELDS[dimension]:
            raise LoadError(f"{dimension} values come from {', '.join(FIELDS[dimension])}, not {field!r}",
                            "dimension_field", dimension=dimension, field=field, fields=", ".join(FIELDS[dimension]))
        value = value.strip()
        if not value:
            raise LoadError(f"--assign {text!r}: the value is empty; write {field}=VALUE", "assign_empty",
                            text=text, field=field)
        return cls(dimension, field, value, pattern, target.strip())


def _unknown_dimension(dimension: str | None) -> LoadError:
    return LoadError(f"unknown dimension {dimension!r}; use one of {', '.join(FIELDS)}", "unknown_dimension",
                     dimension=str(dimension), dimensions=", ".join(FIELDS))


def base_currency() -> str:
    """The agreed base currency revenue figures are converted into (agreements.toml [money])."""
    return str(config.agreements().get("money", {}).get("base_currency", "RUB")).upper()


# ---- reading the warehouse ------------------------------------------------------------------------------

@contextlib.contextmanager
def _cursor(con=None):
    """A private cursor: of `con` (a DuckDB connection), of the file at `con` (a path), or of the
    warehouse ($PARITY_DB), opened read-only. Temp views made on it die with it."""
    if isinstance(con, duckdb.DuckDBPyConnection):
        cur = con.cursor()
        try:
            yield cur
        finally:
            cur.close()
        return
    path = Path(con) if con is not None else db_path()
    if not path.is_file():
        raise LoadError(f"{path}: no warehouse yet; load files first (python -m etl load FILE...)", "no_warehouse",
                        path=str(path))
    own = duckdb.connect(str(path), read_only=True)
    try:
        yield own
    finally:
        own.close()


def unrecognised(con=None, dimension: str | None = None) -> pd.DataFrame:
    """dq_unrecognised (one row per dimension, source, field and raw value no rule matched), largest first."""
    if dimension is not None and dimension not in FIELDS:
        raise _unknown_dimension(dimension)
    with _cursor(con) as cur:
        try:
            # the same query file the Data page reads through ui.db
            sql = (QUERIES_DIR / "app" / "vocab_unrecognised.sql").read_text(encoding="utf-8")
            return cur.execute(sql, {"dimension": dimension}).df()
        except duckdb.CatalogException:
            raise VocabError("no_list", "the warehouse has no list of unrecognised values (built by an older "
                             "version); run `python -m etl rebuild`") from None


def _columns(cur, table: str) -> set[str]:
    return {r[0] for r in cur.execute("select column_name from duckdb_columns() where table_name = $t "
                                      "and not internal", {"t": table}).fetchall()}


def _prepare(cur) -> None:
    """Macros, and vocab_deals/vocab_leads: the tables with ch_channel and deals' base-currency amount."""
    run_file(cur, "warehouse/macros.sql")
    cols = {t: _columns(cur, t) for t in ("deals", "leads")}
    ch = {t: ("channel_raw" if "channel_raw" in cols[t] else "null::varchar") for t in cols}
    # where the build gives own-less deals their lead's channel, it marks them channel_from_lead
    inherits = "channel_from_lead" in cols["deals"]
    extra = "true as inherits" if inherits else "false as inherits, false as channel_from_lead"
    if "status_raw" not in cols["deals"]:   # a warehouse built before deals kept their status text
        extra += ", null::varchar as status_raw"
    run(cur, "create or replace temp view vocab_leads as select l.*, " + ch["leads"] + " as ch_channel from leads l")
    run(cur, "create or replace temp view vocab_deals as select d.*, " + ch["deals"] + " as ch_channel, " + extra
             + ", d.amount * case when d.currency = ag.base_currency then 1 else fx.rate end as amount_base "
             "from deals d cross join cfg_agreement ag asof left join cfg_fx fx on fx.currency = d.currency "
             "and coalesce(d.closed_at, d.created_at)::date >= fx.valid_from")


def _frame(cur, name: str) -> pd.DataFrame:
    *head, last = statements((VOCAB_SQL / f"{name}.sql").read_text(encoding="utf-8"))
    for stmt in head:
        run(cur, stmt)
    return cur.execute(last).df()


def _norm(cur, value: str) -> str:
    """The text as the build compares it (the norm_key macro): lower-case, trimmed, ё->е, one space."""
    return cur.execute("select norm_key($v)", {"v": value}).fetchall()[0][0] or ""


# ---- channel rules ------------------------------------------------------------------------------------

def _rules_frame(rules: list[dict]) -> pd.DataFrame:
    return pd.DataFrame({"priority": [int(r["priority"]) for r in rules], "field": [r["field"] for r in rules],
                         "pattern": [r["pattern"] for r in rules], "channel": [r["channel"] for r in rules]})


def _map_channels(cur, rules: list[dict], into: str) -> None:
    """channel_map.sql over the distinct inputs of temp view chan_in with `rules`, kept as table `into`."""
    cur.register("vocab_rules", _rules_frame(rules))
    run(cur, "create or replace temp table cfg_channel_rules as select * from vocab_rules")
    cur.unregister("vocab_rules")
    run_file(cur, "warehouse/channel_map.sql")
    run(cur, "create or replace temp table " + into + " as select * from chan_map")


def _input_tuples(field: str, values: list[str]) -> str:
    cols = {"channel": "ch_channel", "utm_source": "ch_utm_source", "utm_medium": "ch_utm_medium",
            "source": "ch_source"}
    picks = ", ".join(("v" if c == cols[field] else "null::varchar") + " as " + c for c in cols.values())
    return "select " + picks + " from unnest($values::varchar[]) u(v)"


def _evaluate(cur, rules: list[dict], field: str, values: list[str]) -> dict[str, str]:
    """The channel each value of `field` gets alone (other inputs empty) under `rules`."""
    if not values:
        return {}
    run(cur, "create or replace temp table chan_in as " + _input_tuples(field, values), {"values": values})
    _map_channels(cur, rules, "chan_single")
    col = {"channel": "ch_channel", "utm_source": "ch_utm_source", "utm_medium": "ch_utm_medium",
           "source": "ch_source"}[field]
    return dict(cur.execute("select " + col + ", channel from chan_single").fetchall())


def _field_values(cur, field: str) -> list[str]:
    """Distinct values of a channel input in deals and leads, as the rules see them (norm_key)."""
    expr = {"channel": "ch_channel", "utm_source": "utm_source", "utm_medium": "utm_medium",
            "source": "coalesce(source, ch_channel)"}[field]
    return [r[0] for r in cur.execute(
        "select distinct norm_key(" + expr + ") as v from vocab_deals where v <> '' union "
        "select distinct norm_key(" + expr + ") as v from vocab_leads where v <> '' order by v").fetchall()]


def _escape(text: str) -> str:
    """A literal for both Python's re and DuckDB's RE2: only the metacharacters get a backslash."""
    return _REGEX_META.sub(r"\\\1", text)


def _check_pattern(cur, pattern: str) -> None:
    try:
        re.compile(pattern)
        cur.execute("select regexp_matches('', $p)", {"p": pattern}).fetchall()
    except (re.error, duckdb.Error) as err:
        msg = str(err).splitlines()[0]
        raise VocabError("bad_pattern", f"pattern {pattern!r} is not a regular expression both Python and "
                         f"DuckDB read ({msg}); fix it", pattern=pattern, error=msg) from None


def _priority(rules: list[dict], field: str, values: list[str]) -> int:
    """A free priority that puts the new rule before every rule of its field that already matches one of
    `values` (a broader rule), and otherwise just after its field's rules."""
    same = [r for r in rules if r["field"] == field or (field == "channel" and r["field"] == "source")]
    used = {int(r["priority"]) for r in rules}
    hits = [int(r["priority"]) for r in same if any(re.search(r["pattern"], v, re.I) for v in values)]
    if hits:
        p = min(hits) - 1
        while p in used:
            p -= 1
        return p
    p = max((int(r["priority"]) for r in same), default=max(used, default=0)) + 1
    while p in used:
        p += 1
    return p


@dataclass
class Plan:
    assignment: Assignment
    file: str
    line: str            # the config text written (a rule line, an alias, a vocabulary line)
    before: list[str]    # what the value(s) map to now
    rules_after: list[dict] | None = None


def _plan_channel(cur, a: Assignment) -> Plan:
    channels = [c["channel"] for c in config.channels()]
    if a.target not in channels or a.target == "unknown":
        raise VocabError("unknown_target", f"unknown channel {a.target!r}; pick one of data/channels.csv: "
                         f"{', '.join(c for c in channels if c != 'unknown')}", target=a.target)
    rules = config.channel_rules()
    if a.is_pattern:
        pattern = a.value
        _check_pattern(cur, pattern)
        values = [v for v in _field_values(cur, a.field) if re.search(pattern, v, re.I)]
    else:
        key = _norm(cur, a.value)
        pattern, values = "^" + _escape(key) + "$", [key]
    same = [r for r in rules if r["field"] == a.field and r["pattern"] == pattern]
    if same:
        raise VocabError("has_rule", f"{a.field} {a.value!r} already has rule {same[0]['priority']} -> "
                         f"{same[0]['channel']} in data/channel_rules.csv; change that rule instead",
                         value=a.value, known=same[0]["channel"], file=FILES["channel"])
    now = _evaluate(cur, rules, a.field, values)
    if values and all(now.get(v) == a.target for v in values):
        raise VocabError("covered", f"{a.field} {a.value!r} already maps to {a.target}; nothing to change",
                         value=a.value, known=a.target, file=FILES["channel"])
    rule = {"priority": str(_priority(rules, a.field, values)), "field": a.field, "pattern": pattern,
            "channel": a.target, "note": "vocabulary step"}
    after = [*rules, rule]
    lost = {v: c for v, c in _evaluate(cur, after, a.field, values).items() if c != a.target}
    if lost:  # the rule must win where it was meant to; say which value it did not
        v, c = next(iter(lost.items()))
        raise VocabError("would_not_win", f"a rule for {a.field} {a.value!r} at priority {rule['priority']} "
                         f"would not win for {v!r} (it stays {c}); edit data/channel_rules.csv by hand",
                         value=v, known=c)
    return Plan(a, FILES["channel"], _csv_line([rule[k] for k in ("priority", "field", "pattern", "channel", "note")]),
                sorted(set(now.values())) or ["unknown"], after)


# ---- regions, stages, lead statuses, currencies ---------------------------------------------------------

def _no_pattern(a: Assignment) -> None:
    if a.is_pattern:
        raise VocabError("no_pattern", f"patterns are for channel rules; {a.dimension} takes the exact text "
                         f"(drop --pattern)")
    if "|" in a.value:
        raise VocabError("pipe", f"{a.value!r}: '|' separates aliases in data/{FILES[a.dimension]}; assign each "
                         f"text alone", value=a.value)


def _plan_region(a: Assignment) -> Plan:
    _no_pattern(a)
    aliases = dict(config.region_alias_rows())
    target = aliases.get(config.region_key(a.target))
    if target is None:
        raise VocabError("unknown_target", f"unknown region {a.target!r}; pick one of data/regions.csv: "
                         f"{', '.join(r['region'] for r in config.regions())}", target=a.target)
    known = aliases.get(config.region_key(a.value))
    if known:
        raise VocabError("covered" if known == target else "taken",
                         f"region {a.value!r} is already an alias of {known} in data/regions.csv; "
                         + ("nothing to change" if known == target else "remove it there first"),
                         value=a.value, known=known, file=FILES["region"])
    return Plan(Assignment(a.dimension, a.field, a.value, False, target), FILES["region"], a.value, [a.value])


def _plan_vocabulary(a: Assignment) -> Plan:
    _no_pattern(a)
    name = FILES[a.dimension]
    if a.target.lower() not in STATUSES[a.dimension]:
        raise VocabError("unknown_target", f"unknown {a.dimension.replace('_', ' ')} {a.target!r}; use one of "
                         f"{', '.join(STATUSES[a.dimension])}", target=a.target)
    known = dict(config.vocabulary(name)).get(config.norm_header(a.value))
    if known:
        raise VocabError("covered" if known == a.target.lower() else "taken",
                         f"{a.field} {a.value!r} already maps to {known} in data/{name}; "
                         + ("nothing to change" if known == a.target.lower() else "change that line instead"),
                         value=a.value, known=known, file=name)
    default = "open" if a.dimension == "stage" else "new"
    return Plan(Assignment(a.dimension, a.field, a.value, False, a.target.lower()), name,
                _csv_line([a.value, a.target.lower()]), [default])


def _plan_currency(a: Assignment) -> Plan:
    _no_pattern(a)
    codes = {r["currency"].strip().upper() for r in config.read_csv_rows(config_dir() / FILES["currency"])}
    target = a.target.upper()
    if target not in codes:
        raise VocabError("unknown_target", f"unknown currency {a.target!r}; use an ISO code of "
                         f"data/currencies.csv: {', '.join(sorted(codes))}", target=a.target)
    known = dict(config.currency_rows()).get(config.norm_header(a.value))
    if known:
        raise VocabError("covered" if known == target else "taken",
                         f"currency {a.value!r} is already an alias of {known} in data/currencies.csv; "
                         + ("nothing to change" if known == target else "change that line instead"),
                         value=a.value, known=known, file=FILES["currency"])
    return Plan(Assignment(a.dimension, a.field, a.value, False, target), FILES["currency"], a.value,
                ["unrecognised"])


def plan(a: Assignment, cur) -> Plan:
    """What apply() would write, checked against the config as it is now (one-line errors)."""
    if a.dimension == "channel":
        return _plan_channel(cur, a)
    if a.dimension == "region":
        return _plan_region(a)
    if a.dimension == "currency":
        return _plan_currency(a)
    return _plan_vocabulary(a)


# ---- preview --------------------------------------------------------------------------------------------

def _units(cur, p: Plan) -> bool:
    """Temp view vocab_units for the plan; False where the warehouse keeps no per-row text (currency)."""
    a = p.assignment
    if a.dimension == "channel":
        run(cur, "create or replace temp table chan_in as select distinct * from ("
                 "select ch_channel, utm_source as ch_utm_source, utm_medium as ch_utm_medium, source as ch_source "
                 "from vocab_deals union all select ch_channel, utm_source, utm_medium, source from vocab_leads)")
        _map_channels(cur, config.channel_rules(), "chan_before")
        _map_channels(cur, p.rules_after, "chan_after")
        run_file(cur, VOCAB_SQL / "units_channel.sql")
    elif a.dimension in ("region", "stage", "lead_status"):
        # views take no $parameters: the value and target ride in a one-row table the view reads
        key = "region_key" if a.dimension == "region" else "norm_key"
        run(cur, "create or replace temp table vocab_args as select " + key + "($v) as key, $t as target",
            {"v": a.value, "t": a.target})
        run_file(cur, VOCAB_SQL / f"units_{a.dimension}.sql")
    else:
        return False
    return True


def _listed(cur, a: Assignment) -> pd.DataFrame:
    """The dq_unrecognised rows the assignment takes (rows, deals, won revenue per source)."""
    try:
        return cur.execute("select source, raw_value, rows, deals, won_deals, won_revenue from dq_unrecognised "
                           "where dimension = $d and field = $f and norm_key(raw_value) = norm_key($v)",
                           {"d": a.dimension, "f": a.field, "v": a.value}).df()
    except duckdb.CatalogException:
        return pd.DataFrame(columns=["source", "raw_value", "rows", "deals", "won_deals", "won_revenue"])


def _preview(cur, a: Assignment) -> tuple[dict, Plan]:
    _prepare(cur)
    p = plan(a, cur)
    if _units(cur, p):
        rows = _frame(cur, "preview")
        moved = _frame(cur, "moved").iloc[0].to_dict()
        moved["before"] = list(moved["before"]) or p.before
    else:
        rows = _listed(cur, p.assignment)
        moved = {"leads": int(rows.loc[rows.source == "leads", "rows"].sum()),
                 "deals": int(rows.loc[rows.source == "deals", "rows"].sum()),
                 "won_deals": int(rows.won_deals.fillna(0).sum()), "won_revenue": rows.won_revenue.fillna(0).sum(),
                 "before": p.before}
    return {"assignment": asdict(p.assignment), "file": p.file, "line": p.line, "rows": rows,
            "moved": {k: (int(v) if k in ("leads", "deals", "won_deals") else v) for k, v in moved.items()}}, p


def preview(a: Assignment, con=None) -> dict:
    """What the assignment moves, from the current warehouse: `rows` has one row per value it changes
    (leads, deals, won deals, won revenue before and after); `moved` sums what changes value; `line`
    is the config text it writes into `file`."""
    with _cursor(con) as cur:
        return _preview(cur, a)[0]


# ---- writing the config -------------------------------------------------------------------------------

def _csv_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue()


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _with_line(text: str, line: str, before_index: int | None = None) -> str:
    """`text` with `line` inserted before line `before_index` (else at the end); the rest untouched."""
    nl = _newline(text)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += nl
    lines.insert(len(lines) if before_index is None else before_index, line + nl)
    return "".join(lines)


def _rule_text(text: str, rule_line: str) -> str:
    """channel_rules.csv with the rule placed right after the last rule line before the first rule of a
    higher priority number (so it stays under its group's comment), else at the end."""
    prio = int(rule_line.split(",", 1)[0])
    lines = text.splitlines(keepends=True)

    def priority(ln: str) -> int | None:
        head = ln.split(",", 1)[0].strip()
        return int(head) if not ln.startswith("#") and head.lstrip("-").isdigit() else None

    after = 0  # the header
    for i, ln in enumerate(lines[1:], start=1):
        p = priority(ln)
        if p is not None and p > prio:
            return _with_line(text, rule_line, after + 1)
        if p is not None:
            after = i
    return _with_line(text, rule_line)


def _alias_text(text: str, key_column: str, key: str, alias: str) -> str:
    """The row of `key` with `alias` appended to its '|'-separated aliases; other lines as they were."""
    lines = text.splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    col, at = header.index("aliases"), header.index(key_column)
    for i, ln in enumerate(lines[1:], start=1):
        if ln.startswith("#") or not ln.strip():
            continue
        body = ln.rstrip("\r\n")
        cells = next(csv.reader([body]))
        if cells[at].strip() != key:
            continue
        while len(cells) <= col:
            cells.append("")
        sep = "|" if cells[col].strip() else ""
        cells[col] += sep + alias
        # the usual case, aliases last and unquoted: append the text, leave the rest of the line as it was
        simple = col == len(header) - 1 and not body.endswith('"') and not re.search(r'[",\r\n]', alias)
        new = body + sep + alias if simple else _csv_line(cells)
        lines[i] = new + ln[len(body):]
        return "".join(lines)
    raise LoadError(f"{key!r} has no row in the file; add it first", "no_config_row", key=key)


def _edited(p: Plan, text: str) -> str:
    a = p.assignment
    if a.dimension == "channel":
        return _rule_text(text, p.line)
    if a.dimension == "region":
        return _alias_text(text, "region", a.target, a.value)
    if a.dimension == "currency":
        return _alias_text(text, "currency", a.target, a.value)
    return _with_line(text, p.line)


def _log_row(p: Plan, who: str, before: list[str]) -> str:
    a = p.assignment
    return _csv_line([dt.datetime.now().isoformat(timespec="seconds"), who, a.dimension, a.field, a.value,
                      "true" if a.is_pattern else "false", p.file, "|".join(before), a.target])


def changes() -> pd.DataFrame:
    """The change log, oldest first."""
    path = config_dir() / LOG
    rows = config.read_csv_rows(path) if path.exists() else []
    return pd.DataFrame(rows, columns=list(LOG_COLUMNS))


def apply(a: Assignment, who: str, rebuild: bool = True) -> dict:
    """Writes the assignment into its data/ file, logs it, and rebuilds the warehouse; a failed rebuild
    puts both files back as they were. Returns the preview it made before writing, plus what was saved."""
    who = (who or "").strip()
    if not who:
        raise VocabError("no_who", "who is making the change? give a name (--who NAME)")
    folder = config_dir()
    log = folder / LOG
    log.touch(exist_ok=True)
    with open(log, "r+", encoding="utf-8", newline="") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two people saving at once: one after the other
        with _cursor() as cur:
            out, p = _preview(cur, a)
        target = folder / p.file
        old_text, old_log = target.read_text(encoding="utf-8"), log.read_text(encoding="utf-8")
        log_text = old_log if old_log.strip() else _csv_line(list(LOG_COLUMNS)) + "\n"
        try:
            target.write_text(_edited(p, old_text), encoding="utf-8", newline="")
            log.write_text(_with_line(log_text, _log_row(p, who, out["moved"]["before"])), encoding="utf-8",
                           newline="")
            if rebuild:
                from etl.load import rebuild as rebuild_warehouse
                out["rebuilt"] = rebuild_warehouse(progress=False)
        except BaseException as err:
            target.write_text(old_text, encoding="utf-8", newline="")
            log.write_text(old_log, encoding="utf-8", newline="")
            if isinstance(err, LoadError):
                raise VocabError("undone", f"{err} (the change to data/{p.file} was undone)", file=p.file,
                                 error=str(err)) from None
            raise
    out["saved"] = str(target)
    out["log"] = str(log)
    return out
