"""CSV text from numpy arrays without per-row Python: dates, numbers, coded text, joined lines."""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@lru_cache(maxsize=1)
def clock_texts() -> pa.Array:
    """'HH:MM:SS' for every second of a day, taken by index instead of formatted per row."""
    return pa.array([f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)])


def dates(day_numbers: np.ndarray, style: str) -> pa.Array:
    """Dates (days since epoch) as 'dd.mm.yyyy' (ru) or 'yyyy-mm-dd' (iso), via a small vocabulary."""
    lo = int(day_numbers.min()) if day_numbers.size else 0
    iso = np.datetime_as_string(np.arange(lo, int(day_numbers.max(initial=lo)) + 1).astype("datetime64[D]"))
    vocab = iso if style == "iso" else [f"{s[8:10]}.{s[5:7]}.{s[:4]}" for s in iso]
    return pc.take(pa.array(vocab), pa.array(day_numbers - lo))


def datetimes(sec: np.ndarray, style: str, empty: np.ndarray | None = None) -> pa.Array:
    """Epoch seconds as 'dd.mm.yyyy HH:MM:SS' or 'yyyy-mm-dd HH:MM:SS'; `empty` rows become ''."""
    sec = np.asarray(sec, np.int64)
    text = pc.binary_join_element_wise(dates(sec // 86400, style), pc.take(clock_texts(), pa.array(sec % 86400)), " ")
    return text if empty is None else pc.if_else(pa.array(empty), "", text)


def ints(values: np.ndarray, empty: np.ndarray | None = None) -> pa.Array:
    text = pc.cast(pa.array(np.asarray(values, np.int64)), pa.string())
    return text if empty is None else pc.if_else(pa.array(empty), "", text)


def fixed(minor: np.ndarray, decimals: int, sep: str = "", keep_zero_fraction: bool = True) -> pa.Array:
    """Integers in minor units as '1 234 567,89': thousands separator `sep`, comma decimals."""
    minor = np.asarray(minor, np.int64)
    scale = 10 ** decimals
    whole, frac = np.abs(minor) // scale, np.abs(minor) % scale
    text = ints(whole)
    if sep:
        groups = [ints((whole // 1000 ** k) % 1000) for k in range(4)]
        padded = [pc.utf8_lpad(g, width=3, padding="0") for g in groups]
        for k in (1, 2, 3):
            joined = pc.binary_join_element_wise(ints(whole // 1000 ** k), *padded[k - 1::-1], sep)
            text = pc.if_else(pa.array(whole >= 1000 ** k), joined, text)
    if decimals:
        with_frac = pc.binary_join_element_wise(text, pc.utf8_lpad(ints(frac), width=decimals, padding="0"), ",")
        text = with_frac if keep_zero_fraction else pc.if_else(pa.array(frac != 0), with_frac, text)
    return pc.if_else(pa.array(minor < 0), pc.binary_join_element_wise("-", text, ""), text)


def _cell(text: str, sep: str) -> str:
    """Quote a CSV field only when it needs it (Excel / csv.QUOTE_MINIMAL rules)."""
    if sep in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def coded(vocab, codes: np.ndarray, sep: str) -> pa.Array:
    """Text columns are kept as codes into a vocabulary and quoted once per vocabulary entry."""
    return pc.take(pa.array([_cell(t, sep) for t in vocab]), pa.array(np.asarray(codes)))


def csv_lines(columns: list[pa.Array], sep: str, eol: str, order: np.ndarray | None = None) -> bytes:
    """Join columns into CSV lines and return them as one buffer (no per-row Python)."""
    line = pc.binary_join_element_wise(*columns, sep)
    line = pc.binary_join_element_wise(line, "", eol)
    if order is not None:
        line = line.take(pa.array(order))
    if len(line) == 0:
        return b""
    offsets = np.frombuffer(line.buffers()[1], np.int32, count=len(line) + 1, offset=line.offset * 4)
    return line.buffers()[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0])).to_pybytes()


def csv_header(names: str, sep: str, eol: str) -> bytes:
    return (names.replace(";", sep) + eol).encode("utf-8")


def write_table(path: Path, header: list[str], rows: list[list], sep: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=sep, lineterminator="\n")   # QUOTE_MINIMAL: only when needed
        writer.writerow(header)
        writer.writerows(rows)
