"""Every dossier event of the issue reaches the citizen by SMS and email, written in the same
transaction as the change (driven through the dossier engine's and back office's own services)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import Notification, OutboxSms, Status
from tests.dossiers.conftest import *  # noqa: F403 - units, staff, procedures, make_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def build(make_dossier, django_capture_on_commit_callbacks):
    """make_dossier with the after-commit hand-over to (eager) Celery actually run."""

    def _build(state):
        with django_capture_on_commit_callbacks(execute=True):
            return make_dossier(state)

    return _build


def _notices(dossier, event):
    rows = Notification.objects.filter(dossier_code=dossier.code, event=event)
    return {row.channel: row for row in rows}


def _assert_both_channels(dossier, event, *fragments):
    notices = _notices(dossier, event)
    assert set(notices) == {"sms", "email"}, f"{event}: {sorted(notices)}"
    sms, email = notices["sms"], notices["email"]
    assert sms.recipient == "+84912345678" and email.recipient == "an@example.test"
    assert sms.user == dossier.citizen and sms.object_id == str(dossier.pk)
    for fragment in fragments:
        assert fragment in sms.body, (event, fragment, sms.body)
        assert fragment in email.body, (event, fragment, email.body)
    assert sms.status == Status.DELIVERED  # eager Celery, local outbox
    assert OutboxSms.objects.filter(reference=str(sms.reference)).exists()
    return sms, email


def test_submitted_and_received_with_the_appointment_date(build):
    dossier = build("received")
    _assert_both_channels(dossier, "dossier_submitted", dossier.code)
    dossier.refresh_from_db()
    appointment = timezone.localtime(dossier.due_at).strftime("%d/%m/%Y")
    _assert_both_channels(dossier, "dossier_received", dossier.code, appointment)


def test_supplement_request_lists_the_items(build):
    dossier = build("supplement_requested")
    _sms, email = _assert_both_channels(
        dossier, "supplement_requested", "Tờ khai CT01", "Thiếu chữ ký", "Ký và tải lại tờ khai."
    )
    assert "- Tờ khai CT01: Thiếu chữ ký" in email.body


def test_refusal_gives_the_reason_and_the_provision(build):
    dossier = build("refused")
    _assert_both_channels(
        dossier, "dossier_refused", "Không thuộc thẩm quyền", "Khoản 1 Điều 31 Luật Cư trú 2020"
    )


def test_approval_says_how_to_collect_and_return_is_notified(build):
    dossier = build("result_returned")
    _assert_both_channels(dossier, "dossier_approved", "Nhận trực tiếp tại cơ quan")
    _assert_both_channels(dossier, "result_returned", dossier.code)
    events = list(
        Notification.objects.filter(dossier_code=dossier.code, channel="sms")
        .order_by("created_at", "id")
        .values_list("event", flat=True)
    )
    assert events == [
        "dossier_submitted",
        "dossier_received",
        "dossier_approved",
        "result_returned",
    ]


def test_citizen_sees_the_dossier_notices_in_the_api(build, client):
    dossier = build("received")
    client.force_login(dossier.citizen)
    data = client.get("/api/v1/notifications/", {"dossier_code": dossier.code}).json()
    rows = data["results"] if isinstance(data, dict) else data
    assert {(r["event"], r["channel"]) for r in rows} == {
        ("dossier_submitted", "sms"),
        ("dossier_submitted", "email"),
        ("dossier_received", "sms"),
        ("dossier_received", "email"),
    }


def test_rolled_back_transition_leaves_no_notice(build, receiving_officer):
    from django.db import transaction

    from portal.dossiers import services

    dossier = build("submitted")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.receive(dossier=dossier, actor=receiving_officer)
        assert _notices(dossier, "dossier_received")  # written with the change...
        raise RuntimeError("the rest of the request failed")
    dossier.refresh_from_db()
    assert dossier.state == "submitted"
    assert not _notices(dossier, "dossier_received")  # ...and gone with it


def test_leader_apology_tells_the_citizen_the_new_date(
    build, unit_leader, django_capture_on_commit_callbacks
):
    from portal.backoffice import services

    dossier = build("processing")
    dossier.refresh_from_db()
    new_due = dossier.due_at + dt.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_apology(
            dossier=dossier,
            actor=unit_leader,
            new_due_at=new_due,
            reason="Chờ kết quả xác minh nơi ở từ Công an tỉnh bạn.",
        )
    _assert_both_channels(
        dossier,
        "dossier_delayed",
        timezone.localtime(new_due).strftime("%d/%m/%Y"),
        "Chờ kết quả xác minh nơi ở",
    )
