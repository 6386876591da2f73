"""python -m bench {etl} [options]: runs one benchmark and prints its report."""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench")
    sub = p.add_subparsers(dest="name", required=True)
    e = sub.add_parser("etl", help="load a 1M-row deals CSV vs DuckDB's bare read_csv")
    e.add_argument("--rows", type=int, default=1_000_000)
    e.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    e.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if args.name == "etl":
        from bench.etl import run
        return run(args.rows, args.repeat, args.json)
    return 2


if __name__ == "__main__":
    sys.exit(main())
