"""python -m report --period 2026-Q1|2026-03|2026|2026-02-15..2026-05-10|quarter [--regions Москва,Казань] [--lang ru]
[--sections a,b] [--as LOGIN] --out deck.pptx|.pdf"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model import audit
from model.access import OPERATOR
from model.filters import today
from model.users import AccessError, User, access_path, load_users
from report.deck import SECTIONS
from report.make import FORMATS, make
from report.periods import FORMS, parse_period
from report.slides import Failure


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m report", description="The joint-meeting deck from the warehouse "
                                 "($PARITY_DB), as PPTX or PDF by the --out extension.")
    ap.add_argument("--period", required=True, help=f"{FORMS} (counted from today, as the sidebar does)")
    ap.add_argument("--regions", default="", help="comma-separated canonical regions (default: all)")
    ap.add_argument("--products", default="", help="comma-separated products (default: all)")
    ap.add_argument("--lang", default="ru", choices=("ru", "en"))
    ap.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated, of: {', '.join(SECTIONS)}")
    ap.add_argument("--out", required=True, type=Path, help="deck.pptx or deck.pdf")
    ap.add_argument("--as", dest="login", default=None,
                    help="render with this data/access.toml user's access (a regional manager's deck holds only "
                         "their regions); default: whoever runs it on the warehouse file, every region")
    a = ap.parse_args(argv)
    kind = a.out.suffix.lower().lstrip(".")
    if kind not in FORMATS:
        ap.error(f"--out must end in .pptx or .pdf, not {a.out.name}")
    if not a.out.parent.is_dir():   # before the deck is drawn and the export recorded
        ap.error(f"--out {a.out}: there is no folder {a.out.parent}; create it or name another")
    try:
        start, end = parse_period(a.period, today(), "--period")
    except ValueError as e:
        ap.error(str(e))
    sections = [s for s in a.sections.split(",") if s]
    if unknown := [s for s in sections if s not in SECTIONS]:
        ap.error(f"unknown sections {', '.join(unknown)}: choose from {', '.join(SECTIONS)}")
    try:
        user = as_user(a.login)
    except (AccessError, LookupError) as e:
        print(f"report: {e}", file=sys.stderr)
        return 2
    split = lambda text: tuple(v.strip() for v in text.split(",") if v.strip())  # noqa: E731
    try:
        deck, files = make(start, end, split(a.regions), split(a.products), a.lang, sections, (kind,), user)
    except (RuntimeError, FileNotFoundError, LookupError) as e:
        print(f"report: {e}", file=sys.stderr)
        return 1
    try:   # the entry first: a deck the trail cannot record is not written (the run can simply be repeated)
        audit.record("export", audit.who_cli(getattr(a, "login", None)), a.out.name,   # --as LOGIN where given
                     {"kind": kind, "period": [str(start), str(end)], "regions": a.regions, "products": a.products,
                      "lang": a.lang, "sections": sections, "via": "cli", "os_user": audit.who_cli()})
    except audit.AuditError as e:
        print(f"report: {e}; the deck was not written", file=sys.stderr)
        return 1
    try:
        a.out.write_bytes(files[kind])
    except OSError as e:
        print(f"report: cannot write {a.out} ({e.strerror}); name a folder you can write to", file=sys.stderr)
        return 1
    print(f"{a.out}: {len(deck.slides) + 1} slides ({', '.join(s.title for s in deck.slides)})")
    for note in deck.omitted:   # stderr only for what failed: a part with nothing to show is no error (cron logs)
        print(f"report: not included: {note}", file=sys.stderr if isinstance(note, Failure) else sys.stdout)
    return 0


def as_user(login: str | None) -> User:
    """The user `--as LOGIN` names in data/access.toml ($PARITY_ACCESS); without it, the operator who
    runs the CLI on the warehouse file (who can read every row of it anyway). Unknown or disabled: refused."""
    if login is None:
        return OPERATOR
    users = load_users()
    user = users.get(login)
    if user is None:
        raise LookupError(f"--as {login}: no such user in {access_path()}; use a login listed there")
    if user.disabled:
        raise LookupError(f"--as {login}: the user is disabled in {access_path()}; a disabled user gets no deck")
    return user


if __name__ == "__main__":
    sys.exit(main())
