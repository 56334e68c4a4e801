"""Registry services (issue, renewal replacing the old card, one valid card per person) and the demo
cards seeded for every demo citizen."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from citizen_id.models import CardStatus, FormerIdNumber, IdentityCard, IssueKind
from citizen_id.services import issue_card, link_former_number, replace_card
from portal.core.errors import Conflict, NotFound

pytestmark = pytest.mark.django_db


def test_renewal_replaces_the_old_card_and_links_them(card, unit):
    new = replace_card(card=card, issued_on=dt.date(2026, 11, 2), issuing_unit=unit)
    card.refresh_from_db()
    assert card.status == CardStatus.REPLACED
    assert new.replaces == card and new.kind == IssueKind.RENEWAL
    assert new.expires_on == dt.date(2030, 5, 17)  # issued at 36, before the window of 40
    assert list(card.history.values_list("to_status", flat=True)) == ["valid", "replaced"]
    assert IdentityCard.objects.filter(person=card.person, status=CardStatus.VALID).get() == new


def test_reissue_after_loss_replaces_the_lost_card(card, citizen, unit):
    from citizen_id.services import report_lost

    report_lost(card=card, actor=citizen)
    new = replace_card(
        card=card, issued_on=dt.date(2026, 11, 2), kind=IssueKind.REISSUE, issuing_unit=unit
    )
    card.refresh_from_db()
    assert card.status == CardStatus.REPLACED and new.replaces == card
    assert list(card.history.values_list("to_status", flat=True)) == [
        "valid",
        "reported_lost",
        "replaced",
    ]


def test_the_database_refuses_two_valid_cards_for_one_person(card):
    with pytest.raises(IntegrityError), transaction.atomic():
        IdentityCard.objects.create(
            person=card.person,
            number=card.number,
            full_name=card.full_name,
            date_of_birth=card.date_of_birth,
            sex=card.sex,
            issued_on=dt.date(2026, 1, 1),
        )


def test_card_issue_date_before_birth_is_refused(holder):
    with pytest.raises(Conflict):
        issue_card(person=holder, issued_on=dt.date(1989, 1, 1))
    assert not IdentityCard.objects.exists()


def test_former_number_is_nine_digits_and_belongs_to_one_person(holder, other_citizen):
    from tests.citizen_id.cards.conftest import person_of

    link_former_number(person=holder, number="090123456", place="Công an tỉnh Thái Nguyên")
    assert link_former_number(person=holder, number="090123456").person == holder
    with pytest.raises(Conflict, match="9 chữ số"):
        link_former_number(person=holder, number="12345")
    with pytest.raises(Conflict, match="người khác"):
        link_former_number(person=person_of(other_citizen), number="090123456")
    assert FormerIdNumber.objects.count() == 1


def test_every_demo_citizen_gets_a_card_some_expiring_soon(monkeypatch):
    from portal.accounts.models import User

    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("seed_demo", stdout=io.StringIO())
    citizens = set(User.objects.filter(kind="citizen").values_list("personal_id", flat=True))
    valid = IdentityCard.objects.filter(status=CardStatus.VALID)
    assert set(valid.values_list("number", flat=True)) == citizens
    today = timezone.localdate()
    soon = valid.filter(expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=30))
    assert soon.count() >= 3
    assert FormerIdNumber.objects.count() == 1
    assert not valid.filter(expires_on__lt=today).exists()

    before = IdentityCard.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert IdentityCard.objects.count() == before


def test_staff_see_cards_of_their_unit_only(
    card, receiving_officer, other_unit_officer, supervisor
):
    from citizen_id.selectors import cards_for_staff, get_card_for_staff

    assert list(cards_for_staff(user=receiving_officer)) == [card]
    assert list(cards_for_staff(user=supervisor)) == [card]  # the unit is in their subtree
    assert not cards_for_staff(user=other_unit_officer).exists()
    with pytest.raises(NotFound):
        get_card_for_staff(user=other_unit_officer, pk=card.pk)
    assert not cards_for_staff(user=_citizen_of(card)).exists()  # citizens use their own page


def _citizen_of(card):
    from portal.accounts.models import User

    return User.objects.get(personal_id=card.number)
