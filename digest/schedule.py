"""When a digest is due and what was sent: the latest slot of a recipient's cadence, and a sent-log in the
store keyed by recipient, period and channel. A slot is claimed (BEGIN IMMEDIATE) before anything is sent,
so two runs at once never both send it; only the latest slot is due, so a missed run catches up once."""
from __future__ import annotations

import datetime as dt
import os
import socket
import sqlite3
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from digest.config import Schedule
from model import store

DDL = """
create table if not exists digest_sends (
    login text not null,
    period text not null,          -- the slot: cadence:YYYY-MM-DD (the day it fell due)
    channel text not null,         -- email, telegram
    status text not null,          -- sending, sent, failed
    attempts integer not null default 0,
    date_from text not null,       -- the days the digest covers
    date_to text not null,
    claimed_at text, claimed_by text, sent_at text, error text,
    primary key (login, period, channel)
);
"""
# a claim older than this is a run that died mid-send: the slot is taken again (at worst sent twice, never lost)
LEASE = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class Slot:
    key: str                  # cadence:YYYY-MM-DD
    due: dt.datetime          # when it fell due (aware)
    date_from: dt.date        # the days it covers, inclusive
    date_to: dt.date


def zone(name: str) -> dt.tzinfo:
    return ZoneInfo(name) if name else dt.datetime.now().astimezone().tzinfo or dt.UTC


def latest_slot(s: Schedule, now: dt.datetime) -> Slot:
    """The latest slot of the schedule due at or before `now` (aware), with the days it covers: the day
    before for daily, the 7 days before for weekly, the previous month for monthly."""
    at = dt.time(s.hour)
    if s.cadence == "daily":
        day = now.date() if now.time() >= at else now.date() - dt.timedelta(days=1)
        start = end = day - dt.timedelta(days=1)
    elif s.cadence == "weekly":
        day = now.date() - dt.timedelta(days=(now.weekday() - s.weekday) % 7)
        if day == now.date() and now.time() < at:
            day -= dt.timedelta(days=7)
        start, end = day - dt.timedelta(days=7), day - dt.timedelta(days=1)
    else:
        day = now.date().replace(day=s.day)
        if day > now.date() or (day == now.date() and now.time() < at):
            prev = day.replace(day=1) - dt.timedelta(days=1)
            day = prev.replace(day=s.day)
        end = day.replace(day=1) - dt.timedelta(days=1)
        start = end.replace(day=1)
    due = dt.datetime.combine(day, at, tzinfo=now.tzinfo)
    return Slot(f"{s.cadence}:{day.isoformat()}", due, start, end)


def open_store(con: sqlite3.Connection | None = None) -> sqlite3.Connection:
    con = con or store.connect()
    store.ensure(con, DDL)
    return con


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def claimant() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(con: sqlite3.Connection, login: str, slot: Slot, channel: str, again: bool = False) -> str | None:
    """Take (login, slot, channel) for sending: the claim token, or None when it was sent already or another
    run holds it (`again`: a sent one is taken too, for a manual resend)."""
    token = f"{claimant()}:{_now()}"
    with store.transaction(con):
        row = con.execute("select status, claimed_at from digest_sends where login = ? and period = ? "
                          "and channel = ?", (login, slot.key, channel)).fetchone()
        if row is not None:
            if row["status"] == "sent" and not again:
                return None
            if row["status"] == "sending" and dt.datetime.fromisoformat(row["claimed_at"]) > \
                    dt.datetime.now(dt.UTC) - LEASE:
                return None
        con.execute(
            "insert into digest_sends (login, period, channel, status, attempts, date_from, date_to, claimed_at,"
            " claimed_by) values (?, ?, ?, 'sending', 1, ?, ?, ?, ?) on conflict (login, period, channel) do update"
            " set status = 'sending', attempts = attempts + 1, claimed_at = excluded.claimed_at,"
            " claimed_by = excluded.claimed_by, error = null",
            (login, slot.key, channel, slot.date_from.isoformat(), slot.date_to.isoformat(), _now(), token))
    return token


def finish(con: sqlite3.Connection, login: str, slot: Slot, channel: str, token: str, error: str | None) -> None:
    """Record the outcome of a claimed send: sent, or failed with its one-line error (retried next run)."""
    with store.transaction(con):
        con.execute("update digest_sends set status = ?, error = ?, sent_at = ? where login = ? and period = ? "
                    "and channel = ? and claimed_by = ?",
                    ("failed" if error else "sent", error, None if error else _now(), login, slot.key, channel,
                     token))


def last_sent_to(con: sqlite3.Connection, login: str, before: Slot) -> dt.date | None:
    """The last day covered by the recipient's latest digest sent before `before` (flights since then)."""
    row = con.execute("select max(date_to) as d from digest_sends where login = ? and status = 'sent' "
                      "and date_to < ?", (login, before.date_to.isoformat())).fetchone()
    return dt.date.fromisoformat(row["d"]) if row and row["d"] else None


def sent_before(login: str, before: Slot) -> dt.date | None:
    """`last_sent_to`, read without writing anything: no store yet, or a store without the sent-log, is
    nothing sent (a dry run creates neither the store's folder, nor its file, nor its tables)."""
    rows = store.read_only_rows(None, "digest_sends", "select max(date_to) as d from digest_sends where login = ? "
                                "and status = 'sent' and date_to < ?", (login, before.date_to.isoformat()))
    return dt.date.fromisoformat(rows[0]["d"]) if rows and rows[0]["d"] else None


def log(con: sqlite3.Connection) -> list[dict]:
    return [dict(r) for r in con.execute("select * from digest_sends order by period, login, channel")]
