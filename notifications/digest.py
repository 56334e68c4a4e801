"""Morning digest for staff (Celery beat): per unit, dossiers due today / tomorrow and overdue;
supervisors get the overdue count of the units below theirs."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from notifications import events as ev
from notifications.models import Notification
from notifications.services import notify

log = logging.getLogger("notifications.digest")


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


def _already_sent(user, event: str, day_start: dt.datetime) -> bool:
    return Notification.objects.filter(user=user, event=event, created_at__gte=day_start).exists()


def send_digests(*, now: dt.datetime | None = None) -> int:
    """Write the digest emails; returns how many notifications were created. Running it twice the
    same day sends nothing new."""
    from portal.accounts.models import Role
    from portal.dossiers.models import CLOCK_RUNNING_STATES, Dossier
    from portal.units.models import PoliceUnit

    now = timezone.localtime(now or timezone.now())
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow_start = day_start + dt.timedelta(days=1)
    after_tomorrow = day_start + dt.timedelta(days=2)
    dossiers = (
        Dossier.objects.filter(
            state__in=list(CLOCK_RUNNING_STATES),
            due_at__isnull=False,
            due_at__lt=after_tomorrow,
        )
        .select_related("procedure", "unit")
        .order_by("due_at")
    )
    per_unit: dict[int, dict[str, list]] = defaultdict(
        lambda: {"overdue": [], "due_today": [], "due_tomorrow": []}
    )
    units: dict[int, PoliceUnit] = {}
    for dossier in dossiers:
        units[dossier.unit_id] = dossier.unit
        row = {
            "code": dossier.code,
            "procedure": dossier.procedure.name_vi,
            "due_at": _fmt(dossier.due_at),
        }
        if dossier.due_at < now:
            per_unit[dossier.unit_id]["overdue"].append(row)
        elif dossier.due_at < tomorrow_start:
            per_unit[dossier.unit_id]["due_today"].append(row)
        else:
            per_unit[dossier.unit_id]["due_tomorrow"].append(row)

    User = get_user_model()
    staff = (
        User.objects.filter(kind=User.Kind.STAFF, is_active=True, unit__isnull=False)
        .exclude(email="")
        .select_related("unit")
        .prefetch_related("staff_roles")
    )
    created = 0
    with transaction.atomic():
        for user in staff:
            roles = {r.role for r in user.staff_roles.all()}
            if (
                user.unit_id in per_unit
                and roles
                & {
                    Role.RECEIVING_OFFICER,
                    Role.HANDLING_OFFICER,
                    Role.UNIT_LEADER,
                }
                and not _already_sent(user, ev.STAFF_DIGEST, day_start)
            ):
                created += len(
                    notify(
                        event=ev.STAFF_DIGEST,
                        user=user,
                        context={
                            "unit_name": user.unit.name,
                            "day": now.date(),
                            **per_unit[user.unit_id],
                        },
                        channels=("email",),
                    )
                )
            if Role.SUPERVISOR in roles:
                by_unit = [
                    {"unit": units[unit_id].name, "count": len(lists["overdue"])}
                    for unit_id, lists in per_unit.items()
                    if lists["overdue"]
                    and unit_id != user.unit_id
                    and units[unit_id].path.startswith(user.unit.path)
                ]
                total = sum(row["count"] for row in by_unit)
                if total and not _already_sent(user, ev.SUPERVISOR_DIGEST, day_start):
                    created += len(
                        notify(
                            event=ev.SUPERVISOR_DIGEST,
                            user=user,
                            context={
                                "unit_name": user.unit.name,
                                "day": now.date(),
                                "overdue_count": total,
                                "by_unit": sorted(by_unit, key=lambda r: -r["count"]),
                            },
                            channels=("email",),
                        )
                    )
    log.info("staff digest: %s notification(s)", created)
    return created
