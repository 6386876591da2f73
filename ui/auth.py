"""Who is using this session: `current_user()` is the one place pages, the data layer and exports ask.

The signed-in user (model.users.User) lives in session state under USER; sign-in (OpenID Connect via
st.login, or the local fallback) sets it, sign-out clears it. Nobody signed in means no user, and the
data layer shows nothing (default deny).
"""
from __future__ import annotations

import streamlit as st

from model.users import User

USER = "parity_user"


def current_user() -> User | None:
    user = st.session_state.get(USER)
    return user if isinstance(user, User) and not user.disabled else None


def editor() -> User | None:
    """Who an entry in the store (a commitment, a planned activity) is recorded as: the signed-in user, or
    the demo user where no access.toml exists (`make run` on the demo: no sign-in); None otherwise."""
    from model.users import DEMO, access_path

    return current_user() or (DEMO if not access_path().exists() else None)


def set_user(user: User | None) -> None:
    if user is None:
        st.session_state.pop(USER, None)
    else:
        st.session_state[USER] = user
