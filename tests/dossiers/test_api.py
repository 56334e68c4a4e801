"""The dossier API: filing, uploads checked by content, access (404 for others), lookup."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from portal.dossiers import services
from portal.dossiers.models import Attachment, Document, Dossier
from tests.dossiers.conftest import make_pdf_bytes, valid_absence_form

pytestmark = pytest.mark.django_db
BASE = "/api/v1/dossiers/"


@pytest.fixture
def api(citizen):
    client = APIClient()
    client.force_authenticate(citizen)
    return client


@pytest.fixture
def other_api(other_citizen):
    client = APIClient()
    client.force_authenticate(other_citizen)
    return client


@pytest.fixture
def draft(api, procedure, area, unit):
    response = api.post(
        BASE,
        {"procedure": procedure.code, "area": area.code, "form_data": valid_absence_form()},
        format="json",
        HTTP_PREFER="return=representation",  # the full detail, not the compact answer
    )
    assert response.status_code == 201, response.json()
    assert response["Preference-Applied"] == "return=representation"
    return response.json()


def upload(client, code, name, content, key="to-khai", content_type="application/pdf"):
    return client.post(
        f"{BASE}{code}/attachments/",
        {
            "file": SimpleUploadedFile(name, content, content_type=content_type),
            "requirement_key": key,
        },
        format="multipart",
    )


def test_file_a_dossier_end_to_end(api, draft, unit):
    code = draft["code"]
    assert code.startswith(unit.code + "-")
    assert draft["state"] == "draft" and draft["national_status_code"] is None
    assert draft["missing_documents"] == [
        {"key": "to-khai", "name": "Tờ khai thay đổi thông tin cư trú (CT01)"}
    ]
    response = api.post(f"{BASE}{code}/submit/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "missing_documents"
    assert body["errors"]["missing"] == ["Tờ khai thay đổi thông tin cư trú (CT01)"]
    assert upload(api, code, "to-khai.pdf", make_pdf_bytes()).status_code == 201
    response = api.post(f"{BASE}{code}/submit/", {}, format="json")
    assert response.status_code == 200, response.json()
    compact = response.json()
    assert compact["state"] == "submitted" and compact["national_status_code"] == 1
    assert compact["received_at"] and compact["submitted_at"]
    assert compact["links"]["self"] == f"{BASE}{code}/" and "history" not in compact
    detail = api.get(compact["links"]["self"]).json()
    assert detail["version"] == compact["version"] and detail["state"] == "submitted"
    assert [h["action"] for h in detail["history"]] == ["create", "submit"]
    assert "withdraw" in detail["allowed_actions"]
    listing = api.get(BASE).json()
    assert [d["code"] for d in listing["results"]] == [code]
    response = api.post(f"{BASE}{code}/withdraw/", {"reason": "Đổi ý"}, format="json")
    assert response.json()["state"] == "withdrawn"


def test_patch_validates_through_the_plugin(api, draft):
    code = draft["code"]
    bad = valid_absence_form(date_from="2026-05-10", date_to="2026-05-01")
    response = api.patch(f"{BASE}{code}/", {"form_data": bad}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "date_to" in body["errors"]
    assert api.get(f"{BASE}{code}/").json()["form_data"]["date_to"] == draft["form_data"]["date_to"]
    good = valid_absence_form(reason="Đi học")
    response = api.patch(
        f"{BASE}{code}/", {"form_data": good, "result_method": "in_person"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["form_data"]["reason"] == "Đi học"
    stale = api.patch(f"{BASE}{code}/", {"form_data": good, "version": 0}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "changed_by_someone_else"


def test_level_2_procedure_gets_409_with_where_to_file(api, procedure_level2, area, unit):
    response = api.post(
        BASE, {"procedure": procedure_level2.code, "area": area.code}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "procedure_not_online"
    assert unit.name in body["message"] and unit.address in body["message"]
    assert not Dossier.objects.exists()


def test_unknown_procedure_or_area_is_a_400(api, procedure):
    response = api.post(BASE, {"procedure": "9.999999", "area": "00000"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_anonymous_gets_401_json(procedure):
    response = APIClient().get(BASE)
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


# --- uploads -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("giay-to.pdf", "Đây là văn bản thuần, không phải PDF.".encode(), "file_type_not_allowed"),
        ("rong.pdf", b"", "file_empty"),
        ("hong.pdf", b"%PDF-1.4\n garbage without objects", "file_unreadable"),
        ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "file_unreadable"),
        ("lon.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024), "file_too_large"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_lost(api, draft, name, content, code):
    ok = upload(api, draft["code"], "dau-tien.pdf", make_pdf_bytes())
    assert ok.status_code == 201
    response = upload(api, draft["code"], name, content)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert body["message"]  # a specific Vietnamese message
    listing = api.get(f"{BASE}{draft['code']}/attachments/").json()
    assert [a["original_name"] for a in listing] == ["dau-tien.pdf"]
    assert api.get(f"{BASE}{draft['code']}/").json()["form_data"] == draft["form_data"]


def test_pdf_named_png_is_accepted_as_pdf(api, draft):
    response = upload(api, draft["code"], "scan.png", make_pdf_bytes(), content_type="image/png")
    assert response.status_code == 201
    body = response.json()
    assert body["content_type"] == "application/pdf"
    assert body["original_name"] == "scan.pdf"
    stored = Attachment.objects.get(pk=body["id"])
    assert stored.file.name.endswith(".pdf") and "scan" not in stored.file.name


def test_images_are_accepted(api, draft, png_bytes, jpeg_bytes):
    assert upload(api, draft["code"], "a.jpg", png_bytes).json()["content_type"] == "image/png"
    assert upload(api, draft["code"], "b", jpeg_bytes).json()["content_type"] == "image/jpeg"


def test_file_name_is_sanitised(api, draft, settings):
    name = "../../etc/\x00pass\x1bwd\u202e Giấy tờ Đặng Thị Ánh.pdf"
    response = upload(api, draft["code"], name, make_pdf_bytes())
    assert response.status_code == 201
    original = response.json()["original_name"]
    assert "/" not in original and ".." not in original
    assert not any(ord(ch) < 32 or 0x202A <= ord(ch) <= 0x202E for ch in original)
    assert original.endswith("Giấy tờ Đặng Thị Ánh.pdf")
    stored = Attachment.objects.get(pk=response.json()["id"])
    path = stored.file.path
    assert path.startswith(str(settings.MEDIA_ROOT))
    assert "etc" not in stored.file.name


def test_too_many_files(api, draft, settings):
    settings.DOSSIER_ATTACHMENTS_MAX_COUNT = 2
    for i in range(2):
        assert upload(api, draft["code"], f"{i}.pdf", make_pdf_bytes()).status_code == 201
    response = upload(api, draft["code"], "3.pdf", make_pdf_bytes())
    assert response.status_code == 400 and response.json()["code"] == "too_many_files"
    assert len(api.get(f"{BASE}{draft['code']}/attachments/").json()) == 2


def test_dossier_total_size_limit(api, draft, settings):
    settings.DOSSIER_ATTACHMENTS_MAX_BYTES = len(make_pdf_bytes()) + 10
    assert upload(api, draft["code"], "1.pdf", make_pdf_bytes()).status_code == 201
    response = upload(api, draft["code"], "2.pdf", make_pdf_bytes())
    assert response.json()["code"] == "dossier_attachments_too_large"


def test_delete_attachment(api, draft):
    attachment = upload(api, draft["code"], "1.pdf", make_pdf_bytes()).json()
    response = api.delete(f"{BASE}{draft['code']}/attachments/{attachment['id']}/")
    assert response.status_code == 204
    assert api.get(f"{BASE}{draft['code']}/attachments/").json() == []


# --- access -------------------------------------------------------------------------------


def test_other_citizen_gets_404_everywhere(api, other_api, draft, citizen):
    code = draft["code"]
    attachment = upload(api, code, "1.pdf", make_pdf_bytes()).json()
    dossier = Dossier.objects.get(code=code)
    document = Document.objects.create(
        dossier=dossier, kind="receipt", template_name="residence/pdf/ct03.html", context={}
    )
    urls = [
        ("get", f"{BASE}{code}/"),
        ("patch", f"{BASE}{code}/"),
        ("get", f"{BASE}{code}/attachments/"),
        ("get", f"{BASE}{code}/attachments/{attachment['id']}/"),
        ("delete", f"{BASE}{code}/attachments/{attachment['id']}/"),
        ("get", f"{BASE}{code}/documents/{document.pk}/"),
        ("post", f"{BASE}{code}/submit/"),
        ("post", f"{BASE}{code}/withdraw/"),
        ("post", f"{BASE}{code}/supplement/"),
    ]
    missing = other_api.get(f"{BASE}G19.55-20990101-9999/").json()
    for method, url in urls:
        response = getattr(other_api, method)(url, {}, format="json")
        assert response.status_code == 404, (method, url)
        assert response.json() == missing, (method, url)
    assert other_api.get(BASE).json()["results"] == []
    assert Attachment.objects.filter(pk=attachment["id"]).exists()


def test_owner_downloads_attachment_and_document(api, draft, citizen):
    code = draft["code"]
    attachment = upload(api, code, "1.pdf", make_pdf_bytes()).json()
    response = api.get(f"{BASE}{code}/attachments/{attachment['id']}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    dossier = Dossier.objects.get(code=code)
    document = Document.objects.create(
        dossier=dossier,
        kind="result",
        template_name="residence/pdf/ct03.html",
        context={"code": code, "absence": {"full_name": "Nguyễn Văn An"}},
    )
    # not rendered yet: the API says so instead of rendering in the request
    response = api.get(f"{BASE}{code}/documents/{document.pk}/")
    assert response.status_code == 409 and response.json()["code"] == "document_pending"
    assert response["Retry-After"] == "5"
    from portal.dossiers import services

    services.render_document(document_id=document.pk)  # what the worker does after the commit
    response = api.get(f"{BASE}{code}/documents/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    document.refresh_from_db()
    assert document.status == "ready"


def test_staff_access_by_unit(make_dossier, receiving_officer, other_unit_officer, supervisor):
    dossier = make_dossier("submitted")
    for user, status in ((receiving_officer, 200), (supervisor, 200), (other_unit_officer, 404)):
        client = APIClient()
        client.force_authenticate(user)
        assert client.get(f"{BASE}{dossier.code}/").status_code == status


def test_list_query_count_is_constant(api, citizen, make_dossier, django_assert_max_num_queries):
    make_dossier("submitted")
    with django_assert_max_num_queries(4) as one:
        assert len(api.get(BASE).json()["results"]) == 1
    for _ in range(5):
        make_dossier("received")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(api.get(BASE).json()["results"]) == 6


def test_detail_query_count_is_constant(api, make_dossier, citizen, receiving_officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # both had a supplement request (the detail reads those only for a dossier whose history
    # has one: one query fewer for the others, tests/dossiers/test_query_counts_api.py)
    few = make_dossier("supplement_requested")
    many = make_dossier("supplement_requested")  # more history rows, documents, requests
    services.add_attachment(
        dossier=many,
        actor=citizen,
        uploaded_file=SimpleUploadedFile("b.pdf", make_pdf_bytes()),
        requirement_key="to-khai",
    )
    many = services.resubmit(dossier=many, actor=citizen)
    many = services.receive(dossier=many, actor=receiving_officer)
    assert many.events.count() >= few.events.count() + 2
    assert many.attachments.count() > few.attachments.count()
    with CaptureQueriesContext(connection) as small:
        assert api.get(f"{BASE}{few.code}/").status_code == 200
    with CaptureQueriesContext(connection) as large:
        assert api.get(f"{BASE}{many.code}/").status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


# --- public lookup ------------------------------------------------------------------------


def test_lookup_gives_state_and_dates_only(make_dossier, citizen):
    dossier = make_dossier("received")
    client = APIClient()
    response = client.post(
        "/api/v1/lookup/", {"code": dossier.code, "personal_id": citizen.personal_id}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "received" and body["national_status_code"] == 2
    assert body["due_at"] and body["received_at"]
    assert not {"applicant_name", "form_data", "applicant_personal_id"} & set(body)


def test_lookup_wrong_pair_reveals_nothing(make_dossier, citizen, other_citizen):
    dossier = make_dossier("submitted")
    client = APIClient()
    wrong_id = client.post(
        "/api/v1/lookup/",
        {"code": dossier.code, "personal_id": other_citizen.personal_id},
        format="json",
    )
    no_code = client.post(
        "/api/v1/lookup/",
        {"code": "G19.55-20990101-0001", "personal_id": citizen.personal_id},
        format="json",
    )
    assert wrong_id.status_code == no_code.status_code == 404
    assert wrong_id.json() == no_code.json()


def test_lookup_hides_drafts(make_dossier, citizen):
    dossier = make_dossier("draft")
    response = APIClient().post(
        "/api/v1/lookup/", {"code": dossier.code, "personal_id": citizen.personal_id}, format="json"
    )
    assert response.status_code == 404


def test_lookup_is_throttled(settings, make_dossier):
    from django.core.cache import cache

    cache.clear()
    client = APIClient()
    statuses = [
        client.post("/api/v1/lookup/", {"code": "X", "personal_id": "1"}, format="json").status_code
        for _ in range(12)
    ]
    assert statuses[:10] == [404] * 10
    assert statuses[-1] == 429
    cache.clear()


def test_schema_documents_the_endpoints():
    response = APIClient().get("/api/schema/", {"format": "json"})
    paths = response.json()["paths"]
    for path in [
        "/api/v1/dossiers/",
        "/api/v1/dossiers/{code}/",
        "/api/v1/dossiers/{code}/submit/",
        "/api/v1/dossiers/{code}/attachments/",
        "/api/v1/lookup/",
    ]:
        assert path in paths


def test_supplement_round_trip(api, make_dossier, pdf_bytes):
    dossier = make_dossier("supplement_requested")
    detail = api.get(f"{BASE}{dossier.code}/").json()
    assert detail["national_status_code"] == 5
    assert detail["supplement_request"]["items"] == [
        {"document": "Tờ khai CT01", "copy_kind": "original", "problem": "Thiếu chữ ký"}
    ]
    assert "resubmit" in detail["allowed_actions"]
    missing = api.post(f"{BASE}{dossier.code}/supplement/", {}, format="json")
    assert missing.status_code == 400 and missing.json()["errors"]["missing"] == ["Tờ khai CT01"]
    assert upload(api, dossier.code, "ct01-da-ky.pdf", pdf_bytes).status_code == 201
    response = api.post(
        f"{BASE}{dossier.code}/supplement/", {}, format="json", HTTP_PREFER="return=representation"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "submitted" and body["supplement_request"] is None
    assert body["history"][-1]["action"] == "resubmit"
    # the officer's name never reaches the citizen
    assert all("Cán bộ" not in entry["actor_label"] for entry in body["history"])


def test_withdraw_after_reception_is_a_409(api, make_dossier):
    dossier = make_dossier("received")
    response = api.post(f"{BASE}{dossier.code}/withdraw/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert "Đã tiếp nhận" in response.json()["message"]
