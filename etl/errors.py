"""The one exception type the ETL raises for bad input (its message is the one line users see), and the
log that keeps the traceback of anything unexpected, under a short reference the user is shown."""
from __future__ import annotations

import errno
import logging
import os
import secrets
import tempfile
import traceback
from pathlib import Path

from etl.paths import db_path


class LoadError(Exception):
    """A file or warehouse problem stated in one line: what, where, what to do.

    `str(err)` is the English line the CLI prints. `code` names the error for code that decides what
    to do about it (never the message's words), and with `fields` lets another surface word it in its
    reader's language (ui/locales/errors.toml: `err.<code>` formatted with `fields`). Every code has
    both languages' words (tests/test_error_codes.py)."""

    def __init__(self, message: str, code: str, **fields: object):
        super().__init__(message)
        self.code = code
        self.fields = fields


def log_path() -> Path:
    """parity.log beside the warehouse ($PARITY_DB's folder); in the system's temp folder when that folder
    exists but cannot be written (a read-only mount), so the line a user is shown names where it is."""
    path = db_path().parent / "parity.log"
    target = path if path.exists() else path.parent
    if target.exists() and not os.access(target, os.W_OK):
        return Path(tempfile.gettempdir()) / "parity.log"
    return path


def _first_line_only(record: logging.LogRecord) -> bool:
    """A log filter that keeps a record's first line (the reference), never the traceback under it."""
    record.msg, record.args = record.getMessage().splitlines()[0], ()
    return True


def log_unexpected(err: BaseException, where: str) -> str:
    """Appends `err` with its traceback to parity.log; returns the short reference shown to the user."""
    ref = secrets.token_hex(4)
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:  # nowhere to write it: the reference alone on stderr, never a traceback on a screen
        handler = logging.StreamHandler()
        handler.addFilter(_first_line_only)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log = logging.getLogger("parity")
    log.propagate = False  # the traceback goes to the file, never to a user's screen
    log.addHandler(handler)
    try:
        text = "".join(traceback.format_exception(type(err), err, err.__traceback__))
        log.error("ref %s: unexpected error in %s\n%s", ref, where, text.rstrip())
    finally:
        log.removeHandler(handler)
        handler.close()
    return ref


def unexpected(err: BaseException, where: str) -> LoadError:
    """An unexpected exception as a one-line LoadError whose reference points at its logged traceback."""
    ref = log_unexpected(err, where)
    detail = (str(err).strip().splitlines() or [type(err).__name__])[0][:200]
    return LoadError(f"{where}: unexpected error ({type(err).__name__}: {detail}); nothing from it was kept; "
                     f"the details are in {log_path()} under ref {ref}", "unexpected", where=where, ref=ref,
                     log=str(log_path()))


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
