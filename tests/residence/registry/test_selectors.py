"""Who sees which part of the registry (residence.selectors), and the citizen's own record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.core.errors import NotFound
from residence import selectors
from residence.models import Relation, Stay, TemporaryAbsence, TemporaryResidence
from residence.services.common import get_or_create_address
from tests.residence.registry.conftest import add_household, add_person, person_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def town(area, other_area, citizen):
    """`citizen` heads a household in `area` (unit's commune) with a wife; Mai lives in
    `other_area`; Khôi has only a temporary residence in `area`; Hà only a stay there."""
    me = person_of(citizen)
    wife = add_person(2, "Lê Thị Hoa", year=1992, sex="F")
    home = add_household(area, "Tổ 5", [(me, Relation.HEAD), (wife, Relation.SPOUSE)])
    mai = add_person(3, "Trần Thị Mai", year=1985, sex="F")
    away = add_household(other_area, "Tổ 9", [(mai, Relation.HEAD)])
    khoi = add_person(4, "Đỗ Minh Khôi", year=1999)
    add_household(other_area, "Tổ 1", [(khoi, Relation.HEAD)])
    today = timezone.localdate()
    TemporaryResidence.objects.create(
        person=khoi,
        address=get_or_create_address(area=area, street="Số 3 ngõ 2"),
        registered_on=today - dt.timedelta(days=30),
        expires_on=today + dt.timedelta(days=300),
    )
    ha = add_person(5, "Vũ Thu Hà", year=2001, sex="F")
    add_household(other_area, "Tổ 2", [(ha, Relation.HEAD)])
    now = timezone.now()
    Stay.objects.create(
        address=get_or_create_address(area=area, street="Khách sạn A"),
        host_name="Khách sạn A",
        guest=ha,
        guest_personal_id=ha.personal_id,
        guest_name=ha.full_name,
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=1),
    )
    return {"me": me, "wife": wife, "home": home, "mai": mai, "away": away, "khoi": khoi, "ha": ha}


def names(qs) -> set[str]:
    return set(qs.values_list("full_name", flat=True))


def test_citizen_sees_only_their_own_record_and_household(town, citizen):
    assert names(selectors.visible_persons(user=citizen)) == {"Nguyễn Văn An"}
    assert list(selectors.visible_households(user=citizen)) == [town["home"]]
    assert selectors.get_person_for_user(user=citizen, pk=town["me"].pk) == town["me"]
    with pytest.raises(NotFound):
        selectors.get_person_for_user(user=citizen, pk=town["wife"].pk)
    with pytest.raises(NotFound):
        selectors.get_household_for_user(user=citizen, pk=town["away"].pk)


def test_officer_sees_residents_temporary_residents_and_guests_of_their_commune(
    town, receiving_officer
):
    visible = names(selectors.visible_persons(user=receiving_officer))
    assert visible == {"Nguyễn Văn An", "Lê Thị Hoa", "Đỗ Minh Khôi", "Vũ Thu Hà"}
    assert selectors.get_household_for_user(user=receiving_officer, pk=town["home"].pk)
    for lookup, pk in (
        (selectors.get_person_for_user, town["mai"].pk),
        (selectors.get_household_for_user, town["away"].pk),
        (selectors.get_address_for_user, town["away"].address_id),
    ):
        with pytest.raises(NotFound):
            lookup(user=receiving_officer, pk=pk)


def test_ended_residence_and_past_stay_no_longer_count(town, receiving_officer):
    TemporaryResidence.objects.filter(person=town["khoi"]).update(ended_on=timezone.localdate())
    Stay.objects.update(ends_at=timezone.now() - dt.timedelta(hours=1))
    visible = names(selectors.visible_persons(user=receiving_officer))
    assert visible == {"Nguyễn Văn An", "Lê Thị Hoa"}


def test_other_unit_sees_only_its_commune(town, other_unit_officer):
    visible = names(selectors.visible_persons(user=other_unit_officer))
    assert visible == {"Trần Thị Mai", "Đỗ Minh Khôi", "Vũ Thu Hà"}
    with pytest.raises(NotFound):
        selectors.get_person_for_user(user=other_unit_officer, pk=town["me"].pk)


def test_supervisor_sees_the_subtree_administrator_everything(
    town, supervisor, administrator, other_unit
):
    everyone = {"Nguyễn Văn An", "Lê Thị Hoa", "Trần Thị Mai", "Đỗ Minh Khôi", "Vũ Thu Hà"}
    assert names(selectors.visible_persons(user=supervisor)) == everyone
    assert selectors.visible_households(user=supervisor).count() == 4
    assert names(selectors.visible_persons(user=administrator)) == everyone


def test_supervisor_outside_the_subtree_sees_nothing(town, province_area):
    from portal.accounts.models import Role
    from portal.units.models import PoliceUnit
    from tests.dossiers.conftest import make_staff

    elsewhere = PoliceUnit.objects.create(code="G01", name="Công an TP Hà Nội", level="province")
    watcher = make_staff("giamsat.hanoi", elsewhere, Role.SUPERVISOR)
    assert not selectors.visible_persons(user=watcher).exists()
    with pytest.raises(NotFound):
        selectors.get_person_for_user(user=watcher, pk=town["me"].pk)


def test_nobody_else_sees_anything(town, other_citizen):
    assert not selectors.visible_persons(user=AnonymousUser()).exists()
    assert not selectors.visible_persons(user=other_citizen).exists()  # not in the registry
    assert not selectors.visible_households(user=other_citizen).exists()


def test_my_residence_prefers_a_valid_temporary_residence(town, citizen, other_area):
    today = timezone.localdate()
    temporary = TemporaryResidence.objects.create(
        person=town["me"],
        address=get_or_create_address(area=other_area, street="Số 7 đường Quang Trung"),
        registered_on=today - dt.timedelta(days=10),
        expires_on=today + dt.timedelta(days=100),
    )
    record = selectors.my_residence(citizen)
    assert record.person == town["me"]
    assert record.permanent.address.street == "Tổ 5"
    assert record.temporary == temporary and record.temporary_valid
    assert record.current_address_kind == "temporary"
    assert record.current_address.startswith("Số 7 đường Quang Trung, Phường Quyết Thắng")

    TemporaryResidence.objects.filter(pk=temporary.pk).update(
        expires_on=today - dt.timedelta(days=1)
    )
    record = selectors.my_residence(citizen)
    assert record.temporary is not None and not record.temporary_valid
    assert record.current_address_kind == "permanent"
    assert record.current_address == "Tổ 5, Phường Phan Đình Phùng, Tỉnh Thái Nguyên"


def test_my_residence_household_stays_and_absences(town, citizen):
    today = timezone.localdate()
    for start, end in ((-30, -1), (-2, 10), (5, 20)):
        TemporaryAbsence.objects.create(
            person=town["me"],
            date_from=today + dt.timedelta(days=start),
            date_to=today + dt.timedelta(days=end),
            destination="Hà Nội",
        )
    record = selectors.my_residence(citizen)
    household = record.household
    assert household.number == town["home"].number
    assert household.head_name == "Nguyễn Văn An" and household.your_relation == "head"
    assert [(m.full_name, m.relation_label, m.is_you) for m in household.members] == [
        ("Nguyễn Văn An", "Chủ hộ", True),
        ("Lê Thị Hoa", "Vợ/chồng", False),
    ]
    # The past absence is left out; the current and the future one are shown, in order.
    assert [a.date_from - today for a in record.absences] == [
        dt.timedelta(days=-2),
        dt.timedelta(days=5),
    ]
    assert record.stays == []


def test_my_residence_query_count_does_not_grow_with_the_household(
    town, citizen, django_assert_num_queries
):
    with CaptureQueriesContext(connection) as small:
        selectors.my_residence(citizen)
    for n in range(10, 18):
        person = add_person(n, f"Nguyễn Văn Con {n}", year=2015)
        from residence.models import HouseholdMember

        HouseholdMember.objects.create(
            household=town["home"],
            person=person,
            relation=Relation.CHILD,
            joined_on=dt.date.today(),
        )
    with django_assert_num_queries(len(small)):
        record = selectors.my_residence(citizen)
    assert len(record.household.members) == 10


def test_citizen_without_a_record_gets_a_message(citizen):
    record = selectors.my_residence(citizen)
    assert record.person is None
    assert "Chưa có thông tin cư trú" in record.message
