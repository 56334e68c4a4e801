"""A temporary residence expiring within 15 days → one reminder to its holder."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from notifications import events as ev
from notifications.models import Notification
from residence.models import TemporaryResidence
from residence.services.common import get_or_create_address
from residence.services.reminders import send_expiry_reminders
from residence.tasks import remind_expiring_temporary_task
from tests.residence.registry.conftest import add_person, person_of

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 10)


def temporary(person, area, *, expires_in: int, **extra) -> TemporaryResidence:
    return TemporaryResidence.objects.create(
        person=person,
        address=get_or_create_address(area=area, street="Số 7 đường Quang Trung"),
        registered_on=TODAY - dt.timedelta(days=300),
        expires_on=TODAY + dt.timedelta(days=expires_in),
        **extra,
    )


def reminders():
    return Notification.objects.filter(event=ev.TEMPORARY_RESIDENCE_EXPIRING)


def test_holder_is_reminded_once_by_sms_and_email(citizen, area, unit):
    residence = temporary(person_of(citizen), area, expires_in=12)
    assert send_expiry_reminders(today=TODAY) == 1
    rows = list(reminders().order_by("channel"))
    assert [(r.channel, r.user_id) for r in rows] == [("email", citizen.pk), ("sms", citizen.pk)]
    sms = rows[1]
    assert "Số 7 đường Quang Trung" in sms.body and "22/06/2026" in sms.body
    assert "còn 12 ngày" in rows[0].body and unit.name in rows[0].body
    residence.refresh_from_db()
    assert residence.reminder_sent_on == TODAY

    assert send_expiry_reminders(today=TODAY) == 0
    assert send_expiry_reminders(today=TODAY + dt.timedelta(days=3)) == 0
    assert reminders().count() == 2


def test_only_the_right_rows(citizen, other_citizen, area):
    temporary(person_of(citizen), area, expires_in=16)  # not yet within 15 days
    temporary(person_of(other_citizen), area, expires_in=5, ended_on=TODAY)  # ended
    temporary(add_person(8, "Hà Văn Tâm"), area, expires_in=-1)  # already expired
    nobody = temporary(add_person(9, "Lò Thị Nga", sex="F"), area, expires_in=3)  # no account
    assert send_expiry_reminders(today=TODAY) == 0
    assert not reminders().exists()
    nobody.refresh_from_db()
    assert nobody.reminder_sent_on is None  # left for when the holder has an account


def test_extended_residence_is_not_reminded_until_its_new_expiry(citizen, area):
    # Reminded 10 days before the old expiry, then extended by a year.
    residence = temporary(
        person_of(citizen), area, expires_in=365, extensions=1, reminder_sent_on=TODAY
    )
    assert send_expiry_reminders(today=TODAY + dt.timedelta(days=1)) == 0
    assert send_expiry_reminders(today=TODAY + dt.timedelta(days=355)) == 1
    residence.refresh_from_db()
    assert residence.reminder_sent_on == TODAY + dt.timedelta(days=355)


def test_daily_beat_task_is_scheduled_and_runs(citizen, area):
    from django.utils import timezone

    entry = settings.CELERY_BEAT_SCHEDULE["residence-remind-expiring-temporary"]
    assert entry["task"] == remind_expiring_temporary_task.name
    temporary(person_of(citizen), area, expires_in=0).__class__.objects.update(
        expires_on=timezone.localdate() + dt.timedelta(days=15)
    )
    assert remind_expiring_temporary_task() == 1
    assert remind_expiring_temporary_task() == 0


def test_no_reminder_while_an_extension_is_being_handled(citizen, area, make_dossier):
    from portal.catalogue.models import Procedure
    from portal.dossiers.models import Dossier
    from tests.dossiers.conftest import make_procedure

    temporary(person_of(citizen), area, expires_in=9)
    extension = Procedure.objects.filter(code="1.002755").first() or make_procedure(
        "1.002755", "Gia hạn tạm trú", deadline_days="1"
    )
    filed = make_dossier("submitted")
    Dossier.objects.filter(pk=filed.pk).update(procedure=extension)
    assert send_expiry_reminders(today=TODAY) == 0
    Dossier.objects.filter(pk=filed.pk).update(state="withdrawn")  # withdrawn: remind after all
    assert send_expiry_reminders(today=TODAY) == 1
