"""Two approvals of temporary registrations for one person at the same moment, on PostgreSQL with
one connection per thread: exactly one succeeds, the other is refused with a Vietnamese Conflict,
and the registry holds one open temporary residence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from portal.core.errors import Conflict
from portal.dossiers import services
from portal.dossiers.models import Dossier, State
from residence.models import RegistryChange, TemporaryResidence
from tests.concurrency import run_at_once
from tests.conftest import require_service
from tests.residence.temporary.conftest import file_dossier

pytestmark = pytest.mark.django_db(transaction=True)


def form(street: str) -> dict:
    today = timezone.localdate()
    return {
        "street": street,
        "date_from": (today + dt.timedelta(days=1)).isoformat(),
        "date_to": (today + dt.timedelta(days=200)).isoformat(),
        "basis": "own",
    }


def test_two_concurrent_registrations_of_one_person_only_one_wins(
    citizen,
    person,
    registration_procedure,
    area,
    other_area,
    unit,
    other_unit,
    officers,
    to_processing,
):
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    here = to_processing(
        file_dossier(
            citizen=citizen, procedure=registration_procedure, area=area, form=form("Số 1 ngõ 1")
        )
    )
    there = to_processing(
        file_dossier(
            citizen=citizen,
            procedure=registration_procedure,
            area=other_area,
            form=form("Số 2 ngõ 2"),
        )
    )

    def approving(dossier):
        leader = officers(dossier)[2]

        def go():
            return services.approve(dossier=Dossier.objects.get(pk=dossier.pk), actor=leader).pk

        return go

    results = run_at_once([approving(here), approving(there)])
    oks = [value for kind, value in results if kind == "ok"]
    errors = [value for kind, value in results if kind == "error"]
    assert len(oks) == 1, results
    assert len(errors) == 1 and isinstance(errors[0], Conflict), results
    assert errors[0].code == "registry_changed"
    assert "đã thay đổi sau khi nộp hồ sơ" in errors[0].message

    winner, loser = (here, there) if oks[0] == here.pk else (there, here)
    open_ = TemporaryResidence.objects.get(person=person, ended_on__isnull=True)
    assert open_.dossier_id == winner.pk
    assert TemporaryResidence.objects.filter(person=person).count() == 1
    assert Dossier.objects.get(pk=winner.pk).state == State.APPROVED
    assert Dossier.objects.get(pk=loser.pk).state == State.PROCESSING
    assert not RegistryChange.objects.filter(dossier_id=loser.pk).exists()
