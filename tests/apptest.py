"""Helpers the page tests share: run the app as a user would (AppTest), read what it shows."""
from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

from model.users import User
from ui.auth import USER

ROOT = Path(__file__).resolve().parent.parent
# The fixture company's data (tests/data/wh) covers January to March 2025.
Q1_2025 = {"period": "custom", "from": "2025-01-01", "to": "2025-03-31"}
# The page tests' default user: sees every region and may load data (access tests pass their own).
ADMIN = User(login="admin", name="Admin", role="data_admin")


def run_app(page: str = "overview", lang: str | None = None, user: User | None = ADMIN, **query) -> AppTest:
    """app.py with ?lang= and filter parameters as `user` (signed in; None: nobody), switched to
    pages/<page>.py; no exception allowed."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if user is not None:
        at.session_state[USER] = user
    if lang:
        at.query_params["lang"] = lang
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_tab(at: AppTest, page: str, tab: str) -> AppTest:
    """Opens one of the tabs a page draws only when open (pages/data.py; pages/regions.py's drill-down) as a
    click does: the tabs' state, keyed per language, becomes the tab's label, and the page reruns."""
    from ui.i18n import t

    lang = at.query_params.get("lang") or "ru"
    lang = lang[0] if isinstance(lang, list) else lang
    key, label = {"data": (f"data_tab_{lang}", f"data.tab.{tab}"),
                  "regions": (f"region_tab_{lang}", f"regions.{tab}")}[page]
    at.session_state[key] = t(label, lang)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def record_queries(monkeypatch) -> list[str]:
    """The names of the queries the app asks ui.db for from now on (cached or not), in order."""
    from ui import db

    asked: list[str] = []
    query = db.query

    def counted(name, params=None, *args, **kwargs):
        asked.append(name)
        return query(name, params, *args, **kwargs)

    monkeypatch.setattr(db, "query", counted)
    return asked


def record_files(monkeypatch) -> dict[str, bytes]:
    """Every download the page offers from now on, built at once as if clicked: file name -> bytes."""
    import ui.trail

    built: dict[str, bytes] = {}
    real = ui.trail.exported

    def exported(build, target, detail, lang_, user=None):
        data = real(build, target, detail, lang_, user)
        built[target] = data()
        return data

    monkeypatch.setattr(ui.trail, "exported", exported)
    return built


def sql(path: Path, text: str, params: dict | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(text, params).fetchall()
    finally:
        con.close()


def sql_one(path: Path, text: str, params: dict | None = None):
    return sql(path, text, params)[0][0]


def amount_shown(text: str, lang: str) -> Decimal:
    """'1 380 001 ₽' / '1,380,001 RUB' / 'Точно: 1 380 000,50 ₽' -> the number."""
    text = text.replace("\u2212", "-")     # Russian writes the minus sign, U+2212
    digits = re.sub(r"[^\d,.\-]", "", text.replace("\u00a0", "").replace("\u202f", ""))
    digits = digits.replace(",", ".") if lang == "ru" else digits.replace(",", "")
    return Decimal(digits.strip("."))


UNITS = {"тыс.": 10**3, "млн": 10**6, "млрд": 10**9, "трлн": 10**12, "K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}


def tick_value(text: str, lang: str) -> float:
    """An axis label back to its number as a reader takes it: '1,5 млн' / '1.5M' / '-4 млн' / '2 000';
    fails on anything else (a raw '200000000', an English label in the Russian UI, a Russian label with a
    hyphen for the minus sign: Russian writes '−4 млн', U+2212)."""
    m = re.fullmatch(r"(\u2212?[\d\u00a0,.]+?)\u00a0?(тыс\.|млн|млрд|трлн)?" if lang == "ru"
                     else r"(-?[\d,.]+?)(K|M|B|T)?", text)
    assert m, (text, lang)
    digits = m.group(1).replace("\u00a0", "").replace("\u2212", "-")
    digits = digits.replace(",", ".") if lang == "ru" else digits.replace(",", "")
    return float(Decimal(digits) * UNITS.get(m.group(2) or "", 1))


def metric(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert len(found) == 1, (label, [m.label for m in at.metric])
    return found[0]


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def chart(at: AppTest, title_part: str) -> dict:
    found = [c for c in charts(at) if title_part in (c["layout"].get("title") or {}).get("text", "")]
    assert len(found) == 1, (title_part, [(c["layout"].get("title") or {}).get("text") for c in charts(at)])
    return found[0]


def values(trace: dict, axis: str = "y") -> list:
    """A trace's x or y as a list: plotly sends numeric arrays as base64 typed arrays."""
    data = trace.get(axis)
    if isinstance(data, dict) and "bdata" in data:
        import base64

        import numpy as np
        flat = np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"]))
        if "shape" in data:   # 2-D (heatmap z): "rows, cols"
            flat = flat.reshape([int(n) for n in str(data["shape"]).split(",")])
        return flat.tolist()
    return list(data or [])


def texts(at: AppTest) -> str:
    """Every markdown, caption and info text on the page, joined: for "the page says X" checks."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [w.value for w in at.warning] + [s.value for s in at.success]
    return "\n".join(parts)


# Won deals with no source, no utm tags, no lead and no touches, as an amoCRM export writes them
# (tests/data/wh/deals_amo.csv's layout): revenue no channel can be credited with. 201 and 202 close
# inside UNATTRIBUTED_PERIOD in Москва and Казань (202 in USD, at 90), 203 after it.
NO_SOURCE_DEALS = (
    "ID;Название сделки;Бюджет;Валюта;Ответственный;Дата создания;Дата закрытия;Этап сделки;Город;"
    "Источник;utm_source;utm_medium;utm_campaign;ID лида\n"
    '201;Склад без источника;"500 000,00";RUB;Анна Смирнова;02.02.2025 10:00:00;12.02.2025 12:00:00;'
    "Успешно реализовано;Москва;;;;;\n"
    '202;Кафе без источника;"7 000";USD;Ирина Ли;03.01.2025 10:00:00;28.01.2025 12:00:00;'
    "Успешно реализовано;Казань;;;;;\n"
    '203;Офис без источника;"90 000";RUB;Олег Петров;03.02.2025 10:00:00;20.03.2025 12:00:00;'
    "Успешно реализовано;Москва;;;;;\n")
UNATTRIBUTED_PERIOD = {"period": "custom", "from": "2025-01-21", "to": "2025-02-20", "regions": "Москва,Казань"}
UNATTRIBUTED_EXPECTED = 500_000 + 7_000 * 90


def load_company(folder: Path, files: list[Path]) -> tuple[Path, dict[str, dict]]:
    """A company's files through etl.load.load_files, in the order given, into folder/warehouse.duckdb (for a
    module-scoped fixture: $PARITY_DB is set for the load only); the warehouse and file name -> its report."""
    import pytest

    from etl.load import load_files

    mp = pytest.MonkeyPatch()
    mp.setenv("PARITY_DB", str(folder / "warehouse.duckdb"))
    try:
        result = load_files(files, progress=False)
    finally:
        mp.undo()
    assert result["ok"], result
    return folder / "warehouse.duckdb", {Path(f["file"]).name: f for f in result["files"]}


def load_no_source_deals(folder: Path) -> None:
    """Loads NO_SOURCE_DEALS through the real ETL into the warehouse at $PARITY_DB."""
    from etl.load import load_files

    path = folder / "deals_amo_no_source.csv"
    path.write_text(NO_SOURCE_DEALS, encoding="utf-8-sig")
    result = load_files([path], progress=False)
    assert result["ok"], result


# A plan that covers November alone, as a finance team writes it (';', quoted amounts with spaces,
# months as 01.11.2026), and amoCRM deals won in November (windows-1251): a period of 01.11-31.12 has
# plan for 30 of its 61 days, so a forecast of all of it must not be compared with it.
PARTIAL_PLAN = ("Месяц;Регион;Продукт;Показатель;План;Ответственный\n"
                '01.11.2026;Москва;;revenue;"1 000 000";sales\n'
                "01.11.2026;Москва;;leads;40;marketing\n")
PARTIAL_PLAN_DEALS = (
    "ID;Название сделки;Бюджет;Валюта;Ответственный;Дата создания;Дата закрытия;Этап сделки;Город;"
    "Источник;utm_source;utm_medium;utm_campaign;ID лида\n"
    '7001;Склад;"300 000";RUB;Анна Смирнова;02.11.2026 10:00:00;10.11.2026 12:00:00;Успешно реализовано;мск;'
    "Сайт;;;;\n"
    '7002;Офис;"300 000";RUB;Анна Смирнова;03.11.2026 10:00:00;30.11.2026 12:00:00;Успешно реализовано;мск;'
    "Сайт;;;;\n")
PARTIAL_PLAN_PERIOD = {"period": "custom", "from": "2026-11-01", "to": "2026-12-31"}


# ... and a deal won in December, a month the plan does not cover: the period's revenue is 800 000 over
# 61 days, November's 600 000 over the 30 the plan (1 000 000) covers
PARTIAL_PLAN_DECEMBER_DEAL = ('7003;Стеллажи;"200 000";RUB;Анна Смирнова;01.12.2026 10:00:00;15.12.2026 12:00:00;'
                              "Успешно реализовано;мск;Сайт;;;;\n")


def load_partial_plan(folder: Path, december: bool = False) -> None:
    """Loads PARTIAL_PLAN and PARTIAL_PLAN_DEALS (with `december`, PARTIAL_PLAN_DECEMBER_DEAL too) through
    the real ETL into the warehouse at $PARITY_DB."""
    from etl.load import load_files

    (folder / "plan.csv").write_text(PARTIAL_PLAN, encoding="utf-8")
    deals = PARTIAL_PLAN_DEALS + (PARTIAL_PLAN_DECEMBER_DEAL if december else "")
    (folder / "amo_deals.csv").write_text(deals, encoding="cp1251")
    result = load_files([folder / "plan.csv", folder / "amo_deals.csv"], progress=False)
    assert result["ok"], result
