"""The dossier API's contract: real session and token authentication, every input error in
Vietnamese with a stable code, plugin form errors as messages only, and an OpenAPI schema that
lists every endpoint and generates without warnings."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from portal.dossiers.models import Dossier, State
from tests.dossiers.conftest import PASSWORD, make_pdf_bytes, valid_absence_form

pytestmark = pytest.mark.django_db
BASE = "/api/v1/dossiers/"


@pytest.fixture
def api(citizen):
    client = APIClient()
    client.force_authenticate(citizen)
    return client


# --- authentication ---------------------------------------------------------------------------


def test_token_from_sign_up_and_login_files_a_dossier(procedure, area, unit):
    client = APIClient()
    signup = client.post(
        "/api/v1/auth/signup/",
        {
            "personal_id": "019090004321",
            "full_name": "Hoàng Thị Mai",
            "date_of_birth": "1990-03-02",
            "sex": "M",
            "phone": "0912345678",
            "password": PASSWORD,
        },
        format="json",
    )
    assert signup.status_code == 201, signup.json()
    login = client.post(
        "/api/v1/auth/token/",
        {"username": "019090004321", "password": PASSWORD},
        format="json",
    )
    assert login.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {login.json()['token']}")
    created = client.post(
        BASE,
        {"procedure": procedure.code, "area": area.code, "form_data": valid_absence_form()},
        format="json",
    )
    assert created.status_code == 201, created.json()
    listing = client.get(BASE).json()
    assert [d["code"] for d in listing["results"]] == [created.json()["code"]]

    client.credentials(HTTP_AUTHORIZATION="Token khong-hop-le")
    refused = client.get(BASE)
    assert refused.status_code in (401, 403)  # 403 when session auth is listed first (DRF)
    assert refused.json()["code"] == "authentication_failed" and refused.json()["message"]


def test_session_authentication_needs_the_csrf_token(citizen, procedure, area, unit):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(citizen)
    assert client.get(BASE).status_code == 200  # reading needs no token
    body = {"procedure": procedure.code, "area": area.code, "form_data": valid_absence_form()}
    without = client.post(BASE, body, format="json")
    assert without.status_code == 403
    assert without.json()["code"] == "permission_denied" and without.json()["message"]
    assert not Dossier.objects.exists()
    # The filing page sets the CSRF cookie, as a browser would have it.
    client.get(reverse("dossiers:start", kwargs={"procedure_code": procedure.code}))
    token = client.cookies["csrftoken"].value
    created = client.post(BASE, body, format="json", HTTP_X_CSRFTOKEN=token)
    assert created.status_code == 201, created.json()


# --- every input error is Vietnamese, with a code --------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "field", "message"),
    [
        ("patch", "{code}/", {"form_data": "x"}, "form_data", "Cần một đối tượng JSON"),
        ("patch", "{code}/", {"version": "abc"}, "version", "Vui lòng nhập một số nguyên"),
        ("patch", "{code}/", {"version": None}, "version", "không được để trống"),
        ("patch", "{code}/", {"result_method": "zz"}, "result_method", "“zz” không phải là"),
        ("post", "{code}/withdraw/", {"reason": "x" * 1001}, "reason", "không quá 1000 ký tự"),
        ("post", "{code}/attachments/", {"file": "abc"}, "file", "không phải là tệp"),
    ],
)
def test_bad_request_bodies_get_vietnamese_messages(
    api, make_dossier, method, path, body, field, message
):
    dossier = make_dossier("draft")
    response = getattr(api, method)(BASE + path.format(code=dossier.code), body, format="json")
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "invalid"
    assert message in payload["message"]
    assert message in payload["errors"][field][0]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"code": "x" * 41, "personal_id": "019090001234"}, "code", "không quá 40 ký tự"),
        ({"code": {"a": 1}, "personal_id": "019090001234"}, "code", "chuỗi ký tự"),
    ],
)
def test_lookup_bad_bodies_get_vietnamese_messages(body, field, message):
    response = APIClient().post("/api/v1/lookup/", body, format="json")
    assert response.status_code == 400
    assert message in response.json()["errors"][field][0]


def test_plugin_form_errors_are_messages_only(api, make_dossier):
    """The plugin's own messages reach the client as they are; the error codes do not."""
    dossier = make_dossier("draft")
    response = api.patch(f"{BASE}{dossier.code}/", {"form_data": {}}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["reason"] == ["Vui lòng nêu lý do tạm vắng."]
    assert errors["date_from"] == ["Vui lòng nhập ngày bắt đầu tạm vắng."]
    assert errors["destination_address"] == ["Vui lòng nhập địa chỉ nơi đến."]


def test_filing_page_shows_plugin_messages_without_error_codes(client, citizen, make_dossier):
    dossier = make_dossier("draft")
    client.force_login(citizen)
    data = {
        "action": "submit",
        "result_method": "in_person",
        **{f"f-{k}": v for k, v in valid_absence_form(reason="", date_from="").items()},
    }
    html = client.post(reverse("dossiers:edit", kwargs={"code": dossier.code}), data).content
    html = html.decode()
    assert "Vui lòng nêu lý do tạm vắng." in html
    assert "Vui lòng nhập ngày bắt đầu tạm vắng." in html
    assert ">required<" not in html
    dossier.refresh_from_db()
    assert dossier.state == State.DRAFT


# --- OpenAPI schema ---------------------------------------------------------------------------

DOSSIER_OPERATIONS = {
    "/api/v1/dossiers/": {"get", "post"},
    "/api/v1/dossiers/{code}/": {"get", "patch"},
    "/api/v1/dossiers/{code}/attachments/": {"get", "post"},
    "/api/v1/dossiers/{code}/attachments/{attachment_id}/": {"get", "delete"},
    "/api/v1/dossiers/{code}/documents/{document_id}/": {"get"},
    "/api/v1/dossiers/{code}/submit/": {"post"},
    "/api/v1/dossiers/{code}/withdraw/": {"post"},
    "/api/v1/dossiers/{code}/supplement/": {"post"},
    "/api/v1/lookup/": {"post"},
    "/api/v1/auth/signup/": {"post"},
    "/api/v1/auth/token/": {"post"},
}


def test_schema_has_every_dossier_operation_with_json_errors():
    paths = APIClient().get("/api/schema/", {"format": "json"}).json()["paths"]
    for path, methods in DOSSIER_OPERATIONS.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
    for path, item in paths.items():
        if not path.startswith(("/api/v1/dossiers/", "/api/v1/lookup/")):
            continue
        for method, operation in item.items():
            errors = [s for s in operation["responses"] if s.startswith("4")]
            assert errors, (path, method)
            for status_code in errors:
                content = operation["responses"][status_code]["content"]["application/json"]
                ref = content["schema"]["$ref"]
                assert ref.endswith("Error"), (path, method, ref)


def test_schema_of_the_dossier_views_generates_without_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        SchemaGenerator().get_schema(request=None, public=True)
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    ours = [m for m in messages if "dossiers" in m.lower() or "lookup" in m.lower()]
    assert ours == []


def test_uploaded_pdf_is_listed_in_the_schema_shape(api, make_dossier):
    """The attachment answer matches what the schema promises (id, name, type, size)."""
    dossier = make_dossier("draft")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.post(
        f"{BASE}{dossier.code}/attachments/",
        {"file": SimpleUploadedFile("a.pdf", make_pdf_bytes()), "requirement_key": "to-khai"},
        format="multipart",
    )
    assert response.status_code == 201
    assert {"id", "original_name", "content_type", "size"} <= set(response.json())


def test_attachment_missing_from_storage_is_a_json_404(api, make_dossier):
    from django.core.files.uploadedfile import SimpleUploadedFile

    dossier = make_dossier("draft")
    created = api.post(
        f"{BASE}{dossier.code}/attachments/",
        {"file": SimpleUploadedFile("a.pdf", make_pdf_bytes())},
        format="multipart",
    ).json()
    attachment = dossier.attachments.get(pk=created["id"])
    attachment.file.storage.delete(attachment.file.name)
    response = api.get(f"{BASE}{dossier.code}/attachments/{created['id']}/")
    assert response.status_code == 404
    assert response.json()["code"] == "file_missing" and response.json()["message"]


def test_save_incomplete_draft_then_submit_lists_what_is_wrong(api, make_dossier):
    """Like "save draft" on the page: an unfinished form is kept as typed, checked at submission."""
    dossier = make_dossier("draft")
    url = f"{BASE}{dossier.code}/"
    typed = {"reason": "Đi làm xa", "date_from": "", "destination_address": ""}
    saved = api.patch(url, {"form_data": typed, "save_incomplete": True}, format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["form_data"] == typed
    submitted = api.post(f"{url}submit/", {}, format="json")
    assert submitted.status_code == 400
    body = submitted.json()
    assert body["code"] == "invalid_form"
    assert body["errors"]["date_from"] == ["Vui lòng nhập ngày bắt đầu tạm vắng."]
    assert api.get(url).json()["state"] == "draft"
