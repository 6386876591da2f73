"""The app's audit entries: who (the signed-in user's login) did what; exports are recorded when a
download is clicked, before its file is handed out (model/audit.py says what happens when the store
cannot be written)."""
from __future__ import annotations

from collections.abc import Callable

from model import audit
from ui.auth import current_user
from ui.i18n import t


def who() -> str:
    """The signed-in user's login ("" for nobody); read in the script's thread, never in a download's."""
    user = current_user()
    return user.login if user else ""


def exported(build: Callable[[], bytes], target: str, detail: dict, lang_: str,
             user: str | None = None) -> Callable[[], bytes]:
    """The `data` of a download button: on the click the file is built, then its entry written, then the
    file handed out; a trail that cannot be written refuses the file in one line (the click can simply
    be repeated), so no export leaves unrecorded. Everything from the session is read now: the build runs
    in a thread of its own."""
    login = who() if user is None else user

    def data() -> bytes:
        out = build()
        try:
            audit.record("export", login, target, {**detail, "bytes": len(out), "via": "app"})
        except audit.AuditError as err:
            raise RuntimeError(t("audit.unwritable.export", lang_, path=str(audit.store.store_path()))) from err
        return out
    return data


def kept(action: str, target: str, detail: dict, user: str | None = None) -> tuple[str, str] | None:
    """Records an edit that has been made and stands. None when recorded; else what the page says in one
    line after its rerun: ("kept", pending file) when the entry waits there (model/audit.py), ("lost", "")
    when not even that file could be written."""
    try:
        note = audit.record_or_keep(action, user or who(), target, {**detail, "via": "app"})
    except audit.AuditError:
        return "lost", ""
    return ("kept", str(audit.pending_path())) if note else None


def warn(note: tuple[str, str] | None) -> None:
    """The one line of `kept` (nothing when the entry was recorded)."""
    import streamlit as st

    if note:
        st.warning(t(f"audit.{note[0]}", path=note[1]), icon=":material/warning:")
