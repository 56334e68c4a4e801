"""Đăng ký tạm trú (1.004194): the CT01 form prefilled from the registry, each validation message,
routing, the approval's registry effect and CT08, refusal/withdrawal leaving the registry as it
was, contradicting approvals refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.core.errors import Conflict, DomainError
from portal.dossiers import services
from portal.dossiers.models import State
from portal.dossiers.services import get_plugin
from residence.models import RegistryChange, TemporaryResidence
from tests.dossiers.conftest import make_citizen
from tests.residence.temporary.conftest import add_temporary, file_dossier, form_errors, result_text

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def rented(**overrides) -> dict:
    """A rented room in `other_area`, the landlord agreeing in the form (as CT01 has it)."""
    data = {
        "street": "Số 8, ngõ 2, đường Quang Trung",
        "date_from": (today() + dt.timedelta(days=1)).isoformat(),
        "date_to": (today() + dt.timedelta(days=365)).isoformat(),
        "basis": "rent",
        "consent_method": "form",
        "owner_name": "Lê Văn Chủ",
        "owner_personal_id": "019070009999",
        "owner_agrees": True,
    }
    data.update(overrides)
    return data


def draft_errors(citizen, procedure, area, form) -> dict[str, list[str]]:
    dossier = services.create_draft(citizen=citizen, procedure=procedure, area=area)
    with pytest.raises(ValidationError) as info:
        services.update_draft(dossier=dossier, actor=citizen, form_data=form)
    return form_errors(info)


def test_form_is_prefilled_from_the_registry(citizen, person, registration_procedure, area, unit):
    person.full_name = "Nguyễn Văn An"
    person.date_of_birth = dt.date(1990, 5, 17)
    person.save()
    dossier = services.create_draft(citizen=citizen, procedure=registration_procedure, area=area)
    assert dossier.form_data["personal_id"] == citizen.personal_id
    assert dossier.form_data["full_name"] == "Nguyễn Văn An"
    assert dossier.form_data["date_of_birth"] == "1990-05-17"
    assert dossier.form_data["sex"] == "M"


def test_happy_path_registers_and_ends_the_old_temporary_residence(
    citizen, person, household, registration_procedure, other_area, other_unit, approve
):
    old = add_temporary(
        person, household.address.area, "Số 3 phố Cũ", expires_on=today() + dt.timedelta(days=90)
    )
    dossier = file_dossier(
        citizen=citizen, procedure=registration_procedure, area=other_area, form=rented()
    )
    assert dossier.state == State.SUBMITTED and dossier.unit == other_unit
    dossier = approve(dossier)
    assert dossier.state == State.APPROVED

    new = TemporaryResidence.objects.get(person=person, ended_on__isnull=True)
    assert new.address.area == other_area and new.address.street == "Số 8, ngõ 2, đường Quang Trung"
    assert new.expires_on == today() + dt.timedelta(days=365)
    assert new.dossier_id == dossier.pk
    old.refresh_from_db()
    assert old.ended_on == today() and old.ended_by_id == dossier.pk
    kinds = set(RegistryChange.objects.filter(dossier=dossier).values_list("kind", flat=True))
    assert kinds == {"temporary_registered", "temporary_removed"}

    text = result_text(dossier)
    assert "Mẫu CT08" in text and "Đăng ký tạm trú" in text
    assert "Số 8, ngõ 2, đường Quang Trung, Phường Quyết Thắng" in text
    assert (today() + dt.timedelta(days=365)).strftime("%d/%m/%Y") in text


def test_a_person_not_yet_in_the_registry_is_created_on_approval(
    registration_procedure, area, unit, approve
):
    newcomer = make_citizen(
        "001096001111",
        "Phạm Thị Mới",
        in_registry=False,
        date_of_birth=dt.date(1996, 3, 4),
        sex="F",
        phone="+84900000111",
    )
    dossier = file_dossier(
        citizen=newcomer, procedure=registration_procedure, area=area, form=rented()
    )
    approve(dossier)
    residence = TemporaryResidence.objects.get(person__personal_id="001096001111")
    assert residence.person.full_name == "Phạm Thị Mới" and residence.address.area == area


def test_period_over_two_years_is_refused(citizen, person, registration_procedure, area, unit):
    start = today() + dt.timedelta(days=1)
    errors = draft_errors(
        citizen,
        registration_procedure,
        area,
        rented(date_from=start.isoformat(), date_to=(start + dt.timedelta(days=731)).isoformat()),
    )
    assert errors["date_to"] == [
        "Thời hạn tạm trú tối đa là 02 năm (730 ngày): chọn ngày kết thúc không muộn hơn "
        f"{(start + dt.timedelta(days=730)):%d/%m/%Y}."
    ]


def test_two_years_exactly_is_accepted(citizen, person, registration_procedure, area, unit):
    start = today()
    form = rented(date_from=start.isoformat(), date_to=(start + dt.timedelta(days=730)).isoformat())
    dossier = file_dossier(citizen=citizen, procedure=registration_procedure, area=area, form=form)
    assert dossier.state == State.SUBMITTED


def test_start_in_the_past_is_refused(citizen, person, registration_procedure, area, unit):
    errors = draft_errors(
        citizen,
        registration_procedure,
        area,
        rented(date_from=(today() - dt.timedelta(days=1)).isoformat()),
    )
    assert errors["date_from"] == [
        f"Ngày bắt đầu tạm trú không được trước ngày hôm nay ({today():%d/%m/%Y})."
    ]


def test_permanent_resident_at_that_address_is_refused(
    citizen, person, household, registration_procedure, area, unit
):
    errors = draft_errors(
        citizen, registration_procedure, area, rented(street="tổ  5", basis="own")
    )
    assert len(errors["street"]) == 1
    assert errors["street"][0].startswith(
        "Bạn đã đăng ký thường trú tại chính địa chỉ này (Tổ 5, Phường Phan Đình Phùng"
    )
    assert "không đăng ký tạm trú tại nơi đã đăng ký thường trú" in errors["street"][0]


def test_consent_missing_is_refused(citizen, person, registration_procedure, area, unit):
    errors = draft_errors(citizen, registration_procedure, area, rented(consent_method=""))
    assert errors["consent_method"] == [
        "Chỗ ở không thuộc sở hữu của bạn: cần ý kiến đồng ý của chủ hộ hoặc chủ sở hữu chỗ ở "
        "(ghi trong tờ khai hoặc nộp kèm văn bản đồng ý)."
    ]
    errors = draft_errors(citizen, registration_procedure, area, rented(owner_agrees=False))
    assert errors == {
        "owner_agrees": [
            "Chưa có ý kiến đồng ý của chủ hộ / chủ sở hữu chỗ ở cho bạn đăng ký tạm trú."
        ]
    }


def test_consent_as_attachment_requires_the_consent_letter(
    citizen, person, registration_procedure, area, unit
):
    form = rented(consent_method="attachment", owner_name="", owner_personal_id="", owner_agrees="")
    dossier = services.create_draft(citizen=citizen, procedure=registration_procedure, area=area)
    dossier = services.update_draft(dossier=dossier, actor=citizen, form_data=form)
    missing = [d.key for d in services.missing_documents(dossier=dossier)]
    # The e-form is the CT01: never asked as an upload; the consent letter is.
    assert missing == ["cho-o-hop-phap", "y-kien-chu-ho"]
    # In one's own home no consent letter is asked.
    dossier = services.update_draft(dossier=dossier, actor=citizen, form_data=rented(basis="own"))
    assert [d.key for d in services.missing_documents(dossier=dossier)] == ["cho-o-hop-phap"]


def test_minor_without_guardian_is_refused(registration_procedure, area, unit):
    born = today().replace(year=today().year - 16) - dt.timedelta(days=1)
    minor = make_citizen(
        "019210002222", "Nguyễn Văn Nhỏ", date_of_birth=born, sex="M", phone="+84900000222"
    )
    message = (
        "Người chưa thành niên đăng ký tạm trú cần ý kiến đồng ý của cha, mẹ hoặc người giám hộ: "
        "ghi họ tên, số định danh cá nhân và xác nhận đồng ý."
    )
    assert draft_errors(minor, registration_procedure, area, rented()) == {
        "guardian_name": [message]
    }
    with_guardian = rented(
        guardian_name="Nguyễn Văn Bố", guardian_personal_id="019080003333", guardian_agrees=True
    )
    dossier = file_dossier(
        citizen=minor, procedure=registration_procedure, area=area, form=with_guardian
    )
    assert dossier.state == State.SUBMITTED


def test_personal_id_not_the_accounts_is_refused(
    citizen, person, registration_procedure, area, unit
):
    errors = draft_errors(citizen, registration_procedure, area, rented(personal_id="001195004321"))
    assert errors["personal_id"] == [
        f"Số định danh cá nhân 001195004321 không phải của tài khoản đang nộp hồ sơ "
        f"({citizen.personal_id}): mỗi người tự đăng ký tạm trú bằng tài khoản định danh của mình."
    ]


def test_submit_rechecks_the_form(citizen, person, registration_procedure, area, unit):
    dossier = services.create_draft(
        citizen=citizen, procedure=registration_procedure, area=area, form_data=rented(basis="")
    )
    with pytest.raises(DomainError) as info:
        services.submit(dossier=dossier, actor=citizen)
    assert info.value.code == "invalid_form"
    assert info.value.details["basis"] == ["Vui lòng chọn căn cứ chỗ ở hợp pháp."]


def test_routed_to_the_commune_police_of_the_address(
    citizen, person, registration_procedure, other_area, other_unit
):
    dossier = file_dossier(
        citizen=citizen, procedure=registration_procedure, area=other_area, form=rented()
    )
    plugin = get_plugin(registration_procedure)
    assert plugin.area_for(dossier=dossier, data=dossier.form_data) == other_area
    assert dossier.unit == other_unit


@pytest.mark.parametrize("how", ["refuse", "withdraw"])
def test_refusal_or_withdrawal_leaves_the_registry_untouched(
    how,
    citizen,
    person,
    household,
    registration_procedure,
    other_area,
    other_unit_officer,
    to_processing,
):
    old = add_temporary(
        person, household.address.area, "Số 3 phố Cũ", expires_on=today() + dt.timedelta(days=90)
    )
    dossier = file_dossier(
        citizen=citizen, procedure=registration_procedure, area=other_area, form=rented()
    )
    if how == "refuse":
        dossier = to_processing(dossier)
        dossier = services.refuse(
            dossier=dossier,
            actor=other_unit_officer,
            reason="Chỗ ở không đủ điều kiện",
            legal_provision="Điều 27 Luật Cư trú 2020",
        )
        assert dossier.state == State.REFUSED
    else:
        dossier = services.withdraw(dossier=dossier, actor=citizen, reason="Không chuyển nữa")
        assert dossier.state == State.WITHDRAWN
    assert list(TemporaryResidence.objects.filter(person=person)) == [old]
    old.refresh_from_db()
    assert old.ended_on is None and old.ended_by_id is None
    assert not RegistryChange.objects.filter(person=person).exists()


def test_a_later_contradicting_approval_is_refused(
    citizen, person, registration_procedure, area, unit, other_area, other_unit, approve
):
    first = file_dossier(
        citizen=citizen, procedure=registration_procedure, area=other_area, form=rented()
    )
    second = file_dossier(
        citizen=citizen,
        procedure=registration_procedure,
        area=area,
        form=rented(street="Số 20 đường Hoàng Văn Thụ"),
    )
    approve(first)
    with pytest.raises(Conflict) as info:
        approve(second)
    assert info.value.code == "registry_changed"
    assert "một hồ sơ khác đã đăng ký tạm trú tại Số 8, ngõ 2" in info.value.message
    second.refresh_from_db()
    assert second.state == State.PROCESSING
    open_ = TemporaryResidence.objects.get(person=person, ended_on__isnull=True)
    assert open_.dossier_id == first.pk


def test_summary_reads_as_people_write_it(citizen, person, registration_procedure, area, unit):
    dossier = file_dossier(
        citizen=citizen, procedure=registration_procedure, area=area, form=rented()
    )
    rows = dict(get_plugin(registration_procedure).summary(dossier=dossier))
    assert rows["Căn cứ chỗ ở hợp pháp"] == "Thuê"
    assert rows["Chủ hộ / chủ sở hữu đồng ý cho đăng ký tạm trú tại chỗ ở này"] == "Có"
    assert rows["Tạm trú đến ngày"] == (today() + dt.timedelta(days=365)).strftime("%d/%m/%Y")
    assert "Cha, mẹ hoặc người giám hộ đồng ý" not in rows  # left empty: not listed
