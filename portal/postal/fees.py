"""The postal fee, from the effective-dated table (PostalFeeRate), never typed by staff."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from portal.postal.models import PostalFeeRate


def _area_chain(area) -> list:
    """The area and its ancestors, nearest first."""
    chain = []
    seen = set()
    while area is not None and area.pk not in seen:
        seen.add(area.pk)
        chain.append(area)
        area = area.parent if area.parent_id else None
    return chain


def rate_on(day: dt.date, area=None) -> PostalFeeRate | None:
    """The rate in force on `day` for a result sent to `area`: the one for the nearest area up
    the tree, else the nationwide one; among equals the latest start wins."""
    chain = _area_chain(area)
    rates = list(
        PostalFeeRate.objects.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .filter(Q(area__isnull=True) | Q(area__in=[a.pk for a in chain]))
        .order_by("-valid_from", "-pk")
    )
    depth = {a.pk: i for i, a in enumerate(chain)}
    if not rates:
        return None
    return min(rates, key=lambda r: depth.get(r.area_id, len(chain)) if r.area_id else len(chain))


def fee_on(day: dt.date, area=None) -> int:
    rate = rate_on(day, area)
    return rate.amount if rate else 0


def postal_fee_for(dossier) -> int:
    """What the citizen pays for the result by post, in đồng (0 unless post is chosen).

    Once submitted the dossier keeps the amount frozen at submission (`dossier.postal_fee`);
    before that it is the table's rate today for the dossier's area. The payment of level 4 adds
    this to the fee."""
    from portal.catalogue.models import ResultMethod

    if dossier.result_method != ResultMethod.POST:
        return 0
    if dossier.submitted_at is not None:
        return int(dossier.postal_fee or 0)
    return fee_on(timezone.localdate(), dossier.area)


def current_postal_fee_for(dossier) -> int:
    """The table's rate at the submission date (what submission freezes)."""
    from portal.catalogue.models import ResultMethod

    if dossier.result_method != ResultMethod.POST:
        return 0
    day = timezone.localdate(dossier.submitted_at) if dossier.submitted_at else timezone.localdate()
    return fee_on(day, dossier.area)
