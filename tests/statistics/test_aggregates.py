"""The aggregate tables against a hand-computed month (tests/statistics/conftest.py `scenario`),
the refresh task's idempotence and the rebuild command."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from portal.accounts.models import User
from portal.statistics import selectors, services
from portal.statistics.models import RefusalMonthStats, UnitMonthStats
from portal.units.models import PoliceUnit
from tests.statistics.conftest import HCM

JUNE = dt.date(2026, 6, 1)
MAY = dt.date(2026, 5, 1)

pytestmark = pytest.mark.django_db


def _row(unit, month=JUNE) -> UnitMonthStats:
    return UnitMonthStats.objects.get(unit=unit, month=month)


def test_june_figures_match_the_hand_computation(scenario, unit, other_unit, refusal_reason):
    services.refresh_month(month=JUNE)

    a = _row(unit)
    assert (a.received, a.received_online, a.received_full_online) == (6, 6, 0)
    assert (a.completed, a.returned, a.refused, a.stopped, a.withdrawn) == (4, 3, 1, 0, 1)
    assert (a.on_time, a.late) == (3, 1)
    # 4 h + 15 h + 2 h + 5 h of office time, in days of 7 h 30 (each rounded to 0.001)
    assert a.processing_count == 4
    assert a.processing_days_total == Decimal("0.533") + Decimal("2.000") + Decimal(
        "0.267"
    ) + Decimal("0.667")
    assert a.supplement_requests == 1

    b = _row(other_unit)
    assert (b.received, b.completed, b.stopped, b.refused, b.on_time, b.late) == (1, 2, 1, 1, 2, 0)
    assert b.processing_days_total == Decimal("0.667") + Decimal("0.200")

    refusals = {
        (r.unit_id, r.reason_id): r.count for r in RefusalMonthStats.objects.filter(month=JUNE)
    }
    assert refusals == {(unit.pk, refusal_reason.pk): 1, (other_unit.pk, None): 1}

    units = PoliceUnit.objects.filter(pk=unit.pk)
    (only,), total = selectors.unit_figures(units=units, first=JUNE, last=JUNE)
    assert only.figures.on_time_rate == Decimal("75.0")
    assert only.figures.online_share == Decimal("100.0")
    assert only.figures.average_processing_days == Decimal("0.87")  # 3.467 / 4
    assert only.figures.supplements_per_dossier == Decimal("0.25")
    assert only.figures.rating_average is None  # no rating yet


def test_a_dossier_counts_in_the_month_it_arrived(scenario, other_unit):
    """D8 was filed on Sunday 31 May (legally received Monday 1 June 07:30): a May arrival."""
    services.refresh_month(month=MAY)
    services.refresh_month(month=JUNE)
    assert _row(other_unit, MAY).received == 1
    assert _row(other_unit, MAY).completed == 0
    assert _row(other_unit, JUNE).received == 1  # D7 only


def test_refresh_is_idempotent_and_follows_new_history(scenario, unit, other_unit, clock):
    services.refresh_month(month=JUNE)
    first = list(UnitMonthStats.objects.filter(month=JUNE).order_by("unit").values())
    refusals = list(RefusalMonthStats.objects.filter(month=JUNE).values("unit", "reason", "count"))
    services.refresh_month(month=JUNE)
    again = list(UnitMonthStats.objects.filter(month=JUNE).order_by("unit").values())
    strip = [{k: v for k, v in r.items() if k not in ("refreshed_at", "id")} for r in first]
    assert [{k: v for k, v in r.items() if k not in ("refreshed_at", "id")} for r in again] == strip
    assert UnitMonthStats.objects.filter(month=JUNE).count() == 2
    assert (
        list(RefusalMonthStats.objects.filter(month=JUNE).values("unit", "reason", "count"))
        == refusals
    )

    # New history in the month shows up at the next refresh: D5 (filed Fri 5 June 09:00, due
    # Mon 8 June 09:00) is approved Mon 10:00 and returned: one more completion, late.
    from portal.dossiers import services as engine

    d5 = scenario["D5"]
    officers = {
        u.username: u for u in User.objects.filter(username__in=["xuly", "lanhdao", "tiepnhan"])
    }
    clock.set(dt.datetime(2026, 6, 8, 9, 30, tzinfo=HCM))
    engine.start_processing(dossier=d5, actor=officers["xuly"])
    clock.set(dt.datetime(2026, 6, 8, 10, 0, tzinfo=HCM))
    engine.approve(dossier=d5, actor=officers["lanhdao"])
    engine.return_result(dossier=d5, actor=officers["tiepnhan"], method="in_person", details={})
    services.refresh_month(month=JUNE)
    row = _row(unit)
    assert (row.completed, row.returned, row.on_time, row.late) == (5, 4, 3, 2)
    assert UnitMonthStats.objects.filter(month=JUNE).count() == 2


def test_beat_task_refreshes_the_current_and_previous_month(
    settings, make_dossier, unit, django_capture_on_commit_callbacks
):
    from portal.statistics.tasks import refresh_recent_task

    assert (
        settings.CELERY_BEAT_SCHEDULE["statistics-refresh"]["task"] == "statistics.refresh_recent"
    )
    make_dossier("submitted")  # now, at the real time
    this = services.current_month()
    previous = services.month_start(this - dt.timedelta(days=1))
    done = refresh_recent_task.apply().get()
    assert done == [f"{previous:%Y-%m}", f"{this:%Y-%m}"]
    assert _row(unit, this).received == 1
    refresh_recent_task.apply().get()  # a duplicate run changes nothing
    assert UnitMonthStats.objects.filter(unit=unit, month=this).count() == 1
    assert _row(unit, this).received == 1


def test_rebuild_command_covers_a_range(scenario, unit, other_unit, capsys):
    call_command("rebuild_statistics", "--from", "2026-05", "--to", "2026-07")
    assert "2026-05, 2026-06, 2026-07" in capsys.readouterr().out
    assert _row(other_unit, MAY).received == 1
    assert _row(unit).received == 6
    assert not UnitMonthStats.objects.filter(month=dt.date(2026, 7, 1)).exists()


def test_rebuild_command_refuses_a_bad_month():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("rebuild_statistics", "--from", "2026-13")


def test_stopped_while_waiting_for_the_citizen_is_not_late(
    clock, file_dossier, area, unit, receiving_officer, unit_leader
):
    """The clock is paused during a supplement request: a stop days after the original due moment
    is on time, and only the hour before the request counts as processing time."""
    from portal.dossiers import services as engine

    dossier = file_dossier(dt.datetime(2026, 6, 1, 9, tzinfo=HCM), area=area)  # due Tue 09:00
    clock.set(dt.datetime(2026, 6, 1, 9, 30, tzinfo=HCM))
    engine.receive(dossier=dossier, actor=receiving_officer)
    clock.set(dt.datetime(2026, 6, 1, 10, 0, tzinfo=HCM))
    engine.request_supplement(
        dossier=dossier,
        actor=receiving_officer,
        items=[{"document": "Tờ khai CT01", "problem": "Ảnh mờ"}],
        guidance="Chụp lại tờ khai rõ nét.",
    )
    clock.set(dt.datetime(2026, 6, 5, 10, 0, tzinfo=HCM))
    engine.stop(
        dossier=dossier, actor=unit_leader, reason="Quá thời hạn bổ sung, công dân không bổ sung"
    )
    services.refresh_month(month=JUNE)
    row = _row(unit)
    assert (row.completed, row.stopped, row.on_time, row.late) == (1, 1, 1, 0)
    assert row.processing_days_total == Decimal("0.133")  # 1 h of 7 h 30
    assert row.supplement_requests == 1
