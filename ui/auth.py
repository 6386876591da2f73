"""Who is using this session: `current_user()` is the one place pages, the data layer and exports ask,
and `gate()` is app.py's door, run before any data is read.

The signed-in user (model.users.User) lives in session state under USER; sign-in (OpenID Connect via
st.login, or the local fallback's login and password) sets it, sign-out clears it. Nobody signed in
means no user, and the data layer shows nothing (default deny). The demo warehouse (`python -m etl
demo`, its build meta says so) needs no sign-in: the session is model.users.DEMO, marked on every page.
"""
from __future__ import annotations

import streamlit as st

from model import signin
from model.pages import PAGES
from model.users import DEMO, AccessError, User, access_path, load_users, login_claim
from ui.i18n import t

USER = "parity_user"
COOKIE = "parity_session"   # the local sign-in's token (model/signin.py), so a page load stays signed in
TOKEN = "parity_token"      # the session's copy of it, for sign-out to revoke
# What survives a sign-out: the reader's language and the router's own flags (ui/nav.py)
KEEP = frozenset({"lang", "_nav_routed", "_nav_restarted"})


class NotAllowed(Exception):
    """An action the session's role does not have: its one line says which and who may."""


def current_user() -> User | None:
    user = st.session_state.get(USER)
    return user if isinstance(user, User) and not user.disabled else None


def editor() -> User | None:
    """Who an entry in the store (a commitment, a planned activity) is recorded as: the session's user, whom
    the gate set (the demo user on the demo warehouse, else whoever signed in); None records nothing."""
    return current_user()


def set_user(user: User | None) -> None:
    if user is None:
        st.session_state.pop(USER, None)
    else:
        st.session_state[USER] = user


def can(action: str) -> bool:
    """True when the session's user may `action` (model.users.ACTIONS): load, map, vocab, config, ..."""
    user = current_user()
    return user is not None and user.can(action)


def require(action: str) -> None:
    """A server-side refusal for an action the user's role does not have: a hidden button is not enough,
    since a session's widgets can be driven without the page drawing them."""
    if not can(action):
        raise NotAllowed(t("auth.not_allowed", action=t(f"auth.action.{action}")))


def gate(demo: bool) -> User:
    """app.py's first step after the page config: the session's user, or the sign-in page and st.stop().
    `demo`: the warehouse is the demo company alone (ui.db.demo_mode), which needs no sign-in."""
    if demo:
        if current_user() is None:
            set_user(DEMO)
        return current_user() or DEMO
    try:
        users = load_users()
    except AccessError as err:
        _page(error=str(err))
    user = current_user()
    if user == DEMO:    # the warehouse stopped being the demo (a file of one's own was loaded): sign in
        user = None
    if user is not None and users:
        user = users.get(user.login)    # access.toml re-read: a removed or disabled login is out now
    if user is None or user.disabled:
        set_user(None)
        user = _from_oidc(users) or _from_cookie(users)
    if user is None:
        _page(users=users)
    if st.session_state.pop("auth_set_cookie", None):    # the browser keeps the token for its next page load
        secure = "; Secure" if (st.context.url or "").startswith("https:") else ""
        st.html(f"<script>document.cookie = '{COOKIE}={st.session_state[TOKEN]}; path=/; max-age="
                f"{signin.SESSION_S}; SameSite=Strict{secure}';</script>", unsafe_allow_javascript=True, width=1)
    return user     # type: ignore[return-value]  # _page stops the run


def _from_cookie(users: dict[str, User]) -> User | None:
    """The local sign-in this browser made before a page load, while its token is current."""
    token = st.context.cookies.get(COOKIE)
    user = signin.resume(users, token) if isinstance(token, str) and token else None
    if user is not None:
        set_user(user)
        st.session_state[TOKEN] = token
    return user


def demo_marker(user: User) -> None:
    """Says «демо-режим» at the top of every page when the session runs as the demo user."""
    if user == DEMO:
        st.caption(f":orange-badge[:material/visibility: {t('auth.demo')}] {t('auth.demo.note')}")


def sign_out_page(user: User):
    """The menu's sign-out entry for a signed-in user (None in demo mode: nobody signed in): a function page
    that audits the sign-out, forgets the session's state, leaves the provider's session too, and
    starts again at the default page, where the sign-in form shows."""
    if user == DEMO:
        return None

    def sign_out() -> None:
        signin.sign_out(user)
        if st.session_state.get(TOKEN):
            signin.close_session(st.session_state[TOKEN])     # the browser's cookie now stands for nobody
        for key in list(st.session_state):
            if key not in KEEP:
                del st.session_state[key]
        if _oidc_signed_in():
            st.logout()     # clears the identity cookie and starts a new session
        st.switch_page(f"pages/{PAGES[0].key}.py")     # by its file: the menu names that page ui/nav.HOME

    return sign_out


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001  no secrets.toml at all
        return False


def _provider() -> str | None:
    """st.login's provider: None when [auth] holds client_id itself, else its first [auth.<name>] table."""
    section = st.secrets["auth"]
    if "client_id" in section:
        return None
    return next((name for name, value in section.items() if hasattr(value, "keys")), None)


def _oidc_signed_in() -> bool:
    return _oidc_configured() and bool(st.user.get("is_logged_in"))


def _from_oidc(users: dict[str, User]) -> User | None:
    """The OIDC identity's login when the provider has signed this browser in; a refusal is kept for the
    sign-in page to say, once per identity."""
    if not _oidc_signed_in():
        return None
    claims = {k: st.user.get(k) for k in ("sub", "email", "email_verified", "name", "preferred_username")}
    claim = login_claim()
    if claim:
        claims[claim] = st.user.get(claim)
    key = ("oidc", claims.get("sub"), claims.get("email"))
    if st.session_state.get("auth_refused", (None,))[0] == key:
        return None
    outcome = signin.check_identity(users, claims, claim)
    if outcome.user is None:
        st.session_state["auth_refused"] = (key, outcome.reason, outcome.wait_s)
        return None
    set_user(outcome.user)
    return outcome.user


def _page(users: dict[str, User] | None = None, error: str = "") -> None:
    """The sign-in page in place of every page, hidden from the menu: the link's page and filters stay
    in the URL for after the sign-in. No data, no filters, only how to sign in; stops the run."""
    def at(path: str):
        return lambda: _form(users, error)

    st.navigation([st.Page(at(p.key), title=t("auth.title"), url_path=p.url_path or None, default=i == 0)
                   for i, p in enumerate(PAGES)] + [st.Page(at("signout"), title=t("auth.title"), url_path="signout")],
                  position="hidden").run()
    st.stop()


def _form(users: dict[str, User] | None, error: str) -> None:
    st.title(t("auth.title"))
    if error:
        st.error(error, icon=":material/error:")
        st.stop()
    if not users:
        st.error(t("auth.no_access", path=access_path()), icon=":material/lock:")
        st.stop()
    refused = st.session_state.get("auth_refused")
    if refused:
        st.error(t(f"auth.refused.{refused[1]}", minutes=max(1, (refused[2] + 59) // 60)), icon=":material/block:")
    if _oidc_configured():
        if _oidc_signed_in():   # signed in at the provider, refused here: offer another account
            if st.button(t("auth.oidc.other"), icon=":material/switch_account:"):
                st.session_state.pop("auth_refused", None)
                st.logout()
        elif st.button(t("auth.oidc"), type="primary", icon=":material/key:"):
            st.login(_provider())
    if any(u.password for u in users.values()):
        with st.form("auth_form", clear_on_submit=True):
            login = st.text_input(t("auth.login"), key="auth_login", autocomplete="username")
            password = st.text_input(t("auth.password"), type="password", key="auth_password",
                                     autocomplete="current-password")
            if st.form_submit_button(t("auth.sign_in"), type="secondary" if _oidc_configured() else "primary"):
                outcome = signin.check_password(users, login, password, st.context.ip_address or "")
                if outcome.user is not None:
                    st.session_state.pop("auth_refused", None)
                    set_user(outcome.user)
                    st.session_state[TOKEN] = signin.open_session(outcome.user)
                    st.session_state["auth_set_cookie"] = True
                    st.rerun()
                st.session_state["auth_refused"] = (("password", login), outcome.reason, outcome.wait_s)
                st.rerun()
    st.stop()
