"""`python -m etl alerts`: the alerts the last build found (the warehouse's `alerts`), as lines or JSON."""
from __future__ import annotations

import datetime as dt
import sys

import pandas as pd

from etl.paths import db_path
from model import alerts_clock, runner
from model.access import OPERATOR


def _num(x, unit: str) -> str:
    if x is None or pd.isna(x):
        return "-"
    if unit == "share":
        return f"{x:.0%}"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}".rstrip("0").rstrip(".")


def unit_words(unit: str, base: str) -> str:
    """What a number of `unit` is, in words (a share is written as a percent already): «RUB», «RUB per lead»."""
    return {"money": base, "cost_per_lead": f"{base} per lead", "share": "", "leads": "leads",
            "days": "days"}.get(unit, unit)


def describe(r: pd.Series, base: str = "RUB") -> str:
    """One alert as one line: state, rule, where, since, the number beside its usual range, the owner."""
    where = " / ".join(str(v) for v in (r.campaign, r.region, r.subject, r.platform) if v is not None and pd.notna(v))
    usual = _num(r.usual, r.unit)
    if pd.notna(r.usual_low) and pd.notna(r.usual_high):
        usual += f" ({_num(r.usual_low, r.unit)}..{_num(r.usual_high, r.unit)})"
    window = f" over {int(r.window_days)} days" if pd.notna(r.window_days) else ""
    owner = r.owner + (f", {r.responsible}" if r.responsible is not None and pd.notna(r.responsible) else "")
    state = "open" if r.is_open else f"ended {r.last_seen:%Y-%m-%d}"
    unit = unit_words(r.unit, base)
    return (f"{state}: {r.rule} {where} since {r.since:%Y-%m-%d}: {_num(r.value, r.unit)}{' ' + unit if unit else ''}"
            f"{window}, usual {usual}, threshold {_num(r.threshold, r.unit)}; owner {owner}")


def run_cli(args) -> int:
    path = db_path()
    if not path.exists():
        print(f"error: no warehouse at {path}; load files first (python -m etl load FILE... or etl demo)",
              file=sys.stderr)
        return 2
    con = runner.connect(path)
    try:
        known = runner.run_on(con, "filter_options", {}, OPERATOR)
        unknown = [r for r in args.region or [] if r not in set(known[known.kind == "region"].value)]
        if unknown:     # a typo would list only the company-wide alerts, as if the region had none
            print(f"error: --region {', '.join(unknown)}: no such region in the warehouse; one of: "
                  f"{', '.join(known[known.kind == 'region'].value)}", file=sys.stderr)
            return 2
        rows = runner.run_on(con, "alerts_list", {"regions": args.region or [], "open_only": not args.all},
                             OPERATOR)
        rows = alerts_clock.with_clock(rows, runner.runner(con, OPERATOR), dt.date.today(), True)
        base = runner.run_on(con, "agreement", {}, OPERATOR).base_currency.iloc[0]
    finally:
        con.close()
    if args.json:
        print(rows.to_json(orient="records", date_format="iso", force_ascii=False, indent=2))
        return 0
    for _, r in rows.iterrows():
        print(describe(r, base))
    if rows.empty:
        print("no open alerts" if not args.all else "no alerts")
    return 0
