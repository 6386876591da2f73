"""Nothing hidden in a catch-all: every looked-up value no rule matched is listed (dq_unrecognised) with
its rows, deals and won revenue, and the overview and the deck say so above a small share."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from etl.load import load_files
from tests.apptest import run_app, sql
from ui.dq import UNRECOGNISED_ALERT, unrecognised_line
from ui.i18n import t

# An amoCRM-style deals export (";", Russian headers, roubles with spaces) and a leads export, with
# values no config knows in every looked-up dimension next to known ones.
DEALS = """ID;Название сделки;Бюджет;Дата создания;Дата закрытия;Этап сделки;Город;utm_source;Валюта
1;Заказ 1;100 000;03.01.2025;10.01.2025;Успешно реализовано;Москва;yandex;RUB
2;Заказ 2;50 000;04.01.2025;12.01.2025;Успешно реализовано;Тверь;zz_partner_net;RUB
3;Заказ 3;70 000;05.01.2025;15.01.2025;Успешно реализовано;Тверь;zz_partner_net;руб.
4;Заказ 4;20 000;06.01.2025;;Ждём оплату;Урюпинск;;RUB
5;Заказ 5;10 000;07.01.2025;;Переговоры;Москва;yandex;тугрики
6;Заказ 6;30 000;08.01.2025;20.01.2025;Закрыто и не реализовано;г. Москва;vk;RUB
"""
LEADS = """ID лида;Дата создания;Город;utm_source;Статус лида;ID сделки
L1;02.01.2025 09:00;мск;yandex;qualified;1
L2;02.01.2025 10:00;Тверь;zz_partner_net;Перезвонить;2
L3;03.01.2025 11:00;Казань;vk;Перезвонить;
L4;03.01.2025 12:00;Казань;vk;new;
"""


@pytest.fixture
def odd_warehouse(fresh_db, tmp_path):
    (tmp_path / "amo_deals.csv").write_text(DEALS, encoding="utf-8")
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    result = load_files([tmp_path / "amo_deals.csv", tmp_path / "leads.csv"], progress=False)
    assert result["ok"], result
    return fresh_db


def _listed(db) -> dict[tuple, tuple]:
    return {(d, s, f, v): (rows, deals, won, float(rev) if rev is not None else None)
            for d, s, f, v, rows, deals, won, rev in sql(
                db, "select dimension, source, field, raw_value, rows, deals, won_deals, won_revenue "
                    "from dq_unrecognised")}


def test_every_unmatched_value_is_listed_with_what_rides_on_it(odd_warehouse):
    deals = pd.read_csv(io.StringIO(DEALS), sep=";", dtype=str)
    loaded = deals[deals["Валюта"] != "тугрики"]          # an unknown currency rejects its row
    loaded = loaded.assign(amount=loaded["Бюджет"].str.replace(" ", "").astype(float),
                           won=loaded["Этап сделки"] == "Успешно реализовано")
    got = _listed(odd_warehouse)
    tver = loaded[loaded["Город"] == "Тверь"]
    assert got[("region", "deals", "region", "Тверь")] == (
        len(tver), len(tver), int(tver.won.sum()), tver.amount[tver.won].sum())
    assert got[("region", "deals", "region", "Урюпинск")][:3] == (1, 1, 0)
    assert got[("region", "leads", "region", "Тверь")][:2] == (1, 1)       # one lead, it has a deal
    partner = loaded[loaded.utm_source == "zz_partner_net"]
    assert got[("channel", "deals", "utm_source", "zz_partner_net")] == (
        len(partner), len(partner), int(partner.won.sum()), partner.amount[partner.won].sum())
    assert got[("channel", "leads", "utm_source", "zz_partner_net")][:2] == (1, 1)
    assert got[("stage", "deals", "stage", "Ждём оплату")][:3] == (1, 1, 0)
    assert got[("lead_status", "leads", "status", "Перезвонить")][:2] == (2, 1)
    assert got[("currency", "rejects", "currency", "тугрики")][0] == 1
    # known spellings are not listed: "г. Москва" is an alias, "Переговоры" a known open stage, "руб." a currency
    listed = {k[3] for k in got}
    assert not listed & {"г. Москва", "Москва", "мск", "Переговоры", "руб.", "yandex", "vk", "new", "qualified"}
    assert set(sql(odd_warehouse, "select channel from deals where utm_source = 'zz_partner_net'")) == {("unknown",)}


def test_shares_add_up_per_table(odd_warehouse):
    from etl.paths import QUERIES_DIR
    text = (QUERIES_DIR / "app" / "dq_unrecognised_share.sql").read_text(encoding="utf-8")
    rows = {(d, s): (share, rev) for d, s, _, _, share, rev, _ in sql(odd_warehouse, text)}
    top = {(d, s): values for d, s, _, _, _, _, values in sql(odd_warehouse, text)}
    assert top[("region", "deals")] == ["Тверь", "Урюпинск"]       # 120 000 won, then an open deal
    total_won = 100_000 + 50_000 + 70_000            # deals 1-3 won; 6 lost; 4, 5 open or rejected
    assert rows[("region", "deals")][1] == pytest.approx((50_000 + 70_000) / total_won)
    assert rows[("region", "deals")][0] == pytest.approx(3 / 5)   # Тверь x2, Урюпинск of 5 loaded deals
    assert rows[("lead_status", "leads")][0] == pytest.approx(2 / 4)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_line_names_each_dimension_over_the_threshold(lang):
    share = pd.DataFrame({"dimension": ["channel", "region", "stage"], "source": ["leads", "deals", "deals"],
                          "values": [3, 1, 1], "rows": [120, 9, 1], "share": [0.12, 0.01, 0.001],
                          "revenue_share": [None, 0.04, 0.0]})
    cells = pd.DataFrame({"cells_warned": [0], "won_deals": [100], "won_no_amount": [1], "channel_from_lead": [0]})
    line = unrecognised_line(share, cells, lang)
    assert t("dq.dimension.channel", lang) in line and t("dq.dimension.region", lang) in line
    # the values behind a share are named, as the Data page lists them
    named = unrecognised_line(share.assign(top_values=[["Авито", "Перезвонить"], ["Тверь"], ["x"]]), cells, lang)
    ru = lang == "ru"
    assert ("(«Авито», «Перезвонить» и ещё 1)" if ru else "(“Авито”, “Перезвонить” and 1 more)") in named, named
    assert ("(«Тверь»)" if ru else "(“Тверь”)") in named, named
    assert t("dq.dimension.stage", lang) not in line              # 0.1 % of deals: below the line
    assert t("dq.part.no_amount", lang, share="1", n="1")[:12] not in line   # 1 of 100 won deals: below it
    quiet = share.assign(share=UNRECOGNISED_ALERT / 2, revenue_share=UNRECOGNISED_ALERT / 2)
    assert unrecognised_line(quiet, cells, lang) is None
    # won deals whose amount the export did not give: revenue unknown, said as such past the share
    no_amount = unrecognised_line(quiet, cells.assign(won_no_amount=30), lang)
    assert no_amount == t("dq.line", lang, parts=t("dq.part.no_amount", lang, share="30" + (
        "\u00a0%" if lang == "ru" else "%"), n="30"))


def test_overview_and_deck_carry_the_line(odd_warehouse):
    import datetime as dt

    from model.access import OPERATOR
    from report.make import make
    at = run_app("overview", "en", period="custom", **{"from": "2025-01-01", "to": "2025-01-31"})
    warnings = [w.value for w in at.warning]
    line = "Data quality of the whole warehouse, no filters: region: unrecognised values"
    assert any(w.startswith(line) for w in warnings), warnings
    assert any("(“Тверь”, “Урюпинск”)" in w for w in warnings), warnings    # the values, not only their field
    # the figures are the whole warehouse's: a region filter leaves the line as it is, and the line says so
    other = run_app("overview", "en", period="custom", regions="Казань", **{"from": "2025-01-01", "to": "2025-01-31"})
    assert [w.value for w in other.warning if w.value.startswith(line)] == [w for w in warnings if w.startswith(line)]
    deck, _ = make(dt.date(2025, 1, 1), dt.date(2025, 1, 31), lang="en", sections=("headline", "data_quality"),
                   kinds=(), user=OPERATOR)
    notes = " ".join(s.note for s in deck.slides)
    findings = " ".join(f.text for s in deck.slides for f in s.findings)
    assert t("dq.dimension.region", "en") in notes and line in findings


# A Pipedrive deals export as Pipedrive writes it (../shared/FORMATS.md, "Pipedrive deals"): statuses
# lower case, one `deleted` (Pipedrive's fourth status) and one status text no config knows, both on
# known stages, the way a CRM's custom or later status would arrive.
PIPEDRIVE = (
    "Deal - ID,Deal - Title,Deal - Value,Deal - Currency of value,Deal - Status,Deal - Stage,Deal - Owner,"
    "Deal - Organization,Deal - Deal created,Deal - Won time,Deal - Lost time,Deal - Expected close date,"
    "Deal - Lost reason,Deal - Pipeline\r\n"
    "1,Acme deal,5000,USD,won,Negotiations Started,John Smith,Acme,2025-02-01 09:30:00,2025-03-10 15:00:00,,"
    "2025-03-31,,Default\r\n"
    "2,Globex,1200.5,USD,deleted,Proposal Made,Jane Roe,Globex,2025-02-03 10:00:00,,,2025-03-31,,Default\r\n"
    "3,Initech,2500,USD,archived,Qualified,Jane Roe,Initech,2025-02-10 12:00:00,,,2025-04-30,,Default\r\n"
    "4,Hooli,700,USD,open,Contact Made,John Smith,Hooli,2025-02-11 12:00:00,,,,,Default\r\n")


def test_a_status_without_a_stage_column_is_listed_once(fresh_db, tmp_path):
    """A deals file whose only stage-like column is a status: the deal's stage is its status text, which was
    listed twice (as a stage and as a status), its rows counted twice."""
    (tmp_path / "deals.csv").write_text("Deal ID,Amount,Created,Status\r\n1,100,2025-01-03,Awaiting payment\r\n"
                                        "2,200,2025-01-04,Won\r\n", encoding="utf-8")
    assert load_files([tmp_path / "deals.csv"], progress=False)["ok"]
    assert _listed(fresh_db) == {("stage", "deals", "status", "Awaiting payment"): (1, 1, 0, 0.0)}


def test_a_deal_status_text_no_config_knows_is_listed_and_deleted_is_not_pipeline(fresh_db, tmp_path):
    from etl import vocab

    (tmp_path / "deals.csv").write_text(PIPEDRIVE, encoding="utf-8")
    result = load_files([tmp_path / "deals.csv"], progress=False)
    assert result["ok"] and result["files"][0]["format"] == "pipedrive", result
    assert sql(fresh_db, "select deal_id, status, status_raw, stage from deals order by 1") == [
        ("1", "won", "won", "Negotiations Started"),
        ("2", "lost", "deleted", "Proposal Made"),        # deleted: no longer pipeline (data/stages.csv)
        ("3", "open", "archived", "Qualified"),           # unknown status: its stage's status, and listed
        ("4", "open", "open", "Contact Made")]
    got = _listed(fresh_db)
    assert got == {("stage", "deals", "status", "archived"): (1, 1, 0, 0.0)}
    assert sql(fresh_db, "select stage, deals from dq_unknown_stages") == [("archived", 1)]
    # the vocabulary step maps it: the one stages.csv line, and the preview moves that deal
    a = vocab.Assignment.parse("archived", "lost", dimension="stage")
    assert (a.field, vocab.Assignment.parse("status=x", "new").dimension) == ("stage", "lead_status")
    p = vocab.preview(vocab.Assignment.parse("status=archived", "lost", dimension="stage"))
    assert p["line"] == "archived,lost" and p["moved"]["deals"] == 1
