"""Yandex Metrica report export, CSV (into `traffic`).

Facts relied on (../shared/FORMATS.md, "Yandex Metrica report export", seen): UTF-8 with BOM;
row 2 is the totals row `Итого и средние` (skipped by staging, never summed); dimensions such as
`UTM Source`, `UTM Campaign`; metrics `Визиты`, `Посетители`, `Отказы` (a fraction, not loaded),
`Глубина просмотра`, `Время на сайте`; `Не определено` for an empty dimension, loaded as NULL.
A report without a date dimension covers the period named in its title lines.

Detection: `Визиты` with a UTM dimension or another Metrica metric.
"""
from __future__ import annotations

from etl.formats import Format, has_any
from etl.sqlfiles import run

UNDEFINED = "не определено"


def transform(src, st, mapping) -> None:
    for f in ("utm_source", "utm_campaign"):
        if f in st.columns:  # field names from the format, the marker text as a parameter
            run(src.con, f"update typed set {f} = null where lower(trim({f})) = $u", {"u": UNDEFINED})


FORMAT = Format(
    name="yandex_metrica", entity="traffic", source_system="yandex_metrica",
    columns={"period_start": ("Дата визита", "Дата"), "utm_source": ("UTM Source",),
             "utm_campaign": ("UTM Campaign",), "visits": ("Визиты",), "visitors": ("Посетители",)},
    options={"date_order": "dmy"},
    detect=lambda layout: has_any(layout, "Визиты") and has_any(
        layout, "UTM Source", "UTM Campaign", "Посетители", "Отказы", "Глубина просмотра", "Время на сайте"),
    transform=transform, doc=__doc__)
