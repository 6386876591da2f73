"""Saved column mappings (data/mappings/*.toml) for layouts no format knows, and their preview.

A profile is what a user picked once for a file: the entity, field -> header, options (decimal mark,
date order, currency...), constants (status = "won" for every row...), and the file's header as its
signature. A later file with the same header
(compared case- and space-insensitively, in any order) is loaded with it, without flags.
"""
from __future__ import annotations

import re
import tempfile
import tomllib
from pathlib import Path

import duckdb

from etl import config
from etl.errors import LoadError
from etl.sniff import Layout, sniff
from etl.stage import Mapping, count_rows, stage_file

SLUG = re.compile(r"[^a-z0-9_-]+")


def mappings_dir() -> Path:
    return config.config_dir() / "mappings"


def signature(header: list[str]) -> list[str]:
    return sorted({config.header_key(h) for h in header if h and h.strip()})


def profiles() -> list[tuple[str, dict]]:
    """(name, profile) for every readable data/mappings/*.toml, in name order."""
    out = []
    for path in sorted(mappings_dir().glob("*.toml")):
        try:
            out.append((path.stem, tomllib.loads(path.read_text(encoding="utf-8"))))
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise LoadError(f"{path}: the saved mapping cannot be read ({err}); fix or delete it",
                            "bad_saved_mapping", path=str(path), detail=str(err)) from None
    return out


def match(layout: Layout) -> tuple[str, Mapping] | None:
    """The saved profile whose header signature is this file's, if any."""
    sig = signature(layout.header)
    for name, prof in profiles():
        if prof.get("headers") == sig:
            return name, Mapping.from_dict(prof, str(mappings_dir() / f"{name}.toml"), extra=("headers",))
    return None


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def save(name: str, header: list[str], mapping: Mapping, overwrite: bool = False) -> Path:
    """Writes data/mappings/<name>.toml; a name already taken needs overwrite=True."""
    slug = SLUG.sub("_", name.strip().lower()).strip("_")
    if not slug:
        raise LoadError(f"'{name}': a mapping name needs letters or digits (a-z, 0-9, _ or -)", "bad_mapping_name",
                        name=name)
    if not mapping.entity or not mapping.columns:
        raise LoadError(f"mapping '{slug}': choose the entity and at least one column before saving",
                        "mapping_incomplete", name=slug)
    missing = [h for h in mapping.columns.values() if h not in header]
    if missing:
        raise LoadError(f"mapping '{slug}': {', '.join(missing)} is not a column of the file",
                        "mapping_column_missing", name=slug, columns=", ".join(missing))
    path = mappings_dir() / f"{slug}.toml"
    if path.exists() and not overwrite:
        raise LoadError(f"{path}: a mapping with this name exists; choose another name or overwrite it",
                        "mapping_name_taken", path=str(path), name=slug)
    lines = ["# Saved column mapping: files with exactly these headers load with it.",
             f"entity = {_toml_str(mapping.entity)}",
             "headers = [" + ", ".join(_toml_str(h) for h in signature(header)) + "]", "", "[columns]"]
    lines += [f"{f} = {_toml_str(h)}" for f, h in mapping.columns.items()]
    lines += ["", "[options]"] + [f"{k} = {_toml_str(str(v))}" for k, v in mapping.options.items()]
    lines += ["", "[constants]"] + [f"{k} = {_toml_str(str(v))}" for k, v in mapping.constants.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def layout_of(path: Path, work: Path) -> Layout:
    layout = sniff(Path(path), work)
    layout.source = Path(path)
    return layout


def preview(path: Path, mapping: Mapping, rows: int = 20) -> dict:
    """The file read through the real staging path on a scratch database: the first rows as they will
    be loaded (numbers and dates parsed), with each row's reject reason, and the counts."""
    from etl.build import prepare
    from etl.paths import QUERIES_DIR
    from etl.sqlfiles import run_file

    with tempfile.TemporaryDirectory() as work:
        layout = layout_of(path, Path(work))
        con = duckdb.connect()
        try:
            prepare(con)
            st, _ = stage_file(con, layout, mapping.entity, mapping)
            params = {"load_id": 0, "currency": mapping.setting("currency", "RUB"),
                      "platform": mapping.options.get("platform", "unknown"), "source_system": "preview"}
            fields = config.entities()[st.entity].fields
            for name in [f"validate_{st.entity}.sql"] + (["validate_currency.sql"] if "currency" in fields else []):
                if (QUERIES_DIR / "warehouse" / name).exists():
                    run_file(con, QUERIES_DIR / "warehouse" / name, params)
            count_rows(con, st, layout)
            shown = [f for f in [*st.columns, *st.constants] if f in con.table("typed").columns]
            frame = con.execute(
                "select file_row(typed.rn, $off) as line, " + ", ".join(f'"{f}"' for f in shown) +  # names from config
                ", coalesce(reason, case when dup_rank > 1 then 'duplicate row' end) as reason, "
                "(select string_agg(w.col || ': ' || w.reason, '; ' order by w.col) from warned w "
                " where w.rn = typed.rn) as warning "
                "from typed where kind = 'data' order by rn limit $n", {"off": layout.skip + 1, "n": rows}).df()
        finally:
            con.close()
    return {"entity": st.entity, "rows": frame, "header": layout.header, "columns": dict(st.columns),
            "rows_read": st.rows_read, "rows_loaded": st.rows_loaded, "rows_rejected": st.rows_rejected,
            "rows_duplicate": st.rows_duplicate, "rows_skipped": st.rows_skipped, "rows_warned": st.rows_warned,
            "cells_warned": st.cells_warned, "constants": dict(st.constants)}
