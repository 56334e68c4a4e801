"""Double booking under concurrency (PostgreSQL, one connection per thread): a slot never holds
more appointments than its capacity, and a dossier never holds two appointments."""

from __future__ import annotations

import pytest
from django.db import connection

from portal.booking import services
from portal.booking.models import ACTIVE_STATES, Appointment, SlotPolicy
from portal.core.errors import Conflict
from portal.dossiers.models import Dossier
from tests.booking.conftest import at
from tests.concurrency import run_at_once
from tests.conftest import require_service

pytestmark = pytest.mark.django_db(transaction=True)

SLOT = at(2027, 3, 2, 7, 30)


def _book(dossier_pk: int):
    def go():
        dossier = Dossier.objects.select_related("citizen").get(pk=dossier_pk)
        return services.book(citizen=dossier.citizen, dossier=dossier, starts_at=SLOT).seat_no

    return go


def test_concurrent_bookings_never_exceed_the_capacity(clock, unit, visit_plugin, make_dossier):
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    SlotPolicy.objects.create(unit=unit, slot_minutes=30, capacity=2)
    dossiers = [make_dossier("submitted") for _ in range(6)]

    results = run_at_once([_book(d.pk) for d in dossiers])

    oks = [r[1] for r in results if r[0] == "ok"]
    errors = [r[1] for r in results if r[0] == "error"]
    assert sorted(oks) == [1, 2], results
    assert len(errors) == 4 and all(isinstance(e, services.SlotFull) for e in errors), results
    assert all(e.status == 409 for e in errors)
    held = Appointment.objects.filter(unit=unit, starts_at=SLOT, state__in=ACTIVE_STATES)
    assert held.count() == 2
    assert services.free_slots(unit=unit, include_full=True)[0].free == 0


def test_one_dossier_booked_twice_at_once_gets_one_appointment(
    clock, unit, visit_plugin, make_dossier
):
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    dossier = make_dossier("submitted")

    def book_at(moment):
        def go():
            fresh = Dossier.objects.select_related("citizen").get(pk=dossier.pk)
            return services.book(citizen=fresh.citizen, dossier=fresh, starts_at=moment).pk

        return go

    results = run_at_once([book_at(SLOT), book_at(at(2027, 3, 2, 8, 0))])

    oks = [r for r in results if r[0] == "ok"]
    errors = [r[1] for r in results if r[0] == "error"]
    assert len(oks) == 1, results
    assert len(errors) == 1 and isinstance(errors[0], Conflict), results
    assert errors[0].code == "already_booked"
    assert Appointment.objects.filter(dossier=dossier, state__in=ACTIVE_STATES).count() == 1


def test_the_database_refuses_a_second_holder_of_a_seat(clock, unit, visit_plugin, make_dossier):
    """Even code that skipped the services could not double-book: the constraint holds."""
    from django.db import IntegrityError

    require_service(connection.vendor == "postgresql", "PostgreSQL")
    first = make_dossier("submitted")
    second = make_dossier("submitted")
    services.book(citizen=first.citizen, dossier=first, starts_at=SLOT)
    with pytest.raises(IntegrityError):
        Appointment.objects.create(
            unit=unit,
            dossier=second,
            citizen=second.citizen,
            starts_at=SLOT,
            ends_at=at(2027, 3, 2, 8, 0),
            seat_no=1,
        )
