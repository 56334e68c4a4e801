import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from portal.accounts.models import User
from tests.accounts.conftest import PASSWORD

SIGNUP = "/api/v1/auth/signup/"
TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/auth/me/"

BODY = {
    "personal_id": "019203000777",
    "full_name": "Lường Văn Quân",
    "date_of_birth": "2003-07-01",
    "sex": "M",
    "phone": "0868123456",
    "password": PASSWORD,
}


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.django_db
def test_signup_returns_a_token_that_opens_me(api):
    response = api.post(SIGNUP, BODY, format="json")
    assert response.status_code == 201, response.json()
    token = response.json()["token"]
    assert response.json()["user"]["personal_id"] == "019203000777"
    assert "password" not in response.json()["user"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get(ME).json()
    assert me["kind"] == "citizen" and me["full_name"] == "Lường Văn Quân"
    assert me["phone"] == "+84868123456" and me["roles"] == [] and me["unit"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"personal_id": "019303000777"}, "personal_id", "giới tính"),
        ({"personal_id": "019103000777"}, "personal_id", "năm sinh"),
        ({"personal_id": "019204000777"}, "personal_id", "hai số cuối"),
        ({"personal_id": "999203000777"}, "personal_id", "mã tỉnh"),
        ({"phone": "12345"}, "phone", "Số điện thoại không hợp lệ"),
        ({"password": "12345678"}, "password", "chữ số"),
        ({"sex": "X"}, "sex", "M (nam) hoặc F (nữ)"),
        ({"date_of_birth": "01/07/2003"}, "date_of_birth", "Ngày sinh không hợp lệ"),
        ({"full_name": ""}, "full_name", "Vui lòng nhập họ và tên"),
    ],
)
def test_signup_errors_are_json_with_vietnamese_messages(api, changes, field, fragment):
    response = api.post(SIGNUP, {**BODY, **changes}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert any(fragment in m for m in body["errors"][field]), body
    assert fragment in body["message"] or body["message"] in body["errors"][field]
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_with_missing_fields_names_each(api):
    body = api.post(SIGNUP, {}, format="json").json()
    assert body["code"] == "invalid"
    assert body["errors"]["personal_id"] == ["Vui lòng nhập số định danh cá nhân."]
    assert body["errors"]["password"] == ["Vui lòng nhập mật khẩu."]


@pytest.mark.django_db
def test_duplicate_signup_is_a_conflict(api):
    assert api.post(SIGNUP, BODY, format="json").status_code == 201
    response = api.post(SIGNUP, BODY, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "personal_id_taken"
    assert "đã được đăng ký" in body["message"]
    assert body["errors"]["personal_id"] == [body["message"]]


@pytest.mark.django_db
def test_token_with_personal_id(api, citizen):
    response = api.post(TOKEN, {"username": citizen.personal_id, "password": PASSWORD})
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=citizen).key}


@pytest.mark.django_db
def test_token_for_staff_username(api, make_staff):
    officer = make_staff("xuly.dinhhoa", "dinh_hoa", "handling_officer")
    token = api.post(TOKEN, {"username": "xuly.dinhhoa", "password": PASSWORD}).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get(ME).json()
    assert me["username"] == officer.username
    assert me["unit"] == {"code": "CAX.DH", "name": "Công an xã Định Hóa"}
    assert me["roles"] == ["handling_officer"]


@pytest.mark.django_db
def test_bad_credentials_json_error(api, citizen):
    response = api.post(TOKEN, {"username": citizen.personal_id, "password": "sai"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert "không đúng" in response.json()["message"]
    missing = api.post(TOKEN, {}).json()
    assert missing["code"] == "invalid" and "username" in missing["errors"]


@pytest.mark.django_db
def test_me_requires_authentication(api):
    response = api.get(ME)
    assert response.status_code in (401, 403)
    assert response.json()["code"] in ("not_authenticated", "authentication_failed")
    assert response.json()["message"] == "Bạn cần đăng nhập."


@pytest.mark.django_db
def test_auth_endpoints_are_in_the_openapi_schema(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (SIGNUP, TOKEN, ME):
        assert path in schema


@pytest.mark.django_db
@pytest.mark.parametrize("url", [SIGNUP, "/api/v1/auth/token/"])
def test_a_body_that_is_not_an_object_is_refused_in_vietnamese(api, url):
    response = api.post(url, ["019090000001"], format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "Cần một đối tượng JSON, không phải kiểu “list”."


@pytest.mark.django_db
def test_too_long_values_are_refused_in_vietnamese(api):
    long = {"personal_id": "0" * 21, "full_name": "Nguyễn " * 30, "phone": "0" * 31}
    body = api.post(SIGNUP, {**BODY, **long}, format="json").json()
    assert body["errors"]["personal_id"] == ["Nhập không quá 20 ký tự."]
    assert body["errors"]["full_name"] == ["Nhập không quá 150 ký tự."]
    assert body["errors"]["phone"] == ["Nhập không quá 30 ký tự."]
    assert not User.objects.exists()
