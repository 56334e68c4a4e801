"""SMS backends: the local outbox (default) and an HTTP gateway (JSON)."""

from __future__ import annotations

import json
import logging
import sys
import urllib.parse
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

    def close(self) -> None:
        """Release what the backend holds open (a keep-alive session); called after a batch."""


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

    One backend holds one keep-alive HTTP session (`requests.Session`): a delivery batch sends all
    its SMS over it and calls `close()` at the end.
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
        self._session = None

    @property
    def session(self):
        if self._session is None:
            import requests

            self._session = requests.Session()
            self._session.trust_env = False  # no proxy from the environment for the gateway
            self._session.headers.update(
                {"Accept": "application/json", "Authorization": f"Bearer {self.api_key}"}
            )
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def lookup(self, *, reference: str) -> SendResult | None:
        import requests

        if not self.status_url:
            raise LookupUnavailable("SMS_GATEWAY_STATUS_URL is not set")
        try:
            response = self.session.get(
                f"{self.status_url}/{urllib.parse.quote(reference, safe='')}",
                headers={"Idempotency-Key": reference},
                timeout=self.timeout,
            )
            body = response.content[:65536]
        except requests.RequestException as exc:
            raise LookupUnavailable(f"status lookup: gateway unreachable: {exc}") from None
        if response.status_code == 404:
            return None
        if response.status_code >= 300:
            raise LookupUnavailable(f"status lookup: HTTP {response.status_code}")
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
        import requests

        if not self.url:
            raise PermanentError("SMS_GATEWAY_URL is not set")
        payload = json.dumps(
            {"to": phone, "text": text, "encoding": encoding, "reference": reference},
            ensure_ascii=False,
        ).encode()
        try:
            response = self.session.post(
                self.url,
                data=payload,
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "Idempotency-Key": reference,
                },
                timeout=self.timeout,
            )
            body = response.content[:65536]
        except requests.RequestException as exc:
            # the connection may be broken: the next send opens a new one
            self.close()
            raise RetryableError(f"gateway unreachable: {type(exc).__name__}") from None
        if response.status_code >= 300:
            text_part = body[:300].decode("utf-8", "replace")
            detail = f"HTTP {response.status_code}: {scrub(text_part)}"
            if response.status_code >= 500 or response.status_code in self.RETRYABLE_STATUS:
                raise RetryableError(detail)
            raise PermanentError(detail)
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = {}
        if not isinstance(data, dict):
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
