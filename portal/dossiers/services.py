"""Dossier services: every write and state change of the engine.

Rules for every transition (see /docs in the README, "Dossier lifecycle"):
1. lock the row (`select_for_update`), 2. compare `expected_version` (someone else changed it →
Conflict "changed_by_someone_else"), 3. the transition must exist from the current state (Conflict
"invalid_transition"), 4. the actor must hold the role (PermissionDenied), 5. do the work, bump
`version`, append an immutable `DossierEvent`, 6. side effects (PDF rendering) after commit.
Notifications are written in the same transaction (outbox rows).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from portal.accounts.models import Role
from portal.catalogue.models import DeadlineKind, Procedure, ResultMethod
from portal.core.errors import Conflict, DomainError, PermissionDenied
from portal.dossiers import attachments as attachment_checks
from portal.dossiers.codes import new_dossier_code
from portal.dossiers.models import (
    CLOCK_RUNNING_STATES,
    Attachment,
    Document,
    Dossier,
    DossierEvent,
    State,
    SupplementRequest,
)
from portal.dossiers.registry import ProcedurePlugin, ResultDocumentSpec, registry
from portal.units.models import AdministrativeArea, PoliceUnit

logger = logging.getLogger(__name__)

RECEIPT_TEMPLATE = "pdf/dossiers/receipt_ct04.html"
SUPPLEMENT_TEMPLATE = "pdf/dossiers/supplement_ct05.html"
REFUSAL_TEMPLATE = "pdf/dossiers/refusal_ct06.html"

# Every action a user may be offered, in display order (names = service functions).
ACTIONS = (
    "update_draft",
    "add_attachment",
    "submit",
    "withdraw",
    "receive",
    "request_supplement",
    "resubmit",
    "refuse",
    "start_processing",
    "assign",
    "approve",
    "return_result",
    "stop",
)
# Service action → model transition method.
_TRANSITION_OF = {
    "submit": "submit",
    "withdraw": "withdraw",
    "receive": "receive",
    "request_supplement": "request_supplement",
    "resubmit": "resubmit",
    "refuse": "refuse",
    "start_processing": "start_processing",
    "approve": "approve",
    "return_result": "return_result",
    "stop": "stop",
}


# ---------------------------------------------------------------------------------------------
# helpers


def get_plugin(procedure: Procedure, *, unit: PoliceUnit | None = None) -> ProcedurePlugin:
    """The procedure's registered plugin. No plugin, no online filing: a procedure without one
    is refused with the not-online Conflict (409 `procedure_not_online`, where to file instead)."""
    plugin = registry.get(procedure.code)
    if plugin is None:
        raise _not_online_error(procedure, unit)
    return plugin


def display_plugin(procedure: Procedure) -> ProcedurePlugin:
    """For showing an existing dossier only (summary, staff page): the registered plugin, or the
    base plugin's generic display of the stored form data. Never used to file or approve."""
    return registry.get(procedure.code) or ProcedurePlugin()


def _now() -> dt.datetime:
    return timezone.now()


def _lock(dossier: Dossier) -> Dossier:
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure", "unit", "citizen")
        .get(pk=dossier.pk)
    )


def refresh_caller(dossier: Dossier, locked: Dossier) -> Dossier:
    """Copy the new state into the caller's instance too (so callers holding it see the change)."""
    if dossier is not locked:
        for field in Dossier._meta.concrete_fields:
            dossier.__dict__[field.attname] = locked.__dict__[field.attname]
    return locked


def _state_label(state: str) -> str:
    return str(State(state).label)


def _check_version(dossier: Dossier, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != dossier.version:
        raise Conflict(
            _("Hồ sơ đã được người khác thay đổi. Vui lòng tải lại trang."),
            code="changed_by_someone_else",
        )


def _check_transition(dossier: Dossier, name: str, actor) -> None:
    method = getattr(dossier, name)
    if not can_proceed(method):
        raise Conflict(
            _("Không thể thực hiện thao tác này khi hồ sơ đang ở trạng thái “%(state)s”.")
            % {"state": _state_label(dossier.state)},
            code="invalid_transition",
            details={"state": dossier.state},
        )
    if not has_transition_perm(method, actor):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với hồ sơ."))


def _transition_roles(dossier: Dossier, name: str) -> tuple[str, ...]:
    meta = getattr(type(dossier), name)._django_fsm
    transition = meta.get_transition(dossier.state)
    return tuple(getattr(getattr(transition, "permission", None), "roles", ()) or ())


def _actor_fields(actor, roles: tuple[str, ...] = ()) -> dict[str, Any]:
    if actor is None:
        return {"actor": None, "actor_kind": "system", "actor_role": "", "actor_unit": None}
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
    return {"actor": actor, "actor_kind": "citizen", "actor_role": "", "actor_unit": None}


def _record(
    dossier: Dossier,
    *,
    action: str,
    from_state: str,
    actor,
    roles: tuple[str, ...] = (),
    reason: str = "",
    details: dict | None = None,
    at: dt.datetime | None = None,
) -> DossierEvent:
    return DossierEvent.objects.create(
        dossier=dossier,
        at=at or _now(),
        action=action,
        from_state=from_state,
        to_state=dossier.state,
        reason=reason or "",
        details=details or {},
        **_actor_fields(actor, roles),
    )


def _save(dossier: Dossier, *fields: str) -> None:
    dossier.version += 1
    dossier.save(update_fields=["state", "version", *fields])


def _run_transition(
    dossier: Dossier,
    *,
    name: str,
    actor,
    expected_version: int | None,
    method: str | None = None,
) -> tuple[Dossier, str, tuple[str, ...]]:
    """Lock, check, and move the state. Returns (locked dossier, previous state, roles)."""
    locked = _lock(dossier)
    _check_version(locked, expected_version)
    _check_transition(locked, name, actor)
    roles = _transition_roles(locked, name)
    previous = locked.state
    getattr(locked, method or name)()
    return locked, previous, roles


def notify_event(event: str, *, dossier: Dossier, context: dict | None = None) -> None:
    """Tell the citizen (SMS and email) through `notifications.services.notify`, when that app
    provides it. Runs inside the caller's transaction (the outbox rows commit with the change)."""
    try:
        from notifications import services as notification_services
    except ImportError:
        return
    notify = getattr(notification_services, "notify", None)
    if notify is None:
        return
    ctx = {
        "dossier_code": dossier.code,
        "procedure_name": dossier.procedure.name_vi,
        "unit_name": dossier.unit.name,
        **(context or {}),
    }
    notify(
        event=event,
        user=dossier.citizen,
        phone=dossier.applicant_phone,
        email=dossier.applicant_email,
        context=ctx,
        about=dossier,
    )


def _without_final_stop(text: str) -> str:
    """Text that goes inside a notice's sentence, without its own final full stop or semicolon
    (an ellipsis is kept)."""
    text = (text or "").strip()
    if text.endswith("...") or text.endswith("…"):
        return text
    return text.rstrip(" .;")


def _fmt(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


# ---------------------------------------------------------------------------------------------
# documents


def document_context(dossier: Dossier, **extra) -> dict[str, Any]:
    """Facts frozen at issue time (JSON only): the document says what was true then."""
    from django.conf import settings

    plugin = display_plugin(dossier.procedure)
    try:
        summary = [list(row) for row in plugin.summary(dossier=dossier)]
    except Exception:  # noqa: BLE001 - a plugin's summary must not block a transition
        logger.exception("Plugin summary failed for %s", dossier.code)
        summary = []
    return {
        "code": dossier.code,
        "lookup_url": f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('public-lookup')}?ma={dossier.code}",
        "procedure": {"code": dossier.procedure.code, "name": dossier.procedure.name_vi},
        "unit": {
            "code": dossier.unit.code,
            "name": dossier.unit.name,
            "address": dossier.unit.address,
            "phone": dossier.unit.phone,
            "parent_name": dossier.unit.parent.name if dossier.unit.parent_id else "",
        },
        "applicant": {
            "name": dossier.applicant_name,
            "personal_id": dossier.applicant_personal_id,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
            "address": dossier.applicant_address,
        },
        "summary": summary,
        "documents": _documents_received(dossier),
        "attachments": [
            {
                "name": a.original_name,
                "requirement_key": a.requirement_key,
                "content_type": a.content_type,
            }
            for a in dossier.attachments.all()
        ],
        "result_method": dossier.result_method,
        "result_method_label": str(ResultMethod(dossier.result_method).label)
        if dossier.result_method
        else "",
        "result_address": dossier.result_address,
        "fee_amount": dossier.fee_amount,
        "submitted_at": dossier.submitted_at.isoformat() if dossier.submitted_at else None,
        "received_at": dossier.received_at.isoformat() if dossier.received_at else None,
        "accepted_at": dossier.accepted_at.isoformat() if dossier.accepted_at else None,
        "due_at": dossier.due_at.isoformat() if dossier.due_at else None,
        "issued_at": _now().isoformat(),
        **extra,
    }


def _documents_received(dossier: Dossier) -> list[dict[str, Any]]:
    """The table of documents on the slips: each required document with the files given for it,
    then the other papers the citizen added."""
    attachments = list(dossier.attachments.all())
    rows = []
    for required in dossier.procedure.required_documents.all():
        files = [a.original_name for a in attachments if a.requirement_key == required.key]
        if files or required.is_mandatory:
            rows.append(
                {
                    "name": required.name,
                    "copy_kind_label": str(required.get_copy_kind_display()),
                    "quantity": required.quantity,
                    "files": files,
                }
            )
    known = {r.key for r in dossier.procedure.required_documents.all()}
    others = [a.original_name for a in attachments if a.requirement_key not in known]
    if others:
        rows.append(
            {
                "name": _("Giấy tờ khác"),
                "copy_kind_label": "",
                "quantity": len(others),
                "files": others,
            }
        )
    return rows


def issue_document(
    dossier: Dossier,
    *,
    kind: str,
    template_name: str,
    event: DossierEvent | None,
    context: dict,
) -> Document:
    document = Document.objects.create(
        dossier=dossier, kind=kind, template_name=template_name, context=context, event=event
    )
    document_id = document.pk

    def _schedule() -> None:
        from portal.dossiers.tasks import render_document_task

        try:
            render_document_task.delay(document_id)
        except Exception:  # noqa: BLE001 - broker down: the download view renders on demand
            logger.exception("Could not queue rendering of document %s", document_id)

    transaction.on_commit(_schedule)
    return document


def _form_value(value):
    """A stored form value as written on a paper form: ISO dates dd/mm/yyyy."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if isinstance(value, list):
        return [_form_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _form_value(v) for k, v in value.items()}
    return value


def filled_form_values(dossier: Dossier) -> dict[str, Any]:
    """The `f` dict a form template (templates/pdf/forms/*) reads to print a filled tờ khai: the
    applicant (account and dossier), the form data (dates dd/mm/yyyy) and what the plugin adds
    (plugin.form_context: household head, members …). A blank form has no `f` at all."""
    citizen = dossier.citizen
    values = {k: _form_value(v) for k, v in (dossier.form_data or {}).items()}
    sex = getattr(citizen, "sex", "") or ""
    born = getattr(citizen, "date_of_birth", None)
    members = values.get("members") or values.get("household_members") or []
    filled: dict[str, Any] = {
        "addressee": dossier.unit.name if dossier.unit_id else "",
        "full_name": dossier.applicant_name,
        "personal_id": dossier.applicant_personal_id,
        "date_of_birth": born.strftime("%d/%m/%Y") if born else "",
        "sex": {"M": _("Nam"), "F": _("Nữ")}.get(sex, sex),
        "phone": dossier.applicant_phone,
        "email": dossier.applicant_email,
        "address": dossier.applicant_address,
        "request": dossier.procedure.name_vi,
        "head_name": "",
        "head_relation": "",
        "head_personal_id": "",
        "members": [m for m in members if isinstance(m, dict)],
        "values": values,
        "place_date": timezone.localdate().strftime(_("ngày %d tháng %m năm %Y")),
    }
    try:
        filled.update(get_plugin(dossier.procedure).form_context(dossier=dossier) or {})
    except Exception:  # noqa: BLE001 - a plugin's extras must not block the submission
        logger.exception("Plugin form_context failed for %s", dossier.code)
    return _json_safe(filled)


def issue_filled_form(dossier: Dossier, *, event: DossierEvent | None) -> Document | None:
    """The procedure's form (its first FormTemplate: CT01, CT03 …) filled with the dossier's data,
    issued once as a Document and rendered after commit like the slips. None when the procedure
    has no form or the dossier has its filled form already."""
    form = dossier.procedure.forms.order_by("code").first()
    if form is None or dossier.documents.filter(kind=Document.Kind.FORM).exists():
        return None
    context = document_context(
        dossier,
        title=f"Mẫu {form.code} – {form.name.split(' (')[0]}",
        form={"code": form.code, "name": form.name, "legal_source": form.legal_source},
        f=filled_form_values(dossier),
    )
    context["procedure"]["name_vi"] = dossier.procedure.name_vi
    context["f"]["summary"] = context["summary"]
    return issue_document(
        dossier,
        kind=Document.Kind.FORM,
        template_name=form.template_name,
        event=event,
        context=context,
    )


def _to_datetime(value):
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def _render_context(context: dict) -> dict:
    from portal.core.pdf import qr_data_uri

    ctx = dict(context)
    for key in ("submitted_at", "received_at", "accepted_at", "due_at", "issued_at"):
        if ctx.get(key):
            ctx[key] = timezone.localtime(_to_datetime(ctx[key]))
    if ctx.get("lookup_url"):
        try:
            ctx["qr"] = qr_data_uri(ctx["lookup_url"])
        except Exception:  # noqa: BLE001
            logger.exception("QR code failed")
    return ctx


def render_document(*, document_id: int) -> Document:
    """Render a document's PDF from its frozen context. Idempotent: a ready document is returned
    as is. A missing template or a rendering error marks it failed (logged), never raises."""
    from django.template import TemplateDoesNotExist

    from portal.core.pdf import render_pdf

    with transaction.atomic():
        document = (
            Document.objects.select_for_update(of=("self",))
            .select_related("dossier")
            .get(pk=document_id)
        )
        if document.status == Document.Status.READY and document.file:
            return document
        try:
            pdf = render_pdf(document.template_name, _render_context(document.context))
        except TemplateDoesNotExist:
            logger.error("Document %s: template %s is missing", document.pk, document.template_name)
            document.status = Document.Status.FAILED
            document.save(update_fields=["status"])
            return document
        except Exception:  # noqa: BLE001
            logger.exception("Document %s could not be rendered", document.pk)
            document.status = Document.Status.FAILED
            document.save(update_fields=["status"])
            return document
        name = f"{document.kind}-{document.pk}.pdf"
        document.file.save(name, ContentFile(pdf), save=False)
        document.status = Document.Status.READY
        document.save(update_fields=["status", "file"])
        return document


# ---------------------------------------------------------------------------------------------
# routing and drafts


def unit_for(*, procedure: Procedure, area: AdministrativeArea | None) -> PoliceUnit | None:
    """The receiving unit: the commune police of `area`, or for a province-level procedure the
    provincial police of the area's province."""
    from portal.units.selectors import unit_for_area

    if area is None:
        return None
    level = (procedure.handling_level or "commune").lower()
    if level == "commune":
        return unit_for_area(area)
    target = area
    while target is not None and target.kind != AdministrativeArea.Kind.PROVINCE:
        target = target.parent
    if target is None:
        return None
    return (
        PoliceUnit.objects.filter(area=target, level=level, is_active=True).order_by("path").first()
    )


def _not_online_error(procedure: Procedure, unit: PoliceUnit | None) -> Conflict:
    where = (
        _("%(unit)s (%(address)s)") % {"unit": unit.name, "address": unit.address}
        if unit and unit.address
        else (unit.name if unit else _("cơ quan Công an có thẩm quyền"))
    )
    return Conflict(
        _(
            "Thủ tục “%(name)s” chưa được nộp trực tuyến (mức độ %(level)s). Vui lòng nộp hồ sơ "
            "trực tiếp hoặc qua dịch vụ bưu chính công ích tại %(where)s."
        )
        % {"name": procedure.name_vi, "level": procedure.effective_level, "where": where},
        code="procedure_not_online",
        details={
            "unit": {"name": unit.name, "address": unit.address, "phone": unit.phone}
            if unit
            else None
        },
    )


@transaction.atomic
def create_draft(
    *,
    citizen,
    procedure: Procedure,
    area: AdministrativeArea | None,
    form_data: dict | None = None,
) -> Dossier:
    """Start a dossier (draft) for a citizen. The form data is kept as typed (validated at
    update/submit), so nothing the citizen typed is lost."""
    if citizen is None or not getattr(citizen, "is_authenticated", False):
        raise PermissionDenied(_("Bạn cần đăng nhập để nộp hồ sơ."))
    if getattr(citizen, "is_officer", False):
        raise PermissionDenied(_("Tài khoản cán bộ không nộp hồ sơ thay công dân trên cổng."))
    unit = unit_for(procedure=procedure, area=area)
    if not procedure.allows_online_submission or not procedure.is_published:
        raise _not_online_error(procedure, unit)
    if area is None:
        raise ValidationError({"area": [_("Vui lòng chọn xã / phường nơi thực hiện thủ tục.")]})
    if unit is None:
        raise DomainError(
            _("Chưa có đơn vị Công an tiếp nhận hồ sơ tại %(area)s.") % {"area": area.name},
            code="no_receiving_unit",
        )
    plugin = get_plugin(procedure, unit=unit)
    limit_errors = draft_limit_errors(procedure, form_data or {})
    if limit_errors:
        raise ValidationError(limit_errors)
    data = dict(plugin.initial(citizen=citizen))
    data.update(form_data or {})
    dossier = Dossier(
        code="",
        citizen=citizen,
        procedure=procedure,
        unit=unit,
        area=area,
        form_data=_json_safe(data),
        applicant_name=citizen.full_name or citizen.get_full_name() or citizen.username,
        applicant_personal_id=citizen.personal_id or "",
        applicant_phone=citizen.phone or "",
        applicant_email=citizen.email or "",
        applicant_address=citizen.current_address or citizen.permanent_address or "",
        result_method=(procedure.result_methods or [ResultMethod.IN_PERSON])[0]
        if procedure.result_methods
        else ResultMethod.IN_PERSON,
    )
    dossier.code = new_dossier_code(unit=unit, at=dossier.created_at)
    dossier.save()
    _record(dossier, action="create", from_state="", actor=citizen)
    return dossier


# Errors a draft must not keep even though it is saved as typed: a value longer than its field
# allows (a missing or not yet valid value is fine until submission).
DRAFT_LIMIT_CODES = frozenset({"max_length", "max_value", "max_digits", "max_decimal_places"})


def draft_limit_errors(procedure: Procedure, data: dict) -> dict[str, list[str]]:
    """The plugin form's limits (max_length …) on what was typed, field → messages."""
    form = get_plugin(procedure).form_class(data=data)
    form.is_valid()
    errors: dict[str, list[str]] = {}
    for name, field_errors in form.errors.as_data().items():
        limited = [str(m) for e in field_errors if e.code in DRAFT_LIMIT_CODES for m in e.messages]
        if limited:
            errors[name] = limited
    return errors


def _json_safe(data: dict) -> dict:
    from portal.core.text import nfc_deep
    from portal.dossiers.registry import _jsonable

    return nfc_deep({str(k): _jsonable(v) for k, v in data.items()})


def _require_owner(dossier: Dossier, actor) -> None:
    if actor is None or dossier.citizen_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Chỉ người nộp hồ sơ mới được thực hiện thao tác này."))


@transaction.atomic
def update_draft(
    *,
    dossier: Dossier,
    actor,
    form_data: dict | None = None,
    result_method: str | None = None,
    result_address: str | None = None,
    expected_version: int | None = None,
    validate: bool = True,
) -> Dossier:
    """Change a draft. `form_data` is validated by the plugin; on errors a django ValidationError
    (field → messages) is raised and nothing is saved (what was saved before stays).

    With `validate=False` ("save draft, resume later") an incomplete form is stored as typed;
    the plugin validates it at submission."""
    locked = _lock(dossier)
    _require_owner(locked, actor)
    _check_version(locked, expected_version)
    if locked.state != State.DRAFT:
        raise Conflict(
            _("Chỉ sửa được hồ sơ ở trạng thái bản nháp (hiện tại: “%(state)s”).")
            % {"state": _state_label(locked.state)},
            code="invalid_transition",
        )
    plugin = get_plugin(locked.procedure, unit=locked.unit)
    errors: dict[str, list[str]] = {}
    if result_method is not None:
        allowed = locked.procedure.result_methods or list(ResultMethod.values)
        if not locked.procedure.requires_online_payment:  # electronic result: level 4 only
            allowed = [m for m in allowed if m != ResultMethod.ELECTRONIC]
        if result_method not in ResultMethod.values or result_method not in allowed:
            errors["result_method"] = [_("Hình thức nhận kết quả không hợp lệ cho thủ tục này.")]
        else:
            locked.result_method = result_method
    if result_address is not None:
        locked.result_address = result_address.strip()[:300]
    if validate and locked.result_method == ResultMethod.POST and not locked.result_address:
        errors["result_address"] = [_("Vui lòng nhập địa chỉ nhận kết quả qua bưu chính.")]
    if form_data is not None and not validate:
        limit_errors = draft_limit_errors(locked.procedure, form_data)
        if limit_errors:
            errors.update(limit_errors)
        else:
            locked.form_data = _json_safe(form_data)
    elif form_data is not None:
        try:
            locked.form_data = plugin.clean(dossier=locked, data=form_data)
            _route(locked, plugin)
        except ValidationError as exc:
            errors.update(_error_dict(exc))
    if errors:
        raise ValidationError(errors)
    _save(locked, "form_data", "result_method", "result_address", "area", "unit")
    return refresh_caller(dossier, locked)


def _route(dossier: Dossier, plugin: ProcedurePlugin) -> None:
    """The plugin's `area_for` (the commune of the address concerned, from the cleaned data)
    routes the dossier to that commune's police; no such unit is `no_receiving_unit`."""
    area = plugin.area_for(dossier=dossier, data=dossier.form_data)
    if area is None or area.pk == dossier.area_id:
        return
    unit = unit_for(procedure=dossier.procedure, area=area)
    if unit is None:
        raise DomainError(
            _("Chưa có đơn vị Công an tiếp nhận hồ sơ tại %(area)s.") % {"area": area.name},
            code="no_receiving_unit",
            details={"area": area.code},
        )
    dossier.area, dossier.unit = area, unit


def _error_dict(exc: ValidationError) -> dict[str, list[str]]:
    """Field → messages, also for a plugin that raised ValidationError(form.errors.get_json_data())."""
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    messages = exc.messages
    if (
        len(exc.error_list) == 1
        and isinstance(exc.error_list[0].message, dict)
        and exc.error_list[0].message
    ):
        payload = exc.error_list[0].message
        return {
            field: [e["message"] if isinstance(e, dict) else str(e) for e in errs]
            for field, errs in payload.items()
        }
    return {"__all__": [str(m) for m in messages]}


# ---------------------------------------------------------------------------------------------
# attachments


def _attachment_states() -> tuple[str, ...]:
    return (State.DRAFT, State.SUPPLEMENT_REQUESTED)


@transaction.atomic
def add_attachment(
    *, dossier: Dossier, actor, uploaded_file, requirement_key: str = ""
) -> Attachment:
    """Attach a file (draft, or while a supplement is requested). Checked by content; see
    attachments.check_file for the refusal codes."""
    locked = _lock(dossier)
    _require_owner(locked, actor)
    if locked.state not in _attachment_states():
        raise Conflict(
            _("Không thể thêm tệp khi hồ sơ đang ở trạng thái “%(state)s”.")
            % {"state": _state_label(locked.state)},
            code="invalid_transition",
        )
    requirement_key = (requirement_key or "").strip()
    if requirement_key:
        keys = {d.key for d in locked.procedure.required_documents.all()}
        if requirement_key not in keys:
            raise DomainError(
                _("Giấy tờ “%(key)s” không thuộc thành phần hồ sơ của thủ tục này.")
                % {"key": requirement_key},
                code="unknown_requirement",
            )
    existing = list(locked.attachments.values_list("size", flat=True))
    checked = attachment_checks.check_file(
        uploaded_file, existing_count=len(existing), existing_bytes=sum(existing)
    )
    open_request = (
        locked.supplement_requests.filter(fulfilled_at__isnull=True).first()
        if locked.state == State.SUPPLEMENT_REQUESTED
        else None
    )
    attachment = Attachment(
        dossier=locked,
        requirement_key=requirement_key,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
        supplement_request=open_request,
    )
    attachment.file.save(checked.stored_name, ContentFile(checked.content), save=False)
    path, storage = attachment.file.name, attachment.file.storage
    try:
        attachment.save()
    except Exception:
        storage.delete(path)  # no orphan file for a row that was never written
        raise
    Dossier.objects.filter(pk=locked.pk).update(version=locked.version + 1)
    locked.version += 1
    refresh_caller(dossier, locked)
    return attachment


@transaction.atomic
def delete_attachment(*, attachment: Attachment, actor) -> None:
    locked = _lock(attachment.dossier)
    _require_owner(locked, actor)
    if locked.state not in _attachment_states():
        raise Conflict(
            _("Không thể xóa tệp khi hồ sơ đang ở trạng thái “%(state)s”.")
            % {"state": _state_label(locked.state)},
            code="invalid_transition",
        )
    if locked.state == State.SUPPLEMENT_REQUESTED and attachment.supplement_request_id is None:
        raise Conflict(
            _("Không thể xóa tệp đã nộp trước khi có yêu cầu bổ sung."),
            code="attachment_locked",
        )
    path, storage = attachment.file.name, attachment.file.storage
    Attachment.objects.filter(pk=attachment.pk).delete()
    Dossier.objects.filter(pk=locked.pk).update(version=locked.version + 1)
    transaction.on_commit(lambda: storage.delete(path) if path else None)


def missing_documents(*, dossier: Dossier) -> list:
    """Mandatory documents (RequiredDocument) with no attachment yet."""
    plugin = registry.get(dossier.procedure.code)
    required = (
        plugin.required_documents(dossier=dossier)
        if plugin is not None
        else [d for d in dossier.procedure.required_documents.all() if d.is_mandatory]
    )
    present = set(dossier.attachments.values_list("requirement_key", flat=True))
    return [d for d in required if d.key not in present]


# ---------------------------------------------------------------------------------------------
# citizen transitions


def _receiving_round_the_clock(procedure: Procedure) -> bool:
    return procedure.reception_mode == "round_the_clock"


def _working_days(procedure: Procedure, dossier: Dossier | None = None) -> Decimal:
    """The plugin's `deadline_working_days(dossier=)` when it gives one (e.g. ½ day vs 3), else
    the catalogue's."""
    plugin = registry.get(procedure.code) if dossier is not None else None
    days = plugin.deadline_working_days(dossier=dossier) if plugin is not None else None
    if days is not None:
        return Decimal(str(days))
    if procedure.deadline_kind == DeadlineKind.IMMEDIATE:
        return Decimal("0")
    return Decimal(procedure.deadline_days or 0)


def require_verified_phone(citizen) -> None:
    """Every notice about a dossier goes by SMS: a dossier is submitted only from an account whose
    phone number was verified with a code (409 `phone_not_verified` otherwise)."""
    if not (getattr(citizen, "phone", "") and getattr(citizen, "phone_verified_at", None)):
        raise Conflict(
            _(
                "Vui lòng xác minh số điện thoại trước khi nộp hồ sơ: "
                "mọi thông báo về hồ sơ được gửi qua SMS tới số này."
            ),
            code="phone_not_verified",
        )


@transaction.atomic
def submit(*, dossier: Dossier, actor, expected_version: int | None = None) -> Dossier:
    """Submit a draft: validates the form and the mandatory attachments, fixes the legal
    reception moment, and for level 4 with an online fee waits for payment."""
    from portal.workcalendar.services import reception_moment

    locked = _lock(dossier)
    _check_version(locked, expected_version)
    plugin = get_plugin(locked.procedure, unit=locked.unit)
    now = _now()
    online_fee = None
    if locked.state == State.DRAFT:
        _require_owner(locked, actor)
        require_verified_phone(locked.citizen)
        try:
            locked.form_data = plugin.clean(dossier=locked, data=locked.form_data)
            _route(locked, plugin)
        except ValidationError as exc:
            raise DomainError(
                _("Tờ khai còn thông tin chưa hợp lệ. Vui lòng kiểm tra lại."),
                code="invalid_form",
                details=_error_dict(exc),
            ) from None
        missing = missing_documents(dossier=locked)
        if missing:
            raise DomainError(
                _("Hồ sơ còn thiếu giấy tờ bắt buộc: %(names)s.")
                % {"names": "; ".join(d.name for d in missing)},
                code="missing_documents",
                details={
                    "missing": [d.name for d in missing],
                    "missing_keys": [d.key for d in missing],
                },
            )
        if locked.result_method == ResultMethod.POST and not locked.result_address:
            raise DomainError(
                _("Vui lòng nhập địa chỉ nhận kết quả qua bưu chính."),
                code="invalid_form",
                details={"result_address": [_("Vui lòng nhập địa chỉ nhận kết quả.")]},
            )
        if locked.procedure.requires_online_payment:
            online_fee = locked.procedure.fee_on(timezone.localdate(now), "online")
    method = "submit_for_payment" if online_fee and online_fee.amount > 0 else "submit"
    _check_transition(locked, method, actor)
    previous = locked.state
    getattr(locked, method)()
    locked.submitted_at = now
    # Frozen before any amount is computed: the level-4 payment adds postal_fee_for(dossier).
    locked.postal_fee = _postal_fee_at_submission(locked)
    if online_fee and online_fee.amount > 0:
        locked.fee_amount = online_fee.amount
        locked.fee_paid_online = True
    else:
        fee = locked.procedure.fee_on(timezone.localdate(now), "in_person")
        locked.fee_amount = fee.amount if fee else 0
        locked.fee_paid_online = False
        locked.received_at = reception_moment(
            submitted_at=now,
            unit=locked.unit,
            round_the_clock=_receiving_round_the_clock(locked.procedure),
        )
        # The legal clock runs from the reception moment even if staff receive it later.
        locked.due_at = _due_from(locked)
    _save(
        locked,
        "form_data",
        "area",
        "unit",
        "submitted_at",
        "received_at",
        "due_at",
        "fee_amount",
        "fee_paid_online",
        "postal_fee",
    )
    event = _record(
        locked,
        action="submit",
        from_state=previous,
        actor=actor,
        details={"fee_amount": locked.fee_amount, "received_at": _iso(locked.received_at)},
        at=now,
    )
    issue_filled_form(locked, event=event)
    if plugin.records_on_submit and locked.state == State.SUBMITTED:
        return refresh_caller(dossier, _record_at_once(locked, plugin=plugin, actor=actor, now=now))
    notify_event("dossier_submitted", dossier=locked, context={"submitted_at": _fmt(now)})
    return refresh_caller(dossier, locked)


def _postal_fee_at_submission(dossier: Dossier) -> int:
    """The postal fee table's rate at submission (0 unless the result goes by post)."""
    try:
        from portal.postal.fees import current_postal_fee_for
    except ImportError:
        return 0
    return current_postal_fee_for(dossier)


RECORDED_EVENT = "notice_recorded"


def _record_at_once(
    locked: Dossier, *, plugin: ProcedurePlugin, actor, now: dt.datetime
) -> Dossier:
    """A notice recorded at once (plugin.records_on_submit, e.g. thông báo lưu trú): in the
    submit transaction the plugin's effect is applied and the dossier completed: no staff step,
    no due moment (so it can never be overdue), received when submitted."""
    _check_transition(locked, "record", actor)
    spec: ResultDocumentSpec | None = plugin.approve(dossier=locked, actor=actor)
    previous = locked.state
    locked.record()
    locked.received_at = locked.submitted_at = now
    locked.due_at = None
    locked.decided_at = locked.returned_at = now
    _save(locked, "received_at", "submitted_at", "due_at", "decided_at", "returned_at")
    event = _record(
        locked,
        action="record",
        from_state=previous,
        actor=actor,
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
    notify_event(RECORDED_EVENT, dossier=locked, context={"recorded_at": _fmt(now)})
    return locked


def _due_from(dossier: Dossier) -> dt.datetime:
    from portal.workcalendar.services import due_moment

    return due_moment(
        received_at=dossier.received_at,
        working_days=_working_days(dossier.procedure, dossier),
        unit=dossier.unit,
    )


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@transaction.atomic
def confirm_payment(*, dossier: Dossier, actor=None, paid_at: dt.datetime | None = None) -> Dossier:
    """The payment gateway confirmed the online fee (system actor; the payment issue wires it)."""
    from portal.workcalendar.services import reception_moment

    locked, previous, roles = _run_transition(
        dossier, name="confirm_payment", actor=actor, expected_version=None
    )
    locked.paid_at = paid_at or _now()
    locked.received_at = reception_moment(
        submitted_at=locked.paid_at,
        unit=locked.unit,
        round_the_clock=_receiving_round_the_clock(locked.procedure),
    )
    locked.due_at = _due_from(locked)
    _save(locked, "paid_at", "received_at", "due_at")
    _record(
        locked,
        action="confirm_payment",
        from_state=previous,
        actor=actor,
        roles=roles,
        details={"amount": locked.fee_amount},
    )
    return refresh_caller(dossier, locked)


@transaction.atomic
def withdraw(
    *, dossier: Dossier, actor, reason: str = "", expected_version: int | None = None
) -> Dossier:
    locked, previous, roles = _run_transition(
        dossier, name="withdraw", actor=actor, expected_version=expected_version
    )
    locked.decided_at = _now()
    _save(locked, "decided_at")
    _record(locked, action="withdraw", from_state=previous, actor=actor, reason=reason.strip())
    return refresh_caller(dossier, locked)


@transaction.atomic
def resubmit(*, dossier: Dossier, actor, expected_version: int | None = None) -> Dossier:
    """The citizen sent what was asked for: the clock resumes with what was left of it."""
    from portal.workcalendar.services import add_office_time, reception_moment

    locked = _lock(dossier)
    _check_version(locked, expected_version)
    _check_transition(locked, "resubmit", actor)
    request = locked.supplement_requests.filter(fulfilled_at__isnull=True).first()
    if request is not None and not request.attachments.exists():
        raise DomainError(
            _("Vui lòng tải lên giấy tờ được yêu cầu bổ sung trước khi nộp lại."),
            code="missing_documents",
            details={"missing": [item.get("document", "") for item in request.items]},
        )
    now = _now()
    previous = locked.state
    locked.resubmit()
    moment = reception_moment(
        submitted_at=now,
        unit=locked.unit,
        round_the_clock=_receiving_round_the_clock(locked.procedure),
    )
    locked.received_at = moment
    if locked.remaining_office_seconds is not None:
        locked.due_at = add_office_time(
            start=moment,
            duration=dt.timedelta(seconds=locked.remaining_office_seconds),
            unit=locked.unit,
        )
    else:
        locked.due_at = None  # computed again at the next reception
    paused_at = locked.paused_at
    locked.paused_at = None
    locked.remaining_office_seconds = None
    _save(locked, "received_at", "due_at", "paused_at", "remaining_office_seconds")
    if request is not None:
        request.fulfilled_at = now
        request.save(update_fields=["fulfilled_at"])
    _record(
        locked,
        action="resubmit",
        from_state=previous,
        actor=actor,
        details={
            "paused_at": _iso(paused_at),
            "received_at": _iso(moment),
            "due_at": _iso(locked.due_at),
        },
        at=now,
    )
    return refresh_caller(dossier, locked)


# ---------------------------------------------------------------------------------------------
# staff transitions


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
    issue_document(
        locked,
        kind=Document.Kind.RECEIPT,
        template_name=RECEIPT_TEMPLATE,
        event=event,
        context=document_context(
            locked, officer_unit=locked.unit.name, title=str(title), supplement_receipt=again
        ),
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
    issue_document(
        locked,
        kind=Document.Kind.SUPPLEMENT_GUIDANCE,
        template_name=SUPPLEMENT_TEMPLATE,
        event=event,
        context=document_context(
            locked,
            items=cleaned,
            guidance=guidance,
            title=str(Document.Kind.SUPPLEMENT_GUIDANCE.label),
        ),
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
    issue_document(
        locked,
        kind=Document.Kind.REFUSAL,
        template_name=REFUSAL_TEMPLATE,
        event=event,
        context=document_context(
            locked,
            reason=reason,
            legal_provision=legal_provision,
            title=str(Document.Kind.REFUSAL.label),
            **(document_extra or {}),
        ),
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
) -> Dossier:
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
        context={"return_method": str(ResultMethod(method).label)},
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


# ---------------------------------------------------------------------------------------------
# what may this user do now


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


# ---------------------------------------------------------------------------------------------
# overdue: the citizen is told too (issue 14), once per dossier, before the leader's apology

OVERDUE_NOTICE = "overdue_notice"
OVERDUE_NOTICE_EVENT = "dossier_overdue"


def notify_overdue(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Notify (SMS and email, event `dossier_overdue`) every dossier whose clock runs and whose due
    moment has passed, once: the history row `overdue_notice` marks it done (written in the same
    transaction as the outbox rows). Returns how many dossiers were notified."""
    from django.db.models import Exists, OuterRef

    now = now or _now()
    already = DossierEvent.objects.filter(dossier_id=OuterRef("pk"), action=OVERDUE_NOTICE)
    pks = list(
        Dossier.objects.filter(state__in=CLOCK_RUNNING_STATES, due_at__lt=now)
        .exclude(Exists(already))
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in pks:
        with transaction.atomic():
            locked = (
                Dossier.objects.select_for_update()
                .select_related("procedure", "unit", "citizen")
                .get(pk=pk)
            )
            if not locked.is_overdue(now) or locked.events.filter(action=OVERDUE_NOTICE).exists():
                continue
            _record(
                locked,
                action=OVERDUE_NOTICE,
                from_state=locked.state,
                actor=None,
                details={"due_at": _iso(locked.due_at)},
                at=now,
            )
            notify_event(
                OVERDUE_NOTICE_EVENT, dossier=locked, context={"due_at": _fmt(locked.due_at)}
            )
            sent += 1
    return sent
