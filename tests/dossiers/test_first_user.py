"""What a first real user tripped on (issue 14), on the citizen's side: drafts keep the form's
limits, an empty submission lists every problem at once, dates as date inputs, filing after the
phone is verified, error lists that keep their list semantics, the favicon, the second CT04 named
for what it is, and the wording of notices and messages."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from notifications.models import OutboxSms
from portal.dossiers import services
from portal.dossiers.models import Document, Dossier, State
from tests.dossiers.conftest import make_citizen, make_pdf_bytes, valid_absence_form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def start_url(procedure) -> str:
    return reverse("dossiers:start", kwargs={"procedure_code": procedure.code})


def plugin_fields(**overrides) -> dict:
    return {f"f-{k}": v for k, v in valid_absence_form(**overrides).items()}


def filing_post(area, **extra) -> dict:
    data = {"area": area.pk, "result_method": "in_person", "result_address": "", **plugin_fields()}
    data.update(extra)
    return data


# --- drafts keep the form's limits ---------------------------------------------------------------


def test_saving_a_draft_refuses_a_value_longer_than_its_field(client, citizen, procedure, unit):
    client.force_login(citizen)
    response = client.post(
        start_url(procedure), filing_post(unit.area, action="save", **{"f-reason": "x" * 10_000})
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "tối đa 500 kí tự (hiện có 10000)" in html  # the max_length message, at the field
    assert not Dossier.objects.filter(citizen=citizen).exists()


def test_resaving_a_draft_refuses_a_value_longer_than_its_field(
    client, citizen, procedure, unit, make_dossier
):
    dossier = make_dossier("draft")
    client.force_login(citizen)
    edit_url = reverse("dossiers:edit", kwargs={"code": dossier.code})
    response = client.post(
        edit_url,
        filing_post(unit.area, action="save", **{"f-destination_address": "Số 10 " * 2000}),
    )
    assert response.status_code == 200
    assert "tối đa 300 kí tự" in response.content.decode()
    dossier.refresh_from_db()
    assert len(dossier.form_data["destination_address"]) < 300  # what was saved before stays


def test_a_draft_still_keeps_an_incomplete_form_as_typed(client, citizen, procedure, unit):
    client.force_login(citizen)
    data = filing_post(unit.area, action="save", **{"f-reason": "", "f-date_to": ""})
    response = client.post(start_url(procedure), data)
    assert response.status_code == 302
    dossier = Dossier.objects.get(citizen=citizen)
    assert dossier.form_data["reason"] == "" and dossier.form_data["date_to"] == ""


def test_the_api_draft_refuses_a_value_longer_than_its_field(client, citizen, make_dossier):
    dossier = make_dossier("draft")
    client.force_login(citizen)
    response = client.patch(
        f"/api/v1/dossiers/{dossier.code}/",
        {"form_data": {"reason": "x" * 10_000}, "save_incomplete": True},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert "reason" in response.json()["errors"]
    dossier.refresh_from_db()
    assert dossier.form_data["reason"] != "x" * 10_000


# --- an empty submission lists every problem at once ---------------------------------------------


def _missing_box(html: str) -> str:
    assert 'id="missing-documents"' in html, html[:3000]
    return html.split('id="missing-documents"')[1].split("</div>")[0]


def test_submitting_an_empty_form_lists_every_problem_at_once(client, citizen, procedure, unit):
    client.force_login(citizen)
    empty = {"area": "", "result_method": "", "action": "submit"}
    empty.update({f"f-{name}": "" for name in valid_absence_form()})
    html = client.post(start_url(procedure), empty).content.decode()
    for message in (
        "Vui lòng chọn xã / phường nơi thực hiện thủ tục.",
        "Vui lòng nêu lý do tạm vắng.",
        "Vui lòng nhập ngày bắt đầu tạm vắng.",
        "Vui lòng nhập ngày kết thúc tạm vắng.",
        "Vui lòng nhập địa chỉ nơi đến.",
        "Vui lòng chọn hình thức nhận kết quả.",
    ):
        assert message in html, message
    assert "Tờ khai thay đổi thông tin cư trú (CT01)" in _missing_box(html)


def test_a_form_error_and_a_missing_upload_are_listed_together(client, citizen, procedure, unit):
    client.force_login(citizen)
    data = filing_post(unit.area, action="submit", **{"f-reason": ""})
    html = client.post(start_url(procedure), data).content.decode()
    assert "Vui lòng nêu lý do tạm vắng." in html
    assert "Tờ khai thay đổi thông tin cư trú (CT01)" in _missing_box(html)


# --- dates ---------------------------------------------------------------------------------------


def test_date_of_birth_is_a_date_input_with_an_iso_value(client, citizen, procedure, unit):
    client.force_login(citizen)
    html = client.get(start_url(procedure)).content.decode()
    # type="date": the browser shows dd/mm/yyyy on a Vietnamese phone; the value stays ISO.
    assert 'type="date" name="f-date_of_birth" value="1990-05-17"' in html


def test_a_date_typed_as_dd_mm_yyyy_is_understood_and_stored_iso(
    client, citizen, procedure, unit, make_dossier
):
    dossier = make_dossier("draft")
    client.force_login(citizen)
    edit_url = reverse("dossiers:edit", kwargs={"code": dossier.code})
    data = filing_post(unit.area, action="submit", **{"f-date_of_birth": "14/05/1992"})
    data["file_to-khai"] = SimpleUploadedFile("to-khai.pdf", make_pdf_bytes(), "application/pdf")
    client.post(edit_url, data)
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED
    assert dossier.form_data["date_of_birth"] == "1992-05-14"


# --- the phone is verified before filing ---------------------------------------------------------


@pytest.fixture
def unverified(area):
    return make_citizen(
        "019090005555", "Lê Thị Hoa", area=area, phone="+84912000111", phone_verified_at=None
    )


def test_the_filing_page_leads_to_phone_verification_and_back(
    client, unverified, procedure, eager_tasks, django_capture_on_commit_callbacks
):
    client.force_login(unverified)
    response = client.get(start_url(procedure))
    verify = reverse("notifications:verify-phone")
    assert response.status_code == 302
    assert response["Location"] == f"{verify}?next={start_url(procedure).replace('/', '%2F')}"
    page = client.get(response["Location"]).content.decode()
    assert "mọi thông báo về hồ sơ" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(verify, {"action": "send", "phone": "0912000111"})
    sms = OutboxSms.objects.filter(phone="+84912000111").latest("pk")
    code = re.search(r"\b(\d{6})\b", sms.body).group(1)
    response = client.post(verify, {"action": "verify", "code": code})
    assert response.status_code == 302
    assert response["Location"] == start_url(procedure)  # back to filing
    assert client.get(start_url(procedure)).status_code == 200


def test_verification_does_not_send_anyone_to_another_site(client, unverified):
    client.force_login(unverified)
    verify = reverse("notifications:verify-phone")
    client.get(f"{verify}?next=https://evil.example/")
    assert "verify_phone_next" not in client.session


def test_the_api_refuses_submission_before_the_phone_is_verified(
    client, unverified, procedure, area, unit, pdf_bytes
):
    dossier = services.create_draft(
        citizen=unverified, procedure=procedure, area=area, form_data=valid_absence_form()
    )
    services.add_attachment(
        dossier=dossier,
        actor=unverified,
        uploaded_file=SimpleUploadedFile("to-khai.pdf", pdf_bytes),
        requirement_key="to-khai",
    )
    client.force_login(unverified)
    response = client.post(f"/api/v1/dossiers/{dossier.code}/submit/", {}, "application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "phone_not_verified"
    dossier.refresh_from_db()
    assert dossier.state == State.DRAFT


def test_submitting_a_draft_before_verification_saves_it_and_leads_to_verification(
    client, unverified, procedure, unit
):
    client.force_login(unverified)
    data = filing_post(unit.area, action="submit")
    data["file_to-khai"] = SimpleUploadedFile("to-khai.pdf", make_pdf_bytes(), "application/pdf")
    response = client.post(start_url(procedure), data)
    dossier = Dossier.objects.get(citizen=unverified)
    assert dossier.state == State.DRAFT and dossier.attachments.count() == 1
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("notifications:verify-phone"))


# --- error lists, favicon --------------------------------------------------------------------------


def test_error_lists_keep_list_semantics_with_the_alert_on_a_wrapper(client):
    html = client.post("/tai-khoan/dang-nhap/", {"username": "", "password": ""}).content.decode()
    assert 'class="errorlist"' in html
    assert '<ul class="errorlist" role="alert"' not in html
    assert re.search(r'<div role="alert" id="id_username_error"><ul class="errorlist"><li>', html)
    # the field points at its message (Django sets aria-describedby="<id>_error")
    assert 'aria-describedby="id_username_error"' in html


def test_favicon_is_served(client):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.ico"
    with open(finders.find("img/favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/img/favicon.ico"' in html


# --- timeline and documents --------------------------------------------------------------------


def test_a_second_reception_issues_a_receipt_named_for_the_supplement(
    client, citizen, make_dossier, receiving_officer, pdf_bytes
):
    dossier = make_dossier("supplement_requested")
    services.add_attachment(
        dossier=dossier, actor=citizen, uploaded_file=SimpleUploadedFile("ky.pdf", pdf_bytes)
    )
    dossier = services.resubmit(dossier=dossier, actor=citizen)
    services.receive(dossier=dossier, actor=receiving_officer)
    client.force_login(citizen)
    html = client.get(reverse("dossiers:detail", kwargs={"code": dossier.code})).content.decode()
    documents = html.split('class="documents"')[1].split("</ul>")[0]
    assert documents.count("Giấy tiếp nhận hồ sơ và hẹn trả kết quả (CT04)") == 1
    assert documents.count("Giấy tiếp nhận hồ sơ bổ sung và hẹn trả kết quả (CT04)") == 1
    second = dossier.documents.filter(kind=Document.Kind.RECEIPT).order_by("pk").last()
    assert second.context["supplement_receipt"] is True


def test_timeline_bullets_mark_only_the_events():
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static/css/dossiers.css").read_text()
    # the dot of an event; the items requested inside it are a plain list, not more events
    assert "ol.timeline > li::before" in css
    assert "ol.timeline li::before" not in css


# --- wording -------------------------------------------------------------------------------------


def test_the_supplement_sms_has_no_doubled_full_stops(make_dossier):
    from notifications.models import Notification

    make_dossier("supplement_requested")  # guidance "Ký và tải lại tờ khai." ends with a stop
    sms = Notification.objects.filter(event="supplement_requested", channel="sms").get()
    assert ".." not in sms.body, sms.body
    assert "Tờ khai CT01: Thiếu chữ ký" in sms.body and "Lý do: Ký và tải lại tờ khai." in sms.body
    email = Notification.objects.filter(event="supplement_requested", channel="email").get()
    assert "- Tờ khai CT01: Thiếu chữ ký\n" in email.body  # one line per item
    assert "Lý do: Ký và tải lại tờ khai.\n" in email.body


def test_an_upload_error_names_the_file_once(client, citizen, procedure, unit):
    client.force_login(citizen)
    data = filing_post(unit.area, action="save")
    data["file_to-khai"] = SimpleUploadedFile("anh.pdf", b"not a pdf at all", "application/pdf")
    html = client.post(start_url(procedure), data).content.decode()
    assert html.count("anh.pdf") == 1, html.count("anh.pdf")


def test_a_vague_refusal_explanation_is_refused_in_plain_words():
    from portal.backoffice.services import ReasonError, clean_refusal_explanation

    with pytest.raises(ReasonError) as caught:
        clean_refusal_explanation("Thiếu")
    message = caught.value.message
    assert "cụ thể phải cụ thể" not in message
    assert message.startswith("Giải thích cụ thể cần nêu rõ giấy tờ hoặc nội dung nào")


def test_refusal_reviews_are_counted_in_words_that_read_after_a_number():
    from portal.backoffice.models import RefusalReview

    plural = str(RefusalReview._meta.verbose_name_plural)
    assert "danh sách" not in plural
    assert f"2 {plural}" == "2 hồ sơ bị từ chối chờ cấp trên xem xét"
