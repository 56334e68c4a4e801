"""What staff see: dossiers of their unit (supervisors: the subtree; administrators: all) and the
named work queues of the back office.

Every queue is a filter on one indexed queryset; `queue_counts` answers all counts in ONE query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.access import is_administrator, is_officer
from portal.accounts.models import Role
from portal.core.errors import NotFound
from portal.core.text import fold, nfc
from portal.dossiers.models import CLOCK_RUNNING_STATES, Dossier, State
from portal.workcalendar import services as calendar

LOCAL_TZ = calendar.LOCAL_TZ

# ----------------------------------------------------------------------------------------------
# Scope


def can_use_back_office(user) -> bool:
    return bool(is_administrator(user) or (is_officer(user) and user.unit_id))


def is_read_only(user) -> bool:
    """Supervisors oversee the subtree read-only; they act on nothing."""
    if is_administrator(user):
        return False
    return bool(
        user.has_role(Role.SUPERVISOR)
        and not user.has_role(Role.RECEIVING_OFFICER, Role.HANDLING_OFFICER, Role.UNIT_LEADER)
    )


def dossiers_for_staff(*, user) -> QuerySet[Dossier]:
    """Dossiers a back-office user may see (never drafts: those are the citizen's own)."""
    qs = Dossier.objects.exclude(state=State.DRAFT)
    if is_administrator(user):
        return qs
    if not is_officer(user) or not user.unit_id:
        return qs.none()
    if user.has_role(Role.SUPERVISOR):
        return qs.filter(unit__path__startswith=user.unit.path)
    return qs.filter(unit_id=user.unit_id)


def get_dossier_for_staff(*, user, code: str | None = None, pk: int | None = None) -> Dossier:
    """One dossier the user may see, or NotFound (never reveals that it exists elsewhere)."""
    qs = dossiers_for_staff(user=user).select_related(
        "procedure", "unit", "citizen", "assigned_to", "area"
    )
    lookup = {"code": code} if code is not None else {"pk": pk}
    try:
        return qs.get(**lookup)
    except (Dossier.DoesNotExist, ValueError, TypeError):
        raise NotFound(str(_("Không tìm thấy hồ sơ."))) from None


# ----------------------------------------------------------------------------------------------
# Calendar helpers


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)


def reception_late_threshold(*, unit=None, now: dt.datetime | None = None) -> dt.datetime:
    """Dossiers whose legal reception moment is before this instant have waited past the next
    reception session: a session on a later day than their reception moment has already begun.

    = midnight of the latest day whose first session has started by `now`.
    """
    now = now or timezone.now()
    today = now.astimezone(LOCAL_TZ).date()
    for back in range(0, 15):
        day = today - dt.timedelta(days=back)
        first = calendar.reception_moment(submitted_at=_local_midnight(day), unit=unit)
        if first.astimezone(LOCAL_TZ).date() == day and first <= now:
            return _local_midnight(day)
    return _local_midnight(today - dt.timedelta(days=14))


def due_soon_limit(*, unit=None, now: dt.datetime | None = None) -> dt.datetime:
    """One working day of office time from now."""
    now = now or timezone.now()
    try:
        return calendar.due_moment(received_at=now, working_days=Decimal("1"), unit=unit)
    except calendar.NoOfficeTime:
        return now + dt.timedelta(days=1)


# ----------------------------------------------------------------------------------------------
# Queues


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    ordering: tuple[str, ...]
    description: str = ""


QUEUES: tuple[Queue, ...] = (
    Queue(
        "reception", _("Chờ tiếp nhận"), ("submitted_at", "pk"), _("Hồ sơ mới nộp, cũ nhất trước.")
    ),
    Queue("mine", _("Được giao cho tôi"), ("due_at", "pk")),
    Queue("processing", _("Đang xử lý"), ("due_at", "pk")),
    Queue("due_soon", _("Đến hạn trong 1 ngày làm việc"), ("due_at", "pk")),
    Queue("overdue", _("Quá hạn"), ("due_at", "pk")),
    Queue("supplement", _("Chờ công dân bổ sung"), ("-paused_at", "pk")),
    Queue(
        "refusal_proposed",
        _("Đề xuất từ chối chờ lãnh đạo duyệt"),
        ("due_at", "pk"),
        _("Cán bộ đề xuất từ chối; lãnh đạo đơn vị duyệt (ký phiếu CT06) hoặc trả lại."),
    ),
    Queue("ready", _("Có kết quả, chờ trả"), ("decided_at", "pk")),
    Queue(
        "no_method",
        _("Chưa chọn hình thức nhận kết quả"),
        ("due_at", "pk"),
        _("Cần liên hệ công dân để thống nhất hình thức nhận kết quả."),
    ),
)
QUEUE_BY_KEY = {q.key: q for q in QUEUES}

# Every queue holds open dossiers only: counting over these states lets the (unit, state, …)
# indexes skip the unit's finished history (returned, refused, withdrawn, stopped).
OPEN_STATES = (
    State.SUBMITTED,
    State.RECEIVED,
    State.PROCESSING,
    State.SUPPLEMENT_REQUESTED,
    State.APPROVED,
)


def _unit_for_calendar(user):
    return user.unit if getattr(user, "unit_id", None) else None


def queue_filters(*, user, now: dt.datetime | None = None) -> dict[str, Q]:
    from .models import RefusalProposal

    now = now or timezone.now()
    unit = _unit_for_calendar(user)
    running = Q(state__in=CLOCK_RUNNING_STATES, due_at__isnull=False)
    return {
        "reception": Q(state=State.SUBMITTED),
        "mine": Q(assigned_to_id=user.pk, state__in=[State.RECEIVED, State.PROCESSING]),
        "processing": Q(state=State.PROCESSING),
        "due_soon": running & Q(due_at__gte=now, due_at__lte=due_soon_limit(unit=unit, now=now)),
        "overdue": running & Q(due_at__lt=now),
        "supplement": Q(state=State.SUPPLEMENT_REQUESTED),
        "refusal_proposed": Q(
            Exists(RefusalProposal.objects.filter(dossier_id=OuterRef("pk"), status="pending"))
        ),
        "ready": Q(state=State.APPROVED),
        "no_method": Q(
            state__in=[State.RECEIVED, State.PROCESSING, State.APPROVED], result_method=""
        ),
    }


def queue_queryset(*, user, key: str, now: dt.datetime | None = None) -> QuerySet[Dossier]:
    queue = QUEUE_BY_KEY.get(key)
    if queue is None:
        raise NotFound(str(_("Không có hàng đợi này.")))
    return (
        dossiers_for_staff(user=user)
        .filter(queue_filters(user=user, now=now)[key])
        .order_by(*queue.ordering)
    )


@dataclass(frozen=True)
class QueueCount:
    key: str
    label: str
    description: str
    count: int
    warning: int = 0  # reception: dossiers that waited past the next reception session


def queue_counts(*, user, now: dt.datetime | None = None) -> list[QueueCount]:
    """All queue counts in one aggregate query."""
    now = now or timezone.now()
    filters = queue_filters(user=user, now=now)
    late = reception_late_threshold(unit=_unit_for_calendar(user), now=now)
    aggregates = {key: Count("pk", filter=f) for key, f in filters.items()}
    aggregates["reception_late"] = Count(
        "pk", filter=filters["reception"] & Q(received_at__lt=late)
    )
    counts = dossiers_for_staff(user=user).filter(state__in=OPEN_STATES).aggregate(**aggregates)
    return [
        QueueCount(
            key=q.key,
            label=str(q.label),
            description=str(q.description),
            count=counts[q.key],
            warning=counts["reception_late"] if q.key == "reception" else 0,
        )
        for q in QUEUES
    ]


def search_dossiers(qs: QuerySet[Dossier], term: str) -> QuerySet[Dossier]:
    """Staff search, the same on every screen (admin list, staff API).

    - a full personal identification number (12 digits): exact, on its index;
    - a full dossier code: exact, on its unique index (when such a dossier is in `qs`);
    - anything else: every word, accent- and case-folded ("Tran Thi Mai", "TRẦN THỊ MAI" and
      "tran thi mai" find "Trần Thị Mai"; đ ↔ d), must occur in the dossier's folded code,
      applicant name or address (`search_text`, a trigram GIN index on PostgreSQL): a part of a
      name, an address or a code ("20261201-00", "0042") is found without scanning the table.
    """
    term = " ".join(nfc(term).split())
    if not term:
        return qs
    compact = term.replace(" ", "")
    if compact.isdigit() and len(compact) == 12:
        return qs.filter(applicant_personal_id=compact)
    if " " not in term and "-" in term:
        exact = qs.filter(code__in={term, term.upper()})
        if exact.exists():
            return exact
    for word in fold(term).split():
        qs = qs.filter(search_text__contains=word)
    return qs


def staff_list(
    *, user, queue: str | None = None, state: str | None = None, search: str | None = None
) -> QuerySet[Dossier]:
    """The staff dossier list (API): optional queue, state and search by code / name / number."""
    qs = (
        queue_queryset(user=user, key=queue) if queue else dossiers_for_staff(user=user)
    ).select_related("procedure", "unit", "assigned_to")
    if state:
        qs = qs.filter(state=state)
    if search:
        qs = search_dossiers(qs, search)
    if not queue:
        qs = qs.order_by("-submitted_at", "-pk")
    return qs


def oldest_waiting(*, user, limit: int = 5) -> list[Dossier]:
    """The dossiers waiting longest for reception (for the admin index)."""
    return list(queue_queryset(user=user, key="reception").select_related("procedure")[:limit])


def pending_refusal_reviews(*, user) -> int | None:
    """For supervisors (and administrators): refusals below them still waiting for review."""
    from .models import RefusalReview

    if is_administrator(user):
        qs = RefusalReview.objects.all()
    elif is_officer(user) and user.unit_id and user.has_role(Role.SUPERVISOR):
        qs = RefusalReview.objects.filter(unit__path__startswith=user.unit.path)
    else:
        return None
    return qs.filter(outcome=RefusalReview.Outcome.PENDING).count()
