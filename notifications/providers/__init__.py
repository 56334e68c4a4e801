"""Delivery providers. Each raises `RetryableError` (try again later) or `PermanentError` (never)."""

from __future__ import annotations

from dataclasses import dataclass


class DeliveryError(Exception):
    retryable = False


class RetryableError(DeliveryError):
    retryable = True


class PermanentError(DeliveryError):
    retryable = False


class LookupUnavailable(Exception):
    """The provider cannot tell whether it already has a message (no status lookup, or the lookup
    failed): the caller must decide without knowing."""


@dataclass(frozen=True)
class SendResult:
    provider: str
    provider_reference: str = ""
    delivered: bool = False  # True when the provider confirms final delivery synchronously
