"""The citizen page "Thẻ căn cước của tôi" (/can-cuoc/cua-toi/) and its lost-card report."""

from __future__ import annotations

import pytest
from django.test import Client

from citizen_id.models import CardStatus
from tests.citizen_id.cards.conftest import person_of

pytestmark = pytest.mark.django_db

PAGE = "/can-cuoc/cua-toi/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_page_lists_only_my_cards(
    card, citizen, other_citizen, unit, django_assert_max_num_queries
):
    import datetime as dt

    from citizen_id.services import issue_card

    issue_card(person=person_of(other_citizen), issued_on=dt.date(2020, 1, 1), issuing_unit=unit)
    client = _client(citizen)
    with django_assert_max_num_queries(12):
        html = client.get(PAGE).content.decode()
    assert "Thẻ căn cước của tôi" in html
    assert card.number in html and "17/05/2030" in html and "Còn hiệu lực" in html
    assert other_citizen.personal_id not in html


def test_holder_reports_lost_on_the_page(card, citizen):
    client = _client(citizen)
    response = client.post(f"/can-cuoc/the/{card.pk}/bao-mat/", {"note": "Rơi ở bến xe"})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.status == CardStatus.REPORTED_LOST
    html = client.get(PAGE).content.decode()
    assert "Đã báo mất" in html and "Rơi ở bến xe" in html
    assert "Báo mất thẻ</button>" not in html


def test_others_get_404_and_the_card_stays_valid(card, other_citizen):
    response = _client(other_citizen).post(f"/can-cuoc/the/{card.pk}/bao-mat/")
    assert response.status_code == 404
    card.refresh_from_db()
    assert card.status == CardStatus.VALID


def test_page_needs_login():
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert "/dang-nhap/" in response["Location"]
