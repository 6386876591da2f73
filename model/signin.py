"""Sign-in decisions, Streamlit-free: the local fallback's password check against access.toml's argon2
hashes with failed attempts counted per login and per client in the store (so every session and process
shares one lock-out), and an OpenID Connect identity's mapping to a login. Each outcome is audited.

A failure says "wrong login or password" for both an unknown login and a wrong password, so the form
does not tell a guesser which logins exist. A disabled account is named as disabled, but only after its
correct password: whoever learns it already holds that password, and its owner learns why, and whom to
ask, instead of retrying into a lock-out.
"""
from __future__ import annotations

import hashlib
import math
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import argon2

from model import audit, store
from model.users import HASHER, User, by_email

# Failures allowed before a lock-out: per login, and per client (an office behind one address holds many
# people, so more). Each failure past the limit doubles the lock-out, up to LOCK_MAX_S.
LOGIN_FREE, CLIENT_FREE = 5, 20
LOCK_BASE_S, LOCK_MAX_S = 30, 3600

DDL = """
create table if not exists sign_in_failures (
    key text primary key,          -- login:<login> or client:<address>
    failures integer not null,     -- consecutive failures since the last success
    locked_until real not null     -- unix time; 0 when not locked
);
"""


@dataclass(frozen=True)
class Outcome:
    user: User | None
    reason: str = ""        # "" signed in; bad_credentials, disabled, locked, unknown_identity, unverified
    wait_s: int = 0         # locked: seconds until the next attempt is taken


_hasher = HASHER


@lru_cache(maxsize=1)
def _dummy() -> str:
    return _hasher.hash("not a password anyone has")


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


def _keys(login: str, client: str) -> list[tuple[str, int]]:
    return [(f"login:{login.strip().lower()}", LOGIN_FREE), (f"client:{client or 'unknown'}", CLIENT_FREE)]


def _lock_s(failures: int, free: int) -> int:
    return 0 if failures < free else min(LOCK_MAX_S, LOCK_BASE_S * 2 ** (failures - free))


def _reserve(path: Path | None, keys: list[tuple[str, int]], now: float) -> int:
    """Seconds still locked (nothing counted), or 0 after counting this attempt as a failure up front:
    attempts fired in parallel each see the others' count, and a success clears it (`_clear`)."""
    con = store.connect(path)
    try:
        store.ensure(con, DDL)
        with store.transaction(con):
            rows = {r["key"]: r for r in con.execute(
                "select key, failures, locked_until from sign_in_failures where key in (?, ?)",
                [k for k, _ in keys]).fetchall()}
            wait = max((rows[k]["locked_until"] - now for k, _ in keys if k in rows), default=0)
            if wait > 0:
                return math.ceil(wait)
            for key, free in keys:
                failures = (rows[key]["failures"] if key in rows else 0) + 1
                con.execute("insert or replace into sign_in_failures values (?, ?, ?)",
                            [key, failures, now + _lock_s(failures, free) if failures >= free else 0])
        return 0
    finally:
        con.close()


def _clear(path: Path | None, keys: list[tuple[str, int]]) -> None:
    con = store.connect(path)
    try:
        with store.transaction(con):
            con.execute("delete from sign_in_failures where key in (?, ?)", [k for k, _ in keys])
    finally:
        con.close()


def check_password(users: dict[str, User], login: str, password: str, client: str = "", *,
                   path: Path | None = None, now: float | None = None) -> Outcome:
    """The local fallback: `login` and `password` against access.toml's users, rate-limited."""
    login = (login or "").strip()[:100]
    keys = _keys(login, client)
    wait = _reserve(path, keys, time.time() if now is None else now)
    if wait:
        return _failed(login, "locked", client, path, wait)
    user = users.get(login)
    # an unknown login costs a verification too, so timing does not tell which logins exist
    if not _verify(user.password if user and user.password else _dummy(), password or "") or user is None:
        return _failed(login, "bad_credentials", client, path)
    _clear(path, keys)
    if user.disabled:
        return _failed(login, "disabled", client, path)
    audit.record("sign_in", user.login, user.login, {"method": "password", "client": client}, path=path)
    return Outcome(user)


def check_identity(users: dict[str, User], claims: dict, claim: str = "", *, path: Path | None = None) -> Outcome:
    """An OpenID Connect identity (the ID token's claims) mapped to a login: by `claim` when access.toml
    names one ([oidc] login_claim, e.g. preferred_username), else by e-mail; an e-mail the provider marks
    unverified maps to nobody."""
    if claim:
        said = str(claims.get(claim) or "")
        user = users.get(said)
    else:
        said = str(claims.get("email") or "")
        user = None if claims.get("email_verified") is False else by_email(users, said)
    who = said or str(claims.get("sub") or "")
    if user is None:
        reason = "unverified" if not claim and said and claims.get("email_verified") is False else "unknown_identity"
        return _failed(who, reason, "", path, method="oidc")
    if user.disabled:
        return _failed(who, "disabled", "", path, method="oidc")
    audit.record("sign_in", user.login, user.login, {"method": "oidc", "identity": who}, path=path)
    return Outcome(user)


def _failed(login: str, reason: str, client: str, path: Path | None, wait: int = 0,
            method: str = "password") -> Outcome:
    audit.record("sign_in_failed", "", login, {"reason": reason, "method": method, "client": client,
                                               **({"wait_s": wait} if wait else {})}, path=path)
    return Outcome(None, reason, wait)


def sign_out(user: User, *, path: Path | None = None) -> None:
    audit.record("sign_out", user.login, user.login, path=path)


# A local sign-in outlives a page load through a cookie holding a random token; the store keeps only
# the token's hash, so a copy of the store signs nobody in, and sign-out deletes it, so the cookie is
# worthless after. OIDC sessions have Streamlit's own identity cookie instead.
SESSION_S = 12 * 3600
SESSIONS_DDL = """
create table if not exists sign_in_sessions (
    token_hash text primary key,
    login text not null,
    expires real not null
);
"""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(user: User, *, path: Path | None = None, now: float | None = None) -> str:
    """A new token for `user`'s browser, valid for SESSION_S."""
    token = secrets.token_urlsafe(32)
    now = time.time() if now is None else now
    con = store.connect(path)
    try:
        store.ensure(con, SESSIONS_DDL)
        with store.transaction(con):
            con.execute("delete from sign_in_sessions where expires < ?", [now])
            con.execute("insert into sign_in_sessions values (?, ?, ?)",
                        [_token_hash(token), user.login, now + SESSION_S])
    finally:
        con.close()
    return token


def resume(users: dict[str, User], token: str, *, path: Path | None = None, now: float | None = None) -> User | None:
    """The user a browser's token stands for, if it is current and the login still enabled."""
    if not token:
        return None
    con = store.connect(path)
    try:
        store.ensure(con, SESSIONS_DDL)
        row = con.execute("select login from sign_in_sessions where token_hash = ? and expires >= ?",
                          [_token_hash(token), time.time() if now is None else now]).fetchone()
    finally:
        con.close()
    user = users.get(row["login"]) if row else None
    return user if user is not None and not user.disabled else None


def close_session(token: str, *, path: Path | None = None) -> None:
    con = store.connect(path)
    try:
        store.ensure(con, SESSIONS_DDL)
        with store.transaction(con):
            con.execute("delete from sign_in_sessions where token_hash = ?", [_token_hash(token)])
    finally:
        con.close()
