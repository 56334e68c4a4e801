"""A password alone never opens a dossier to an officer: not through the back office, not through
the citizen pages, not through the citizen API, and it cannot buy an API token."""

import pytest
from django.urls import reverse

from tests.dossiers.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _password_only(client, officer):
    response = client.post(
        reverse("accounts:login"), {"username": officer.username, "password": PASSWORD}
    )
    assert response.status_code == 302  # logged in, but no second factor


def test_password_only_officer_sees_no_dossier_anywhere(client, make_dossier, receiving_officer):
    dossier = make_dossier("received")
    attachment = dossier.attachments.first()
    _password_only(client, receiving_officer)
    assert client.get(reverse("dossiers:detail", kwargs={"code": dossier.code})).status_code == 404
    assert client.get(f"/ho-so/{dossier.code}/tep/{attachment.pk}/").status_code == 404
    response = client.get(f"/api/v1/dossiers/{dossier.code}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get("/api/v1/staff/dossiers/").status_code == 403


def test_verified_officer_still_reaches_the_unit_dossier(
    staff_client, make_dossier, receiving_officer
):
    dossier = make_dossier("received")
    client = staff_client(receiving_officer)
    assert client.get(f"/api/v1/dossiers/{dossier.code}/").status_code == 200


def test_officer_cannot_get_an_api_token_with_a_password(client, receiving_officer, citizen):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": receiving_officer.username, "password": PASSWORD},
        content_type="application/json",
    )
    # the same answer as a wrong password: the endpoint is no oracle for staff passwords (the
    # API docs say an administrator issues staff tokens)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    # citizens still log in to the API with their number and password
    response = client.post(
        "/api/v1/auth/token/",
        {"username": citizen.personal_id, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["token"]
