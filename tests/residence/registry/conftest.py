"""Registry reading-side fixtures: the dossier fixtures (areas `area`/`other_area`, units
`unit`/`other_unit` under `province_unit`, `citizen`, staff…) plus small registry builders.

- `pid(n, year=1990, sex="M")` → a valid personal number (Thái Nguyên, right century/sex digit);
- `add_person(...)` → a Person; `add_household(area, street, [(person, relation), …])` → a
  household with current memberships and permanent residences at its address;
- `person_of(user)` → the Person of a citizen account (same number, name, date of birth, sex).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from portal.accounts.validators import century_sex_digit
from portal.backoffice.testing import login_staff
from residence.models import HouseholdMember, PermanentResidence, Person
from residence.services.common import get_or_create_address, new_household_number
from tests.dossiers.conftest import *  # noqa: F403 - reuse the engine's fixtures
from tests.dossiers.conftest import make_citizen, upsert_person


def pid(n: int, year: int = 1990, sex: str = "M") -> str:
    return f"019{century_sex_digit(year, sex)}{year % 100:02d}{n:06d}"


def add_person(n: int, full_name: str, *, year: int = 1990, sex: str = "M") -> Person:
    return upsert_person(
        personal_id=pid(n, year, sex),
        full_name=full_name,
        date_of_birth=dt.date(year, 3, 10),
        sex=sex,
    )


def add_household(area, street: str, members, *, since=dt.date(2015, 1, 1)):
    from residence.models import Household

    address = get_or_create_address(area=area, street=street)
    household = Household.objects.create(number=new_household_number(), address=address)
    for person, relation in members:
        HouseholdMember.objects.create(
            household=household, person=person, relation=relation, joined_on=since
        )
        PermanentResidence.objects.create(
            person=person, address=address, household=household, registered_on=since
        )
    return household


def person_of(user) -> Person:
    return upsert_person(
        personal_id=user.personal_id,
        full_name=user.full_name,
        date_of_birth=user.date_of_birth,
        sex=user.sex,
    )


@pytest.fixture
def staff_client():
    def _client(user) -> Client:
        client = Client()
        login_staff(client, user)
        return client

    return _client


@pytest.fixture
def administrator(unit):
    from portal.accounts.models import Role

    return make_staff("quantri", unit, Role.ADMINISTRATOR)  # noqa: F405


# The registry tests build the registry themselves: their citizens start outside it (same
# accounts as the engine's `citizen` / `other_citizen`, without the registry person).
@pytest.fixture
def citizen(area):
    return make_citizen(
        "019090001234",
        "Nguyễn Văn An",
        area=area,
        in_registry=False,
        date_of_birth=dt.date(1990, 5, 17),
        sex="M",
        phone="+84912345678",
        email="an@example.test",
        permanent_address="Tổ 5, phường Phan Đình Phùng, tỉnh Thái Nguyên",
        current_address="Tổ 5, phường Phan Đình Phùng, tỉnh Thái Nguyên",
    )


@pytest.fixture
def other_citizen(area):
    return make_citizen(
        "001195004321",
        "Trần Thị Bình",
        area=area,
        in_registry=False,
        date_of_birth=dt.date(1995, 2, 3),
        sex="F",
        phone="+84987654321",
        permanent_address="Tổ 7, phường Phan Đình Phùng",
    )
