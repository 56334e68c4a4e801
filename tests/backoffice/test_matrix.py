"""Role × state matrix of the back-office decisions, and approval rollback."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.backoffice.admin import ACTION_SPECS, available_actions
from portal.dossiers.models import Document, Dossier, State
from portal.dossiers.registry import ProcedurePlugin, registry

pytestmark = pytest.mark.django_db

R, H, L, S = "receiving", "handling", "leader", "supervisor"
# What each role is offered in each state (engine transitions + back-office acts); every officer
# of the unit may also record which attachments they checked while the dossier is open. Officers
# only propose a refusal; the leader refuses (and decides proposals, see test_refusal_rules).
EXPECTED = {
    "submitted": {
        R: {"receive", "request_supplement", "propose_refusal", "assign"},
        H: {"request_supplement", "propose_refusal"},
        L: {"receive", "request_supplement", "refuse", "assign"},
        S: set(),
    },
    "received": {
        R: {"request_supplement", "propose_refusal", "assign", "contact"},
        H: {"request_supplement", "propose_refusal", "start_processing", "contact"},
        L: {
            "request_supplement",
            "refuse",
            "start_processing",
            "assign",
            "contact",
            "apology",
            "stop",
        },
        S: set(),
    },
    "processing": {
        R: {"request_supplement", "propose_refusal", "assign", "contact"},
        H: {"request_supplement", "propose_refusal", "contact"},
        L: {"request_supplement", "refuse", "assign", "approve", "contact", "apology", "stop"},
        S: set(),
    },
    "supplement_requested": {R: {"assign"}, H: set(), L: {"assign", "stop"}, S: set()},
    "approved": {
        R: {"assign", "contact", "return_result"},
        H: {"contact", "return_result"},
        L: {"assign", "contact", "return_result", "apology"},
        S: set(),
    },
    "refused": {R: set(), H: set(), L: set(), S: set()},
    "result_returned": {R: set(), H: set(), L: set(), S: set()},
}


for _state in ("submitted", "received", "processing"):
    for _role in (R, H, L):
        EXPECTED[_state][_role] = EXPECTED[_state][_role] | {"verify"}


@pytest.mark.parametrize("state", list(EXPECTED))
def test_role_state_matrix(
    state,
    make_dossier,
    receiving_officer,
    handling_officer,
    unit_leader,
    supervisor,
    other_unit_officer,
    staff_client,
):
    dossier = make_dossier(state)
    users = {R: receiving_officer, H: handling_officer, L: unit_leader, S: supervisor}
    for role, user in users.items():
        fresh = Dossier.objects.select_related("unit", "procedure").get(pk=dossier.pk)
        assert set(available_actions(dossier=fresh, user=user)) == EXPECTED[state][role], role
        client = staff_client(user)
        for action in ACTION_SPECS:
            url = reverse("admin:dossiers_dossier_action", args=[dossier.pk, action])
            response = client.get(url)
            if action in EXPECTED[state][role]:
                assert response.status_code == 200, (role, action)
            else:  # not offered: back to the dossier page with a message, nothing changes
                assert response.status_code == 302, (role, action)
                client.post(url, {"version": fresh.version})
                assert Dossier.objects.get(pk=dossier.pk).version == fresh.version
    outsider = staff_client(other_unit_officer)
    for action in ACTION_SPECS:
        url = reverse("admin:dossiers_dossier_action", args=[dossier.pk, action])
        assert outsider.get(url).status_code == 404


class _FailingPlugin(ProcedurePlugin):
    def __init__(self, code, error):
        self.procedure_code = code
        self.error = error

    def approve(self, *, dossier, actor):
        dossier.form_data = {"written": True}
        dossier.save(update_fields=["form_data"])  # an effect that must be rolled back
        raise self.error


@pytest.mark.parametrize("error", [RuntimeError("registry down"), ValueError("bad data")])
def test_approval_failure_rolls_back(
    error, make_dossier, unit_leader, staff_client, monkeypatch, procedure
):
    dossier = make_dossier("processing")
    monkeypatch.setitem(registry._plugins, procedure.code, _FailingPlugin(procedure.code, error))
    before = Dossier.objects.get(pk=dossier.pk)
    client = staff_client(unit_leader)
    url = reverse("admin:dossiers_dossier_action", args=[dossier.pk, "approve"])
    response = client.post(url, {"version": before.version}, follow=True)
    assert response.status_code == 200
    assert "Không phê duyệt được" in response.content.decode()
    after = Dossier.objects.get(pk=dossier.pk)
    assert after.state == State.PROCESSING
    assert after.version == before.version
    assert after.form_data == before.form_data
    assert not after.documents.filter(kind=Document.Kind.RESULT).exists()
    assert not after.events.filter(action="approve").exists()


def test_api_approval_failure_rolls_back_with_a_json_error(
    make_dossier, unit_leader, monkeypatch, procedure
):
    from rest_framework.test import APIClient

    dossier = make_dossier("processing")
    error = RuntimeError("registry down")
    monkeypatch.setitem(registry._plugins, procedure.code, _FailingPlugin(procedure.code, error))
    before = Dossier.objects.get(pk=dossier.pk)
    client = APIClient()
    client.force_authenticate(unit_leader)
    response = client.post(f"/api/v1/staff/dossiers/{dossier.code}/approve/", {}, format="json")
    assert response.status_code == 503
    assert response.json()["code"] == "approval_failed"
    assert "Hồ sơ không thay đổi" in response.json()["message"]
    after = Dossier.objects.get(pk=dossier.pk)
    assert (after.state, after.version, after.form_data) == (
        State.PROCESSING,
        before.version,
        before.form_data,
    )
    assert not after.events.filter(action="approve").exists()
