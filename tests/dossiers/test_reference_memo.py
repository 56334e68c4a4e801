"""Reference rows kept in memory for the catalogue version (portal/catalogue/memo.py): read once,
never served after a save or delete of the row (any process: the version is in the shared cache),
read from the database every time when the shared cache does not answer."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.catalogue import cache as catalogue_cache
from portal.catalogue.models import ProcedureFee
from portal.catalogue.selectors import filing_procedure
from portal.units.selectors import area_by_code, unit_for_area

pytestmark = pytest.mark.django_db


def _queries(fn) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as seen:
        value = fn()
    return value, len(seen)


def test_an_area_and_its_unit_are_read_once_and_again_after_a_save(area, unit):
    assert _queries(lambda: area_by_code(area.code)) == (area, 1)
    assert _queries(lambda: area_by_code(area.code)) == (area, 0)
    assert _queries(lambda: unit_for_area(area)) == (unit, 1)
    assert _queries(lambda: unit_for_area(area)) == (unit, 0)
    area.name = "Phường Mới"
    area.save()
    unit.is_active = False
    unit.save()
    assert area_by_code(area.code).name == "Phường Mới"
    assert unit_for_area(area) is None  # the inactive unit no longer receives


def test_a_procedure_fee_change_is_seen_at_once(procedure):
    procedure.is_published = True
    procedure.save()
    kept, _ = _queries(lambda: filing_procedure(code=procedure.code))
    assert _queries(lambda: filing_procedure(code=procedure.code)) == (kept, 0)
    ProcedureFee.objects.create(
        procedure=procedure, channel="in_person", amount=15000, valid_from="2020-01-01"
    )
    fresh, count = _queries(lambda: filing_procedure(code=procedure.code))
    assert count == 2 and [f.amount for f in fresh.fees.all()] == [15000]


def test_without_the_shared_cache_every_lookup_reads_the_database(area, monkeypatch):
    monkeypatch.setattr(catalogue_cache, "catalogue_version", lambda: None)
    assert _queries(lambda: area_by_code(area.code)) == (area, 1)
    assert _queries(lambda: area_by_code(area.code)) == (area, 1)
