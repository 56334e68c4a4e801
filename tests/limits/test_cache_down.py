"""Issue 8, point 7: with Redis down the rate limits still apply (counted in the database) and
nothing answers 500; filing a dossier keeps working."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from portal.core.models import RateLimitCounter
from tests.dossiers.conftest import make_pdf_bytes, valid_absence_form

pytestmark = pytest.mark.django_db


def test_lookup_api_is_still_limited_without_the_cache(redis_down, make_dossier, citizen):
    dossier = make_dossier("submitted")
    client = APIClient(raise_request_exception=False)
    right = {"code": dossier.code, "personal_id": citizen.personal_id}
    assert client.post("/api/v1/lookup/", right, format="json").status_code == 200
    wrong = {"code": "G19.55-20000101-9999", "personal_id": "001001001001"}
    statuses = [client.post("/api/v1/lookup/", wrong, format="json").status_code for _ in range(10)]
    assert statuses == [404] * 9 + [429]
    response = client.post("/api/v1/lookup/", right, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled" and int(response["Retry-After"]) > 0
    assert RateLimitCounter.objects.exists()  # the count lives in the database meanwhile


def test_html_lookup_is_still_limited_without_the_cache(redis_down, make_dossier, citizen):
    dossier = make_dossier("submitted")
    client = Client(raise_request_exception=False)
    for _ in range(10):
        response = client.post("/tra-cuu/", {"code": "SAI", "personal_id": "001001001001"})
        assert response.status_code == 200
    response = client.post("/tra-cuu/", {"code": dossier.code, "personal_id": citizen.personal_id})
    assert response.status_code == 429
    assert "tra cứu quá nhiều lần" in response.content.decode()


def test_password_reset_request_is_still_limited_without_the_cache(redis_down, settings, citizen):
    client = Client(raise_request_exception=False)
    form = {"personal_id": citizen.personal_id, "phone": "0912345678"}
    for _ in range(settings.NOTIFICATIONS_OTP_PER_PHONE):
        response = client.post("/thong-bao/quen-mat-khau/", form)
        assert response.status_code == 302, response.content.decode()[:500]
    response = client.post("/thong-bao/quen-mat-khau/", form)
    assert response.status_code == 200
    assert "quá nhiều lần" in response.content.decode()


def test_a_dossier_can_be_filed_without_the_cache(redis_down, citizen, procedure, area, unit):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(citizen)
    response = api.post(
        "/api/v1/dossiers/",
        {"procedure": procedure.code, "area": area.code, "form_data": valid_absence_form()},
        format="json",
    )
    assert response.status_code == 201, response.content
    code = response.json()["code"]
    response = api.post(
        f"/api/v1/dossiers/{code}/attachments/",
        {
            "file": SimpleUploadedFile("to-khai.pdf", make_pdf_bytes(), "application/pdf"),
            "requirement_key": "to-khai",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    response = api.post(f"/api/v1/dossiers/{code}/submit/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"


def test_the_database_counter_restarts_after_its_window(redis_down, monkeypatch):
    from types import SimpleNamespace

    from portal.core import ratelimit

    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: now[0]))
    assert [ratelimit.hit("k", limit=2, window=60) for _ in range(3)] == [True, True, False]
    assert ratelimit.hit_or_wait("k", limit=2, window=60) == 60
    now[0] += 61
    assert ratelimit.hit("k", limit=2, window=60)


def test_a_clear_503_when_neither_the_cache_nor_the_database_can_count(redis_down):
    """The last resort: the counter table is gone too (dropped inside the test's transaction,
    rolled back afterwards). The limiter refuses cleanly instead of letting the lookup run
    unlimited or answering 500."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {RateLimitCounter._meta.db_table}")
    client = APIClient(raise_request_exception=False)
    body = {"code": "G19.55-20000101-9999", "personal_id": "001001001001"}
    response = client.post("/api/v1/lookup/", body, format="json")
    assert response.status_code == 503
    assert response.json()["code"] == "rate_limit_unavailable"
    assert "thử lại sau" in response.json()["message"]
    page = Client(raise_request_exception=False).post("/tra-cuu/", body)
    assert page.status_code == 503
    assert "Hệ thống tạm thời không kiểm tra được yêu cầu" in page.content.decode()
