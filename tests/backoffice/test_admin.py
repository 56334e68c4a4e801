"""The staff back office in the admin: scope, queues, list query count, the dossier page and the
decision forms with their required reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.backoffice.models import ContactLog, RefusalReview
from portal.dossiers.models import Document, Dossier, State
from tests.dossiers.conftest import make_pdf_bytes

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:dossiers_dossier_changelist"


def change_url(d):
    return reverse("admin:dossiers_dossier_change", args=[d.pk])


def action_url(d, name):
    return reverse("admin:dossiers_dossier_action", args=[d.pk, name])


def _fresh(d) -> Dossier:
    return Dossier.objects.get(pk=d.pk)


def bulk_dossiers(n, *, unit, procedure, citizen, area, state=State.SUBMITTED):
    now = timezone.now()
    Dossier.objects.bulk_create(
        [
            Dossier(
                code=f"BULK-{unit.code}-{i:05d}",
                citizen=citizen,
                procedure=procedure,
                unit=unit,
                area=area,
                state=state,
                applicant_name=f"Người nộp {i}",
                applicant_personal_id=citizen.personal_id,
                submitted_at=now - dt.timedelta(hours=i),
                received_at=now - dt.timedelta(hours=i),
                due_at=now + dt.timedelta(days=1),
            )
            for i in range(n)
        ]
    )


# --- scope and isolation ----------------------------------------------------------------------


def test_unit_isolation_through_every_admin_url(
    make_dossier, staff_client, other_unit_officer, receiving_officer
):
    dossier = make_dossier("submitted")
    attachment = dossier.attachments.first()
    outsider = staff_client(other_unit_officer)
    listing = outsider.get(reverse(CHANGELIST))
    assert listing.status_code == 200
    assert dossier.code not in listing.content.decode()
    assert outsider.get(change_url(dossier)).status_code == 404
    for name in (
        "verify",
        "receive",
        "request_supplement",
        "refuse",
        "assign",
        "start_processing",
        "approve",
        "return_result",
        "contact",
        "apology",
        "stop",
    ):
        assert outsider.get(action_url(dossier, name)).status_code == 404, name
        assert (
            outsider.post(action_url(dossier, name), {"version": dossier.version}).status_code
            == 404
        )
    url = reverse("admin:dossiers_dossier_attachment", args=[dossier.pk, attachment.pk])
    assert outsider.get(url).status_code == 404
    for view in ("history", "delete"):
        view_url = reverse(f"admin:dossiers_dossier_{view}", args=[dossier.pk])
        assert outsider.get(view_url).status_code == 404, view
    receipt_holder = make_dossier("received")
    doc = receipt_holder.documents.first()
    assert (
        outsider.get(
            reverse("admin:dossiers_dossier_document", args=[receipt_holder.pk, doc.pk])
        ).status_code
        == 404
    )
    assert _fresh(dossier).state == State.SUBMITTED
    # the officer of the unit sees all of it
    own = staff_client(receiving_officer)
    assert dossier.code in own.get(reverse(CHANGELIST)).content.decode()
    assert own.get(change_url(dossier)).status_code == 200
    preview = own.get(url)
    assert preview.status_code == 200
    assert preview["Content-Type"] == "application/pdf"
    # a citizen's PDF is never opened inside the back office: a sandboxed download
    assert preview["Content-Disposition"].startswith("attachment")
    assert preview["Content-Security-Policy"].startswith("sandbox")


def test_citizen_files_are_previewed_without_running_anything(
    make_dossier, staff_client, receiving_officer, citizen
):
    """A citizen's image is shown as <img>, a PDF is a download (a browser's PDF viewer would
    run the document's scripts inside the back office); both are sandboxed and never sniffed."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.dossiers import services as engine
    from tests.dossiers.conftest import make_image_bytes

    dossier = make_dossier("draft")
    engine.add_attachment(
        dossier=dossier,
        actor=citizen,
        uploaded_file=SimpleUploadedFile("to-khai.pdf", make_pdf_bytes()),
        requirement_key="to-khai",
    )
    image = engine.add_attachment(
        dossier=dossier,
        actor=citizen,
        uploaded_file=SimpleUploadedFile("anh.png", make_image_bytes("PNG")),
    )
    dossier = engine.submit(dossier=dossier, actor=citizen)
    own = staff_client(receiving_officer)
    html = own.get(change_url(dossier)).content.decode()
    preview = html.split("Giấy tờ đính kèm")[1].split("Lịch sử xử lý")[0]
    assert "<iframe" not in preview and "<embed" not in preview and "<object" not in preview
    image_url = reverse("admin:dossiers_dossier_attachment", args=[dossier.pk, image.pk])
    assert f'<img src="{image_url}"' in preview
    pdf = dossier.attachments.get(content_type="application/pdf")
    pdf_url = reverse("admin:dossiers_dossier_attachment", args=[dossier.pk, pdf.pk])
    assert f'href="{pdf_url}" download' in preview
    shown = own.get(image_url)
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline")
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert shown["Content-Security-Policy"].startswith("sandbox")


def test_citizen_never_reaches_admin(make_dossier, client, citizen):
    dossier = make_dossier("submitted")
    client.force_login(citizen)
    response = client.get(change_url(dossier))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_supervisor_sees_subtree_read_only(make_dossier, staff_client, supervisor):
    dossier = make_dossier("submitted")
    sup = staff_client(supervisor)
    page = sup.get(change_url(dossier))
    assert page.status_code == 200
    assert page.context["actions"] == []
    response = sup.post(action_url(dossier, "receive"), {"version": dossier.version})
    assert response.status_code == 302
    assert _fresh(dossier).state == State.SUBMITTED


# --- list and queues --------------------------------------------------------------------------


def test_changelist_query_count_is_constant(
    staff_client, receiving_officer, unit, procedure, citizen, area, django_assert_max_num_queries
):
    client = staff_client(receiving_officer)
    bulk_dossiers(1, unit=unit, procedure=procedure, citizen=citizen, area=area)
    client.get(reverse(CHANGELIST))  # warm caches (content types, sessions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse(CHANGELIST)).status_code == 200
    bulk_dossiers_more = 29
    Dossier.objects.all().delete()
    bulk_dossiers(
        1 + bulk_dossiers_more, unit=unit, procedure=procedure, citizen=citizen, area=area
    )
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse(CHANGELIST))
    assert response.context["cl"].result_count == 30


def test_index_shows_queue_counts_with_links(
    staff_client, receiving_officer, unit, procedure, citizen, area
):
    bulk_dossiers(3, unit=unit, procedure=procedure, citizen=citizen, area=area)
    # one waited past the next reception session (legal reception moment 3 days ago)
    Dossier.objects.filter(code__endswith="00002").update(
        received_at=timezone.now() - dt.timedelta(days=3)
    )
    page = staff_client(receiving_officer).get(reverse("admin:index")).content.decode()
    assert 'data-queue="reception">3<' in page
    assert "?queue=reception" in page and "?queue=overdue" in page
    assert "quá phiên tiếp nhận kế tiếp" in page


def test_queue_filter_oldest_first(staff_client, receiving_officer, unit, procedure, citizen, area):
    bulk_dossiers(3, unit=unit, procedure=procedure, citizen=citizen, area=area)
    response = staff_client(receiving_officer).get(reverse(CHANGELIST) + "?queue=reception")
    codes = [d.code for d in response.context["cl"].result_list]
    assert codes == [
        f"BULK-{unit.code}-00002",
        f"BULK-{unit.code}-00001",
        f"BULK-{unit.code}-00000",
    ]


def test_search_by_personal_id(staff_client, receiving_officer, make_dossier, citizen):
    dossier = make_dossier("submitted")
    response = staff_client(receiving_officer).get(reverse(CHANGELIST), {"q": citizen.personal_id})
    assert [d.code for d in response.context["cl"].result_list] == [dossier.code]


# --- decisions --------------------------------------------------------------------------------


def test_receive_through_admin(make_dossier, staff_client, receiving_officer):
    dossier = make_dossier("submitted")
    client = staff_client(receiving_officer)
    response = client.post(action_url(dossier, "receive"), {"version": dossier.version})
    assert response.status_code == 302
    fresh = _fresh(dossier)
    assert fresh.state == State.RECEIVED and fresh.due_at is not None
    assert fresh.documents.filter(kind=Document.Kind.RECEIPT).exists()


def test_stale_version_is_an_error_message_not_a_500(make_dossier, staff_client, receiving_officer):
    dossier = make_dossier("submitted")
    client = staff_client(receiving_officer)
    response = client.post(
        action_url(dossier, "receive"), {"version": dossier.version - 1}, follow=True
    )
    assert response.status_code == 200
    assert "đã được người khác thay đổi" in response.content.decode()
    assert _fresh(dossier).state == State.SUBMITTED


def _supplement_post(version, items, guidance):
    data = {
        "version": version,
        "guidance": guidance,
        "items-TOTAL_FORMS": 3,
        "items-INITIAL_FORMS": 0,
        "items-MIN_NUM_FORMS": 0,
        "items-MAX_NUM_FORMS": 30,
    }
    for i, (document, copy_kind, problem) in enumerate(items):
        data.update(
            {
                f"items-{i}-document": document,
                f"items-{i}-copy_kind": copy_kind,
                f"items-{i}-problem": problem,
            }
        )
    return data


@pytest.mark.parametrize(
    ("items", "guidance", "message"),
    [
        ([], "Vui lòng tải lên bản chụp tờ khai có chữ ký.", "ít nhất một giấy tờ"),
        ([("Tờ khai CT01", "original", "Thiếu chữ ký của chủ hộ")], "Bổ sung", "chưa đủ cụ thể"),
        (
            [("Tờ khai CT01", "original", "sai")],
            "Vui lòng tải lên bản chụp tờ khai có chữ ký.",
            "chưa đủ cụ thể",
        ),
        (
            [("Tờ khai CT01", "", "Thiếu chữ ký của chủ hộ")],
            "Vui lòng tải lên bản chụp tờ khai có chữ ký.",
            "bản chính hay bản sao",
        ),
    ],
)
def test_supplement_refuses_vague_or_empty(
    make_dossier, staff_client, receiving_officer, items, guidance, message
):
    dossier = make_dossier("received")
    response = staff_client(receiving_officer).post(
        action_url(dossier, "request_supplement"),
        _supplement_post(dossier.version, items, guidance),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _fresh(dossier).state == State.RECEIVED


def test_supplement_all_items_in_one_request(make_dossier, staff_client, receiving_officer):
    dossier = make_dossier("received")
    items = [
        ("Tờ khai CT01", "original", "Thiếu chữ ký của chủ hộ"),
        ("Hợp đồng thuê nhà", "copy", "Bản chụp bị mờ, không đọc được trang 2"),
    ]
    response = staff_client(receiving_officer).post(
        action_url(dossier, "request_supplement"),
        _supplement_post(dossier.version, items, "Ký tờ khai và chụp lại rõ nét hợp đồng thuê."),
    )
    assert response.status_code == 302
    fresh = _fresh(dossier)
    assert fresh.state == State.SUPPLEMENT_REQUESTED
    request = fresh.supplement_requests.get()
    assert [i["document"] for i in request.items] == ["Tờ khai CT01", "Hợp đồng thuê nhà"]
    assert fresh.documents.filter(kind=Document.Kind.SUPPLEMENT_GUIDANCE).exists()


def test_refuse_needs_category_and_specific_explanation(
    make_dossier, staff_client, unit_leader, refusal_reason
):
    dossier = make_dossier("received")
    client = staff_client(unit_leader)
    response = client.post(
        action_url(dossier, "refuse"),
        {"version": dossier.version, "explanation": "Địa chỉ không có thật"},
    )
    assert "Chọn một lý do từ chối" in response.content.decode()
    response = client.post(
        action_url(dossier, "refuse"),
        {"version": dossier.version, "reason_category": refusal_reason.pk, "explanation": "sai"},
    )
    assert "chưa đủ cụ thể" in response.content.decode()
    assert _fresh(dossier).state == State.RECEIVED
    response = client.post(
        action_url(dossier, "refuse"),
        {
            "version": dossier.version,
            "reason_category": refusal_reason.pk,
            "explanation": "Nhà số 10 đang có quyết định thu hồi đất, không được đăng ký mới.",
        },
    )
    assert response.status_code == 302
    fresh = _fresh(dossier)
    assert fresh.state == State.REFUSED
    review = RefusalReview.objects.get(dossier=dossier)
    assert review.outcome == RefusalReview.Outcome.PENDING
    assert review.legal_provision == refusal_reason.legal_provision
    event = fresh.events.get(action="refuse")
    assert event.details["legal_provision"] == refusal_reason.legal_provision


def test_refusing_a_verified_dossier_needs_the_leader(
    make_dossier, staff_client, receiving_officer, unit_leader, refusal_reason
):
    dossier = make_dossier("received")
    dossier.attachments.filter(requirement_key="to-khai").update(verified=True)
    data = {
        "version": dossier.version,
        "reason_category": refusal_reason.pk,
        "explanation": "Người đề nghị không thuộc trường hợp được đăng ký tại địa chỉ này.",
    }
    # an officer is not offered the refusal at all (they propose it, see test_refusal_rules)
    response = staff_client(receiving_officer).post(action_url(dossier, "refuse"), data)
    assert response.status_code == 302
    assert _fresh(dossier).state == State.RECEIVED
    response = staff_client(unit_leader).post(action_url(dossier, "refuse"), data)
    assert response.status_code == 302
    assert _fresh(dossier).state == State.REFUSED
    assert RefusalReview.objects.get(dossier=dossier).all_documents_verified


def test_supervisor_sees_pending_refusals_on_index(make_dossier, staff_client, supervisor):
    make_dossier("refused")  # refused through the engine directly: no review row
    from portal.backoffice.models import RefusalReason

    review_unit = _fresh(make_dossier("submitted")).unit
    reason = RefusalReason.objects.first()
    RefusalReview.objects.create(
        dossier=Dossier.objects.filter(state=State.REFUSED).first(),
        unit=review_unit,
        reason=reason,
        legal_provision=reason.legal_provision,
        explanation="Chỗ ở thuộc khu vực đã có quyết định thu hồi đất.",
        refused_by=supervisor,
    )
    page = staff_client(supervisor).get(reverse("admin:index")).content.decode()
    assert 'data-queue="reviews">1<' in page


def test_return_without_method_needs_contact_log(make_dossier, staff_client, receiving_officer):
    dossier = make_dossier("approved")
    Dossier.objects.filter(pk=dossier.pk).update(result_method="")  # the citizen chose nothing
    client = staff_client(receiving_officer)
    data = {
        "version": _fresh(dossier).version,
        "method": "in_person",
        "collected_by_name": "Nguyễn Văn An",
        "collected_by_personal_id": "019090001234",
        "originals_compared": "on",
    }
    response = client.post(action_url(dossier, "return_result"), data, follow=True)
    assert "phải ghi nhật ký liên hệ" in response.content.decode()
    assert _fresh(dossier).state == State.APPROVED
    response = client.post(
        action_url(dossier, "contact"),
        {
            "version": _fresh(dossier).version,
            "contacted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "channel": "phone",
            "outcome": "reached",
            "note": "Công dân chọn nhận kết quả trực tiếp tại trụ sở vào sáng thứ Hai.",
        },
    )
    assert response.status_code == 302
    assert ContactLog.objects.filter(dossier=dossier).count() == 1
    data["version"] = _fresh(dossier).version
    response = client.post(action_url(dossier, "return_result"), data)
    assert response.status_code == 302
    fresh = _fresh(dossier)
    assert fresh.state == State.RESULT_RETURNED
    assert fresh.result_method == "in_person"
    event = fresh.events.get(action="return_result")
    assert event.details["collected_by_personal_id"] == "019090001234"
    assert event.details["method_set_on_behalf"] is True


def test_level3_in_person_return_requires_originals_compared(
    make_dossier, staff_client, receiving_officer
):
    dossier = make_dossier("approved")
    Dossier.objects.filter(pk=dossier.pk).update(result_method="in_person")
    response = staff_client(receiving_officer).post(
        action_url(dossier, "return_result"),
        {
            "version": _fresh(dossier).version,
            "method": "in_person",
            "collected_by_name": "Nguyễn Văn An",
            "collected_by_personal_id": "019090001234",
        },
    )
    assert response.status_code == 200
    assert "đối chiếu bản chính" in response.content.decode()
    assert _fresh(dossier).state == State.APPROVED


def test_apology_by_leader_sets_new_due_and_issues_form_04(
    make_dossier, staff_client, unit_leader, handling_officer
):
    dossier = make_dossier("processing")
    fresh = _fresh(dossier)
    new_due = timezone.localtime(fresh.due_at + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "version": fresh.version,
        "new_due_at": new_due,
        "reason": "Chờ kết quả xác minh nơi ở từ Công an tỉnh bạn.",
    }
    # the handling officer is not offered the apology
    response = staff_client(handling_officer).post(action_url(dossier, "apology"), data)
    assert response.status_code == 302 and _fresh(dossier).due_at == fresh.due_at
    response = staff_client(unit_leader).post(
        action_url(dossier, "apology"), {**data, "reason": "Chậm"}
    )
    assert "chưa đủ cụ thể" in response.content.decode()
    response = staff_client(unit_leader).post(action_url(dossier, "apology"), data)
    assert response.status_code == 302
    after = _fresh(dossier)
    assert after.due_at > fresh.due_at
    assert after.events.filter(action="apology").exists()
    document = after.documents.get(kind=Document.Kind.APOLOGY)
    assert document.template_name == "pdf/backoffice/apology.html"


def test_apology_slip_renders_as_pdf(make_dossier, unit_leader):
    from portal.backoffice import services
    from portal.dossiers import services as engine

    dossier = make_dossier("processing")
    fresh = _fresh(dossier)
    apology = services.issue_apology(
        dossier=fresh,
        actor=unit_leader,
        new_due_at=fresh.due_at + dt.timedelta(days=2),
        reason="Chờ kết quả xác minh nơi ở từ Công an tỉnh bạn.",
    )
    document = engine.render_document(document_id=apology.document_id)
    assert document.status == Document.Status.READY
    assert document.file.read(5) == b"%PDF-"


def test_index_query_count_does_not_grow_with_dossiers(
    staff_client, receiving_officer, unit, procedure, citizen, area, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = staff_client(receiving_officer)
    bulk_dossiers(1, unit=unit, procedure=procedure, citizen=citizen, area=area)
    client.get(reverse("admin:index"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("admin:index"))
    Dossier.objects.all().delete()
    bulk_dossiers(30, unit=unit, procedure=procedure, citizen=citizen, area=area)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(reverse("admin:index")).status_code == 200


def test_action_form_carries_the_version_the_officer_saw(
    make_dossier, staff_client, receiving_officer
):
    dossier = make_dossier("submitted")
    client = staff_client(receiving_officer)
    page = client.get(change_url(dossier))
    link = next(a["url"] for a in page.context["actions"] if a["name"] == "receive")
    assert link.endswith(f"?v={dossier.version}")
    form = client.get(link).context["form"]
    assert form.initial["version"] == dossier.version
    stale = client.get(action_url(dossier, "receive") + f"?v={dossier.version - 1}")
    assert stale.context["form"].initial["version"] == dossier.version - 1


def test_verifying_documents_through_the_admin_enables_the_leader_rule(
    make_dossier, staff_client, receiving_officer
):
    dossier = make_dossier("received")
    attachment = dossier.attachments.get(requirement_key="to-khai")
    client = staff_client(receiving_officer)
    response = client.post(
        action_url(dossier, "verify"),
        {"version": _fresh(dossier).version, "attachments": [str(attachment.pk)]},
    )
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.verified
    from portal.backoffice.services import mandatory_documents_all_verified

    assert mandatory_documents_all_verified(dossier=_fresh(dossier))
    assert _fresh(dossier).events.filter(action="verify_documents").exists()
