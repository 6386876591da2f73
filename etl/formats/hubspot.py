"""HubSpot deals export.

Facts relied on (../shared/FORMATS.md, "HubSpot deals", seen for the header style):
- All fields quoted; `"Record ID","Deal Name","Deal Stage","Close Date","Deal owner","Amount",
  "Pipeline"`, plus `Create Date` and traffic-source / custom UTM properties [inferred].
- Stages `Closed Won`, `Closed Lost`, others open; exports may carry the internal stage ids
  (`closedwon`, `closedlost`, `appointmentscheduled`, ...): both are in data/stages.csv.

`Close Date` of an open deal is its expected date and is dropped.
Detection: `Record ID` with `Deal Name` or `Deal Stage`.
"""
from __future__ import annotations

from etl.formats import Format, closed_deals_only, has_all, has_any

FORMAT = Format(
    name="hubspot", entity="deals", source_system="hubspot",
    columns={"deal_id": ("Record ID", "Deal ID"), "title": ("Deal Name",), "stage": ("Deal Stage",),
             "closed_at": ("Close Date",), "created_at": ("Create Date", "Created Date"),
             "manager": ("Deal owner", "Deal Owner"), "amount": ("Amount", "Amount in company currency"),
             "currency": ("Currency", "Deal currency code"),
             "source": ("Original Traffic Source", "Original Source Type", "Original Source"),
             "utm_source": ("UTM Source", "utm_source"), "utm_medium": ("UTM Medium", "utm_medium"),
             "utm_campaign": ("UTM Campaign", "utm_campaign")},
    options={"decimal": ".", "date_order": "mdy"},
    detect=lambda layout: has_all(layout, "Record ID") and has_any(layout, "Deal Name", "Deal Stage"),
    transform=closed_deals_only, doc=__doc__)
