"""One way to show a moment and a duration on every page, message and document: `HH:MM dd/mm/yyyy`
in the portal's time zone, durations in Vietnamese ("1 ngày 3 giờ", "25 phút").

Django's own `timesince` is not used: its Vietnamese catalogue lacks the units ("2 minutes")."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext

DATETIME_FORMAT = "%H:%M %d/%m/%Y"
DATE_FORMAT = "%d/%m/%Y"


def format_datetime(value: dt.datetime | None, empty: str = "") -> str:
    """`HH:MM dd/mm/yyyy` in local time; `empty` for None."""
    if value is None:
        return empty
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime(DATETIME_FORMAT)


def format_date(value: dt.date | dt.datetime | None, empty: str = "") -> str:
    if value is None:
        return empty
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime(DATE_FORMAT)


def duration_label(delta: dt.timedelta) -> str:
    """A duration in Vietnamese, two units at most: "2 ngày 3 giờ", "4 giờ 10 phút", "0 phút"."""
    seconds = max(int(delta.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return gettext("%(d)s ngày %(h)s giờ") % {"d": days, "h": hours}
    if hours:
        return gettext("%(h)s giờ %(m)s phút") % {"h": hours, "m": minutes}
    return gettext("%(m)s phút") % {"m": minutes}


def waited(since: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """How long since `since`, in Vietnamese (for "đã chờ …")."""
    if since is None:
        return ""
    return duration_label((now or timezone.now()) - since)
