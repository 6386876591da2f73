"""The joint plan planned in Debian's chromium: an activity added on the Joint plan page lands in the store
with who added it and appears on the timeline."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from model import activities
from model.access import OPERATOR, scope_of
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, assert_no_error, serve

pytestmark = pytest.mark.browser


def test_an_activity_added_in_chromium_is_kept_and_drawn(demo_view, tmp_path, monkeypatch):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("PARITY_STORE", str(tmp_path / "store.sqlite"))    # the server inherits it
    # the fixture company marked as the demo: no sign-in, the demo user records
    with serve(demo_view) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
            page.goto(url + "/joint_plan?period=custom&from=2025-01-01&to=2025-03-31")
            page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=30_000)
            field = page.get_by_label("Что", exact=True)
            field.fill("Вебинар для дилеров")
            field.press("Enter")
            page.wait_for_timeout(1500)
            page.get_by_role("button", name="Сохранить").click()
            expect(page.get_by_text("Сохранено: Вебинар для дилеров.")).to_be_visible(timeout=30_000)
            assert_no_error(page)
            # its dates default to today: the timeline of the weeks around today draws it
            today = dt.date.today()
            page.goto(url + f"/joint_plan?period=custom&from={today - dt.timedelta(days=7)}"
                            f"&to={today + dt.timedelta(days=30)}")
            expect(page.locator(".js-plotly-plot").first).to_contain_text("Вебинар для дилеров", timeout=30_000)
        finally:
            browser.close()
    rows = activities.table().to_pylist()
    assert [(r["title"], r["source"]) for r in rows] == [("Вебинар для дилеров", "app")]
    assert set(activities.history(scope_of(OPERATOR)).who) == {"demo"}
