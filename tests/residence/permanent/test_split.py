"""1.010038 Tách hộ."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.dossiers import services
from portal.dossiers.registry import registry
from residence.models import Household, HouseholdMember, RegistryChange
from residence.services.common import current_membership, current_permanent
from tests.residence.permanent.conftest import (
    errors_of,
    make_person,
    registry_snapshot,
    result_text,
    settle,
)

CODE = "1.010038"


def form(family, **overrides) -> dict:
    an = family["an"]
    data = {
        "new_head_personal_id": family["cuong"].personal_id,
        "members": [
            {"personal_id": family["dung"].personal_id, "relation": "spouse"},
            {"personal_id": family["em"].personal_id, "relation": "child"},
        ],
        "consent_name": an.full_name,
        "consent_personal_id": an.personal_id,
        "consent_given": True,
    }
    data.update(overrides)
    return data


def test_son_splits_off_with_his_family(family, procedures, area, unit, file, decide):
    cuong, dung, em, old = family["cuong"], family["dung"], family["em"], family["household"]
    user = family["cuong_account"]
    draft = file(user, procedures[CODE], form(family), area=area, submit=False)
    plugin = registry.get(CODE)
    assert plugin.area_for(dossier=draft, data=draft.form_data) == area
    assert [d.key for d in services.missing_documents(dossier=draft)] == []  # consent in form
    dossier = decide(file(user, procedures[CODE], form(family), area=area))
    assert dossier.unit == unit and dossier.state == "approved"

    new = current_membership(cuong).household
    assert new != old and new.address == old.address and new.dossier_id == dossier.pk
    assert current_membership(cuong).relation == "head"
    assert current_membership(dung).relation == "spouse"
    assert current_membership(em).relation == "child"
    for person in (cuong, dung, em):
        assert current_permanent(person).household == new
        left = HouseholdMember.objects.get(person=person, household=old)
        assert left.left_on == dt.date.today() and left.ended_by_id == dossier.pk
        change = RegistryChange.objects.get(person=person, kind="household_split")
        assert change.details["to_household"] == new.number
    # The old household keeps its head and the wife.
    remaining = HouseholdMember.objects.filter(household=old, left_on__isnull=True)
    assert {m.person_id for m in remaining} == {family["an"].pk, family["binh"].pk}
    assert current_permanent(family["an"]).household == old

    text = result_text(dossier)
    assert "Tách hộ" in text and new.number in text and old.number in text
    assert "Đỗ Thị Dung" in text and "Nguyễn Văn Em" in text


def test_the_head_files_without_a_consent(citizen, family, procedures, area, file, decide):
    data = form(family, consent_name="", consent_personal_id="", consent_given=False)
    dossier = decide(file(citizen, procedures[CODE], data, area=area))
    assert dossier.state == "approved"
    assert current_membership(family["cuong"]).relation == "head"


def test_consent_by_letter_requires_the_letter(family, procedures, area, file):
    user = family["cuong_account"]
    data = form(family, consent_given=False, consent_by_letter=True)
    draft = file(user, procedures[CODE], data, area=area, submit=False)
    assert [d.key for d in services.missing_documents(dossier=draft)] == ["y-kien-chu-ho"]


def test_consent_missing_or_from_someone_else(family, procedures, area, file):
    user = family["cuong_account"]
    data = form(family, consent_name="", consent_personal_id="", consent_given=False)
    errors = errors_of(lambda: file(user, procedures[CODE], data, area=area))
    assert errors["consent_given"] == [
        "Cần ý kiến đồng ý cho tách hộ của chủ hộ Nguyễn Văn An (ghi họ tên, số định danh và "
        "đánh dấu đồng ý) hoặc đính kèm văn bản đồng ý."
    ]
    data = form(family, consent_name="Trần Thị Bình", consent_personal_id="001195004321")
    errors = errors_of(lambda: file(user, procedures[CODE], data, area=area))
    assert errors["consent_personal_id"] == [
        f"Người cho ý kiến đồng ý phải là chủ hộ {family['household'].number} (Nguyễn Văn An)."
    ]


def test_requester_not_a_member(other_area, family, procedures, area, file):
    from tests.residence.permanent.conftest import make_citizen

    outsider = make_citizen("019060000020", "Tạ Văn Ngoài", area=area, phone="+84912000020")
    settle(make_person(outsider.personal_id, outsider.full_name), area=area, street="Tổ 6")
    errors = errors_of(lambda: file(outsider, procedures[CODE], form(family), area=area))
    assert errors["__all__"] == [
        f"Bạn không phải là thành viên của hộ {family['household'].number} nên không thể đề "
        "nghị tách hộ."
    ]


def test_leaving_member_not_in_the_household(family, procedures, area, file):
    stranger = make_person("019060000021", "Đinh Thị Khác", sex="F")
    settle(stranger, area=area, street="Tổ 9")
    members = [{"personal_id": stranger.personal_id, "relation": "spouse"}]
    data = form(family, members=members)
    errors = errors_of(lambda: file(family["cuong_account"], procedures[CODE], data, area=area))
    assert errors["members"] == [
        f"Thành viên 1 (số định danh 019060000021) không phải thành viên của hộ "
        f"{family['household'].number}."
    ]


def test_new_head_must_be_a_member_other_than_the_head(citizen, family, procedures, area, file):
    data = form(family, new_head_personal_id="019999999998")
    errors = errors_of(lambda: file(citizen, procedures[CODE], data, area=area))
    assert errors["new_head_personal_id"] == [
        "Chủ hộ mới (số định danh 019999999998) không là thành viên của hộ gia đình nào."
    ]
    data = form(family, new_head_personal_id=family["an"].personal_id, members=[])
    errors = errors_of(lambda: file(citizen, procedures[CODE], data, area=area))
    assert errors["new_head_personal_id"] == [
        f"Nguyễn Văn An đang là chủ hộ của hộ {family['household'].number}; chủ hộ mới phải là "
        "thành viên khác."
    ]


def test_the_head_cannot_leave_and_someone_must_stay(citizen, family, procedures, area, file):
    members = [
        {"personal_id": p.personal_id, "relation": "other"}
        for p in (family["an"], family["binh"], family["dung"], family["em"])
    ]
    data = form(family, members=members)
    errors = errors_of(lambda: file(citizen, procedures[CODE], data, area=area))
    assert "Thành viên 1 (Nguyễn Văn An) là chủ hộ hiện tại" in errors["members"][0]
    assert "Phải còn ít nhất một người ở lại hộ cũ." in errors["members"]


def test_a_person_listed_twice(family, procedures, area, file):
    members = [{"personal_id": family["dung"].personal_id, "relation": "spouse"}] * 2
    data = form(family, members=members)
    errors = errors_of(lambda: file(family["cuong_account"], procedures[CODE], data, area=area))
    assert errors["members"] == ["Một người được kê khai hai lần trong danh sách."]


def test_refusal_leaves_the_registry_untouched(family, procedures, area, file, refuse):
    before = registry_snapshot()
    households = Household.objects.count()
    dossier = refuse(file(family["cuong_account"], procedures[CODE], form(family), area=area))
    assert dossier.state == "refused"
    assert registry_snapshot() == before and Household.objects.count() == households


@pytest.mark.parametrize("leaves", ["dung"])
def test_a_member_who_left_meanwhile_makes_approval_conflict(
    leaves, family, procedures, area, file, decide, leader_of
):
    from portal.core.errors import Conflict

    dossier = decide(
        file(family["cuong_account"], procedures[CODE], form(family), area=area), approve=False
    )
    HouseholdMember.objects.filter(person=family[leaves], left_on__isnull=True).update(
        left_on=dt.date.today()
    )
    with pytest.raises(Conflict) as info:
        services.approve(dossier=dossier, actor=leader_of(dossier)[2])
    assert "Đỗ Thị Dung không còn là thành viên" in info.value.message
    assert current_membership(family["cuong"]).household == family["household"]


def test_summary_reads_as_people_read_it(family, procedures, area, file):
    draft = file(family["cuong_account"], procedures[CODE], form(family), area=area, submit=False)
    rows = dict(registry.get(CODE).summary(dossier=draft))
    assert rows["Các thành viên cùng tách sang hộ mới (ngoài chủ hộ mới)"] == (
        "019200000004 (Vợ/chồng); 019200000005 (Con)"
    )
    assert rows["Chủ hộ đồng ý cho tách hộ"] == "Có"
    assert "Tôi đính kèm văn bản đồng ý của chủ hộ" not in rows  # not ticked
