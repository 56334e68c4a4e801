"""The demo population of the registry (seed_demo → residence.demo.seed_registry)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from portal.accounts.models import User
from portal.accounts.validators import validate_personal_id
from residence.models import (
    Address,
    Household,
    HouseholdMember,
    PermanentResidence,
    Person,
    RegistryChange,
    Stay,
    TemporaryAbsence,
    TemporaryResidence,
)

MODELS = (
    Address,
    Household,
    HouseholdMember,
    PermanentResidence,
    Person,
    RegistryChange,
    Stay,
    TemporaryAbsence,
    TemporaryResidence,
)


def snapshot():
    return {m.__name__: sorted(m.objects.values_list("pk", flat=True)) for m in MODELS} | {
        "people": sorted(Person.objects.values_list("personal_id", "full_name", "updated_at"))
    }


@pytest.mark.django_db
def test_seed_demo_builds_the_population_once():
    call_command("seed_demo", stdout=io.StringIO())
    first = snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot() == first  # a second run changes nothing

    persons = list(Person.objects.all())
    assert 280 <= len(persons) <= 340
    for person in persons:  # every number valid for the person's birth date and sex (§6)
        validate_personal_id(person.personal_id, date_of_birth=person.date_of_birth, sex=person.sex)
    areas = set(Household.objects.values_list("address__area__name", flat=True))
    assert len(areas) >= 5  # across the demo communes

    citizens = list(User.objects.filter(kind=User.Kind.CITIZEN).select_related("permanent_area"))
    assert len(citizens) >= 24
    for user in citizens:
        person = Person.objects.get(personal_id=user.personal_id)
        assert (person.full_name, person.date_of_birth, person.sex) == (
            user.full_name,
            user.date_of_birth,
            user.sex,
        )
        membership = HouseholdMember.objects.get(person=person, left_on__isnull=True)
        permanent = PermanentResidence.objects.select_related("address").get(
            person=person, ended_on__isnull=True
        )
        assert permanent.household_id == membership.household_id
        assert permanent.address.area_id == user.permanent_area_id
        assert user.permanent_address.startswith(permanent.address.street + ", ")

    today = timezone.localdate()
    open_temporary = TemporaryResidence.objects.filter(ended_on__isnull=True)
    assert open_temporary.filter(
        expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=15)
    ).exists()
    assert open_temporary.filter(expires_on__lt=today).exists()
    assert Stay.objects.filter(ends_at__gte=timezone.now()).count() >= 3
    # the population's two (the demo dossiers may add approved declarations of their own)
    assert TemporaryAbsence.objects.filter(date_to__gte=today, dossier__isnull=True).count() == 2
    assert RegistryChange.objects.filter(kind="loaded").count() == len(persons)
    # other changes come only from the demo dossiers' approvals (they name their dossier)
    assert not RegistryChange.objects.exclude(kind="loaded").filter(dossier__isnull=True).exists()
