"""Registry writes of the temporary-residence procedures (đăng ký, gia hạn, xóa đăng ký tạm trú).

Each runs inside the approval transaction of the dossier: it locks the person row, checks again
what validation checked at filing (the registry may have changed since), writes, and appends a
`RegistryChange`. A registry that changed so that the approval would contradict an earlier one
raises `Conflict` (the approval rolls back); the database constraint "one open temporary residence
per person" is the last guard and is reported the same way.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.errors import Conflict
from residence.models import MAX_TEMPORARY_DAYS, Person, RegistryChange, TemporaryResidence
from residence.services.common import (
    current_permanent,
    current_temporary,
    get_or_create_address,
    lock_person,
    record_change,
)


def _changed_since_filing(what: str) -> Conflict:
    return Conflict(
        _(
            "Thông tin cư trú của công dân đã thay đổi sau khi nộp hồ sơ (%(what)s). "
            "Vui lòng kiểm tra lại hồ sơ trước khi phê duyệt."
        )
        % {"what": what},
        code="registry_changed",
    )


def _one_open_temporary_violated() -> Conflict:
    return Conflict(
        _(
            "Công dân đã có một nơi tạm trú đang còn hiệu lực được ghi nhận đồng thời; "
            "không thể ghi nhận thêm. Vui lòng tải lại hồ sơ và kiểm tra."
        ),
        code="registry_changed",
    )


def _made_after_filing(residence: TemporaryResidence, dossier) -> bool:
    """Was this open residence written by a dossier decided after `dossier` was filed? Then
    approving `dossier` would silently override a decision its handler has not seen."""
    source = residence.dossier
    if source is None or source.pk == dossier.pk or not dossier.submitted_at:
        return False
    return bool(source.decided_at and source.decided_at > dossier.submitted_at)


def person_for_registration(
    *, personal_id: str, full_name: str, date_of_birth: dt.date, sex: str
) -> Person:
    """The registry person of a registration, created from the declared data when the registry
    has none yet (two approvals creating the same newcomer at once: the second uses the first's)."""
    person = Person.objects.filter(personal_id=personal_id).first()
    if person is not None:
        return person
    try:
        with transaction.atomic():
            return Person.objects.create(
                personal_id=personal_id,
                full_name=full_name,
                date_of_birth=date_of_birth,
                sex=sex,
            )
    except IntegrityError:
        return Person.objects.get(personal_id=personal_id)


@transaction.atomic
def register_temporary(
    *,
    dossier,
    person: Person,
    area,
    street: str,
    date_from: dt.date,
    date_to: dt.date,
) -> TemporaryResidence:
    """Đăng ký tạm trú: ends the person's open temporary residence elsewhere (if it predates this
    filing) and opens the new one until `date_to`."""
    person = lock_person(person)
    address = get_or_create_address(area=area, street=street)
    permanent = current_permanent(person)
    if permanent is not None and permanent.address_id == address.pk:
        raise _changed_since_filing(_("đã đăng ký thường trú tại chính địa chỉ này"))
    if (date_to - date_from).days > MAX_TEMPORARY_DAYS:
        raise Conflict(_("Thời hạn tạm trú vượt quá 02 năm."), code="invalid_period")
    today = timezone.localdate()
    open_residence = current_temporary(person)
    ended = None
    if open_residence is not None:
        if _made_after_filing(open_residence, dossier):
            raise _changed_since_filing(
                _("một hồ sơ khác đã đăng ký tạm trú tại %(address)s")
                % {"address": open_residence.address.full}
            )
        if open_residence.address_id == address.pk:
            raise _changed_since_filing(_("đã có nơi tạm trú còn hiệu lực tại chính địa chỉ này"))
        open_residence.ended_on = today
        open_residence.end_reason = _("Đăng ký tạm trú tại chỗ ở mới")
        open_residence.ended_by = dossier
        open_residence.save(update_fields=["ended_on", "end_reason", "ended_by"])
        ended = open_residence
    try:
        with transaction.atomic():
            residence = TemporaryResidence.objects.create(
                person=person,
                address=address,
                registered_on=max(date_from, today),
                expires_on=date_to,
                dossier=dossier,
            )
    except IntegrityError:
        raise _one_open_temporary_violated() from None
    if ended is not None:
        record_change(
            person=person,
            kind=RegistryChange.Kind.TEMPORARY_REMOVED,
            dossier=dossier,
            details={"temporary_residence": ended.pk, "address": ended.address.full},
        )
    record_change(
        person=person,
        kind=RegistryChange.Kind.TEMPORARY_REGISTERED,
        dossier=dossier,
        details={
            "temporary_residence": residence.pk,
            "address": address.full,
            "from": residence.registered_on.isoformat(),
            "to": residence.expires_on.isoformat(),
            "ended": ended.pk if ended else None,
        },
    )
    return residence


@transaction.atomic
def extend_temporary(*, dossier, person: Person, new_expires_on: dt.date) -> TemporaryResidence:
    """Gia hạn tạm trú: the open temporary residence runs until `new_expires_on`."""
    person = lock_person(person)
    residence = current_temporary(person)
    if residence is None:
        raise _changed_since_filing(_("không còn nơi tạm trú để gia hạn"))
    if new_expires_on <= residence.expires_on:
        raise _changed_since_filing(_("thời hạn tạm trú đã được gia hạn"))
    if (new_expires_on - residence.expires_on).days > MAX_TEMPORARY_DAYS:
        raise Conflict(_("Thời hạn gia hạn tạm trú vượt quá 02 năm."), code="invalid_period")
    old = residence.expires_on
    residence.expires_on = new_expires_on
    residence.extensions += 1
    residence.reminder_sent_on = None
    residence.save(update_fields=["expires_on", "extensions", "reminder_sent_on"])
    record_change(
        person=person,
        kind=RegistryChange.Kind.TEMPORARY_EXTENDED,
        dossier=dossier,
        details={
            "temporary_residence": residence.pk,
            "address": residence.address.full,
            "old_expires_on": old.isoformat(),
            "expires_on": new_expires_on.isoformat(),
            "extensions": residence.extensions,
        },
    )
    return residence


@transaction.atomic
def remove_temporary(*, dossier, person: Person, area, reason: str) -> TemporaryResidence:
    """Xóa đăng ký tạm trú: ends the person's open temporary residence in `area`."""
    person = lock_person(person)
    residence = current_temporary(person)
    area_id = area.pk if hasattr(area, "pk") else area
    if residence is None or residence.address.area_id != area_id:
        raise _changed_since_filing(_("không còn nơi tạm trú tại xã / phường này"))
    residence.ended_on = timezone.localdate()
    residence.end_reason = str(reason)[:300]
    residence.ended_by = dossier
    residence.save(update_fields=["ended_on", "end_reason", "ended_by"])
    record_change(
        person=person,
        kind=RegistryChange.Kind.TEMPORARY_REMOVED,
        dossier=dossier,
        details={
            "temporary_residence": residence.pk,
            "address": residence.address.full,
            "reason": str(reason),
        },
    )
    return residence
