"""Reminders sent from the registry: a temporary residence about to expire (Luật Cư trú 2020,
Điều 28: the holder extends it within the 15 days before it expires)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import DateField, ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.translation import gettext

from residence.models import EXTENSION_WINDOW_DAYS, TemporaryResidence

WINDOW = dt.timedelta(days=EXTENSION_WINDOW_DAYS)
EXTENSION_PROCEDURE = "1.002755"  # gia hạn tạm trú


def _due(today: dt.date):
    """Open residences expiring within the window that have had no reminder for this expiry
    (a reminder sent before an extension moved the expiry does not count)."""
    window_start = ExpressionWrapper(F("expires_on") - WINDOW, output_field=DateField())
    return TemporaryResidence.objects.filter(
        ended_on__isnull=True,
        expires_on__gte=today,
        expires_on__lte=today + WINDOW,
    ).filter(Q(reminder_sent_on__isnull=True) | Q(reminder_sent_on__lt=window_start))


def _extension_pending(holder) -> bool:
    """The holder has already filed an extension that is being handled (no reminder needed; if
    it is refused or withdrawn, a later run reminds them)."""
    from portal.dossiers.models import FINAL_STATES, Dossier, State

    return (
        Dossier.objects.filter(citizen=holder, procedure__code=EXTENSION_PROCEDURE)
        .exclude(state__in=(State.DRAFT, *FINAL_STATES))
        .exists()
    )


def send_expiry_reminders(*, today: dt.date | None = None, limit: int = 1000) -> int:
    """Tell each holder (the citizen account with the person's personal number), once per
    expiry, that their temporary residence expires within 15 days (unless they have already filed
    an extension that is being handled): SMS and email through the
    outbox (event `temporary_residence_expiring`), `reminder_sent_on` written in the same
    transaction. A residence whose holder has no account is left for a later run. Returns how
    many reminders were queued."""
    from notifications import events as ev
    from notifications.services import notify
    from portal.accounts.models import User
    from portal.units.models import PoliceUnit

    today = today or timezone.localdate()
    pks = list(_due(today).order_by("expires_on", "pk").values_list("pk", flat=True)[:limit])
    sent = 0
    for pk in pks:
        with transaction.atomic():
            residence = (
                _due(today)
                .select_for_update(of=("self",))
                .select_related("person", "address__area__parent")
                .filter(pk=pk)
                .first()
            )
            if residence is None:  # ended, extended or reminded meanwhile
                continue
            holder = (
                User.objects.filter(
                    personal_id=residence.person.personal_id,
                    kind=User.Kind.CITIZEN,
                    is_active=True,
                )
                .order_by("pk")
                .first()
            )
            if holder is None or _extension_pending(holder):
                continue
            unit = (
                PoliceUnit.objects.filter(area_id=residence.address.area_id, is_active=True)
                .order_by("path")
                .first()
            )
            notify(
                event=ev.TEMPORARY_RESIDENCE_EXPIRING,
                user=holder,
                about=residence,
                context={
                    "residence_address": residence.address.full,
                    "expires_on": residence.expires_on,
                    "days_left": (residence.expires_on - today).days,
                    "unit_name": unit.name if unit else gettext("Công an xã, phường nơi tạm trú"),
                },
            )
            TemporaryResidence.objects.filter(pk=residence.pk).update(reminder_sent_on=today)
            sent += 1
    return sent
