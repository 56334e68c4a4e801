"""Aggregate tables of the supervision dashboard and the public transparency page.

One row per police unit and calendar month (Asia/Ho_Chi_Minh), holding counts only — no personal
data. The rows are recomputed from the dossiers' immutable history (`DossierEvent`), the refusal
review list and the complaints app by `portal.statistics.services.refresh_month` (a beat task for
the current and previous month, `manage.py rebuild_statistics` for any range), so pages read a few
rows per unit and never scan dossiers.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UnitMonthStats(models.Model):
    unit = models.ForeignKey(
        "units.PoliceUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.CASCADE,
        related_name="month_stats",
    )
    month = models.DateField(_("tháng"), help_text=_("Ngày đầu tháng."))

    # Dossiers that arrived (first submission, or payment confirmed for level 4 with a fee).
    received = models.PositiveIntegerField(_("hồ sơ tiếp nhận"), default=0)
    received_online = models.PositiveIntegerField(_("tiếp nhận trực tuyến"), default=0)
    received_full_online = models.PositiveIntegerField(
        _("tiếp nhận dịch vụ toàn trình (mức 4)"), default=0
    )
    # Dossiers finished in the month: result returned, refused or stopped.
    completed = models.PositiveIntegerField(_("hồ sơ đã giải quyết"), default=0)
    returned = models.PositiveIntegerField(_("đã trả kết quả"), default=0)
    refused = models.PositiveIntegerField(_("từ chối"), default=0)
    stopped = models.PositiveIntegerField(_("dừng xử lý"), default=0)
    withdrawn = models.PositiveIntegerField(_("công dân rút hồ sơ"), default=0)
    on_time = models.PositiveIntegerField(_("đúng hạn"), default=0)
    late = models.PositiveIntegerField(_("trễ hạn"), default=0)
    processing_count = models.PositiveIntegerField(default=0)
    processing_days_total = models.DecimalField(
        _("tổng thời gian giải quyết (ngày làm việc)"), max_digits=14, decimal_places=3, default=0
    )
    supplement_requests = models.PositiveIntegerField(
        _("số lần yêu cầu bổ sung (của hồ sơ đã giải quyết)"), default=0
    )
    # Complaints about the unit (portal.complaints), satisfaction with its dossiers.
    complaints_received = models.PositiveIntegerField(_("phản ánh tiếp nhận"), default=0)
    complaints_resolved = models.PositiveIntegerField(_("phản ánh đã giải quyết"), default=0)
    complaints_open = models.PositiveIntegerField(_("phản ánh đang mở"), default=0)
    complaints_overdue = models.PositiveIntegerField(_("phản ánh quá hạn"), default=0)
    complaints_repeated = models.PositiveIntegerField(_("phản ánh lặp lại"), default=0)
    rating_count = models.PositiveIntegerField(_("số lượt đánh giá"), default=0)
    rating_sum = models.DecimalField(max_digits=14, decimal_places=3, default=0)
    rating_low = models.PositiveIntegerField(_("đánh giá thấp"), default=0)

    refreshed_at = models.DateTimeField(_("cập nhật lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("thống kê")
        verbose_name_plural = _("thống kê, giám sát")
        ordering = ["month", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="unit_month_stats_unique")
        ]
        indexes = [models.Index(fields=["month", "unit"], name="unit_month_stats_month_idx")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m}"


class RefusalMonthStats(models.Model):
    """Refusals of a unit in a month by category of the managed list (reason null: no category
    recorded, e.g. a refusal made through the engine directly)."""

    unit = models.ForeignKey(
        "units.PoliceUnit", on_delete=models.CASCADE, related_name="refusal_month_stats"
    )
    month = models.DateField()
    reason = models.ForeignKey(
        "backoffice.RefusalReason",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["month", "unit", "reason"]
        indexes = [models.Index(fields=["month", "unit"], name="refusal_month_stats_idx")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.reason_id}: {self.count}"
