"""Display helpers shared by the pages and the API (wording of deadlines, fees in force)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import DeadlineKind, Procedure, ProcedureFee


def _days(value: Decimal) -> str:
    if value == Decimal("0.5"):
        return "½"
    if value == value.to_integral_value():
        return f"{int(value):02d}"
    return str(value.normalize()).replace(".", ",")


def deadline_text(procedure: Procedure) -> str:
    """ "03 ngày làm việc", "½ ngày làm việc", "Ngay khi tiếp nhận"."""
    if procedure.deadline_kind == DeadlineKind.IMMEDIATE:
        return _("Ngay khi tiếp nhận")
    text = _("%(days)s ngày làm việc") % {"days": _days(procedure.deadline_days)}
    if procedure.deadline_days_max:
        text += " " + _("(tối đa %(days)s ngày làm việc)") % {
            "days": _days(procedure.deadline_days_max)
        }
    return text


def money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


def fee_text(fee: ProcedureFee | None) -> str:
    if fee is None or fee.amount == 0:
        return _("Không thu lệ phí")
    return money(fee.amount)


@dataclass
class FeeRow:
    fee: ProcedureFee
    status: str  # "current" | "upcoming" | "previous"

    @property
    def amount_text(self) -> str:
        return money(self.fee.amount) if self.fee.amount else _("Miễn phí")

    @property
    def status_label(self) -> str:
        return {
            "current": _("Đang áp dụng"),
            "upcoming": _("Sắp áp dụng"),
            "previous": _("Đã hết hiệu lực"),
        }[self.status]


def fee_schedule(procedure: Procedure, channel: str, today: dt.date | None = None) -> list[FeeRow]:
    today = today or timezone.localdate()
    rows = []
    for fee in procedure.fees_for(channel):
        if fee.valid_from > today:
            status = "upcoming"
        elif fee.valid_to is not None and fee.valid_to < today:
            status = "previous"
        else:
            status = "current"
        rows.append(FeeRow(fee=fee, status=status))
    return rows


def current_estimate(procedure: Procedure):
    """`portal.workcalendar.services.estimate` for a submission made now, or None.

    The working calendar is another app; without it (or if it fails on odd data) the page still works.
    """
    try:
        from portal.workcalendar.services import estimate
    except ImportError:
        return None
    return estimate(procedure=procedure, submitted_at=timezone.now(), unit=None)
