"""The OpenAPI schema says what the API answers: pagination, nullable fields, 401 for anonymous
callers, the page errors. (The schemathesis run checks every operation against it.)"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def openapi(django_db_blocker):
    with django_db_blocker.unblock():
        return APIClient().get("/api/schema/", {"format": "json"}).json()


def _resolve(openapi, schema):
    ref = schema.get("$ref", "")
    return openapi["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


def _ok_schema(openapi, path, method="get", status="200"):
    content = openapi["paths"][path][method]["responses"][status]["content"]
    return _resolve(openapi, content["application/json"]["schema"])


def test_my_dossiers_are_documented_and_answered_paginated(openapi, citizen, make_dossier):
    make_dossier("draft")
    documented = _ok_schema(openapi, "/api/v1/dossiers/")
    assert documented["type"] == "object"
    assert {"count", "next", "previous", "results"} <= set(documented["properties"])
    client = APIClient()
    client.force_authenticate(citizen)
    answered = client.get("/api/v1/dossiers/").json()
    assert set(answered) == {"count", "next", "previous", "results"}


def test_unassigned_staff_dossier_is_documented_nullable(openapi, make_dossier, unit_leader):
    dossier = make_dossier("submitted")
    field = openapi["components"]["schemas"]["StaffDossier"]["properties"]["assigned_to"]
    assert field.get("nullable") is True
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=unit_leader).key}")
    answered = client.get(f"/api/v1/staff/dossiers/{dossier.code}/").json()
    assert answered["assigned_to"] is None


@pytest.mark.parametrize(
    "path", ["/api/v1/dossiers/", "/api/v1/auth/me/", "/api/v1/staff/dossiers/"]
)
def test_anonymous_calls_answer_401_with_token_challenge(openapi, path):
    response = APIClient().get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"
    assert "401" in openapi["paths"][path]["get"]["responses"]


def test_citizen_on_the_staff_api_is_403_as_documented(openapi, citizen):
    client = APIClient()
    client.force_authenticate(citizen)
    assert client.get("/api/v1/staff/dossiers/").status_code == 403
    assert "403" in openapi["paths"]["/api/v1/staff/dossiers/"]["get"]["responses"]


@pytest.mark.parametrize(
    ("page", "status", "code"),
    [
        ("0", 400, "invalid"),
        ("-1", 400, "invalid"),
        ("abc", 400, "invalid"),
        ("99", 404, "page_not_found"),
    ],
)
def test_bad_pages_answer_documented_errors(openapi, procedure, page, status, code):
    response = APIClient().get("/api/v1/procedures/", {"page": page})
    assert response.status_code == status
    assert response.json()["code"] == code
    operation = openapi["paths"]["/api/v1/procedures/"]["get"]
    assert str(status) in operation["responses"]
    page_parameter = next(p for p in operation["parameters"] if p["name"] == "page")
    assert page_parameter["schema"] == {"type": "integer", "minimum": 1}


def test_throttled_lookup_documents_429(openapi):
    assert "429" in openapi["paths"]["/api/v1/lookup/"]["post"]["responses"]


def test_whole_schema_is_valid_and_warning_free(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
