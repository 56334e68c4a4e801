"""Read-only lookups for the estimate API (public data: published procedures, active units)."""

from __future__ import annotations

from portal.catalogue.models import Procedure
from portal.units.models import PoliceUnit


def published_procedure(*, code: str) -> Procedure | None:
    return Procedure.objects.filter(code=code, is_published=True).first()


def active_unit(*, code: str) -> PoliceUnit | None:
    """An active unit with its office hours prefetched (so the calendar needs no extra query)."""
    return (
        PoliceUnit.objects.filter(code=code, is_active=True)
        .prefetch_related("office_hours")
        .first()
    )
