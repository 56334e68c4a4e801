"""Gia hạn tạm trú (1.002755) and xóa đăng ký tạm trú (1.010028): prefill, each validation
message (extension: none, expired, outside the 15 days before expiry — 16 days refused, 15
accepted), routing, the approval's registry effect and CT08, refusal leaving the registry
untouched."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.dossiers import services
from portal.dossiers.models import State
from portal.dossiers.services import get_plugin
from residence.models import HouseholdMember, RegistryChange, TemporaryResidence
from tests.dossiers.conftest import put_in_registry
from tests.residence.temporary.conftest import add_temporary, file_dossier, form_errors, result_text

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def extension(new_expires_on: dt.date) -> dict:
    return {"new_expires_on": new_expires_on.isoformat()}


def draft_errors(citizen, procedure, area, form) -> dict[str, list[str]]:
    dossier = services.create_draft(citizen=citizen, procedure=procedure, area=area)
    with pytest.raises(ValidationError) as info:
        services.update_draft(dossier=dossier, actor=citizen, form_data=form)
    return form_errors(info)


# --- gia hạn tạm trú ---------------------------------------------------------------------------


def test_extension_form_is_prefilled_with_the_current_residence(
    citizen, person, extension_procedure, other_area, other_unit
):
    expires = today() + dt.timedelta(days=10)
    add_temporary(person, other_area, "Số 8 ngõ 2", expires_on=expires)
    dossier = services.create_draft(citizen=citizen, procedure=extension_procedure, area=other_area)
    assert dossier.form_data["temporary_address"].startswith("Số 8 ngõ 2, Phường Quyết Thắng")
    assert dossier.form_data["current_expires_on"] == expires.isoformat()
    assert dossier.form_data["personal_id"] == citizen.personal_id


def test_extension_happy_path(citizen, person, extension_procedure, other_area, approve):
    expires = today() + dt.timedelta(days=10)
    residence = add_temporary(person, other_area, "Số 8 ngõ 2", expires_on=expires)
    new_end = expires + dt.timedelta(days=365)
    dossier = file_dossier(
        citizen=citizen, procedure=extension_procedure, area=other_area, form=extension(new_end)
    )
    # What the citizen sees of the current residence is the registry's, whatever was posted.
    assert dossier.form_data["current_expires_on"] == expires.isoformat()
    dossier = approve(dossier)
    residence.refresh_from_db()
    assert residence.expires_on == new_end and residence.extensions == 1
    assert residence.ended_on is None
    change = RegistryChange.objects.get(dossier=dossier)
    assert change.kind == "temporary_extended" and change.person == person
    assert change.details["old_expires_on"] == expires.isoformat()
    text = result_text(dossier)
    assert "Mẫu CT08" in text and "Gia hạn tạm trú" in text
    assert new_end.strftime("%d/%m/%Y") in text and "Số 8 ngõ 2" in text


def test_extension_without_a_temporary_residence_is_refused(
    citizen, person, extension_procedure, area, unit
):
    errors = draft_errors(
        citizen, extension_procedure, area, extension(today() + dt.timedelta(days=100))
    )
    assert errors == {
        "temporary_address": [
            "Bạn không có nơi tạm trú nào đang được đăng ký trong Cơ sở dữ liệu về cư trú: "
            "không thể gia hạn. Hãy nộp hồ sơ đăng ký tạm trú."
        ]
    }


def test_extension_of_an_expired_residence_is_refused(
    citizen, person, extension_procedure, area, unit
):
    expired = today() - dt.timedelta(days=1)
    add_temporary(person, area, "Số 8 ngõ 2", expires_on=expired)
    errors = draft_errors(
        citizen, extension_procedure, area, extension(today() + dt.timedelta(days=100))
    )
    assert errors == {
        "current_expires_on": [
            f"Thời hạn tạm trú của bạn đã hết ngày {expired:%d/%m/%Y}: không thể gia hạn nữa. "
            "Hãy nộp hồ sơ đăng ký tạm trú mới."
        ]
    }


def test_extension_16_days_before_expiry_is_refused_with_the_opening_date(
    citizen, person, extension_procedure, area, unit
):
    expires = today() + dt.timedelta(days=16)
    add_temporary(person, area, "Số 8 ngõ 2", expires_on=expires)
    errors = draft_errors(
        citizen, extension_procedure, area, extension(expires + dt.timedelta(days=100))
    )
    opens = today() + dt.timedelta(days=1)
    assert errors == {
        "current_expires_on": [
            f"Chỉ được gia hạn tạm trú trong 15 ngày trước khi hết hạn ({expires:%d/%m/%Y}): "
            f"bạn có thể nộp hồ sơ gia hạn từ ngày {opens:%d/%m/%Y}."
        ]
    }


@pytest.mark.parametrize("days_left", [15, 0])
def test_extension_within_the_15_days_is_accepted(
    days_left, citizen, person, extension_procedure, area, unit
):
    expires = today() + dt.timedelta(days=days_left)
    add_temporary(person, area, "Số 8 ngõ 2", expires_on=expires)
    dossier = file_dossier(
        citizen=citizen,
        procedure=extension_procedure,
        area=area,
        form=extension(expires + dt.timedelta(days=100)),
    )
    assert dossier.state == State.SUBMITTED


def test_extension_beyond_two_years_or_not_later_is_refused(
    citizen, person, extension_procedure, area, unit
):
    expires = today() + dt.timedelta(days=5)
    add_temporary(person, area, "Số 8 ngõ 2", expires_on=expires)
    last = expires + dt.timedelta(days=730)
    errors = draft_errors(
        citizen, extension_procedure, area, extension(last + dt.timedelta(days=1))
    )
    assert errors == {
        "new_expires_on": [
            f"Mỗi lần gia hạn tối đa 02 năm: chọn ngày không muộn hơn {last:%d/%m/%Y}."
        ]
    }
    errors = draft_errors(citizen, extension_procedure, area, extension(expires))
    assert errors == {
        "new_expires_on": [
            f"Ngày gia hạn đến phải sau thời hạn tạm trú hiện tại ({expires:%d/%m/%Y})."
        ]
    }


def test_extension_is_routed_to_the_commune_of_the_residence(
    citizen, person, extension_procedure, area, unit, other_area
):
    add_temporary(person, other_area, "Số 8 ngõ 2", expires_on=today() + dt.timedelta(days=3))
    dossier = services.create_draft(citizen=citizen, procedure=extension_procedure, area=area)
    plugin = get_plugin(extension_procedure)
    assert plugin.area_for(dossier=dossier, data=dossier.form_data) == other_area


def test_refused_extension_leaves_the_registry_untouched(
    citizen, person, extension_procedure, area, unit_leader, to_processing
):
    expires = today() + dt.timedelta(days=3)
    residence = add_temporary(person, area, "Số 8 ngõ 2", expires_on=expires)
    dossier = file_dossier(
        citizen=citizen,
        procedure=extension_procedure,
        area=area,
        form=extension(expires + dt.timedelta(days=200)),
    )
    dossier = services.refuse(
        dossier=to_processing(dossier),
        actor=unit_leader,
        reason="Không còn sinh sống tại chỗ ở",
        legal_provision="Điều 28 Luật Cư trú 2020",
    )
    residence.refresh_from_db()
    assert residence.expires_on == expires and residence.extensions == 0
    assert not RegistryChange.objects.filter(person=person).exists()


# --- xóa đăng ký tạm trú -----------------------------------------------------------------------


def removal(**overrides) -> dict:
    data = {"whose": "self", "reason": "lease_ended"}
    data.update(overrides)
    return data


def test_removal_of_ones_own_residence(citizen, person, removal_procedure, area, approve):
    residence = add_temporary(
        person, area, "Số 8 ngõ 2", expires_on=today() + dt.timedelta(days=50)
    )
    dossier = file_dossier(citizen=citizen, procedure=removal_procedure, area=area, form=removal())
    dossier = approve(dossier)
    residence.refresh_from_db()
    assert residence.ended_on == today() and residence.ended_by_id == dossier.pk
    assert residence.end_reason.startswith("Đã chấm dứt việc thuê, mượn, ở nhờ")
    assert RegistryChange.objects.get(dossier=dossier).kind == "temporary_removed"
    text = result_text(dossier)
    assert "Mẫu CT08" in text and "Xóa đăng ký tạm trú" in text and "Số 8 ngõ 2" in text


def test_removal_for_a_household_member(
    citizen, person, household, other_citizen, removal_procedure, area, approve
):
    member = put_in_registry(other_citizen)
    HouseholdMember.objects.create(
        household=household, person=member, relation="spouse", joined_on=dt.date(2020, 1, 1)
    )
    mine = add_temporary(person, area, "Số 1 ngõ 1", expires_on=today() + dt.timedelta(days=50))
    theirs = add_temporary(member, area, "Số 8 ngõ 2", expires_on=today() + dt.timedelta(days=50))
    dossier = file_dossier(
        citizen=citizen,
        procedure=removal_procedure,
        area=area,
        form=removal(whose="member", member_personal_id=member.personal_id, reason="absent"),
    )
    approve(dossier)
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.ended_on == today() and mine.ended_on is None


def test_removal_for_someone_outside_the_household_is_refused(
    citizen, person, household, other_citizen, removal_procedure, area, unit
):
    stranger = put_in_registry(other_citizen)
    add_temporary(stranger, area, "Số 8 ngõ 2", expires_on=today() + dt.timedelta(days=50))
    errors = draft_errors(
        citizen,
        removal_procedure,
        area,
        removal(whose="member", member_personal_id=stranger.personal_id),
    )
    assert errors == {
        "member_personal_id": [
            f"Người có số định danh {stranger.personal_id} không phải thành viên hộ gia đình "
            "của bạn trong Cơ sở dữ liệu về cư trú."
        ]
    }


def test_removal_without_an_open_residence_in_this_commune_is_refused(
    citizen, person, removal_procedure, area, unit, other_area
):
    add_temporary(person, other_area, "Số 8 ngõ 2", expires_on=today() + dt.timedelta(days=50))
    errors = draft_errors(citizen, removal_procedure, area, removal())
    assert errors == {
        "whose": [
            f"{person.full_name} không có đăng ký tạm trú còn hiệu lực tại Phường Phan Đình "
            "Phùng: không có gì để xóa ở xã / phường này."
        ]
    }


def test_removal_routing_and_refusal_leaves_the_registry_untouched(
    citizen, person, removal_procedure, area, unit_leader, to_processing
):
    residence = add_temporary(
        person, area, "Số 8 ngõ 2", expires_on=today() + dt.timedelta(days=50)
    )
    dossier = file_dossier(citizen=citizen, procedure=removal_procedure, area=area, form=removal())
    plugin = get_plugin(removal_procedure)
    assert plugin.area_for(dossier=dossier, data=dossier.form_data) == area
    services.refuse(
        dossier=to_processing(dossier),
        actor=unit_leader,
        reason="Không thuộc trường hợp xóa đăng ký tạm trú",
        legal_provision="Khoản 1 Điều 29 Luật Cư trú 2020",
    )
    residence.refresh_from_db()
    assert residence.ended_on is None
    assert TemporaryResidence.objects.filter(person=person, ended_on__isnull=True).count() == 1
    assert not RegistryChange.objects.filter(person=person).exists()
