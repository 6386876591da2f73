"""Agreements with two keys (model/agreement_flow.py, pages/agreements.py): a proposal changes nothing until
the other department approves it; then data/agreements.toml, build_meta and the numbers move, and the
version shows on the pages and in the deck. One department's key counts once; a text the config checks
refuse is refused in one line; approvals from two processes at once make one version."""
from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import re
import tomllib

import pytest

from etl.errors import LoadError
from model import agreement_flow as flow
from model.users import User
from tests.apptest import Q1_2025, run_app, sql, texts
from ui.i18n import t

MARKETING = User("petrova", "Мария Петрова", "marketing")
MARKETING_2 = User("orlova", "Анна Орлова", "marketing")
SALES = User("sidorov", "Олег Сидоров", "sales_head")
SALES_2 = User("kuznetsov", "Иван Кузнецов", "sales_head")
CEO = User("boss", "Ольга Ким", "ceo")


def numbers(path) -> dict:
    """What the change moves, read from the warehouse's own tables: leads contacted within the SLA, and
    each channel's credit under the position-based model."""
    return {"within_sla": sql(path, "select sum(within_sla) from mart_funnel_month"),
            "credit": sql(path, "select channel, sum(revenue_base) from attribution_channel_month "
                                "where model = 'position_based' group by channel order by channel")}


def meta(path) -> list[tuple]:
    return sql(path, "select key, value from meta where key in ('config_hash', 'agreements', "
                     "'agreement_version', 'agreement_date') order by key")


def widget(items, label: str):
    found = [w for w in items if w.label == label]
    assert len(found) == 1, (label, [w.label for w in items])
    return found[0]


def test_two_keys_end_to_end(copy_of_warehouse, config_copy):
    """Marketing proposes on the page (SLA 2 -> 6 working hours, position-based 40/40/20 -> 60/40/0); nothing
    moves, not even on a second marketing approval; the head of sales approves on the page: the file is
    version 2, the warehouse is rebuilt, the SLA share and channel credits move, and the Funnel and
    Contribution pages and the deck's slides that use agreements name «договорённость v2 от <today>»."""
    toml = config_copy / "agreements.toml"
    wh = copy_of_warehouse
    before = (toml.read_bytes(), meta(wh), numbers(wh), wh.stat().st_mtime_ns)

    at = run_app("agreements", "ru", user=MARKETING, **Q1_2025)
    widget(at.number_input, t("agr.form.hours", "ru")).set_value(6.0)
    widget(at.number_input, t("agr.form.first", "ru")).set_value(0.6)
    widget(at.number_input, t("agr.form.middle", "ru")).set_value(0.0)
    widget(at.text_input, t("agr.form.note", "ru")).input("SLA 6 ч")
    widget(at.button, t("agr.form.submit", "ru")).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (pid,) = flow.proposals().id
    assert t("agr.done.proposed", "ru", id=pid, side=t("owner.marketing", "ru")) in [s.value for s in at.success]
    changes, credit, funnel = (d.value for d in at.dataframe[:3])   # what changes, then what it moves
    # each in the form's words, its path beside it, numbers as the reader writes them
    assert set(changes.iloc[:, 0]) == {f"{t('agr.form.hours', 'ru')} (sla.first_contact_hours)",
                                       f"{t('agr.form.first', 'ru')} (attribution.first_weight)",
                                       f"{t('agr.form.middle', 'ru')} (attribution.middle_weight)"}
    hours = changes[changes.iloc[:, 0].str.endswith("(sla.first_contact_hours)")].iloc[0]
    assert (hours.iloc[1], hours.iloc[2]) == ("2", "6"), hours
    assert any("Модель та же: «Позиционная»" in c.value for c in at.caption)   # not «Позиционная» → «Позиционная»
    assert (credit.current != credit.proposed).any() and credit.proposed.sum() == pytest.approx(credit.current.sum())
    sla_row = funnel[funnel.iloc[:, 0] == t("agr.funnel.within_sla", "ru")].iloc[0]
    assert int(sla_row.iloc[2].replace("\u00a0", "")) > int(sla_row.iloc[1].replace("\u00a0", ""))
    assert flow.approve(MARKETING_2, pid).counted is False       # marketing's key is in already
    assert (toml.read_bytes(), meta(wh), numbers(wh), wh.stat().st_mtime_ns) == before
    assert "договорённость v1" in texts(run_app("funnel", "ru", **Q1_2025))    # the file as first seen

    at = run_app("agreements", "ru", user=SALES, **Q1_2025)
    at.button(key=f"agr_approve_{pid}").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert t("agr.done.agreed", "ru", version=2) in [s.value for s in at.success]

    today = dt.date.today()
    doc = tomllib.loads(toml.read_text(encoding="utf-8"))
    assert (doc["version"], doc["agreed_on"], doc["sla"]["first_contact_hours"]) == (2, today, 6.0)
    assert doc["signed_by"] == ["marketing: petrova", "sales: sidorov"]
    assert dict(meta(wh))["agreement_version"] == "2"
    after = numbers(wh)
    assert after["within_sla"][0][0] > before[2]["within_sla"][0][0]       # more leads in 6 hours than in 2
    assert after["credit"] != before[2]["credit"]
    assert sum(v for _, v in after["credit"]) == pytest.approx(float(sum(v for _, v in before[2]["credit"])))
    # the history: v1 is the file's, agreed before the app by its signed_by (not «утвердили: —», nor «in force»
    # from the minute the app first opened it, nor the store's «first seen» in English)
    from ui.agreement import history_rows
    hist = history_rows(flow.versions(), "ru").set_index("version")
    assert hist.loc["v1", "note"] == t("agr.history.first_seen", "ru", label="2026-01")
    assert hist.loc["v1", "approved_by"] == "Маркетинг, Продажи, Компания"
    assert hist.loc["v1", "agreed_at"].startswith("до приложения")
    assert hist.loc["v2", "approved_by"] == "Маркетинг (petrova), Продажи (sidorov)"
    label = f"договорённость v2 от {today:%d.%m.%Y}"
    assert label in texts(run_app("contribution", "ru", **Q1_2025))     # the Funnel said v1 above

    from pptx import Presentation

    from model.access import OPERATOR
    from model.filters import Filters
    from model.runner import connect, run_on
    from report import deck as deck_mod
    from report import pptx
    con = connect(wh)
    try:
        d = deck_mod.build(Filters("custom", dt.date(2025, 1, 1), dt.date(2025, 3, 31), (), ()),
                           lambda name, params: run_on(con, name, params, OPERATOR), "ru",
                           ("headline", "regions", "sla", "joint_plan"))   # contribution's impact costs 4 s
    finally:
        con.close()
    assert {s.key for s in d.slides if label in s.note} == {"headline", "regions", "sla"}
    shown = [shape.text_frame.text for slide in Presentation(io.BytesIO(pptx.write(d, {}))).slides
             for shape in slide.shapes if shape.has_text_frame]
    assert sum(label in s for s in shown) == 3


def test_the_config_checks_know_every_attribution_model():
    from analysis.attribution import MODELS
    from etl.config import ATTRIBUTION_MODELS
    assert ATTRIBUTION_MODELS == MODELS


def test_a_warehouse_built_before_versions_shows_v1():
    """build_meta without agreement_version (a warehouse built before versions were recorded) reads v1."""
    import pandas as pd

    from model import agreements
    from ui.agreement import label
    rows = pd.DataFrame({"key": ["config_hash", "built_at", "agreements"], "value": ["0", "2025-01-01T00:00", ""]})
    assert agreements.version(lambda name, params: rows) == (1, None)
    assert label(lambda name, params: rows, "ru") == "договорённость v1"
    later = pd.DataFrame({"key": ["agreement_version", "agreement_date"], "value": ["3", "2026-01-12"]})
    dated = pd.concat([rows, later])
    assert label(lambda name, params: dated, "ru") == "договорённость v3 от 12.01.2026"
    assert label(lambda name, params: dated, "en") == "agreement v3 of 2026-01-12"


@pytest.fixture
def flow_store(config_copy, tmp_path, monkeypatch):
    """data/ config and the store of the test's own; no warehouse (approvals here do not rebuild)."""
    monkeypatch.setenv("PARITY_STORE", str(tmp_path / "store.sqlite"))
    return config_copy / "agreements.toml"


def test_one_key_per_department_and_only_heads(flow_store):
    text = flow_store.read_text(encoding="utf-8")
    with pytest.raises(flow.AgreementError) as refused:
        flow.propose(CEO, text.replace("min_lead_to_deal = 0.2", "min_lead_to_deal = 0.3"))
    assert refused.value.code == "not_allowed"
    pid = flow.propose(SALES, text.replace("min_lead_to_deal = 0.2", "min_lead_to_deal = 0.3"), "выше планка")
    for again in (SALES, SALES_2):       # the proposer's own key, then a colleague's: sales counts once
        out = flow.approve(again, pid, rebuild=False)
        assert (out.counted, out.waiting_for, out.version) == (False, ["marketing"], None)
    assert flow_store.read_text(encoding="utf-8") == text and list(flow.versions().version) == [1]
    out = flow.approve(MARKETING, pid, rebuild=False)
    assert (out.counted, out.version, out.approved_by) == (True, 2, {"sales": "sidorov", "marketing": "petrova"})
    assert "min_lead_to_deal = 0.3" in flow_store.read_text(encoding="utf-8")
    assert list(flow.versions().version) == [2, 1]
    with pytest.raises(flow.AgreementError) as refused:
        flow.approve(MARKETING_2, pid, rebuild=False)
    assert refused.value.code == "not_open"
    from model import audit
    assert {"agreement_propose", "agreement_approve", "agreement_version"} <= set(audit.entries().action)


@pytest.mark.parametrize("change, code", [
    (("[sla]", "[sla"), "bad_agreements"),                                           # not TOML
    (("first_contact_hours = 2", "first_contact_hours = -2"), "bad_agreement_value"),
    (("middle_weight = 0.2", "middle_weight = 0.5"), "bad_agreement_value"),          # 40 + 40 + 50 %
    (('model = "position_based"', 'model = "best_guess"'), "bad_agreement_value"),
    (("first_contact_hours = 2", "first_contact_hour = 4"), "unknown_agreement_key"),  # a typo: read by nothing
    (("[sla]", "[slas]"), "unknown_agreement_key"),
])
def test_a_text_the_checks_refuse_is_refused_in_one_line(flow_store, change, code):
    from ui.agreement import refusal
    text = flow_store.read_text(encoding="utf-8")
    with pytest.raises(LoadError) as refused:
        flow.propose(MARKETING, text.replace(*change))
    assert refused.value.code == code
    assert str(refused.value).startswith("proposal:") and "\n" not in str(refused.value)
    # the Russian page: no English word («proposal:», the TOML parser's "Expected ']'...") in the line
    shown = refusal(refused.value)
    assert shown.startswith("Предложение:") and "\n" not in shown, shown
    assert not re.search(r"proposal|Expected|Invalid", shown), shown
    assert flow.proposals(None).empty


def test_a_proposal_that_is_not_toml_names_the_line_in_the_readers_words(flow_store):
    from ui.agreement import refusal
    text = flow_store.read_text(encoding="utf-8")
    line = text.splitlines().index("[sla]") + 1
    with pytest.raises(LoadError) as refused:
        flow.propose(MARKETING, text.replace("[sla]", "[sla"))
    expected = f"Предложение: текст не читается как TOML — ошибка в строке {line}, позиция 5. Исправьте её."
    assert refusal(refused.value) == expected


def _approve(user: User, pid: int, barrier, out) -> None:
    """One approval in a process of its own, started with the other one's (the barrier)."""
    barrier.wait(30)
    try:
        out.put(f"v{flow.approve(user, pid, rebuild=False).version}")
    except flow.AgreementError as err:
        out.put(err.code)


def at_once(*approvals: tuple[User, int]) -> list[str]:
    """The approvals run by as many processes at once (forked, as tests/test_store.py's writers are)."""
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(len(approvals)), ctx.Queue()
    procs = [ctx.Process(target=_approve, args=(user, pid, barrier, out)) for user, pid in approvals]
    for proc in procs:
        proc.start()
    got = sorted(out.get(timeout=60) for _ in procs)
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    return got


def test_approvals_from_two_processes_make_one_version(flow_store):
    """Two heads of sales approve one proposal at once: one version. Two proposals to the same version
    approved at once: one takes effect, the other is outdated (it would undo the first), never both."""
    text = flow_store.read_text(encoding="utf-8")
    one = flow.propose(MARKETING, text.replace("min_lead_to_deal = 0.2", "min_lead_to_deal = 0.25"))
    assert at_once((SALES, one), (SALES_2, one)) == ["not_open", "v2"]
    a = flow.propose(MARKETING, text.replace("lookback_days = 90", "lookback_days = 60"))
    b = flow.propose(SALES, text.replace("lookback_days = 90", "lookback_days = 30"))
    assert at_once((SALES, a), (MARKETING, b)) == ["outdated", "v3"]
    assert list(flow.versions().version) == [3, 2, 1]
    states = dict(zip(flow.proposals(None).id, flow.proposals(None).status, strict=True))
    assert sorted([states[a], states[b]]) == ["agreed", "outdated"]
    assert flow_store.read_text(encoding="utf-8") == flow.current()["text"]
