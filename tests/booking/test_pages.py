"""Citizen pages: "Đặt lịch hẹn" on the dossier page when a visit is needed; /ho-so/<code>/dat-lich/
lists days and free times as a plain form; book, move and cancel from it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from portal.booking import services
from portal.booking.models import AppointmentState, SlotPolicy
from portal.workcalendar.models import CalendarOverride
from tests.booking.conftest import VISIT_REASON, at

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_dossier_page_offers_booking_only_when_a_visit_is_needed(clock, make_dossier, citizen):
    plain = make_dossier("submitted")
    page = logged_in(citizen).get(f"/ho-so/{plain.code}/").content.decode()
    assert "Đặt lịch hẹn" not in page


def test_dossier_page_links_to_booking_then_shows_the_appointment(clock, dossier, citizen):
    client = logged_in(citizen)
    page = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert "Đặt lịch hẹn" in page and VISIT_REASON in page
    assert f"/ho-so/{dossier.code}/dat-lich/" in page
    services.book(citizen=citizen, dossier=dossier, starts_at=at(2027, 3, 2, 7, 30))
    page = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert "07:30 02/03/2027" in page and "Đổi hoặc hủy lịch hẹn" in page


def test_pick_page_lists_days_and_free_times(
    clock, unit, dossier, citizen, django_assert_max_num_queries
):
    SlotPolicy.objects.create(unit=unit, slot_minutes=60, capacity=1)
    CalendarOverride.objects.create(date=dt.date(2027, 3, 3), kind="day_off")
    client = logged_in(citizen)
    client.get(f"/ho-so/{dossier.code}/dat-lich/")  # warm the session and caches
    with django_assert_max_num_queries(14):
        response = client.get(f"/ho-so/{dossier.code}/dat-lich/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "02/03/2027" in page and "03/03/2027" not in page and "07/03/2027" not in page
    assert 'value="2027-03-02T07:30:00+07:00"' in page
    assert 'value="2027-03-02T12:30:00+07:00"' not in page  # lunch
    assert "còn 1 chỗ" in page


def test_book_move_and_cancel_from_the_page(clock, dossier, citizen):
    client = logged_in(citizen)
    url = f"/ho-so/{dossier.code}/dat-lich/"
    response = client.post(url, {"starts_at": "2027-03-02T07:30:00+07:00"}, follow=True)
    assert "Đã đặt lịch hẹn lúc 07:30 02/03/2027" in response.content.decode()
    appointment = services.appointment_for(dossier)
    assert appointment.starts_at == at(2027, 3, 2, 7, 30)

    response = client.post(url, {"starts_at": "2027-03-04T08:00:00+07:00"}, follow=True)
    assert "Đã đổi lịch hẹn sang 08:00 04/03/2027" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.MOVED
    assert appointment.starts_at == at(2027, 3, 4, 8, 0)

    response = client.post(f"{url}huy/", follow=True)
    assert "Đã hủy lịch hẹn." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.CANCELLED


def test_page_shows_the_specific_refusal(clock, dossier, citizen):
    CalendarOverride.objects.create(date=dt.date(2027, 3, 3), kind="day_off")
    client = logged_in(citizen)
    url = f"/ho-so/{dossier.code}/dat-lich/"
    page = client.post(url, {"starts_at": "2027-03-03T08:00:00+07:00"}, follow=True)
    assert "Ngày 03/03/2027 là ngày nghỉ lễ, Tết hoặc ngày nghỉ" in page.content.decode()
    page = client.post(url, {"starts_at": "hôm nay"}, follow=True)
    assert "Thời điểm hẹn (starts_at) không hợp lệ" in page.content.decode()
    assert services.appointment_for(dossier) is None


def test_someone_elses_dossier_is_404(clock, dossier, other_citizen, receiving_officer):
    url = f"/ho-so/{dossier.code}/dat-lich/"
    assert logged_in(other_citizen).get(url).status_code == 404
    assert logged_in(other_citizen).post(f"{url}huy/").status_code == 404
    assert logged_in(receiving_officer).get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to the login page


def test_no_slots_offered_for_a_draft(clock, visit_plugin, make_dossier, citizen):
    draft = make_dossier("draft")
    page = logged_in(citizen).get(f"/ho-so/{draft.code}/dat-lich/").content.decode()
    assert "Vui lòng nộp hồ sơ trước khi đặt lịch hẹn." in page
    assert 'name="starts_at"' not in page
