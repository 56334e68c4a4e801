"""Shared fixtures.

Tests that need a real service call `require_service(...)`: without the service they skip, unless
PORTAL_REQUIRE_SERVICES=1 (set by .ci/run), where a missing service is a failure. Under
PORTAL_REQUIRE_SERVICES=1 no test may skip at all: the hooks below turn every skip (pytest.skip,
skipif, importorskip, in a test, a fixture or at module level) into a failure that names the
reason, so a green CI run proves that everything ran. Expected failures (xfail) stay as they are.
"""

from __future__ import annotations

import os

import pytest

# The test process publishes tasks with the portal's Celery app (portal/core/dispatch.py: a process
# with Celery loaded publishes directly; the relay has its own tests), whichever tests run.
import portal.celery  # noqa: E402, F401

REQUIRE_SERVICES = os.environ.get("PORTAL_REQUIRE_SERVICES") == "1"


def _skips_are_failures() -> bool:
    return os.environ.get("PORTAL_REQUIRE_SERVICES") == "1"


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # (path, line, "Skipped: reason")
        path, line, reason = longrepr
        return f"{reason} ({path}:{line})"
    return str(longrepr)


def _as_failure(report) -> None:
    report.outcome = "failed"
    report.longrepr = "skipped, but PORTAL_REQUIRE_SERVICES=1 allows no skip: " + _skip_reason(
        report
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if _skips_are_failures() and report.skipped and not hasattr(report, "wasxfail"):
        _as_failure(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    report = yield
    if _skips_are_failures() and report.skipped:  # a module-level skip or importorskip
        _as_failure(report)
    return report


def pdf_text(data: bytes) -> str:
    """The text of a PDF, NFC-normalised, extracted with pypdf (a dependency already): no system
    tool (poppler's pdftotext) to install, the same extraction on every machine, nothing to skip."""
    import io
    import unicodedata

    from pypdf import PdfReader

    assert data.startswith(b"%PDF-"), data[:20]
    pages = PdfReader(io.BytesIO(data)).pages
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() or "" for page in pages))


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
def _fresh_catalogue_cache():
    """The cached catalogue answers live in the shared cache (Redis): a test's rolled-back
    catalogue must not be served to the next one."""
    from portal.catalogue.cache import bump_catalogue_version

    bump_catalogue_version()


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


@pytest.fixture(autouse=True)
def _test_plugins_unregistered():
    """Procedure plugins and payment providers a test registered (tests.dossiers.conftest
    `register_test_plugin`, `make_procedure`) do not outlive it."""
    yield
    from tests.dossiers.conftest import unregister_test_plugins

    unregister_test_plugins()


@pytest.fixture(autouse=True)
def _fresh_reference_memo():
    """Each test starts without the reference rows a process keeps in memory
    (portal/catalogue/memo.py): the database is rolled back between tests without any signal."""
    from portal.catalogue.memo import clear

    clear()
