"""The citizen's transitions: submit (or record at once), payment, withdraw, resubmit.

Every transition: lock the row, check `expected_version`, check the transition and the role,
do the work, bump `version`, append the history row; notices go to the outbox in the same
transaction, PDFs are rendered after commit (see _common.py for the shared steps)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.catalogue.models import DeadlineKind, Procedure, ResultMethod
from portal.catalogue.selectors import first_form
from portal.core.errors import Conflict, DomainError
from portal.dossiers.models import (
    Document,
    Dossier,
    DossierEvent,
    State,
)
from portal.dossiers.registry import ProcedurePlugin, ResultDocumentSpec, registry
from portal.dossiers.services._common import (
    _check_transition,
    _check_version,
    _error_dict,
    _event_row,
    _fmt,
    _json_safe,
    _lock,
    _now,
    _record,
    _require_owner,
    _run_transition,
    _save,
    get_plugin,
    locked_in_current_block,
    notify_event,
    refresh_caller,
)
from portal.dossiers.services.documents import (
    document_context,
    issue_document,
    issue_filled_form,
)
from portal.dossiers.services.drafts import (
    _route,
    missing_documents,
)


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


def submit(*, dossier: Dossier, actor, expected_version: int | None = None) -> Dossier:
    """Submit a draft: validates the form and the mandatory attachments, fixes the legal
    reception moment, and at level 4 waits for the online payment of the fee and/or the postage
    of a result by post (`_postage_paid_online`).

    A dossier the caller locked in its own innermost atomic block (the API's action view) is
    submitted in that block, without a savepoint: an error rolls the caller's block back anyway."""
    with transaction.atomic(savepoint=not locked_in_current_block(dossier)):
        return _submit(dossier=dossier, actor=actor, expected_version=expected_version)


def _submit(*, dossier: Dossier, actor, expected_version: int | None) -> Dossier:
    from portal.workcalendar.services import office_calendar, round_the_clock_reception

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
        if locked.procedure.requires_online_payment and not plugin.fee_waived(dossier=locked):
            online_fee = locked.procedure.fee_on(timezone.localdate(now), "online")
    locked.submitted_at = now
    # Frozen before any amount is computed: the level-4 payment adds postal_fee_for(dossier).
    locked.postal_fee = _postal_fee_at_submission(locked)
    fee_online = online_fee.amount if online_fee and online_fee.amount > 0 else 0
    pays_online = fee_online > 0 or (
        locked.postal_fee > 0 and _postage_paid_online(locked.procedure, plugin)
    )
    method = "submit_for_payment" if pays_online else "submit"
    _check_transition(locked, method, actor)
    previous = locked.state
    getattr(locked, method)()
    # A notice recorded at once is saved once, with the record transition (one UPDATE).
    at_once = plugin.records_on_submit and locked.state == State.SUBMITTED
    if pays_online:
        # The fee and/or the postage (a free procedure whose result goes by post): one payment of
        # payments.services.amount_due = fee_amount + postal_fee, then confirm_payment.
        locked.fee_amount = fee_online
        locked.fee_paid_online = fee_online > 0
    else:
        fee = locked.procedure.fee_on(timezone.localdate(now), "in_person")
        locked.fee_amount = fee.amount if fee and not plugin.fee_waived(dossier=locked) else 0
        locked.fee_paid_online = False
        round_the_clock = _receiving_round_the_clock(locked.procedure)
        if at_once and round_the_clock:
            # No due moment for a notice recorded at once: no office hours to read.
            locked.received_at = round_the_clock_reception(now)
            locked.due_at = None
        else:
            calendar = office_calendar(locked.unit)  # the unit's office hours read once
            locked.received_at = calendar.reception_moment(now, round_the_clock=round_the_clock)
            # The legal clock runs from the reception moment even if staff receive it later.
            locked.due_at = _due_from(locked, calendar=calendar)
    fields = (
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
    if not at_once:
        _save(locked, *fields)
    event = _event_row(
        locked,
        action="submit",
        from_state=previous,
        actor=actor,
        details={"fee_amount": locked.fee_amount, "received_at": _iso(locked.received_at)},
        at=now,
    )
    if at_once and first_form(locked.procedure) is None:
        # Nothing refers to the submit row before the record row is written: both go in one
        # INSERT, in this order, in this transaction.
        recorded = _record_at_once(
            locked, plugin=plugin, actor=actor, now=now, unsaved=fields, submit_event=event
        )
        return refresh_caller(dossier, recorded)
    event.save(force_insert=True)
    issue_filled_form(locked, event=event)
    if at_once:
        recorded = _record_at_once(locked, plugin=plugin, actor=actor, now=now, unsaved=fields)
        return refresh_caller(dossier, recorded)
    notify_event("dossier_submitted", dossier=locked, context={"submitted_at": _fmt(now)})
    return refresh_caller(dossier, locked)


def _postage_paid_online(procedure: Procedure, plugin: ProcedurePlugin) -> bool:
    """Level 4 with a payment provider (payments.postage_paid_online), except a notice recorded
    at once (no payment step there: the postage is paid on delivery)."""
    from portal.dossiers import payments

    return payments.postage_paid_online(procedure) and not plugin.records_on_submit


def _postal_fee_at_submission(dossier: Dossier) -> int:
    """The postal fee table's rate at submission (0 unless the result goes by post)."""
    try:
        from portal.postal.fees import current_postal_fee_for
    except ImportError:
        return 0
    return current_postal_fee_for(dossier)


RECORDED_EVENT = "notice_recorded"


def _record_at_once(
    locked: Dossier,
    *,
    plugin: ProcedurePlugin,
    actor,
    now: dt.datetime,
    unsaved: tuple[str, ...] = (),
    submit_event: DossierEvent | None = None,
) -> Dossier:
    """A notice recorded at once (plugin.records_on_submit, e.g. thông báo lưu trú): in the
    submit transaction the plugin's effect is applied and the dossier completed: no staff step,
    no due moment (so it can never be overdue), received when submitted.

    `unsaved`: the fields the submit transition changed without saving them; they are saved
    with this transition's in one UPDATE, and the version counts both transitions.
    `submit_event`: the submit transition's history row, not written yet: written with this
    transition's in one INSERT (before it)."""
    _check_transition(locked, "record", actor)
    spec: ResultDocumentSpec | None = plugin.approve(dossier=locked, actor=actor)
    previous = locked.state
    locked.record()
    locked.received_at = locked.submitted_at = now
    locked.due_at = None
    locked.decided_at = locked.returned_at = now
    if unsaved:
        locked.version += 1  # the submit transition's version
    _save(locked, *unsaved, "received_at", "submitted_at", "due_at", "decided_at", "returned_at")
    event = _event_row(
        locked,
        action="record",
        from_state=previous,
        actor=actor,
        details={"result_document": spec.title if spec else ""},
        at=now,
    )
    if submit_event is not None:
        DossierEvent.objects.bulk_create([submit_event, event])
    else:
        event.save(force_insert=True)
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


def _due_from(dossier: Dossier, *, calendar=None) -> dt.datetime:
    from portal.workcalendar.services import office_calendar

    calendar = calendar or office_calendar(dossier.unit)
    return calendar.due_moment(dossier.received_at, _working_days(dossier.procedure, dossier))


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@transaction.atomic
def confirm_payment(*, dossier: Dossier, actor=None, paid_at: dt.datetime | None = None) -> Dossier:
    """The payment gateway confirmed the online payment of the fee and/or the postage (system
    actor; portal.payments calls it)."""
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
        details={"amount": locked.fee_amount, "postal_fee": locked.postal_fee},
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
