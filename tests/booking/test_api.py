"""Booking API: free slots, book (201, 400 holiday / outside hours, 409 full), move, cancel, the
citizen's own appointments; the JSON error shape everywhere."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from portal.booking import services
from portal.booking.models import Appointment, SlotPolicy
from portal.workcalendar.models import CalendarOverride
from tests.booking.conftest import at

pytestmark = pytest.mark.django_db

BASE = "/api/v1/booking/"
SLOT = "2027-03-02T07:30:00+07:00"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_free_slots_of_a_unit(clock, unit, dossier, django_assert_max_num_queries):
    SlotPolicy.objects.create(unit=unit, slot_minutes=30, capacity=1)
    services.book(citizen=dossier.citizen, dossier=dossier, starts_at=at(2027, 3, 2, 7, 30))
    CalendarOverride.objects.create(date=dt.date(2027, 3, 3), kind="day_off")
    with django_assert_max_num_queries(6):
        response = APIClient().get(
            f"{BASE}units/{unit.code}/slots/", {"from": "2027-03-01", "to": "2027-03-03"}
        )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["unit"] == unit.code and body["unit_name"] == unit.name
    # Clamped to the window: from tomorrow; the day off has no slot; the booked slot is full.
    assert body["date_from"] == "2027-03-02" and body["date_to"] == "2027-03-03"
    starts = [s["starts_at"] for s in body["slots"]]
    assert starts[0] == "2027-03-02T08:00:00+07:00"
    assert all(s.startswith("2027-03-02") for s in starts)
    assert body["slots"][0] == {
        "starts_at": "2027-03-02T08:00:00+07:00",
        "ends_at": "2027-03-02T08:30:00+07:00",
        "capacity": 1,
        "free": 1,
    }


def test_slots_errors(clock, unit):
    response = APIClient().get(f"{BASE}units/KHONG-CO/slots/")
    assert response.status_code == 404 and response.json()["code"] == "unit_not_found"
    response = APIClient().get(f"{BASE}units/{unit.code}/slots/", {"from": "02/03/2027"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_date"
    assert "YYYY-MM-DD" in response.json()["message"]


def test_book_move_cancel_and_list(clock, dossier, citizen, other_citizen):
    api = client_for(citizen)
    response = api.post(
        f"{BASE}appointments/", {"dossier": dossier.code, "starts_at": SLOT}, format="json"
    )
    assert response.status_code == 201, response.json()
    booked = response.json()
    assert booked["dossier"] == dossier.code and booked["state"] == "booked"
    assert booked["starts_at"] == SLOT and booked["unit"] == dossier.unit.code
    pk = booked["id"]

    response = api.post(
        f"{BASE}appointments/{pk}/move/", {"starts_at": "2027-03-04T14:00:00+07:00"}, format="json"
    )
    assert response.status_code == 200, response.json()
    moved = response.json()
    assert moved["state"] == "moved" and moved["starts_at"] == "2027-03-04T14:00:00+07:00"
    assert [e["kind"] for e in moved["events"]] == ["booked", "moved"]
    assert moved["events"][1]["previous_starts_at"] == SLOT

    listed = api.get(f"{BASE}appointments/").json()
    assert [a["id"] for a in listed["results"]] == [pk]
    assert client_for(other_citizen).get(f"{BASE}appointments/").json()["results"] == []
    assert client_for(other_citizen).get(f"{BASE}appointments/{pk}/").status_code == 404

    response = api.post(f"{BASE}appointments/{pk}/cancel/", {"reason": "Bận"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    response = api.post(f"{BASE}appointments/{pk}/cancel/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "appointment_not_pending"


def test_full_slot_is_409_and_holiday_400(clock, unit, dossier, make_dossier, other_citizen):
    SlotPolicy.objects.create(unit=unit, slot_minutes=30, capacity=1)
    services.book(citizen=dossier.citizen, dossier=dossier, starts_at=at(2027, 3, 2, 7, 30))
    second = make_dossier("submitted", citizen=other_citizen)
    api = client_for(other_citizen)
    response = api.post(
        f"{BASE}appointments/", {"dossier": second.code, "starts_at": SLOT}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "slot_full"
    assert "đủ người" in response.json()["message"]

    CalendarOverride.objects.create(date=dt.date(2027, 3, 3), kind="day_off")
    response = api.post(
        f"{BASE}appointments/",
        {"dossier": second.code, "starts_at": "2027-03-03T08:00:00+07:00"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "slot_holiday"
    response = api.post(
        f"{BASE}appointments/",
        {"dossier": second.code, "starts_at": "2027-03-02T12:00:00+07:00"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "slot_outside_hours"
    assert not Appointment.objects.filter(dossier=second).exists()


def test_book_input_errors(clock, dossier, citizen, other_citizen):
    api = client_for(citizen)
    response = api.post(
        f"{BASE}appointments/", {"dossier": dossier.code, "starts_at": "mai"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_starts_at"
    response = api.post(f"{BASE}appointments/", {"dossier": dossier.code}, format="json")
    assert response.status_code == 400 and "starts_at" in response.json()["errors"]
    # Another person's dossier does not exist for this caller.
    response = client_for(other_citizen).post(
        f"{BASE}appointments/", {"dossier": dossier.code, "starts_at": SLOT}, format="json"
    )
    assert response.status_code == 404
    # Without a time zone the time is Vietnam time.
    response = api.post(
        f"{BASE}appointments/",
        {"dossier": dossier.code, "starts_at": "2027-03-02T07:30:00"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["starts_at"] == SLOT


def test_anonymous_caller_gets_401(clock, dossier):
    response = APIClient().post(
        f"{BASE}appointments/", {"dossier": dossier.code, "starts_at": SLOT}, format="json"
    )
    assert response.status_code == 401
    assert APIClient().get(f"{BASE}appointments/").status_code == 401
