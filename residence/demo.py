"""Demo population of the residence registry (called by `seed_demo` after the demo people).

Deterministic (fixed seed): a few hundred persons in households across the demo communes; every
demo citizen account heads one household at the permanent address of their account, with the
account's personal number, name, date of birth and sex. Some persons hold temporary residences
(a demo citizen's expires within 15 days, another's has expired), a demo hotel has guests staying
now, two persons have declared a temporary absence; every person gets a `loaded` history row.

Idempotent: a household whose number exists is skipped with its members (a second run writes
nothing); persons already in the registry (filed through a procedure) are reused, never changed.
Everything is written with bulk_create (a few dozen queries for the whole population).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from portal.accounts.demo import (
    BIRTH_PROVINCE_CODE,
    FAMILY_NAMES,
    FEMALE_GIVEN,
    FEMALE_MIDDLE,
    MALE_GIVEN,
    MALE_MIDDLE,
    DemoUnits,
    citizen_specs,
)
from portal.accounts.models import User
from portal.accounts.validators import century_sex_digit
from portal.core.text import fold, nfc
from residence.models import (
    Address,
    Household,
    HouseholdMember,
    PermanentResidence,
    Person,
    RegistryChange,
    Relation,
    Sex,
    Stay,
    TemporaryAbsence,
    TemporaryResidence,
)

SEED = 20250701
DEFAULT_POPULATION = 300
HOUSEHOLD_BASE = 1900000000  # demo household numbers: HK1900000001, HK1900000002, …
# Legacy birth-province codes of the demo population: Thái Nguyên, Bắc Kạn (merged into it in
# 2025), Hà Nội.
BIRTH_PROVINCES = [BIRTH_PROVINCE_CODE] * 6 + ["006"] * 2 + ["001"]
ETHNICITIES = ["Kinh"] * 6 + ["Tày", "Nùng", "Dao", "Sán Chay"]
HOTEL_STREET = "Số 1 đường Hoàng Văn Thụ (Khách sạn Hoàng Văn Thụ)"
HOTEL_NAME = "Khách sạn Hoàng Văn Thụ"
TEMPORARY_STREETS = ["Số 12 đường Lương Ngọc Quyến", "Số 25 đường Quang Trung"]
TEMPORARY_STREETS += ["Số 8 ngõ 3 đường Bến Oánh", "Số 40 đường Phủ Liễn"]


@dataclass
class PersonPlan:
    personal_id: str
    full_name: str
    date_of_birth: dt.date
    sex: str
    relation: str
    ethnicity: str = "Kinh"
    hometown: str = ""


@dataclass
class HouseholdPlan:
    number: str
    area_id: int
    street: str
    registered_on: dt.date
    members: list[PersonPlan] = field(default_factory=list)
    citizen_index: int | None = None  # position of the demo citizen it was made for


@dataclass
class RegistrySeedReport:
    persons: int = 0
    households: int = 0
    temporary: int = 0
    stays: int = 0
    absences: int = 0

    @property
    def changes(self) -> int:
        return self.persons + self.households + self.temporary + self.stays + self.absences


class _Numbers:
    """Valid personal numbers (domain §6), unique among themselves and the demo accounts."""

    def __init__(self, rng: random.Random, taken: set[str]):
        self.rng = rng
        self.taken = set(taken)

    def draw(self, born: dt.date, sex: str) -> str:
        while True:
            number = (
                self.rng.choice(BIRTH_PROVINCES)
                + century_sex_digit(born.year, sex)
                + f"{born.year % 100:02d}"
                + f"{self.rng.randint(0, 999999):06d}"
            )
            if number not in self.taken:
                self.taken.add(number)
                return number


def _name(rng: random.Random, sex: str, family: str | None = None) -> str:
    family = family or rng.choice(FAMILY_NAMES)
    if sex == Sex.MALE:
        return f"{family} {rng.choice(MALE_MIDDLE)} {rng.choice(MALE_GIVEN)}"
    return f"{family} {rng.choice(FEMALE_MIDDLE)} {rng.choice(FEMALE_GIVEN)}"


def _date(rng: random.Random, first_year: int, last_year: int) -> dt.date:
    return dt.date(rng.randint(first_year, last_year), rng.randint(1, 12), rng.randint(1, 28))


def _street_of(account_address: str, area_name: str) -> str:
    """ "Xóm 5, Xã Định Hóa, tỉnh Thái Nguyên" → "Xóm 5" (the registry keeps the commune apart)."""
    marker = f", {area_name}"
    if marker in account_address:
        return account_address[: account_address.index(marker)].strip()
    return account_address.strip() or "Không rõ số nhà"


def _relatives(
    rng: random.Random, numbers: _Numbers, head: PersonPlan, hometown: str
) -> list[PersonPlan]:
    """0–4 relatives of a head: a spouse, children, sometimes a parent."""
    family = head.full_name.split()[0]
    out: list[PersonPlan] = []
    head_year = head.date_of_birth.year
    if rng.random() < 0.8:
        sex = Sex.FEMALE if head.sex == Sex.MALE else Sex.MALE
        born = _date(rng, head_year - 4, min(head_year + 4, 2006))
        out.append(
            PersonPlan(
                numbers.draw(born, sex), _name(rng, sex), born, sex, Relation.SPOUSE, head.ethnicity
            )
        )
        if sex == Sex.MALE:  # children carry their father's family name
            family = out[-1].full_name.split()[0]
    for _i in range(rng.randint(0, 3)):
        first = head_year + 20
        if first > 2024:
            break
        sex = rng.choice([Sex.MALE, Sex.FEMALE])
        born = _date(rng, first, min(head_year + 40, 2024))
        out.append(
            PersonPlan(
                numbers.draw(born, sex),
                _name(rng, sex, family),
                born,
                sex,
                Relation.CHILD,
                head.ethnicity,
            )
        )
    if head_year >= 1980 and rng.random() < 0.3:
        sex = rng.choice([Sex.MALE, Sex.FEMALE])
        born = _date(rng, head_year - 32, head_year - 22)
        name = _name(rng, sex, family if sex == Sex.MALE else None)
        out.append(
            PersonPlan(numbers.draw(born, sex), name, born, sex, Relation.PARENT, head.ethnicity)
        )
    for member in out:
        member.hometown = hometown
    return out


def plan_population(
    *, communes: list, citizens: list[User], population: int = DEFAULT_POPULATION
) -> list[HouseholdPlan]:
    """The same households every time for the same communes and accounts."""
    rng = random.Random(SEED)
    numbers = _Numbers(rng, {u.personal_id for u in citizens})
    plans: list[HouseholdPlan] = []
    total = 0

    def new_number() -> str:
        return f"HK{HOUSEHOLD_BASE + len(plans) + 1}"

    for index, user in enumerate(citizens):
        area = next((a for a in communes if a.pk == user.permanent_area_id), communes[0])
        hometown = f"{area.name}, tỉnh Thái Nguyên"
        head = PersonPlan(
            user.personal_id,
            user.full_name,
            user.date_of_birth,
            user.sex,
            Relation.HEAD,
            rng.choice(ETHNICITIES),
            hometown,
        )
        plan = HouseholdPlan(
            number=new_number(),
            area_id=area.pk,
            street=_street_of(user.permanent_address, area.name),
            registered_on=max(_date(rng, 2000, 2024), head.date_of_birth),
            members=[head, *_relatives(rng, numbers, head, hometown)],
            citizen_index=index,
        )
        plans.append(plan)
        total += len(plan.members)
    while total < population:
        area = rng.choice(communes)
        place = "Tổ dân phố" if area.division_type == "phường" else "Xóm"
        street = f"Số {rng.randint(1, 120)}, {place} {rng.randint(1, 15)}"
        sex = rng.choice([Sex.MALE, Sex.FEMALE])
        born = _date(rng, 1945, 2000)
        hometown = f"{area.name}, tỉnh Thái Nguyên"
        head = PersonPlan(
            numbers.draw(born, sex),
            _name(rng, sex),
            born,
            sex,
            Relation.HEAD,
            rng.choice(ETHNICITIES),
            hometown,
        )
        plan = HouseholdPlan(
            number=new_number(),
            area_id=area.pk,
            street=street,
            registered_on=_date(rng, max(born.year + 18, 1990), 2024),
            members=[head, *_relatives(rng, numbers, head, hometown)],
        )
        plans.append(plan)
        total += len(plan.members)
    return plans


def _addresses(keys: set[tuple[int, str]]) -> dict[tuple[int, str], Address]:
    """Existing or new (bulk) addresses for (area id, street)."""
    wanted = {(area_id, fold(nfc(" ".join(street.split())))): street for area_id, street in keys}
    found = {
        (a.area_id, a.street_key): a
        for a in Address.objects.filter(
            area_id__in={k[0] for k in wanted}, street_key__in={k[1] for k in wanted}
        )
    }
    missing = [
        Address(area_id=area_id, street=nfc(" ".join(street.split())), street_key=key)
        for (area_id, key), street in wanted.items()
        if (area_id, key) not in found
    ]
    for address in Address.objects.bulk_create(missing):
        found[(address.area_id, address.street_key)] = address
    return {
        (area_id, street): found[(area_id, fold(nfc(" ".join(street.split()))))]
        for area_id, street in keys
    }


def _person(plan: PersonPlan) -> Person:
    name = nfc(" ".join(plan.full_name.split()))
    return Person(
        personal_id=plan.personal_id,
        full_name=name,
        date_of_birth=plan.date_of_birth,
        sex=plan.sex,
        ethnicity=plan.ethnicity,
        hometown=plan.hometown,
        search_text=fold(f"{plan.personal_id} {name}"),
    )


@transaction.atomic
def seed_registry(
    units: DemoUnits, *, citizens: int = 36, population: int = DEFAULT_POPULATION
) -> RegistrySeedReport:
    report = RegistrySeedReport()
    today = timezone.localdate()
    now = timezone.now()
    communes = [u.area for u in units.communes.values()]
    specs = citizen_specs(units, citizens)
    by_pid = {
        u.personal_id: u
        for u in User.objects.filter(personal_id__in=[s.personal_id for s in specs])
    }
    accounts = [by_pid[s.personal_id] for s in specs if s.personal_id in by_pid]
    plans = plan_population(communes=communes, citizens=accounts, population=population)

    existing_numbers = set(
        Household.objects.filter(number__in=[p.number for p in plans]).values_list(
            "number", flat=True
        )
    )
    todo = [p for p in plans if p.number not in existing_numbers]
    if not todo:
        return report
    all_pids = [m.personal_id for p in todo for m in p.members]
    persons = {p.personal_id: p for p in Person.objects.filter(personal_id__in=all_pids)}
    new_persons = [_person(m) for p in todo for m in p.members if m.personal_id not in persons]
    for person in Person.objects.bulk_create(new_persons):
        persons[person.personal_id] = person
    report.persons = len(new_persons)
    new_ids = {p.pk for p in new_persons}

    extra_streets = {(communes[i % len(communes)].pk, s) for i, s in enumerate(TEMPORARY_STREETS)}
    hotel_area = next((a for a in communes if a.division_type == "phường"), communes[-1])
    keys = {(p.area_id, p.street) for p in todo} | extra_streets | {(hotel_area.pk, HOTEL_STREET)}
    addresses = _addresses(keys)

    households = Household.objects.bulk_create(
        Household(
            number=p.number,
            address=addresses[(p.area_id, p.street)],
            created_at=dt.datetime.combine(p.registered_on, dt.time(8), tzinfo=dt.UTC),
        )
        for p in todo
    )
    report.households = len(households)
    busy = set(
        HouseholdMember.objects.filter(
            person_id__in=[p.pk for p in persons.values()], left_on__isnull=True
        ).values_list("person_id", flat=True)
    )
    settled = set(
        PermanentResidence.objects.filter(
            person_id__in=[p.pk for p in persons.values()], ended_on__isnull=True
        ).values_list("person_id", flat=True)
    )
    members, permanents = [], []
    for plan, household in zip(todo, households, strict=True):
        for member in plan.members:
            person = persons[member.personal_id]
            since = max(plan.registered_on, member.date_of_birth)
            if person.pk not in busy:
                busy.add(person.pk)
                members.append(
                    HouseholdMember(
                        household=household,
                        person=person,
                        relation=member.relation,
                        joined_on=since,
                    )
                )
            if person.pk not in settled:
                settled.add(person.pk)
                permanents.append(
                    PermanentResidence(
                        person=person,
                        address=household.address,
                        household=household,
                        registered_on=since,
                    )
                )
    HouseholdMember.objects.bulk_create(members)
    PermanentResidence.objects.bulk_create(permanents)

    # Temporary residences: demo citizen 2 expires within 15 days, citizen 3 has expired; a few
    # adults of the generated population hold one elsewhere in the province.
    rng = random.Random(SEED + 1)
    temp_addresses = [addresses[k] for k in sorted(extra_streets, key=lambda k: k[1])]
    holders: list[tuple[Person, dt.date, dt.date]] = []
    for plan in todo:
        if plan.citizen_index in (1, 2):
            person = persons[plan.members[0].personal_id]
            if plan.citizen_index == 1:
                holders.append(
                    (person, today - dt.timedelta(days=355), today + dt.timedelta(days=10))
                )
            else:
                holders.append(
                    (person, today - dt.timedelta(days=185), today - dt.timedelta(days=5))
                )
    generated_adults = [
        persons[m.personal_id]
        for p in todo
        if p.citizen_index is None
        for m in p.members
        if m.date_of_birth.year <= 2000
    ]
    for person in rng.sample(generated_adults, min(12, len(generated_adults))):
        start = today - dt.timedelta(days=rng.randint(30, 300))
        holders.append((person, start, start + dt.timedelta(days=rng.choice([180, 365, 730]))))
    open_temp = set(
        TemporaryResidence.objects.filter(
            person_id__in=[h[0].pk for h in holders], ended_on__isnull=True
        ).values_list("person_id", flat=True)
    )
    temporaries = [
        TemporaryResidence(
            person=person,
            address=temp_addresses[i % len(temp_addresses)],
            registered_on=start,
            expires_on=end,
        )
        for i, (person, start, end) in enumerate(holders)
        if person.pk not in open_temp
    ]
    TemporaryResidence.objects.bulk_create(temporaries)
    report.temporary = len(temporaries)

    # The demo hotel: four guests staying now (three in the registry, one not).
    hotel = addresses[(hotel_area.pk, HOTEL_STREET)]
    stays = []
    if not Stay.objects.filter(address=hotel).exists():
        guests = [p for p in generated_adults if p.pk in new_ids][-3:]
        arrive = timezone.localtime(now).replace(hour=14, minute=0, second=0, microsecond=0)
        for i, guest in enumerate(guests):
            stays.append(
                Stay(
                    address=hotel,
                    host_name=HOTEL_NAME,
                    guest=guest,
                    guest_personal_id=guest.personal_id,
                    guest_name=guest.full_name,
                    guest_date_of_birth=guest.date_of_birth,
                    guest_search=fold(f"{guest.personal_id} {guest.full_name}"),
                    starts_at=arrive - dt.timedelta(days=i + 1),
                    ends_at=arrive + dt.timedelta(days=i + 1, hours=-2),
                )
            )
        stranger_born = dt.date(1988, 6, 15)
        stranger_pid = _Numbers(rng, set(persons)).draw(stranger_born, Sex.MALE)
        stays.append(
            Stay(
                address=hotel,
                host_name=HOTEL_NAME,
                guest_personal_id=stranger_pid,
                guest_name="Đỗ Minh Khôi",
                guest_date_of_birth=stranger_born,
                guest_search=fold(f"{stranger_pid} Đỗ Minh Khôi"),
                starts_at=arrive - dt.timedelta(days=1),
                ends_at=arrive + dt.timedelta(days=2),
            )
        )
        Stay.objects.bulk_create(stays)
    report.stays = len(stays)

    # Two temporary absences: one running now, one starting next week.
    absentees = [p for p in generated_adults if p.pk in new_ids][:2]
    absences = [
        TemporaryAbsence(
            person=person,
            date_from=today + dt.timedelta(days=start),
            date_to=today + dt.timedelta(days=end),
            destination=destination,
            reason=reason,
        )
        for person, (start, end, destination, reason) in zip(
            absentees,
            [
                (-3, 40, "Số 10 phố Huế, phường Hai Bà Trưng, Hà Nội", "Đi làm việc"),
                (7, 30, "Phường Bến Thành, Thành phố Hồ Chí Minh", "Thăm người thân"),
            ],
            strict=False,
        )
    ]
    TemporaryAbsence.objects.bulk_create(absences)
    report.absences = len(absences)

    RegistryChange.objects.bulk_create(
        RegistryChange(
            person=person,
            kind=RegistryChange.Kind.LOADED,
            at=now,
            details={"source": "demo", "seed": SEED},
        )
        for person in new_persons
    )
    return report
