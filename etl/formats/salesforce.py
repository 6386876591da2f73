"""Salesforce opportunity report, "Comma Delimited .csv".

Facts relied on (../shared/FORMATS.md, "Salesforce opportunity report", seen):
- All fields quoted; first column `Opportunity Owner`.
- A footer of blank lines, `"Grand Totals (N records)"`, `"Confidential Information - Do Not
  Distribute"` and a copyright line; summary reports add `Total` rows. Staging skips all of them
  (summary/note lines), so they are never loaded or summed.
- Dates `M/D/YYYY` in US orgs [inferred]: date_order mdy (a day part above 12 still shows d/m).
- `Amount Currency` beside `Amount` in multi-currency orgs [inferred].

A tabular report need not include `Opportunity ID`; the opportunity name is then the deal key.
`Close Date` of an open opportunity is its expected date and is dropped.
Detection: any of `Opportunity Owner`, `Opportunity Name`, `Opportunity ID`.
"""
from __future__ import annotations

from etl.formats import Format, closed_deals_only, has_any

FORMAT = Format(
    name="salesforce", entity="deals", source_system="salesforce",
    columns={"deal_id": ("Opportunity ID", "Opportunity Name"), "title": ("Opportunity Name",),
             "manager": ("Opportunity Owner",), "stage": ("Stage",), "amount": ("Amount",),
             "currency": ("Amount Currency", "Opportunity Currency", "Currency"),
             "created_at": ("Created Date", "Create Date"), "closed_at": ("Close Date",),
             "source": ("Lead Source",), "region": ("Billing State/Province", "Billing City", "Region")},
    options={"decimal": ".", "date_order": "mdy"},
    detect=lambda layout: has_any(layout, "Opportunity Owner", "Opportunity Name", "Opportunity ID"),
    transform=closed_deals_only, doc=__doc__)
