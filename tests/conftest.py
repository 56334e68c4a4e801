"""Shared fixtures.

Tests that need a real service call `require_service(...)`: without the service they skip, unless
PORTAL_REQUIRE_SERVICES=1 (set by .ci/run), where a missing service is a failure.
"""

from __future__ import annotations

import os

import pytest

REQUIRE_SERVICES = os.environ.get("PORTAL_REQUIRE_SERVICES") == "1"


def require_service(available: bool, what: str) -> None:
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (PORTAL_REQUIRE_SERVICES=1) but not available")
    pytest.skip(f"{what} not available")


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """Each test writes attachments, PDFs and outbox files (email, SMS) under its own temporary folder."""
    settings.PRIVATE_STORAGE_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = settings.PRIVATE_STORAGE_ROOT
    settings.EMAIL_FILE_PATH = str(tmp_path / "outbox" / "email")
    settings.SMS_OUTBOX_PATH = str(tmp_path / "outbox" / "sms")


@pytest.fixture(autouse=True)
def _no_second_factor_by_default(settings):
    """Officers in most tests reach the admin with force_login; tests/backoffice turns TOTP on."""
    settings.BACKOFFICE_OTP_REQUIRED = False


@pytest.fixture(autouse=True)
def _vietnamese_after_each_test():
    """A request in English must not leave English active for the tests that run after it."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)
