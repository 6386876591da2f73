"""python -m bench {etl,impact,pages} [options]: runs one benchmark and prints its report.

Each benchmark is a module in this package with `add_arguments(parser)` and `main(args) -> int`;
adding one means adding its name to BENCHES.
"""
from __future__ import annotations

import argparse
import importlib
import sys

BENCHES = {
    "etl": "load a 1M-row deals CSV vs DuckDB's bare read_csv",
    "impact": "one incrementality estimate with placebo inference, 20 regions x 730 days",
    "pages": "every page's queries at N deals vs a bare scan of deals",
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench")
    sub = p.add_subparsers(dest="name", required=True)
    modules = {}
    for name, help_text in BENCHES.items():
        try:
            modules[name] = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"bench.{name}":
                raise
            continue
        modules[name].add_arguments(sub.add_parser(name, help=help_text))
    args = p.parse_args(argv)
    return modules[args.name].main(args)


if __name__ == "__main__":
    sys.exit(main())
