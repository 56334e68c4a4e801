"""Refreshes of the same month at once (a duplicated beat run, a rebuild during the task) on
PostgreSQL with real connections: the result is the same as one refresh."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from portal.statistics import services
from portal.statistics.models import RefusalMonthStats, UnitMonthStats
from tests.concurrency import run_at_once
from tests.conftest import require_service

JUNE = dt.date(2026, 6, 1)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres():
    require_service(connection.vendor == "postgresql", "PostgreSQL")


def test_concurrent_refreshes_of_a_month_write_each_row_once(postgres, scenario, unit, other_unit):
    results = run_at_once([lambda: services.refresh_month(month=JUNE)] * 4)
    assert [r[0] for r in results] == ["ok"] * 4, results
    assert UnitMonthStats.objects.filter(month=JUNE).count() == 2
    refusals = sorted(RefusalMonthStats.objects.filter(month=JUNE).values_list("unit_id", "count"))
    assert refusals == sorted([(unit.pk, 1), (other_unit.pk, 1)])
