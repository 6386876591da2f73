"""The registry of pages: one list for the router, the views, the benchmarks and the browser tests."""
from __future__ import annotations

from dataclasses import dataclass

from model.users import ROLES, User

# The Data page's load history, rejected rows, reconciliation and data quality cover the whole company,
# not a region: a regional manager does not see it (row-level security would have nothing to cut by).
COMPANY_WIDE = frozenset(ROLES) - {"regional_manager"}


@dataclass(frozen=True)
class Page:
    key: str            # pages/<key>.py, title "page.<key>" in ui/locales, URL path (the overview is /)
    icon: str
    view: bool = True   # model/views/<key>.py says what it reads
    roles: frozenset[str] = frozenset(ROLES)    # who sees it in the menu and may open it

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
    Page("data", ":material/database:", roles=COMPANY_WIDE),
    Page("agreements", ":material/handshake:", view=False),   # the store's proposals and versions, not a view
)
VIEWS: tuple[str, ...] = tuple(p.key for p in PAGES if p.view)


def pages_for(user: User | None) -> tuple[Page, ...]:
    """The pages `user` may open, in menu order (nobody signed in: none)."""
    if user is None or user.disabled:
        return ()
    return tuple(p for p in PAGES if user.role in p.roles)
