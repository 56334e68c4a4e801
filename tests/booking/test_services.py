"""Booking services: slots from the unit's calendar, book, move, cancel, check in, no-show."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.booking import services
from portal.booking.models import Appointment, AppointmentState, SlotPolicy
from portal.core.errors import Conflict, NotFound
from portal.workcalendar.models import CalendarOverride, OfficeHours, SessionKind
from tests.booking.conftest import MONDAY, VISIT_REASON, at

pytestmark = pytest.mark.django_db

TUESDAY_0730 = at(2027, 3, 2, 7, 30)


def _times(slots, day: dt.date) -> list[str]:
    return [f"{s.starts_at:%H:%M}" for s in slots if s.starts_at.date() == day]


# --- slots ------------------------------------------------------------------------------------


def test_slots_follow_office_hours_from_tomorrow_to_the_window_end(clock, unit):
    slots = services.free_slots(unit=unit)
    days = sorted({s.starts_at.date() for s in slots})
    # Tuesday 2 March … Monday 15 March; never today, never a Sunday.
    assert days[0] == dt.date(2027, 3, 2)
    assert days[-1] == dt.date(2027, 3, 15)
    assert dt.date(2027, 3, 1) not in days
    assert dt.date(2027, 3, 7) not in days and dt.date(2027, 3, 14) not in days
    tuesday = _times(slots, dt.date(2027, 3, 2))
    # 07:30–11:30 and 13:30–17:00 in 30-minute slots: 8 + 7, nothing at lunch or after 17:00.
    assert tuesday[:2] == ["07:30", "08:00"] and tuesday[-1] == "16:30"
    assert len(tuesday) == 15
    assert "11:30" not in tuesday and "12:00" not in tuesday and "17:00" not in tuesday
    # Saturday morning reception only.
    assert _times(slots, dt.date(2027, 3, 6)) == [
        "07:30", "08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00",
    ]  # fmt: skip
    assert all(s.capacity == 2 and s.free == 2 for s in slots)


def test_slots_skip_holidays_and_days_off_and_respect_worked_days(clock, unit):
    CalendarOverride.objects.create(date=dt.date(2027, 3, 3), kind="day_off", note="Nghỉ bù")
    CalendarOverride.objects.create(date=dt.date(2027, 3, 7), kind="worked_day", note="Làm bù")
    slots = services.free_slots(unit=unit)
    assert _times(slots, dt.date(2027, 3, 3)) == []
    # A worked Sunday runs a normal day (Monday's sessions).
    assert len(_times(slots, dt.date(2027, 3, 7))) == 15


def test_slots_use_the_units_office_hours_and_slot_policy(clock, unit):
    OfficeHours.objects.create(
        unit=unit, weekday=1, opens=dt.time(8), closes=dt.time(10), kind=SessionKind.WORKING
    )
    OfficeHours.objects.create(
        unit=unit, weekday=0, opens=dt.time(8), closes=dt.time(9), kind=SessionKind.WORKING
    )
    SlotPolicy.objects.create(unit=unit, weekday=None, slot_minutes=60, capacity=3)
    SlotPolicy.objects.create(unit=unit, weekday=1, slot_minutes=20, capacity=1)
    slots = services.free_slots(unit=unit, include_full=True)
    assert _times(slots, dt.date(2027, 3, 2)) == [
        "08:00", "08:20", "08:40", "09:00", "09:20", "09:40",
    ]  # fmt: skip
    assert {s.capacity for s in slots if s.starts_at.date() == dt.date(2027, 3, 2)} == {1}
    assert _times(slots, dt.date(2027, 3, 8)) == ["08:00"]
    assert [s.capacity for s in slots if s.starts_at.date() == dt.date(2027, 3, 8)] == [3]
    # Wednesday has no session in this unit's hours.
    assert _times(slots, dt.date(2027, 3, 3)) == []


def test_free_capacity_counts_active_appointments_only(clock, unit, dossier, make_dossier):
    services.book(citizen=dossier.citizen, dossier=dossier, starts_at=TUESDAY_0730)
    other = make_dossier("submitted")
    cancelled = services.book(citizen=other.citizen, dossier=other, starts_at=TUESDAY_0730)
    services.cancel(actor=other.citizen, appointment=cancelled)
    first = services.free_slots(unit=unit)[0]
    assert first.starts_at == TUESDAY_0730 and first.free == 1


def test_a_full_slot_is_not_offered(clock, unit, dossier):
    SlotPolicy.objects.create(unit=unit, slot_minutes=30, capacity=1)
    services.book(citizen=dossier.citizen, dossier=dossier, starts_at=TUESDAY_0730)
    assert services.free_slots(unit=unit)[0].starts_at == at(2027, 3, 2, 8, 0)


# --- book ---------------------------------------------------------------------------------------


def test_book_holds_a_seat_and_records_history(clock, unit, citizen, dossier):
    appointment = services.book(citizen=citizen, dossier=dossier, starts_at=TUESDAY_0730)
    assert appointment.state == AppointmentState.BOOKED
    assert appointment.unit == unit and appointment.citizen == citizen
    assert appointment.ends_at == at(2027, 3, 2, 8, 0)
    assert appointment.seat_no == 1
    assert services.appointment_for(dossier) == appointment
    assert [e.kind for e in appointment.events.all()] == ["booked"]
    assert services.visit_needed(dossier) == (True, VISIT_REASON)
    slip = services.appointment_slip_context(appointment)
    assert slip["appointment_date"] == "02/03/2027"
    assert slip["appointment_time"] == "07:30–08:00"
    assert slip["appointment_unit_name"] == unit.name


def test_booking_on_a_public_holiday_is_refused(clock, unit, dossier):
    # National Day 2 September 2027 (Thursday) in holidays.VN.
    clock.set(at(2027, 8, 30, 9, 0))
    with pytest.raises(services.SlotRefused) as exc:
        services.book(citizen=dossier.citizen, dossier=dossier, starts_at=at(2027, 9, 2, 8, 0))
    assert exc.value.code == "slot_holiday" and exc.value.status == 400
    assert "02/09/2027" in exc.value.message and "nghỉ lễ" in exc.value.message
    assert not Appointment.objects.exists()


def test_booking_on_an_extra_day_off_is_refused(clock, dossier):
    CalendarOverride.objects.create(date=dt.date(2027, 3, 3), kind="day_off")
    with pytest.raises(services.SlotRefused) as exc:
        services.book(citizen=dossier.citizen, dossier=dossier, starts_at=at(2027, 3, 3, 8, 0))
    assert exc.value.code == "slot_holiday"


@pytest.mark.parametrize(
    "starts_at",
    [
        at(2027, 3, 2, 12, 0),  # lunch break
        at(2027, 3, 2, 17, 0),  # after closing
        at(2027, 3, 2, 7, 45),  # not the start of a slot
        at(2027, 3, 7, 8, 0),  # an ordinary Sunday
        at(2027, 3, 6, 14, 0),  # Saturday afternoon
    ],
)
def test_booking_outside_office_hours_is_refused(clock, dossier, starts_at):
    with pytest.raises(services.SlotRefused) as exc:
        services.book(citizen=dossier.citizen, dossier=dossier, starts_at=starts_at)
    assert exc.value.code == "slot_outside_hours"
    assert "không phải là khung giờ tiếp công dân" in exc.value.message


def test_booking_a_past_today_or_too_distant_slot_is_refused(clock, dossier):
    cases = [
        (at(2027, 2, 26, 8, 0), "slot_past"),
        (at(2027, 3, 1, 14, 0), "slot_too_soon"),
        (at(2027, 3, 16, 8, 0), "slot_too_far"),
    ]
    for starts_at, code in cases:
        with pytest.raises(services.SlotRefused) as exc:
            services.book(citizen=dossier.citizen, dossier=dossier, starts_at=starts_at)
        assert exc.value.code == code, starts_at
    assert not Appointment.objects.exists()


def test_a_full_slot_is_refused_with_409(clock, unit, dossier, make_dossier, other_citizen):
    SlotPolicy.objects.create(unit=unit, slot_minutes=30, capacity=1)
    services.book(citizen=dossier.citizen, dossier=dossier, starts_at=TUESDAY_0730)
    second = make_dossier("submitted", citizen=other_citizen)
    with pytest.raises(services.SlotFull) as exc:
        services.book(citizen=other_citizen, dossier=second, starts_at=TUESDAY_0730)
    assert exc.value.status == 409 and exc.value.code == "slot_full"
    assert "07:30 02/03/2027" in exc.value.message and "đủ người" in exc.value.message
    assert services.appointment_for(second) is None


def test_one_appointment_per_dossier(clock, dossier):
    services.book(citizen=dossier.citizen, dossier=dossier, starts_at=TUESDAY_0730)
    with pytest.raises(Conflict) as exc:
        services.book(citizen=dossier.citizen, dossier=dossier, starts_at=at(2027, 3, 2, 8, 0))
    assert exc.value.code == "already_booked"


def test_no_booking_when_the_procedure_needs_no_visit(clock, make_dossier):
    dossier = make_dossier("submitted")  # the plain plugin: no visit
    assert services.visit_needed(dossier) == (False, "")
    with pytest.raises(Conflict) as exc:
        services.book(citizen=dossier.citizen, dossier=dossier, starts_at=TUESDAY_0730)
    assert exc.value.code == "visit_not_needed"


def test_no_booking_for_a_draft_or_someone_elses_dossier(
    clock, visit_plugin, make_dossier, other_citizen
):
    draft = make_dossier("draft")
    with pytest.raises(Conflict) as exc:
        services.book(citizen=draft.citizen, dossier=draft, starts_at=TUESDAY_0730)
    assert exc.value.code == "dossier_not_submitted"
    submitted = make_dossier("submitted")
    with pytest.raises(NotFound):
        services.book(citizen=other_citizen, dossier=submitted, starts_at=TUESDAY_0730)


# --- move and cancel ----------------------------------------------------------------------------


def test_move_frees_the_old_seat_and_keeps_history(
    clock, unit, dossier, make_dossier, other_citizen
):
    SlotPolicy.objects.create(unit=unit, slot_minutes=30, capacity=1)
    appointment = services.book(citizen=dossier.citizen, dossier=dossier, starts_at=TUESDAY_0730)
    moved = services.move(
        actor=dossier.citizen, appointment=appointment, starts_at=at(2027, 3, 4, 14, 0)
    )
    assert moved.pk == appointment.pk and moved.state == AppointmentState.MOVED
    assert moved.starts_at == at(2027, 3, 4, 14, 0) and moved.ends_at == at(2027, 3, 4, 14, 30)
    event = moved.events.get(kind="moved")
    assert event.previous_starts_at == TUESDAY_0730 and event.starts_at == moved.starts_at
    # The old slot is free again for someone else.
    other = make_dossier("submitted", citizen=other_citizen)
    assert services.book(citizen=other_citizen, dossier=other, starts_at=TUESDAY_0730).pk


def test_move_into_a_full_slot_keeps_the_appointment(
    clock, unit, dossier, make_dossier, other_citizen
):
    SlotPolicy.objects.create(unit=unit, slot_minutes=30, capacity=1)
    other = make_dossier("submitted", citizen=other_citizen)
    services.book(citizen=other_citizen, dossier=other, starts_at=at(2027, 3, 2, 8, 0))
    mine = services.book(citizen=dossier.citizen, dossier=dossier, starts_at=TUESDAY_0730)
    with pytest.raises(services.SlotFull):
        services.move(actor=dossier.citizen, appointment=mine, starts_at=at(2027, 3, 2, 8, 0))
    mine.refresh_from_db()
    assert mine.starts_at == TUESDAY_0730 and mine.state == AppointmentState.BOOKED


def test_move_to_a_holiday_is_refused(clock, dossier):
    CalendarOverride.objects.create(date=dt.date(2027, 3, 3), kind="day_off")
    mine = services.book(citizen=dossier.citizen, dossier=dossier, starts_at=TUESDAY_0730)
    with pytest.raises(services.SlotRefused) as exc:
        services.move(actor=dossier.citizen, appointment=mine, starts_at=at(2027, 3, 3, 8, 0))
    assert exc.value.code == "slot_holiday"


def test_cancel_before_the_slot_frees_it(clock, dossier):
    mine = services.book(citizen=dossier.citizen, dossier=dossier, starts_at=TUESDAY_0730)
    cancelled = services.cancel(actor=dossier.citizen, appointment=mine, reason="Bận việc")
    assert cancelled.state == AppointmentState.CANCELLED and cancelled.closed_at == MONDAY
    assert cancelled.events.get(kind="cancelled").note == "Bận việc"
    assert services.appointment_for(dossier) is None
    # The dossier may book again.
    assert services.book(citizen=dossier.citizen, dossier=dossier, starts_at=TUESDAY_0730).pk


def test_cancel_or_move_once_the_slot_started_is_refused(clock, dossier):
    mine = services.book(citizen=dossier.citizen, dossier=dossier, starts_at=TUESDAY_0730)
    clock.set(at(2027, 3, 2, 7, 35))
    with pytest.raises(Conflict) as exc:
        services.cancel(actor=dossier.citizen, appointment=mine)
    assert exc.value.code == "appointment_started"
    with pytest.raises(Conflict):
        services.move(actor=dossier.citizen, appointment=mine, starts_at=at(2027, 3, 4, 8, 0))


def test_only_the_citizen_moves_or_cancels(clock, dossier, other_citizen, receiving_officer):
    mine = services.book(citizen=dossier.citizen, dossier=dossier, starts_at=TUESDAY_0730)
    for actor in (other_citizen, receiving_officer):
        with pytest.raises(NotFound):
            services.cancel(actor=actor, appointment=mine)
        with pytest.raises(NotFound):
            services.move(actor=actor, appointment=mine, starts_at=at(2027, 3, 4, 8, 0))
    mine.refresh_from_db()
    assert mine.state == AppointmentState.BOOKED


# --- check in and no-show -------------------------------------------------------------------------


def test_check_in_by_staff_of_the_unit_on_the_day(clock, dossier, receiving_officer):
    mine = services.book(citizen=dossier.citizen, dossier=dossier, starts_at=TUESDAY_0730)
    with pytest.raises(Conflict) as exc:  # the day before
        services.check_in(actor=receiving_officer, appointment=mine)
    assert exc.value.code == "not_appointment_day" and "02/03/2027" in exc.value.message
    clock.set(at(2027, 3, 2, 7, 40))
    done = services.check_in(actor=receiving_officer, appointment=mine)
    assert done.state == AppointmentState.CHECKED_IN
    assert done.checked_in_at == at(2027, 3, 2, 7, 40)
    assert done.checked_in_by == receiving_officer
    assert services.appointment_for(dossier) == done  # still the dossier's appointment
    with pytest.raises(Conflict):
        services.cancel(actor=dossier.citizen, appointment=done)


def test_check_in_by_another_unit_or_a_citizen_is_not_found(
    clock, dossier, other_unit_officer, supervisor
):
    mine = services.book(citizen=dossier.citizen, dossier=dossier, starts_at=TUESDAY_0730)
    clock.set(at(2027, 3, 2, 7, 40))
    for actor in (other_unit_officer, supervisor, dossier.citizen):
        with pytest.raises(NotFound):
            services.check_in(actor=actor, appointment=mine)
    mine.refresh_from_db()
    assert mine.state == AppointmentState.BOOKED


def test_no_show_only_after_the_slot(clock, dossier, handling_officer, other_unit_officer):
    mine = services.book(citizen=dossier.citizen, dossier=dossier, starts_at=TUESDAY_0730)
    clock.set(at(2027, 3, 2, 7, 50))
    with pytest.raises(Conflict) as exc:
        services.mark_no_show(actor=handling_officer, appointment=mine)
    assert exc.value.code == "slot_not_over"
    clock.set(at(2027, 3, 2, 8, 0))
    with pytest.raises(NotFound):
        services.mark_no_show(actor=other_unit_officer, appointment=mine)
    done = services.mark_no_show(actor=handling_officer, appointment=mine)
    assert done.state == AppointmentState.NO_SHOW and done.closed_at == at(2027, 3, 2, 8, 0)
    assert services.appointment_for(dossier) is None
    with pytest.raises(Conflict):
        services.check_in(actor=handling_officer, appointment=done)


def test_a_closed_dossier_releases_its_appointment(clock, dossier, citizen):
    from portal.dossiers import services as dossier_services

    mine = services.book(citizen=citizen, dossier=dossier, starts_at=TUESDAY_0730)
    dossier_services.withdraw(dossier=dossier, actor=citizen, reason="Không cần nữa")
    mine.refresh_from_db()
    assert mine.state == AppointmentState.CANCELLED
    assert "Hồ sơ đã kết thúc" in mine.events.get(kind="cancelled").note
    assert services.free_slots(unit=dossier.unit)[0].free == 2


def test_check_in_lets_the_procedure_act_on_the_visit(
    clock, dossier, receiving_officer, visit_plugin
):
    seen = []
    visit_plugin.on_visit_checked_in = lambda **kwargs: seen.append(kwargs)
    mine = services.book(citizen=dossier.citizen, dossier=dossier, starts_at=TUESDAY_0730)
    clock.set(at(2027, 3, 2, 7, 40))
    services.check_in(actor=receiving_officer, appointment=mine)
    assert len(seen) == 1
    assert seen[0]["dossier"] == dossier and seen[0]["actor"] == receiving_officer
    assert seen[0]["appointment"].state == AppointmentState.CHECKED_IN


def test_a_failing_visit_hook_rolls_the_check_in_back(
    clock, dossier, receiving_officer, visit_plugin
):
    def refuse(**kwargs):
        raise Conflict("Chưa in được phiếu CC01.", code="slip_failed")

    visit_plugin.on_visit_checked_in = refuse
    mine = services.book(citizen=dossier.citizen, dossier=dossier, starts_at=TUESDAY_0730)
    clock.set(at(2027, 3, 2, 7, 40))
    with pytest.raises(Conflict):
        services.check_in(actor=receiving_officer, appointment=mine)
    mine.refresh_from_db()
    assert mine.state == AppointmentState.BOOKED and mine.checked_in_at is None


def test_book_and_move_let_the_procedure_issue_its_slip(clock, dossier, visit_plugin):
    seen = []
    visit_plugin.on_visit_booked = lambda **kwargs: seen.append(
        services.appointment_slip_context(kwargs["appointment"])["appointment_time"]
    )
    mine = services.book(citizen=dossier.citizen, dossier=dossier, starts_at=TUESDAY_0730)
    services.move(actor=dossier.citizen, appointment=mine, starts_at=at(2027, 3, 4, 14, 0))
    assert seen == ["07:30–08:00", "14:00–14:30"]
