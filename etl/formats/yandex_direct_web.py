"""Yandex Direct, a statistics report downloaded from the web interface (Мастер отчётов), CSV.

../shared/FORMATS.md has no entry for it (it describes the Reports API's TSV, etl/formats/yandex_direct.py).
Facts relied on, from public code that reads this download (found with the search tool; the index gave
the files' text but not their repositories' names):
- a Python script that matches the report with API statistics: `pd.read_csv(file_report, skiprows = 4,
  sep = ';')` of `./report/2023-07-26_2023-08-05_gorodinvestorov-new.csv`, columns `Дата` (parsed
  `%d.%m.%Y`), `Кампания`, `№ Кампании`, `Группа`, `№ Группы`, `№ Объявления` (`M-` before some ids),
  `Условие показа`, `№ Условия показа`, `Тип условия показа`, `Тип площадки` (`поиск` / `сети`),
  `Показы`, `Клики` (integers), `Расход (руб.)` (a decimal comma, replaced by a point);
- a Java importer of the daily report (`com.xalap.crm.service.cost.yandex.YandexDirectImporter`,
  2020): `;`-separated, lines above the header skipped up to the one holding `Дата`, columns `Дата`,
  `Показы`, `Клики`, `CTR (%)`, `Расход (руб.)`, `Ср. цена клика (руб.)`, `Глубина (стр.)`; the
  spend a decimal comma, the date in Russian form.
So: `;`, UTF-8 (both read it with the platform's default), title lines above the header (their
text is not known; staging finds the header), day-first dates, comma decimals, the currency in the
spend header (`руб.` is RUB). A report without a campaign column (the second layout) names no
campaign, which ad_spend needs: it fails asking for one, as any such file does.

Detection: a header the web report writes and the API never does (`№ Кампании`, `№ Группы`,
`№ Объявления`, `Ср. цена клика (руб.)`) beside `Расход (руб.)`.
"""
from __future__ import annotations

from etl.formats import Format, has_any

FORMAT = Format(
    name="yandex_direct_web", entity="ad_spend", source_system="yandex_direct",
    columns={"date": ("Дата",), "campaign": ("Кампания", "№ Кампании"), "campaign_id": ("№ Кампании",),
             "impressions": ("Показы",), "clicks": ("Клики",), "cost": ("Расход (руб.)",)},
    options={"decimal": ",", "date_order": "dmy", "platform": "Yandex Direct"},
    detect=lambda layout: has_any(layout, "№ Кампании", "№ Группы", "№ Объявления", "Ср. цена клика (руб.)")
    and has_any(layout, "Расход (руб.)"),
    doc=__doc__)
