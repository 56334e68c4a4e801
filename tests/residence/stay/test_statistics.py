"""A recorded stay notice counts in the unit's statistics: received and returned on time."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.dossiers import services
from portal.statistics.services import compute_month
from tests.residence.stay.conftest import guest, local, notice

pytestmark = pytest.mark.django_db


def test_a_recorded_notice_is_received_and_returned_on_time(
    clock, citizen, stay_procedure, area, unit
):
    clock.set(local(2026, 12, 1, 23, 40))  # out of office hours: received 24/7 all the same
    draft = services.create_draft(
        citizen=citizen,
        procedure=stay_procedure,
        area=area,
        form_data=notice(
            guest("038095001111", name="Đỗ Minh Khang", arrives=local(2026, 12, 1, 23, 10))
        ),
    )
    services.submit(dossier=draft, actor=citizen)
    rows, _refusals = compute_month(dt.date(2026, 12, 1))
    stats = rows[unit.pk]
    assert stats["received"] == 1
    assert stats["completed"] == 1 and stats["returned"] == 1
    assert stats["on_time"] == 1 and stats["late"] == 0
