"""Morning staff digest: per unit due today / tomorrow / overdue; supervisors their subtree."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from notifications import events as ev
from notifications.digest import send_digests
from notifications.models import Notification
from portal.accounts.models import Role, StaffRole
from portal.catalogue.models import Procedure
from portal.dossiers.models import Dossier, State
from portal.units.models import PoliceUnit

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(dt.datetime(2026, 6, 9, 7, 0))


@pytest.fixture
def world(django_user_model, citizen):
    province = PoliceUnit.objects.create(
        code="G19", name="Công an tỉnh Thái Nguyên", level="province"
    )
    ward_a = PoliceUnit.objects.create(
        code="G19.55", name="Công an phường A", level="commune", parent=province
    )
    ward_b = PoliceUnit.objects.create(
        code="G19.56", name="Công an phường B", level="commune", parent=province
    )
    proc = Procedure.objects.create(
        code="1.003677",
        name_vi="Khai báo tạm vắng",
        field="residence",
        level=3,
        deadline_days=Decimal("1"),
        handling_level="commune",
        result_methods=["in_person"],
    )

    def staff(name, unit, role, email=True):
        user = django_user_model.objects.create_user(
            username=name,
            password="x",
            kind="staff",
            unit=unit,
            email=f"{name}@ca.gov.vn" if email else "",
        )
        StaffRole.objects.create(user=user, role=role)
        return user

    people = {
        "officer_a": staff("canbo.a", ward_a, Role.HANDLING_OFFICER),
        "officer_b": staff("canbo.b", ward_b, Role.RECEIVING_OFFICER),
        "supervisor": staff("giamsat", province, Role.SUPERVISOR),
    }
    seq = iter(range(1, 100))

    def dossier(unit, due, state=State.PROCESSING):
        d = Dossier.objects.create(
            code=f"{unit.code}-20260609-{next(seq):04d}", citizen=citizen, procedure=proc, unit=unit
        )
        Dossier.objects.filter(pk=d.pk).update(state=state, due_at=due)
        return d

    dossier(ward_a, NOW - dt.timedelta(days=1))  # overdue
    dossier(ward_a, NOW + dt.timedelta(hours=8))  # due today
    dossier(ward_a, NOW + dt.timedelta(days=1))  # due tomorrow
    dossier(ward_a, NOW + dt.timedelta(days=5))  # later: not listed
    dossier(ward_a, NOW - dt.timedelta(days=3), state=State.SUPPLEMENT_REQUESTED)  # clock paused
    dossier(ward_b, NOW - dt.timedelta(hours=2))  # overdue
    dossier(ward_b, NOW - dt.timedelta(days=2), state=State.RESULT_RETURNED)  # finished
    return people


def test_digest_per_unit_and_supervisor(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        assert send_digests(now=NOW) == 3
    a = Notification.objects.get(user=world["officer_a"], event=ev.STAFF_DIGEST)
    assert a.channel == "email" and a.subject.startswith("[Công an phường A]")
    overdue, today, tomorrow = (
        a.body.split("Quá hạn (1):")[1],
        a.body.split("Đến hạn hôm nay (1):")[1],
        a.body.split("Đến hạn ngày mai (1):")[1],
    )
    assert "G19.55-20260609-0001" in overdue.split("Đến hạn hôm nay")[0]
    assert "G19.55-20260609-0002" in today.split("Đến hạn ngày mai")[0]
    assert "G19.55-20260609-0003" in tomorrow
    assert "0004" not in a.body and "0005" not in a.body
    b = Notification.objects.get(user=world["officer_b"], event=ev.STAFF_DIGEST)
    assert "Quá hạn (1)" in b.body and "G19.56-20260609-0006" in b.body and "0007" not in b.body
    sup = Notification.objects.get(user=world["supervisor"], event=ev.SUPERVISOR_DIGEST)
    assert "2 hồ sơ quá hạn" in sup.subject
    assert "- Công an phường A: 1" in sup.body and "- Công an phường B: 1" in sup.body


def test_digest_runs_once_a_day(world):
    assert send_digests(now=NOW) == 3
    assert send_digests(now=NOW + dt.timedelta(hours=1)) == 0


def test_beat_schedules_the_morning_digest_the_sweeper_and_the_purge(settings):
    from portal.celery import app

    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    by_task = {entry["task"]: entry["schedule"] for entry in schedule.values()}
    assert set(by_task) >= {
        "notifications.staff_digest",
        "notifications.sweep",
        "notifications.purge",
    }
    digest = by_task["notifications.staff_digest"]
    assert digest.hour == {settings.NOTIFICATIONS_DIGEST_HOUR} and digest.minute == {0}
    assert digest.day_of_week == set(range(7))  # every morning
    assert by_task["notifications.sweep"] <= 60  # a stuck notice waits a minute at most
    for name in by_task:
        if name.startswith("notifications."):
            assert name in app.tasks, name
