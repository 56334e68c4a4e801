"""End to end in headless Chromium: a citizen files a first identity card (DC02 prefilled), sees why
a visit is needed and books a slot; the officer receives the dossier (CC02 naming the time and
place) and checks the citizen in from the day's list; the leader approves; the card appears on the
citizen's page "Thẻ căn cước của tôi"."""

from __future__ import annotations

import os

import pytest
from django.test import Client

from citizen_id.models import CardStatus, IdentityCard
from portal.backoffice import otp
from portal.backoffice.testing import login_staff
from portal.booking.models import Appointment, AppointmentState
from portal.dossiers.models import Document, Dossier, State
from tests.backoffice.test_browser import _cookie_context, _do_action
from tests.dossiers.test_browser import (  # noqa: F401 - fixtures
    _media_url_for_live_server,
    artifacts_dir,
    browser,
    watch_csp,
)

from .conftest import FIRST_ISSUE, VISIT

pytestmark = [pytest.mark.browser]
PASSWORD = "Mat-khau-rat-kho-2024"


# `browser` comes last: database fixtures must run before Playwright's event loop starts.
def test_book_check_in_approve_and_the_card_appears_on_the_citizens_page(
    _media_url_for_live_server,  # noqa: F811
    live_server,
    catalogue,
    citizen,
    unit,
    receiving_officer,
    unit_leader,
    clock,
    settings,
    artifacts_dir,  # noqa: F811
    monkeypatch,
    browser,  # noqa: F811
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # reads the database between steps
    settings.BACKOFFICE_OTP_REQUIRED = True
    settings.PUBLIC_BASE_URL = live_server.url
    base = live_server.url

    # 1. the citizen files cấp thẻ căn cước: the DC02 is prefilled, nothing to upload
    citizen_client = Client()
    citizen_client.force_login(citizen)
    person = _cookie_context(browser, live_server, citizen_client).new_page()
    csp_violations = watch_csp(person.context)
    person.set_default_timeout(20_000)
    person.goto(f"{base}/ho-so/nop/{FIRST_ISSUE}/")
    assert person.locator("input[name=f-personal_id]").input_value() == citizen.personal_id
    assert person.locator("input[name=f-full_name]").input_value() == citizen.full_name
    person.select_option("select[name=area]", str(unit.area_id))
    person.click("button.btn[value=submit]")
    person.wait_for_load_state()
    assert "Đã nộp hồ sơ" in person.content(), person.content()[:3000]
    dossier = Dossier.objects.get(citizen=citizen, procedure__code=FIRST_ISSUE)

    # 2. the dossier page says why a visit is needed and offers booking; the citizen books 09:00
    box = person.locator("#lich-hen")
    assert "vân tay" in box.inner_text()
    box.locator("a:has-text('Đặt lịch hẹn')").click()
    person.wait_for_load_state()
    person.locator(f"input[name=starts_at][value^='{VISIT:%Y-%m-%dT%H:%M}']").check()
    person.click("form.slots button[type=submit]")
    person.wait_for_load_state()
    appointment = Appointment.objects.get(dossier=dossier)
    assert appointment.state == AppointmentState.BOOKED
    person.screenshot(path=os.path.join(artifacts_dir, "id-booked.png"), full_page=True)

    # 3. the officer (password + TOTP) receives it: the slip is CC02 with the visit
    otp.ensure_demo_totp_device(receiving_officer)
    officer = browser.new_context(locale="vi-VN").new_page()
    watch_csp(officer.context, csp_violations)
    officer.set_default_timeout(20_000)
    officer.goto(f"{base}/admin/login/?next=/admin/")
    officer.fill("input[name=username]", receiving_officer.username)
    officer.fill("input[name=password]", PASSWORD)
    officer.fill("input[name=otp_token]", otp.demo_code())
    officer.click("input[type=submit]")
    officer.wait_for_load_state()
    _do_action(officer, base, dossier.pk, "receive")
    receipt = Document.objects.get(dossier=dossier, kind=Document.Kind.RECEIPT)
    assert receipt.template_name == "citizen_id/pdf/cc02.html"
    assert receipt.context["appointment_at"].startswith(f"{VISIT:%Y-%m-%dT%H:%M}")

    # 4. on the day, the officer checks the citizen in from the day's list
    clock.set(VISIT)
    officer.goto(f"{base}/admin/booking/appointment/?ngay={VISIT:%Y-%m-%d}")
    row = officer.locator("#result_list tbody tr", has_text=dossier.code)
    row.locator("input.action-select").check()
    officer.select_option("select[name=action]", "check_in_action")
    officer.click("button[name=index]")
    officer.wait_for_load_state()
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.CHECKED_IN, officer.content()[:3000]

    # 5. the leader processes and approves: the card is recorded
    leader_client = Client()
    login_staff(leader_client, unit_leader)
    leader = _cookie_context(browser, live_server, leader_client).new_page()
    watch_csp(leader.context, csp_violations)
    leader.set_default_timeout(20_000)
    _do_action(leader, base, dossier.pk, "start_processing")
    _do_action(leader, base, dossier.pk, "approve")
    assert Dossier.objects.get(pk=dossier.pk).state == State.APPROVED
    card = IdentityCard.objects.get(number=citizen.personal_id)
    assert card.status == CardStatus.VALID

    # 6. "Thẻ căn cước của tôi" lists the new card
    person.goto(f"{base}/can-cuoc/cua-toi/")
    text = person.locator("main").inner_text()
    assert "Thẻ căn cước của tôi" in person.content()
    assert citizen.personal_id in text and "Còn hiệu lực" in text
    assert card.issued_on.strftime("%d/%m/%Y") in text
    person.screenshot(path=os.path.join(artifacts_dir, "id-my-cards.png"), full_page=True)
    assert csp_violations == []
