import pytest

from portal.catalogue.models import Procedure


@pytest.fixture
def staff_client(client, django_user_model):
    field = django_user_model.USERNAME_FIELD
    value = "001090000001" if field != "email" else "admin@example.org"
    user = django_user_model.objects.create_superuser(
        **{field: value, "password": "Mat-khau-dai-123"}
    )
    client.force_login(user)
    return client


def test_admin_lists_filters_and_searches_procedures(staff_client, catalogue):
    response = staff_client.get(
        "/admin/catalogue/procedure/", {"level__exact": "3", "q": "tam tru"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "1.004194" in html
    assert "2.001178" not in html


def test_admin_change_page_has_inlines(staff_client, catalogue):
    p = Procedure.objects.get(code="1.004222")
    html = staff_client.get(f"/admin/catalogue/procedure/{p.pk}/change/").content.decode()
    for text in [
        "Căn cứ pháp lý",
        "Lệ phí",
        "Thành phần hồ sơ",
        "68/2020/QH14",
        "Hình thức nhận kết quả",
    ]:
        assert text.lower() in html.lower(), text


def test_admin_form_templates(staff_client, catalogue):
    assert "CT01" in staff_client.get("/admin/catalogue/formtemplate/").content.decode()
