"""Issue 8, points 4, 5 and 8 (long input): login lockout for citizens and staff on the site login
page, the API token endpoint and the admin login, sharing one count; no password oracle."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from portal.backoffice import otp
from tests.dossiers.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/tai-khoan/dang-nhap/"
TOKEN = "/api/v1/auth/token/"
WRONG = "sai-mat-khau-1"


def page_login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def token_login(client, username, password, **extra):
    return client.post(
        TOKEN,
        {"username": username, "password": password},
        content_type="application/json",
        **extra,
    )


def admin_login(client, user, password, **extra):
    return client.post(
        reverse("admin:login"),
        {
            "username": user.username,
            "password": password,
            "otp_token": otp.demo_code(),
            "next": reverse("admin:index"),
        },
        **extra,
    )


# --- point 4: citizens -------------------------------------------------------------------------


def test_login_page_locks_a_citizen_out_after_repeated_failures(settings, citizen):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = page_login(client, citizen.personal_id, WRONG)
        assert response.status_code == 200
    response = page_login(client, citizen.personal_id, PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Đăng nhập sai quá nhiều lần nên tạm thời bị khóa" in html
    assert "15 phút" in html
    assert SESSION_KEY not in client.session


def test_token_endpoint_locks_a_citizen_out_with_429_and_retry_after(settings, citizen):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = token_login(client, citizen.personal_id, WRONG)
        assert response.status_code == 400 and response.json()["code"] == "invalid_credentials"
    response = token_login(client, citizen.personal_id, PASSWORD)
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "too_many_attempts"
    assert "tạm thời bị khóa" in body["message"]
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    assert not Token.objects.filter(user=citizen).exists()


def test_an_account_is_locked_when_failures_come_from_many_addresses(settings, citizen):
    client = Client()
    addresses = [f"198.51.100.{n}" for n in range(settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT)]
    for address in addresses:  # one failure per address: no address alone reaches its limit
        token_login(client, citizen.personal_id, WRONG, REMOTE_ADDR=address)
    response = page_login(client, citizen.personal_id, PASSWORD, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_one_address_spraying_many_accounts_is_locked(settings, citizen):
    client = Client()
    per_account = settings.AXES_FAILURE_LIMIT - 1
    usernames = [f"0010900{n:05d}" for n in range(settings.LOGIN_FAILURE_LIMIT_PER_CLIENT)]
    done = 0
    for username in usernames:
        for _ in range(per_account):
            if done == settings.LOGIN_FAILURE_LIMIT_PER_CLIENT:
                break
            assert token_login(client, username, WRONG).status_code == 400
            done += 1
    response = token_login(client, citizen.personal_id, PASSWORD)
    assert response.status_code == 429
    # the same account from another address is not affected
    assert (
        token_login(client, citizen.personal_id, PASSWORD, REMOTE_ADDR="10.9.9.9").status_code
        == 200
    )


def test_a_successful_login_clears_earlier_failures(settings, citizen):
    """Page and token: 4 failures, a success, 4 failures again, and the account still logs in
    (without the reset, the fifth failure would have locked it)."""
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        page_login(client, citizen.personal_id, WRONG)
    assert page_login(client, citizen.personal_id, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        token_login(client, citizen.personal_id, WRONG)
    assert token_login(client, citizen.personal_id, PASSWORD).status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        token_login(client, citizen.personal_id, WRONG)
    assert token_login(client, citizen.personal_id, PASSWORD).status_code == 200


# --- point 5: staff, no oracle, no session during a lockout ------------------------------------


def test_token_endpoint_answers_a_staff_password_like_a_wrong_one(settings, receiving_officer):
    settings.BACKOFFICE_OTP_REQUIRED = True
    client = Client()
    right = token_login(client, receiving_officer.username, PASSWORD)
    wrong = token_login(client, receiving_officer.username, WRONG)
    assert right.status_code == wrong.status_code == 400
    assert right.json() == wrong.json()
    assert right.json()["code"] == "invalid_credentials"
    assert not Token.objects.filter(user=receiving_officer).exists()


def test_a_locked_out_officer_gets_no_session_anywhere(settings, receiving_officer):
    settings.BACKOFFICE_OTP_REQUIRED = True
    otp.ensure_demo_totp_device(receiving_officer)
    client = Client()
    # failures through the three doors count together
    page_login(client, receiving_officer.username, WRONG)
    page_login(client, receiving_officer.username, WRONG)
    token_login(client, receiving_officer.username, WRONG)
    token_login(client, receiving_officer.username, PASSWORD)  # staff: counted like a wrong one
    admin_login(client, receiving_officer, WRONG)
    # now the right password opens nothing, and every door gives the same answer as for a wrong one
    for password in (PASSWORD, WRONG):
        response = page_login(client, receiving_officer.username, password)
        assert response.status_code == 429
        assert SESSION_KEY not in client.session
        response = token_login(client, receiving_officer.username, password)
        assert response.status_code == 429 and response.json()["code"] == "too_many_attempts"
        response = admin_login(client, receiving_officer, password)
        assert response.status_code == 429
        assert SESSION_KEY not in client.session
    assert client.get(reverse("admin:index")).status_code == 302


# --- point 8 (part): over-long input -----------------------------------------------------------


def test_token_endpoint_refuses_an_overlong_username_cleanly():
    response = token_login(Client(), "a" * 300, WRONG)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"]["username"] == ["Nhập không quá 150 ký tự."]
    response = token_login(Client(), "019090001234", "x" * 5000)
    assert response.status_code == 400
    assert body["code"] == "invalid" and "password" in response.json()["errors"]


def test_login_page_refuses_overlong_input_cleanly():
    client = Client()
    response = page_login(client, "a" * 300, WRONG)
    assert response.status_code == 200
    assert "Nhập không quá 150 ký tự." in response.content.decode()
    response = page_login(client, "019090001234", "x" * 5000)
    assert response.status_code == 200
    assert "Nhập không quá 4096 ký tự." in response.content.decode()
