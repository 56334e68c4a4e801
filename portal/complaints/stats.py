"""Complaint and satisfaction figures per unit, for the statistics engineer's aggregate tables.

Both functions replay the immutable history, so a figure for a past period does not change when a
complaint moves on later. Cost: two queries (complaints, then their events) for the complaints
created before `end`; call them from the refresh task, not from a page.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db.models import Avg, Count, Q

from .models import LOW_SCORE, Complaint, ComplaintEvent, ComplaintState, SatisfactionRating

_RESOLVED = (ComplaintState.RESOLVED, ComplaintState.CLOSED)


def complaint_counts_by_unit(*, start: datetime, end: datetime) -> dict[int, dict[str, int]]:
    """{unit concerned id: {received, resolved, open, overdue, repeated}}.

    - received: complaints created in [start, end);
    - resolved: complaints that reached resolved or closed in [start, end) (each counted once);
    - open: complaints created before `end` and not closed at `end`;
    - overdue: of those open, the ones whose current step's deadline at `end` is before `end`;
    - repeated: complaints flagged `is_repeat`, created in [start, end).
    Units without any complaint are absent.
    """
    result: dict[int, dict[str, int]] = defaultdict(
        lambda: {"received": 0, "resolved": 0, "open": 0, "overdue": 0, "repeated": 0}
    )
    complaints = dict(
        Complaint.objects.filter(created_at__lt=end).values_list("pk", "unit_id").iterator()
    )
    last: dict[int, tuple[str, datetime | None]] = {}
    resolved_in_period: set[int] = set()
    events = (
        ComplaintEvent.objects.filter(at__lt=end, complaint__created_at__lt=end)
        .order_by("complaint_id", "at", "pk")
        .values_list("complaint_id", "at", "to_state", "step_due_at")
    )
    for complaint_id, at, to_state, step_due_at in events.iterator():
        last[complaint_id] = (to_state, step_due_at)
        if to_state in _RESOLVED and start <= at < end:
            resolved_in_period.add(complaint_id)
    created = Complaint.objects.filter(created_at__gte=start, created_at__lt=end).values("unit_id")
    for row in created.annotate(
        received=Count("pk"), repeated=Count("pk", filter=Q(is_repeat=True))
    ).order_by():
        result[row["unit_id"]]["received"] += row["received"]
        result[row["unit_id"]]["repeated"] += row["repeated"]
    for complaint_id, unit_id in complaints.items():
        if complaint_id in resolved_in_period:
            result[unit_id]["resolved"] += 1
        state, due = last.get(complaint_id, (ComplaintState.RECEIVED, None))
        if state != ComplaintState.CLOSED:
            result[unit_id]["open"] += 1
            if due is not None and due < end:
                result[unit_id]["overdue"] += 1
    return {unit_id: dict(values) for unit_id, values in result.items()}


def rating_summary_by_unit(*, start: datetime, end: datetime) -> dict[int, dict]:
    """{dossier's unit id: {"count", "average" (None without ratings), "low" (score ≤ 2)}} for the
    ratings created in [start, end). One query."""
    rows = (
        SatisfactionRating.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("dossier__unit_id")
        .annotate(
            count=Count("pk"),
            average=Avg("score"),
            low=Count("pk", filter=Q(score__lte=LOW_SCORE)),
        )
        .order_by()
    )
    return {
        row["dossier__unit_id"]: {
            "count": row["count"],
            "average": float(row["average"]) if row["average"] is not None else None,
            "low": row["low"],
        }
        for row in rows
    }
