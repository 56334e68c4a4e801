"""The working calendar: admin overrides on top of `holidays.VN`, and office hours per police unit.

Public holidays (Tết, Hùng Kings' day, observed days, announced swaps) come from the `holidays`
package; `CalendarOverride` adds what the package does not know yet (an extra day off, a worked
Saturday). `OfficeHours` rows describe a unit's weekly sessions; a unit without rows uses
`DEFAULT_OFFICE_HOURS`.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Thứ Hai")
    TUESDAY = 1, _("Thứ Ba")
    WEDNESDAY = 2, _("Thứ Tư")
    THURSDAY = 3, _("Thứ Năm")
    FRIDAY = 4, _("Thứ Sáu")
    SATURDAY = 5, _("Thứ Bảy")
    SUNDAY = 6, _("Chủ nhật")


class SessionKind(models.TextChoices):
    WORKING = "working", _("Làm việc (tiếp nhận và tính thời hạn)")
    RECEPTION_ONLY = "reception_only", _("Chỉ tiếp nhận (không tính thời hạn)")


# (weekday, opens, closes, kind) used by every unit that has no OfficeHours rows.
DEFAULT_OFFICE_HOURS: tuple[tuple[int, dt.time, dt.time, str], ...] = tuple(
    [
        (day, opens, closes, SessionKind.WORKING.value)
        for day in range(5)
        for opens, closes in ((dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0)))
    ]
    + [(Weekday.SATURDAY.value, dt.time(7, 30), dt.time(11, 30), SessionKind.RECEPTION_ONLY.value)]
)


class CalendarOverride(models.Model):
    """A day the admin declares off, or a weekend day declared worked, on top of `holidays.VN`."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ bổ sung")
        WORKED_DAY = "worked_day", _("Ngày làm việc (ví dụ thứ Bảy làm bù)")

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    note = models.CharField(
        _("ghi chú / căn cứ"),
        max_length=300,
        blank=True,
        help_text=_("Ví dụ: số hiệu thông báo của Bộ Lao động – Thương binh và Xã hội."),
    )

    class Meta:
        verbose_name = _("ngày điều chỉnh lịch làm việc")
        verbose_name_plural = _("ngày điều chỉnh lịch làm việc")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} – {self.get_kind_display()}"


class OfficeHours(models.Model):
    """One weekly session of a police unit (e.g. Monday 07:30–11:30, working)."""

    unit = models.ForeignKey(
        "units.PoliceUnit",
        verbose_name=_("đơn vị Công an"),
        on_delete=models.CASCADE,
        related_name="office_hours",
    )
    weekday = models.PositiveSmallIntegerField(_("thứ"), choices=Weekday.choices)
    opens = models.TimeField(_("giờ bắt đầu"))
    closes = models.TimeField(_("giờ kết thúc"))
    kind = models.CharField(
        _("loại buổi"), max_length=20, choices=SessionKind.choices, default=SessionKind.WORKING
    )

    class Meta:
        verbose_name = _("giờ làm việc")
        verbose_name_plural = _("giờ làm việc")
        ordering = ["unit", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")),
                name="office_hours_opens_before_closes",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M} "
            f"({self.get_kind_display()})"
        )

    def clean(self) -> None:
        super().clean()
        if self.opens is not None and self.closes is not None and self.opens >= self.closes:
            raise ValidationError({"closes": _("Giờ kết thúc phải sau giờ bắt đầu.")})
