"""In headless Chromium on a 375 px screen: the citizen opens their dossier, follows "Đặt lịch hẹn",
picks a time on the plain form (no JavaScript), books, then an officer checks them in from the
admin's day list. No horizontal scrolling, no Content-Security-Policy violation."""

from __future__ import annotations

import pytest
from django.test import Client

from portal.backoffice.testing import login_staff
from portal.booking import services
from portal.booking.models import AppointmentState
from tests.booking.conftest import at
from tests.dossiers.test_browser import watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMALL_PHONE = {"width": 375, "height": 740}


def _context(chromium, live_server, client: Client):
    context = chromium.new_context(locale="vi-VN", viewport=SMALL_PHONE, java_script_enabled=False)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "domain": host,
                "path": "/",
            }
        ]
    )
    return context


def _overflow(page) -> int:
    # JavaScript is off for the visitor, but Playwright's evaluate still measures the layout.
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_book_on_a_small_phone_then_check_in(
    _media_url_for_live_server,
    live_server,
    clock,
    dossier,
    citizen,
    receiving_officer,
    settings,
    monkeypatch,
    browser,
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # reads the database mid-test
    settings.PUBLIC_BASE_URL = live_server.url
    client = Client()
    client.force_login(citizen)
    context = _context(browser, live_server, client)
    page = context.new_page()
    page.set_default_timeout(20_000)
    violations = watch_csp(page)

    page.goto(f"{live_server.url}/ho-so/{dossier.code}/")
    page.click("#lich-hen a.btn")
    page.wait_for_load_state()
    assert page.url.endswith(f"/ho-so/{dossier.code}/dat-lich/")
    assert _overflow(page) <= 1, "the booking page is wider than a 375 px phone"
    first_day = page.locator("fieldset.day").first
    assert "02/03/2027" in first_day.locator("legend").inner_text()
    first_day.locator("label.time").nth(1).click()  # 08:00
    page.click("form.slots button[type=submit]")
    page.wait_for_load_state()
    assert "Đã đặt lịch hẹn lúc 08:00 02/03/2027" in page.content()
    assert _overflow(page) <= 1
    appointment = services.appointment_for(dossier)
    assert appointment.starts_at == at(2027, 3, 2, 8, 0)

    # The officer, on the day, checks the citizen in from the day's list.
    clock.set(at(2027, 3, 2, 8, 5))
    staff = Client()
    login_staff(staff, receiving_officer)
    staff_context = _context(browser, live_server, staff)
    admin = staff_context.new_page()
    admin.goto(f"{live_server.url}/admin/booking/appointment/?ngay=2027-03-02")
    admin.check(f"input[name=_selected_action][value='{appointment.pk}']")
    admin.select_option("select[name=action]", "check_in_action")
    admin.click("button[name=index]")
    admin.wait_for_load_state()
    assert "Đã ghi nhận 1 công dân đến làm thủ tục." in admin.content()
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.CHECKED_IN
    assert violations == []
    context.close()
    staff_context.close()
