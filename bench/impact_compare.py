"""bench impact --compare: Parity's estimate_impact beside public synthetic-control packages on the same
simulated panels, per world of analysis/simulate.py (a benchmark, not a test; minutes of CPU).

Per world: N effect panels (lifts 5-25% drawn by the world) and N placebo panels (lift 0), seeds from
--seed on (the statistical tests use other seeds). Printed per world and estimator: coverage of the
planted incremental by the 95% interval, false positives (placebo panels with p < 0.05), median
|error| / effect, median width / effect, share of effects detected at p < 0.05, panels the
estimator refused, and its seconds. The anchors and how they are set up: bench/anchors.py.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
COLUMNS = [("coverage", "coverage", "{:.0%}"), ("false_positive", "false pos", "{:.0%}"),
           ("error", "|err|/eff", "{:.2f}"), ("width", "width/eff", "{:.2f}x"),
           ("detected", "p<0.05", "{:.0%}"), ("failed", "failed", "{:d}"), ("seconds", "seconds", "{:.0f}")]


def _parity(panel, treated, start, end):
    from analysis.impact import estimate_impact
    return estimate_impact(panel, treated, start, end, method="auto")


def _cached(results: dict):
    """An estimator that answers from precomputed results keyed by the flight."""
    def estimator(panel, treated, start, end):
        r = results[(tuple(treated), start, end, round(float(panel["value"].sum()), 2))]
        if r.get("error"):
            raise RuntimeError(r["error"])
        return r
    return estimator


def _scpi(scenario: str, seeds: list, placebo_seeds: list) -> dict:
    from analysis.simulate import evaluate, simulate_flight
    from bench.anchors import scpi_batch

    flights = [simulate_flight(s, scenario=scenario) for s in seeds]
    flights += [simulate_flight(s, lift=0.0, scenario=scenario) for s in placebo_seeds]
    out, seconds = scpi_batch(flights)
    results = {(tuple(f["treated"]), f["start"], f["end"], round(float(f["panel"]["value"].sum()), 2)): r
               for f, r in zip(flights, out, strict=True)}
    return {**evaluate(_cached(results), scenario, seeds, placebo_seeds), "seconds": seconds}


def run(args) -> int:
    # BLAS threads fighting over two shared cores made each small solve 25x slower: one thread each
    if any(os.environ.get(v) != "1" for v in THREAD_VARS):
        env = {**os.environ, **dict.fromkeys(THREAD_VARS, "1")}
        return subprocess.run([sys.executable, "-m", "bench", *sys.argv[1:]], env=env, check=False).returncode
    from analysis.simulate import SCENARIOS, evaluate
    from bench.anchors import pysyncon_estimate, scpi_ready

    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()] if args.scenarios else list(SCENARIOS)
    if unknown := [s for s in scenarios if s not in SCENARIOS]:
        print(f"unknown scenario {', '.join(unknown)}: one of {', '.join(SCENARIOS)}")
        return 2
    anchors = [a.strip() for a in args.anchors.split(",") if a.strip()]
    estimators = {"parity": lambda sc, s, p: evaluate(_parity, sc, s, p)}
    if "pysyncon" in anchors:
        estimators["pysyncon"] = lambda sc, s, p: evaluate(pysyncon_estimate, sc, s, p)
    if "scpi" in anchors:
        if reason := scpi_ready():
            print(reason)
        else:
            estimators["scpi"] = _scpi
    n = args.panels
    seeds, placebo_seeds = list(range(args.seed, args.seed + n)), list(range(args.seed + n, args.seed + 2 * n))
    t0, report = time.perf_counter(), []
    if not args.json:
        print(f"{n} effect + {n} placebo panels per world, seeds {args.seed}..{args.seed + 2 * n - 1}")
        print(f"{'world':<9} {'estimator':<9} " + " ".join(f"{h:>9}" for _, h, _ in COLUMNS))
    for scenario in scenarios:
        for name, fn in estimators.items():
            r = {k: v for k, v in fn(scenario, seeds, placebo_seeds).items() if k != "rows"}
            report.append({"estimator": name, **r})
            if not args.json:
                print(f"{scenario:<9} {name:<9} " + " ".join(f"{fmt.format(r[k]):>9}" for k, _, fmt in COLUMNS),
                      flush=True)
    if args.json:
        print(json.dumps(report))
    else:
        print(f"total {time.perf_counter() - t0:.0f} s. scpi: 'p<0.05' and false pos = its interval excludes 0")
    return 0
