"""Appointment booking for a visit to a police unit (issue 11).

Generic engine capability: a procedure plugin says whether a dossier needs a visit
(`ProcedurePlugin.needs_visit`); the citizen then books a slot of the unit's office hours
(portal.workcalendar), moves or cancels it; staff check the citizen in or record a no-show.

Double booking is impossible at the database level: every active appointment holds one *seat*
(1..capacity) of its slot, and a partial unique constraint on (unit, starts_at, seat_no) over active
appointments makes a second holder of the same seat fail, whatever the concurrency. The services pick
the lowest free seat and retry on a conflict; a slot whose seats are all taken is full.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.workcalendar.models import Weekday


class SlotPolicy(models.Model):
    """How a unit's office hours are cut into appointment slots.

    A row without a weekday applies to every day; a row for a weekday wins on that day. A unit with
    no row uses settings.BOOKING_DEFAULT_SLOT_MINUTES and BOOKING_DEFAULT_CAPACITY.
    """

    unit = models.ForeignKey(
        "units.PoliceUnit",
        verbose_name=_("đơn vị Công an"),
        on_delete=models.CASCADE,
        related_name="slot_policies",
    )
    weekday = models.PositiveSmallIntegerField(
        _("thứ"),
        choices=Weekday.choices,
        null=True,
        blank=True,
        help_text=_("Để trống: áp dụng cho mọi ngày không có quy định riêng."),
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("độ dài mỗi khung giờ (phút)"),
        default=30,
        help_text=_("Từ 5 đến 240 phút."),
    )
    capacity = models.PositiveSmallIntegerField(
        _("số lượt tiếp mỗi khung giờ"),
        default=2,
        help_text=_("Số công dân được hẹn cùng một khung giờ (từ 1 đến 100)."),
    )

    class Meta:
        verbose_name = _("quy định khung giờ hẹn")
        verbose_name_plural = _("quy định khung giờ hẹn")
        ordering = ["unit", "weekday"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(weekday__isnull=True),
                name="booking_policy_one_default_per_unit",
            ),
            models.UniqueConstraint(
                fields=["unit", "weekday"],
                condition=models.Q(weekday__isnull=False),
                name="booking_policy_one_per_weekday",
            ),
            models.CheckConstraint(
                condition=models.Q(slot_minutes__gte=5, slot_minutes__lte=240),
                name="booking_policy_slot_minutes_range",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1, capacity__lte=100),
                name="booking_policy_capacity_range",
            ),
        ]

    def __str__(self) -> str:
        day = self.get_weekday_display() if self.weekday is not None else _("Mọi ngày")
        return f"{self.unit} – {day}: {self.slot_minutes}′ × {self.capacity}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.slot_minutes is not None and not 5 <= self.slot_minutes <= 240:
            errors["slot_minutes"] = _("Độ dài khung giờ phải từ 5 đến 240 phút.")
        if self.capacity is not None and not 1 <= self.capacity <= 100:
            errors["capacity"] = _("Số lượt tiếp mỗi khung giờ phải từ 1 đến 100.")
        if errors:
            raise ValidationError(errors)


class AppointmentState(models.TextChoices):
    BOOKED = "booked", _("Đã đặt lịch")
    MOVED = "moved", _("Đã đổi lịch")
    CANCELLED = "cancelled", _("Đã hủy")
    CHECKED_IN = "checked_in", _("Đã đến làm thủ tục")
    NO_SHOW = "no_show", _("Không đến")


# States holding a seat of their slot (and the dossier's one appointment).
ACTIVE_STATES = (AppointmentState.BOOKED, AppointmentState.MOVED, AppointmentState.CHECKED_IN)
# States that may still change (move, cancel, check in, no-show).
PENDING_STATES = (AppointmentState.BOOKED, AppointmentState.MOVED)


class Appointment(models.Model):
    unit = models.ForeignKey(
        "units.PoliceUnit",
        verbose_name=_("đơn vị Công an"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("công dân"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    starts_at = models.DateTimeField(_("bắt đầu"), db_index=True)
    ends_at = models.DateTimeField(_("kết thúc"))
    seat_no = models.PositiveSmallIntegerField(_("lượt"), default=1)
    state = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=AppointmentState.choices,
        default=AppointmentState.BOOKED,
        db_index=True,
    )
    created_at = models.DateTimeField(_("thời điểm đặt"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    checked_in_at = models.DateTimeField(_("thời điểm đến"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ tiếp đón"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("thời điểm hủy / ghi nhận không đến"), null=True, blank=True)

    class Meta:
        verbose_name = _("lịch hẹn")
        verbose_name_plural = _("lịch hẹn")
        ordering = ["starts_at", "seat_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "starts_at", "seat_no"],
                condition=models.Q(state__in=["booked", "moved", "checked_in"]),
                name="booking_one_holder_per_seat",
            ),
            models.UniqueConstraint(
                fields=["dossier"],
                condition=models.Q(state__in=["booked", "moved", "checked_in"]),
                name="booking_one_active_appointment_per_dossier",
            ),
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="booking_starts_before_ends",
            ),
        ]
        indexes = [models.Index(fields=["unit", "starts_at"], name="booking_unit_starts")]

    def __str__(self) -> str:
        from portal.workcalendar.services import LOCAL_TZ

        return f"{self.unit} – {self.starts_at.astimezone(LOCAL_TZ):%d/%m/%Y %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def is_pending(self) -> bool:
        return self.state in PENDING_STATES


class AppointmentEvent(models.Model):
    """Immutable history of an appointment: booked, moved (from → to), cancelled, checked in …"""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="events", verbose_name=_("lịch hẹn")
    )
    kind = models.CharField(_("sự kiện"), max_length=20, choices=AppointmentState.choices)
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("khung giờ"))
    previous_starts_at = models.DateTimeField(_("khung giờ trước"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("lịch sử lịch hẹn")
        verbose_name_plural = _("lịch sử lịch hẹn")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.appointment_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"
