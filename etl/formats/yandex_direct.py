"""Yandex Direct, Reports API report in TSV.

Facts relied on (../shared/FORMATS.md, "Yandex Direct, Reports API TSV", seen in the API docs):
- UTF-8, tab-separated; line 1 is the report title in quotes with the date range; line 2 holds
  the field names, CamelCase API identifiers (`Date`, `CampaignId`, `CampaignName`,
  `Impressions`, `Clicks`, `Cost`, `AvgCpc`, `Conversions`, ...); the last line is `Total rows: N`
  (skipped as a footer by staging).
- Money is in micros (roubles x 1,000,000, rounded to 10,000) unless the request asked
  otherwise; `--` marks a missing value. Days without impressions have no row.

Detection: every header name is a Reports API field (a file with other columns, e.g. our own
`Region`/`Currency` spend sheets, is not this export) and `Cost` is among them.
Micros: option `money = "micros" | "units"` decides; without it, a `Cost` header carrying a
currency (`Cost, RUB`) means units, else the money is taken as micros when every cost cell is a
whole multiple of 10,000 (micros are rounded to 10,000; `5000.5` or `1200` cannot be micros).
"""
from __future__ import annotations

import re

from etl.config import header_currency
from etl.formats import Format
from etl.sqlfiles import run

API_FIELDS = {
    "AdFormat", "AdGroupId", "AdGroupName", "AdId", "AdNetworkType", "Age", "AvgClickPosition", "AvgCpc",
    "AvgCpm", "AvgEffectiveBid", "AvgImpressionPosition", "AvgPageviews", "AvgTrafficVolume", "BounceRate",
    "Bounces", "CampaignId", "CampaignName", "CampaignType", "CampaignUrlPath", "CarrierType", "Clicks",
    "ClickType", "ClientLogin", "ConversionRate", "Conversions", "Cost", "CostPerConversion", "Criteria",
    "CriteriaId", "CriteriaType", "Criterion", "CriterionId", "CriterionType", "Ctr", "Date", "Device",
    "ExternalNetworkName", "Gender", "GoalsRoi", "Impressions", "ImpressionReach", "ImpressionShare",
    "IncomeGrade", "Keyword", "LocationOfPresenceId", "LocationOfPresenceName", "MatchedKeyword",
    "MatchType", "MobilePlatform", "Month", "Placement", "Profit", "Quarter", "Query", "Revenue",
    "RlAdjustmentId", "Sessions", "Slot", "TargetingCategory", "TargetingLocationId",
    "TargetingLocationName", "Week", "Year",
}
GOAL_FIELD = re.compile(r"^(Conversions|ConversionRate|CostPerConversion|GoalsRoi|Revenue)_\w+$")
MICROS_STEP = 10_000


def detect(layout) -> bool:
    names = [h.strip() for h in layout.header]
    return "Cost" in names and all(n in API_FIELDS or GOAL_FIELD.match(n) for n in names)


def transform(src, st, mapping) -> None:
    """Money from micros to roubles (see the module docstring for when)."""
    if "cost" not in st.columns:
        return
    money = str(mapping.options.get("money", "auto")).lower()
    if money == "auto":
        if header_currency(src.layout.header[st.columns["cost"]]):
            return
        [(n, whole)] = run(src.con, "select count(cost), coalesce(bool_and(cost = round(cost / $step) * $step), "
                                    "false) from typed where kind = 'data' and cost is not null",
                           {"step": MICROS_STEP})
        money = "micros" if n and whole else "units"
    if money == "micros":
        run(src.con, "update typed set cost = cost / 1000000 where cost is not null")
        st.note("micros", "Cost in micros: divided by 1,000,000")


FORMAT = Format(
    name="yandex_direct", entity="ad_spend", source_system="yandex_direct",
    columns={"date": ("Date",), "campaign": ("CampaignName", "CampaignId"), "campaign_id": ("CampaignId",),
             "impressions": ("Impressions",), "clicks": ("Clicks",), "cost": ("Cost",),
             "region": ("TargetingLocationName", "LocationOfPresenceName")},
    options={"decimal": ".", "platform": "Yandex Direct"},
    detect=detect, transform=transform, doc=__doc__)
