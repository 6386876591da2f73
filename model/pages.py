"""The registry of pages: one list for the router, the views, the benchmarks and the browser tests."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    key: str            # pages/<key>.py, title "page.<key>" in ui/locales, URL path (the overview is /)
    icon: str
    view: bool = True   # model/views/<key>.py says what it reads

    @property
    def path(self) -> str:
        return f"pages/{self.key}.py"

    @property
    def url_path(self) -> str:
        return "" if self is PAGES[0] else self.key


PAGES: tuple[Page, ...] = (
    Page("overview", ":material/dashboard:"),
    Page("regions", ":material/map:"),
    Page("plan_fact", ":material/target:"),
    Page("funnel", ":material/filter_alt:"),
    Page("joint_plan", ":material/event_note:"),
    Page("contribution", ":material/donut_small:"),
    Page("impact", ":material/science:"),
    Page("meeting", ":material/co_present:"),
    Page("data", ":material/database:"),
    Page("agreements", ":material/handshake:", view=False),   # the store's proposals and versions, not a view
)
VIEWS: tuple[str, ...] = tuple(p.key for p in PAGES if p.view)
