"""notify(): rows written in the caller's transaction, rendered content, placeholder checks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from notifications import events as ev
from notifications.models import Notification, OutboxSms, Status
from notifications.services import load_default_templates, notify
from notifications.templating import TemplateContextError

pytestmark = pytest.mark.django_db

RECEIVED = {
    "dossier_code": "G09.20-20260609-0001",
    "procedure_name": "Đăng ký tạm trú",
    "unit_name": "Công an phường Phan Đình Phùng",
    "appointment_date": dt.date(2026, 6, 12),
}


def test_one_row_per_channel_rendered_and_sent_after_commit(
    citizen, django_capture_on_commit_callbacks
):
    load_default_templates()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows = notify(event=ev.DOSSIER_RECEIVED, user=citizen, context=RECEIVED)
        assert {r.status for r in rows} == {Status.CREATED}  # nothing sent before commit
        assert OutboxSms.objects.count() == 0
    assert len(callbacks) == 1
    sms, email = sorted(Notification.objects.all(), key=lambda n: n.channel != "sms")
    assert sms.recipient == "+84912345678" and email.recipient == "huong@example.vn"
    assert "đã được Công an phường Phan Đình Phùng tiếp nhận" in sms.body
    assert "12/06/2026" in sms.body and sms.sms_encoding == "ucs2" and sms.sms_parts == 2
    assert email.subject == "Hồ sơ G09.20-20260609-0001 đã được tiếp nhận"
    assert "Kính gửi Nguyễn Thị Hương" in email.body
    assert "<p>Kính gửi Nguyễn Thị Hương" in email.html_body
    sms.refresh_from_db()
    email.refresh_from_db()
    assert sms.status == Status.DELIVERED and email.status == Status.DELIVERED
    assert OutboxSms.objects.get().body == sms.body
    assert sms.dossier_code == "G09.20-20260609-0001"


def test_rolled_back_event_leaves_no_notice(citizen, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(event=ev.DOSSIER_RECEIVED, user=citizen, context=RECEIVED)
        raise RuntimeError("the dossier transition failed")
    assert callbacks == []
    assert not Notification.objects.exists() and not OutboxSms.objects.exists()


def test_missing_context_value_is_an_error_at_the_source(citizen):
    context = dict(RECEIVED)
    del context["appointment_date"]
    with pytest.raises(TemplateContextError, match="appointment_date"):
        notify(event=ev.DOSSIER_RECEIVED, user=citizen, context=context)
    assert not Notification.objects.exists()


def test_channel_without_address_is_skipped(citizen):
    citizen.email = ""
    rows = notify(event=ev.DOSSIER_RECEIVED, user=citizen, context=RECEIVED)
    assert [r.channel for r in rows] == ["sms"]
    rows = notify(event=ev.DOSSIER_RECEIVED, email="x@example.vn", context=RECEIVED)
    assert [r.channel for r in rows] == ["email"]


def test_user_input_is_escaped_in_html_but_not_in_text(citizen):
    context = {
        **RECEIVED,
        "reason": "Ảnh <mờ> & thiếu",
        "legal_provision": "Khoản 2 Điều 20 Luật Cư trú",
    }
    rows = notify(event=ev.DOSSIER_REFUSED, user=citizen, context=context, channels=("email",))
    assert "Ảnh <mờ> & thiếu" in rows[0].body
    assert "Ảnh &lt;mờ&gt; &amp; thiếu" in rows[0].html_body
    assert "Khoản 2 Điều 20 Luật Cư trú" in rows[0].body


def test_supplement_items_listed(citizen):
    rows = notify(
        event=ev.SUPPLEMENT_REQUESTED,
        user=citizen,
        context={
            **RECEIVED,
            "reason": "Thiếu giấy tờ",
            "items": ["Hợp đồng thuê nhà", "Văn bản đồng ý của chủ hộ"],
            "deadline": dt.date(2026, 6, 20),
        },
    )
    sms, email = rows
    assert "Hợp đồng thuê nhà; Văn bản đồng ý của chủ hộ" in sms.body
    assert "- Hợp đồng thuê nhà\n- Văn bản đồng ý của chủ hộ" in email.body


def test_every_event_has_a_default_template_that_renders():
    created, _ = load_default_templates()
    assert created == len(__import__("notifications.defaults").defaults.DEFAULT_TEMPLATES)
    assert load_default_templates() == (0, 0)  # idempotent


def test_about_object_is_recorded(citizen):
    rows = notify(event=ev.DOSSIER_RECEIVED, user=citizen, context=RECEIVED, about=citizen)
    assert rows[0].about == citizen


def test_unknown_event_refused(citizen):
    with pytest.raises(ValueError):
        notify(event="nope", user=citizen, context={})


def test_email_attachments_reach_smtp(citizen, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            event=ev.RESULT_READY,
            user=citizen,
            context={**RECEIVED, "collection_method": "Nhận qua thư điện tử"},
            channels=("email",),
            attachments=(("ket-qua.pdf", b"%PDF-1.7 test", "application/pdf"),),
        )
    ((rcpt, message),) = smtp_server.messages
    assert rcpt == ["huong@example.vn"]
    assert message["Subject"].strip() == "Đã có kết quả hồ sơ G09.20-20260609-0001"
    parts = {part.get_content_type(): part for part in message.walk()}
    assert "Nhận qua thư điện tử" in parts["text/plain"].get_content()
    assert "Nhận qua thư điện tử" in parts["text/html"].get_content()
    assert parts["application/pdf"].get_filename() == "ket-qua.pdf"
    assert parts["application/pdf"].get_content() == b"%PDF-1.7 test"
    assert Notification.objects.get().status == Status.DELIVERED


def test_items_as_joined_string_and_empty_deadline_read_well(citizen):
    sms, email = notify(
        event=ev.SUPPLEMENT_REQUESTED,
        user=citizen,
        context={
            **RECEIVED,
            "reason": "Thiếu giấy tờ",
            "items": "Hợp đồng thuê nhà: bị mờ; Giấy đồng ý của chủ hộ: thiếu",
            "deadline": "",
        },
    )
    assert "- Hợp đồng thuê nhà: bị mờ\n- Giấy đồng ý của chủ hộ: thiếu" in email.body
    assert "Hạn" not in sms.body and "Hạn bổ sung" not in email.body
    (row,) = notify(
        event=ev.DOSSIER_SUBMITTED,
        user=citizen,
        context={**RECEIVED, "submitted_at": dt.datetime(2026, 6, 9, 2, 5, tzinfo=dt.UTC)},
        channels=("email",),
    )
    assert "09:05 09/06/2026" in row.body  # shown in Vietnam time
