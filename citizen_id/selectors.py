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


def get_card_for_holder(*, user, pk: int) -> IdentityCard:
    card = cards_of_holder(user=user).filter(pk=pk).first()
    if card is None:
        raise NotFound(_("Không tìm thấy thẻ căn cước."), code="not_found")
    return card
