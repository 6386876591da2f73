"""Incremental effect of a regional flight: synthetic control or DiD with placebo inference in time and space.

The estimator works on one treated series (the sum of the treated regions) and the control regions,
each scaled by its own mean over the reference period, so a region of 30% and one of 2% of the
business are compared as shapes, not sizes. It fits on 7-day means (weekday shapes and much of the
daily noise drop out) and, when every 7-day total is positive, on the log scale, where a common
multiplicative shock (holiday, macro swing) cancels because the weights sum to one and a region's
own growth rate is a straight line. The model: log m(treated) = sum_j w_j log m(control_j) + level
[+ slope * time] [+ depth * season], w non-negative summing to one (synthetic control, Ferman &
Pinto's demeaned variant plus an optional region-specific trend) or fixed (DiD: each control in
proportion to its precision, so a small noisy region counts less); level, slope and depth are free.
`season` is the controls' common annual shape (panels of a year or more): regions share when the
seasons come but not how deep they are. "auto" tries sc and did, each with and without the trend
and the seasonal depth, and keeps the candidate whose expected error in the flight window,
estimated from half of the placebo windows, is smallest; the other half calibrates its interval
(cross-fitting, so the choice does not flatter the interval). Without positive 7-day totals (days
of zero revenue) the same model runs on the scaled series themselves (additive mean gap).

Inference follows Chernozhukov, Wuethrich & Zhu (2021) in spirit: the statistic is the log ratio
actual / counterfactual over the flight (or the mean gap) and its null scale comes from the same
statistic over reference windows of the flight's length, each predicted by a model refitted -
weights, level, slope, depth - without it (when the flight ends the data: from the days before it
only, as the flight is). A window with little history before it errs more than the flight, fitted on
all of it: the squared placebo errors are regressed on each window's leverage and the flight's
expected error read off at its own leverage (see _flight_scale); that picks the model, and the scale
goes half-way (in squares) from the placebos' plain mean square to it. Control regions, each
predicted from the others, then say whether the flight's own time is harder than the placebo windows;
if so the scale grows by that factor. The interval is the statistic -/+ a Student t quantile (dof from
overlapping batch means) times that scale. The flight is outside every fit, so an added effect shifts
the statistic by exactly its size.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from scipy.optimize import nnls
from scipy.stats import t as student_t

from analysis.simplex import simplex_qp

METHODS = ("sc", "did")
MIN_CONTROLS, POOR_FIT_MAPE, MIN_PLACEBOS = 5, 0.15, 20
MIN_LEVERAGE_FIT = 6    # placebo windows needed to fit the error's leverage term
TRENDS = (False, True)  # candidate models: a level only, or a level and a slope (region-specific growth)
DOF_FACTOR = 1.5        # overlapping batch means: dof per disjoint window covered
QP_ITERS = 400         # accelerated projected-gradient steps per batch of weight fits
SPACE_WINDOWS = 31      # the flight and 30 placebo windows for the control-region placebos
TEXT = {
    "few_controls": "Only {n} control regions: the synthetic control has little to choose from.",
    "exposed_control": "Dropped control regions exposed to another flight in the window: {regions}.",
    "poor_pre_fit": "The counterfactual fits the reference period poorly (weekly MAPE {mape:.0%}).",
    "short_pre_period": "The pre-period is short, so days after the flight (from {since}) are used too.",
    "few_placebos": "Only {n} placebo windows: the interval and p-value are coarse.",
    "missing_treated": "{share:.0%} of the treated region-days in the flight are missing and were imputed.",
}


@dataclass
class ImpactResult:
    lift: float
    lift_low: float
    lift_high: float
    incremental: float
    incremental_low: float
    incremental_high: float
    p_value: float
    method: str
    reason: str
    pre_fit: float                 # MAPE of the weekly totals of the fit over the reference period
    pre_r2: float
    weights: pd.Series
    series: pd.DataFrame           # date, actual, counterfactual, low, high
    warnings: list = field(default_factory=list)   # [{"code": ..., "text": ...}]
    actual: float = 0.0
    counterfactual: float = 0.0
    n_placebos: int = 0
    placebo_rmse: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["weights"] = self.weights.to_dict()
        out["series"] = self.series.to_dict("list")
        return out


def _warn(code: str, **kw) -> dict:
    return {"code": code, "text": TEXT[code].format(**kw), **kw}


# ------------------------------------------------------------------------------ panel
def to_wide(panel: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Dates x regions on a regular daily or weekly grid (missing cells NaN) and the step in days."""
    df = panel.assign(date=pd.to_datetime(panel["date"]))
    wide = df.pivot_table(index="date", columns="region", values="value", aggfunc="sum")
    steps = np.diff(wide.index.values).astype("timedelta64[D]").astype(int)
    step = 7 if len(steps) and np.median(steps) >= 7 else 1
    grid = pd.date_range(wide.index.min(), wide.index.max(), freq=f"{step}D")
    return wide.reindex(grid).astype(float), step


def fill_gaps(wide: pd.DataFrame) -> pd.DataFrame:
    """Impute missing cells as the common index that day times the region's local ratio to it."""
    if not wide.isna().values.any():
        return wide
    x = wide / wide.mean()
    common = x.median(axis=1).interpolate(limit_direction="both")
    ratio = (x.div(common, axis=0)).rolling(9, center=True, min_periods=1).median()
    ratio = ratio.interpolate(limit_direction="both").fillna(1.0)
    return wide.fillna(ratio.mul(common, axis=0) * wide.mean())


def _exposed_regions(exposed, start, end) -> set:
    """Regions whose other flights overlap [start, end]; `exposed` is a mapping or a DataFrame."""
    if exposed is None:
        return set()
    if isinstance(exposed, pd.DataFrame):
        items = exposed[["region", "start", "end"]].itertuples(index=False)
    else:
        items = ((r, s, e) for r, spans in exposed.items() for s, e in spans)
    return {r for r, s, e in items if pd.Timestamp(s) <= end and pd.Timestamp(e) >= start}


# ------------------------------------------------------------------------------ core
def placebo_windows(ref: np.ndarray, length: int, limit: int, min_before: int = 0) -> np.ndarray:
    """Starts of the windows of `length` lying wholly in the reference period with at least
    `min_before` reference days before them, at most `limit`, evenly spread."""
    inside = np.concatenate([[0], np.cumsum(ref)])
    starts = np.flatnonzero((inside[length:] - inside[:-length] == length) & (inside[:-length] >= min_before))
    if len(starts) > limit:
        starts = starts[np.unique(np.linspace(0, len(starts) - 1, limit).round().astype(int))]
    return starts


def fit_windows(y: np.ndarray, x: np.ndarray, ref: np.ndarray, starts: np.ndarray, length: int,
                method: str, *, smooth: int = 1, past: bool = False, space: bool = False,
                trend: bool = False, log: bool = False, season: np.ndarray | None = None,
                precision: np.ndarray | None = None) -> dict:
    """For each window [s, s + length): fit on reference days outside it (before it when `past`), predict it.

    y (T,), x (T, J) are scaled series (positive when `log`). The model, fitted on `smooth`-day
    trailing means m(.) (the window total matters, not the weekday shape), is
        f(m(y)) = sum_j w_j f(m(x_j)) + level [+ slope * time] [+ depth * season],
    f = log if `log` else identity, with w on the simplex (sc) or proportional to `precision` (did,
    equal when None); level, slope and depth are free (partialled out before the weights are fitted,
    Frisch-Waugh). The statistic per window is f(mean of y over the window) minus
    its prediction: the mean gap in scaled units, or the log ratio actual / counterfactual.
    A common multiplicative factor cancels on the log scale (the weights sum to one) and a
    region-specific growth rate is a slope there. Returns weights (K, J), coef (K, free terms), stat (K,)
    and lev (K,), each window's leverage rwin' (R'R)^-1 rwin;
    with `space`, also the same statistic (K, J) for each control predicted from the other controls.
    The fits share one running sum of outer products: each Gram matrix is a difference of its rows.
    """
    t, j = x.shape
    f = np.log if log else (lambda v: v)
    regs = _regressors(t, trend, season)
    nr = regs.shape[1]
    raw = np.column_stack([x, y])
    run = np.concatenate([np.zeros((1, j + 1)), np.cumsum(raw, 0)])
    rows, ok = _rolling_fit_rows(raw, ref, smooth)
    reg_rows, _ = _rolling_fit_rows(regs, ref, smooth)     # each regressor's mean over the same days
    reg_run = np.concatenate([np.zeros((1, nr)), np.cumsum(regs, 0)])
    with np.errstate(divide="ignore", invalid="ignore"):
        zf = np.where(ok[:, None], f(np.where(ok[:, None], rows, 1.0)), 0.0)
    z = np.column_stack([zf, ok[:, None] * reg_rows])
    outer = np.concatenate([np.zeros((1, j + 1 + nr, j + 1 + nr)), np.cumsum(z[:, :, None] * z[:, None, :], 0)])
    ends = starts + length
    if past:
        gram = outer[starts]
    else:
        gram = outer[-1] - (outer[np.minimum(ends + smooth - 1, t)] - outer[starts])
    with np.errstate(divide="ignore", invalid="ignore"):
        win = f((run[ends] - run[starts]) / length)                                # (K, J + 1)
    rwin = (reg_run[ends] - reg_run[starts]) / length                              # (K, nr)
    rr = np.linalg.pinv(gram[:, j + 1:, j + 1:])                                     # (K, nr, nr)
    cross = gram[:, j + 1:, :j + 1]                                                  # (K, nr, J + 1)
    resid = gram[:, :j + 1, :j + 1] - np.einsum("kri,krs,ksj->kij", cross, rr, cross)
    resid /= np.maximum(gram[:, j + 1, j + 1], 1.0)[:, None, None]
    prec = np.ones(j) if precision is None else np.asarray(precision, float)
    out = _predict(resid, rr, cross, win, rwin, list(range(j)), j, method, prec)
    out["lev"] = np.einsum("kr,krs,ks->k", rwin, rr, rwin)
    if space and j > 1:     # every control as the treated one, all K x J fits in one batch
        others = np.array([[c for c in range(j) if c != k] for k in range(j)])
        k_idx = np.arange(len(starts))[:, None]
        h = resid[k_idx[:, :, None, None], others[None, :, :, None], others[None, :, None, :]]
        g = resid[k_idx[:, :, None], others[None], np.arange(j)[None, :, None]]
        kk, jj = h.shape[:2]
        w = (simplex_qp(h.reshape(kk * jj, j - 1, j - 1), g.reshape(kk * jj, j - 1), iters=QP_ITERS).reshape(kk, jj, j - 1)
             if method == "sc" else _did_weights(prec, others, kk))
        cw = cross[:, :, :j]                                                         # (K, nr, J)
        gap_cross = cw - np.einsum("krjo,kjo->krj", cw[:, :, others], w)            # (K, nr, J)
        coef = np.einsum("krs,ksj->kjr", rr, gap_cross)                             # (K, J, nr)
        xw = win[:, :j]
        out["space"] = xw - (xw[:, others] * w).sum(2) - np.einsum("kjr,kr->kj", coef, rwin)
    else:
        out["space"] = np.zeros((len(starts), 0))
    return out


def _did_weights(prec: np.ndarray, others: np.ndarray, k: int) -> np.ndarray:
    """DiD weights of each control predicted from the others, (K, J, J - 1): proportional to precision."""
    w = prec[others] / prec[others].sum(1, keepdims=True)
    return np.broadcast_to(w, (k, *w.shape))


def _predict(resid, rr, cross, win, rwin, cols: list, target: int, method: str, prec: np.ndarray) -> dict:
    h, g = resid[:, cols][:, :, cols], resid[:, cols, target]
    w = simplex_qp(h, g, iters=QP_ITERS) if method == "sc" else np.broadcast_to(prec[cols] / prec[cols].sum(), g.shape)
    coef = np.einsum("krs,ks->kr", rr, cross[:, :, target] - np.einsum("krj,kj->kr", cross[:, :, cols], w))
    stat = win[:, target] - (win[:, cols] * w).sum(1) - (rwin * coef).sum(1)
    return {"weights": w, "coef": coef, "level": coef[:, 0], "stat": stat}


def _regressors(t: int, trend: bool, season: np.ndarray | None) -> np.ndarray:
    """The free terms of the model, daily: a level, a slope per year, the common seasonal shape."""
    tau = (np.arange(t) - t / 2) / 365.25
    return np.column_stack([np.ones(t)] + ([tau] if trend else []) + ([season] if season is not None else []))


def _rolling_fit_rows(z: np.ndarray, ref: np.ndarray, smooth: int) -> tuple[np.ndarray, np.ndarray]:
    """`smooth`-day trailing means of z and whether each lies wholly in the reference period."""
    t = len(z)
    zs, ok = np.cumsum(z, 0), np.cumsum(ref)
    zs[smooth:] -= zs[:-smooth].copy()
    ok[smooth:] -= ok[:-smooth].copy()
    good = ok == smooth
    good[:smooth - 1] = False
    return zs / smooth, good


# ------------------------------------------------------------------------------ estimate
def estimate_impact(panel: pd.DataFrame, treated, start, end, *, method: str = "auto", seed: int = 0,
                    exposed=None, use_post: bool | None = None, washout_days: int = 14, alpha: float = 0.05,
                    max_placebos: int = 120, trend: bool | None = None) -> ImpactResult:
    """Effect of a flight on `treated` regions over [start, end] (inclusive) from a region x date panel.

    panel: columns region, date, value; daily or weekly, gaps allowed (imputed, see fill_gaps).
    The reference period is the pre-period; when it holds fewer than four flight lengths (use_post
    None) or use_post is True, the days after the flight plus `washout_days` join it. `exposed` maps a
    region to (start, end) spans of other flights (or is a DataFrame region, start, end): controls
    exposed during the window are dropped. method: "sc", "did" or "auto" (the one whose placebo
    windows show the smaller error). Deterministic: `seed` is kept for API stability and unused.
    """
    if method not in ("auto", *METHODS):
        raise ValueError(f"method must be auto, sc or did, not {method!r}")
    treated = [treated] if isinstance(treated, str) else sorted(treated)
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    wide, step = to_wide(panel)
    if missing := [r for r in treated if r not in wide.columns]:
        raise ValueError(f"treated regions not in the panel: {missing}")
    warnings = []
    flight = np.asarray((wide.index >= start) & (wide.index <= end))
    if not flight.any():
        raise ValueError("the flight window holds no dates of the panel")
    gap = float(wide.loc[flight, treated].isna().values.mean())
    if gap > 0.1:
        warnings.append(_warn("missing_treated", share=gap))
    filled = fill_gaps(wide)
    dropped = sorted(_exposed_regions(exposed, start, end) - set(treated))
    if dropped:
        warnings.append(_warn("exposed_control", regions=", ".join(map(str, dropped))))
    controls = [c for c in filled.columns if c not in treated and c not in dropped]
    ref = _reference(filled.index, flight, use_post, washout_days, warnings)
    controls = [c for c in controls if filled.loc[ref, c].mean() > 0]
    if not controls:
        raise ValueError("no control regions left")
    if len(controls) < MIN_CONTROLS:
        warnings.append(_warn("few_controls", n=len(controls)))
    y_raw = filled[treated].sum(axis=1).to_numpy()
    x_raw = filled[controls].to_numpy()
    scale = y_raw[ref].mean()
    y, x = y_raw / scale, x_raw / x_raw[ref].mean(0)
    a, length = int(np.flatnonzero(flight)[0]), int(flight.sum())
    past = not ref[a:].any()        # a flight at the end of the data: every placebo forecasts forward too
    starts = placebo_windows(ref, length, max_placebos, min_before=max(3 * length, 91 // step) if past else 0)
    if past and len(starts) < MIN_PLACEBOS:      # a short pre-period: fit placebos on less history
        starts = placebo_windows(ref, length, max_placebos, min_before=max(length, 28 // step))
    starts = np.concatenate([[a], starts])
    smooth = 7 // step or 1
    log = _log_ok(np.column_stack([x, y]), smooth)
    opts = {"smooth": smooth, "past": past, "log": log, "precision": _precision(x, ref, log, step)}
    trends = TRENDS if trend is None else (bool(trend),)
    shape = _season_shape(filled.index, x, smooth, log)
    seasons = (False, True) if shape is not None else (False,)
    fits = {(m, tr, se): fit_windows(y, x, ref, starts, length, m, trend=tr, season=shape if se else None, **opts)
            for m in (METHODS if method == "auto" else [method]) for tr in trends for se in seasons}
    # cross-fitting: the model is chosen on every other placebo window and its interval is scaled by
    # the others, so picking the luckiest of the candidates does not shrink the interval
    pick = np.arange(len(starts) - 1) % 2 == 0 if len(starts) > 3 else np.ones(len(starts) - 1, bool)
    rmse = {k: _flight_scale(f["stat"][1:][pick], f["lev"][1:][pick], f["lev"][0]) for k, f in fits.items()}
    key, reason = _choose(method, rmse, int(pick.sum()))
    chosen, opts["trend"] = key[0], key[1]
    opts["season"] = shape if key[2] else None
    fit = fits[key]
    used = starts[1:]
    if len(fits) > 1 and (~pick).any():
        keep = np.concatenate([[True], ~pick])
        fit, used = {**fit, "stat": fit["stat"][keep], "lev": fit["lev"][keep]}, used[~pick]
    covered = np.zeros(len(ref), bool)
    for s0 in used:
        covered[s0:s0 + length] = True
    fit["covered"] = int(covered.sum())
    few = starts[np.unique(np.linspace(0, len(starts) - 1, min(len(starts), SPACE_WINDOWS)).round().astype(int))]
    fit["space"] = fit_windows(y, x, ref, few, length, chosen, space=True, **opts)["space"]
    rmse = {_label(*k): v for k, v in rmse.items()}
    return _result(filled.index, y, x, ref, flight, fit, chosen, reason, controls, scale, y_raw,
                   alpha, step, rmse, warnings, opts)


def _precision(x: np.ndarray, ref: np.ndarray, log: bool, step: int) -> np.ndarray:
    """Each control's precision: 1 / variance of its change from the same weekday a week before (log
    scale when the model is), over the reference period. DiD weights its controls by it, so a small,
    noisy region counts less than a large, steady one; it stays a fixed average, fitted to nothing."""
    lag = 7 // step or 1
    z = np.log(np.maximum(x, 1e-12)) if log else x
    both = ref[lag:] & ref[:-lag]
    if both.sum() < 3:
        return np.ones(x.shape[1])
    var = (z[lag:] - z[:-lag])[both].var(0)
    return 1.0 / np.maximum(var, 1e-12 + 1e-6 * var.max())


def _season_shape(dates: pd.DatetimeIndex, x: np.ndarray, smooth: int, log: bool) -> np.ndarray | None:
    """The controls' common annual shape (two harmonics) over the whole panel, unit sd; None under a year.

    The treated series gets a free loading on it: regions share the seasons' timing but not their
    depth (a capital's summer dip is not a province's), which weights summing to one cannot express."""
    if (dates[-1] - dates[0]).days < 364:
        return None
    xm = pd.DataFrame(x).rolling(smooth, center=True, min_periods=1).mean().to_numpy()
    common = (np.log(np.maximum(xm, 1e-12)) if log else xm).mean(1)
    tau = (np.arange(len(dates)) - len(dates) / 2) / 365.25
    phase = 2 * np.pi * (dates.day_of_year.to_numpy() - 1) / 365.25
    four = np.column_stack([np.sin(phase), np.cos(phase), np.sin(2 * phase), np.cos(2 * phase)])
    design = np.column_stack([np.ones(len(dates)), tau, four])
    coef = np.linalg.lstsq(design, common, rcond=None)[0]
    shape = four @ coef[2:]
    sd = shape.std()
    return shape / sd if sd > 0 else None


def _log_ok(z: np.ndarray, smooth: int) -> bool:
    """The log scale needs every `smooth`-day total of the target and the controls to be positive."""
    c = np.concatenate([np.zeros((1, z.shape[1])), np.cumsum(z, 0)])
    return bool((z >= 0).all() and (c[smooth:] - c[:-smooth] > 0).all())


def _reference(dates: pd.DatetimeIndex, flight: np.ndarray, use_post, washout_days: int, warnings: list) -> np.ndarray:
    first, last = np.flatnonzero(flight)[[0, -1]]
    pre = np.arange(len(dates)) < first
    if use_post is None:
        use_post = pre.sum() < 4 * flight.sum()
    if not use_post:
        return pre
    since = dates[last] + pd.Timedelta(days=washout_days + 1)
    if dates[-1] >= since:
        warnings.append(_warn("short_pre_period", since=str(since.date())))
    return pre | np.asarray(dates >= since)


NAME = {"sc": "synthetic control", "did": "difference-in-differences"}


def _label(method: str, trend: bool, season: bool = False) -> str:
    return method + ("+trend" if trend else "") + ("+season" if season else "")


def _choose(method: str, rmse: dict, n_placebos: int) -> tuple[tuple, str]:
    """The candidate (method, trend, season) with the smallest expected error, and why in words."""
    keys = list(rmse)
    if n_placebos == 0:
        key = ("did", False, False) if ("did", False, False) in rmse else keys[0]
        return key, f"no placebo window fits in the reference period, so the simplest model ({_label(*key)})"
    best = min(keys, key=lambda k: (rmse[k], keys.index(k)))
    what = NAME[best[0]] + {(False, False): "", (True, False): " with a region-specific trend",
                            (False, True): " with a region-specific seasonal depth",
                            (True, True): " with a region-specific trend and seasonal depth"}[best[1:]]
    if len(keys) == 1:
        return best, f"{what} was asked for"
    others = ", ".join(f"{rmse[k]:.1%} for {_label(*k)}" for k in keys if k != best)
    asked = "" if method == "auto" else f" ({method} was asked for)"
    return best, (f"{what}{asked}: from {n_placebos} placebo windows of the flight's length its expected "
                  f"error in the flight window is {rmse[best]:.1%} against {others}")


def _result(dates, y, x, ref, flight, fit, method, reason, controls, scale, y_raw, alpha, step, rmse,
            warnings, opts) -> ImpactResult:
    w, stat = fit["weights"][0], fit["stat"]
    pred = _daily_prediction(x, w, fit["coef"][0], opts)
    placebo = stat[1:]
    if len(placebo) < MIN_PLACEBOS:
        warnings.append(_warn("few_placebos", n=len(placebo)))
    r, df = stat[0], _dof(fit["covered"], int(flight.sum()))
    # The leverage line extrapolates from the placebo windows to the flight's own leverage; the scale
    # goes half-way from the placebos' plain mean square to it (squared). Simulated null flights gave
    # 8.8% false positives at p < 0.05 with the line alone (400 flights), 2.5% with the mean square
    # alone and 4% half-way (200 each); see tests/test_impact.py for what is guarded.
    if len(placebo):
        scale_r = float(np.sqrt((_flight_scale(placebo, fit["lev"][1:], fit["lev"][0]) ** 2
                                 + np.mean(placebo ** 2)) / 2))
    else:
        scale_r = np.nan
    if len(placebo) >= MIN_LEVERAGE_FIT:
        df = max(df - 1, 2)         # the scale's two coefficients
    scale_r *= _space_factor(fit["space"])
    half = student_t.ppf(1 - alpha / 2, df) * scale_r
    q_lo, q_hi = -half, half
    p = 2 * student_t.sf(abs(r) / scale_r, df) if len(placebo) else np.nan
    actual, length = float(y_raw[flight].sum()), int(flight.sum())
    if opts["log"]:             # the statistic is log(actual / counterfactual) over the flight
        inc = actual * -np.expm1(-(r + np.array([0.0, q_lo, q_hi])))
    else:
        inc = (r + np.array([0.0, q_lo, q_hi])) * length * scale
    lifts = inc / np.maximum(actual - inc, 1e-9 * scale)
    mape, r2 = _pre_fit(y, pred, ref, 7 // step or 1)
    if mape > POOR_FIT_MAPE:
        warnings.append(_warn("poor_pre_fit", mape=mape))
    band = np.quantile(y[ref] - pred[ref], [alpha / 2, 1 - alpha / 2]) * scale
    cf = pred * scale
    keep = ref | flight
    series = pd.DataFrame({"date": dates[keep], "actual": y_raw[keep], "counterfactual": cf[keep],
                           "low": cf[keep] + band[0], "high": cf[keep] + band[1]}).reset_index(drop=True)
    return ImpactResult(lift=float(lifts[0]), lift_low=float(lifts[1]), lift_high=float(lifts[2]),
                        incremental=float(inc[0]), incremental_low=float(inc[1]), incremental_high=float(inc[2]),
                        p_value=float(p), method=method, reason=reason, pre_fit=mape, pre_r2=r2,
                        weights=pd.Series(w, index=controls, name="weight"), series=series, warnings=warnings,
                        actual=actual, counterfactual=float(cf[flight].sum()), n_placebos=len(placebo),
                        placebo_rmse=rmse)


def _daily_prediction(x: np.ndarray, w: np.ndarray, coef: np.ndarray, opts: dict) -> np.ndarray:
    """The fitted model as a daily scaled counterfactual for the chart and the pre-fit figures.

    On the log scale the model predicts centred `smooth`-day means; the synthetic control's own
    daily shape spreads them over the days."""
    trendline = _regressors(len(x), opts["trend"], opts.get("season")) @ coef
    if not opts["log"]:
        return x @ w + trendline
    k = opts["smooth"]
    xm = pd.DataFrame(x).rolling(k, center=True, min_periods=1).mean().to_numpy()
    synth, synth_m = x @ w, xm @ w
    return np.exp(np.log(xm) @ w + trendline) * synth / synth_m


def _flight_scale(placebo: np.ndarray, lev: np.ndarray, lev0: float) -> float:
    """The statistic's expected error in the flight window from the placebo windows' errors.

    A window's error has a part every window shares (noise over its length) and a part from the
    free terms (level, slope, seasonal depth) fitted on the history outside it; the second grows with
    the window's leverage, rwin' (R'R)^-1 rwin, which is large for a window with little history and
    small for the flight, fitted on all of it. Non-negative least squares of the squared placebo
    errors on [1, leverage] then gives the flight's expected squared error; with few windows, their
    plain mean square."""
    if len(placebo) == 0:
        return np.nan
    if len(placebo) < MIN_LEVERAGE_FIT:
        return float(np.sqrt(np.mean(placebo ** 2)))
    ab = nnls(np.column_stack([np.ones(len(placebo)), lev]), placebo ** 2)[0]
    return float(np.sqrt(max(ab[0] + ab[1] * lev0, 1e-12)))


def _space_factor(space: np.ndarray) -> float:
    """How much larger than its placebo windows' error the flight window's error is for control regions.

    Each control, predicted from the other controls, gives its error in the flight window over the
    root mean square of its errors in the placebo windows. Something about the flight's own time
    (e.g. how far it lies from the fitted period) shows up in all of them; the median squared ratio
    over its chi-square(1) median (0.455) inflates the interval by that much, never shrinks it.
    """
    if space.shape[0] < 2 or space.shape[1] == 0:
        return 1.0
    z2 = space[0] ** 2 / np.mean(space[1:] ** 2, axis=0)
    return float(np.sqrt(max(1.0, np.median(z2) / 0.455)))


def _dof(covered: int, length: int) -> int:
    """Degrees of freedom of the placebo scale: overlapping windows are not independent. For the
    mean square over all overlapping windows of length m spanning n days the overlapping-batch-means
    result (Meketon & Schmeiser 1984) gives about 1.5 (n / m - 1); at least 2. n counts the days the
    placebo windows actually cover: a short history whose placebos all crowd into a few weeks gets
    the few degrees of freedom it has, not those of the whole reference period."""
    return max(int(DOF_FACTOR * (covered / length - 1)), 2)


def _pre_fit(y: np.ndarray, pred: np.ndarray, ref: np.ndarray, block: int) -> tuple[float, float]:
    """MAPE of whole-block (weekly) totals inside the reference period, and R^2 of the scaled series."""
    ids = np.arange(len(y)) // block
    frame = pd.DataFrame({"id": ids[ref], "y": y[ref], "p": pred[ref]}).groupby("id").agg(["sum", "count"])
    full = frame[("y", "count")] == block
    ys, ps = frame.loc[full, ("y", "sum")], frame.loc[full, ("p", "sum")]
    mape = float(np.mean(np.abs(ys - ps) / ys)) if full.any() else np.nan
    r2 = 1 - np.sum((y[ref] - pred[ref]) ** 2) / np.sum((y[ref] - y[ref].mean()) ** 2)
    return mape, float(r2)
