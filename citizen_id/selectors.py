"""Reads of the identity-card registry, with who may see what.

A citizen sees the cards whose number is their personal identification number; staff see the
cards issued by their unit (a supervisor: the unit subtree; an administrator: all). Anything else
is NotFound (404), never a hint that the card exists.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from portal.core.errors import NotFound

from .models import IdentityCard


def cards_of_holder(*, user) -> QuerySet[IdentityCard]:
    """The cards of the signed-in citizen, newest first (none for an account without a number)."""
    personal_id = getattr(user, "personal_id", "") or ""
    if not personal_id or not getattr(user, "is_authenticated", False):
        return IdentityCard.objects.none()
    return (
        IdentityCard.objects.filter(number=personal_id)
        .select_related("issuing_unit")
        .order_by("-issued_on", "-pk")
    )


def cards_for_staff(*, user) -> QuerySet[IdentityCard]:
    """Cards issued by the units an officer may see (own unit; supervisor: the subtree;
    administrator: all), none without the second factor, none for anyone else."""
    from portal.dossiers.selectors import _second_factor_ok
    from portal.units.selectors import units_visible_to

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return IdentityCard.objects.none()
    is_admin = user.is_superuser
    if not (is_admin or getattr(user, "is_officer", False)) or not _second_factor_ok(user):
        return IdentityCard.objects.none()
    return IdentityCard.objects.filter(issuing_unit__in=units_visible_to(user)).select_related(
        "issuing_unit"
    )


def get_card_for_staff(*, user, pk: int) -> IdentityCard:
    card = cards_for_staff(user=user).filter(pk=pk).first()
    if card is None:
        raise NotFound(_("Không tìm thấy thẻ căn cước."), code="not_found")
    return card


def get_card_for_holder(*, user, pk: int) -> IdentityCard:
    card = cards_of_holder(user=user).filter(pk=pk).first()
    if card is None:
        raise NotFound(_("Không tìm thấy thẻ căn cước."), code="not_found")
    return card
