"""Who may see which police unit, and which unit serves an area."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.units.models import AdministrativeArea, PoliceUnit


def _is_administrator(user) -> bool:
    return bool(
        user.is_superuser or (getattr(user, "is_officer", False) and user.has_role("administrator"))
    )


def units_visible_to(user) -> QuerySet[PoliceUnit]:
    """Units a user may see.

    - administrator (role, or Django superuser): every unit;
    - supervisor: their unit and everything below it (materialised-path subtree);
    - other staff (receiving / handling officer, unit leader): their own unit only;
    - citizens, anonymous users and staff without a unit: none.
    """
    units = PoliceUnit.objects.all()
    if user is None or not user.is_authenticated:
        return units.none()
    if _is_administrator(user):
        return units
    if not getattr(user, "is_officer", False) or not user.unit_id:
        return units.none()
    if user.has_role("supervisor"):
        unit = user.unit
        return units.filter(path__startswith=unit.path)
    return units.filter(pk=user.unit_id)


def unit_for_area(area: AdministrativeArea | int | None) -> PoliceUnit | None:
    """The active commune police unit whose area is this commune (used to route dossiers)."""
    if area is None:
        return None
    from portal.catalogue.memo import remembered

    area_id = area.pk if isinstance(area, AdministrativeArea) else area
    # Kept in memory for the catalogue version (every unit or area save sets a new one).
    return remembered(
        "commune-unit",
        area_id,
        lambda: (
            PoliceUnit.objects.filter(
                area_id=area_id, level=PoliceUnit.Level.COMMUNE, is_active=True
            )
            .order_by("path")
            .first()
        ),
    )


def area_by_code(code: str) -> AdministrativeArea | None:
    """The administrative area with this code (kept in memory for the catalogue version)."""
    from portal.catalogue.memo import remembered

    code = str(code or "").strip()
    if not code:
        return None
    return remembered(
        "area-code", code, lambda: AdministrativeArea.objects.filter(code=code).first()
    )


def get_unit_by_code(code: str) -> PoliceUnit | None:
    """Public lookup of an active unit by its code (e.g. for the deadline estimate API)."""
    return PoliceUnit.objects.filter(code=code, is_active=True).first()


def unit_by_id(pk: int | None) -> PoliceUnit | None:
    """The police unit with this id (kept in memory for the catalogue version: every unit save
    sets a new one). Shared by the requests of a process: never modify it."""
    from portal.catalogue.memo import remembered

    if pk is None:
        return None
    return remembered("unit-id", pk, lambda: PoliceUnit.objects.filter(pk=pk).first())


def area_by_id(pk: int | None) -> AdministrativeArea | None:
    """The administrative area with this id (kept in memory like `unit_by_id`)."""
    from portal.catalogue.memo import remembered

    if pk is None:
        return None
    return remembered("area-id", pk, lambda: AdministrativeArea.objects.filter(pk=pk).first())
