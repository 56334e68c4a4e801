"""Citizen booking pages: a plain form listing days and free times (no JavaScript), move, cancel.

Views only call selectors and services; a refusal is shown with the service's Vietnamese message.
"""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.core.errors import DomainError, NotFound
from portal.dossiers import selectors as dossier_selectors
from portal.dossiers.models import FINAL_STATES, State
from portal.workcalendar.services import LOCAL_TZ

from . import services
from .api import parse_starts_at


def _citizen_dossier(request: HttpRequest, code: str):
    if not getattr(request.user, "is_citizen", False):
        raise DjangoPermissionDenied(_("Chức năng này dành cho công dân."))
    dossier = dossier_selectors.dossiers_for_citizen(citizen=request.user).filter(code=code).first()
    if dossier is None:
        raise Http404
    return dossier


@login_required
def pick_slot(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _citizen_dossier(request, code)
    appointment = services.appointment_for(dossier)
    needed, reason = services.visit_needed(dossier)
    if request.method == "POST":
        try:
            starts_at = parse_starts_at(request.POST.get("starts_at", ""))
            if appointment is None:
                appointment = services.book(
                    citizen=request.user, dossier=dossier, starts_at=starts_at
                )
                done = _("Đã đặt lịch hẹn lúc %(time)s tại %(unit)s.")
            else:
                appointment = services.move(
                    actor=request.user, appointment=appointment, starts_at=starts_at
                )
                done = _("Đã đổi lịch hẹn sang %(time)s tại %(unit)s.")
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("booking:pick", code=dossier.code)
        messages.success(
            request,
            done
            % {
                "time": appointment.starts_at.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y"),
                "unit": appointment.unit.name,
            },
        )
        return redirect("booking:pick", code=dossier.code)
    closed = ""
    if dossier.state == State.DRAFT:
        closed = _("Vui lòng nộp hồ sơ trước khi đặt lịch hẹn.")
    elif dossier.state in FINAL_STATES:
        closed = _("Hồ sơ đã kết thúc, không thể đặt lịch hẹn.")
    unit = appointment.unit if appointment else dossier.unit
    offer = (needed and not closed and appointment is None) or (
        appointment is not None and appointment.is_pending
    )
    slots = services.free_slots(unit=unit) if offer else []
    if appointment is not None:
        slots = [s for s in slots if s.starts_at != appointment.starts_at]
    days = [
        (day, list(group))
        for day, group in groupby(slots, key=lambda s: s.starts_at.astimezone(LOCAL_TZ).date())
    ]
    return render(
        request,
        "booking/pick.html",
        {
            "dossier": dossier,
            "appointment": appointment,
            "needed": needed,
            "reason": reason,
            "unit": unit,
            "days": days,
            "can_change": appointment is not None and appointment.is_pending,
            "offer": offer,
            "closed": closed,
        },
    )


@login_required
@require_POST
def cancel(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _citizen_dossier(request, code)
    appointment = services.appointment_for(dossier)
    if appointment is None:
        messages.error(request, _("Hồ sơ này chưa có lịch hẹn."))
        return redirect("booking:pick", code=dossier.code)
    try:
        services.cancel(
            actor=request.user, appointment=appointment, reason=request.POST.get("reason", "")
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("booking:pick", code=dossier.code)
    messages.success(request, _("Đã hủy lịch hẹn."))
    return redirect("booking:pick", code=dossier.code)
