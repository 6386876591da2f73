"""End to end in Debian's chromium: the overview renders its chart, shows no error, switches to English."""
from __future__ import annotations

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
def server(warehouse):
    port = free_port()
    env = {**os.environ, "PARITY_DB": str(warehouse)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, proc)
        yield url
    finally:
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
            # Warm-up: a server's first session runs app.py through Streamlit's legacy pages/-folder
            # path, whose widget ids differ from later runs, so that session loses its first click.
            view = server + "/?period=custom&from=2025-01-01&to=2025-03-31"
            page.goto(view)
            page.locator(".js-plotly-plot").first.wait_for(timeout=20_000)
            page.goto(view)
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


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("name, key", [("funnel", "page.funnel"), ("joint_plan", "page.joint_plan")])
def test_page_from_the_sidebar_in_chromium(server, name, key, lang):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    from ui.i18n import t

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2400})
            view = server + f"/?period=custom&from=2025-01-01&to=2025-03-31&lang={lang}"
            page.goto(view)   # warm-up, as in test_overview_in_chromium
            page.locator(".js-plotly-plot").first.wait_for(timeout=20_000)
            page.goto(view)
            page.locator(".js-plotly-plot").first.wait_for(timeout=20_000)
            page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=t(key, lang)).click()
            page.wait_for_url(f"**/{name}?**", timeout=10_000)
            title = t("funnel.title" if name == "funnel" else "jp.title", lang)
            expect(page.get_by_role("heading", name=title)).to_be_visible(timeout=20_000)
            page.locator(".js-plotly-plot .bars path").first.wait_for(timeout=20_000)
            assert_no_error(page)
            page.screenshot(path=SHOTS / f"{name}_{lang}.png", full_page=True)
        finally:
            browser.close()
