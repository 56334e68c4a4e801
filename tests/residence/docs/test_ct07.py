"""Xác nhận thông tin về cư trú (1.010041): validation, the ½-day / 3-day deadline, and the CT07
issued from the registry at approval."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.core.errors import DomainError
from portal.dossiers import services
from portal.dossiers.models import Document
from portal.dossiers.registry import registry as plugins
from portal.workcalendar.services import due_moment
from residence.models import Person, RegistryChange
from tests.conftest import pdf_text

pytestmark = pytest.mark.django_db

PURPOSE = "Bổ sung hồ sơ nhập học cho con"


def file(citizen, procedure, area, **form):
    data = {"subject": "self", "purpose": PURPOSE, **form}
    dossier = services.create_draft(citizen=citizen, procedure=procedure, area=area, form_data=data)
    return services.submit(dossier=dossier, actor=citizen)


def invalid_form(citizen, procedure, area, **form) -> dict:
    with pytest.raises(DomainError) as exc:
        file(citizen, procedure, area, **form)
    assert exc.value.code == "invalid_form"
    return exc.value.details


def test_prefill_is_the_citizen_and_all_contents(citizen):
    initial = plugins.get("1.010041").initial(citizen=citizen)
    assert initial["subject"] == "self"
    assert initial["personal_id"] == citizen.personal_id
    assert initial["full_name"] == "Nguyễn Văn An"
    assert set(initial["contents"]) == {
        "personal",
        "permanent",
        "temporary",
        "current",
        "household",
        "history",
    }


def test_half_day_deadline_when_the_registry_has_the_data(
    citizen, area, confirmation_procedure, registry
):
    dossier = file(citizen, confirmation_procedure, area)
    plugin = plugins.get("1.010041")
    assert plugin.deadline_working_days(dossier=dossier) == Decimal("0.5")
    assert dossier.due_at == due_moment(
        received_at=dossier.received_at, working_days=Decimal("0.5"), unit=dossier.unit
    )
    # No upload of the CT01 form itself: the e-form is the declaration.
    assert dossier.attachments.count() == 0


def test_three_days_when_the_person_is_not_in_the_registry(citizen, area, confirmation_procedure):
    dossier = file(citizen, confirmation_procedure, area)
    assert plugins.get("1.010041").deadline_working_days(dossier=dossier) == Decimal("3")
    assert dossier.due_at == due_moment(
        received_at=dossier.received_at, working_days=Decimal("3"), unit=dossier.unit
    )
    assert dossier.due_at > due_moment(
        received_at=dossier.received_at, working_days=Decimal("0.5"), unit=dossier.unit
    )


def test_unknown_member_is_accepted_for_staff_to_verify(
    citizen, area, confirmation_procedure, registry
):
    dossier = file(
        citizen,
        confirmation_procedure,
        area,
        subject="member",
        personal_id="019218000001",
        full_name="Nguyễn Thị Mai",
        relation="child",
    )
    assert dossier.state == "submitted"
    assert dossier.form_data["personal_id"] == "019218000001"
    assert plugins.get("1.010041").deadline_working_days(dossier=dossier) == Decimal("3")


def test_member_of_the_household_is_filled_from_the_registry(
    citizen, area, confirmation_procedure, registry
):
    dossier = file(
        citizen,
        confirmation_procedure,
        area,
        subject="member",
        personal_id=registry["son"].personal_id,
        relation="child",
    )
    assert dossier.form_data["full_name"] == "Nguyễn Minh Khôi"
    assert plugins.get("1.010041").deadline_working_days(dossier=dossier) == Decimal("0.5")


def test_own_personal_id_as_member_is_explained(citizen, area, confirmation_procedure, registry):
    details = invalid_form(
        citizen,
        confirmation_procedure,
        area,
        subject="member",
        personal_id=citizen.personal_id,
        relation="child",
    )
    assert "Đây là số định danh cá nhân của bạn" in " ".join(details["personal_id"])


def test_person_outside_the_household_gets_a_specific_message(
    citizen, area, confirmation_procedure, registry
):
    details = invalid_form(
        citizen,
        confirmation_procedure,
        area,
        subject="member",
        personal_id=registry["binh"].personal_id,
        relation="other",
    )
    message = " ".join(details["personal_id"])
    assert "không có tên trong hộ gia đình của bạn" in message
    assert registry["binh"].personal_id in message


def test_member_needs_personal_id_relation_and_purpose(citizen, area, confirmation_procedure):
    details = invalid_form(
        citizen, confirmation_procedure, area, subject="member", personal_id="", purpose=""
    )
    assert "Vui lòng nhập số định danh cá nhân" in " ".join(details["personal_id"])
    assert "Vui lòng chọn quan hệ" in " ".join(details["relation"])
    assert "Vui lòng nêu mục đích xác nhận." in details["purpose"]


def approved_ct07(citizen, area, procedure, move, **form):
    dossier = move(file(citizen, procedure, area, **form), "approved")
    document = dossier.documents.get(kind=Document.Kind.RESULT)
    assert document.template_name == "residence/pdf/ct07.html"
    document = services.render_document(document_id=document.pk)
    assert document.status == Document.Status.READY, document.status
    with document.file.open("rb") as fh:
        return dossier, pdf_text(fh.read())


def test_ct07_contains_the_registry_data(citizen, area, confirmation_procedure, registry, move):
    dossier, text = approved_ct07(citizen, area, confirmation_procedure, move)
    flat = " ".join(text.split())
    assert "GIẤY XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ" in flat.upper()
    for expected in (
        "NGUYỄN VĂN AN",
        "17/05/1990",
        citizen.personal_id,
        "Xã Phú Đình, tỉnh Thái Nguyên",  # hometown
        "Số 12, tổ 5, Phường Phan Đình Phùng, Tỉnh Thái Nguyên",  # permanent
        "Phòng 204, số 88 đường Quang Trung, Phường Quyết Thắng",  # temporary = current
        "HK0000000101",
        "Lê Thị Hoa",
        "019190007777",
        "Nguyễn Minh Khôi",
        "019215008888",
        "Vợ/chồng",
        "Số 3, ngõ 7, tổ 2, Phường Quyết Thắng",  # previous permanent residence
        "31/05/2019",
        PURPOSE,
        "01 năm",
    ):
        assert expected in flat or expected.upper() in flat, expected
    change = RegistryChange.objects.get(kind=RegistryChange.Kind.CONFIRMATION_ISSUED)
    assert change.person == registry["an"]
    assert change.dossier_id == dossier.pk


def test_ct07_reads_the_registry_at_approval_not_at_filing(
    citizen, area, confirmation_procedure, registry, move
):
    dossier = file(citizen, confirmation_procedure, area)
    registry["an"].hometown = "Xã Tân Cương, tỉnh Thái Nguyên"
    registry["an"].save()
    dossier = move(dossier, "approved")
    document = services.render_document(
        document_id=dossier.documents.get(kind=Document.Kind.RESULT).pk
    )
    with document.file.open("rb") as fh:
        assert "Xã Tân Cương" in " ".join(pdf_text(fh.read()).split())


def test_ct07_for_a_household_member(citizen, area, confirmation_procedure, registry, move):
    _, text = approved_ct07(
        citizen,
        area,
        confirmation_procedure,
        move,
        subject="member",
        personal_id=registry["son"].personal_id,
        relation="child",
        contents=["personal", "permanent"],
    )
    flat = " ".join(text.split())
    assert "NGUYỄN MINH KHÔI" in flat
    assert "09/03/2015" in flat
    assert "Số 12, tổ 5" in flat
    assert "Người đề nghị xác nhận: Nguyễn Văn An" in flat
    assert "quan hệ với người được xác nhận: Con" in flat
    # Only the chosen contents: no household table, no temporary residence of the father.
    assert "Phòng 204" not in flat
    assert "Lê Thị Hoa" not in flat


def test_approval_without_registry_data_is_refused_and_nothing_changes(
    citizen, area, confirmation_procedure, staff_by_role, move
):
    Person.objects.filter(personal_id=citizen.personal_id).delete()  # not in the registry
    dossier = move(file(citizen, confirmation_procedure, area), "processing")
    from portal.accounts.models import Role

    with pytest.raises(DomainError) as exc:
        services.approve(dossier=dossier, actor=staff_by_role[Role.UNIT_LEADER])
    assert exc.value.code == "registry_data_missing"
    dossier.refresh_from_db()
    assert dossier.state == "processing"
    assert not dossier.documents.filter(kind=Document.Kind.RESULT).exists()
    assert not RegistryChange.objects.exists()
