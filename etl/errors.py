"""The one exception type the ETL raises for bad input (its message is the one line users see), and the
log that keeps the traceback of anything unexpected, under a short reference the user is shown."""
from __future__ import annotations

import logging
import os
import secrets
import tempfile
import traceback
from pathlib import Path


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
    from etl.paths import db_path
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
