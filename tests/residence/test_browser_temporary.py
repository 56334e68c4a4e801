"""End to end in headless Chromium on a phone-sized screen (issue 9): a citizen registers a
temporary residence on the filing page, staff of the commune approve it, then "Thông tin cư trú của
tôi" and the CT07 (xác nhận thông tin về cư trú, filed next) show the new address.

The staff steps go through the same services the admin buttons call (their pages have their own
browser tests in tests/backoffice)."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from tests.conftest import pdf_text
from tests.dossiers.conftest import *  # noqa: F403 - the engine's fixtures (area, unit …)
from tests.dossiers.conftest import PASSWORD, make_citizen, make_pdf_bytes
from tests.dossiers.test_browser import (  # noqa: F401 - fixtures
    PHONE,
    _media_url_for_live_server,
    artifacts_dir,
    browser,
    watch_csp,
)

pytestmark = [pytest.mark.browser]

PERSONAL_ID = "019190004321"  # Thái Nguyên, female, born 1990
NEW_STREET = "Số 27, ngõ 4, tổ 9"


@pytest.fixture
def settled_citizen(area, other_area):
    """A citizen with a verified phone whose permanent residence is in the other commune."""
    from residence.models import Household, HouseholdMember, PermanentResidence
    from residence.services.common import get_or_create_address, new_household_number

    user = make_citizen(
        PERSONAL_ID,
        "Lý Thị Hoa",
        area=other_area,
        phone="0912000111",
        date_of_birth=dt.date(1990, 3, 8),
        sex="F",
    )
    from residence.models import Person

    person = Person.objects.get(personal_id=PERSONAL_ID)
    home = get_or_create_address(area=other_area, street="Số 3, tổ 1")
    household = Household.objects.create(number=new_household_number(), address=home)
    HouseholdMember.objects.create(
        household=household, person=person, relation="head", joined_on=dt.date(2012, 1, 1)
    )
    PermanentResidence.objects.create(
        person=person, address=home, household=household, registered_on=dt.date(2012, 1, 1)
    )
    return user


def _approve(dossier, unit):
    """Staff receive, process and approve (after the online fee, when one is due) — in a thread
    of its own, as in a worker: Playwright's event loop runs in the test's thread, and signing a
    level-4 result (pyHanko's synchronous API) starts a loop of its own."""
    import threading

    from django.db import connection

    from portal.dossiers import services
    from tests.dossiers.conftest import make_staff

    outcome = {}

    def steps():
        try:
            current = dossier
            if current.state == "awaiting_payment":
                current = services.confirm_payment(dossier=current)
            receiver = make_staff(f"tn{current.pk}", unit, "receiving_officer")
            handler = make_staff(f"xl{current.pk}", unit, "handling_officer")
            leader = make_staff(f"ld{current.pk}", unit, "unit_leader")
            current = services.receive(dossier=current, actor=receiver)
            current = services.start_processing(dossier=current, actor=handler)
            outcome["dossier"] = services.approve(dossier=current, actor=leader)
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome["error"] = exc
        finally:
            connection.close()

    worker = threading.Thread(target=steps)
    worker.start()
    worker.join()
    assert "error" not in outcome, outcome.get("error")
    return outcome["dossier"]


# `browser` last: database fixtures must run before Playwright's event loop starts.
def test_temporary_residence_shows_on_my_page_and_in_ct07(
    _media_url_for_live_server,  # noqa: F811
    live_server,
    settled_citizen,
    unit,
    area,
    settings,
    tmp_path,
    monkeypatch,
    eager_tasks,
    artifacts_dir,  # noqa: F811
    browser,  # noqa: F811
):
    from portal.catalogue.services import load_catalogue
    from portal.dossiers.models import Document, Dossier

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # reads the database mid-test
    settings.PUBLIC_BASE_URL = live_server.url
    load_catalogue()
    proof = tmp_path / "hop-dong-thue-nha.pdf"
    proof.write_bytes(make_pdf_bytes("Hợp đồng thuê nhà"))
    page = browser.new_page(viewport=PHONE, locale="vi-VN")
    page.set_default_timeout(20_000)
    csp_violations = watch_csp(page)

    # 1. log in
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.fill("input[name=username]", PERSONAL_ID)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form.account-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("text=Đăng xuất").count() == 1

    # 2. file đăng ký tạm trú in the commune of `unit` (owner's consent given in the form)
    page.goto(f"{live_server.url}/ho-so/nop/1.004194/")
    assert page.locator("input[name=f-personal_id]").input_value() == PERSONAL_ID
    page.select_option("select[name=area]", str(area.pk))
    today = dt.date.today()
    page.fill("input[name=f-street]", NEW_STREET)
    page.fill("input[name=f-date_from]", (today + dt.timedelta(days=1)).isoformat())
    page.fill("input[name=f-date_to]", (today + dt.timedelta(days=365)).isoformat())
    page.select_option("select[name=f-basis]", "rent")
    consent = page.locator("select[name=f-consent_method]")
    if consent.count():
        consent.select_option("form")
    page.fill("input[name=f-owner_name]", "Trần Văn Chủ")
    owner_id = page.locator("input[name=f-owner_personal_id]")
    if owner_id.count():
        owner_id.fill("019080001111")
    page.check("input[name=f-owner_agrees]")
    for upload in page.locator("input[type=file][name^=file_]").all():
        upload.set_input_files(str(proof))
    page.click("button.btn[value=submit]")  # Nộp hồ sơ
    page.wait_for_load_state()
    errors = page.locator(".error, .errorlist, .messages li").all_inner_texts()
    page.screenshot(path=os.path.join(artifacts_dir, "temporary-filed.png"), full_page=True)
    dossier = Dossier.objects.get(citizen=settled_citizen, procedure__code="1.004194")
    assert dossier.state in ("submitted", "awaiting_payment"), errors  # level 4: the online fee
    assert dossier.unit == unit  # routed to the commune of the new address

    # 3. staff of that commune approve: the registry now has the temporary residence
    _approve(dossier, unit)

    # 4. "Thông tin cư trú của tôi" shows the new address (and the permanent one)
    page.goto(f"{live_server.url}/cu-tru/cua-toi/")
    mine = page.locator("main").inner_text()
    assert NEW_STREET in mine and "Số 3, tổ 1" in mine
    assert (today + dt.timedelta(days=365)).strftime("%d/%m/%Y") in mine
    page.screenshot(path=os.path.join(artifacts_dir, "my-residence.png"), full_page=True)

    # 5. the citizen asks for xác nhận thông tin về cư trú; once approved, the CT07 on the
    # dossier page carries the new address
    page.goto(f"{live_server.url}/ho-so/nop/1.010041/")
    page.select_option("select[name=area]", str(area.pk))
    page.fill("textarea[name=f-purpose], input[name=f-purpose]", "Bổ sung hồ sơ xin việc")
    page.click("button.btn[value=submit]")
    page.wait_for_load_state()
    errors = page.locator(".error, .errorlist, .messages li").all_inner_texts()
    assert "Đã nộp hồ sơ" in page.content(), errors
    confirmation = Dossier.objects.get(citizen=settled_citizen, procedure__code="1.010041")
    _approve(confirmation, confirmation.unit)
    page.goto(f"{live_server.url}/ho-so/{confirmation.code}/")
    link = page.locator("ul.documents a", has_text="xác nhận")
    assert link.count() == 1, page.locator("ul.documents").inner_text()
    document = Document.objects.get(dossier=confirmation, kind=Document.Kind.RESULT)
    assert document.status == Document.Status.READY  # rendered by the (eager) worker
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200
    text = " ".join(pdf_text(response.body()).split())
    assert "Lý Thị Hoa".upper() in text.upper() and PERSONAL_ID in text
    assert NEW_STREET in text and "Số 3, tổ 1" in text
    assert csp_violations == []
