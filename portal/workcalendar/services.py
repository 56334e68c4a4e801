"""Working-calendar computations: reception moment, due moment and office time.

Rules (domain.md §2.1, §5; issue 2 "Working calendar"):

- A *working day* is Monday–Friday, minus the public holidays of `holidays.VN` (Tết, Hùng Kings'
  day, observed days, announced swap days off), plus the weekend days the package lists as worked
  (announced swaps), then the admin `CalendarOverride` table wins: an extra day off is not a working
  day, a worked day is.
- Each unit has weekly sessions (`OfficeHours`, or `DEFAULT_OFFICE_HOURS`). On a working weekday
  the unit's sessions of that weekday apply; on a worked weekend day (or any working day falling on a
  weekend) Monday's *working* sessions apply; on an ordinary weekend day the unit's sessions of that
  weekday apply but only for reception (they never count for a deadline); holidays and extra days
  off have no sessions at all.
- Reception: inside any session → that moment, otherwise the start of the next session.
- Deadlines count office time of *working* sessions; one working day = the unit's working time on
  a Monday (default 7 h 30), ½ day = half of it. A count ending exactly at a session's close is due
  at that close.

The database is read at most once for the unit's office hours (none with `prefetch_related`) and
once per 180-day window of overrides per public call.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.utils.translation import gettext

from portal.core.errors import Conflict

from .models import DEFAULT_OFFICE_HOURS, CalendarOverride, SessionKind

if TYPE_CHECKING:
    from portal.catalogue.models import Procedure
    from portal.units.models import PoliceUnit

__all__ = [
    "LOCAL_TZ",
    "Estimate",
    "NoOfficeTime",
    "add_office_time",
    "due_moment",
    "estimate",
    "is_working_day",
    "office_calendar",
    "office_time_between",
    "reception_moment",
]

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ROUND_THE_CLOCK_CUTOFF = dt.time(23, 0)
ROUND_THE_CLOCK_NEXT_DAY = dt.time(8, 0)
_OVERRIDE_WINDOW = dt.timedelta(days=180)
# A deadline of several years means broken data (e.g. a unit with no working session at all).
_MAX_SCAN_DAYS = 366 * 5
_WORKING = SessionKind.WORKING.value
_RECEPTION_ONLY = SessionKind.RECEPTION_ONLY.value


class NoOfficeTime(Conflict):
    """The unit's office hours leave no session to receive or count in (broken admin data)."""

    code = "no_office_time"


@dataclass(frozen=True)
class Estimate:
    received_at: dt.datetime
    due_at: dt.datetime


@dataclass(frozen=True)
class _Session:
    opens: dt.datetime
    closes: dt.datetime
    working: bool


# ---------------------------------------------------------------------------------------------
# Public holidays (cached per year; the package data never changes while the process runs)


@functools.lru_cache(maxsize=64)
def _package_calendar(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(holidays, worked weekend days) of `holidays.VN` for one year: from the generated table
    (vn_holidays.py) when it covers the year, so web workers need not import the package."""
    from portal.workcalendar.vn_holidays import TABLE

    if year in TABLE:
        off, worked = TABLE[year]
        return (
            frozenset(dt.date.fromisoformat(d) for d in off),
            frozenset(dt.date.fromisoformat(d) for d in worked),
        )
    import holidays

    vn = holidays.VN(years=year)
    days_off = frozenset(vn.keys())
    worked = frozenset(day for day in getattr(vn, "weekend_workdays", ()) if day.year == year)
    return days_off, worked


def is_public_holiday(day: dt.date) -> bool:
    """Whether `day` is a public holiday of `holidays.VN` (no admin override, no weekend)."""
    return day in _package_calendar(day.year)[0]


def _package_says_working(day: dt.date) -> bool:
    days_off, worked = _package_calendar(day.year)
    if day in worked:
        return True
    return day.weekday() < 5 and day not in days_off


# ---------------------------------------------------------------------------------------------
# The per-call calendar: unit office hours + overrides, loaded lazily and at most once per window


class _Calendar:
    def __init__(self, unit: PoliceUnit | None = None) -> None:
        self._weekly = _weekly_sessions(unit)
        self._overrides: dict[dt.date, str] = {}
        self._loaded_from: dt.date | None = None
        self._loaded_to: dt.date | None = None  # exclusive
        # Working time of a normal day: Monday's working sessions.
        self.day_length = sum(
            (
                _duration(opens, closes)
                for opens, closes, kind in self._weekly[0]
                if kind == _WORKING
            ),
            dt.timedelta(),
        )
        self._has_working = any(kind == _WORKING for day in self._weekly for _, _, kind in day)
        self._has_any = any(self._weekly)

    # overrides -----------------------------------------------------------------------------
    def _override(self, day: dt.date) -> str | None:
        if self._loaded_from is None or not (self._loaded_from <= day < self._loaded_to):
            self._load_overrides(day)
        return self._overrides.get(day)

    def _load_overrides(self, day: dt.date) -> None:
        # Extend the loaded window forwards when possible (the usual case: scanning ahead).
        if (
            self._loaded_to is not None
            and self._loaded_to <= day < self._loaded_to + _OVERRIDE_WINDOW
        ):
            start = self._loaded_to
        else:
            start = day
            self._overrides = {}
            self._loaded_from = day
        end = start + _OVERRIDE_WINDOW
        rows = CalendarOverride.objects.filter(date__gte=start, date__lt=end).values_list(
            "date", "kind"
        )
        self._overrides.update(dict(rows))
        self._loaded_to = end

    # days ----------------------------------------------------------------------------------
    def is_working_day(self, day: dt.date) -> bool:
        override = self._override(day)
        if override == CalendarOverride.Kind.DAY_OFF:
            return False
        if override == CalendarOverride.Kind.WORKED_DAY:
            return True
        return _package_says_working(day)

    def sessions(self, day: dt.date) -> list[_Session]:
        override = self._override(day)
        if override == CalendarOverride.Kind.DAY_OFF:
            return []
        if override == CalendarOverride.Kind.WORKED_DAY:
            working = True
        else:
            days_off, worked = _package_calendar(day.year)
            if day in worked:
                working = True
            elif day in days_off:
                return []
            else:
                working = day.weekday() < 5
        if working and day.weekday() >= 5:
            # A worked weekend day runs a normal day: Monday's working sessions.
            template = [(o, c, k) for o, c, k in self._weekly[0] if k == _WORKING]
        else:
            template = self._weekly[day.weekday()]
        return [
            _Session(
                opens=dt.datetime.combine(day, opens, LOCAL_TZ),
                closes=dt.datetime.combine(day, closes, LOCAL_TZ),
                working=working and kind == _WORKING,
            )
            for opens, closes, kind in template
        ]

    def sessions_from(self, moment: dt.datetime, *, working_only: bool) -> Iterator[_Session]:
        """Sessions (or their remainder) that end after `moment`, in order, day after day."""
        if not self._has_any:
            raise NoOfficeTime(gettext("Đơn vị chưa khai báo giờ tiếp nhận hoặc giờ làm việc."))
        if working_only and not self._has_working:
            raise NoOfficeTime(gettext("Đơn vị chưa khai báo buổi làm việc nào để tính thời hạn."))
        day = moment.date()
        for _ in range(_MAX_SCAN_DAYS):
            for session in self.sessions(day):
                if working_only and not session.working:
                    continue
                if session.closes <= moment:
                    continue
                yield session
            day += dt.timedelta(days=1)
        raise NoOfficeTime(gettext("Đơn vị chưa khai báo giờ tiếp nhận hoặc giờ làm việc."))

    # moments -------------------------------------------------------------------------------
    def reception_moment(self, submitted_at: dt.datetime, *, round_the_clock: bool) -> dt.datetime:
        if round_the_clock:
            return round_the_clock_reception(submitted_at)
        local = _local(submitted_at, "submitted_at")
        session = next(self.sessions_from(local, working_only=False))
        return max(local, session.opens)

    def add_office_time(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        local = _local(start, "start")
        if duration < dt.timedelta(0):
            raise ValueError("duration must not be negative")
        if duration == dt.timedelta(0):
            return local
        remaining = duration
        for session in self.sessions_from(local, working_only=True):
            begin = max(session.opens, local)
            available = session.closes - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable")  # pragma: no cover

    def office_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        start_local = _local(start, "start")
        end_local = _local(end, "end")
        if end_local < start_local:
            raise ValueError("end must not be earlier than start")
        total = dt.timedelta()
        day = start_local.date()
        while day <= end_local.date():
            for session in self.sessions(day):
                if not session.working:
                    continue
                begin = max(session.opens, start_local)
                finish = min(session.closes, end_local)
                if finish > begin:
                    total += finish - begin
            day += dt.timedelta(days=1)
        return total

    def due_moment(self, received_at: dt.datetime, working_days: Decimal) -> dt.datetime:
        return self.add_office_time(received_at, self.working_days_duration(working_days))

    def working_days_duration(self, working_days: Decimal | int | str) -> dt.timedelta:
        days = Decimal(str(working_days))
        if days < 0:
            raise ValueError("working_days must not be negative")
        if days and not self.day_length:
            raise NoOfficeTime(
                gettext("Đơn vị chưa khai báo giờ làm việc thứ Hai để tính một ngày làm việc.")
            )
        micro = Decimal(self.day_length // dt.timedelta(microseconds=1)) * days
        return dt.timedelta(microseconds=int(micro.to_integral_value()))


def _weekly_sessions(unit: PoliceUnit | None) -> list[list[tuple[dt.time, dt.time, str]]]:
    """Seven lists (Monday..Sunday) of non-overlapping (opens, closes, kind), sorted."""
    rows: list[tuple[int, dt.time, dt.time, str]] = []
    if unit is not None:
        # `.all()` honours prefetch_related("office_hours"); otherwise one query.
        rows = [(r.weekday, r.opens, r.closes, r.kind) for r in unit.office_hours.all()]
    if not rows:
        rows = list(DEFAULT_OFFICE_HOURS)
    week: list[list[tuple[dt.time, dt.time, str]]] = [[] for _ in range(7)]
    for weekday, opens, closes, kind in rows:
        if opens < closes:
            week[weekday].append((opens, closes, kind))
    return [_merge(day) for day in week]


def _merge(sessions: list[tuple[dt.time, dt.time, str]]) -> list[tuple[dt.time, dt.time, str]]:
    """Resolve overlapping rows (bad admin input) so that office time is never counted twice.

    Where a working and a reception-only session overlap, the overlap counts as working.
    """
    points = sorted({t for opens, closes, _ in sessions for t in (opens, closes)})
    pieces: list[tuple[dt.time, dt.time, str]] = []
    for begin, finish in zip(points, points[1:], strict=False):
        kinds = {kind for opens, closes, kind in sessions if opens <= begin and finish <= closes}
        if not kinds:
            continue
        kind = _WORKING if _WORKING in kinds else _RECEPTION_ONLY
        if pieces and pieces[-1][1] == begin and pieces[-1][2] == kind:
            pieces[-1] = (pieces[-1][0], finish, kind)
        else:
            pieces.append((begin, finish, kind))
    return pieces


def _duration(opens: dt.time, closes: dt.time) -> dt.timedelta:
    day = dt.date(2000, 1, 3)
    return dt.datetime.combine(day, closes) - dt.datetime.combine(day, opens)


def _local(value: dt.datetime, name: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return value.astimezone(LOCAL_TZ)


# ---------------------------------------------------------------------------------------------
# Public API


def is_working_day(day: dt.date) -> bool:
    """Whether `day` counts for deadlines (holidays.VN + admin overrides); one query at most."""
    if isinstance(day, dt.datetime):
        raise TypeError("day must be a date, not a datetime")
    override = CalendarOverride.objects.filter(date=day).values_list("kind", flat=True).first()
    if override == CalendarOverride.Kind.DAY_OFF:
        return False
    if override == CalendarOverride.Kind.WORKED_DAY:
        return True
    return _package_says_working(day)


def round_the_clock_reception(submitted_at: dt.datetime) -> dt.datetime:
    """Reception of a round-the-clock procedure (stay notification), no office hours needed:
    before 23:00 local → `submitted_at`; at or after 23:00 → 08:00 the next calendar day."""
    local = _local(submitted_at, "submitted_at")
    if local.time() < ROUND_THE_CLOCK_CUTOFF:
        return local
    next_day = local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(next_day, ROUND_THE_CLOCK_NEXT_DAY, LOCAL_TZ)


def reception_moment(
    *,
    submitted_at: dt.datetime,
    unit: PoliceUnit | None = None,
    round_the_clock: bool = False,
) -> dt.datetime:
    """When an online submission is received (Asia/Ho_Chi_Minh).

    Office-hours reception: inside a session (working or reception-only) → `submitted_at`,
    otherwise the start of the next session. Round-the-clock (stay notification): before 23:00
    local → `submitted_at`; at or after 23:00 → 08:00 the next calendar day.
    """
    return _Calendar(unit).reception_moment(submitted_at, round_the_clock=round_the_clock)


def due_moment(
    *,
    received_at: dt.datetime,
    working_days: Decimal,
    unit: PoliceUnit | None = None,
) -> dt.datetime:
    """`received_at` plus `working_days` of the unit's office time (working sessions only)."""
    return _Calendar(unit).due_moment(received_at, working_days)


def add_office_time(
    *, start: dt.datetime, duration: dt.timedelta, unit: PoliceUnit | None = None
) -> dt.datetime:
    """The moment when `duration` of office time (working sessions) has elapsed after `start`."""
    return _Calendar(unit).add_office_time(start, duration)


def office_time_between(
    *, start: dt.datetime, end: dt.datetime, unit: PoliceUnit | None = None
) -> dt.timedelta:
    """Office time (working sessions on working days) inside [start, end]."""
    return _Calendar(unit).office_time_between(start, end)


def office_calendar(unit: PoliceUnit | None = None) -> _Calendar:
    """One unit's calendar for many computations in a row (statistics): its office hours are read
    once, overrides once per 180-day window. Offers `office_time_between(start, end)` and
    `day_length` (one working day of office time)."""
    return _Calendar(unit)


def estimate(
    *, procedure: Procedure, submitted_at: dt.datetime, unit: PoliceUnit | None = None
) -> Estimate:
    """Reception and due moments of a submission of `procedure` made at `submitted_at`."""
    from portal.catalogue.models import DeadlineKind, ReceptionMode

    calendar = _Calendar(unit)
    received_at = calendar.reception_moment(
        submitted_at, round_the_clock=procedure.reception_mode == ReceptionMode.ROUND_THE_CLOCK
    )
    if procedure.deadline_kind == DeadlineKind.IMMEDIATE:
        return Estimate(received_at=received_at, due_at=received_at)
    return Estimate(
        received_at=received_at,
        due_at=calendar.due_moment(received_at, procedure.deadline_days),
    )
