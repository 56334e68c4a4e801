"""The complaint and satisfaction columns, wired to portal.complaints through its statistics
interface, against real complaints and ratings made through its services."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from portal.statistics import services
from portal.statistics.models import UnitMonthStats
from tests.statistics.conftest import HCM

JUNE = dt.date(2026, 6, 1)
DESCRIPTION = "Hồ sơ của tôi bị trả lại dù đã nộp đủ giấy tờ theo hướng dẫn của đơn vị."

pytestmark = pytest.mark.django_db


def test_complaint_columns_come_from_real_complaints(
    monkeypatch, citizen, other_citizen, supervisor, receiving_officer, unit_leader, unit
):
    from portal.complaints import services as complaints

    now = {"at": dt.datetime(2026, 6, 2, 9, tzinfo=HCM)}
    monkeypatch.setattr(complaints, "_now", lambda: now["at"])

    def at(day, hour):
        now["at"] = dt.datetime(2026, 6, day, hour, tzinfo=HCM)

    at(2, 9)
    first = complaints.file_complaint(
        actor=citizen, category="other", description=DESCRIPTION, unit=unit, dossier=None
    )
    at(2, 10)
    first = complaints.direct(
        complaint=first,
        actor=supervisor,
        instruction="Liên hệ ngay với công dân và giải quyết dứt điểm.",
    )
    at(2, 14)
    first = complaints.contact(
        complaint=first,
        actor=receiving_officer,
        contacted_at=dt.datetime(2026, 6, 2, 13, tzinfo=HCM),
        channel="phone",
        summary="Đã gọi điện cho công dân, hẹn tiếp nhận lại hồ sơ trong ngày.",
    )
    at(3, 9)
    complaints.resolve(
        complaint=first,
        actor=unit_leader,
        resolution="Đã tiếp nhận lại hồ sơ và giải quyết đúng hạn.",
        corrective_action="Nhắc nhở cán bộ tiếp nhận, rà soát quy trình.",
    )
    at(4, 9)
    complaints.file_complaint(
        actor=other_citizen, category="other", description=DESCRIPTION, unit=unit, dossier=None
    )

    services.refresh_month(month=JUNE)
    row = UnitMonthStats.objects.get(unit=unit, month=JUNE)
    assert (row.complaints_received, row.complaints_resolved) == (2, 1)
    assert (row.complaints_open, row.complaints_repeated) == (2, 0)  # resolved is not closed yet

    body = APIClient().get("/api/v1/statistics/units/", {"month": "2026-06"}).json()
    ours = next(r for r in body["results"] if r["unit_code"] == unit.code)
    assert (ours["complaints_received"], ours["complaints_resolved"]) == (2, 1)


def test_satisfaction_columns_come_from_real_ratings(make_dossier, citizen, unit):
    from portal.complaints import services as complaints

    good, bad = make_dossier("result_returned"), make_dossier("result_returned")
    complaints.rate_dossier(dossier=good, actor=citizen, score=5, comment="Nhanh, rõ ràng.")
    complaints.rate_dossier(dossier=bad, actor=citizen, score=1, comment="Phải đi lại nhiều lần.")
    this = services.current_month()
    services.refresh_month(month=this)
    row = UnitMonthStats.objects.get(unit=unit, month=this)
    assert (row.rating_count, row.rating_low) == (2, 1)
    body = APIClient().get("/api/v1/statistics/units/", {"month": f"{this:%Y-%m}"}).json()
    ours = next(r for r in body["results"] if r["unit_code"] == unit.code)
    assert (ours["satisfaction_average"], ours["satisfaction_count"]) == (3.0, 2)


def test_open_and_overdue_complaints_over_a_period_are_the_last_months_not_a_sum(unit):
    from portal.statistics import selectors
    from portal.units.models import PoliceUnit

    UnitMonthStats.objects.create(
        unit=unit,
        month=dt.date(2026, 5, 1),
        complaints_received=2,
        complaints_open=2,
        complaints_overdue=1,
    )
    UnitMonthStats.objects.create(
        unit=unit, month=JUNE, complaints_received=1, complaints_open=3, complaints_overdue=0
    )
    (row,), total = selectors.unit_figures(
        units=PoliceUnit.objects.filter(pk=unit.pk), first=dt.date(2026, 5, 1), last=JUNE
    )
    f = row.figures
    assert (f.complaints_received, f.complaints_open, f.complaints_overdue) == (3, 3, 0)
    assert total.complaints_open == 3
