"""Registry writes of the permanent-residence procedures (run inside the approval transaction).

Each writer locks the rows it changes from (a household before its people; people with
`lock_person`, in primary-key order when several), re-checks the current state, writes, and appends RegistryChange rows naming the dossier. The
database constraints (one current permanent residence / household membership per person, one
head per household) are the last guard: an IntegrityError is turned into a Conflict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.errors import Conflict
from residence.models import (
    Household,
    HouseholdMember,
    PermanentResidence,
    Person,
    RegistryChange,
    Relation,
)
from residence.services.common import (
    current_membership,
    current_permanent,
    get_or_create_address,
    get_or_create_person,
    lock_person,
    new_household_number,
    record_change,
)

Kind = RegistryChange.Kind


@contextmanager
def registry_guard() -> Iterator[None]:
    """A savepoint whose constraint violations become a Vietnamese Conflict (HTTP 409)."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        raise Conflict(
            _(
                "Thông tin cư trú của công dân vừa được thay đổi bởi một hồ sơ khác. "
                "Vui lòng tải lại và kiểm tra trước khi phê duyệt."
            ),
            code="registry_conflict",
        ) from None


def household_by_ref(ref: str) -> Household | None:
    """A current household by its number (HK…) or by its head's personal id."""
    ref = (ref or "").strip().upper()
    if not ref:
        return None
    if ref.isdigit():
        member = (
            HouseholdMember.objects.filter(
                person__personal_id=ref,
                relation=Relation.HEAD,
                left_on__isnull=True,
                household__dissolved_at__isnull=True,
            )
            .select_related("household__address__area")
            .first()
        )
        return member.household if member else None
    return (
        Household.objects.filter(number=ref, dissolved_at__isnull=True)
        .select_related("address__area")
        .first()
    )


def current_members(household: Household) -> list[HouseholdMember]:
    return list(
        HouseholdMember.objects.filter(household=household, left_on__isnull=True)
        .select_related("person")
        .order_by("pk")
    )


def head_leaving_problem(person: Person) -> str:
    """Why `person` may not leave their household now ("" when they may): a head with other
    members still in the household must hand over the headship first (1.010039)."""
    membership = current_membership(person)
    if membership is None or membership.relation != Relation.HEAD:
        return ""
    others = (
        HouseholdMember.objects.filter(household=membership.household, left_on__isnull=True)
        .exclude(person=person)
        .count()
    )
    if not others:
        return ""
    return _(
        "%(name)s đang là chủ hộ của hộ %(number)s còn %(n)d thành viên khác. Vui lòng làm thủ "
        "tục điều chỉnh thông tin trong Cơ sở dữ liệu về cư trú để thay đổi chủ hộ trước."
    ) % {"name": person.full_name, "number": membership.household.number, "n": others}


def _new_household(*, address, dossier) -> Household:
    """A household with the next number; two approvals creating households at once both get one
    (the loser of the unique number waits for the winner's commit, then takes the next)."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Household.objects.create(
                    number=new_household_number(), address=address, dossier=dossier
                )
        except IntegrityError:
            continue
    raise Conflict(_("Không cấp được số hộ mới, vui lòng thử lại."), code="registry_busy")


def _leave_household(person: Person, *, dossier, today: dt.date) -> HouseholdMember | None:
    membership = current_membership(person)
    if membership is None:
        return None
    problem = head_leaving_problem(person)
    if problem:
        raise Conflict(problem, code="head_must_change")
    membership.left_on = today
    membership.ended_by = dossier
    membership.save(update_fields=["left_on", "ended_by"])
    if membership.relation == Relation.HEAD:  # the last member: the household ends
        Household.objects.filter(pk=membership.household_id).update(dissolved_at=timezone.now())
    return membership


def _end_permanent(person: Person, *, dossier, today: dt.date, reason: str):
    residence = current_permanent(person)
    if residence is None:
        return None
    residence.ended_on = today
    residence.end_reason = reason[:300]
    residence.ended_by = dossier
    residence.save(update_fields=["ended_on", "end_reason", "ended_by"])
    return residence


def register_permanent(
    *,
    dossier,
    area,
    street: str,
    person_data: dict[str, Any],
    household: Household | None,
    relation: str = "",
) -> tuple[Person, PermanentResidence]:
    """Đăng ký thường trú: end the current permanent residence elsewhere, create the new one at
    (area, street), join `household` with `relation` or head a new household."""
    today = timezone.localdate()
    with registry_guard():
        person = get_or_create_person(
            personal_id=person_data["personal_id"],
            full_name=person_data["full_name"],
            date_of_birth=dt.date.fromisoformat(str(person_data["date_of_birth"])),
            sex=person_data["sex"],
        )
        person = lock_person(person)
        # Re-check under the lock: another registration approved since this one was filed
        # contradicts it (both cannot stand); staff decide again with the current data.
        since = dossier.submitted_at or dossier.created_at
        later = RegistryChange.objects.filter(
            person=person, kind=Kind.PERMANENT_REGISTERED, at__gte=since
        ).exclude(dossier=dossier)
        if later.exists():
            raise Conflict(
                _(
                    "Công dân %(name)s đã được đăng ký thường trú bởi một hồ sơ khác sau khi hồ "
                    "sơ này được nộp; hai đăng ký thường trú không thể cùng được phê duyệt."
                )
                % {"name": person.full_name},
                code="registry_conflict",
            )
        address = get_or_create_address(area=area, street=street)
        previous = current_permanent(person)
        if previous is not None and previous.address_id == address.pk:
            raise Conflict(
                _("Công dân %(name)s đã đăng ký thường trú tại địa chỉ này.")
                % {"name": person.full_name},
                code="already_registered",
            )
        _end_permanent(person, dossier=dossier, today=today, reason=_("Đăng ký thường trú nơi mới"))
        if household is not None:
            household = Household.objects.select_for_update().get(pk=household.pk)
            if household.dissolved_at is not None or household.address_id != address.pk:
                raise Conflict(
                    _("Hộ gia đình %(number)s không còn ở địa chỉ đăng ký.")
                    % {"number": household.number},
                    code="registry_conflict",
                )
        _leave_household(person, dossier=dossier, today=today)
        if household is None:
            household = _new_household(address=address, dossier=dossier)
            relation = Relation.HEAD
        HouseholdMember.objects.create(
            household=household, person=person, relation=relation, joined_on=today, dossier=dossier
        )
        residence = PermanentResidence.objects.create(
            person=person,
            address=address,
            household=household,
            registered_on=today,
            dossier=dossier,
        )
        record_change(
            person=person,
            kind=Kind.PERMANENT_REGISTERED,
            dossier=dossier,
            details={
                "address": address.full,
                "household": household.number,
                "relation": str(relation),
                "previous_address": previous.address.full if previous else "",
            },
        )
    return person, residence


def deregister_permanent(*, dossier, person: Person, reason: str) -> PermanentResidence:
    """Xóa đăng ký thường trú: end the permanent residence and the household membership."""
    today = timezone.localdate()
    with registry_guard():
        person = lock_person(person)
        residence = current_permanent(person)
        if residence is None:
            raise Conflict(
                _("Công dân %(name)s không còn đăng ký thường trú.") % {"name": person.full_name},
                code="registry_conflict",
            )
        _leave_household(person, dossier=dossier, today=today)
        _end_permanent(person, dossier=dossier, today=today, reason=reason)
        record_change(
            person=person,
            kind=Kind.PERMANENT_REMOVED,
            dossier=dossier,
            details={"address": residence.address.full, "reason": reason},
        )
    return residence


def split_household(
    *, dossier, household: Household, new_head: Person, members: list[tuple[Person, str]]
) -> Household:
    """Tách hộ: a new household at the same address headed by `new_head`, with `members`
    (person, relation to the new head) moving along; their permanent residence follows."""
    today = timezone.localdate()
    leaving = [(new_head, Relation.HEAD), *members]
    with registry_guard():
        # Household first, then its people in key order (as change_household_head does).
        household = Household.objects.select_for_update().get(pk=household.pk)
        for person in sorted((p for p, _r in leaving), key=lambda p: p.pk):
            lock_person(person)
        current = {m.person_id: m for m in current_members(household)}
        for person, _relation in leaving:
            membership = current.get(person.pk)
            if membership is None or membership.relation == Relation.HEAD:
                raise Conflict(
                    _("%(name)s không còn là thành viên (không phải chủ hộ) của hộ %(number)s.")
                    % {"name": person.full_name, "number": household.number},
                    code="registry_conflict",
                )
        if len(current) <= len(leaving):
            raise Conflict(_("Phải còn ít nhất một người ở lại hộ cũ."), code="registry_conflict")
        new = _new_household(address=household.address, dossier=dossier)
        for person, relation in leaving:
            old = current[person.pk]
            old.left_on = today
            old.ended_by = dossier
            old.save(update_fields=["left_on", "ended_by"])
            HouseholdMember.objects.create(
                household=new, person=person, relation=relation, joined_on=today, dossier=dossier
            )
            PermanentResidence.objects.filter(person=person, ended_on__isnull=True).update(
                household=new
            )
            record_change(
                person=person,
                kind=Kind.HOUSEHOLD_SPLIT,
                dossier=dossier,
                details={
                    "from_household": household.number,
                    "to_household": new.number,
                    "relation": str(relation),
                },
            )
    return new


def correct_person(*, dossier, person: Person, field: str, value: Any) -> tuple[Any, Any]:
    """Điều chỉnh thông tin: set one field of the person; returns (old, new)."""
    with registry_guard():
        person = lock_person(person)
        old = getattr(person, field)
        setattr(person, field, value)
        person.save()
        record_change(
            person=person,
            kind=Kind.INFORMATION_CORRECTED,
            dossier=dossier,
            details={"field": field, "old": _plain(old), "new": _plain(value)},
        )
    return old, value


def change_household_head(
    *, dossier, household: Household, new_head: Person, former_head_relation: str
) -> Person:
    """Điều chỉnh thông tin – thay đổi chủ hộ: the member `new_head` becomes head; the former
    head stays a member with `former_head_relation` (relation to the new head)."""
    with registry_guard():
        household = Household.objects.select_for_update().get(pk=household.pk)
        members = {m.person_id: m for m in current_members(household)}
        old_head = next((m for m in members.values() if m.relation == Relation.HEAD), None)
        for pk in sorted(p for p in (new_head.pk, old_head.person_id if old_head else None) if p):
            lock_person(pk)
        target = members.get(new_head.pk)
        if target is None or target.relation == Relation.HEAD:
            raise Conflict(
                _("%(name)s không còn là thành viên của hộ %(number)s.")
                % {"name": new_head.full_name, "number": household.number},
                code="registry_conflict",
            )
        old_relation = target.relation
        if old_head is not None:
            old_head.relation = former_head_relation or Relation.OTHER
            old_head.save(update_fields=["relation"])
            record_change(
                person=old_head.person,
                kind=Kind.INFORMATION_CORRECTED,
                dossier=dossier,
                details={"field": "relation", "old": Relation.HEAD, "new": old_head.relation},
            )
        target.relation = Relation.HEAD
        target.save(update_fields=["relation"])
        record_change(
            person=new_head,
            kind=Kind.INFORMATION_CORRECTED,
            dossier=dossier,
            details={"field": "relation", "old": old_relation, "new": Relation.HEAD},
        )
    return new_head


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
