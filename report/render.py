"""Charts as PNG through plotly's static export (kaleido), driven by Debian's chromium, never a download."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import plotly.graph_objects as go

CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT, SCALE = 1000, 470, 2    # 2.13:1, placed by width or height without distortion


def browser() -> str:
    """The chromium kaleido drives: $BROWSER_PATH, else Debian's; one clear line when there is none."""
    path = os.environ.get("BROWSER_PATH") or CHROMIUM
    if not Path(path).exists():
        raise RuntimeError(f"no chromium at {path}: install Debian's (apt-get install chromium) or set BROWSER_PATH")
    return path


def pngs(figures: list[go.Figure], width: int = WIDTH, height: int = HEIGHT) -> list[bytes]:
    """All figures in one browser session (starting chromium is most of the cost)."""
    if not figures:
        return []
    # kaleido (through choreographer) finds the browser by $BROWSER_PATH; set before the first export
    os.environ["BROWSER_PATH"] = browser()
    import plotly.io as pio

    with tempfile.TemporaryDirectory(prefix="parity-charts-") as tmp:
        paths = [Path(tmp) / f"chart{i}.png" for i in range(len(figures))]
        pio.write_images(figures, paths, format="png", width=width, height=height, scale=SCALE)
        return [p.read_bytes() for p in paths]


def slide_images(deck) -> dict[int, bytes]:
    """slide index -> its chart as PNG, for both writers (render once, write PPTX and PDF)."""
    index = [i for i, s in enumerate(deck.slides) if s.chart is not None]
    return dict(zip(index, pngs([deck.slides[i].chart for i in index]), strict=True))
