"""Loading files into the warehouse: raw copy by sha256, staging, merge, one atomic swap per command."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
from tqdm import tqdm

from etl import config, formats, limits, periods, profiles
from etl.build import CHANNEL_INPUTS, Builder, check_docs, file_checks, run_checks
from etl.errors import LoadError, log_path, log_unexpected, unexpected
from etl.paths import db_path, raw_dir
from etl.phases import phase, recording
from etl.sniff import Layout, sniff
from etl.sqlfiles import run, run_file
from etl.stage import Mapping, Source, Staged, count_rows, option_flag, sample_skipped, stage_file

MONEY_ENTITIES = ("deals", "ad_spend", "sales")   # the entities whose rows carry money, and its currency
MONEY_FIELDS = ("amount", "cost")

QUERIES = Path(__file__).resolve().parent.parent / "queries" / "warehouse"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def store_raw(path: Path, sha: str) -> Path:
    """Keeps the file byte-for-byte as raw/<sha256><ext>; the original is never edited. The name is
    generated: nothing of the file's own name but a plain extension reaches the path."""
    folder = raw_dir()
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / (sha + limits.suffix(path.name))
    if not dest.exists():
        tmp = dest.with_name(dest.name + ".part")
        shutil.copyfile(path, tmp)
        tmp.replace(dest)
    return dest


def manifest_path() -> Path:
    return raw_dir() / "manifest.jsonl"


def read_manifest() -> list[dict]:
    """Loaded files in load order, one entry per sha256 (the first wins)."""
    if not manifest_path().exists():
        return []
    seen, out = set(), []
    for line in manifest_path().read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            if entry["sha256"] not in seen:
                seen.add(entry["sha256"])
                out.append(entry)
    return out


def _channel_inputs(con, entity: str) -> None:
    cols = CHANNEL_INPUTS.get(entity)
    if not cols:
        return
    names = ("ch_channel", "ch_utm_source", "ch_utm_medium", "ch_source")
    exprs = [(f"{c}" if c else "null::varchar") + " as " + n for c, n in zip(cols, names, strict=True)]
    # a view: channel_map.sql reads it once for its distinct tuples, so the batch is not copied
    run(con, "create or replace temp view chan_in as select " + ", ".join(exprs) + " from good")
    run_file(con, QUERIES / "channel_map.sql")


def load_one(b: Builder, stored: Path, name: str, sha: str, entity: str | None,
             mapping: Mapping, work: Path, format_name: str | None = None,
             period: periods.Period | None = None, loaded_at: dt.datetime | None = None,
             replay: bool = False) -> dict:
    """Stages, merges and checks one file inside the builder; a failure rolls back just this file.
    `period` is the user's (--period, the upload form's dates) for a report that names none.
    `loaded_at` is when the file was loaded (a rebuild passes the manifest's time); None: now.
    `replay`: a file of raw/ read again by a rebuild."""
    try:
        return _load_one(b, stored, name, sha, entity, mapping, work, format_name, period,
                         loaded_at or load_time(), replay)
    except (LoadError, duckdb.Error, OSError):
        raise
    except Exception as err:  # a bug, not the file: logged with its traceback, one line for the user
        raise unexpected(err, name) from err


def _load_one(b: Builder, stored: Path, name: str, sha: str, entity: str | None, mapping: Mapping,
              work: Path, format_name: str | None, user_period: periods.Period | None,
              loaded_at: dt.datetime, replay: bool = False) -> dict:
    """detect -> match a profile or format -> stage -> (one transaction:) validate -> lookups -> merge
    -> rejects and warnings -> bookkeeping -> the file's data checks. Staging writes temp tables only;
    it runs before `begin` because read_csv's serial retry (quoted line breaks) cannot run inside a
    transaction its first attempt aborted."""
    con = b.con
    with phase("decode"):
        plan = _match(_detect(stored, name, work), entity, mapping, format_name)
        plan.layout.replay = replay
    with phase("stage"):
        st, src = _stage(con, plan, entity, format_name)
        period, origin = _file_period(plan.layout, name, st, user_period)
        marked = None if plan.mapping.options.get("currency") else _marked_currency(src, st, name)
    run(con, "begin")
    try:
        load_id = b.next_load_id()
        params = _params(load_id, plan, st, period, marked)
        with phase("validate"):
            _validate(con, st, plan.layout, params)
        with phase("lookups"):
            _lookups(con, st)
        with phase("merge"):
            arithmetic, written = _merge(con, name, st, load_id, params)
        with phase("rejects"):
            _keep_rejects(src, st, load_id)
            _record_load(con, name, sha, plan, st, params, loaded_at, _covered(con, st, load_id, period, origin))
        with phase("file_checks"):
            _check_file(con, name, st.entity)
            run(con, "commit")
    except BaseException:
        run(con, "rollback")
        raise
    # what the file changed, from what its merge wrote: the build rebuilds only what reads these
    b.wrote([t for t, n in written.items() if n] + ["loads"] + ["rejects"] * bool(st.rows_rejected)
            + ["cell_warnings"] * bool(st.cells_warned))
    return _report(name, plan, st, load_id, arithmetic, period)


@dataclass
class _Plan:
    """How one file is read: its layout, the mapping in force, and the saved profile or export format
    that recognised it (neither: the generic synonym path). `user` is the mapping the user gave."""
    layout: Layout
    mapping: Mapping
    user: Mapping
    profile: tuple[str, Mapping] | None = None
    fmt: formats.Format | None = None

    @property
    def label(self) -> str:
        """What the loads table and the report call the way the file was read."""
        return f"mapping:{self.profile[0]}" if self.profile else self.fmt.name if self.fmt else "generic"


def _detect(stored: Path, name: str, work: Path) -> Layout:
    """The file's container, encoding, delimiter and header, named as the user knows the file."""
    try:
        layout = sniff(stored, work)
    except LoadError as err:  # the user knows the file by its name, not by its raw/ copy
        raise LoadError(str(err).replace(stored.name, name), err.code, **{**err.fields, "file": name}) from None
    layout.source = Path(name)
    return layout


def _match(layout: Layout, entity: str | None, mapping: Mapping, format_name: str | None) -> _Plan:
    """A saved profile (data/mappings/) for this exact header, unless the user mapped or forced a format;
    else the export format (forced by --format, else recognised) maps the file under the user's mapping."""
    profile = None if (format_name or mapping.columns) else profiles.match(layout)
    if profile:  # the user's constants still hold over a saved profile
        saved = profile[1]
        used = Mapping(saved.entity, saved.columns, saved.options, {**saved.constants, **mapping.constants})
        return _Plan(layout, used, mapping, profile=profile)
    fmt = formats.by_name(format_name) if format_name else formats.detect(layout)
    if fmt and not format_name and entity and entity != fmt.entity:
        fmt = None  # --entity asked for something this format does not hold: the generic path
    return _Plan(layout, formats.apply(fmt, layout, mapping) if fmt else mapping, mapping, fmt=fmt)


def _stage(con, plan: _Plan, entity: str | None, format_name: str | None) -> tuple[Staged, Source]:
    """Stages the file (temp tables only); a recognised format whose columns are not all there falls
    back to the generic path, which `plan` then records."""
    try:
        st, src = stage_file(con, plan.layout, entity, plan.mapping)
    except LoadError as err:
        if plan.fmt is None or format_name or err.code in ("unclosed_quote", "cut_short"):   # its text, not columns
            raise
        plan.fmt, plan.mapping = None, plan.user
        st, src = stage_file(con, plan.layout, entity, plan.mapping)
    if plan.layout.plan_sheets:
        sheets = ", ".join(f"«{s}»" for s in plan.layout.plan_sheets)
        st.note("wide_plan", f"a plan with months as columns: sheets {sheets} read as one line per region and "
                f"month; a totals column is not read, a totals row is skipped", sheets=sheets)
    if plan.fmt:
        formats.finish(plan.fmt, src, st, plan.mapping)
        count_rows(con, st, plan.layout)
        sample_skipped(src, st)
    return st, src


def _params(load_id: int, plan: _Plan, st: Staged, period: periods.Period | None, marked: str | None) -> dict:
    """The values the validate and merge SQL take for this file; `marked`: the currency its money cells
    are written in, when the file has no currency column."""
    start, end = (d.isoformat() for d in period) if period else (None, None)
    options = plan.mapping.options
    return {"load_id": load_id, "source_system": plan.mapping.setting("source_system", "crm"),
            **_currency(options.get("currency"), _header_currency(plan.layout, st), marked),
            "platform": options.get("platform", "unknown"), "period_start": start, "period_end": end,
            "sum_lines": option_flag(options.get("sum_lines")),
            # leads: whether the file has a first-contact column (no column: contact times unknown, not missed)
            "contact_known": "first_contact_at" in st.columns}


def _currency(option: str | None, header: str | None, marked: str | None) -> dict:
    """The currency of a file's amounts when it has no currency column, and where it came from: the mapping's
    option, the money column's header ('Amount spent (USD)'), the marks in its cells («$500»), else RUB. A
    format that reads the header into the option (Meta Ads) is the header's."""
    if header and option in (None, header):
        return {"currency": header, "currency_from": "header"}
    for origin, value in (("mapping", option), ("marks", marked), ("default", "RUB")):
        if value:
            return {"currency": value, "currency_from": origin}
    raise AssertionError("unreachable: the default is set")


def _validate(con, st: Staged, layout: Layout, params: dict) -> None:
    """The entity's row rules (validate_<entity>.sql, and currency codes where it has money), then the
    view `good`: the rows the merge takes."""
    fields = config.entities()[st.entity].fields
    validations = [QUERIES / f"validate_{st.entity}.sql"] + (
        [QUERIES / "validate_currency.sql"] if "currency" in fields else [])
    for validate in [v for v in validations if v.exists()]:
        run_file(con, validate, params)
    if any(v.exists() for v in validations):
        count_rows(con, st, layout)
    run(con, "create or replace temp view good as select * from staged "
             "where kind = 'data' and dup_rank = 1 and reason is null")
    if st.entity == "plan":
        _plan_conflicts(con, layout)


def _plan_conflicts(con, layout: Layout) -> None:
    """A plan gives each month x region x product x metric one target: two lines that give it two are a
    contradiction the file's author resolves, not the merge (which would keep the later in silence)."""
    sql = (QUERIES / "conflicts_plan.sql").read_text(encoding="utf-8")
    found = con.execute(sql, {"off": layout.skip + 1}).fetchall()
    if found:
        row, other, month, region, product, metric, target, other_target = found[0]
        name, region, product = layout.source.name, region or "-", product or "-"
        raise LoadError(f"{name}: rows {row} and {other} give {metric} for {month}, region {region}, product "
                        f"{product} two targets ({target} and {other_target}); keep one of the two rows and load "
                        f"the file again; nothing from it was loaded", "plan_conflict", file=name, row=row,
                        other_row=other, month=month, region=region, product=product, metric=metric,
                        target=target, other_target=other_target)


def _lookups(con, st: Staged) -> None:
    """Vocabulary lookups over distinct values, shared by every merge that joins them."""
    fields = config.entities()[st.entity].fields
    for fld in ("region", "currency"):
        if fld in fields:
            run_file(con, QUERIES / f"lookups_{fld}.sql")
    _channel_inputs(con, st.entity)


def _merge(con, name: str, st: Staged, load_id: int, params: dict) -> tuple[dict, dict[str, int]]:
    """merge_<entity>.sql writes the good rows into the warehouse; its row arithmetic must hold.
    Also returns table -> rows the merge wrote (a merge of no good rows writes none)."""
    run(con, "drop table if exists merge_rows")
    written = run_file(con, QUERIES / f"merge_{st.entity}.sql", params)
    return _check_arithmetic(con, name, st, load_id), written


def _keep_rejects(src: Source, st: Staged, load_id: int) -> None:
    """Rejected rows and the cells read as empty, kept under the file's load_id."""
    if st.rows_rejected:
        _insert_rejects(src, load_id)
    if st.cells_warned:
        _insert_warnings(src, load_id)


def _covered(con, st: Staged, load_id: int, period: periods.Period | None,
             origin: str | None) -> tuple[dt.date | None, dt.date | None, str | None]:
    """(first day, last day, where from) of what the file covers: the period it states (its title
    lines, its name, or the user's --period) else the span of the days its merged rows hold ('rows').
    A file that states its period covers it whatever its rows hold: an ad platform's report for
    June-November whose only campaign ended in July covers November (alerts.sql tells an ended
    flight from a late export by this)."""
    if period is not None:
        return period[0], period[1], origin.replace(" ", "_") if origin else None
    first, last = periods.ROW_DAYS.get(st.entity, (None, None))
    if first is None:
        return None, None, None
    # the entity's table by name through the relational API (names from ROW_DAYS, no SQL text built)
    day = duckdb.sqltypes.DATE
    span = con.table(st.entity).filter(
        duckdb.ColumnExpression("load_id") == duckdb.ConstantExpression(load_id)).aggregate([
            duckdb.FunctionExpression("min", duckdb.ColumnExpression(first).cast(day)),
            duckdb.FunctionExpression("max", duckdb.ColumnExpression(last).cast(day))]).fetchall()
    start, end = span[0] if span else (None, None)
    return start, end, "rows" if start is not None or end is not None else None


def _record_load(con, name: str, sha: str, plan: _Plan, st: Staged, params: dict, loaded_at: dt.datetime,
                 covered: tuple) -> None:
    """The file's row in `loads`: how it was read, when (the time the manifest keeps, so a rebuild
    writes the same), what became of its rows and the period it covers (`_covered`)."""
    if "currency" not in {*st.columns, *st.constants} and st.entity in MONEY_ENTITIES:
        origin = params["currency_from"]
        why = {"mapping": ", as the mapping sets", "header": ", as the money column's header says",
               "marks": ", as its amounts are written", "default": ""}[origin]
        st.note("currency_assumed", f"no currency column: amounts taken as {params['currency']}{why}",
                currency=params["currency"], origin=origin)
    layout = plan.layout
    run(con,
        # by column name: a warehouse built before a column was added has it last, wherever schema.sql puts it
        "insert into loads (load_id, file_name, sha256, format, entity, loaded_at, rows_read, rows_loaded, "
        "rows_rejected, rows_duplicate, rows_skipped, encoding, delimiter, source_system, notes, rows_warned, "
        "cells_warned, note_keys, period_start, period_end, period_from) values ($id, $name, $sha, $fmt, $ent, "
        "$at, $read, $loaded, $rej, $dup, $skip, $enc, $delim, $sys, $notes, $warned, $cells, $keys, $first, $last, "
        "$from)",
        {"id": params["load_id"], "name": name, "sha": sha, "fmt": plan.label, "ent": st.entity,
         "at": loaded_at, "read": st.rows_read, "loaded": st.rows_loaded, "rej": st.rows_rejected,
         "dup": st.rows_duplicate, "skip": st.rows_skipped, "enc": layout.encoding,
         "delim": layout.delimiter, "sys": params["source_system"], "notes": "; ".join(st.notes),
         "warned": st.rows_warned, "cells": st.cells_warned,
         "keys": json.dumps(st.note_keys, ensure_ascii=False, default=str),
         "first": covered[0], "last": covered[1], "from": covered[2]})


def _file_period(layout: Layout, name: str, st: Staged,
                 user: periods.Period | None) -> tuple[periods.Period | None, str | None]:
    """The report's period (title lines, else file name, else the user's) and where it came from; a report
    whose rows have no date and whose period cannot be found fails whole here, in one line, before
    anything is written."""
    period, origin = periods.resolve(layout.preamble, name, user)
    field = periods.PERIOD_FIELD.get(st.entity)
    if not field or field in st.columns:
        return period, origin  # rows carry their own dates; the period only fills a row's empty one
    if period is None:
        raise periods.no_period(name, st.entity)
    days = (period[1] - period[0]).days + 1
    note = f"no date column: the period {period[0]}..{period[1]} ({days} days) is from the {origin}"
    fields = {"first": period[0].isoformat(), "last": period[1].isoformat(), "days": days, "origin": origin,
              "user": "", "spread": st.entity == "ad_spend" and days > 1}
    if user and origin != "user" and tuple(user) != tuple(period):
        note += f", not --period {user[0]}..{user[1]}"
        fields["user"] = f"{user[0].isoformat()}..{user[1].isoformat()}"
    if fields["spread"]:
        note += "; each row's cost, impressions and clicks are spread evenly over its days"
    st.note("period", note, **fields)
    return period, origin


def _check_arithmetic(con, name: str, st: Staged, load_id: int) -> dict:
    """Every merge states its row arithmetic (temp table merge_rows); a fan-out breaks it and fails the file.

    rows read = loaded + rejected + duplicates; rows inserted = loaded + extra days of rows spread over
    a period - rows merged into another row of their key (a later line of the same deal, lines summed)."""
    if not re.fullmatch(r"[a-z_]+", st.entity) or not con.execute(
            "select count(*) from duckdb_tables() where table_name = 'merge_rows' and temporary").fetchall()[0][0]:
        raise LoadError(f"{name}: internal error: merge_{st.entity}.sql states no row arithmetic (merge_rows); "
                        f"nothing from the file was kept; report this", "row_arithmetic", file=name,
                        entity=st.entity, inserted="?", expected="?")
    # one read of the merge's arithmetic (a merge may state more: the deals' products, deals_several_products)
    stated = con.execute("select * from merge_rows").df().iloc[0]
    merged, spread = int(stated.rows_merged), int(stated.rows_spread)
    # the entity's table by name through the relational API: no SQL text is built from it
    inserted = con.table(st.entity).filter(
        duckdb.ColumnExpression("load_id") == duckdb.ConstantExpression(load_id)).count("*").fetchall()[0][0]
    expected = st.rows_loaded + spread - merged
    if inserted != expected or st.rows_read != st.rows_loaded + st.rows_rejected + st.rows_duplicate:
        raise LoadError(
            f"{name}: internal error: the {st.entity} merge wrote {inserted} rows where the file's arithmetic "
            f"says {expected} ({st.rows_loaded} rows loaded + {spread} days spread - {merged} merged into "
            f"their key): a lookup matched a row more than once; nothing from the file was kept, the other "
            f"files load; report this with the file", "row_arithmetic", file=name, entity=st.entity,
            inserted=inserted, expected=expected)
    if merged:
        st.note("merged", f"{merged} rows merged into another row of their key (a later line of the same record, "
                f"or lines summed)", n=merged)
    several = int(stated.get("deals_several_products", 0))
    if several:
        st.note("several_products", f"{several} deals have lines of several products; each deal counts under the "
                f"product of its largest line", n=several)
    return {"rows_merged": merged, "rows_spread": spread, "rows_inserted": inserted}


def _check_file(con, name: str, entity: str) -> None:
    """The data checks this file's merge could break, inside its transaction: a violation refuses it alone."""
    failed = {k: v for k, v in run_checks(con, file_checks(entity)).items() if v}
    if failed:
        docs = check_docs()
        first = next(iter(failed))
        listed = ", ".join(f"{k} ({v} rows)" for k, v in failed.items())
        raise LoadError(f"{name}: data check {listed} fails with this file ({docs[first].rstrip('.')}); nothing "
                        f"from the file was kept, the other files load; correct the file or the data/ config "
                        f"it relies on and load it again", "check_failed", file=name, check=listed,
                        rows=sum(failed.values()))


def _insert_rejects(src: Source, load_id: int) -> None:
    """Rejected rows keep their line number, reason and the line's cells as the file had them."""
    con, layout = src.con, src.layout
    base = src.base()
    cells = ", ".join(con.table("raw_in").columns)
    run(con, "insert into rejects select $id, file_row(t.rn, $off), t.reason, "
             f"rtrim(array_to_string(list_transform([{cells}], lambda x: coalesce(x, '')), $delim), $delim) "
             "from typed t join raw_in r on r.rowid = t.rn + $base - 1 "
             "where t.kind = 'data' and t.dup_rank = 1 and t.reason is not null",
        {"id": load_id, "off": layout.skip + 1, "base": base, "delim": layout.delimiter})


def _insert_warnings(src: Source, load_id: int) -> None:
    """Cells left empty in loaded rows: line number (as rejects number them), column, raw text, reason."""
    run(src.con, 'insert into cell_warnings (load_id, row_number, "column", raw, reason) '
                 "select $id, file_row(warned_kept.rn, $off), col, raw, reason from warned_kept",
        {"id": load_id, "off": src.layout.skip + 1})


def _header_currency(layout: Layout, st: Staged) -> str | None:
    """A file without a currency column may name it in the money column's header ('Amount spent (USD)')."""
    money = [layout.header[i] for f, i in st.columns.items() if f in MONEY_FIELDS and i < len(layout.header)]
    return next((c for c in map(config.header_currency, money) if c), None)


def _marked_currency(src: Source, st: Staged, name: str) -> str | None:
    """The currency a file without a currency column writes in its money cells («$500», «300 €», «USD 700»,
    «125 000 руб.»: what is left of a cell without its digits and marks, read through the aliases of
    data/currencies.csv). One currency is the file's; several refuse the file, as each row's is unknown
    (they all loaded as RUB, $500 as 500 roubles)."""
    if "currency" in {*st.columns, *st.constants} or st.entity not in MONEY_ENTITIES:
        return None
    words = set()
    # a cell the fast parse read holds digits and separators only (etl/stage.py _fast_sql): the marks can only
    # be in a money column some cell of which needed the full parse, so a plain file is not read again
    for i in (i for f, i in st.columns.items() if f in MONEY_FIELDS and f in src.slow_fields):  # an index
        words |= {w for (w,) in src.create(f"select distinct translate(lower(c{i}), $marks, '') from {{source}} "
                                           f"where c{i} is not null", {"marks": "0123456789.,+-−–()'%"})}
    aliases = dict(config.currency_rows())
    found = sorted({aliases[k] for k in map(config.norm_key, words) if k in aliases})
    if len(found) > 1:
        raise LoadError(f"{name}: the amounts are written in several currencies ({', '.join(found)}) and the file has "
                        f"no currency column, so no row's currency is known; add a currency column or load each "
                        f"currency as a file of its own; nothing from it was loaded", "mixed_currency_marks",
                        file=name, currencies=", ".join(found))
    return found[0] if found else None


def _report(name: str, plan: _Plan, st: Staged, load_id: int, arithmetic: dict,
            period: periods.Period | None) -> dict:
    """What the batch reports for a loaded file."""
    layout = plan.layout
    out = {"file": name, "status": "loaded", "load_id": load_id, "entity": st.entity,
           "format": plan.label, "container": layout.kind, "encoding": layout.encoding, "delimiter": layout.delimiter}
    out.update({k: v for k, v in asdict(st).items() if k.startswith("rows_")})
    out["cells_warned"] = st.cells_warned
    out["reject_reasons"] = st.reject_samples
    out["cell_warnings"] = st.warning_samples
    out["constants"] = st.constants
    out["skipped_lines"] = st.skipped_samples
    out["columns"] = {f: layout.header[i] for f, i in st.columns.items() if i < len(layout.header)}
    out["notes"] = st.notes
    out["note_keys"] = st.note_keys
    out.update(arithmetic)
    dated_by_period = periods.PERIOD_FIELD.get(st.entity) not in (None, *st.columns)
    # what dated the rows, if anything
    out["period"] = [d.isoformat() for d in period] if period and dated_by_period else None
    return out


def _failed(name: str, err: Exception) -> dict:
    """A file's failure as the batch reports it: the English line, and its code and fields for the UI."""
    if not isinstance(err, LoadError):  # DuckDB or the file system: logged, one line with a reference
        ref = log_unexpected(err, name)
        detail = (str(err).strip().splitlines() or [type(err).__name__])[0][:300]
        err = LoadError(f"{name}: could not be loaded ({detail}); nothing from it was kept; the details are in "
                        f"{log_path()} under ref {ref}", "load_failed", file=name, detail=detail, ref=ref,
                        log=str(log_path()))
    return {"file": name, "status": "failed", "error": str(err), "code": err.code, "fields": err.fields}


def load_files(paths: list[Path], entity: str | None = None, mapping_path: Path | None = None,
               progress: bool = True, format_name: str | None = None, mapping: Mapping | None = None,
               on_file=None, period=None, names: list[str] | None = None, size_limit: bool = True) -> dict:
    """Loads files in one build: already-loaded files are no-ops; each bad file fails alone, a file over
    data/upload.toml's size limit before it is read (size_limit=False: files this program wrote itself,
    the demo's, whatever their size). `names` are the files' own names where the paths
    are generated ones (uploads): only ever labels, never paths.
    `mapping` (a Mapping) or `mapping_path` (its TOML) maps columns; `on_file(result)` is called as
    each file is done (the upload page's progress). `period` ("2026-03-01..2026-03-10", or two dates)
    dates the reports whose rows have no date and whose title and file name name no period.
    "phases" lists where the time and memory went (etl/phases.py)."""
    with recording() as rec:
        out = _load_files(paths, entity, mapping_path, progress, format_name, mapping, on_file, period, names,
                          size_limit)
    out["phases"] = rec.report()
    return out


def _load_files(paths: list[Path], entity: str | None, mapping_path: Path | None, progress: bool,
                format_name: str | None, mapping: Mapping | None, on_file, period, names, size_limit: bool) -> dict:
    mapping = mapping or Mapping.read(mapping_path)
    if format_name:
        formats.by_name(format_name)  # an unknown name fails before anything is read
    period = _user_period(period)
    lim = limits.limits()
    results, todo, stats = [], [], {}
    for i, path in enumerate(paths):
        path = Path(path)
        name = limits.label(names[i] if names else path.name)
        if path.is_dir():
            results.append(_failed(name, LoadError(f"{path}: is a folder, not a file; name the files in it "
                                                   f"(e.g. {path / '*.csv'})", "is_folder", file=str(path))))
            continue
        if not path.is_file():
            results.append(_failed(name, LoadError(f"{path}: no such file; check the path", "no_file",
                                                   file=str(path))))
            continue
        try:
            if size_limit:
                limits.check_size(path, name, lim)
        except LoadError as err:
            results.append(_failed(name, err))
            continue
        with phase("hash"):
            todo.append((path, name, sha256_of(path)))
    swept: list[dict] = []
    if todo:
        with Builder(db_path(), input_bytes=sum(path.stat().st_size for path, _, _ in todo)) as b:
            swept, work = b.swept, b.work
            if b.fresh:
                with phase("replay"):
                    _replay(b, work, progress)
            new_entries = []
            for path, name, sha in tqdm(todo, desc="load", unit="file", disable=not progress or None):
                done = b.loaded(sha)
                if done:
                    results.append({"file": name, "status": "already loaded", "load_id": done[0],
                                    "loaded_at": done[1], "rows_loaded": 0})
                    continue
                with phase("store_raw"):
                    stored = store_raw(path, sha)
                loaded_at = load_time()  # the loads row and the manifest line keep the same time
                try:
                    results.append(load_one(b, stored, name, sha, entity, mapping, work, format_name, period,
                                            loaded_at))
                except (LoadError, duckdb.Error, OSError) as err:
                    results.append(_failed(name, err))
                    if on_file:
                        on_file(results[-1])
                    continue
                if on_file:
                    on_file(results[-1])
                new_entries.append({"sha256": sha, "file_name": name, "stored": stored.name,
                                    "entity": entity, "format": format_name, "mapping": mapping.as_dict(),
                                    "loaded_at": loaded_at.isoformat(timespec="seconds"),
                                    # the user's period, so `rebuild` dates this file as this load did
                                    **({"period": [d.isoformat() for d in period]} if period else {})})
            if new_entries or b.fresh:
                manifest = manifest_path()
                size = manifest.stat().st_size if manifest.exists() else 0
                with open(manifest, "a", encoding="utf-8") as fh:
                    for entry in new_entries:
                        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
                try:
                    stats = b.commit()
                except BaseException:  # the warehouse kept its old file: the manifest keeps its old lines
                    with open(manifest, "r+b") as fh:
                        fh.truncate(size)
                    raise
    failed = [r for r in results if r["status"] == "failed"]
    # what loads killed mid-way had left beside the warehouse, removed before this one started
    out = {"warehouse": str(db_path()), "ok": not failed, "files": results, "swept": swept}
    out.update(stats)  # build-wide figures, e.g. deals_channel_from_lead
    return out


def _replay(b: Builder, work: Path, progress: bool) -> int:
    """Re-applies every file of the raw manifest, in load order, to an emptied warehouse."""
    b.reset()
    entries = read_manifest()
    stored = [raw_dir() / Path(str(e["stored"])).name for e in entries]   # a manifest line names a file in raw/
    for entry, path in zip(entries, stored, strict=True):
        if not path.exists():
            raise LoadError(f"{path}: raw file listed in the manifest is missing; restore it or "
                            f"remove its line from {manifest_path()}", "raw_missing", path=str(path),
                            file=entry["file_name"], manifest=str(manifest_path()))
    # the raw files replayed and the build's own new ones
    b.size_pool(b.input_bytes + sum(path.stat().st_size for path in stored))
    for entry, path in tqdm(zip(entries, stored, strict=True), total=len(entries), desc="rebuild", unit="file",
                            disable=not progress or None):
        mapping = Mapping.from_dict(entry.get("mapping") or {}, f"{manifest_path()} ({entry['file_name']})")
        load_one(b, path, entry["file_name"], entry["sha256"], entry.get("entity"), mapping, work,
                 entry.get("format"), _user_period(entry.get("period")), _manifest_time(entry, path), replay=True)
    return len(entries)


def load_time() -> dt.datetime:
    """Now, as a load records it: local time to the second, as the manifest writes it."""
    return dt.datetime.now().replace(microsecond=0)


def _manifest_time(entry: dict, stored: Path) -> dt.datetime:
    """When a replayed file was first loaded: its manifest line's time; a line without a readable one
    falls back to when its raw/ copy was written (store_raw copies it at load time), never the rebuild's."""
    try:
        return dt.datetime.fromisoformat(str(entry["loaded_at"])).replace(tzinfo=None)
    except (KeyError, ValueError):
        return dt.datetime.fromtimestamp(stored.stat().st_mtime).replace(microsecond=0)


def _user_period(value) -> periods.Period | None:
    """The user's period as two dates: from "2026-03-01..2026-03-10", or a (start, end) pair."""
    if value is None or value == "" or value == ():
        return None
    if isinstance(value, str):
        return periods.parse_user(value)
    try:
        start, end = (v.date() if isinstance(v, dt.datetime) else v if isinstance(v, dt.date)
                      else dt.date.fromisoformat(str(v)) for v in value)
    except ValueError:
        return periods.parse_user("..".join(map(str, value)), "period")
    if start > end:
        raise LoadError(f"period {start}..{end}: the first day is after the last; swap them", "bad_period",
                        value=f"{start}..{end}")
    return start, end


def rebuild(progress: bool = True) -> dict:
    """Builds the warehouse from data/raw/ and data/ config alone, then swaps it in."""
    with recording() as rec, Builder(db_path(), fresh=True) as b:
        with phase("replay"):
            n = _replay(b, b.work, progress)
        stats = b.commit()
    return {"warehouse": str(db_path()), "ok": True, "files": n, "swept": b.swept, **(stats or {}),
            "phases": rec.report()}
