"""Left-overs of loads that stopped (kill -9, power cut): found under the writer lock, removed, reported.

A build writes only names of its own beside the warehouse, `<warehouse>.build-<pid>` plus `.wal`
(DuckDB's log), `.tmp` (DuckDB's spill folder) and `.work` (decoded copies of the files), and only
while it holds the writer lock (`<warehouse>.lock`, an flock the kernel releases when the process
dies, however it dies); the raw store's copies in progress are `raw/<sha256><ext>.part`, also
written under the lock. So whoever holds that lock knows every such name is an orphan: no pid
check is needed, and a reused pid cannot fool it. A process that cannot take the lock at once
leaves everything: the live load holding it swept the folder when it started.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

# What each name of a build holds: a left-over is removed only when it holds that, so a stray file or
# folder that merely looks alike (a text file named like a build, a spill folder with other files) stays.
KINDS = {"": "duckdb", ".wal": "file", ".tmp": "spill", ".work": "folder"}


def scratch(target: Path, pid: int | None = None) -> Path:
    """The build file a process writes before swapping it in; its companions add the other KINDS suffixes."""
    return target.with_name(f"{target.name}.build-{os.getpid() if pid is None else pid}")


def lock_path(target: Path) -> Path:
    return target.with_name(target.name + ".lock")


@contextlib.contextmanager
def writer_lock(target: Path, wait: bool = True) -> Iterator[bool]:
    """Holds the warehouse's writer lock for the block; yields False (holding nothing) when `wait` is
    False and another process holds it."""
    with open(lock_path(target), "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                yield False
                return
            # a wait with no word looks like a hung command: say why, then wait
            print(f"another load or rebuild is writing {target}; waiting for it to finish", file=sys.stderr,
                  flush=True)
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _ours(path: Path, kind: str) -> bool:
    try:
        mode = path.lstat().st_mode  # a symlink is never ours: nothing is followed
    except FileNotFoundError:
        return False
    if kind in ("duckdb", "file"):
        if not stat.S_ISREG(mode):
            return False
        if kind == "file":
            return True
        with open(path, "rb") as fh:  # a DuckDB file, or a copy killed before its first byte
            head = fh.read(12)
        return head == b"" or head[8:12] == b"DUCK"
    if not stat.S_ISDIR(mode):
        return False
    if kind == "spill":  # DuckDB's spill folder holds only its own duckdb_temp_* files
        return all(p.name.startswith("duckdb_temp") and stat.S_ISREG(p.lstat().st_mode) for p in path.iterdir())
    return True


def _size(path: Path) -> int:
    if not path.is_dir():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_dir() or p.is_symlink())


def orphans(target: Path) -> list[Path]:
    """Build files, logs and folders beside `target` named and shaped as a build leaves them."""
    pattern = re.compile(re.escape(target.name) + r"\.build-(\d+)(" + "|".join(map(re.escape, list(KINDS)[1:])) + ")?")
    if not target.parent.is_dir():
        return []
    found = []
    for path in sorted(target.parent.iterdir()):
        m = pattern.fullmatch(path.name)
        if m and _ours(path, KINDS[m.group(2) or ""]):
            found.append(path)
    # a raw copy cut short (store_raw writes <sha256><ext>.part under the lock, then renames it)
    raw = target.parent / "raw"
    if raw.is_dir():
        found += [p for p in sorted(raw.iterdir()) if re.fullmatch(r"[0-9a-f]{64}(\.\w+)?\.part", p.name)
                  and _ours(p, "file")]
    return found


def remove_orphans(target: Path) -> list[dict]:
    """Removes what `orphans` finds; the caller holds the writer lock. Returns path and size of each."""
    removed = []
    for path in orphans(target):
        size = _size(path)
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
        removed.append({"path": str(path), "bytes": size})
    return removed


def sweep(target: Path) -> list[dict]:
    """`python -m etl status`'s sweep: removes orphans when no load is running, else leaves all."""
    if not target.parent.is_dir() or not orphans(target):
        return []  # nothing to remove: no lock file is created for nothing
    try:
        with writer_lock(target, wait=False) as held:
            return remove_orphans(target) if held else []
    except PermissionError:  # a read-only folder: whoever may write there sweeps it
        return []


def describe(removed: list[dict]) -> list[str]:
    """One line per removed path, for the command line."""
    return [f"removed what a stopped load left behind: {r['path']} ({_mb(r['bytes'])})" for r in removed]


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n:,} bytes"
