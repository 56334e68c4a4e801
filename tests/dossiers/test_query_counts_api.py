"""Statements per request on the hot API paths (issue 13). Counts, never times: a new query on
these paths is a deliberate change to this file.

Counted with a real token (one query: token + user), like a client in production. BEGIN /
SAVEPOINT / COMMIT are statements too and are counted."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from portal.catalogue.models import ProcedureFee
from portal.dossiers.models import Dossier, DossierEvent
from tests.dossiers.conftest import make_procedure

BASE = "/api/v1/dossiers/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(citizen):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=citizen).key}")
    ContentType.objects.get_for_model(Dossier)  # warm, as in a running worker
    return client


@pytest.fixture
def stay(db):
    """A procedure like the stay notice: level 4, no fee, no document, received at once."""
    return make_procedure(
        "9.000159",
        "Thông báo lưu trú (thử)",
        level=4,
        deadline_kind="immediate",
        deadline_days="0",
        reception_mode="round_the_clock",
    )


def test_create_answers_compactly_in_a_fixed_number_of_statements(
    api, stay, area, unit, django_assert_num_queries
):
    # The first request reads the procedure, its fees, the area and the unit; a worker keeps
    # them in memory for the catalogue version (portal/catalogue/memo.py), so every later create
    # is: token; BEGIN; code sequence upsert; dossier; history row; COMMIT (was 9 + the fees).
    api.post(BASE, {"procedure": stay.code, "area": area.code, "form_data": {}}, format="json")
    with django_assert_num_queries(6):
        response = api.post(
            BASE, {"procedure": stay.code, "area": area.code, "form_data": {}}, format="json"
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {
        "code",
        "state",
        "state_label",
        "national_status_code",
        "version",
        "submitted_at",
        "received_at",
        "due_at",
        "links",
    }
    dossier = Dossier.objects.get(code=body["code"])
    assert body["state"] == "draft" and body["version"] == dossier.version
    assert list(dossier.events.values_list("action", flat=True)) == ["create"]


def test_submit_reads_the_row_once_and_keeps_every_guarantee(
    api, stay, area, unit, django_assert_max_num_queries
):
    # A first submission reads the procedure, its fees, its form template and the notification
    # templates; a worker keeps them in memory for the catalogue version (memo.py).
    warm = api.post(BASE, {"procedure": stay.code, "area": area.code}, format="json").json()["code"]
    assert api.post(f"{BASE}{warm}/submit/", {}, format="json").status_code == 200
    code = api.post(BASE, {"procedure": stay.code, "area": area.code}, format="json").json()["code"]
    with CaptureQueriesContext(connection) as seen:
        response = api.post(f"{BASE}{code}/submit/", {"version": 0}, format="json")
    assert response.status_code == 200, response.json()
    sql = [q["sql"] for q in seen.captured_queries]
    dossier_reads = [s for s in sql if s.startswith("SELECT") and '"dossiers_dossier"."id"' in s]
    assert len(dossier_reads) == 1 and dossier_reads[0].endswith('FOR UPDATE OF "dossiers_dossier"')
    assert sum(s.startswith('UPDATE "dossiers_dossier"') for s in sql) == 1
    assert sum(s.startswith('INSERT INTO "dossiers_dossierevent"') for s in sql) == 1
    assert sum(s.startswith('INSERT INTO "notifications_notification"') for s in sql) >= 1
    # the outbox rows are written before the request's transaction ends (in a test, the
    # request's block is a savepoint of the test's transaction)
    ends = [i for i, s in enumerate(sql) if s.startswith(("COMMIT", "RELEASE SAVEPOINT"))]
    assert sql.index(next(s for s in sql if "notifications_notification" in s)) < ends[-1]
    # token; the view's block; the locked row; required documents; office hours; UPDATE;
    # history row; outbox INSERT; end of block. Was 14 (26 with the full detail answer): the
    # procedure's fees, its form template and the notification templates now come from memory.
    assert len(sql) == 9, "\n".join(sql)
    body = response.json()
    dossier = Dossier.objects.get(code=code)
    assert body["state"] == dossier.state != "draft" and body["version"] == dossier.version == 1
    stale = api.post(f"{BASE}{code}/submit/", {"version": 0}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "changed_by_someone_else"


def test_submit_of_someone_elses_dossier_is_a_404_before_any_write(
    stay, area, unit, other_citizen, citizen
):
    owner = APIClient()
    owner.force_authenticate(citizen)
    code = owner.post(BASE, {"procedure": stay.code, "area": area.code}, format="json").json()[
        "code"
    ]
    intruder = APIClient()
    intruder.force_authenticate(other_citizen)
    with CaptureQueriesContext(connection) as seen:
        response = intruder.post(f"{BASE}{code}/submit/", {}, format="json")
    assert response.status_code == 404
    assert not [q for q in seen.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))]
    assert Dossier.objects.get(code=code).state == "draft"


def test_detail_is_constant_in_queries_whatever_the_history(
    api, make_dossier, django_assert_num_queries
):
    short = make_dossier("submitted")
    long = make_dossier("supplement_requested")
    assert DossierEvent.objects.filter(dossier=long).count() > 3
    # token; the dossier with its relations and its lists (JSON arrays in the same statement;
    # outside a transaction, an EXECUTE of it prepared on the connection: test_detail_prepared)
    for dossier in (short, long):
        with django_assert_num_queries(2):
            response = api.get(f"{BASE}{dossier.code}/")
        assert response.status_code == 200
    body = response.json()
    assert body["history"][-1]["action"] == "request_supplement"
    assert body["supplement_request"] is not None and body["attachments"]
    assert all(entry["actor_label"] for entry in body["history"])
    assert body["documents"] and body["documents"][0]["download_url"].startswith(
        f"{BASE}{long.code}/documents/"
    )


def test_catalogue_list_is_served_from_the_cache_until_staff_edit_it(
    client, procedure, django_assert_num_queries
):
    first = client.get("/api/v1/procedures/").json()
    with django_assert_num_queries(0):
        again = client.get("/api/v1/procedures/").json()
    assert again == first
    fee = ProcedureFee.objects.filter(procedure=procedure).first()
    if fee is None:
        fee = ProcedureFee(procedure=procedure, channel="in_person", valid_from="2020-01-01")
    fee.amount = 123_000
    fee.save()  # a staff edit (admin): every process must stop serving the old answer
    edited = client.get("/api/v1/procedures/").json()
    entry = next(p for p in edited["results"] if p["code"] == procedure.code)
    assert entry["current_fees"]["in_person"] == 123_000
    # a search is computed each time (not cached: it would fill the cache with every word)
    with django_assert_num_queries(3):
        assert client.get("/api/v1/procedures/", {"q": "tam vang"}).status_code == 200


@pytest.mark.parametrize("viewer", ["citizen", "receiving_officer"])
def test_one_query_detail_says_exactly_what_the_prefetching_one_says(
    viewer, request, make_dossier, rf
):
    from portal.dossiers import selectors
    from portal.dossiers.serializers import DossierDetailSerializer

    user = request.getfixturevalue(viewer)
    dossier = make_dossier("supplement_requested")  # officer acts, documents, a request
    http = rf.get("/")
    http.user = user
    prefetched = selectors.dossier_detail(user=user, code=dossier.code)
    one_query = selectors.dossier_detail_api(user=user, code=dossier.code)
    context = {"request": http}
    assert (
        DossierDetailSerializer(one_query, context=context).data
        == DossierDetailSerializer(prefetched, context=context).data
    )
