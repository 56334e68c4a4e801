import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.forms.models import model_to_dict

from portal.accounts.demo import DEFAULT_DEMO_PASSWORD
from portal.accounts.models import Role, StaffRole, User
from portal.accounts.validators import normalize_phone, validate_personal_id
from portal.units.models import PoliceUnit


def snapshot():
    users = {u.username: model_to_dict(u) | {"password": u.password} for u in User.objects.all()}
    units = {u.code: model_to_dict(u) | {"path": u.path} for u in PoliceUnit.objects.all()}
    roles = set(StaffRole.objects.values_list("user__username", "role"))
    return users, units, roles


@pytest.mark.django_db(transaction=False)
def test_seed_demo_twice_is_idempotent_and_realistic(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    first = snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot() == first

    text = out.getvalue()
    for login in ("quantri", "giamsat.thainguyen", "tiepnhan.dinhhoa", "xuly.dinhhoa"):
        assert login in text
    assert "lanhdao.dinhhoa" in text and DEFAULT_DEMO_PASSWORD in text

    units = {u.code: u for u in PoliceUnit.objects.select_related("area", "parent")}
    assert units["BCA"].level == "ministry"
    assert units["CAT.THAINGUYEN"].parent == units["BCA"]
    dinh_hoa = units["CAX.DINHHOA"]
    assert dinh_hoa.name == "Công an xã Định Hóa"
    assert dinh_hoa.area.name == "Xã Định Hóa" and dinh_hoa.area.parent.code == "19"
    assert dinh_hoa.parent == units["CAT.THAINGUYEN"]
    legacy = units["CAH.DINHHOA"]
    assert legacy.level == "district" and not legacy.is_active
    communes = [u for u in units.values() if u.level == "commune"]
    assert len(communes) >= 5 and all(u.area_id for u in communes)

    roles = set(StaffRole.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert all(u.is_staff for u in User.objects.filter(kind="staff"))

    citizens = list(User.objects.filter(kind="citizen"))
    assert len(citizens) >= 24
    for c in citizens:
        info = validate_personal_id(c.personal_id, date_of_birth=c.date_of_birth, sex=c.sex)
        assert info.province_code == "019"
        assert normalize_phone(c.phone) == c.phone and c.phone.startswith("+84")
        assert c.current_area.parent.code == "19" and "Thái Nguyên" in c.permanent_address
    assert {c.sex for c in citizens} == {"M", "F"}

    assert authenticate(username="tiepnhan.dinhhoa", password=DEFAULT_DEMO_PASSWORD)
    assert authenticate(username=citizens[0].personal_id, password=DEFAULT_DEMO_PASSWORD)


@pytest.mark.django_db
def test_demo_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "Mat-khau-demo-khac-1")
    call_command("seed_demo", "--citizens=2", stdout=io.StringIO())
    assert authenticate(username="quantri", password="Mat-khau-demo-khac-1")
    monkeypatch.setenv("DEMO_PASSWORD", "Mat-khau-demo-moi-2")
    call_command("seed_demo", "--citizens=2", stdout=io.StringIO())
    assert authenticate(username="quantri", password="Mat-khau-demo-moi-2")
    assert not authenticate(username="quantri", password="Mat-khau-demo-khac-1")


@pytest.mark.django_db
def test_demo_citizens_have_verified_phones_so_they_can_file_at_once():
    call_command("seed_demo", "--citizens=3", stdout=io.StringIO())
    citizens = User.objects.filter(kind=User.Kind.CITIZEN)
    assert citizens.count() >= 3
    assert not citizens.filter(phone_verified_at__isnull=True).exists()
