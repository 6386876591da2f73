"""What people enter in the store (the meeting's commitments, the joint plan's activities) under the access
layer (model/access.py `within`): a regional manager of Казань and Самара sees only their regions' items and
company-wide ones, on the Meeting and Joint plan pages and from the CLI, and cannot act on the others. The
store is real (a file per test); the users sign in through data/access.toml ($PARITY_ACCESS)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from decimal import Decimal

import pandas as pd
import pytest

from decisions.__main__ import main as cli
from model import activities, decisions
from model.access import OPERATOR, AccessDenied, scope_of
from model.users import User
from tests.apptest import Q1_2025, run_app
from ui import fmt
from ui.i18n import t

IVANOVA = User("ivanova", "Мария Иванова", "regional_manager", regions=("Казань", "Самара"))
ALL = scope_of(OPERATOR)
ACCESS = ('[users.ivanova]\nname = "Мария Иванова"\nrole = "regional_manager"\nregions = ["Казань", "Самара"]\n'
          '[users.gone]\nname = "Ушла"\nrole = "regional_manager"\nregions = ["Казань"]\ndisabled = true\n')


@pytest.fixture
def signed_in(tmp_path, monkeypatch):
    """A store of the test's own, and access.toml listing ivanova (the gate re-reads it on every run)."""
    monkeypatch.setenv("PARITY_STORE", str(tmp_path / "store.sqlite"))
    (tmp_path / "access.toml").write_text(ACCESS, encoding="utf-8")
    monkeypatch.setenv("PARITY_ACCESS", str(tmp_path / "access.toml"))
    return tmp_path


def test_a_regional_manager_sees_and_marks_only_their_regions_commitments(warehouse, signed_in, capsys):
    # QA's reproduction: sales records commitments from the CLI (a login not in access.toml: the operator)
    add = ["add", "--meeting", "2026-11-30", "--due", "2026-12-31", "--person", "Олег П."]
    for dep, text, regions in (("sales", "Обзвон Москвы", "Москва"),                  # 1: another region
                               ("sales", "Акция Москвы и Казани", "Москва,Казань"),   # 2: also another region
                               ("marketing", "Флайт в Казани", "Казань"),             # 3: hers
                               ("sales", "Общий скрипт", "")):                         # 4: company-wide
        assert cli(["--who", "sales", *add, "--department", dep, "--text", text, "--regions", regions]) == 0

    at = run_app("meeting", user=IVANOVA, **Q1_2025)
    listed = {x for d in at.dataframe if "text" in d.value.columns for x in d.value.text}
    assert listed == {"Флайт в Казани", "Общий скрипт"}
    which = at.selectbox(key="dec_mark_which")
    assert which.options == ["3. Флайт в Казани", "4. Общий скрипт"]
    at.button(key="dec_mark").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    done = decisions.listing(ALL).set_index("id")
    assert done.status[3] == "done" and done.done_by[3] == "ivanova"
    assert (done.status[[1, 2, 4]] != "done").all()

    # the store refuses, whatever a session's widgets send: one line naming the commitment, not its regions
    for cid in (1, 2):
        with pytest.raises(AccessDenied) as refused:
            decisions.set_done(cid, "ivanova", scope_of(IVANOVA))
        assert refused.value.code == "commitment" and "Москва" not in str(refused.value)
    assert t("rls.denied.commitment", "ru", id=1).startswith("Обязательство №1 касается не только ваших регионов")
    with pytest.raises(AccessDenied):
        decisions.add(decisions.Commitment(dt.date(2026, 11, 30), "sales", "Мария", "Москва тоже",
                                           dt.date(2026, 12, 31), ("Казань", "Москва")), "ivanova", scope_of(IVANOVA))
    assert decisions.listing(scope_of(IVANOVA)).id.tolist() == [3, 4]
    # the change log too: her own mark on 3 and the records of 3 and 4, nothing of 1 and 2
    log = decisions.history(scope_of(IVANOVA))
    assert sorted(log.commitment_id.unique()) == [3, 4] and set(decisions.history(ALL).commitment_id) == {1, 2, 3, 4}

    # the CLI acts with --who's access when access.toml lists the login
    capsys.readouterr()
    assert cli(["--who", "ivanova", "list"]) == 0
    out = capsys.readouterr().out
    assert "Флайт в Казани" in out and "Общий скрипт" in out and "Москв" not in out
    assert cli(["--who", "ivanova", "done", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("decisions: commitment 1 names regions that are not yours") and "\n" not in err
    assert cli(["--who", "ivanova", *add, "--department", "sales", "--text", "x", "--regions", "Москва"]) == 2
    assert cli(["--who", "gone", "list"]) == 2                  # a disabled user does nothing
    assert cli(["--who", "sales", "done", "1"]) == 0            # the operator may
    assert decisions.listing(ALL).set_index("id").status[1] == "done"


def _activity(title: str, region: str | None, budget: int, responsible: str) -> activities.Activity:
    return activities.Activity("marketing", title, dt.date(2025, 2, 3), dt.date(2025, 2, 5), "event", region, None,
                               Decimal(budget), responsible, "planned")


def history_table(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "after" in d.value.columns)


@pytest.fixture
def yekaterinburg():
    """The machine's local time UTC+5, so a UTC stamp shown as it is stored reads 5 hours off."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Yekaterinburg"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_regional_manager_sees_the_plans_history_of_their_regions_in_words(warehouse, signed_in, yekaterinburg,
                                                                               lang):
    kazan = activities.save(_activity("Ярмарка в Казани", "Казань", 75000, "Ольга"), "admin", scope=ALL)
    moscow = activities.save(_activity("Выставка в Москве", "Москва", 120000, "Пётр Московский"), "admin", scope=ALL)
    common = activities.save(_activity("Общий вебинар", None, 5000, "Анна"), "admin", scope=ALL)
    moved = activities.save(_activity("Переезд", "Казань", 10000, "Ольга"), "admin", scope=ALL)
    activities.save(dataclasses.replace(_activity("Ярмарка в Казани", "Казань", 80000, "Ольга"), status="done"),
                    "admin", kazan, scope=ALL)
    # it leaves her regions, then is changed in Москва
    activities.save(_activity("Переезд", "Москва", 10000, "Ольга"), "admin", moved, scope=ALL)
    activities.save(_activity("Переезд", "Москва", 990000, "Пётр Московский"), "admin", moved, scope=ALL)

    at = run_app("joint_plan", lang, user=IVANOVA, **Q1_2025)
    h = history_table(at)
    # her region's and the company-wide activity's changes; the moved one's up to and with its move
    assert set(h.activity_id) == {kazan, common, moved} and moscow not in set(h.activity_id)
    region, budget = t("field.region", lang), t("field.budget", lang)
    edit, add = t("jp.action.edit", lang), t("jp.action.add", lang)
    m = h[(h.activity_id == moved) & (h.action == edit)]
    assert m[["field", "before", "after"]].values.tolist() == [[region, "Казань", "Москва"]]   # not its budget after

    shown = "\n".join(str(v) for v in h.values.ravel())
    assert "Пётр Московский" not in shown and "Выставка в Москве" not in shown and "990" not in shown

    # in words: fields, departments, statuses, kinds, dates, amounts; nothing before an add; local time
    assert set(h.field) <= {t(f"field.{f}", lang) for f in ("owner", "title", "region", "start_date", "end_date",
                                                                "budget", "responsible", "status", "activity_kind")}
    assert not set(h.field) & {"owner", "title", "start_date", "budget", "status", "kind"}
    k = h[h.activity_id == kazan].set_index(["action", "field"])
    assert k.loc[(edit, t("field.status", lang)), ["before", "after"]].tolist() == [
        t("jp.status.planned", lang), t("jp.status.done", lang)]
    assert k.loc[(edit, budget), "after"] == fmt.money(80000, "RUB", lang)
    assert k.loc[(add, t("field.owner", lang)), "after"] == t("owner.marketing", lang)
    assert k.loc[(add, t("field.activity_kind", lang)), "after"] == t("jp.kind.event", lang)
    assert k.loc[(add, t("field.start_date", lang)), "after"] == fmt.date(dt.date(2025, 2, 3), lang)
    assert set(h[h.action == add].before) == {fmt.DASH}
    assert not {"None", "marketing", "planned", "done", "event"} & (set(h.before) | set(h.after))
    stored = activities.history(ALL)
    assert set(stored.activity_id) == {kazan, moscow, common, moved}     # everyone else sees all of it
    local = {fmt.timestamp((dt.datetime.fromisoformat(a) + dt.timedelta(hours=5)).replace(tzinfo=None), lang)
             for a in stored["at"]}
    assert set(h["at"]) <= local and not any("+00:00" in a or "T" in a for a in h["at"]), (set(h["at"]), local)
    assert activities.history(scope_of(IVANOVA)).activity_id.nunique() == 3


def test_a_regional_manager_changes_only_their_regions_activities(signed_in):
    """The store refuses, whatever the Joint plan's widgets send: adding one elsewhere, moving one of hers
    there, changing one that is there; her own and company-wide ones she may change."""
    mine = scope_of(IVANOVA)
    kazan = activities.save(_activity("Ярмарка в Казани", "Казань", 75000, "Ольга"), "ivanova", scope=mine)
    moscow = activities.save(_activity("Выставка в Москве", "Москва", 120000, "Пётр"), "admin", scope=ALL)
    common = activities.save(_activity("Общий вебинар", None, 5000, "Анна"), "admin", scope=ALL)
    before = activities.history(ALL)
    for a, aid in ((_activity("Ещё одна в Москве", "Москва", 1, "Мария"), None),
                   (_activity("Ярмарка в Казани", "Москва", 75000, "Ольга"), kazan),
                   (_activity("Выставка в Москве", "Москва", 1, "Мария"), moscow)):
        with pytest.raises(AccessDenied) as refused:
            activities.save(a, "ivanova", aid, scope=mine)
        assert refused.value.code == "activity"
    assert activities.history(ALL).equals(before)        # nothing recorded
    activities.save(_activity("Общий вебинар", "Самара", 5000, "Анна"), "ivanova", common, scope=mine)
    activities.save(_activity("Ярмарка в Казани", "Казань", 70000, "Ольга"), "ivanova", kazan, scope=mine)
    rows = {r["activity_id"]: r for r in activities.table().to_pylist()}
    assert rows[common]["region"] == "Самара" and rows[kazan]["budget"] == Decimal("70000.00")
    assert rows[moscow]["budget"] == Decimal("120000.00")


def test_a_move_across_her_regions_edge_shows_only_the_region_of_the_far_side(warehouse, signed_in):
    """A move that also changes the budget and the responsible in one save: the manager of Казань saw the
    Москва side's budget (990 000) and responsible in the history row of the move; a move into Казань showed
    what the activity had in Москва as its before. Now the far side shows only its region."""
    out = activities.save(_activity("Уехала", "Казань", 10000, "Ольга"), "admin", scope=ALL)
    into = activities.save(_activity("Приехала", "Москва", 770000, "Пётр Московский"), "admin", scope=ALL)
    activities.save(_activity("Уехала", "Москва", 990000, "Иван Столичный"), "admin", out, scope=ALL)
    activities.save(_activity("Приехала", "Казань", 20000, "Ольга"), "admin", into, scope=ALL)

    at = run_app("joint_plan", "ru", user=IVANOVA, **Q1_2025)
    h = history_table(at)
    edit, region, budget = t("jp.action.edit", "ru"), t("field.region", "ru"), t("field.budget", "ru")
    moved_out = h[(h.activity_id == out) & (h.action == edit)]
    assert moved_out[["field", "before", "after"]].values.tolist() == [[region, "Казань", "Москва"]]
    moved_in = h[(h.activity_id == into) & (h.action == edit)].set_index("field")
    assert moved_in.loc[region, ["before", "after"]].tolist() == ["Москва", "Казань"]
    assert moved_in.loc[budget, ["before", "after"]].tolist() == [fmt.DASH, fmt.money(20000, "RUB", "ru")]
    shown = "\n".join(str(v) for v in h.values.ravel())
    for far in ("990", "770", "Иван Столичный", "Пётр Московский"):
        assert far not in shown, far
    # everyone else still sees the whole change
    whole = activities.history(ALL)
    assert set(whole[whole.activity_id == out].after) >= {"Москва", "990000.00", "Иван Столичный"}
