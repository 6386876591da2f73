"""Scheduled digests delivered for real on 127.0.0.1: a local SMTP server (aiosmtpd) and a local HTTP server
speaking the Telegram Bot API's sendMessage/sendDocument. A regional manager's digest arrives with only their
regions (HTML body and the attached PDF read back by pdftotext), a run repeated at once sends nothing, a
missed week catches up once, a failed channel is recorded and retried, two runs at once claim a slot once;
the meeting's overdue commitments of the recipient's regions are listed."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import shutil
import socket
import sqlite3
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from digest import config, schedule
from digest.config import DigestConfigError, Schedule
from digest.send import run

OWN, OTHERS = "Москва", ("Санкт-Петербург", "Казань", "Тверь")     # tests/data/wh regions
TOKEN = "123:test-token"
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")


def msk(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone(dt.timedelta(hours=3)))


# ------------------------------------------------------------------------------ local servers
class Inbox:
    """aiosmtpd's handler: every message that reached the server."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos),
                              email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"


@pytest.fixture(scope="module")
def smtp():
    from aiosmtpd.controller import Controller
    with socket.socket() as s:      # a free port: aiosmtpd's controller needs one before it starts
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


class Bot:
    """What the fake Bot API received: (method, token, fields); `fail` makes the next calls answer ok=false."""

    def __init__(self):
        self.calls: list[tuple[str, str, dict]] = []
        self.fail = 0


@pytest.fixture(scope="module")
def telegram():
    bot = Bot()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            token, _, method = self.path.removeprefix("/bot").partition("/")
            if self.headers["Content-Type"].startswith("application/json"):
                fields = json.loads(body)
            else:   # multipart/form-data: read back with the e-mail parser
                msg = email.message_from_bytes(b"Content-Type: " + self.headers["Content-Type"].encode() +
                                               b"\r\n\r\n" + body, policy=email.policy.default)
                fields = {p.get_param("name", header="content-disposition"): p.get_payload(decode=True)
                          for p in msg.iter_parts()}
            ok = not bot.fail
            bot.fail = max(0, bot.fail - 1)
            bot.calls.append((method, token, fields))
            answer = {"ok": True, "result": {"message_id": len(bot.calls)}} if ok else \
                {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
            data = json.dumps(answer).encode()
            self.send_response(200 if ok else 400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield bot, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def setup(warehouse, smtp, telegram, tmp_path, monkeypatch):
    """Access and subscriptions of the test's own, the store in tmp, delivery pointed at the local servers;
    the deck's charts not drawn (tests/test_report.py draws them; here the PDF's text is what counts)."""
    from report import render
    monkeypatch.setattr(render, "slide_images", lambda deck: {})
    (tmp_path / "access.toml").write_text(
        '[users.rm_msk]\nname = "Ольга Смирнова"\nrole = "regional_manager"\nregions = ["Москва"]\n'
        'email = "olga@example.ru"\n[users.rm_week]\nname = "Week"\nrole = "regional_manager"\n'
        'regions = ["Москва"]\nemail = "week@example.ru"\n', encoding="utf-8")
    monkeypatch.setenv("PARITY_ACCESS", str(tmp_path / "access.toml"))
    monkeypatch.setenv("PARITY_DIGESTS", str(tmp_path / "digests.toml"))
    monkeypatch.setenv("PARITY_STORE", str(tmp_path / "store.sqlite"))
    monkeypatch.setenv("PARITY_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PARITY_SMTP_PORT", str(smtp[1]))
    monkeypatch.setenv("PARITY_TELEGRAM_API", telegram[1])
    monkeypatch.setenv("PARITY_TELEGRAM_TOKEN", TOKEN)
    smtp[0].messages.clear()
    telegram[0].calls.clear()
    return tmp_path


def subscribe(folder: Path, text: str) -> config.Settings:
    (folder / "digests.toml").write_text('timezone = "Europe/Moscow"\n' + text, encoding="utf-8")
    return config.load()


def pdf_text(data: bytes, folder: Path) -> str:
    path = folder / "got.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def sent_log(folder: Path) -> list[tuple]:
    con = sqlite3.connect(folder / "store.sqlite")
    try:
        return con.execute("select period, channel, status, attempts from digest_sends order by 1, 2").fetchall()
    finally:
        con.close()


# ------------------------------------------------------------------------------ end to end
@needs_poppler
def test_regional_managers_digest_arrives_with_only_their_regions_and_once(setup, smtp, telegram):
    from digest.__main__ import main
    settings = subscribe(setup, '[defaults]\ncadence = "monthly"\nhour = 8\n'
                                '[recipients.rm_msk]\ntelegram_chat_id = "777"\n')
    # --dry-run writes what would be sent and sends nothing (into a folder that is there: it makes none)
    (setup / "dry").mkdir()
    assert main(["send", "--to", "rm_msk", "--dry-run", "--out", str(setup / "dry"),
                 "--now", "2025-02-03T09:00+03:00"]) == 0
    assert sorted(p.suffix for p in (setup / "dry").iterdir()) == [".eml", ".html", ".pdf", ".txt"]
    assert not smtp[0].messages and not telegram[0].calls

    # the meeting's commitments: overdue in Москва (shown), overdue elsewhere or in two regions, not yet due
    from model.access import OPERATOR, scope_of
    from model.decisions import Commitment, add
    meeting = dt.date(2024, 12, 20)
    for dept, text, regions, due in (("sales", "Перезвонить лидам декабря", ("Москва",), dt.date(2025, 1, 20)),
                                     ("marketing", "Запустить поиск", ("Казань",), dt.date(2025, 1, 20)),
                                     ("marketing", "Общий лендинг", ("Москва", "Тверь"), dt.date(2025, 1, 10)),
                                     ("sales", "Новый скрипт", (), dt.date(2025, 3, 1))):
        add(Commitment(meeting, dept, "Олег", text, due, regions), who="test", scope=scope_of(OPERATOR))
    got = run(settings, msk("2025-02-03T09:00"))
    assert [(o.channel, o.status) for o in got] == [("email", "sent"), ("telegram", "sent")], got
    (rcpt, msg), = smtp[0].messages
    assert rcpt == ["olga@example.ru"] and "01.01.2025 – 31.01.2025" in msg["Subject"]
    body = msg.get_body(("html",)).get_content()
    pdf = next(p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf").get_content()
    text = pdf_text(pdf, setup)
    for what, shown in (("html", body), ("pdf", text)):
        assert OWN in shown, what
        assert not [r for r in OTHERS if r in shown], what
    assert "План и факт" in body and "SLA" in body and "Свежесть данных" in body and "Открытые оповещения" in body
    # the total row is hers, not the company's: it was labelled «Вся компания» beside Москва's own figures
    total = "Ваши регионы, всего"
    assert "Вся компания" not in body and total in body and total in message_of(telegram)
    assert "Выручка" in text     # the deck's headline slide, readable text
    assert "Перезвонить лидам декабря" in body and "Просрочено обязательств: 1." in body
    assert not [c for c in ("Запустить поиск", "Общий лендинг", "Новый скрипт") if c in body]

    (m1, tok1, message), (m2, tok2, document) = telegram[0].calls
    assert (m1, m2, tok1, tok2) == ("sendMessage", "sendDocument", TOKEN, TOKEN)
    assert message["chat_id"] == "777" and OWN in message["text"]
    assert not [r for r in OTHERS if r in message["text"]]
    assert document["chat_id"] == b"777" and document["document"] == pdf

    # the same run again at once, and later the same day: nothing is sent twice
    for at in ("2025-02-03T09:00", "2025-02-20T18:00"):
        again = run(config.load(), msk(at))
        assert {o.status for o in again} == {"skipped"}
    assert len(smtp[0].messages) == 1 and len(telegram[0].calls) == 2
    assert sent_log(setup) == [("monthly:2025-02-01", "email", "sent", 1),
                               ("monthly:2025-02-01", "telegram", "sent", 1)]


def message_of(telegram) -> str:
    return next(body["text"] for method, _, body in telegram[0].calls if method == "sendMessage")


def test_a_missed_week_catches_up_once_and_a_failed_channel_is_retried(setup, smtp, telegram):
    settings = subscribe(setup, '[recipients.rm_week]\ntelegram_chat_id = "5"\ncadence = "weekly"\n'
                                'weekday = "mon"\nhour = 8\nsections = ["headline"]\n')
    telegram[0].fail = 1      # the bot API refuses once: e-mail goes, Telegram is recorded as failed
    got = run(settings, msk("2025-01-13T09:00"))
    assert [(o.channel, o.status) for o in got] == [("email", "sent"), ("telegram", "failed")]
    assert "chat not found" in got[1].error
    got = run(settings, msk("2025-01-13T10:00"))        # the next run retries only what failed
    assert [(o.channel, o.status) for o in got] == [("email", "skipped"), ("telegram", "sent")]
    assert sent_log(setup) == [("weekly:2025-01-13", "email", "sent", 1), ("weekly:2025-01-13", "telegram", "sent", 2)]
    # no run on 20.01 and 27.01; the run of 03.02 sends the latest week once, not the two missed ones
    smtp[0].messages.clear()
    got = run(settings, msk("2025-02-03T10:00"))
    assert [(o.period, o.status) for o in got] == [("weekly:2025-02-03", "sent")] * 2
    (_, msg), = smtp[0].messages
    assert "27.01.2025 – 02.02.2025" in msg["Subject"]
    assert {o.status for o in run(settings, msk("2025-02-03T10:01"))} == {"skipped"}
    assert {o.status for o in run(settings, msk("2025-02-10T07:59"))} == {"skipped"}   # before the hour
    assert len(smtp[0].messages) == 1
    assert [p for p, *_ in sent_log(setup)] == ["weekly:2025-01-13"] * 2 + ["weekly:2025-02-03"] * 2


# ------------------------------------------------------------------------------ cheap parts
def test_concurrent_runs_claim_a_slot_once(tmp_path, monkeypatch):
    monkeypatch.setenv("PARITY_STORE", str(tmp_path / "store.sqlite"))
    slot = schedule.latest_slot(Schedule(), msk("2026-03-04T12:00"))
    schedule.open_store().close()
    tokens, barrier = [], threading.Barrier(8)

    def worker():
        con = schedule.open_store()
        barrier.wait()
        tokens.append(schedule.claim(con, "x", slot, "email"))
        con.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sum(tok is not None for tok in tokens) == 1


@pytest.mark.parametrize("cadence, now, key, first, last", [
    ("weekly", "2026-03-04T12:00", "weekly:2026-03-02", "2026-02-23", "2026-03-01"),
    ("weekly", "2026-03-02T07:00", "weekly:2026-02-23", "2026-02-16", "2026-02-22"),
    ("weekly", "2026-03-02T08:00", "weekly:2026-03-02", "2026-02-23", "2026-03-01"),
    ("daily", "2026-03-02T07:59", "daily:2026-03-01", "2026-02-28", "2026-02-28"),
    ("monthly", "2026-03-01T07:00", "monthly:2026-02-01", "2026-01-01", "2026-01-31"),
    ("monthly", "2026-03-15T09:00", "monthly:2026-03-01", "2026-02-01", "2026-02-28"),
])
def test_latest_slot_and_the_days_it_covers(cadence, now, key, first, last):
    slot = schedule.latest_slot(Schedule(cadence=cadence, weekday=0, hour=8, day=1), msk(now))
    assert (slot.key, slot.date_from.isoformat(), slot.date_to.isoformat()) == (key, first, last)


@pytest.mark.parametrize("text, says", [
    ('[smtp]\npassword = "x"\n', "secrets do not belong in the file"),
    ('[recipients.nobody]\nemail = "a@b"\n', "no user 'nobody'"),
    ('[recipients.rm]\n', "neither email nor telegram_chat_id"),
    ('[recipients.rm]\nemail = "a@b"\ncadence = "hourly"\n', "cadence 'hourly' is not one of"),
    # a typo was ignored in silence: mail went to localhost, the schedule stayed weekly, the zone the machine's
    ('[smtp]\nhots = "mail.example.ru"\n', r"\[smtp\]: unknown key hots; use host, port, sender, tls, user"),
    ('[defaults]\ncadense = "daily"\n', r"\[defaults\]: unknown key cadense; use cadence, day, hour"),
    ('timezon = "Europe/Moscow"\n', r"d.toml: unknown key timezon; use defaults, recipients, smtp, telegram, timezone"),
    ('[recipients.rm]\nemail = "a@b"\ncolour = "red"\n', r"\[recipients.rm\]: unknown key colour; use cadence"),
    ('[recipients.rm]\nemail = "a@b"\ntoken = "x"\n', r"secrets do not belong in the file \(token\)"),
])
def test_config_errors_are_one_line(tmp_path, text, says):
    from model.users import User
    (tmp_path / "d.toml").write_text(text, encoding="utf-8")
    users = {"rm": User("rm", "RM", "regional_manager", regions=("Москва",))}
    with pytest.raises(DigestConfigError, match=says) as e:
        config.load(tmp_path / "d.toml", users)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_plan_table_says_its_bases_and_lists_known_regions(warehouse, lang):
    """A CEO's weekly digest: its «Всего» row held the company plan beside region rows whose plans added up to
    another figure, raw region names with nothing in them were rows, a finished week printed the same plan
    twice, and Telegram lines were bare values. Now: the company row is named so and a line gives both plan
    figures, unknown raw regions are left out, one basis for a finished period, each value with its column."""
    from digest.content import Digest, plan_fact
    from model.access import OPERATOR
    from model.filters import Filters
    from model.runner import connect, runner
    from model.views import load
    from ui.i18n import t

    con = connect(warehouse)
    try:
        run = runner(con, OPERATOR)
        d = load("overview", Filters("custom", dt.date(2025, 2, 1), dt.date(2025, 2, 28)), run)
        s = plan_fact(d, lang, "RUB")
    finally:
        con.close()
    known = d["regions"][~d["regions"].unknown_region]
    assert {r[0] for r in s.rows[:-1]} <= set(known.region)
    assert s.rows[-1][0] == t("digest.company", lang) and len(s.header) == 4 == len(s.rows[-1])
    regional, company = known.revenue_plan_period.sum(), d["metrics"].revenue_plan_period.iloc[0]
    said = [x for x in s.lines if t("digest.plan_basis", lang, company="\x00", regions="\x00").split("\x00")[0] in x]
    assert bool(said) == (abs(regional - company) >= 0.005), (regional, company, s.lines)
    text = Digest("x", lang, "subject", "intro", [s], dt.date(2025, 2, 1), dt.date(2025, 2, 28)).text()
    first = next(line for line in text.splitlines() if line.startswith("• "))
    assert f"{t('deck.col.fact', lang)} " in first and f"{t('deck.col.plan', lang)} " in first, first
