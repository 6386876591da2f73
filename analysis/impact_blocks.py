"""Synthetic difference-in-differences and matrix completion on block means, for the impact family.

Both work on non-overlapping blocks of `smooth` days (weeks of a daily panel, single weeks of a weekly
one) aligned to the flight's first day, on the log scale when the model is (f below), and predict the
treated series' blocks in a window from a fit on the reference blocks outside it; the window's
statistic is then f(mean actual) - f(mean counterfactual) over the window's days, as for the
regression family in analysis/impact.py, so the same placebo inference applies.

- sdid (Arkhangelsky, Athey, Hirshberg, Imbens & Wager 2021): unit weights on the simplex with an
  intercept and the paper's ridge zeta^2 = sqrt(post blocks) * sigma^2 (sigma: sd of the controls'
  block-to-block changes), time weights on the simplex with an intercept matching each control's
  window mean from its reference blocks; the counterfactual is the unit-weighted controls plus the
  time-weighted level difference.
- mc (Athey, Bayati, Doudchenko, Imbens & Khosravi 2021): the block matrix [controls, treated] with
  unit and time fixed effects plus a low-rank part under a nuclear-norm penalty, fitted by soft-impute
  with the treated blocks outside the reference (the window among them) missing; the penalty is the
  universal threshold sigma (sqrt(rows) + sqrt(columns)), sigma read from the median singular value of
  the controls' block matrix net of both fixed effects.
"""
from __future__ import annotations

import numpy as np

from analysis.simplex import project_simplex, simplex_qp

MC_ITERS = 100
QP_ITERS = 300


def blocks(y: np.ndarray, x: np.ndarray, ref: np.ndarray, a: int, smooth: int, log: bool) -> dict:
    """Block means of target and controls (f-transformed), each block's first day and whether it is
    wholly in the reference period."""
    t = len(y)
    first = np.arange(a % smooth, t - smooth + 1, smooth)
    run = np.concatenate([np.zeros((1, x.shape[1] + 1)), np.cumsum(np.column_stack([x, y]), 0)])
    mean = (run[first + smooth] - run[first]) / smooth
    inref = np.concatenate([[0], np.cumsum(ref)])
    ok = inref[first + smooth] - inref[first] == smooth
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log(np.maximum(mean, 1e-12)) if log else mean
    return {"first": first, "z": z, "ok": ok, "smooth": smooth, "log": log}


def aligned_starts(starts: np.ndarray, a: int, smooth: int, limit: int) -> np.ndarray:
    """Placebo starts on the block grid (same weekday as the flight), at most `limit`, evenly spread."""
    s = starts[(starts - a) % smooth == 0]
    if len(s) > limit:
        s = s[np.unique(np.linspace(0, len(s) - 1, limit).round().astype(int))]
    return s


def window_stats(method: str, b: dict, y: np.ndarray, starts: np.ndarray, length: int, past: bool) -> dict:
    """stat (K,) for windows [s, s + length) and the first window's fit residuals per day (NaN off the fit)."""
    first, z, ok, k = b["first"], b["z"], b["ok"], b["smooth"]
    nb, j = len(first), z.shape[1] - 1
    fit = np.empty((len(starts), nb), bool)
    share = np.zeros((len(starts), nb))            # days of each block inside the window
    for i, s in enumerate(starts):
        lo, hi = np.maximum(first, s), np.minimum(first + k, s + length)
        share[i] = np.maximum(hi - lo, 0)
        fit[i] = ok & (share[i] == 0) & ((first + k <= s) if past else True)
    pred, omega = (_sdid if method == "sdid" else _mc)(z, fit, share, length / k)
    inv = np.exp if b["log"] else (lambda v: v)
    f = np.log if b["log"] else (lambda v: v)
    run = np.concatenate([[0.0], np.cumsum(y)])
    with np.errstate(divide="ignore", invalid="ignore"):
        actual = f((run[starts + length] - run[starts]) / length)
        cf = f((share * inv(pred)).sum(1) / share.sum(1))
    resid = np.full(len(y), np.nan)
    r0 = np.where(fit[0], z[:, j] - pred[0], np.nan)
    for i in np.flatnonzero(fit[0]):
        resid[first[i]:first[i] + k] = r0[i]
    return {"stat": actual - cf, "resid": resid, "weights": omega[None], "daily": _daily(pred[0], b, len(y))}


def _daily(pred0: np.ndarray, b: dict, t: int) -> np.ndarray:
    """The first window's block counterfactual as a daily series (each block's level on its days; the
    days before the first block or after the last take the nearest block's)."""
    idx = np.clip((np.arange(t) - b["first"][0]) // b["smooth"], 0, len(b["first"]) - 1)
    return np.exp(pred0[idx]) if b["log"] else pred0[idx]


def _noise_sd(zc: np.ndarray) -> float:
    """Robust sd of the controls' block-to-block changes (common moves removed), per block."""
    d = np.diff(zc - zc.mean(1, keepdims=True), axis=0)
    return float(1.4826 * np.median(np.abs(d - np.median(d))) / np.sqrt(2)) + 1e-9


def _masked_simplex_qp(h: np.ndarray, g: np.ndarray, mask: np.ndarray, iters: int = QP_ITERS) -> np.ndarray:
    """argmin w'Hw - 2g'w over the simplex restricted to `mask` (B, n), for one symmetric H (n, n) and a
    batch of g (B, n) (accelerated projected gradient as analysis.simplex.simplex_qp; coordinates off
    the mask are held at zero)."""
    lip = 2 * np.linalg.eigvalsh(h)[-1] + 1e-12
    w = mask / mask.sum(1, keepdims=True)
    z, t = w.copy(), 1.0
    for _ in range(iters):
        grad = 2 * (z @ h - g)
        w_new = project_simplex(np.where(mask, z - grad / lip, -1e18))
        t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
        z = w_new + (t - 1) / t_new * (w_new - w)
        w, t = w_new, t_new
    return w


def _sdid(z: np.ndarray, fit: np.ndarray, share: np.ndarray, post: float) -> tuple[np.ndarray, np.ndarray]:
    """Counterfactual target block values (K, blocks) by synthetic difference-in-differences, all
    windows in one batch, and the first window's unit weights."""
    j = z.shape[1] - 1
    xc, yt = z[:, :j], z[:, j]
    sigma = _noise_sd(xc)
    zeta2 = np.sqrt(max(post, 1.0)) * sigma ** 2
    m = fit.astype(float)                                        # (K, B)
    n = m.sum(1)
    xbar = (m @ xc) / n[:, None]                                 # (K, J) each fit's mean
    ybar = (m @ yt) / n
    # unit weights: the demeaned fit blocks, Gram per window
    xx = np.einsum("kb,bi,bj->kij", m, xc, xc) / n[:, None, None] - xbar[:, :, None] * xbar[:, None, :]
    xy = (m @ (xc * yt[:, None])) / n[:, None] - xbar * ybar[:, None]
    omega = simplex_qp(xx + zeta2 * np.eye(j), xy, iters=QP_ITERS)
    # time weights over the fit blocks: each control's window mean from its fit blocks, intercept across controls
    target = (share @ xc) / share.sum(1, keepdims=True)          # (K, J)
    a = xc - xc.mean(1, keepdims=True)                           # (B, J) centred across controls
    bvec = target - target.mean(1, keepdims=True)
    ht = a @ a.T / j + 1e-6 * sigma ** 2 * np.eye(len(xc))
    lam = _masked_simplex_qp(ht, bvec @ a.T / j, fit)
    level = lam @ yt - np.einsum("kj,kj->k", omega, lam @ xc)
    return omega @ xc.T + level[:, None], omega[0]


def _mc(z: np.ndarray, fit: np.ndarray, share: np.ndarray, post: float) -> np.ndarray:
    """Counterfactual target block values (K, blocks) by nuclear-norm matrix completion with unit and
    time fixed effects (soft-impute, all windows in one batch)."""
    nb, j1 = z.shape
    j = j1 - 1
    xc = z[:, :j] - z[:, :j].mean(0) - z[:, :j].mean(1, keepdims=True) + z[:, :j].mean()
    sv = np.linalg.svd(xc, compute_uv=False)
    sigma = np.median(sv) / np.sqrt(max(nb, j))      # the bulk of the spectrum is noise (Gavish & Donoho)
    mu = sigma * (np.sqrt(nb) + np.sqrt(j1))
    obs = np.ones((len(fit), nb, j1), bool)
    obs[:, :, j] = fit
    y = np.broadcast_to(z, obs.shape)
    fill = np.where(obs, y, 0.0)
    fill[:, :, j] = np.where(fit, z[:, j], (z[:, :j].mean(1) + (np.where(fit, z[:, j] - z[:, :j].mean(1), 0).sum(1)
                                                                  / np.maximum(fit.sum(1), 1))[:, None]))
    low = np.zeros(obs.shape)
    for _ in range(MC_ITERS):
        e = fill - low
        row = e.mean(2, keepdims=True)
        col = (e - row).mean(1, keepdims=True)
        u, s, vt = np.linalg.svd(fill - row - col, full_matrices=False)
        low = (u * np.maximum(s - mu, 0.0)[:, None, :]) @ vt
        model = low + row + col
        fill = np.where(obs, y, model)
    return model[:, :, j], np.full(j, np.nan)      # no unit weights: the counterfactual is low-rank
