"""Writes to the identity-card registry. Views, API, plugins, tasks and commands call only these.

Every function is keyword-only and atomic. A change of a card's status locks the card row
(`select_for_update`) and appends a `CardStatusChange`; issuing a card locks the person row first
(`residence.services.common.lock_person`), so two concurrent issues for one person serialise and
the database constraint "one valid card per person" is never the one that has to say no.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.errors import Conflict, NotFound

from .expiry import RENEWAL_AGES, birthday, card_expiry
from .models import (
    BiometricCapture,
    CardReminder,
    CardStatus,
    CardStatusChange,
    FormerIdNumber,
    IdentityCard,
    IssueKind,
)

log = logging.getLogger("citizen_id")

# A reminder goes this many days before a card expires (issue 11).
REMINDER_DAYS = 30

# Statuses a holder may report lost from (a replaced or revoked card is no longer theirs to lose).
_LOSABLE = (CardStatus.VALID, CardStatus.EXPIRED)


def _set_status(
    card: IdentityCard, status: str, *, actor=None, dossier=None, note: str = ""
) -> IdentityCard:
    """Change the status of a card already locked by the caller, with a history row."""
    previous = card.status
    card.status = status
    card.status_changed_at = timezone.now()
    card.save(update_fields=["status", "status_changed_at"])
    CardStatusChange.objects.create(
        card=card, from_status=previous, to_status=status, actor=actor, dossier=dossier, note=note
    )
    return card


def _lock_card(card: IdentityCard | int) -> IdentityCard:
    pk = card.pk if isinstance(card, IdentityCard) else card
    return IdentityCard.objects.select_for_update().get(pk=pk)


@transaction.atomic
def issue_card(
    *,
    person,
    issued_on: dt.date,
    issuing_unit=None,
    kind: str = IssueKind.FIRST,
    dossier=None,
    actor=None,
    replaces: IdentityCard | None = None,
) -> IdentityCard:
    """Record a new card for `person` (the registry's name, birth date and sex are printed on it),
    with the expiry of Art. 21, in one transaction with the person row locked.

    - `replaces` (renewal, re-issue): that card, whatever its status (valid, expired, reported
      lost), becomes "replaced" and the new card points to it. A card already replaced, or one
      superseded by a newer valid card, is a Conflict (`card_already_replaced`): two approvals of
      one renewal cannot both issue a card.
    - Without `replaces`: a first issue refuses a person who holds a valid card (`card_exists`);
      any other kind replaces the current valid card, if there is one.
    """
    from residence.services.common import lock_person

    person = lock_person(person)
    if issued_on < person.date_of_birth:
        raise Conflict(_("Ngày cấp thẻ không thể trước ngày sinh."), code="invalid_issue_date")
    current = (
        IdentityCard.objects.select_for_update()
        .filter(person=person, status=CardStatus.VALID)
        .first()
    )
    if replaces is not None:
        old = _lock_card(replaces)
        if old.person_id != person.pk:
            raise Conflict(_("Thẻ cũ không phải của người này."), code="card_not_of_person")
        if (
            old.status == CardStatus.REPLACED
            or _has_successor(old)
            or (current is not None and current.pk != old.pk)
        ):
            raise Conflict(
                _("Thẻ số %(number)s cấp ngày %(day)s đã được thay bằng thẻ khác.")
                % {"number": old.number, "day": old.issued_on.strftime("%d/%m/%Y")},
                code="card_already_replaced",
            )
    elif current is not None and kind == IssueKind.FIRST:
        raise Conflict(
            _("Người này đã có thẻ căn cước còn hiệu lực; hãy làm thủ tục cấp đổi hoặc cấp lại."),
            code="card_exists",
        )
    else:
        old = current
    if old is not None:
        _set_status(old, CardStatus.REPLACED, actor=actor, dossier=dossier)
    expiry = card_expiry(date_of_birth=person.date_of_birth, issued_on=issued_on)
    card = IdentityCard.objects.create(
        person=person,
        number=person.personal_id,
        full_name=person.full_name,
        date_of_birth=person.date_of_birth,
        sex=person.sex,
        kind=kind,
        issued_on=issued_on,
        expires_on=expiry.expires_on,
        issuing_unit=issuing_unit,
        status=CardStatus.VALID,
        replaces=old,
        created_by_dossier=dossier,
    )
    CardStatusChange.objects.create(
        card=card, from_status="", to_status=CardStatus.VALID, actor=actor, dossier=dossier
    )
    return card


@transaction.atomic
def import_card(
    *,
    person,
    issued_on: dt.date,
    expires_on: dt.date | None,
    issuing_unit=None,
    kind: str = IssueKind.FIRST,
) -> IdentityCard:
    """Record a card issued before the portal (loaded from the national database), with the expiry
    printed on it: that date is a fact of the card, not recomputed. Refuses a second valid card."""
    from residence.services.common import lock_person

    person = lock_person(person)
    if IdentityCard.objects.filter(person=person, status=CardStatus.VALID).exists():
        raise Conflict(_("Người này đã có thẻ căn cước còn hiệu lực."), code="card_exists")
    card = IdentityCard.objects.create(
        person=person,
        number=person.personal_id,
        full_name=person.full_name,
        date_of_birth=person.date_of_birth,
        sex=person.sex,
        kind=kind,
        issued_on=issued_on,
        expires_on=expires_on,
        issuing_unit=issuing_unit,
    )
    CardStatusChange.objects.create(
        card=card, from_status="", to_status=CardStatus.VALID, note=_("Dữ liệu thẻ đã có trước.")
    )
    return card


def _has_successor(card: IdentityCard) -> bool:
    return IdentityCard.objects.filter(replaces=card).exists()


def replace_card(
    *,
    card: IdentityCard,
    issued_on: dt.date,
    kind: str = IssueKind.RENEWAL,
    issuing_unit=None,
    dossier=None,
    actor=None,
) -> IdentityCard:
    """Renewal (cấp đổi) or re-issue (cấp lại): a new card replacing `card`."""
    return issue_card(
        person=card.person,
        issued_on=issued_on,
        issuing_unit=issuing_unit,
        kind=kind,
        dossier=dossier,
        actor=actor,
        replaces=card,
    )


@transaction.atomic
def report_lost(*, card: IdentityCard, actor, note: str = "") -> IdentityCard:
    """The holder reports the card lost: its status changes at once (history kept).

    Only the holder (the account with the card's personal identification number) may; anyone
    else gets NotFound, as if the card did not exist."""
    card = _lock_card(card)
    if not getattr(actor, "personal_id", "") or actor.personal_id != card.number:
        raise NotFound(_("Không tìm thấy thẻ căn cước."), code="not_found")
    if card.status == CardStatus.REPORTED_LOST:
        return card
    if card.status not in _LOSABLE:
        raise Conflict(
            _("Thẻ này đã %(status)s, không thể báo mất.")
            % {"status": card.get_status_display().lower()},
            code="card_not_losable",
        )
    from portal.core.text import nfc

    note = nfc(" ".join((note or "").split()))[:500]
    return _set_status(
        card, CardStatus.REPORTED_LOST, actor=actor, note=note or _("Công dân báo mất thẻ.")
    )


@transaction.atomic
def revoke_card(*, card: IdentityCard, actor, note: str) -> IdentityCard:
    card = _lock_card(card)
    if card.status == CardStatus.REVOKED:
        return card
    return _set_status(card, CardStatus.REVOKED, actor=actor, note=note)


def expire_cards(*, today: dt.date | None = None) -> int:
    """Mark valid cards whose expiry date has come as expired (one transaction per card)."""
    today = today or timezone.localdate()
    done = 0
    pks = list(
        IdentityCard.objects.filter(
            status=CardStatus.VALID, expires_on__isnull=False, expires_on__lte=today
        ).values_list("pk", flat=True)
    )
    for pk in pks:
        with transaction.atomic():
            card = _lock_card(pk)
            if card.status == CardStatus.VALID and card.expires_on and card.expires_on <= today:
                _set_status(card, CardStatus.EXPIRED, note=_("Hết thời hạn sử dụng."))
                done += 1
    return done


@transaction.atomic
def record_biometric_capture(*, person, captured_on: dt.date, unit=None, dossier=None):
    return BiometricCapture.objects.create(
        person=person, captured_on=captured_on, unit=unit, dossier=dossier
    )


def last_biometric_capture(*, person) -> BiometricCapture | None:
    return BiometricCapture.objects.filter(person=person).order_by("-captured_on", "-pk").first()


@transaction.atomic
def link_former_number(
    *, person, number: str, issued_on: dt.date | None = None, place: str = ""
) -> FormerIdNumber:
    """Link an old 9-digit number to a person (idempotent for the same person)."""
    from portal.core.text import nfc

    number = (number or "").strip()
    if len(number) != 9 or not number.isdigit():
        raise Conflict(_("Số chứng minh nhân dân cũ phải gồm đúng 9 chữ số."), code="invalid_cmnd")
    existing = FormerIdNumber.objects.select_for_update().filter(number=number).first()
    if existing is not None:
        if existing.person_id != person.pk:
            raise Conflict(
                _("Số chứng minh nhân dân %(number)s đã gắn với người khác.") % {"number": number},
                code="cmnd_taken",
            )
        return existing
    return FormerIdNumber.objects.create(
        person=person, number=number, issued_on=issued_on, place=nfc(place)
    )


# --------------------------------------------------------------------------- reminders


def renewal_age_of(card: IdentityCard) -> int | None:
    """The renewal age at which the card expires (its expiry is that birthday), if any."""
    if card.expires_on is None:
        return None
    for age in RENEWAL_AGES:
        if birthday(card.date_of_birth, age) == card.expires_on:
            return age
    return None


def send_card_reminders(*, today: dt.date | None = None, limit: int = 1000) -> int:
    """Remind each holder whose valid card expires within the next 30 days — which is also when
    the holder reaches a renewal age (14, 25, 40, 60) that the card does not outlive (Art. 21).

    Once per (card, expiry date): a `CardReminder` row written in the same transaction as the
    outbox rows makes the daily task idempotent (a second run, or two workers, send nothing more).
    Returns how many reminders were sent."""
    from notifications import events as ev
    from notifications.services import notify
    from portal.accounts.models import User

    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=REMINDER_DAYS)
    pks = list(
        IdentityCard.objects.filter(
            status=CardStatus.VALID, expires_on__gte=today, expires_on__lte=horizon
        )
        .exclude(reminders__due_on=F("expires_on"))
        .order_by("expires_on", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in pks:
        with transaction.atomic():
            card = _lock_card(pk)
            if card.status != CardStatus.VALID or card.expires_on is None:
                continue
            age = renewal_age_of(card)
            reason = CardReminder.Reason.RENEWAL_AGE if age else CardReminder.Reason.EXPIRING
            _, created = CardReminder.objects.get_or_create(
                card=card, due_on=card.expires_on, defaults={"reason": reason}
            )
            if not created:
                continue
            user = User.objects.filter(personal_id=card.number, is_active=True).first()
            if user is None:
                continue
            notify(
                event=ev.CARD_EXPIRY_REMINDER,
                user=user,
                context={
                    "card_number": card.number,
                    "expires_on": card.expires_on.strftime("%d/%m/%Y"),
                    "renewal_age": str(age or ""),
                },
                about=card,
            )
            sent += 1
    return sent
