"""Phone verification at sign-up: sign up → a code by SMS (local outbox) → verify → phone verified."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from notifications.models import Notification, OutboxSms

pytestmark = pytest.mark.django_db

SIGNUP = "/tai-khoan/dang-ky/"
VERIFY = "/thong-bao/xac-minh-so-dien-thoai/"
PASSWORD = "Mat-khau-rat-dai-2024"
FORM = {
    "full_name": "Trần Thị Bích",
    "personal_id": "019185004321",
    "date_of_birth": "1985-04-12",
    "sex": "F",
    "phone": "0987 654 321",
    "email": "bich@example.com",
    "permanent_address": "Xóm 3, Xã Định Hóa, tỉnh Thái Nguyên",
    "current_address": "",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _code_sent_to(phone: str) -> str:
    sms = OutboxSms.objects.filter(phone=phone).first()
    assert sms is not None, f"no SMS to {phone}"
    return re.search(r"\b(\d{6})\b", sms.body).group(1)


def test_signup_sends_a_code_and_verifying_it_marks_the_phone(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP, FORM)
    assert response.status_code == 302 and response["Location"] == VERIFY
    user = get_user_model().objects.get(personal_id="019185004321")
    assert user.phone == "+84987654321" and user.phone_verified_at is None

    page = client.get(VERIFY).content.decode()
    assert "Nhập mã gồm 6 chữ số đã gửi tới +849*****321." in page
    code = _code_sent_to("+84987654321")
    (row,) = Notification.objects.filter(event="otp_code")
    assert row.queue == "otp" and code not in row.body  # redacted once handed over

    wrong = client.post(VERIFY, {"action": "verify", "code": f"{(int(code) + 1) % 10**6:06d}"})
    assert "Mã xác thực không đúng hoặc đã hết hạn." in wrong.content.decode()
    user.refresh_from_db()
    assert user.phone_verified_at is None

    response = client.post(VERIFY, {"action": "verify", "code": code})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.phone_verified_at is not None
    assert "Số +84987654321 đã được xác minh" in client.get(VERIFY).content.decode()


def test_signup_over_the_rate_limit_still_lands_on_the_verification_page(
    client, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_OTP_PER_IP = 0  # this address already asked too often
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP, FORM, follow=True)
    assert response.redirect_chain == [(VERIFY, 302)]
    page = response.content.decode()
    assert "Bạn đã yêu cầu mã quá nhiều lần. Vui lòng thử lại sau ít phút." in page
    assert not OutboxSms.objects.exists()
    assert get_user_model().objects.filter(personal_id="019185004321").exists()
