"""Stay notices (thông báo lưu trú, 2.001159): validation against the registry and the writes.

Time rule (Luật Cư trú 2020 Điều 30; Thông tư 55/2021/TT-BCA Điều 15, sửa đổi bởi Thông tư
66/2023/TT-BCA; domain.md §5): a stay is notified before 23:00 of the day it starts; a guest who
arrives after 23:00 may be notified before 08:00 the next day. So before 08:00 an arrival from
23:00 of the previous day is accepted; otherwise an arrival earlier than today is in the past.
A notice covers at most MAX_STAY_DAYS days.

Cost: whatever the number of guests, validation reads the registry in at most four queries
(persons, the address, its permanent and temporary residents) and recording writes in a constant
number (address, stays in one bulk insert, registry changes in one bulk insert).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.text import fold, nfc
from residence.models import (
    MAX_STAY_DAYS,
    Address,
    PermanentResidence,
    Person,
    RegistryChange,
    Stay,
    TemporaryResidence,
)
from residence.services.common import get_or_create_address

# The notice of a stay starting on a day is due before this hour …
NOTICE_DUE_HOUR = 23
# … and for a guest arriving after it, before this hour of the next day.
LATE_ARRIVAL_GRACE_HOUR = 8


def _now() -> dt.datetime:
    return timezone.now()


def earliest_arrival(now: dt.datetime | None = None) -> dt.datetime:
    """The earliest arrival a notice sent at `now` may still declare (aware, local time)."""
    local = timezone.localtime(now or _now())
    tz = local.tzinfo
    today = local.date()
    if local.hour < LATE_ARRIVAL_GRACE_HOUR:
        previous = today - dt.timedelta(days=1)
        return dt.datetime.combine(previous, dt.time(NOTICE_DUE_HOUR, 0), tzinfo=tz)
    return dt.datetime.combine(today, dt.time(0, 0), tzinfo=tz)


def stay_end(leaves_on: dt.date) -> dt.datetime:
    """A stay lasts until the end of the day the guest leaves (local time)."""
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(leaves_on, dt.time(23, 59, 59), tzinfo=tz)


def _as_aware(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value:
        return dt.date.fromisoformat(str(value))
    return None


def _datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return _as_aware(value)
    return _as_aware(dt.datetime.fromisoformat(str(value)))


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


def find_address(*, area, street: str) -> Address | None:
    key = fold(" ".join((street or "").split()))
    area_id = area.pk if hasattr(area, "pk") else area
    return Address.objects.filter(area_id=area_id, street_key=key).first()


def persons_by_id(ids) -> dict[str, Person]:
    """The registry's persons with these personal numbers, by number (one query)."""
    wanted = {pid for pid in ids if pid}
    if not wanted:
        return {}
    return {p.personal_id: p for p in Person.objects.filter(personal_id__in=wanted)}


def validate_guests(
    *,
    area,
    street: str,
    guests: list[dict[str, Any]],
    now: dt.datetime | None = None,
    persons: dict[str, Person] | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Check the guests of a notice against the registry and the time rules.

    Returns (guests completed from the registry, error messages). Each message names the guest
    ("Khách 2 (Trần Văn B): …") so a host with many guests finds the line at once. `persons`:
    `persons_by_id` of the guests' numbers when the caller read it already.
    """
    now = now or _now()
    earliest = earliest_arrival(now)
    if persons is None:
        persons = persons_by_id(g.get("personal_id", "") for g in guests)
    errors: list[str] = []
    completed: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, guest in enumerate(guests, start=1):
        item = dict(guest)
        pid = item.get("personal_id", "")
        person = persons.get(pid)
        typed_name = nfc(" ".join(str(item.get("full_name") or "").split()))
        where = _("Khách %(i)d") % {"i": index}
        if person is not None:
            if typed_name and fold(typed_name) != fold(person.full_name):
                errors.append(
                    _(
                        "%(where)s: họ tên “%(typed)s” không khớp với Cơ sở dữ liệu về cư trú "
                        "cho số định danh %(pid)s. Vui lòng kiểm tra lại số định danh hoặc để "
                        "trống họ tên để hệ thống tự điền."
                    )
                    % {"where": where, "typed": typed_name, "pid": pid}
                )
            typed_birth = _date(item.get("date_of_birth"))
            if typed_birth and typed_birth != person.date_of_birth:
                errors.append(
                    _(
                        "%(where)s: ngày sinh %(typed)s không khớp với Cơ sở dữ liệu về cư trú "
                        "cho số định danh %(pid)s."
                    )
                    % {"where": where, "typed": typed_birth.strftime("%d/%m/%Y"), "pid": pid}
                )
            item["full_name"] = person.full_name
            item["date_of_birth"] = person.date_of_birth
        elif not typed_name:
            errors.append(
                _(
                    "%(where)s: số định danh %(pid)s chưa có trong Cơ sở dữ liệu về cư trú; "
                    "vui lòng nhập họ tên của khách."
                )
                % {"where": where, "pid": pid}
            )
        else:
            item["full_name"] = typed_name
        name = item.get("full_name") or pid
        where = _("Khách %(i)d (%(name)s)") % {"i": index, "name": name}
        if pid in seen:
            errors.append(
                _(
                    "%(where)s: đã khai ở dòng %(first)d; mỗi người chỉ khai một lần trong thông báo."
                )
                % {"where": where, "first": seen[pid]}
            )
        elif pid:
            seen[pid] = index
        arrives = item.get("arrives_at")
        leaves = _date(item.get("leaves_on"))
        if arrives:
            arrives = _datetime(arrives)
            item["arrives_at"] = arrives
            if arrives < earliest:
                errors.append(
                    _(
                        "%(where)s: thời điểm đến lưu trú %(at)s đã qua hạn thông báo. Thông báo "
                        "lưu trú trước 23 giờ của ngày bắt đầu lưu trú; khách đến sau 23 giờ thì "
                        "thông báo trước 08 giờ ngày hôm sau."
                    )
                    % {"where": where, "at": _fmt(arrives)}
                )
        if arrives and leaves:
            start_day = timezone.localtime(arrives).date()
            if leaves < start_day:
                errors.append(
                    _(
                        "%(where)s: ngày rời đi (%(end)s) phải từ ngày đến lưu trú (%(start)s) trở đi."
                    )
                    % {
                        "where": where,
                        "end": leaves.strftime("%d/%m/%Y"),
                        "start": start_day.strftime("%d/%m/%Y"),
                    }
                )
            elif (leaves - start_day).days > MAX_STAY_DAYS:
                errors.append(
                    _(
                        "%(where)s: thời gian lưu trú một lần thông báo không quá %(days)d ngày "
                        "(từ %(start)s đến %(end)s là %(n)d ngày)."
                    )
                    % {
                        "where": where,
                        "days": MAX_STAY_DAYS,
                        "start": start_day.strftime("%d/%m/%Y"),
                        "end": leaves.strftime("%d/%m/%Y"),
                        "n": (leaves - start_day).days,
                    }
                )
        completed.append(item)
    errors.extend(_residents_here(area=area, street=street, guests=completed, persons=persons))
    return completed, errors


def _residents_here(*, area, street: str, guests, persons: dict[str, Person]) -> list[str]:
    """Guests whose permanent or current temporary residence is this very address: they live
    here, their being here is not a stay."""
    person_ids = [p.pk for p in persons.values()]
    if not person_ids or not street or area is None:
        return []
    address = find_address(area=area, street=street)
    if address is None:
        return []
    today = timezone.localdate()
    permanent = set(
        PermanentResidence.objects.filter(
            address=address, ended_on__isnull=True, person_id__in=person_ids
        ).values_list("person_id", flat=True)
    )
    temporary = set(
        TemporaryResidence.objects.filter(
            address=address,
            ended_on__isnull=True,
            expires_on__gte=today,
            person_id__in=person_ids,
        ).values_list("person_id", flat=True)
    )
    errors = []
    for index, guest in enumerate(guests, start=1):
        person = persons.get(guest.get("personal_id", ""))
        if person is None:
            continue
        where = _("Khách %(i)d (%(name)s)") % {"i": index, "name": person.full_name}
        if person.pk in permanent:
            errors.append(
                _(
                    "%(where)s đang thường trú tại chính địa chỉ này: người ở tại nơi thường trú "
                    "của mình không thuộc trường hợp thông báo lưu trú."
                )
                % {"where": where}
            )
        elif person.pk in temporary:
            errors.append(
                _(
                    "%(where)s đang tạm trú tại chính địa chỉ này: người ở tại nơi tạm trú "
                    "của mình không thuộc trường hợp thông báo lưu trú."
                )
                % {"where": where}
            )
    return errors


def record_stays(
    *, dossier, data: dict[str, Any] | None = None, persons: dict[str, Person] | None = None
) -> list[Stay]:
    """Write one Stay per guest of a recorded notice, and a RegistryChange for each guest who is
    in the registry. Runs inside the submit transaction (see the engine's records_on_submit).
    `persons`: `persons_by_id` of the guests' numbers, read earlier in this transaction."""
    data = data if data is not None else dossier.form_data
    address = get_or_create_address(area=dossier.area, street=data["street"])
    address.area = dossier.area  # already loaded: spares a query for address.full
    guests = list(data.get("guests") or [])
    if persons is None:
        persons = persons_by_id(g.get("personal_id", "") for g in guests)
    now = _now()
    host_name = nfc(" ".join(str(data.get("host_name") or "").split()))[:200]
    stays = []
    for guest in guests:
        pid = guest.get("personal_id", "")
        person = persons.get(pid)
        name = person.full_name if person else nfc(" ".join(str(guest["full_name"]).split()))
        birth = person.date_of_birth if person else _date(guest.get("date_of_birth"))
        stays.append(
            Stay(
                address=address,
                host_name=host_name,
                guest=person,
                guest_personal_id=pid,
                guest_name=name,
                guest_date_of_birth=birth,
                # bulk_create skips Stay.save(): fold the search text here.
                guest_search=fold(f"{pid} {name}"),
                starts_at=_datetime(guest["arrives_at"]),
                ends_at=stay_end(_date(guest["leaves_on"])),
                dossier=dossier,
                created_at=now,
            )
        )
    created = Stay.objects.bulk_create(stays)
    changes = [
        RegistryChange(
            person=stay.guest,
            kind=RegistryChange.Kind.STAY_NOTIFIED,
            dossier=dossier,
            at=now,
            details={
                "address": address.full,
                "host_name": host_name,
                "from": stay.starts_at.isoformat(),
                "to": stay.ends_at.date().isoformat(),
            },
        )
        for stay in created
        if stay.guest is not None
    ]
    if changes:
        RegistryChange.objects.bulk_create(changes)
    return created
