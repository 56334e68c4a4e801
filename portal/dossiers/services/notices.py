"""Notices the engine sends on its own (overdue dossiers)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from portal.dossiers.models import (
    CLOCK_RUNNING_STATES,
    Dossier,
    DossierEvent,
)
from portal.dossiers.services._common import (
    _fmt,
    _now,
    _record,
    notify_event,
)
from portal.dossiers.services.citizen import (
    _iso,
)

OVERDUE_NOTICE = "overdue_notice"
OVERDUE_NOTICE_EVENT = "dossier_overdue"


def notify_overdue(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Notify (SMS and email, event `dossier_overdue`) every dossier whose clock runs and whose due
    moment has passed, once: the history row `overdue_notice` marks it done (written in the same
    transaction as the outbox rows). Returns how many dossiers were notified."""
    from django.db.models import Exists, OuterRef

    now = now or _now()
    already = DossierEvent.objects.filter(dossier_id=OuterRef("pk"), action=OVERDUE_NOTICE)
    pks = list(
        Dossier.objects.filter(state__in=CLOCK_RUNNING_STATES, due_at__lt=now)
        .exclude(Exists(already))
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in pks:
        with transaction.atomic():
            locked = (
                Dossier.objects.select_for_update()
                .select_related("procedure", "unit", "citizen")
                .get(pk=pk)
            )
            if not locked.is_overdue(now) or locked.events.filter(action=OVERDUE_NOTICE).exists():
                continue
            _record(
                locked,
                action=OVERDUE_NOTICE,
                from_state=locked.state,
                actor=None,
                details={"due_at": _iso(locked.due_at)},
                at=now,
            )
            notify_event(
                OVERDUE_NOTICE_EVENT, dossier=locked, context={"due_at": _fmt(locked.due_at)}
            )
            sent += 1
    return sent
