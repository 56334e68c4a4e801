"""Reminders: a card expiring within 30 days (which is when its holder reaches a renewal age)
is reminded once, through the notifications outbox; the daily task is idempotent."""

from __future__ import annotations

import datetime as dt

import pytest

from citizen_id.models import CardReminder, CardStatus
from citizen_id.services import expire_cards, issue_card, send_card_reminders
from notifications.models import Notification

pytestmark = pytest.mark.django_db

TODAY = dt.date(
    2030, 4, 17
)  # 30 days before the card fixture expires (17/05/2030: the holder turns 40)


def _reminders(citizen):
    return Notification.objects.filter(user=citizen, event="card_expiry_reminder")


def test_card_expiring_within_30_days_is_reminded_once(card, citizen):
    assert send_card_reminders(today=TODAY - dt.timedelta(days=1)) == 0  # 31 days before: not yet
    assert _reminders(citizen).count() == 0

    assert send_card_reminders(today=TODAY) == 1
    sms = _reminders(citizen).get(channel="sms")
    assert "17/05/2030" in sms.body and "40 tuổi" in sms.body and card.number in sms.body
    email = _reminders(citizen).get(channel="email")
    assert "Điều 21" in email.body
    assert CardReminder.objects.get(card=card).reason == CardReminder.Reason.RENEWAL_AGE

    # the next days (and a second run the same day) send nothing more
    assert send_card_reminders(today=TODAY) == 0
    assert send_card_reminders(today=TODAY + dt.timedelta(days=5)) == 0
    assert _reminders(citizen).count() == 2


def test_no_reminder_for_a_card_that_does_not_expire_or_is_no_longer_valid(holder, citizen, unit):
    # renewed within two years before 40: valid until 60 although the holder turns 40 soon
    renewed = issue_card(person=holder, issued_on=dt.date(2028, 6, 1), issuing_unit=unit)
    assert renewed.expires_on == dt.date(2050, 5, 17)
    assert send_card_reminders(today=TODAY) == 0
    assert _reminders(citizen).count() == 0


def test_a_lost_card_is_not_reminded(card, citizen):
    from citizen_id.services import report_lost

    report_lost(card=card, actor=citizen)
    assert send_card_reminders(today=TODAY) == 0


def test_daily_task_expires_cards_then_reminds(card, citizen, settings):
    from citizen_id.tasks import daily_cards_task

    assert expire_cards(today=dt.date(2030, 5, 16)) == 0
    assert expire_cards(today=dt.date(2030, 5, 17)) == 1
    card.refresh_from_db()
    assert card.status == CardStatus.EXPIRED
    assert list(card.history.values_list("to_status", flat=True)) == ["valid", "expired"]
    # the task runs both steps for today (nothing left to do here)
    assert daily_cards_task() == {"expired": 0, "reminded": 0}


def test_beat_runs_the_daily_task(settings):
    entries = [e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "citizen_id.daily_cards" in entries
