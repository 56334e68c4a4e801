"""Xác nhận thông tin về cư trú (1.010041): what the registry says of a person, frozen into the
CT07 context at approval time, and the RegistryChange that records the issue.

Validity of CT07: 01 year from the date of issue. Source: khoản 3 Điều 17 Thông tư 55/2021/TT-BCA
as amended by Thông tư 66/2023/TT-BCA ("Xác nhận thông tin về cư trú có giá trị sử dụng 01 năm kể
từ ngày cấp. Trường hợp thông tin về cư trú của công dân có sự thay đổi, điều chỉnh … thì giấy xác
nhận hết giá trị kể từ thời điểm thay đổi"), read in a secondary source (a legal Q&A page quoting
the amended text); the text before the amendment said 06 months / 30 days. Primary text not
consulted: re-check against the official gazette.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from residence.models import (
    HouseholdMember,
    PermanentResidence,
    Person,
    RegistryChange,
    Relation,
    Sex,
    TemporaryResidence,
)
from residence.services.common import (
    current_membership,
    current_permanent,
    current_temporary,
    find_person,
    record_change,
)

VALIDITY_MONTHS = 12  # see the module docstring

# What a CT07 may confirm (the citizen chooses; default all).
CONTENT_PERSONAL = "personal"
CONTENT_PERMANENT = "permanent"
CONTENT_TEMPORARY = "temporary"
CONTENT_CURRENT = "current"
CONTENT_HOUSEHOLD = "household"
CONTENT_HISTORY = "history"
ALL_CONTENTS = (
    CONTENT_PERSONAL,
    CONTENT_PERMANENT,
    CONTENT_TEMPORARY,
    CONTENT_CURRENT,
    CONTENT_HOUSEHOLD,
    CONTENT_HISTORY,
)


def _d(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def has_residence_data(personal_id: str) -> bool:
    """The registry knows this person and where they reside or resided (the ½-day case)."""
    if not personal_id:
        return False
    return Person.objects.filter(
        Q(personal_id=personal_id),
        Q(permanent_residences__isnull=False) | Q(temporary_residences__isnull=False),
    ).exists()


def same_household(a: Person | None, b: Person | None) -> bool:
    if a is None or b is None:
        return False
    ma, mb = current_membership(a), current_membership(b)
    return bool(ma and mb and ma.household_id == mb.household_id)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def confirmation_context(
    person: Person, *, contents: list[str] | None = None, on: dt.date | None = None
) -> dict[str, Any]:
    """The CT07 facts of `person` as the registry holds them now (JSON only)."""
    on = on or timezone.localdate()
    chosen = [c for c in (contents or ALL_CONTENTS) if c in ALL_CONTENTS] or list(ALL_CONTENTS)
    permanent = current_permanent(person)
    temporary = current_temporary(person)
    if temporary is not None and temporary.expires_on < on:
        temporary = None
    membership = current_membership(person)
    current = temporary or permanent
    household = None
    if membership is not None:
        rows = (
            HouseholdMember.objects.filter(household=membership.household, left_on__isnull=True)
            .select_related("person")
            .order_by("joined_on", "pk")
        )
        members = []
        head = None
        for row in rows:
            item = {
                "full_name": row.person.full_name,
                "date_of_birth": _d(row.person.date_of_birth),
                "relation": str(Relation(row.relation).label)
                if row.relation in Relation.values
                else row.relation,
                "personal_id": row.person.personal_id,
            }
            if row.relation == Relation.HEAD:
                head = item
                members.insert(0, item)
            else:
                members.append(item)
        household = {
            "number": membership.household.number,
            "address": membership.household.address.full if membership.household.address_id else "",
            "head": head,
            "relation": str(Relation(membership.relation).label)
            if membership.relation in Relation.values
            else membership.relation,
            "members": members,
        }
    history = [
        {
            "kind": _("Thường trú"),
            "address": r.address.full,
            "date_from": _d(r.registered_on),
            "date_to": _d(r.ended_on),
            "reason": r.end_reason,
            "_sort": r.registered_on.isoformat(),
        }
        for r in PermanentResidence.objects.filter(
            person=person, ended_on__isnull=False
        ).select_related("address__area__parent")
    ]
    history += [
        {
            "kind": _("Tạm trú"),
            "address": r.address.full,
            "date_from": _d(r.registered_on),
            "date_to": _d(r.ended_on or r.expires_on),
            "reason": r.end_reason,
            "_sort": r.registered_on.isoformat(),
        }
        for r in TemporaryResidence.objects.filter(
            Q(person=person), Q(ended_on__isnull=False) | Q(expires_on__lt=on)
        ).select_related("address__area__parent")
    ]
    history.sort(key=lambda row: row.pop("_sort"), reverse=True)
    return {
        "contents": chosen,
        "person": {
            "full_name": person.full_name,
            "date_of_birth": _d(person.date_of_birth),
            "sex": str(Sex(person.sex).label) if person.sex in Sex.values else person.sex,
            "personal_id": person.personal_id,
            "nationality": person.nationality,
            "ethnicity": person.ethnicity,
            "religion": person.religion,
            "hometown": person.hometown,
        },
        "permanent": {"address": permanent.address.full, "since": _d(permanent.registered_on)}
        if permanent
        else None,
        "temporary": {
            "address": temporary.address.full,
            "since": _d(temporary.registered_on),
            "until": _d(temporary.expires_on),
        }
        if temporary
        else None,
        "current_address": current.address.full if current else "",
        "household": household,
        "history": history,
        "issued_on": _d(on),
        "valid_until": _d(_add_months(on, VALIDITY_MONTHS)),
        "validity_months": VALIDITY_MONTHS,
    }


def issue_confirmation(*, dossier, personal_id: str, purpose: str, contents: list[str]) -> dict:
    """Inside the approval transaction: read the registry now, record the issue, return the CT07
    context. Raises LookupError when the registry has no record of the person."""
    person = find_person(personal_id)
    if person is None:
        raise LookupError(personal_id)
    data = confirmation_context(person, contents=contents)
    record_change(
        person=person,
        kind=RegistryChange.Kind.CONFIRMATION_ISSUED,
        dossier=dossier,
        details={
            "purpose": purpose,
            "contents": data["contents"],
            "valid_until": data["valid_until"],
        },
    )
    return data
