"""Appointment booking services: free slots, book, move, cancel, check in, no-show.

Slots come from the unit's calendar (portal.workcalendar): its office-hours sessions on each day
(none on holidays, extra days off; worked Saturdays follow the calendar), cut into slots of the
unit's `SlotPolicy` (or the defaults in settings), from tomorrow up to `BOOKING_DAYS_AHEAD` days.

Double booking: each active appointment holds one seat (1..capacity) of its slot and the database
refuses two active holders of one seat (`booking_one_holder_per_seat`). `_hold_seat` picks the
lowest free seat in a savepoint and retries after a concurrent transaction took it first; when no
seat is left the slot is full (409). The dossier row is locked first, so one dossier never gets two
appointments either.

The dossier engine does not know which procedures need a visit: a plugin answers
`needs_visit(dossier=...) -> (bool, reason)` (default: no visit), see `visit_needed`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.access import can_act_for_unit
from portal.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from portal.workcalendar.models import CalendarOverride
from portal.workcalendar.services import LOCAL_TZ, is_public_holiday, office_calendar

from .models import (
    ACTIVE_STATES,
    PENDING_STATES,
    Appointment,
    AppointmentEvent,
    AppointmentState,
    SlotPolicy,
)

__all__ = [
    "Slot",
    "SlotFull",
    "SlotRefused",
    "appointment_for",
    "appointment_slip_context",
    "book",
    "booking_window",
    "cancel",
    "check_in",
    "free_slots",
    "mark_no_show",
    "move",
    "release_for_closed_dossier",
    "slot_policy",
    "visit_needed",
]


class SlotRefused(DomainError):
    """The requested time is not a bookable slot (holiday, outside hours, past, too far)."""

    code = "slot_refused"
    status = 400


class SlotFull(Conflict):
    code = "slot_full"


@dataclass(frozen=True)
class Slot:
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    taken: int = 0

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)


# ---------------------------------------------------------------------------------------------
# helpers


def _now() -> dt.datetime:
    return timezone.now()


def _fmt(moment: dt.datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y")


def booking_window(*, now: dt.datetime | None = None) -> tuple[dt.date, dt.date]:
    """(first, last) days a citizen may book: tomorrow … today + BOOKING_DAYS_AHEAD (local)."""
    today = (now or _now()).astimezone(LOCAL_TZ).date()
    days_ahead = max(int(getattr(settings, "BOOKING_DAYS_AHEAD", 14)), 1)
    return today + dt.timedelta(days=1), today + dt.timedelta(days=days_ahead)


def _policies(unit) -> dict[int | None, tuple[int, int]]:
    return {
        p.weekday: (p.slot_minutes, p.capacity)
        for p in SlotPolicy.objects.filter(unit=unit).only("weekday", "slot_minutes", "capacity")
    }


def slot_policy(*, unit, weekday: int, policies=None) -> tuple[int, int]:
    """(slot minutes, capacity) of `unit` on `weekday` (0 = Monday)."""
    if policies is None:
        policies = _policies(unit)
    found = policies.get(weekday) or policies.get(None)
    if found:
        return found
    return (
        int(getattr(settings, "BOOKING_DEFAULT_SLOT_MINUTES", 30)),
        int(getattr(settings, "BOOKING_DEFAULT_CAPACITY", 2)),
    )


def _day_slots(
    calendar, policies, unit, day: dt.date
) -> list[tuple[dt.datetime, dt.datetime, int]]:
    minutes, capacity = slot_policy(unit=unit, weekday=day.weekday(), policies=policies)
    step = dt.timedelta(minutes=minutes)
    result = []
    for session in calendar.sessions(day):
        start = session.opens
        while start + step <= session.closes:
            result.append((start, start + step, capacity))
            start += step
    return result


def _taken(unit, start: dt.datetime, end: dt.datetime) -> Counter:
    rows = Appointment.objects.filter(
        unit=unit, state__in=ACTIVE_STATES, starts_at__gte=start, starts_at__lt=end
    ).values_list("starts_at", flat=True)
    return Counter(rows)


def free_slots(
    *,
    unit,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    include_full: bool = False,
    now: dt.datetime | None = None,
) -> list[Slot]:
    """The unit's slots with free capacity between `date_from` and `date_to` (inclusive, clamped
    to the booking window). A fixed number of queries whatever the range."""
    first, last = booking_window(now=now)
    date_from = max(date_from or first, first)
    date_to = min(date_to or last, last)
    if date_to < date_from:
        return []
    calendar = office_calendar(unit)
    policies = _policies(unit)
    candidates = []
    day = date_from
    while day <= date_to:
        candidates.extend(_day_slots(calendar, policies, unit, day))
        day += dt.timedelta(days=1)
    if not candidates:
        return []
    taken = _taken(unit, candidates[0][0], candidates[-1][1])
    slots = [
        Slot(starts_at=s, ends_at=e, capacity=c, taken=taken.get(s, 0)) for s, e, c in candidates
    ]
    return slots if include_full else [s for s in slots if s.free > 0]


def _is_day_off(day: dt.date) -> bool:
    override = CalendarOverride.objects.filter(date=day).values_list("kind", flat=True).first()
    if override == CalendarOverride.Kind.DAY_OFF:
        return True
    if override == CalendarOverride.Kind.WORKED_DAY:
        return False
    # the generated table (workcalendar/vn_holidays.py): web workers never import `holidays`
    return is_public_holiday(day)


def _check_slot(*, unit, starts_at: dt.datetime) -> tuple[dt.datetime, int]:
    """(ends_at, capacity) of the slot starting at `starts_at`, or a specific refusal."""
    if not isinstance(starts_at, dt.datetime) or timezone.is_naive(starts_at):
        raise SlotRefused(
            _(
                "Thời điểm hẹn không hợp lệ: cần ngày giờ có múi giờ, ví dụ 2026-03-02T08:00:00+07:00."
            ),
            code="invalid_starts_at",
        )
    local = starts_at.astimezone(LOCAL_TZ)
    now = _now()
    if local <= now:
        raise SlotRefused(
            _("Khung giờ %(time)s đã qua; vui lòng chọn khung giờ khác.") % {"time": _fmt(local)},
            code="slot_past",
        )
    first, last = booking_window(now=now)
    if local.date() < first:
        raise SlotRefused(
            _("Chỉ đặt được lịch hẹn từ ngày %(day)s trở đi.") % {"day": f"{first:%d/%m/%Y}"},
            code="slot_too_soon",
        )
    if local.date() > last:
        raise SlotRefused(
            _("Chỉ đặt được lịch hẹn đến hết ngày %(day)s.") % {"day": f"{last:%d/%m/%Y}"},
            code="slot_too_far",
        )
    calendar = office_calendar(unit)
    policies = _policies(unit)
    day_slots = _day_slots(calendar, policies, unit, local.date())
    if not day_slots and _is_day_off(local.date()):
        raise SlotRefused(
            _(
                "Ngày %(day)s là ngày nghỉ lễ, Tết hoặc ngày nghỉ; đơn vị không tiếp công dân. "
                "Vui lòng chọn ngày khác."
            )
            % {"day": f"{local:%d/%m/%Y}"},
            code="slot_holiday",
        )
    for start, end, capacity in day_slots:
        if start == local:
            return end, capacity
    raise SlotRefused(
        _(
            "%(time)s không phải là khung giờ tiếp công dân của %(unit)s (ngoài giờ làm việc "
            "hoặc không đúng đầu khung giờ). Vui lòng chọn trong danh sách khung giờ còn trống."
        )
        % {"time": _fmt(local), "unit": unit.name},
        code="slot_outside_hours",
    )


def _constraint_name(exc: IntegrityError) -> str:
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    return getattr(diag, "constraint_name", "") or ""


def _already_booked() -> Conflict:
    return Conflict(
        _("Hồ sơ này đã có lịch hẹn; hãy đổi hoặc hủy lịch hẹn đó."), code="already_booked"
    )


def _hold_seat(appointment: Appointment, *, capacity: int) -> None:
    """Save `appointment` in the lowest free seat of its slot, or raise SlotFull."""
    full = SlotFull(
        _("Khung giờ %(time)s đã đủ người hẹn; vui lòng chọn khung giờ khác.")
        % {"time": _fmt(appointment.starts_at)}
    )
    for _attempt in range(capacity + 2):
        taken = set(
            Appointment.objects.filter(
                unit_id=appointment.unit_id,
                starts_at=appointment.starts_at,
                state__in=ACTIVE_STATES,
            )
            .exclude(pk=appointment.pk)
            .values_list("seat_no", flat=True)
        )
        seat = next((n for n in range(1, capacity + 1) if n not in taken), None)
        if seat is None:
            raise full
        appointment.seat_no = seat
        try:
            with transaction.atomic():
                appointment.save()
            return
        except IntegrityError as exc:
            name = _constraint_name(exc)
            if name == "booking_one_active_appointment_per_dossier":
                raise _already_booked() from None
            if name and name != "booking_one_holder_per_seat":
                raise
            # another transaction took this seat first: look again
    raise full


def _event(appointment: Appointment, kind: str, *, actor, previous=None, note: str = "") -> None:
    AppointmentEvent.objects.create(
        appointment=appointment,
        kind=kind,
        actor=actor,
        starts_at=appointment.starts_at,
        previous_starts_at=previous,
        note=note[:300],
    )


def _plugin_hook(appointment: Appointment, name: str, *, actor) -> None:
    """Call the dossier's plugin's optional `name(dossier=, appointment=, actor=)` in the caller's
    transaction (raising rolls the booking change back)."""
    if not appointment.dossier_id:
        return
    from portal.dossiers.registry import registry

    plugin = registry.get(appointment.dossier.procedure.code)
    hook = getattr(plugin, name, None)
    if hook is not None:
        hook(dossier=appointment.dossier, appointment=appointment, actor=actor)


def _lock(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=appointment.pk)
    )


def _not_found() -> NotFound:
    return NotFound(_("Không tìm thấy lịch hẹn."), code="not_found")


def _owner(appointment: Appointment, actor) -> None:
    if actor is None or not actor.is_authenticated or appointment.citizen_id != actor.pk:
        raise _not_found()


# ---------------------------------------------------------------------------------------------
# the hook for procedures


def visit_needed(dossier) -> tuple[bool, str]:
    """Whether the dossier's procedure needs the citizen to come to the unit, and why
    (`ProcedurePlugin.needs_visit`; plugins without the method need no visit)."""
    from portal.dossiers.registry import registry

    plugin = registry.get(dossier.procedure.code)
    if plugin is None:  # a procedure without a plugin is not filed online: nothing to book
        return False, ""
    method = getattr(plugin, "needs_visit", None)
    if method is None:
        return False, ""
    needed, reason = method(dossier=dossier)
    return bool(needed), str(reason or "")


def appointment_for(dossier) -> Appointment | None:
    """The dossier's current appointment (booked, moved or checked in), or None."""
    if dossier is None or dossier.pk is None:
        return None
    return (
        Appointment.objects.filter(dossier=dossier, state__in=ACTIVE_STATES)
        .select_related("unit")
        .first()
    )


def appointment_slip_context(appointment: Appointment) -> dict[str, str]:
    """Time and place of an appointment as an appointment slip (e.g. CC02) prints them."""
    start = appointment.starts_at.astimezone(LOCAL_TZ)
    end = appointment.ends_at.astimezone(LOCAL_TZ)
    unit = appointment.unit
    return {
        "appointment_date": f"{start:%d/%m/%Y}",
        "appointment_time": f"{start:%H:%M}–{end:%H:%M}",
        "appointment_starts_at": start.isoformat(),
        "appointment_ends_at": end.isoformat(),
        "appointment_unit_name": unit.name,
        "appointment_unit_address": unit.address or "",
        "appointment_unit_phone": unit.phone or "",
    }


# ---------------------------------------------------------------------------------------------
# citizen actions


@transaction.atomic
def book(*, citizen, dossier, starts_at: dt.datetime, unit=None) -> Appointment:
    """Book the slot starting at `starts_at` at `unit` (default: the dossier's unit) for the
    citizen's dossier. Refusals: not the citizen's dossier (404), no visit needed / dossier not
    submitted or closed / already booked / slot full (409), holiday, outside hours, past, out of
    the booking window (400)."""
    from portal.dossiers.models import FINAL_STATES, Dossier, State

    if citizen is None or not citizen.is_authenticated:
        raise PermissionDenied(_("Bạn cần đăng nhập."), code="not_authenticated")
    if dossier is not None:
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("procedure", "unit")
            .filter(pk=dossier.pk, citizen_id=citizen.pk)
            .first()
        )
        if dossier is None:
            raise NotFound(_("Không tìm thấy hồ sơ."), code="not_found")
        if dossier.state == State.DRAFT:
            raise Conflict(
                _("Vui lòng nộp hồ sơ trước khi đặt lịch hẹn."), code="dossier_not_submitted"
            )
        if dossier.state in FINAL_STATES:
            raise Conflict(_("Hồ sơ đã kết thúc, không thể đặt lịch hẹn."), code="dossier_closed")
        needed, _reason = visit_needed(dossier)
        if not needed:
            raise Conflict(
                _("Hồ sơ này không cần đến trụ sở Công an nên không cần đặt lịch hẹn."),
                code="visit_not_needed",
            )
        if appointment_for(dossier) is not None:
            raise _already_booked()
        unit = unit or dossier.unit
    if unit is None:
        raise DomainError(_("Vui lòng chọn đơn vị Công an."), code="unit_required")
    if not unit.is_active:
        raise NotFound(_("Không tìm thấy đơn vị Công an."), code="unit_not_found")
    ends_at, capacity = _check_slot(unit=unit, starts_at=starts_at)
    appointment = Appointment(
        unit=unit,
        dossier=dossier,
        citizen=citizen,
        starts_at=starts_at.astimezone(LOCAL_TZ),
        ends_at=ends_at,
        state=AppointmentState.BOOKED,
    )
    _hold_seat(appointment, capacity=capacity)
    _event(appointment, AppointmentState.BOOKED, actor=citizen)
    # The procedure may issue its appointment slip (e.g. CC02) naming the time and place.
    _plugin_hook(appointment, "on_visit_booked", actor=citizen)
    return appointment


@transaction.atomic
def move(*, actor, appointment: Appointment, starts_at: dt.datetime) -> Appointment:
    """Move the citizen's appointment to another slot of the same unit, before it starts."""
    _owner(appointment, actor)
    locked = _lock(appointment)
    if locked.state not in PENDING_STATES:
        raise Conflict(
            _("Lịch hẹn ở trạng thái “%(state)s” nên không đổi được.")
            % {"state": locked.get_state_display()},
            code="appointment_not_pending",
        )
    if locked.starts_at <= _now():
        raise Conflict(_("Đã đến giờ hẹn nên không đổi lịch được nữa."), code="appointment_started")
    new_start = starts_at.astimezone(LOCAL_TZ) if isinstance(starts_at, dt.datetime) else None
    if new_start is not None and new_start == locked.starts_at:
        raise SlotRefused(_("Khung giờ mới trùng với khung giờ đang hẹn."), code="slot_unchanged")
    ends_at, capacity = _check_slot(unit=locked.unit, starts_at=starts_at)
    previous = locked.starts_at
    locked.starts_at = new_start
    locked.ends_at = ends_at
    locked.state = AppointmentState.MOVED
    _hold_seat(locked, capacity=capacity)
    _event(locked, AppointmentState.MOVED, actor=actor, previous=previous)
    _plugin_hook(locked, "on_visit_booked", actor=actor)
    return locked


@transaction.atomic
def cancel(*, actor, appointment: Appointment, reason: str = "") -> Appointment:
    """Cancel the citizen's appointment before its slot starts (the seat is freed at once)."""
    _owner(appointment, actor)
    locked = _lock(appointment)
    if locked.state not in PENDING_STATES:
        raise Conflict(
            _("Lịch hẹn ở trạng thái “%(state)s” nên không hủy được.")
            % {"state": locked.get_state_display()},
            code="appointment_not_pending",
        )
    if locked.starts_at <= _now():
        raise Conflict(_("Đã đến giờ hẹn nên không hủy lịch được nữa."), code="appointment_started")
    locked.state = AppointmentState.CANCELLED
    locked.closed_at = _now()
    locked.save(update_fields=["state", "closed_at", "updated_at"])
    _event(locked, AppointmentState.CANCELLED, actor=actor, note=reason)
    return locked


# ---------------------------------------------------------------------------------------------
# staff actions


def _staff_of_unit(appointment: Appointment, actor) -> None:
    if not can_act_for_unit(actor, appointment.unit):
        # Outside the unit: the appointment does not exist for this person.
        raise _not_found()


@transaction.atomic
def check_in(*, actor, appointment: Appointment) -> Appointment:
    """An officer of the unit records that the citizen came (on the day of the appointment).
    The caller may then issue its collection slip (e.g. CC01)."""
    _staff_of_unit(appointment, actor)
    locked = _lock(appointment)
    if locked.state not in PENDING_STATES:
        raise Conflict(
            _("Lịch hẹn ở trạng thái “%(state)s” nên không ghi nhận đến được.")
            % {"state": locked.get_state_display()},
            code="appointment_not_pending",
        )
    now = _now()
    if now.astimezone(LOCAL_TZ).date() != locked.starts_at.astimezone(LOCAL_TZ).date():
        raise Conflict(
            _("Chỉ ghi nhận công dân đến vào đúng ngày hẹn (%(day)s).")
            % {"day": f"{locked.starts_at.astimezone(LOCAL_TZ):%d/%m/%Y}"},
            code="not_appointment_day",
        )
    locked.state = AppointmentState.CHECKED_IN
    locked.checked_in_at = now
    locked.checked_in_by = actor
    locked.save(update_fields=["state", "checked_in_at", "checked_in_by", "updated_at"])
    _event(locked, AppointmentState.CHECKED_IN, actor=actor)
    # The procedure may act on the visit (e.g. issue its collection slip CC01).
    _plugin_hook(locked, "on_visit_checked_in", actor=actor)
    return locked


@transaction.atomic
def mark_no_show(*, actor, appointment: Appointment) -> Appointment:
    """An officer of the unit records that the citizen did not come (after the slot ended)."""
    _staff_of_unit(appointment, actor)
    locked = _lock(appointment)
    if locked.state not in PENDING_STATES:
        raise Conflict(
            _("Lịch hẹn ở trạng thái “%(state)s” nên không ghi nhận vắng được.")
            % {"state": locked.get_state_display()},
            code="appointment_not_pending",
        )
    if _now() < locked.ends_at:
        raise Conflict(
            _("Chỉ ghi nhận công dân không đến sau khi hết khung giờ hẹn (%(time)s).")
            % {"time": _fmt(locked.ends_at)},
            code="slot_not_over",
        )
    locked.state = AppointmentState.NO_SHOW
    locked.closed_at = _now()
    locked.save(update_fields=["state", "closed_at", "updated_at"])
    _event(locked, AppointmentState.NO_SHOW, actor=actor)
    return locked


# ---------------------------------------------------------------------------------------------
# the dossier ended


def release_for_closed_dossier(sender, instance, **kwargs) -> None:
    """post_save of a Dossier: once it is final, its pending appointment is cancelled (no query
    for any other save)."""
    from portal.dossiers.models import FINAL_STATES

    if instance.state not in FINAL_STATES or instance.pk is None:
        return
    if _never_booked(instance):
        return
    pending = list(
        Appointment.objects.select_for_update(of=("self",)).filter(
            dossier_id=instance.pk, state__in=PENDING_STATES
        )
    )
    for appointment in pending:
        appointment.state = AppointmentState.CANCELLED
        appointment.closed_at = _now()
        appointment.save(update_fields=["state", "closed_at", "updated_at"])
        _event(
            appointment,
            AppointmentState.CANCELLED,
            actor=None,
            note=_("Hồ sơ đã kết thúc (%(state)s).") % {"state": instance.get_state_display()},
        )


def _never_booked(dossier) -> bool:
    """True when the dossier's procedure never asks for a visit (its plugin keeps the base
    `ProcedurePlugin.needs_visit`): `book` refuses such a dossier, so it has no appointment to
    release and the query is spared (e.g. a stay notice recorded at once). Decided only from an
    already loaded procedure."""
    from portal.dossiers.models import Dossier
    from portal.dossiers.registry import ProcedurePlugin, registry

    if not Dossier.procedure.is_cached(dossier):
        return False
    plugin = registry.get(dossier.procedure.code)
    if plugin is None:
        return False
    method = getattr(plugin, "needs_visit", None)
    return getattr(method, "__func__", None) is ProcedurePlugin.needs_visit
