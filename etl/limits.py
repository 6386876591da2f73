"""What a file must pass before anything reads it: a size limit, a decompression-bomb guard for zip
containers (.xlsx, .ods), and a file name that is only ever a label, never a path (data/upload.toml)."""
from __future__ import annotations

import re
import tomllib
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from etl.errors import LoadError
from etl.paths import config_dir

MB = 1024 * 1024   # as Streamlit counts server.maxUploadSize
# a part this small cannot hide a bomb whatever its ratio (a sheet of empty rows compresses 200:1)
RATIO_FROM = 1 * MB
SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")


@dataclass(frozen=True)
class Limits:
    max_file_mb: float = 200
    max_unzipped_mb: float = 1000
    max_zip_ratio: float = 100


def limits() -> Limits:
    """data/upload.toml (defaults when it is missing); a bad value is refused in one line."""
    path = config_dir() / "upload.toml"
    if not path.exists():
        return Limits()
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        values = {k: float(doc[k]) for k in Limits.__dataclass_fields__ if k in doc}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, TypeError, ValueError) as err:
        raise LoadError(f"{path}: cannot be read ({err}); fix the file", "bad_limits", path=str(path)) from None
    if any(v <= 0 for v in values.values()):
        raise LoadError(f"{path}: every limit must be a positive number", "bad_limits", path=str(path))
    return Limits(**values)


def label(name: str) -> str:
    """The name a person knows the file by, for tables and messages only: the last part of whatever
    path a browser or a command line sent ('../../etc/passwd.csv', 'C:\\x\\deals.csv' -> the last part),
    without control characters (a NUL byte included), at most 200 characters."""
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return name[:200] if name not in ("", ".", "..") else "upload"


def check_name(name: str) -> None:
    """Refuses an upload's name no browser sends, only a crafted request: a '..' folder part, or a
    control character (a NUL byte included). A plain folder part ('C:\\x\\deals.csv', as old browsers
    send) is fine: `label` keeps the last part, and no part of it is ever a path."""
    parts = str(name).replace("\\", "/").split("/")
    if ".." in parts or any(unicodedata.category(c) == "Cc" for c in str(name)):
        shown = label(name)
        raise LoadError(f"{shown}: the upload's file name {str(name)!r} names a parent folder or holds control "
                        f"characters; nothing was read; rename the file and upload it again", "bad_file_name",
                        file=shown)


def suffix(name: str) -> str:
    """The extension a generated file name may carry ('.csv', '.xlsx'): lower-case letters and digits
    only, else none (the reader then goes by the content)."""
    found = Path(label(name)).suffix.lower()
    return found if SUFFIX.fullmatch(found) else ""


def check_size(path: Path, name: str, lim: Limits | None = None) -> None:
    """Refuses a file over max_file_mb before it is read or kept."""
    check_bytes(path.stat().st_size, name, lim)


def check_bytes(size: int, name: str, lim: Limits | None = None) -> None:
    lim = lim or limits()
    if size > lim.max_file_mb * MB:
        raise LoadError(f"{name}: the file is {size / MB:,.1f} MB, over the limit of {lim.max_file_mb:g} MB per file; "
                        f"split the export by period, or raise max_file_mb in data/upload.toml", "file_too_large",
                        file=name, size=round(size / MB, 1), limit=f"{lim.max_file_mb:g}")


def check_zip(path: Path, name: str, lim: Limits | None = None) -> None:
    """A zip container (.xlsx) is refused from its central directory, before any part is inflated, when
    its parts would inflate past max_unzipped_mb in all, or a part past max_zip_ratio times its size."""
    lim = lim or limits()
    try:
        with zipfile.ZipFile(path) as zf:
            parts = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise LoadError(f"{name}: cannot read the workbook ({err}); save it as .xlsx or CSV", "bad_workbook",
                        file=name) from None
    total = sum(p.file_size for p in parts)
    ratio = max((p.file_size / max(p.compress_size, 1) for p in parts if p.file_size > RATIO_FROM), default=0)
    if total > lim.max_unzipped_mb * MB or ratio > lim.max_zip_ratio:
        raise LoadError(f"{name}: the workbook would inflate to {total / MB:,.0f} MB ({ratio:,.0f} times its "
                        f"compressed size), over the limits of {lim.max_unzipped_mb:g} MB and {lim.max_zip_ratio:g} "
                        f"times, so it is refused as a possible decompression bomb; nothing was read; save the "
                        f"sheet as CSV", "zip_bomb", file=name, size=round(total / MB), ratio=round(ratio))
