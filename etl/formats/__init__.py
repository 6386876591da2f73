"""Export formats: one module per system's export, recognised from the file's headers and title lines.

A format knows what the generic path cannot guess: which entity the file holds, which system wrote
it (`source_system`, the deals key), the ad platform, the column of each field (by header text,
case-insensitive, first alternative present wins), options the cells do not tell (decimal mark,
date order, money in micros...), and, where the layout needs it, a transform over the staged
batch (temp table `typed`, one row per file record, `rn` in file order). Facts each module relies
on are cited from ../shared/FORMATS.md in its docstring.

Precedence when loading: an explicit --mapping beats the format (its columns and options win),
--format NAME beats detection, and a file no format recognises takes the generic synonym path
("generic").
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from etl.config import header_key
from etl.errors import LoadError
from etl.sniff import Layout
from etl.sqlfiles import run
from etl.stage import Mapping

# Detection order: the first format whose `detect` accepts the layout wins, so narrower
# signatures come before broader ones.
MODULES = ("yandex_direct", "yandex_direct_web", "google_ads", "bitrix24", "bitrix24_leads", "one_c", "salesforce",
           "hubspot", "pipedrive", "amocrm", "vk_ads", "meta_ads", "yandex_metrica")


@dataclass(frozen=True)
class Format:
    name: str
    entity: str
    source_system: str
    columns: dict[str, tuple[str, ...]]             # field -> header alternatives
    detect: Callable[[Layout], bool]
    options: dict[str, str] = field(default_factory=dict)   # decimal, date_order, platform, ...
    transform: Callable | None = None               # transform(src, staged, mapping) after staging
    layout_options: Callable | None = None          # layout_options(layout) -> options the file tells
    doc: str = ""


def keys(layout: Layout) -> set[str]:
    """The file's header names as compared: lower-case, trimmed, currency suffix dropped."""
    return {header_key(h) for h in layout.header}


def has_all(layout: Layout, *names: str) -> bool:
    return all(column(layout.header, n) is not None for n in names)


def has_any(layout: Layout, *names: str) -> bool:
    return column(layout.header, names) is not None


def _matches(alt: str, key: str) -> bool:
    """An alternative ending in '*' is a prefix ('Amount spent (*' matches 'Amount spent (GBP)')."""
    if alt.endswith("*"):
        return key.startswith(header_key(alt[:-1]))
    return key == header_key(alt)


def column(header: list[str], alternatives: tuple[str, ...] | str) -> int | None:
    """Index of the first alternative present in the header (case- and space-insensitive)."""
    if isinstance(alternatives, str):
        alternatives = (alternatives,)
    normed = [header_key(h) for h in header]
    for alt in alternatives:
        for i, key in enumerate(normed):
            if _matches(alt, key):
                return i
    return None


def all_formats() -> list[Format]:
    return [importlib.import_module(f"etl.formats.{m}").FORMAT for m in MODULES]


def names() -> list[str]:
    return [f.name for f in all_formats()]


def by_name(name: str) -> Format:
    for fmt in all_formats():
        if fmt.name == name:
            return fmt
    raise LoadError(f"unknown format '{name}'; choose one of: {', '.join(names())}", "unknown_format",
                    name=name, formats=", ".join(names()))


def detect(layout: Layout) -> Format | None:
    """The first format that recognises the file's header and title lines; None: generic path."""
    if not layout.header:
        return None
    for fmt in all_formats():
        if fmt.detect(layout):
            return fmt
    return None


def apply(fmt: Format, layout: Layout, user: Mapping) -> Mapping:
    """The format's mapping for this file, merged under the user's (the user's columns and options win)."""
    cols = {}
    for fld, alternatives in fmt.columns.items():
        if fld in user.constants:  # the user's constant replaces the format's column
            continue
        idx = column(layout.header, alternatives)
        if idx is not None:
            cols[fld] = layout.header[idx]
    cols.update(user.columns)
    told = fmt.layout_options(layout) if fmt.layout_options else {}
    options = {"source_system": fmt.source_system, **fmt.options, **told, **user.options}
    return Mapping(user.entity or fmt.entity, cols, options, dict(user.constants))


def finish(fmt: Format, src, st, mapping) -> None:
    """After staging: the format's platform becomes the batch's own (so channel rules see it), then
    the format's transform runs. Touches temp table `typed` only."""
    platform = mapping.options.get("platform")
    if platform and "platform" in src.con.table("typed").columns:
        run(src.con, "update typed set platform = $p where platform is null", {"p": platform})
    if fmt.transform:
        fmt.transform(src, st, mapping)


# ---------------------------------------------------------------------------------------------
# Transforms several formats share. They touch temp table `typed` only; no file text enters SQL.

def closed_deals_only(src, st, mapping) -> None:
    """CRM 'Close Date' columns hold the *expected* close date of open deals: keep it for won/lost only."""
    if "closed_at" not in st.columns:
        return
    # the vocabulary is matched over the distinct stage/status texts, not per row
    run(src.con, "create or replace temp table closed_texts as select t from (select distinct stage as t from "
                 "typed union select distinct status from typed) where t is not null and norm_key(t) in "
                 "(select key from cfg_stages where status <> 'open')")
    run(src.con, "update typed set closed_at = null where kind = 'data' and closed_at is not null "
                 "and (stage is null or stage not in (select t from closed_texts)) "
                 "and (status is null or status not in (select t from closed_texts))")


def raw_timestamp_fill(src, st, field_name: str, col: int, dmy: bool) -> None:
    """Fills an empty date field of each data row from another column (index `col`) of the file."""
    src.raw()
    run(src.con, f"update typed set {field_name} = p_ts(r.c{int(col)}, {str(bool(dmy)).lower()}) from raw_in r "
                 f"where r.rowid - $base + 1 = typed.rn and typed.kind = 'data' and typed.{field_name} is null "
                 f"and r.c{int(col)} is not null",
        {"base": src.base()})
