"""Services of the outbox. `notify()` is the public API other apps call when something happens."""

from __future__ import annotations

import contextlib
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
    STATUS_RANK,
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
from portal.core import dispatch

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
    # notices written later in this transaction use the new text
    _pending(transaction.get_connection()).templates.clear()
    return template


def _templates_for(event: str, channels) -> dict[str, NotificationTemplate]:
    """The active template of each channel for `event`, in one query; a channel with none saved
    yet (fresh database) gets the shipped default, unsaved. Kept in memory for the catalogue
    version (portal/catalogue/memo.py: every template save or delete sets a new one)."""
    from portal.catalogue.memo import remembered

    channels = tuple(channels)
    return dict(
        remembered(
            "notification-templates", (event, channels), lambda: _read_templates(event, channels)
        )
    )


def _read_templates(event: str, channels: tuple[str, ...]) -> dict[str, NotificationTemplate]:
    found = {
        template.channel: template
        for template in NotificationTemplate.objects.filter(
            event=event, channel__in=list(channels), is_active=True
        )
    }
    for channel in channels:
        if channel not in found and (event, channel) in DEFAULT_TEMPLATES:
            fields = {"subject": "", "html_body": "", **DEFAULT_TEMPLATES[(event, channel)]}
            found[channel] = NotificationTemplate(event=event, channel=channel, version=0, **fields)
    return found


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

    # Render everything first (a missing placeholder raises before anything is written), then
    # write the rows with one INSERT: no savepoint, two statements per event at most.
    wanted = [channel for channel in channels if addresses.get(channel, "")]
    templates = _templates_in_transaction(event, wanted) if wanted else {}
    rows: list[Notification] = []
    for channel in channels:
        address = addresses.get(channel, "")
        if not address:
            if channel == Channel.SMS and phone:
                log.warning("notification %s: invalid phone %s, SMS skipped", event, mask(phone))
            continue
        template = templates.get(channel)
        if template is None:
            continue
        rendered = render(template, full_context)
        rows.append(
            Notification(
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
        )
    if not rows:
        return rows
    with transaction.atomic(savepoint=False):
        if transaction.get_connection().features.can_return_rows_from_bulk_insert:
            Notification.objects.bulk_create(rows)
        else:  # a database that cannot return the ids of a bulk insert
            for row in rows:
                row.save(force_insert=True)
        emails = [row for row in rows if row.channel == Channel.EMAIL]
        if attachments and emails:
            NotificationAttachment.objects.bulk_create(
                NotificationAttachment(
                    notification=row, filename=name, content=content, mimetype=mimetype
                )
                for row in emails
                for name, content, mimetype in attachments
            )
        for row in rows:
            log.info(
                "notification %s created: %s %s to %s",
                row.pk,
                event,
                row.channel,
                mask(row.recipient),
            )
        _enqueue_on_commit([(row.pk, row.queue) for row in rows])
    return rows


class _Pending:
    """Per database connection: the ids of the notices written in the current transaction (handed
    to Celery together once it commits) and the templates read in it."""

    def __init__(self):
        self.ids: list[tuple[int, str]] = []
        self.templates: dict[tuple[str, str], NotificationTemplate | None] = {}


def _pending(connection) -> _Pending:
    state = getattr(connection, "_notifications_pending", None)
    if state is None:
        state = connection._notifications_pending = _Pending()
    return state


def _flush(connection) -> None:
    state = _pending(connection)
    ids, state.ids = state.ids, []
    state.templates.clear()
    if ids:
        enqueue(ids)


def _same_transaction(connection) -> bool:
    """Is one of our on-commit callbacks still waiting, i.e. are we in the transaction that
    collected `ids` and read `templates`? (None left: that transaction committed, or rolled back
    with them.) Searched from the end, where the last one usually is."""
    return any(
        getattr(entry[1], "notifications_flush", False)
        for entry in reversed(getattr(connection, "run_on_commit", ()))
    )


def _start_if_new(connection, state: _Pending) -> None:
    """Forget what a transaction that rolled back had collected."""
    if (state.ids or state.templates) and not _same_transaction(connection):
        state.ids.clear()
        state.templates.clear()


def _templates_in_transaction(event: str, channels: list[str]) -> dict:
    """The templates for `event`, read once per transaction (an event with many recipients)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return _templates_for(event, channels)
    state = _pending(connection)
    _start_if_new(connection, state)
    missing = [channel for channel in channels if (event, channel) not in state.templates]
    if missing:
        found = _templates_for(event, missing)
        for channel in missing:
            state.templates[(event, channel)] = found.get(channel)
    return {
        channel: state.templates[(event, channel)]
        for channel in channels
        if state.templates[(event, channel)] is not None
    }


def _enqueue_on_commit(ids: list[tuple[int, str]]) -> None:
    """Collect the ids of one transaction so its commit hands them ALL to Celery at once (one
    delivery task per transaction, not one per notice). Every notice registers an on-commit
    callback (so one rolled back with a savepoint loses nothing); the first to run after the commit
    takes every id collected, the others find nothing left. Ids of rows rolled back with a
    savepoint may ride along; claiming them finds nothing."""
    connection = transaction.get_connection()
    state = _pending(connection)
    if not connection.in_atomic_block:
        state.ids.clear()  # anything left there was rolled back
        state.ids.extend(ids)
        _flush(connection)
        return
    _start_if_new(connection, state)
    state.ids.extend(ids)

    def flush() -> None:
        _flush(connection)

    flush.notifications_flush = True
    transaction.on_commit(flush)


BATCH_SIZE = 200  # notices per delivery task (one claim, one HTTP session, one outcome commit)

_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}


def enqueue(ids: list[tuple[int, str]]) -> None:
    """Hand notifications to Celery: ordinary notices in batches of up to BATCH_SIZE ids per task,
    one-time codes one per task on their own queue (immediate, never behind a batch).
    A broker failure is logged: the rows stay claimable and the sweeper sends them later."""
    ordinary = [pk for pk, queue in ids if queue != OTP_QUEUE]
    for pk, queue in ids:
        if queue != OTP_QUEUE:
            continue
        try:
            dispatch.send(
                "notifications.tasks.deliver_otp",
                args=[pk],
                queue=OTP_QUEUE,
                retry_policy=_RETRY_POLICY,
            )
        except Exception as exc:  # broker down: the row stays "created" for the sweeper
            log.warning("notification %s not queued (%s); the sweeper will retry", pk, exc)
    for start in range(0, len(ordinary), BATCH_SIZE):
        chunk = ordinary[start : start + BATCH_SIZE]
        try:
            dispatch.send(
                "notifications.tasks.deliver_batch",
                args=[chunk],
                queue=DEFAULT_QUEUE,
                retry_policy=_RETRY_POLICY,
            )
        except Exception as exc:  # broker down: the rows stay "created" for the sweeper
            log.warning(
                "%s notification(s) not queued (%s); the sweeper will retry", len(chunk), exc
            )


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
    rows = claim_many(notification_ids=[notification_id])
    return rows[0] if rows else None


def claim_many(*, notification_ids) -> list[Notification]:
    """Take many notifications for one send attempt each, in ONE statement:
    `UPDATE … SET status = 'sending', locked_until = now + lease, attempts = attempts + 1
    WHERE id IN (…) AND <claimable> RETURNING *` on PostgreSQL (elsewhere: lock the claimable rows,
    skipping locked ones, then update them, in one transaction). A row another worker holds (lease
    running), a final row, or one whose next attempt is not due is left out."""
    ids = sorted({int(pk) for pk in notification_ids})
    if not ids:
        return []
    now = timezone.now()
    lease_until = now + timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS)
    claimable = [Status.CREATED.value, Status.SENDING.value]
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        qn = connection.ops.quote_name
        table = qn(Notification._meta.db_table)
        columns = ", ".join(qn(f.column) for f in Notification._meta.concrete_fields)
        sql = (
            f"UPDATE {table} SET status = %s, status_changed_at = %s, locked_until = %s, "
            f"attempts = attempts + 1 "
            f"WHERE id = ANY(%s) AND status = ANY(%s) "
            f"AND (locked_until IS NULL OR locked_until < %s) "
            f"AND (next_attempt_at IS NULL OR next_attempt_at <= %s) "
            f"RETURNING {columns}"
        )
        params = [Status.SENDING.value, now, lease_until, ids, claimable, now, now]
        rows = list(Notification.objects.raw(sql, params))
    else:
        with transaction.atomic():
            won = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(pk__in=ids, status__in=claimable)
                .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
                .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
                .values_list("pk", flat=True)
            )
            if not won:
                return []
            Notification.objects.filter(pk__in=won).update(
                status=Status.SENDING,
                status_changed_at=now,
                locked_until=lease_until,
                attempts=F("attempts") + 1,
            )
            rows = list(Notification.objects.filter(pk__in=won))
    rows.sort(key=lambda row: row.pk)
    return rows


def _sms_backend(row: Notification):
    from notifications.providers.sms import get_backend

    backend = get_backend()
    if row.queue == OTP_QUEUE and getattr(backend, "timeout", None):
        # a late code is useless: do not wait on a slow gateway
        backend.timeout = min(backend.timeout, settings.NOTIFICATIONS_OTP_GATEWAY_TIMEOUT)
    return backend


def _outcome_unknown_ids(rows: list[Notification]) -> set[int]:
    """The claimed notifications whose earlier attempt started (the claim counted it) but left no
    outcome: the worker died between the send and the commit of its result, so the gateway may
    already have the message. First attempts never are: no query on the common path, one query
    for the whole batch otherwise."""
    from django.db.models import Count

    later = {row.pk: row.attempts for row in rows if row.attempts > 1}
    if not later:
        return set()
    recorded = dict(
        DeliveryAttempt.objects.filter(notification_id__in=list(later))
        .values("notification_id")
        .annotate(n=Count("id"))
        .values_list("notification_id", "n")
    )
    return {pk for pk, attempts in later.items() if recorded.get(pk, 0) < attempts - 1}


def _already_accepted(row: Notification, backend) -> SendResult | None:
    """Before re-sending an SMS whose earlier attempt has no outcome, ask the gateway whether it
    already accepted that idempotency key. None: not accepted, or it cannot tell (then the SMS is
    sent again: at least once)."""
    try:
        return backend.lookup(reference=str(row.reference))
    except LookupUnavailable as exc:
        log.warning(
            "notification %s: an earlier attempt has no outcome and the gateway cannot tell "
            "whether it has the message (%s); sending again",
            row.pk,
            exc,
        )
        return None


class _Channels:
    """What one batch holds open: an SMS backend per queue (one keep-alive HTTP session each) and
    one SMTP connection. Closed at the end of the batch."""

    def __init__(self):
        self.sms: dict[str, object] = {}
        self.smtp = None

    def sms_backend(self, row: Notification):
        if row.queue not in self.sms:
            self.sms[row.queue] = _sms_backend(row)
        return self.sms[row.queue]

    def smtp_connection(self):
        from notifications.providers.email import open_connection

        if self.smtp is None:
            self.smtp = open_connection()
        if getattr(self.smtp, "connection", True) is None:
            with contextlib.suppress(Exception):  # a failure shows at the send
                self.smtp.open()  # kept open for the batch
        return self.smtp

    def close(self) -> None:
        for backend in self.sms.values():
            try:
                backend.close()
            except Exception:  # noqa: BLE001
                log.exception("closing the SMS backend failed")
        if self.smtp is not None:
            with contextlib.suppress(Exception):
                self.smtp.close()


def _send(row: Notification, channels: _Channels | None = None) -> SendResult:
    own = channels is None
    channels = channels or _Channels()
    try:
        if row.channel == Channel.SMS:
            backend = channels.sms_backend(row)
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
            connection=channels.smtp_connection(),
        )
    finally:
        if own:
            channels.close()


@dataclass
class _Attempt:
    """What happened to one claimed notification in a batch, before it is recorded."""

    row: Notification
    started_at: datetime
    duration_ms: int = 0
    provider: str = ""
    result: SendResult | None = None
    error: DeliveryError | None = None
    expired: bool = False
    detail: str = ""


def deliver(*, notification_id: int) -> Outcome:
    """One delivery attempt of one notification (a batch of one)."""
    return deliver_batch(notification_ids=[notification_id])[int(notification_id)]


def deliver_batch(*, notification_ids) -> dict[int, Outcome]:
    """One delivery attempt for each of many notifications: claim them in one statement, send
    them over one keep-alive connection per provider, record every outcome in one transaction.
    Never raises for provider errors; one failure does not touch the others. Returns each id's
    outcome (retry_in set where the task should try again)."""
    outcomes = {int(pk): Outcome("skipped") for pk in notification_ids}
    rows = claim_many(notification_ids=list(outcomes))
    if not rows:
        return outcomes
    now = timezone.now()
    attempts: list[_Attempt] = []
    live: list[Notification] = []
    for row in rows:
        if now - row.created_at > _max_age(row):
            attempts.append(_Attempt(row=row, started_at=now, expired=True))
        else:
            live.append(row)
    unknown = _outcome_unknown_ids(live)
    emails = [row for row in live if row.channel == Channel.EMAIL]
    if emails:
        from django.db.models import prefetch_related_objects

        prefetch_related_objects(emails, "attachments")
    channels = _Channels()
    try:
        for row in live:
            attempt = _Attempt(
                row=row,
                started_at=timezone.now(),
                provider=settings.SMS_BACKEND if row.channel == Channel.SMS else "email",
            )
            started = time.monotonic()
            if row.pk in unknown and row.channel == Channel.SMS:
                known = _already_accepted(row, channels.sms_backend(row))
                if known is not None:
                    log.info(
                        "notification %s: the gateway already accepted it (status lookup); "
                        "not re-sent",
                        row.pk,
                    )
                    attempt.result = known
                    attempt.detail = "accepted earlier (status lookup)"
            if attempt.result is None:
                try:
                    attempt.result = _send(row, channels)
                except DeliveryError as exc:
                    attempt.error = exc
            attempt.duration_ms = int((time.monotonic() - started) * 1000)
            attempts.append(attempt)
    finally:
        channels.close()
    outcomes.update(_record_outcomes(attempts))
    return outcomes


def _move(row: Notification, status: str, now: datetime) -> bool:
    """Move `row` (a fresh, locked copy) forward to `status`; False (nothing changed) if that
    would not be forward."""
    if STATUS_RANK[status] <= STATUS_RANK[row.status]:
        return False
    row.status = status
    row.status_changed_at = now
    if status == Status.DELIVERED:
        row.delivered_at = row.delivered_at or now
    elif status in FINAL_STATUSES:
        row.failed_at = now
    elif status == Status.SENT:
        row.sent_at = now
    return True


_RECORDED_FIELDS = [
    "status",
    "status_changed_at",
    "delivered_at",
    "failed_at",
    "sent_at",
    "last_error",
    "provider",
    "provider_reference",
    "locked_until",
    "next_attempt_at",
    "subject",
    "body",
    "html_body",
]


def _record_outcomes(attempts: list[_Attempt]) -> dict[int, Outcome]:
    """Record a batch's outcomes in one transaction: lock the rows (one query), add the attempts
    (one insert), update the rows (one UPDATE). Statuses only move forward: a delivery receipt
    that arrived meanwhile is kept."""
    outcomes: dict[int, Outcome] = {}
    if not attempts:
        return outcomes
    now = timezone.now()
    with transaction.atomic():
        fresh = {
            row.pk: row
            for row in Notification.objects.select_for_update().filter(
                pk__in=[a.row.pk for a in attempts]
            )
        }
        history = []
        changed = []
        for attempt in attempts:
            claimed = attempt.row
            row = fresh.get(claimed.pk)
            if row is None:  # deleted meanwhile
                continue
            touched = False
            if attempt.expired:
                touched = _move(row, Status.TECHNICAL_FAILURE, now)
                if touched:
                    row.last_error = "quá thời hạn gửi"
                    row.locked_until = None
                log.warning("notification %s expired before delivery", row.pk)
                outcomes[row.pk] = Outcome("failed")
            elif attempt.result is not None:
                result = attempt.result
                status = Status.DELIVERED if result.delivered else Status.SENT
                history.append(
                    DeliveryAttempt(
                        notification_id=row.pk,
                        number=claimed.attempts,
                        provider=result.provider,
                        started_at=attempt.started_at,
                        duration_ms=attempt.duration_ms,
                        outcome=DeliveryAttempt.Outcome.OK,
                        detail=attempt.detail,
                    )
                )
                if _move(row, status, now):
                    row.provider = result.provider
                    row.provider_reference = result.provider_reference
                    row.locked_until = None
                    row.last_error = ""
                    row.sent_at = now
                    touched = True
                elif not row.provider_reference:
                    # a receipt arrived before the gateway's answer: keep the reference anyway
                    row.provider_reference = result.provider_reference
                    touched = True
                log.info(
                    "notification %s %s to %s via %s",
                    row.pk,
                    status,
                    mask(claimed.recipient),
                    result.provider,
                )
                outcomes[row.pk] = Outcome(status)
            else:
                exc = attempt.error
                detail = scrub(str(exc))[:500]
                permanent = isinstance(exc, PermanentError) or not exc.retryable
                history.append(
                    DeliveryAttempt(
                        notification_id=row.pk,
                        number=claimed.attempts,
                        provider=attempt.provider,
                        started_at=attempt.started_at,
                        duration_ms=attempt.duration_ms,
                        outcome=DeliveryAttempt.Outcome.PERMANENT
                        if permanent
                        else DeliveryAttempt.Outcome.RETRYABLE,
                        detail=detail,
                    )
                )
                gave_up = not permanent and claimed.attempts >= _max_attempts(claimed)
                if permanent or gave_up:
                    status = Status.PERMANENT_FAILURE if permanent else Status.TECHNICAL_FAILURE
                    if _move(row, status, now):
                        row.last_error = detail
                        row.provider = attempt.provider
                        row.locked_until = None
                        touched = True
                    if permanent:
                        log.warning(
                            "notification %s to %s failed permanently: %s",
                            row.pk,
                            mask(claimed.recipient),
                            detail,
                        )
                    else:
                        log.warning(
                            "notification %s gave up after %s attempts", row.pk, claimed.attempts
                        )
                    outcomes[row.pk] = Outcome("failed")
                else:
                    delay = backoff_seconds(claimed.attempts)
                    if claimed.queue == OTP_QUEUE:  # a late code is useless: retry soon or never
                        delay = min(delay, 5.0)
                    if row.status == Status.SENDING:
                        row.last_error = detail
                        row.provider = attempt.provider
                        row.locked_until = None
                        row.next_attempt_at = timezone.now() + timedelta(seconds=delay)
                        touched = True
                    log.info(
                        "notification %s attempt %s failed (%s); retry in %.1fs",
                        row.pk,
                        claimed.attempts,
                        detail,
                        delay,
                    )
                    outcomes[row.pk] = Outcome("retry", retry_in=delay)
            redact = row.sensitive and row.status in FINAL_STATUSES | {Status.SENT}
            if redact and (row.body != REDACTED or row.html_body or row.subject):
                row.body, row.html_body, row.subject = REDACTED, "", ""
                touched = True
            if touched:
                changed.append(row)
        if history:
            DeliveryAttempt.objects.bulk_create(history)
        if changed:
            _update_rows(changed)
    return outcomes


def _update_rows(rows: list[Notification]) -> None:
    """Write the recorded fields of many rows with ONE statement. On PostgreSQL
    `UPDATE … FROM (VALUES …)`: Django's bulk_update builds a CASE per field and row, whose SQL
    compilation alone cost more than the whole delivery of a batch."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        Notification.objects.bulk_update(rows, _RECORDED_FIELDS)
        return
    qn = connection.ops.quote_name
    meta = Notification._meta
    fields = [meta.get_field(name) for name in _RECORDED_FIELDS]
    casts = ["bigint"] + [field.db_type(connection) for field in fields]
    placeholders = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
    values = ", ".join([placeholders] * len(rows))
    names = ["id"] + [field.column for field in fields]
    assignments = ", ".join(f"{qn(name)} = v.{qn(name)}" for name in names[1:])
    sql = (
        f"UPDATE {qn(meta.db_table)} AS n SET {assignments} "
        f"FROM (VALUES {values}) AS v({', '.join(qn(name) for name in names)}) "
        f"WHERE n.id = v.id"
    )
    params: list = []
    for row in rows:
        params.append(row.pk)
        for field in fields:
            params.append(field.get_db_prep_save(getattr(row, field.attname), connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


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
    expired = []
    for pk, queue, created_at in stuck.values_list("pk", "queue", "created_at"):
        max_age = timedelta(
            seconds=settings.NOTIFICATIONS_OTP_MAX_AGE_SECONDS
            if queue == OTP_QUEUE
            else settings.NOTIFICATIONS_MAX_AGE_SECONDS
        )
        if now - created_at > max_age:
            expired.append(pk)
        else:
            ids.append((pk, queue))
    if expired:  # one UPDATE for all of them (forward-only), one to redact the sensitive ones
        with transaction.atomic():
            Notification.objects.filter(
                pk__in=expired, status__in=statuses_below(Status.TECHNICAL_FAILURE)
            ).update(
                status=Status.TECHNICAL_FAILURE,
                status_changed_at=now,
                failed_at=now,
                last_error="quá thời hạn gửi",
                locked_until=None,
            )
            Notification.objects.filter(pk__in=expired, sensitive=True).update(
                body=REDACTED, html_body="", subject=""
            )
    if ids:
        log.info("sweeper re-queues %s notification(s)", len(ids))
        enqueue(ids)  # in batches of BATCH_SIZE; codes one by one on their queue
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
