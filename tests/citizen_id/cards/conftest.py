"""Fixtures for the identity-card registry: the engine's people and units, plus a registry person
for the citizen fixture and a helper that records a card through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import translation

from tests.dossiers.conftest import *  # noqa: F403 - areas, units, staff, citizens
from tests.dossiers.conftest import (  # noqa: F401 - autouse, not in *
    _fast_password_hashing,
    make_citizen,
)


@pytest.fixture(autouse=True)
def _vietnamese(settings):
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def person_of(user):
    from residence.services.common import get_or_create_person

    return get_or_create_person(
        personal_id=user.personal_id,
        full_name=user.full_name,
        date_of_birth=user.date_of_birth,
        sex=user.sex,
    )


@pytest.fixture
def holder(citizen):
    """The citizen fixture (born 17/05/1990) as a registry person."""
    return person_of(citizen)


@pytest.fixture
def card(holder, unit):
    """A valid card of `holder`, renewed on 01/06/2015 (age 25) → valid until 17/05/2030 (40)."""
    from citizen_id.services import issue_card

    return issue_card(person=holder, issued_on=dt.date(2015, 6, 1), issuing_unit=unit)
