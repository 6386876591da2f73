"""Public synthetic-control packages as anchors for `bench impact --compare`, on the same panels as Parity.

Both anchors see what Parity sees (panel, treated regions, flight window) and are set up the way an
analyst would use them on regional revenue, as in issue 16's table:
- the treated regions summed into one unit (both packages' synthetic control takes one);
- daily panels summed into 7-day blocks aligned on the flight's first day (weekly panels as they
  are), gaps filled by linear interpolation in time;
- every unit divided by its own pre-flight mean (the capital is several times any control, so raw
  levels lie outside the donors' hull), the effect scaled back by the treated unit's mean;
- only pre-flight blocks are fitted.
pysyncon: Abadie's synthetic control (`Synth`, weights on the simplex) with every pre-flight block as
a predictor and V equal (with the outcome path as predictors V matters little, and its outer search
would make hundreds of fits too slow for a benchmark); inference by in-space placebos: each control
in turn treated, fitted from the other controls; the statistic is the flight's summed gap over the
pre-flight RMSPE, p = (1 + #placebos at least as extreme) / (1 + placebos), and the interval is the
estimate minus the placebos' 2.5% and 97.5% quantiles of that statistic times the treated unit's
pre-flight RMSPE.
scpi-pkg (Cattaneo, Feng, Palomba & Titiunik) needs pandas < 3, so it runs in its own virtual
environment (SCPI_VENV, made on first use) in a subprocess on panels written to files: simplex
weights on the normalised series, its prediction interval for the flight's average effect
(scdataMulti effect="unit", e_method gaussian: in- and out-of-sample uncertainty), "significant"
when that interval excludes zero (scpi has no p-value of its own).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

SCPI_VENV = Path(os.environ.get("PARITY_SCPI_VENV", "/work/.venvs/scpi"))


def blocks(panel: pd.DataFrame, treated, start, end) -> tuple[pd.DataFrame, np.ndarray, float]:
    """Normalised 7-day (or weekly) blocks x units ('treated' first), the flight's block mask, and the
    treated unit's pre-flight mean per block (the scale back to money)."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    wide = panel.assign(date=pd.to_datetime(panel["date"])).pivot_table(
        index="date", columns="region", values="value", aggfunc="sum")
    steps = np.diff(wide.index.values).astype("timedelta64[D]").astype(int)
    weekly = len(steps) > 0 and np.median(steps) >= 7
    grid = pd.date_range(wide.index.min(), wide.index.max(), freq="7D" if weekly else "D")
    wide = wide.reindex(grid).interpolate(limit_direction="both").fillna(0.0)
    if not weekly:
        block = np.asarray((wide.index - start).days // 7)
        full = pd.Series(block).value_counts()
        wide = wide.groupby(block).sum()
        wide = wide[full.reindex(wide.index).to_numpy() == 7]          # whole 7-day blocks only
        flight = (wide.index >= 0) & (wide.index <= (end - start).days // 7)
    else:
        flight = (wide.index >= start - pd.Timedelta(days=6)) & (wide.index <= end)
    treated = [treated] if isinstance(treated, str) else list(treated)
    units = pd.concat([wide[treated].sum(axis=1).rename("treated"), wide.drop(columns=treated)], axis=1)
    pre = np.cumsum(flight) == 0
    mean = units[pre].mean()
    units = units.loc[:, mean > 0]
    return units / mean[mean > 0], np.asarray(flight), float(mean["treated"])


def _synth_gap(units: pd.DataFrame, target: str, donors: list, pre: np.ndarray, flight: np.ndarray):
    from pysyncon import Synth

    z0, z1 = units.loc[pre, donors], units.loc[pre, target]
    s = Synth()
    s.fit(X0=z0, X1=z1, Z0=z0, Z1=z1, custom_V=np.ones(int(pre.sum())))
    gap = units[target].to_numpy() - units[donors].to_numpy() @ s.W
    return gap[flight].sum(), float(np.sqrt(np.mean(gap[pre] ** 2)))


def pysyncon_estimate(panel: pd.DataFrame, treated, start, end, alpha: float = 0.05) -> dict:
    """Abadie synthetic control with in-space placebo inference (module docstring)."""
    units, flight, scale = blocks(panel, treated, start, end)
    pre = np.cumsum(flight) == 0
    controls = [c for c in units.columns if c != "treated"]
    g0, r0 = _synth_gap(units, "treated", controls, pre, flight)
    stats = []
    for c in controls:
        g, r = _synth_gap(units, c, [d for d in controls if d != c], pre, flight)
        stats.append(g / max(r, 1e-12))
    stats = np.array(stats)
    t0 = g0 / max(r0, 1e-12)
    p = (1 + np.sum(np.abs(stats) >= abs(t0))) / (1 + len(stats))
    lo_q, hi_q = np.quantile(stats, [alpha / 2, 1 - alpha / 2])
    return {"incremental": g0 * scale, "incremental_low": (g0 - hi_q * r0) * scale,
            "incremental_high": (g0 - lo_q * r0) * scale, "p_value": float(p)}


# --- scpi-pkg, in its own environment ------------------------------------------------------------

SCPI_SCRIPT = r"""
import json, sys, time, warnings
import numpy as np, pandas as pd
warnings.filterwarnings("ignore")
from scpi_pkg.scdataMulti import scdataMulti
from scpi_pkg.scpi import scpi

out = []
for path in sys.argv[1:]:
    job = json.load(open(path))
    units, flight = pd.DataFrame(job["units"]), np.array(job["flight"], bool)
    first, last = int(np.flatnonzero(flight)[0]), int(np.flatnonzero(flight)[-1])
    units = units.iloc[: last + 1]                  # the flight's end is the data's end: no post period
    long = units.reset_index(names="t").melt(id_vars="t", var_name="unit", value_name="y")
    long["d"] = ((long["unit"] == "treated") & (long["t"] >= first)).astype(int)
    t0 = time.perf_counter()
    try:
        prep = scdataMulti(long, id_var="unit", time_var="t", outcome_var="y", treatment_var="d",
                           effect="unit", constant=False, cointegrated_data=True, verbose=False)
        res = scpi(prep, w_constr={"name": "simplex"}, sims=200, u_order=0, u_lags=0, e_order=0, e_lags=0,
                   u_missp=True, e_method="gaussian", cores=1, verbose=False)
        actual = float(units["treated"].iloc[first:].mean())
        fit = float(np.asarray(res.Y_post_fit).ravel()[0])
        low, high = (float(v) for v in np.asarray(res.CI_all_gaussian)[0, :2])
        n = last + 1 - first
        out.append({"gap": (actual - fit) * n, "low": (actual - high) * n, "high": (actual - low) * n,
                    "error": "", "seconds": time.perf_counter() - t0})
    except Exception as e:
        out.append({"error": f"{type(e).__name__}: {e}"[:200], "seconds": time.perf_counter() - t0})
print(json.dumps(out))
"""


def scpi_ready() -> str:
    """'' when the scpi venv works (made on first use: python -m venv, pip install scpi-pkg with
    pandas < 3), else a one-line reason it is skipped."""
    py = SCPI_VENV / "bin" / "python"
    probe = [str(py), "-c", "import pandas, scpi_pkg; assert int(pandas.__version__.split('.')[0]) < 3"]
    try:
        if not py.exists():
            print(f"scpi-pkg: making its venv at {SCPI_VENV} (once; a few minutes)", flush=True)
            subprocess.run([sys.executable, "-m", "venv", str(SCPI_VENV)], check=True, capture_output=True)
        if subprocess.run(probe, check=False, capture_output=True).returncode:
            subprocess.run([str(py), "-m", "pip", "install", "-q", "scpi-pkg", "pandas<3"], check=True,
                           capture_output=True, timeout=1800)
            subprocess.run(probe, check=True, capture_output=True)
        return ""
    except (OSError, subprocess.SubprocessError) as e:
        return (f"scpi-pkg skipped: no working venv at {SCPI_VENV} ({type(e).__name__}); "
                f"run {sys.executable} -m venv there and pip install scpi-pkg 'pandas<3'")


def scpi_batch(flights: list[dict]) -> tuple[list[dict], float]:
    """scpi-pkg's simplex synthetic control with its prediction interval for the flight's average effect,
    on each flight (simulate_flight dicts), in one subprocess of the scpi venv; and its seconds."""
    scales, env = [], {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, f in enumerate(flights):
            units, flight, scale = blocks(f["panel"], f["treated"], f["start"], f["end"])
            scales.append(scale)
            paths.append(str(Path(tmp) / f"job{i}.json"))
            Path(paths[-1]).write_text(json.dumps({"units": units.reset_index(drop=True).to_dict(orient="list"),
                                                   "flight": flight.tolist()}))
        run = subprocess.run([str(SCPI_VENV / "bin" / "python"), "-c", SCPI_SCRIPT, *paths],
                             check=False, capture_output=True, text=True, timeout=7200, env=env)
    if run.returncode:
        raise RuntimeError(f"scpi failed: {run.stderr.strip().splitlines()[-1:]}")
    out, results = [], json.loads(run.stdout.strip().splitlines()[-1])
    for r, scale in zip(results, scales, strict=True):
        if r["error"]:
            out.append({"error": r["error"]})
            continue
        low, high = r["low"] * scale, r["high"] * scale
        # scpi gives no p-value: "significant" is an interval that excludes zero
        out.append({"incremental": r["gap"] * scale, "incremental_low": low, "incremental_high": high,
                    "p_value": 0.0 if low > 0 or high < 0 else 1.0, "error": ""})
    return out, sum(r["seconds"] for r in results)
