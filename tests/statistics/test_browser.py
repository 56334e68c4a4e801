"""In headless Chromium with every request outside the test server refused (offline): the
supervisor's dashboard draws its charts (inline SVG, no script) and the transparency page fits a
phone screen, each without a Content-Security-Policy violation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from portal.backoffice.testing import login_staff
from portal.statistics import services
from tests.backoffice.test_browser import _cookie_context
from tests.dossiers.test_browser import PHONE, watch_csp

pytestmark = [pytest.mark.browser]


def _offline(context, base: str) -> list[str]:
    """Abort every request that does not go to the live server; return what was refused."""
    refused: list[str] = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(base) or url.startswith("data:"):
            request_route.continue_()
        else:
            refused.append(url)
            request_route.abort()

    context.route("**/*", route)
    return refused


def test_dashboard_charts_and_phone_transparency_page_offline(
    _media_url_for_live_server, live_server, scenario, supervisor, unit, monkeypatch, browser
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    services.refresh_month(month=dt.date(2026, 6, 1))
    base = live_server.url
    client = Client()
    login_staff(client, supervisor)

    context = _cookie_context(browser, live_server, client)
    refused = _offline(context, base)
    violations = watch_csp(context)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/admin/statistics/unitmonthstats/?tu=2026-06&den=2026-06")
    assert page.locator("#stats-units tr.stats-unit").count() == 2
    charts = page.locator("svg.stats-chart")
    assert charts.count() == 3
    widths = page.eval_on_selector_all(
        "svg.stats-chart rect", "els => els.map(e => e.getBoundingClientRect().width)"
    )
    assert widths and max(widths) > 10  # bars are drawn
    assert charts.first.bounding_box()["height"] > 100
    context.close()

    phone = browser.new_context(viewport=PHONE, locale="vi-VN")
    refused += _offline(phone, base)
    watch_csp(phone, violations)
    page = phone.new_page()
    page.goto(f"{base}/minh-bach/?thang=2026-06")
    assert page.locator("tr.stats-unit").count() == 2
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the phone"
    label = page.evaluate(
        "getComputedStyle(document.querySelector('td.stats-on-time'), '::before').content"
    )
    assert "Đúng hạn" in label  # each figure is labelled on a phone (table header hidden)
    phone.close()
    assert refused == []
    assert violations == []
