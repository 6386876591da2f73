"""What the Meeting page reads itself: the region options of its picker. The deck it previews reads the
other pages' views through report.deck.build, so every slide shows the pages' own numbers."""
from __future__ import annotations

import pandas as pd

from model.filters import Filters
from model.runner import Runner
from model.views import fetch


def load(f: Filters, run: Runner) -> dict[str, pd.DataFrame]:
    return fetch(run, {"options": ("filter_options", {})})
