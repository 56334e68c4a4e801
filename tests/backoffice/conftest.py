"""Back-office fixtures: the dossier fixtures (units, staff by role, make_dossier…) plus clients
logged into the admin as staff (with the second factor verified, see `login_staff`)."""

from __future__ import annotations

import pytest
from django.test import Client

from portal.backoffice.testing import login_staff
from tests.dossiers.conftest import *  # noqa: F403 - reuse the engine's fixtures
from tests.dossiers.test_browser import (  # noqa: F401 - the Chromium launch fixtures
    _media_url_for_live_server,
    artifacts_dir,
    browser,
)


@pytest.fixture(autouse=True)
def _second_factor_on(settings):
    """The back office is tested as deployed: the admin demands a verified second factor."""
    settings.BACKOFFICE_OTP_REQUIRED = True


@pytest.fixture
def staff_client():
    """staff_client(user) → a Client logged into the admin as `user` (OTP verified)."""

    def _client(user) -> Client:
        client = Client()
        login_staff(client, user)
        return client

    return _client


@pytest.fixture
def refusal_reason(db):
    from portal.backoffice.models import RefusalReason

    # "Giấy tờ, thông tin kê khai sai sự thật": applies to every residence procedure, so to the
    # tạm vắng dossiers of make_dossier (the thường trú categories do not).
    return RefusalReason.objects.get(code="thong-tin-sai-su-that")
