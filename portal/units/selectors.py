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
    area_id = area.pk if isinstance(area, AdministrativeArea) else area
    return (
        PoliceUnit.objects.filter(area_id=area_id, level=PoliceUnit.Level.COMMUNE, is_active=True)
        .order_by("path")
        .first()
    )


def get_unit_by_code(code: str) -> PoliceUnit | None:
    """Public lookup of an active unit by its code (e.g. for the deadline estimate API)."""
    return PoliceUnit.objects.filter(code=code, is_active=True).first()
