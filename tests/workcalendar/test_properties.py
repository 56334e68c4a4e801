"""Property-based tests of the calendar with the default office hours (no overrides, no unit).

The oracle is written independently of the implementation: with the default hours a working day
(per `is_working_day`, itself table-tested) has sessions 07:30–11:30 and 13:30–17:00; an ordinary
Saturday receives 07:30–11:30.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.workcalendar.services import (
    LOCAL_TZ,
    add_office_time,
    due_moment,
    is_working_day,
    office_time_between,
    reception_moment,
)

pytestmark = pytest.mark.django_db

PROPERTY_SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

WORKING_SESSIONS = ((dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0)))
SATURDAY_RECEPTION = ((dt.time(7, 30), dt.time(11, 30)),)
DAY = dt.timedelta(hours=7, minutes=30)

moments = st.datetimes(
    min_value=dt.datetime(2025, 1, 1),
    max_value=dt.datetime(2027, 11, 30),
    # Fixed offsets only: by PEP 495 a wall time in a DST gap or fold never compares equal to a
    # time in another zone, which would make "received == submitted" fail for the wrong reason.
    timezones=st.sampled_from(
        [LOCAL_TZ, dt.UTC, dt.timezone(dt.timedelta(hours=-9, minutes=-30)), ZoneInfo("Asia/Tokyo")]
    ),
)
working_days = st.sampled_from(
    [Decimal(x) for x in ("0.5", "1", "1.5", "2", "3", "5", "7", "10", "15")]
)


def holiday_free(day: dt.date) -> bool:
    """Not a holiday: a weekday that works, or a weekend day not listed by holidays.VN."""
    import holidays

    return day not in holidays.VN(years=day.year)


def reception_windows(day: dt.date):
    if is_working_day(day):
        return WORKING_SESSIONS
    if day.weekday() == 5 and holiday_free(day):
        return SATURDAY_RECEPTION
    return ()


def in_working_session_or_at_close(moment: dt.datetime) -> bool:
    local = moment.astimezone(LOCAL_TZ)
    if not is_working_day(local.date()):
        return False
    return any(opens < local.time() <= closes for opens, closes in WORKING_SESSIONS)


@PROPERTY_SETTINGS
@given(submitted=moments)
def test_reception_is_not_before_submission_and_lies_in_a_reception_session(submitted):
    received = reception_moment(submitted_at=submitted)
    assert received >= submitted
    assert received.utcoffset() == dt.timedelta(hours=7)
    local = received.astimezone(LOCAL_TZ)
    windows = reception_windows(local.date())
    assert any(opens <= local.time() < closes for opens, closes in windows)
    if received != submitted:
        # waited: received at the opening of a session
        assert local.time() in {opens for opens, _ in windows}


@PROPERTY_SETTINGS
@given(submitted=moments)
def test_round_the_clock_reception(submitted):
    received = reception_moment(submitted_at=submitted, round_the_clock=True)
    local = submitted.astimezone(LOCAL_TZ)
    assert received >= submitted
    if local.time() < dt.time(23):
        assert received == submitted
    else:
        assert received == dt.datetime.combine(
            local.date() + dt.timedelta(days=1), dt.time(8), LOCAL_TZ
        )


@PROPERTY_SETTINGS
@given(submitted=moments, days=working_days)
def test_due_is_in_office_time_on_a_working_day_and_not_before_reception(submitted, days):
    received = reception_moment(submitted_at=submitted)
    due = due_moment(received_at=received, working_days=days)
    assert due > received >= submitted
    assert in_working_session_or_at_close(due)
    # exactly the promised amount of office time elapses between reception and due
    assert office_time_between(start=received, end=due) == DAY * float(days)


@PROPERTY_SETTINGS
@given(
    first=moments,
    gap=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=20)),
    days=working_days,
)
def test_due_is_monotonic_in_the_submission_time(first, gap, days):
    second = first.astimezone(dt.UTC) + gap  # absolute time (wall-clock arithmetic has DST folds)
    received_first = reception_moment(submitted_at=first)
    received_second = reception_moment(submitted_at=second)
    assert received_first <= received_second
    assert due_moment(received_at=received_first, working_days=days) <= due_moment(
        received_at=received_second, working_days=days
    )


@PROPERTY_SETTINGS
@given(
    start=moments,
    first=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(hours=40)),
    second=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(hours=40)),
)
def test_office_time_adds_up(start, first, second):
    """Pausing the clock and resuming it with the rest gives the same due moment."""
    middle = add_office_time(start=start, duration=first)
    end = add_office_time(start=middle, duration=second)
    assert middle >= start
    assert end == add_office_time(start=start, duration=first + second)
    assert office_time_between(start=start, end=end) == first + second
