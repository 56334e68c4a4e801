"""Shared registry writes and lookups used by every procedure's approval effect.

Rules: every writer runs inside the caller's transaction (the dossier transition's), locks the
person row with `lock_person` before changing what hangs from it, and appends a
`RegistryChange` naming the dossier. Reads for validation use the `current_*` helpers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from residence.models import (
    Address,
    Household,
    HouseholdMember,
    PermanentResidence,
    Person,
    RegistryChange,
    TemporaryResidence,
)


def find_person(personal_id: str) -> Person | None:
    if not personal_id:
        return None
    return Person.objects.filter(personal_id=personal_id).first()


def person_of_account(user) -> Person | None:
    """The registry person of a citizen account (linked by personal identification number)."""
    return find_person(getattr(user, "personal_id", "") or "")


def lock_person(person: Person | int) -> Person:
    """Lock the person row for the rest of the transaction (serialises concurrent approvals)."""
    pk = person.pk if isinstance(person, Person) else person
    return Person.objects.select_for_update().get(pk=pk)


@transaction.atomic
def get_or_create_person(
    *,
    personal_id: str,
    full_name: str,
    date_of_birth: dt.date,
    sex: str,
    **extra: Any,
) -> Person:
    person = Person.objects.filter(personal_id=personal_id).first()
    if person is not None:
        return person
    return Person.objects.create(
        personal_id=personal_id,
        full_name=full_name,
        date_of_birth=date_of_birth,
        sex=sex,
        **extra,
    )


def get_or_create_address(*, area, street: str) -> Address:
    from portal.core.text import fold

    key = fold(" ".join((street or "").split()))
    area_id = area.pk if hasattr(area, "pk") else area
    address = Address.objects.filter(area_id=area_id, street_key=key).first()
    if address is None:
        address = Address(area_id=area_id, street=street)
        address.save()
    return address


def current_permanent(person: Person) -> PermanentResidence | None:
    return (
        PermanentResidence.objects.filter(person=person, ended_on__isnull=True)
        .select_related("address__area", "household")
        .first()
    )


def current_temporary(person: Person) -> TemporaryResidence | None:
    return (
        TemporaryResidence.objects.filter(person=person, ended_on__isnull=True)
        .select_related("address__area")
        .first()
    )


def current_membership(person: Person) -> HouseholdMember | None:
    return (
        HouseholdMember.objects.filter(person=person, left_on__isnull=True)
        .select_related("household__address__area")
        .first()
    )


def household_head(household: Household) -> Person | None:
    member = (
        HouseholdMember.objects.filter(household=household, left_on__isnull=True, relation="head")
        .select_related("person")
        .first()
    )
    return member.person if member else None


def new_household_number() -> str:
    """A new household number (số hộ): HK + 10 digits, increasing."""
    last = Household.objects.filter(number__startswith="HK").order_by("-number").first()
    seq = int(last.number[2:]) + 1 if last and last.number[2:].isdigit() else 1
    return f"HK{seq:010d}"


def record_change(
    *, person: Person, kind: str, dossier=None, details: dict | None = None, at=None
) -> RegistryChange:
    return RegistryChange.objects.create(
        person=person, kind=kind, dossier=dossier, details=details or {}, at=at or timezone.now()
    )
