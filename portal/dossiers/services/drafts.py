"""Routing, drafts and attachments: what the citizen does before submitting."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from portal.catalogue.models import Procedure, ResultMethod
from portal.core.errors import Conflict, DomainError, PermissionDenied
from portal.dossiers import attachments as attachment_checks
from portal.dossiers.codes import new_dossier_code
from portal.dossiers.formfields import validate_form
from portal.dossiers.models import (
    Attachment,
    Dossier,
    State,
)
from portal.dossiers.registry import ProcedurePlugin, registry
from portal.dossiers.services._common import (
    _check_version,
    _error_dict,
    _json_safe,
    _lock,
    _not_online_error,
    _record,
    _require_owner,
    _save,
    _state_label,
    get_plugin,
    refresh_caller,
)
from portal.units.models import AdministrativeArea, PoliceUnit


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
    typed = form_data or {}
    known = plugin.initial_fields
    if known is not None and all(key in typed for key in known):
        data = dict(typed)  # every key initial() could fill was typed
    else:
        data = dict(plugin.initial(citizen=citizen))
        data.update(typed)
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
    _cleaned, found, _fields = validate_form(get_plugin(procedure).form_class, data)
    errors: dict[str, list[str]] = {}
    for name, field_errors in found.items():
        limited = [str(m) for e in field_errors if e.code in DRAFT_LIMIT_CODES for m in e.messages]
        if limited:
            errors[name] = limited
    return errors


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
    if not required:
        return []
    present = set(dossier.attachments.values_list("requirement_key", flat=True))
    return [d for d in required if d.key not in present]
