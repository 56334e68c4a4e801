import pytest

from portal.accounts.models import Role, User
from tests.accounts.conftest import PASSWORD

USERS = "/admin/accounts/user/"
UNITS = "/admin/units/policeunit/"


@pytest.fixture
def people(make_staff, citizen):
    return {
        "admin": make_staff("quantri", "ministry", Role.ADMINISTRATOR),
        "supervisor": make_staff("giamsat.tn", "province", Role.SUPERVISOR),
        "leader": make_staff("lanhdao.dh", "dinh_hoa", Role.UNIT_LEADER),
        "receiving": make_staff("tiepnhan.dh", "dinh_hoa", Role.RECEIVING_OFFICER),
        "pt": make_staff("tiepnhan.pt", "phuong_tien", Role.RECEIVING_OFFICER),
        "hn": make_staff("tiepnhan.hk", "hoan_kiem", Role.RECEIVING_OFFICER),
        "citizen": citizen,
    }


def listed(client, user, url=USERS):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return {str(o) for o in response.context["cl"].result_list}, response


@pytest.mark.django_db
def test_user_list_is_scoped_by_unit(client, people):
    everyone = {str(u) for u in User.objects.all()}
    seen, _ = listed(client, people["admin"])
    assert seen == everyone

    seen, _ = listed(client, people["supervisor"])
    assert seen == {
        str(people[k]) for k in ("supervisor", "leader", "receiving", "pt")
    }  # the province and its communes; not Hà Nội, not citizens

    seen, _ = listed(client, people["leader"])
    assert seen == {str(people["leader"]), str(people["receiving"])}


@pytest.mark.django_db
def test_officer_cannot_open_a_user_outside_their_subtree(client, people):
    client.force_login(people["supervisor"])
    assert (
        client.get(f"{USERS}{people['hn'].pk}/change/").status_code == 302
    )  # "not found" redirect
    assert client.get(f"{USERS}{people['receiving'].pk}/change/").status_code == 200


@pytest.mark.django_db
def test_only_administrators_change_users(client, people):
    client.force_login(people["supervisor"])
    assert client.get(f"{USERS}add/").status_code == 403
    response = client.post(
        f"{USERS}{people['receiving'].pk}/change/", {"username": "doi-ten", "kind": "staff"}
    )
    assert response.status_code == 403
    people["receiving"].refresh_from_db()
    assert people["receiving"].username == "tiepnhan.dh"


@pytest.mark.django_db
def test_unit_list_is_scoped_and_shows_the_tree(client, people, tree):
    seen, response = listed(client, people["supervisor"], UNITS)
    assert seen == {"Công an tỉnh Thái Nguyên", "Công an xã Định Hóa", "Công an xã Phượng Tiến"}
    assert "unit-depth-1" in response.content.decode()  # communes indented under province
    seen, _ = listed(client, people["receiving"], UNITS)
    assert seen == {"Công an xã Định Hóa"}
    seen, _ = listed(client, people["admin"], UNITS)
    assert len(seen) == 6
    client.force_login(people["admin"])
    page = client.get(f"{UNITS}{tree['dinh_hoa'].pk}/change/").content.decode()
    assert "Bộ Công an › Công an tỉnh Thái Nguyên › Công an xã Định Hóa" in page


@pytest.mark.django_db
def test_unit_admin_search_and_level_filter(client, people):
    seen, _ = listed(client, people["admin"], UNITS + "?q=CAX.DH")
    assert seen == {"Công an xã Định Hóa"}
    seen, _ = listed(client, people["admin"], UNITS + "?level__exact=province")
    assert seen == {"Công an tỉnh Thái Nguyên", "Công an thành phố Hà Nội"}


@pytest.mark.django_db
def test_user_list_query_count_does_not_grow(
    client, people, make_staff, django_assert_max_num_queries
):
    client.force_login(people["admin"])
    client.get(USERS)
    for i in range(10):
        make_staff(f"them.{i}", "dinh_hoa", Role.HANDLING_OFFICER)
    with django_assert_max_num_queries(12):
        assert client.get(USERS).status_code == 200


@pytest.mark.django_db
def test_staff_added_in_admin_can_log_in_to_admin(client, people, tree):
    client.force_login(people["admin"])
    response = client.post(
        f"{USERS}add/",
        {
            "username": "xuly.pt",
            "full_name": "Hà Văn Sơn",
            "kind": "staff",
            "unit": tree["phuong_tien"].pk,
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="xuly.pt")
    assert user.is_staff and user.kind == "staff" and user.unit == tree["phuong_tien"]
