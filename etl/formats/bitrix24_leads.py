"""Bitrix24 lead list, CSV or "Excel" (HTML table saved as .xls) export.

Facts relied on: ../shared/FORMATS.md, "Bitrix24 deal list": the lead list is exported by the same CRM
the same way (UTF-8 with BOM, `;`, every cell quoted and each line ending in `;`; the "Excel" export an
HTML table saved as `.xls`). The lead list's own labels, seen in the CRM's lead list component in a public
mirror of its code (crm.lead.list, lang/ru): `ID`, `Название лида`, `Статус` (newer portals title the
column `Стадия`), `Дополнительно о статусе`, `Источник`, `Дополнительно об источнике`, `Ответственный`,
`Дата создания`, `Дата изменения`, and `Сумма`/`Возможная сумма` with `Валюта` (the lead's expected
amount). Default statuses (crm.status.list, ENTITY_ID=STATUS): «Не обработан», «В работе», «Обработан»,
«Качественный лид» (converted), «Некачественный лид» (junk): data/lead_statuses.csv maps them. City is a
user field (`Город`, found by the generic synonyms), UTM columns as in the deal list.

Why a format: the lead list carries `ID`, `Дата создания` and `Сумма`, so by its headers alone it covers a
deal file's required columns and was loaded as 520 deals of amount 0. `Название лида` (or the status
note column) says what it is; the leads are the deals' own system's (`bitrix24`), so a deal naming its lead
finds it there first.
"""
from __future__ import annotations

from etl.formats import Format, has_any

FORMAT = Format(
    name="bitrix24_leads", entity="leads", source_system="bitrix24",
    columns={"lead_id": ("ID",), "created_at": ("Дата создания",),
             "status": ("Статус", "Стадия", "Статус лида", "Стадия лида"), "source": ("Источник",),
             "manager": ("Ответственный",),
             "utm_source": ("Рекламная система", "UTM Source", "utm_source"),
             "utm_medium": ("Тип трафика", "UTM Medium", "utm_medium"),
             "utm_campaign": ("Обозначение рекламной кампании", "UTM Campaign", "utm_campaign")},
    options={"decimal": ",", "date_order": "dmy"},
    detect=lambda layout: has_any(layout, "Название лида", "Дополнительно о статусе"), doc=__doc__)
