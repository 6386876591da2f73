"""The Data page's way into the ETL: uploaded files go through etl.load exactly as the CLI's do."""
from __future__ import annotations

import tempfile
from pathlib import Path

from etl import config, profiles
from etl.load import load_files
from etl.stage import Mapping


def _safe_name(name: str) -> str:
    """The upload's own file name, without any folder part a browser might send."""
    return Path(name.replace("\\", "/")).name or "upload"


def load_uploads(files: list[tuple[str, bytes]], on_file=None, mapping: Mapping | None = None) -> dict:
    """Writes each (name, bytes) to a private folder and loads them in one build."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, data in files:
            path = Path(folder) / _safe_name(name)
            path.write_bytes(data)
            paths.append(path)
        return load_files(paths, progress=False, on_file=on_file, mapping=mapping)


def needs_mapping(result: dict) -> bool:
    """A file that failed because no format or synonym found its columns: the mapping step helps."""
    return result.get("status") == "failed" and "mapping" in result.get("error", "")


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
