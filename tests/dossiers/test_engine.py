"""The dossier engine: transitions by role and state, level gating, deadlines, codes, history."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.core.errors import Conflict, DomainError, PermissionDenied
from portal.dossiers import services
from portal.dossiers.models import Document, DossierEvent, State
from tests.dossiers.conftest import (
    make_pdf_bytes,
    valid_absence_form,
    valid_temporary_registration_form,
)

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")

OFFICERS = {"receiving_officer", "handling_officer", "unit_leader"}
# What the law and the issue allow, written out independently of the model's decorators.
ALLOWED: dict[str, dict[str, set[str]]] = {
    "submit": {"draft": {"owner"}},
    "withdraw": {"draft": {"owner"}, "submitted": {"owner"}},
    "receive": {"submitted": {"receiving_officer", "unit_leader"}},
    "request_supplement": dict.fromkeys(("submitted", "received", "processing"), OFFICERS),
    # the unit leader decides a refusal; officers propose it in the back office (issue 14)
    "refuse": dict.fromkeys(("submitted", "received", "processing"), {"unit_leader"}),
    "resubmit": {"supplement_requested": {"owner"}},
    "start_processing": {"received": {"handling_officer", "unit_leader"}},
    "approve": {"processing": {"unit_leader"}},
    "return_result": {"approved": OFFICERS},
    "stop": {s: {"unit_leader"} for s in ("received", "processing", "supplement_requested")},
}
STATES = [
    "draft",
    "submitted",
    "received",
    "processing",
    "supplement_requested",
    "approved",
    "result_returned",
    "refused",
    "withdrawn",
    "stopped",
]
ACTORS = [
    "owner",
    "other_citizen",
    "receiving_officer",
    "handling_officer",
    "unit_leader",
    "other_unit_officer",
    "supervisor",
]


@pytest.fixture
def actors(
    citizen,
    other_citizen,
    receiving_officer,
    handling_officer,
    unit_leader,
    other_unit_officer,
    supervisor,
):
    return {
        "owner": citizen,
        "other_citizen": other_citizen,
        "receiving_officer": receiving_officer,
        "handling_officer": handling_officer,
        "unit_leader": unit_leader,
        "other_unit_officer": other_unit_officer,
        "supervisor": supervisor,
    }


@pytest.fixture
def build(make_dossier, citizen):
    """A dossier in `state`, ready for every action (draft has its attachment, a supplement
    request has the requested paper uploaded)."""

    def _build(state):
        dossier = make_dossier(state)
        if state in ("draft", "supplement_requested"):
            services.add_attachment(
                dossier=dossier,
                actor=citizen,
                uploaded_file=SimpleUploadedFile("ct01.pdf", make_pdf_bytes()),
                requirement_key="to-khai",
            )
        return dossier

    return _build


def act(action, dossier, actor):
    kwargs = {"dossier": dossier, "actor": actor}
    if action == "request_supplement":
        kwargs.update(
            items=[{"document": "CT01", "copy_kind": "original", "problem": "Thiếu chữ ký"}],
            guidance="Bổ sung tờ khai có chữ ký.",
        )
    elif action == "refuse":
        kwargs.update(reason="Không thuộc diện", legal_provision="Điều 31 Luật Cư trú")
    elif action == "stop":
        kwargs.update(reason="Công dân đề nghị")
    elif action == "return_result":
        kwargs.update(method="in_person", details={})
    return getattr(services, action)(**kwargs)


def expected(state, action, actor_name):
    allowed_here = ALLOWED[action].get(state)
    if allowed_here is None:
        return "invalid_transition"
    return None if actor_name in allowed_here else "permission_denied"


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(ALLOWED))
def test_forbidden_transitions_change_nothing(state, action, build, actors):
    dossier = build(state)
    version = dossier.version
    events = DossierEvent.objects.filter(dossier=dossier).count()
    for actor_name in ACTORS:
        want = expected(state, action, actor_name)
        offered = action in services.allowed_actions(dossier=dossier, user=actors[actor_name])
        assert offered == (want is None), (state, action, actor_name)
        if want is None:
            continue
        with pytest.raises((Conflict, PermissionDenied)) as info:
            act(action, dossier, actors[actor_name])
        assert info.value.code == want, (state, action, actor_name)
        dossier.refresh_from_db()
        assert dossier.state == state and dossier.version == version
    assert DossierEvent.objects.filter(dossier=dossier).count() == events


ALLOWED_CASES = [
    (state, action, actor)
    for action, by_state in ALLOWED.items()
    for state, names in by_state.items()
    for actor in sorted(names)
]


@pytest.mark.parametrize(("state", "action", "actor_name"), ALLOWED_CASES)
def test_allowed_transitions(state, action, actor_name, build, actors, unit):
    dossier = build(state)
    before = dossier.version
    result = act(action, dossier, actors[actor_name])
    assert result.state != state
    assert result.version > before
    event = result.events.order_by("-pk").first()
    assert (event.action, event.from_state, event.to_state) == (action, state, result.state)
    if actor_name == "owner":
        assert event.actor_kind == "citizen"
    else:
        assert event.actor_kind == "staff" and event.actor_role == actor_name
        assert event.actor_unit_id == unit.pk


def test_stale_version_is_refused(make_dossier, receiving_officer):
    dossier = make_dossier("submitted")
    with pytest.raises(Conflict) as info:
        services.receive(
            dossier=dossier, actor=receiving_officer, expected_version=dossier.version - 1
        )
    assert info.value.code == "changed_by_someone_else"
    assert "người khác" in info.value.message


# --- level gating --------------------------------------------------------------------------


def test_level_2_cannot_be_filed_online(citizen, procedure_level2, area, unit):
    with pytest.raises(Conflict) as info:
        services.create_draft(citizen=citizen, procedure=procedure_level2, area=area)
    assert info.value.code == "procedure_not_online"
    assert unit.name in info.value.message and unit.address in info.value.message


def test_level_4_with_online_fee_waits_for_payment(
    citizen, procedure_level4, area, unit, pdf_bytes
):
    dossier = services.create_draft(
        citizen=citizen,
        procedure=procedure_level4,
        area=area,
        form_data=valid_temporary_registration_form(),
    )
    services.add_attachment(
        dossier=dossier,
        actor=citizen,
        uploaded_file=SimpleUploadedFile("a.pdf", pdf_bytes),
        requirement_key="to-khai",
    )
    dossier = services.submit(dossier=dossier, actor=citizen)
    assert dossier.state == State.AWAITING_PAYMENT
    assert dossier.national_status_code == 6
    assert dossier.fee_amount == 7000 and dossier.fee_paid_online
    assert dossier.received_at is None  # the clock starts when the fee is paid
    with pytest.raises(PermissionDenied):  # only the payment gateway (system) confirms
        services.confirm_payment(dossier=dossier, actor=citizen)
    dossier = services.confirm_payment(dossier=dossier, actor=None)
    assert dossier.state == State.SUBMITTED and dossier.received_at is not None


def test_level_3_submits_without_payment_state(make_dossier):
    dossier = make_dossier("submitted")
    assert dossier.state == State.SUBMITTED and dossier.national_status_code == 1
    assert dossier.fee_amount == 0 and not dossier.fee_paid_online


def test_submit_lists_exactly_the_missing_documents(make_dossier, citizen):
    dossier = make_dossier("draft")
    with pytest.raises(DomainError) as info:
        services.submit(dossier=dossier, actor=citizen)
    assert info.value.code == "missing_documents"
    assert info.value.details["missing"] == ["Tờ khai thay đổi thông tin cư trú (CT01)"]


# --- the plugin ------------------------------------------------------------------------------


def test_plugin_prefills_from_the_citizen(make_dossier, citizen):
    dossier = make_dossier("draft")
    assert dossier.form_data["full_name"] == "Nguyễn Văn An"
    assert dossier.form_data["personal_id"] == citizen.personal_id
    assert dossier.form_data["date_of_birth"] == "1990-05-17"
    assert dossier.applicant_personal_id == citizen.personal_id


def test_invalid_dates_are_refused_and_nothing_saved_is_lost(make_dossier, citizen):
    dossier = make_dossier("draft")
    saved = dict(dossier.form_data)
    bad = valid_absence_form(date_from="2026-05-10", date_to="2026-05-01")
    with pytest.raises(ValidationError) as info:
        services.update_draft(dossier=dossier, actor=citizen, form_data=bad)
    assert "date_to" in info.value.message_dict
    assert "sau ngày bắt đầu" in info.value.message_dict["date_to"][0]
    dossier.refresh_from_db()
    assert dossier.form_data == saved
    too_long = valid_absence_form(date_from="2026-01-01", date_to="2029-01-01")
    with pytest.raises(ValidationError) as info:
        services.update_draft(dossier=dossier, actor=citizen, form_data=too_long)
    assert "date_to" in info.value.message_dict


def test_approval_issues_the_ct03_result(make_dossier, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        dossier = make_dossier("approved")
    result = dossier.documents.get(kind=Document.Kind.RESULT)
    assert result.template_name == "residence/pdf/ct03.html"
    assert result.context["absence"]["destination_address"].startswith("Số 10 phố Huế")
    document = services.render_document(document_id=result.pk)
    assert document.status == Document.Status.READY
    assert document.file.read(5) == b"%PDF-"


def test_missing_template_marks_document_failed(make_dossier):
    dossier = make_dossier("received")
    document = Document.objects.create(
        dossier=dossier, kind="receipt", template_name="pdf/dossiers/nope.html", context={}
    )
    assert services.render_document(document_id=document.pk).status == Document.Status.FAILED


def test_receive_issues_a_receipt_document(make_dossier):
    dossier = make_dossier("received")
    receipt = dossier.documents.get(kind=Document.Kind.RECEIPT)
    assert receipt.template_name == "pdf/dossiers/receipt_ct04.html"
    assert receipt.context["code"] == dossier.code
    assert receipt.context["due_at"] == dossier.due_at.isoformat()


# --- deadlines -------------------------------------------------------------------------------


def at(*args):
    return dt.datetime(*args, tzinfo=HCM)


def test_deadline_pause_and_resume(make_dossier, citizen, receiving_officer, monkeypatch, build):
    clock = {"now": at(2026, 6, 1, 9, 0)}  # Monday
    monkeypatch.setattr(services, "_now", lambda: clock["now"])
    dossier = make_dossier("submitted")
    assert dossier.received_at == at(2026, 6, 1, 9, 0)  # inside office hours: at once
    clock["now"] = at(2026, 6, 1, 10, 0)
    dossier = services.receive(dossier=dossier, actor=receiving_officer)
    # 1 working day = 7 h 30 of office time → Tuesday 09:00
    assert dossier.due_at == at(2026, 6, 2, 9, 0)
    assert dossier.is_overdue(now=at(2026, 6, 2, 9, 1))
    clock["now"] = at(2026, 6, 1, 14, 0)
    dossier = services.request_supplement(
        dossier=dossier,
        actor=receiving_officer,
        items=[{"document": "CT01", "copy_kind": "original", "problem": "Thiếu chữ ký"}],
        guidance="Ký tờ khai.",
    )
    # Mon 14:00–17:00 (3 h) + Tue 07:30–09:00 (1 h 30)
    assert dossier.remaining_office_seconds == 4.5 * 3600
    assert dossier.paused_at == at(2026, 6, 1, 14, 0)
    assert not dossier.is_overdue(now=at(2026, 6, 20, 9, 0))  # paused: never overdue
    services.add_attachment(
        dossier=dossier,
        actor=citizen,
        uploaded_file=SimpleUploadedFile("ct01.pdf", make_pdf_bytes()),
        requirement_key="to-khai",
    )
    clock["now"] = at(2026, 6, 5, 16, 0)  # Friday 16:00
    dossier = services.resubmit(dossier=dossier, actor=citizen)
    assert dossier.state == State.SUBMITTED
    assert dossier.received_at == at(2026, 6, 5, 16, 0)
    # Fri 16:00–17:00 (1 h) + Mon 07:30–11:00 (3 h 30)
    assert dossier.due_at == at(2026, 6, 8, 11, 0)
    assert dossier.paused_at is None and dossier.remaining_office_seconds is None
    # received again: the resumed due moment stands
    clock["now"] = at(2026, 6, 8, 8, 0)
    dossier = services.receive(dossier=dossier, actor=receiving_officer)
    assert dossier.due_at == at(2026, 6, 8, 11, 0)


def test_out_of_hours_submission_is_received_next_session(make_dossier, monkeypatch):
    monkeypatch.setattr(services, "_now", lambda: at(2026, 6, 6, 20, 0))  # Saturday evening
    dossier = make_dossier("submitted")
    assert dossier.submitted_at == at(2026, 6, 6, 20, 0)
    assert dossier.received_at == at(2026, 6, 8, 7, 30)


def test_supplement_before_reception_pauses_the_clock_that_runs_from_submission(
    make_dossier, citizen, receiving_officer, monkeypatch
):
    # The legal clock runs from the reception moment, even before staff receive the dossier.
    clock = {"now": at(2026, 6, 1, 9, 0)}
    monkeypatch.setattr(services, "_now", lambda: clock["now"])
    dossier = make_dossier("submitted")
    assert dossier.due_at == at(2026, 6, 2, 9, 0)  # 1 working day
    dossier = services.request_supplement(
        dossier=dossier,
        actor=receiving_officer,
        items=[{"document": "CT01", "problem": "Ảnh mờ"}],
        guidance="Chụp lại rõ nét.",
    )
    assert dossier.remaining_office_seconds == 7 * 3600 + 1800
    services.add_attachment(
        dossier=dossier,
        actor=citizen,
        uploaded_file=SimpleUploadedFile("ct01.pdf", make_pdf_bytes()),
    )
    clock["now"] = at(2026, 6, 2, 8, 0)
    dossier = services.resubmit(dossier=dossier, actor=citizen)
    assert dossier.due_at == at(2026, 6, 3, 8, 0)  # 08:00 Tue + 7h30 of office time
    dossier = services.receive(dossier=dossier, actor=receiving_officer)
    assert dossier.due_at == at(2026, 6, 3, 8, 0)  # reception keeps the running clock


def test_resubmit_needs_an_upload(make_dossier, citizen):
    dossier = make_dossier("supplement_requested")
    with pytest.raises(DomainError) as info:
        services.resubmit(dossier=dossier, actor=citizen)
    assert info.value.code == "missing_documents"
    assert info.value.details["missing"] == ["Tờ khai CT01"]


def test_supplement_request_needs_specific_items(make_dossier, receiving_officer):
    dossier = make_dossier("received")
    with pytest.raises(ValidationError) as info:
        services.request_supplement(
            dossier=dossier, actor=receiving_officer, items=[{"document": "CT01"}], guidance=""
        )
    assert set(info.value.message_dict) == {"items", "guidance"}


def test_refusal_needs_reason_and_legal_provision(make_dossier, receiving_officer):
    dossier = make_dossier("received")
    with pytest.raises(ValidationError) as info:
        services.refuse(dossier=dossier, actor=receiving_officer, reason="x", legal_provision="")
    assert "legal_provision" in info.value.message_dict


# --- codes and history ----------------------------------------------------------------------


def test_codes_follow_the_format_and_are_sequential(make_dossier, unit):
    first, second = make_dossier("draft"), make_dossier("draft")
    assert re.fullmatch(r"G19\.55-\d{8}-\d{4}", first.code)
    assert int(second.code[-4:]) == int(first.code[-4:]) + 1
    assert first.code[:-4] == second.code[:-4]


def test_code_format_is_configurable(make_dossier, settings):
    settings.DOSSIER_CODE_FORMAT = "{unit}/{date:%y%m%d}/{seq:06d}"
    assert re.fullmatch(r"G19\.55/\d{6}/\d{6}", make_dossier("draft").code)


def test_history_rows_are_immutable(make_dossier):
    dossier = make_dossier("received")
    event = dossier.events.first()
    event.reason = "sửa lịch sử"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    with pytest.raises(ValueError):
        dossier.events.update(reason="sửa lịch sử")
    with pytest.raises(ValueError):
        dossier.events.all().delete()
    assert not dossier.events.filter(reason="sửa lịch sử").exists()


def test_citizen_timeline_shows_the_unit_not_the_officer(make_dossier, receiving_officer, unit):
    from portal.dossiers.selectors import timeline

    dossier = make_dossier("received")
    citizen_view = timeline(dossier=dossier, for_citizen=True)
    receive = [e for e in citizen_view if e.action == "receive"][0]
    assert receive.actor_label == unit.name
    assert all(receiving_officer.full_name not in e.actor_label for e in citizen_view)
    staff_view = timeline(dossier=dossier, for_citizen=False)
    assert (
        receiving_officer.full_name
        in [e for e in staff_view if e.action == "receive"][0].actor_label
    )


@pytest.mark.parametrize(
    ("fmt", "ok"),
    [
        ("{unit}-{date:%Y%m%d}-{seq:04d}", True),
        ("{unit}/{date:%y%m%d}/{seq:06d}", True),
        ("{unit}-{date:%Y%m%d}", False),  # no sequence: two dossiers of a day would collide
        ("{unit}-{seq}", False),  # no date: the per-day counter restarts and repeats
        ("{unit}-{date:%Y%m%d}-{seq:04d}-{oops}", False),
        ("{unit}-{date:%Y%m%d}-{seq:040d}", False),  # longer than the code column
    ],
)
def test_code_format_is_checked_at_start_up(settings, fmt, ok):
    from portal.dossiers.apps import check_dossier_code_format

    settings.DOSSIER_CODE_FORMAT = fmt
    errors = check_dossier_code_format()
    assert (errors == []) is ok
    assert all(e.id == "dossiers.E001" for e in errors)


def test_supplement_guidance_is_given_once(make_dossier, citizen, receiving_officer):
    dossier = make_dossier("supplement_requested")  # staff asked for "Tờ khai CT01"
    services.add_attachment(
        dossier=dossier,
        actor=citizen,
        uploaded_file=SimpleUploadedFile("ct01.pdf", make_pdf_bytes()),
    )
    dossier = services.resubmit(dossier=dossier, actor=citizen)
    # a document never named before cannot be asked for now
    with pytest.raises(DomainError) as info:
        services.request_supplement(
            dossier=dossier,
            actor=receiving_officer,
            items=[{"document": "Giấy khai sinh", "problem": "Chưa có trong hồ sơ"}],
            guidance="Nộp bổ sung giấy khai sinh bản sao.",
        )
    assert info.value.code == "supplement_guidance_given_once"
    assert "Giấy khai sinh" in info.value.message
    dossier.refresh_from_db()
    assert dossier.state == "submitted" and dossier.supplement_requests.count() == 1
    # the same document again (the new scan is still unreadable) is allowed, accents/case aside
    dossier = services.request_supplement(
        dossier=dossier,
        actor=receiving_officer,
        items=[{"document": "TỜ KHAI CT01", "problem": "Bản quét mới vẫn bị mờ, không đọc được"}],
        guidance="Vui lòng quét lại tờ khai CT01 rõ nét.",
    )
    assert dossier.state == "supplement_requested"
