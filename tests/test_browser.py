"""End to end in Debian's chromium: the overview renders its chart, shows no error, switches to English."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "tests" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, server: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.returncode}: {server.stdout.read()}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as r:
                if r.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout}s")


@pytest.fixture
def server(warehouse, demo_view):
    """A server on the fixture company marked as the demo: these tests are about pages, not sign-in."""
    with serve(demo_view) as url:
        yield url


@contextlib.contextmanager
def serve(db: Path):
    """`streamlit run app.py` on the warehouse at `db`; yields its URL, stops it afterwards."""
    proc, url = start(db)
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        stop(proc)


def start(db: Path) -> tuple[subprocess.Popen, str]:
    """Starts `streamlit run app.py` on the warehouse at `db` without waiting for it: the process and its URL."""
    port = free_port()
    env = {**os.environ, "PARITY_DB": str(db), "PARITY_ACCESS": str(access_file(db.parent))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return proc, f"http://127.0.0.1:{port}"


# The data admin browser tests sign in as on a warehouse that is not the demo (tests/test_browser_auth.py
# tests sign-in itself); the hash is argon2id at a small cost, so signing in takes no time.
TESTER = {"login": "tester", "password": "tester-password-1", "name": "Анна Смирнова"}


def access_file(folder: Path) -> Path:
    """An access.toml in `folder` with TESTER as the data admin, written whole (servers may read it)."""
    import argon2
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "access-tests.toml"
    if not path.exists():
        hashed = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(TESTER["password"])
        tmp = folder / f".access-tests.{os.getpid()}.tmp"
        tmp.write_text(f'[users.{TESTER["login"]}]\nname = "{TESTER["name"]}"\nrole = "data_admin"\n'
                       f'password = "{hashed}"\n', encoding="utf-8")
        os.replace(tmp, path)
    return path


def sign_in(page, lang: str = "ru") -> None:
    """TESTER through the sign-in form; back on the page the URL names, Parity's menu drawn. A browser
    that signed in before is signed in by its cookie: nothing to do."""
    from ui.i18n import t
    # the menu's sign-out item, not any menu: a fresh server's first run draws the legacy pages/ menu
    login = page.get_by_label(t("auth.login", lang), exact=True)
    out = page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=t("auth.sign_out", lang))
    login.or_(out).first.wait_for(timeout=30_000)
    if out.count():
        return
    login.fill(TESTER["login"])
    page.get_by_label(t("auth.password", lang), exact=True).fill(TESTER["password"])
    page.get_by_role("button", name=t("auth.sign_in", lang), exact=True).click()
    out.wait_for(timeout=30_000)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def assert_no_error(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.all_inner_texts()


def test_overview_in_chromium(server):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
            # the server's first session, first thing (ui/nav.py: no warm-up needed)
            page.goto(server + "/?period=custom&from=2025-01-01&to=2025-03-31")
            page.locator(".js-plotly-plot .bars path").first.wait_for(timeout=20_000)
            expect(page.get_by_role("heading", name="Обзор")).to_be_visible()
            expect(page.get_by_text("Выручка, RUB")).to_be_visible()
            expect(page.get_by_text("Данные на:")).to_be_visible()
            assert_no_error(page)
            page.screenshot(path=SHOTS / "overview_ru.png", full_page=True)

            page.locator('[data-testid="stSidebar"]').get_by_role("radio", name="English").click()
            expect(page.get_by_role("heading", name="Overview")).to_be_visible(timeout=10_000)
            page.wait_for_url("**lang=en**", timeout=5_000)  # the URL keeps the language for a link
            expect(page.get_by_text("Revenue, RUB")).to_be_visible()
            page.locator(".js-plotly-plot .bars path").first.wait_for(timeout=20_000)
            assert_no_error(page)
            page.screenshot(path=SHOTS / "overview_en.png", full_page=True)
        finally:
            browser.close()
