"""The complaint workflow through its services: routing, transitions by role, repeats,
escalation by the beat task, notifications at each step, reopening a refused dossier."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import Notification
from portal.complaints import services
from portal.complaints.models import Complaint, ComplaintEvent, ComplaintState, PhoneActor
from portal.core.errors import Conflict, PermissionDenied
from portal.dossiers.models import State
from tests.complaints.conftest import CORRECTIVE, INSTRUCTION, NOTE, RESOLUTION, SUMMARY
from tests.dossiers.conftest import make_staff

pytestmark = pytest.mark.django_db


# --- routing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("concerned", "handler"),
    [
        ("commune", "district"),
        ("district", "province"),
        ("province", "ministry"),
        ("ministry", "ministry"),  # the top supervises itself
    ],
)
def test_a_complaint_goes_to_the_level_above_at_every_depth(
    tree, file_complaint, concerned, handler
):
    complaint = file_complaint(unit=tree[concerned])
    assert complaint.unit == tree[concerned]
    assert complaint.handling_unit == tree[handler]
    assert complaint.state == ComplaintState.RECEIVED
    assert complaint.step_due_at > complaint.created_at
    event = complaint.events.get()
    assert (event.action, event.to_state, event.handling_unit_id) == (
        "file",
        "received",
        tree[handler].pk,
    )


def test_a_dossier_complaint_is_about_the_dossiers_unit(make_dossier, file_complaint, unit):
    dossier = make_dossier("refused")
    complaint = file_complaint(dossier=dossier)
    assert (complaint.unit, complaint.dossier) == (unit, dossier)
    assert complaint.handling_unit == unit.parent


def test_only_the_owner_complains_about_a_dossier(make_dossier, file_complaint, other_citizen):
    dossier = make_dossier("refused")
    with pytest.raises(PermissionDenied):
        file_complaint(actor=other_citizen, dossier=dossier)


def test_staff_cannot_file_and_vague_complaints_are_refused(file_complaint, receiving_officer):
    from django.core.exceptions import ValidationError

    with pytest.raises(PermissionDenied):
        file_complaint(actor=receiving_officer)
    with pytest.raises(ValidationError) as caught:
        file_complaint(description="khác")
    assert "description" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        file_complaint(category="nonsense")
    assert "category" in caught.value.message_dict


# --- transitions by role -----------------------------------------------------------------------


def test_the_full_workflow_by_the_right_roles_with_history(file_complaint, advance, citizen):
    complaint = advance(file_complaint(), "resolved")
    assert complaint.state == ComplaintState.RESOLVED
    assert complaint.resolution == RESOLUTION and complaint.corrective_action == CORRECTIVE
    complaint = services.confirm(complaint=complaint, actor=citizen)
    assert complaint.state == ComplaintState.CLOSED and complaint.closed_at is not None
    rows = list(complaint.events.values_list("action", "from_state", "to_state", "actor_kind"))
    assert rows == [
        ("file", "", "received", "citizen"),
        ("direct", "received", "directed", "staff"),
        ("contact", "directed", "contacted", "staff"),
        ("resolve", "contacted", "resolved", "staff"),
        ("confirm", "resolved", "closed", "citizen"),
    ]
    event = complaint.events.get(action="direct")
    assert event.reason == INSTRUCTION and event.actor_role == "supervisor"
    assert complaint.events.get(action="contact").reason == SUMMARY


def test_history_rows_are_immutable(file_complaint):
    event = file_complaint().events.get()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        ComplaintEvent.objects.all().update(reason="x")
    with pytest.raises(ValueError):
        event.delete()


@pytest.mark.parametrize(
    ("state", "action", "allowed"),
    [
        ("received", "direct", {"supervisor"}),
        ("directed", "contact", {"receiving_officer", "handling_officer", "unit_leader"}),
        ("contacted", "resolve", {"unit_leader"}),
        ("resolved", "close", {"supervisor"}),
        ("resolved", "confirm", {"citizen"}),
        ("resolved", "reopen", {"citizen"}),
    ],
)
def test_each_transition_only_by_its_role(
    file_complaint,
    advance,
    state,
    action,
    allowed,
    citizen,
    other_citizen,
    supervisor,
    receiving_officer,
    handling_officer,
    unit_leader,
    other_unit_officer,
    other_province_supervisor,
):
    people = {
        "citizen": citizen,
        "other_citizen": other_citizen,
        "supervisor": supervisor,
        "receiving_officer": receiving_officer,
        "handling_officer": handling_officer,
        "unit_leader": unit_leader,
        "other_unit_officer": other_unit_officer,
        "other_province_supervisor": other_province_supervisor,
    }
    kwargs = lambda: {  # noqa: E731 - built when called: "contacted_at" after the filing
        "direct": {"instruction": INSTRUCTION},
        "contact": {
            "contacted_at": timezone.now(),
            "channel": "phone",
            "summary": SUMMARY,
        },
        "resolve": {"resolution": RESOLUTION, "corrective_action": CORRECTIVE},
        "close": {"note": NOTE},
        "confirm": {},
        "reopen": {"reason": "Đơn vị chưa liên hệ lại với tôi như đã hứa."},
    }[action]
    for name, person in people.items():
        complaint = file_complaint()
        if state != "received":
            complaint = advance(complaint, state)
        if name in allowed:
            getattr(services, action)(complaint=complaint, actor=person, **kwargs())
            complaint.refresh_from_db()
            assert complaint.state != state, (name, action)
        else:
            with pytest.raises(PermissionDenied):
                getattr(services, action)(complaint=complaint, actor=person, **kwargs())
            complaint.refresh_from_db()
            assert complaint.state == state, (name, action)


def test_a_transition_from_the_wrong_state_is_a_conflict(file_complaint, receiving_officer):
    complaint = file_complaint()
    with pytest.raises(Conflict):
        services.contact(
            complaint=complaint,
            actor=receiving_officer,
            contacted_at=timezone.now(),
            channel="phone",
            summary=SUMMARY,
        )


def test_instructions_and_resolutions_must_be_specific(file_complaint, advance, supervisor):
    from portal.core.errors import DomainError

    complaint = file_complaint()
    with pytest.raises(DomainError):
        services.direct(complaint=complaint, actor=supervisor, instruction="Xem lại")
    with pytest.raises(DomainError):
        services.direct(
            complaint=complaint, actor=supervisor, instruction=INSTRUCTION, response_hours=0
        )
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.RECEIVED


def test_the_response_deadline_is_counted_in_working_hours(file_complaint, supervisor, unit):
    from portal.workcalendar.services import add_office_time

    complaint = file_complaint()
    complaint = services.direct(
        complaint=complaint, actor=supervisor, instruction=INSTRUCTION, response_hours=4
    )
    event = complaint.events.get(action="direct")
    assert complaint.step_due_at == add_office_time(
        start=event.at, duration=dt.timedelta(hours=4), unit=unit
    )
    assert event.step_due_at == complaint.step_due_at


def test_the_citizen_reopens_back_to_the_supervisor(file_complaint, advance, citizen, supervisor):
    complaint = advance(file_complaint(), "closed")
    complaint = services.reopen(
        complaint=complaint, actor=citizen, reason="Đơn vị chưa trả hồ sơ như đã hứa với tôi."
    )
    assert complaint.state == ComplaintState.RECEIVED and complaint.closed_at is None
    assert Notification.objects.filter(
        user=citizen, event="complaint_reopened", channel="sms"
    ).exists()
    complaint = services.direct(complaint=complaint, actor=supervisor, instruction=INSTRUCTION)
    assert complaint.state == ComplaintState.DIRECTED


# --- repeat detection --------------------------------------------------------------------------


def test_a_second_complaint_within_the_window_is_a_repeat_one_level_higher(
    tree, file_complaint, citizen, settings
):
    settings.COMPLAINT_REPEAT_WINDOW_DAYS = 30
    first = file_complaint(unit=tree["commune"])
    assert not first.is_repeat and first.handling_unit == tree["district"]
    second = file_complaint(unit=tree["commune"])
    assert second.is_repeat and second.repeat_of == first
    assert second.handling_unit == tree["province"]  # straight to the level above the supervisor
    assert second.events.get().details["is_repeat"] is True


def test_outside_the_window_or_another_unit_is_not_a_repeat(
    tree, file_complaint, settings, other_citizen
):
    settings.COMPLAINT_REPEAT_WINDOW_DAYS = 30
    first = file_complaint(unit=tree["commune"])
    Complaint.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    assert not file_complaint(unit=tree["commune"]).is_repeat  # the window is over… but
    assert file_complaint(unit=tree["commune"]).is_repeat  # … the second one in it counts
    assert not file_complaint(unit=tree["district"]).is_repeat  # another unit
    assert not file_complaint(unit=tree["commune"], actor=other_citizen).is_repeat


def test_the_same_verified_phone_is_the_same_person(file_complaint, unit, citizen):
    citizen_phone = citizen.phone
    file_complaint()
    anonymous = file_complaint(actor=PhoneActor(citizen_phone))
    assert anonymous.citizen is None and anonymous.is_repeat


def test_the_window_comes_from_the_setting(file_complaint, settings):
    first = file_complaint()
    Complaint.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(days=5))
    settings.COMPLAINT_REPEAT_WINDOW_DAYS = 3
    assert not file_complaint().is_repeat
    settings.COMPLAINT_REPEAT_WINDOW_DAYS = 10
    assert file_complaint().is_repeat


def test_the_window_setting_reads_the_environment(monkeypatch):
    import importlib

    import portal.settings as portal_settings

    monkeypatch.setenv("COMPLAINT_REPEAT_WINDOW_DAYS", "45")
    try:
        assert importlib.reload(portal_settings).COMPLAINT_REPEAT_WINDOW_DAYS == 45
    finally:
        monkeypatch.delenv("COMPLAINT_REPEAT_WINDOW_DAYS")
        importlib.reload(portal_settings)


# --- escalation --------------------------------------------------------------------------------


def test_the_beat_task_escalates_overdue_steps_one_level_up(tree, file_complaint, settings):
    from portal.complaints.tasks import escalate_overdue

    assert "complaints.escalate_overdue" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    late = file_complaint(unit=tree["commune"])
    on_time = file_complaint(unit=tree["district"], category="staff_conduct")
    Complaint.objects.filter(pk=late.pk).update(step_due_at=timezone.now() - dt.timedelta(hours=1))
    assert escalate_overdue.delay().get() == 1
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.handling_unit == tree["province"] and late.escalations == 1
    assert late.step_due_at > timezone.now()
    assert on_time.handling_unit == tree["province"]  # not late: not moved
    event = late.events.get(action="escalate")
    assert event.actor_kind == "system" and event.handling_unit == tree["province"]
    assert event.details == {"from_unit": "G19.D1", "to_unit": "G19"}
    escalated = Notification.objects.get(event="complaint_escalated", channel="sms")
    assert late.code in escalated.body and "Công an tỉnh Thái Nguyên" in escalated.body
    # nothing more until the new deadline passes
    assert escalate_overdue.delay().get() == 0
    Complaint.objects.filter(pk=late.pk).update(step_due_at=timezone.now() - dt.timedelta(hours=1))
    assert escalate_overdue.delay().get() == 1
    late.refresh_from_db()
    assert late.handling_unit == tree["ministry"]
    # at the top there is nobody to escalate to
    Complaint.objects.filter(pk=late.pk).update(step_due_at=timezone.now() - dt.timedelta(hours=1))
    assert escalate_overdue.delay().get() == 0


def test_after_escalation_the_higher_supervisor_acts(
    tree, file_complaint, supervisor, ministry_supervisor
):
    complaint = file_complaint()  # about `unit`, handled by the province
    Complaint.objects.filter(pk=complaint.pk).update(
        step_due_at=timezone.now() - dt.timedelta(minutes=5)
    )
    services.escalate_overdue()
    complaint.refresh_from_db()
    assert complaint.handling_unit == tree["ministry"]
    with pytest.raises(PermissionDenied):
        services.direct(complaint=complaint, actor=supervisor, instruction=INSTRUCTION)
    complaint = services.direct(
        complaint=complaint, actor=ministry_supervisor, instruction=INSTRUCTION
    )
    assert complaint.state == ComplaintState.DIRECTED


def test_a_closed_complaint_never_escalates(file_complaint, advance):
    complaint = advance(file_complaint(), "closed")
    Complaint.objects.filter(pk=complaint.pk).update(
        step_due_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert services.escalate_overdue() == 0


# --- notifications -----------------------------------------------------------------------------


def test_the_citizen_is_notified_at_each_step(file_complaint, advance, citizen):
    complaint = file_complaint()
    complaint = advance(complaint, "resolved")
    services.confirm(complaint=complaint, actor=citizen)
    rows = Notification.objects.filter(user=citizen).order_by("pk")
    events = [(n.event, n.channel) for n in rows]
    for event in (
        "complaint_received",
        "complaint_directed",
        "complaint_contacted",
        "complaint_resolved",
        "complaint_closed",
    ):
        assert (event, "sms") in events and (event, "email") in events, event
    resolved_sms = rows.get(event="complaint_resolved", channel="sms")
    assert complaint.code in resolved_sms.body and RESOLUTION[:30] in resolved_sms.body
    directed = rows.get(event="complaint_directed", channel="email")
    assert "Công an tỉnh Thái Nguyên" in directed.body


def test_an_anonymous_complainant_is_notified_by_sms(file_complaint):
    complaint = file_complaint(actor=PhoneActor("+84911222333"))
    sms = Notification.objects.get(event="complaint_received")
    assert sms.recipient == "+84911222333" and sms.user is None
    assert complaint.code in sms.body


# --- reopening a refused dossier ----------------------------------------------------------------


def test_the_supervisor_reopens_a_refused_dossier_from_the_complaint(
    make_dossier, file_complaint, supervisor, citizen, unit
):
    from portal.workcalendar.services import due_moment

    dossier = make_dossier("refused")
    complaint = file_complaint(dossier=dossier)
    assert "reopen_dossier" in services.allowed_actions(complaint=complaint, user=supervisor)
    services.reopen_dossier(
        complaint=complaint,
        actor=supervisor,
        reason="Hồ sơ đủ điều kiện, lý do từ chối không đúng quy định.",
        target=State.PROCESSING,
    )
    dossier.refresh_from_db()
    assert dossier.state == State.PROCESSING and dossier.decided_at is None
    event = dossier.events.order_by("-at", "-pk").first()
    assert (event.action, event.from_state, event.to_state) == ("reopen", "refused", "processing")
    assert event.actor == supervisor and event.details["complaint"] == complaint.code
    # the clock restarts from the reopening: the full deadline from the new reception moment
    assert dossier.received_at >= event.at - dt.timedelta(seconds=1) or dossier.received_at > (
        event.at
    )
    assert dossier.due_at == due_moment(
        received_at=dossier.received_at, working_days=dossier.procedure.deadline_days, unit=unit
    )
    assert complaint.events.filter(action="reopen_dossier").exists()
    assert Notification.objects.filter(user=citizen, event="dossier_reopened").exists()
    assert "reopen_dossier" not in services.allowed_actions(complaint=complaint, user=supervisor)


def test_only_the_level_above_reopens_a_dossier(
    make_dossier, file_complaint, unit_leader, other_province_supervisor
):
    from portal.dossiers import services as engine

    dossier = make_dossier("refused")
    complaint = file_complaint(dossier=dossier)
    for person in (unit_leader, other_province_supervisor):
        with pytest.raises(PermissionDenied):
            services.reopen_dossier(
                complaint=complaint, actor=person, reason="Hồ sơ đủ điều kiện giải quyết lại."
            )
        with pytest.raises(PermissionDenied):
            engine.reopen(dossier=dossier, actor=person, reason="Hồ sơ đủ điều kiện.")
    dossier.refresh_from_db()
    assert dossier.state == State.REFUSED


def test_a_stopped_dossier_reopens_and_an_open_one_does_not(make_dossier, supervisor):
    from portal.dossiers import services as engine

    stopped = make_dossier("stopped")
    engine.reopen(dossier=stopped, actor=supervisor, reason="Công dân đề nghị tiếp tục.")
    assert stopped.state == State.RECEIVED
    with pytest.raises(Conflict):
        engine.reopen(dossier=make_dossier("processing"), actor=supervisor, reason="Thử lại.")


# --- satisfaction --------------------------------------------------------------------------------


def test_a_rating_once_after_the_result_was_returned(make_dossier, citizen, other_citizen):
    from django.core.exceptions import ValidationError

    returned = make_dossier("result_returned")
    with pytest.raises(PermissionDenied):
        services.rate_dossier(dossier=returned, actor=other_citizen, score=5)
    with pytest.raises(ValidationError):
        services.rate_dossier(dossier=returned, actor=citizen, score=6)
    rating = services.rate_dossier(dossier=returned, actor=citizen, score=2, comment="Chậm")
    assert rating.is_low and rating.dossier == returned
    with pytest.raises(Conflict) as caught:
        services.rate_dossier(dossier=returned, actor=citizen, score=5)
    assert caught.value.code == "already_rated"
    with pytest.raises(Conflict):
        services.rate_dossier(dossier=make_dossier("processing"), actor=citizen, score=4)


def test_a_new_staff_member_of_another_unit_sees_nothing(file_complaint, other_unit):
    from portal.complaints.selectors import visible_complaints

    file_complaint()
    stranger = make_staff("xa.khac", other_unit, "unit_leader")
    assert not visible_complaints(user=stranger).exists()


def test_a_closed_complaint_reopens_only_within_the_window(
    file_complaint, advance, citizen, settings
):
    settings.COMPLAINT_REPEAT_WINDOW_DAYS = 30
    complaint = advance(file_complaint(), "closed")
    Complaint.objects.filter(pk=complaint.pk).update(
        closed_at=timezone.now() - dt.timedelta(days=31)
    )
    complaint.refresh_from_db()
    assert "reopen" not in services.allowed_actions(complaint=complaint, user=citizen)
    with pytest.raises(Conflict) as caught:
        services.reopen(complaint=complaint, actor=citizen, reason="Tôi vẫn chưa được giải quyết.")
    assert caught.value.code == "reopen_window_over"
