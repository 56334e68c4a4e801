"""Email through Django's email backends (SMTP in production, a folder in development)."""

from __future__ import annotations

import contextlib
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from notifications.providers import PermanentError, RetryableError, SendResult


def open_connection():
    """One SMTP connection for a batch of emails (opened on first use, closed by the caller)."""
    return get_connection(timeout=settings.NOTIFICATIONS_EMAIL_TIMEOUT)


def send_email(
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    attachments,
    reference: str,
    connection=None,
) -> SendResult:
    """Send one email; over `connection` when given (a batch's connection, kept open)."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"X-Notification-Reference": reference},
        connection=connection or open_connection(),
    )
    if html:
        message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(attachment.filename, bytes(attachment.content), attachment.mimetype)
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _msg in exc.recipients.values()]
        if codes and all(400 <= code < 500 for code in codes):
            raise RetryableError(f"recipient refused temporarily: {codes}") from None
        raise PermanentError(f"recipient refused: {codes}") from None
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise RetryableError(f"SMTP {exc.smtp_code}") from None
        raise PermanentError(f"SMTP {exc.smtp_code}") from None
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        if connection is not None:  # broken: the next message opens a new connection
            with contextlib.suppress(Exception):
                connection.close()
        raise RetryableError(f"SMTP unavailable: {type(exc).__name__}") from None
    return SendResult(provider="email", provider_reference=reference, delivered=True)
