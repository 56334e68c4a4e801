"""The Content-Security-Policy header string is built once per policy (portal/core/csp.py, issue
13) and still set on every response; per-view policies, nonces and setting changes still apply."""

from __future__ import annotations

import pytest
from csp.constants import NONCE
from csp.decorators import csp_update
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from portal.core.csp import PortalCSPMiddleware

pytestmark = pytest.mark.django_db


def run(view, path="/"):
    request = RequestFactory().get(path)
    middleware = PortalCSPMiddleware(view)
    return middleware(request)


def test_every_answer_carries_the_settings_policy(client):
    expected = build_policy()
    for path in ("/", "/api/v1/procedures/", "/api/v1/dossiers/", "/khong-co/"):
        assert client.get(path)["Content-Security-Policy"] == expected, path
    assert "Content-Security-Policy-Report-Only" not in client.get("/")


def test_a_changed_setting_is_used_at_once():
    run(lambda r: HttpResponse("x"))  # builds and keeps the settings' policy
    policy = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["https://example.org"]}}
    with override_settings(
        CONTENT_SECURITY_POLICY=policy,
        CONTENT_SECURITY_POLICY_REPORT_ONLY={"DIRECTIVES": {"default-src": ["'none'"]}},
    ):
        response = run(lambda r: HttpResponse("x"))
        header = response["Content-Security-Policy"]  # django-csp's order varies by process
        assert set(header.split("; ")) == {"default-src 'self'", "img-src https://example.org"}
        assert response["Content-Security-Policy-Report-Only"] == "default-src 'none'"
    assert run(lambda r: HttpResponse("x"))["Content-Security-Policy"] == build_policy()


def test_per_view_policies_nonces_and_own_headers_are_kept():
    updated = run(csp_update({"img-src": "https://tiles.example"})(lambda r: HttpResponse("x")))
    assert "https://tiles.example" in updated["Content-Security-Policy"]

    def with_nonce(request):
        return HttpResponse(str(request.csp_nonce))

    with override_settings(
        CONTENT_SECURITY_POLICY={"DIRECTIVES": {"script-src": ["'self'", NONCE]}}
    ):
        response = run(with_nonce)
        assert f"'nonce-{response.content.decode()}'" in response["Content-Security-Policy"]
        assert "nonce" not in run(lambda r: HttpResponse("x"))["Content-Security-Policy"]

    def own(request):
        answer = HttpResponse("x")
        answer["Content-Security-Policy"] = "sandbox"
        return answer

    assert run(own)["Content-Security-Policy"] == "sandbox"
    pdf = run(lambda r: HttpResponse(b"%PDF", content_type="application/pdf"))
    assert "Content-Security-Policy" not in pdf


def test_a_nonce_asked_for_after_the_header_is_an_error():
    from csp.exceptions import CSPNonceError

    request = RequestFactory().get("/")
    PortalCSPMiddleware(lambda r: HttpResponse("x"))(request)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
