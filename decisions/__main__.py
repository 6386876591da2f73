"""python -m decisions add|list|done: record the meeting's commitments, list them with their status, mark one
done. They are kept in the store beside the warehouse ($PARITY_STORE or parity-store.sqlite).

--who LOGIN is recorded with the change. A login of data/access.toml ($PARITY_ACCESS) acts with that user's
access, as on the Meeting page: a regional manager lists and acts on only their regions' and company-wide
commitments, a disabled user is refused. Any other name is the operator who runs the CLI on the store file
(who can read all of it anyway) and sees every commitment."""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys

from etl import config
from model import decisions
from model.access import OPERATOR, AccessDenied, Scope, scope_of
from model.users import AccessError, load_users


def scope_for(who: str) -> Scope:
    """The access `--who` acts with: that user's when access.toml lists the login, else the operator's."""
    user = load_users().get(who)
    if user is not None and user.disabled:
        raise AccessDenied("no_user", f"--who {who}: the user is disabled in data/access.toml; a disabled user "
                           "changes nothing")
    return scope_of(user or OPERATOR)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from e


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m decisions", description=__doc__)
    ap.add_argument("--who", default=getpass.getuser(), help="the login recorded with the change")
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("add", help="record a commitment")
    a.add_argument("--meeting", type=_date, default=dt.date.today(), help="the meeting's date (default today)")
    a.add_argument("--department", required=True, choices=decisions.DEPARTMENTS)
    a.add_argument("--person", required=True, help="who owns it")
    a.add_argument("--text", required=True, help="what is committed")
    a.add_argument("--due", required=True, type=_date)
    a.add_argument("--regions", default="", help="comma-separated canonical regions (default: company-wide)")
    a.add_argument("--metric", choices=decisions.metric_choices(), help="the registered metric it should move")
    a.add_argument("--target", type=float, help="the metric's target")
    ls = sub.add_parser("list", help="every commitment with its status")
    ls.add_argument("--today", type=_date, default=None, help="judge overdue on this day (default today)")
    d = sub.add_parser("done", help="mark a commitment done (--undo: not done)")
    d.add_argument("id", type=int)
    d.add_argument("--undo", action="store_true")
    for cmd in (a, ls, d):   # also after the subcommand, as the README writes it; given there, it wins
        cmd.add_argument("--who", default=argparse.SUPPRESS, help="the login recorded with the change")
    args = ap.parse_args(argv)
    try:
        scope = scope_for(args.who)
        if args.cmd == "add":
            regions = tuple(r.strip() for r in args.regions.split(",") if r.strip())
            known = [r["region"] for r in config.regions()]
            if unknown := [r for r in regions if r not in known]:   # a typo would make a commitment no one's
                raise decisions.DecisionError(f"--regions {', '.join(unknown)}: not a region of data/regions.csv; "
                                              f"use one of: {', '.join(known)}")
            cid = decisions.add(decisions.Commitment(args.meeting, args.department, args.person, args.text, args.due,
                                                     regions, args.metric, args.target), args.who, scope)
            print(f"commitment {cid} recorded")
        elif args.cmd == "done":
            decisions.set_done(args.id, args.who, scope, not args.undo)
            print(f"commitment {args.id}: {'not done' if args.undo else 'done'}")
        else:
            for r in decisions.listing(scope, today=args.today).itertuples():
                target = f" → {r.target:.10g}" if r.target is not None and r.target == r.target else ""
                metric = f" · {r.metric}{target}" if isinstance(r.metric, str) else ""
                print(f"{r.id:>4}  {r.meeting_date}  {r.department:<9}  {r.status:<11}  due {r.due_date}  "
                      f"{r.person}: {r.text}  [{', '.join(r.regions) or 'all regions'}]{metric}")
    except (decisions.DecisionError, AccessDenied, AccessError) as e:
        print(f"decisions: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
