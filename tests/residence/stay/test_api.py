"""The stay notice through the public API: create with a JSON guest list, submit → recorded."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from portal.dossiers.models import Dossier
from residence.models import Stay
from tests.residence.stay.conftest import guest, local, notice

pytestmark = pytest.mark.django_db
BASE = "/api/v1/dossiers/"
EVENING = local(2026, 12, 1, 22, 45)


@pytest.fixture
def api(citizen):
    client = APIClient()
    client.force_authenticate(citizen)
    return client


def test_a_host_files_five_guests_through_the_api(
    clock, api, stay_procedure, area, registry_guests
):
    clock.set(EVENING)
    data = notice(
        *(guest(p.personal_id, arrives=local(2026, 12, 1, 22, 0)) for p in registry_guests)
    )
    full = {"HTTP_PREFER": "return=representation"}  # the full detail, not the compact answer
    response = api.post(
        BASE, {"procedure": "2.001159", "area": area.code, "form_data": data}, format="json", **full
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["state"] == "draft" and created["missing_documents"] == []

    compact = api.post(f"{BASE}{created['code']}/submit/", {}, format="json")
    assert compact.status_code == 200, compact.json()
    assert compact.json()["state"] == "result_returned" and compact.json()["due_at"] is None
    response = api.get(f"{BASE}{created['code']}/")
    body = response.json()
    assert body["state"] == "result_returned"
    assert body["state_label"] == "Đã ghi nhận"
    assert body["national_status_code"] == 10
    assert body["is_overdue"] is False and body["due_at"] is None
    assert [h["action"] for h in body["history"]] == ["create", "submit", "record"]
    assert body["allowed_actions"] == []
    assert [g["full_name"] for g in body["form_data"]["guests"]] == [
        p.full_name for p in registry_guests
    ]
    assert Stay.objects.filter(dossier__code=created["code"]).count() == 5


def test_an_invalid_notice_answers_400_with_each_guest_message(
    clock, api, stay_procedure, area, registry_guests
):
    clock.set(EVENING)
    first = registry_guests[0].personal_id
    data = notice(
        guest(first, arrives=local(2026, 12, 1, 22, 0), days=40),
        guest(first, arrives=local(2026, 11, 29, 22, 0)),
    )
    created = api.post(
        BASE, {"procedure": "2.001159", "area": area.code, "form_data": data}, format="json"
    ).json()
    response = api.post(f"{BASE}{created['code']}/submit/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_form"
    messages = body["errors"]["guests"]
    assert len(messages) == 3
    assert messages[0].startswith("Khách 1 (Nguyễn Văn Ánh): thời gian lưu trú")
    assert messages[1].startswith("Khách 2 (Nguyễn Văn Ánh): đã khai ở dòng 1")
    assert messages[2].startswith("Khách 2 (Nguyễn Văn Ánh): thời điểm đến lưu trú")
    assert api.get(f"{BASE}{created['code']}/").json()["state"] == "draft"
    assert not Stay.objects.exists()


def test_a_five_guest_notice_is_created_and_recorded_in_few_statements(
    clock, api, stay_procedure, area
):
    """The benchmark's path (issue 13): counts, never times. A worker keeps the procedure, area,
    unit and notification templates in memory for the catalogue version (catalogue/memo.py), so
    only the first notice reads them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clock.set(EVENING)
    data = notice(
        *(
            guest(f"0010990010{i:02d}", name=f"Trần Thị Khách {i}", arrives=EVENING)
            for i in range(5)
        )
    )
    body = {"procedure": "2.001159", "area": area.code, "form_data": data}
    first = api.post(BASE, body, format="json").json()["code"]
    assert api.post(f"{BASE}{first}/submit/", {}, format="json").status_code == 200
    with CaptureQueriesContext(connection) as created:
        code = api.post(BASE, body, format="json").json()["code"]
    with CaptureQueriesContext(connection) as submitted:
        response = api.post(f"{BASE}{code}/submit/", {}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "result_returned"
    # (no token query here: force_authenticate) block; code sequence; dossier; history; end
    assert len(created) == 5, "\n".join(q["sql"] for q in created.captured_queries)
    # block; the locked row; the guests' persons; the address; 5 stays in one INSERT; one
    # UPDATE for both transitions; both history rows in one INSERT; outbox; end. Was 20 (q.py): the
    # procedure, its fees (twice), area, unit, office hours, form template and notification
    # templates, a savepoint, a second UPDATE and history INSERT, the persons read again and an
    # appointment lookup for a procedure that needs no visit.
    sql = [q["sql"] for q in submitted.captured_queries]
    assert len(sql) == 9, "\n".join(sql)
    assert sum(s.startswith('UPDATE "dossiers_dossier"') for s in sql) == 1
    assert not [s for s in sql if "booking_appointment" in s]
    # the view's block only (a savepoint of the test's transaction): the service opens none
    assert sum(s.startswith("SAVEPOINT") for s in sql) == 1
    dossier_events = [e.action for e in Dossier.objects.get(code=code).events.all()]
    assert dossier_events == ["create", "submit", "record"]
    assert Dossier.objects.get(code=code).version == 2
    assert Stay.objects.filter(dossier__code=code).count() == 5
