"""What a deck is made of, independent of how it is built or written: findings, slides, the deck."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go


class Failure(str):
    """A part of the deck left out because making it failed (an error, a module missing), not because it has
    nothing to show: the page shows it as any omitted part, the CLI says it on stderr."""


@dataclass(frozen=True)
class Finding:
    """One sentence, and the facts it states: name -> (value, the text the sentence and the table show)."""
    text: str
    facts: dict[str, tuple[float, str]] = field(default_factory=dict)


@dataclass
class Slide:
    key: str
    title: str
    filters: str
    findings: list[Finding] = field(default_factory=list)
    chart: go.Figure | None = None
    table: pd.DataFrame | None = None     # text cells, as shown
    note: str = ""

    @property
    def wide_table(self) -> bool:
        """A table that needs the whole right half: the chart then goes under the findings."""
        return self.table is not None and (len(self.table) > 7 or len(self.table.columns) > 6)

    def shown(self) -> str:
        """Every text the slide's table shows (headers and cells), for "the number is on the slide" checks."""
        if self.table is None:
            return ""
        return "\n".join([*map(str, self.table.columns), *(str(v) for v in self.table.to_numpy().ravel())])


@dataclass
class Deck:
    title: str
    subtitle: str
    filters: str
    lang: str
    slides: list[Slide]
    omitted: list[str] = field(default_factory=list)   # parts left out, and why (shown by the page and the CLI)
    images: dict[int, bytes] | None = field(default=None, repr=False)   # charts as PNG, once rendered
