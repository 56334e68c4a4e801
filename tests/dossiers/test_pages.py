"""The citizen's dossier pages: filing, drafts, uploads, my dossiers, the dossier page, withdraw,
supplement, downloads and the public lookup."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.dossiers import services
from portal.dossiers.models import Attachment, Dossier, State
from portal.units.models import AdministrativeArea
from tests.dossiers.conftest import (
    make_citizen,
    make_pdf_bytes,
    valid_absence_form,
    valid_temporary_registration_form,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def start_url(procedure) -> str:
    return reverse("dossiers:start", kwargs={"procedure_code": procedure.code})


def plugin_fields(**overrides) -> dict:
    """The plugin's form fields as the page posts them (prefix "f-"), when a plugin has fields."""
    return {f"f-{k}": v for k, v in valid_absence_form(**overrides).items()}


def pdf_file(name="to-khai.pdf", text="Tờ khai"):
    return SimpleUploadedFile(name, make_pdf_bytes(text), content_type="application/pdf")


def filing_post(area, **extra) -> dict:
    data = {"area": area.pk, "result_method": "in_person", "result_address": "", **plugin_fields()}
    data.update(extra)
    return data


# --- filing page -----------------------------------------------------------------------------


def test_filing_page_lists_documents_by_name_and_areas_with_a_unit(
    client, citizen, procedure, unit, other_area
):
    # other_area has no police unit yet: it must not be offered.
    client.force_login(citizen)
    response = client.get(start_url(procedure))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tờ khai thay đổi thông tin cư trú (CT01)" in html
    assert "Giấy tờ chứng minh lý do tạm vắng" in html
    assert 'name="file_to-khai"' in html and 'name="file_other"' in html
    assert html.count("Bắt buộc</span>") == 1  # only the mandatory document is marked
    assert "Phường Phan Đình Phùng" in html
    assert "Phường Quyết Thắng" not in html
    assert "Nếu nộp ngay, dự kiến trả kết quả" in html
    assert "Lưu nháp" in html and "Nộp hồ sơ" in html


def test_filing_page_needs_login_and_a_citizen(client, procedure, unit, receiving_officer):
    response = client.get(start_url(procedure))
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]
    client.force_login(receiving_officer)
    assert client.get(start_url(procedure)).status_code == 403


def test_level_2_procedure_says_where_to_file(client, citizen, procedure_level2):
    client.force_login(citizen)
    response = client.get(start_url(procedure_level2))
    html = response.content.decode()
    assert "chưa nộp hồ sơ trực tuyến được" in html
    assert "trực tiếp hoặc qua dịch vụ bưu chính công ích" in html
    assert 'type="file"' not in html


def test_save_draft_then_resume_and_submit(client, citizen, procedure, unit):
    client.force_login(citizen)
    response = client.post(start_url(procedure), filing_post(unit.area, action="save"))
    dossier = Dossier.objects.get(citizen=citizen)
    assert dossier.state == State.DRAFT
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:edit", kwargs={"code": dossier.code})

    listing = client.get(reverse("dossiers:list")).content.decode()
    assert dossier.code in listing and "Tiếp tục" in listing

    edit_url = reverse("dossiers:edit", kwargs={"code": dossier.code})
    response = client.post(
        edit_url, {**filing_post(unit.area), "action": "submit", "file_to-khai": pdf_file()}
    )
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED, response.content.decode()[:3000]
    assert response["Location"] == reverse("dossiers:detail", kwargs={"code": dossier.code})
    assert dossier.attachments.get().requirement_key == "to-khai"


def test_submission_lists_exactly_the_missing_documents(client, citizen, procedure, unit):
    client.force_login(citizen)
    response = client.post(start_url(procedure), filing_post(unit.area, action="submit"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="missing-documents"' in html
    missing_box = html.split('id="missing-documents"')[1].split("</div>")[0]
    assert "Tờ khai thay đổi thông tin cư trú (CT01)" in missing_box
    assert "Giấy tờ chứng minh lý do tạm vắng" not in missing_box  # optional
    assert Dossier.objects.get(citizen=citizen).state == State.DRAFT


def test_bad_upload_keeps_earlier_uploads_and_typed_data(client, citizen, procedure, unit):
    client.force_login(citizen)
    procedure.result_methods = ["in_person", "post"]  # the address is asked for post only
    procedure.save(update_fields=["result_methods"])
    client.post(
        start_url(procedure),
        {
            **filing_post(unit.area, result_method="post", result_address="Số 9 ngõ 3"),
            "file_other": pdf_file("cu.pdf"),
        },
    )
    dossier = Dossier.objects.get(citizen=citizen)
    edit_url = reverse("dossiers:edit", kwargs={"code": dossier.code})
    fake_pdf = SimpleUploadedFile("that-ra-la-chu.pdf", b"just text, not a PDF", "application/pdf")
    empty = SimpleUploadedFile("rong.png", b"", "image/png")
    response = client.post(
        edit_url,
        {
            **filing_post(unit.area, result_method="post", result_address="Số 10 phố Huế, Hà Nội"),
            "action": "submit",
            "file_to-khai": [fake_pdf, pdf_file("dung.pdf")],
            "file_other": empty,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    # each refused file has its own message next to its own field
    block = html.split('id="req-to-khai"')[1].split('id="req-giay-to-khac"')[0]
    assert "that-ra-la-chu.pdf" in block and 'class="error"' in block
    assert "rong.png" not in block
    other = html.split('id="req-other"')[1]
    assert "rong.png" in other
    # the good files (earlier and now) are kept and listed with delete buttons
    names = set(dossier.attachments.values_list("original_name", flat=True))
    assert names == {"cu.pdf", "dung.pdf"}
    assert html.count('name="delete_attachment"') == 2
    # what was typed is still there, and the dossier was not submitted
    assert "Số 10 phố Huế, Hà Nội" in html
    dossier.refresh_from_db()
    assert dossier.state == State.DRAFT
    assert dossier.result_address == "Số 10 phố Huế, Hà Nội"


def test_delete_button_removes_only_that_file(client, citizen, procedure, unit):
    client.force_login(citizen)
    client.post(
        start_url(procedure),
        {**filing_post(unit.area), "file_other": [pdf_file("a.pdf"), pdf_file("b.pdf")]},
    )
    dossier = Dossier.objects.get(citizen=citizen)
    a = dossier.attachments.get(original_name="a.pdf")
    client.post(
        reverse("dossiers:edit", kwargs={"code": dossier.code}),
        {**filing_post(unit.area), "delete_attachment": a.pk, "action": "save"},
    )
    assert list(dossier.attachments.values_list("original_name", flat=True)) == ["b.pdf"]


def test_cannot_delete_another_citizens_attachment(
    client, citizen, other_citizen, procedure, unit, make_dossier, pdf_bytes
):
    theirs = make_dossier("draft", citizen=other_citizen)
    att = services.add_attachment(
        dossier=theirs, actor=other_citizen, uploaded_file=SimpleUploadedFile("x.pdf", pdf_bytes)
    )
    mine = make_dossier("draft")
    client.force_login(citizen)
    response = client.post(
        reverse("dossiers:edit", kwargs={"code": mine.code}),
        {**filing_post(unit.area), "delete_attachment": att.pk, "action": "save"},
    )
    assert response.status_code == 404
    assert Attachment.objects.filter(pk=att.pk).exists()


# --- my dossiers -------------------------------------------------------------------------------


def test_my_dossiers_shows_state_code_dates_and_due_date(client, citizen, make_dossier):
    submitted = make_dossier("submitted")
    draft = make_dossier("draft")
    client.force_login(citizen)
    html = client.get(reverse("dossiers:list")).content.decode()
    assert submitted.code in html and draft.code in html
    assert "Mới nộp, chờ tiếp nhận" in html and "(mã 1)" in html
    assert "Khai báo tạm vắng" in html
    # the due moment runs from the legal reception moment, before staff receive it
    assert timezone.localtime(submitted.due_at).strftime("%H:%M %d/%m/%Y") in html
    assert reverse("dossiers:edit", kwargs={"code": draft.code}) in html


def test_my_dossiers_shows_only_own(client, citizen, other_citizen, make_dossier):
    theirs = make_dossier("submitted", citizen=other_citizen)
    client.force_login(citizen)
    assert theirs.code not in client.get(reverse("dossiers:list")).content.decode()


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_my_dossiers_query_count_is_constant(
    client, citizen, make_dossier, django_assert_num_queries
):
    make_dossier("submitted")
    client.force_login(citizen)
    url = reverse("dossiers:list")
    one = _queries(client, url)
    for state in ["submitted", "draft", "received", "withdrawn"] * 5:
        make_dossier(state)
    assert Dossier.objects.filter(citizen=citizen).count() == 21
    with django_assert_num_queries(one):
        assert client.get(url).status_code == 200


def test_dossier_page_query_count_is_constant(
    client, citizen, make_dossier, receiving_officer, django_assert_num_queries
):
    def resubmitted(files: int):
        dossier = make_dossier("supplement_requested")
        for i in range(files):
            services.add_attachment(
                dossier=dossier, actor=citizen, uploaded_file=pdf_file(f"{i}.pdf")
            )
        services.resubmit(dossier=dossier, actor=citizen)
        dossier.refresh_from_db()
        return dossier

    small = resubmitted(1)
    big = resubmitted(8)
    for round_ in range(2):  # more history rows and issued documents on the big one
        services.receive(dossier=big, actor=receiving_officer)
        services.request_supplement(
            dossier=big,
            actor=receiving_officer,
            items=[
                {"document": "Tờ khai CT01", "copy_kind": "copy", "problem": f"Mờ (lần {round_})"}
            ],
            guidance="Chụp lại rõ nét.",
        )
        services.add_attachment(dossier=big, actor=citizen, uploaded_file=pdf_file("r.pdf"))
        services.resubmit(dossier=big, actor=citizen)
    big.refresh_from_db()
    assert big.state == small.state == State.SUBMITTED
    assert big.attachments.count() == 11 and small.attachments.count() == 2
    assert big.events.count() > small.events.count() + 5
    assert big.documents.count() > small.documents.count()
    client.force_login(citizen)
    expected = _queries(client, reverse("dossiers:detail", kwargs={"code": small.code}))
    with django_assert_num_queries(expected):
        response = client.get(reverse("dossiers:detail", kwargs={"code": big.code}))
    assert response.status_code == 200


# --- dossier page --------------------------------------------------------------------------------


def test_dossier_page_shows_timeline_with_unit_not_officer(
    client, citizen, make_dossier, receiving_officer
):
    dossier = make_dossier("received")
    client.force_login(citizen)
    html = client.get(reverse("dossiers:detail", kwargs={"code": dossier.code})).content.decode()
    assert "Đã tiếp nhận" in html and "(mã 2)" in html
    assert "Tiếp nhận hồ sơ" in html
    assert "Công an phường Phan Đình Phùng" in html
    assert receiving_officer.full_name not in html
    assert "Rút hồ sơ" not in html  # received: no withdrawal any more


def test_other_citizens_dossier_attachment_and_document_are_404(
    client, citizen, other_citizen, make_dossier
):
    theirs = make_dossier("received", citizen=other_citizen)
    att = theirs.attachments.first()
    doc = theirs.documents.first()
    client.force_login(citizen)
    assert client.get(reverse("dossiers:detail", kwargs={"code": theirs.code})).status_code == 404
    assert (
        client.get(
            reverse("dossiers:attachment", kwargs={"code": theirs.code, "attachment_id": att.pk})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("dossiers:document", kwargs={"code": theirs.code, "document_id": doc.pk})
        ).status_code
        == 404
    )
    # nor through one's own dossier code
    mine = make_dossier("submitted")
    assert (
        client.get(
            reverse("dossiers:attachment", kwargs={"code": mine.code, "attachment_id": att.pk})
        ).status_code
        == 404
    )


def test_attachment_download_streams_the_file(client, citizen, make_dossier, pdf_bytes):
    dossier = make_dossier("submitted")
    att = dossier.attachments.get()
    client.force_login(citizen)
    response = client.get(
        reverse("dossiers:attachment", kwargs={"code": dossier.code, "attachment_id": att.pk})
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]


def test_receipt_slip_downloads_as_pdf(client, citizen, make_dossier):
    dossier = make_dossier("received")
    doc = dossier.documents.get(kind="receipt")
    client.force_login(citizen)
    html = client.get(reverse("dossiers:detail", kwargs={"code": dossier.code})).content.decode()
    url = reverse("dossiers:document", kwargs={"code": dossier.code, "document_id": doc.pk})
    assert url in html
    from portal.dossiers import services

    services.render_document(document_id=doc.pk)  # the worker, after the commit
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_withdraw_before_reception(client, citizen, make_dossier):
    dossier = make_dossier("submitted")
    client.force_login(citizen)
    detail = reverse("dossiers:detail", kwargs={"code": dossier.code})
    assert "Rút hồ sơ" in client.get(detail).content.decode()
    url = reverse("dossiers:withdraw", kwargs={"code": dossier.code})
    confirm = client.get(url).content.decode()
    assert "Xác nhận rút hồ sơ" in confirm
    response = client.post(url, {"reason": "Đã đổi kế hoạch", "version": dossier.version})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == State.WITHDRAWN
    assert "Đã đổi kế hoạch" in client.get(detail).content.decode()


def test_withdraw_refused_after_reception(client, citizen, make_dossier):
    dossier = make_dossier("received")
    client.force_login(citizen)
    response = client.post(reverse("dossiers:withdraw", kwargs={"code": dossier.code}), {})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == State.RECEIVED
    page = client.get(response.url).content.decode()
    assert "Hồ sơ đã được tiếp nhận nên không thể rút trực tuyến." in page


def test_withdraw_twice_names_the_state_not_reception(client, citizen, make_dossier):
    dossier = make_dossier("withdrawn")
    client.force_login(citizen)
    response = client.post(reverse("dossiers:withdraw", kwargs={"code": dossier.code}), {})
    page = client.get(response.url).content.decode()
    assert "Công dân đã rút hồ sơ" in page
    assert "đã được tiếp nhận" not in page


def test_withdraw_with_stale_version_says_someone_changed_it(client, citizen, make_dossier):
    dossier = make_dossier("submitted")
    client.force_login(citizen)
    response = client.post(
        reverse("dossiers:withdraw", kwargs={"code": dossier.code}),
        {"version": dossier.version - 1},
        follow=True,
    )
    assert "đã được người khác thay đổi" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED


def test_supplement_flow(client, citizen, make_dossier):
    dossier = make_dossier("supplement_requested")
    client.force_login(citizen)
    detail = reverse("dossiers:detail", kwargs={"code": dossier.code})
    html = client.get(detail).content.decode()
    assert "Cơ quan yêu cầu bổ sung hồ sơ" in html
    assert "Tờ khai CT01" in html and "Thiếu chữ ký" in html and "Bản chính" in html
    assert "Ký và tải lại tờ khai." in html
    assert html.count("Thiếu chữ ký") >= 1

    url = reverse("dossiers:supplement", kwargs={"code": dossier.code})
    # sending before uploading anything: told what is missing, nothing changes
    html = client.post(url, {"action": "resubmit"}).content.decode()
    assert "Tờ khai CT01" in html
    dossier.refresh_from_db()
    assert dossier.state == State.SUPPLEMENT_REQUESTED
    # a bad file gets its message, a good one is kept
    html = client.post(
        url,
        {
            "action": "upload",
            "file_supplement": [SimpleUploadedFile("x.pdf", b"text"), pdf_file("ky.pdf")],
        },
    ).content.decode()
    assert "x.pdf" in html and 'class="error"' in html
    assert "ky.pdf" in html
    response = client.post(url, {"action": "resubmit"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED
    assert dossier.supplement_requests.get().fulfilled_at is not None


# --- public lookup ---------------------------------------------------------------------------------


def lookup(client, code, personal_id, **extra):
    return client.post(
        reverse("public-lookup"), {"code": code, "personal_id": personal_id}, **extra
    )


def test_public_lookup_shows_state_and_dates_only(client, citizen, make_dossier):
    dossier = make_dossier("received")
    response = lookup(client, dossier.code, citizen.personal_id)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Đã tiếp nhận" in html and dossier.code in html
    assert citizen.full_name not in html
    assert "to-khai.pdf" not in html and "/van-ban/" not in html and "/tep/" not in html


def test_public_lookup_prefills_code_from_qr_link(client, make_dossier):
    dossier = make_dossier("submitted")
    html = client.get(reverse("public-lookup") + f"?ma={dossier.code}").content.decode()
    assert f'value="{dossier.code}"' in html


def test_public_lookup_same_message_for_wrong_pairs(client, citizen, other_citizen, make_dossier):
    dossier = make_dossier("submitted")
    wrong_id = lookup(client, dossier.code, other_citizen.personal_id).content.decode()
    no_code = lookup(client, "G19.55-20000101-9999", citizen.personal_id).content.decode()
    draft = make_dossier("draft")
    a_draft = lookup(client, draft.code, citizen.personal_id).content.decode()

    def message(html):
        return html.split('class="card alert"')[1].split("</div>")[0]

    assert message(wrong_id) == message(no_code) == message(a_draft)
    assert "Không tìm thấy hồ sơ" in message(no_code)
    assert "Mới nộp" not in wrong_id


def test_public_lookup_is_rate_limited(client, citizen, make_dossier):
    dossier = make_dossier("submitted")
    for _ in range(10):
        assert lookup(client, "SAI", "001001001001").status_code == 200
    response = lookup(client, dossier.code, citizen.personal_id)
    html = response.content.decode()
    assert response.status_code == 429
    assert "tra cứu quá nhiều lần" in html
    assert "Mới nộp" not in html
    # another address is not affected
    other = lookup(client, dossier.code, citizen.personal_id, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200 and "Mới nộp" in other.content.decode()


def test_area_without_unit_is_refused(client, citizen, procedure, unit, province_area):
    lonely = AdministrativeArea.objects.create(
        code="09999", name="Xã Không Có", kind="commune", parent=province_area
    )
    client.force_login(citizen)
    html = client.post(start_url(procedure), filing_post(lonely, action="save")).content.decode()
    assert "chưa có đơn vị Công an tiếp nhận trực tuyến" in html
    assert not Dossier.objects.filter(citizen=citizen).exists()


def test_new_citizen_without_area_can_choose_one(client, procedure, unit):
    newcomer = make_citizen("079201001122", "Lê Văn Mới")
    client.force_login(newcomer)
    response = client.post(start_url(procedure), filing_post(unit.area, action="save"))
    assert response.status_code == 302
    assert Dossier.objects.get(citizen=newcomer).unit == unit


def test_invalid_form_on_submit_is_shown_next_to_the_field_and_kept(
    client, citizen, procedure, unit
):
    from portal.dossiers.registry import registry

    if registry.get(procedure.code) is None:
        pytest.skip("the residence plugin (khai báo tạm vắng) is not registered")
    client.force_login(citizen)
    data = filing_post(unit.area, action="submit", **{"file_to-khai": pdf_file()})
    data.update({"f-date_from": "2030-05-10", "f-date_to": "2030-05-01", "f-reason": "Đi học xa"})
    response = client.post(start_url(procedure), data)
    html = response.content.decode()
    assert "Ngày kết thúc phải sau ngày bắt đầu tạm vắng." in html
    assert "Đi học xa" in html  # what was typed is still there
    dossier = Dossier.objects.get(citizen=citizen)
    assert dossier.state == State.DRAFT
    assert dossier.attachments.count() == 1  # the file was kept


def test_too_large_file_gets_its_own_message(client, citizen, procedure, unit, settings):
    settings.ATTACHMENT_MAX_BYTES = 2000
    client.force_login(citizen)
    big = SimpleUploadedFile("lon.pdf", make_pdf_bytes() + b"%" * 3000, "application/pdf")
    html = client.post(
        start_url(procedure), {**filing_post(unit.area, action="save"), "file_other": big}
    ).content.decode()
    other = html.split('id="req-other"')[1]
    assert "lon.pdf" in other and 'class="error"' in other
    assert not Attachment.objects.exists()


def test_staff_have_no_my_dossiers_page(client, receiving_officer):
    client.force_login(receiving_officer)
    assert client.get(reverse("dossiers:list")).status_code == 403


def test_level_2_page_names_the_citizens_commune_police(client, citizen, procedure_level2, unit):
    client.force_login(citizen)
    html = client.get(start_url(procedure_level2)).content.decode()
    assert unit.name in html and unit.address in html


def test_level_4_submission_waits_for_online_payment(client, citizen, procedure_level4, unit):
    client.force_login(citizen)
    response = client.post(
        start_url(procedure_level4),
        {
            **filing_post(unit.area, action="submit"),
            **{f"f-{k}": v for k, v in valid_temporary_registration_form().items()},
            "file_to-khai": pdf_file(),
        },
        follow=True,
    )
    dossier = Dossier.objects.get(citizen=citizen)
    assert dossier.state == State.AWAITING_PAYMENT
    html = response.content.decode()
    assert "nộp lệ phí trực tuyến" in html and "Chờ thanh toán lệ phí" in html
