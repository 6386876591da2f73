"""Shared links and first clicks on a freshly started server, in Debian's chromium.

Streamlit decides per server process that a top-level pages/ folder makes a legacy multipage app,
until some session has run app.py's st.navigation (ui/nav.py). So each case gets a server no
browser has opened yet: it opens one page's link with filters first thing (Parity's own sidebar,
the link's filters and language applied, that page drawn), then clicks the next page in the sidebar
first thing (it lands there, filters kept). Every page is opened first once and clicked first once;
the overview's link is "/", so "open the app, then click" is one of the nine. The lost click comes
from the session's first run, not from which page is clicked, so one click per fresh server is the
test of it. The servers start together (a server nobody has opened is still fresh) and each serves
one case.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, SHOTS, assert_no_error, start, stop, wait_healthy
from ui import fmt
from ui.i18n import LANG_NAMES, t

pytestmark = pytest.mark.browser

# (url path, sidebar title key, heading key, whether the page prints the filters under its heading);
# the default page's link is the app's root. The order is app.py's PAGES.
PAGES = [("", "page.overview", "overview.title", True), ("regions", "page.regions", "regions.title", True),
         ("plan_fact", "page.plan_fact", "plan.title", True), ("funnel", "page.funnel", "funnel.title", True),
         ("joint_plan", "page.joint_plan", "jp.title", True),
         ("contribution", "page.contribution", "contrib.title", True),
         ("impact", "page.impact", "impact.title", True), ("meeting", "page.meeting", "meeting.title", False),
         ("data", "page.data", "data.title", False)]
# A range that cuts months inside the fixture company's data (January-March 2025), one region.
FROM, TO, REGION = dt.date(2025, 2, 10), dt.date(2025, 3, 20), "Москва"


def link(path: str, lang: str) -> str:
    return f"/{path}?period=custom&from={FROM}&to={TO}&regions={quote(REGION)}&lang={lang}"


@pytest.fixture(scope="module")
def fresh_servers(built_warehouse):
    """One unopened server per case, started in parallel; each case stops its own when done."""
    procs = []
    try:
        for _ in PAGES:
            procs.append(start(built_warehouse))
        assert len({url for _, url in procs}) == len(procs), "two servers were given one port"
        for proc, url in procs:
            wait_healthy(url, proc, timeout=60)
        yield procs
    finally:
        for proc, _ in procs:
            if proc.poll() is None:
                stop(proc)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def assert_parity_sidebar(page, lang: str) -> None:
    """Parity's sidebar: its own page titles (Streamlit's legacy mode lists the file names, "app" and
    "plan fact" among them), the language switch on the link's language, the link's period and regions."""
    from playwright.sync_api import expect

    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.locator('[data-testid="stSidebarNavLink"] [data-testid="stMarkdownContainer"]')).to_have_text([t(key, lang) for _, key, _, _ in PAGES])
    expect(sidebar.get_by_role("radio", name=LANG_NAMES[lang], exact=True)).to_be_checked()
    dates = sidebar.locator('[data-testid="stDateInput"] input')
    expect(dates).to_have_count(2)
    assert [d.input_value() for d in dates.all()] == [FROM.isoformat(), TO.isoformat()]
    regions = sidebar.locator('[data-testid="stMultiSelect"]').first
    expect(regions.locator("label")).to_have_text(t("filter.regions", lang))
    expect(regions.locator("[data-tag]")).to_have_text([REGION])


def assert_on(page, i: int, lang: str) -> None:
    """Page i of PAGES is drawn at its own URL, with the link's filters in the URL and on the page."""
    from playwright.sync_api import expect

    path, _, heading, captioned = PAGES[i]
    expect(page.locator("h1").first).to_have_text(t(heading, lang), timeout=45_000)
    assert urlsplit(page.url).path == f"/{path}", page.url
    assert page.title() == "Parity", page.title()
    if captioned:
        caption = t("filters.caption", lang, date_from=fmt.date(FROM, lang), date_to=fmt.date(TO, lang),
                    regions=REGION, products=t("all_products", lang))
        expect(page.get_by_text(caption, exact=True)).to_be_visible()
    for part in (f"from={FROM}", f"to={TO}", f"regions={quote(REGION)}", f"lang={lang}"):
        assert part in page.url, (part, page.url)


@pytest.mark.parametrize("i", range(len(PAGES)), ids=[key.split(".")[1] for _, key, _, _ in PAGES])
def test_link_opened_first_then_first_click(fresh_servers, browser, i):
    from playwright.sync_api import expect

    proc, url = fresh_servers[i]
    lang = ("ru", "en")[i % 2]
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  locale="ru-RU" if lang == "ru" else "en-US")
    try:
        page = context.new_page()
        page.goto(url + link(PAGES[i][0], lang))
        assert_on(page, i, lang)
        assert_parity_sidebar(page, lang)
        assert_no_error(page)
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SHOTS / f"fresh_link_{PAGES[i][1].split('.')[1]}_{lang}.png")

        j = (i + 1) % len(PAGES)
        nav = page.locator('[data-testid="stSidebarNav"]')
        nav.get_by_role("link", name=t(PAGES[j][1], lang), exact=True).click()
        expect(nav.locator("a[aria-current='page'] [data-testid=stMarkdownContainer]")).to_have_text(t(PAGES[j][1], lang), timeout=20_000)
        assert_on(page, j, lang)
        assert_parity_sidebar(page, lang)
        assert_no_error(page)
    finally:
        context.close()
        stop(proc)
