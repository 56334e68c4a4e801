"""The postal fee comes from the effective-dated table, by date and area, frozen at submission."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from portal.postal.fees import fee_on, postal_fee_for
from portal.postal.models import PostalFeeRate

pytestmark = pytest.mark.django_db


@pytest.fixture
def table(province_area):
    PostalFeeRate.objects.create(
        valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2025, 12, 31), amount=20000
    )
    PostalFeeRate.objects.create(valid_from=dt.date(2026, 1, 1), amount=25000)
    PostalFeeRate.objects.create(
        valid_from=dt.date(2026, 7, 1), area=province_area, amount=30000, note="Miền núi"
    )


def test_fee_is_the_rate_in_force_on_the_day(table, area):
    assert fee_on(dt.date(2019, 12, 31), area) == 0  # before any rate
    assert fee_on(dt.date(2020, 1, 1), area) == 20000
    assert fee_on(dt.date(2025, 12, 31), area) == 20000  # the end date is inclusive
    assert fee_on(dt.date(2026, 1, 1), area) == 25000
    assert fee_on(dt.date(2026, 6, 30), area) == 25000


def test_a_rate_for_the_province_wins_below_it_but_not_elsewhere(table, area, province_area):
    from portal.units.models import AdministrativeArea

    elsewhere = AdministrativeArea.objects.create(code="98", name="Tỉnh khác", kind="province")
    assert fee_on(dt.date(2026, 8, 1), area) == 30000  # the commune is inside the province
    assert fee_on(dt.date(2026, 8, 1), province_area) == 30000
    assert fee_on(dt.date(2026, 8, 1), elsewhere) == 25000
    assert fee_on(dt.date(2026, 8, 1)) == 25000


def test_overlapping_rates_for_the_same_scope_are_refused(table):
    overlapping = PostalFeeRate(valid_from=dt.date(2025, 6, 1), amount=1)
    with pytest.raises(ValidationError):
        overlapping.full_clean()
    backwards = PostalFeeRate(
        valid_from=dt.date(2030, 1, 2), valid_to=dt.date(2030, 1, 1), amount=1
    )
    with pytest.raises(ValidationError):
        backwards.full_clean()


def test_the_fee_is_frozen_at_submission(post_dossier, postal_rate):
    draft = post_dossier("draft")
    assert postal_fee_for(draft) == 25000
    dossier = post_dossier("submitted")
    assert dossier.postal_fee == 25000
    postal_rate.amount = 40000
    postal_rate.save()
    dossier.refresh_from_db()
    assert postal_fee_for(dossier) == 25000  # what the citizen was shown and pays


def test_no_postal_fee_unless_the_result_comes_by_post(make_dossier, postal_rate):
    dossier = make_dossier("submitted")  # in person
    assert dossier.postal_fee == 0
    assert postal_fee_for(dossier) == 0


def test_administrators_edit_the_table_in_the_admin_and_officers_cannot(
    staff_client, province_unit, receiving_officer
):
    from django.urls import reverse

    from portal.accounts.models import Role
    from tests.dossiers.conftest import make_staff

    admin_client = staff_client(make_staff("quantri.buuchinh", province_unit, Role.ADMINISTRATOR))
    add = reverse("admin:postal_postalfeerate_add")
    response = admin_client.post(
        add, {"valid_from": "01/01/2027", "valid_to": "", "area": "", "amount": "32000"}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert fee_on(dt.date(2027, 3, 1)) == 32000

    officer = staff_client(receiving_officer)
    assert officer.get(add).status_code == 403
    assert officer.post(add, {"valid_from": "01/01/2028", "amount": "1"}).status_code == 403
    assert not PostalFeeRate.objects.filter(amount=1).exists()


def test_the_demo_seeds_one_nationwide_rate_once():
    from portal.postal.demo import seed_postal_rates

    assert seed_postal_rates() is not None
    assert seed_postal_rates() is None  # idempotent
    assert fee_on(dt.date(2026, 1, 1)) == 30000
