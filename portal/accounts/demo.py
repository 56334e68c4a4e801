"""Demo data: Thái Nguyên provincial police, commune police units, staff of every role and a few
dozen citizens. Deterministic (fixed seed) and idempotent (a second run writes nothing).

One function per part so that later features extend `seed_demo` with their own part.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from portal.accounts.models import Role, Sex, User
from portal.accounts.services import create_staff, register_citizen, set_staff_roles
from portal.accounts.validators import century_sex_digit, normalize_phone
from portal.units.models import AdministrativeArea, PoliceUnit
from portal.units.services import upsert_unit

DEFAULT_DEMO_PASSWORD = "demo-CongAn-2025"  # documented in README / .env.example (DEMO_PASSWORD)
SEED = 20250301
PROVINCE_AREA_CODE = "19"  # Thái Nguyên after the 2025 reform (merged with Bắc Kạn)
BIRTH_PROVINCE_CODE = "019"  # legacy code of Thái Nguyên in personal identification numbers
# Communes / wards of the new Thái Nguyên province that get a demo police unit (names as in
# vietnam-provinces; "Xã Định Hóa" is the commune formed in 2025 around the former district town).
DEMO_COMMUNES = [
    "Xã Định Hóa",
    "Xã Phượng Tiến",
    "Xã Trung Hội",
    "Xã Kim Phượng",
    "Xã Bình Yên",
    "Phường Phan Đình Phùng",
]
MINISTRY_CODE = "BCA"
PROVINCE_UNIT_CODE = "CAT.THAINGUYEN"
LEGACY_DISTRICT_CODE = "CAH.DINHHOA"


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


@dataclass
class DemoLogin:
    role: str
    login: str
    unit: str
    name: str = ""


@dataclass
class DemoUnits:
    ministry: PoliceUnit
    province: PoliceUnit
    legacy_district: PoliceUnit
    communes: dict[str, PoliceUnit] = field(default_factory=dict)  # slug → unit


@dataclass
class SeedReport:
    logins: list[DemoLogin] = field(default_factory=list)
    changes: int = 0


class PasswordSync:
    """Gives every demo account the demo password, hashing once and checking each stored hash
    once (all demo accounts share one hash, so a re-run costs a single check)."""

    def __init__(self, password: str):
        self.password = password
        self.hash = make_password(password)
        self._checked: dict[str, bool] = {self.hash: True}

    def matches(self, stored: str) -> bool:
        if stored not in self._checked:
            self._checked[stored] = check_password(self.password, stored)
        return self._checked[stored]

    def sync(self, user: User) -> bool:
        if self.matches(user.password):
            return False
        user.password = self.hash
        user.save(update_fields=["password"])
        return True


def _slug(area: AdministrativeArea) -> str:
    """ "Xã Định Hóa" → "dinhhoa"."""
    from portal.core.text import fold

    words = fold(area.name).split()
    if words and words[0] in ("xa", "phuong"):
        words = words[1:]
    return "".join(words)


def _unit_name(area: AdministrativeArea) -> str:
    return "Công an " + area.name[0].lower() + area.name[1:]


# --- units -------------------------------------------------------------------------------------


@transaction.atomic
def seed_units(report: SeedReport | None = None) -> DemoUnits:
    report = report or SeedReport()
    province_area = AdministrativeArea.objects.get(
        code=PROVINCE_AREA_CODE, kind=AdministrativeArea.Kind.PROVINCE
    )
    ministry, changed = upsert_unit(
        code=MINISTRY_CODE, name="Bộ Công an", level=PoliceUnit.Level.MINISTRY
    )
    report.changes += changed
    province, changed = upsert_unit(
        code=PROVINCE_UNIT_CODE,
        name="Công an tỉnh Thái Nguyên",
        level=PoliceUnit.Level.PROVINCE,
        parent=ministry,
        area=province_area,
    )
    report.changes += changed
    # District police were dissolved on 01/3/2025; kept (inactive) to show the level exists.
    legacy, changed = upsert_unit(
        code=LEGACY_DISTRICT_CODE,
        name="Công an huyện Định Hóa (trước 01/3/2025)",
        level=PoliceUnit.Level.DISTRICT,
        parent=province,
        is_active=False,
    )
    report.changes += changed
    areas = {
        a.name: a
        for a in AdministrativeArea.objects.filter(parent=province_area, name__in=DEMO_COMMUNES)
    }
    missing = set(DEMO_COMMUNES) - set(areas)
    if missing:
        raise RuntimeError(f"communes not found in Thái Nguyên: {sorted(missing)}")
    units = DemoUnits(ministry=ministry, province=province, legacy_district=legacy)
    for name in DEMO_COMMUNES:
        area = areas[name]
        slug = _slug(area)
        prefix = "CAP" if area.division_type == "phường" else "CAX"
        unit, changed = upsert_unit(
            code=f"{prefix}.{slug.upper()}",
            name=_unit_name(area),
            level=PoliceUnit.Level.COMMUNE,
            parent=province,
            area=area,
            address=f"{area.name}, tỉnh Thái Nguyên",
        )
        report.changes += changed
        units.communes[slug] = unit
    return units


# --- people ------------------------------------------------------------------------------------

FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ma", "Lường"]
FAMILY_NAMES += ["Nông", "Hà", "Dương", "Lý"]
MALE_MIDDLE = ["Văn", "Đức", "Quang", "Minh", "Hữu", "Xuân"]
FEMALE_MIDDLE = ["Thị", "Thu", "Ngọc", "Thanh", "Diệu", "Hồng"]
MALE_GIVEN = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phong"]
MALE_GIVEN += ["Quân", "Sơn", "Thắng", "Trung", "Tuấn", "Việt"]
FEMALE_GIVEN = ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai"]
FEMALE_GIVEN += ["Ngân", "Nhung", "Phương", "Thảo", "Trang", "Yến"]
# Mobile prefixes in use (Viettel, MobiFone, VinaPhone); numbers are checked with phonenumbers.
MOBILE_PREFIXES = ["086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038"]
MOBILE_PREFIXES += ["039", "090", "093", "070", "076", "077", "078", "079", "091", "094", "088"]
MOBILE_PREFIXES += ["081", "082", "083", "084", "085"]


def _full_name(rng: random.Random, sex: str) -> str:
    family = rng.choice(FAMILY_NAMES)
    if sex == Sex.MALE:
        return f"{family} {rng.choice(MALE_MIDDLE)} {rng.choice(MALE_GIVEN)}"
    return f"{family} {rng.choice(FEMALE_MIDDLE)} {rng.choice(FEMALE_GIVEN)}"


def _mobile(rng: random.Random) -> str:
    while True:
        raw = rng.choice(MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(7))
        try:
            return normalize_phone(raw)
        except Exception:  # noqa: BLE001 - draw again until the library accepts it
            continue


STAFF_ROLES = [
    (Role.RECEIVING_OFFICER, "tiepnhan"),
    (Role.HANDLING_OFFICER, "xuly"),
    (Role.UNIT_LEADER, "lanhdao"),
]


def _ensure_staff(
    *, username: str, full_name: str, unit: PoliceUnit, roles: list[str], pw: PasswordSync
) -> bool:
    user = User.objects.filter(username=username).first()
    if user is None:
        create_staff(
            username=username, full_name=full_name, unit=unit, roles=roles, password_hash=pw.hash
        )
        return True
    changed = False
    wanted = {"kind": User.Kind.STAFF, "is_staff": True, "unit_id": unit.pk, "is_active": True}
    dirty = [f for f, v in wanted.items() if getattr(user, f) != v]
    if dirty:
        for f in dirty:
            setattr(user, f, wanted[f])
        user.save(update_fields=dirty)
        changed = True
    if set(user.role_set()) != set(roles):
        set_staff_roles(user=user, roles=roles)
        changed = True
    return pw.sync(user) or changed


@transaction.atomic
def seed_staff(units: DemoUnits, pw: PasswordSync, report: SeedReport | None = None) -> SeedReport:
    report = report or SeedReport()
    rng = random.Random(SEED + 1)
    plan: list[tuple[str, str, PoliceUnit, list[str]]] = [
        ("quantri", "Quản trị hệ thống", units.ministry, [Role.ADMINISTRATOR]),
        ("giamsat.thainguyen", "", units.province, [Role.SUPERVISOR]),
    ]
    for role, prefix in STAFF_ROLES:
        plan.append((f"{prefix}.thainguyen", "", units.province, [role]))
    for slug, unit in units.communes.items():
        for role, prefix in STAFF_ROLES:
            plan.append((f"{prefix}.{slug}", "", unit, [role]))
    for username, name, unit, roles in plan:
        sex = rng.choice([Sex.MALE, Sex.FEMALE])
        full_name = name or _full_name(rng, sex)
        report.changes += _ensure_staff(
            username=username, full_name=full_name, unit=unit, roles=roles, pw=pw
        )
        report.logins.append(
            DemoLogin(
                role=", ".join(str(Role(r).label) for r in roles),
                login=username,
                unit=unit.name,
                name=full_name,
            )
        )
    return report


@dataclass(frozen=True)
class CitizenSpec:
    personal_id: str
    full_name: str
    date_of_birth: dt.date
    sex: str
    phone: str
    email: str
    area: AdministrativeArea
    address: str


def citizen_specs(units: DemoUnits, count: int) -> list[CitizenSpec]:
    """The same `count` citizens every time (fixed seed)."""
    rng = random.Random(SEED)
    communes = [u.area for u in units.communes.values()]
    seen: set[str] = set()
    specs = []
    while len(specs) < count:
        sex = Sex.MALE if len(specs) % 2 == 0 else Sex.FEMALE
        year = rng.randint(1950, 2007)
        dob = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        number = (
            BIRTH_PROVINCE_CODE
            + century_sex_digit(year, sex)
            + f"{year % 100:02d}"
            + f"{rng.randint(0, 999999):06d}"
        )
        name = _full_name(rng, sex)
        phone = _mobile(rng)
        area = rng.choice(communes)
        hamlet = rng.randint(1, 15)
        place = "Tổ dân phố" if area.division_type == "phường" else "Xóm"
        if number in seen:
            continue
        seen.add(number)
        specs.append(
            CitizenSpec(
                personal_id=number,
                full_name=name,
                date_of_birth=dob,
                sex=sex,
                phone=phone,
                email=f"congdan{len(specs) + 1:02d}@example.com" if len(specs) % 3 == 0 else "",
                area=area,
                address=f"{place} {hamlet}, {area.name}, tỉnh Thái Nguyên",
            )
        )
    return specs


@transaction.atomic
def seed_citizens(
    units: DemoUnits, pw: PasswordSync, *, count: int = 36, report: SeedReport | None = None
) -> SeedReport:
    report = report or SeedReport()
    specs = citizen_specs(units, count)
    existing = {
        u.personal_id: u
        for u in User.objects.filter(personal_id__in=[s.personal_id for s in specs])
    }
    for spec in specs:
        user = existing.get(spec.personal_id)
        if user is None:
            user = register_citizen(
                personal_id=spec.personal_id,
                full_name=spec.full_name,
                date_of_birth=spec.date_of_birth,
                sex=spec.sex,
                phone=spec.phone,
                email=spec.email,
                permanent_address=spec.address,
                current_address=spec.address,
                permanent_area=spec.area,
                current_area=spec.area,
                password_hash=pw.hash,
            )
            report.changes += 1
        else:
            report.changes += pw.sync(user)
        if user.phone and user.phone_verified_at is None:
            # Demo numbers are fictitious: treated as verified so demo citizens can file at once.
            user.phone_verified_at = timezone.now()
            user.save(update_fields=["phone_verified_at"])
            report.changes += 1
        report.logins.append(
            DemoLogin(
                role=str(User.Kind.CITIZEN.label),
                login=spec.personal_id,
                unit=spec.area.name,
                name=spec.full_name,
            )
        )
    return report


def seed_people(units: DemoUnits, *, citizens: int = 36) -> SeedReport:
    report = SeedReport()
    pw = PasswordSync(demo_password())
    seed_staff(units, pw, report)
    seed_citizens(units, pw, count=citizens, report=report)
    return report
