"""Bad input is refused at the boundary with a clear Vietnamese 400 (the API's JSON error under
/api/, a Vietnamese page elsewhere), and with DEBUG off every API error, even a 404 for an unknown
URL or a 500, keeps the JSON error shape. Run on PostgreSQL too: there NUL used to be a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.dossiers.conftest import TEMPORARY_ABSENCE

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen_api(citizen):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=citizen).key}")
    return client


def _json_400(response, field=None):
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "invalid_input"
    assert "NUL" in body["message"] or "dài quá" in body["message"]
    if field:
        assert field in body["errors"]
    return body


# --- NUL ----------------------------------------------------------------------------------------


def test_nul_in_a_query_parameter_is_a_json_400(procedure, unit):
    response = APIClient().get(f"/api/v1/procedures/{TEMPORARY_ABSENCE}/estimate/?unit=%00")
    body = _json_400(response, "unit")
    assert body["message"] == "Tham số “unit” chứa ký tự không hợp lệ (NUL)."


def test_nul_in_a_query_parameter_name_is_refused(procedure):
    _json_400(APIClient().get("/api/v1/procedures/?%00=1"))


def test_nul_in_the_path_is_a_json_400(citizen_api, make_dossier):
    make_dossier("draft")
    _json_400(citizen_api.get("/api/v1/dossiers/G19%00/"), "path")


def test_nul_in_a_json_body_is_a_json_400(citizen_api, make_dossier):
    dossier = make_dossier("draft")
    _json_400(APIClient().post("/api/v1/lookup/", {"code": "A\x00", "personal_id": "1"}, "json"))
    patched = citizen_api.patch(
        f"/api/v1/dossiers/{dossier.code}/",
        {"form_data": {"reason": "đi\x00làm"}, "save_incomplete": True},
        format="json",
    )
    _json_400(patched)
    dossier.refresh_from_db()
    assert "\x00" not in str(dossier.form_data)


def test_nul_in_a_form_field_is_a_vietnamese_page(client):
    response = client.post("/tra-cuu/", {"code": "G19\x00", "personal_id": "019090001234"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Yêu cầu không hợp lệ" in html
    assert "Trường “code” chứa ký tự không hợp lệ (NUL)." in html


def test_nul_in_an_admin_search_is_a_page_not_a_500(admin_client):
    response = admin_client.get("/admin/dossiers/dossier/?q=%00")
    assert response.status_code == 400
    assert "chứa ký tự không hợp lệ (NUL)" in response.content.decode()


# --- length -------------------------------------------------------------------------------------


def test_over_long_query_value_is_refused(settings, procedure):
    too_long = "a" * (settings.INPUT_MAX_QUERY_VALUE_LENGTH + 1)
    body = _json_400(APIClient().get("/api/v1/procedures/", {"q": too_long}), "q")
    assert body["message"] == "Tham số “q” dài quá 1000 ký tự."
    assert APIClient().get("/api/v1/procedures/", {"q": "a" * 200}).status_code == 200


def test_over_long_staff_reason_is_a_vietnamese_field_error(make_dossier, unit_leader):
    dossier = make_dossier("submitted")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=unit_leader).key}")
    response = client.post(
        f"/api/v1/staff/dossiers/{dossier.code}/stop/", {"reason": "x" * 2001}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["reason"] == ["Nhập không quá 2000 ký tự."]


def test_over_long_draft_form_is_refused(citizen_api, make_dossier):
    dossier = make_dossier("draft")
    response = citizen_api.patch(
        f"/api/v1/dossiers/{dossier.code}/",
        {"form_data": {"reason": "x" * 30_000}, "save_incomplete": True},
        format="json",
    )
    assert response.status_code == 400
    assert "Tờ khai quá dài" in response.json()["errors"]["form_data"][0]


# --- DEBUG off: JSON errors under /api/, Vietnamese pages elsewhere ------------------------------


@pytest.fixture
def production(settings):
    settings.DEBUG = False


def test_unknown_api_url_and_non_integer_id_are_json_404s(production, citizen_api, make_dossier):
    dossier = make_dossier("draft")
    for url in (
        "/api/v1/nothing-here/",
        f"/api/v1/dossiers/{dossier.code}/attachments/abc/",
        f"/api/v1/dossiers/{dossier.code}/documents/1.5/",
    ):
        response = citizen_api.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"].startswith("application/json"), url
        assert response.json() == {"code": "not_found", "message": "Không tìm thấy."}
    deleted = citizen_api.delete(f"/api/v1/dossiers/{dossier.code}/attachments/-1/")
    assert deleted.status_code == 404 and deleted.json()["code"] == "not_found"
    # a real endpoint without its final slash is still redirected (APPEND_SLASH)
    redirected = citizen_api.get("/api/v1/dossiers?page=1")
    assert redirected.status_code == 301
    assert redirected["Location"] == "/api/v1/dossiers/?page=1"


def test_unknown_page_is_a_vietnamese_404_page(production, client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


@pytest.mark.urls("tests.api.urls_boom")
def test_a_crash_is_a_json_500_under_the_api_and_a_page_elsewhere(production):
    client = Client(raise_request_exception=False)
    api = client.get("/api/v1/boom/")
    assert api.status_code == 500
    assert api["Content-Type"].startswith("application/json")
    assert api.json() == {
        "code": "server_error",
        "message": "Lỗi hệ thống. Vui lòng thử lại sau.",
    }
    page = client.get("/boom/")
    assert page.status_code == 500
    assert "Lỗi hệ thống" in page.content.decode()
