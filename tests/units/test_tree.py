import pytest

from portal.accounts.models import Role
from portal.accounts.services import create_staff
from portal.units.models import AdministrativeArea, PoliceUnit
from portal.units.selectors import unit_for_area, units_visible_to


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def legacy_tree(db):
    """2022 shape: ministry → province → district → commune, plus a sibling province."""
    ministry = PoliceUnit.objects.create(code="BCA", name="Bộ Công an", level="ministry")
    province = PoliceUnit.objects.create(
        code="CAT.TN", name="Công an tỉnh Thái Nguyên", level="province", parent=ministry
    )
    district = PoliceUnit.objects.create(
        code="CAH.DH", name="Công an huyện Định Hóa", level="district", parent=province
    )
    commune = PoliceUnit.objects.create(
        code="CAX.CC", name="Công an thị trấn Chợ Chu", level="commune", parent=district
    )
    other = PoliceUnit.objects.create(
        code="CAT.HN", name="Công an thành phố Hà Nội", level="province", parent=ministry
    )
    other_commune = PoliceUnit.objects.create(
        code="CAP.HK", name="Công an phường Hoàn Kiếm", level="commune", parent=other
    )
    return locals()


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def test_legacy_district_level_path_subtree_and_ancestors(legacy_tree):
    t = legacy_tree
    commune = t["commune"]
    ids = [t[k].pk for k in ("ministry", "province", "district", "commune")]
    assert commune.path == "/" + "/".join(map(str, ids)) + "/"
    assert [u.level for u in commune.ancestors()] == ["ministry", "province", "district"]
    assert codes(t["district"].subtree()) == ["CAH.DH", "CAX.CC"]
    assert codes(t["province"].subtree()) == ["CAH.DH", "CAT.TN", "CAX.CC"]
    assert "CAP.HK" not in codes(t["province"].subtree())


def test_moving_a_unit_reroots_its_subtree(legacy_tree):
    """2025: district police dissolved, communes attach to the province."""
    t = legacy_tree
    commune = t["commune"]
    t["district"].parent = t["other"]
    t["district"].save()
    commune.refresh_from_db()
    assert commune.path.startswith(t["other"].path)
    commune.parent = t["province"]
    commune.save()
    commune.refresh_from_db()
    assert commune.path == f"{t['province'].path}{commune.pk}/"
    assert codes(t["province"].subtree()) == ["CAT.TN", "CAX.CC"]


def test_a_unit_cannot_be_put_under_itself_or_its_own_subtree(client, legacy_tree):
    """The admin refuses a cycle with a message on the parent field; the tree stays intact."""
    t = legacy_tree
    admin = create_staff(
        username="quantri",
        full_name="Quản trị",
        unit=t["ministry"],
        roles=[Role.ADMINISTRATOR],
        password="Mat-khau-an-toan-2025",
    )
    client.force_login(admin)
    district = t["district"]
    url = f"/admin/units/policeunit/{district.pk}/change/"
    base = {
        "code": district.code,
        "name": district.name,
        "level": district.level,
        "office_hours-TOTAL_FORMS": "0",
        "office_hours-INITIAL_FORMS": "0",
    }
    for parent in (district, t["commune"]):
        response = client.post(url, {**base, "parent": parent.pk})
        assert response.status_code == 200, parent.code  # the form again, not a redirect
        assert "không thể là chính đơn vị này hoặc đơn vị cấp dưới" in response.content.decode()
    district.refresh_from_db()
    assert district.parent == t["province"]
    assert codes(t["province"].subtree()) == ["CAH.DH", "CAT.TN", "CAX.CC"]
    # moving it under another province is still allowed
    response = client.post(url, {**base, "parent": t["other"].pk})
    assert response.status_code == 302
    assert codes(t["other"].subtree()) == ["CAH.DH", "CAP.HK", "CAT.HN", "CAX.CC"]


def staff(username, unit, *roles):
    return create_staff(
        username=username,
        full_name=username,
        unit=unit,
        roles=roles,
        password="Mat-khau-an-toan-2025",
    )


def test_visibility_by_role(legacy_tree, django_user_model):
    t = legacy_tree
    admin = staff("quantri", t["ministry"], Role.ADMINISTRATOR)
    supervisor = staff("giamsat", t["province"], Role.SUPERVISOR)
    district_supervisor = staff("giamsat.huyen", t["district"], Role.SUPERVISOR)
    leader = staff("lanhdao", t["commune"], Role.UNIT_LEADER)
    receiving = staff("tiepnhan", t["commune"], Role.RECEIVING_OFFICER)
    province_handler = staff("xuly.tinh", t["province"], Role.HANDLING_OFFICER)
    no_unit = django_user_model.objects.create_user("lac", kind="staff", is_staff=True)
    citizen = django_user_model.objects.create_user("019090123456", personal_id="019090123456")

    assert units_visible_to(admin).count() == PoliceUnit.objects.count()
    assert codes(units_visible_to(supervisor)) == ["CAH.DH", "CAT.TN", "CAX.CC"]
    assert codes(units_visible_to(district_supervisor)) == ["CAH.DH", "CAX.CC"]
    assert codes(units_visible_to(leader)) == ["CAX.CC"]
    assert codes(units_visible_to(receiving)) == ["CAX.CC"]
    assert codes(units_visible_to(province_handler)) == ["CAT.TN"]
    assert not units_visible_to(no_unit).exists()
    assert not units_visible_to(citizen).exists()


def test_staff_never_see_units_outside_their_subtree(legacy_tree):
    for unit in PoliceUnit.objects.all():
        for role in (Role.SUPERVISOR, Role.UNIT_LEADER, Role.HANDLING_OFFICER):
            user = staff(f"{role}.{unit.code}", unit, role)
            for visible in units_visible_to(user):
                assert visible.path.startswith(unit.path), (role, unit, visible)


def test_unit_for_area_routes_to_the_active_commune_unit(db):
    province = AdministrativeArea.objects.create(code="19", name="Thái Nguyên", kind="province")
    area = AdministrativeArea.objects.create(
        code="05569", name="Xã Định Hóa", kind="commune", parent=province
    )
    elsewhere = AdministrativeArea.objects.create(
        code="05572", name="Xã Bình Yên", kind="commune", parent=province
    )
    PoliceUnit.objects.create(
        code="CAT.TN", name="Công an tỉnh Thái Nguyên", level="province", area=province
    )
    old = PoliceUnit.objects.create(
        code="CAX.OLD", name="cũ", level="commune", area=area, is_active=False
    )
    unit = PoliceUnit.objects.create(
        code="CAX.DINHHOA", name="Công an xã Định Hóa", level="commune", area=area
    )
    assert unit_for_area(area) == unit
    assert unit_for_area(area.pk) == unit
    assert unit_for_area(elsewhere) is None
    assert unit_for_area(province) is None  # the provincial unit is not a commune unit
    assert unit_for_area(None) is None
    assert old != unit_for_area(area)
