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

The UI downloads in the user's language [I: FORMATS.md names the English columns only]: in Russian
`Кампания`, `Идентификатор кампании`, `День`, `Код валюты`, `Показы`, `Клики`, `Стоимость`, totals
`Всего: аккаунт` / `Итого: ...`, numbers `3 429,21` (decimal comma). `Код валюты` beside `Стоимость`
recognises it as `Currency code` beside `Cost` does.
"""
from __future__ import annotations

from etl.formats import Format, has_all, has_any
from etl.sqlfiles import run


def transform(src, st, mapping) -> None:
    if "campaign" in st.columns:
        run(src.con, "update typed set kind = 'summary' where kind = 'data' and regexp_matches(campaign, $p)",
            {"p": r"(?i)^(totals?|всего|итого)\s*:"})


def detect(layout) -> bool:
    return (has_any(layout, "Impr.") or has_all(layout, "Currency code", "Cost")
            or has_all(layout, "Код валюты", "Стоимость"))


def layout_options(layout) -> dict[str, str]:
    """A download in Russian writes decimal commas («3 429,21»)."""
    return {"decimal": ","} if layout.cyrillic else {}


FORMAT = Format(
    name="google_ads", entity="ad_spend", source_system="google_ads",
    columns={"date": ("Day", "Date", "День"), "campaign": ("Campaign", "Campaign name", "Кампания"),
             "campaign_id": ("Campaign ID", "Идентификатор кампании"),
             "impressions": ("Impr.", "Impressions", "Показы"),
             "clicks": ("Clicks", "Клики"), "cost": ("Cost", "Стоимость"),
             "currency": ("Currency code", "Currency", "Код валюты")},
    options={"decimal": ".", "date_order": "mdy", "platform": "Google Ads"},
    detect=detect, transform=transform, layout_options=layout_options, doc=__doc__)
