"""python -m digest send --to LOGIN [--dry-run --out DIR] [--again] [--now ISO]; python -m digest run [--now ISO]
[--json]; python -m digest log"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from digest import config, schedule
from digest.send import dry_run, now_in, run, send_one
from model.users import AccessError


def _now(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.astimezone()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m digest", description="scheduled digests by e-mail and Telegram")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send", help="one recipient's digest for its latest slot")
    s.add_argument("--to", required=True, help="a login of data/digests.toml [recipients]")
    s.add_argument("--dry-run", action="store_true", help="write what would be sent to --out, send nothing")
    s.add_argument("--out", type=Path, default=None, help="folder for --dry-run's files (default: the current one)")
    s.add_argument("--again", action="store_true", help="send even if this slot was sent already")
    s.add_argument("--now", help="the time to schedule from (ISO, e.g. 2026-03-02T09:00); default: now")
    r = sub.add_parser("run", help="send every digest that is due (for cron)")
    r.add_argument("--now", help="the time to schedule from (ISO); default: now")
    r.add_argument("--json", action="store_true")
    sub.add_parser("log", help="the sent-log: every recipient x period x channel with its status")
    a = ap.parse_args(argv)
    if getattr(a, "out", None) is not None and not a.dry_run:   # else it would send for real and write nothing
        ap.error("--out is where --dry-run writes its files: add --dry-run, or leave --out out to send")
    if getattr(a, "out", None) is not None and not a.out.is_dir():   # a dry run writes its files only, no folder
        ap.error(f"--out {a.out}: there is no folder {a.out}; create it or name another")
    try:
        settings = config.load()
    except (config.DigestConfigError, AccessError) as e:
        print(f"digest: {e}", file=sys.stderr)
        return 2
    if a.cmd == "log":
        con = schedule.open_store()
        try:
            for row in schedule.log(con):
                print(json.dumps(row, ensure_ascii=False))
        finally:
            con.close()
        return 0
    try:
        now = _now(a.now)
    except ValueError:
        print(f"digest: --now {a.now!r} is not an ISO time; write e.g. 2026-03-02T09:00", file=sys.stderr)
        return 2
    if a.cmd == "run":
        outcomes = run(settings, now)
    else:
        rec = settings.recipients.get(a.to)
        if rec is None:
            print(f"digest: {a.to!r} has no subscription in {settings.path}; add [recipients.{a.to}] there",
                  file=sys.stderr)
            return 2
        if a.dry_run:
            try:
                for p in dry_run(rec, settings, a.out or Path("."), now):
                    print(p)
            except (FileNotFoundError, RuntimeError) as e:
                print(f"digest: {e}", file=sys.stderr)
                return 1
            return 0
        outcomes = send_one(rec, settings, now_in(settings, now), again=a.again)
    if getattr(a, "json", False):
        print(json.dumps([o.__dict__ for o in outcomes], ensure_ascii=False, indent=2))
    else:
        for o in outcomes:
            print(f"{o.status}: {o.login} {o.period} {o.channel}" + (f": {o.error}" if o.error else ""))
        if not outcomes:
            print("nothing due")
    return 1 if any(o.status == "failed" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
