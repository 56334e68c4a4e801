"""Two contradicting permanent registrations of one person approved at once (PostgreSQL, two
threads, two connections): exactly one succeeds, the other gets a Conflict, and the registry
holds one current permanent residence."""

from __future__ import annotations

import pytest
from django.db import connection

from portal.core.errors import Conflict
from portal.dossiers import services
from portal.dossiers.models import Dossier
from residence.models import HouseholdMember, PermanentResidence, RegistryChange
from tests.concurrency import run_at_once
from tests.conftest import require_service
from tests.residence.permanent.conftest import make_person, settle
from tests.residence.permanent.test_registration import form

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("in_registry", [True, False], ids=["known-person", "new-person"])
def test_two_registrations_of_one_person_approved_at_once(
    in_registry, citizen, procedures, area, other_area, file, decide, leader_of
):
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    if in_registry:
        person = make_person(citizen.personal_id, citizen.full_name, citizen.date_of_birth)
        settle(person, area=area, street="Tổ 1")
    code = "1.004222"
    here = decide(file(citizen, procedures[code], form(citizen), area=area), approve=False)
    there = decide(
        file(citizen, procedures[code], form(citizen, street="Số 8 phố Xa"), area=other_area),
        approve=False,
    )

    def approve(dossier):
        def go():
            fresh = Dossier.objects.get(pk=dossier.pk)
            return services.approve(dossier=fresh, actor=leader_of(fresh)[2]).state

        return go

    results = run_at_once([approve(here), approve(there)])
    oks = [r for r in results if r[0] == "ok"]
    errors = [r[1] for r in results if r[0] == "error"]
    assert len(oks) == 1, results
    assert len(errors) == 1 and isinstance(errors[0], Conflict), results
    assert errors[0].status == 409 and errors[0].code == "registry_conflict"
    assert "hồ sơ khác" in errors[0].message

    current = PermanentResidence.objects.filter(
        person__personal_id=citizen.personal_id, ended_on__isnull=True
    )
    assert current.count() == 1
    winner = Dossier.objects.get(pk=current.get().dossier_id)
    loser = here if winner.pk == there.pk else there
    assert winner.state == "approved"
    assert Dossier.objects.get(pk=loser.pk).state == "processing"  # rolled back, still to decide
    assert not RegistryChange.objects.filter(dossier_id=loser.pk).exists()
    assert (
        HouseholdMember.objects.filter(
            person__personal_id=citizen.personal_id, left_on__isnull=True
        ).count()
        == 1
    )


def test_two_people_founding_households_at_once_both_get_a_number(
    citizen, other_citizen, procedures, area, file, decide, leader_of
):
    """Not a contradiction: two different people each heading a new household, approved at
    once, both succeed with distinct household numbers."""
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    code = "1.004222"
    dossiers = [
        decide(file(citizen, procedures[code], form(citizen), area=area), approve=False),
        decide(
            file(
                other_citizen,
                procedures[code],
                form(other_citizen, sex="F", street="Số 20 phố Mới"),
                area=area,
            ),
            approve=False,
        ),
    ]

    def approve(dossier):
        def go():
            fresh = Dossier.objects.get(pk=dossier.pk)
            return services.approve(dossier=fresh, actor=leader_of(fresh)[2]).state

        return go

    results = run_at_once([approve(d) for d in dossiers])
    assert results == [("ok", "approved"), ("ok", "approved")], results
    numbers = set(
        PermanentResidence.objects.filter(dossier_id__in=[d.pk for d in dossiers]).values_list(
            "household__number", flat=True
        )
    )
    assert len(numbers) == 2
