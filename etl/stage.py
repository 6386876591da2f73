"""Turns one sniffed file into a typed, validated batch table: usable rows plus rejects with reasons."""
from __future__ import annotations

import codecs
import csv
import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl import config
from etl.config import Entity, entities, header_key
from etl.errors import LoadError
from etl.paths import QUERIES_DIR
from etl.phases import phase
from etl.sniff import Layout
from etl.sqlfiles import run

DATE_FIELDS = {"created_at", "closed_at", "first_contact_at", "touch_at", "date", "sale_date",
               "start_date", "end_date", "period_start", "period_end", "month"}
NUMBER_FIELDS = {"amount", "cost", "target", "budget", "quantity", "impressions", "clicks",
                 "visits", "visitors"}
SAFE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# Totals and footers that exports put below the data: never summed, reported as skipped.
SUMMARY = r"(?i)^\s*(итого|итог|всего|total|totals|grand totals?|subtotal|промежуточный итог)(\s|$|[:.,;(])"
SAMPLE = 20000
FORM_SAMPLE = 1000   # cells the date forms are counted on (detect_date_formats)
NUM_EN = r"\d,\d{3}\.\d|\d,\d{3},\d{3}"
NUM_RU = r"\d,\d{1,2}$|\d,\d{4,}|\d\.\d{3},\d|\d[ \x{00A0}\x{202F}]\d{3}"
# option date_in_text: a date written inside text ("Реализация 00000123 от 12.03.2025 14:22:01")
DATE_IN_TEXT = r"\d{1,2}\.\d{1,2}\.\d{4}(\s+\d{1,2}:\d{2}(:\d{2})?)?|\d{4}-\d{2}-\d{2}(\s+\d{1,2}:\d{2}(:\d{2})?)?"


# What a mapping TOML may hold (README 'Mapping a file'); anything else is a typo to report.
MAPPING_KEYS = ("entity", "columns", "options", "constants")
OPTIONS = ("decimal", "date_order", "currency", "source_system", "sum_lines", "date_in_text", "money", "platform")
# Constants that are not an entity field: the key deals and leads are unique under.
CONSTANT_KEYS = ("source_system",)


@dataclass
class Mapping:
    """A user's --mapping TOML: entity, field -> header, options the file cannot tell, and constants
    (field -> one canonical value for every row, e.g. status = "won" for a closed-deals export)."""
    entity: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path | None) -> Mapping:
        if path is None:
            return cls()
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise LoadError(f"{path}: cannot read the mapping ({err}); see README 'Mapping a file'",
                            "bad_mapping_file", path=str(path), detail=str(err)) from None
        return cls.from_dict(raw, str(path))

    @classmethod
    def from_dict(cls, raw: dict, where: str, extra: tuple[str, ...] = ()) -> Mapping:
        """A mapping from its TOML/JSON form; an unknown section, key or option is an error naming it."""
        for key, value in raw.items():
            if key not in MAPPING_KEYS + extra:
                what = f"section [{key}]" if isinstance(value, dict) else f"key '{key}'"
                raise LoadError(f"{where}: unknown {what} in the mapping; accepted: entity, "
                                f"[columns], [options], [constants] (see README 'Mapping a file')",
                                "mapping_unknown_key", where=where, key=key)
        parts = {}
        for sec in ("columns", "options", "constants"):
            part = raw.get(sec) or {}
            if not isinstance(part, dict):
                raise LoadError(f"{where}: '{sec}' must be a section ([{sec}] with name = value lines)",
                                "mapping_not_a_section", where=where, section=sec)
            nested = next((k for k, v in part.items() if isinstance(v, (dict, list))), None)
            if nested:
                raise LoadError(f"{where}: [{sec}] {nested} must be a single value, not a table or a list",
                                "mapping_nested_value", where=where, section=sec, key=nested)
            parts[sec] = dict(part)
        bad = next((k for k in parts["options"] if k not in OPTIONS), None)
        if bad:
            raise LoadError(f"{where}: unknown option '{bad}' in [options]; accepted: {', '.join(OPTIONS)}",
                            "mapping_unknown_option", where=where, option=bad, accepted=", ".join(OPTIONS))
        entity = raw.get("entity")
        if entity is not None and not isinstance(entity, str):
            raise LoadError(f"{where}: entity must be a name in quotes, e.g. entity = \"deals\"",
                            "mapping_bad_entity", where=where)
        return cls(entity, {k: str(v) for k, v in parts["columns"].items()}, parts["options"],
                   {k: str(v) for k, v in parts["constants"].items()})

    def as_dict(self) -> dict:
        return {"entity": self.entity, "columns": self.columns, "options": self.options,
                "constants": self.constants}

    def setting(self, key: str, default=None):
        """source_system / currency as the mapping sets them: a constant, else an option."""
        return self.constants.get(key) or self.options.get(key) or default


@dataclass
class Staged:
    """What staging one file produced; the batch itself is the temp table `batch`."""
    entity: str
    columns: dict[str, int]          # canonical field -> column index in the file
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_duplicate: int = 0
    rows_skipped: int = 0
    rows_warned: int = 0             # loaded rows with a cell read as empty (kept in cell_warnings)
    cells_warned: int = 0
    reject_samples: list[dict] = field(default_factory=list)
    warning_samples: list[dict] = field(default_factory=list)
    constants: dict[str, str] = field(default_factory=dict)
    skipped_samples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    note_keys: list[dict] = field(default_factory=list)   # the notes for a person: {"code", "fields"} each

    def note(self, code: str, text: str, **fields) -> None:
        """A note on how the file was read: `text` for the loads table and the CLI, `code` and `fields`
        for the Data page, which says it in the reader's language (ui/locales data.toml load.note.<code>)."""
        self.notes.append(text)
        self.note_keys.append({"code": code, "fields": fields})


class Source:
    """Where a file's cells come from: read_csv straight off the file, or temp table raw_in.

    The typed table is built in one pass over read_csv; raw_in (every cell as text, row-aligned
    with typed) is materialised only when some rows need their raw text: a slow parse, a reject
    reason or a skipped line (duplicate lines are compared in typed). A clean file is read once.
    """

    def __init__(self, con, layout: Layout):
        self.con, self.layout, self.parallel, self.has_raw = con, layout, True, False
        self.slow_fields: set[str] = set()   # the fields some cell of which only the full parse read (_slow_parse)
        run(con, "drop table if exists raw_in")
        if layout.kind == "parquet":
            rel = con.read_parquet(str(layout.path))
            layout.header = list(rel.columns)
            exprs = [duckdb.ColumnExpression(c).cast(duckdb.sqltype("VARCHAR")).alias(f"c{i}")
                     for i, c in enumerate(rel.columns)]
            rel.select(*exprs).create("raw_in")  # names from the file reach SQL only as expressions
            self.has_raw = True
        # cells past the header (a trailing delimiter's empty cell, stray extras) are dropped by
        # strict_mode=false; short lines (footers) are padded with NULLs
        self.ncols = max(len(layout.header), 1)

    def sql(self) -> str:
        if self.layout.kind == "parquet":
            return "raw_in"
        return ("read_csv($src_p, delim=$src_d, skip=$src_s, header=false, columns=$src_cols, "
                "auto_detect=false, quote='\"', escape='\"', null_padding=true, strict_mode=false, "
                "parallel=" + ("true" if self.parallel else "false") + ")")

    def params(self) -> dict:
        if self.layout.kind == "parquet":
            return {}
        return {"src_p": str(self.layout.path), "src_d": self.layout.delimiter,
                "src_s": self.layout.skip + 1, "src_cols": {f"c{i}": "VARCHAR" for i in range(self.ncols)}}

    def create(self, sql: str, params: dict | None = None) -> list:
        """Runs a statement reading {source}; quoted line breaks need the serial reader."""
        try:
            return run(self.con, sql.format(source=self.sql()), {**(params or {}), **self.params()})
        except duckdb.Error as err:
            if self.parallel and "parallel" in str(err) and self.layout.kind != "parquet":
                self.parallel = False
                return run(self.con, sql.format(source=self.sql()), {**(params or {}), **self.params()})
            if cut := _tail_cut(self.layout):   # the reader stopped at a quote the cut left open
                raise cut_short(self.layout, count_lines(self.layout.path), *cut) from None
            line = re.search(r"CSV Error on Line: (\d+)", str(err))
            if "Invalid unicode" in str(err) and line and not _is_utf8(self.layout.path):
                # the reader's line is the file's own (text editor's)
                name = self.layout.source.name
                raise LoadError(f"{name}: line {line[1]} holds bytes that are not UTF-8 (the file is damaged there, "
                                f"or text in another encoding was pasted in); fix or remove that line, or export the "
                                f"file again, and load it again; nothing from it was loaded", "bad_utf8",
                                file=name, line=int(line[1])) from None
            detail, facts = _csv_error(err, self.layout.path)
            # `problem` and its facts are what a reader's words say (ui/locales: err.bad_delimited.<problem>);
            # `detail` is DuckDB's own English, for this English line and the log only
            raise LoadError(f"{self.layout.source.name}: cannot parse as delimited text ({detail})",
                            "bad_delimited", file=self.layout.source.name, detail=detail,
                            problem=facts["problem"], line=facts.get("line"), size=facts.get("size"),
                            limit=facts.get("limit"), delimiter=self.layout.delimiter) from None

    def raw(self) -> None:
        """Materialises raw_in (once); its rowid order is the file's record order, as typed's is."""
        if not self.has_raw:
            self.create("create temp table raw_in as select * from {source}")
            self.has_raw = True

    def base(self) -> int:
        self.raw()
        return self.con.execute("select coalesce(min(rowid), 0) from raw_in").fetchall()[0][0]


def _csv_error(err: Exception, path: Path) -> tuple[str, dict]:
    """DuckDB's CSV error as one English line: where, and why ("line 12002: Invalid unicode (byte sequence
    mismatch) detected. This file is not utf-8 encoded."; "line 2: Maximum line size of 2000000 bytes
    exceeded..."), never the offending line itself, which can be megabytes long; and the facts a reader's
    language words: `problem` (line_too_long, quote_runs_on; other_line / other: a cause DuckDB names in
    words of its own), `line`, and for a long line its `size` and the reader's `limit` in bytes."""
    lines = str(err).strip().splitlines()
    where = re.search(r"CSV Error on Line: (\d+)", lines[0])
    why = next((x.strip() for x in lines[1:] if x.strip() and not x.startswith(("Original Line", "Possible", " "))),
               None)
    if not (where and why):
        return lines[0][:200], {"problem": "other_line" if where else "other",
                                "line": int(where.group(1)) if where else None}
    facts: dict = {"problem": "other_line", "line": int(where.group(1))}
    if size := re.search(r"Maximum line size of (\d+) bytes exceeded\. Actual Size:\s*(\d+)", why):
        facts.update(problem="line_too_long", limit=int(size.group(1)), size=int(size.group(2)))
    if why.startswith("Invalid unicode") and _is_utf8(path):
        # DuckDB 2.0 says so of a cell that goes on past its closing quote («"Кавычка" после»): it cuts
        # the text after the quote inside a character (in ASCII text it drops that text's last letter)
        why = ('the text is valid UTF-8, but a cell that starts with a quote seems to go on after the quote '
               'that closes it ("Name" text); quote the whole cell ("""Name"" text") or remove the quotes')
        facts["problem"] = "quote_runs_on"
    return f"line {where.group(1)}: {why}"[:300], facts


def _is_utf8(path: Path) -> bool:
    """Whether the whole file is valid UTF-8 (read in chunks; only on an error's path)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 22):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_entity(header: list[str], wanted: str | None, given: tuple[str, ...] = ()) -> Entity:
    """The entity whose required fields the headers (and the mapping's constants, `given`) cover
    best; --entity forces one."""
    ents = entities()
    if wanted:
        if wanted not in ents:
            raise LoadError(f"unknown entity '{wanted}'; choose one of: {', '.join(ents)}", "unknown_entity",
                            entity=wanted, entities=", ".join(ents))
        return ents[wanted]
    names = {header_key(h) for h in header}
    scored = []
    for ent in ents.values():
        hits = {f for f, syns in ent.fields.items() if names & set(syns) or f in given}
        if set(ent.required) <= hits:
            scored.append((len(hits), ent.name))
    if not scored:
        return ents["deals"]  # the common case; map_columns then explains what is missing
    scored.sort(reverse=True)
    return ents[scored[0][1]]


def map_columns(header: list[str], ent: Entity, mapping: Mapping, file_name: str,
                constants: dict[str, str] | None = None) -> dict[str, int]:
    """Canonical field -> column index, from the mapping first, then synonyms. A field with a
    constant takes no column: the constant replaces what synonyms would find."""
    constants = constants or {}
    normed = [header_key(h) for h in header]
    out: dict[str, int] = {}
    for fld, col in mapping.columns.items():
        if fld not in ent.fields:
            raise LoadError(f"{file_name}: mapping names unknown field '{fld}' for {ent.name}; "
                            f"fields are: {', '.join(ent.fields)}", "mapping_unknown_field", file=file_name,
                            field=fld, entity=ent.name, fields=", ".join(ent.fields))
        if fld in constants:
            raise LoadError(f"{file_name}: {fld} has both a column ('{col}') and a constant "
                            f"('{constants[fld]}') in the mapping; keep one of them", "mapping_column_and_constant",
                            file=file_name, field=fld, column=col, constant=constants[fld])
        if header_key(col) not in normed:
            raise LoadError(f"{file_name}: mapping column '{col}' is not in the file; columns found: "
                            f"{', '.join(header)}", "mapping_column_not_in_file", file=file_name, column=col,
                            columns=", ".join(header))
        out[fld] = normed.index(header_key(col))
    used = set(out.values())
    for fld, syns in ent.fields.items():
        if fld in out or fld in constants:
            continue
        for syn in syns:
            idx = next((i for i, n in enumerate(normed) if n == syn and i not in used), None)
            if idx is not None:
                out[fld] = idx
                used.add(idx)
                break
    # a file recognised by its headers needs them all; a file whose entity is named (a mapping, a
    # format) may lack the columns that only serve recognition (a closed-deals list without amounts:
    # its won revenue is unknown, not zero)
    needed = [f for f in ent.required if not (mapping.entity and f in ent.detect_only)]
    missing = [f for f in needed if f not in out and f not in constants]
    if missing:
        raise LoadError(
            f"{file_name}: cannot tell which columns hold {', '.join(missing)} for {ent.name}. "
            f"Columns found: {', '.join(header)}. Fields needed: {', '.join(ent.required)}. Write a "
            f"mapping TOML ([columns] {missing[0]} = \"<column name>\") and pass --mapping FILE.toml",
            "columns_not_found", file=file_name, entity=ent.name, missing=", ".join(missing),
            columns=", ".join(header), needed=", ".join(ent.required))
    return out


def constant_values(entity: str, fld: str) -> tuple[str, dict[str, str]] | None:
    """(what the value is, accepted text -> canonical value) for a constant of a looked-up field;
    None: any non-empty text. Keys are compared as config.norm_header compares them."""
    norm = config.norm_header
    if fld == "status" and entity == "deals":
        return "deal status", {s: s for s in ("open", "won", "lost")}
    if fld == "status" and entity == "leads":
        return "lead status", {v: v for _, v in config.vocabulary("lead_statuses.csv")}
    if fld == "status" and entity == "activities":
        return "activity status", {v: v for _, v in config.vocab("activity_status")}
    if fld == "owner":
        return "owner", {v: v for _, v in config.vocab("owner")}
    if fld == "metric":
        return "plan metric", {v: v for _, v in config.vocab("plan_metric")}
    if fld == "currency":
        return "currency code of data/currencies.csv", {norm(c): c for _, c in config.currency_rows()}
    if fld == "channel":
        return "channel of data/channels.csv", {norm(r["channel"]): r["channel"].strip() for r in config.channels()}
    if fld == "region":  # the canonical name, or an alias of it
        return "region of data/regions.csv", dict(config.region_alias_rows())
    return None


def check_constants(mapping: Mapping, ent: Entity, file_name: str) -> dict[str, str]:
    """The mapping's [constants] for this entity, as canonical values; a bad one is one clear line."""
    out = {}
    for key, value in mapping.constants.items():
        text = str(value).strip()
        if key not in ent.fields and key not in CONSTANT_KEYS:
            raise LoadError(f"{file_name}: [constants] names unknown field '{key}' for {ent.name}; "
                            f"fields are: {', '.join([*ent.fields, *CONSTANT_KEYS])}", "constant_unknown_field",
                            file=file_name, field=key, entity=ent.name, fields=", ".join([*ent.fields, *CONSTANT_KEYS]))
        if key in NUMBER_FIELDS | DATE_FIELDS:
            raise LoadError(f"{file_name}: [constants] {key}: a constant is text (a status, a currency, a "
                            f"region, a channel...); numbers and dates come from a column", "constant_not_text",
                            file=file_name, field=key)
        if not text:
            raise LoadError(f"{file_name}: [constants] {key} is empty; give a value or remove the line",
                            "constant_empty", file=file_name, field=key)
        allowed = constant_values(ent.name, key)
        if allowed:
            what, values = allowed
            key_text = config.region_key(text) if key == "region" else config.norm_header(text)
            if key_text not in values and config.norm_header(text) not in values:
                choices = sorted(set(values.values()))
                shown = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
                raise LoadError(f"{file_name}: [constants] {key} = '{text}' is not a {what}; use one of: {shown}",
                                "constant_not_allowed", file=file_name, field=key, value=text, choices=shown)
            text = values.get(key_text) or values[config.norm_header(text)]
        out[key] = text
    return out


def shadowed_columns(header: list[str], ent: Entity, cols: dict[str, int], constants: dict[str, str],
                     st: Staged) -> None:
    """Notes for file columns a constant replaced (synonyms would have read them as that field)."""
    normed = [header_key(h) for h in header]
    used = set(cols.values())
    for fld, value in constants.items():
        idx = next((i for i, n in enumerate(normed) if n in ent.fields.get(fld, ()) and i not in used), None)
        if idx is not None:
            st.note("constant_used", f"{fld}: constant '{value}' used for every row; column '{header[idx]}' ignored",
                    field=fld, value=value, column=header[idx])


def repeated_columns(header: list[str], cols: dict[str, int], st: Staged) -> None:
    """Notes for the repeats of a column the load reads (sniff.dedupe named them «Источник (2)»): only the
    first of the same name is read, so a value written only in a repeat would be lost without a word."""
    for fld, idx in cols.items():
        repeats = [h for h in header if h.startswith(f"{header[idx]} (") and h.endswith(")")
                   and h[len(header[idx]) + 2:-1].isdigit()]
        if repeats:
            st.note("repeated_column", f"{fld}: column '{header[idx]}' is read; the file repeats it as "
                    f"{', '.join(repr(r) for r in repeats)}, which is not read",
                    field=fld, column=header[idx], repeats=", ".join(repeats))


def _kind_sql(ncols: int) -> str:
    """data / blank / summary (totals, never summed) / note (a lone footer text) for one raw row.

    Empty cells, quoted or not, arrive as NULL, so NULL tests find blank and one-cell rows.
    """
    cells = [f"c{i}" for i in range(ncols)]
    first = "coalesce(" + ", ".join(cells[:4]) + ")"
    rest = "coalesce(" + ", ".join(cells[1:]) + ")" if ncols > 1 else "null"
    # the label of a totals row is its first cell that is not '--' (Google Ads writes '--' in the
    # status column before «Total: Account» / «Всего: аккаунт»)
    label = "coalesce(" + ", ".join(f"nullif({c}, '--')" for c in cells[:4]) + ")"
    # the prefix test keeps the regex off ordinary rows (a regex per row costs ~0.3 s per million)
    return (f"case when {first} is null and {rest} is null then 'blank' "
            f"when lower(left(ltrim({label}), 1)) in ('и', 'в', 't', 'g', 's', 'п') "
            f"     and regexp_matches({label}, $summary) then 'summary' "
            f"when {rest} is null and $width >= 3 and not regexp_matches(c0, '^\\s*[\\d-]') then 'note' "
            "else 'data' end")


def detect_locale(src: Source, cols: list[int], default: str) -> dict[int, str]:
    """Per number column 'ru' or 'en': the column's own evidence, else the file's, else the default."""
    if not cols:
        return {}
    parts = []
    for i in cols:
        parts += [f"coalesce(bool_or(regexp_matches(c{i}, $en)), false)",
                  f"coalesce(bool_or(regexp_matches(c{i}, $ru)), false)"]
    row = src.create("select " + ", ".join(parts) + " from (select * from {source} limit " + str(SAMPLE) + ")",
                     {"en": NUM_EN, "ru": NUM_RU})[0]
    votes = {i: (row[2 * k], row[2 * k + 1]) for k, i in enumerate(cols)}
    file_loc = "en" if any(en and not ru for en, ru in votes.values()) else (
        "ru" if any(ru and not en for en, ru in votes.values()) else default)
    return {i: "en" if en and not ru else "ru" if ru and not en else file_loc for i, (en, ru) in votes.items()}


def detect_dmy(src: Source, cols: list[int], option: str | None) -> bool:
    """Whether slash dates are day-first: the mapping says, else a part above 12 tells; US m/d default."""
    if option in ("dmy", "mdy"):
        return option == "dmy"
    for i in cols:
        row = src.create(
            f"select max(try_cast(split_part(c{i}, '/', 1) as int)), max(try_cast(split_part(c{i}, '/', 2) as int)) "
            f"from (select c{i} from {{source}} limit {SAMPLE}) where c{i} like '%/%/%'")[0]
        if row[0] and row[0] > 12 and (row[1] or 0) <= 12:
            return True
    return False


@functools.cache
def fast_formats() -> tuple[str, ...]:
    """The formats macro p_ts_fast tries (queries/warehouse/macros.sql), in its order."""
    sql = (QUERIES_DIR / "warehouse" / "macros.sql").read_text(encoding="utf-8")
    body = re.search(r"macro p_ts_fast\(t\) as\s*try_strptime\(t, \[(.*?)\]\)", sql, re.S)
    if body is None:
        raise RuntimeError("queries/warehouse/macros.sql: p_ts_fast is no longer try_strptime(t, [formats])")
    return tuple(re.findall(r"'([^']*)'", body.group(1)))


def detect_date_formats(src: Source, cols: list[int]) -> dict[int, str]:
    """Per date column, the p_ts_fast format most of the sampled cells are written in.

    The fast parse tries that format first: try_strptime over a list pays for every format ahead of
    the one that reads the cell (2M ISO dates, the list's fourth form: 3.6 s; their own format first:
    0.1 s). The forms are counted on the column's first FORM_SAMPLE non-empty cells of the sample
    (each form that fails costs about 0.5 us a cell); the most common is checked on the whole
    sample, and one that reads some sampled cell other than p_ts_fast does is never chosen, so a
    cell's value is p_ts_fast's either way. Cells in other forms still go through the whole list.
    """
    if not cols:
        return {}
    fmts = fast_formats()
    out = {}
    for i in cols:
        # the column's first FORM_SAMPLE non-empty cells: a close date is empty on every open deal
        counts = src.create("select " + ", ".join(f"count(try_strptime(t, $f{k}))" for k in range(len(fmts)))
                            + f" from (select trim(c{i}) as t from (select * from {{source}} limit {SAMPLE}) "
                            f"where trim(c{i}) <> '' limit {FORM_SAMPLE})", {f"f{k}": f for k, f in enumerate(fmts)})[0]
        for k in sorted((k for k in range(len(fmts)) if counts[k]), key=lambda k: (-counts[k], k)):
            read, differ = src.create(
                f"select count(v), count(*) filter (where v <> p) from (select try_strptime(t, $f) as v, "
                f"p_ts_fast(t) as p from (select trim(c{i}) as t from {{source}} limit {SAMPLE}))", {"f": fmts[k]})[0]
            if read and not differ:
                out[i] = fmts[k]
                break
    return out


def _fast_sql(fld: str, col: str, loc: str, fmt: str | None = None) -> str:
    """The cheap parse most cells pass; what it leaves NULL goes to the slow path. `fmt` names the
    parameter holding the column's own date format (detect_date_formats), tried before the list."""
    t = f"trim({col})"
    ts = f"coalesce(try_strptime({t}, ${fmt}), p_ts_fast({t}))" if fmt else f"p_ts_fast({t})"
    if fld == "month":
        return f"date_trunc('month', {ts})::timestamp"
    if fld in DATE_FIELDS:
        return ts
    if loc == "ru":
        return f"try_cast(replace(replace(replace({t}, ' ', ''), chr(160), ''), ',', '.') as double)"
    # commas are thousands only where the last one has three digits after it, then the end or the
    # point ("1.234,56", "0,5" go to p_num, which reads their comma as the decimal mark)
    return (f"try_cast(case when not contains({t}, ',') then {t} "
            f"when strpos(reverse({t}), ',') = strpos(reverse({t}), '.') + 4 then replace({t}, ',', '') end as double)")


def option_flag(value) -> bool:
    """A mapping option meant as yes/no (TOML true, "true", "1", "yes")."""
    return str(value).strip().lower() in ("1", "true", "yes")


def _slow_sql(fld: str, txt: str, loc: str, dmy: bool, in_text: bool = False) -> str:
    d = str(dmy).lower()
    if in_text and fld in DATE_FIELDS:
        txt = f"coalesce(nullif(regexp_extract({txt}, '{DATE_IN_TEXT}'), ''), {txt})"
    if fld == "month":
        return f"p_month({txt}, {d})"
    if fld in DATE_FIELDS:
        return f"p_ts({txt}, {d})"
    return f"p_num({txt}, '{loc}')"


def _reasons(fld: str, col: str, hdr: int) -> list[tuple[str, str]]:
    """(condition, reason text) SQL pairs for one required field over `typed t positional join raw_in r`:
    a row whose required cell is empty or cannot be read is rejected with these reasons."""
    q = "''''"  # one quote character, as a SQL literal
    shown = f"' in column \"' || $hdr[{hdr}] || '\"'"
    txt = f"p_text(r.{col})"
    out = []
    if fld in DATE_FIELDS:
        out.append((f"t.{fld} is null and r.{col} is not null and {txt} is not null",
                    f"'invalid date ' || {q} || {txt} || {q} || {shown} || ' (no such day or unknown form)'"))
        out.append((f"year(t.{fld}) not between 1990 and 2100",
                    f"'date ' || {q} || {txt} || {q} || ' out of range' || {shown}"))
    elif fld in NUMBER_FIELDS:
        out.append((f"t.{fld} is null and r.{col} is not null and {txt} is not null",
                    f"'not a number: ' || {q} || {txt} || {q} || {shown}"))
        # money is DECIMAL(18,2): a larger value would fail the whole file's merge, not one row
        out.append((f"abs(t.{fld}) >= 1e15", f"'number ' || {q} || {txt} || {q} || ' too large' || {shown}"))
    out.append((f"coalesce(trim(r.{col}), '') in ('', '--', '-', '—', '–', 'n/a', 'N/A', '#N/A', 'null', 'NULL')",
                f"'empty required field {fld}' || {shown}"))
    return out


def _warnings(fld: str, col: str) -> list[tuple[str, str]]:
    """(condition, reason text) SQL pairs for one optional typed field: the row loads, the cell is
    left empty and kept in cell_warnings with this reason (its column and raw text beside it)."""
    unread = f"t.{fld} is null and r.{col} is not null and p_text(r.{col}) is not null"
    if fld in DATE_FIELDS:
        return [(unread, f"'no such date or unknown form; {fld} left empty'"),
                (f"year(t.{fld}) not between 1990 and 2100", f"'date out of range (1990-2100); {fld} left empty'")]
    return [(unread, f"'not a number; {fld} left empty'"),
            (f"abs(t.{fld}) >= 1e15", f"'number too large; {fld} left empty'")]


def text_sql(col: str) -> str:
    """A text cell as the merges read it: trimmed, blank markers ('--', 'n/a') as NULL."""
    return f"nullif(nullif(nullif(trim({col}), ''), '--'), 'n/a')"


def build_typed(src: Source, ent: Entity, cols: dict[str, int], mapping: Mapping,
                constants: dict[str, str] | None = None) -> None:
    """Creates temp table typed(rn, kind, h, dup_rank, reason, <entity fields>) and view staged.

    One pass over the source trims text and does the cheap parse of numbers and dates; the slow
    parse and the reject reasons touch only the rows that need them, reading their raw cells
    row-aligned through `typed positional join raw_in`.
    """
    con, layout, ncols = src.con, src.layout, src.ncols
    for fld in ent.fields:
        if not SAFE_NAME.match(fld):
            raise LoadError(f"columns.toml: field name '{fld}' must be lower_snake_case", "bad_field_name",
                            field=fld)
    typed_fields = [f for f in cols if f in NUMBER_FIELDS | DATE_FIELDS]
    decimal = mapping.options.get("decimal")
    default_loc = {",": "ru", ".": "en"}.get(decimal, layout.locale)
    num_cols = [cols[f] for f in typed_fields if f in NUMBER_FIELDS]
    locs = dict.fromkeys(num_cols, default_loc) if decimal else detect_locale(src, num_cols, default_loc)
    date_cols = [cols[f] for f in typed_fields if f in DATE_FIELDS]
    dmy = detect_dmy(src, date_cols, mapping.options.get("date_order"))
    formats = detect_date_formats(src, date_cols)
    loc = {f: locs.get(cols[f], default_loc) for f in typed_fields}
    in_text = option_flag(mapping.options.get("date_in_text"))
    cells = ", ".join(f"c{i}" for i in range(ncols))
    constants = {f: v for f, v in (constants or {}).items() if f in ent.fields and f not in cols}
    fields = []
    for f in ent.fields:
        if f in typed_fields:
            fmt = f"fmt_{cols[f]}" if cols[f] in formats else None
            fields += [f"{_fast_sql(f, f'c{cols[f]}', loc[f], fmt)} as {f}", f"c{cols[f]} is not null as {f}_has"]
        elif f in cols:
            column = "c" + str(cols[f])     # the staged column's own name, never a user's text
            fields.append(text_sql(column) + f" as {f}")
        elif f in constants:  # [constants]: a literal column, so the merges read it like any other
            fields.append(f"$k_{f}::varchar as {f}")
        else:
            kind = "double" if f in NUMBER_FIELDS else "timestamp" if f in DATE_FIELDS else "varchar"
            fields.append(f"null::{kind} as {f}")
    with phase("read"):
        src.create("create or replace temp table typed as select {kind} as kind, hash({cells}) as h, "
                   "1 as dup_rank, null::varchar as reason, {fields} from {{source}}".format(
                       kind=_kind_sql(ncols), cells=cells, fields=", ".join(fields)),
                   {"summary": SUMMARY, "width": len(layout.header), **{f"k_{f}": v for f, v in constants.items()},
                    **{f"fmt_{i}": fmt for i, fmt in formats.items()}})
        mark_repeated_header(src)
        mark_plan_totals(src, ent, cols)
    with phase("number"):
        # typed's rowid order is the file's record order (insertion order is preserved)
        run(con, "alter table typed add column rn bigint")
        run(con, "update typed set rn = rowid - (select min(rowid) from typed) + 1")
        number_rows(src)
        refuse_cut_short(src)
    with phase("slow_parse"):
        _slow_parse(src, typed_fields, cols, loc, dmy, in_text)
    with phase("duplicates"):
        # a product-lines export (Bitrix24) writes a deal's lines one under another: the same product twice
        # in one deal is two identical lines, both the deal's, not a line exported twice
        lines_of = "deal_id" if (ent.name == "deals" and "deal_id" in cols
                                 and option_flag(mapping.options.get("sum_lines"))) else None
        _mark_duplicates(src, [*ent.fields, *(f + "_has" for f in typed_fields)], lines_of)
    with phase("reasons"):
        _mark_rejects(src, ent, cols, typed_fields)
    run(con, "create or replace temp view staged as select * exclude (h) from typed")


def mark_plan_totals(src: Source, ent: Entity, cols: dict[str, int]) -> None:
    """A plan's subtotal lines (`Январь 2026; Итого; revenue; 3 900 000`, a region's `Москва; Итого` over its
    products) carry their totals label in the region or product column, not first: skipped like any totals
    row, never loaded as a region or product and summed a second time."""
    text = [f for f in ("region", "product") if f in cols]
    if ent.name != "plan" or not text:
        return
    hit = " or ".join(f"coalesce(regexp_matches({f}, $summary), false)" for f in text)
    run(src.con, f"update typed set kind = 'summary' where kind = 'data' and ({hit})", {"summary": SUMMARY})


def mark_repeated_header(src: Source) -> None:
    """A line that is the header again (amoCRM repeats it every 1000 rows; exports pasted one under
    another) is skipped as a note, not rejected for its date «Дата создания»: found by the hash of all
    its cells, which every row already has (empty cells are NULL, as the reader gives them)."""
    cells = src.layout.header_cells[: src.ncols]
    if not cells:
        return
    values = {f"hc{i}": cells[i] if i < len(cells) and cells[i] != "" else None for i in range(src.ncols)}
    run(src.con, "update typed set kind = 'note' where kind = 'data' and h = hash("
                 + ", ".join(f"$hc{i}::varchar" for i in range(src.ncols)) + ")", values)


def count_lines(path: Path) -> int:
    """Physical lines of a text file: its newlines, and a last line without one (counted per chunk, at C speed)."""
    n, last = 0, b"\n"
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return n + (last != b"\n")


def number_rows(src: Source) -> None:
    """Temp table file_rows(rn, line): the row of the file each record is on, where rejects and cell
    warnings say it is («Строка файла»). That is the row a spreadsheet shows (Excel, LibreOffice; a
    workbook's own row), which is the text editor's line until a quoted cell spans lines: a blank line
    is a row of its own (the CSV reader drops it), a cell spanning lines is one row. Header and title
    rows count, so the first data row under a one-line header is row 2.

    Most files have one record on each line below the header: their lines are header + records, the
    row is rn + skip + 1 (macro file_row) and the table stays empty, at the cost of counting the newlines.
    Any other file is read once more as bare lines, in SQL: a line starts a row when the quotes before
    it are even (a doubled quote inside a cell keeps the parity). Should that not find as many records
    as the reader did (a stray quote in an unquoted cell), the rows stay rn + skip + 1."""
    con, layout = src.con, src.layout
    run(con, "create or replace temp table file_rows (rn bigint, line bigint)")
    # the file row of record r that rejects and warnings report; off = skip + 1
    run(con, "create or replace temp macro file_row(r, off) as "
             "coalesce((select f.line from file_rows f where f.rn = r), r + off)")
    if layout.kind == "parquet":
        return
    if layout.record_rows is not None:   # a plan read from months as columns: each line's own workbook row
        run(con, "insert into file_rows select unnest($rn), unnest($line)",
            {"rn": list(range(1, len(layout.record_rows) + 1)), "line": layout.record_rows})
        return
    records = con.execute("select count(*) from typed").fetchall()[0][0]
    one_line_each = layout.rows_above in (None, layout.skip)   # no title cell spans lines
    if one_line_each and count_lines(layout.path) == layout.skip + 1 + records:
        return
    # the line as one column: no quoting, a delimiter no text holds (strict_mode=false keeps the rest anyway)
    run(con, "create or replace temp table file_lines as select l from read_csv($p, delim=$nul, header=false, "
             "columns={'l': 'VARCHAR'}, auto_detect=false, quote='', escape='', strict_mode=false, "
             "null_padding=true)", {"p": str(layout.path), "nul": "\x00"})
    run(con, "insert into file_rows select row_number() over (order by ln), row_no from ("
             "  select ln, blank, row_number() over (order by ln) as row_no from ("
             "    select rowid + 1 as ln, l is null as blank, coalesce(sum(length(l) - length(replace(l, '\"', ''))) "
             "      over (order by rowid rows between unbounded preceding and 1 preceding), 0) as quotes_before "
             "    from file_lines) where quotes_before % 2 = 0) "
             "where ln > $header_line and not blank", {"header_line": layout.skip + 1})
    if con.execute("select count(*) from file_rows").fetchall()[0][0] != records:
        run(con, "delete from file_rows")
    elif not layout.replay:   # a file in raw/ that loaded before this check is replayed as it loaded
        check_quotes_close(src)
    run(con, "drop table file_lines")


def check_quotes_close(src: Source) -> None:
    """Refuses, in one line, a file where a quote opens a cell and never closes (`1;"Ромашка;1000`, as an
    exporter that quotes nothing writes a title typed with one quote): the reader takes the rest of the
    file as that one cell, and the rows below it would vanish without a word. Temp table file_lines (the
    file's lines) agreed with the reader on where rows start, so the quotes are the reader's quotes: odd
    in all, the last line that turns them odd opens the cell, if a quote opens a cell there."""
    con, layout = src.con, src.layout
    row = con.execute(
        "select ln, l, n from (select rowid + 1 as ln, l, q, count(*) over () as n, sum(q) over () as total, "
        "  sum(q) over (order by rowid) as upto from (select rowid, l, "
        "  coalesce(length(l) - length(replace(l, '\"', '')), 0) as q from file_lines)) "
        "where total % 2 = 1 and upto % 2 = 1 and (upto - q) % 2 = 0 order by ln desc limit 1").fetchall()
    if not row:
        return
    line, text, last = row[0]
    if re.search(rf'(^|{re.escape(layout.delimiter)})"(?:[^"]|"")*$', text or ""):
        name = layout.source.name
        raise LoadError(f"{name}: line {line}: a quote opens a cell there and never closes, so the rest of the file "
                        f"(lines {line}-{last}) reads as that one cell; close the quote or remove it and load the "
                        f"file again; nothing from it was loaded", "unclosed_quote", file=name, line=line, last=last)


def refuse_cut_short(src: Source) -> None:
    """A download or copy cut short ends mid-row: no line end, and its last line has fewer cells than the
    line above it (a cut inside a quote too). Such a file is refused, naming the row: loaded, its last row
    would be rejected for a field it lost or, cut after its required cells, land with the rest empty."""
    layout = src.layout
    cut = _tail_cut(layout)
    if cut is None:
        return
    con = src.con
    (kind, rn), = con.execute("select kind, rn from typed order by rn desc limit 1").fetchall()
    row = con.execute("select file_row($rn, $off)", {"rn": rn, "off": layout.skip + 1}).fetchall()[0][0]
    if kind == "data" and row == count_lines(layout.path):   # the last line is the last record's own
        raise cut_short(layout, row, *cut)


def _tail_cut(layout: Layout) -> tuple[int, int] | None:
    """(cells of the last line, cells of the line above) when the file ends with no line end on a line
    shorter than the full line above it; else None."""
    if layout.kind == "parquet" or layout.replay:
        return None
    size = layout.path.stat().st_size
    with open(layout.path, "rb") as fh:
        fh.seek(max(0, size - (1 << 16)))
        tail = fh.read()
    if not tail or tail.endswith((b"\n", b"\r")):
        return None
    lines = tail.decode("utf-8", "replace").splitlines()
    if len(lines) < 2:
        return None
    prev, last = (next(csv.reader([ln], delimiter=layout.delimiter), []) for ln in lines[-2:])
    if len(last) >= len(prev) or len(prev) < len(layout.header):
        return None
    return len(last), len(prev)


def cut_short(layout: Layout, row: int, cells: int, needed: int) -> LoadError:
    return LoadError(f"{layout.source.name}: the file ends in the middle of row {row} (its last line has {cells} of "
                     f"{needed} cells and no line end), as a download or copy cut short leaves it; get the whole "
                     f"file again and load it; nothing from it was loaded", "cut_short", file=layout.source.name,
                     row=row, cells=cells, needed=needed)


def _slow_parse(src: Source, typed_fields: list[str], cols: dict[str, int], loc: dict[str, str], dmy: bool,
                in_text: bool) -> None:
    """The cells the fast parse left empty, parsed again by the full macros (raw text read for those rows);
    and dates the fast parse read in the year 0-99: "05.12.26" is %d.%m.%Y's 0026, p_ts_slow's 2026."""
    con = src.con
    for f in typed_fields:
        redo = f"({f} is null or year({f}) < 100)" if f in DATE_FIELDS else f"{f} is null"
        if _any(con, f"{redo} and {f}_has"):
            src.raw()
            src.slow_fields.add(f)
            col = f"c{cols[f]}"
            run(con, "create or replace temp table slow as select t.rn, {slow} as v from typed t positional join "
                     "raw_in r where {redo} and r.{col} is not null".format(
                         slow=_slow_sql(f, "r." + col, loc[f], dmy, in_text), redo=redo.replace(f, "t." + f), col=col))
            run(con, f"update typed set {f} = s.v from slow s where typed.rn = s.rn and s.v is not null")


def _any(con, where: str) -> bool:
    return con.execute("select count(*) from (select 1 from typed where kind = 'data' and dup_rank = 1 "
                       "and (" + where + ") limit 1)").fetchall()[0][0] > 0


def _mark_rejects(src: Source, ent: Entity, cols: dict[str, int], typed_fields: list[str]) -> None:
    """Writes a reason on every row that cannot exist without a field it lacks (row_required); an
    unreadable optional cell is left empty and listed in temp table warned. Raw text is read for
    the suspect rows only."""
    con, layout = src.con, src.layout
    run(con, "create or replace temp table warned (rn bigint, field varchar, col varchar, raw varchar, "
             "reason varchar)")
    suspects = []
    for f in cols:
        if f in typed_fields:
            suspects.append(f"({f} is null and {f}_has)")
            suspects.append(f"year({f}) not between 1990 and 2100" if f in DATE_FIELDS else f"abs({f}) >= 1e15")
        if f in ent.row_required:
            suspects.append(f"{f} is null")
    if not suspects or not _any(con, " or ".join(suspects)):
        return
    src.raw()
    pairs = [p for f in cols if f in ent.row_required for p in _reasons(f, f"c{cols[f]}", cols[f] + 1)]
    warn = {f: _warnings(f, f"c{cols[f]}") for f in typed_fields if f not in ent.row_required}
    reason = ("nullif(concat_ws('; ', " + ", ".join(f"case when {c} then {r} end" for c, r in pairs) + "), '')"
              if pairs else "null::varchar")
    per_field = "".join(
        ", nullif(concat_ws('; ', " + ", ".join(f"case when {c} then {r} end" for c, r in ws) + f"), '') as w_{f}, "
        f"r.c{cols[f]} as raw_{f}" for f, ws in warn.items())
    conds = [c for c, _ in pairs] + [c for ws in warn.values() for c, _ in ws]
    run(con, "create or replace temp table issues as select t.rn, {r} as reason{w} from typed t "
             "positional join raw_in r where t.kind = 'data' and t.dup_rank = 1 and ({c})".format(
                 r=reason, w=per_field, c=" or ".join(f"({c})" for c in conds)),
        {"hdr": layout.header + [""] * (src.ncols - len(layout.header))} if pairs else None)
    run(con, "update typed set reason = i.reason from issues i where typed.rn = i.rn and i.reason is not null")
    for f in warn:  # field names are config's lower_snake names (checked in build_typed), never file text
        run(con, f"insert into warned select rn, '{f}', $col, raw_{f}, w_{f} from issues where w_{f} is not null",
            {"col": layout.header[cols[f]] if cols[f] < len(layout.header) else f"column {cols[f] + 1}"})
        run(con, f"update typed set {f} = null where rn in (select rn from warned where field = '{f}')")


def _mark_duplicates(src: Source, columns: list[str], lines_of: str | None = None) -> None:
    """Exact duplicate lines count once: only rows sharing a hash of all their cells are compared,
    on every column staging read from them (`columns`, as read, with h itself).

    `lines_of` (a field, `deal_id`): the file writes a record as several lines one under another (Bitrix24's
    product lines, summed into their deal), so identical lines inside one unbroken run of a record's lines
    are its lines (the same product added twice, price x quantity alike), not repeats; a line that repeats
    one of another run (the export pasted twice, the record written again further down) still counts once.

    Repeated hashes are found by sorting, not grouping: a hash aggregate holding one group per
    line (80M for a big touchpoints export) runs out of the bounded load pool, while DuckDB's
    sort spills to disk. The candidates are compared in typed rather than in the raw cells, which
    would mean reading the whole file again as text (15.5M touchpoints: 3.0 s, then 1.2 s to
    compare). Two different lines pass as one only if they differ in a column the load does not
    read (or in spaces around a cell) and their 64-bit hashes of all cells collide as well.
    """
    con = src.con
    run(con, "create or replace temp table dup_h as select distinct h from (select h, lead(h) over "
             "(order by h) as next_h from typed where kind = 'data') where h = next_h")
    if not con.execute("select count(*) from dup_h").fetchall()[0][0]:
        return
    if lines_of is None:
        run(con, "create or replace temp table dup_rows as "
                 "select rn from (select rn, row_number() over "
                 f"  (partition by h, {', '.join(columns)} order by rn) as k from typed "
                 "  where kind = 'data' and h in (select h from dup_h)) where k > 1")
    else:
        # runs: a new one wherever the record changes from the data line before (field names are config's
        # lower_snake names, never file text)
        run(con, "create or replace temp table dup_runs as select rn, sum(starts) over (order by rn) as line_run "
                 f"from (select rn, h, ({lines_of} is distinct from lag({lines_of}) over (order by rn))::int as starts "
                 "      from typed where kind = 'data') qualify h in (select h from dup_h)")
        run(con, "create or replace temp table dup_rows as "
                 "select rn from (select t.rn, r.line_run, row_number() over w as k, "
                 "  first_value(r.line_run) over w as first_run "
                 "  from typed t join dup_runs r using (rn) where t.kind = 'data' "
                 f"  window w as (partition by t.h, {', '.join('t.' + c for c in columns)} order by t.rn)) "
                 "where k > 1 and line_run <> first_run")
    run(con, "update typed set dup_rank = 2 where rn in (select rn from dup_rows)")


def stage_file(con, layout: Layout, entity: str | None, mapping: Mapping) -> tuple[Staged, Source]:
    """Reads, classifies, types and validates one file; leaves temp table typed and view staged."""
    src = Source(con, layout)
    ent = detect_entity(layout.header, entity or mapping.entity, tuple(mapping.constants))
    constants = check_constants(mapping, ent, layout.source.name)
    cols = map_columns(layout.header, ent, mapping, layout.source.name, constants)
    build_typed(src, ent, cols, mapping, constants)
    st = Staged(ent.name, cols, constants=constants)
    shadowed_columns(layout.header, ent, cols, constants, st)
    repeated_columns(layout.header, cols, st)
    count_rows(con, st, layout)
    sample_skipped(src, st)
    return st, src


def sample_skipped(src: Source, st: Staged) -> None:
    """The first skipped (summary / footer) lines as the file shows them, for the report."""
    st.skipped_samples = []
    if st.rows_skipped:
        first_cells = ", ".join(f"c{i}" for i in range(min(src.ncols, 3)))
        st.skipped_samples = [r[0] for r in src.con.execute(
            f"select rtrim(array_to_string(list_transform([{first_cells}], lambda x: coalesce(x, '')), ' ')) "
            "from raw_in where rowid - $base + 1 in (select rn from typed where kind in ('summary', 'note') "
            "order by rn limit 5)", {"base": src.base()}).fetchall()]


def count_rows(con, st: Staged, layout: Layout) -> None:
    """Fills the Staged counters and the first reject reasons (line numbers as in the file)."""
    (st.rows_read, st.rows_duplicate, st.rows_rejected, st.rows_skipped) = con.execute(
        "select count(*) filter (where kind = 'data'), "
        "count(*) filter (where kind = 'data' and dup_rank > 1), "
        "count(*) filter (where kind = 'data' and dup_rank = 1 and reason is not null), "
        "count(*) filter (where kind in ('summary', 'note')) from typed").fetchall()[0]
    st.rows_loaded = st.rows_read - st.rows_duplicate - st.rows_rejected
    count_warnings(con, st, layout)
    st.reject_samples = [
        {"row": line, "reason": reason} for line, reason in con.execute(
            "select file_row(typed.rn, $off), reason from typed where kind = 'data' and dup_rank = 1 "
            "and reason is not null order by rn limit 10", {"off": layout.skip + 1}).fetchall()]


def count_warnings(con, st: Staged, layout: Layout) -> None:
    """Cells left empty in rows that load (a row rejected later, e.g. by its currency, has no
    warnings of its own: its reject says why), and the first few as the file shows them."""
    st.rows_warned, st.cells_warned, st.warning_samples = 0, 0, []
    if not con.execute("select count(*) from (select 1 from warned limit 1)").fetchall()[0][0]:
        return
    # warned rows are data rows of rank 1 (staging picked them so); checks after staging may reject some
    run(con, "create or replace temp table warned_kept as select w.* from warned w "
             "anti join (select rn from typed where reason is not null) r on r.rn = w.rn")
    st.rows_warned, st.cells_warned = con.execute(
        "select count(distinct rn), count(*) from warned_kept").fetchall()[0]
    st.warning_samples = [
        {"row": line, "column": col, "raw": raw, "reason": reason} for line, col, raw, reason in
        con.execute("select file_row(warned_kept.rn, $off), col, raw, reason from warned_kept order by rn, col "
                    "limit 10",
                    {"off": layout.skip + 1}).fetchall()]
