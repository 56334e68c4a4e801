"""Complaint services: every write and state change of complaints and satisfaction ratings.

Rules for every transition (like the dossier engine): lock the row, compare `expected_version`,
the transition must exist from the current state (Conflict) and the actor must hold the role
(PermissionDenied), then do the work, bump `version`, append an immutable `ComplaintEvent`, and
write the citizen's notifications in the same transaction (outbox rows).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from portal.accounts.models import Role
from portal.backoffice.services import clean_reason
from portal.core.errors import Conflict, DomainError, PermissionDenied
from portal.dossiers import attachments as attachment_checks
from portal.dossiers.models import REOPENABLE, Dossier, State
from portal.units.models import PoliceUnit

from .models import (
    Category,
    Complaint,
    ComplaintAttachment,
    ComplaintEvent,
    ComplaintState,
    PhoneActor,
    SatisfactionRating,
)

logger = logging.getLogger(__name__)

MIN_DESCRIPTION_LENGTH = 20
MAX_RESPONSE_HOURS = 80  # two working weeks: a longer "response deadline" is not "at once"


# ---------------------------------------------------------------------------------------------
# helpers


def _now() -> dt.datetime:
    return timezone.now()


def supervising_unit(unit: PoliceUnit) -> PoliceUnit:
    """The level above `unit` (its parent); a unit at the top supervises itself."""
    return unit.parent if unit.parent_id else unit


def route(*, unit: PoliceUnit, repeat: bool) -> PoliceUnit:
    """Who handles a complaint about `unit`: its supervising unit, or for a repeat complaint the
    level above that one (when there is one)."""
    handling = supervising_unit(unit)
    if repeat and handling.parent_id:
        handling = handling.parent
    return handling


def _deadline(start: dt.datetime, hours: int, unit: PoliceUnit) -> dt.datetime:
    from portal.workcalendar.services import NoOfficeTime, add_office_time

    try:
        return add_office_time(start=start, duration=dt.timedelta(hours=hours), unit=unit)
    except NoOfficeTime:  # broken office hours: fall back on calendar time, never block
        logger.warning("No office time for unit %s; complaint deadline in calendar hours", unit)
        return start + dt.timedelta(hours=hours)


def _step_hours(state: str) -> int:
    return {
        ComplaintState.RECEIVED: settings.COMPLAINT_DIRECT_HOURS,
        ComplaintState.DIRECTED: settings.COMPLAINT_RESPONSE_HOURS,
        ComplaintState.CONTACTED: settings.COMPLAINT_RESOLVE_HOURS,
        ComplaintState.RESOLVED: settings.COMPLAINT_CLOSE_HOURS,
    }.get(state, 0)


def _acting_unit(complaint: Complaint, state: str) -> PoliceUnit:
    """Whose calendar counts the step's deadline: the unit concerned contacts and resolves, the
    handling unit directs and closes."""
    if state in (ComplaintState.DIRECTED, ComplaintState.CONTACTED):
        return complaint.unit
    return complaint.handling_unit


def _lock(complaint: Complaint) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("unit", "handling_unit", "citizen", "dossier")
        .get(pk=complaint.pk)
    )


def _refresh_caller(complaint: Complaint, locked: Complaint) -> Complaint:
    if complaint is not locked:
        for field in Complaint._meta.concrete_fields:
            complaint.__dict__[field.attname] = locked.__dict__[field.attname]
        for name in ("handling_unit", "unit"):
            if Complaint._meta.get_field(name).is_cached(locked):
                setattr(complaint, name, getattr(locked, name))
    return locked


def _state_label(state: str) -> str:
    return str(ComplaintState(state).label)


def _check_version(complaint: Complaint, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != complaint.version:
        raise Conflict(
            _("Phản ánh đã được người khác thay đổi. Vui lòng tải lại trang."),
            code="changed_by_someone_else",
        )


def _run_transition(
    complaint: Complaint, *, name: str, actor, expected_version: int | None
) -> tuple[Complaint, str]:
    locked = _lock(complaint)
    _check_version(locked, expected_version)
    method = getattr(locked, name)
    if not can_proceed(method):
        raise Conflict(
            _("Không thể thực hiện thao tác này khi phản ánh đang ở trạng thái “%(state)s”.")
            % {"state": _state_label(locked.state)},
            code="invalid_transition",
            details={"state": locked.state},
        )
    if not has_transition_perm(method, actor):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với phản ánh."))
    previous = locked.state
    method()
    return locked, previous


def _actor_fields(actor, roles: tuple[str, ...] = ()) -> dict[str, Any]:
    if actor is None:
        return {"actor": None, "actor_kind": "system", "actor_role": "", "actor_unit": None}
    if isinstance(actor, PhoneActor):
        return {"actor": None, "actor_kind": "citizen", "actor_role": "", "actor_unit": None}
    if getattr(actor, "is_officer", False):
        role = next((r for r in roles if actor.has_role(r)), "")
        if not role:
            role = next(iter(sorted(actor.role_set())), "")
        return {
            "actor": actor,
            "actor_kind": "staff",
            "actor_role": role,
            "actor_unit_id": actor.unit_id,
        }
    if getattr(actor, "is_superuser", False):
        return {"actor": actor, "actor_kind": "staff", "actor_role": "", "actor_unit": None}
    return {"actor": actor, "actor_kind": "citizen", "actor_role": "", "actor_unit": None}


def _record(
    complaint: Complaint,
    *,
    action: str,
    from_state: str,
    actor,
    roles: tuple[str, ...] = (),
    reason: str = "",
    details: dict | None = None,
    at: dt.datetime | None = None,
) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint,
        at=at or _now(),
        action=action,
        from_state=from_state,
        to_state=complaint.state,
        handling_unit_id=complaint.handling_unit_id,
        step_due_at=complaint.step_due_at,
        reason=reason or "",
        details=details or {},
        **_actor_fields(actor, roles),
    )


def _save(complaint: Complaint, *fields: str) -> None:
    complaint.version += 1
    complaint.save(update_fields=["state", "version", "step_due_at", *fields])


def _fmt(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y") if moment else ""


def notify_complainant(event: str, *, complaint: Complaint, context: dict | None = None) -> None:
    """SMS and email to the complainant (their account's, or the verified phone), written in the
    caller's transaction."""
    from notifications.services import notify

    ctx = {
        "complaint_code": complaint.code,
        "unit_name": complaint.unit.name,
        "handling_unit_name": complaint.handling_unit.name,
        **(context or {}),
    }
    notify(
        event=event,
        user=complaint.citizen,
        phone=complaint.phone,
        email=complaint.email,
        context=ctx,
        about=complaint,
    )


def _text(value, *, field: str, label: str, min_length: int = 15) -> str:
    return clean_reason(value, field=field, label=label, min_length=min_length)


# ---------------------------------------------------------------------------------------------
# filing


def find_repeat(
    *, citizen, phone: str, unit: PoliceUnit, dossier: Dossier | None, now: dt.datetime
) -> Complaint | None:
    """An earlier complaint by the same person (account or verified phone) about the same
    dossier — or, for a complaint that names no dossier, about the same unit — inside the
    window `COMPLAINT_REPEAT_WINDOW_DAYS`."""
    from django.db.models import Q

    since = now - dt.timedelta(days=settings.COMPLAINT_REPEAT_WINDOW_DAYS)
    who = Q(pk__in=[])
    if citizen is not None:
        who |= Q(citizen_id=citizen.pk)
    if phone:
        who |= Q(phone=phone)
    about = Q(dossier_id=dossier.pk) if dossier is not None else Q(unit_id=unit.pk)
    return (
        Complaint.objects.filter(who, about, created_at__gte=since, created_at__lte=now)
        .order_by("-created_at", "-pk")
        .first()
    )


@transaction.atomic
def file_complaint(
    *,
    actor,
    category: str,
    description: str,
    unit: PoliceUnit | None = None,
    dossier: Dossier | None = None,
    files=(),
    name: str = "",
    email: str = "",
) -> Complaint:
    """A citizen (an account, or a `PhoneActor` whose number was verified by SMS code) complains
    about a unit or one of its dossiers. Routed to the level above the unit (one more level up
    for a repeat complaint)."""
    from notifications.masking import normalise_phone

    if isinstance(actor, PhoneActor):
        citizen, phone = None, normalise_phone(actor.phone)
        if not phone:
            raise PermissionDenied(_("Vui lòng xác minh số điện thoại trước khi gửi phản ánh."))
    elif actor is not None and getattr(actor, "is_authenticated", False) and actor.is_citizen:
        citizen, phone = actor, normalise_phone(actor.phone or "") or ""
        name = name or actor.full_name
        email = email or actor.email
    else:
        raise PermissionDenied(
            _("Phản ánh, kiến nghị do công dân gửi (đăng nhập hoặc xác minh số điện thoại).")
        )
    errors: dict[str, list[str]] = {}
    if category not in Category.values:
        errors["category"] = [_("Vui lòng chọn loại phản ánh.")]
    try:
        description = _text(
            description,
            field="description",
            label=_("Nội dung phản ánh"),
            min_length=MIN_DESCRIPTION_LENGTH,
        )
    except DomainError as exc:
        errors.update(exc.details or {"description": [exc.message]})
    if dossier is not None:
        if citizen is not None and dossier.citizen_id != citizen.pk:
            raise PermissionDenied(_("Bạn chỉ phản ánh được về hồ sơ của chính mình."))
        if dossier.state == State.DRAFT:
            errors["dossier"] = [_("Hồ sơ chưa nộp, không thể phản ánh.")]
        unit = dossier.unit
    if unit is None or (dossier is None and not unit.is_active):
        errors["unit"] = [_("Vui lòng chọn đơn vị Công an bị phản ánh.")]
    if errors:
        raise ValidationError(errors)
    files = list(files or ())
    checked = []
    total = 0
    for upload in files:
        one = attachment_checks.check_file(
            upload, existing_count=len(checked), existing_bytes=total
        )
        checked.append(one)
        total += one.size
    now = _now()
    earlier = find_repeat(citizen=citizen, phone=phone, unit=unit, dossier=dossier, now=now)
    handling = route(unit=unit, repeat=earlier is not None)
    complaint = Complaint(
        citizen=citizen,
        phone=phone,
        email=(email or "")[:254],
        name=(name or "")[:150],
        dossier=dossier,
        unit=unit,
        handling_unit=handling,
        category=category,
        description=description,
        is_repeat=earlier is not None,
        repeat_of=earlier,
        created_at=now,
    )
    complaint.step_due_at = _deadline(now, _step_hours(ComplaintState.RECEIVED), handling)
    complaint.save()
    for one in checked:
        attachment = ComplaintAttachment(
            complaint=complaint,
            original_name=one.original_name,
            content_type=one.content_type,
            size=one.size,
            sha256=one.sha256,
        )
        attachment.file.save(one.stored_name, ContentFile(one.content), save=False)
        path, storage = attachment.file.name, attachment.file.storage
        try:
            attachment.save()
        except Exception:
            storage.delete(path)
            raise
    _record(
        complaint,
        action="file",
        from_state="",
        actor=actor,
        reason=description,
        details={
            "category": category,
            "dossier": dossier.code if dossier else "",
            "is_repeat": complaint.is_repeat,
            "repeat_of": earlier.pk if earlier else None,
        },
        at=now,
    )
    notify_complainant("complaint_received", complaint=complaint)
    return complaint


# ---------------------------------------------------------------------------------------------
# the level above and the unit


def clean_response_hours(value) -> int:
    try:
        hours = int(value)
    except (TypeError, ValueError):
        hours = 0
    if not 1 <= hours <= MAX_RESPONSE_HOURS:
        message = _("Hạn phản hồi phải từ 1 đến %(max)s giờ làm việc.") % {
            "max": MAX_RESPONSE_HOURS
        }
        raise DomainError(message, code="invalid", details={"response_hours": [message]})
    return hours


@transaction.atomic
def direct(
    *,
    complaint: Complaint,
    actor,
    instruction: str,
    response_hours: int | None = None,
    expected_version: int | None = None,
) -> Complaint:
    """The supervising level instructs the unit to contact the citizen and settle the matter,
    with a response deadline in working hours."""
    instruction = _text(instruction, field="instruction", label=_("Nội dung chỉ đạo"))
    hours = clean_response_hours(
        settings.COMPLAINT_RESPONSE_HOURS if response_hours in (None, "") else response_hours
    )
    locked, previous = _run_transition(
        complaint, name="direct", actor=actor, expected_version=expected_version
    )
    now = _now()
    locked.instruction = instruction
    locked.step_due_at = _deadline(now, hours, locked.unit)
    _save(locked, "instruction")
    _record(
        locked,
        action="direct",
        from_state=previous,
        actor=actor,
        roles=(Role.SUPERVISOR,),
        reason=instruction,
        details={"response_hours": hours},
        at=now,
    )
    notify_complainant(
        "complaint_directed", complaint=locked, context={"response_due": locked.step_due_at}
    )
    return _refresh_caller(complaint, locked)


CONTACT_CHANNELS = {
    "phone": "Điện thoại",
    "sms": "Tin nhắn SMS",
    "email": "Thư điện tử",
    "in_person": "Gặp trực tiếp",
}


@transaction.atomic
def contact(
    *,
    complaint: Complaint,
    actor,
    contacted_at: dt.datetime,
    channel: str,
    summary: str,
    expected_version: int | None = None,
) -> Complaint:
    """The unit records when and how it reached the citizen and what was said."""
    errors: dict[str, list[str]] = {}
    if channel not in CONTACT_CHANNELS:
        errors["channel"] = [_("Vui lòng chọn hình thức liên hệ.")]
    now = _now()
    if not isinstance(contacted_at, dt.datetime) or contacted_at > now + dt.timedelta(minutes=5):
        errors["contacted_at"] = [_("Thời điểm liên hệ không hợp lệ (không được ở tương lai).")]
    try:
        summary = _text(summary, field="summary", label=_("Nội dung đã trao đổi"))
    except DomainError as exc:
        errors.update(exc.details)
    if errors:
        raise ValidationError(errors)
    locked, previous = _run_transition(
        complaint, name="contact", actor=actor, expected_version=expected_version
    )
    if contacted_at < locked.created_at.replace(second=0, microsecond=0):  # typed to the minute
        raise ValidationError(
            {"contacted_at": [_("Thời điểm liên hệ không thể trước khi công dân gửi phản ánh.")]}
        )
    locked.step_due_at = _deadline(now, _step_hours(ComplaintState.CONTACTED), locked.unit)
    _save(locked)
    _record(
        locked,
        action="contact",
        from_state=previous,
        actor=actor,
        roles=(Role.UNIT_LEADER, Role.RECEIVING_OFFICER, Role.HANDLING_OFFICER),
        reason=summary,
        details={"contacted_at": contacted_at.isoformat(), "channel": channel},
        at=now,
    )
    notify_complainant("complaint_contacted", complaint=locked)
    return _refresh_caller(complaint, locked)


@transaction.atomic
def resolve(
    *,
    complaint: Complaint,
    actor,
    resolution: str,
    corrective_action: str,
    expected_version: int | None = None,
) -> Complaint:
    """The unit leader records how the matter was settled and what the unit corrected."""
    errors: dict[str, list[str]] = {}
    try:
        resolution = _text(resolution, field="resolution", label=_("Kết quả giải quyết"))
    except DomainError as exc:
        errors.update(exc.details)
    try:
        corrective_action = _text(
            corrective_action, field="corrective_action", label=_("Biện pháp khắc phục")
        )
    except DomainError as exc:
        errors.update(exc.details)
    if errors:
        raise ValidationError(errors)
    locked, previous = _run_transition(
        complaint, name="resolve", actor=actor, expected_version=expected_version
    )
    now = _now()
    locked.resolution, locked.corrective_action = resolution, corrective_action
    locked.resolved_at = now
    locked.step_due_at = _deadline(now, _step_hours(ComplaintState.RESOLVED), locked.handling_unit)
    _save(locked, "resolution", "corrective_action", "resolved_at")
    _record(
        locked,
        action="resolve",
        from_state=previous,
        actor=actor,
        roles=(Role.UNIT_LEADER,),
        reason=resolution,
        details={"corrective_action": corrective_action},
        at=now,
    )
    notify_complainant("complaint_resolved", complaint=locked, context={"resolution": resolution})
    return _refresh_caller(complaint, locked)


def _closing(complaint: Complaint, *, name: str, actor, note: str, expected_version) -> Complaint:
    locked, previous = _run_transition(
        complaint, name=name, actor=actor, expected_version=expected_version
    )
    now = _now()
    locked.closed_at = now
    locked.step_due_at = None
    _save(locked, "closed_at")
    _record(
        locked,
        action=name,
        from_state=previous,
        actor=actor,
        roles=(Role.SUPERVISOR,),
        reason=note,
        at=now,
    )
    notify_complainant("complaint_closed", complaint=locked)
    return _refresh_caller(complaint, locked)


@transaction.atomic
def close(
    *, complaint: Complaint, actor, note: str, expected_version: int | None = None
) -> Complaint:
    """The supervising level confirms the matter is settled."""
    note = _text(note, field="note", label=_("Ý kiến xác nhận"))
    return _closing(
        complaint, name="close", actor=actor, note=note, expected_version=expected_version
    )


@transaction.atomic
def confirm(
    *, complaint: Complaint, actor, note: str = "", expected_version: int | None = None
) -> Complaint:
    """The citizen confirms the matter is settled."""
    note = " ".join(str(note or "").split())[:2000]
    return _closing(
        complaint, name="confirm", actor=actor, note=note, expected_version=expected_version
    )


@transaction.atomic
def reopen(
    *, complaint: Complaint, actor, reason: str, expected_version: int | None = None
) -> Complaint:
    """The citizen is not satisfied: the complaint goes back to the handling level, which must
    direct the unit again."""
    reason = _text(reason, field="reason", label=_("Lý do mở lại"))
    locked, previous = _run_transition(
        complaint, name="reopen", actor=actor, expected_version=expected_version
    )
    now = _now()
    window = dt.timedelta(days=settings.COMPLAINT_REPEAT_WINDOW_DAYS)
    if previous == ComplaintState.CLOSED and locked.closed_at and now - locked.closed_at > window:
        raise Conflict(
            _(
                "Phản ánh đã kết thúc hơn %(days)s ngày, không mở lại được. Vui lòng gửi phản "
                "ánh mới."
            )
            % {"days": settings.COMPLAINT_REPEAT_WINDOW_DAYS},
            code="reopen_window_over",
        )
    locked.closed_at = None
    locked.step_due_at = _deadline(now, _step_hours(ComplaintState.RECEIVED), locked.handling_unit)
    _save(locked, "closed_at")
    _record(locked, action="reopen", from_state=previous, actor=actor, reason=reason, at=now)
    notify_complainant("complaint_reopened", complaint=locked, context={"reason": reason})
    return _refresh_caller(complaint, locked)


def reopen_window_open(complaint: Complaint, *, now: dt.datetime | None = None) -> bool:
    """A closed complaint may be reopened by the citizen within the repeat window after its
    closing (after that, a new complaint is a new matter)."""
    if complaint.state != ComplaintState.CLOSED or complaint.closed_at is None:
        return True
    window = dt.timedelta(days=settings.COMPLAINT_REPEAT_WINDOW_DAYS)
    return (now or _now()) - complaint.closed_at <= window


def _escalate_locked(locked: Complaint, *, actor, reason: str, now: dt.datetime) -> bool:
    """Move the handling level one up (when there is one) and restart the step's deadline."""
    if not locked.is_open or not locked.handling_unit.parent_id:
        return False
    previous_unit = locked.handling_unit
    locked.handling_unit = previous_unit.parent
    locked.escalations += 1
    locked.step_due_at = _deadline(
        now, _step_hours(locked.state), _acting_unit(locked, locked.state)
    )
    _save(locked, "handling_unit", "escalations")
    _record(
        locked,
        action="escalate",
        from_state=locked.state,
        actor=actor,
        roles=(Role.SUPERVISOR,),
        reason=reason,
        details={"from_unit": previous_unit.code, "to_unit": locked.handling_unit.code},
        at=now,
    )
    notify_complainant("complaint_escalated", complaint=locked)
    return True


@transaction.atomic
def escalate(
    *, complaint: Complaint, actor, reason: str, expected_version: int | None = None
) -> Complaint:
    """The handling level hands the complaint to the level above it (with the reason)."""
    from .models import _supervisor_of_handling

    reason = _text(reason, field="reason", label=_("Lý do chuyển cấp trên"))
    locked = _lock(complaint)
    _check_version(locked, expected_version)
    if not _supervisor_of_handling(locked, actor):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với phản ánh."))
    if not locked.is_open or not locked.handling_unit.parent_id:
        raise Conflict(
            _("Phản ánh đã kết thúc hoặc không còn cấp trên để chuyển."), code="invalid_transition"
        )
    _escalate_locked(locked, actor=actor, reason=reason, now=_now())
    return _refresh_caller(complaint, locked)


def escalate_overdue(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Every open complaint whose current step is overdue goes one level up (system actor; one
    transaction per complaint, rows locked and re-checked, so concurrent runs do not double-up)."""
    now = now or _now()
    ids = list(
        Complaint.objects.filter(
            state__in=[s for s in ComplaintState.values if s != ComplaintState.CLOSED],
            step_due_at__lt=now,
            handling_unit__parent__isnull=False,
        )
        .order_by("step_due_at")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for pk in ids:
        with transaction.atomic():
            locked = _lock(Complaint(pk=pk))
            if not (locked.is_open and locked.step_due_at and locked.step_due_at < now):
                continue
            reason = _("Quá hạn bước “%(state)s” (hạn %(due)s): tự động chuyển cấp trên.") % {
                "state": _state_label(locked.state),
                "due": _fmt(locked.step_due_at),
            }
            if _escalate_locked(locked, actor=None, reason=reason, now=now):
                done += 1
    return done


@transaction.atomic
def reopen_dossier(
    *,
    complaint: Complaint,
    actor,
    reason: str,
    target: str = State.RECEIVED,
    expected_version: int | None = None,
) -> Complaint:
    """On the supervisor's decision, the refused or stopped dossier the complaint is about is
    reopened (a transition of the dossier engine, with the clock restarted)."""
    from portal.dossiers import services as engine

    from .models import _supervisor_of_handling

    reason = _text(reason, field="reason", label=_("Lý do mở lại hồ sơ"))
    locked = _lock(complaint)
    _check_version(locked, expected_version)
    if not _supervisor_of_handling(locked, actor):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với phản ánh."))
    if locked.dossier_id is None or not locked.is_open:
        raise Conflict(
            _("Phản ánh không gắn với hồ sơ hoặc đã kết thúc."), code="invalid_transition"
        )
    dossier = engine.reopen(
        dossier=locked.dossier,
        actor=actor,
        reason=reason,
        target=target,
        details={"complaint": locked.code},
    )
    locked.version += 1
    locked.save(update_fields=["version"])
    _record(
        locked,
        action="reopen_dossier",
        from_state=locked.state,
        actor=actor,
        roles=(Role.SUPERVISOR,),
        reason=reason,
        details={"dossier": dossier.code, "dossier_state": dossier.state},
    )
    return _refresh_caller(complaint, locked)


def can_reopen_dossier(*, complaint: Complaint, user) -> bool:
    from .models import _supervisor_of_handling

    return bool(
        complaint.is_open
        and complaint.dossier_id is not None
        and complaint.dossier.state in REOPENABLE
        and _supervisor_of_handling(complaint, user)
    )


# ---------------------------------------------------------------------------------------------
# what may this user do now

STAFF_ACTIONS = ("direct", "contact", "resolve", "close", "escalate", "reopen_dossier")
CITIZEN_ACTIONS = ("confirm", "reopen")


def allowed_actions(*, complaint: Complaint, user) -> list[str]:
    """Names of what `user` may do with this complaint now (no queries beyond roles)."""
    from .models import _supervisor_of_handling

    if user is None:
        return []
    actions = []
    for name in ("direct", "contact", "resolve", "close", "confirm", "reopen"):
        method = getattr(complaint, name)
        if can_proceed(method) and has_transition_perm(method, user):
            if name == "reopen" and not reopen_window_open(complaint):
                continue
            actions.append(name)
    if getattr(user, "is_authenticated", False) and getattr(user, "is_officer", False):
        if (
            complaint.is_open
            and complaint.handling_unit.parent_id
            and _supervisor_of_handling(complaint, user)
        ):
            actions.append("escalate")
        if can_reopen_dossier(complaint=complaint, user=user):
            actions.append("reopen_dossier")
    return actions


# ---------------------------------------------------------------------------------------------
# satisfaction


@transaction.atomic
def rate_dossier(*, dossier: Dossier, actor, score, comment: str = "") -> SatisfactionRating:
    """The citizen rates the service once, after the result was returned."""
    locked = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or (locked.citizen_id != actor.pk)
    ):
        raise PermissionDenied(_("Chỉ người nộp hồ sơ mới được đánh giá."))
    if locked.state != State.RESULT_RETURNED:
        raise Conflict(
            _("Chỉ đánh giá được sau khi đã nhận kết quả hồ sơ."), code="invalid_transition"
        )
    if SatisfactionRating.objects.filter(dossier_id=locked.pk).exists():
        raise Conflict(_("Hồ sơ này đã được đánh giá."), code="already_rated")
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"score": [_("Vui lòng chọn mức từ 1 đến 5.")]})
    comment = str(comment or "").strip()
    if len(comment) > 2000:
        raise ValidationError({"comment": [_("Góp ý không quá 2000 ký tự.")]})
    return SatisfactionRating.objects.create(
        dossier=locked, citizen=actor, score=score, comment=comment
    )
