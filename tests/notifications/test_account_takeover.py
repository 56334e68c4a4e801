"""Issue 8, points 1–3: nobody reads another person's SMS codes; wrong codes are counted and kill
the code; code entry is rate-limited; the password reset in the API revokes tokens and sessions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from rest_framework.test import APIClient

from notifications import accounts, otp
from notifications.models import Notification, OneTimeCode, OutboxSms
from portal.accounts.models import Role
from portal.backoffice.testing import login_staff
from portal.core.errors import DomainError
from tests.conftest import require_service
from tests.dossiers.conftest import (  # noqa: F401 - fixtures: another unit and its officer
    PASSWORD,
    area,
    make_staff,
    other_area,
    other_unit,
    province_area,
    province_unit,
)

pytestmark = pytest.mark.django_db

PID = "001099000001"  # the `citizen` fixture of tests/notifications
PHONE = "0912345678"
NEW_PASSWORD = "Hoa-sen-no-2026!"
RESET = "/thong-bao/quen-mat-khau/"
FINISH = "/thong-bao/quen-mat-khau/dat-lai/"
VERIFY = "/thong-bao/xac-minh-so-dien-thoai/"
API_RESET = "/api/v1/auth/password-reset/"
API_CONFIRM = "/api/v1/auth/password-reset/confirm/"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def last_code(phone="+84912345678") -> str:
    sms = OutboxSms.objects.filter(phone=phone).first()
    return re.search(r"\b(\d{6})\b", sms.body).group(1)


def wrong(code: str, n: int = 1) -> str:
    return f"{(int(code) + n) % 10**6:06d}"


def finish(client, code, password=NEW_PASSWORD):
    return client.post(FINISH, {"code": code, "new_password1": password, "new_password2": password})


def request_reset(client, oncommit, **extra):
    with oncommit(execute=True):
        response = client.post(RESET, {"personal_id": PID, "phone": PHONE}, **extra)
    assert response.status_code == 302
    return last_code()


def confirm(api, code, *, pid=PID, phone=PHONE, password=NEW_PASSWORD, **extra):
    body = {"personal_id": pid, "phone": phone, "code": code, "new_password": password}
    return api.post(API_CONFIRM, body, format="json", **extra)


# --- 1. the SMS outbox is nobody's reading --------------------------------------------------


@pytest.mark.parametrize("debug", [False, True])
def test_a_password_only_officer_of_another_unit_cannot_read_a_reset_code(
    client, citizen, request, settings, django_capture_on_commit_callbacks, debug
):
    """The issue's repro: anonymous reset → password-only staff session → read the code."""
    settings.BACKOFFICE_OTP_REQUIRED = True
    settings.DEBUG = debug
    code = request_reset(Client(), django_capture_on_commit_callbacks)
    officer = make_staff("xuly.khac", request.getfixturevalue("other_unit"), Role.HANDLING_OFFICER)
    response = client.post(
        "/tai-khoan/dang-nhap/", {"username": officer.username, "password": PASSWORD}
    )
    assert response.status_code == 302  # logged in with the password only
    for url in (
        "/thong-bao/dev/sms/",
        "/admin/notifications/outboxsms/",
        "/admin/notifications/notification/",
        f"/admin/notifications/notification/{Notification.objects.get().pk}/change/",
        "/thong-bao/",
        "/api/v1/notifications/",
    ):
        page = client.get(url)
        text = page.content.decode()
        assert code not in text and "+84912345678" not in text, url
    assert client.get("/thong-bao/dev/sms/").status_code == 404


def test_an_administrator_sees_no_message_content_in_the_admin(
    client, citizen, settings, django_capture_on_commit_callbacks
):
    """Even a superuser (here without the second factor, and with DEBUG off) reads neither the
    outbox nor the bodies and full addresses of the notices."""
    settings.BACKOFFICE_OTP_REQUIRED = False
    from notifications import events as ev
    from notifications.services import notify

    with django_capture_on_commit_callbacks(execute=True):
        (sms,) = notify(
            event=ev.RESULT_RETURNED,
            user=citizen,
            context={
                "dossier_code": "G09.20-20260609-0009",
                "procedure_name": "Đăng ký thường trú",
                "unit_name": "Công an phường Quang Trung",
                "return_method": "Gửi qua bưu chính công ích",
            },
            channels=("sms",),
        )
    boss = get_user_model().objects.create_superuser("sieuquantri", password=PASSWORD)
    client.force_login(boss)
    assert client.get("/admin/notifications/outboxsms/").status_code in (302, 403)
    page = client.get(f"/admin/notifications/notification/{sms.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200 and "+849*****678" in html
    assert "+84912345678" not in html and "bưu chính công ích" not in html


def test_the_outbox_viewer_is_for_a_verified_administrator_in_development_only(
    client, citizen, settings, django_capture_on_commit_callbacks
):
    code = request_reset(Client(), django_capture_on_commit_callbacks)
    boss = get_user_model().objects.create_superuser("sieuquantri", password=PASSWORD)
    login_staff(client, boss)  # password and second factor
    settings.DEBUG = False
    assert client.get("/admin/notifications/outboxsms/").status_code in (302, 403)
    settings.DEBUG = True
    page = client.get("/admin/notifications/outboxsms/")
    assert page.status_code == 200 and code in page.content.decode()


def test_in_development_every_sms_is_printed_on_the_console_and_kept_in_var(
    client, citizen, settings, capsys, django_capture_on_commit_callbacks
):
    capsys.readouterr()
    code = request_reset(client, django_capture_on_commit_callbacks)
    out = capsys.readouterr().out
    assert code in out and "+84912345678" in out
    files = list(Path(settings.SMS_OUTBOX_PATH).glob("*.log"))
    assert len(files) == 1 and code in files[0].read_text(encoding="utf-8")


# --- 2. wrong codes count, and kill the code --------------------------------------------------


def test_ten_wrong_codes_then_the_right_one_is_refused(
    client, citizen, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_OTP_CHECKS_PER_ACCOUNT = 100  # the throttle is tested below
    code = request_reset(client, django_capture_on_commit_callbacks)
    for n in range(1, 11):
        page = finish(client, wrong(code, n)).content.decode()
        assert "Mật khẩu" in page  # still the form
    assert OneTimeCode.objects.get().failed_attempts == settings.NOTIFICATIONS_OTP_MAX_TRIES
    page = finish(client, code).content.decode()
    assert "Vui lòng yêu cầu mã mới." in page
    citizen.refresh_from_db()
    assert not citizen.check_password(NEW_PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_wrong_codes_are_committed_even_when_the_caller_rolls_back(
    citizen, settings, django_capture_on_commit_callbacks
):
    """On PostgreSQL a wrong entry is committed on its own even inside the caller's transaction."""
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    otp.issue_code(phone=PHONE, purpose=accounts.reset_purpose(citizen.pk), ip="10.0.0.1")
    code = last_code()
    for n in range(1, settings.NOTIFICATIONS_OTP_MAX_TRIES + 1):
        with pytest.raises(DomainError), transaction.atomic():
            accounts.reset_password(
                personal_id=PID,
                phone=PHONE,
                code=wrong(code, n),
                new_password=NEW_PASSWORD,
                ip="10.0.0.1",
            )
    assert OneTimeCode.objects.get().failed_attempts == settings.NOTIFICATIONS_OTP_MAX_TRIES
    with pytest.raises(DomainError) as refused:
        accounts.reset_password(
            personal_id=PID, phone=PHONE, code=code, new_password=NEW_PASSWORD, ip="10.0.0.1"
        )
    assert refused.value.code == "too_many_attempts"
    assert not get_user_model().objects.get(pk=citizen.pk).check_password(NEW_PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_ten_wrong_codes_through_the_api_are_persisted(citizen, settings):
    settings.NOTIFICATIONS_OTP_CHECKS_PER_ACCOUNT = 100
    api = APIClient()
    assert (
        api.post(API_RESET, {"personal_id": PID, "phone": PHONE}, format="json").status_code == 202
    )
    code = last_code()
    answers = [confirm(api, wrong(code, n)) for n in range(1, 11)]
    tries = settings.NOTIFICATIONS_OTP_MAX_TRIES
    assert [a.json()["code"] for a in answers] == ["invalid_code"] * (tries - 1) + [
        "too_many_attempts"
    ] * (11 - tries)
    assert OneTimeCode.objects.get().failed_attempts == tries  # committed: a fresh read
    right = confirm(api, code)
    assert right.status_code == 429 and right.json()["code"] == "too_many_attempts"
    assert "yêu cầu mã mới" in right.json()["message"]


def test_the_finish_step_is_throttled_per_personal_number(
    citizen, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_OTP_CHECKS_PER_ACCOUNT = 3
    code = request_reset(Client(), django_capture_on_commit_callbacks)
    api = APIClient()
    for n in range(3):  # three different clients
        assert confirm(api, "000000", REMOTE_ADDR=f"10.0.1.{n}").status_code in (400, 429)
    response = confirm(api, code, REMOTE_ADDR="10.0.1.9")  # even the right code, from elsewhere
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 0
    # the page shares the limit
    client = Client(REMOTE_ADDR="10.0.2.1")
    request_reset(client, django_capture_on_commit_callbacks)
    assert "Bạn đã nhập mã quá nhiều lần" in finish(client, last_code()).content.decode()
    assert not get_user_model().objects.get(pk=citizen.pk).check_password(NEW_PASSWORD)


def test_the_finish_step_is_throttled_per_client(citizen, settings):
    settings.NOTIFICATIONS_OTP_CHECKS_PER_IP = 3
    api = APIClient(REMOTE_ADDR="10.0.3.3")
    for pid in ("001099000011", "001099000012", "001099000013"):
        assert confirm(api, "123456", pid=pid).json()["code"] == "invalid_code"
    response = confirm(api, "123456", pid="001099000014")
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
    assert "Retry-After" in response
    assert confirm(APIClient(REMOTE_ADDR="10.0.3.4"), "123456").status_code == 400


def test_phone_verification_is_throttled_and_counts_wrong_codes(
    client, citizen, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_OTP_CHECKS_PER_ACCOUNT = 100
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(VERIFY, {"action": "send", "phone": "0987 654 321"})
    code = last_code("+84987654321")
    for n in range(1, settings.NOTIFICATIONS_OTP_MAX_TRIES + 1):
        client.post(VERIFY, {"action": "verify", "code": wrong(code, n)})
    page = client.post(VERIFY, {"action": "verify", "code": code}).content.decode()
    assert "Vui lòng yêu cầu mã mới." in page
    citizen.refresh_from_db()
    assert citizen.phone_verified_at is None
    # throttled per account, whatever the address
    settings.NOTIFICATIONS_OTP_CHECKS_PER_ACCOUNT = 2
    with django_capture_on_commit_callbacks(execute=True):
        client.post(VERIFY, {"action": "send", "phone": "0987 654 321"})
    code = last_code("+84987654321")
    client.post(VERIFY, {"action": "verify", "code": wrong(code)}, REMOTE_ADDR="10.0.4.1")
    client.post(VERIFY, {"action": "verify", "code": wrong(code)}, REMOTE_ADDR="10.0.4.2")
    page = client.post(VERIFY, {"action": "verify", "code": code}, REMOTE_ADDR="10.0.4.3")
    assert "Bạn đã nhập mã quá nhiều lần" in page.content.decode()
    citizen.refresh_from_db()
    assert citizen.phone_verified_at is None


# --- 3. the password reset in the API; a new password revokes tokens and sessions ---------


def test_password_reset_through_the_api_revokes_tokens_and_other_sessions(
    citizen, django_capture_on_commit_callbacks
):
    old_password = "Mat-khau-rat-dai-2024"
    api = APIClient()
    login = api.post(
        "/api/v1/auth/token/", {"username": PID, "password": old_password}, format="json"
    )
    old_token = login.json()["token"]
    browser = Client()
    browser.post("/tai-khoan/dang-nhap/", {"username": PID, "password": old_password})
    assert browser.get("/api/v1/auth/me/").status_code == 200  # the other session

    with django_capture_on_commit_callbacks(execute=True):
        unknown = api.post(
            API_RESET, {"personal_id": "001099009999", "phone": PHONE}, format="json"
        )
        known = api.post(API_RESET, {"personal_id": PID, "phone": PHONE}, format="json")
    assert known.status_code == unknown.status_code == 202 and known.json() == unknown.json()
    code = last_code()
    bad = confirm(api, wrong(code))
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_code"
    weak = confirm(api, code, password="12345678")
    assert weak.status_code == 400 and "new_password" in weak.json()["errors"]
    done = confirm(api, code)
    assert done.status_code == 200 and done.json()["message"]
    assert confirm(api, code).json()["code"] == "invalid_code"  # used

    api.credentials(HTTP_AUTHORIZATION=f"Token {old_token}")
    refused = api.get("/api/v1/auth/me/")
    assert refused.status_code == 401 and refused.json()["code"] == "authentication_failed"
    me = browser.get("/api/v1/auth/me/")  # the other session is logged out
    assert me.status_code in (401, 403) and me.json()["code"] == "not_authenticated"
    assert browser.get("/tai-khoan/tai-khoan/")["Location"].startswith("/tai-khoan/dang-nhap/")
    api.credentials()
    assert (
        api.post(
            "/api/v1/auth/token/", {"username": PID, "password": old_password}, format="json"
        ).status_code
        == 400
    )
    new = api.post(
        "/api/v1/auth/token/", {"username": PID, "password": NEW_PASSWORD}, format="json"
    )
    assert new.status_code == 200 and new.json()["token"] != old_token
    api.credentials(HTTP_AUTHORIZATION=f"Token {new.json()['token']}")
    assert api.get("/api/v1/auth/me/").json()["personal_id"] == PID


def test_the_api_checks_its_input_in_vietnamese(citizen):
    api = APIClient()
    response = api.post(API_RESET, {"personal_id": "1" * 300, "phone": ""}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"personal_id", "phone"}
    response = confirm(api, "1234567")
    assert response.status_code == 400 and "code" in response.json()["errors"]


def test_any_password_change_revokes_the_tokens(citizen, client, settings):
    """One choke point: the admin's password form (or any set_password + save) revokes tokens;
    a hash upgrade at login (same password) does not."""
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=citizen)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert citizen.check_password("Mat-khau-rat-dai-2024")  # re-hashed with PBKDF2, saved
    assert citizen.password.startswith("pbkdf2_") and Token.objects.filter(pk=token.pk).exists()
    boss = get_user_model().objects.create_superuser("sieuquantri", password=PASSWORD)
    client.force_login(boss)
    response = client.post(
        f"/admin/accounts/user/{citizen.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert not Token.objects.filter(user=citizen).exists()
