"""End to end in headless Chromium, on a phone-sized screen: sign up, file khai báo tạm vắng with a
PDF attachment, see it in "Hồ sơ của tôi" with its expected date, log out, look it up by code."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil

import pytest

from tests.conftest import require_service
from tests.dossiers.conftest import make_pdf_bytes

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
PERSONAL_ID = "019090009876"  # Thái Nguyên, male, born 1990
PASSWORD = "Mat-khau-rat-kho-2024"

pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="session")
def _media_url_for_live_server():
    """Django's live server wraps the site in a media-files handler that needs MEDIA_URL to be a
    string; the portal sets it to None (private files are never served by URL). Give it a path
    that nothing links to, before the (session-wide) live server starts."""
    from django.conf import settings

    previous = settings.MEDIA_URL
    if not settings.MEDIA_URL:
        settings.MEDIA_URL = "/__private-files-are-not-served__/"
    yield
    settings.MEDIA_URL = previous


@pytest.fixture
def browser():
    available = bool(os.path.exists(CHROMIUM) or shutil.which(CHROMIUM))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev extra not installed
        available = False
    require_service(available, "Chromium")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def watch_csp(context, into: list[str] | None = None) -> list[str]:
    """Collect the Content-Security-Policy violations Chromium reports on the console of every
    page of `context` (a browser context or a page) into `into` (or a new list), which the test
    asserts stays empty."""
    violations: list[str] = [] if into is None else into

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(f"{message.location.get('url', '')}: {message.text}")

    context.on("console", on_console)
    return violations


@pytest.fixture
def artifacts_dir(tmp_path):
    """Screenshots go here; set BROWSER_ARTIFACTS=/some/dir to keep them after the run."""
    keep = os.environ.get("BROWSER_ARTIFACTS")
    path = keep or str(tmp_path / "screens")
    os.makedirs(path, exist_ok=True)
    return path


# `browser` comes last: database fixtures must run before Playwright's event loop starts.
def test_file_a_dossier_and_look_it_up(
    _media_url_for_live_server,
    live_server,
    procedure,
    unit,
    artifacts_dir,
    tmp_path,
    settings,
    monkeypatch,
    eager_tasks,
    browser,
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # reads the SMS outbox mid-test
    settings.PUBLIC_BASE_URL = live_server.url
    pdf = tmp_path / "to-khai-ct01.pdf"
    pdf.write_bytes(make_pdf_bytes("Tờ khai CT01"))
    page = browser.new_page(viewport=PHONE, locale="vi-VN")
    page.set_default_timeout(20_000)
    csp_violations = watch_csp(page)

    # 1. sign up
    page.goto(f"{live_server.url}/tai-khoan/dang-ky/")
    form = page.locator("form:has(input[name=password1])")
    form.locator("input[name=full_name]").fill("Phạm Văn Dũng")
    form.locator("input[name=personal_id]").fill(PERSONAL_ID)
    form.locator("input[name=date_of_birth]").fill("1990-05-17")
    form.locator("input[name=sex][value=M]").check()
    form.locator("input[name=phone]").fill("0912345678")
    form.locator("input[name=password1]").fill(PASSWORD)
    form.locator("input[name=password2]").fill(PASSWORD)
    form.locator("button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.locator("text=Đăng xuất").count() == 1, page.content()[:2000]

    # 1b. every notice goes by SMS: the phone is verified (with the code sent to it) first
    from notifications.models import OutboxSms

    assert "/thong-bao/xac-minh-so-dien-thoai/" in page.url
    sms = OutboxSms.objects.filter(phone="+84912345678").latest("pk")
    page.fill("input[name=code]", re.search(r"\b(\d{6})\b", sms.body).group(1))
    page.locator("form:has(input[name=code]) button[type=submit]").click()
    page.wait_for_load_state()
    assert "đã được xác minh" in page.content()

    # 2. file khai báo tạm vắng: commune, form (name and number are prefilled), the PDF; the
    # citizen lives in the commune, so is in the residence registry (the declaration requires it)
    from residence.services.common import get_or_create_person

    get_or_create_person(
        personal_id=PERSONAL_ID,
        full_name="Phạm Văn Dũng",
        date_of_birth=dt.date(1990, 5, 17),
        sex="M",
    )
    page.goto(f"{live_server.url}/ho-so/nop/{procedure.code}/")
    assert page.locator("input[name=f-personal_id]").input_value() == PERSONAL_ID
    page.select_option("select[name=area]", str(unit.area_id))
    today = dt.date.today()
    page.fill("textarea[name=f-reason], input[name=f-reason]", "Đi làm việc tại Hà Nội")
    page.fill("input[name=f-date_from]", (today + dt.timedelta(days=2)).isoformat())
    page.fill("input[name=f-date_to]", (today + dt.timedelta(days=90)).isoformat())
    page.fill("input[name=f-destination_address]", "Số 10 phố Huế, phường Hai Bà Trưng, Hà Nội")
    page.set_input_files('input[name="file_to-khai"]', str(pdf))
    page.click("button.btn.secondary[value=save]")  # Lưu nháp
    page.wait_for_load_state()
    errors = page.locator(".error, .messages li").all_inner_texts()
    assert "Đã lưu nháp" in page.content(), errors
    assert page.locator("text=to-khai-ct01.pdf").count() == 1
    estimate = page.locator("#estimate").inner_text()
    assert "Nếu nộp ngay, dự kiến trả kết quả" in estimate
    page.screenshot(path=os.path.join(artifacts_dir, "draft.png"), full_page=True)
    page.click("button.btn[value=submit]")  # Nộp hồ sơ
    page.wait_for_load_state()
    assert "Đã nộp hồ sơ" in page.content(), page.content()[:3000]
    code = page.locator("h1").inner_text().replace("Hồ sơ", "").strip()
    assert code.startswith(unit.code)

    # 3. "Hồ sơ của tôi": the dossier, its state and its expected date
    page.goto(f"{live_server.url}/ho-so/")
    row = page.locator("tr.dossier-row", has_text=code)
    assert "Mới nộp, chờ tiếp nhận" in row.inner_text()
    # the due moment is fixed at submission (the legal clock runs from the reception moment)
    assert re.fullmatch(r"\d\d:\d\d \d\d/\d\d/\d{4}", row.locator(".due").inner_text())
    page.screenshot(path=os.path.join(artifacts_dir, "my-dossiers.png"), full_page=True)

    # 4. log out and look it up by code without logging in
    page.locator("header button:has-text('Đăng xuất')").click()
    page.wait_for_load_state()
    assert page.locator("text=Đăng nhập").count() >= 1
    page.goto(f"{live_server.url}/tra-cuu/?ma={code}")
    assert page.locator("input[name=code]").input_value() == code
    page.fill("input[name=personal_id]", PERSONAL_ID)
    page.locator("form.lookup button[type=submit]").click()
    page.wait_for_load_state()
    result = page.locator(".lookup-result").inner_text()
    assert code in result and "Mới nộp, chờ tiếp nhận" in result
    assert "Phạm Văn Dũng" not in page.content()
    page.screenshot(path=os.path.join(artifacts_dir, "lookup.png"), full_page=True)

    # 5. the API docs: Swagger UI runs under the page's policy (its script is a separate URL)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .information-container")
    assert page.locator(".opblock").count() > 10

    # no page of the path above tripped the Content-Security-Policy
    assert csp_violations == []
