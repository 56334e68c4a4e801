"""API token authentication with one precompiled statement (portal.accounts.authentication, issue
13): the same answers as DRF's TokenAuthentication, nothing kept between requests."""

from __future__ import annotations

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from portal.accounts.authentication import PortalTokenAuthentication, token_with_user
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db
ME = "/api/v1/auth/me/"


def api(header: str | None) -> APIClient:
    client = APIClient()
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)
    return client


def test_it_is_the_configured_authenticator():
    from rest_framework.settings import api_settings

    assert api_settings.DEFAULT_AUTHENTICATION_CLASSES[0] is PortalTokenAuthentication


def test_the_user_and_token_are_those_drf_reads_in_one_statement(citizen):
    token = Token.objects.create(user=citizen)
    with CaptureQueriesContext(connection) as queries:
        user, auth = PortalTokenAuthentication().authenticate_credentials(token.key)
        assert auth.user is user  # no further read
        assert user.get_deferred_fields() == set()
    assert len(queries.captured_queries) == 1
    drf_user, drf_token = TokenAuthentication().authenticate_credentials(token.key)
    assert model_to_dict(user) == model_to_dict(drf_user) and user.pk == drf_user.pk
    assert (auth.key, auth.user_id, auth.created) == (token.key, citizen.pk, drf_token.created)
    assert user.date_joined == drf_user.date_joined and user.date_of_birth == citizen.date_of_birth
    assert not user._state.adding and user._state.db == "default"


def test_a_valid_token_opens_the_api(citizen):
    token = Token.objects.create(user=citizen)
    response = api(f"Token {token.key}").get(ME)
    assert response.status_code == 200 and response.json()["full_name"] == "Nguyễn Văn An"


@pytest.mark.parametrize(
    "header",
    ["Token nope", "Token", "Token a b", "token nope", "Token " + "x" * 41, "Token a\x00b"],
)
def test_bad_tokens_are_a_401_with_the_scheme(header, citizen):
    response = api(header).get(ME)
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "authentication_failed"


def test_other_schemes_are_not_ours(citizen):
    response = api("Bearer whatever").get(ME)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_an_inactive_user_is_refused_at_once(citizen):
    token = Token.objects.create(user=citizen)
    client = api(f"Token {token.key}")
    assert client.get(ME).status_code == 200
    citizen.is_active = False
    citizen.save(update_fields=["is_active"])
    response = client.get(ME)
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"


def test_a_deleted_token_and_a_changed_password_count_at_once(citizen):
    token = Token.objects.create(user=citizen)
    client = api(f"Token {token.key}")
    assert client.get(ME).status_code == 200
    citizen.set_password(PASSWORD + "-new")
    citizen.save()  # revokes the account's tokens (portal.accounts.credentials)
    assert client.get(ME).status_code == 401
    again = Token.objects.create(user=citizen)
    client = api(f"Token {again.key}")
    assert client.get(ME).status_code == 200
    again.delete()  # a logout
    assert client.get(ME).status_code == 401
    assert token_with_user(again.key) is None
