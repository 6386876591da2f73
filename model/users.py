"""Who may use Parity and what each role may do: data/access.toml (or $PARITY_ACCESS).

    [users.ivanova]
    name = "Мария Иванова"
    role = "regional_manager"          # ceo, marketing, sales_head, regional_manager, data_admin
    regions = ["Казань", "Самара"]     # regional roles only: the canonical names of data/regions.csv
    email = "ivanova@example.ru"       # how an OpenID Connect sign-in maps to this login
    password = "$argon2id$v=19$..."    # the local fallback: an argon2 hash (`python -m model.users hash`)
    disabled = false

A user sees the company's numbers unless the role is regional (then only `regions`, default deny: a
regional user with no regions sees nothing). Actions that change the warehouse or its config belong
to `data_admin`; agreements are proposed by either head and approved by both (model/agreements).
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import argon2

from etl.paths import config_dir

ROLES = ("ceo", "marketing", "sales_head", "regional_manager", "data_admin")
REGIONAL = frozenset({"regional_manager"})
# What each role may do beyond reading the pages it sees.
ACTIONS: dict[str, frozenset[str]] = {
    "ceo": frozenset({"view_audit", "company_totals"}),
    "marketing": frozenset({"company_totals", "propose_agreement", "approve_agreement"}),
    "sales_head": frozenset({"company_totals", "propose_agreement", "approve_agreement"}),
    "regional_manager": frozenset(),
    "data_admin": frozenset({"load", "map", "vocab", "config", "view_audit", "company_totals"}),
}
# The department whose key a head's approval is (two keys: both must approve).
DEPARTMENT = {"marketing": "marketing", "sales_head": "sales"}


class AccessError(ValueError):
    """access.toml cannot be used: one line saying what, where and what to do."""


@dataclass(frozen=True)
class User:
    login: str
    name: str
    role: str
    regions: tuple[str, ...] | None = None   # None: every region (non-regional roles)
    email: str = ""
    password: str = ""                       # argon2 hash, "" when the user signs in only by OIDC
    disabled: bool = False

    @property
    def restricted(self) -> bool:
        """True when the user sees only `regions` (possibly none), not the company."""
        return self.regions is not None

    def can(self, action: str) -> bool:
        return not self.disabled and action in ACTIONS.get(self.role, frozenset())


# The user of `make run` on the demo warehouse: no sign-in, shown as demo mode on every page.
DEMO = User(login="demo", name="Демо", role="data_admin")


def access_path() -> Path:
    env = os.environ.get("PARITY_ACCESS")
    return Path(env).expanduser().resolve() if env else config_dir() / "access.toml"


def load_users(path: Path | None = None) -> dict[str, User]:
    """Every user of access.toml by login ({} when the file does not exist)."""
    path = path or access_path()
    if not path.exists():
        return {}
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise AccessError(f"{path}: cannot be read ({e}); fix the file and reload") from e
    users = {}
    for login, row in (doc.get("users") or {}).items():
        where = f"{path} [users.{login}]"
        if not isinstance(row, dict):
            raise AccessError(f"{where}: expected a table of name, role, regions")
        role = row.get("role")
        if role not in ROLES:
            raise AccessError(f"{where}: role {role!r} is not one of {', '.join(ROLES)}")
        regions = row.get("regions")
        if role in REGIONAL:
            if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
                raise AccessError(f"{where}: a {role} needs regions = [\"...\"], the regions it may see")
            regions = tuple(regions)
        elif regions is not None:
            raise AccessError(f"{where}: role {role} sees every region; remove regions or make the role regional")
        users[login] = User(login=login, name=str(row.get("name") or login), role=role, regions=regions,
                            email=str(row.get("email") or "").strip().lower(), password=str(row.get("password") or ""),
                            disabled=bool(row.get("disabled", False)))
    return users


def by_email(users: dict[str, User], email: str) -> User | None:
    """The user an OpenID Connect identity maps to (e-mail, case-insensitive), or None."""
    email = (email or "").strip().lower()
    return next((u for u in users.values() if email and u.email == email), None)


def login_claim(path: Path | None = None) -> str:
    """access.toml's `[oidc] login_claim`: the ID token claim whose value is the login ("" maps by e-mail)."""
    path = path or access_path()
    if not path.exists():
        return ""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise AccessError(f"{path}: cannot be read ({e}); fix the file and reload") from e
    return str((doc.get("oidc") or {}).get("login_claim") or "").strip()


# argon2id with the library's defaults (a random salt per hash); model/signin.py verifies with it
HASHER = argon2.PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash with its own random salt, for access.toml's `password`."""
    return HASHER.hash(password)


def main(argv: list[str] | None = None) -> int:
    """`python -m model.users hash`: asks for a password twice and prints its argon2 hash for access.toml
    (from a pipe it reads one line, for scripts)."""
    import argparse
    import getpass
    import sys

    parser = argparse.ArgumentParser(prog="python -m model.users", description=main.__doc__)
    parser.add_argument("cmd", choices=["hash"], help="print an argon2 hash of a typed password")
    parser.parse_args(argv)
    if sys.stdin.isatty():
        password = getpass.getpass("Пароль / password: ")
        if getpass.getpass("Ещё раз / again: ") != password:
            print("the two passwords differ; nothing printed, run it again", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        print("a password needs at least 8 characters; nothing printed", file=sys.stderr)
        return 1
    print(hash_password(password))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
