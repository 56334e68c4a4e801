import datetime as dt

import pytest

from portal.accounts.models import Role
from portal.accounts.services import create_staff, register_citizen
from portal.units.models import PoliceUnit


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _vietnamese(settings):
    """Messages are checked in Vietnamese: a test client request for English elsewhere in the suite
    leaves English active in this thread (the locale middleware does not reset it)."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


PASSWORD = "Mat-khau-an-toan-2025"


@pytest.fixture
def tree(db):
    ministry = PoliceUnit.objects.create(code="BCA", name="Bộ Công an", level="ministry")
    province = PoliceUnit.objects.create(
        code="CAT.TN", name="Công an tỉnh Thái Nguyên", level="province", parent=ministry
    )
    dinh_hoa = PoliceUnit.objects.create(
        code="CAX.DH", name="Công an xã Định Hóa", level="commune", parent=province
    )
    phuong_tien = PoliceUnit.objects.create(
        code="CAX.PT", name="Công an xã Phượng Tiến", level="commune", parent=province
    )
    other_province = PoliceUnit.objects.create(
        code="CAT.HN", name="Công an thành phố Hà Nội", level="province", parent=ministry
    )
    hoan_kiem = PoliceUnit.objects.create(
        code="CAP.HK", name="Công an phường Hoàn Kiếm", level="commune", parent=other_province
    )
    return {
        "ministry": ministry,
        "province": province,
        "dinh_hoa": dinh_hoa,
        "phuong_tien": phuong_tien,
        "other_province": other_province,
        "hoan_kiem": hoan_kiem,
    }


@pytest.fixture
def make_staff(tree):
    def make(username, unit_key, *roles):
        return create_staff(
            username=username,
            full_name=f"Cán bộ {username}",
            unit=tree[unit_key],
            roles=roles or [Role.RECEIVING_OFFICER],
            password=PASSWORD,
        )

    return make


@pytest.fixture
def citizen(db):
    return register_citizen(
        personal_id="019090123456",
        full_name="Nguyễn Văn An",
        date_of_birth=dt.date(1990, 5, 17),
        sex="M",
        phone="0912 345 678",
        password=PASSWORD,
    )
