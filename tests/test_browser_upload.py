"""A batch uploaded on the Data page of a fresh server, in Debian's chromium: the good files land with
their success lines, the file that cannot load gets one line in Russian, no traceback appears; the
report with no period then loads with the dates picked in the form."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.test_batch import BROKEN_XLSX, HUBSPOT
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, SHOTS, serve, sign_in
from tests.test_periods import METRICA
from ui.i18n import t

pytestmark = pytest.mark.browser


def assert_no_traceback(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in page.content()


def alerts(page, kind: str) -> list[str]:
    """The alerts' texts, without the icon's ligature name ('error') the element also holds."""
    return [text.strip().splitlines()[-1] for text in
            page.locator(f'[data-testid="stAlertContent{kind}"]').all_inner_texts()]


def open_data_page(page, url: str) -> None:
    """Through the router, as a user does: the overview (empty warehouse), then Данные in the sidebar."""
    from playwright.sync_api import expect
    for _ in range(2):  # the server's first session runs the legacy pages/ path: warm up
        page.goto(url + "/?lang=ru")
        page.locator("h1").first.wait_for(timeout=30_000)
    sign_in(page)       # no warehouse yet is no demo: the data admin signs in to load
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=t("page.data", "ru"), exact=True).click()
    expect(page.get_by_role("heading", name=t("data.title", "ru"))).to_be_visible(timeout=30_000)


def test_batch_upload_one_line_per_bad_file(tmp_path, monkeypatch):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.delenv("PARITY_DEBUG", raising=False)      # the server shows errors as a user sees them
    db = tmp_path / "wh" / "warehouse.duckdb"                # a fresh server: nothing loaded yet
    files = {"hubspot-crm-exports-all-deals-2026-03-11.csv": HUBSPOT,
             "utm_2026-03-01_2026-03-10.csv": METRICA,
             "utm.csv": METRICA.replace(b"vk,", b"vk2,"),     # no date column, no period anywhere
             "Сделки.xlsx": BROKEN_XLSX}                      # a damaged workbook
    upload = tmp_path / "upload"
    upload.mkdir()
    for name, data in files.items():
        (upload / name).write_bytes(data)
    SHOTS.mkdir(exist_ok=True)
    with serve(db) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="ru-RU")
            open_data_page(page, url)
            dropzone = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
            dropzone.set_input_files([str(upload / n) for n in files])
            page.get_by_role("button", name=t("data.load.go", "ru"), exact=True).click()
            # the files' lines (the audit tab beside, drawn for the data admin, has a success line of its own)
            loaded = page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="загружено")
            expect(loaded).to_have_count(2, timeout=60_000)
            # the page draws its lines one by one: the refused files' lines may come after the loaded ones'
            expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(2, timeout=60_000)
            success = [s for s in alerts(page, "Success") if "загружено" in s]
            errors = alerts(page, "Error")
            assert [s.split(":")[0] for s in success] == ["hubspot-crm-exports-all-deals-2026-03-11.csv",
                                                          "utm_2026-03-01_2026-03-10.csv"], success
            assert "загружено 3" in success[0] and "загружено 3" in success[1]
            assert errors == [t("err.no_period", "ru", file="utm.csv"),
                              t("err.bad_workbook", "ru", file="Сделки.xlsx")], errors
            # how a file was read is said under its line: the period the report without dates took
            expect(page.get_by_text("период 01.03.2026 — 10.03.2026 (10 дней) взят из имени файла")).to_be_visible()
            assert_no_traceback(page)
            page.screenshot(path=SHOTS / "upload_batch_ru.png", full_page=True)

            # the report with no period: in a new session, pick its dates in the form and load it alone
            open_data_page(page, url)
            for key, typed in (("upload.period.from", "01032026"), ("upload.period.to", "10032026")):
                label = t(key, "ru")
                # day, month, year segments; a typed date applies when the calendar the click opened closes
                page.get_by_role("spinbutton", name=f"day, {label}", exact=True).click()
                page.keyboard.type(typed)
                page.keyboard.press("Escape")
            page.get_by_role("heading", name=t("data.title", "ru")).click()
            dropzone.set_input_files([str(upload / "utm.csv")])
            page.get_by_role("button", name=t("data.load.go", "ru"), exact=True).click()
            expect(page.get_by_text(f"utm.csv: {t('entity.traffic', 'ru')}")).to_be_visible(timeout=60_000)
            expect(page.get_by_text("взят из дат, указанных при загрузке")).to_be_visible()
            assert alerts(page, "Error") == []
            assert_no_traceback(page)
        finally:
            browser.close()
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select file_name from loads order by load_id").fetchall() == [
            ("hubspot-crm-exports-all-deals-2026-03-11.csv",), ("utm_2026-03-01_2026-03-10.csv",), ("utm.csv",)]
        assert con.execute("select distinct t.period_start::varchar, t.period_end::varchar from traffic t "
                           "join loads l using (load_id) where l.file_name = 'utm.csv'").fetchall() == [
            ("2026-03-01", "2026-03-10")]
    finally:
        con.close()
