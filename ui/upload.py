"""The Data page's way into the ETL: uploaded files go through etl.load exactly as the CLI's do."""
from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

import pandas as pd

from etl import config, limits, profiles
from etl.errors import LoadError, check_writable, log_path, log_unexpected
from etl.load import load_files
from etl.stage import Mapping
from model import audit
from model import trail as model_trail
from ui import fmt, trail
from ui.i18n import TEXT, lang, t

label = limits.label   # a file's own name, only ever shown

# Failures the mapping step can help with: the file's columns were not found or not all there.
MAPPING_HELPS = frozenset({"columns_not_found", "mapping_unknown_field", "mapping_column_not_in_file",
                           "mapping_column_and_constant"})


def _temp_path(folder: str, i: int, name: str) -> Path:
    """Where an upload is written: a generated name in a private folder (only a plain extension comes
    from the file's own name, which stays a label: '../../etc/passwd.csv' cannot leave the folder)."""
    return Path(folder) / f"upload-{i}{limits.suffix(name)}"


def load_uploads(files: list[tuple[str, bytes]], on_file=None, mapping: Mapping | None = None,
                 period: tuple[dt.date, dt.date] | None = None, who: str | None = None) -> dict:
    """Loads the uploads (`_load_uploads`) as `who` (default: the signed-in user) with an audit entry:
    refused (`error`, code audit_unwritable) before anything is read when the trail cannot be written;
    when its entry fails after the load committed, the load stands and `audit_kept` names the pending
    file that holds the entry until the next one is written."""
    who = trail.who() if who is None else who
    try:   # the data folder first: a read-only one is the cause the audit trail beside it would hide
        check_writable()
    except LoadError as err:
        return {"ok": False, "files": [], "error": error_of(err)}
    try:
        audit.check()
    except audit.AuditError as err:
        return {"ok": False, "files": [], "error": {"error": str(err), "code": "audit_unwritable",
                                                    "fields": {"path": str(audit.store.store_path())}}}
    result = _load_uploads(files, on_file, mapping, period)
    detail = {**model_trail.load_detail(result), "via": "app", "mapping": mapping.entity if mapping else None}
    if result.get("error"):
        detail.update(outcome="failed", code=result["error"].get("code"), error=result["error"].get("error"))
    target = ", ".join(label(name) for name, _ in files)[:500]
    try:
        if audit.record_or_keep("load", who, target, detail):
            result["audit_kept"] = str(audit.pending_path())
    except audit.AuditError:   # not even the pending file: the load stands, the page says the entry is lost
        result["audit_lost"] = True
    return result


def audit_note(result: dict) -> tuple[str, str] | None:
    """What the page says of a load's entry that could not be written (ui/trail.py warn)."""
    if result.get("audit_kept"):
        return "kept", result["audit_kept"]
    return ("lost", "") if result.get("audit_lost") else None


def _load_uploads(files: list[tuple[str, bytes]], on_file, mapping: Mapping | None,
                  period: tuple[dt.date, dt.date] | None) -> dict:
    """Writes each (name, bytes) to a private folder under a generated name and loads them in one build;
    each file lands or fails alone. A failure of the whole build (the warehouse is then unchanged) comes
    back as `error`, never raised: an unexpected one is logged with its traceback under a reference."""
    try:
        with tempfile.TemporaryDirectory() as folder:
            paths, names, refused = [], [], []
            lim = limits.limits()
            for i, (name, data) in enumerate(files):
                try:   # a crafted name or an oversized upload is refused before it is written anywhere
                    limits.check_name(name)
                    limits.check_bytes(len(data), limits.label(name), lim)
                except LoadError as err:
                    refused.append({"file": limits.label(name), "status": "failed", **error_of(err)})
                    continue
                path = _temp_path(folder, i, name)
                path.write_bytes(data)
                paths.append(path)
                names.append(name)
            for r in refused:
                if on_file:
                    on_file(r)
            result = load_files(paths, progress=False, on_file=on_file, mapping=mapping, period=period,
                                names=names) if paths else {"ok": False, "files": []}
            return {**result, "ok": result["ok"] and not refused, "files": refused + result["files"]}
    except LoadError as err:
        return {"ok": False, "files": [], "error": error_of(err)}
    except Exception as err:  # a bug or the system: one line for the user, the traceback in the log
        if os.environ.get("PARITY_DEBUG"):
            raise
        ref = log_unexpected(err, "upload")
        return {"ok": False, "files": [], "error": {"error": f"unexpected error (ref {ref})", "code": "unexpected",
                                                    "fields": {"where": "upload", "ref": ref, "log": str(log_path())}}}


def period_of(value) -> tuple[dt.date, dt.date] | None:
    """The upload form's report period when both ends are picked, else none."""
    ok = isinstance(value, (tuple, list)) and len(value) == 2 and None not in value
    return (value[0], value[1]) if ok else None


def period_state() -> tuple:
    """The upload form's two period fields as this session holds them."""
    import streamlit as st

    return st.session_state.get("upload_from"), st.session_state.get("upload_to")


def period_fields(t) -> tuple:
    """The report period as two date fields, not one range field: a range field shows Streamlit's own
    English quick-select ("Date range", "Select..."); each field's bound keeps the start before the end."""
    import streamlit as st

    start, end = period_state()
    c = st.columns(2)
    c[0].date_input(t("upload.period.from"), value=None, max_value=end, format="DD.MM.YYYY",
                    help=t("upload.period.help"), key="upload_from")
    c[1].date_input(t("upload.period.to"), value=None, min_value=start, format="DD.MM.YYYY",
                    help=t("filter.date.help"), key="upload_to")
    return period_state()


def error_of(err: LoadError) -> dict:
    """A LoadError as the page keeps it (session state holds plain data): its line, code and fields."""
    return {"error": str(err), "code": err.code, "fields": err.fields}


def error_line(result: dict, lang_: str | None = None, frame: str = "err.other") -> str:
    """A failure in the reader's language: `err.<code>` from ui/locales/errors.toml with the error's
    fields; an error without a code (one from an older version) keeps the ETL's English line inside
    the localised `frame`."""
    code, fields = result.get("code"), result.get("fields") or {}
    if isinstance(fields.get("failed"), dict):    # the data checks a build failed, each in words with its rows
        fields = {**fields, "checks": "; ".join(
            f"{t(f'check.{name}', lang_)} ({t('err.check_rows', lang_, n=fmt.number(n, lang_ or lang()))})"
            for name, n in fields["failed"].items())}
    key = f"err.{code}"
    if code and all(key in TEXT[x] for x in TEXT):
        try:
            return t(key, lang_, **fields_in_words(fields, lang_))
        except (KeyError, IndexError):  # the message changed its fields: the English line is still right
            pass
    return t(frame, lang_, message=result.get("error", ""))


# fields fields_in_words adds from an error's own: the words may use them when the error gives the source
DERIVED_FIELDS = {"toml_line": "where", "problem": "why", "cause": "why"}


def fields_in_words(fields: dict, lang_: str | None) -> dict:
    """An error's codes in the reader's words: the entity («сделки», not deals) and the field lists
    («ID сделки, Сумма», not deal_id, amount), as the mapping step below the line names them."""
    out = dict(fields)
    if "entity" in out:
        out["entity"] = entity_name(out["entity"], lang_)
    if "toml_line" in out:      # where a TOML text breaks, in words; the parser's own English stays in the log
        out["where"] = t("err.toml_at", lang_, line=out["toml_line"], column=out["toml_column"]) \
            if out["toml_line"] else t("err.toml_at_end", lang_)
    if f"err.bad_delimited.{out.get('problem')}" in TEXT["ru"]:   # a delimited file's problem in words, with
        delim, lng = out.get("delimiter"), lang_ or lang()      # its facts (DuckDB's English stays in `detail`)
        quoted = "«{}»" if lng == "ru" else '"{}"'
        out["why"] = t(f"err.bad_delimited.{out['problem']}", lang_, line=out.get("line"),
                       size=fmt.number(out.get("size"), lng), limit=fmt.number(out.get("limit"), lng),
                       delimiter=t("err.delimiter.tab", lang_) if delim == "\t" else quoted.format(delim))
    if f"err.data_folder_unwritable.{out.get('cause')}" in TEXT["ru"]:   # why a data folder takes no file
        out["why"] = t(f"err.data_folder_unwritable.{out['cause']}", lang_, user=out.get("user", ""))
    if out.get("path") == "proposal":   # a proposal's text, not a file
        out["path"] = t("err.proposal", lang_)
    if f"metric.{out.get('metric')}" in TEXT["ru"]:      # a plan metric: «Выручка», not revenue
        out["metric"] = t(f"metric.{out['metric']}", lang_)
    for k in ("target", "other_target"):     # a plan's two targets as the pages write numbers: «867 000», not 867000.00
        if k in out:
            try:
                v = float(out[k])
            except (TypeError, ValueError):
                continue
            out[k] = fmt.number(v, lang_ or lang(), 0 if v == int(v) else 2)
    for k in ("region", "product"):          # none given: a dash, as every table writes it
        if out.get(k) == "-":
            out[k] = fmt.DASH
    for k in ("missing", "needed"):
        if isinstance(out.get(k), str):
            out[k] = ", ".join(t(f"field.{f}", lang_) if f"field.{f}" in TEXT["ru"] else f
                               for f in (x.strip() for x in out[k].split(",")))
    return out


def note_lines(result: dict, lang_: str | None = None) -> list[str]:
    """How the load read a file (a period taken from its title, a currency assumed, rows merged, a repeated
    column not read), one line each in the reader's language: the ETL's notes (etl/stage.py Staged.note)."""
    lang_ = lang_ or lang()
    out = []
    for n in result.get("note_keys") or []:
        f = fields_in_words(n["fields"], lang_)
        if n["code"] == "period":
            f = {**f, "first": fmt.date(dt.date.fromisoformat(f["first"]), lang_),
                 "last": fmt.date(dt.date.fromisoformat(f["last"]), lang_),
                 "days": f"{f['days']} {fmt.noun(f['days'], 'day', lang_)}",
                 "origin": t(f"data.load.note.period.origin.{f['origin']}", lang_),
                 "user": t("data.load.note.period.user", lang_, user=f["user"]) if f["user"] else "",
                 "spread": t("data.load.note.period.spread", lang_) if f["spread"] else ""}
        if n["code"] == "currency_assumed":   # where the currency came from (a load before it was kept: none)
            f["origin"] = t(f"data.load.note.currency_assumed.{f.get('origin', 'default')}", lang_)
        if "field" in f:
            f["field"] = t(f"field.{f['field']}", lang_) if f"field.{f['field']}" in TEXT["ru"] else f["field"]
        if "n" in f:
            f["n"] = fmt.number(f["n"], lang_)
        out.append(t(f"data.load.note.{n['code']}", lang_, **f))
    return out


def history_notes(history: pd.DataFrame, lang_: str | None = None) -> list[str]:
    """Each load's notes for the load history, in the reader's language, from the codes the load kept
    (loads.note_keys); a load written before they were kept has only the English text it stored, shown as it is."""
    out = []
    for text, keys in zip(history.notes, history.note_keys, strict=True):
        if isinstance(keys, str) and keys:
            out.append("; ".join(note_lines({"note_keys": json.loads(keys)}, lang_)))
        else:
            out.append(text if isinstance(text, str) else "")
    return out


def entity_name(entity, lang_: str | None = None) -> str:
    """What a file holds in the reader's words ('ad_spend' -> «рекламные расходы»); an entity no locale
    names keeps its code."""
    key = f"entity.{entity}"
    return t(key, lang_) if key in TEXT["ru"] else str(entity)


def needs_mapping(result: dict) -> bool:
    """A file that failed because no format or synonym found its columns: the mapping step helps."""
    return result.get("status") == "failed" and result.get("code") in MAPPING_HELPS


def _read(name: str, data: bytes, read):
    """`read(path, folder)` of the upload written under a generated name; its errors name the file as
    the user knows it."""
    with tempfile.TemporaryDirectory() as folder:
        path = _temp_path(folder, 0, name)
        path.write_bytes(data)
        try:
            return read(path, Path(folder))
        except LoadError as err:
            shown = limits.label(name)
            raise LoadError(str(err).replace(path.name, shown), err.code,
                            **{**err.fields, **({"file": shown} if "file" in err.fields else {})}) from None


def header_of(name: str, data: bytes) -> list[str]:
    return _read(name, data, lambda path, folder: profiles.layout_of(path, folder).header)


def preview(name: str, data: bytes, mapping: Mapping) -> dict:
    return _read(name, data, lambda path, folder: profiles.preview(path, mapping))


def entity_fields() -> dict[str, tuple[list[str], list[str]]]:
    """entity -> (required fields, other fields), from data/columns.toml."""
    out = {}
    for name, ent in config.entities().items():
        need = list(dict.fromkeys([*ent.required, *ent.row_required]))
        out[name] = (need, [f for f in ent.fields if f not in need])
    return out
