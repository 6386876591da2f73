"""Sign-in and sign-out in Debian's chromium on a warehouse that is not the demo: the local fallback
(a wrong password, an unknown login and a disabled login refused with one line each, then in and out)
and OpenID Connect against a local provider (oidc-provider-mock on 127.0.0.1) through st.login: a mapped
identity signs in and out, an unmapped one is refused."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from model import audit
from tests.test_auth import ACCESS, PASSWORD
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, ROOT, SHOTS, free_port, stop, wait_healthy
from ui.i18n import t

pytestmark = pytest.mark.browser
VIEW = "/?period=custom&from=2025-01-01&to=2025-03-31&lang=ru"


@contextlib.contextmanager
def oidc_provider():
    """oidc-provider-mock's app on 127.0.0.1 in a thread: any client id and secret, users set by PUT."""
    import oidc_provider_mock
    import werkzeug.serving

    server = werkzeug.serving.make_server("127.0.0.1", free_port(), oidc_provider_mock.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def app_with_sign_in(db: Path, folder: Path, issuer: str):
    """`streamlit run app.py` on `db` with access.toml, a store and secrets.toml's [auth] of its own."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    (folder / "access.toml").write_text(ACCESS, encoding="utf-8")
    (folder / "secrets.toml").write_text(f"""[auth]
redirect_uri = "{url}/oauth2callback"
cookie_secret = "a-test-cookie-secret-of-enough-length-0123456789"
client_id = "parity"
client_secret = "parity-secret"
server_metadata_url = "{issuer}/.well-known/openid-configuration"
""", encoding="utf-8")
    env = {**os.environ, "PARITY_DB": str(db), "PARITY_ACCESS": str(folder / "access.toml"),
           "PARITY_STORE": str(folder / "store.sqlite")}
    env.pop("PARITY_DEBUG", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--secrets.files", str(folder / "secrets.toml")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_healthy(url, proc, timeout=60)
        yield url
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def site(built_warehouse, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    folder = tmp_path_factory.mktemp("auth")
    with oidc_provider() as issuer, app_with_sign_in(built_warehouse, folder, issuer) as url, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield {"url": url, "issuer": issuer, "browser": browser, "store": folder / "store.sqlite"}
        finally:
            browser.close()


def wait_for_entries(store: Path, n: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while (len(audit.entries(path=store)) if store.exists() else 0) < n:
        assert time.monotonic() < deadline, f"fewer than {n} audit entries after {timeout}s"
        time.sleep(0.1)


def refusal(page) -> str:
    alert = page.locator('[data-testid="stAlertContentError"]')
    alert.first.wait_for(timeout=20_000)
    return alert.first.locator("p").inner_text().strip()


def sign_in_form(page, login: str, password: str) -> None:
    page.get_by_label(t("auth.login", "ru"), exact=True).fill(login)
    page.get_by_label(t("auth.password", "ru"), exact=True).fill(password)
    page.get_by_role("button", name=t("auth.sign_in", "ru"), exact=True).click()


def signed_in(page, name: str, role: str) -> None:
    from playwright.sync_api import expect
    nav = page.locator('[data-testid="stSidebarNav"]')
    expect(nav.get_by_text(t("auth.as", "ru", name=name, role=t(f"role.{role}", "ru")))).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name=t("overview.title", "ru"))).to_be_visible(timeout=30_000)


def sign_out(page, provider: bool = False) -> None:
    """Out through the menu; an OIDC session goes on to the provider's end-session page and back."""
    from playwright.sync_api import expect
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=t("auth.sign_out", "ru")).click()
    if provider:
        page.get_by_role("button", name="End session").click(timeout=30_000)
    expect(page.get_by_role("heading", name=t("auth.title", "ru"))).to_be_visible(timeout=30_000)
    assert page.locator(".js-plotly-plot").count() == 0


def test_local_sign_in_refusals_and_sign_out(site):
    from playwright.sync_api import expect
    page = site["browser"].new_page(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
    page.goto(site["url"] + VIEW)
    expect(page.get_by_role("heading", name=t("auth.title", "ru"))).to_be_visible(timeout=30_000)
    assert page.locator(".js-plotly-plot").count() == 0 and page.locator('[data-testid="stSidebarNav"]').count() == 0
    wrong = t("auth.refused.bad_credentials", "ru")
    for i, (login, password, line) in enumerate([("admin", "не тот", wrong), ("nobody", PASSWORD, wrong),
                                                 ("off", PASSWORD, t("auth.refused.disabled", "ru"))]):
        sign_in_form(page, login, password)
        wait_for_entries(site["store"], i + 1)      # the server took this attempt before the next one is typed
        expect(page.locator('[data-testid="stAlertContentError"]')).to_contain_text(line, timeout=20_000)
    sign_in_form(page, "admin", PASSWORD)
    signed_in(page, "Анна Админ", "data_admin")
    assert "from=2025-01-01" in page.url      # the link's view survives the sign-in, with its numbers
    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=30_000)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / "signed_in_local.png", full_page=True)
    page.reload()                               # a page load is a new session: the token cookie signs it in
    signed_in(page, "Анна Админ", "data_admin")
    sign_out(page)
    page.reload()                               # the token was revoked: its cookie stands for nobody
    expect(page.get_by_role("heading", name=t("auth.title", "ru"))).to_be_visible(timeout=30_000)
    page.close()
    actions = [(r.action, r.target) for r in audit.entries(path=site["store"]).sort_values("id").itertuples()
               if r.target in ("admin", "nobody", "off")]
    assert actions == [("sign_in_failed", "admin"), ("sign_in_failed", "nobody"), ("sign_in_failed", "off"),
                       ("sign_in", "admin"), ("sign_out", "admin")]


def provider_user(issuer: str, sub: str, email: str, name: str) -> None:
    import httpx
    assert httpx.put(f"{issuer}/users/{quote(sub)}", json={"email": email, "name": name}).status_code == 204


def through_provider(page, url: str, sub: str) -> None:
    from playwright.sync_api import expect
    page.goto(url + VIEW)
    page.get_by_role("button", name=t("auth.oidc", "ru")).click()
    page.get_by_placeholder("sub").wait_for(timeout=30_000)      # the provider's own form
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_role("heading").first).to_be_visible(timeout=30_000)


def test_oidc_sign_in_and_sign_out(site):
    provider_user(site["issuer"], "maria", "maria@example.ru", "Maria")
    page = site["browser"].new_page(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
    through_provider(page, site["url"], "maria")
    from playwright.sync_api import expect
    signed_in(page, "Мария Маркетинг", "marketing")      # access.toml's user of that e-mail
    nav = page.locator('[data-testid="stSidebarNav"]')
    expect(nav.get_by_role("link", name=t("page.data", "ru"), exact=True)).to_have_count(1, timeout=30_000)
    sign_out(page, provider=True)
    assert not [c for c in page.context.cookies() if c["name"] == "_streamlit_user"]
    page.goto(site["url"] + VIEW)               # the identity cookie is gone: a new visit asks again
    expect(page.get_by_role("button", name=t("auth.oidc", "ru"))).to_be_visible(timeout=30_000)
    page.close()


def test_oidc_identity_without_a_login_is_refused(site):
    provider_user(site["issuer"], "stranger", "stranger@example.ru", "Stranger")
    page = site["browser"].new_page(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
    through_provider(page, site["url"], "stranger")
    assert refusal(page) == t("auth.refused.unknown_identity", "ru")
    assert page.locator(".js-plotly-plot").count() == 0 and page.locator('[data-testid="stSidebarNav"]').count() == 0
    page.close()
