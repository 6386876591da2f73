"""Command line: python -m etl {load,rebuild,status,demo,vocab,steps,alerts}."""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

import duckdb

from etl.errors import LoadError, check_writable, log_path, log_unexpected
from etl.sweep import describe as describe_swept
from model import audit, trail


def _print(result: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        return
    for f in result.get("files", []) if isinstance(result.get("files"), list) else []:
        if f["status"] == "failed":
            print(f"FAILED {_failure(f['file'], f['error'])}", file=sys.stderr)
        elif f["status"] == "already loaded":
            print(f"{f['file']}: already loaded (load {f['load_id']}, {f['loaded_at']}); nothing changed")
        else:
            merged = f" ({f['rows_merged']} merged into another row of their key)" if f.get("rows_merged") else ""
            period = f", period {f['period'][0]}..{f['period'][1]}" if f.get("period") else ""
            print(f"{f['file']}: {f['entity']} ({f['format']}, {f['encoding']}{period}), read {f['rows_read']}, "
                  f"loaded {f['rows_loaded']}{merged}, rejected {f['rows_rejected']}, "
                  f"duplicates {f['rows_duplicate']}, summary lines skipped {f['rows_skipped']}, "
                  f"cells left empty {f.get('cells_warned', 0)} (in {f.get('rows_warned', 0)} rows)")
            for note in f.get("notes", []):     # what the load decided for the file (a repeated column, a constant)
                print(f"  note: {note}")
            for r in f["reject_reasons"][:3]:
                print(f"  row {r['row']}: {r['reason']}")
            for w in f.get("cell_warnings", [])[:3]:
                print(f"  row {w['row']}, column \"{w['column']}\" = '{w['raw']}': {w['reason']}")
    if result.get("deals_channel_from_lead"):
        print(f"deals that took their lead's channel: {result['deals_channel_from_lead']}")
    for line in describe_swept(result.get("swept") or []):
        print(line)


def _print_status(result: dict) -> None:
    """`etl status` for a person: the warehouse, each table's rows and latest day, what needs doing."""
    if not result["exists"]:
        print(f"{result['warehouse']}: {result['hint']}")
        return
    config = "config current" if result["config_current"] else \
        "config changed since the build: run python -m etl rebuild"
    print(f"{result['warehouse']} ({result['size_bytes'] / 1e6:.1f} MB), built {result['built_at']}, {config}")
    for table, t in result["tables"].items():
        print(f"  {table:<12}{t['rows']:>12,} rows   latest {t['latest'] or '-'}")
    print(f"loads {len(result['loads'])}, rejected rows {result['rejects']}, cells left empty "
          f"{result['cell_warnings']}, deals that took their lead's channel {result['deals_channel_from_lead']}")
    for u in result.get("unrecognised") or []:
        values = f"{u['values']} value" + "s" * (u["values"] != 1)
        print(f"unrecognised {u['dimension']} in {u['source']}: {values} on {u['rows']:,} rows "
              f"({u['share']:.1%}); python -m etl vocab lists them")


def _deals(text: str) -> int:
    """--deals: a whole number of at least 1 (0 or fewer ended in an unexpected IndexError)."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of deals; write a whole number of at least 1")
    return int(text)


def _day(text: str) -> str:
    """--end: a real day, YYYY-MM-DD (2026-02-30 ended in an unexpected ValueError)."""
    import datetime as dt
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day; write YYYY-MM-DD, e.g. 2026-03-31") from None
    return text


def _failure(name: str, error: str) -> str:
    """A failed file's line: its name once (most errors start with it), no control characters (a file's
    bytes quoted in an error must not drive the terminal)."""
    line = error if error.startswith(f"{name}: ") else f"{name}: {error}"
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "?", line)


def _save_mapping(args) -> None:
    """--save-mapping: the --mapping, keyed by the first file's header, before anything is loaded."""
    import tempfile

    from etl import profiles
    from etl.stage import Mapping
    if not args.mapping:
        raise LoadError("--save-mapping needs --mapping FILE.toml: the columns to save", "save_without_mapping")
    with tempfile.TemporaryDirectory() as work:
        header = profiles.layout_of(args.files[0], Path(work)).header
    mapping = Mapping.read(args.mapping)
    if args.entity:
        mapping.entity = args.entity
    path = profiles.save(args.save_mapping, header, mapping)
    print(f"saved {path}; files with this header now load without --mapping", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m etl", description="Parity ETL")
    sub = p.add_subparsers(dest="cmd", required=True)
    ld = sub.add_parser("load", help="load export files into the warehouse")
    ld.add_argument("files", nargs="+", type=Path)
    ld.add_argument("--entity", help="force the entity (deals, leads, ad_spend, ...)")
    ld.add_argument("--mapping", type=Path, help="TOML mapping of fields to the file's columns")
    ld.add_argument("--format", dest="format_name", metavar="NAME",
                    help="force the export format (yandex_direct, google_ads, bitrix24, 1c, ...)")
    ld.add_argument("--period", metavar="FIRST..LAST",
                    help="dates of reports whose rows have no date and whose title and file name name no "
                         "period, e.g. 2026-03-01..2026-03-10")
    ld.add_argument("--save-mapping", metavar="NAME",
                    help="save --mapping as data/mappings/NAME.toml: files with this header then load without flags")
    ld.add_argument("--json", action="store_true")
    rb = sub.add_parser("rebuild", help="rebuild the warehouse from data/raw and data/ config")
    st = sub.add_parser("status", help="what the warehouse holds")
    st.add_argument("--json", action="store_true")
    dm = sub.add_parser("demo", help="write the demo company's exports and load them")
    dm.add_argument("--seed", type=int, default=42)
    dm.add_argument("--deals", type=_deals, default=50_000)
    dm.add_argument("--end", type=_day, help="last day of the demo history, YYYY-MM-DD (default: yesterday)")
    dm.add_argument("--replace", action="store_true", help="replace a warehouse that holds other files")
    for cmd in (ld, rb, dm):
        cmd.add_argument("--as", dest="who", metavar="LOGIN", help="who runs it, for the audit trail (default: $USER)")
    sub.add_parser("steps", help="the build steps in order: what each reads, updates and builds")
    al = sub.add_parser("alerts", help="alerts the last load or rebuild found (data/alerts.toml): open ones")
    al.add_argument("--all", action="store_true", help="every alert episode, ended ones too")
    al.add_argument("--region", action="append", help="only this region (repeat for more); alerts with no "
                                                      "region (exports, raw values) always show")
    al.add_argument("--json", action="store_true")
    vc = sub.add_parser("vocab", help="values no rule recognised, largest first; --assign one and rebuild")
    vc.add_argument("--dimension", choices=["channel", "region", "stage", "lead_status", "currency"])
    vc.add_argument("--assign", metavar="FIELD=VALUE", help="e.g. utm_source=organic_search")
    vc.add_argument("--to", metavar="TARGET", help="a channel, region, status or currency code")
    vc.add_argument("--pattern", action="store_true", help="VALUE is a regular expression over lower-cased text")
    vc.add_argument("--as", "--who", dest="who", metavar="LOGIN",
                    help="who makes the change, for the log and the audit trail (default: $USER)")
    vc.add_argument("--dry-run", action="store_true", help="show what the assignment moves; save nothing")
    vc.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    as_json = getattr(args, "json", False)
    try:
        if args.cmd == "load":
            from etl.load import load_files
            who = audit.who_cli(args.who)
            check_writable()   # before the audit trail beside the warehouse is asked: the folder is the cause
            if args.save_mapping:
                trail.recorded("mapping_save", who, args.save_mapping, lambda: _save_mapping(args) or {},
                                   lambda _: {"mapping": str(args.mapping), "file": args.files[0].name})
            result = trail.recorded(
                "load", who, ", ".join(p.name for p in args.files)[:500], lambda: load_files(
                    args.files, args.entity, args.mapping, progress=not as_json, format_name=args.format_name,
                    period=args.period), trail.load_detail)
            _print(result, as_json)
            failed = [f for f in result["files"] if f["status"] == "failed"]
            return 1 if failed else 0
        if args.cmd == "rebuild":
            from etl.load import rebuild
            check_writable()
            result = trail.recorded("rebuild", audit.who_cli(args.who), "warehouse", rebuild,
                                        lambda r: {"outcome": "rebuilt", "files": r["files"]})
            print(f"rebuilt {result['warehouse']} from {result['files']} raw files; all checks passed")
            for line in describe_swept(result["swept"]):
                print(line)
            return 0
        if args.cmd == "status":
            from etl.status import status
            result = status()
            result["audit"] = chain = audit.summary()   # the store beside the warehouse, and its chain
            if as_json:
                print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
            else:
                _print_status(result)
            for line in describe_swept(result["swept"]):  # stdout is the JSON; the removals also as lines
                print(line, file=sys.stderr)
            print(f"audit trail: {chain['store']} ({chain['entries']} entries), chain {chain['chain']}"
                  + (f", {chain['pending']} entries pending" if chain["pending"] else ""), file=sys.stderr)
            return 0
        if args.cmd == "steps":
            from etl.steps import describe
            print(describe())
            return 0
        if args.cmd == "alerts":
            from etl.alerts_cli import run_cli as alerts_cli
            return alerts_cli(args)
        if args.cmd == "vocab":
            from etl.vocab_cli import run_cli
            return run_cli(args)
        if args.cmd == "demo":
            from etl.demo_load import run_demo
            check_writable()
            result = trail.recorded("demo", audit.who_cli(args.who), "demo company",
                                        lambda: run_demo(args.seed, args.deals, args.end, args.replace),
                                        lambda r: {**trail.load_detail(r), "seed": args.seed, "deals": args.deals})
            _print(result, False)
            return 0 if result["ok"] else 1
    except audit.AuditError as err:    # the trail cannot be written: nothing was done
        if as_json:
            print(json.dumps({"ok": False, "error": str(err), "code": "audit_unwritable"}, ensure_ascii=False))
        print(f"error: {err}", file=sys.stderr)
        return 2
    except LoadError as err:
        if as_json:
            print(json.dumps({"ok": False, "error": str(err), "code": err.code, "fields": err.fields},
                             ensure_ascii=False, default=str))
        print(f"error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:   # stdout's reader stopped reading (| head): nothing is wrong, nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as err:  # OSError, DuckDB, or a bug: one line with the logged traceback's reference
        if os.environ.get("PARITY_DEBUG"):
            raise
        msg = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        if not isinstance(err, (OSError, duckdb.Error)):
            msg = f"unexpected {type(err).__name__}: {msg}"
        ref = log_unexpected(err, f"python -m etl {args.cmd}")
        if as_json:
            print(json.dumps({"ok": False, "error": msg, "ref": ref, "log": str(log_path())}, ensure_ascii=False))
        print(f"error: {msg} (nothing was changed; the details are in {log_path()} under ref {ref})",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: the warehouse was left as it was", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
