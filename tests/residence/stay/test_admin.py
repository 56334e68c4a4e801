"""Staff see the current stays in their unit's commune, read-only, searchable by guest."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.backoffice.testing import login_staff
from residence.models import Address, Stay

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:residence_stay_changelist"


@pytest.fixture(autouse=True)
def _second_factor_on(settings):
    settings.BACKOFFICE_OTP_REQUIRED = True


def client_for(user) -> Client:
    client = Client()
    login_staff(client, user)
    return client


def make_stay(address, name, pid, *, starts_days=-1, ends_days=2) -> Stay:
    now = timezone.now()
    stay = Stay(
        address=address,
        host_name="Nhà nghỉ Hoa Mai",
        guest_personal_id=pid,
        guest_name=name,
        starts_at=now + dt.timedelta(days=starts_days),
        ends_at=now + dt.timedelta(days=ends_days),
    )
    stay.save()
    return stay


@pytest.fixture
def here(area):
    return Address.objects.create(area=area, street="Số 12 đường Hoàng Văn Thụ")


@pytest.fixture
def there(other_area):
    return Address.objects.create(area=other_area, street="Số 3 đường Quang Trung")


def names(response) -> list[str]:
    return sorted(s.guest_name for s in response.context["cl"].result_list)


def test_officers_see_the_current_stays_of_their_commune(
    receiving_officer, other_unit_officer, here, there
):
    make_stay(here, "Nguyễn Văn An", "001090000011")
    make_stay(here, "Trần Thị Bình", "001090000012", starts_days=-10, ends_days=-5)  # left
    make_stay(here, "Lê Văn Cường", "001090000013", starts_days=2, ends_days=4)  # coming
    elsewhere = make_stay(there, "Phạm Thị Dung", "001090000014")

    client = client_for(receiving_officer)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert names(response) == ["Nguyễn Văn An"]  # default: "Đang lưu trú"
    assert "Đang lưu trú" in response.content.decode()
    assert names(client.get(reverse(CHANGELIST), {"tinh_trang": "all"})) == [
        "Lê Văn Cường",
        "Nguyễn Văn An",
        "Trần Thị Bình",
    ]
    assert names(client.get(reverse(CHANGELIST), {"tinh_trang": "ended"})) == ["Trần Thị Bình"]
    assert names(client.get(reverse(CHANGELIST), {"tinh_trang": "upcoming"})) == ["Lê Văn Cường"]

    # another commune's stay: not listed, and its page is a 404
    url = reverse("admin:residence_stay_change", args=[elsewhere.pk])
    assert client.get(url).status_code == 404
    assert names(client_for(other_unit_officer).get(reverse(CHANGELIST))) == ["Phạm Thị Dung"]
    assert client_for(other_unit_officer).get(url).status_code == 200


def test_supervisors_see_their_subtree_and_nothing_is_editable(
    supervisor, receiving_officer, other_unit, here, there
):
    make_stay(here, "Nguyễn Văn An", "001090000011")
    make_stay(there, "Phạm Thị Dung", "001090000014")
    assert names(client_for(supervisor).get(reverse(CHANGELIST))) == [
        "Nguyễn Văn An",
        "Phạm Thị Dung",
    ]
    client = client_for(receiving_officer)
    assert client.get(reverse("admin:residence_stay_add")).status_code == 403
    stay = Stay.objects.get(guest_personal_id="001090000011")
    page = client.get(reverse("admin:residence_stay_change", args=[stay.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = client.post(
        reverse("admin:residence_stay_change", args=[stay.pk]), {"host_name": "Khác"}
    )
    assert response.status_code == 403
    stay.refresh_from_db()
    assert stay.host_name == "Nhà nghỉ Hoa Mai"


def test_search_by_folded_name_or_personal_number(receiving_officer, here):
    make_stay(here, "Nguyễn Văn An", "001090000011")
    make_stay(here, "Nguyễn Thị Ánh", "001090000012")
    make_stay(here, "Đặng Văn Đức", "001090000013")
    client = client_for(receiving_officer)
    assert names(client.get(reverse(CHANGELIST), {"q": "nguyen van an"})) == ["Nguyễn Văn An"]
    assert names(client.get(reverse(CHANGELIST), {"q": "NGUYỄN"})) == [
        "Nguyễn Thị Ánh",
        "Nguyễn Văn An",
    ]
    assert names(client.get(reverse(CHANGELIST), {"q": "dang van duc"})) == ["Đặng Văn Đức"]
    assert names(client.get(reverse(CHANGELIST), {"q": "001090000012"})) == ["Nguyễn Thị Ánh"]
    assert names(client.get(reverse(CHANGELIST), {"q": "0010900000"})) == [
        "Nguyễn Thị Ánh",
        "Nguyễn Văn An",
        "Đặng Văn Đức",
    ]


def test_changelist_query_count_is_constant_in_rows(
    receiving_officer, here, django_assert_max_num_queries
):
    client = client_for(receiving_officer)
    make_stay(here, "Khách 0", "001090000100")
    client.get(reverse(CHANGELIST))  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse(CHANGELIST)).status_code == 200
    for i in range(1, 30):
        make_stay(here, f"Khách {i}", f"0010900001{i:02d}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == 30
