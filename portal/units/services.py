"""Writes for administrative areas and police units."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from portal.units.models import AdministrativeArea, PoliceUnit


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def province_area_code(code: int) -> str:
    """Area code of a province: the 2-digit national code, e.g. 19 → "19"."""
    return f"{int(code):02d}"


def commune_area_code(code: int) -> str:
    """Area code of a commune / ward: the 5-digit national code, e.g. 5569 → "05569"."""
    return f"{int(code):05d}"


def _sync(rows: list[dict], existing: dict[str, AdministrativeArea]) -> LoadResult:
    fields = ["name", "kind", "division_type", "parent_id"]
    to_create: list[AdministrativeArea] = []
    to_update: list[AdministrativeArea] = []
    unchanged = 0
    for row in rows:
        current = existing.get(row["code"])
        if current is None:
            to_create.append(AdministrativeArea(**row))
            continue
        if all(getattr(current, f) == row[f] for f in fields):
            unchanged += 1
            continue
        for f in fields:
            setattr(current, f, row[f])
        to_update.append(current)
    AdministrativeArea.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        AdministrativeArea.objects.bulk_update(
            to_update, ["name", "kind", "division_type", "parent"], batch_size=500
        )
    if to_create or to_update:
        # bulk writes send no signal: the areas kept in memory (portal/catalogue/memo.py) go stale
        from portal.catalogue.cache import bump_after_commit

        bump_after_commit()
    return LoadResult(created=len(to_create), updated=len(to_update), unchanged=unchanged)


@transaction.atomic
def load_areas() -> dict[str, LoadResult]:
    """Load the 34 provinces and 3,321 communes / wards (2025 reform) from `vietnam-provinces`.

    Idempotent: existing rows (matched by national code) are updated only when the package data
    differs; a second run writes nothing. A handful of queries whatever the size.
    """
    from vietnam_provinces import Province, Ward

    provinces = list(Province.iter_all())
    existing = {
        a.code: a
        for a in AdministrativeArea.objects.filter(
            kind__in=[AdministrativeArea.Kind.PROVINCE, AdministrativeArea.Kind.COMMUNE]
        )
    }
    province_rows = [
        {
            "code": province_area_code(p.code),
            "name": p.name,
            "kind": AdministrativeArea.Kind.PROVINCE,
            "division_type": p.division_type.value,
            "parent_id": None,
        }
        for p in provinces
    ]
    province_result = _sync(province_rows, existing)

    province_ids = dict(
        AdministrativeArea.objects.filter(kind=AdministrativeArea.Kind.PROVINCE).values_list(
            "code", "id"
        )
    )
    ward_rows = [
        {
            "code": commune_area_code(w.code),
            "name": w.name,
            "kind": AdministrativeArea.Kind.COMMUNE,
            "division_type": w.division_type.value,
            "parent_id": province_ids[province_area_code(w.province_code)],
        }
        for w in Ward.iter_all()
    ]
    commune_result = _sync(ward_rows, existing)
    return {"provinces": province_result, "communes": commune_result}


@transaction.atomic
def upsert_unit(
    *,
    code: str,
    name: str,
    level: str,
    parent: PoliceUnit | None = None,
    area: AdministrativeArea | None = None,
    address: str = "",
    phone: str = "",
    email: str = "",
    is_active: bool = True,
) -> tuple[PoliceUnit, bool]:
    """Create the unit with this code, or bring it to the given values. Returns (unit, changed).

    Saves only when something differs, so that re-running a seed writes nothing.
    """
    values = {
        "name": name,
        "level": level,
        "parent": parent,
        "area": area,
        "address": address,
        "phone": phone,
        "email": email,
        "is_active": is_active,
    }
    unit = PoliceUnit.objects.select_for_update().filter(code=code).first()
    if unit is None:
        unit = PoliceUnit(code=code, **values)
        unit.save()
        return unit, True
    changed = False
    for field, value in values.items():
        attr = field + "_id" if field in ("parent", "area") else field
        new = value.pk if field in ("parent", "area") and value is not None else value
        if getattr(unit, attr) != new:
            setattr(unit, field, value)
            changed = True
    if changed:
        unit.save()
    return unit, changed
