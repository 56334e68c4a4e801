"""Second factor (TOTP) and lockout for the staff admin; the demo login."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from portal.backoffice import otp
from portal.dossiers.models import Dossier, State

pytestmark = pytest.mark.django_db
PASSWORD = "Mat-khau-rat-kho-2024"


def _login(client, user, token):
    return client.post(
        reverse("admin:login"),
        {
            "username": user.username,
            "password": PASSWORD,
            "otp_token": token,
            "next": reverse("admin:index"),
        },
        REMOTE_ADDR="10.0.0.7",
    )


def test_password_alone_does_not_open_the_admin(receiving_officer):
    client = Client()
    client.force_login(receiving_officer)  # e.g. logged in through the citizen login page
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    otp.ensure_demo_totp_device(receiving_officer)
    response = _login(Client(), receiving_officer, "")
    assert response.status_code == 200
    assert "Vui lòng nhập mã xác thực" in response.content.decode()


def test_password_and_totp_open_the_admin(receiving_officer):
    otp.ensure_demo_totp_device(receiving_officer)
    client = Client()
    response = _login(client, receiving_officer, otp.demo_code())
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get(reverse("admin:index")).status_code == 200


def test_wrong_code_is_refused(receiving_officer):
    otp.ensure_demo_totp_device(receiving_officer)
    wrong = f"{(int(otp.demo_code()) + 1) % 1000000:06d}"
    response = _login(Client(), receiving_officer, wrong)
    assert response.status_code == 200
    assert "Mã xác thực không đúng" in response.content.decode()


def test_lockout_after_repeated_failures(receiving_officer, settings):
    otp.ensure_demo_totp_device(receiving_officer)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("admin:login"),
            {
                "username": receiving_officer.username,
                "password": "sai-mat-khau",
                "otp_token": "000000",
            },
            REMOTE_ADDR="10.0.0.7",
        )
    response = _login(client, receiving_officer, otp.demo_code())
    assert response.status_code == 429
    assert "tạm thời bị khóa" in response.content.decode()
    # another address is not locked (lockout is per username and address)
    other = Client()
    response = other.post(
        reverse("admin:login"),
        {
            "username": receiving_officer.username,
            "password": PASSWORD,
            "otp_token": otp.demo_code(),
        },
        REMOTE_ADDR="10.0.0.8",
    )
    assert response.status_code == 302


def test_demo_totp_command_prints_a_code_the_device_accepts(receiving_officer, capsys):
    device = otp.ensure_demo_totp_device(receiving_officer)
    call_command("demo_totp")
    out = capsys.readouterr().out
    assert otp.demo_code() in out and receiving_officer.username in out
    assert otp.DEMO_TOTP_KEY_BASE32 == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert device.verify_token(otp.demo_code())


def test_seed_backoffice_demo_is_idempotent(receiving_officer, unit_leader, citizen):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.backoffice.demo import seed_backoffice_demo

    names = [receiving_officer.username, unit_leader.username, citizen.username]
    text = seed_backoffice_demo(usernames=names)
    seed_backoffice_demo(usernames=names)
    assert TOTPDevice.objects.filter(name=otp.DEMO_DEVICE_NAME).count() == 2  # staff only
    assert otp.DEMO_TOTP_KEY_BASE32 in text and "demo_totp" in text


def test_staff_totp_command_enrols_a_device(receiving_officer, capsys):
    call_command("staff_totp", receiving_officer.username)
    out = capsys.readouterr().out
    assert "otpauth://totp/" in out
    device = receiving_officer.totpdevice_set.get(name="default")
    assert device.confirmed


def test_staff_api_session_needs_the_second_factor(make_dossier, receiving_officer):
    """A password-only session (e.g. via the citizens' login page) cannot use the staff API."""
    from rest_framework.authtoken.models import Token

    from portal.backoffice.testing import login_staff

    dossier = make_dossier("submitted")
    password_only = Client()
    response = password_only.post(
        "/tai-khoan/dang-nhap/", {"username": receiving_officer.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    response = password_only.get("/api/v1/staff/dossiers/")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"
    assert "xác thực hai lớp" in response.json()["message"]
    response = password_only.post(
        f"/api/v1/staff/dossiers/{dossier.code}/receive/", {}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Dossier.objects.get(pk=dossier.pk).state == State.SUBMITTED

    verified = Client()
    login_staff(verified, receiving_officer)
    assert len(verified.get("/api/v1/staff/dossiers/").json()["results"]) == 1

    token = Token.objects.create(user=receiving_officer)
    by_token = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert len(by_token.get("/api/v1/staff/dossiers/").json()["results"]) == 1
