"""Weights of the controls for each estimator of the impact family, batched over many small fits.

Every estimator here predicts the treated series as a weighted sum of the controls plus free terms
(level, slope, seasonal depth, partialled out before: h and g below are the Gram matrix of the
controls and their cross-product with the target after that). They differ in how the weights are
found from h (B, n, n) and g (B, n), one fit per row of the batch:

- did: fixed, each control in proportion to its precision (fitted to nothing);
- sc: least squares on the simplex (Abadie's synthetic control, Ferman & Pinto's demeaned form);
- ascm: augmented synthetic control (Ben-Michael, Feller & Rothstein 2021): the simplex weights plus
  a ridge-regularised correction fitted to what they leave, so a treated region outside the
  controls' convex hull is still matched;
- gsc<r>: generalized synthetic control / interactive fixed effects (Xu 2017): the controls' top r
  principal components (of their deviations from the common time effect) are the factors and the
  target's loadings on them are fitted by least squares; the prediction is the controls' window
  values projected on those factors, i.e. weights in the span of the top r components.

Corrections live in the sum-zero subspace (weights keep summing to one): on the log scale a common
multiplicative shock (a holiday, the macro cycle) then still cancels, which is the model's additive
time effect; for gsc it makes the factors those of the controls after the time effect, as Xu's
two-way model has them.
"""
from __future__ import annotations

import numpy as np

from analysis.simplex import simplex_qp

QP_ITERS = 400          # accelerated projected-gradient steps per batch of simplex fits
ASCM_RIDGE = 0.1        # ridge of the augmentation, relative to the mean eigenvalue of h


def parse(method: str) -> tuple[str, int]:
    """'gsc2' -> ('gsc', 2); other names carry no parameter; a '/recent' suffix (see impact.py) is dropped."""
    method = method.split("/")[0]
    if method.startswith("gsc"):
        return "gsc", int(method[3:] or 1)
    return method, 0


def _sum_zero_basis(n: int) -> np.ndarray:
    """An orthonormal basis (n, n - 1) of the vectors whose entries sum to zero."""
    return np.linalg.svd(np.eye(n) - 1.0 / n, full_matrices=False)[0][:, :n - 1]


def weights(method: str, h: np.ndarray, g: np.ndarray, prec: np.ndarray, cache: dict | None = None) -> np.ndarray:
    """Weights (B, n) of `method` for each fit of the batch; prec (B, n) are the controls' precisions.
    `cache` (a dict per batch) keeps the simplex fit, shared by sc and ascm."""
    name, rank = parse(method)
    cache = {} if cache is None else cache
    base = prec / prec.sum(-1, keepdims=True)
    if name == "did":
        return np.broadcast_to(base, g.shape).copy()
    if name in ("sc", "ascm"):
        if "sc" not in cache:
            cache["sc"] = simplex_qp(h, g, iters=QP_ITERS)
        base = cache["sc"]
        if name == "sc":
            return base
    n = g.shape[-1]
    if n < 2:
        return base
    q = _sum_zero_basis(n)
    hq = q.T @ h @ q
    gq = (g - (h @ base[..., None])[..., 0]) @ q
    if name == "ascm":
        mu = ASCM_RIDGE * np.trace(hq, axis1=1, axis2=2) / (n - 1) + 1e-12
        delta = np.linalg.solve(hq + mu[:, None, None] * np.eye(n - 1), gq[..., None])[..., 0]
    elif name == "gsc":
        val, vec = np.linalg.eigh(hq)
        r = min(rank, n - 1)
        top, lam = vec[:, :, -r:], val[:, -r:]
        inv = np.where(lam > 1e-10 * np.maximum(val[:, -1:], 1e-300), 1.0 / np.maximum(lam, 1e-300), 0.0)
        delta = ((top * inv[:, None, :]) @ (top.transpose(0, 2, 1) @ gq[..., None]))[..., 0]
    else:
        raise ValueError(f"unknown method {method!r}")
    return base + delta @ q.T
