"""Making and sending digests: one recipient's digest for its latest slot (the deck attached as PDF, rendered
with the recipient's access), and the scheduler's run over every recipient, each send claimed and recorded."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from digest import deliver, schedule
from digest.config import Recipient, Settings
from digest.content import Digest, build
from digest.schedule import Slot
from etl.paths import db_path
from model import audit
from model.runner import connect
from report.make import make as make_deck


@dataclass(frozen=True)
class Outcome:
    login: str
    period: str
    channel: str
    status: str         # sent, failed, skipped (sent already or another run holds it)
    error: str = ""


def now_in(settings: Settings, now: dt.datetime | None = None) -> dt.datetime:
    tz = schedule.zone(settings.timezone)
    return now.astimezone(tz) if now else dt.datetime.now(tz)


def digest_for(r: Recipient, slot: Slot, since: dt.date | None) -> Digest:
    """The digest and its deck (PDF, the recipient's sections and access) for the slot's days."""
    path = db_path()
    if not path.is_file():
        raise FileNotFoundError(f"no warehouse at {path}: run `python -m etl demo` or `python -m etl load FILE...`")
    con = connect(path)
    try:
        d = build(r, con, slot.date_from, slot.date_to, since)
    finally:
        con.close()
    _, files = make_deck(slot.date_from, slot.date_to, lang=r.lang, sections=r.sections, kinds=("pdf",),
                         user=r.user)
    d.pdf, d.pdf_name = files["pdf"], f"parity-{r.login}-{slot.date_to.isoformat()}.pdf"
    return d


def deliver_to(d: Digest, r: Recipient, channel: str, settings: Settings) -> None:
    if channel == "email":
        deliver.send_email(d, r.email, settings.smtp)
    else:
        deliver.send_telegram(d, r.telegram_chat_id, settings.telegram)


def send_one(r: Recipient, settings: Settings, now: dt.datetime, again: bool = False) -> list[Outcome]:
    """Send `r`'s digest for its latest slot on each channel not yet sent (claimed first, then recorded)."""
    slot = schedule.latest_slot(r.schedule, now)
    con = schedule.open_store()
    try:
        tokens = {ch: schedule.claim(con, r.login, slot, ch, again) for ch in r.channels()}
        out = [Outcome(r.login, slot.key, ch, "skipped") for ch, tok in tokens.items() if tok is None]
        todo = {ch: tok for ch, tok in tokens.items() if tok is not None}
        if not todo:
            return out
        try:
            d = digest_for(r, slot, schedule.last_sent_to(con, r.login, slot))
        except Exception as e:  # noqa: BLE001 - recorded against every claimed channel, retried next run
            why = f"the digest could not be built ({type(e).__name__}: {e})"
            for ch, tok in todo.items():
                schedule.finish(con, r.login, slot, ch, tok, why)
            return out + [Outcome(r.login, slot.key, ch, "failed", why) for ch in todo]
        for ch, tok in todo.items():
            err: str | None = None
            try:
                deliver_to(d, r, ch, settings)
            except deliver.DeliveryError as e:
                err = str(e)
            schedule.finish(con, r.login, slot, ch, tok, err)
            if err is None:
                audit.record("digest_sent", "scheduler", f"{r.login} {slot.key}",
                             {"channel": ch, "date_from": slot.date_from, "date_to": slot.date_to}, con=con)
            out.append(Outcome(r.login, slot.key, ch, "failed" if err else "sent", err or ""))
        return out
    finally:
        con.close()


def run(settings: Settings, now: dt.datetime | None = None) -> list[Outcome]:
    """Every recipient's latest due slot, each channel sent at most once (what the cron line runs)."""
    at = now_in(settings, now)
    return [o for r in settings.recipients.values() for o in send_one(r, settings, at)]


def dry_run(r: Recipient, settings: Settings, out: Path, now: dt.datetime | None = None) -> list[Path]:
    """What would be sent to `r` now, written to `out`: the e-mail (.eml), its HTML body, the Telegram text
    and the PDF; nothing is sent or recorded, and nothing but those files is written (no folder is made:
    `out` must exist; the store is only read, if there is one)."""
    if not out.is_dir():
        raise FileNotFoundError(f"--out {out}: there is no folder {out}; create it or name another")
    slot = schedule.latest_slot(r.schedule, now_in(settings, now))
    d = digest_for(r, slot, schedule.sent_before(r.login, slot))
    stem = out / f"digest-{r.login}-{slot.date_to.isoformat()}"
    files = {".html": d.html().encode("utf-8"), ".telegram.txt": d.text().encode("utf-8"), ".pdf": d.pdf,
             ".eml": bytes(deliver.email_message(d, settings.smtp.sender, r.email or "(no e-mail)"))}
    paths = []
    for ext, data in files.items():
        p = stem.with_name(stem.name + ext)
        p.write_bytes(data)
        paths.append(p)
    return paths
