"""Delivery providers. Each raises `RetryableError` (try again later) or `PermanentError` (never)."""

from __future__ import annotations

from dataclasses import dataclass


class DeliveryError(Exception):
    retryable = False


class RetryableError(DeliveryError):
    retryable = True


class PermanentError(DeliveryError):
    retryable = False


@dataclass(frozen=True)
class SendResult:
    provider: str
    provider_reference: str = ""
    delivered: bool = False  # True when the provider confirms final delivery synchronously
