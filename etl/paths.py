"""Where the warehouse, its raw-file store and the config live; read at call time, never at import."""
from __future__ import annotations

import errno
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
QUERIES_DIR = ROOT / "queries"


def db_path() -> Path:
    """The warehouse file: $PARITY_DB if set, else data/warehouse.duckdb."""
    env = os.environ.get("PARITY_DB")
    return Path(env).expanduser().resolve() if env else DATA_DIR / "warehouse.duckdb"


def raw_dir() -> Path:
    """The byte-for-byte store of every loaded file, beside the warehouse file."""
    return db_path().parent / "raw"


def config_dir() -> Path:
    """Reviewed config (regions, channels, agreements); $PARITY_CONFIG overrides for tests."""
    env = os.environ.get("PARITY_CONFIG")
    return Path(env).resolve() if env else DATA_DIR


def demo_dir() -> Path:
    """Where `python -m etl demo` writes the demo company's export files."""
    return db_path().parent / "demo"


# why a folder cannot be written (errno) -> the cause the error names, and the English words of it with
# what to do (the UI words each cause in ui/locales/errors.toml: err.data_folder_unwritable.<cause>)
_CAUSES = {errno.EROFS: "read_only", errno.EACCES: "permission", errno.EPERM: "permission",
           errno.ENOTDIR: "not_a_folder", errno.EEXIST: "not_a_folder", errno.ENOSPC: "no_space",
           errno.EDQUOT: "no_space"}
_CAUSE_WORDS = {
    "read_only": "it is on a read-only file system; mount it writable, or set PARITY_DB to a warehouse in "
                 "another folder",
    "permission": "user {user} may not write there; give that user write access, or set PARITY_DB to a "
                  "warehouse in a folder it may write",
    "not_a_folder": "part of the path is a file, not a folder; correct PARITY_DB",
    "no_space": "the disk is full; free some space",
    "other": "the system refuses to create a file there; check the folder (permissions, disk), or set "
             "PARITY_DB to a warehouse in another folder",
}


def check_writable(folder: Path | None = None) -> None:
    """Refuses (LoadError data_folder_unwritable: what, where, what to do) when the warehouse's folder, or
    its raw/ store, cannot take a new file: asked before a load or rebuild writes anything (the build
    file, its lock, the audit trail beside it), which otherwise failed with a bare OSError or a
    traceback. Tried by creating a file, not by permission bits: root ignores them, a read-only mount
    does not show in them."""
    import getpass
    import tempfile

    from etl.errors import LoadError

    folder = folder or db_path().parent
    for where in (folder, folder / "raw"):
        if where != folder and not where.is_dir():
            continue
        try:
            where.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=where, prefix=".parity-probe-"):
                pass
        except OSError as err:
            cause = _CAUSES.get(err.errno or 0, "other")
            file = next((p for p in (where, *where.parents) if p.exists() and not p.is_dir()), None)
            if file is not None:   # name the part of the path that is a file
                cause, where = "not_a_folder", file
            user = getpass.getuser()
            raise LoadError(f"{where}: the data folder cannot be written: {_CAUSE_WORDS[cause].format(user=user)}; "
                            f"then load again; nothing was loaded", "data_folder_unwritable", path=str(where),
                            cause=cause, user=user, detail=str(err)) from None
