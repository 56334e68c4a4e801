"""End to end in headless Chromium: an officer logs into the admin (password + TOTP), receives a
submitted dossier and requests a supplement; the citizen supplements; the officer receives again,
the leader approves, the officer records the in-person return; the citizen's timeline shows each
step with its reason."""

from __future__ import annotations

import os

import pytest
from django.test import Client

from portal.backoffice import otp
from portal.backoffice.testing import login_staff
from portal.dossiers.models import Dossier, State
from tests.dossiers.conftest import make_pdf_bytes
from tests.dossiers.test_browser import watch_csp

pytestmark = [pytest.mark.browser]
PASSWORD = "Mat-khau-rat-kho-2024"
GUIDANCE = "Ký tờ khai CT01 và tải lên bản chụp rõ nét, đủ các trang."
PROBLEM = "Tờ khai chưa có chữ ký của người khai"


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


def _do_action(page, base, dossier_pk, name, fill=None):
    page.goto(f"{base}/admin/dossiers/dossier/{dossier_pk}/change/")
    page.click(f"#bo-actions a[data-action={name}]")
    page.wait_for_load_state()
    if fill:
        fill(page)
    page.click("#bo-submit")
    page.wait_for_load_state()
    text = page.content()
    assert "errornote" not in text and "errorlist" not in text, text[:3000]


def test_staff_path_end_to_end(
    _media_url_for_live_server,
    live_server,
    make_dossier,
    citizen,
    receiving_officer,
    unit_leader,
    settings,
    tmp_path,
    artifacts_dir,
    monkeypatch,
    browser,
):
    # The test reads the database between browser steps, while Playwright's loop runs.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.BACKOFFICE_OTP_REQUIRED = True
    settings.PUBLIC_BASE_URL = live_server.url
    dossier = make_dossier("submitted")
    Dossier.objects.filter(pk=dossier.pk).update(result_method="in_person")
    otp.ensure_demo_totp_device(receiving_officer)
    base = live_server.url

    # 1. the receiving officer logs in with password and TOTP code
    officer = browser.new_context(locale="vi-VN").new_page()
    csp_violations = watch_csp(officer.context)
    officer.set_default_timeout(20_000)
    officer.goto(f"{base}/admin/login/?next=/admin/")
    officer.fill("input[name=username]", receiving_officer.username)
    officer.fill("input[name=password]", PASSWORD)
    officer.fill("input[name=otp_token]", otp.demo_code())
    officer.click("input[type=submit]")
    officer.wait_for_load_state()
    assert officer.locator("#backoffice-queues").count() == 1, officer.content()[:2000]
    assert officer.locator('.bo-count[data-queue="reception"]').inner_text() == "1"
    officer.screenshot(path=os.path.join(artifacts_dir, "admin-index.png"), full_page=True)

    # 2. receive, then request a supplement
    officer.click("a[href$='?queue=reception']")
    officer.click(f"text={dossier.code}")
    officer.wait_for_load_state()
    _do_action(officer, base, dossier.pk, "receive")
    assert Dossier.objects.get(pk=dossier.pk).state == State.RECEIVED

    def supplement(page):
        page.fill("input[name=items-0-document]", "Tờ khai thay đổi thông tin cư trú (CT01)")
        page.select_option("select[name=items-0-copy_kind]", "original")
        page.fill("input[name=items-0-problem]", PROBLEM)
        page.fill("textarea[name=guidance]", GUIDANCE)

    _do_action(officer, base, dossier.pk, "request_supplement", supplement)
    assert Dossier.objects.get(pk=dossier.pk).state == State.SUPPLEMENT_REQUESTED

    # 3. the citizen uploads the paper and sends the supplement
    citizen_client = Client()
    citizen_client.force_login(citizen)
    person = _cookie_context(browser, live_server, citizen_client).new_page()
    watch_csp(person.context, csp_violations)
    person.set_default_timeout(20_000)
    pdf = tmp_path / "to-khai-da-ky.pdf"
    pdf.write_bytes(make_pdf_bytes("Tờ khai đã ký"))
    person.goto(f"{base}/ho-so/{dossier.code}/")
    assert PROBLEM in person.content()
    person.set_input_files("#id_file_supplement", str(pdf))
    person.click("button[name=action][value=resubmit]")
    person.wait_for_load_state()
    assert Dossier.objects.get(pk=dossier.pk).state == State.SUBMITTED

    # 4. the officer receives again; the leader starts processing and approves
    _do_action(officer, base, dossier.pk, "receive")
    leader_client = Client()
    login_staff(leader_client, unit_leader)
    leader = _cookie_context(browser, live_server, leader_client).new_page()
    watch_csp(leader.context, csp_violations)
    leader.set_default_timeout(20_000)
    _do_action(leader, base, dossier.pk, "start_processing")
    _do_action(leader, base, dossier.pk, "approve")
    assert Dossier.objects.get(pk=dossier.pk).state == State.APPROVED

    # 5. the officer records the in-person return (level 3: originals compared)
    def hand_back(page):
        page.select_option("select[name=method]", "in_person")
        page.fill("input[name=collected_by_name]", citizen.full_name)
        page.fill("input[name=collected_by_personal_id]", citizen.personal_id)
        page.check("input[name=originals_compared]")

    _do_action(officer, base, dossier.pk, "return_result", hand_back)
    assert Dossier.objects.get(pk=dossier.pk).state == State.RESULT_RETURNED
    officer.screenshot(path=os.path.join(artifacts_dir, "admin-dossier.png"), full_page=True)

    # 6. the citizen's timeline: every step, with the reason, and the unit (not the officer)
    person.goto(f"{base}/ho-so/{dossier.code}/")
    actions = person.locator("ol.timeline > li").evaluate_all(
        "els => els.map(e => e.className.replace('event event-', ''))"
    )
    assert (
        actions
        == [
            "create",
            "submit",
            "receive",
            "request_supplement",
            "resubmit",
            "receive",
            "start_processing",
            "approve",
            "return_result",
        ][-len(actions) :]
    ), actions
    for step in ("receive", "request_supplement", "resubmit", "approve", "return_result"):
        assert step in actions
    supplement_item = person.locator("li.event-request_supplement").inner_text()
    assert GUIDANCE in supplement_item and PROBLEM in supplement_item
    assert receiving_officer.full_name not in person.locator("ol.timeline").inner_text()
    person.screenshot(path=os.path.join(artifacts_dir, "citizen-timeline.png"), full_page=True)

    # 7. the back office's other pages; none of the pages above tripped the policy
    for url in (
        "/admin/",
        "/admin/units/policeunit/",
        f"/admin/dossiers/dossier/{dossier.pk}/change/",
    ):
        officer.goto(f"{base}{url}")
        officer.wait_for_load_state()
    assert csp_violations == []


FIT_JS = """() => {
    const results = document.querySelector('#changelist-form .results');
    const box = results.getBoundingClientRect();
    return {
        innerWidth: window.innerWidth,
        pageWidth: document.documentElement.scrollWidth,
        resultsOverflow: results.scrollWidth - results.clientWidth,
        headers: Array.from(document.querySelectorAll('#result_list thead th')).map(th => {
            const r = th.getBoundingClientRect();
            return {text: th.innerText.trim(), left: r.left, right: r.right,
                    boxLeft: box.left, boxRight: box.right};
        }),
    };
}"""


@pytest.mark.parametrize("width,height", [(1280, 800), (1366, 768)])
def test_lists_fit_common_screens(
    _media_url_for_live_server,
    live_server,
    make_dossier,
    receiving_officer,
    handling_officer,
    supervisor,
    browser,
    monkeypatch,
    width,
    height,
):
    """The queue shows due, waited and officer columns, the refusal review list all its columns,
    at 1280 px and 1366×768: every header inside the viewport and inside the list (no scrolling
    the list sideways), and no horizontal scroll of the page."""
    from portal.accounts.models import User
    from portal.backoffice import services as backoffice
    from portal.backoffice.models import RefusalReason, RefusalReview

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    long_name = "Nguyễn Thị Phương Thảo Hoàng Lan"
    User.objects.filter(pk=handling_officer.pk).update(full_name=long_name)
    make_dossier("submitted")
    received = make_dossier("received")
    backoffice.assign(
        dossier=received, actor=receiving_officer, officer=User.objects.get(pk=handling_officer.pk)
    )
    refused = make_dossier("refused")
    reason = RefusalReason.objects.create(
        code="thu-hoi-dat",
        title="Chỗ ở thuộc địa điểm không được đăng ký thường trú, tạm trú mới",
        legal_provision="Điều 23 Luật Cư trú 2020",
    )
    RefusalReview.objects.create(
        dossier=refused,
        unit=refused.unit,
        reason=reason,
        legal_provision=reason.legal_provision,
        explanation="Chỗ ở thuộc khu vực đã có quyết định thu hồi đất.",
        refused_by=receiving_officer,
    )
    base = live_server.url
    pages = [
        (receiving_officer, "/admin/dossiers/dossier/?queue=reception", ["Hẹn trả", "Đã chờ"]),
        (receiving_officer, "/admin/dossiers/dossier/", ["Hẹn trả", "Đã chờ", "Cán bộ"]),
        (supervisor, "/admin/backoffice/refusalreview/", []),
    ]
    for user, url, must_show in pages:
        client = Client()
        login_staff(client, user)
        context = _cookie_context(browser, live_server, client)
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{base}{url}")
        page.wait_for_load_state()
        assert page.locator("#result_list").count() == 1, page.content()[:3000]
        fit = page.evaluate(FIT_JS)
        texts = [h["text"].split("\n")[-1].strip().lower() for h in fit["headers"]]
        for name in must_show:
            assert name.lower() in texts, (url, texts)
        if "refusalreview" in url:  # the 7 review columns and the supervisor's reopen link
            assert len(fit["headers"]) == 8, texts
        for header in fit["headers"]:
            assert header["left"] >= 0 and header["right"] <= fit["innerWidth"], (url, header)
            assert header["right"] <= header["boxRight"] + 1, (url, header)
        assert fit["resultsOverflow"] <= 0, (url, fit["resultsOverflow"])
        assert fit["pageWidth"] <= fit["innerWidth"], (url, fit["pageWidth"])
        context.close()
