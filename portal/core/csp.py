"""Content-Security-Policy on every page (django-csp; the policy is CONTENT_SECURITY_POLICY in
settings). Scripts and styles come only from our own static files: no template carries an inline
<script>, an on…= handler or a style attribute (tests/backoffice/test_csp.py checks it)."""

from __future__ import annotations

import http.client as http_client

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

# The header strings of the settings' policies, built once: django-csp builds them again for every
# response (~0.1 ms). Only responses without a per-view policy (csp_update/csp_replace/…
# decorators) and requests that did not use a nonce take these; the others are built as before.
_BUILT: dict[bool, str] = {}
_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
_DEBUG_EXEMPT = (http_client.INTERNAL_SERVER_ERROR, http_client.NOT_FOUND)


@receiver(setting_changed)
def _forget_built_policies(*, setting, **kwargs) -> None:
    if setting in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"):
        _BUILT.clear()


def _settings_policy(report_only: bool) -> str:
    policy = _BUILT.get(report_only)
    if policy is None:
        policy = _BUILT[report_only] = build_policy(report_only=report_only)
    return policy


def _excluded(request, setting: str) -> bool:
    prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
    return bool(prefixes) and request.path_info.startswith(tuple(prefixes))


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, except for PDFs: a browser's PDF viewer is not a page of ours, and
    a policy on the PDF response can keep it from loading. A response that already carries its
    own policy (a citizen's file: `sandbox`) keeps it."""

    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith("application/pdf"):
            return response
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _PER_RESPONSE
        ):
            return super().process_response(request, response)
        return self._settings_headers(request, response)

    def _settings_headers(self, request, response):
        """What django-csp's process_response does, with the policies built once."""
        if response.status_code in _DEBUG_EXEMPT and settings.DEBUG:
            return response
        for report_only, header, exempt, setting in (
            (False, HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (True, HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            policy = _settings_policy(report_only)
            if (
                policy
                and header not in response
                and getattr(response, exempt, False) is False
                and not _excluded(request, setting)
            ):
                response[header] = policy
        # as django-csp: a nonce asked for after the header is written is an error, not a no-op
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
