"""`{% booking_box dossier %}`: on the citizen's dossier page, the appointment of a dossier whose
procedure needs a visit, with the link “Đặt lịch hẹn” (or the current appointment)."""

from __future__ import annotations

from django import template

from portal.booking import services

register = template.Library()


@register.inclusion_tag("booking/_box.html", takes_context=True)
def booking_box(context, dossier):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or dossier.citizen_id != getattr(user, "pk", None):
        return {"show": False}
    appointment = services.appointment_for(dossier)
    needed, reason = services.visit_needed(dossier)
    from portal.dossiers.models import FINAL_STATES, State

    open_dossier = dossier.state not in FINAL_STATES and dossier.state != State.DRAFT
    return {
        "show": appointment is not None or (needed and open_dossier),
        "dossier": dossier,
        "appointment": appointment,
        "reason": reason,
    }
