"""Who may see which appointment: a citizen their own; an officer their unit's; a supervisor the
unit subtree; an administrator all. Outside → 404 (NotFound)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from portal.accounts.models import Role
from portal.core.errors import NotFound
from portal.units.models import PoliceUnit
from portal.workcalendar.services import LOCAL_TZ

from .models import Appointment


def _not_found() -> NotFound:
    return NotFound(_("Không tìm thấy lịch hẹn."), code="not_found")


def appointments_for_citizen(*, citizen) -> QuerySet[Appointment]:
    """The citizen's own appointments, the latest slot first (unit and dossier joined)."""
    if citizen is None or not getattr(citizen, "is_authenticated", False):
        return Appointment.objects.none()
    return (
        Appointment.objects.filter(citizen_id=citizen.pk)
        .select_related("unit", "dossier")
        .order_by("-starts_at", "-pk")
    )


def get_appointment_for_citizen(*, citizen, pk) -> Appointment:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise _not_found() from None
    appointment = appointments_for_citizen(citizen=citizen).filter(pk=pk).first()
    if appointment is None:
        raise _not_found()
    return appointment


def appointments_visible_to_staff(*, user) -> QuerySet[Appointment]:
    """Appointments of the units `user` oversees: officer → own unit; supervisor → subtree;
    administrator → all; anyone else → none."""
    qs = Appointment.objects.select_related("unit", "dossier", "citizen", "dossier__procedure")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if not _second_factor_ok(user):
        return qs.none()
    if user.is_superuser or (
        getattr(user, "is_officer", False) and user.has_role(Role.ADMINISTRATOR)
    ):
        return qs
    if not getattr(user, "is_officer", False) or not user.unit_id:
        return qs.none()
    condition = Q(unit_id=user.unit_id)
    if user.has_role(Role.SUPERVISOR):
        condition |= Q(unit__path__startswith=user.unit.path)
    return qs.filter(condition)


def _second_factor_ok(user) -> bool:
    """Same rule as the dossiers: an officer signed in with a password only sees nothing."""
    from django.conf import settings

    if not getattr(settings, "BACKOFFICE_OTP_REQUIRED", True):
        return True
    is_verified = getattr(user, "is_verified", None)
    return is_verified is None or bool(is_verified())


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, LOCAL_TZ)
    return start, start + dt.timedelta(days=1)


def day_list(*, user, day: dt.date) -> QuerySet[Appointment]:
    """One day's appointments of the units `user` oversees, in time order."""
    start, end = day_bounds(day)
    return (
        appointments_visible_to_staff(user=user)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at", "seat_no")
    )


def bookable_unit(*, code: str) -> PoliceUnit | None:
    """An active unit with its office hours prefetched (public data)."""
    return (
        PoliceUnit.objects.filter(code=code, is_active=True)
        .prefetch_related("office_hours")
        .first()
    )
