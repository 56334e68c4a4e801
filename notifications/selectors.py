"""Reading notifications: a citizen sees only their own."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import Notification


def notifications_for(*, user, filters: dict | None = None) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    qs = Notification.objects.filter(user=user).order_by("-created_at", "-id")
    filters = filters or {}
    for field in ("channel", "event", "status"):
        if filters.get(field):
            qs = qs.filter(**{field: filters[field]})
    if filters.get("dossier_code"):
        qs = qs.filter(dossier_code=filters["dossier_code"])
    if filters.get("since"):
        qs = qs.filter(created_at__gte=filters["since"])
    if filters.get("until"):
        qs = qs.filter(created_at__lt=filters["until"])
    return qs
