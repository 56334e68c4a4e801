"""Test helpers other test suites may import: log a staff user into the admin with the second
factor already verified (so admin tests do not need to type TOTP codes)."""

from __future__ import annotations


def login_staff(client, user) -> None:
    """Log `user` into `client` and mark the session OTP-verified with their TOTP device."""
    client.force_login(user)
    try:
        from portal.backoffice.otp import verify_session_for_tests
    except ImportError:  # pragma: no cover - before the second factor is installed
        return
    verify_session_for_tests(client, user)
