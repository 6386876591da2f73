"""Every page in Debian's chromium, in both languages: opened from the sidebar, charts drawn, no error,
the filters kept in the URL, Streamlit's and plotly's own texts in the page's language (ui/st_texts.py,
charts.plotly_config), a typed date applied on Enter; a file uploaded on the Data page goes through the
ETL; the Meeting page's deck and a table's Excel file download. Screenshots land in tests/screenshots/
(gitignored)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import model.pages
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, SHOTS, assert_no_error, serve, server, sign_in  # noqa: F401
from ui import fmt
from ui.i18n import t

pytestmark = pytest.mark.browser
VIEW = "/?period=custom&from=2025-01-01&to=2025-03-31&lang={lang}"
NO_CHART = {"impact", "meeting", "data", "agreements"}   # pages that draw no chart on the fixture warehouse
# (page key, text key of its title in the sidebar, whether it draws a chart), from the one page registry
PAGES = [(p.key, f"page.{p.key}", p.key not in NO_CHART) for p in model.pages.PAGES]


@pytest.fixture
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


def open_app(browser, url: str, lang: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="ru-RU" if lang == "ru" else "en-US")
    page.goto(url + VIEW.format(lang=lang))
    page.locator(".js-plotly-plot:visible").first.wait_for(timeout=30_000)   # a collapsed expander holds one too
    return page


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_page_from_the_sidebar(server, browser, lang):  # noqa: F811
    from playwright.sync_api import expect

    SHOTS.mkdir(exist_ok=True)
    page = open_app(browser, server, lang)
    nav = page.locator('[data-testid="stSidebarNav"]')
    for name, key, has_chart in PAGES:
        nav.get_by_role("link", name=t(key, lang), exact=True).click()
        expect(page.locator("h1").first).to_be_visible(timeout=20_000)
        if has_chart:
            page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=30_000)
        page.wait_for_timeout(500)
        assert "from=2025-01-01" in page.url and f"lang={lang}" in page.url, page.url   # the view stays a link
        assert_no_error(page)
        widget_texts(page, name, lang)
        page.screenshot(path=SHOTS / f"{name}_{lang}.png", full_page=True)
    if lang == "ru":   # the same script in either language: one check is enough
        typed_date_applies_on_enter(page)


# what Streamlit and plotly write themselves, on the page that shows it: (page, what) -> (ru, en)
MONTH_HOVER = {"ru": r"(янв|фев|мар) 2025", "en": r"(Jan|Feb|Mar) 2025"}


def widget_texts(page, name: str, lang: str) -> None:
    """The overview chart's hover names its month like the axis; the Data page's uploader and empty date
    fields, and a table's toolbar, speak the page's language, with none of the other language's words."""
    from playwright.sync_api import expect

    if name == "overview":
        bar = page.locator(".js-plotly-plot .bars path").first
        bar.scroll_into_view_if_needed()
        box = bar.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        hover = page.locator(".js-plotly-plot .hoverlayer").first
        expect(hover).to_have_text(re.compile("^" + MONTH_HOVER[lang]), timeout=5_000)   # the header
        text = hover.text_content()
        assert not re.search(r"(?<![\d.])\d\d\.2025", text), text                  # not '01.2025'
        assert not re.search(r"\(" + MONTH_HOVER[lang] + ",", text), text           # no '(янв 2025, …)' per line
        page.mouse.move(5, 5)
    if name == "data":
        zone = page.locator('[data-testid="stFileUploaderDropzone"]')
        expect(zone.locator('button [data-testid="stMarkdownContainer"]')).to_have_text(t("st.uploader.upload", lang))
        expect(page.locator('[data-testid="stFileUploaderDropzoneInstructions"]')).to_have_text(
            "До 200\u00a0МБ на файл" if lang == "ru" else "200MB per file")
        shown = zone.inner_text()
        for word in (("Upload", "200MB", "Drag and drop") if lang == "ru" else ("Загрузить", "МБ")):
            assert word not in shown, shown
        empty = page.locator('[data-testid="stMain"] [data-testid="stDateInputField"]').first
        assert re.sub(r"\s", "", empty.inner_text()) == ("дд.мм.гггг" if lang == "ru" else "dd.mm.yyyy")
    if name == "regions":
        table = page.locator('[data-testid="stDataFrame"]').first
        table.hover()
        button = page.locator('[data-testid="stElementToolbarButton"] button').filter(
            has=page.locator("svg")).nth(1)
        expect(button).to_have_attribute("aria-label", t("st.toolbar.csv", lang))
        if lang == "en":   # the label left as Streamlit wrote it; the tooltip shows that label
            return
        button.hover()   # Streamlit shows a toolbar's tooltip after a second
        expect(page.locator('[data-testid="stTooltipContent"]')).to_have_text(t("st.toolbar.csv", lang),
                                                                             timeout=5_000)
        page.mouse.move(5, 5)


def typed_date_applies_on_enter(page) -> None:
    """The sidebar's start date typed digit by digit and Enter: the period follows, the URL with it."""
    day = page.locator('[data-testid="stSidebar"] [data-testid="stDateInputField"]').first.locator(
        '[data-type="day"]')
    day.click()
    page.keyboard.type("15022025")
    page.keyboard.press("Enter")
    page.wait_for_url("**from=2025-02-15**", timeout=10_000)
    assert "to=2025-03-31" in page.url, page.url


def open_impact(browser, url: str, query: str, lang: str):
    """A new browser page on the Overview at `query`, then the impact page from the sidebar."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/?{query}&lang={lang}")
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=t("page.impact", lang), exact=True).click()
    return page


def test_impact_page_on_the_demo(small_demo, browser):
    """The campaign impact page on a demo company with planted flights, in both languages: the scoreboard
    of the period's flights, the chart of actual against the counterfactual drawn, the incremental metric, the
    weekly-estimate line of the demo's sparse default flight, and the planner on its default regions
    answering with a headline; no error, no traceback."""
    from playwright.sync_api import expect

    SHOTS.mkdir(exist_ok=True)
    with serve(small_demo) as url:
        for lang in ("ru", "en"):
            page = open_impact(browser, url, "period=last12", lang)
            expect(page.locator("h1").first).to_have_text(t("impact.title", lang), timeout=20_000)
            page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
            expect(page.get_by_text(t("impact.incremental", lang)).first).to_be_visible()
            expect(page.get_by_text(t("impact.controls", lang)).first).to_be_visible()
            expect(page.get_by_text(t("impact.board.title", lang), exact=True)).to_be_visible()
            revenue = t("impact.metric.revenue", lang)       # the metric the page opens on
            weekly = t("impact.weekly_note", lang, share="\x00", metric=revenue).split("\x00")[0]
            expect(page.get_by_text(weekly).first).to_be_visible()
            assert_no_error(page)
            page.screenshot(path=SHOTS / f"impact_demo_{lang}.png", full_page=True)
            page.get_by_role("tab", name=t("impact.tab.plan", lang)).click()
            page.get_by_role("button", name=t("impact.plan.go", lang)).click()
            head = t("impact.plan.result", lang, days=28, regions="\x00", mde="", what="", controls="",
                     days_noun=fmt.noun(28, "day", lang)).split("\x00")[0]
            expect(page.get_by_text(head).first).to_be_visible(timeout=60_000)
            assert_no_error(page)
            assert page.get_by_text("Traceback").count() == 0 and page.get_by_text("ImpactError").count() == 0
            page.close()


def test_impact_offers_the_metric_a_flight_fits_on(small_demo, browser):
    """A period holding one flight whose revenue estimate does not fit its reference period while its
    leads estimate does (the model says so first): the page offers leads in one line, and its button
    switches the metric in the browser, after which nothing is offered."""
    from playwright.sync_api import expect

    from model import runner
    from model.access import OPERATOR
    from model.filters import from_query, today
    from model.views import impact as view
    from model.views import load

    period = {"period": "custom", "from": "2025-09-15", "to": "2025-10-12"}
    con = runner.connect(small_demo)
    try:
        def run(name, params):
            return runner.run_on(con, name, params, OPERATOR)
        f = from_query(period, today())
        flights = view.in_period(load("impact", f, run)["flights"])
        assert len(flights) == 1
        every = {}
        for m in view.METRICS:
            d = load("impact", f, run, campaign=flights.campaign.iloc[0], metric=m)
            every[m] = view.estimate_flight(d["panel"], *view.estimate_args(d))
    finally:
        con.close()
    assert view.steadier(every, "revenue") == "leads"
    with serve(small_demo) as url:
        for lang in ("ru", "en"):
            page = open_impact(browser, url, f"period=custom&from={period['from']}&to={period['to']}", lang)
            button = page.get_by_role("button", name=t("impact.steadier.show", lang,
                                                       other=t("impact.metric.leads", lang)), exact=True)
            expect(button).to_be_visible(timeout=60_000)
            button.click()
            expect(button).to_have_count(0, timeout=30_000)
            expect(page.get_by_text(t("impact.what.leads", lang)).first).to_be_visible(timeout=30_000)
            assert_no_error(page)
            page.close()


@pytest.fixture
def server_on_copy(copy_of_warehouse):
    """A server on a private copy: an upload must not change the warehouse other tests read."""
    with serve(copy_of_warehouse) as url:
        yield url


def test_upload_on_the_data_page(server_on_copy, browser, tmp_path):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page.goto(server_on_copy + VIEW.format(lang="en"))
    sign_in(page, "en")     # a warehouse of one's own, not the demo: loading files is the data admin's
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Data", exact=True).click()
    expect(page.get_by_role("heading", name="Data")).to_be_visible(timeout=20_000)
    upload = tmp_path / "deals_more.csv"
    upload.write_text("ID;Бюджет;Дата создания;Этап сделки;Город\n7001;2 500;04.03.2025;Переговоры;Москва\n",
                      encoding="utf-8")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    page.get_by_role("button", name="Load", exact=True).click()
    expect(page.get_by_text("deals_more.csv: deals")).to_be_visible(timeout=30_000)
    assert_no_error(page)


# the PDF only: both buttons run the same deferred build, and the PPTX is checked in tests/test_report.py
@pytest.mark.parametrize("button,magic", [("meeting.pdf", b"%PDF")])
def test_meeting_deck_downloads(server, browser, tmp_path, button, magic):  # noqa: F811
    from playwright.sync_api import expect

    page = open_app(browser, server, "en")
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=t("page.meeting", "en"), exact=True).click()
    expect(page.get_by_role("heading", name=t("meeting.title", "en"))).to_be_visible(timeout=20_000)
    expect(page.get_by_text(t("deck.title.headline", "en", period="2025-Q1"))).to_be_visible(timeout=20_000)
    with page.expect_download(timeout=90_000) as info:     # the deck (and its charts) is built on the click
        page.locator('[data-testid="stDownloadButton"]').filter(has_text=t(button, "en")).locator("button").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name == f"parity_2025-Q1_en.{button.split('.')[1]}"
    assert path.read_bytes().startswith(magic) and path.stat().st_size > 20_000
    assert_no_error(page)


def test_table_downloads_as_excel(server, browser, tmp_path, demo_view, monkeypatch):  # noqa: F811
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    from model import audit
    monkeypatch.delenv("PARITY_STORE", raising=False)    # the server's store: beside the warehouse it serves
    monkeypatch.setenv("PARITY_DB", str(demo_view))
    exports = lambda: len(audit.entries(actions=("export",)).query("target == 'regions.xlsx'"))  # noqa: E731
    before = exports()

    page = open_app(browser, server, "en")
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=t("page.regions", "en"), exact=True).click()
    expect(page.get_by_role("heading", name=t("regions.title", "en"))).to_be_visible(timeout=20_000)
    with page.expect_download(timeout=30_000) as info:
        page.locator('[data-testid="stDownloadButton"]').filter(has_text=t("export.xlsx", "en")).first.locator(
            "button").click()
    path = tmp_path / "regions.xlsx"
    info.value.save_as(path)
    ws = load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert info.value.suggested_filename == "regions.xlsx"
    # what the file covers on its first line, the headers under it, each column formatted by its kind
    assert rows[0][0].startswith("Covers: 2025-01-01 – 2025-03-31 · all regions") and "Language: English" in rows[0][0]
    assert rows[1][0] == t("regions.col.region", "en") and "Москва" in [r[0] for r in rows[2:]]
    header = list(rows[1])
    formats = {h: ws.cell(3, j + 1).number_format for j, h in enumerate(header)}
    assert formats[t("regions.col.revenue_vs_plan_period", "en")] == "0.0%"
    assert formats[t("regions.col.deals_won", "en")] == "#,##0"
    assert formats[t("regions.col.revenue", "en", currency="RUB")] in ("#,##0", "#,##0.00")
    assert exports() == before + 1       # the click is in the audit trail


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_regions_and_data_tabs_draw_when_clicked(server, browser, lang):  # noqa: F811
    """The Regions drill-down's and the Data page's tabs query their tables when opened (a click reruns the
    page): each clicked tab shows its table, the one open before it no longer runs, and nothing errs."""
    from playwright.sync_api import expect

    page = open_app(browser, server, lang)
    page.goto(server + VIEW.format(lang=lang).replace("/?", "/regions?") + "&region=Москва")
    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=30_000)
    note = t("regions.sources_note", lang)
    expect(page.get_by_text(note)).to_have_count(0)
    page.get_by_role("tab", name=t("regions.sources", lang)).click()
    expect(page.get_by_text(note)).to_be_visible(timeout=30_000)
    page.get_by_role("tab", name=t("regions.products", lang)).click()
    expect(page.get_by_text(note)).to_have_count(0, timeout=30_000)
    assert_no_error(page)
    page.goto(server + VIEW.format(lang=lang).replace("/?", "/data?"))
    expect(page.locator("h1").first).to_have_text(t("data.title", lang), timeout=30_000)
    for tab, text in (("recon", t("data.recon.lines", lang)), ("terms", t("data.terms.stages", lang))):
        page.get_by_role("tab", name=t(f"data.tab.{tab}", lang)).click()
        expect(page.get_by_text(text, exact=True).first).to_be_visible(timeout=30_000)
    assert_no_error(page)
    page.close()


def test_a_one_month_period_draws_its_revenue_bar(server, browser):  # noqa: F811
    """A period of one month has one bar per chart: plotly sized it from the gaps between bars and drew it
    1 ms wide. On the Overview and the Regions drill-down it is now a bar a reader sees."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
    for path in ("/", "/regions"):
        page.goto(server + path + "?period=custom&from=2025-02-01&to=2025-02-28&lang=ru&region=Москва")
        page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=30_000)
        page.wait_for_timeout(1500)
        widths = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].pop()
            .querySelectorAll('.barlayer .point path').length ? [...[...document.querySelectorAll('.js-plotly-plot')]
            .pop().querySelectorAll('.barlayer .point path')].map(p => p.getBoundingClientRect().width) : []""")
        assert widths and max(widths) > 40, (path, widths)
        assert_no_error(page)
    page.close()


def test_the_overview_opens_by_its_own_name(server, browser):  # noqa: F811
    """The Overview is served at "/"; "/overview" (typed, or a bookmark) opened Streamlit's English «Page not
    found» dialog over it. It now goes on to "/" with the link's filters, and the menu does not list it twice."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="en-US")
    # not a fresh server's first session: that one restarts through the router (ui/nav.py) and did not
    # show the dialog, every later one did
    page.goto(server + "/?lang=en")
    expect(page.locator("h1").first).to_have_text(t("page.overview", "en"), timeout=30_000)
    page.goto(server + "/overview?period=custom&from=2025-01-01&to=2025-03-31&lang=en")
    expect(page.locator("h1").first).to_have_text(t("page.overview", "en"), timeout=30_000)
    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    assert page.get_by_text("Page not found").count() == 0
    assert re.search(r":\d+/\?", page.url) and "from=2025-01-01" in page.url and "lang=en" in page.url, page.url
    links = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    assert sum(t("page.overview", "en") in x for x in links) == 1, links
    assert_no_error(page)
    page.close()
