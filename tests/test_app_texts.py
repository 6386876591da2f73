"""What a Russian reader sees on every page (AppTest on the fixture warehouse): metric cards that wrap rather
than cut, notes without a direction arrow, empty cells as "—", Streamlit's widget texts replaced where
Streamlit allows it, and every text key in both languages."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto

import model.pages as model_pages
from tests.apptest import Q1_2025, metric, open_tab, run_app
from ui import fmt
from ui.i18n import LOCALES, TEXT, t

PAGES = ["overview", "regions", "plan_fact", "funnel", "joint_plan", "contribution", "impact", "meeting", "data",
         "agreements"]


def with_parents(at):
    """(element, its parent block) for every element of the page."""
    out = []

    def walk(node, parent):
        for child in getattr(node, "children", {}).values():
            out.append((child, parent))
            walk(child, child)
    walk(at._tree, None)
    return out


@pytest.mark.parametrize("page", PAGES)
def test_page_texts_in_russian(warehouse, page):
    at = run_app(page, "ru", **Q1_2025)
    found = with_parents(at)
    metrics = [(e, p) for e, p in found if e.type == "metric"]
    for m, parent in metrics:
        box = parent.proto.flex_container
        # a wrapping row: the card keeps its full label and value at any width (st.columns cut them)
        assert box.direction == box.Direction.HORIZONTAL and box.wrap, (page, m.label)
        if m.proto.body and m.proto.delta:
            assert m.proto.direction == MetricProto.MetricDirection.NONE, (page, m.label, m.proto.delta)
    for df in at.dataframe:
        assert df.proto.placeholder == fmt.DASH          # an empty cell reads "—", not "None"
    for box in at.selectbox:
        assert box.proto.placeholder == t("widget.choose", "ru"), (page, box.label)
    for box in at.multiselect:
        assert box.proto.placeholder in (t("filter.all", "ru"), t("widget.choose", "ru")), (page, box.label)
        assert box.proto.HasField("select_all") and box.proto.select_all == 0, (page, box.label)  # no "Select all"
    for field in at.date_input:
        assert not field.proto.is_range, (page, field.label)   # a range field shows English quick-selects


def test_sidebar_custom_dates_are_two_fields_with_a_typing_note(warehouse):
    at = run_app("overview", "ru", **Q1_2025)
    start, end = at.date_input(key="f_from"), at.date_input(key="f_to")
    assert (start.label, end.label) == (t("filter.from", "ru"), t("filter.to", "ru"))
    assert (start.value.isoformat(), end.value.isoformat()) == (Q1_2025["from"], Q1_2025["to"])
    assert start.proto.help == t("filter.date.help", "ru")
    assert start.proto.max == Q1_2025["to"] and end.proto.min == Q1_2025["from"]   # the start stays first
    end.set_value(end.value.replace(month=2, day=28)).run()
    assert at.query_params["to"] == ["2025-02-28"] or at.query_params["to"] == "2025-02-28"
    assert "28.02.2025" in at.caption[0].value


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("dates", [("1998-01-01", "1998-03-31"), ("2015-01-01", "2015-03-31"),
                                   ("2045-01-01", "2045-02-28"), ("2010-06-01", "2040-06-30")])
def test_a_link_to_dates_decades_away_opens_on_them(warehouse, lang, dates):
    """Streamlit's date field allows ten years either side of today by default: a link to older or later
    dates opened on an English traceback. The fields take the link's dates in, and every page draws."""
    for page in ("overview", "regions"):
        at = run_app(page, lang, period="custom", **{"from": dates[0], "to": dates[1]})
        start, end = at.date_input(key="f_from"), at.date_input(key="f_to")
        assert (start.value.isoformat(), end.value.isoformat()) == dates
        assert start.proto.max == dates[1] and end.proto.min == dates[0]
        assert not at.warning or t("filter.link_refused", lang, period="x")[:20] not in at.warning[0].value


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_link_whose_period_cannot_be_read_says_so_until_another_is_chosen(warehouse, lang):
    at = run_app("overview", lang, period="custom", **{"from": "2026-05-01", "to": "2026-03-01"})
    line = t("filter.link_refused", lang, period=t("period.quarter", lang))
    assert line in [w.value for w in at.warning]
    at.run()
    assert line in [w.value for w in at.warning]              # still there on the next run
    at.selectbox(key=f"f_period_{lang}").set_value("year").run()
    assert not at.exception and line not in [w.value for w in at.warning]
    ok = run_app("overview", lang, **Q1_2025)
    assert not any(w.value.startswith(line[:15]) for w in ok.warning)


def test_overview_romi_carries_its_formula_and_no_arrow_below_plan(warehouse):
    from model import metrics

    at = run_app("overview", "ru", **Q1_2025)
    romi = metric(at, t("kpi.romi", "ru"))
    assert romi.proto.delta == t("kpi.romi.formula", "ru")
    assert metrics.text("romi", "ru", "definition") in romi.proto.help
    revenue = metric(at, t("kpi.revenue", "ru", currency="RUB"))
    share = float(re.sub(r"[^\d,]", "", revenue.proto.delta.split("%")[0]).replace(",", "."))
    if share < 100:
        assert revenue.proto.direction != MetricProto.MetricDirection.UP


def test_every_text_key_in_both_languages_per_file():
    """Each locale file holds the same keys in [ru] and [en] (the merged check alone would let a key
    missing from one file pass when another file defines it)."""
    for path in sorted(Path(LOCALES).glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        ru, en = data.get("ru", {}), data.get("en", {})
        assert set(ru) == set(en), (path.name, set(ru) ^ set(en))
    for key in ("widget.choose", "filter.from", "filter.to", "filter.date.help", "export.note",
                "export.scope.warehouse", "kpi.romi.formula", "data.load.pick.help"):
        assert TEXT["ru"][key] != TEXT["en"][key], key


def test_data_page_names_entities_and_stages_in_words(warehouse):
    at = open_tab(run_app("data", "ru", **Q1_2025), "data", "history")
    history = next(df.value for df in at.dataframe if "entity" in df.value.columns)
    assert set(history.entity) <= {TEXT["ru"][k] for k in TEXT["ru"] if k.startswith("entity.")}
    assert t("entity.deals", "ru") in set(history.entity) and "deals" not in set(history.entity)
    stages = open_tab(at, "data", "terms").table[0].value
    assert t("vocab.status.qualified", "ru") in list(stages.iloc[:, 0])


def test_streamlit_texts_translator_covers_every_key():
    """ui/st_texts.py: every Streamlit text key in ui/locales/streamlit.toml belongs to a rule (none left
    unused); in Russian each rule maps the exact English to the Russian, a size template matches what
    Streamlit writes; in English there is nothing to replace; the element hides its own container."""
    from ui import st_texts

    prefixes = {prefix for prefix, _, _ in st_texts.RULES} | {"st.unit."}
    st_keys = [k for k in TEXT["en"] if k.startswith("st.")]
    assert st_keys and all(any(k.startswith(p) for p in prefixes) for k in st_keys)
    ru = st_texts.config("ru")
    texts = {english: own for rule in ru["rules"] for english, own in rule["texts"].items()}
    assert texts["Download as CSV"] == t("st.toolbar.csv", "ru") and texts["yyyy"] == "гггг"
    assert texts["Upload"] == t("st.uploader.upload", "ru") != t("data.load.go", "ru")   # two buttons, two names
    limit = next(p for rule in ru["rules"] for p in rule["patterns"] if p["to"].startswith("До"))
    assert re.match(limit["regex"], "200MB per file").group(1) == "200MB"
    assert ru["units"]["MB"] == "МБ"
    assert not any(rule["texts"] or rule["patterns"] for rule in st_texts.config("en")["rules"])
    html = st_texts.html("ru")
    assert html.count("<script>") == 1 and "/*CONFIG*/null" not in html and "display:none" in html


@pytest.mark.parametrize("page", [p.key for p in model_pages.PAGES])
def test_every_page_opens_on_a_period_without_data(warehouse, page):
    """Decades before the data and after it: every page opens without an error line or a traceback (the
    Funnel page's first-contact chart failed on no leads)."""
    for dates in (("1998-01-01", "1998-03-31"), ("2045-01-01", "2045-02-28")):
        at = run_app(page, "ru", period="custom", **{"from": dates[0], "to": dates[1]})
        assert not at.exception and not [e.value for e in at.error], (page, dates)

