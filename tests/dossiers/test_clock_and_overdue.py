"""What the citizen is told about time (issue 14): a pending supplement shows a PAUSED clock and
what is expected, not a due date as if the clock ran; a dossier that passes its due moment tells
the citizen too (once), before the leader's apology."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from portal.dossiers.models import Dossier

pytestmark = pytest.mark.django_db


# --- 5. a pending supplement shows a paused clock and what is expected ------------------------


def test_paused_clock_is_shown_with_what_is_expected(make_dossier, citizen):
    dossier = make_dossier("supplement_requested")
    assert dossier.due_at is not None  # kept for the staff; not a promise while paused
    due_label = timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y")
    client = Client()
    client.force_login(citizen)
    page = client.get(reverse("dossiers:detail", kwargs={"code": dossier.code})).content.decode()
    hen_tra = page.split('id="hen-tra"', 1)[1].split("</dd>", 1)[0]
    assert "Tạm dừng tính thời hạn" in hen_tra
    assert "Tờ khai CT01" in hen_tra
    assert due_label not in hen_tra
    listing = client.get(reverse("dossiers:list")).content.decode()
    assert "Tạm dừng tính thời hạn" in listing
    assert due_label not in listing
    body = client.get(f"/api/v1/dossiers/{dossier.code}/").json()
    assert body["clock_paused"] is True
    assert [i["document"] for i in body["supplement_request"]["items"]] == ["Tờ khai CT01"]
    rows = client.get("/api/v1/dossiers/").json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert rows[0]["clock_paused"] is True


def test_running_clock_shows_the_due_date(make_dossier, citizen):
    dossier = make_dossier("received")
    client = Client()
    client.force_login(citizen)
    page = client.get(reverse("dossiers:detail", kwargs={"code": dossier.code})).content.decode()
    hen_tra = page.split('id="hen-tra"', 1)[1].split("</dd>", 1)[0]
    assert timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y") in hen_tra
    assert client.get(f"/api/v1/dossiers/{dossier.code}/").json()["clock_paused"] is False


# --- 6. an overdue dossier tells the citizen, once ---------------------------------------------


def test_overdue_dossier_notifies_the_citizen_once(make_dossier, settings):
    from portal.dossiers.tasks import notify_overdue_task

    late = make_dossier("processing")
    on_time = make_dossier("received")
    paused = make_dossier("supplement_requested")
    past = timezone.now() - dt.timedelta(hours=2)
    Dossier.objects.filter(pk__in=[late.pk, paused.pk]).update(due_at=past)
    assert notify_overdue_task.apply().get() == 1
    assert notify_overdue_task.apply().get() == 0  # once per dossier
    notes = Notification.objects.filter(event="dossier_overdue")
    assert {n.dossier_code for n in notes} == {late.code}
    assert {n.channel for n in notes} == {"sms", "email"}
    sms = notes.get(channel="sms")
    assert late.code in sms.body and "quá hạn" in sms.body
    assert timezone.localtime(past).strftime("%H:%M %d/%m/%Y") in sms.body
    client = Client()
    client.force_login(late.citizen)
    history = client.get(f"/api/v1/dossiers/{late.code}/").json()["history"]
    assert [e["action"] for e in history].count("overdue_notice") == 1
    assert not Notification.objects.filter(
        event="dossier_overdue", dossier_code__in=[on_time.code, paused.code]
    ).exists()
    schedule = {v["task"] for v in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "dossiers.notify_overdue" in schedule
