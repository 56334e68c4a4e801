"""The citizen API carries the plugins' Vietnamese messages in the project's JSON error shape."""

from __future__ import annotations

from rest_framework.test import APIClient

from tests.residence.permanent.conftest import make_pdf_bytes, make_person, settle


def test_split_filed_through_the_api(family, procedures, area):
    client = APIClient()
    client.force_authenticate(family["cuong_account"])
    stranger = make_person("019060000040", "Đinh Văn Khác")
    settle(stranger, area=area, street="Tổ 9")
    form_data = {
        "new_head_personal_id": family["cuong"].personal_id,
        "members": [{"personal_id": stranger.personal_id, "relation": "spouse"}],
        "consent_by_letter": True,
    }
    created = client.post(
        "/api/v1/dossiers/",
        {"procedure": "1.010038", "area": area.code, "form_data": form_data},
        format="json",
    )
    assert created.status_code == 201, created.json()
    code = created.json()["code"]

    response = client.patch(f"/api/v1/dossiers/{code}/", {"form_data": form_data}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"]["members"] == [
        f"Thành viên 1 (số định danh 019060000040) không phải thành viên của hộ "
        f"{family['household'].number}."
    ]

    form_data["members"] = [{"personal_id": family["dung"].personal_id, "relation": "spouse"}]
    response = client.patch(f"/api/v1/dossiers/{code}/", {"form_data": form_data}, format="json")
    assert response.status_code == 200, response.json()
    # The head's consent was promised as a letter: submitting without it names the letter.
    response = client.post(f"/api/v1/dossiers/{code}/submit/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "missing_documents"
    assert body["errors"]["missing_keys"] == ["y-kien-chu-ho"]
    upload = client.post(
        f"/api/v1/dossiers/{code}/attachments/",
        {"file": _pdf(), "requirement_key": "y-kien-chu-ho"},
        format="multipart",
    )
    assert upload.status_code == 201, upload.json()
    response = client.post(f"/api/v1/dossiers/{code}/submit/", {}, format="json")
    assert response.status_code == 200, response.json()


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("dong-y.pdf", make_pdf_bytes(), content_type="application/pdf")
