"""End to end in headless Chromium (issue 10): a citizen files a level-4 procedure (đăng ký tạm
trú, online fee) choosing the electronic result, pays in the sandbox bank, staff approve and return
it, the signed result arrives at the loopback SMTP server, and it verifies on /xac-thuc/.

Staff steps go through the services their admin buttons call (the back office has its own
browser tests)."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from tests.dossiers.conftest import *  # noqa: F403 - the engine's fixtures (area, unit …)
from tests.dossiers.conftest import PASSWORD, make_citizen, make_pdf_bytes, make_staff
from tests.dossiers.test_browser import (  # noqa: F401 - fixtures
    PHONE,
    _media_url_for_live_server,
    artifacts_dir,
    browser,
    watch_csp,
)
from tests.signing.conftest import eager_celery, smtp_server  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser]

PERSONAL_ID = "019191004567"  # Thái Nguyên, female, born 1991


# `browser` last: database fixtures must run before Playwright's event loop starts.
def test_pay_in_the_sandbox_and_receive_the_signed_result(
    _media_url_for_live_server,  # noqa: F811
    live_server,
    unit,
    area,
    settings,
    tmp_path,
    monkeypatch,
    eager_celery,  # noqa: F811
    smtp_server,  # noqa: F811
    artifacts_dir,  # noqa: F811
    browser,  # noqa: F811
):
    from portal.backoffice import services as backoffice
    from portal.catalogue.services import load_catalogue
    from portal.dossiers import services
    from portal.dossiers.models import Document, Dossier, State

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # reads the database mid-test
    settings.PUBLIC_BASE_URL = live_server.url
    settings.PAYMENT_PROVIDER = "sandbox"
    load_catalogue()
    citizen = make_citizen(
        PERSONAL_ID,
        "Đỗ Thị Lan",
        area=area,
        phone="0912000222",
        email="lan@example.test",
        date_of_birth=dt.date(1991, 4, 2),
        sex="F",
    )
    proof = tmp_path / "so-do.pdf"
    proof.write_bytes(make_pdf_bytes("Giấy chứng nhận quyền sở hữu"))
    page = browser.new_page(viewport=PHONE, locale="vi-VN")
    page.set_default_timeout(20_000)
    csp_violations = watch_csp(page)

    # 1. log in, file đăng ký tạm trú in one's own home, electronic result
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.fill("input[name=username]", PERSONAL_ID)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form.account-form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/ho-so/nop/1.004194/")
    page.select_option("select[name=area]", str(area.pk))
    today = dt.date.today()
    page.fill("input[name=f-street]", "Số 8, tổ 2")
    page.fill("input[name=f-date_from]", (today + dt.timedelta(days=1)).isoformat())
    page.fill("input[name=f-date_to]", (today + dt.timedelta(days=200)).isoformat())
    page.select_option("select[name=f-basis]", "own")
    method = page.locator("select[name=result_method]")
    if method.count():
        method.select_option("electronic")
    else:
        page.check("input[name=result_method][value=electronic]")
    for upload in page.locator("input[type=file][name^=file_]").all():
        upload.set_input_files(str(proof))
    page.click("button.btn[value=submit]")
    page.wait_for_load_state()
    errors = page.locator(".error, .errorlist, .messages li").all_inner_texts()
    dossier = Dossier.objects.get(citizen=citizen)
    assert dossier.state == State.AWAITING_PAYMENT, errors
    assert dossier.result_method == "electronic"

    # 2. pay: the dossier page's button, the portal's payment page, the sandbox bank
    page.goto(f"{live_server.url}/ho-so/{dossier.code}/")
    page.click("#nut-thanh-toan")
    page.wait_for_load_state()
    assert "7.000 đồng" in page.locator("#le-phi").inner_text()  # the online fee, shown first
    page.click("#thanh-toan")
    page.wait_for_load_state()
    assert "/thanh-toan/sandbox/" in page.url
    page.screenshot(path=os.path.join(artifacts_dir, "sandbox-bank.png"), full_page=True)
    page.click("button[name=outcome][value=pay]")
    page.wait_for_load_state()
    dossier.refresh_from_db()
    assert dossier.paid_at is not None and dossier.state == State.SUBMITTED  # the IPN, not the page

    # 3. staff receive, process, approve (the result is rendered and signed by the worker) and
    # return it electronically: the email carries the signed PDF
    # (in a thread of its own, as in a worker: Playwright's event loop runs in this one and
    # pyHanko's synchronous API starts its own loop)
    import threading

    outcome = {}

    def staff_steps():
        from django.db import connection

        try:
            receiver = make_staff("tn.l4", unit, "receiving_officer")
            handler = make_staff("xl.l4", unit, "handling_officer")
            leader = make_staff("ld.l4", unit, "unit_leader")
            current = services.receive(dossier=dossier, actor=receiver)
            current = services.start_processing(dossier=current, actor=handler)
            current = services.approve(dossier=current, actor=leader)
            result = Document.objects.get(dossier=current, kind=Document.Kind.RESULT)
            if result.status != Document.Status.READY:
                result = services.render_document(document_id=result.pk)
            outcome["signed"] = result.signed
            backoffice.return_result(dossier=current, actor=receiver, method="electronic")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = exc
        finally:
            connection.close()

    worker = threading.Thread(target=staff_steps)
    worker.start()
    worker.join()
    assert "error" not in outcome, outcome.get("error")
    assert outcome["signed"]
    messages = [m for rcpt, m in smtp_server.messages if rcpt == ["lan@example.test"]]
    pdfs = [
        part.get_content()
        for message in messages
        for part in message.walk()
        if part.get_content_type() == "application/pdf"
    ]
    assert len(pdfs) == 1
    signed = tmp_path / "ket-qua.pdf"
    signed.write_bytes(pdfs[0])

    # 4. the citizen checks the emailed file on /xac-thuc/: valid signature, issued here
    page.goto(f"{live_server.url}/xac-thuc/")
    page.set_input_files("input[type=file][name=file]", str(signed))
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()
    verdict = page.locator("main").inner_text()
    assert "Chữ ký số: hợp lệ." in verdict, verdict
    assert "Văn bản do cổng cấp: có" in verdict
    page.screenshot(path=os.path.join(artifacts_dir, "verified.png"), full_page=True)
    assert csp_violations == []
