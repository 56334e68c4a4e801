"""Table tests for the working calendar with the default office hours and per-unit hours.

Default hours: Mon–Fri 07:30–11:30 and 13:30–17:00 (7 h 30 = one working day), Saturday
07:30–11:30 reception only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from portal.workcalendar.models import CalendarOverride
from portal.workcalendar.services import (
    LOCAL_TZ,
    Estimate,
    NoOfficeTime,
    add_office_time,
    due_moment,
    estimate,
    is_working_day,
    office_time_between,
    reception_moment,
)

from .conftest import EIGHT_HOUR_UNIT, R, W, at

pytestmark = pytest.mark.django_db


def received_and_due(
    submitted_at: dt.datetime, days: str, unit=None
) -> tuple[dt.datetime, dt.datetime]:
    received = reception_moment(submitted_at=submitted_at, unit=unit)
    return received, due_moment(received_at=received, working_days=Decimal(days), unit=unit)


# ------------------------------------------------------------------------------------------------
# The three examples, then more derived from them


@pytest.mark.parametrize(
    ("submitted", "days", "received", "due"),
    [
        # Issue: received Monday 09:00, 3 days → Thursday 09:00
        (at(2025, 3, 3, 9), "3", at(2025, 3, 3, 9), at(2025, 3, 6, 9)),
        # Issue: received Saturday 08:00 (reception only), 3 days → Wednesday 17:00
        (at(2025, 3, 8, 8), "3", at(2025, 3, 8, 8), at(2025, 3, 12, 17)),
        # Issue: Friday 16:00 before a Monday holiday (Hùng Kings, Mon 7 Apr 2025), 1 day → Tuesday 16:00
        (at(2025, 4, 4, 16), "1", at(2025, 4, 4, 16), at(2025, 4, 8, 16)),
        # Counting from the opening: a full day ends at that day's closing, not the next opening
        (at(2025, 3, 3, 7, 30), "1", at(2025, 3, 3, 7, 30), at(2025, 3, 3, 17)),
        (at(2025, 3, 3, 7, 30), "5", at(2025, 3, 3, 7, 30), at(2025, 3, 7, 17)),
        # ½ day = 3 h 45 of office time
        (at(2025, 3, 3, 7, 30), "0.5", at(2025, 3, 3, 7, 30), at(2025, 3, 3, 11, 15)),
        (at(2025, 3, 3, 9), "0.5", at(2025, 3, 3, 9), at(2025, 3, 3, 14, 45)),
        # ½ day ending exactly at the morning close → due at 11:30, not 13:30
        (at(2025, 3, 3, 7, 45), "0.5", at(2025, 3, 3, 7, 45), at(2025, 3, 3, 11, 30)),
        (at(2025, 3, 3, 16), "0.5", at(2025, 3, 3, 16), at(2025, 3, 4, 10, 15)),
        (at(2025, 3, 3, 9), "1.5", at(2025, 3, 3, 9), at(2025, 3, 4, 14, 45)),
        # Lunch break: received at 13:30
        # (3 h 30 on Monday afternoon + 4 h on Tuesday morning: due at the morning close)
        (at(2025, 3, 3, 12), "1", at(2025, 3, 3, 13, 30), at(2025, 3, 4, 11, 30)),
        # Evening and night: received at the next morning's opening
        (at(2025, 3, 3, 17), "3", at(2025, 3, 4, 7, 30), at(2025, 3, 6, 17)),
        (at(2025, 3, 3, 20, 15), "1", at(2025, 3, 4, 7, 30), at(2025, 3, 4, 17)),
        (at(2025, 3, 4, 3), "0.5", at(2025, 3, 4, 7, 30), at(2025, 3, 4, 11, 15)),
        (at(2025, 3, 7, 22), "1", at(2025, 3, 8, 7, 30), at(2025, 3, 10, 17)),  # Friday night
        # Weekends: Saturday after 11:30 and Sunday wait for Monday
        (at(2025, 3, 8, 7), "1", at(2025, 3, 8, 7, 30), at(2025, 3, 10, 17)),
        (at(2025, 3, 8, 11, 30), "1", at(2025, 3, 10, 7, 30), at(2025, 3, 10, 17)),
        (at(2025, 3, 8, 15), "3", at(2025, 3, 10, 7, 30), at(2025, 3, 12, 17)),
        (at(2025, 3, 9, 10), "7", at(2025, 3, 10, 7, 30), at(2025, 3, 18, 17)),
        # A deadline crossing a weekend
        (at(2025, 3, 6, 9), "3", at(2025, 3, 6, 9), at(2025, 3, 11, 9)),
    ],
)
def test_reception_and_due_with_default_hours(submitted, days, received, due):
    assert received_and_due(submitted, days) == (received, due)


# ------------------------------------------------------------------------------------------------
# Tết and public holidays from holidays.VN


@pytest.mark.parametrize(
    ("submitted", "days", "received", "due"),
    [
        # Tết 2026: Mon 16 – Fri 20 Feb off
        (at(2026, 2, 13, 10), "3", at(2026, 2, 13, 10), at(2026, 2, 25, 10)),
        (at(2026, 2, 13, 16), "0.5", at(2026, 2, 13, 16), at(2026, 2, 23, 10, 15)),
        # Saturday 14 Feb 2026 is an ordinary Saturday: reception open, no counting
        (at(2026, 2, 14, 9), "1", at(2026, 2, 14, 9), at(2026, 2, 23, 17)),
        # Submitted during Tết: received at the Saturday morning reception after it
        (at(2026, 2, 17, 9), "1", at(2026, 2, 21, 7, 30), at(2026, 2, 23, 17)),
        # Tết 2027: Thu 4 – Wed 10 Feb off (Saturday 6 Feb is a Tết day: no reception)
        (at(2027, 2, 3, 16), "2", at(2027, 2, 3, 16), at(2027, 2, 12, 16)),
        (at(2027, 2, 6, 8), "1", at(2027, 2, 11, 7, 30), at(2027, 2, 11, 17)),
        (at(2027, 2, 3, 20), "0.5", at(2027, 2, 11, 7, 30), at(2027, 2, 11, 11, 15)),
        # 1 Jan 2026 (Thursday)
        (at(2025, 12, 31, 16), "1", at(2025, 12, 31, 16), at(2026, 1, 2, 16)),
        # Hùng Kings' day 2026 falls on Sunday 26 Apr → observed Monday 27 Apr; 30 Apr, 1 May off
        (at(2026, 4, 24, 16), "2", at(2026, 4, 24, 16), at(2026, 4, 29, 16)),
        (at(2026, 4, 29, 16), "1", at(2026, 4, 29, 16), at(2026, 5, 4, 16)),
        # National Day 2025: Mon 1 and Tue 2 Sep
        (at(2025, 8, 29, 16), "1", at(2025, 8, 29, 16), at(2025, 9, 3, 16)),
        # Vietnam Culture Day, Tue 24 Nov 2026 (holidays.VN from 2026)
        (at(2026, 11, 23, 16), "1", at(2026, 11, 23, 16), at(2026, 11, 25, 16)),
    ],
)
def test_holidays(submitted, days, received, due):
    assert received_and_due(submitted, days) == (received, due)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (dt.date(2025, 3, 3), True),  # Monday
        (dt.date(2025, 3, 8), False),  # Saturday
        (dt.date(2025, 3, 9), False),  # Sunday
        *[(dt.date(2026, 2, d), False) for d in range(16, 21)],  # Tết 2026
        (dt.date(2026, 2, 13), True),
        (dt.date(2026, 2, 23), True),
        *[(dt.date(2027, 2, d), False) for d in range(4, 11)],  # Tết 2027
        (dt.date(2027, 2, 11), True),
        (dt.date(2025, 4, 26), True),  # Saturday worked in exchange for Fri 2 May 2025
        (dt.date(2025, 5, 2), False),
        (dt.date(2026, 8, 22), True),  # Saturday worked in exchange for Mon 31 Aug 2026
        (dt.date(2026, 8, 31), False),
        (dt.date(2026, 4, 27), False),  # Hùng Kings' day observed
        (dt.date(2027, 5, 3), False),  # 1 May 2027 (Saturday) observed on Monday
    ],
)
def test_is_working_day(day, working):
    assert is_working_day(day) is working


# ------------------------------------------------------------------------------------------------
# The 2025 swap: Friday 2 May 2025 off, worked Saturday 26 Apr 2025 instead (holidays.VN carries it)


def test_worked_saturday_2025_counts_as_a_monday():
    # Friday 16:00 + 1 day: 1 h on Friday, 6 h 30 on the worked Saturday (Monday's sessions)
    assert received_and_due(at(2025, 4, 25, 16), "1") == (at(2025, 4, 25, 16), at(2025, 4, 26, 16))
    # The worked Saturday receives in the afternoon too
    assert reception_moment(submitted_at=at(2025, 4, 26, 14)) == at(2025, 4, 26, 14)
    assert reception_moment(submitted_at=at(2025, 4, 26, 12)) == at(2025, 4, 26, 13, 30)


def test_long_weekend_30_april_to_4_may_2025():
    # Tue 16:00 + 1 day: Wed 30 Apr, Thu 1 May, Fri 2 May (swap) and the weekend are all off
    assert received_and_due(at(2025, 4, 29, 16), "1") == (at(2025, 4, 29, 16), at(2025, 5, 5, 16))
    # Submitted on 2 May: the Saturday 3 May reception receives it
    assert reception_moment(submitted_at=at(2025, 5, 2, 9)) == at(2025, 5, 3, 7, 30)


# ------------------------------------------------------------------------------------------------
# Admin overrides


def test_override_worked_saturday():
    day = dt.date(2025, 10, 11)
    assert received_and_due(at(2025, 10, 10, 16), "1")[1] == at(2025, 10, 13, 16)
    CalendarOverride.objects.create(
        date=day, kind=CalendarOverride.Kind.WORKED_DAY, note="Thông báo làm bù"
    )
    assert is_working_day(day)
    assert received_and_due(at(2025, 10, 10, 16), "1")[1] == at(2025, 10, 11, 16)
    # Monday's sessions: the afternoon receives too
    assert reception_moment(submitted_at=at(2025, 10, 11, 15)) == at(2025, 10, 11, 15)


def test_override_extra_day_off():
    CalendarOverride.objects.create(date=dt.date(2025, 10, 13), kind=CalendarOverride.Kind.DAY_OFF)
    assert not is_working_day(dt.date(2025, 10, 13))
    assert received_and_due(at(2025, 10, 10, 16), "1")[1] == at(2025, 10, 14, 16)
    # No reception on an extra day off
    assert reception_moment(submitted_at=at(2025, 10, 13, 9)) == at(2025, 10, 14, 7, 30)


def test_override_day_off_on_saturday_closes_reception():
    CalendarOverride.objects.create(date=dt.date(2025, 10, 11), kind=CalendarOverride.Kind.DAY_OFF)
    assert reception_moment(submitted_at=at(2025, 10, 11, 8)) == at(2025, 10, 13, 7, 30)


def test_override_beats_holidays_package():
    # Cancel the 2025 swap: 2 May worked, 26 Apr an ordinary Saturday again
    CalendarOverride.objects.create(date=dt.date(2025, 5, 2), kind=CalendarOverride.Kind.WORKED_DAY)
    CalendarOverride.objects.create(date=dt.date(2025, 4, 26), kind=CalendarOverride.Kind.DAY_OFF)
    assert is_working_day(dt.date(2025, 5, 2))
    assert not is_working_day(dt.date(2025, 4, 26))
    assert received_and_due(at(2025, 4, 29, 16), "1")[1] == at(2025, 5, 2, 16)


def test_override_far_ahead_is_seen_by_a_long_deadline():
    # An override more than 180 days after reception (second window of the lazy loader)
    start = at(2025, 3, 3, 7, 30)
    before = due_moment(received_at=start, working_days=Decimal("150"))
    # the due date lies beyond 180 days; declare the working day before it off
    off = before.date() - dt.timedelta(days=1)
    while not is_working_day(off):
        off -= dt.timedelta(days=1)
    assert (off - start.date()).days > 180
    CalendarOverride.objects.create(date=off, kind=CalendarOverride.Kind.DAY_OFF)
    after = due_moment(received_at=start, working_days=Decimal("150"))
    assert after > before
    assert office_time_between(start=start, end=after) == dt.timedelta(hours=7.5) * 150


# ------------------------------------------------------------------------------------------------
# Stay notification (2.001159): round the clock


@pytest.mark.parametrize(
    ("submitted", "received"),
    [
        (at(2025, 3, 3, 22, 59), at(2025, 3, 3, 22, 59)),
        (at(2025, 3, 3, 23, 0), at(2025, 3, 4, 8, 0)),
        (at(2025, 3, 3, 23, 59), at(2025, 3, 4, 8, 0)),
        (at(2025, 3, 4, 0, 30), at(2025, 3, 4, 0, 30)),
        (at(2025, 3, 9, 14), at(2025, 3, 9, 14)),  # Sunday
        (at(2026, 2, 17, 3), at(2026, 2, 17, 3)),  # Tết
        (at(2026, 2, 16, 23, 30), at(2026, 2, 17, 8)),
        (at(2025, 12, 31, 23, 0), at(2026, 1, 1, 8)),
    ],
)
def test_round_the_clock_reception(submitted, received):
    assert reception_moment(submitted_at=submitted, round_the_clock=True) == received


def test_stay_notification_estimate_is_immediate(make_procedure):
    stay = make_procedure(
        "2.001159",
        name_vi="Thông báo lưu trú",
        deadline_kind="immediate",
        deadline_days=Decimal("0"),
        reception_mode="round_the_clock",
    )
    assert estimate(procedure=stay, submitted_at=at(2025, 3, 8, 22, 59)) == Estimate(
        received_at=at(2025, 3, 8, 22, 59), due_at=at(2025, 3, 8, 22, 59)
    )
    assert estimate(procedure=stay, submitted_at=at(2025, 3, 8, 23)) == Estimate(
        received_at=at(2025, 3, 9, 8), due_at=at(2025, 3, 9, 8)
    )


def test_estimate_working_days_and_immediate_in_office_hours(make_procedure):
    temporary = make_procedure("1.004194", deadline_days=Decimal("3"))
    confirm = make_procedure(
        "1.010041", name_vi="Xác nhận thông tin về cư trú", deadline_days=Decimal("0.5")
    )
    immediate = make_procedure("9.000001", deadline_kind="immediate", deadline_days=Decimal("0"))
    assert estimate(procedure=temporary, submitted_at=at(2025, 3, 8, 8)) == Estimate(
        received_at=at(2025, 3, 8, 8), due_at=at(2025, 3, 12, 17)
    )
    assert estimate(procedure=confirm, submitted_at=at(2025, 3, 3, 20)) == Estimate(
        received_at=at(2025, 3, 4, 7, 30), due_at=at(2025, 3, 4, 11, 15)
    )
    # "Immediate" in office hours: due when received (Sunday → Monday 07:30)
    assert estimate(procedure=immediate, submitted_at=at(2025, 3, 9, 10)) == Estimate(
        received_at=at(2025, 3, 10, 7, 30), due_at=at(2025, 3, 10, 7, 30)
    )


def test_zero_working_days_is_due_when_received():
    received = at(2025, 3, 8, 8)  # Saturday reception, not a working session
    assert due_moment(received_at=received, working_days=Decimal("0")) == received


# ------------------------------------------------------------------------------------------------
# Time zones


def test_any_aware_input_returns_vietnam_time():
    utc = dt.datetime(2025, 3, 3, 2, 0, tzinfo=dt.UTC)  # 09:00 in Hà Nội
    received = reception_moment(submitted_at=utc)
    due = due_moment(received_at=received, working_days=Decimal("3"))
    assert received == at(2025, 3, 3, 9)
    assert due == at(2025, 3, 6, 9)
    assert due.tzinfo == LOCAL_TZ and due.isoformat() == "2025-03-06T09:00:00+07:00"
    # 17:30 UTC on Sunday is 00:30 Monday in Vietnam
    paris = dt.datetime(2025, 3, 9, 18, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert reception_moment(submitted_at=paris) == at(2025, 3, 10, 7, 30)


@pytest.mark.parametrize(
    "call",
    [
        lambda naive: reception_moment(submitted_at=naive),
        lambda naive: reception_moment(submitted_at=naive, round_the_clock=True),
        lambda naive: due_moment(received_at=naive, working_days=Decimal("1")),
        lambda naive: add_office_time(start=naive, duration=dt.timedelta(hours=1)),
        lambda naive: office_time_between(start=naive, end=at(2025, 3, 5)),
        lambda naive: office_time_between(start=at(2025, 3, 1), end=naive),
    ],
)
def test_naive_datetimes_are_rejected(call):
    with pytest.raises(ValueError, match="aware"):
        call(dt.datetime(2025, 3, 3, 9))


def test_negative_inputs_are_rejected():
    with pytest.raises(ValueError):
        due_moment(received_at=at(2025, 3, 3, 9), working_days=Decimal("-1"))
    with pytest.raises(ValueError):
        add_office_time(start=at(2025, 3, 3, 9), duration=dt.timedelta(hours=-1))
    with pytest.raises(ValueError):
        office_time_between(start=at(2025, 3, 4), end=at(2025, 3, 3))


# ------------------------------------------------------------------------------------------------
# Office time: pausing and resuming the clock


def test_office_time_between():
    assert office_time_between(start=at(2025, 3, 3, 9), end=at(2025, 3, 5, 10)) == dt.timedelta(
        hours=16
    )
    # The weekend and the Saturday reception-only session count nothing
    assert office_time_between(
        start=at(2025, 3, 7, 17), end=at(2025, 3, 10, 7, 30)
    ) == dt.timedelta(0)
    # Tết 2026 counts nothing
    assert office_time_between(
        start=at(2026, 2, 13, 17), end=at(2026, 2, 23, 7, 30)
    ) == dt.timedelta(0)
    assert office_time_between(start=at(2025, 3, 3, 12), end=at(2025, 3, 3, 13)) == dt.timedelta(0)


def test_pause_and_resume_with_the_remaining_office_time():
    received = at(2025, 3, 3, 9)
    full = dt.timedelta(hours=7.5) * 3
    paused_at = at(2025, 3, 4, 10)  # supplement requested Tuesday 10:00
    elapsed = office_time_between(start=received, end=paused_at)
    assert elapsed == dt.timedelta(hours=8, minutes=30)
    resumed_at = at(2025, 3, 7, 14)  # supplement arrives Friday 14:00
    assert add_office_time(start=resumed_at, duration=full - elapsed) == at(2025, 3, 11, 11)


def test_add_office_time_round_trips_with_office_time_between():
    start = at(2025, 4, 25, 10)
    for hours in (0.25, 1.5, 7.5, 20, 60):
        end = add_office_time(start=start, duration=dt.timedelta(hours=hours))
        assert office_time_between(start=start, end=end) == dt.timedelta(hours=hours)


# ------------------------------------------------------------------------------------------------
# Per-unit office hours


def test_unit_without_rows_uses_the_default(make_unit):
    unit = make_unit()
    assert received_and_due(at(2025, 3, 3, 9), "3", unit) == (at(2025, 3, 3, 9), at(2025, 3, 6, 9))


def test_unit_with_its_own_hours(make_unit):
    unit = make_unit(sessions=EIGHT_HOUR_UNIT)
    # One working day = 8 h for this unit
    assert received_and_due(at(2025, 3, 3, 9), "1", unit) == (at(2025, 3, 3, 9), at(2025, 3, 4, 9))
    assert received_and_due(at(2025, 3, 3, 8), "0.5", unit) == (
        at(2025, 3, 3, 8),
        at(2025, 3, 3, 12),
    )
    assert reception_moment(submitted_at=at(2025, 3, 3, 7, 45), unit=unit) == at(2025, 3, 3, 8)
    assert reception_moment(submitted_at=at(2025, 3, 3, 12, 30), unit=unit) == at(2025, 3, 3, 13)
    # Saturday 08:00–11:00 and Sunday 08:00–10:00 receive, never count
    assert reception_moment(submitted_at=at(2025, 3, 8, 7, 45), unit=unit) == at(2025, 3, 8, 8)
    assert reception_moment(submitted_at=at(2025, 3, 8, 11), unit=unit) == at(2025, 3, 9, 8)
    assert received_and_due(at(2025, 3, 9, 9), "1", unit) == (
        at(2025, 3, 9, 9),
        at(2025, 3, 10, 17),
    )
    # The default's hours mean nothing to this unit
    assert reception_moment(submitted_at=at(2025, 3, 3, 7, 30), unit=unit) == at(2025, 3, 3, 8)


def test_unit_worked_saturday_uses_its_monday_working_sessions(make_unit):
    unit = make_unit(sessions=EIGHT_HOUR_UNIT)
    # Sat 26 Apr 2025 (swap) runs 08:00–12:00, 13:00–17:00: 1 h on Friday + 4 h + 3 h
    assert received_and_due(at(2025, 4, 25, 16), "1", unit) == (
        at(2025, 4, 25, 16),
        at(2025, 4, 26, 16),
    )
    assert reception_moment(submitted_at=at(2025, 4, 26, 16), unit=unit) == at(2025, 4, 26, 16)


def test_unit_saturday_working_row_does_not_count_on_an_ordinary_saturday(make_unit):
    unit = make_unit(sessions=[(0, "07:00", "15:00", W), (5, "07:00", "11:00", W)])
    assert reception_moment(submitted_at=at(2025, 3, 8, 8), unit=unit) == at(2025, 3, 8, 8)
    assert due_moment(received_at=at(2025, 3, 8, 8), working_days=Decimal("1"), unit=unit) == at(
        2025, 3, 10, 15
    )


def test_unit_overlapping_rows_are_not_counted_twice(make_unit):
    unit = make_unit(
        sessions=[(0, "08:00", "12:00", W), (0, "10:00", "14:00", W), (0, "07:00", "09:00", R)]
    )
    # Monday: 07:00–08:00 reception, 08:00–14:00 working = a 6 h day
    assert reception_moment(submitted_at=at(2025, 3, 3, 7), unit=unit) == at(2025, 3, 3, 7)
    assert due_moment(received_at=at(2025, 3, 3, 7), working_days=Decimal("1"), unit=unit) == at(
        2025, 3, 3, 14
    )


def test_unit_without_any_working_session_is_a_domain_error(make_unit):
    unit = make_unit(sessions=[(5, "08:00", "11:00", R)])
    assert reception_moment(submitted_at=at(2025, 3, 3, 9), unit=unit) == at(2025, 3, 8, 8)
    with pytest.raises(NoOfficeTime):
        due_moment(received_at=at(2025, 3, 3, 9), working_days=Decimal("1"), unit=unit)


# ------------------------------------------------------------------------------------------------
# Database access: one query per call, not per day


def test_long_deadline_reads_overrides_once(django_assert_num_queries):
    with django_assert_num_queries(1):
        due = due_moment(received_at=at(2026, 1, 5, 9), working_days=Decimal("40"))
    # 40 working days across Tết 2026 (5 days off) and Hùng Kings' day
    assert due == at(2026, 3, 9, 9)


def test_estimate_with_prefetched_unit_is_one_query(
    make_unit, make_procedure, django_assert_num_queries
):
    from portal.units.models import PoliceUnit

    make_unit(sessions=EIGHT_HOUR_UNIT, code="G09.20")
    procedure = make_procedure()
    unit = PoliceUnit.objects.prefetch_related("office_hours").get(code="G09.20")
    with django_assert_num_queries(1):
        result = estimate(procedure=procedure, submitted_at=at(2025, 3, 3, 9), unit=unit)
    assert result.due_at == at(2025, 3, 6, 9)


def test_is_working_day_is_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        is_working_day(dt.date(2026, 2, 17))
