"""Outside a transaction the detail's statement is prepared on the connection (issue 13): one
statement per call all the same, the same answer, and a connection that lost its prepared
statements (a pooler's DISCARD ALL) still answers. Transactional: a request's autocommit."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from portal.dossiers import selectors
from portal.dossiers.serializers import detail_representation

pytestmark = pytest.mark.django_db(transaction=True)


def _calls(user, code, n):
    with CaptureQueriesContext(connection) as seen:
        answers = [selectors.dossier_detail_api(user=user, code=code) for _ in range(n)]
    return answers, [q["sql"] for q in seen.captured_queries]


def test_the_detail_statement_is_prepared_once_per_connection(
    make_dossier, citizen, receiving_officer, rf, settings
):
    dossier = make_dossier("supplement_requested")
    http = rf.get("/")
    for user in (citizen, receiving_officer):
        http.user = user
        expected = detail_representation(
            selectors.dossier_detail(user=user, code=dossier.code), request=http
        )
        answers, sql = _calls(user, dossier.code, 3)
        assert len(sql) == 3  # one statement per call, the first may carry the PREPARE
        assert all(s.startswith("EXECUTE ") for s in sql[1:]), sql
        assert sql[0].startswith(("EXECUTE ", "PREPARE ")), sql[0]
        assert all(detail_representation(a, request=http) == expected for a in answers)

        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")  # what a pooler's DISCARD ALL does
        answers, sql = _calls(user, dossier.code, 2)
        assert all(detail_representation(a, request=http) == expected for a in answers)
        # the lost statement fails (autocommit: nothing aborted), is sent as it is, and is
        # prepared again by the next call
        assert sql[0].startswith("EXECUTE ") and sql[1].startswith("SELECT "), sql
        assert sql[2].startswith("PREPARE ") and len(sql) == 3, sql
        answers, sql = _calls(user, dossier.code, 1)
        assert sql[0].startswith("EXECUTE ") and len(sql) == 1, sql

        with transaction.atomic():  # a failure there would abort the caller's transaction
            answers, sql = _calls(user, dossier.code, 1)
        assert sql[0].startswith("SELECT ")
        settings.DB_PREPARED_STATEMENTS = False
        answers, sql = _calls(user, dossier.code, 1)
        assert sql[0].startswith("SELECT ")
        assert detail_representation(answers[0], request=http) == expected
        settings.DB_PREPARED_STATEMENTS = True


def test_the_api_detail_is_two_statements_in_autocommit_too(make_dossier, citizen, other_citizen):
    dossier = make_dossier("submitted")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=citizen).key}")
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=other_citizen).key}")
    for _ in range(3):
        with CaptureQueriesContext(connection) as seen:
            response = client.get(f"/api/v1/dossiers/{dossier.code}/")
        assert response.status_code == 200 and response.json()["code"] == dossier.code
        assert len(seen.captured_queries) == 2  # token; the prepared detail
        # the same prepared statement with another citizen's values: not theirs
        assert stranger.get(f"/api/v1/dossiers/{dossier.code}/").status_code == 404
