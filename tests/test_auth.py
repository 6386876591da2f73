"""Sign-in and roles: the gate app.py runs before any data (demo mode, the sign-in page, a missing
access.toml), the local fallback's refusals and rate limit, the OIDC identity's mapping, and which pages
and actions each role has, refused server-side as well as hidden."""
from __future__ import annotations

import argon2
import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from etl.build import demo_build
from model import audit, signin
from model.pages import PAGES, pages_for
from model.users import DEMO, ROLES, User, load_users
from tests.apptest import Q1_2025, run_app, sql_one, texts
from ui.auth import USER
from ui.i18n import t

# Test-only hashes: argon2id with a small cost, so a verification takes a millisecond (the app's own
# hashes use argon2-cffi's defaults; verification reads the cost from the hash).
FAST = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "верный-пароль-1"
ACCESS = f"""
[oidc]
login_claim = ""

[users.admin]
name = "Анна Админ"
role = "data_admin"
password = "{FAST.hash(PASSWORD)}"

[users.mkt]
name = "Мария Маркетинг"
role = "marketing"
email = "Maria@Example.ru"
password = "{FAST.hash(PASSWORD)}"

[users.reg]
name = "Роман Регион"
role = "regional_manager"
regions = ["Москва"]
password = "{FAST.hash(PASSWORD)}"

[users.off]
name = "Олег Отключён"
role = "ceo"
email = "oleg@example.ru"
password = "{FAST.hash(PASSWORD)}"
disabled = true
"""


@pytest.fixture
def access(tmp_path, monkeypatch) -> dict[str, User]:
    """An access.toml ($PARITY_ACCESS) and a private store ($PARITY_STORE) for one test."""
    path = tmp_path / "access.toml"
    path.write_text(ACCESS, encoding="utf-8")
    monkeypatch.setenv("PARITY_ACCESS", str(path))
    monkeypatch.setenv("PARITY_STORE", str(tmp_path / "store.sqlite"))
    return load_users(path)


def audit_actions(tmp_path) -> list[tuple[str, str, str]]:
    rows = audit.entries(path=tmp_path / "store.sqlite").sort_values("id")
    return [(r.action, r.who, r.target) for r in rows.itertuples()]


def submit(at: AppTest, login: str, password: str) -> AppTest:
    at.text_input(key="auth_login").input(login)
    at.text_input(key="auth_password").input(password)
    next(b for b in at.button if b.label == t("auth.sign_in")).click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def assert_no_data(at: AppTest) -> None:
    """The sign-in page shows no numbers and no filters: only the language switch and the form."""
    assert not at.metric and not at.get("plotly_chart") and not at.dataframe
    assert not at.multiselect and not at.date_input and not at.sidebar.selectbox


def test_build_meta_says_demo_only_for_the_demo(built_warehouse, small_demo):
    """etl/build.py records whether the warehouse is the demo company alone; the app reads it."""
    assert sql_one(small_demo, "select value from meta where key = 'demo'") == "true"
    assert sql_one(built_warehouse, "select value from meta where key = 'demo'") == "false"


def test_demo_build_needs_every_file_from_the_demo_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("PARITY_DB", str(tmp_path / "warehouse.duckdb"))
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "crm_deals.csv").write_bytes(b"id;amount\n1;2\n")
    import hashlib
    sha = hashlib.sha256(b"id;amount\n1;2\n").hexdigest()
    con = duckdb.connect()
    con.execute("create table loads (file_name varchar, sha256 varchar)")
    assert not demo_build(con)                                     # nothing loaded: not the demo
    con.execute("insert into loads values ('crm_deals.csv', $s)", {"s": sha})
    assert demo_build(con)
    con.execute("insert into loads values ('crm_deals.csv', 'ab12')")   # same name, other bytes
    assert not demo_build(con)


def test_demo_mode_needs_no_sign_in_and_says_so(small_demo, monkeypatch, tmp_path):
    monkeypatch.setenv("PARITY_DB", str(small_demo))
    monkeypatch.setenv("PARITY_ACCESS", str(tmp_path / "none.toml"))
    at = run_app(user=None)
    assert at.session_state[USER] == DEMO
    assert t("auth.demo") in texts(at) and at.metric                 # marked, and the numbers show
    assert not [b for b in at.button if b.label == t("auth.sign_in")]


def test_no_access_file_says_how_to_create_it(warehouse, tmp_path, monkeypatch):
    missing = tmp_path / "access.toml"
    monkeypatch.setenv("PARITY_ACCESS", str(missing))
    at = run_app(user=None, lang="en", **Q1_2025)
    assert [e.value for e in at.error] == [t("auth.no_access", "en", path=missing)]
    assert_no_data(at)


def test_local_sign_in_refusals_then_success(warehouse, access, tmp_path):
    at = run_app(user=None, **Q1_2025)
    assert_no_data(at)
    wrong = t("auth.refused.bad_credentials")
    assert [e.value for e in submit(at, "admin", "не тот").error] == [wrong]
    assert [e.value for e in submit(at, "nobody", PASSWORD).error] == [wrong]       # unknown: the same line
    assert [e.value for e in submit(at, "off", PASSWORD).error] == [t("auth.refused.disabled")]
    assert_no_data(at)
    submit(at, "admin", PASSWORD)
    assert at.session_state[USER] == access["admin"] and not at.error and at.metric
    assert audit_actions(tmp_path) == [("sign_in_failed", "", "admin"), ("sign_in_failed", "", "nobody"),
                                       ("sign_in_failed", "", "off"), ("sign_in", "admin", "admin")]


def test_a_disabled_login_is_signed_out_on_its_next_run(warehouse, access, tmp_path, monkeypatch):
    at = run_app(user=access["mkt"], **Q1_2025)
    assert at.metric
    path = tmp_path / "access.toml"
    path.write_text(ACCESS.replace('role = "marketing"', 'role = "marketing"\ndisabled = true'), encoding="utf-8")
    at.run()
    assert_no_data(at)
    assert USER not in at.session_state


def test_rate_limit_locks_a_login_then_lets_it_try_again(access, tmp_path):
    store = tmp_path / "store.sqlite"
    now = 1_000_000.0
    for _ in range(signin.LOGIN_FREE):
        assert signin.check_password(access, "admin", "x", "10.0.0.1", path=store, now=now).reason == "bad_credentials"
    locked = signin.check_password(access, "admin", PASSWORD, "10.0.0.2", path=store, now=now + 1)
    assert (locked.user, locked.reason, locked.wait_s) == (None, "locked", signin.LOCK_BASE_S - 1)  # even the right one
    assert signin.check_password(access, "admin", "x", "10.0.0.1", path=store, now=now + 31).reason == "bad_credentials"
    again = signin.check_password(access, "admin", PASSWORD, "10.0.0.1", path=store, now=now + 32)
    assert again.wait_s == 2 * signin.LOCK_BASE_S - 1            # one more failure doubled the lock-out
    signed_in = signin.check_password(access, "admin", PASSWORD, "10.0.0.1", path=store, now=now + 92)
    assert signed_in.user == access["admin"]
    assert signin.check_password(access, "admin", "x", "10.0.0.1", path=store, now=now + 93).reason == "bad_credentials"


def test_rate_limit_per_client_across_logins(access, tmp_path, monkeypatch):
    monkeypatch.setattr(signin, "_dummy", lambda: FAST.hash("x"))    # unknown logins verify a cheap hash here
    store = tmp_path / "store.sqlite"
    for i in range(signin.CLIENT_FREE):
        signin.check_password(access, f"guess{i}", "x", "10.9.9.9", path=store, now=0.0)
    assert signin.check_password(access, "mkt", PASSWORD, "10.9.9.9", path=store, now=1.0).reason == "locked"
    assert signin.check_password(access, "mkt", PASSWORD, "10.9.9.8", path=store, now=1.0).user == access["mkt"]


def test_oidc_identity_maps_by_email_or_claim(access, tmp_path):
    store = tmp_path / "store.sqlite"
    assert signin.check_identity(access, {"sub": "1", "email": "maria@example.ru"}, path=store).user == access["mkt"]
    assert signin.check_identity(access, {"sub": "2", "email": "x@example.ru"}, path=store).reason == "unknown_identity"
    assert signin.check_identity(access, {"sub": "3", "email": "oleg@example.ru"}, path=store).reason == "disabled"
    unverified = {"sub": "4", "email": "maria@example.ru", "email_verified": False}
    assert signin.check_identity(access, unverified, path=store).reason == "unverified"
    by_claim = signin.check_identity(access, {"sub": "5", "preferred_username": "reg"}, "preferred_username",
                                     path=store)
    assert by_claim.user == access["reg"]
    assert [a for a, _, _ in audit_actions(tmp_path)] == ["sign_in", "sign_in_failed", "sign_in_failed",
                                                         "sign_in_failed", "sign_in"]


def test_pages_per_role():
    everything = [p.key for p in PAGES]
    for role in ROLES:
        shown = [p.key for p in pages_for(User("u", "U", role, ("Москва",) if role == "regional_manager" else None))]
        assert shown == (everything if role != "regional_manager" else [k for k in everything if k != "data"])
    assert pages_for(None) == () and pages_for(User("u", "U", "ceo", disabled=True)) == ()


def test_a_regional_manager_cannot_open_the_data_page(warehouse, access):
    """Left out of st.navigation, not only of the menu: the router knows no such page for this session."""
    at = run_app(user=access["reg"], lang="en", **Q1_2025)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/data.py")
    at.switch_page("pages/regions.py")      # a page the role has opens
    at.run()
    assert not at.exception and at.title[0].value == t("regions.title", "en")


def test_read_only_roles_get_no_load_or_vocabulary_tab(warehouse, access):
    at = run_app("data", "en", user=access["mkt"], **Q1_2025)
    labels = [tab.label for tab in at.tabs]
    assert t("data.tab.history", "en") in labels
    assert t("data.tab.load", "en") not in labels and t("data.tab.vocab", "en") not in labels
    assert not at.get("file_uploader") and t("auth.readonly", "en") in texts(at)
    admin = run_app("data", "en", user=access["admin"], **Q1_2025)
    assert t("data.tab.load", "en") in [tab.label for tab in admin.tabs] and admin.get("file_uploader")


def _load_as_session_user():
    from ui import auth
    auth.require("load")


@pytest.mark.parametrize("role,refused", [("marketing", True), ("ceo", True), ("data_admin", False)])
def test_actions_are_refused_server_side(role, refused):
    """A session whose widgets are driven without the page drawing them still cannot load."""
    at = AppTest.from_function(_load_as_session_user, default_timeout=30)
    at.session_state[USER] = User("u", "U", role)
    at.run()
    if refused:
        assert [e.message for e in at.exception] == [t("auth.not_allowed", action=t("auth.action.load"))]
    else:
        assert not at.exception


def test_hash_command_prints_a_hash_that_verifies(capsys, monkeypatch):
    import io

    from model.users import main
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["hash"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed.startswith("$argon2id$") and argon2.PasswordHasher().verify(printed, PASSWORD)


def test_a_local_session_token_resumes_until_revoked_expired_or_disabled(access, tmp_path):
    store = tmp_path / "store.sqlite"
    token = signin.open_session(access["mkt"], path=store, now=0.0)
    assert signin.resume(access, token, path=store, now=1.0) == access["mkt"]
    assert signin.resume(access, token + "x", path=store, now=1.0) is None
    assert signin.resume(access, token, path=store, now=signin.SESSION_S + 1.0) is None     # expired
    disabled = {**access, "mkt": User("mkt", "M", "marketing", disabled=True)}
    assert signin.resume(disabled, token, path=store, now=1.0) is None
    signin.close_session(token, path=store)
    assert signin.resume(access, token, path=store, now=1.0) is None
