"""Content-Security-Policy on every page (django-csp; the policy is CONTENT_SECURITY_POLICY in
settings). Scripts and styles come only from our own static files: no template carries an inline
<script>, an on…= handler or a style attribute (tests/core/test_csp.py checks it)."""

from __future__ import annotations

from csp.middleware import CSPMiddleware


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, except for PDFs: a browser's PDF viewer is not a page of ours, and
    a policy on the PDF response can keep it from loading. A response that already carries its
    own policy (a citizen's file: `sandbox`) keeps it."""

    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith("application/pdf"):
            return response
        return super().process_response(request, response)
