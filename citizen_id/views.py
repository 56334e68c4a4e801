"""Citizen pages of the identity-card registry: "Thẻ căn cước của tôi" and the lost-card report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.core.errors import DomainError, NotFound

from . import selectors, services
from .models import CardStatus


@login_required
def my_cards(request):
    cards = list(selectors.cards_of_holder(user=request.user).prefetch_related("history"))
    return render(
        request,
        "citizen_id/my_cards.html",
        {"cards": cards, "losable": {CardStatus.VALID, CardStatus.EXPIRED}},
    )


@login_required
@require_POST
def report_lost(request, pk: int):
    try:
        card = selectors.get_card_for_holder(user=request.user, pk=pk)
        services.report_lost(card=card, actor=request.user, note=request.POST.get("note", "")[:500])
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đã ghi nhận báo mất thẻ số %(number)s. Thẻ không còn được sử dụng.")
            % {"number": card.number},
        )
    return redirect("citizen_id:my-cards")
