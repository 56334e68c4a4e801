"""1.010039 Điều chỉnh thông tin trong Cơ sở dữ liệu về cư trú."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.dossiers import services
from portal.dossiers.registry import registry
from residence.models import Person, RegistryChange
from residence.services.common import current_membership
from tests.residence.permanent.conftest import (
    errors_of,
    make_citizen,
    make_person,
    registry_snapshot,
    result_text,
    settle,
)

CODE = "1.010039"


def form(**overrides) -> dict:
    data = {
        "field": "full_name",
        "new_value": "Nguyễn Văn Ân",
        "basis": "Trích lục cải chính hộ tịch số 12/2026",
    }
    data.update(overrides)
    return data


def test_name_corrected(citizen, family, procedures, area, unit, file, decide):
    an = family["an"]
    draft = file(citizen, procedures[CODE], form(), area=area, submit=False)
    plugin = registry.get(CODE)
    assert plugin.area_for(dossier=draft, data=draft.form_data) == area
    # The proof of the change is mandatory (catalogue); the CT01 upload is not asked for.
    assert [d.key for d in services.missing_documents(dossier=draft)] == ["chung-minh-thuoc-dien"]
    dossier = decide(
        file(citizen, procedures[CODE], form(new_value="  Nguyễn   Văn Ân "), area=area)
    )
    assert dossier.unit == unit and dossier.state == "approved"
    an.refresh_from_db()
    assert an.full_name == "Nguyễn Văn Ân"  # spaces tidied
    change = RegistryChange.objects.get(person=an, kind="information_corrected")
    assert change.details["field"] == "full_name" and change.details["old"] == "Nguyễn Văn An"
    assert change.dossier_id == dossier.pk
    text = result_text(dossier)
    assert "Điều chỉnh thông tin" in text and "Nguyễn Văn An" in text and an.full_name in text


@pytest.mark.parametrize(
    "field,typed,stored,shown",
    [
        ("date_of_birth", "18/05/1990", dt.date(1990, 5, 18), "18/05/1990"),
        ("sex", "Nữ", "F", "Nữ"),
        (
            "hometown",
            "Xã Phú Xuyên, tỉnh Thái Nguyên",
            "Xã Phú Xuyên, tỉnh Thái Nguyên",
            "Phú Xuyên",
        ),
        ("ethnicity", "Tày", "Tày", "Tày"),
        ("religion", "Phật giáo", "Phật giáo", "Phật giáo"),
    ],
)
def test_each_field_is_corrected(
    field, typed, stored, shown, citizen, family, procedures, area, file, decide
):
    dossier = decide(file(citizen, procedures[CODE], form(field=field, new_value=typed), area=area))
    person = Person.objects.get(pk=family["an"].pk)
    assert getattr(person, field) == stored
    assert shown in result_text(dossier)


def test_change_of_household_head(citizen, family, procedures, area, file, decide):
    data = form(
        field="household_head", new_value=family["binh"].personal_id, former_head_relation="spouse"
    )
    dossier = decide(file(citizen, procedures[CODE], data, area=area))
    assert current_membership(family["binh"]).relation == "head"
    assert current_membership(family["an"]).relation == "spouse"
    assert current_membership(family["binh"]).household == family["household"]
    text = result_text(dossier)
    assert "Thay đổi chủ hộ" in text and "Trần Thị Bình" in text
    # One history row for each of the two people whose relation changed.
    assert RegistryChange.objects.filter(dossier=dossier).count() == 2


@pytest.mark.parametrize(
    "field,typed,message",
    [
        (
            "full_name",
            "Nguyễn Văn An",
            "Thông tin mới trùng với thông tin hiện có trong CSDL cư trú.",
        ),
        (
            "date_of_birth",
            "17/05/1990",
            "Thông tin mới trùng với thông tin hiện có trong CSDL cư trú.",
        ),
        ("date_of_birth", "31/02/1990", "Ngày sinh mới không hợp lệ (ngày/tháng/năm)."),
        ("sex", "Khác", "Giới tính mới phải là “Nam” hoặc “Nữ”."),
        (
            "household_head",
            "12345",
            "Vui lòng nhập số định danh cá nhân (12 chữ số) của chủ hộ mới.",
        ),
    ],
)
def test_invalid_or_unchanged_values(
    field, typed, message, citizen, family, procedures, area, file
):
    errors = errors_of(
        lambda: file(citizen, procedures[CODE], form(field=field, new_value=typed), area=area)
    )
    assert errors["new_value"] == [message]


def test_date_of_birth_in_the_future(citizen, family, procedures, area, file):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    data = form(field="date_of_birth", new_value=tomorrow)
    errors = errors_of(lambda: file(citizen, procedures[CODE], data, area=area))
    assert errors["new_value"] == ["Ngày sinh mới không được sau ngày hôm nay."]


def test_name_validator_applies(citizen, family, procedures, area, file):
    from portal.core.text import name_problem

    bad = "Nguyễn <b>Ân</b>"
    assert name_problem(bad)
    errors = errors_of(lambda: file(citizen, procedures[CODE], form(new_value=bad), area=area))
    assert errors["new_value"] == [name_problem(bad)]


def test_new_head_must_be_a_member_and_not_the_head(citizen, family, procedures, area, file):
    stranger = make_person("019060000030", "Cao Văn Ngoài")
    settle(stranger, area=area, street="Tổ 7")
    data = form(field="household_head", new_value=stranger.personal_id)
    errors = errors_of(lambda: file(citizen, procedures[CODE], data, area=area))
    assert errors["new_value"] == [
        "Chủ hộ mới (số định danh 019060000030) phải là thành viên trong hộ của bạn."
    ]
    data = form(field="household_head", new_value=family["an"].personal_id)
    errors = errors_of(lambda: file(citizen, procedures[CODE], data, area=area))
    assert errors["new_value"] == [
        "Nguyễn Văn An đã là chủ hộ; thông tin mới phải khác thông tin hiện có."
    ]


def test_routed_to_the_commune_of_permanent_residence(
    procedures, area, other_area, other_unit, file, decide
):
    user = make_citizen("019060000031", "Bùi Văn Xa", area=area, phone="+84912000031")
    settle(make_person(user.personal_id, user.full_name), area=other_area, street="Tổ 3")
    draft = file(user, procedures[CODE], form(new_value="Bùi Văn Gần"), area=area, submit=False)
    assert registry.get(CODE).area_for(dossier=draft, data=draft.form_data) == other_area
    dossier = decide(file(user, procedures[CODE], form(new_value="Bùi Văn Gần"), area=other_area))
    assert dossier.unit == other_unit
    assert Person.objects.get(personal_id=user.personal_id).full_name == "Bùi Văn Gần"


def test_refusal_leaves_the_registry_untouched(citizen, family, procedures, area, file, refuse):
    before = registry_snapshot()
    dossier = refuse(file(citizen, procedures[CODE], form(), area=area))
    assert dossier.state == "refused"
    assert registry_snapshot() == before
