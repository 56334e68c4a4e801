"""The staff's transitions (receive, supplement, refuse, process, assign, approve, return,
stop, reopen) and what a user may do now (`allowed_actions`). Same steps as citizen.py."""

from __future__ import annotations

import datetime as dt

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from portal.accounts.models import Role
from portal.catalogue.models import ResultMethod
from portal.core.errors import Conflict, DomainError, PermissionDenied
from portal.dossiers.models import (
    Document,
    Dossier,
    State,
    SupplementRequest,
)
from portal.dossiers.registry import ResultDocumentSpec, registry
from portal.dossiers.services._common import (
    _TRANSITION_OF,
    ACTIONS,
    RECEIPT_TEMPLATE,
    REFUSAL_TEMPLATE,
    SUPPLEMENT_TEMPLATE,
    _check_version,
    _fmt,
    _json_safe,
    _lock,
    _now,
    _record,
    _run_transition,
    _save,
    _slip,
    _state_label,
    _without_final_stop,
    notify_event,
    refresh_caller,
)
from portal.dossiers.services.citizen import (
    _due_from,
    _iso,
    _receiving_round_the_clock,
)
from portal.dossiers.services.documents import (
    document_context,
    issue_document,
)


@transaction.atomic
def receive(*, dossier: Dossier, actor, expected_version: int | None = None) -> Dossier:
    """Staff accept the dossier: the due moment runs from the legal reception moment; the
    receipt and appointment slip (CT04) is issued."""
    locked, previous, roles = _run_transition(
        dossier, name="receive", actor=actor, expected_version=expected_version
    )
    now = _now()
    locked.accepted_at = now
    if locked.received_at is None:
        locked.received_at = now
    if locked.due_at is None:
        locked.due_at = _due_from(locked)
    _save(locked, "accepted_at", "received_at", "due_at")
    event = _record(
        locked,
        action="receive",
        from_state=previous,
        actor=actor,
        roles=roles,
        details={"due_at": _iso(locked.due_at)},
        at=now,
    )
    # A reception after a supplement issues a new CT04, named for what it is.
    again = locked.documents.filter(kind=Document.Kind.RECEIPT).exists()
    title = (
        _("Giấy tiếp nhận hồ sơ bổ sung và hẹn trả kết quả (CT04)")
        if again
        else str(Document.Kind.RECEIPT.label)
    )
    template, context = _slip(
        locked,
        "receipt",
        RECEIPT_TEMPLATE,
        document_context(
            locked, officer_unit=locked.unit.name, title=str(title), supplement_receipt=again
        ),
    )
    issue_document(
        locked, kind=Document.Kind.RECEIPT, template_name=template, event=event, context=context
    )
    notify_event(
        "dossier_received", dossier=locked, context={"appointment_date": _fmt(locked.due_at)}
    )
    return refresh_caller(dossier, locked)


def _clean_items(items: list[dict]) -> list[dict]:
    cleaned = []
    for item in items or []:
        if not isinstance(item, dict):
            continue
        document = str(item.get("document", "")).strip()
        problem = str(item.get("problem", "")).strip()
        if document and problem:
            cleaned.append(
                {
                    "document": document,
                    "copy_kind": str(item.get("copy_kind", "") or "").strip(),
                    "problem": problem,
                }
            )
    return cleaned


def _check_guidance_given_once(dossier: Dossier, items: list[dict]) -> None:
    """CT05 guidance is given once and completely: after a first request, staff may ask again only
    for documents already named in it (e.g. the new scan is still unreadable), never for new ones."""
    from portal.core.text import fold

    earlier = [r.items for r in dossier.supplement_requests.all()]
    if not earlier:
        return
    named = {fold(item["document"]) for request in earlier for item in request}
    new = [item["document"] for item in items if fold(item["document"]) not in named]
    if new:
        raise DomainError(
            _(
                "Hồ sơ đã được hướng dẫn bổ sung một lần, đầy đủ. Chỉ được yêu cầu lại các giấy tờ "
                "đã nêu trong lần trước; không được yêu cầu thêm: %(names)s."
            )
            % {"names": "; ".join(new)},
            code="supplement_guidance_given_once",
            details={
                "items": [_("Giấy tờ chưa nêu trong lần hướng dẫn trước: %s") % n for n in new]
            },
        )


@transaction.atomic
def request_supplement(
    *,
    dossier: Dossier,
    actor,
    items: list[dict],
    guidance: str,
    expected_version: int | None = None,
) -> Dossier:
    """Ask for all missing/defective papers at once (CT05); the legal clock pauses."""
    from portal.workcalendar.services import office_time_between

    cleaned = _clean_items(items)
    guidance = (guidance or "").strip()
    errors = {}
    if not cleaned:
        errors["items"] = [
            _("Vui lòng nêu cụ thể từng giấy tờ cần bổ sung và lý do (ít nhất một mục).")
        ]
    if not guidance:
        errors["guidance"] = [_("Vui lòng nhập hướng dẫn bổ sung cụ thể, rõ ràng.")]
    if errors:
        raise ValidationError(errors)
    locked, previous, roles = _run_transition(
        dossier, name="request_supplement", actor=actor, expected_version=expected_version
    )
    _check_guidance_given_once(locked, cleaned)
    now = _now()
    if locked.due_at is not None:
        remaining = (
            office_time_between(start=now, end=locked.due_at, unit=locked.unit)
            if now < locked.due_at
            else dt.timedelta(0)
        )
        locked.remaining_office_seconds = int(remaining.total_seconds())
    else:
        locked.remaining_office_seconds = None
    locked.paused_at = now
    _save(locked, "paused_at", "remaining_office_seconds")
    request = SupplementRequest.objects.create(
        dossier=locked, requested_at=now, requested_by=actor, items=cleaned, guidance=guidance
    )
    event = _record(
        locked,
        action="request_supplement",
        from_state=previous,
        actor=actor,
        roles=roles,
        reason=guidance,
        details={
            "items": cleaned,
            "supplement_request": request.pk,
            "remaining_office_seconds": locked.remaining_office_seconds,
        },
        at=now,
    )
    template, context = _slip(
        locked,
        "supplement",
        SUPPLEMENT_TEMPLATE,
        document_context(
            locked,
            items=cleaned,
            guidance=guidance,
            title=str(Document.Kind.SUPPLEMENT_GUIDANCE.label),
        ),
    )
    issue_document(
        locked,
        kind=Document.Kind.SUPPLEMENT_GUIDANCE,
        template_name=template,
        event=event,
        context=context,
    )
    notify_event(
        "supplement_requested",
        dossier=locked,
        context={
            # The templates add their own punctuation ("Lý do: {{ reason }}."): no ".." in the SMS.
            "reason": _without_final_stop(guidance),
            "items": [
                _without_final_stop(
                    f"{i['document']}: {i['problem']}" if i["problem"] else i["document"]
                )
                for i in cleaned
            ],
            "deadline": "",
        },
    )
    return refresh_caller(dossier, locked)


@transaction.atomic
def refuse(
    *,
    dossier: Dossier,
    actor,
    reason: str,
    legal_provision: str,
    expected_version: int | None = None,
    document_extra: dict | None = None,
) -> Dossier:
    """Refuse with a specific reason and legal provision (CT06). `document_extra` adds to the
    CT06's context (the signer's name and title, the documents concerned)."""
    reason, legal_provision = (reason or "").strip(), (legal_provision or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = [_("Vui lòng nêu rõ lý do từ chối.")]
    if not legal_provision:
        errors["legal_provision"] = [
            _("Vui lòng nêu căn cứ pháp lý cụ thể (điều, khoản, văn bản).")
        ]
    if errors:
        raise ValidationError(errors)
    locked, previous, roles = _run_transition(
        dossier, name="refuse", actor=actor, expected_version=expected_version
    )
    now = _now()
    locked.decided_at = now
    _save(locked, "decided_at")
    event = _record(
        locked,
        action="refuse",
        from_state=previous,
        actor=actor,
        roles=roles,
        reason=reason,
        details={"legal_provision": legal_provision},
        at=now,
    )
    template, context = _slip(
        locked,
        "refusal",
        REFUSAL_TEMPLATE,
        document_context(
            locked,
            reason=reason,
            legal_provision=legal_provision,
            title=str(Document.Kind.REFUSAL.label),
            **(document_extra or {}),
        ),
    )
    issue_document(
        locked, kind=Document.Kind.REFUSAL, template_name=template, event=event, context=context
    )
    notify_event(
        "dossier_refused",
        dossier=locked,
        context={"reason": reason, "legal_provision": legal_provision},
    )
    return refresh_caller(dossier, locked)


@transaction.atomic
def start_processing(*, dossier: Dossier, actor, expected_version: int | None = None) -> Dossier:
    locked, previous, roles = _run_transition(
        dossier, name="start_processing", actor=actor, expected_version=expected_version
    )
    if locked.assigned_to_id is None and actor is not None:
        locked.assigned_to = actor
    _save(locked, "assigned_to")
    _record(locked, action="start_processing", from_state=previous, actor=actor, roles=roles)
    return refresh_caller(dossier, locked)


@transaction.atomic
def assign(*, dossier: Dossier, actor, officer, expected_version: int | None = None) -> Dossier:
    """The unit leader (or a receiving officer) gives the dossier to a handling officer."""
    from portal.accounts.access import can_act_for_unit

    locked = _lock(dossier)
    _check_version(locked, expected_version)
    if locked.is_final:
        raise Conflict(
            _("Không thể phân công hồ sơ ở trạng thái “%(state)s”.")
            % {"state": _state_label(locked.state)},
            code="invalid_transition",
        )
    if not (
        actor is not None
        and getattr(actor, "unit_id", None) == locked.unit_id
        and actor.has_role(Role.UNIT_LEADER, Role.RECEIVING_OFFICER)
    ):
        raise PermissionDenied(_("Bạn không có quyền phân công hồ sơ này."))
    if not can_act_for_unit(officer, locked.unit, Role.HANDLING_OFFICER, Role.UNIT_LEADER):
        raise DomainError(
            _("Cán bộ được phân công phải là cán bộ xử lý của đơn vị."), code="invalid_officer"
        )
    locked.assigned_to = officer
    _save(locked, "assigned_to")
    _record(
        locked,
        action="assign",
        from_state=locked.state,
        actor=actor,
        roles=(Role.UNIT_LEADER, Role.RECEIVING_OFFICER),
        details={"officer_id": officer.pk},
    )
    return refresh_caller(dossier, locked)


@transaction.atomic
def approve(*, dossier: Dossier, actor, expected_version: int | None = None) -> Dossier:
    """The unit leader approves: the plugin's effect runs in this transaction (a failure rolls
    back both) and its result document is issued."""
    locked, previous, roles = _run_transition(
        dossier, name="approve", actor=actor, expected_version=expected_version
    )
    now = _now()
    plugin = registry.get(locked.procedure.code)
    if plugin is None:  # its online part was never built: approving would change nothing
        raise Conflict(
            _(
                "Thủ tục “%(name)s” chưa có phần xử lý trực tuyến nên không thể phê duyệt kết quả "
                "trên Cổng."
            )
            % {"name": locked.procedure.name_vi},
            code="procedure_not_online",
        )
    spec: ResultDocumentSpec | None = plugin.approve(dossier=locked, actor=actor)
    locked.decided_at = now
    _save(locked, "decided_at")
    event = _record(
        locked,
        action="approve",
        from_state=previous,
        actor=actor,
        roles=roles,
        details={"result_document": spec.title if spec else ""},
        at=now,
    )
    if spec is not None:
        issue_document(
            locked,
            kind=Document.Kind.RESULT,
            template_name=spec.template_name,
            event=event,
            context=document_context(locked, title=spec.title, **_json_safe(dict(spec.context))),
        )
    method_label = str(ResultMethod(locked.result_method).label) if locked.result_method else ""
    notify_event("dossier_approved", dossier=locked, context={"collection_method": method_label})
    return refresh_caller(dossier, locked)


@transaction.atomic
def return_result(
    *,
    dossier: Dossier,
    actor,
    method: str,
    details: dict | None = None,
    expected_version: int | None = None,
    attachments: tuple = (),
) -> Dossier:
    """`attachments` ((filename, bytes, mimetype), …) go with the email to the citizen (the signed
    result of an electronic return)."""
    if method not in ResultMethod.values:
        raise ValidationError({"method": [_("Hình thức trả kết quả không hợp lệ.")]})
    locked, previous, roles = _run_transition(
        dossier, name="return_result", actor=actor, expected_version=expected_version
    )
    now = _now()
    locked.returned_at = now
    if not locked.result_method:  # chosen on the citizen's behalf (after contacting them)
        locked.result_method = method
    _save(locked, "returned_at", "result_method")
    _record(
        locked,
        action="return_result",
        from_state=previous,
        actor=actor,
        roles=roles,
        details={"method": method, **_json_safe(dict(details or {}))},
        at=now,
    )
    notify_event(
        "result_returned",
        dossier=locked,
        context={
            "return_method": str(ResultMethod(method).label),
            "result_url": django_settings.PUBLIC_BASE_URL.rstrip("/")
            + reverse("dossiers:detail", kwargs={"code": locked.code}),
        },
        attachments=attachments,
    )
    return refresh_caller(dossier, locked)


@transaction.atomic
def stop(*, dossier: Dossier, actor, reason: str, expected_version: int | None = None) -> Dossier:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Vui lòng nêu rõ lý do dừng xử lý.")]})
    locked, previous, roles = _run_transition(
        dossier, name="stop", actor=actor, expected_version=expected_version
    )
    locked.decided_at = _now()
    _save(locked, "decided_at")
    _record(locked, action="stop", from_state=previous, actor=actor, roles=roles, reason=reason)
    return refresh_caller(dossier, locked)


@transaction.atomic
def reopen(
    *,
    dossier: Dossier,
    actor,
    reason: str,
    target: str = State.RECEIVED,
    details: dict | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The level above reopens a refused or stopped dossier (e.g. on the citizen's complaint).

    Only a supervisor of the dossier's unit subtree (or an administrator) may. The dossier goes
    back to `received` or `processing`; the legal clock restarts from the reopening: the
    reception moment is now (or the next reception session) and the due moment is counted again
    from it with the procedure's full deadline."""
    from portal.workcalendar.services import reception_moment

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Vui lòng nêu rõ lý do mở lại hồ sơ.")]})
    names = {State.RECEIVED: "reopen_received", State.PROCESSING: "reopen_processing"}
    if target not in names:
        raise ValidationError(
            {"target": [_("Hồ sơ chỉ được mở lại về trạng thái “Đã tiếp nhận” hoặc “Đang xử lý”.")]}
        )
    locked, previous, roles = _run_transition(
        dossier, name=names[target], actor=actor, expected_version=expected_version
    )
    now = _now()
    locked.received_at = reception_moment(
        submitted_at=now,
        unit=locked.unit,
        round_the_clock=_receiving_round_the_clock(locked.procedure),
    )
    locked.accepted_at = now
    locked.due_at = _due_from(locked)
    locked.decided_at = None
    locked.paused_at = None
    locked.remaining_office_seconds = None
    _save(
        locked,
        "received_at",
        "accepted_at",
        "due_at",
        "decided_at",
        "paused_at",
        "remaining_office_seconds",
    )
    _record(
        locked,
        action="reopen",
        from_state=previous,
        actor=actor,
        roles=roles,
        reason=reason,
        details={
            "received_at": _iso(locked.received_at),
            "due_at": _iso(locked.due_at),
            **_json_safe(dict(details or {})),
        },
        at=now,
    )
    notify_event(
        "dossier_reopened",
        dossier=locked,
        context={"reason": reason, "appointment_date": _fmt(locked.due_at)},
    )
    return refresh_caller(dossier, locked)


def allowed_actions(*, dossier: Dossier, user) -> list[str]:
    """Names (from ACTIONS) of what `user` may do with this dossier now. No queries beyond the
    user's roles."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    actions: list[str] = []
    is_owner = dossier.citizen_id == user.pk
    if is_owner and dossier.state in (State.DRAFT, State.SUPPLEMENT_REQUESTED):
        if dossier.state == State.DRAFT:
            actions.append("update_draft")
        actions.append("add_attachment")
    for action in ACTIONS:
        name = _TRANSITION_OF.get(action)
        if name is None:
            continue
        if action == "submit" and dossier.state == State.DRAFT:
            if is_owner:
                actions.append("submit")
            continue
        method = getattr(dossier, name)
        if can_proceed(method) and has_transition_perm(method, user):
            actions.append(action)
    if (
        not dossier.is_final
        and dossier.state != State.DRAFT
        and getattr(user, "is_officer", False)
        and user.unit_id == dossier.unit_id
        and user.has_role(Role.UNIT_LEADER, Role.RECEIVING_OFFICER)
    ):
        actions.append("assign")
    return [a for a in ACTIONS if a in actions]
