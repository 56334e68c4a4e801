"""The identity-card API: the public expiry check (200, each 400, the rate limit) and the lost-card
report (holder only; anyone else 404; status at once, history kept)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from citizen_id.models import CardStatus, CardStatusChange

URL = "/api/v1/citizen-id/card-expiry/"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("born", "issued", "expected"),
    [
        ("1990-05-17", "2015-06-01", {"expires_on": "2030-05-17", "renewal_age": 40}),
        ("2000-01-10", "2014-02-01", {"expires_on": "2025-01-10", "renewal_age": 25}),
        ("1950-01-01", "2020-01-01", {"expires_on": None, "renewal_age": None}),
    ],
)
def test_card_expiry_answers(born, issued, expected):
    response = APIClient().get(URL, {"date_of_birth": born, "issued_on": issued})
    assert response.status_code == 200
    assert response.json() == expected


def _tomorrow() -> str:
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"issued_on": "2020-01-01"}, "date_of_birth", "Ngày sinh không hợp lệ"),
        ({"date_of_birth": "1990-01-01"}, "issued_on", "Ngày cấp không hợp lệ"),
        (
            {"date_of_birth": "1990-02-30", "issued_on": "2020-01-01"},
            "date_of_birth",
            "không hợp lệ",
        ),
        (
            {"date_of_birth": "1990-13-01", "issued_on": "2020-01-01"},
            "date_of_birth",
            "không hợp lệ",
        ),
        ({"date_of_birth": "17/05/1990", "issued_on": "2020-01-01"}, "date_of_birth", "YYYY-MM-DD"),
        ({"date_of_birth": "19900517", "issued_on": "2020-01-01"}, "date_of_birth", "YYYY-MM-DD"),
        ({"date_of_birth": "1990-05-17", "issued_on": "abc"}, "issued_on", "YYYY-MM-DD"),
        (
            {"date_of_birth": "1800-05-17", "issued_on": "2020-01-01"},
            "date_of_birth",
            "từ năm 1900",
        ),
        (
            {"date_of_birth": "2000-05-17", "issued_on": "2000-05-16"},
            "issued_on",
            "trước ngày sinh",
        ),
        ({"date_of_birth": "2000-05-17", "issued_on": "tomorrow"}, "issued_on", "sau ngày hôm nay"),
    ],
)
def test_card_expiry_bad_input_is_a_400_json_error(params, field, message):
    if params.get("issued_on") == "tomorrow":
        params = {**params, "issued_on": _tomorrow()}
    response = APIClient().get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_date"
    assert message in body["message"]
    assert field in body["errors"]


def test_card_expiry_is_rate_limited():
    client = APIClient()
    params = {"date_of_birth": "1990-05-17", "issued_on": "2015-06-01"}
    statuses = [client.get(URL, params).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    assert client.get(URL, params).json()["code"] == "throttled"


def test_card_expiry_is_in_the_openapi_schema():
    paths = APIClient().get("/api/schema/", {"format": "json"}).json()["paths"]
    operation = paths[URL]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"date_of_birth", "issued_on"}
    assert {"200", "400", "429"} <= set(operation["responses"])
    report = paths["/api/v1/citizen-id/cards/{id}/report-lost/"]["post"]
    assert {"200", "401", "404", "409"} <= set(report["responses"])


def _report_url(card) -> str:
    return f"/api/v1/citizen-id/cards/{card.pk}/report-lost/"


def test_holder_reports_a_lost_card_and_its_status_changes_at_once(card, citizen):
    client = APIClient()
    client.force_authenticate(citizen)
    response = client.post(_report_url(card), {"note": "Mất ở chợ Đồng Quang"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "reported_lost"
    card.refresh_from_db()
    assert card.status == CardStatus.REPORTED_LOST
    history = list(CardStatusChange.objects.filter(card=card).values_list("to_status", "note"))
    assert history == [("valid", ""), ("reported_lost", "Mất ở chợ Đồng Quang")]
    listed = client.get("/api/v1/citizen-id/cards/").json()
    assert [(c["id"], c["status"]) for c in listed] == [(card.pk, "reported_lost")]


def test_reporting_twice_changes_nothing_more(card, citizen):
    client = APIClient()
    client.force_authenticate(citizen)
    client.post(_report_url(card), {}, format="json")
    assert client.post(_report_url(card), {}, format="json").status_code == 200
    assert CardStatusChange.objects.filter(card=card).count() == 2


def test_someone_else_cannot_report_the_card(card, other_citizen, receiving_officer):
    for user in (other_citizen, receiving_officer):
        client = APIClient()
        client.force_authenticate(user)
        response = client.post(_report_url(card), {}, format="json")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    card.refresh_from_db()
    assert card.status == CardStatus.VALID


def test_anonymous_report_is_refused(card):
    response = APIClient().post(_report_url(card), {}, format="json")
    assert response.status_code in (401, 403)
    card.refresh_from_db()
    assert card.status == CardStatus.VALID


def test_a_replaced_card_cannot_be_reported_lost(card, citizen, unit):
    from citizen_id.services import replace_card

    replace_card(card=card, issued_on=dt.date(2024, 9, 1), issuing_unit=unit)
    client = APIClient()
    client.force_authenticate(citizen)
    response = client.post(_report_url(card), {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "card_not_losable"
