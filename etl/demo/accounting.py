"""1c_sales.csv: the accounting system's sales report (invoices, returns, sales the CRM lacks)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.compute as pc

from etl.demo.company import AMOUNT_SIGMA, CUSTOMERS, NBSP, PRODUCT_NAMES, PRODUCTS, REGION_NAMES, REGION_WEIGHT
from etl.demo.draws import draw_products, sample
from etl.demo.tally import Tally
from etl.demo.world import World
from etl.demo.writer import coded, csv_lines, dates, fixed, ints


def draw_invoices(w: World, rng: np.random.Generator, tally: Tally) -> tuple[dict, dict]:
    """1C lines: won deals' invoices minus a few lost in accounting, plus returns and strangers."""
    inv = {k: np.concatenate([c[k] for c in tally.invoices]) for k in tally.invoices[0]}
    n = inv["deal"].size
    missing = np.sort(rng.choice(n, min(n, 3 + int(rng.integers(0, 8)) + min(n // 5000, 190)), replace=False))
    keep = np.ones(n, bool)
    keep[missing] = False
    sales = {k: v[keep] for k, v in inv.items()}
    ret = np.flatnonzero(rng.random(sales["deal"].size) < 0.01)
    ret_day = sales["day"][ret] + rng.integers(5, 60, ret.size)
    ret, ret_day = ret[ret_day < w.n_days], ret_day[ret_day < w.n_days]
    returns = {k: v[ret] for k, v in sales.items()}
    returns["day"] = ret_day
    returns["kop"] = -np.where(rng.random(ret.size) < 0.8, returns["kop"], returns["kop"] // 2)  # some partial
    orphans = _orphan_invoices(w, rng, 3 + int(rng.integers(0, 8)) + min(n // 8000, 150))
    parts = [(sales, 0), (returns, 1), (orphans, 0)]
    lines = {k: np.concatenate([p[k] for p, _ in parts]) for k in sales}
    lines["kind"] = np.concatenate([np.full(p["deal"].size, kind) for p, kind in parts])
    order = np.lexsort((lines["deal"], lines["kind"], lines["day"]))
    lines = {k: v[order] for k, v in lines.items()}
    return lines, {"missing_deal_ids": inv["deal"][missing].tolist(), "returns": int(ret.size),
                   "orphans": int(orphans["deal"].size)}


def _orphan_invoices(w: World, rng: np.random.Generator, k: int) -> dict:
    """Sales posted in 1C that nobody entered in the CRM."""
    day = rng.integers(0, w.n_days, k)
    product = draw_products(rng, day >= w.launch)
    rub = np.array([p[1] for p in PRODUCTS])[product] * np.exp(AMOUNT_SIGMA * rng.standard_normal(k))
    return {"day": day, "region": sample(rng, REGION_WEIGHT, k), "product": product,
            "customer": rng.integers(0, len(CUSTOMERS), k), "kop": (np.round(rub / 500) * 50_000).astype(np.int64),
            "deal": np.full(k, -1)}


def write_1c(path: Path, w: World, lines: dict) -> dict:
    """cp1251 report as 1C saves it: title lines, header, detail rows, and a final Итого row."""
    kind, n = lines["kind"], lines["kind"].size
    number = np.zeros(n, np.int64)
    for k in (0, 1):                          # sales and returns are numbered separately
        number[kind == k] = np.arange(1, (kind == k).sum() + 1)
    date = dates(w.horizon[lines["day"]].astype(np.int64), "ru")
    title = coded(["Реализация товаров и услуг", "Возврат товаров от покупателя"], kind, ";")
    doc = pc.binary_join_element_wise(title, pc.utf8_lpad(ints(number), width=8, padding="0"), "от", date, " ")
    qty = np.where(kind == 1, -1000, 1000)
    cols = [date, coded(REGION_NAMES, lines["region"], ";"), doc, coded(CUSTOMERS, lines["customer"], ";"),
            coded(PRODUCT_NAMES, lines["product"], ";"), fixed(qty, 3, NBSP), fixed(lines["kop"], 2, NBSP)]
    period = f"{w.start.strftime('%d.%m.%Y')} - {w.end.strftime('%d.%m.%Y')}"
    head = ["Продажи", f"Период: {period}", "Показатели: Количество, Сумма", "",
            "Дата;Регион;Документ продажи;Контрагент;Номенклатура;Количество;Сумма"]
    total_qty, total_kop = int(qty.sum()), int(lines["kop"].sum())
    footer = "Итого;;;;;" + fixed(np.array([total_qty]), 3, NBSP)[0].as_py() + ";" \
        + fixed(np.array([total_kop]), 2, NBSP)[0].as_py() + "\r\n"
    with open(path, "wb") as fh:
        fh.write("\r\n".join([*head, ""]).encode("cp1251"))
        for s in range(0, n, 500_000):       # re-encode in slices to bound memory
            fh.write(csv_lines([c[s:s + 500_000] for c in cols], ";", "\r\n").decode("utf-8").encode("cp1251"))
        fh.write(footer.encode("cp1251"))
    return {"detail_rows": n, "quantity": total_qty / 1000, "amount": total_kop / 100,
            "returns_amount": int(lines["kop"][kind == 1].sum()) / 100,
            "note": "detail rows only: the final Итого row repeats the total and is not a sale"}
