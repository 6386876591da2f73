"""Google Ads UI download, "Excel .csv".

Facts relied on (../shared/FORMATS.md, "Google Ads UI download", seen):
- UTF-16LE with BOM, tab-separated (the sniffer decodes it); two lines above the header (report
  name, date range); totals rows at the bottom labelled `Total: Account`, `Total: Search`, ...
  (skipped as summary rows by staging, never summed).
- Numbers with thousands commas (`64,518`, `3,429.21`), so the decimal mark is '.'; percent
  strings (`5.11%`) and `--` for empty.
- Columns like `Campaign`, `Campaign ID`, `Day`, `Currency code`, `Impr.`, `Clicks`, `Cost`,
  `Conversions`.

Detection: `Impr.` (Google's own abbreviation), or `Currency code` beside `Cost`.
A `Total: ...` label in the campaign column (a first column such as `Campaign status` holding
`--`) still marks a totals row: it is skipped, not rejected.
"""
from __future__ import annotations

from etl.formats import Format, has_all, has_any
from etl.sqlfiles import run


def transform(src, st, mapping) -> None:
    if "campaign" in st.columns:
        run(src.con, "update typed set kind = 'summary' where kind = 'data' and regexp_matches(campaign, $p)",
            {"p": r"(?i)^total(s)?\s*:"})


def detect(layout) -> bool:
    return has_any(layout, "Impr.") or has_all(layout, "Currency code", "Cost")


FORMAT = Format(
    name="google_ads", entity="ad_spend", source_system="google_ads",
    columns={"date": ("Day", "Date"), "campaign": ("Campaign", "Campaign name"),
             "campaign_id": ("Campaign ID",), "impressions": ("Impr.", "Impressions"),
             "clicks": ("Clicks",), "cost": ("Cost",), "currency": ("Currency code", "Currency")},
    options={"decimal": ".", "date_order": "mdy", "platform": "Google Ads"},
    detect=detect, transform=transform, doc=__doc__)
