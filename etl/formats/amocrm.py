"""amoCRM / Kommo deals export, both generations.

Facts relied on (../shared/FORMATS.md, "amoCRM / Kommo deals", seen in public importers):
- Newer: `;`-delimited UTF-8 with Russian headers `ID`, `Название сделки`, `Бюджет`,
  `Ответственный`, `Дата создания`, `Дата закрытия`, `Этап сделки`, `Воронка`,
  `Основной контакт`, `Компания`, custom fields, then `utm_source` ... `utm_term`.
- Older: a wide comma-delimited export (~76 columns) where some names repeat (`Товар`,
  `Источник`: the sniffer renames repeats `Источник (2)`; the first one is used), `utm_*`,
  `_ym_uid`, `roistat`, `gclid`, `yclid` near the end; dates like `02-01-2006 15:04:05`
  (day first). Both delimiters and both encodings (utf-8-sig, cp1251) occur.
- `Бюджет` is an integer in roubles in the old export; dates `DD.MM.YYYY HH:MM:SS`.
  Closed stages `Успешно реализовано` (won), `Закрыто и не реализовано` (lost) (data/stages.csv).

Detection: `Бюджет` with `Этап сделки`, `Воронка`, `Основной контакт` or the old export's
tracking columns (`_ym_uid`, `roistat`, `gclid`, `yclid`); or with a bare `Этап`/`Статус` and a
creation date (an activity sheet has `Бюджет` and `Статус` too).
"""
from __future__ import annotations

from etl.formats import Format, has_any

CREATED = ("Дата создания", "Дата создания сделки", "Создана")


def detect(layout) -> bool:
    if not has_any(layout, "Бюджет"):
        return False
    strong = has_any(layout, "Этап сделки", "Воронка", "Основной контакт", "_ym_uid", "roistat", "gclid", "yclid")
    # a bare `Этап`/`Статус` beside `Бюджет` is also a plan or an activity sheet: a creation date tells deals
    return strong or (has_any(layout, "Этап", "Статус") and has_any(layout, *CREATED))


FORMAT = Format(
    name="amocrm", entity="deals", source_system="amocrm",
    columns={"deal_id": ("ID", "ID сделки"), "title": ("Название сделки", "Название", "Сделка"),
             "amount": ("Бюджет",), "manager": ("Ответственный",), "created_at": CREATED,
             "closed_at": ("Дата закрытия",), "stage": ("Этап сделки", "Этап", "Статус"),
             "utm_source": ("utm_source",), "utm_medium": ("utm_medium",), "utm_campaign": ("utm_campaign",)},
    options={"date_order": "dmy"},
    detect=detect, doc=__doc__)
