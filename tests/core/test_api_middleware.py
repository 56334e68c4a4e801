"""The lighter middlewares for API requests (issue 13): the language still follows the cookie and
Accept-Language with the same headers, flash messages stay a page-only thing."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.http import HttpResponse
from django.test import RequestFactory

from portal.core.locale import ChosenLanguageMiddleware
from portal.core.middleware import PageMessageMiddleware

pytestmark = pytest.mark.django_db


def test_api_language_and_its_headers(client):
    english = client.get("/api/v1/procedures/", HTTP_ACCEPT_LANGUAGE="en")
    assert english["Content-Language"] == "en" and "Accept-Language" in english["Vary"]
    default = client.get("/api/v1/procedures/")
    assert default["Content-Language"] == "vi" and "Accept-Language" in default["Vary"]
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en")  # pages ignore the browser's language
    assert page["Content-Language"] == "vi" and "Accept-Language" in page["Vary"]


def test_a_prefixed_urlconf_still_gets_djangos_behaviour(monkeypatch):
    from portal.core import locale

    seen = []
    monkeypatch.setattr(locale, "_prefix_patterns_used", lambda request: True)
    monkeypatch.setattr(
        locale.LocaleMiddleware, "process_request", lambda self, r: seen.append("request")
    )
    monkeypatch.setattr(
        locale.LocaleMiddleware, "process_response", lambda self, r, resp: seen.append("response")
    )
    ChosenLanguageMiddleware(lambda r: HttpResponse("x"))(RequestFactory().get("/api/v1/x/"))
    assert seen == ["request", "response"]


def test_flash_messages_on_pages_not_on_the_api():
    def add(request):
        messages.info(request, "Đã lưu.")
        return HttpResponse("x")

    from django.contrib.sessions.backends.db import SessionStore

    page = RequestFactory().get("/ho-so/")
    page.session = SessionStore()
    response = PageMessageMiddleware(add)(page)
    assert response.status_code == 200 and [str(m) for m in page._messages] == ["Đã lưu."]

    api = RequestFactory().get("/api/v1/procedures/")
    response = PageMessageMiddleware(lambda r: HttpResponse("x"))(api)
    assert response.status_code == 200 and not hasattr(api, "_messages")
