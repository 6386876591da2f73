"""Who gets a digest, where and when (data/digests.toml or $PARITY_DIGESTS, edited by the data admin), and
how to deliver it (SMTP and the Telegram Bot API; secrets only from the environment, never the repo)."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from etl.paths import config_dir
from model.users import User, access_path, load_users
from report.deck import SECTIONS

CADENCES = ("daily", "weekly", "monthly")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TLS = ("none", "starttls", "ssl")
# the deck attached to a digest: the flights' effect is in the digest itself, estimating it again for the
# contribution slide doubles the time
DECK_SECTIONS = ("headline", "regions", "sla", "joint_plan", "data_quality")
RECIPIENT_KEYS = {"email", "telegram_chat_id", "lang", "cadence", "weekday", "hour", "day", "sections", "disabled"}
# what each part of the file may hold; anything else (a typo: hots, cadense) would be ignored in silence
KEYS = {"": {"timezone", "defaults", "smtp", "telegram", "recipients"},
        "defaults": {"cadence", "weekday", "hour", "day", "lang", "sections"},
        "smtp": {"host", "port", "user", "tls", "sender"}, "telegram": {"api_base"}}
SECRETS = {"password", "token"}


class DigestConfigError(ValueError):
    """digests.toml cannot be used: one line saying what, where and what to do."""


@dataclass(frozen=True)
class Schedule:
    cadence: str = "weekly"
    weekday: int = 0          # Monday; weekly only
    hour: int = 8             # local hour of `timezone`
    day: int = 1              # monthly only: the day of the month (1..28)


@dataclass(frozen=True)
class Recipient:
    login: str
    user: User
    email: str                # "" when the recipient gets no e-mail
    telegram_chat_id: str     # "" when no Telegram
    lang: str
    schedule: Schedule
    sections: tuple[str, ...]

    def channels(self) -> tuple[str, ...]:
        return tuple(c for c, v in (("email", self.email), ("telegram", self.telegram_chat_id)) if v)


@dataclass(frozen=True)
class Smtp:
    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = ""        # $PARITY_SMTP_PASSWORD only
    tls: str = "none"
    sender: str = "parity@localhost"
    timeout: float = 30.0


@dataclass(frozen=True)
class Telegram:
    api_base: str = "https://api.telegram.org"
    token: str = ""           # $PARITY_TELEGRAM_TOKEN only
    timeout: float = 30.0


@dataclass(frozen=True)
class Settings:
    path: Path
    timezone: str = ""        # "" : the machine's local time
    smtp: Smtp = field(default_factory=Smtp)
    telegram: Telegram = field(default_factory=Telegram)
    recipients: dict[str, Recipient] = field(default_factory=dict)


def digests_path() -> Path:
    env = os.environ.get("PARITY_DIGESTS")
    return Path(env).expanduser().resolve() if env else config_dir() / "digests.toml"


def _schedule(row: dict, base: Schedule, where: str) -> Schedule:
    cadence = row.get("cadence", base.cadence)
    if cadence not in CADENCES:
        raise DigestConfigError(f"{where}: cadence {cadence!r} is not one of {', '.join(CADENCES)}")
    weekday = row.get("weekday", WEEKDAYS[base.weekday])
    if weekday not in WEEKDAYS:
        raise DigestConfigError(f"{where}: weekday {weekday!r} is not one of {', '.join(WEEKDAYS)}")
    hour, day = row.get("hour", base.hour), row.get("day", base.day)
    if not isinstance(hour, int) or not 0 <= hour <= 23:
        raise DigestConfigError(f"{where}: hour {hour!r} is not a whole hour 0..23")
    if not isinstance(day, int) or not 1 <= day <= 28:
        raise DigestConfigError(f"{where}: day {day!r} is not a day of the month 1..28 (every month has it)")
    return Schedule(cadence, WEEKDAYS.index(weekday), hour, day)


def _sections(row: dict, base: tuple[str, ...], where: str) -> tuple[str, ...]:
    sections = row.get("sections", list(base))
    if not isinstance(sections, list) or any(s not in SECTIONS for s in sections):
        raise DigestConfigError(f"{where}: sections must be a list of {', '.join(SECTIONS)}")
    return tuple(sections)


def load(path: Path | None = None, users: dict[str, User] | None = None) -> Settings:
    """The settings of digests.toml (no file: no recipients), SMTP and Telegram secrets from the environment."""
    path = path or digests_path()
    doc: dict = {}
    if path.exists():
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise DigestConfigError(f"{path}: cannot be read ({e}); fix the file and run again") from e
    env = os.environ.get
    s, t = doc.get("smtp") or {}, doc.get("telegram") or {}
    tls = env("PARITY_SMTP_TLS") or s.get("tls", "none")
    if tls not in TLS:
        raise DigestConfigError(f"{path} [smtp]: tls {tls!r} is not one of {', '.join(TLS)}")
    smtp = Smtp(host=env("PARITY_SMTP_HOST") or s.get("host", "localhost"),
                port=int(env("PARITY_SMTP_PORT") or s.get("port", 465 if tls == "ssl" else 25)),
                user=env("PARITY_SMTP_USER") or s.get("user", ""), password=env("PARITY_SMTP_PASSWORD", ""),
                tls=tls, sender=env("PARITY_SMTP_FROM") or s.get("sender", "parity@localhost"))
    telegram = Telegram(api_base=(env("PARITY_TELEGRAM_API") or t.get("api_base", Telegram.api_base)).rstrip("/"),
                        token=env("PARITY_TELEGRAM_TOKEN", ""))
    tables = [("", doc), *((k, doc.get(k)) for k in ("defaults", "smtp", "telegram"))]
    for part, table in [*tables, *((f"recipients.{k}", v) for k, v in (doc.get("recipients") or {}).items())]:
        known = KEYS.get(part, RECIPIENT_KEYS)
        if not isinstance(table, dict):
            if table is None:
                continue
            raise DigestConfigError(f"{path} [{part}]: must be a table of keys; use {', '.join(sorted(known))}")
        if SECRETS & set(table):
            raise DigestConfigError(f"{path}{f' [{part}]' if part else ''}: secrets do not belong in the file "
                                    f"({', '.join(sorted(SECRETS & set(table)))}); set PARITY_SMTP_PASSWORD and "
                                    "PARITY_TELEGRAM_TOKEN in the environment of the scheduler instead")
        if unknown := sorted(set(table) - known):
            raise DigestConfigError(f"{path}{f' [{part}]' if part else ''}: unknown key {', '.join(unknown)}; "
                                    f"use {', '.join(sorted(known))}")
    defaults = doc.get("defaults") or {}
    base = _schedule(defaults, Schedule(), f"{path} [defaults]")
    base_sections = _sections(defaults, DECK_SECTIONS, f"{path} [defaults]")
    users = load_users() if users is None else users
    recipients = {}
    for login, row in (doc.get("recipients") or {}).items():
        where = f"{path} [recipients.{login}]"
        user = users.get(login)
        if user is None:
            raise DigestConfigError(f"{where}: no user {login!r} in {access_path()}; add the user there first")
        if row.get("disabled") or user.disabled:
            continue
        lang = row.get("lang", defaults.get("lang", "ru"))
        if lang not in ("ru", "en"):
            raise DigestConfigError(f"{where}: lang {lang!r} is not ru or en")
        r = Recipient(login, user, str(row.get("email", user.email) or ""), str(row.get("telegram_chat_id", "")),
                      lang, _schedule(row, base, where), _sections(row, base_sections, where))
        if not r.channels():
            raise DigestConfigError(f"{where}: neither email nor telegram_chat_id; give at least one")
        recipients[login] = r
    return Settings(path, str(doc.get("timezone", "")), smtp, telegram, recipients)
