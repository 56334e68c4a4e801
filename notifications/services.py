"""Services of the outbox. `notify()` is the public API other apps call when something happens."""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications import events as ev
from notifications import sms_encoding, templating
from notifications.defaults import DEFAULT_TEMPLATES
from notifications.masking import mask, normalise_phone, scrub
from notifications.models import (
    FINAL_STATUSES,
    Channel,
    DeliveryAttempt,
    DeliveryReceipt,
    Notification,
    NotificationAttachment,
    NotificationTemplate,
    Status,
    statuses_below,
)
from notifications.providers import DeliveryError, LookupUnavailable, PermanentError, SendResult

log = logging.getLogger("notifications")

OTP_QUEUE = "otp"
DEFAULT_QUEUE = "celery"
REDACTED = "[đã ẩn]"


# --------------------------------------------------------------------------- templates


def load_default_templates(*, overwrite: bool = False) -> tuple[int, int]:
    """Create the shipped default templates; returns (created, updated). Idempotent."""
    created = updated = 0
    with transaction.atomic():
        for (event, channel), fields in DEFAULT_TEMPLATES.items():
            defaults = {"subject": "", "html_body": "", **fields}
            template, was_created = NotificationTemplate.objects.get_or_create(
                event=event, channel=channel, defaults=defaults
            )
            if was_created:
                created += 1
            elif overwrite and any(getattr(template, k) != v for k, v in defaults.items()):
                for key, value in defaults.items():
                    setattr(template, key, value)
                template.version += 1
                template.save()
                updated += 1
    return created, updated


@transaction.atomic
def save_template(*, template: NotificationTemplate) -> NotificationTemplate:
    """Save a template edited by staff; a changed text gets a new version number."""
    if template.pk:
        old = NotificationTemplate.objects.select_for_update().get(pk=template.pk)
        changed = (old.subject, old.body, old.html_body, old.sms_mode) != (
            template.subject,
            template.body,
            template.html_body,
            template.sms_mode,
        )
        if changed:
            template.version = old.version + 1
    template.save()
    return template


def _template_for(event: str, channel: str) -> NotificationTemplate | None:
    template = NotificationTemplate.objects.filter(
        event=event, channel=channel, is_active=True
    ).first()
    if template is None and (event, channel) in DEFAULT_TEMPLATES:
        # Not loaded yet (fresh database): use the shipped default, unsaved.
        fields = {"subject": "", "html_body": "", **DEFAULT_TEMPLATES[(event, channel)]}
        template = NotificationTemplate(event=event, channel=channel, version=0, **fields)
    return template


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    html_body: str
    sms: sms_encoding.SmsInfo | None


def _format_value(key: str, value):
    """Dates as Vietnamese readers write them; a "; "-joined string of items becomes a list."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%H:%M %d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if key == "items" and isinstance(value, str):
        return [item.strip() for item in value.split(";") if item.strip()]
    if isinstance(value, list | tuple):
        return [_format_value("", item) for item in value]
    if isinstance(value, dict):
        return {k: _format_value(k, v) for k, v in value.items()}
    return value


def render(template: NotificationTemplate, context: dict) -> Rendered:
    context = {key: _format_value(key, value) for key, value in context.items()}
    where = f"notification template {template.event}/{template.channel}"
    for source in (template.subject, template.body, template.html_body):
        templating.check_context(source, context, where=where)
    body = templating.render_text(template.body, context)
    if template.channel == Channel.SMS:
        info = sms_encoding.prepare(body, template.sms_mode, template.max_sms_parts)
        return Rendered(subject="", body=info.text, html_body="", sms=info)
    subject = " ".join(templating.render_text(template.subject, context).split())
    html = (
        templating.render_html(template.html_body, context)
        if template.html_body
        else templating.html_from_text(body)
    )
    return Rendered(subject=subject, body=body, html_body=html, sms=None)


# --------------------------------------------------------------------------- notify


def notify(
    *,
    event: str,
    user=None,
    phone: str = "",
    email: str = "",
    context: dict,
    about=None,
    channels: tuple[str, ...] = ("sms", "email"),
    attachments: tuple[tuple[str, bytes, str], ...] = (),
) -> list[Notification]:
    """Write one notification per channel in the caller's transaction; send after commit.

    For a `user`, the phone and email default to `user.phone` / `user.email`. A channel without an
    address (or without a template) is skipped. A template placeholder missing from `context` raises
    `TemplateContextError` here, at the source. `about` is the object concerned (e.g. a dossier).
    `attachments` (email only): (filename, content, mimetype) tuples.
    """
    if event not in ev.EVENTS:
        raise ValueError(f"unknown notification event {event!r}")
    spec = ev.EVENTS[event]
    if user is not None:
        phone = phone or getattr(user, "phone", "") or ""
        email = email or getattr(user, "email", "") or ""
    full_context = {
        "portal_url": settings.PUBLIC_BASE_URL.rstrip("/"),
        "citizen_name": getattr(user, "full_name", "") if user is not None else "",
        **context,
    }
    addresses = {Channel.SMS: normalise_phone(phone) if phone else "", Channel.EMAIL: email}
    about_fields: dict = {}
    if about is not None:
        about_fields = {
            "content_type": ContentType.objects.get_for_model(about),
            "object_id": str(about.pk),
            "dossier_code": str(getattr(about, "code", "") or "")[:64],
        }
    elif context.get("dossier_code"):
        about_fields = {"dossier_code": str(context["dossier_code"])[:64]}

    rows: list[Notification] = []
    with transaction.atomic():
        for channel in channels:
            address = addresses.get(channel, "")
            if not address:
                if channel == Channel.SMS and phone:
                    log.warning(
                        "notification %s: invalid phone %s, SMS skipped", event, mask(phone)
                    )
                continue
            template = _template_for(event, channel)
            if template is None:
                continue
            rendered = render(template, full_context)
            row = Notification.objects.create(
                event=event,
                channel=channel,
                user=user,
                recipient=address,
                template=template if template.pk else None,
                template_version=template.version,
                subject=rendered.subject[:255],
                body=rendered.body,
                html_body=rendered.html_body,
                sms_encoding=rendered.sms.encoding if rendered.sms else "",
                sms_parts=rendered.sms.parts if rendered.sms else 0,
                sensitive=spec.sensitive,
                queue=OTP_QUEUE if event == ev.OTP_CODE else DEFAULT_QUEUE,
                **about_fields,
            )
            if channel == Channel.EMAIL:
                NotificationAttachment.objects.bulk_create(
                    NotificationAttachment(
                        notification=row, filename=name, content=content, mimetype=mimetype
                    )
                    for name, content, mimetype in attachments
                )
            rows.append(row)
            log.info("notification %s created: %s %s to %s", row.pk, event, channel, mask(address))
        ids = [(row.pk, row.queue) for row in rows]
        if ids:
            transaction.on_commit(lambda: enqueue(ids))
    return rows


def enqueue(ids: list[tuple[int, str]]) -> None:
    """Hand notifications to Celery. A broker failure is logged: the sweeper sends them later."""
    from notifications import tasks

    for pk, queue in ids:
        task = tasks.deliver_otp if queue == OTP_QUEUE else tasks.deliver_notification
        try:
            task.apply_async(
                args=[pk],
                queue=queue,
                retry=True,
                retry_policy={
                    "max_retries": 1,
                    "interval_start": 0,
                    "interval_step": 0.2,
                    "interval_max": 0.2,
                },
            )
        except Exception as exc:  # broker down: the row stays "created" for the sweeper
            log.warning("notification %s not queued (%s); the sweeper will retry", pk, exc)


# --------------------------------------------------------------------------- delivery


@dataclass(frozen=True)
class Outcome:
    status: str  # what happened: "skipped", "sent", "delivered", "retry", "failed"
    retry_in: float | None = None


def _max_age(row: Notification) -> timedelta:
    seconds = (
        settings.NOTIFICATIONS_OTP_MAX_AGE_SECONDS
        if row.queue == OTP_QUEUE
        else settings.NOTIFICATIONS_MAX_AGE_SECONDS
    )
    return timedelta(seconds=seconds)


def _max_attempts(row: Notification) -> int:
    if row.queue == OTP_QUEUE:
        return settings.NOTIFICATIONS_OTP_MAX_ATTEMPTS
    return settings.NOTIFICATIONS_MAX_ATTEMPTS


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with jitter: base·2^(attempt−1), capped, then a random 50–100 %."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    cap = settings.NOTIFICATIONS_RETRY_MAX_SECONDS
    delay = min(cap, base * (2 ** max(0, attempt - 1)))
    return delay * random.uniform(0.5, 1.0)


def advance_status(*, notification_id: int, status: str, **fields) -> bool:
    """Move a notification forward to `status`; a move backwards (or from a final status) is a no-op."""
    now = timezone.now()
    values = {"status": status, "status_changed_at": now, **fields}
    if status == Status.DELIVERED:
        values.setdefault("delivered_at", now)
    elif status in FINAL_STATUSES:
        values.setdefault("failed_at", now)
    elif status == Status.SENT:
        values.setdefault("sent_at", now)
    changed = (
        Notification.objects.filter(pk=notification_id, status__in=statuses_below(status)).update(
            **values
        )
        == 1
    )
    if changed and status in FINAL_STATUSES:
        _redact_if_sensitive(notification_id)
    return changed


def _redact_if_sensitive(notification_id: int) -> None:
    Notification.objects.filter(pk=notification_id, sensitive=True).update(
        body=REDACTED, html_body="", subject=""
    )


def claim(*, notification_id: int) -> Notification | None:
    """Atomically take a notification for one send attempt; None if someone else has it, it is final,
    or its next attempt is not due yet. Two tasks for one row: only one wins."""
    now = timezone.now()
    lease = timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS)
    won = (
        Notification.objects.filter(pk=notification_id, status__in=[Status.CREATED, Status.SENDING])
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            status=Status.SENDING,
            status_changed_at=now,
            locked_until=now + lease,
            attempts=F("attempts") + 1,
        )
    )
    if not won:
        return None
    return Notification.objects.get(pk=notification_id)


def _sms_backend(row: Notification):
    from notifications.providers.sms import get_backend

    backend = get_backend()
    if row.queue == OTP_QUEUE and getattr(backend, "timeout", None):
        # a late code is useless: do not wait on a slow gateway
        backend.timeout = min(backend.timeout, settings.NOTIFICATIONS_OTP_GATEWAY_TIMEOUT)
    return backend


def _outcome_unknown(row: Notification) -> bool:
    """An earlier attempt of this claim's notification started (the claim counted it) but left no
    outcome: the worker died between the send and the commit of its result, so the gateway may
    already have the message. The first attempt never is: no query on the common path."""
    if row.attempts <= 1:
        return False
    return DeliveryAttempt.objects.filter(notification=row).count() < row.attempts - 1


def _already_accepted(row: Notification) -> SendResult | None:
    """Before re-sending an SMS whose earlier attempt has no outcome, ask the gateway whether it
    already accepted that idempotency key. None: not accepted, or it cannot tell (then the SMS is
    sent again: at least once)."""
    try:
        return _sms_backend(row).lookup(reference=str(row.reference))
    except LookupUnavailable as exc:
        log.warning(
            "notification %s: an earlier attempt has no outcome and the gateway cannot tell "
            "whether it has the message (%s); sending again",
            row.pk,
            exc,
        )
        return None


def _send(row: Notification) -> SendResult:
    if row.channel == Channel.SMS:
        backend = _sms_backend(row)
        return backend.send(
            phone=row.recipient,
            text=row.body,
            encoding=row.sms_encoding or sms_encoding.UCS2,
            reference=str(row.reference),
        )
    from notifications.providers.email import send_email

    return send_email(
        to=row.recipient,
        subject=row.subject,
        text=row.body,
        html=row.html_body,
        attachments=list(row.attachments.all()),
        reference=str(row.reference),
    )


def deliver(*, notification_id: int) -> Outcome:
    """One delivery attempt. Never raises for provider errors; tells the task whether to retry."""
    row = claim(notification_id=notification_id)
    if row is None:
        return Outcome("skipped")
    now = timezone.now()
    if now - row.created_at > _max_age(row):
        advance_status(
            notification_id=row.pk,
            status=Status.TECHNICAL_FAILURE,
            last_error="quá thời hạn gửi",
            locked_until=None,
        )
        log.warning("notification %s expired before delivery", row.pk)
        return Outcome("failed")
    started = time.monotonic()
    provider = settings.SMS_BACKEND if row.channel == Channel.SMS else "email"
    if row.channel == Channel.SMS and _outcome_unknown(row):
        known = _already_accepted(row)
        if known is not None:
            log.info(
                "notification %s: the gateway already accepted it (status lookup); not re-sent",
                row.pk,
            )
            return _record_success(
                row, known, now=now, started=started, detail="accepted earlier (status lookup)"
            )
    try:
        result = _send(row)
    except DeliveryError as exc:
        detail = scrub(str(exc))[:500]
        permanent = isinstance(exc, PermanentError) or not exc.retryable
        DeliveryAttempt.objects.create(
            notification=row,
            number=row.attempts,
            provider=provider,
            started_at=now,
            duration_ms=int((time.monotonic() - started) * 1000),
            outcome=DeliveryAttempt.Outcome.PERMANENT
            if permanent
            else DeliveryAttempt.Outcome.RETRYABLE,
            detail=detail,
        )
        if permanent:
            advance_status(
                notification_id=row.pk,
                status=Status.PERMANENT_FAILURE,
                last_error=detail,
                provider=provider,
                locked_until=None,
            )
            log.warning(
                "notification %s to %s failed permanently: %s", row.pk, mask(row.recipient), detail
            )
            return Outcome("failed")
        if row.attempts >= _max_attempts(row):
            advance_status(
                notification_id=row.pk,
                status=Status.TECHNICAL_FAILURE,
                last_error=detail,
                provider=provider,
                locked_until=None,
            )
            log.warning("notification %s gave up after %s attempts", row.pk, row.attempts)
            return Outcome("failed")
        delay = backoff_seconds(row.attempts)
        if row.queue == OTP_QUEUE:  # a late code is useless: retry soon or not at all
            delay = min(delay, 5.0)
        Notification.objects.filter(pk=row.pk, status=Status.SENDING).update(
            last_error=detail,
            provider=provider,
            locked_until=None,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        )
        log.info(
            "notification %s attempt %s failed (%s); retry in %.1fs",
            row.pk,
            row.attempts,
            detail,
            delay,
        )
        return Outcome("retry", retry_in=delay)
    return _record_success(row, result, now=now, started=started)


def _record_success(
    row: Notification, result: SendResult, *, now: datetime, started: float, detail: str = ""
) -> Outcome:
    status = Status.DELIVERED if result.delivered else Status.SENT
    with transaction.atomic():  # one commit for the outcome
        DeliveryAttempt.objects.create(
            notification=row,
            number=row.attempts,
            provider=result.provider,
            started_at=now,
            duration_ms=int((time.monotonic() - started) * 1000),
            outcome=DeliveryAttempt.Outcome.OK,
            detail=detail,
        )
        advance_status(
            notification_id=row.pk,
            status=status,
            provider=result.provider,
            provider_reference=result.provider_reference,
            locked_until=None,
            last_error="",
            sent_at=timezone.now(),
        )
        if row.sensitive and status == Status.SENT:
            _redact_if_sensitive(row.pk)
        # A receipt may have arrived before the gateway's answer: keep the reference in any case.
        Notification.objects.filter(pk=row.pk, provider_reference="").update(
            provider_reference=result.provider_reference
        )
    log.info(
        "notification %s %s to %s via %s", row.pk, status, mask(row.recipient), result.provider
    )
    return Outcome(status)


# --------------------------------------------------------------------------- sweeper and purge


def sweep(*, older_than_seconds: float | None = None, limit: int = 500) -> int:
    """Re-queue notifications stuck in "created" (broker down, worker died) or waiting for a retry
    whose task was lost; fail the ones past their maximum age. Returns how many were re-queued."""
    now = timezone.now()
    grace = timedelta(
        seconds=settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS
        if older_than_seconds is None
        else older_than_seconds
    )
    stuck = Notification.objects.filter(
        Q(status=Status.CREATED, created_at__lte=now - grace)
        | Q(
            status=Status.SENDING,
            next_attempt_at__lte=now - grace,
        )
        & (Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        | Q(status=Status.SENDING, next_attempt_at__isnull=True, locked_until__lt=now - grace)
    ).order_by("created_at")[:limit]
    ids = []
    for pk, queue, created_at in stuck.values_list("pk", "queue", "created_at"):
        max_age = timedelta(
            seconds=settings.NOTIFICATIONS_OTP_MAX_AGE_SECONDS
            if queue == OTP_QUEUE
            else settings.NOTIFICATIONS_MAX_AGE_SECONDS
        )
        if now - created_at > max_age:
            advance_status(
                notification_id=pk,
                status=Status.TECHNICAL_FAILURE,
                last_error="quá thời hạn gửi",
                locked_until=None,
            )
            continue
        ids.append((pk, queue))
    if ids:
        log.info("sweeper re-queues %s notification(s)", len(ids))
        enqueue(ids)
    return len(ids)


def purge_personal_content(*, older_than_days: int | None = None) -> int:
    """Blank recipients and content of notifications older than the retention period.
    Rows (event, channel, status, dates, dossier code) stay, so statistics keep their counts."""
    days = settings.NOTIFICATIONS_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    old = Notification.objects.filter(created_at__lt=cutoff, purged_at__isnull=True)
    old = old.filter(status__in=list(FINAL_STATUSES) + [Status.SENT])
    with transaction.atomic():
        NotificationAttachment.objects.filter(notification__in=old).delete()
        count = old.update(
            recipient="", subject="", body="", html_body="", last_error="", purged_at=timezone.now()
        )
        from notifications.models import OutboxSms

        OutboxSms.objects.filter(created_at__lt=cutoff).delete()
    log.info("retention purge: personal content removed from %s notification(s)", count)
    return count


# --------------------------------------------------------------------------- delivery receipts

RECEIPT_STATUS_MAP = {
    "sent": Status.SENT,
    "accepted": Status.SENT,
    "sending": Status.SENDING,
    "delivered": Status.DELIVERED,
    "temporary_failure": Status.TEMPORARY_FAILURE,
    "permanent_failure": Status.PERMANENT_FAILURE,
    "failed": Status.PERMANENT_FAILURE,
    "undeliverable": Status.PERMANENT_FAILURE,
    "expired": Status.TEMPORARY_FAILURE,
}


@dataclass(frozen=True)
class ReceiptResult:
    duplicate: bool
    applied: bool
    matched: bool


def record_receipt(
    *, provider: str, receipt_id: str, reference: str, status: str, occurred_at: datetime | None
) -> ReceiptResult:
    """Apply a delivery receipt once. A duplicate is acknowledged and ignored; a receipt older than
    the current status (out of order) is stored but does not move the status backwards."""
    target = RECEIPT_STATUS_MAP.get(status)
    if target is None:
        from django.utils.translation import gettext

        from portal.core.errors import DomainError

        raise DomainError(gettext("Trạng thái không hợp lệ."), code="invalid_status")
    row = (
        Notification.objects.filter(
            Q(provider_reference=reference) | Q(reference__in=_uuid_or_none(reference))
        )
        .only("pk")
        .first()
    )
    try:
        with transaction.atomic():
            receipt = DeliveryReceipt.objects.create(
                provider=provider,
                receipt_id=receipt_id,
                reference=reference,
                status=status,
                occurred_at=occurred_at,
                notification=row,
            )
    except IntegrityError:
        return ReceiptResult(duplicate=True, applied=False, matched=row is not None)
    applied = False
    if row is not None:
        extra = {"delivered_at": occurred_at} if target == Status.DELIVERED and occurred_at else {}
        applied = advance_status(notification_id=row.pk, status=target, **extra)
        if applied:
            DeliveryReceipt.objects.filter(pk=receipt.pk).update(applied=True)
    return ReceiptResult(duplicate=False, applied=applied, matched=row is not None)


def _uuid_or_none(value: str) -> list:
    import uuid

    try:
        return [uuid.UUID(value)]
    except (ValueError, TypeError):
        return []
