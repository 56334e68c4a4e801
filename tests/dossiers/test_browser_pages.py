"""Every citizen page in headless Chromium on a 375 px phone: no horizontal scroll, and axe-core
finds nothing critical or serious (with and without errors on the page); the staff pages too.

axe-core's script comes from the axe-playwright-python package (its axe.min.js) and is run with
Playwright's evaluate(), which the pages' Content-Security-Policy does not block (no inline script
is added to the page)."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from django.test import Client

from tests.dossiers.test_browser import (  # noqa: F401 - fixtures
    _media_url_for_live_server,
    browser,
    watch_csp,
)

pytestmark = [pytest.mark.browser]

PHONE = {"width": 375, "height": 740}
SERIOUS = ("critical", "serious")


@functools.cache
def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def axe_problems(page) -> list[str]:
    """Critical and serious axe-core violations of the page, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']} {v['id']}: {v['help']} – "
        + "; ".join(node["html"][:160] for node in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the screen (0 = no horizontal scroll)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


def _context(chromium, live_server, client: Client | None = None):
    context = chromium.new_context(viewport=PHONE, locale="vi-VN")
    if client is not None:
        host = live_server.url.split("//", 1)[1].split(":")[0]
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "domain": host,
                    "path": "/",
                }
            ]
        )
    return context


def _check(page, url: str, problems: dict, *, width: bool = True) -> None:
    if width:
        overflow = horizontal_overflow(page)
        if overflow > 0:
            problems.setdefault(url, []).append(f"{overflow}px wider than the 375px screen")
    for line in axe_problems(page):
        problems.setdefault(url, []).append(line)


def _format(problems: dict) -> str:
    return "\n".join(f"{url}\n  " + "\n  ".join(lines) for url, lines in problems.items())


# `browser` comes last: database fixtures must run before Playwright's event loop starts.
def test_citizen_pages_fit_a_phone_and_pass_axe(
    _media_url_for_live_server,  # noqa: F811 - the fixture imported above
    live_server,
    procedure,
    unit,
    citizen,
    make_dossier,
    settings,
    monkeypatch,
    browser,  # noqa: F811 - the fixture imported above
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.PUBLIC_BASE_URL = live_server.url
    dossier = make_dossier("supplement_requested")  # timeline, slips, a supplement form
    draft = make_dossier("draft")
    base = live_server.url
    problems: dict[str, list[str]] = {}

    # anonymous: catalogue, procedure, login, sign-up, lookup (each also with its errors)
    anonymous = _context(browser, live_server).new_page()
    csp = watch_csp(anonymous.context)
    anonymous.set_default_timeout(20_000)
    for path in (
        "/",
        f"/thu-tuc/{procedure.code}/",
        "/tai-khoan/dang-nhap/",
        "/tai-khoan/dang-ky/",
    ):
        anonymous.goto(base + path)
        _check(anonymous, path, problems)
    for path, form in (
        ("/tai-khoan/dang-nhap/", "form.account-form"),
        ("/tai-khoan/dang-ky/", "form.account-form"),
    ):
        anonymous.goto(base + path)
        anonymous.locator(f"{form} button[type=submit]").click()
        anonymous.wait_for_load_state()
        assert anonymous.locator(".errorlist").count() > 0, path
        _check(anonymous, f"{path} (errors)", problems)
    anonymous.goto(f"{base}/tra-cuu/")
    _check(anonymous, "/tra-cuu/", problems)
    anonymous.fill("input[name=code]", dossier.code)
    anonymous.fill("input[name=personal_id]", "12")
    anonymous.locator("form.lookup button[type=submit]").click()
    anonymous.wait_for_load_state()
    _check(anonymous, "/tra-cuu/ (errors)", problems)

    # the citizen: my dossiers, a dossier, the filing form (empty and submitted empty), a draft,
    # notices, profile
    client = Client()
    client.force_login(citizen)
    page = _context(browser, live_server, client).new_page()
    watch_csp(page.context, csp)
    page.set_default_timeout(20_000)
    for path in (
        "/ho-so/",
        f"/ho-so/{dossier.code}/",
        f"/ho-so/nop/{procedure.code}/",
        f"/ho-so/{draft.code}/sua/",
        "/thong-bao/",
        "/tai-khoan/tai-khoan/",
    ):
        page.goto(base + path)
        assert page.url.startswith(base + path.split("?")[0]), (path, page.url)
        _check(page, path, problems)
    page.goto(f"{base}/ho-so/nop/{procedure.code}/")
    page.fill("textarea[name=f-reason], input[name=f-reason]", "")
    page.click("button.btn[value=submit]")
    page.wait_for_load_state()
    if page.locator("#missing-documents").count() != 1:  # every problem at once
        problems.setdefault("filing form (errors)", []).append("missing documents not listed")
    _check(page, "filing form (errors)", problems)
    page.goto(f"{base}/ho-so/{dossier.code}/")
    page.click("button.btn[value=resubmit]")  # nothing uploaded yet: a supplement error
    page.wait_for_load_state()
    _check(page, "dossier page (errors)", problems)

    assert not problems, "\n" + _format(problems)
    assert csp == []


def test_staff_pages_pass_axe(
    _media_url_for_live_server,  # noqa: F811 - the fixture imported above
    live_server,
    make_dossier,
    receiving_officer,
    settings,
    monkeypatch,
    browser,  # noqa: F811 - the fixture imported above
):
    from portal.backoffice.testing import login_staff

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.PUBLIC_BASE_URL = live_server.url
    dossier = make_dossier("submitted")
    base = live_server.url
    client = Client()
    login_staff(client, receiving_officer)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "domain": host,
                "path": "/",
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: dict[str, list[str]] = {}
    for path in (
        "/admin/",
        "/admin/dossiers/dossier/?queue=reception",
        f"/admin/dossiers/dossier/{dossier.pk}/change/",
    ):
        page.goto(base + path)
        _check(page, path, problems, width=False)
    assert not problems, "\n" + _format(problems)
