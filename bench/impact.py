"""Impact benchmark: one estimate with its placebo inference on 20 regions x 730 days, median of 5;
with --compare, Parity beside public packages across the simulated worlds (bench/impact_compare.py)."""
from __future__ import annotations

import json
import statistics
import time

TARGET_SECONDS = 2.0


def add_arguments(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--compare", action="store_true",
                        help="Parity and public packages (pysyncon, scpi-pkg) on the same panels of every world")
    parser.add_argument("--panels", type=int, default=20, help="--compare: effect and as many placebo panels per world")
    parser.add_argument("--scenarios", default="", help="--compare: worlds, comma-separated (default: all)")
    parser.add_argument("--anchors", default="pysyncon,scpi", help="--compare: packages, comma-separated")
    parser.add_argument("--seed", type=int, default=90_000, help="--compare: first seed (tests use others)")


def main(args) -> int:
    if args.compare:
        from bench.impact_compare import run
        return run(args)
    from analysis.impact import estimate_impact
    from analysis.simulate import simulate_flight

    f = simulate_flight(11, lift=0.1, n_regions=20, days=730)
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        r = estimate_impact(f["panel"], f["treated"], f["start"], f["end"])
        times.append(time.perf_counter() - t)
    med = statistics.median(times)
    report = {"seconds": round(med, 3), "target_seconds": TARGET_SECONDS,
              "ratio_to_target": round(med / TARGET_SECONDS, 3),
              "regions": 20, "days": 730, "placebos": r.n_placebos, "method": r.method}
    if args.json:
        print(json.dumps(report))
    else:
        print(f"impact: {med:.3f} s median of {args.repeat} ({r.n_placebos} placebo windows, {r.method}); "
              f"target {TARGET_SECONDS:.1f} s, ratio {med / TARGET_SECONDS:.2f}")
    return 0 if med <= TARGET_SECONDS else 1
