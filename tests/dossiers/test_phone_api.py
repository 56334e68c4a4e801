"""An app whose citizen gets 409 `phone_not_verified` can verify the phone through the API and
then submit: the API offers the whole path, not only the refusal (issue 14, citizen pages 5)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from notifications.models import OutboxSms
from portal.dossiers import services
from portal.dossiers.models import State
from tests.dossiers.conftest import make_citizen, valid_absence_form

pytestmark = pytest.mark.django_db

SEND = "/api/v1/auth/phone/"
CONFIRM = "/api/v1/auth/phone/confirm/"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def unverified(area):
    return make_citizen(
        "019090005555", "Lê Thị Hoa", area=area, phone="+84912000111", phone_verified_at=None
    )


@pytest.fixture
def app(unverified):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=unverified).key}")
    return client


def last_code(phone="+84912000111") -> str:
    sms = OutboxSms.objects.filter(phone=phone).latest("pk")
    return re.search(r"\b(\d{6})\b", sms.body).group(1)


def test_an_app_verifies_the_phone_then_submits(
    app,
    unverified,
    procedure,
    area,
    unit,
    pdf_bytes,
    eager_tasks,
    django_capture_on_commit_callbacks,
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
    submit = f"/api/v1/dossiers/{dossier.code}/submit/"
    assert app.post(submit, {}, format="json").json()["code"] == "phone_not_verified"

    with django_capture_on_commit_callbacks(execute=True):
        sent = app.post(SEND, {"phone": "0912 000 111"}, format="json")
    assert sent.status_code == 202, sent.content
    assert "0912000111" not in sent.json()["phone"]  # masked, like the page
    code = last_code()

    wrong = f"{(int(code) + 1) % 10**6:06d}"
    refused = app.post(CONFIRM, {"phone": "0912000111", "code": wrong}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_code"
    unverified.refresh_from_db()
    assert unverified.phone_verified_at is None

    confirmed = app.post(CONFIRM, {"phone": "0912000111", "code": code}, format="json")
    assert confirmed.status_code == 200, confirmed.content
    unverified.refresh_from_db()
    assert unverified.phone_verified_at is not None

    assert app.post(submit, {}, format="json").status_code == 200
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED


def test_phone_verification_needs_a_login_and_checks_its_input(app):
    anonymous = APIClient()
    assert anonymous.post(SEND, {"phone": "0912000111"}, format="json").status_code == 401
    bad = app.post(SEND, {"phone": "12"}, format="json")
    assert bad.status_code == 400 and bad.json()["message"]
    missing = app.post(CONFIRM, {"phone": "0912000111"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"]["code"] == ["Vui lòng nhập mã xác thực."]


def test_a_code_dies_after_too_many_wrong_entries(
    app, unverified, settings, eager_tasks, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_OTP_MAX_TRIES = 3
    with django_capture_on_commit_callbacks(execute=True):
        assert app.post(SEND, {"phone": "0912000111"}, format="json").status_code == 202
    code = last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(3):
        app.post(CONFIRM, {"phone": "0912000111", "code": wrong}, format="json")
    dead = app.post(CONFIRM, {"phone": "0912000111", "code": code}, format="json")
    assert dead.status_code == 429 and dead.json()["code"] == "too_many_attempts"
    unverified.refresh_from_db()
    assert unverified.phone_verified_at is None
