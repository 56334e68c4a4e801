"""One-time codes, phone verification, password reset by SMS, notices page and API, admin preview."""

from __future__ import annotations

import logging
import re

import pytest
from django.contrib.auth import get_user_model

from notifications import events as ev
from notifications import otp
from notifications.models import Notification, NotificationTemplate, OneTimeCode, OutboxSms
from notifications.services import load_default_templates, notify

pytestmark = pytest.mark.django_db

CTX = {
    "dossier_code": "G09.20-20260609-0009",
    "procedure_name": "Đăng ký thường trú",
    "unit_name": "Công an phường Quang Trung",
    "return_method": "Gửi qua bưu chính công ích",
}


def last_code(phone="+84912345678") -> str:
    sms = OutboxSms.objects.filter(phone=phone).first()
    return re.search(r"\b(\d{6})\b", sms.body).group(1)


def test_code_is_hashed_expires_and_works_once(
    settings, django_capture_on_commit_callbacks, caplog
):
    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        otp.issue_code(phone="0912345678", purpose="t", ip="10.0.0.1")
    code = last_code()
    stored = OneTimeCode.objects.get()
    assert code not in stored.code_hash and stored.phone == "+84912345678"
    assert code not in caplog.text and "0912345678" not in caplog.text
    sms = OutboxSms.objects.get()
    assert sms.encoding == "gsm7" and sms.parts == 1
    # the notification row keeps no code once sent
    assert code not in Notification.objects.get().body
    assert not otp.verify_code(phone="+84912345678", purpose="other", code=code)
    assert otp.verify_code(phone="+84912345678", purpose="t", code=code)
    assert not otp.verify_code(phone="+84912345678", purpose="t", code=code)  # used


def test_expired_and_brute_forced_codes_fail(settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        otp.issue_code(phone="+84912345678", purpose="t", ip="10.0.0.1")
    code = last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(settings.NOTIFICATIONS_OTP_MAX_TRIES):
        assert not otp.verify_code(phone="+84912345678", purpose="t", code=wrong)
    assert not otp.verify_code(phone="+84912345678", purpose="t", code=code)  # locked out
    with django_capture_on_commit_callbacks(execute=True):
        otp.issue_code(phone="+84912345678", purpose="t2", ip="10.0.0.1")
    OneTimeCode.objects.filter(purpose="t2").update(expires_at="2000-01-01T00:00:00Z")
    assert not otp.verify_code(phone="+84912345678", purpose="t2", code=last_code())


def test_rate_limits_per_number_and_per_ip(settings):
    settings.NOTIFICATIONS_OTP_PER_PHONE = 2
    settings.NOTIFICATIONS_OTP_PER_IP = 3
    otp.issue_code(phone="+84912345678", purpose="t", ip="10.0.0.1")
    otp.issue_code(phone="+84912345678", purpose="t", ip="10.0.0.2")
    with pytest.raises(otp.RateLimited):
        otp.issue_code(phone="+84912345678", purpose="t", ip="10.0.0.3")
    otp.issue_code(phone="+84987654321", purpose="t", ip="10.0.0.1")
    otp.issue_code(phone="+84911111111", purpose="t", ip="10.0.0.1")
    with pytest.raises(otp.RateLimited):
        otp.issue_code(phone="+84922222222", purpose="t", ip="10.0.0.1")


def test_phone_verification_page(client, citizen, django_capture_on_commit_callbacks):
    assert client.get("/thong-bao/xac-minh-so-dien-thoai/").status_code == 302  # login required
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            "/thong-bao/xac-minh-so-dien-thoai/", {"action": "send", "phone": "0987 654 321"}
        )
    assert resp.status_code == 302
    page = client.get("/thong-bao/xac-minh-so-dien-thoai/").content.decode()
    assert "+849*****321" in page
    bad = client.post("/thong-bao/xac-minh-so-dien-thoai/", {"action": "verify", "code": "000000"})
    assert "Mã xác thực không đúng hoặc đã hết hạn." in bad.content.decode()
    code = last_code("+84987654321")
    resp = client.post("/thong-bao/xac-minh-so-dien-thoai/", {"action": "verify", "code": code})
    assert resp.status_code == 302
    citizen.refresh_from_db()
    assert citizen.phone == "+84987654321" and citizen.phone_verified_at is not None


def test_password_reset_by_sms(client, citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            "/thong-bao/quen-mat-khau/", {"personal_id": "001099000001", "phone": "0912345678"}
        )
    assert resp.status_code == 302 and resp.url == "/thong-bao/quen-mat-khau/dat-lai/"
    code = last_code()
    weak = client.post(
        "/thong-bao/quen-mat-khau/dat-lai/",
        {"code": code, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert weak.status_code == 200  # Django's password validators refuse it
    assert not get_user_model().objects.get(pk=citizen.pk).check_password("12345678")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/thong-bao/quen-mat-khau/", {"personal_id": "001099000001", "phone": "0912345678"}
        )
    code = last_code()
    resp = client.post(
        "/thong-bao/quen-mat-khau/dat-lai/",
        {"code": code, "new_password1": "Hoa-sen-no-2026!", "new_password2": "Hoa-sen-no-2026!"},
    )
    assert resp.status_code == 302
    assert get_user_model().objects.get(pk=citizen.pk).check_password("Hoa-sen-no-2026!")


def test_password_reset_reveals_nothing_about_accounts(client, citizen):
    known = client.post(
        "/thong-bao/quen-mat-khau/", {"personal_id": "001099000001", "phone": "0912345678"}
    )
    page_known = client.get(known.url).content.decode()
    other = client.post(
        "/thong-bao/quen-mat-khau/", {"personal_id": "001099009999", "phone": "0912345679"}
    )
    page_other = client.get(other.url).content.decode()
    assert known.status_code == other.status_code == 302 and known.url == other.url
    strip = lambda html: re.sub(r"[+\d]+\*{3,}\d{3}|csrfmiddlewaretoken\" value=\"[^\"]+", "", html)  # noqa: E731
    assert strip(page_known) == strip(page_other)
    wrong = client.post(
        "/thong-bao/quen-mat-khau/dat-lai/",
        {
            "code": "123456",
            "new_password1": "Hoa-sen-no-2026!",
            "new_password2": "Hoa-sen-no-2026!",
        },
    )
    assert "Mã xác thực không đúng hoặc đã hết hạn." in wrong.content.decode()


def test_notices_page_and_api_show_only_own(
    client, citizen, other_citizen, django_assert_max_num_queries
):
    for _ in range(3):
        notify(event=ev.RESULT_RETURNED, user=citizen, context=CTX)
    notify(event=ev.RESULT_RETURNED, user=other_citizen, context={**CTX, "dossier_code": "X-OTHER"})
    client.force_login(citizen)
    with django_assert_max_num_queries(6):
        page = client.get("/thong-bao/")
    html = page.content.decode()
    assert page.status_code == 200 and "G09.20-20260609-0009" in html and "X-OTHER" not in html
    resp = client.get("/api/v1/notifications/")
    data = resp.json()
    assert resp.status_code == 200 and data["count"] == 6
    assert {r["dossier_code"] for r in data["results"]} == {"G09.20-20260609-0009"}
    first = data["results"][0]
    assert {"id", "channel", "event", "status", "created_at", "dossier_code"} <= set(first)
    assert first["event_label"] == "Đã trả kết quả"
    sms = client.get(
        "/api/v1/notifications/?channel=sms&status=created&dossier_code=G09.20-20260609-0009"
    ).json()
    assert sms["count"] == 3 and {r["channel"] for r in sms["results"]} == {"sms"}
    bad = client.get("/api/v1/notifications/?channel=fax")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    client.logout()
    assert client.get("/api/v1/notifications/").status_code in (401, 403)


def test_admin_template_preview_shows_encoding_and_parts(admin_client):
    load_default_templates()
    sms = NotificationTemplate.objects.get(event=ev.DOSSIER_RECEIVED, channel="sms")
    html = admin_client.get(
        f"/admin/notifications/notificationtemplate/{sms.pk}/change/"
    ).content.decode()
    assert "UCS-2" in html and "Công an phường Phan Đình Phùng" in html and "số phần" in html
    email = NotificationTemplate.objects.get(event=ev.DOSSIER_REFUSED, channel="email")
    html = admin_client.get(
        f"/admin/notifications/notificationtemplate/{email.pk}/change/"
    ).content.decode()
    assert "Khoản 1 Điều 27 Luật Cư trú 2020" in html


def test_admin_refuses_unknown_placeholder_and_bumps_version(admin_client):
    load_default_templates()
    tpl = NotificationTemplate.objects.get(event=ev.DOSSIER_RECEIVED, channel="sms")
    url = f"/admin/notifications/notificationtemplate/{tpl.pk}/change/"
    form = {
        "event": tpl.event,
        "channel": tpl.channel,
        "subject": "",
        "body": "Hồ sơ {{ dossier_code }} – {{ secret_field }}",
        "html_body": "",
        "sms_mode": "keep",
        "max_sms_parts": 3,
        "is_active": "on",
    }
    resp = admin_client.post(url, form)
    assert resp.status_code == 200 and "secret_field" in resp.content.decode()
    form["body"] = "Hồ sơ {{ dossier_code }} đã tiếp nhận, hẹn {{ appointment_date|date:'d/m' }}."
    assert admin_client.post(url, form).status_code == 302
    tpl.refresh_from_db()
    assert tpl.version == 2 and tpl.max_sms_parts == 3


def test_load_command_is_idempotent(capsys):
    from django.core.management import call_command

    call_command("load_notification_templates")
    call_command("load_notification_templates")
    out = capsys.readouterr().out
    assert "0 created" in out.splitlines()[-1]
