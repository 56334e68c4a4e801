"""GET /api/v1/procedures/{code}/estimate/"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from .conftest import EIGHT_HOUR_UNIT

pytestmark = pytest.mark.django_db

URL = "/api/v1/procedures/{}/estimate/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def temporary_residence(make_procedure):
    return make_procedure("1.004194", deadline_days=Decimal("3"))


def test_estimate_shape_and_values(api, temporary_residence):
    response = api.get(URL.format("1.004194"), {"submitted_at": "2025-03-08T08:00:00+07:00"})
    assert response.status_code == 200
    assert response.json() == {
        "procedure": "1.004194",
        "unit": None,
        "submitted_at": "2025-03-08T08:00:00+07:00",
        "received_at": "2025-03-08T08:00:00+07:00",
        "due_at": "2025-03-12T17:00:00+07:00",
    }


@pytest.mark.parametrize(
    ("raw", "submitted", "received"),
    [
        # no offset: Vietnam local time
        ("2025-03-03T20:00", "2025-03-03T20:00:00+07:00", "2025-03-04T07:30:00+07:00"),
        # UTC input is returned in +07:00
        ("2025-03-03T02:00:00Z", "2025-03-03T09:00:00+07:00", "2025-03-03T09:00:00+07:00"),
        ("2025-03-02T20:00:00-05:00", "2025-03-03T08:00:00+07:00", "2025-03-03T08:00:00+07:00"),
        # a date alone is midnight local time
        ("2025-03-03", "2025-03-03T00:00:00+07:00", "2025-03-03T07:30:00+07:00"),
    ],
)
def test_submitted_at_formats(api, temporary_residence, raw, submitted, received):
    body = api.get(URL.format("1.004194"), {"submitted_at": raw}).json()
    assert (body["submitted_at"], body["received_at"]) == (submitted, received)


def test_unescaped_plus_in_the_query_string_is_understood(api, temporary_residence):
    # "+07:00" typed straight into a URL arrives as " 07:00"
    response = api.get(URL.format("1.004194") + "?submitted_at=2025-03-03T09:00:00+07:00")
    assert response.status_code == 200
    assert response.json()["due_at"] == "2025-03-06T09:00:00+07:00"


def test_submitted_at_defaults_to_now(api, temporary_residence):
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    body = api.get(URL.format("1.004194")).json()
    submitted = dt.datetime.fromisoformat(body["submitted_at"])
    assert body["submitted_at"].endswith("+07:00")
    assert before <= submitted <= dt.datetime.now(dt.UTC)
    assert dt.datetime.fromisoformat(body["due_at"]) > submitted


def test_unit_office_hours_apply(api, temporary_residence, make_unit):
    make_unit(code="G09.20", sessions=EIGHT_HOUR_UNIT)
    response = api.get(
        URL.format("1.004194"), {"submitted_at": "2025-03-03T07:45:00+07:00", "unit": "G09.20"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["unit"] == "G09.20"
    assert body["received_at"] == "2025-03-03T08:00:00+07:00"
    assert body["due_at"] == "2025-03-05T17:00:00+07:00"  # three 8-hour days


def test_stay_notification_after_23h(api, make_procedure):
    make_procedure(
        "2.001159",
        name_vi="Thông báo lưu trú",
        deadline_kind="immediate",
        deadline_days=Decimal("0"),
        reception_mode="round_the_clock",
    )
    body = api.get(URL.format("2.001159"), {"submitted_at": "2026-02-16T23:00:00+07:00"}).json()
    assert body["received_at"] == body["due_at"] == "2026-02-17T08:00:00+07:00"


@pytest.mark.parametrize(
    "raw",
    [
        "hôm qua",
        "2025-02-30T09:00",
        "03/03/2025 09:00",
        "2025-03-03T25:00",
        "2025-03-03T09:00+25:00",
    ],
)
def test_unparseable_submitted_at_is_400(api, temporary_residence, raw):
    response = api.get(URL.format("1.004194"), {"submitted_at": raw})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_submitted_at"
    assert "submitted_at" in body["message"] and "không hợp lệ" in body["message"]


@pytest.mark.parametrize(
    "raw",
    [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
        "1800-01-01T09:00",
        "2100-03-01T09:00",
    ],
)
def test_submitted_at_outside_the_known_calendar_is_400_not_500(api, temporary_residence, raw):
    response = api.get(URL.format("1.004194"), {"submitted_at": raw})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_submitted_at"
    assert "2000–2099" in body["message"]


def test_unknown_unit_is_404(api, temporary_residence, make_unit):
    make_unit(code="OLD", is_active=False)
    for code in ("NOPE", "OLD"):
        response = api.get(URL.format("1.004194"), {"unit": code})
        assert response.status_code == 404
        assert response.json()["code"] == "unit_not_found"
        assert code in response.json()["message"]


def test_unknown_or_unpublished_procedure_is_404(api, make_procedure):
    make_procedure("1.999999", is_published=False)
    for code in ("9.999999", "1.999999"):
        response = api.get(URL.format(code))
        assert response.status_code == 404
        assert response.json()["code"] == "procedure_not_found"
        assert code in response.json()["message"]


def test_query_count(api, temporary_residence, make_unit, django_assert_max_num_queries):
    make_unit(code="G09.20", sessions=EIGHT_HOUR_UNIT)
    # procedure, unit, its office hours (prefetched), overrides
    with django_assert_max_num_queries(4):
        response = api.get(
            URL.format("1.004194"), {"submitted_at": "2025-03-03T09:00", "unit": "G09.20"}
        )
    assert response.status_code == 200


def test_documented_in_openapi_schema(api):
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    operation = response.json()["paths"]["/api/v1/procedures/{code}/estimate/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"code", "submitted_at", "unit"} <= names
    assert {"200", "400", "404"} <= set(operation["responses"])
