"""Shared pieces of the dossier services: the lock, the version and transition checks, the
history row, the citizen's notices (outbox rows written in the caller's transaction)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from portal.catalogue.models import Procedure
from portal.core.errors import Conflict, PermissionDenied
from portal.dossiers.models import (
    Dossier,
    DossierEvent,
    State,
)
from portal.dossiers.registry import ProcedurePlugin, registry
from portal.units.models import PoliceUnit

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
    """Now. Tests set the clock with `monkeypatch.setattr(services, "_now", …)` on the package:
    every module of the package asks through here, so that still moves every service's clock."""
    import portal.dossiers.services as package

    clock = package.__dict__.get("_now", _now)
    return clock() if clock is not _now else timezone.now()


def _lock(dossier: Dossier) -> Dossier:
    """The dossier's row, locked until the transaction ends. An instance the caller already
    read with the lock in this transaction (selectors.lock_dossier_for_user) is used as it is."""
    from portal.dossiers.selectors import is_locked

    if is_locked(dossier):
        return dossier
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure", "unit", "citizen")
        .get(pk=dossier.pk)
    )


def locked_in_current_block(dossier: Dossier) -> bool:
    """True when `dossier` was locked (selectors.lock_dossier_for_user) in the innermost open
    atomic block: a service may then run in that block without a savepoint of its own."""
    from django.db import transaction

    block = getattr(dossier, "_locked_in", None)
    blocks = transaction.get_connection().atomic_blocks
    return block is not None and bool(blocks) and blocks[-1] is block


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
    event = _event_row(
        dossier,
        action=action,
        from_state=from_state,
        actor=actor,
        roles=roles,
        reason=reason,
        details=details,
        at=at,
    )
    event.save(force_insert=True)
    return event


def _event_row(
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
    """The history row `_record` writes, not written yet (for rows written together)."""
    return DossierEvent(
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


def notify_event(
    event: str, *, dossier: Dossier, context: dict | None = None, attachments: tuple = ()
) -> None:
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
        **({"attachments": tuple(attachments)} if attachments else {}),
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


def _json_safe(data: dict) -> dict:
    from portal.core.text import nfc_deep
    from portal.dossiers.registry import _jsonable

    return nfc_deep({str(k): _jsonable(v) for k, v in data.items()})


def _require_owner(dossier: Dossier, actor) -> None:
    if actor is None or dossier.citizen_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Chỉ người nộp hồ sơ mới được thực hiện thao tác này."))


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


def _slip(dossier: Dossier, kind: str, default: str, context: dict) -> tuple[str, dict]:
    """The slip's template (the plugin's `slip_templates`, else the engine's residence slip) and
    its context with the plugin's extras (`slip_context`)."""
    plugin = display_plugin(dossier.procedure)  # a dossier whose plugin is gone gets the defaults
    context.update(_json_safe(dict(plugin.slip_context(dossier=dossier, kind=kind) or {})))
    return plugin.slip_templates.get(kind, default), context
