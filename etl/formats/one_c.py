"""1C sales report saved as CSV (into `sales`).

Facts relied on (../shared/FORMATS.md, "1C sales report saved as CSV", inferred: no public sample):
- cp1251 (decoded by the sniffer), `;`, Excel quoting; report title lines (`Продажи`,
  `Период: ...`, `Показатели: ...`, `Группировки строк: ...`, `Отбор: ...`) above the header
  `Регион;Документ продажи;Контрагент;Номенклатура;Количество;Сумма`.
- Grouped rows: a region row holding the group's subtotals (first cell = region, the descriptive
  cells empty), then its detail rows with the first cell EMPTY; a final `Итого` row. Summing
  every numeric row would triple-count: group rows are skipped (counted as summary lines), each
  detail row takes the region of the group row above it, `Итого` is skipped by staging. With a
  second grouping (`Группировки строк: Регион, Контрагент`) the inner subtotal rows have no
  document either: when most rows carry a document, a row without one is a subtotal.
- Numbers as displayed: `2 436 000,00` with NBSP thousands, `1,000` = one unit (Russian locale,
  three decimals: option decimal ','); returns are negative rows.
- No date column in the grouped layout: the sale date is inside the document text
  (`Реализация товаров и услуг 00000123 от 12.03.2025 14:22:01`), read with option
  `date_in_text`. A flat layout with a `Дата` column uses that column.

Detection: `Документ продажи` or `Номенклатура` with `Контрагент` and `Сумма`.
"""
from __future__ import annotations

from etl.formats import Format, has_all, has_any
from etl.sqlfiles import run


def transform(src, st, mapping) -> None:
    """Group rows out (as summary lines), their region filled down into the detail rows below."""
    if "region" not in st.columns:
        return
    detail = [f for f in ("document", "customer", "product") if f in st.columns]
    if not detail:
        return
    empty = " and ".join(f"{f} is null" for f in detail)  # field names from the format, not the file
    run(src.con, f"update typed set kind = 'summary' where kind = 'data' and region is not null and {empty}")
    if "document" in st.columns:
        # deeper groupings (Регион, then Контрагент or Номенклатура): their subtotal rows carry no
        # document while the sale lines all do, so a row without one is a subtotal at any level
        run(src.con, "update typed set kind = 'summary' where kind = 'data' and document is null "
                     "and (select count(*) filter (where document is not null) * 2 > count(*) "
                     "     from typed where kind = 'data')")
    run(src.con, "update typed set region = g.region from ("
                 "  select rn, last_value(case when kind = 'summary' then region end ignore nulls) "
                 "  over (order by rn rows between unbounded preceding and current row) as region from typed) g "
                 "where typed.rn = g.rn and typed.kind = 'data' and typed.region is null and g.region is not null")


FORMAT = Format(
    name="1c", entity="sales", source_system="1c",
    columns={"sale_date": ("Дата", "Дата документа", "Дата продажи", "Период", "Документ продажи",
                           "Документ", "Регистратор"),
             "document": ("Документ продажи", "Документ", "Регистратор"), "region": ("Регион", "Город"),
             "customer": ("Контрагент", "Покупатель"), "product": ("Номенклатура", "Товар"),
             "quantity": ("Количество",), "amount": ("Сумма", "Выручка", "Сумма продажи")},
    options={"decimal": ",", "date_order": "dmy", "date_in_text": "true"},
    detect=lambda layout: has_any(layout, "Документ продажи", "Номенклатура")
    and has_all(layout, "Контрагент") and has_any(layout, "Сумма", "Выручка"),
    transform=transform, doc=__doc__)
