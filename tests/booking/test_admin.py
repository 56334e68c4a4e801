"""Staff: the day's appointments of their unit in the admin (filter by date), check-in and no-show
actions through the services; officers of another unit see nothing of it."""

from __future__ import annotations

import pytest

from portal.booking import services
from portal.booking.models import AppointmentState
from tests.booking.conftest import at

pytestmark = pytest.mark.django_db

LIST = "/admin/booking/appointment/"


@pytest.fixture
def day_of_appointments(clock, dossier, make_dossier, other_citizen, visit_plugin):
    """Two appointments on Tuesday 2 March 2027 and one on Thursday 4 March, at `unit`."""
    first = services.book(citizen=dossier.citizen, dossier=dossier, starts_at=at(2027, 3, 2, 7, 30))
    second_dossier = make_dossier("submitted", citizen=other_citizen)
    second = services.book(
        citizen=other_citizen, dossier=second_dossier, starts_at=at(2027, 3, 2, 9, 0)
    )
    later_dossier = make_dossier("submitted")
    later = services.book(
        citizen=later_dossier.citizen, dossier=later_dossier, starts_at=at(2027, 3, 4, 8, 0)
    )
    return first, second, later


def test_day_list_of_the_unit(
    day_of_appointments, staff_client, receiving_officer, django_assert_max_num_queries
):
    first, second, later = day_of_appointments
    client = staff_client(receiving_officer)
    client.get(LIST, {"ngay": "2027-03-02"})
    with django_assert_max_num_queries(20):
        response = client.get(LIST, {"ngay": "2027-03-02"})
    assert response.status_code == 200
    page = response.content.decode()
    assert first.dossier.code in page and second.dossier.code in page
    assert later.dossier.code not in page
    assert "07:30–08:00 02/03/2027" in page and "Trần Thị Bình" in page
    page = client.get(LIST, {"ngay": "2027-03-04"}).content.decode()
    assert later.dossier.code in page and first.dossier.code not in page


def test_other_unit_sees_none_of_it(day_of_appointments, staff_client, other_unit_officer):
    first, second, later = day_of_appointments
    client = staff_client(other_unit_officer)
    page = client.get(LIST, {"ngay": "tat-ca"}).content.decode()
    assert first.dossier.code not in page and later.dossier.code not in page
    assert client.get(f"{LIST}{first.pk}/change/").status_code in (302, 404)


def test_supervisor_sees_the_subtree(day_of_appointments, staff_client, supervisor):
    first, _second, _later = day_of_appointments
    page = staff_client(supervisor).get(LIST, {"ngay": "2027-03-02"}).content.decode()
    assert first.dossier.code in page


def test_check_in_and_no_show_actions(clock, day_of_appointments, staff_client, receiving_officer):
    first, second, _later = day_of_appointments
    clock.set(at(2027, 3, 2, 9, 40))
    client = staff_client(receiving_officer)
    response = client.post(
        f"{LIST}?ngay=2027-03-02",
        {"action": "check_in_action", "_selected_action": [second.pk]},
        follow=True,
    )
    assert "Đã ghi nhận 1 công dân đến làm thủ tục." in response.content.decode()
    second.refresh_from_db()
    assert second.state == AppointmentState.CHECKED_IN
    assert second.checked_in_by == receiving_officer
    assert second.checked_in_at == at(2027, 3, 2, 9, 40)

    response = client.post(
        f"{LIST}?ngay=2027-03-02",
        {"action": "no_show_action", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "Đã ghi nhận 1 lịch hẹn công dân không đến." in page
    assert "nên không ghi nhận vắng được" in page  # the refusal for the one checked in
    first.refresh_from_db()
    assert first.state == AppointmentState.NO_SHOW


def test_check_in_refused_before_the_day(clock, day_of_appointments, staff_client, unit_leader):
    first, _second, _later = day_of_appointments
    response = staff_client(unit_leader).post(
        f"{LIST}?ngay=2027-03-02",
        {"action": "check_in_action", "_selected_action": [first.pk]},
        follow=True,
    )
    assert "Chỉ ghi nhận công dân đến vào đúng ngày hẹn (02/03/2027)." in response.content.decode()
    first.refresh_from_db()
    assert first.state == AppointmentState.BOOKED
