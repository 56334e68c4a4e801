"""1.004222 Đăng ký thường trú: form, validation against the registry, approval effect, CT08."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from portal.core.errors import Conflict
from portal.dossiers import services
from portal.dossiers.registry import registry
from residence.models import (
    Household,
    HouseholdMember,
    PermanentResidence,
    RegistryChange,
)
from residence.services.common import current_membership, current_permanent
from tests.residence.permanent.conftest import (
    make_citizen,
    make_person,
    result_text,
    settle,
    today_vn,
)

CODE = "1.004222"
NEW_STREET = "Số 12 đường Lương Ngọc Quyến"


def form(citizen, **overrides) -> dict:
    data = {
        "full_name": citizen.full_name,
        "date_of_birth": citizen.date_of_birth.isoformat(),
        "sex": "M",
        "personal_id": citizen.personal_id,
        "phone": "0912345678",
        "email": "",
        "street": NEW_STREET,
        "basis": "owned",
        "household_choice": "new",
    }
    data.update(overrides)
    return data


def errors_of(fn) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        fn()
    return info.value.message_dict


@pytest.fixture
def me(citizen, other_area):
    """The citizen in the registry: head of a one-person household in the other commune."""
    person = make_person(citizen.personal_id, citizen.full_name, citizen.date_of_birth)
    settle(person, area=other_area, street="Số 3 ngõ 5 phố Quang Trung")
    return person


@pytest.fixture
def host(area):
    """A household at NEW_STREET in the citizen's chosen commune, headed by Lê Văn Chủ."""
    head = make_person("019070000001", "Lê Văn Chủ", dt.date(1970, 3, 4))
    household = settle(head, area=area, street=NEW_STREET)
    return household, head


def test_form_is_prefilled_from_the_registry(citizen, me, procedures, area):
    me.full_name = "Nguyễn Văn Ân"  # the registry's spelling wins over the account's
    me.save()
    initial = registry.get(CODE).initial(citizen=citizen)
    assert initial["full_name"] == "Nguyễn Văn Ân"
    assert initial["date_of_birth"] == "1990-05-17"
    assert initial["personal_id"] == citizen.personal_id
    assert initial["sex"] == "M"
    dossier = services.create_draft(citizen=citizen, procedure=procedures[CODE], area=area)
    assert dossier.form_data["full_name"] == "Nguyễn Văn Ân"


def test_new_household_happy_path(citizen, me, procedures, area, unit, file, decide):
    old = current_permanent(me)
    old_household = old.household
    dossier = file(citizen, procedures[CODE], form(citizen), area=area)
    assert dossier.unit == unit  # routed to the police of the commune of the new address
    dossier = decide(dossier)
    assert dossier.state == "approved"

    old.refresh_from_db()
    assert old.ended_on == dt.date.today() and old.ended_by_id == dossier.pk
    new = current_permanent(me)
    assert new.address.area == area and new.address.street == NEW_STREET
    assert new.dossier_id == dossier.pk
    membership = current_membership(me)
    assert membership.relation == "head" and membership.household == new.household
    assert membership.household != old_household
    old_household.refresh_from_db()
    assert old_household.dissolved_at is not None  # its only member left
    change = RegistryChange.objects.get(person=me, kind="permanent_registered")
    assert change.dossier_id == dossier.pk
    assert change.details["previous_address"].startswith("Số 3 ngõ 5")

    text = result_text(dossier)
    assert "Mẫu CT08" in text and "Đăng ký thường trú" in text
    assert NEW_STREET in text and new.household.number in text
    assert today_vn() in text


def test_a_person_new_to_the_registry_is_created(citizen, procedures, area, file, decide):
    dossier = decide(file(citizen, procedures[CODE], form(citizen), area=area))
    residence = PermanentResidence.objects.get(person__personal_id=citizen.personal_id)
    assert residence.person.full_name == "Nguyễn Văn An"
    assert residence.person.date_of_birth == dt.date(1990, 5, 17)
    assert residence.ended_on is None and residence.dossier_id == dossier.pk


def test_join_household_with_consent_in_the_form(citizen, me, host, procedures, area, file, decide):
    household, head = host
    data = form(
        citizen,
        basis="kinship",
        household_choice="join",
        household_ref=household.number,
        relation="sibling",
        consent_name=head.full_name,
        consent_personal_id=head.personal_id,
        consent_given="on",
    )
    draft = file(citizen, procedures[CODE], data, area=area, submit=False)
    keys = {d.key for d in services.missing_documents(dossier=draft)}
    # No CT01 upload (the e-form is the declaration), no consent letter (given in the form).
    assert keys == {"cho-o-hop-phap", "quan-he-nhan-than"}
    dossier = decide(file(citizen, procedures[CODE], data, area=area))
    membership = current_membership(me)
    assert membership.household == household and membership.relation == "sibling"
    assert current_permanent(me).household == household
    assert HouseholdMember.objects.filter(household=household, left_on__isnull=True).count() == 2
    assert "Anh/chị/em" in result_text(dossier)


def test_join_by_head_personal_id_routes_to_the_households_commune(
    citizen, procedures, other_area, other_unit, file, decide
):
    head = make_person("019070000002", "Phạm Thị Hộ", dt.date(1972, 1, 1), "F")
    household = settle(head, area=other_area, street="Tổ 9")
    data = form(
        citizen,
        street="Tổ 9",
        basis="kinship",
        household_choice="join",
        household_ref=head.personal_id,
        relation="child",
        consent_by_letter="on",
    )
    plugin = registry.get(CODE)
    assert plugin.area_for(dossier=None, data=data) == other_area
    dossier = decide(file(citizen, procedures[CODE], data, area=other_area))
    assert dossier.unit == other_unit
    residence = PermanentResidence.objects.get(person__personal_id=citizen.personal_id)
    assert residence.household == household and residence.address.area == other_area


def test_already_registered_at_that_address(citizen, me, procedures, other_area, file):
    data = form(citizen, street="số 3  ngõ 5 phố quang trung")  # same address, typed differently
    errors = errors_of(lambda: file(citizen, procedures[CODE], data, area=other_area))
    assert errors["street"] == [
        "Bạn đã đăng ký thường trú tại địa chỉ Số 3 ngõ 5 phố Quang Trung, Phường Quyết Thắng, "
        "Tỉnh Thái Nguyên."
    ]


def test_household_to_join_does_not_exist(citizen, procedures, area, file):
    data = form(
        citizen,
        household_choice="join",
        household_ref="HK0000009999",
        relation="child",
        basis="kinship",
        consent_by_letter="on",
    )
    errors = errors_of(lambda: file(citizen, procedures[CODE], data, area=area))
    assert errors["household_ref"] == [
        "Không tìm thấy hộ gia đình có số hộ hoặc số định danh chủ hộ “HK0000009999” trong Cơ sở "
        "dữ liệu về cư trú."
    ]


def test_household_to_join_is_at_another_address(citizen, host, procedures, area, file):
    household, _head = host
    data = form(
        citizen,
        street="Số 99 đường Khác",
        household_choice="join",
        household_ref=household.number,
        relation="child",
        basis="kinship",
        consent_by_letter="on",
    )
    errors = errors_of(lambda: file(citizen, procedures[CODE], data, area=area))
    assert errors["household_ref"][0].startswith(f"Hộ gia đình {household.number} ở địa chỉ Số 12")
    assert "không phải địa chỉ bạn đề nghị đăng ký thường trú" in errors["household_ref"][0]


def test_consent_missing_when_not_the_owner(citizen, procedures, area, file):
    data = form(citizen, basis="rented")
    errors = errors_of(lambda: file(citizen, procedures[CODE], data, area=area))
    assert errors["consent_given"] == [
        "Bạn không phải chủ sở hữu chỗ ở: cần ý kiến đồng ý của chủ hộ, chủ sở hữu (ghi họ tên, "
        "số định danh và đánh dấu đồng ý) hoặc đính kèm văn bản đồng ý."
    ]
    # Ticked but without who consents.
    errors = errors_of(
        lambda: file(
            citizen, procedures[CODE], form(citizen, basis="rented", consent_given="on"), area=area
        )
    )
    assert "họ tên và số định danh" in errors["consent_name"][0]


def test_consent_by_letter_requires_the_letter_and_rental_contract(citizen, procedures, area, file):
    data = form(citizen, basis="rented", consent_by_letter="on")
    draft = file(citizen, procedures[CODE], data, area=area, submit=False)
    keys = {d.key for d in services.missing_documents(dossier=draft)}
    assert keys == {"cho-o-hop-phap", "y-kien-chu-ho", "hop-dong-thue"}
    with pytest.raises(Exception) as info:
        services.submit(dossier=draft, actor=citizen)
    assert "Văn bản đồng ý của chủ hộ" in str(info.value)


def test_consent_from_someone_other_than_the_head(citizen, host, procedures, area, file):
    household, head = host
    data = form(
        citizen,
        basis="kinship",
        household_choice="join",
        household_ref=household.number,
        relation="child",
        consent_name="Người Lạ",
        consent_personal_id="019000000777",
        consent_given="on",
    )
    errors = errors_of(lambda: file(citizen, procedures[CODE], data, area=area))
    assert errors["consent_personal_id"] == [
        f"Người cho ý kiến đồng ý phải là chủ hộ {household.number} (Lê Văn Chủ) hoặc đính kèm "
        "văn bản đồng ý."
    ]


def test_minor_without_guardian(procedures, area, file):
    born = dt.date.today().replace(year=dt.date.today().year - 15, day=1)
    minor = make_citizen(
        "019012000555", "Nguyễn Minh Nhỏ", area=area, date_of_birth=born, phone="+84912000555"
    )
    data = form(minor, date_of_birth=born.isoformat())
    errors = errors_of(lambda: file(minor, procedures[CODE], data, area=area))
    assert errors["guardian_name"] == [
        "Người chưa đủ 18 tuổi phải có cha, mẹ hoặc người giám hộ: ghi họ tên và số định danh cá "
        "nhân của người giám hộ."
    ]
    # With the guardian named but no consent ticked, the guardian's letter becomes mandatory.
    data.update(guardian_name="Nguyễn Văn Bố", guardian_personal_id="019080000111")
    draft = file(minor, procedures[CODE], data, area=area, submit=False)
    assert "y-kien-giam-ho" in {d.key for d in services.missing_documents(dossier=draft)}
    data["guardian_consent"] = "on"
    draft = file(minor, procedures[CODE], data, area=area, submit=False)
    assert "y-kien-giam-ho" not in {d.key for d in services.missing_documents(dossier=draft)}


def test_personal_id_must_be_the_accounts(citizen, procedures, area, file):
    data = form(citizen, personal_id="019090009999")
    errors = errors_of(lambda: file(citizen, procedures[CODE], data, area=area))
    assert errors["personal_id"] == [
        "Số định danh cá nhân phải là số định danh của tài khoản nộp hồ sơ (019090001234)."
    ]


def test_a_head_with_members_must_hand_over_first(citizen, me, procedures, area, file):
    household = current_membership(me).household
    settle(
        make_person("019095000001", "Nguyễn Thị Vợ", sex="F"),
        area=household.address.area,
        street=household.address.street,
        household=household,
        relation="spouse",
    )
    errors = errors_of(lambda: file(citizen, procedures[CODE], form(citizen), area=area))
    assert "đang là chủ hộ của hộ" in errors["household_choice"][0]
    assert "thay đổi chủ hộ trước" in errors["household_choice"][0]


@pytest.mark.parametrize("how", ["refuse", "withdraw"])
def test_refusal_or_withdrawal_leaves_the_registry_untouched(
    how, citizen, me, procedures, area, file, decide, unit_leader
):
    before = list(PermanentResidence.objects.values_list("pk", "ended_on", "household_id"))
    households = Household.objects.count()
    dossier = file(citizen, procedures[CODE], form(citizen), area=area)
    if how == "refuse":
        dossier = decide(dossier, approve=False)
        dossier = services.refuse(
            dossier=dossier,
            actor=unit_leader,
            reason="Chỗ ở không hợp pháp",
            legal_provision="Điều 20 Luật Cư trú 2020",
        )
    else:
        dossier = services.withdraw(dossier=dossier, actor=citizen, reason="Đổi ý")
    assert dossier.state in ("refused", "withdrawn")
    assert list(PermanentResidence.objects.values_list("pk", "ended_on", "household_id")) == before
    assert Household.objects.count() == households
    assert not RegistryChange.objects.filter(dossier=dossier).exists()


def test_a_registration_approved_meanwhile_makes_the_other_conflict(
    citizen, me, procedures, area, other_area, file, decide, leader_of
):
    """Two registrations of one person filed before either is decided: approving the second
    after the first would silently undo it, so it is refused with a Conflict (409)."""
    first = decide(file(citizen, procedures[CODE], form(citizen), area=area), approve=False)
    data = form(citizen, street="Số 1 phố Khác")
    second = decide(file(citizen, procedures[CODE], data, area=other_area), approve=False)
    services.approve(dossier=first, actor=leader_of(first)[2])
    with pytest.raises(Conflict) as info:
        services.approve(dossier=second, actor=leader_of(second)[2])
    assert "đã được đăng ký thường trú bởi một hồ sơ khác" in info.value.message
    second.refresh_from_db()
    assert second.state == "processing"
    assert current_permanent(me).address.street == NEW_STREET
