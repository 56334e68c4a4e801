"""Two approvals of one renewal at the same moment on PostgreSQL (one connection per thread): one
card is issued, the other approval gets a Conflict, and the person keeps exactly one valid card."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from citizen_id.models import CardStatus, IdentityCard, IssueKind
from citizen_id.services import issue_card, replace_card
from portal.core.errors import Conflict
from tests.citizen_id.cards.conftest import person_of
from tests.concurrency import run_at_once
from tests.conftest import require_service

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_renewals_of_one_card_at_once_issue_one_card(citizen, unit):
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    old = issue_card(person=person_of(citizen), issued_on=dt.date(2015, 6, 1), issuing_unit=unit)

    def renew():
        card = IdentityCard.objects.get(pk=old.pk)
        return replace_card(card=card, issued_on=dt.date(2026, 11, 2), issuing_unit=unit).pk

    results = run_at_once([renew, renew])
    oks = [r[1] for r in results if r[0] == "ok"]
    errors = [r[1] for r in results if r[0] == "error"]
    assert len(oks) == 1, results
    assert len(errors) == 1 and isinstance(errors[0], Conflict), results
    assert errors[0].code == "card_already_replaced"
    valid = IdentityCard.objects.filter(number=citizen.personal_id, status=CardStatus.VALID)
    assert [c.pk for c in valid] == oks
    assert valid.get().replaces_id == old.pk
    old.refresh_from_db()
    assert old.status == CardStatus.REPLACED
    assert list(old.history.values_list("to_status", flat=True)) == ["valid", "replaced"]


def test_first_issue_to_a_holder_of_a_valid_card_is_refused(citizen, unit):
    person = person_of(citizen)
    issue_card(person=person, issued_on=dt.date(2015, 6, 1), issuing_unit=unit)
    with pytest.raises(Conflict) as raised:
        issue_card(person=person, issued_on=dt.date(2026, 11, 2), kind=IssueKind.FIRST)
    assert raised.value.code == "card_exists"
    assert IdentityCard.objects.filter(number=citizen.personal_id).count() == 1
