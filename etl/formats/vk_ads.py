"""VK Ads statistics export.

Facts relied on (../shared/FORMATS.md, "VK Ads statistics", inferred: only the metrics are
documented: shows, clicks, spent, goals, Moscow time): Russian headers (`Дата`, `ID кампании`,
`Кампания`, `Показы`, `Клики`, `Потрачено, ₽`: the currency rides in the spend header and is
read from it), comma decimals, an `Итого` row at the end (skipped by staging).

Detection: a `Потрачено` spend column (its currency suffix ignored).
"""
from __future__ import annotations

from etl.formats import Format, has_any

FORMAT = Format(
    name="vk_ads", entity="ad_spend", source_system="vk_ads",
    columns={"date": ("Дата", "День"), "campaign": ("Кампания", "Название кампании", "Название"),
             "campaign_id": ("ID кампании",), "impressions": ("Показы",), "clicks": ("Клики",),
             "cost": ("Потрачено", "Потрачено всего", "Списано")},
    options={"decimal": ",", "date_order": "dmy", "platform": "VK Ads"},
    detect=lambda layout: has_any(layout, "Потрачено", "Потрачено всего"), doc=__doc__)
