import datetime as dt

import pytest
from django.urls import reverse

from portal.accounts.models import User
from tests.accounts.conftest import PASSWORD

SIGNUP = "/tai-khoan/dang-ky/"
LOGIN = "/tai-khoan/dang-nhap/"

GOOD = {
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


def test_urls():
    assert reverse("accounts:signup") == SIGNUP
    assert reverse("accounts:login") == LOGIN
    assert reverse("accounts:logout") == "/tai-khoan/dang-xuat/"
    assert reverse("accounts:profile") == "/tai-khoan/tai-khoan/"


@pytest.mark.django_db
def test_signup_page_renders_in_vietnamese(client):
    page = client.get(SIGNUP).content.decode()
    assert "Số định danh cá nhân" in page and "Ngày sinh" in page and "Nhập lại mật khẩu" in page


@pytest.mark.django_db
def test_signup_happy_path_logs_in_and_shows_profile(client, settings):
    settings.ACCOUNTS_POST_SIGNUP_REDIRECT = ""  # no later step configured: straight to the profile
    response = client.post(SIGNUP, GOOD)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    user = User.objects.get(username="019185004321")
    assert user.is_citizen and user.personal_id == "019185004321"
    assert user.phone == "+84987654321"
    assert user.sex == "F" and str(user.date_of_birth) == "1985-04-12"
    assert not user.is_staff
    profile = client.get(response["Location"]).content.decode()
    assert "Trần Thị Bích" in profile and "019185004321" in profile
    assert "+84987654321" in profile and "12/04/1985" in profile
    assert "Xóm 3, Xã Định Hóa" in profile


@pytest.mark.django_db
def test_signup_hands_over_to_the_configured_next_step(client, settings):
    settings.ACCOUNTS_POST_SIGNUP_REDIRECT = "tests.accounts.test_pages.next_step_for_test"
    response = client.post(SIGNUP, GOOD)
    assert response.status_code == 302
    assert response["Location"] == "/buoc-tiep-theo/019185004321/"
    assert client.get(reverse("accounts:profile")).status_code == 200  # logged in already


def next_step_for_test(request, user) -> str:
    return f"/buoc-tiep-theo/{user.personal_id}/"


def _errors_for(client, **changes):
    data = {**GOOD, **changes}
    response = client.post(SIGNUP, data)
    assert response.status_code == 200
    assert not User.objects.filter(kind="citizen").exists()
    return response, response.context["form"].errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"personal_id": "01918500432"}, "personal_id", "đúng 12 chữ số"),
        ({"personal_id": "01918500432x"}, "personal_id", "chỉ được gồm chữ số"),
        ({"personal_id": "003185004321"}, "personal_id", "mã tỉnh"),
        ({"personal_id": "019385004321"}, "personal_id", "không khớp với năm sinh"),
        ({"personal_id": "019085004321"}, "personal_id", "không khớp với giới tính"),
        ({"personal_id": "019186004321"}, "personal_id", "hai số cuối của năm sinh"),
        ({"full_name": ""}, "full_name", "Vui lòng nhập họ và tên"),
        ({"date_of_birth": "31/02/1985"}, "date_of_birth", "Ngày sinh không hợp lệ"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "tương lai"),
        ({"sex": ""}, "sex", "Vui lòng chọn giới tính"),
        ({"phone": "0123456789"}, "phone", "Số điện thoại không hợp lệ"),
        ({"email": "bich@"}, "email", "thư điện tử không hợp lệ"),
        ({"password2": "khac-hoan-toan-99"}, "password2", "không giống nhau"),
        ({"password1": "abc", "password2": "abc"}, "password1", "quá ngắn"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1", "chữ số"),
        ({"password1": "password123", "password2": "password123"}, "password1", "phổ biến"),
    ],
)
def test_each_error_is_in_vietnamese_next_to_its_field(client, changes, field, fragment):
    response, errors = _errors_for(client, **changes)
    assert field in errors, errors
    assert any(fragment in e for e in errors[field]), errors[field]
    page = response.content.decode()
    assert f'id="field-{field}"' in page
    block = page.split(f'id="field-{field}"')[1].split('class="field')[0]
    assert "errorlist" in block and fragment in block


@pytest.mark.django_db
def test_nothing_typed_is_lost_except_passwords(client):
    response, errors = _errors_for(client, phone="0123456789")
    page = response.content.decode()
    for value in ["Trần Thị Bích", "019185004321", "1985-04-12", "bich@example.com", "0123456789"]:
        assert f'value="{value}"' in page, value
    assert "Xóm 3, Xã Định Hóa, tỉnh Thái Nguyên" in page
    assert 'value="F" id="id_sex_1" required checked' in page
    assert 'value="M" id="id_sex_0" required>' in page
    assert PASSWORD not in page


@pytest.mark.django_db
def test_duplicate_number_gives_a_clear_message(client, citizen):
    response = client.post(
        SIGNUP,
        {
            **GOOD,
            "personal_id": citizen.personal_id,
            "date_of_birth": "1990-05-17",
            "sex": "M",
        },
    )
    assert response.status_code == 200
    assert "đã được đăng ký" in " ".join(response.context["form"].errors["personal_id"])
    assert User.objects.filter(kind="citizen").count() == 1


@pytest.mark.django_db
def test_login_with_personal_id(client, citizen):
    response = client.post(LOGIN, {"username": "019 090 123 456", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).context["user"] == citizen


@pytest.mark.django_db
def test_login_with_staff_username(client, make_staff):
    officer = make_staff("tiepnhan.dinhhoa", "dinh_hoa")
    response = client.post(LOGIN, {"username": "tiepnhan.dinhhoa", "password": PASSWORD})
    assert response.status_code == 302
    page = client.get(reverse("accounts:profile")).content.decode()
    assert (
        officer.full_name in page and "Công an xã Định Hóa" in page and "Cán bộ tiếp nhận" in page
    )


@pytest.mark.django_db
def test_wrong_password_is_refused_in_vietnamese(client, citizen):
    response = client.post(LOGIN, {"username": citizen.personal_id, "password": "sai-mat-khau"})
    assert response.status_code == 200
    assert "mật khẩu không đúng" in response.content.decode()


@pytest.mark.django_db
def test_logout_is_post_only(client, citizen):
    client.force_login(citizen)
    assert client.get("/tai-khoan/dang-xuat/").status_code == 405
    assert client.post("/tai-khoan/dang-xuat/").status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 302  # back to login


@pytest.mark.django_db
def test_profile_requires_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_login_offers_password_reset_and_profile_offers_phone_verification(client):
    from portal.accounts.services import register_citizen

    assert (
        reverse("notifications:password-reset")
        in client.get(reverse("accounts:login")).content.decode()
    )
    citizen = register_citizen(
        personal_id="019090000123",
        full_name="Lê Văn Hòa",
        date_of_birth=dt.date(1990, 5, 1),
        sex="M",
        phone="0912345678",
        password="Mat-khau-that-dai-2026",
    )
    client.force_login(citizen)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("notifications:verify-phone") in html
    assert reverse("notifications:list") in html
