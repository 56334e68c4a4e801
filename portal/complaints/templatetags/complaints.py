"""`{% dossier_complaint_box dossier %}` on the citizen's dossier page: the satisfaction rating
(once the result was returned) and "Phản ánh về hồ sơ này". Kept here so that the dossier engine
does not depend on the complaints app."""

from __future__ import annotations

from django import template

from portal.dossiers.models import State

register = template.Library()


@register.inclusion_tag("complaints/dossier_box.html", takes_context=True)
def dossier_complaint_box(context, dossier):
    from portal.complaints.forms import RatingForm
    from portal.complaints.models import Complaint
    from portal.complaints.selectors import rating_for

    user = context.get("user")
    owner = bool(user is not None and user.is_authenticated and dossier.citizen_id == user.pk)
    show_rating = owner and dossier.state == State.RESULT_RETURNED
    show_complaint = owner and dossier.state != State.DRAFT
    return {
        "dossier": dossier,
        "show_rating": show_rating,
        "rating": rating_for(dossier=dossier) if show_rating else None,
        "rating_form": RatingForm() if show_rating else None,
        "show_complaint": show_complaint,
        "complaints": list(
            Complaint.objects.filter(dossier_id=dossier.pk, citizen_id=user.pk).order_by(
                "-created_at"
            )[:10]
        )
        if show_complaint
        else [],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("complaints/staff_dossier_box.html")
def staff_dossier_complaints(dossier):
    """On the admin dossier page: the citizen's satisfaction rating (a low one stands out) and
    the complaints about this dossier (the page itself is already scoped to the user)."""
    from django.urls import reverse

    from portal.complaints.models import Complaint
    from portal.complaints.selectors import rating_for

    complaints = [
        (c, reverse("admin:complaints_complaint_change", args=[c.pk]))
        for c in Complaint.objects.filter(dossier_id=dossier.pk).order_by("-created_at")[:20]
    ]
    return {"rating": rating_for(dossier=dossier), "complaints": complaints}
