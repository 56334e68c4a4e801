import pytest

from portal.accounts import access
from portal.accounts.models import Role


@pytest.mark.django_db
def test_role_helpers(make_staff, tree, citizen):
    admin = make_staff("quantri", "ministry", Role.ADMINISTRATOR)
    supervisor = make_staff("giamsat", "province", Role.SUPERVISOR)
    leader = make_staff("lanhdao", "dinh_hoa", Role.UNIT_LEADER)
    receiving = make_staff("tiepnhan", "dinh_hoa", Role.RECEIVING_OFFICER)
    dh, pt, hk = tree["dinh_hoa"], tree["phuong_tien"], tree["hoan_kiem"]

    assert access.is_supervisor_of(supervisor, dh) and access.is_supervisor_of(supervisor, pt)
    assert not access.is_supervisor_of(supervisor, hk)
    assert not access.is_supervisor_of(supervisor, tree["province"])  # not of their own unit
    assert not access.is_supervisor_of(leader, dh)

    assert access.can_act_for_unit(receiving, dh)
    assert not access.can_act_for_unit(receiving, pt)
    assert not access.can_act_for_unit(receiving, dh, Role.UNIT_LEADER)
    assert access.can_sign_for_unit(leader, dh) and not access.can_sign_for_unit(receiving, dh)
    assert not access.can_act_for_unit(supervisor, dh)  # supervisors oversee, they do not act
    assert access.can_act_for_unit(admin, hk)
    assert not access.can_act_for_unit(citizen, dh)

    assert access.can_view_unit(supervisor, dh) and not access.can_view_unit(supervisor, hk)
    assert access.can_view_unit(receiving, dh) and not access.can_view_unit(receiving, pt)
    assert not access.can_view_unit(citizen, dh)
