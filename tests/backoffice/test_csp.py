"""Content-Security-Policy (issue 8, point 11): every page — citizen pages, login, the admin, the
API docs — answers a policy that allows scripts and styles from this site only (no
'unsafe-inline'), and no template carries an inline script, event handler or style."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)


def directives(response) -> dict[str, list[str]]:
    policy = response.get("Content-Security-Policy")
    assert policy, f"{response.request['PATH_INFO']}: no Content-Security-Policy"
    parts = [p.split() for p in policy.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


class _Inline(HTMLParser):
    """Collects what a strict policy would block: inline scripts, handlers, style attributes."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script":  # a JSON data block is not run: only executable inline code counts
            kind = (names.get("type") or "text/javascript").lower()
            self._in_script = "src" not in names and "json" not in kind
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:…>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"<script>{data.strip()[:40]}…")


def inline_code(html: str) -> list[str]:
    parser = _Inline()
    parser.feed(html)
    return parser.found


def assert_strict(response) -> None:
    path = response.request["PATH_INFO"]
    policy = directives(response)
    script_src = policy.get("script-src", policy.get("default-src"))
    assert script_src == ["'self'"], (path, script_src)
    assert policy.get("style-src") == ["'self'"], (path, policy.get("style-src"))
    assert policy.get("object-src") == ["'none'"]
    assert policy.get("frame-ancestors") == ["'none'"]
    if "html" in response.get("Content-Type", ""):
        assert inline_code(response.content.decode()) == [], path


def test_citizen_and_public_pages_answer_a_strict_policy(client, citizen, make_dossier, procedure):
    anonymous = [
        "/",
        reverse("catalogue:detail", kwargs={"code": procedure.code}),
        "/tra-cuu/",
        "/tai-khoan/dang-nhap/",
        "/tai-khoan/dang-ky/",
        "/thong-bao/quen-mat-khau/",
        "/trang-khong-ton-tai/",
    ]
    for url in anonymous:
        assert_strict(client.get(url))
    dossier = make_dossier("submitted")
    client.force_login(citizen)
    for url in [
        "/ho-so/",
        reverse("dossiers:start", kwargs={"procedure_code": procedure.code}),
        reverse("dossiers:detail", kwargs={"code": dossier.code}),
        reverse("dossiers:withdraw", kwargs={"code": dossier.code}),
        "/thong-bao/",
        reverse("accounts:profile"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response)


def test_admin_pages_answer_a_strict_policy(staff_client, receiving_officer, make_dossier):
    anonymous = Client()
    assert_strict(anonymous.get("/admin/login/"))
    dossier = make_dossier("submitted")
    staff = staff_client(receiving_officer)
    for url in [
        "/admin/",
        reverse("admin:dossiers_dossier_changelist"),
        reverse("admin:dossiers_dossier_changelist") + "?queue=waiting",
        reverse("admin:dossiers_dossier_change", args=[dossier.pk]),
        reverse("admin:dossiers_dossier_action", args=[dossier.pk, "receive"]),
        reverse("admin:password_change"),
    ]:
        response = staff.get(url)
        assert response.status_code == 200, url
        assert_strict(response)


def test_browsable_api_answers_the_same_script_policy(client, citizen):
    """DRF's browsable API loads its scripts from static files (its CSRF settings are a JSON
    data block); its few inline styles (code highlighting) are merely not applied."""
    client.force_login(citizen)
    page = client.get("/api/v1/procedures/", HTTP_ACCEPT="text/html")
    assert page["Content-Type"].startswith("text/html")
    assert directives(page)["script-src"] == ["'self'"]
    assert not [f for f in inline_code(page.content.decode()) if f.startswith("<script")]


def test_api_docs_answer_a_strict_policy_and_load_their_script_from_a_url(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert_strict(page)
    script = re.search(r'<script src="([^"]*script=[^"]*)"', page.content.decode())
    assert script, "the Swagger UI init script is not served as a separate URL"
    init = client.get(script.group(1).replace("&amp;", "&"))
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in init.content


def test_pdfs_are_left_without_a_page_policy(client, citizen, make_dossier):
    """A browser's PDF viewer is not one of our pages: a policy on it could keep it from loading."""
    dossier = make_dossier("received")
    document = dossier.documents.first()
    from portal.dossiers import services

    services.render_document(document_id=document.pk)  # the worker, after the commit
    client.force_login(citizen)
    response = client.get(
        reverse("dossiers:document", kwargs={"code": dossier.code, "document_id": document.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Content-Security-Policy" not in response


def _served_templates() -> list[Path]:
    """Every template a browser may receive (the PDF templates are rendered by WeasyPrint)."""
    folders = [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("portal/*/templates")]
    return [
        path
        for folder in folders
        for path in folder.rglob("*.html")
        if "pdf" not in path.relative_to(folder).parts
    ]


def test_no_template_carries_inline_script_handler_or_style():
    templates = _served_templates()
    assert len(templates) > 20
    offending = {}
    for path in templates:
        # template tags out of the way: {% … %} and {{ … }} become neutral text
        text = re.sub(
            r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}",
            "",
            path.read_text(),
            flags=re.DOTALL,
        )
        text = re.sub(r"{%.*?%}|{{.*?}}", "x", text, flags=re.DOTALL)
        found = inline_code(text)
        if found:
            offending[str(path.relative_to(ROOT))] = found
    assert offending == {}
