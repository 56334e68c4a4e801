"""Staff registry views in the admin: read-only, scoped by unit (supervisor: subtree), 404
outside the scope, search by folded name, dossier links in the history, constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from residence.models import HouseholdMember, PermanentResidence, Relation, Stay
from residence.models import TemporaryResidence as Temp
from residence.services.common import get_or_create_address, record_change
from tests.residence.registry.conftest import add_household, add_person

pytestmark = pytest.mark.django_db

PERSONS = "/admin/residence/person/"
HOUSEHOLDS = "/admin/residence/household/"
ADDRESSES = "/admin/residence/address/"


@pytest.fixture(autouse=True)
def _second_factor_on(settings):
    settings.BACKOFFICE_OTP_REQUIRED = True


@pytest.fixture
def registry(area, other_area):
    mai = add_person(1, "Trần Thị Mai", year=1985, sex="F")
    son = add_person(2, "Trần Văn Nam", year=2010)
    home = add_household(area, "Tổ 5", [(mai, Relation.HEAD), (son, Relation.CHILD)])
    today = timezone.localdate()
    Temp.objects.create(
        person=mai,
        address=get_or_create_address(area=other_area, street="Số 3 đường Quang Trung"),
        registered_on=today - dt.timedelta(days=30),
        expires_on=dt.date(today.year + 1, 3, 31),
    )
    lan = add_person(3, "Phạm Thị Lan", year=1970, sex="F")
    away = add_household(other_area, "Tổ 9", [(lan, Relation.HEAD)])
    return {"mai": mai, "son": son, "home": home, "lan": lan, "away": away}


def test_person_list_is_scoped_and_shows_addresses(registry, staff_client, receiving_officer):
    html = staff_client(receiving_officer).get(PERSONS).content.decode()
    assert "Trần Thị Mai" in html and "Trần Văn Nam" in html
    assert "Phạm Thị Lan" not in html  # another commune
    assert "Tổ 5, Phường Phan Đình Phùng" in html  # permanent
    assert "Số 3 đường Quang Trung, Phường Quyết Thắng" in html  # temporary
    assert f"đến 31/03/{timezone.localdate().year + 1}" in html


def test_search_by_folded_name_or_number(registry, staff_client, supervisor, unit, other_unit):
    client = staff_client(supervisor)
    html = client.get(PERSONS, {"q": "tran thi mai"}).content.decode()
    assert "Trần Thị Mai" in html and "Trần Văn Nam" not in html
    html = client.get(PERSONS, {"q": registry["lan"].personal_id}).content.decode()
    assert "Phạm Thị Lan" in html and "Trần Thị Mai" not in html


def test_supervisor_sees_the_subtree(registry, staff_client, supervisor, unit, other_unit):
    html = staff_client(supervisor).get(PERSONS).content.decode()
    assert "Trần Thị Mai" in html and "Phạm Thị Lan" in html


def test_outside_the_scope_is_404(registry, staff_client, receiving_officer):
    client = staff_client(receiving_officer)
    assert client.get(f"{PERSONS}{registry['lan'].pk}/change/").status_code == 404
    assert client.get(f"{HOUSEHOLDS}{registry['away'].pk}/change/").status_code == 404
    assert client.get(f"{ADDRESSES}{registry['away'].address_id}/change/").status_code == 404
    assert client.get(f"{PERSONS}abc/change/").status_code == 404


def test_read_only_for_staff(registry, staff_client, unit_leader):
    client = staff_client(unit_leader)
    index = client.get("/admin/").content.decode()
    assert "Cư trú" in index and PERSONS in index and HOUSEHOLDS in index and ADDRESSES in index
    assert f"{PERSONS}add/" not in index
    url = f"{PERSONS}{registry['mai'].pk}/change/"
    html = client.get(url).content.decode()
    assert 'name="_save"' not in html and "Trần Thị Mai" in html
    assert client.post(url, {"full_name": "Tên khác"}).status_code == 403
    assert client.get(f"{PERSONS}add/").status_code == 403
    assert client.get(f"{PERSONS}{registry['mai'].pk}/delete/").status_code == 403
    registry["mai"].refresh_from_db()
    assert registry["mai"].full_name == "Trần Thị Mai"


def test_person_page_lists_history_with_dossier_links(
    registry, staff_client, receiving_officer, make_dossier, citizen
):
    from tests.dossiers.conftest import put_in_registry

    put_in_registry(citizen)  # khai báo tạm vắng (make_dossier's procedure) requires it
    dossier = make_dossier("submitted")
    record_change(person=registry["mai"], kind="temporary_registered", dossier=dossier)
    record_change(person=registry["mai"], kind="loaded")
    html = staff_client(receiving_officer).get(f"{PERSONS}{registry['mai'].pk}/change/")
    html = html.content.decode()
    assert "Đăng ký tạm trú" in html and "Dữ liệu ban đầu" in html
    assert f'href="/admin/dossiers/dossier/{dossier.pk}/change/">{dossier.code}</a>' in html
    assert registry["home"].number in html  # the household, with a link
    assert "Số 3 đường Quang Trung" in html  # the temporary residence


def test_household_page_lists_members_with_relation(registry, staff_client, receiving_officer):
    home = registry["home"]
    html = staff_client(receiving_officer).get(f"{HOUSEHOLDS}{home.pk}/change/").content.decode()
    assert "Trần Thị Mai" in html and "Trần Văn Nam" in html
    assert "Chủ hộ" in html and "Con" in html
    listing = staff_client(receiving_officer).get(HOUSEHOLDS).content.decode()
    assert home.number in listing and registry["away"].number not in listing


def test_address_page_lists_its_residents(registry, staff_client, receiving_officer, area):
    home = registry["home"]
    guest = add_person(5, "Lò Văn Khách", year=1980)
    now = timezone.now()
    Stay.objects.create(
        address=home.address,
        host_name="Nhà nghỉ Tổ 5",
        guest=guest,
        guest_personal_id=guest.personal_id,
        guest_name=guest.full_name,
        starts_at=now - dt.timedelta(hours=5),
        ends_at=now + dt.timedelta(days=1),
    )
    tenant = add_person(6, "Ma Thị Thuê", year=1999, sex="F")
    Temp.objects.create(
        person=tenant,
        address=home.address,
        registered_on=timezone.localdate(),
        expires_on=timezone.localdate() + dt.timedelta(days=200),
    )
    url = f"{ADDRESSES}{home.address_id}/change/"
    html = staff_client(receiving_officer).get(url).content.decode()
    for name in ("Trần Thị Mai", "Trần Văn Nam", "Ma Thị Thuê", "Lò Văn Khách"):
        assert name in html
    assert "Người thường trú" in html and "Người tạm trú" in html and "Đang lưu trú" in html


def _grow(household, count: int, start: int):
    for n in range(start, start + count):
        person = add_person(n, f"Nguyễn Văn Thêm {n}", year=2000)
        HouseholdMember.objects.create(
            household=household, person=person, relation=Relation.CHILD, joined_on=dt.date.today()
        )
        PermanentResidence.objects.create(
            person=person,
            address=household.address,
            household=household,
            registered_on=dt.date.today(),
        )
        record_change(person=household.memberships.first().person, kind="loaded")


def test_query_counts_do_not_grow_with_the_number_of_persons(
    registry, staff_client, receiving_officer, django_assert_num_queries
):
    home = registry["home"]
    _grow(home, 3, 100)  # 5 persons in the household
    client = staff_client(receiving_officer)
    urls = [
        PERSONS,
        HOUSEHOLDS,
        ADDRESSES,
        f"{PERSONS}{registry['mai'].pk}/change/",
        f"{HOUSEHOLDS}{home.pk}/change/",
        f"{ADDRESSES}{home.address_id}/change/",
    ]
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)
    _grow(home, 35, 200)  # 40 persons
    for url in urls:
        with django_assert_num_queries(counts[url]):
            response = client.get(url)
        assert response.status_code == 200
    assert response.content.decode().count("Nguyễn Văn Thêm") == 38


def test_only_a_superuser_in_debug_may_edit(registry, staff_client, settings, administrator):
    from portal.accounts.models import User

    root = User.objects.create_superuser(username="root", password="x-Mat-khau-2024", kind="staff")
    assert staff_client(administrator).get(f"{PERSONS}add/").status_code == 403
    settings.DEBUG = False
    assert staff_client(root).get(f"{PERSONS}add/").status_code == 403
    settings.DEBUG = True
    assert staff_client(root).get(f"{PERSONS}add/").status_code == 200
