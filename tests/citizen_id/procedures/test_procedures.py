"""The four identity procedures as plugins of the engine: each happy path from the citizen's DC02 to
the card in the registry, the validation messages, the fee by date, whether a visit is needed and
why, and the Circular 17/2024 slips (CC02, CC03) instead of the residence CT04/CT06."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from citizen_id.models import BiometricCapture, CardStatus, FormerIdNumber, IdentityCard
from portal.core.errors import Conflict, DomainError
from portal.dossiers import services
from portal.dossiers.models import Document
from tests.conftest import pdf_text

from .conftest import CONFIRMATION, FIRST_ISSUE, REISSUE, RENEWAL, person_of

pytestmark = pytest.mark.django_db


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return {k: [str(m) for m in v] for k, v in exc.value.message_dict.items()}


def _draft_errors(citizen, catalogue, area, code, form) -> dict[str, list[str]]:
    dossier = services.create_draft(
        citizen=citizen, procedure=catalogue[code], area=area, form_data={}
    )
    with pytest.raises(ValidationError) as exc:
        services.update_draft(
            dossier=dossier, actor=citizen, form_data={**dossier.form_data, **form}
        )
    return _errors(exc)


def _rendered(document: Document) -> str:
    document = services.render_document(document_id=document.pk)
    assert document.status == Document.Status.READY
    with document.file.open("rb") as fh:
        return pdf_text(fh.read())


# --- catalogue --------------------------------------------------------------------------------


def test_identity_procedures_are_registered_at_their_real_levels(catalogue):
    from portal.dossiers.registry import registry

    assert {c: catalogue[c].level for c in (FIRST_ISSUE, RENEWAL, REISSUE, CONFIRMATION)} == {
        FIRST_ISSUE: 3,
        RENEWAL: 3,
        REISSUE: 3,
        CONFIRMATION: 4,
    }
    for code in (FIRST_ISSUE, RENEWAL, REISSUE, CONFIRMATION):
        assert registry.is_registered(code)


# --- first issue (2.000200) ---------------------------------------------------------------------


def test_first_issue_prefills_dc02_from_the_registry_and_issues_the_card_after_the_visit(
    citizen, catalogue, area, unit, file_dossier, visit, decide
):
    person = person_of(citizen)
    person.full_name = "Nguyễn Văn An"
    person.save()
    citizen.full_name = "Nguyen Van An"  # the account's spelling: the registry's wins
    citizen.save(update_fields=["full_name"])
    dossier = file_dossier(citizen, FIRST_ISSUE, {}, submit=False)
    assert dossier.form_data["full_name"] == "Nguyễn Văn An"
    assert dossier.form_data["personal_id"] == citizen.personal_id
    assert dossier.form_data["date_of_birth"] == "1990-05-17"
    dossier = services.submit(dossier=dossier, actor=citizen)
    assert dossier.fee_amount == 0  # first issue is free
    needed, reason = services.get_plugin(dossier.procedure).needs_visit(dossier=dossier)
    assert needed and "sinh trắc học" not in reason and "vân tay" in reason

    form = dossier.documents.get(kind=Document.Kind.FORM)
    assert form.template_name == "citizen_id/pdf/dc02.html"
    assert form.context["data"]["full_name"] == "Nguyễn Văn An"
    assert form.context["data"]["request_label"] == "Cấp thẻ căn cước"
    text = _rendered(form)
    assert "NGUYỄN VĂN AN" in text.upper() and "17/05/1990" in text

    appointment = visit(dossier)
    dossier = decide(dossier)
    card = IdentityCard.objects.get(person=person)
    assert card.status == CardStatus.VALID and card.kind == "first"
    assert card.issuing_unit == unit and card.created_by_dossier == dossier
    assert card.issued_on == timezone.localdate()
    capture = BiometricCapture.objects.get(person=person)
    assert capture.captured_on == timezone.localtime(appointment.checked_in_at).date()


def test_approval_waits_for_the_visit_when_one_is_needed(
    citizen, file_dossier, receiving_officer, handling_officer, unit_leader
):
    dossier = file_dossier(citizen, FIRST_ISSUE, {})
    dossier = services.receive(dossier=dossier, actor=receiving_officer)
    dossier = services.start_processing(dossier=dossier, actor=handling_officer)
    with pytest.raises(Conflict) as exc:
        services.approve(dossier=dossier, actor=unit_leader)
    assert exc.value.code == "visit_not_done"
    assert "chưa đến trụ sở" in exc.value.message
    assert not IdentityCard.objects.exists()
    dossier.refresh_from_db()
    assert dossier.state == "processing"


def test_first_issue_validation_messages(citizen, child_citizen_factory, catalogue, area, card):
    today = timezone.localdate()
    young = child_citizen_factory(dt.date(today.year - 12, 1, 15))
    errors = _draft_errors(young, catalogue, area, FIRST_ISSUE, {})
    assert "thông qua người đại diện hợp pháp" in errors["for_child"][0]

    errors = _draft_errors(citizen, catalogue, area, FIRST_ISSUE, {"for_child": True})
    assert errors["child_full_name"] == ["Vui lòng nhập họ, chữ đệm và tên của người được cấp thẻ."]
    assert errors["child_personal_id"] == [
        "Vui lòng nhập số định danh cá nhân của người được cấp thẻ."
    ]
    assert errors["relation"] == ["Vui lòng chọn quan hệ của bạn với người được cấp thẻ."]

    errors = _draft_errors(
        citizen,
        catalogue,
        area,
        FIRST_ISSUE,
        {
            "for_child": True,
            "child_full_name": "Nguyễn Minh Châu",
            "child_personal_id": "019215000111",
            "child_date_of_birth": dt.date(today.year - 15, 1, 1).isoformat(),
            "child_sex": "F",
            "relation": "father",
        },
    )
    assert "tự đăng nhập" in errors["child_date_of_birth"][0]

    # The citizen fixture already holds a valid card (fixture `card`).
    errors = _draft_errors(citizen, catalogue, area, FIRST_ISSUE, {})
    assert "đã có thẻ căn cước còn hiệu lực" in errors["personal_id"][0]


def _child_form(born: dt.date) -> dict:
    return {
        "for_child": True,
        "child_full_name": "Nguyễn Minh Châu",
        "child_personal_id": "019220000111",
        "child_date_of_birth": born.isoformat(),
        "child_sex": "F",
        "relation": "father",
    }


def test_child_from_6_to_14_needs_proof_of_representation_and_a_visit(citizen, file_dossier):
    born = dt.date(timezone.localdate().year - 10, 3, 1)
    with pytest.raises(DomainError) as exc:
        file_dossier(citizen, FIRST_ISSUE, _child_form(born))
    assert exc.value.code == "missing_documents"
    assert "người đại diện hợp pháp" in exc.value.message

    dossier = file_dossier(
        citizen, FIRST_ISSUE, _child_form(born), attachments=["giay-to-dai-dien"]
    )
    needed, reason = services.get_plugin(dossier.procedure).needs_visit(dossier=dossier)
    assert needed and "cùng người đại diện hợp pháp" in reason


def test_child_under_6_is_filed_by_the_representative_without_a_visit(
    citizen, file_dossier, decide
):
    born = dt.date(timezone.localdate().year - 4, 3, 1)
    dossier = file_dossier(
        citizen,
        FIRST_ISSUE,
        _child_form(born),
        attachments=["giay-to-dai-dien"],
        result_method="post",
        result_address="Tổ 5, phường Phan Đình Phùng, tỉnh Thái Nguyên",
    )
    needed, reason = services.get_plugin(dossier.procedure).needs_visit(dossier=dossier)
    assert not needed and "dưới 6 tuổi" in reason
    form = dossier.documents.get(kind=Document.Kind.FORM)
    assert form.context["data"]["representative"]["name"] == citizen.full_name
    assert form.context["data"]["full_name"] == "Nguyễn Minh Châu"

    dossier = decide(dossier)  # no appointment: approved directly
    card = IdentityCard.objects.get(number="019220000111")
    assert card.full_name == "Nguyễn Minh Châu" and card.date_of_birth == born
    assert not BiometricCapture.objects.filter(person=card.person).exists()
    assert dossier.result_method == "post"


# --- renewal (2.001195) -----------------------------------------------------------------------


def test_renewal_replaces_the_old_card_after_the_visit(citizen, card, file_dossier, visit, decide):
    dossier = file_dossier(citizen, RENEWAL, {"reason": "damaged"})
    assert dossier.fee_amount > 0
    needed, reason = services.get_plugin(dossier.procedure).needs_visit(dossier=dossier)
    assert needed and "nộp lại thẻ cũ" in reason
    visit(dossier)
    decide(dossier)
    card.refresh_from_db()
    assert card.status == CardStatus.REPLACED
    new = IdentityCard.objects.get(replaces=card)
    assert new.status == CardStatus.VALID and new.kind == "renewal"


def test_renewal_validation_messages(citizen, other_citizen, catalogue, area, card):
    errors = _draft_errors(citizen, catalogue, area, RENEWAL, {})
    assert errors["reason"] == ["Vui lòng chọn lý do cấp đổi thẻ."]
    errors = _draft_errors(citizen, catalogue, area, RENEWAL, {"reason": "changed_data"})
    assert errors["changes"] == ["Vui lòng ghi rõ thông tin nào thay đổi."]
    # The card (valid until 17/05/2030) is not due: no renewal "for age" yet.
    errors = _draft_errors(citizen, catalogue, area, RENEWAL, {"reason": "age"})
    assert "17/05/2030" in errors["reason"][0]
    # No card in the registry at all.
    errors = _draft_errors(other_citizen, catalogue, area, RENEWAL, {"reason": "damaged"})
    assert "chọn thủ tục cấp thẻ căn cước" in errors["reason"][0]


def test_renewal_for_age_is_accepted_when_the_card_is_due(
    child_citizen_factory, catalogue, area, file_dossier
):
    from citizen_id.services import issue_card

    today = timezone.localdate()
    # Turns 25 in ten days: the card issued at 15 expires on that birthday.
    birthday = today + dt.timedelta(days=10)
    born = birthday.replace(year=birthday.year - 25)
    young = child_citizen_factory(born, "Phạm Thu Hà")
    issue_card(person=person_of(young), issued_on=born.replace(year=born.year + 15))
    dossier = file_dossier(young, RENEWAL, {"reason": "age"})
    assert dossier.fee_amount == 0  # renewal at a renewal age is free


# --- fee by date --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "renewal", "reissue"),
    [
        (dt.date(2025, 6, 30), 50_000, 70_000),  # before the halving
        (dt.date(2025, 7, 1), 25_000, 35_000),  # first day halved (Circular 64/2025)
        (dt.date(2026, 12, 31), 25_000, 35_000),  # last day halved
        (dt.date(2027, 1, 1), 50_000, 70_000),  # full fee again
    ],
)
def test_fee_by_date(day, renewal, reissue, citizen, card, file_dossier, monkeypatch):
    from citizen_id.services import report_lost

    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    monkeypatch.setattr("portal.dossiers.services._now", lambda: moment)
    assert file_dossier(citizen, RENEWAL, {"reason": "damaged"}).fee_amount == renewal
    assert file_dossier(citizen, RENEWAL, {"reason": "boundary"}).fee_amount == 0
    report_lost(card=card, actor=citizen)
    assert file_dossier(citizen, REISSUE, {"reason": "lost"}).fee_amount == reissue


# --- re-issue (2.001194) and needs_visit ----------------------------------------------------------


def _needs_visit(dossier):
    return services.get_plugin(dossier.procedure).needs_visit(dossier=dossier)


def test_reissue_needs_a_visit_unless_recent_biometrics_and_unchanged_data(
    citizen, holder, card, file_dossier, settings
):
    from citizen_id.services import record_biometric_capture, report_lost

    settings.CITIZEN_ID_BIOMETRIC_REUSE_YEARS = 5
    report_lost(card=card, actor=citizen)
    dossier = file_dossier(citizen, REISSUE, {"reason": "lost"}, submit=False)
    needed, reason = _needs_visit(dossier)
    assert needed and "Chưa có dữ liệu sinh trắc học" in reason

    today = timezone.localdate()
    record_biometric_capture(person=holder, captured_on=today.replace(year=today.year - 6))
    needed, reason = _needs_visit(dossier)
    assert needed and "đã quá 5 năm" in reason

    recent = today - dt.timedelta(days=400)
    record_biometric_capture(person=holder, captured_on=recent)
    needed, reason = _needs_visit(dossier)
    assert not needed and recent.strftime("%d/%m/%Y") in reason and "trực tuyến" in reason

    dossier.form_data = {**dossier.form_data, "data_changed": True}
    needed, reason = _needs_visit(dossier)
    assert needed and "đã thay đổi" in reason


def test_lost_card_reissued_fully_online_by_post(citizen, holder, card, file_dossier, decide):
    from citizen_id.services import record_biometric_capture, report_lost

    record_biometric_capture(
        person=holder, captured_on=timezone.localdate() - dt.timedelta(days=30)
    )
    report_lost(card=card, actor=citizen)
    dossier = file_dossier(
        citizen,
        REISSUE,
        {"reason": "lost"},
        result_method="post",
        result_address="Tổ 5, phường Phan Đình Phùng, tỉnh Thái Nguyên",
    )
    assert _needs_visit(dossier)[0] is False
    decide(dossier)  # no appointment needed
    card.refresh_from_db()
    assert card.status == CardStatus.REPLACED
    new = IdentityCard.objects.get(replaces=card)
    assert new.kind == "reissue" and new.status == CardStatus.VALID


def test_reissue_validation_messages(other_citizen, catalogue, area):
    errors = _draft_errors(other_citizen, catalogue, area, REISSUE, {"reason": "stolen"})
    assert errors["reason"][0] == "Lý do cấp lại không hợp lệ."
    errors = _draft_errors(other_citizen, catalogue, area, REISSUE, {"reason": "lost"})
    assert "Không tìm thấy thẻ căn cước đã cấp" in errors["reason"][0]


# --- number confirmation (2.001178) -------------------------------------------------------------


def test_number_confirmation_online_links_both_numbers_in_a_pdf(
    citizen, holder, file_dossier, decide
):
    dossier = file_dossier(
        citizen,
        CONFIRMATION,
        {
            "former_id_number": "090123456",
            "former_issued_on": "2008-04-02",
            "former_place": "CA Thái Nguyên",
        },
        result_method="electronic",
    )
    assert dossier.state == "submitted" and dossier.fee_amount == 0  # free: no payment step
    assert _needs_visit(dossier) == (
        False,
        "Thủ tục thực hiện trực tuyến, không cần đến trụ sở Công an.",
    )
    dossier = decide(dossier)
    former = FormerIdNumber.objects.get(number="090123456")
    assert former.person == holder and former.issued_on == dt.date(2008, 4, 2)
    result = dossier.documents.get(kind=Document.Kind.RESULT)
    assert result.template_name == "citizen_id/pdf/number_confirmation.html"
    text = _rendered(result)
    assert "090123456" in text and citizen.personal_id in text
    result.refresh_from_db()
    assert result.signed  # level 4: signed with the unit's certificate (portal.signing)


def test_number_confirmation_validation_messages(citizen, other_citizen, catalogue, area):
    from citizen_id.services import link_former_number

    errors = _draft_errors(citizen, catalogue, area, CONFIRMATION, {"former_id_number": "12345"})
    assert errors["former_id_number"] == ["Số chứng minh nhân dân cũ phải gồm đúng 9 chữ số."]
    errors = _draft_errors(citizen, catalogue, area, CONFIRMATION, {})
    assert errors["former_id_number"] == ["Vui lòng nhập số chứng minh nhân dân 9 số cần xác nhận."]
    link_former_number(person=person_of(other_citizen), number="090999999")
    errors = _draft_errors(
        citizen, catalogue, area, CONFIRMATION, {"former_id_number": "090999999"}
    )
    assert "gắn với một người khác" in errors["former_id_number"][0]


# --- CC02 / CC03 instead of the residence slips --------------------------------------------------


def test_identity_dossier_gets_cc02_naming_the_visit_and_residence_keeps_ct04(
    citizen, unit, file_dossier, clock, receiving_officer, make_dossier
):
    from portal.booking import services as booking

    from .conftest import VISIT

    dossier = file_dossier(citizen, FIRST_ISSUE, {})
    booking.book(citizen=citizen, dossier=dossier, starts_at=VISIT)
    dossier = services.receive(dossier=dossier, actor=receiving_officer)
    receipt = dossier.documents.get(kind=Document.Kind.RECEIPT)
    assert receipt.template_name == "citizen_id/pdf/cc02.html"
    assert "CC02" in receipt.context["title"]
    text = _rendered(receipt)
    assert "giấy hẹn trả thẻ căn cước" in text.lower()
    assert "09 giờ 00 phút, ngày 02/03/2027" in text and unit.name in text
    assert "17/2024/TT-BCA" in text and "66/2023" not in text

    residence = make_dossier("received")
    assert (
        residence.documents.get(kind=Document.Kind.RECEIPT).template_name
        == "pdf/dossiers/receipt_ct04.html"
    )


def test_identity_refusal_is_cc03(citizen, file_dossier, unit_leader):
    dossier = file_dossier(citizen, FIRST_ISSUE, {})
    dossier = services.refuse(
        dossier=dossier,
        actor=unit_leader,
        reason="Thông tin trong Cơ sở dữ liệu quốc gia về dân cư chưa được xác lập",
        legal_provision="Khoản 1 Điều 23 Luật Căn cước 2023",
    )
    refusal = dossier.documents.get(kind=Document.Kind.REFUSAL)
    assert refusal.template_name == "citizen_id/pdf/cc03.html"
    text = _rendered(refusal)
    assert "từ chối giải quyết thủ tục về căn cước" in text.lower()
    assert "Khoản 1 Điều 23 Luật Căn cước 2023" in text
    assert "CT06" not in text


def test_number_confirmation_takes_3_working_days_when_the_number_is_known_else_7(
    citizen, holder, file_dossier
):
    from citizen_id.services import link_former_number

    link_former_number(person=holder, number="090123456")
    known = file_dossier(citizen, CONFIRMATION, {"former_id_number": "090123456"}, submit=False)
    plugin = services.get_plugin(known.procedure)
    assert plugin.deadline_working_days(dossier=known) == 3
    unknown = file_dossier(citizen, CONFIRMATION, {"former_id_number": "090123457"}, submit=False)
    assert plugin.deadline_working_days(dossier=unknown) == 7


def test_check_in_issues_the_collection_slip_cc01(citizen, file_dossier, visit):
    dossier = file_dossier(citizen, FIRST_ISSUE, {})
    appointment = visit(dossier)
    slip = dossier.documents.get(template_name="citizen_id/pdf/cc01.html")
    assert "CC01" in slip.context["title"]
    text = " ".join(_rendered(slip).split())
    assert "phiếu thu nhận thông tin căn cước" in text.lower()
    captured = timezone.localtime(appointment.checked_in_at).date().strftime("%d/%m/%Y")
    assert f"Đã thu nhận ngày {captured}" in text


def test_booking_after_reception_issues_a_new_cc02_with_the_time(
    citizen, unit, file_dossier, clock, receiving_officer
):
    from portal.booking import services as booking

    from .conftest import VISIT

    dossier = file_dossier(citizen, FIRST_ISSUE, {})
    dossier = services.receive(dossier=dossier, actor=receiving_officer)
    assert dossier.documents.filter(kind=Document.Kind.RECEIPT).count() == 1
    booking.book(citizen=citizen, dossier=dossier, starts_at=VISIT)
    latest = dossier.documents.filter(kind=Document.Kind.RECEIPT).latest("pk")
    assert dossier.documents.filter(kind=Document.Kind.RECEIPT).count() == 2
    assert "09 giờ 00 phút, ngày 02/03/2027" in " ".join(_rendered(latest).split())
