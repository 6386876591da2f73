"""Random draws several generators share: weighted choices, typed region names, the product mix."""
from __future__ import annotations

import numpy as np

from etl.demo.company import (
    ALIAS_COUNT,
    ALIAS_RATE,
    ALIAS_START,
    LAUNCHED,
    PRODUCTS,
    UNKNOWN_RATE,
    UNKNOWN_REGIONS,
    UNKNOWN_START,
)


def choose(rng: np.random.Generator, chan: np.ndarray, options: list) -> np.ndarray:
    """Per row, one of its channel's text options, by their probabilities."""
    u, out = rng.random(chan.size), np.zeros(chan.size, np.int16)
    for c, (codes, cum) in enumerate(options):
        rows = chan == c
        out[rows] = codes[np.minimum(np.searchsorted(cum, u[rows], side="right"), codes.size - 1)]
    return out


def sample(rng: np.random.Generator, probs, n: int) -> np.ndarray:
    cum = np.cumsum(probs) / np.sum(probs)
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(cum) - 1)


def region_spellings(rng: np.random.Generator, region: np.ndarray) -> np.ndarray:
    """How a human typed the region: mostly canonical, ~10% aliases, ~0.3% unknown places."""
    u, v = rng.random(region.size), rng.random(region.size)
    code = np.where(u < ALIAS_RATE, ALIAS_START[region] + (v * ALIAS_COUNT[region]).astype(np.int64), region)
    return np.where(u > 1 - UNKNOWN_RATE, UNKNOWN_START + (v * len(UNKNOWN_REGIONS)).astype(np.int64), code)


def draw_products(rng: np.random.Generator, launched: np.ndarray) -> np.ndarray:
    """Product per deal; the new product has no sales before its launch."""
    post = np.array([share for _, _, share in PRODUCTS])
    pre = np.where(np.arange(post.size) == LAUNCHED, 0.0, post)
    u = rng.random(launched.size)
    pick_post = np.searchsorted(np.cumsum(post) / post.sum(), u, side="right")
    pick_pre = np.searchsorted(np.cumsum(pre) / pre.sum(), u, side="right")
    return np.minimum(np.where(launched, pick_post, pick_pre), post.size - 1)
