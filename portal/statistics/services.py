"""Recompute the aggregate tables from history (idempotent upserts).

Definitions (per unit — the dossier's receiving unit — and calendar month, Asia/Ho_Chi_Minh):

- received: dossiers whose history shows their arrival in the month — the `submit` event into
  "submitted", or `confirm_payment` for level 4 with an online fee. A resubmission after a
  supplement request is the same dossier, not a new one.
- received_online: every dossier filed through this portal is online (the dossier model has no
  channel field: counter filings are not recorded here). received_full_online: level 4
  procedures (*toàn trình*).
- completed = returned + refused + stopped, counted in the month of the `return_result`,
  `refuse` or `stop` event. Withdrawals are counted apart (the citizen's act, not a decision).
- on time / late: the unit's decision — approval for a returned result, otherwise the refusal or
  stop — at or before the dossier's due moment (`due_at`, which stays fixed once the dossier is
  final) is on time. A dossier stopped while waiting for the citizen's supplement (clock paused)
  is on time; a dossier with no due moment (refused before one was fixed) is on time.
- processing time: office time (working sessions on working days, portal.workcalendar) while the
  legal clock ran, from the reception moment to the decision, supplement pauses excluded; in
  working days of the unit (one day = its Monday working time).
- supplement requests: `request_supplement` events in the history of the dossiers completed in
  the month (the dashboard divides by `completed`).
- refusals by category: the category recorded in the refusal review list for each refusal.
- complaints and satisfaction: `portal.complaints.stats` when that app is installed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from portal.dossiers.models import CLOCK_RUNNING_STATES, FINAL_STATES, DossierEvent, State
from portal.units.models import PoliceUnit
from portal.workcalendar.services import LOCAL_TZ, NoOfficeTime, office_calendar

from .models import RefusalMonthStats, UnitMonthStats

# "record": a notice recorded at once on submission (thông báo lưu trú) is returned at once.
COMPLETION_ACTIONS = ("return_result", "refuse", "stop", "record")
ARRIVAL_ACTIONS = ("submit", "confirm_payment")
_CHUNK = 500
_THOUSANDTH = Decimal("0.001")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a calendar month in Vietnamese time, as aware datetimes."""
    start = dt.datetime.combine(month_start(month), dt.time.min, tzinfo=LOCAL_TZ)
    end = dt.datetime.combine(next_month(month_start(month)), dt.time.min, tzinfo=LOCAL_TZ)
    return start, end


def current_month(now: dt.datetime | None = None) -> dt.date:
    return month_start((now or timezone.now()).astimezone(LOCAL_TZ).date())


# ---------------------------------------------------------------------------------------------
# computation


def _empty() -> dict:
    return defaultdict(int)


def _received(start, end, rows) -> None:
    arrivals = (
        DossierEvent.objects.filter(
            at__gte=start, at__lt=end, action__in=ARRIVAL_ACTIONS, to_state=State.SUBMITTED
        )
        .values("dossier__unit_id")
        .annotate(
            n=Count("dossier_id", distinct=True),
            full=Count("dossier_id", distinct=True, filter=Q(dossier__procedure__level=4)),
        )
        .order_by()
    )
    for row in arrivals:
        stats = rows[row["dossier__unit_id"]]
        stats["received"] += row["n"]
        # Every dossier of this portal is filed online (no counter channel is recorded).
        stats["received_online"] += row["n"]
        stats["received_full_online"] += row["full"]
    withdrawals = (
        DossierEvent.objects.filter(at__gte=start, at__lt=end, action="withdraw")
        .values("dossier__unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in withdrawals:
        rows[row["dossier__unit_id"]]["withdrawn"] += row["n"]


def _history(dossier_ids: list[int], end: dt.datetime) -> dict[int, list[dict]]:
    history: dict[int, list[dict]] = defaultdict(list)
    for i in range(0, len(dossier_ids), _CHUNK):
        chunk = dossier_ids[i : i + _CHUNK]
        events = (
            DossierEvent.objects.filter(dossier_id__in=chunk, at__lt=end)
            .exclude(from_state="", action="create")
            .order_by("dossier_id", "at", "pk")
            .values("pk", "dossier_id", "action", "at", "from_state", "to_state", "details")
        )
        for event in events:
            history[event["dossier_id"]].append(event)
    return history


def _refusal_categories(dossier_ids: list[int]) -> dict[int, list[int | None]]:
    from portal.backoffice.models import RefusalReview

    categories: dict[int, list[int | None]] = defaultdict(list)
    for i in range(0, len(dossier_ids), _CHUNK):
        reviews = (
            RefusalReview.objects.filter(dossier_id__in=dossier_ids[i : i + _CHUNK])
            .order_by("dossier_id", "pk")
            .values_list("dossier_id", "reason_id")
        )
        for dossier_id, reason_id in reviews:
            categories[dossier_id].append(reason_id)
    return categories


def _parse_moment(value, fallback: dt.datetime) -> dt.datetime:
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return fallback
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL_TZ)
    return fallback


def _clock_time(events: list[dict], completion_pk: int, decided_at: dt.datetime, calendar):
    """(office time while the legal clock ran up to the decision, supplement requests) of the
    cycle that ends with the completion event. A dossier reopened after a final state starts a
    new cycle (clock restarted)."""
    total = dt.timedelta()
    supplements = 0
    running_since: dt.datetime | None = None
    for event in events:
        if event["at"] > decided_at and event["pk"] != completion_pk:
            break
        moment = min(event["at"], decided_at)
        if running_since is not None:
            if moment > running_since:
                total += calendar.office_time_between(running_since, moment)
            running_since = None
        if event["from_state"] in FINAL_STATES and event["to_state"] not in FINAL_STATES:
            total, supplements = dt.timedelta(), 0  # reopened: a new cycle
        if event["action"] == "request_supplement":
            supplements += 1
        if event["pk"] == completion_pk:
            break
        if event["to_state"] in CLOCK_RUNNING_STATES and event["at"] < decided_at:
            start = moment
            if event["action"] in ("submit", "resubmit"):
                # the legal reception moment (start of the next session when filed out of hours)
                start = _parse_moment(event["details"].get("received_at"), moment)
            running_since = max(start, moment)
    if running_since is not None and decided_at > running_since:
        total += calendar.office_time_between(running_since, decided_at)
    return total, supplements


def _completion_batches(start, end):
    """The month's completion events in batches of whole dossiers (bounded memory)."""
    batch: list[dict] = []
    events = (
        DossierEvent.objects.filter(at__gte=start, at__lt=end, action__in=COMPLETION_ACTIONS)
        .order_by("dossier_id", "at", "pk")
        .values(
            "pk",
            "dossier_id",
            "action",
            "at",
            "from_state",
            "dossier__unit_id",
            "dossier__due_at",
        )
    )
    for event in events.iterator(chunk_size=2000):
        if len(batch) >= _CHUNK and batch[-1]["dossier_id"] != event["dossier_id"]:
            yield batch
            batch = []
        batch.append(event)
    if batch:
        yield batch


def _completions(start, end, rows, refusals) -> None:
    calendars: dict[int, object] = {}
    for completions in _completion_batches(start, end):
        _completion_batch(completions, end, rows, refusals, calendars)


def _completion_batch(completions, end, rows, refusals, calendars) -> None:
    dossier_ids = sorted({c["dossier_id"] for c in completions})
    history = _history(dossier_ids, end)
    categories = _refusal_categories(
        sorted({c["dossier_id"] for c in completions if c["action"] == "refuse"})
    )
    missing = {c["dossier__unit_id"] for c in completions} - set(calendars)
    for unit in PoliceUnit.objects.prefetch_related("office_hours").filter(pk__in=missing):
        calendars[unit.pk] = office_calendar(unit)
    for completion in completions:
        unit_id = completion["dossier__unit_id"]
        stats = rows[unit_id]
        events = history[completion["dossier_id"]]
        action = completion["action"]
        stats["completed"] += 1
        stats[
            {
                "return_result": "returned",
                "record": "returned",
                "refuse": "refused",
                "stop": "stopped",
            }[action]
        ] += 1
        decided_at = completion["at"]
        if action == "return_result":
            approvals = [
                e["at"] for e in events if e["action"] == "approve" and e["at"] <= completion["at"]
            ]
            if approvals:
                decided_at = approvals[-1]
        due = completion["dossier__due_at"]
        paused = completion["from_state"] == State.SUPPLEMENT_REQUESTED
        if due is None or paused or decided_at <= due:
            stats["on_time"] += 1
        else:
            stats["late"] += 1
        calendar = calendars[unit_id]
        try:
            elapsed, supplements = _clock_time(events, completion["pk"], decided_at, calendar)
        except NoOfficeTime:  # pragma: no cover - a unit without any office session
            elapsed, supplements = None, 0
        stats["supplement_requests"] += supplements
        if elapsed is not None and calendar.day_length:
            days = Decimal(elapsed / calendar.day_length).quantize(_THOUSANDTH)
            stats["processing_days_total"] += days
            stats["processing_count"] += 1
        if action == "refuse":
            refusal_events = [e["pk"] for e in events if e["action"] == "refuse"]
            index = refusal_events.index(completion["pk"])
            reasons = categories.get(completion["dossier_id"], [])
            reason = reasons[index] if index < len(reasons) else None
            refusals[(unit_id, reason)] += 1


def _complaints(start, end, rows) -> None:
    if not apps.is_installed("portal.complaints"):
        return
    from portal.complaints import stats as complaint_stats

    for unit_id, counts in complaint_stats.complaint_counts_by_unit(start=start, end=end).items():
        stats = rows[unit_id]
        for key in ("received", "resolved", "open", "overdue", "repeated"):
            stats[f"complaints_{key}"] += int(counts.get(key) or 0)
    for unit_id, summary in complaint_stats.rating_summary_by_unit(start=start, end=end).items():
        stats = rows[unit_id]
        count = int(summary.get("count") or 0)
        average = summary.get("average")
        stats["rating_count"] += count
        stats["rating_low"] += int(summary.get("low") or 0)
        if count and average is not None:
            stats["rating_sum"] += (Decimal(str(average)) * count).quantize(_THOUSANDTH)


def compute_month(month: dt.date) -> tuple[dict[int, dict], dict[tuple[int, int | None], int]]:
    """The month's figures per unit id, and refusals per (unit id, reason id)."""
    start, end = month_bounds(month)
    rows: dict[int, dict] = defaultdict(_empty)
    refusals: dict[tuple[int, int | None], int] = defaultdict(int)
    _received(start, end, rows)
    _completions(start, end, rows, refusals)
    _complaints(start, end, rows)
    return rows, refusals


_FIELDS = [
    f.name
    for f in UnitMonthStats._meta.concrete_fields
    if f.name not in ("id", "unit", "month", "refreshed_at")
]


_LOCK_NAMESPACE = 0x5747  # "statistics" advisory locks: (namespace, yyyymm)


def _lock_month(month: dt.date) -> None:
    """Two refreshes of the same month (a duplicated beat, a rebuild during the task) run one
    after the other, so the delete-and-insert of the refusal rows cannot interleave. PostgreSQL:
    a transaction-level advisory lock; SQLite serialises writers anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [_LOCK_NAMESPACE, month.year * 100 + month.month],
            )


@transaction.atomic
def refresh_month(*, month: dt.date) -> int:
    """Recompute one month for every unit (idempotent: the same history gives the same rows).
    Returns the number of unit rows written."""
    month = month_start(month)
    _lock_month(month)
    rows, refusals = compute_month(month)
    now = timezone.now()
    objects = [
        UnitMonthStats(
            unit_id=unit_id,
            month=month,
            refreshed_at=now,
            **{name: values.get(name, 0) for name in _FIELDS},
        )
        for unit_id, values in sorted(rows.items())
    ]
    UnitMonthStats.objects.filter(month=month).exclude(unit_id__in=list(rows)).delete()
    if objects:
        UnitMonthStats.objects.bulk_create(
            objects,
            update_conflicts=True,
            unique_fields=["unit", "month"],
            update_fields=[*_FIELDS, "refreshed_at"],
        )
    RefusalMonthStats.objects.filter(month=month).delete()
    RefusalMonthStats.objects.bulk_create(
        RefusalMonthStats(unit_id=unit_id, month=month, reason_id=reason_id, count=count)
        for (unit_id, reason_id), count in sorted(
            refusals.items(), key=lambda item: (item[0][0], item[0][1] or 0)
        )
    )
    return len(objects)


def refresh_recent(*, now: dt.datetime | None = None) -> list[str]:
    """The beat task's work: the current and the previous month (late events of the previous
    month, e.g. a complaint resolved on the 1st, still land in it)."""
    this = current_month(now)
    previous = month_start(this - dt.timedelta(days=1))
    done = []
    for month in (previous, this):
        refresh_month(month=month)
        done.append(f"{month:%Y-%m}")
    return done


def rebuild(*, first: dt.date, last: dt.date) -> list[str]:
    """Recompute every month from `first` to `last` (inclusive)."""
    month, done = month_start(first), []
    while month <= month_start(last):
        refresh_month(month=month)
        done.append(f"{month:%Y-%m}")
        month = next_month(month)
    return done
