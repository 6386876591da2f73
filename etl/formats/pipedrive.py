"""Pipedrive deals export.

Facts relied on (../shared/FORMATS.md, "Pipedrive deals", seen): `Deal - ID`, `Deal - Title`,
`Deal - Value`, `Deal - Currency of value`, `Deal - Status` (`Won`/`Lost`/`Open`, some exports
lower case: statuses are matched case-insensitively), `Deal - Stage`, `Deal - Owner`,
`Deal - Organization`, `Deal - Deal created`, `Deal - Won time`, `Deal - Lost time`,
`Deal - Expected close date`, `Deal - Lost reason`, `Deal - Pipeline`.

`Deal - Status` can also be `deleted` (Pipedrive's API lists open/won/lost/deleted): data/stages.csv
maps it to lost, with the reason there; any other status text it does not know is listed on the Data
page (dq_unrecognised, stage dimension, field status) and the deal takes its stage's status.
closed_at is whichever of `Deal - Won time` / `Deal - Lost time` is set (the expected close date
is a plan, not a close).
Detection: any `Deal - Value` / `Deal - Title` / `Deal - ID` column.
"""
from __future__ import annotations

from etl.formats import Format, column, has_any, raw_timestamp_fill

LOST_TIME = ("Deal - Lost time",)


def transform(src, st, mapping) -> None:
    lost = column(src.layout.header, LOST_TIME)
    if "closed_at" in st.columns and lost is not None and lost != st.columns["closed_at"]:
        raw_timestamp_fill(src, st, "closed_at", lost, mapping.options.get("date_order") == "dmy")


FORMAT = Format(
    name="pipedrive", entity="deals", source_system="pipedrive",
    columns={"deal_id": ("Deal - ID",), "title": ("Deal - Title",), "amount": ("Deal - Value",),
             "currency": ("Deal - Currency of value", "Deal - Currency"), "status": ("Deal - Status",),
             "stage": ("Deal - Stage",), "manager": ("Deal - Owner",),
             "created_at": ("Deal - Deal created", "Deal - Add time", "Deal - Created"),
             "closed_at": ("Deal - Won time", "Deal - Close time", "Deal - Lost time"),
             "lost_reason": ("Deal - Lost reason",), "source": ("Deal - Source", "Deal - Source origin")},
    options={"decimal": ".", "date_order": "mdy"},
    detect=lambda layout: has_any(layout, "Deal - Value", "Deal - Title", "Deal - ID"),
    transform=transform, doc=__doc__)
