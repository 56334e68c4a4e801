"""GET /api/v1/residence/me/ and the page "Thông tin cư trú của tôi" (/cu-tru/cua-toi/)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from residence.models import Relation, TemporaryResidence
from residence.services.common import get_or_create_address
from tests.residence.registry.conftest import add_household, add_person, person_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/residence/me/"
PAGE = "/cu-tru/cua-toi/"


@pytest.fixture
def household(citizen, area, other_area):
    me = person_of(citizen)
    son = add_person(7, "Nguyễn Văn Bình", year=2012)
    home = add_household(
        area, "Tổ 5", [(me, Relation.HEAD), (son, Relation.CHILD)], since=dt.date(2016, 4, 1)
    )
    today = timezone.localdate()
    TemporaryResidence.objects.create(
        person=me,
        address=get_or_create_address(area=other_area, street="Số 7 đường Quang Trung"),
        registered_on=today - dt.timedelta(days=10),
        expires_on=dt.date(today.year + 1, 12, 31),
    )
    return home


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_api_returns_the_citizens_record(citizen, household):
    response = client_for(citizen).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["person"]["personal_id"] == citizen.personal_id
    assert body["person"]["full_name"] == "Nguyễn Văn An"
    assert body["person"]["date_of_birth"] == "1990-05-17"
    assert body["message"] == ""
    assert body["permanent"]["since"] == "2016-04-01"
    assert body["permanent"]["street"] == "Tổ 5"
    assert body["permanent"]["household_number"] == household.number
    assert body["temporary"]["is_valid"] is True
    assert body["temporary"]["area_name"] == "Phường Quyết Thắng"
    assert body["current_address"] == {
        "address": "Số 7 đường Quang Trung, Phường Quyết Thắng, Tỉnh Thái Nguyên",
        "kind": "temporary",
    }
    assert body["household"]["head_name"] == "Nguyễn Văn An"
    assert [(m["full_name"], m["relation_label"]) for m in body["household"]["members"]] == [
        ("Nguyễn Văn An", "Chủ hộ"),
        ("Nguyễn Văn Bình", "Con"),
    ]
    assert body["stays"] == [] and body["absences"] == []


def test_api_citizen_without_record_gets_null_and_a_message(citizen):
    body = client_for(citizen).get(URL).json()
    assert body["person"] is None and body["household"] is None
    assert "CSDL cư trú" in body["message"]


def test_api_refuses_staff_and_anonymous(receiving_officer):
    response = client_for(receiving_officer).get(URL)
    assert response.status_code == 403
    assert response.json()["code"] == "citizens_only"
    assert "công dân" in response.json()["message"]
    assert Client().get(URL).status_code in (401, 403)


def test_api_is_documented():
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out)
    import json

    schema = json.loads(out.getvalue())
    operation = schema["paths"]["/api/v1/residence/me/"]["get"]
    assert {"200", "401", "403"} <= set(operation["responses"])
    assert "ResidenceRecord" in schema["components"]["schemas"]


def test_page_shows_the_record_with_vietnamese_dates(citizen, household):
    response = client_for(citizen).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thông tin cư trú của tôi" in html
    assert "17/05/1990" in html and "01/04/2016" in html  # dd/mm/yyyy
    assert "Số 7 đường Quang Trung, Phường Quyết Thắng" in html
    assert household.number in html and "Nguyễn Văn Bình" in html and "Con" in html
    assert 'href="/cu-tru/cua-toi/"' in html  # in the citizen's header menu
    assert "css/residence.css" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)|<style|\sstyle=", html)


def test_page_without_record_and_for_others(citizen, receiving_officer):
    html = client_for(citizen).get(PAGE).content.decode()
    assert "Chưa có thông tin cư trú" in html
    assert client_for(receiving_officer).get(PAGE).status_code == 403
    response = Client().get(PAGE)
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]
