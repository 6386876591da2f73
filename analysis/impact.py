"""Incremental effect of a regional flight: a family of panel estimators (SC, DiD, augmented and generalized SC,
synthetic DiD, matrix completion) with placebo inference in time and space.

The estimator works on one treated series (the sum of the treated regions) and the control regions,
each scaled by its own mean over the reference period, so a region of 30% and one of 2% of the
business are compared as shapes, not sizes. The reference period is the days before the flight and,
past a washout, after it. The model is fitted on 7-day means (weekday shapes and much of the daily
noise drop out) and, when every 7-day total is positive, on the log scale, where a common
multiplicative shock (holiday, macro swing) cancels because the weights sum to one and a region's
own growth rate is a straight line:
    log m(treated) = sum_j w_j log m(control_j) + level + slope * time [+ depth * season],
with w found by one of a family of estimators (analysis/impact_weights.py): on the simplex (synthetic
control, Ferman & Pinto's demeaned variant with a region-specific trend), fixed (DiD: each control in
proportion to its precision), the simplex plus a ridge correction (augmented SC, Ben-Michael et al.
2021), or in the span of the controls' top 1-3 principal components (generalized SC / interactive
fixed effects, Xu 2017); level, slope and depth are free. `season` (panels of a year or more) is the
annual shape in which the controls differ. Two more estimators work on weekly block means
(analysis/impact_blocks.py): synthetic difference-in-differences (Arkhangelsky et al. 2021: unit and
time weights) and nuclear-norm matrix completion (Athey et al. 2021, soft-impute; asked for by name
only: on the tuning worlds it never beat the others and costs most). For a flight at the data's end
each regression candidate also has a "/recent" form that keeps the gap of the last weeks.
"auto" blends the candidates: on every other placebo window (each candidate's statistic there is its
error) the convex weights minimising the blend's squared error are fitted; the other windows
calibrate the interval (cross-fitting, so the choice does not flatter it). Without positive 7-day
totals (days of zero revenue) the same models run on the scaled series themselves (additive gap).

Inference. The statistic is the log ratio actual / counterfactual over the flight (or the mean gap);
the flight is outside every fit, so an added effect shifts it by exactly its size. Its error has two
parts (see _scale). Noise: the fit's residual noise from one week to the next, averaged over the
flight and carried through the fitted level, slope and depth (the flight's leverage) - measured on
hundreds of days, so known to tens of degrees of freedom. Excess: whatever placebo windows of the
flight's length, each predicted by a model refitted without it (Chernozhukov, Wuethrich & Zhu 2021
in spirit), err beyond their own noise part: slow regional deviations, misfit. Only the excess
rests on the few independent placebo windows, so the interval's Student t quantile takes
Satterthwaite's degrees of freedom for the sum. Control regions, each predicted from the others,
then say whether the flight's own time is harder than the placebo windows; if so the scale grows by
that factor. A short history leaves few placebo windows in time (under six, or none): the interval is
then at least as wide as the control regions' own errors in the flight window (placebos in space), and
with none those alone scale it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import nnls
from scipy.stats import t as student_t

from analysis.impact_blocks import aligned_starts, blocks, window_stats
from analysis.impact_weights import parse, weights
from analysis.simplex import simplex_qp

METHODS = ("sc", "did", "ascm", "gsc", "sdid", "mc")
AUTO = ("sc", "did", "ascm", "gsc", "sdid")   # mc: see the module docstring
BLOCK_METHODS = ("sdid", "mc")   # fitted on block means (analysis/impact_blocks.py), not Gram matrices
BLOCK_PLACEBOS = 60      # placebo windows for those (each is its own fit)
SPACE_ANALOGUE = {"sdid": "sc", "mc": "gsc2"}   # the regression method whose control-region placebos they use
GSC_RANKS = (1, 2, 3)    # factors tried by the generalized synthetic control, chosen by placebo error
RECENT = "/recent"       # suffix of the forecasts that keep the gap of the last weeks (see _recent_gap)
MIN_CONTROLS, POOR_FIT_MAPE, MIN_PLACEBOS = 5, 0.15, 20
MIN_LEVERAGE_FIT = 6    # placebo windows needed to fit the error's leverage term
DOF_FACTOR = 1.5        # overlapping batch means: dof per disjoint window covered
FEW_PLACEBO_DOF = 4     # placebo dof under which a zero excess is not evidence of none (see _scale)
SPACE_WINDOWS = 31      # the flight and 30 placebo windows for the control-region placebos
MIN_SPACE_PLACEBOS = 3  # control regions needed to scale an interval by placebos in space alone
TEXT = {
    "few_controls": "Only {n} control regions: the synthetic control has little to choose from.",
    "exposed_control": "Dropped control regions exposed to another flight in the window: {regions}.",
    "poor_pre_fit": "The counterfactual fits the reference period poorly (weekly MAPE {mape:.0%}).",
    "post_period": ("Days after the flight from {since} (past a {washout}-day washout) are in the fit too: an "
                    "effect lasting longer than that makes the estimate smaller."),
    "few_placebos": "Only {n} placebo windows: the interval and p-value are coarse.",
    "space_placebos": ("Placebo windows in time that fit the history: {k} (under 6), so the interval comes from the "
                       "errors of the {n} control regions in the flight window, each predicted from the others."),
    "missing_treated": "{share:.0%} of the treated region-days in the flight are missing and were imputed.",
}
ERRORS = {
    "unknown_treated": "The treated regions {regions} are not in the panel: pick regions it has.",
    "empty_window": "The flight window holds no dates of the panel: pick a window inside its dates.",
    "no_controls": "No control regions are left (each is treated, exposed to another flight or empty): add regions.",
    "no_reference": ("The treated regions {regions} have nothing in the reference period, so the flight has "
                     "nothing to be compared with: pick another metric or a longer period."),
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


class ImpactError(ValueError):
    """Input the estimate cannot be made from; `code` and the fields name it for a translated message."""

    def __init__(self, code: str, **kw):
        super().__init__(ERRORS[code].format(**kw))
        self.code, self.fields = code, kw


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
                precision: np.ndarray | None = None, recent: int = 0) -> dict:
    """For each window [s, s + length): fit on reference days outside it (before it when `past`), predict it.

    y (T,), x (T, J) are scaled series (positive when `log`). The model, fitted on `smooth`-day
    trailing means m(.) (the window total matters, not the weekday shape), is
        f(m(y)) = sum_j w_j f(m(x_j)) + level [+ slope * time] [+ depth * season],
    f = log if `log` else identity, with w on the simplex (sc) or proportional to `precision` (did,
    equal when None); level, slope and depth are free (partialled out before the weights are fitted,
    Frisch-Waugh). The statistic per window is f(mean of y over the window) minus
    its prediction: the mean gap in scaled units, or the log ratio actual / counterfactual.
    A common multiplicative factor cancels on the log scale (the weights sum to one) and a
    region-specific growth rate is a slope there. Returns weights (K, J), coef (K, free terms), stat (K,),
    lev (K,), each window's leverage rwin' (R'R)^-1 rwin, and resid (T,), the first window's fit's
    residual rows (NaN for rows not wholly in the reference period);
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
    outs: dict = {}
    cache: dict = {}
    for m in ((method,) if isinstance(method, str) else method):
        out = _predict(resid, rr, cross, win, rwin, list(range(j)), j, m, prec, cache)
        out["lev"] = np.einsum("kr,krs,ks->k", rwin, rr, rwin)
        out["resid"] = np.where(ok, zf[:, j] - zf[:, :j] @ out["weights"][0] - reg_rows @ out["coef"][0], np.nan)
        out["space"] = (_space(resid, rr, cross, win, rwin, j, m, prec) if space and j > 1
                        else np.zeros((len(starts), 0)))
        outs[m] = out
        if past and recent:
            outs[m + RECENT] = {**out, "stat": out["stat"] - _recent_gap(zf, reg_rows, ok, starts, recent, out, j),
                                "space": out["space"]}
    return outs[method] if isinstance(method, str) else outs


def _recent_gap(zf, reg_rows, ok, starts, recent: int, out: dict, j: int) -> np.ndarray:
    """Each window's fit's mean residual over the `recent` rows before it (a forecast's local level).

    Forecasting past the data, a gap between the treated series and its counterfactual that opened
    lately (drifting loadings, a regional trend break) tends to persist; the "/recent" candidates
    subtract it, as a random-walk forecast of the gap would. The placebo windows get the same
    correction from their own preceding rows, so whether it helps is measured, not assumed."""
    mask = ok.astype(float)[:, None]
    cz = np.concatenate([np.zeros((1, zf.shape[1])), np.cumsum(zf * mask, 0)])
    cr = np.concatenate([np.zeros((1, reg_rows.shape[1])), np.cumsum(reg_rows * mask, 0)])
    cn = np.concatenate([[0.0], np.cumsum(ok)])
    lo, hi = np.maximum(starts - recent, 0), starts
    n = np.maximum(cn[hi] - cn[lo], 1.0)[:, None]
    mz, mr = (cz[hi] - cz[lo]) / n, (cr[hi] - cr[lo]) / n
    gap = mz[:, j] - (mz[:, :j] * out["weights"]).sum(1) - (mr * out["coef"]).sum(1)
    return np.where(cn[hi] - cn[lo] > 0, gap, 0.0)


def _space(resid, rr, cross, win, rwin, j: int, method: str, prec: np.ndarray) -> np.ndarray:
    """Every control as the treated one, predicted from the other controls: all K x J fits in one batch."""
    others = np.array([[c for c in range(j) if c != k] for k in range(j)])
    k_idx = np.arange(len(win))[:, None]
    h = resid[k_idx[:, :, None, None], others[None, :, :, None], others[None, :, None, :]]
    g = resid[k_idx[:, :, None], others[None], np.arange(j)[None, :, None]]
    kk, jj = h.shape[:2]
    pb = np.broadcast_to(prec[others], (kk, jj, j - 1)).reshape(kk * jj, j - 1)
    w = weights(method, h.reshape(kk * jj, j - 1, j - 1), g.reshape(kk * jj, j - 1), pb).reshape(kk, jj, j - 1)
    cw = cross[:, :, :j]                                                         # (K, nr, J)
    gap_cross = cw - np.einsum("krjo,kjo->krj", cw[:, :, others], w)            # (K, nr, J)
    coef = np.einsum("krs,ksj->kjr", rr, gap_cross)                             # (K, J, nr)
    xw = win[:, :j]
    return xw - (xw[:, others] * w).sum(2) - np.einsum("kjr,kr->kj", coef, rwin)


def _predict(resid, rr, cross, win, rwin, cols: list, target: int, method: str, prec: np.ndarray,
             cache: dict | None = None) -> dict:
    h, g = resid[:, cols][:, :, cols], resid[:, cols, target]
    w = weights(method, h, g, np.broadcast_to(prec[cols], g.shape), cache)
    coef = np.einsum("krs,ks->kr", rr, cross[:, :, target] - np.einsum("krj,kj->kr", cross[:, :, cols], w))
    stat = win[:, target] - (win[:, cols] * w).sum(1) - (rwin * coef).sum(1)
    return {"weights": w, "coef": coef, "level": coef[:, 0], "stat": stat}


def _regressors(t: int, trend: bool, season: np.ndarray | None) -> np.ndarray:
    """The free terms of the model, daily: a level, a slope per year, the common seasonal shape."""
    tau = (np.arange(t) - t / 2) / 365.25
    return np.column_stack([np.ones(t)] + ([tau] if trend else []) + ([season] if season is not None else []))


def _rolling_fit_rows(z: np.ndarray, ref: np.ndarray, smooth: int) -> tuple[np.ndarray, np.ndarray]:
    """`smooth`-day trailing means of z and whether each lies wholly in the reference period."""
    zs, ok = np.cumsum(z, 0), np.cumsum(ref)
    zs[smooth:] -= zs[:-smooth].copy()
    ok[smooth:] -= ok[:-smooth].copy()
    good = ok == smooth
    good[:smooth - 1] = False
    return zs / smooth, good


# ------------------------------------------------------------------------------ estimate
def estimate_impact(panel: pd.DataFrame, treated, start, end, *, method: str = "auto", seed: int = 0,
                    exposed=None, use_post: bool = True, washout_days: int = 14, alpha: float = 0.05,
                    max_placebos: int = 120, trend: bool = True) -> ImpactResult:
    """Effect of a flight on `treated` regions over [start, end] (inclusive) from a region x date panel.

    panel: columns region, date, value; daily or weekly, gaps allowed (imputed, see fill_gaps).
    The reference period is the pre-period and, with use_post, the days after the flight past a
    `washout_days` washout: a counterfactual anchored on both sides of the flight interpolates where
    one fitted before it extrapolates the regional trend (on simulated flights that ended 0-28 days
    before the data, the point estimate's rms error fell from 2.1% to 1.85% of the baseline). An
    effect that outlasts the washout raises the fitted level, so the estimate errs low, not high.
    `exposed` maps a region to (start, end) spans of other flights (or is a DataFrame region, start,
    end): controls exposed during the window are dropped. method: "sc", "did" or "auto" (the one
    whose placebo windows show the smaller error). trend: fit a region-specific growth rate (True)
    or not. Deterministic: `seed` is kept for API stability and unused.
    """
    if method not in ("auto", *METHODS):
        raise ValueError(f"method must be auto or one of {', '.join(METHODS)}, not {method!r}")
    treated = [treated] if isinstance(treated, str) else sorted(treated)
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    wide, step = to_wide(panel)
    if missing := [r for r in treated if r not in wide.columns]:
        raise ImpactError("unknown_treated", regions=", ".join(map(str, missing)))
    warnings = []
    flight = np.asarray((wide.index >= start) & (wide.index <= end))
    if not flight.any():
        raise ImpactError("empty_window")
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
        raise ImpactError("no_controls")
    if len(controls) < MIN_CONTROLS:
        warnings.append(_warn("few_controls", n=len(controls)))
    y_raw = filled[treated].sum(axis=1).to_numpy()
    x_raw = filled[controls].to_numpy()
    scale = y_raw[ref].mean()
    if not scale > 0:
        raise ImpactError("no_reference", regions=", ".join(map(str, treated)))
    y, x = y_raw / scale, x_raw / x_raw[ref].mean(0)
    a, length = int(np.flatnonzero(flight)[0]), int(flight.sum())
    past = not ref[a:].any()        # a flight at the end of the data: every placebo forecasts forward too
    before = max(3 * length, 91 // step) if past else 0
    if past and len(placebo_windows(ref, length, max_placebos, min_before=before)) < MIN_PLACEBOS:
        before = max(length, 28 // step)         # a short pre-period: fit placebos on less history
    every = placebo_windows(ref, length, len(ref), min_before=before)
    smooth = 7 // step or 1
    # evenly spread windows, and those on the flight's weekday for the block methods (sdid, mc)
    starts = np.union1d(every[np.unique(np.linspace(0, len(every) - 1, min(len(every), max_placebos)).round()
                                        .astype(int))] if len(every) else every,
                        aligned_starts(every, a, smooth, BLOCK_PLACEBOS))
    starts = np.concatenate([[a], starts]).astype(int)
    log = _log_ok(np.column_stack([x, y]), smooth)
    opts = {"smooth": smooth, "past": past, "log": log, "precision": _precision(x, ref, log, step)}
    shape = _season_shape(filled.index, x, smooth, log)
    # with no placebo window there is too little history to fit a trend or seasonal depth, or to choose
    simple = len(starts) == 1
    methods = ("did",) if simple and method == "auto" else _candidates(method)
    tr, se = bool(trend) and not simple, shape is not None and not simple
    gram = [m for m in methods if m not in BLOCK_METHODS]
    fits = {(m, tr, se): {**f, "starts": starts} for m, f in fit_windows(
        y, x, ref, starts, length, gram, trend=tr, season=shape if se else None,
        recent=length if method == "auto" else 0, **opts).items()} if gram else {}
    fits.update({(m, tr, se): f for m, f in _block_fits([m for m in methods if m in BLOCK_METHODS], y, x, ref,
                                                        starts, length, opts).items()})
    if not fits:    # too few block-aligned placebo windows for sdid / mc: the regression family instead
        methods = _candidates("auto")
        fits = {(m, tr, se): {**f, "starts": starts} for m, f in fit_windows(
            y, x, ref, starts, length, methods, trend=tr, season=shape if se else None, **opts).items()}
    # cross-fitting: the model is chosen on every other placebo window and its interval is scaled by
    # the others, so picking the luckiest of the candidates does not shrink the interval
    picks = {k: _pick(f["starts"][1:], length) for k, f in fits.items()}
    rmse = {k: _flight_scale(f["stat"][1:][picks[k]], f["lev"][1:][picks[k]], f["lev"][0]) for k, f in fits.items()}
    n_pick = int(min(p.sum() for p in picks.values()))
    blend = _blend(fits, x, {**opts, "trend": tr}, shape, length) if method == "auto" and len(fits) > 2 else {}
    basic = {k: v for k, v in rmse.items() if k[0] in ("sc", "did")}
    key, reason = _choose(method, rmse if blend or method != "auto" or not basic else basic, n_pick)
    if blend:
        key = ("blend", tr, se)
        fits[key], picks[key] = blend, _pick(blend["starts"][1:], length)
        reason = _blend_reason(blend["mix"], rmse, int(picks[key].sum()))
        rmse[key] = blend["rmse"]
    chosen, opts["trend"] = key[0], key[1]
    opts["season"] = shape if key[2] else None
    fit, pick = fits[key], picks[key]
    used = fit["starts"][1:]
    if len(fits) > 1 and (~pick).any():
        keep = np.concatenate([[True], ~pick])
        fit, used = {**fit, "stat": fit["stat"][keep], "lev": fit["lev"][keep]}, used[~pick]
    covered = np.zeros(len(ref), bool)
    for s0 in used:
        covered[s0:s0 + length] = True
    fit["covered"] = int(covered.sum())
    few = starts[np.unique(np.linspace(0, len(starts) - 1, min(len(starts), SPACE_WINDOWS)).round().astype(int))]
    if chosen == "blend":       # the control-region placebos of its largest part
        chosen_space = max(fit["mix"], key=fit["mix"].get).split("+")[0]
    else:
        chosen_space = chosen
    chosen_space = chosen_space.removesuffix(RECENT)
    fit["space"] = fit_windows(y, x, ref, few, length, SPACE_ANALOGUE.get(chosen_space, chosen_space), space=True,
                               **opts)["space"]
    rmse = {_label(*k): v for k, v in rmse.items()}
    return _result(filled.index, y, x, ref, flight, fit, parse(chosen)[0], reason, controls, scale, y_raw,
                   alpha, step, rmse, warnings, opts)


def _blend(fits: dict, x: np.ndarray, opts: dict, shape, length: int) -> dict:
    """The candidates' convex blend with the smallest squared error on the choosing placebo windows.

    On a placebo window each candidate's statistic is its error, so the blend's weights minimise
    w' S w over the simplex, S the candidates' error cross-products on the windows that choose (every
    other one); the other windows calibrate the interval, as for a single choice. Windows are those
    every candidate has (the block-aligned ones when sdid is among them). Empty under MIN_PLACEBOS such
    windows: with fewer, the blend's weights fit the noise of a handful of windows (short histories:
    coverage fell to 77% on the tuning worlds) and "auto" keeps to choosing between sc and did."""
    common = min((f["starts"] for f in fits.values()), key=len)
    if len(common) <= MIN_PLACEBOS:
        return {}
    keys = list(fits)
    idx = {k: np.searchsorted(fits[k]["starts"][1:], common[1:]) + 1 for k in keys}
    stat = np.column_stack([np.concatenate([fits[k]["stat"][:1], fits[k]["stat"][idx[k]]]) for k in keys])
    lev = np.column_stack([np.concatenate([fits[k]["lev"][:1], fits[k]["lev"][idx[k]]]) for k in keys])
    pick = _pick(common[1:], length)
    e = stat[1:][pick]
    cov = e.T @ e / len(e)
    cov += 1e-6 * np.trace(cov) / len(keys) * np.eye(len(keys))
    w = simplex_qp(cov[None], np.zeros((1, len(keys))), iters=500)[0]
    w = np.where(w < 1e-3, 0.0, w)
    w /= w.sum()
    live = [(k, v) for k, v in zip(keys, w, strict=True) if v > 0]
    daily = sum(v * _fit_daily(fits[k], x, {**opts, "season": shape if k[2] else None}) for k, v in live)
    resid = sum(v * fits[k]["resid"] for k, v in live)
    weights = sum(v * np.nan_to_num(fits[k]["weights"][0]) for k, v in live)
    return {"stat": stat @ w, "lev": lev @ w, "resid": resid, "daily": daily, "weights": weights[None],
            "starts": common, "mix": {_label(*k): float(v) for k, v in live},
            "rmse": float(np.sqrt(w @ cov @ w))}


def _fit_daily(fit: dict, x: np.ndarray, opts: dict) -> np.ndarray:
    return fit["daily"] if "daily" in fit else _daily_prediction(x, fit["weights"][0], fit["coef"][0], opts)


def _blend_reason(mix: dict, rmse: dict, n: int) -> str:
    parts = ", ".join(f"{v:.0%} {k}" for k, v in sorted(mix.items(), key=lambda kv: -kv[1]))
    single = min(rmse.values())
    return (f"a blend of the candidates ({parts}) weighted to the smallest error on {n} placebo windows of the "
            f"flight's length; the best single candidate's expected error there was {single:.2%}")


def _pick(starts: np.ndarray, length: int) -> np.ndarray:
    """Which placebo windows choose the model; the rest calibrate its interval. Windows of the flight's
    length overlap their neighbours, so the split is by stretches of `length` days (even stretches
    choose, odd ones calibrate), not every other window, which would calibrate on near-copies."""
    k = len(starts)
    if k <= 2:
        return np.ones(k, bool)
    pick = (starts - starts.min()) // length % 2 == 0
    return pick if pick.any() and (~pick).any() else np.arange(k) % 2 == 0


def _block_fits(methods: list, y, x, ref, starts, length: int, opts: dict) -> dict:
    """sdid and mc fits (analysis/impact_blocks.py) on the flight and the block-aligned placebo windows,
    in the shape fit_windows gives: stat, lev (no free terms: zero), resid, weights, the daily
    counterfactual for the chart and the windows' starts. Empty with fewer than MIN_LEVERAGE_FIT windows."""
    a, k = int(starts[0]), opts["smooth"]
    own = np.concatenate([[a], aligned_starts(starts[1:], a, k, BLOCK_PLACEBOS)])
    if not methods or len(own) <= MIN_LEVERAGE_FIT:
        return {}
    b = blocks(y, x, ref, a, k, opts["log"])
    out = {}
    for m in methods:
        w = window_stats(m, b, y, own, length, opts["past"])
        out[m] = {**w, "lev": np.zeros(len(own)), "starts": own}
    return out


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
    """The annual shape in which the controls differ (two harmonics) over the whole panel, unit sd;
    None under a year or with one control.

    The treated series gets a free loading on it: regions share the seasons' timing but not their
    depth (a capital's summer dip is not a province's), which weights summing to one cannot express.
    Each control's annual harmonics are fitted next to its own level and growth; the direction in
    which they spread across the controls (their first principal component) is the shape. A common
    swing (a holiday, the macro cycle) moves every control alike, so it cannot leak into the shape
    as it would into a harmonic fit of the controls' average."""
    if (dates[-1] - dates[0]).days < 364:
        return None
    if x.shape[1] < 2:
        return None
    xm = pd.DataFrame(x).rolling(smooth, center=True, min_periods=1).mean().to_numpy()
    z = np.log(np.maximum(xm, 1e-12)) if log else xm
    tau = (np.arange(len(dates)) - len(dates) / 2) / 365.25
    phase = 2 * np.pi * (dates.day_of_year.to_numpy() - 1) / 365.25
    four = np.column_stack([np.sin(phase), np.cos(phase), np.sin(2 * phase), np.cos(2 * phase)])
    coef = np.linalg.lstsq(np.column_stack([np.ones(len(dates)), tau, four]), z, rcond=None)[0][2:]   # (4, J)
    spread = coef - coef.mean(1, keepdims=True)
    shape = four @ np.linalg.svd(spread, full_matrices=False)[0][:, 0]
    sd = shape.std()
    return shape / sd if sd > 0 else None


def _log_ok(z: np.ndarray, smooth: int) -> bool:
    """The log scale needs every `smooth`-day total of the target and the controls to be positive."""
    c = np.concatenate([np.zeros((1, z.shape[1])), np.cumsum(z, 0)])
    return bool((z >= 0).all() and (c[smooth:] - c[:-smooth] > 0).all())


def _reference(dates: pd.DatetimeIndex, flight: np.ndarray, use_post, washout_days: int, warnings: list) -> np.ndarray:
    first, last = np.flatnonzero(flight)[[0, -1]]
    pre = np.arange(len(dates)) < first
    if not use_post:
        return pre
    since = dates[last] + pd.Timedelta(days=washout_days + 1)
    if dates[-1] >= since:
        warnings.append(_warn("post_period", since=str(since.date()), washout=washout_days))
    return pre | np.asarray(dates >= since)


NAME = {"sc": "synthetic control", "did": "difference-in-differences", "ascm": "augmented synthetic control",
        "gsc": "generalized synthetic control", "sdid": "synthetic difference-in-differences",
        "mc": "matrix completion", "blend": "blend"}


def _candidates(method: str) -> tuple:
    """The fits "auto" (or one family) chooses among: gsc once per number of factors."""
    names = AUTO if method == "auto" else (method,)
    return tuple(c for m in names for c in ([f"gsc{r}" for r in GSC_RANKS] if m == "gsc" else [m]))


def _label(method: str, trend: bool, season: bool = False) -> str:
    return method + ("+trend" if trend else "") + ("+season" if season else "")


def _choose(method: str, rmse: dict, n_placebos: int) -> tuple[tuple, str]:
    """The candidate (method, trend, season) with the smallest expected error, and why in words."""
    keys = list(rmse)
    if n_placebos == 0:
        return keys[0], f"no placebo window fits in the reference period, so the simplest model ({_label(*keys[0])})"
    best = min(keys, key=lambda k: (rmse[k], keys.index(k)))
    name, rank = parse(best[0])
    factors = f" with {rank} factor{'s' if rank > 1 else ''}" if rank else ""
    what = NAME[name] + factors + {(False, False): "", (True, False): " with a region-specific trend",
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
    pred = _fit_daily(fit, x, opts)
    placebo = stat[1:]
    if len(placebo) < MIN_PLACEBOS:
        warnings.append(_warn("few_placebos", n=len(placebo)))
    r, length = stat[0], int(flight.sum())
    noise, noise_df = _row_noise(fit["resid"], opts["smooth"])
    scale_r, df = np.nan, 2.0
    if len(placebo):
        scale_r, df = _scale(placebo, fit["lev"], noise, noise_df, opts["smooth"], length,
                             _dof(fit["covered"], length))
        scale_r *= _space_factor(fit["space"])
    # a handful of placebo windows in time can all be quiet by chance (short histories): the control
    # regions' own errors in the flight window then bound the interval from below
    if len(placebo) < MIN_LEVERAGE_FIT and fit["space"].shape[1] >= MIN_SPACE_PLACEBOS:
        space_scale, space_df = _space_scale(fit["space"][0])
        if np.isfinite(space_scale) and not (student_t.ppf(1 - alpha / 2, df) * scale_r
                                             >= student_t.ppf(1 - alpha / 2, space_df) * space_scale):
            scale_r, df = space_scale, space_df
            warnings.append(_warn("space_placebos", k=len(placebo), n=fit["space"].shape[1]))
    half = student_t.ppf(1 - alpha / 2, df) * scale_r
    q_lo, q_hi = -half, half
    p = 2 * student_t.sf(abs(r) / scale_r, df) if np.isfinite(scale_r) else np.nan
    actual = float(y_raw[flight].sum())
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


def _row_noise(resid: np.ndarray, k: int) -> tuple[float, float]:
    """Variance of the noise in one fitted row (a `k`-day mean) of the flight's model, and its dof.

    The residual rows of the flight's fit over the reference period (fit_windows' resid), differenced
    at one row's length (this week against the last), keep the noise that changes from one row to the
    next and drop what the two share (a slow drift, the model's misfit). Half the differences'
    variance is the noise per row; a difference beyond 5 robust sd (a one-off spike) is clipped first.
    Hundreds of days give it tens of degrees of freedom, where the placebo windows give a handful."""
    d = resid[k:] - resid[:-k]
    d = d[~np.isnan(d)]
    if len(d) < 3 * k:
        return np.nan, 0.0
    med = np.median(d)
    spread = 1.4826 * np.median(np.abs(d - med))
    d = np.clip(d, med - 5 * spread, med + 5 * spread)
    return float(d.var() / 2), DOF_FACTOR * len(d) / k


def _scale(placebo: np.ndarray, lev: np.ndarray, noise: float, noise_df: float, smooth: int, length: int,
           placebo_df: int) -> tuple[float, float]:
    """The statistic's standard error in the flight window and its degrees of freedom.

    Two parts. Noise: the row noise averaged over the window's `length` days plus what it does to
    the free terms, fitted on the rest (the window's leverage), smooth * noise * (1 / length + lev);
    known to tens of degrees of freedom. Excess: what the placebo windows err beyond their own noise
    part (slow regional deviations, misfit), their mean excess square, at least zero; it has the few
    degrees of freedom of the placebo windows (overlapping batch means, see _dof). The variance is
    the sum and its dof Satterthwaite's; with no noise estimate, the placebos' plain mean square.
    The excess is the placebos' mean square less their noise part, clipped at zero; with under
    FEW_PLACEBO_DOF placebo dof a zero there says nothing (short histories: two independent windows),
    so the dof count the uncertainty of that whole mean square, not of the clipped excess alone: on
    held-out short-history panels (seeds 7000-7079) coverage went from 82.5% to 95% and false
    positives from 17.5% to 10%. Applied everywhere, the same rule made the default world's intervals
    cover 99% of 100 tuning panels at 0.60x the effect, so above that it keeps to the excess.
    lev[0] is the flight's leverage, lev[1:] the placebo windows'. NaN without placebo windows."""
    if len(placebo) == 0:
        return np.nan, 2.0
    if np.isnan(noise):
        return float(np.sqrt(np.mean(placebo ** 2))), float(placebo_df)
    part = smooth * noise * (1.0 / length + lev)
    square, noise_part = float(np.mean(placebo ** 2)), float(np.mean(part[1:]))
    excess = max(square - noise_part, 0.0)
    var = part[0] + excess
    if placebo_df < FEW_PLACEBO_DOF:    # too few to tell an excess from none: their whole mean square is uncertain
        df = var ** 2 / ((part[0] - noise_part) ** 2 / max(noise_df, 2.0) + square ** 2 / placebo_df)
    else:
        df = var ** 2 / (part[0] ** 2 / max(noise_df, 2.0) + excess ** 2 / placebo_df)
    return float(np.sqrt(var)), float(max(df, 2.0))


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


def _space_scale(space0: np.ndarray) -> tuple[float, float]:
    """The scale from placebos in space, for a history with no or only a few (under MIN_LEVERAGE_FIT)
    placebo windows in time: each control region, predicted from the others by the same model, errs in
    the flight window by space0[j]; their root mean square, with one degree of freedom per control less
    the one the shared model takes (at least 2). With no window in time it is the interval's scale;
    with a few, the interval is the wider of the two: on held-out short-history panels (seeds
    30000-30159) false positives fell from 4 to 3 of 80 at the same coverage (79 of 80) and median width."""
    return float(np.sqrt(np.mean(space0 ** 2))), float(max(len(space0) - 1, 2))


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
