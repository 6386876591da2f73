"""Turns one sniffed file into a typed, validated batch table: usable rows plus rejects with reasons."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl.config import Entity, entities, norm_header
from etl.errors import LoadError
from etl.sqlfiles import run
from etl.sniff import Layout

DATE_FIELDS = {"created_at", "closed_at", "first_contact_at", "touch_at", "date", "sale_date",
               "start_date", "end_date", "period_start", "period_end", "month"}
NUMBER_FIELDS = {"amount", "cost", "target", "budget", "quantity", "impressions", "clicks",
                 "visits", "visitors"}
SAFE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# Totals and footers that exports put below the data: never summed, reported as skipped.
SUMMARY = r"(?i)^\s*(итого|итог|всего|total|totals|grand totals?|subtotal|промежуточный итог)(\s|$|[:.,;(])"
SAMPLE = 20000
NUM_EN = r"\d,\d{3}\.\d|\d,\d{3},\d{3}"
NUM_RU = r"\d,\d{1,2}$|\d,\d{4,}|\d\.\d{3},\d|\d[ \x{00A0}\x{202F}]\d{3}"


@dataclass
class Mapping:
    """A user's --mapping TOML: entity, field -> header, and options the file cannot tell."""
    entity: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path | None) -> "Mapping":
        if path is None:
            return cls()
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise LoadError(f"{path}: cannot read the mapping ({err}); see README 'Mapping a file'") from None
        return cls(raw.get("entity"), dict(raw.get("columns", {})), dict(raw.get("options", {})))

    def as_dict(self) -> dict:
        return {"entity": self.entity, "columns": self.columns, "options": self.options}


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
    reject_samples: list[dict] = field(default_factory=list)
    skipped_samples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_raw(con: duckdb.DuckDBPyConnection, layout: Layout) -> int:
    """Reads the file into temp table raw_in(c0..cN VARCHAR); returns the column count."""
    run(con, "drop table if exists raw_in")
    if layout.kind == "parquet":
        rel = con.read_parquet(str(layout.path))
        layout.header = list(rel.columns)
        exprs = [duckdb.ColumnExpression(c).cast(duckdb.sqltype("VARCHAR")).alias(f"c{i}")
                 for i, c in enumerate(rel.columns)]
        rel.select(*exprs).create("raw_in")
        return len(exprs)
    ncols = len(layout.header) + 4  # room for trailing delimiters and stray extra cells
    params = {"p": str(layout.path), "d": layout.delimiter, "s": layout.skip + 1,
              "cols": {f"c{i}": "VARCHAR" for i in range(ncols)}}
    sql = ("create temp table raw_in as select * from read_csv($p, delim=$d, skip=$s, header=false, "
           "columns=$cols, auto_detect=false, quote='\"', escape='\"', null_padding=true, "
           "strict_mode=false, parallel={par})")
    try:
        run(con, sql.format(par="true"), params)
    except duckdb.Error as err:
        if "parallel" not in str(err):
            raise LoadError(f"{layout.source.name}: cannot parse as delimited text ({_first_line(err)})") from None
        run(con, sql.format(par="false"), params)  # quoted line breaks need the serial reader
    return ncols


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0][:200]


def detect_entity(header: list[str], wanted: str | None) -> Entity:
    """The entity whose required fields the headers cover best; --entity forces one."""
    ents = entities()
    if wanted:
        if wanted not in ents:
            raise LoadError(f"unknown entity '{wanted}'; choose one of: {', '.join(ents)}")
        return ents[wanted]
    names = {norm_header(h) for h in header}
    scored = []
    for ent in ents.values():
        hits = {f for f, syns in ent.fields.items() if names & set(syns)}
        if set(ent.required) <= hits:
            scored.append((len(hits), ent.name))
    if not scored:
        return ents["deals"]  # the common case; map_columns then explains what is missing
    scored.sort(reverse=True)
    return ents[scored[0][1]]


def map_columns(header: list[str], ent: Entity, mapping: Mapping, file_name: str) -> dict[str, int]:
    """Canonical field -> column index, from the mapping first, then synonyms."""
    normed = [norm_header(h) for h in header]
    out: dict[str, int] = {}
    for fld, col in mapping.columns.items():
        if fld not in ent.fields:
            raise LoadError(f"{file_name}: mapping names unknown field '{fld}' for {ent.name}; "
                            f"fields are: {', '.join(ent.fields)}")
        if norm_header(col) not in normed:
            raise LoadError(f"{file_name}: mapping column '{col}' is not in the file; columns found: "
                            f"{', '.join(header)}")
        out[fld] = normed.index(norm_header(col))
    used = set(out.values())
    for fld, syns in ent.fields.items():
        if fld in out:
            continue
        for syn in syns:
            idx = next((i for i, n in enumerate(normed) if n == syn and i not in used), None)
            if idx is not None:
                out[fld] = idx
                used.add(idx)
                break
    missing = [f for f in ent.required if f not in out]
    if missing:
        raise LoadError(
            f"{file_name}: cannot tell which columns hold {', '.join(missing)} for {ent.name}. "
            f"Columns found: {', '.join(header)}. Fields needed: {', '.join(ent.required)}. Write a "
            f"mapping TOML ([columns] {missing[0]} = \"<column name>\") and pass --mapping FILE.toml")
    return out


def classify(con: duckdb.DuckDBPyConnection, ncols: int, width: int) -> None:
    """Adds rn (1-based record number after the header) and kind: data / blank / summary / note."""
    cells = [f"c{i}" for i in range(ncols)]
    filled = " + ".join(f"(nullif(trim({c}), '') is not null)::int" for c in cells)
    first = "coalesce(" + ", ".join(f"nullif(trim({c}), '')" for c in cells) + ")"
    run(con, 
        "create or replace temp table raw_rows as select rowid - (select min(rowid) from raw_in) + 1 as rn, "
        "case when {filled} = 0 then 'blank' "
        "when regexp_matches({first}, $summary) then 'summary' "
        "when {filled} = 1 and $width >= 3 and nullif(trim(c0), '') is not null "
        "     and not regexp_matches(c0, '^\\s*\\d') then 'note' "
        "else 'data' end as kind, * from raw_in".format(filled=filled, first=first),
        {"summary": SUMMARY, "width": width})
    run(con, "drop table raw_in")


def detect_locale(con, cols: list[int], default: str) -> dict[int, str]:
    """Per number column 'ru' or 'en': the column's own evidence, else the file's, else the default."""
    if not cols:
        return {}
    parts = []
    for i in cols:
        parts += [f"coalesce(bool_or(regexp_matches(c{i}, $en)), false)",
                  f"coalesce(bool_or(regexp_matches(c{i}, $ru)), false)"]
    row = con.execute("select " + ", ".join(parts) +
                      " from (select * from raw_rows where kind = 'data' limit {n})".format(n=SAMPLE),
                      {"en": NUM_EN, "ru": NUM_RU}).fetchall()[0]
    votes = {i: (row[2 * k], row[2 * k + 1]) for k, i in enumerate(cols)}
    file_loc = "en" if any(en and not ru for en, ru in votes.values()) else (
        "ru" if any(ru and not en for en, ru in votes.values()) else default)
    return {i: "en" if en and not ru else "ru" if ru and not en else file_loc for i, (en, ru) in votes.items()}


def detect_dmy(con, cols: list[int], option: str | None) -> bool:
    """Whether slash dates are day-first: the mapping says, else a part above 12 tells; US m/d default."""
    if option in ("dmy", "mdy"):
        return option == "dmy"
    for i in cols:
        row = con.execute(
            "select max(try_cast(split_part(c{i}, '/', 1) as int)), max(try_cast(split_part(c{i}, '/', 2) as int)) "
            "from (select c{i} from raw_rows where kind = 'data' and c{i} like '%/%/%' limit {n})"
            .format(i=i, n=SAMPLE)).fetchall()[0]
        if row[0] and row[0] > 12 and (row[1] or 0) <= 12:
            return True
    return False


def _field_sql(fld: str, col: str, loc: str, dmy: bool) -> str:
    if fld == "month":
        return f"p_month({col}, {str(dmy).lower()})"
    if fld in DATE_FIELDS:
        return f"p_ts({col}, {str(dmy).lower()})"
    if fld in NUMBER_FIELDS:
        return f"p_num({col}, '{loc}')"
    return f"p_text({col})"


def _reason_sql(fld: str, col: str, expr: str, hdr: int, required: bool) -> list[str]:
    """SQL pieces that yield a reason text when the cell is unusable; header names come as $hdr."""
    out = []
    shown = f"' in column \"' || $hdr[{hdr}] || '\"'"
    if fld in DATE_FIELDS:
        out.append(f"case when p_text({col}) is not null and {expr} is null then "
                   f"'invalid date ''' || p_text({col}) || '''' || {shown} || ' (no such day or unknown form)' end")
        out.append(f"case when year({expr}) not between 1990 and 2100 then "
                   f"'date ''' || p_text({col}) || ''' out of range' || {shown} end")
    elif fld in NUMBER_FIELDS:
        out.append(f"case when p_text({col}) is not null and {expr} is null then "
                   f"'not a number: ''' || p_text({col}) || '''' || {shown} end")
    if required:
        out.append(f"case when p_text({col}) is null then 'empty required field {fld}' || {shown} end")
    return out


def build_typed(con, layout: Layout, ent: Entity, cols: dict[str, int], ncols: int,
                mapping: Mapping) -> None:
    """Creates temp table typed(rn, dup_rank, reason, raw, <entity fields>) from raw_rows."""
    for fld in ent.fields:
        if not SAFE_NAME.match(fld):
            raise LoadError(f"columns.toml: field name '{fld}' must be lower_snake_case")
    num_cols = [i for f, i in cols.items() if f in NUMBER_FIELDS]
    date_cols = [i for f, i in cols.items() if f in DATE_FIELDS]
    decimal = mapping.options.get("decimal")
    default_loc = {",": "ru", ".": "en"}.get(decimal, layout.locale)
    locs = {i: default_loc for i in num_cols} if decimal else detect_locale(con, num_cols, default_loc)
    dmy = detect_dmy(con, date_cols, mapping.options.get("date_order"))
    selects, reasons = [], []
    for fld in ent.fields:
        if fld not in cols:
            selects.append(f"null::varchar as {fld}" if fld not in NUMBER_FIELDS | DATE_FIELDS
                           else f"null::{'double' if fld in NUMBER_FIELDS else 'timestamp'} as {fld}")
            continue
        col = f"c{cols[fld]}"
        expr = _field_sql(fld, col, locs.get(cols[fld], default_loc), dmy)
        selects.append(f"{expr} as {fld}")
        reasons += _reason_sql(fld, col, expr, cols[fld] + 1, fld in ent.row_required)
    cells = ", ".join(f"c{i}" for i in range(ncols))
    reason = "nullif(concat_ws('; ', " + ", ".join(reasons) + "), '')" if reasons else "null::varchar"
    run(con, 
        "create or replace temp table typed as select rn, "
        "row_number() over (partition by {cells} order by rn) as dup_rank, {reason} as reason, "
        "rtrim(array_to_string(list_transform([{cells}], lambda x: coalesce(x, '')), $delim), $delim) as raw, "
        "{selects} from raw_rows where kind = 'data'".format(cells=cells, reason=reason,
                                                             selects=", ".join(selects)),
        {"hdr": layout.header + [""] * (ncols - len(layout.header)), "delim": layout.delimiter})


def stage_file(con, layout: Layout, entity: str | None, mapping: Mapping) -> Staged:
    """Reads, classifies, types and validates one file; leaves temp tables typed and raw_rows."""
    ncols = read_raw(con, layout)
    if layout.kind == "parquet":
        layout.header = layout.header  # parquet names are the header; nothing to skip
    ent = detect_entity(layout.header, entity or mapping.entity)
    cols = map_columns(layout.header, ent, mapping, layout.source.name)
    classify(con, ncols, len(layout.header))
    build_typed(con, layout, ent, cols, ncols, mapping)
    st = Staged(ent.name, cols)
    (st.rows_read, st.rows_duplicate, st.rows_rejected, st.rows_skipped) = con.execute(
        "select (select count(*) from typed), "
        "(select count(*) from typed where dup_rank > 1), "
        "(select count(*) from typed where dup_rank = 1 and reason is not null), "
        "(select count(*) from raw_rows where kind in ('summary', 'note'))").fetchall()[0]
    st.rows_loaded = st.rows_read - st.rows_duplicate - st.rows_rejected
    offset = layout.skip + 1
    st.reject_samples = [
        {"row": rn + offset, "reason": reason} for rn, reason in con.execute(
            "select rn, reason from typed where dup_rank = 1 and reason is not null order by rn limit 10"
        ).fetchall()]
    st.skipped_samples = [r[0] for r in con.execute(
        "select rtrim(array_to_string(list_transform([c0, c1, c2], lambda x: coalesce(x, '')), ' '))"
        " from raw_rows where kind in ('summary', 'note') order by rn limit 5").fetchall()]
    return st
