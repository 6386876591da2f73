"""The vocabulary step in Debian's chromium: on the Data page an unrecognised source is assigned a channel,
the preview shows what moves, the change is saved and rebuilt, and the Funnel page then shows the moved
leads under that channel; the config file and the change log hold the change."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from etl import config
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, SHOTS, assert_no_error, serve, sign_in
from tests.test_vocab_step import build, mql, norm
from ui.i18n import t

pytestmark = pytest.mark.browser
VIEW = "/?period=custom&from=2025-01-01&to=2025-03-31&lang=ru"


def funnel_leads(page) -> dict[str, int]:
    """Leads per channel as the Funnel page's chart holds them (trace name -> first step's value)."""
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for(timeout=30_000)
    return chart.evaluate("el => Object.fromEntries(el.data.map(tr => [tr.name, tr.x[0]]))")


def go_to(page, key: str, title_key: str) -> None:
    from playwright.sync_api import expect
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=t(key, "ru"), exact=True).click()
    expect(page.locator("h1").first).to_have_text(t(title_key, "ru"), timeout=20_000)


def pick(page, label: str, option: str) -> None:
    """Chooses `option` in the selectbox labelled `label`."""
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    page.wait_for_timeout(300)


def test_assign_a_source_on_the_data_page_moves_the_funnel(tmp_path, monkeypatch):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    build(tmp_path)
    cfg = tmp_path / "config"
    monkeypatch.setenv("PARITY_CONFIG", str(cfg))                 # the server inherits it
    moved = int((mql().origin.map(norm) == "unknown_thing").sum())
    labels = {c["channel"]: c["label_ru"] for c in config.channels()}
    seo, unknown = labels["seo"], labels["unknown"]
    SHOTS.mkdir(exist_ok=True)
    with serve(tmp_path / "warehouse.duckdb") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="ru-RU")
            for _ in range(2):   # the server's first session runs the legacy pages/ path: warm up
                page.goto(url + VIEW)
                page.locator("h1").first.wait_for(timeout=30_000)
            sign_in(page)    # as TESTER, Анна Смирнова, the data admin: the change log names her
            go_to(page, "page.funnel", "funnel.title")
            before = funnel_leads(page)

            go_to(page, "page.data", "data.title")
            page.get_by_role("tab", name=t("data.tab.vocab", "ru")).click()
            expect(page.get_by_text(t("vocab.note", "ru"))).to_be_visible(timeout=20_000)
            pick(page, t("vocab.value", "ru"), f"{t('field.source', 'ru')}: unknown_thing")
            pick(page, t("vocab.target", "ru"), f"{seo} · seo")
            page.get_by_role("button", name=t("vocab.show", "ru"), exact=True).click()
            line = page.get_by_text(re.compile(r"^Переходят: лидов"))
            expect(line).to_be_visible(timeout=20_000)
            assert line.inner_text().startswith(f"Переходят: лидов {moved}, сделок ")
            assert "^unknown_thing$" in line.inner_text()
            assert_no_error(page)
            page.screenshot(path=SHOTS / "vocab_preview_ru.png", full_page=True)
            page.get_by_role("button", name=t("vocab.save", "ru"), exact=True).click()
            done = page.get_by_text(re.compile(r"^Сохранено: «unknown_thing»"))
            expect(done).to_be_visible(timeout=60_000)
            assert f"перешло лидов {moved}," in done.inner_text()
            assert_no_error(page)

            # opened by its link with the period in it: under load the sidebar's filters can fall back to
            # this month after the save's rebuild (a known defect, named in the stop's note); this test
            # is about the counts the funnel shows for the chosen period
            page.goto(url + "/funnel?" + VIEW.split("?", 1)[1])
            expect(page.locator("h1").first).to_have_text(t("funnel.title", "ru"), timeout=30_000)
            # read the chart once the page states the link's period (a rerun may first draw another one)
            expect(page.get_by_text(re.compile(r"^01\.01\.2025 – 31\.03\.2025"))).to_be_visible(timeout=30_000)
            after = funnel_leads(page)
            for _ in range(20):        # the chart of the run that drew that caption, not an earlier one
                if seo in after:
                    break
                page.wait_for_timeout(500)
                after = funnel_leads(page)
            assert after[seo] == before.get(seo, 0) + moved
            assert after.get(unknown, 0) == before[unknown] - moved
            assert_no_error(page)
            page.screenshot(path=SHOTS / "vocab_funnel_ru.png", full_page=True)
        finally:
            browser.close()
    rules = (cfg / "channel_rules.csv").read_text(encoding="utf-8")
    assert re.search(r"^\d+,source,\^unknown_thing\$,seo,vocabulary step$", rules, flags=re.M)
    log = (cfg / "vocab_changes.csv").read_text(encoding="utf-8").splitlines()
    assert log[-1].split(",")[1:] == ["Анна Смирнова", "channel", "source", "unknown_thing", "false",
                                      "channel_rules.csv", "unknown", "seo"]
