"""Bitrix24 deal list, CSV export.

Facts relied on (../shared/FORMATS.md, "Bitrix24 deal list, CSV", seen in the CRM's own export
templates):
- UTF-8 with BOM, `;`, every cell written as `"...";` so each line ends with `;` (the sniffer
  ignores the trailing empty cell), inner quotes doubled.
- Labels `ID`, `Название сделки`, `Стадия сделки`, `Сумма`, `Валюта`, `Ответственный`,
  `Дата создания`, `Дата изменения`, `Предполагаемая дата закрытия`, `Источник`, `Компания`,
  `Сделка закрыта`; UTM columns titled `Рекламная система`, `Тип трафика`,
  `Обозначение рекламной кампании` [titles inferred].
- With products selected, each product row of a deal is its own line with the same ID and
  `Сумма` on it is price x quantity: the deal's amount is the SUM of its lines (option
  `sum_lines`, done in merge_deals.sql), not the last line.
- `Валюта` holds the currency's name (`Российский рубль`, `Доллар США`, `Евро`): data/currencies.csv
  aliases map it.
- Default stages won `Сделка успешна`, lost `Сделка провалена` (data/stages.csv); city is a user
  field (`Город`, found by the generic synonyms).

The close date is `Предполагаемая дата закрытия` (Bitrix sets it on closing), else
`Дата изменения`; an open deal's date is only a plan and is dropped.
Detection: `Стадия сделки` (amoCRM says `Этап сделки`) with `Сумма` or `Валюта`.
"""
from __future__ import annotations

from etl.formats import Format, closed_deals_only, has_all, has_any

FORMAT = Format(
    name="bitrix24", entity="deals", source_system="bitrix24",
    columns={"deal_id": ("ID",), "title": ("Название сделки", "Название"), "stage": ("Стадия сделки",),
             "amount": ("Сумма",), "currency": ("Валюта",), "manager": ("Ответственный",),
             "created_at": ("Дата создания",),
             "closed_at": ("Дата закрытия", "Предполагаемая дата закрытия", "Дата изменения"),
             "source": ("Источник",), "product": ("Товар", "Продукт"),
             "utm_source": ("Рекламная система", "UTM Source", "utm_source"),
             "utm_medium": ("Тип трафика", "UTM Medium", "utm_medium"),
             "utm_campaign": ("Обозначение рекламной кампании", "UTM Campaign", "utm_campaign")},
    options={"decimal": ",", "date_order": "dmy", "sum_lines": "true"},
    detect=lambda layout: has_all(layout, "Стадия сделки") and has_any(layout, "Сумма", "Валюта"),
    transform=closed_deals_only, doc=__doc__)
