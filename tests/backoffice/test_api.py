"""Staff API: queues, decisions with the same reasons and the same role/unit checks, JSON errors."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from portal.backoffice.models import RefusalReview
from portal.catalogue.models import Procedure
from portal.dossiers.models import Dossier, State

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(code, action=""):
    return f"/api/v1/staff/dossiers/{code}/" + (f"{action}/" if action else "")


def test_queue_listing_is_unit_scoped(make_dossier, receiving_officer, other_unit_officer):
    dossier = make_dossier("submitted")
    body = api(receiving_officer).get("/api/v1/staff/dossiers/?queue=reception").json()
    assert [d["code"] for d in body["results"]] == [dossier.code]
    assert "receive" in body["results"][0]["allowed_actions"]
    assert (
        api(other_unit_officer).get("/api/v1/staff/dossiers/?queue=reception").json()["results"]
        == []
    )
    response = api(other_unit_officer).post(url(dossier.code, "receive"), {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_citizen_and_anonymous_are_refused(make_dossier, citizen):
    dossier = make_dossier("submitted")
    assert APIClient().get("/api/v1/staff/dossiers/").status_code in (401, 403)
    response = api(citizen).post(url(dossier.code, "receive"), {}, format="json")
    assert response.status_code == 403
    assert response.json()["message"]


def test_unknown_queue_is_404_json(receiving_officer):
    response = api(receiving_officer).get("/api/v1/staff/dossiers/?queue=nope")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_role_check_and_stale_version(make_dossier, receiving_officer, handling_officer):
    dossier = make_dossier("submitted")
    response = api(handling_officer).post(url(dossier.code, "receive"), {}, format="json")
    assert response.status_code == 403
    response = api(receiving_officer).post(
        url(dossier.code, "receive"), {"expected_version": dossier.version - 1}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "changed_by_someone_else"
    response = api(receiving_officer).post(
        url(dossier.code, "receive"), {"expected_version": dossier.version}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == State.RECEIVED


def test_supplement_requires_specific_items(make_dossier, receiving_officer):
    dossier = make_dossier("received")
    client = api(receiving_officer)
    response = client.post(
        url(dossier.code, "request_supplement"),
        {"items": [], "guidance": "Vui lòng bổ sung tờ khai có chữ ký."},
        format="json",
    )
    assert response.status_code == 400
    assert "items" in response.json()["errors"]
    response = client.post(
        url(dossier.code, "request_supplement"),
        {
            "items": [
                {
                    "document": "Tờ khai CT01",
                    "copy_kind": "original",
                    "problem": "Thiếu chữ ký chủ hộ",
                }
            ],
            "guidance": "Ký và tải lên lại tờ khai CT01 bản chụp rõ nét.",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == State.SUPPLEMENT_REQUESTED


def test_refuse_by_category_code(make_dossier, unit_leader, refusal_reason):
    dossier = make_dossier("received")
    client = api(unit_leader)
    response = client.post(
        url(dossier.code, "refuse"),
        {"reason_category": "den-truc-tiep", "explanation": "Mời đến trực tiếp nộp"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "refusal_reason_required"
    response = client.post(
        url(dossier.code, "refuse"),
        {
            "reason_category": refusal_reason.code,
            "explanation": "Chỗ ở nằm trong khu vực đã có quyết định thu hồi đất.",
        },
        format="json",
    )
    assert response.status_code == 200
    assert RefusalReview.objects.filter(dossier__code=dossier.code).exists()


def test_full_path_through_api(make_dossier, receiving_officer, handling_officer, unit_leader):
    dossier = make_dossier("received")
    assert (
        api(receiving_officer)
        .post(url(dossier.code, "assign"), {"officer": handling_officer.username}, format="json")
        .status_code
        == 200
    )
    assert (
        api(handling_officer)
        .post(url(dossier.code, "start_processing"), {}, format="json")
        .status_code
        == 200
    )
    assert (
        api(handling_officer).post(url(dossier.code, "approve"), {}, format="json").status_code
        == 403
    )
    assert api(unit_leader).post(url(dossier.code, "approve"), {}, format="json").status_code == 200
    # Returned by post: the procedure must offer it (the catalogue's 1.003677 does not).
    Procedure.objects.filter(pk=dossier.procedure_id).update(result_methods=["in_person", "post"])
    Dossier.objects.filter(pk=dossier.pk).update(result_method="post")
    response = api(receiving_officer).post(
        url(dossier.code, "return_result"),
        {
            "method": "post",
            "postal_address": "Tổ 5, phường Phan Đình Phùng, tỉnh Thái Nguyên",
            "postal_fee": 25000,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == State.RESULT_RETURNED
    detail = api(receiving_officer).get(url(dossier.code)).json()
    actions = [e["action"] for e in detail["history"]]
    assert actions[-4:] == ["assign", "start_processing", "approve", "return_result"]


def test_schema_documents_staff_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    for action in (
        "receive",
        "request_supplement",
        "refuse",
        "approve",
        "return_result",
        "apology",
        "contact",
    ):
        assert f"/api/v1/staff/dossiers/{{code}}/{action}/" in schema
    assert "/api/v1/staff/dossiers/:" in schema or "/api/v1/staff/dossiers/" in schema
