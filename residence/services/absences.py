"""Registry write of khai báo tạm vắng (1.003677): the approved declaration is stored as a
`TemporaryAbsence` of the person, inside the approval transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from portal.core.errors import Conflict
from residence.models import Person, RegistryChange, TemporaryAbsence
from residence.services.common import lock_person, record_change


@transaction.atomic
def record_absence(
    *,
    dossier,
    person: Person,
    date_from: dt.date,
    date_to: dt.date,
    destination: str,
    reason: str = "",
) -> TemporaryAbsence:
    person = lock_person(person)
    if TemporaryAbsence.objects.filter(dossier=dossier).exists():
        raise Conflict(
            _("Khai báo tạm vắng của hồ sơ này đã được ghi nhận."), code="registry_changed"
        )
    absence = TemporaryAbsence.objects.create(
        person=person,
        date_from=date_from,
        date_to=date_to,
        destination=destination[:300],
        reason=reason[:500],
        dossier=dossier,
    )
    record_change(
        person=person,
        kind=RegistryChange.Kind.ABSENCE_DECLARED,
        dossier=dossier,
        details={
            "absence": absence.pk,
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "destination": absence.destination,
        },
    )
    return absence
