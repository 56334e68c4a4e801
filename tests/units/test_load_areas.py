import pytest
from django.core.management import call_command

from portal.units.models import AdministrativeArea
from portal.units.services import load_areas


@pytest.mark.django_db
def test_load_areas_counts_names_and_parents(django_assert_max_num_queries):
    with django_assert_max_num_queries(40):  # bulk: a handful of queries, not one per commune
        result = load_areas()
    assert result["provinces"].created == 34
    assert result["communes"].created == 3321
    assert AdministrativeArea.objects.filter(kind="province").count() == 34
    assert AdministrativeArea.objects.filter(kind="commune").count() == 3321
    dinh_hoa = AdministrativeArea.objects.get(name="Xã Định Hóa", parent__code="19")
    assert dinh_hoa.parent.name == "Thái Nguyên" and dinh_hoa.division_type == "xã"
    assert not AdministrativeArea.objects.filter(kind="commune", parent=None).exists()


@pytest.mark.django_db
def test_load_areas_is_idempotent_and_repairs_changes(django_assert_max_num_queries):
    call_command("load_areas", verbosity=0)
    area = AdministrativeArea.objects.get(name="Xã Định Hóa", parent__code="19")
    area.name = "tên sai"
    area.save()
    with django_assert_max_num_queries(10):
        result = load_areas()
    assert (result["provinces"].created, result["provinces"].updated) == (0, 0)
    assert (result["communes"].created, result["communes"].updated) == (0, 1)
    area.refresh_from_db()
    assert area.name == "Xã Định Hóa"
    again = load_areas()
    assert again["communes"].unchanged == 3321 and again["communes"].updated == 0
    assert AdministrativeArea.objects.count() == 34 + 3321
