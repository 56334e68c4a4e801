"""Reading complaints, with who-may-see-what built in (same rules as dossiers). A miss is always
NotFound (404), never 403.

- a citizen: their own complaints; a complainant without an account: the complaints filed with
  the phone number they verified in this session;
- an officer: complaints about their own unit; a supervisor: complaints about any unit of their
  subtree (so also those escalated to them); an administrator: all;
- staff signed in with a password only (no second factor): none.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.accounts.models import Role
from portal.core.errors import NotFound
from portal.dossiers.selectors import _second_factor_ok

from .models import Complaint, ComplaintEvent, ComplaintState, SatisfactionRating


def _not_found() -> NotFound:
    return NotFound(_("Không tìm thấy phản ánh."), code="not_found")


def visible_complaints(*, user, verified_phone: str = "") -> QuerySet[Complaint]:
    qs = Complaint.objects.all()
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    if not authenticated:
        if verified_phone:
            return qs.filter(citizen__isnull=True, phone=verified_phone)
        return qs.none()
    if not user.is_active:
        return qs.none()
    staff = user.is_superuser or getattr(user, "is_officer", False)
    if staff and not _second_factor_ok(user):
        return qs.none()
    if user.is_superuser or (
        getattr(user, "is_officer", False) and user.has_role(Role.ADMINISTRATOR)
    ):
        return qs
    if getattr(user, "is_officer", False):
        if not user.unit_id:
            return qs.none()
        if user.has_role(Role.SUPERVISOR):
            return qs.filter(unit__path__startswith=user.unit.path)
        return qs.filter(unit_id=user.unit_id)
    return qs.filter(citizen_id=user.pk)


def complaint_list(
    *, user, verified_phone: str = "", state: str | None = None, repeat: bool | None = None
) -> QuerySet[Complaint]:
    """Newest first, repeats highlighted by the caller; unit, handling unit and dossier joined
    (one query per page whatever the number of complaints)."""
    qs = visible_complaints(user=user, verified_phone=verified_phone).select_related(
        "unit", "handling_unit", "dossier", "handling_unit__parent"
    )
    if state:
        qs = qs.filter(state=state)
    if repeat is not None:
        qs = qs.filter(is_repeat=repeat)
    return qs.order_by("-created_at", "-pk")


def get_complaint_for_user(*, user, pk, verified_phone: str = "") -> Complaint:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise _not_found() from None
    complaint = (
        visible_complaints(user=user, verified_phone=verified_phone)
        .select_related("unit", "handling_unit", "handling_unit__parent", "dossier", "citizen")
        .prefetch_related(
            "attachments",
            Prefetch(
                "events",
                queryset=ComplaintEvent.objects.select_related(
                    "actor", "actor_unit", "handling_unit"
                ).order_by("at", "pk"),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if complaint is None:
        raise _not_found()
    return complaint


@dataclass(frozen=True)
class TimelineEntry:
    at: object
    action: str
    label: str
    to_state: str
    to_state_label: str
    actor_label: str
    reason: str
    step_due_at: object
    details: dict


ACTION_LABELS = {
    "file": gettext_lazy("Gửi phản ánh"),
    "direct": gettext_lazy("Cấp trên chỉ đạo giải quyết"),
    "contact": gettext_lazy("Đơn vị liên hệ với công dân"),
    "resolve": gettext_lazy("Đơn vị giải quyết xong"),
    "close": gettext_lazy("Cấp trên xác nhận kết thúc"),
    "confirm": gettext_lazy("Công dân xác nhận đã được giải quyết"),
    "reopen": gettext_lazy("Công dân mở lại phản ánh"),
    "escalate": gettext_lazy("Chuyển lên cấp trên"),
    "reopen_dossier": gettext_lazy("Cấp trên mở lại hồ sơ"),
}


def timeline(*, complaint: Complaint, for_citizen: bool) -> list[TimelineEntry]:
    """History, oldest first. Citizens see units, never an officer's name."""
    entries = []
    for event in complaint.events.all():
        if event.actor_kind == "staff":
            unit_name = event.actor_unit.name if event.actor_unit_id else ""
            if for_citizen:
                actor_label = unit_name
            else:
                name = str(event.actor) if event.actor_id else ""
                role = event.get_actor_role_display() if event.actor_role else ""
                actor_label = ", ".join(p for p in (name, role, unit_name) if p)
        elif event.actor_kind == "citizen":
            actor_label = _("Công dân")
        else:
            actor_label = _("Hệ thống")
        details = dict(event.details or {})
        if event.action == "escalate":
            actor_label = actor_label or _("Hệ thống")
            details["to_unit_name"] = event.handling_unit.name
        entries.append(
            TimelineEntry(
                at=event.at,
                action=event.action,
                label=str(ACTION_LABELS.get(event.action, event.action)),
                to_state=event.to_state,
                to_state_label=str(ComplaintState(event.to_state).label),
                actor_label=str(actor_label),
                reason=event.reason,
                step_due_at=event.step_due_at,
                details=details,
            )
        )
    return entries


def rating_for(*, dossier) -> SatisfactionRating | None:
    return SatisfactionRating.objects.filter(dossier_id=dossier.pk).first()


def visible_ratings(*, user) -> QuerySet[SatisfactionRating]:
    """Ratings of the dossiers a back-office user may see (supervisor: the subtree)."""
    from portal.backoffice.selectors import dossiers_for_staff

    visible = dossiers_for_staff(user=user)
    return SatisfactionRating.objects.filter(dossier__in=visible.values("pk")).select_related(
        "dossier", "dossier__unit", "dossier__procedure"
    )
