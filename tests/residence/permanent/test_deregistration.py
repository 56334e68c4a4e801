"""1.003197 Xóa đăng ký thường trú."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.dossiers.registry import registry
from residence.models import Household, PermanentResidence, RegistryChange
from residence.services.common import current_membership, current_permanent
from tests.residence.permanent.conftest import (
    errors_of,
    make_citizen,
    make_person,
    registry_snapshot,
    result_text,
    settle,
    today_vn,
)

CODE = "1.003197"


def form(**overrides) -> dict:
    data = {"subject": "self", "reason": "emigrated", "reason_detail": "Định cư tại Úc"}
    data.update(overrides)
    return data


def test_member_deregisters_herself(other_citizen, family, procedures, area, unit, file, decide):
    binh = family["binh"]
    residence = current_permanent(binh)
    plugin = registry.get(CODE)
    draft = file(other_citizen, procedures[CODE], form(), area=area, submit=False)
    assert plugin.area_for(dossier=draft, data=draft.form_data) == area
    # No CT01 upload; the proof of the case is optional in the catalogue.
    assert [d.key for d in plugin.required_documents(dossier=draft)] == []
    dossier = decide(file(other_citizen, procedures[CODE], form(), area=area))
    assert dossier.unit == unit and dossier.state == "approved"

    residence.refresh_from_db()
    assert residence.ended_on == dt.date.today() and residence.ended_by_id == dossier.pk
    assert residence.end_reason == "Ra nước ngoài để định cư"
    assert current_membership(binh) is None
    assert current_membership(family["an"]).household == family["household"]
    change = RegistryChange.objects.get(person=binh, kind="permanent_removed")
    assert change.dossier_id == dossier.pk

    text = result_text(dossier)
    assert "Xóa đăng ký thường trú" in text and "Trần Thị Bình" in text
    assert "Ra nước ngoài để định cư" in text and "Tổ 5" in text and today_vn() in text


def test_head_deregisters_a_member_of_the_household(
    citizen, family, procedures, area, file, decide
):
    data = form(subject="member", member_personal_id=family["em"].personal_id, reason="died")
    dossier = decide(file(citizen, procedures[CODE], data, area=area))
    residence = PermanentResidence.objects.get(person=family["em"], dossier__isnull=True)
    assert residence.ended_by_id == dossier.pk
    assert residence.end_reason.startswith("Chết")
    assert current_permanent(family["em"]) is None


def test_a_head_alone_deregisters_and_the_household_ends(procedures, area, file, decide):
    user = make_citizen("019060000009", "Hoàng Văn Một", area=area, phone="+84912000009")
    person = make_person(user.personal_id, user.full_name)
    household = settle(person, area=area, street="Xóm Đồi")
    decide(file(user, procedures[CODE], form(reason="registered_elsewhere"), area=area))
    household.refresh_from_db()
    assert household.dissolved_at is not None
    assert current_permanent(person) is None


def test_routed_to_the_commune_where_the_person_is_registered(
    procedures, area, other_area, other_unit, file, decide
):
    user = make_citizen("019060000010", "Vũ Thị Hai", area=area, phone="+84912000010")
    settle(make_person(user.personal_id, user.full_name), area=other_area, street="Tổ 2")
    plugin = registry.get(CODE)
    draft = file(user, procedures[CODE], form(), area=area, submit=False)
    assert plugin.area_for(dossier=draft, data=draft.form_data) == other_area
    dossier = decide(file(user, procedures[CODE], form(), area=other_area))
    assert dossier.unit == other_unit and dossier.state == "approved"


def test_no_current_permanent_residence(procedures, area, file):
    user = make_citizen("019060000011", "Lý Văn Ba", area=area, phone="+84912000011")
    make_person(user.personal_id, user.full_name)
    errors = errors_of(lambda: file(user, procedures[CODE], form(), area=area))
    assert errors["subject"] == [
        "Lý Văn Ba hiện không có đăng ký thường trú trong Cơ sở dữ liệu về cư trú."
    ]


def test_requester_not_in_the_registry(procedures, area, file):
    user = make_citizen(
        "019060000012", "Mai Văn Bốn", area=area, phone="+84912000012", in_registry=False
    )
    errors = errors_of(lambda: file(user, procedures[CODE], form(), area=area))
    assert errors["__all__"] == [
        "Không tìm thấy thông tin của bạn (số định danh 019060000012) trong Cơ sở dữ liệu về cư trú."
    ]


def test_member_validation(citizen, family, procedures, area, file):
    errors = errors_of(lambda: file(citizen, procedures[CODE], form(subject="member"), area=area))
    assert errors["member_personal_id"] == [
        "Vui lòng nhập số định danh cá nhân của thành viên cần xóa đăng ký."
    ]
    data = form(subject="member", member_personal_id="019999999999")
    errors = errors_of(lambda: file(citizen, procedures[CODE], data, area=area))
    assert errors["member_personal_id"] == [
        "Không tìm thấy người có số định danh 019999999999 trong Cơ sở dữ liệu về cư trú."
    ]
    stranger = make_person("019060000013", "Đinh Văn Lạ")
    settle(stranger, area=area, street="Tổ 8")
    data = form(subject="member", member_personal_id=stranger.personal_id)
    errors = errors_of(lambda: file(citizen, procedures[CODE], data, area=area))
    assert errors["member_personal_id"] == [
        "Đinh Văn Lạ không cùng hộ gia đình với bạn; chỉ được đề nghị xóa đăng ký thường trú cho "
        "thành viên trong hộ của mình."
    ]


def test_a_head_with_members_must_hand_over_first(citizen, family, procedures, area, file):
    errors = errors_of(lambda: file(citizen, procedures[CODE], form(), area=area))
    assert errors["subject"] == [
        f"Nguyễn Văn An đang là chủ hộ của hộ {family['household'].number} còn 4 thành viên "
        "khác. Vui lòng làm thủ tục điều chỉnh thông tin trong Cơ sở dữ liệu về cư trú để thay "
        "đổi chủ hộ trước."
    ]


def test_reason_must_be_a_legal_ground(other_citizen, family, procedures, area, file):
    errors = errors_of(
        lambda: file(other_citizen, procedures[CODE], form(reason="bored"), area=area)
    )
    assert errors["reason"]  # Django's "Hãy chọn một lựa chọn hợp lệ" in Vietnamese


@pytest.mark.parametrize("how", ["refuse", "withdraw"])
def test_refusal_or_withdrawal_leaves_the_registry_untouched(
    how, other_citizen, family, procedures, area, file, refuse
):
    from portal.dossiers import services

    before = registry_snapshot()
    dossier = file(other_citizen, procedures[CODE], form(), area=area)
    if how == "refuse":
        dossier = refuse(dossier)
    else:
        dossier = services.withdraw(dossier=dossier, actor=other_citizen, reason="Không đi nữa")
    assert dossier.state in ("refused", "withdrawn")
    assert registry_snapshot() == before
    assert Household.objects.get(pk=family["household"].pk).dissolved_at is None
