"""At submission the citizen picks among the procedure's methods; the postal address is asked
only when post is allowed and chosen, prefilled from the account."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from portal.dossiers.models import Dossier
from tests.dossiers.conftest import valid_absence_form

pytestmark = pytest.mark.django_db


def start_url(procedure) -> str:
    return reverse("dossiers:start", kwargs={"procedure_code": procedure.code})


def filing(area, **extra) -> dict:
    data = {
        "area": area.pk,
        "result_method": "in_person",
        **{f"f-{k}": v for k, v in valid_absence_form().items()},
    }
    data.update(extra)
    return data


def _radio_values(html: str) -> list[str]:
    import re

    return re.findall(r'name="result_method" value="([a-z_]+)"', html)


def test_no_address_field_when_the_procedure_does_not_send_by_post(client, citizen, procedure):
    procedure.result_methods = ["in_person", "electronic"]
    procedure.save(update_fields=["result_methods"])
    client.force_login(citizen)
    html = client.get(start_url(procedure)).content.decode()
    assert 'name="result_address"' not in html
    # an electronic (signed) result is offered at level 4 only: this procedure is level 3
    assert _radio_values(html) == ["in_person"]


def test_the_address_is_prefilled_and_the_fee_shown_when_post_is_allowed(
    client, citizen, post_allowed, postal_rate
):
    citizen.current_address = "Số 5 ngõ 7, phường Phan Đình Phùng, tỉnh Thái Nguyên"
    citizen.save(update_fields=["current_address"])
    client.force_login(citizen)
    html = client.get(start_url(post_allowed)).content.decode()
    assert _radio_values(html) == ["in_person", "post"]
    assert 'name="result_address"' in html
    assert 'value="Số 5 ngõ 7, phường Phan Đình Phùng, tỉnh Thái Nguyên"' in html
    assert "cước 25.000 đồng" in html


def test_the_address_is_required_only_when_post_is_chosen(client, citizen, post_allowed, unit):
    client.force_login(citizen)
    response = client.post(
        start_url(post_allowed), filing(unit.area, result_method="post", result_address=" ")
    )
    assert response.status_code == 200
    assert "Vui lòng nhập địa chỉ nhận kết quả qua bưu chính." in response.content.decode()

    response = client.post(start_url(post_allowed), filing(unit.area, result_address=""))
    assert response.status_code == 302  # in person: no address needed
    assert Dossier.objects.filter(citizen=citizen, result_method="in_person").exists()


def test_the_api_requires_the_address_only_for_post(citizen, post_allowed, unit):
    api = APIClient()
    api.force_authenticate(citizen)
    body = {"procedure": post_allowed.code, "area": unit.area.code, "form_data": {}}
    created = api.post("/api/v1/dossiers/", {**body, "result_method": "in_person"}, format="json")
    assert created.status_code == 201
    code = created.json()["code"]
    refused = api.patch(
        f"/api/v1/dossiers/{code}/",
        {"result_method": "post", "result_address": ""},
        format="json",
    )
    assert refused.status_code == 400
    assert "result_address" in refused.json()["errors"]
    assert Dossier.objects.get(code=code).result_method == "in_person"  # nothing half-saved
    ok = api.patch(
        f"/api/v1/dossiers/{code}/",
        {"result_method": "post", "result_address": "Số 9 ngõ 3, phường Phan Đình Phùng"},
        format="json",
    )
    assert ok.status_code == 200
    assert Dossier.objects.get(code=code).result_method == "post"


def test_the_api_refuses_an_electronic_result_below_level_4(citizen, procedure, unit):
    procedure.result_methods = ["in_person", "electronic"]
    procedure.save(update_fields=["result_methods"])
    api = APIClient()
    api.force_authenticate(citizen)
    response = api.post(
        "/api/v1/dossiers/",
        {
            "procedure": procedure.code,
            "area": unit.area.code,
            "form_data": {},
            "result_method": "electronic",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "result_method" in response.json()["errors"]
