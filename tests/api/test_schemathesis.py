"""Every operation of the OpenAPI schema, fuzzed in-process (WSGI, pytest-django's database) by
schemathesis, as an anonymous caller, a citizen (token) and an officer (a token an administrator
issued): no 5xx, every status code, body and Content-Type as documented.

Operations come from the schema itself, so endpoints added later are checked without touching this
file. Bounded for CI (2 cores, PostgreSQL: about a minute for ~100 operation × caller pairs): 12
fuzzed examples plus the schema's examples per pair, positive and negative inputs, fixed seed (one
seed per operation derived from it), no coverage or stateful phase. The dossier / procedure code
in the path is a real one for half of the cases, so 2xx answers and their bodies are checked too.
Seeds 1234 and 7 with 30 examples were also run clean when this was written.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.dossiers.conftest import TEMPORARY_ABSENCE

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 8,
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": False},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "generation": {"mode": "all"},
    }
)


# Loaded once at collection (no database needed): one test per operation, in its own transaction.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", get_wsgi_application(), config=CONFIG
)


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """The WSGI handler closes the database connection after each request (request_finished);
    Django's own test client disconnects that, so must we, or the test transaction is lost."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(make_dossier, citizen, unit_leader):
    """A draft and a submitted dossier of `citizen`, at the unit `unit_leader` leads."""
    draft = make_dossier("draft")
    submitted = make_dossier("submitted")
    tokens = {
        "anonymous": None,
        "citizen": Token.objects.create(user=citizen).key,
        "staff": Token.objects.create(user=unit_leader).key,  # issued by an administrator
    }
    return {"codes": [draft.code, submitted.code], "tokens": tokens}


def _use_real_objects(case, world) -> None:
    params = case.path_parameters or {}
    code = params.get("code")
    if not isinstance(code, str) or len(code) % 2:
        return  # half of the cases keep the generated (unknown) code
    if case.path.startswith("/api/v1/procedures/"):
        params["code"] = TEMPORARY_ABSENCE
    else:
        params["code"] = world["codes"][len(code) // 2 % 2]


@pytest.mark.parametrize("who", ["anonymous", "citizen", "staff"])
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_api_answers_as_documented(case, who, world):
    _use_real_objects(case, world)
    token = world["tokens"][who]
    headers = {"Authorization": f"Token {token}"} if token else {}
    case.call_and_validate(headers=headers, checks=CHECKS)
