"""Demo identity cards for `seed_demo` (idempotent: a citizen who already has a card is skipped).

Every demo citizen gets a registry person (from the account) and a card: issued after the last
renewal age they reached, so its expiry follows Art. 21; the first three instead carry a card
loaded from the national database whose printed expiry falls within the next 30 days (so the
reminders and the renewal can be shown); the oldest citizen also has a former 9-digit number.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from .expiry import RENEWAL_AGES, birthday
from .models import IdentityCard, IssueKind

EXPIRING_SOON_DAYS = (7, 18, 29)


def _unit_for(user):
    from portal.units.models import PoliceUnit

    unit = None
    if user.permanent_area_id:
        unit = PoliceUnit.objects.filter(area_id=user.permanent_area_id, is_active=True).first()
    return unit or PoliceUnit.objects.filter(level="province").order_by("pk").first()


def _issue_date(born: dt.date, today: dt.date, index: int) -> dt.date:
    """A day after the last renewal age reached (at least 14), never in the future."""
    reached = [age for age in RENEWAL_AGES if birthday(born, age) <= today] or [14]
    start = birthday(born, reached[-1])
    return min(start + dt.timedelta(days=30 + (index * 41) % 300), today)


@transaction.atomic
def seed_cards(*, today: dt.date | None = None) -> int:
    """Give each demo citizen a card; returns how many cards were created."""
    from portal.accounts.models import User
    from residence.services.common import get_or_create_person

    from . import services

    today = today or timezone.localdate()
    citizens = list(
        User.objects.filter(kind=User.Kind.CITIZEN, date_of_birth__isnull=False)
        .exclude(personal_id="")
        .exclude(sex="")
        .order_by("personal_id")
    )
    created = 0
    for index, user in enumerate(citizens):
        person = get_or_create_person(
            personal_id=user.personal_id,
            full_name=user.full_name,
            date_of_birth=user.date_of_birth,
            sex=user.sex,
        )
        if IdentityCard.objects.filter(person=person).exists():
            continue
        unit = _unit_for(user)
        born = person.date_of_birth
        if index < len(EXPIRING_SOON_DAYS) and birthday(born, 14) < today:
            services.import_card(
                person=person,
                issued_on=max(birthday(born, 14), today - dt.timedelta(days=3650)),
                expires_on=today + dt.timedelta(days=EXPIRING_SOON_DAYS[index]),
                issuing_unit=unit,
            )
        elif birthday(born, 14) <= today:
            issued_on = _issue_date(born, today, index)
            services.issue_card(
                person=person,
                issued_on=issued_on,
                issuing_unit=unit,
                kind=IssueKind.RENEWAL if issued_on >= birthday(born, 25) else IssueKind.FIRST,
            )
            services.record_biometric_capture(person=person, captured_on=issued_on, unit=unit)
        else:
            continue
        created += 1
    if citizens:
        oldest = min(citizens, key=lambda u: u.date_of_birth)
        person = get_or_create_person(
            personal_id=oldest.personal_id,
            full_name=oldest.full_name,
            date_of_birth=oldest.date_of_birth,
            sex=oldest.sex,
        )
        if not person.former_id_numbers.exists():
            services.link_former_number(
                person=person,
                number="09" + oldest.personal_id[-7:],
                issued_on=birthday(oldest.date_of_birth, 16),
                place="Công an tỉnh Thái Nguyên",
            )
    return created
