"""SMS backends: the local outbox (default) and an HTTP gateway (JSON)."""

from __future__ import annotations

import json
import logging
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from notifications.masking import scrub
from notifications.providers import LookupUnavailable, PermanentError, RetryableError, SendResult

log = logging.getLogger("notifications.sms")


class SmsBackend:
    name = "base"

    def send(self, *, phone: str, text: str, encoding: str, reference: str) -> SendResult:
        raise NotImplementedError

    def lookup(self, *, reference: str) -> SendResult | None:
        """Does the provider already have the message sent with this reference (idempotency key)?
        A `SendResult` if it accepted it, None if it certainly did not; `LookupUnavailable` if it
        cannot tell. Asked before re-sending a message whose earlier attempt has no outcome."""
        raise LookupUnavailable(f"{self.name}: no status lookup")


class OutboxBackend(SmsBackend):
    """The developer's phone: each message is printed on the server console (the terminal of
    `make run`, or of the Celery worker), appended to a file under SMS_OUTBOX_PATH
    (var/outbox/sms/ by default) and kept in the `OutboxSms` table. No page shows it to staff."""

    name = "outbox"

    def send(self, *, phone: str, text: str, encoding: str, reference: str) -> SendResult:
        from notifications.models import OutboxSms
        from notifications.sms_encoding import split_parts

        sms, created = OutboxSms.objects.get_or_create(
            reference=reference,
            defaults={
                "phone": phone,
                "body": text,
                "encoding": encoding,
                "parts": len(split_parts(text, encoding)),
            },
        )
        if created:  # a retried send of the same reference is shown once
            _show(sms)
        return SendResult(provider=self.name, provider_reference=reference, delivered=True)

    def lookup(self, *, reference: str) -> SendResult | None:
        from notifications.models import OutboxSms

        if OutboxSms.objects.filter(reference=reference).exists():
            return SendResult(provider=self.name, provider_reference=reference, delivered=True)
        return None


def _show(sms) -> None:
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
    entry = f"[SMS {stamp}] to {sms.phone} ({sms.encoding}, {sms.parts} part(s)):\n{sms.body}\n"
    sys.stdout.write(entry)
    sys.stdout.flush()
    folder = Path(settings.SMS_OUTBOX_PATH)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / f"{timezone.localdate():%Y-%m-%d}.log", "a", encoding="utf-8") as fh:
            fh.write(f"{entry}ref {sms.reference}\n\n")
    except OSError as exc:  # the console copy is enough to go on
        log.warning("SMS outbox file not written: %s", exc)


class HttpGatewayBackend(SmsBackend):
    """POST {"to", "text", "encoding", "reference"} as JSON with `Authorization: Bearer <key>`.

    2xx → accepted (the answer's "id" is the provider reference; delivery comes by receipt);
    408, 425, 429, 5xx, timeouts and connection errors → retryable; other 4xx → permanent.
    The reference doubles as an idempotency key, so a gateway can drop a duplicate.

    Optional status lookup (`SMS_GATEWAY_STATUS_URL`): `GET <status url>/<idempotency key>` with
    the same key → 2xx with JSON {"status", "id"?} when the gateway has the message ("failed",
    "rejected" and the like count as not accepted), 404 when it has never seen the key.
    """

    name = "http"
    RETRYABLE_STATUS = frozenset({408, 425, 429})
    NOT_ACCEPTED = frozenset(
        {"failed", "rejected", "permanent_failure", "undeliverable", "unknown"}
    )

    def __init__(
        self,
        *,
        url: str | None = None,
        api_key: str | None = None,
        timeout=None,
        status_url: str | None = None,
    ):
        self.url = url or settings.SMS_GATEWAY_URL
        self.api_key = api_key if api_key is not None else settings.SMS_GATEWAY_API_KEY
        self.timeout = timeout or settings.NOTIFICATIONS_SMS_GATEWAY_TIMEOUT
        self.status_url = (
            status_url if status_url is not None else settings.SMS_GATEWAY_STATUS_URL
        ).rstrip("/")

    def lookup(self, *, reference: str) -> SendResult | None:
        if not self.status_url:
            raise LookupUnavailable("SMS_GATEWAY_STATUS_URL is not set")
        request = urllib.request.Request(
            f"{self.status_url}/{urllib.parse.quote(reference, safe='')}",
            method="GET",
            headers={
                "Accept": "application/json",
                "Authorization": f"Bearer {self.api_key}",
                "Idempotency-Key": reference,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read(65536)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise LookupUnavailable(f"status lookup: HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise LookupUnavailable(f"status lookup: gateway unreachable: {exc}") from None
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            raise LookupUnavailable("status lookup: answer is not JSON") from None
        if not isinstance(data, dict) or not data.get("status"):
            raise LookupUnavailable("status lookup: answer has no status")
        status = str(data["status"]).lower()
        if status in self.NOT_ACCEPTED:
            return None
        provider_reference = str(data.get("id") or data.get("message_id") or reference)[:100]
        return SendResult(
            provider=self.name,
            provider_reference=provider_reference,
            delivered=status == "delivered",
        )

    def send(self, *, phone: str, text: str, encoding: str, reference: str) -> SendResult:
        if not self.url:
            raise PermanentError("SMS_GATEWAY_URL is not set")
        payload = json.dumps(
            {"to": phone, "text": text, "encoding": encoding, "reference": reference},
            ensure_ascii=False,
        ).encode()
        request = urllib.request.Request(
            self.url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.api_key}",
                "Idempotency-Key": reference,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read(65536)
        except urllib.error.HTTPError as exc:
            detail = f"HTTP {exc.code}: {scrub(exc.read(300).decode('utf-8', 'replace'))}"
            if exc.code >= 500 or exc.code in self.RETRYABLE_STATUS:
                raise RetryableError(detail) from None
            raise PermanentError(detail) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise RetryableError(f"gateway unreachable: {exc}") from None
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = {}
        provider_reference = str(data.get("id") or data.get("message_id") or reference)[:100]
        return SendResult(
            provider=self.name,
            provider_reference=provider_reference,
            delivered=data.get("status") == "delivered",
        )


BACKENDS = {"outbox": OutboxBackend, "http": HttpGatewayBackend}


def get_backend() -> SmsBackend:
    name = settings.SMS_BACKEND
    cls = BACKENDS.get(name) or import_string(name)
    return cls()
