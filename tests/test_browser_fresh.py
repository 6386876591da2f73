"""Shared links and first clicks on a freshly started server, in Debian's chromium.

Streamlit decides per server process that a top-level pages/ folder makes a legacy multipage app,
until some session has run app.py's st.navigation (ui/nav.py). So each case gets a server no
browser has opened yet: it opens one page's link with filters first thing (Parity's own sidebar,
the link's filters and language applied, that page drawn), then clicks the next page in the sidebar
first thing (it lands there, filters kept). Every page is opened first once and clicked first once;
the overview's link is "/", so "open the app, then click" is one of the nine. The lost click comes
from the session's first run, not from which page is clicked, so one click per fresh server is the
test of it. The nine servers start together (a server nobody has opened is still fresh) and the nine
cases run three at a time in one chromium; each page's test reports its own case.
"""
from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

import model.pages
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, ROOT, SHOTS, start, stop, wait_healthy
from ui import fmt
from ui.i18n import LANG_NAMES, t

pytestmark = pytest.mark.browser

# (url path, sidebar title key, heading key, whether the page prints the filters under its heading);
# the default page's link is the app's root. The order is app.py's PAGES.
TITLES = {"overview": "overview.title", "regions": "regions.title", "plan_fact": "plan.title",
          "funnel": "funnel.title", "joint_plan": "jp.title", "contribution": "contrib.title",
          "impact": "impact.title", "meeting": "meeting.title", "data": "data.title", "agreements": "agr.title"}
NO_CAPTION = {"meeting", "data", "agreements"}     # pages that print no filter caption
# (URL path, sidebar title key, heading key, prints the filter caption), from the one page registry
PAGES = [(p.url_path, f"page.{p.key}", TITLES[p.key], p.key not in NO_CAPTION) for p in model.pages.PAGES]
# A range that cuts months inside the fixture company's data (January-March 2025), one region.
FROM, TO, REGION = dt.date(2025, 2, 10), dt.date(2025, 3, 20), "Москва"
# Cases at a time: enough to keep two cores busy while a case waits on its server or the browser
AT_ONCE = 3
# Cold servers draw at once on a shared machine, and chromium loads some widgets' code lazily
WAIT = 60_000


def link(path: str, lang: str) -> str:
    return f"/{path}?period=custom&from={FROM}&to={TO}&regions={quote(REGION)}&lang={lang}"


@pytest.fixture(scope="module")
def outcomes(demo_view) -> list[Exception | None]:
    """Each case's failure (None when it passed), run on nine unopened servers at once."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no {CHROMIUM} (apt-get install chromium)")
    servers = [start(demo_view) for _ in PAGES]   # the demo needs no sign-in: the first run is the link's
    try:
        assert len({url for _, url in servers}) == len(servers), "two servers were given one port"
        for proc, url in servers:
            wait_healthy(url, proc, timeout=60)
        return asyncio.run(run_all([url for _, url in servers]))
    finally:
        for proc, _ in servers:
            proc.terminate()
        for proc, _ in servers:
            stop(proc)


def test_every_page_file_has_a_case():
    assert {path or "overview" for path, *_ in PAGES} == {f.stem for f in (ROOT / "pages").glob("*.py")}


@pytest.mark.parametrize("i", range(len(PAGES)), ids=[key.split(".")[1] for _, key, _, _ in PAGES])
def test_link_opened_first_then_first_click(outcomes, i):
    if outcomes[i] is not None:
        raise outcomes[i]


async def run_all(urls: list[str]) -> list[Exception | None]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            turns = asyncio.Semaphore(AT_ONCE)
            return await asyncio.gather(*(outcome(browser, turns, url, i) for i, url in enumerate(urls)))
        finally:
            await browser.close()


async def outcome(browser, turns: asyncio.Semaphore, url: str, i: int) -> Exception | None:
    try:
        async with turns:
            await link_then_click(browser, url, i)
    except Exception as err:  # noqa: BLE001  an assertion or Playwright's timeout: the page's test raises it
        return err
    return None


async def link_then_click(browser, url: str, i: int) -> None:
    """Page i's link first thing, then the sidebar's next page first thing."""
    lang = ("ru", "en")[i % 2]
    context = await browser.new_context(viewport={"width": 1400, "height": 1000},
                                        locale="ru-RU" if lang == "ru" else "en-US")
    try:
        page = await context.new_page()
        await page.goto(url + link(PAGES[i][0], lang))
        await assert_on(page, i, lang)
        SHOTS.mkdir(exist_ok=True)
        await page.screenshot(path=SHOTS / f"fresh_link_{PAGES[i][1].split('.')[1]}_{lang}.png")
        j = (i + 1) % len(PAGES)
        await page.locator('[data-testid="stSidebarNav"]').get_by_role(
            "link", name=t(PAGES[j][1], lang), exact=True).click(timeout=WAIT)
        await assert_on(page, j, lang)
    finally:
        await context.close()


async def assert_on(page, i: int, lang: str) -> None:
    """Page i of PAGES, drawn to the end without an error at its own URL, in Parity's sidebar, with the
    link's filters and language in the URL, in the sidebar and, where it prints them, on the page."""
    from playwright.async_api import expect

    path, key, heading, captioned = PAGES[i]
    await expect(page.locator("h1").first).to_have_text(t(heading, lang), timeout=WAIT)
    await page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=WAIT)
    assert urlsplit(page.url).path == f"/{path}", page.url
    for part in (f"from={FROM}", f"to={TO}", f"regions={quote(REGION)}", f"lang={lang}"):
        assert part in page.url, (part, page.url)
    assert await page.title() == "Parity"
    if captioned:
        caption = t("filters.caption", lang, date_from=fmt.date(FROM, lang), date_to=fmt.date(TO, lang),
                    regions=REGION, products=t("all_products", lang))
        await expect(page.get_by_text(caption, exact=True)).to_be_visible(timeout=WAIT)

    # Parity's sidebar (Streamlit's legacy mode lists the file names, "app" and "plan fact" among them)
    sidebar = page.locator('[data-testid="stSidebar"]')
    titles = sidebar.locator('[data-testid="stSidebarNavLink"] [data-testid="stMarkdownContainer"]')
    await expect(titles).to_have_text([t(k, lang) for _, k, _, _ in PAGES], timeout=WAIT)
    current = sidebar.locator(
        '[data-testid="stSidebarNavLink"][aria-current="page"] [data-testid="stMarkdownContainer"]')
    await expect(current).to_have_text(t(key, lang), timeout=WAIT)
    await expect(sidebar.get_by_role("radio", name=LANG_NAMES[lang], exact=True)).to_be_checked(timeout=WAIT)
    dates = sidebar.locator('[data-testid="stDateInput"] input')
    await expect(dates).to_have_count(2, timeout=WAIT)
    assert [await d.input_value() for d in await dates.all()] == [FROM.isoformat(), TO.isoformat()]
    regions = sidebar.locator('[data-testid="stMultiSelect"]').first
    await expect(regions.locator("label")).to_have_text(t("filter.regions", lang), timeout=WAIT)
    await expect(regions.locator("[data-tag]")).to_have_text([REGION], timeout=WAIT)

    assert await page.get_by_role("dialog").count() == 0      # e.g. Streamlit's "Page not found"
    assert await page.locator('[data-testid="stException"]').count() == 0
    errors = await page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
    assert not errors, errors
