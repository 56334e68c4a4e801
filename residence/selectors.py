"""Reading the residence registry, with who-may-see-what built in (the one access choke point).

- citizen: their own person record and their current household (and its addresses);
- officer: persons with a current permanent or temporary residence, a current household
  membership, or a current stay at an address in their unit's commune (`PoliceUnit.area`);
- supervisor: the same over the communes of their unit's subtree (`PoliceUnit.path` prefix);
- administrator (role or superuser): everything;
- anyone else: nothing. A miss is always NotFound (404), never 403, like dossiers.

`my_residence(user)` builds the citizen's own record ("Thông tin cư trú của tôi", the API's
/residence/me/) in a fixed number of queries, whatever the size of the household.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.access import is_administrator, is_officer
from portal.accounts.models import Role
from portal.core.errors import NotFound
from portal.units.models import PoliceUnit
from residence.models import (
    Address,
    Household,
    HouseholdMember,
    PermanentResidence,
    Person,
    Relation,
    Stay,
    TemporaryAbsence,
    TemporaryResidence,
)

ALL = "all"

# Address area → its province in the same query (Address.full walks area.parent).
ADDRESS_RELATED = "address__area__parent"


def _second_factor_ok(user) -> bool:
    from portal.dossiers.selectors import _second_factor_ok as ok

    return ok(user)


def scope_areas(user):
    """`ALL`, None (nothing), or a queryset of the commune ids the officer covers."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    officer = user.is_superuser or getattr(user, "is_officer", False)
    if officer and not _second_factor_ok(user):
        return None
    if is_administrator(user) or user.is_superuser:
        return ALL
    if not is_officer(user) or not user.unit_id:
        return None
    if user.has_role(Role.SUPERVISOR):
        units = PoliceUnit.objects.filter(path__startswith=user.unit.path)
    else:
        units = PoliceUnit.objects.filter(pk=user.unit_id)
    return units.filter(area__isnull=False).values("area_id")


def _in_staff_scope(qs: QuerySet, user, area_lookup: str) -> QuerySet:
    """`qs` narrowed to the communes the staff user covers (`area_lookup` names the commune)."""
    areas = scope_areas(user)
    if areas is None:
        return qs.none()
    if areas == ALL:
        return qs
    return qs.filter(**{f"{area_lookup}__in": areas})


def _is_citizen(user) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and getattr(user, "is_citizen", False)
    )


def _own_personal_id(user) -> str:
    return (getattr(user, "personal_id", "") or "").strip()


def _citizen_household_ids(user):
    return HouseholdMember.objects.filter(
        person__personal_id=_own_personal_id(user), left_on__isnull=True
    ).values("household_id")


# --- querysets ---------------------------------------------------------------------------------


def visible_persons(*, user) -> QuerySet[Person]:
    qs = Person.objects.all()
    if _is_citizen(user):
        pid = _own_personal_id(user)
        return qs.filter(personal_id=pid) if pid else qs.none()
    areas = scope_areas(user)
    if areas is None:
        return qs.none()
    if areas == ALL:
        return qs
    now = timezone.now()
    condition = (
        Q(
            pk__in=PermanentResidence.objects.filter(
                ended_on__isnull=True, address__area_id__in=areas
            ).values("person_id")
        )
        | Q(
            pk__in=TemporaryResidence.objects.filter(
                ended_on__isnull=True, address__area_id__in=areas
            ).values("person_id")
        )
        | Q(
            pk__in=HouseholdMember.objects.filter(
                left_on__isnull=True, household__address__area_id__in=areas
            ).values("person_id")
        )
        | Q(
            pk__in=Stay.objects.filter(
                guest__isnull=False, ends_at__gte=now, address__area_id__in=areas
            ).values("guest_id")
        )
    )
    return qs.filter(condition)


def visible_households(*, user) -> QuerySet[Household]:
    qs = Household.objects.all()
    if _is_citizen(user):
        return (
            qs.filter(pk__in=_citizen_household_ids(user)) if _own_personal_id(user) else qs.none()
        )
    return _in_staff_scope(qs, user, "address__area_id")


def visible_addresses(*, user) -> QuerySet[Address]:
    qs = Address.objects.all()
    if _is_citizen(user):
        pid = _own_personal_id(user)
        if not pid:
            return qs.none()
        return qs.filter(
            Q(households__in=_citizen_household_ids(user))
            | Q(
                pk__in=PermanentResidence.objects.filter(
                    person__personal_id=pid, ended_on__isnull=True
                ).values("address_id")
            )
            | Q(
                pk__in=TemporaryResidence.objects.filter(
                    person__personal_id=pid, ended_on__isnull=True
                ).values("address_id")
            )
        ).distinct()
    return _in_staff_scope(qs, user, "area_id")


def visible_stays(*, user) -> QuerySet[Stay]:
    qs = Stay.objects.all()
    if _is_citizen(user):
        pid = _own_personal_id(user)
        return qs.filter(guest__personal_id=pid) if pid else qs.none()
    return _in_staff_scope(qs, user, "address__area_id")


def _get(qs: QuerySet, pk, message: str):
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, TypeError, ValueError):
        raise NotFound(message, code="not_found") from None


def get_person_for_user(*, user, pk) -> Person:
    return _get(visible_persons(user=user), pk, _("Không tìm thấy công dân trong CSDL cư trú."))


def get_household_for_user(*, user, pk) -> Household:
    return _get(
        visible_households(user=user).select_related(ADDRESS_RELATED),
        pk,
        _("Không tìm thấy hộ gia đình."),
    )


def get_address_for_user(*, user, pk) -> Address:
    return _get(
        visible_addresses(user=user).select_related("area__parent"),
        pk,
        _("Không tìm thấy địa chỉ."),
    )


# --- the citizen's own record ------------------------------------------------------------------


@dataclass
class MemberView:
    personal_id: str
    full_name: str
    date_of_birth: dt.date
    relation: str
    relation_label: str
    is_you: bool


@dataclass
class HouseholdView:
    number: str
    address: str
    head_name: str
    your_relation: str
    your_relation_label: str
    members: list[MemberView] = field(default_factory=list)


@dataclass
class ResidenceRecord:
    person: Person | None
    message: str = ""
    permanent: PermanentResidence | None = None
    temporary: TemporaryResidence | None = None
    temporary_valid: bool = False
    current_address: str = ""
    current_address_kind: str = ""  # "temporary" | "permanent" | ""
    household: HouseholdView | None = None
    stays: list[Stay] = field(default_factory=list)
    absences: list[TemporaryAbsence] = field(default_factory=list)


def my_residence(user, *, today: dt.date | None = None) -> ResidenceRecord:
    """The citizen's record: person, current permanent (since), current temporary (expiry),
    current address (a valid temporary residence, else the permanent one), household with the
    members' relations to the head, open stays, current and future absences. Seven queries at
    most, whatever the household's size."""
    today = today or timezone.localdate()
    person = visible_persons(user=user).first() if _is_citizen(user) else None
    if person is None:
        return ResidenceRecord(
            person=None,
            message=_(
                "Chưa có thông tin cư trú của bạn trong CSDL cư trú. Nếu bạn đã đăng ký thường "
                "trú hoặc tạm trú, vui lòng liên hệ Công an xã, phường nơi cư trú để cập nhật."
            ),
        )
    record = ResidenceRecord(person=person)
    record.permanent = (
        PermanentResidence.objects.filter(person=person, ended_on__isnull=True)
        .select_related(ADDRESS_RELATED)
        .first()
    )
    record.temporary = (
        TemporaryResidence.objects.filter(person=person, ended_on__isnull=True)
        .select_related(ADDRESS_RELATED)
        .first()
    )
    record.temporary_valid = bool(record.temporary and record.temporary.is_valid_on(today))
    if record.temporary_valid:
        record.current_address = record.temporary.address.full
        record.current_address_kind = "temporary"
    elif record.permanent is not None:
        record.current_address = record.permanent.address.full
        record.current_address_kind = "permanent"
    membership = (
        HouseholdMember.objects.filter(person=person, left_on__isnull=True)
        .select_related("household__address__area__parent")
        .prefetch_related(
            Prefetch(
                "household__memberships",
                queryset=HouseholdMember.objects.filter(left_on__isnull=True)
                .select_related("person")
                .order_by("joined_on", "pk"),
                to_attr="current_members",
            )
        )
        .first()
    )
    if membership is not None:
        household = membership.household
        members = sorted(
            household.current_members,
            key=lambda m: (m.relation != Relation.HEAD, m.person.date_of_birth, m.pk),
        )
        head = next((m.person for m in members if m.relation == Relation.HEAD), None)
        record.household = HouseholdView(
            number=household.number,
            address=household.address.full,
            head_name=head.full_name if head else "",
            your_relation=membership.relation,
            your_relation_label=str(membership.get_relation_display()),
            members=[
                MemberView(
                    personal_id=m.person.personal_id,
                    full_name=m.person.full_name,
                    date_of_birth=m.person.date_of_birth,
                    relation=m.relation,
                    relation_label=str(m.get_relation_display()),
                    is_you=m.person_id == person.pk,
                )
                for m in members
            ],
        )
    record.stays = list(
        Stay.objects.filter(guest=person, ends_at__gte=timezone.now())
        .select_related(ADDRESS_RELATED)
        .order_by("starts_at", "pk")
    )
    record.absences = list(
        TemporaryAbsence.objects.filter(person=person, date_to__gte=today).order_by(
            "date_from", "pk"
        )
    )
    return record
