"""Issue 8, point 6: every limit keys on the real client address; X-Forwarded-For is only trusted
as far as TRUSTED_PROXY_COUNT says (default: not at all)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from portal.core.ratelimit import client_ip

pytestmark = pytest.mark.django_db
LOOKUP = "/api/v1/lookup/"
BODY = {"code": "G19.55-20000101-9999", "personal_id": "001001001001"}


def test_changing_x_forwarded_for_does_not_bypass_the_lookup_api_limit():
    client = APIClient()
    statuses = [
        client.post(LOOKUP, BODY, format="json", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(12)
    ]
    assert statuses[:10] == [404] * 10
    assert statuses[10:] == [429, 429]


def test_behind_one_proxy_the_right_most_address_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    client = APIClient()
    statuses = [
        client.post(
            LOOKUP,
            BODY,
            format="json",
            # whatever the client writes on the left, the proxy appends the address it saw
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.5",
            **proxy,
        ).status_code
        for n in range(11)
    ]
    assert statuses[:10] == [404] * 10 and statuses[10] == 429
    # another client behind the same proxy has its own budget
    response = client.post(LOOKUP, BODY, format="json", HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "192.0.2.1"),  # no proxy: the header is ignored
        (1, "198.51.100.7, 203.0.113.5", "203.0.113.5"),
        (2, "198.51.100.7, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "203.0.113.5", "192.0.2.1"),  # shorter than the proxy chain: REMOTE_ADDR
        (1, "", "192.0.2.1"),
        (1, "198.51.100.7, not-an-address", "192.0.2.1"),
    ],
)
def test_client_ip(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_login_lockout_keys_on_the_same_address(settings, client, citizen):
    """django-axes counts failures per client_ip too: behind a proxy, a changed X-Forwarded-For
    prefix does not reset the count, and the lockout applies to the client, not to the proxy."""
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/tai-khoan/dang-nhap/",
            {"username": citizen.username, "password": "sai-mat-khau"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.5",
        )
    from tests.dossiers.conftest import PASSWORD

    locked = client.post(
        "/tai-khoan/dang-nhap/",
        {"username": citizen.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.5",
    )
    assert locked.status_code == 429
    other = client.post(
        "/tai-khoan/dang-nhap/",
        {"username": citizen.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.6",
    )
    assert other.status_code == 302
