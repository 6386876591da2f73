"""`python -m etl vocab`: the unrecognised values largest first, or one assignment previewed and saved."""
from __future__ import annotations

import json

import pandas as pd

from etl import vocab
from etl.errors import LoadError


def _num(x, decimals: int = 0) -> str:
    return "-" if x is None or pd.isna(x) else f"{float(x):,.{decimals}f}".replace(",", " ")


def _list(dimension: str | None, as_json: bool) -> int:
    frame = vocab.unrecognised(dimension=dimension)
    if as_json:
        print(frame.to_json(orient="records", force_ascii=False, indent=2))
        return 0
    if frame.empty:
        print("every value has a rule: nothing unrecognised" + (f" in {dimension}" if dimension else ""))
        return 0
    print(f"{'dimension':<12} {'source':<10} {'field':<11} {'value':<32} {'rows':>8} {'deals':>7} "
          f"{'won revenue':>15} {'share':>7}")
    for r in frame.itertuples():
        print(f"{r.dimension:<12} {r.source:<10} {r.field:<11} {str(r.raw_value)[:32]:<32} {_num(r.rows):>8} "
              f"{_num(r.deals):>7} {_num(r.won_revenue, 2):>15} {_num(100 * r.share, 1) + '%':>7}")
    return 0


def _print_preview(p: dict, base: str) -> None:
    a = p["assignment"]
    kind = "pattern" if a["is_pattern"] else "value"
    print(f"{a['dimension']}: {a['field']} {kind} {a['value']!r} -> {a['target']}; "
          f"writes data/{p['file']}: {p['line']}")
    rows = p["rows"]
    if "value" in rows.columns:
        print(f"  {'':<24} {'leads':>14} {'deals':>14} {'won deals':>14} {'won revenue, ' + base:>30}")
        for r in rows.itertuples():
            print(f"  {str(r.value)[:24]:<24} {_num(r.leads_before) + ' -> ' + _num(r.leads_after):>14} "
                  f"{_num(r.deals_before) + ' -> ' + _num(r.deals_after):>14} "
                  f"{_num(r.won_deals_before) + ' -> ' + _num(r.won_deals_after):>14} "
                  f"{_num(r.won_revenue_before, 2) + ' -> ' + _num(r.won_revenue_after, 2):>30}")
    else:  # rows the warehouse holds only as rejects: the listed counts
        for r in rows.itertuples():
            print(f"  {r.source}: {_num(r.rows)} rows with {r.raw_value!r}")


def moved_line(p: dict, base: str) -> str:
    m = p["moved"]
    return (f"{_num(m['leads'])} leads and {_num(m['deals'])} deals ({_num(m['won_deals'])} won, "
            f"{_num(m['won_revenue'], 2)} {base}) move from {', '.join(map(str, m['before']))} "
            f"to {p['assignment']['target']}")


def run_cli(args) -> int:
    if not args.assign:
        if args.to:
            raise LoadError("--to needs --assign FIELD=VALUE: the value to assign", "to_without_assign")
        return _list(args.dimension, args.json)
    if not args.to:
        raise LoadError(f"--assign {args.assign!r} needs --to: the channel, region or status to assign it to",
                        "assign_without_to", text=args.assign)
    a = vocab.Assignment.parse(args.assign, args.to, args.dimension, args.pattern)
    base = vocab.base_currency()
    if args.dry_run:
        p = vocab.preview(a)
    else:
        from model import audit, trail
        who = audit.who_cli(args.who)
        p = trail.recorded("vocab_edit", who, trail.vocab_target(a), lambda: vocab.apply(a, who), trail.vocab_detail)
    if args.json:
        print(json.dumps({**p, "rows": p["rows"].to_dict(orient="records")}, ensure_ascii=False, indent=2,
                         default=str))
        return 0
    _print_preview(p, base)
    if args.dry_run:
        print(f"dry run: {moved_line(p, base)}; nothing was saved")
    else:
        print(f"saved {p['saved']} (logged in {p['log']}), rebuilt from {p['rebuilt']['files']} raw files: "
              f"{moved_line(p, base)}")
    return 0
