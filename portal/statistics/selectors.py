"""Reads of the aggregate tables (a constant number of queries whatever the number of dossiers)
and who may see which unit's statistics."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from portal.core.errors import DomainError, NotFound
from portal.units.models import PoliceUnit
from portal.units.selectors import units_visible_to

from .models import RefusalMonthStats, UnitMonthStats
from .services import next_month

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR, LAST_YEAR = 2000, 2099
# Longest period a dashboard or an export covers (months).
MAX_MONTHS = 36

SUM_FIELDS = (
    "received",
    "received_online",
    "received_full_online",
    "completed",
    "returned",
    "refused",
    "stopped",
    "withdrawn",
    "on_time",
    "late",
    "processing_count",
    "processing_days_total",
    "supplement_requests",
    "complaints_received",
    "complaints_resolved",
    "complaints_open",
    "complaints_overdue",
    "complaints_repeated",
    "rating_count",
    "rating_sum",
    "rating_low",
)


def parse_month(raw: str | None, *, param: str = "month") -> dt.date:
    """ "YYYY-MM" → the first day of that month; anything else is a DomainError (400)."""
    match = _MONTH.match((raw or "").strip())
    year, month = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
    if not match or not 1 <= month <= 12:
        raise DomainError(
            _("Tháng không hợp lệ: cần định dạng YYYY-MM, ví dụ 2026-03."),
            code="invalid_month",
            details={param: [_("Cần định dạng YYYY-MM, ví dụ 2026-03.")]},
        )
    if not FIRST_YEAR <= year <= LAST_YEAR:
        message = _("Tháng phải trong khoảng năm %(first)s–%(last)s.") % {
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
        }
        raise DomainError(message, code="invalid_month", details={param: [message]})
    return dt.date(year, month, 1)


def parse_period(raw_from: str | None, raw_to: str | None, *, default: dt.date):
    """A month range for the dashboard: both ends default to `default` (the current month)."""
    first = parse_month(raw_from, param="tu") if raw_from else default
    last = parse_month(raw_to, param="den") if raw_to else max(first, default)
    if last < first:
        message = _("Tháng kết thúc phải sau tháng bắt đầu.")
        raise DomainError(message, code="invalid_period", details={"den": [message]})
    if months_between(first, last) > MAX_MONTHS:
        message = _("Chỉ xem tối đa %(n)s tháng một lần.") % {"n": MAX_MONTHS}
        raise DomainError(message, code="invalid_period", details={"den": [message]})
    return first, last


def months_between(first: dt.date, last: dt.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def month_list(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


# ---------------------------------------------------------------------------------------------
# figures


def _ratio(part, whole, *, scale=100, places="0.1") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part or 0) * scale / Decimal(whole)).quantize(
        Decimal(places), rounding=ROUND_HALF_UP
    )


@dataclass
class Figures:
    """Summed counters of one unit (or a total) over a period, with the derived rates."""

    values: dict = field(default_factory=dict)

    def __getattr__(self, name):
        values = self.__dict__.get("values", {})
        if name in values:
            return values[name] or 0
        raise AttributeError(name)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _ratio(self.on_time, self.on_time + self.late)

    @property
    def online_share(self) -> Decimal | None:
        return _ratio(self.received_online, self.received)

    @property
    def average_processing_days(self) -> Decimal | None:
        return _ratio(self.processing_days_total, self.processing_count, scale=1, places="0.01")

    @property
    def supplements_per_dossier(self) -> Decimal | None:
        return _ratio(self.supplement_requests, self.completed, scale=1, places="0.01")

    @property
    def rating_average(self) -> Decimal | None:
        return _ratio(self.rating_sum, self.rating_count, scale=1, places="0.01")


# Complaints open / overdue are the situation at the END of a month (not a flow): over a period
# the last month's value counts, not the sum of the months.
SNAPSHOT_FIELDS = ("complaints_open", "complaints_overdue")


def _sums(last: dt.date | None = None) -> dict:
    return {
        name: Sum(name, filter=Q(month=last)) if last and name in SNAPSHOT_FIELDS else Sum(name)
        for name in SUM_FIELDS
    }


def _total(rows: list[dict]) -> Figures:
    return Figures({name: sum((r.get(name) or 0) for r in rows) for name in SUM_FIELDS})


@dataclass
class UnitFigures:
    unit_id: int
    code: str
    name: str
    depth: int
    figures: Figures


def visible_units(*, user) -> QuerySet[PoliceUnit]:
    return units_visible_to(user)


def get_visible_unit(*, user, unit_id) -> PoliceUnit:
    """A unit whose statistics the user may read, or NotFound (never reveals other units)."""
    try:
        return visible_units(user=user).get(pk=int(unit_id))
    except (PoliceUnit.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("Không tìm thấy đơn vị.")) from None


def unit_figures(*, units: QuerySet[PoliceUnit], first: dt.date, last: dt.date):
    """Per unit (in tree order) over [first, last] plus the total. ONE query."""
    rows = list(
        UnitMonthStats.objects.filter(unit__in=units, month__gte=first, month__lte=last)
        .values("unit_id", "unit__code", "unit__name", "unit__path")
        .annotate(**_sums(last))
        .order_by("unit__path")
    )
    result = [
        UnitFigures(
            unit_id=r["unit_id"],
            code=r["unit__code"],
            name=r["unit__name"],
            depth=r["unit__path"].count("/") - 2,
            figures=Figures({name: r[name] for name in SUM_FIELDS}),
        )
        for r in rows
    ]
    return result, _total(rows)


def monthly_series(*, units: QuerySet[PoliceUnit], first: dt.date, last: dt.date):
    """[(month, Figures)] for every month of the period, the units summed. ONE query."""
    rows = {
        r["month"]: r
        for r in UnitMonthStats.objects.filter(unit__in=units, month__gte=first, month__lte=last)
        .values("month")
        .annotate(**_sums())
        .order_by("month")
    }
    return [
        (month, Figures({name: (rows.get(month) or {}).get(name) or 0 for name in SUM_FIELDS}))
        for month in month_list(first, last)
    ]


def refusals_by_category(*, units: QuerySet[PoliceUnit], first: dt.date, last: dt.date):
    """[(category title or None, count)] most frequent first. ONE query."""
    rows = (
        RefusalMonthStats.objects.filter(unit__in=units, month__gte=first, month__lte=last)
        .values("reason_id", "reason__title")
        .annotate(n=Sum("count"))
        .order_by("-n", "reason__title")
    )
    return [(r["reason__title"], r["n"]) for r in rows]


def export_rows(*, units: QuerySet[PoliceUnit], first: dt.date, last: dt.date):
    """Every (unit, month) row of the period, for CSV / XLSX. ONE query."""
    rows = (
        UnitMonthStats.objects.filter(unit__in=units, month__gte=first, month__lte=last)
        .select_related("unit")
        .order_by("unit__path", "month")
    )
    return [
        (row.unit, row.month, Figures({name: getattr(row, name) for name in SUM_FIELDS}))
        for row in rows
    ]


def public_month(*, month: dt.date) -> QuerySet[UnitMonthStats]:
    """The public figures of one month, every active unit that had activity, in tree order."""
    return (
        UnitMonthStats.objects.filter(month=month, unit__is_active=True)
        .select_related("unit")
        .order_by("unit__path")
    )


def public_figures(row: UnitMonthStats) -> dict:
    """What the transparency page and API publish for a unit and month: counts and rates only."""
    figures = Figures({name: getattr(row, name) for name in SUM_FIELDS})
    return {
        "unit_code": row.unit.code,
        "unit_name": row.unit.name,
        "month": f"{row.month:%Y-%m}",
        "received": figures.received,
        "completed": figures.completed,
        "on_time_rate": figures.on_time_rate,
        "online_share": figures.online_share,
        "satisfaction_average": figures.rating_average,
        "satisfaction_count": figures.rating_count,
        "complaints_received": figures.complaints_received,
        "complaints_resolved": figures.complaints_resolved,
    }
