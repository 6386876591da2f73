"""Delivery: e-mail through SMTP (HTML body, plain-text alternative, the deck as a PDF attachment) and
Telegram through the Bot API (sendMessage, then sendDocument with the PDF). Each raises DeliveryError with
one line on failure; the scheduler records it and retries on the next run."""
from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from digest.config import Smtp, Telegram
from digest.content import Digest

TELEGRAM_TEXT = 4096     # the Bot API's limit on a message's text
CAPTION = 1024           # and on a document's caption


class DeliveryError(RuntimeError):
    """A digest did not reach a channel: one line saying where and why."""


def email_message(d: Digest, sender: str, to: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = d.subject, sender, to
    msg["Date"], msg["Message-ID"] = formatdate(localtime=True), make_msgid(domain="parity")
    msg.set_content(d.text())
    msg.add_alternative(d.html(), subtype="html")
    if d.pdf:
        msg.add_attachment(d.pdf, maintype="application", subtype="pdf", filename=d.pdf_name)
    return msg


def send_email(d: Digest, to: str, cfg: Smtp) -> None:
    msg = email_message(d, cfg.sender, to)
    try:
        if cfg.tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
        with client:
            if cfg.tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if cfg.user:
                client.login(cfg.user, cfg.password)
            client.send_message(msg)
    except (OSError, smtplib.SMTPException) as e:
        raise DeliveryError(f"SMTP {cfg.host}:{cfg.port} refused the message to {to} ({type(e).__name__}: {e}); "
                            "check [smtp] in digests.toml and PARITY_SMTP_*; the next run retries") from e


def _call(cfg: Telegram, method: str, body: bytes, content_type: str) -> dict:
    if not cfg.token:
        raise DeliveryError("no Telegram bot token: set PARITY_TELEGRAM_TOKEN for the scheduler")
    req = urllib.request.Request(f"{cfg.api_base}/bot{cfg.token}/{method}", data=body, method="POST",
                                 headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=cfg.timeout) as resp:
            answer = json.loads(resp.read().decode("utf-8"))
    except urllib.error.HTTPError as e:
        detail = e.read().decode("utf-8", "replace")[:200]
        raise DeliveryError(f"Telegram {method} answered {e.code} ({detail}); check the chat id and the token") from e
    except (OSError, ValueError) as e:
        raise DeliveryError(f"Telegram {method} at {cfg.api_base} failed ({e}); the next run retries") from e
    if not answer.get("ok"):
        raise DeliveryError(f"Telegram {method} refused: {answer.get('description', answer)}")
    return answer


def _multipart(fields: dict[str, str], name: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = b""
    for k, v in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").encode()
    out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


def send_telegram(d: Digest, chat_id: str, cfg: Telegram) -> None:
    text = d.text()
    if len(text) > TELEGRAM_TEXT:
        text = text[:TELEGRAM_TEXT - 1] + "…"
    _call(cfg, "sendMessage", json.dumps({"chat_id": chat_id, "text": text}).encode("utf-8"), "application/json")
    if d.pdf:
        body, ctype = _multipart({"chat_id": chat_id, "caption": d.subject[:CAPTION]}, "document", d.pdf_name, d.pdf)
        _call(cfg, "sendDocument", body, ctype)
