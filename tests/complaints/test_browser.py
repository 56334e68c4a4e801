"""End to end in headless Chromium (system Chromium through Playwright): a citizen complains on a
phone-sized screen about a refused dossier; the supervisor of the level above logs into the admin
with password and TOTP and directs the unit; the unit's officer records the contact and the unit
leader the resolution; the citizen reads the timeline and confirms."""

from __future__ import annotations

import os

import pytest
from django.test import Client

from portal.backoffice import otp
from portal.backoffice.testing import login_staff
from portal.complaints.models import Complaint, ComplaintState
from tests.complaints.conftest import CORRECTIVE, DESCRIPTION, INSTRUCTION, RESOLUTION, SUMMARY
from tests.dossiers.conftest import PASSWORD
from tests.dossiers.test_browser import PHONE

pytestmark = [pytest.mark.browser]


def _cookie_context(chromium, live_server, client: Client):
    context = chromium.new_context(locale="vi-VN")
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


def _decide(page, base, complaint_pk, name, fill):
    page.goto(f"{base}/admin/complaints/complaint/{complaint_pk}/change/")
    page.click(f"#pa-actions a[data-action={name}]")
    page.wait_for_load_state()
    fill(page)
    page.click("#pa-submit")
    page.wait_for_load_state()
    text = page.content()
    assert "errornote" not in text and "errorlist" not in text, text[:3000]


def test_complaint_about_a_refusal_end_to_end(
    _media_url_for_live_server,
    live_server,
    make_dossier,
    citizen,
    supervisor,
    receiving_officer,
    unit_leader,
    settings,
    artifacts_dir,
    monkeypatch,
    browser,
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.PUBLIC_BASE_URL = live_server.url
    dossier = make_dossier("refused")
    otp.ensure_demo_totp_device(supervisor)
    base = live_server.url

    # 1. the citizen logs in on a phone and complains from the dossier page
    person = browser.new_context(locale="vi-VN", viewport=PHONE).new_page()
    person.set_default_timeout(20_000)
    person.goto(f"{base}/tai-khoan/dang-nhap/?next=/ho-so/{dossier.code}/")
    person.fill("input[name=username]", citizen.personal_id)
    person.fill("input[name=password]", PASSWORD)
    person.click("form button[type=submit]")
    person.wait_for_load_state()
    person.click("text=Phản ánh về hồ sơ này >> nth=-1")
    person.wait_for_load_state()
    person.select_option("select[name=category]", "refusal_without_reason")
    person.fill("textarea[name=description]", DESCRIPTION)
    person.click("form.form button[type=submit]")
    person.wait_for_load_state()
    complaint = Complaint.objects.get()
    assert person.locator("#complaint-state").inner_text() == str(ComplaintState.RECEIVED.label)
    person.screenshot(path=os.path.join(artifacts_dir, "complaint-filed.png"), full_page=True)

    # 2. the supervisor logs in with password and TOTP code and directs the unit
    sup = browser.new_context(locale="vi-VN").new_page()
    sup.set_default_timeout(20_000)
    sup.goto(f"{base}/admin/login/?next=/admin/complaints/complaint/")
    sup.fill("input[name=username]", supervisor.username)
    sup.fill("input[name=password]", PASSWORD)
    sup.fill("input[name=otp_token]", otp.demo_code())
    sup.click("input[type=submit]")
    sup.wait_for_load_state()
    assert complaint.code in sup.content()

    def direct(page):
        page.fill("textarea[name=instruction]", INSTRUCTION)
        page.fill("input[name=response_hours]", "8")

    _decide(sup, base, complaint.pk, "direct", direct)
    assert Complaint.objects.get().state == ComplaintState.DIRECTED

    # 3. the unit's officer records the contact, the leader the resolution
    officer_client = Client()
    login_staff(officer_client, receiving_officer)
    officer = _cookie_context(browser, live_server, officer_client).new_page()
    officer.set_default_timeout(20_000)

    def contact(page):
        page.select_option("select[name=channel]", "phone")
        page.fill("textarea[name=summary]", SUMMARY)

    _decide(officer, base, complaint.pk, "contact", contact)
    assert Complaint.objects.get().state == ComplaintState.CONTACTED
    leader_client = Client()
    login_staff(leader_client, unit_leader)
    leader = _cookie_context(browser, live_server, leader_client).new_page()
    leader.set_default_timeout(20_000)

    def resolve(page):
        page.fill("textarea[name=resolution]", RESOLUTION)
        page.fill("textarea[name=corrective_action]", CORRECTIVE)

    _decide(leader, base, complaint.pk, "resolve", resolve)
    assert Complaint.objects.get().state == ComplaintState.RESOLVED
    leader.screenshot(path=os.path.join(artifacts_dir, "complaint-admin.png"), full_page=True)

    # 4. the citizen reads the timeline and confirms
    person.goto(f"{base}/phan-anh/{complaint.pk}/")
    labels = person.locator("ol.timeline > li .what strong").all_inner_texts()
    assert labels == [
        "Gửi phản ánh",
        "Cấp trên chỉ đạo giải quyết",
        "Đơn vị liên hệ với công dân",
        "Đơn vị giải quyết xong",
    ]
    assert RESOLUTION in person.content()
    person.click("#confirm-complaint")
    person.wait_for_load_state()
    assert Complaint.objects.get().state == ComplaintState.CLOSED
    assert person.locator("#complaint-state").inner_text() == str(ComplaintState.CLOSED.label)
    person.screenshot(path=os.path.join(artifacts_dir, "complaint-closed.png"), full_page=True)
