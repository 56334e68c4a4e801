"""Role checks that views, selectors and services share. No queries beyond the user's roles.

Scope rules (domain.md §2): officers act for their own unit; a supervisor oversees the subtree
under their unit; an administrator sees everything. Citizens never act for a unit.
"""

from __future__ import annotations

from portal.accounts.models import Role
from portal.units.models import PoliceUnit

OFFICER_ROLES = (Role.RECEIVING_OFFICER, Role.HANDLING_OFFICER, Role.UNIT_LEADER)


def is_officer(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_officer)


def is_administrator(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_administrator)


def in_subtree(unit: PoliceUnit, root: PoliceUnit) -> bool:
    """True when `unit` is `root` or below it."""
    return bool(unit and root and unit.path.startswith(root.path))


def is_supervisor_of(user, unit: PoliceUnit) -> bool:
    """A supervisor oversees the units strictly below their own unit (the level above)."""
    if not is_officer(user) or not user.unit_id or unit is None:
        return False
    if not user.has_role(Role.SUPERVISOR):
        return False
    return unit.pk != user.unit_id and in_subtree(unit, user.unit)


def can_act_for_unit(user, unit: PoliceUnit, *roles: str) -> bool:
    """The user is an officer of exactly this unit holding one of `roles` (default: any officer
    role). Administrators may act for every unit."""
    if unit is None:
        return False
    if is_administrator(user):
        return True
    if not is_officer(user) or user.unit_id != unit.pk:
        return False
    return user.has_role(*(roles or OFFICER_ROLES))


def can_view_unit(user, unit: PoliceUnit) -> bool:
    """Same rule as `portal.units.selectors.units_visible_to`, for one unit already loaded."""
    if unit is None:
        return False
    if is_administrator(user):
        return True
    if not is_officer(user) or not user.unit_id:
        return False
    if user.has_role(Role.SUPERVISOR):
        return in_subtree(unit, user.unit)
    return user.unit_id == unit.pk


def can_sign_for_unit(user, unit: PoliceUnit) -> bool:
    """Approving and signing results or refusals belongs to the unit leader."""
    return can_act_for_unit(user, unit, Role.UNIT_LEADER)
