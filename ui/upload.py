"""The Data page's way into the ETL: uploaded files go through etl.load exactly as the CLI's do."""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from etl import config, profiles
from etl.errors import LoadError, log_path, log_unexpected
from etl.load import load_files
from etl.stage import Mapping
from ui.i18n import TEXT, t

# Failures the mapping step can help with: the file's columns were not found or not all there.
MAPPING_HELPS = frozenset({"columns_not_found", "mapping_unknown_field", "mapping_column_not_in_file",
                           "mapping_column_and_constant"})


def _safe_name(name: str) -> str:
    """The upload's own file name, without any folder part a browser might send."""
    return Path(name.replace("\\", "/")).name or "upload"


def load_uploads(files: list[tuple[str, bytes]], on_file=None, mapping: Mapping | None = None,
                 period: tuple[dt.date, dt.date] | None = None) -> dict:
    """Writes each (name, bytes) to a private folder and loads them in one build; each file lands or
    fails alone. A failure of the whole build (the warehouse is then unchanged) comes back as
    `error`, never raised: an unexpected one is logged with its traceback under a reference."""
    try:
        with tempfile.TemporaryDirectory() as folder:
            paths = []
            for name, data in files:
                path = Path(folder) / _safe_name(name)
                path.write_bytes(data)
                paths.append(path)
            return load_files(paths, progress=False, on_file=on_file, mapping=mapping, period=period)
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
    key = f"err.{code}"
    if code and all(key in TEXT[lang] for lang in TEXT):
        try:
            return t(key, lang_, **fields)
        except (KeyError, IndexError):  # the message changed its fields: the English line is still right
            pass
    return t(frame, lang_, message=result.get("error", ""))


def entity_name(entity, lang_: str | None = None) -> str:
    """What a file holds in the reader's words ('ad_spend' -> «рекламные расходы»); an entity no locale
    names keeps its code."""
    key = f"entity.{entity}"
    return t(key, lang_) if key in TEXT["ru"] else str(entity)


def needs_mapping(result: dict) -> bool:
    """A file that failed because no format or synonym found its columns: the mapping step helps."""
    return result.get("status") == "failed" and result.get("code") in MAPPING_HELPS


def header_of(name: str, data: bytes) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / _safe_name(name)
        path.write_bytes(data)
        return profiles.layout_of(path, Path(folder)).header


def preview(name: str, data: bytes, mapping: Mapping) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / _safe_name(name)
        path.write_bytes(data)
        return profiles.preview(path, mapping)


def entity_fields() -> dict[str, tuple[list[str], list[str]]]:
    """entity -> (required fields, other fields), from data/columns.toml."""
    out = {}
    for name, ent in config.entities().items():
        need = list(dict.fromkeys([*ent.required, *ent.row_required]))
        out[name] = (need, [f for f in ent.fields if f not in need])
    return out
