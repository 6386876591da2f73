"""What people enter in the store (the meeting's commitments, the joint plan's activities) under the access
layer (model/access.py `within`): a regional manager of Казань and Самара sees only their regions' items and
company-wide ones, on the Meeting and Joint plan pages and from the CLI, and cannot act on the others. The
store is real (a file per test); the users sign in through data/access.toml ($PARITY_ACCESS)."""
from __future__ import annotations

import datetime as dt

import pytest

from decisions.__main__ import main as cli
from model import decisions
from model.access import OPERATOR, AccessDenied, scope_of
from model.users import User
from tests.apptest import Q1_2025, run_app
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
