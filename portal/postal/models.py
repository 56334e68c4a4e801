"""Postal return of results (Decision 45/2016/QĐ-TTg): the fee table and the shipments."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PostalFeeRate(models.Model):
    """One row of the postal fee table: the amount in force from `valid_from` to `valid_to`
    (inclusive; open-ended when empty) for results sent to an area and every area below it
    (nationwide when `area` is empty). The most specific area wins."""

    valid_from = models.DateField(_("áp dụng từ ngày"))
    valid_to = models.DateField(_("đến hết ngày"), null=True, blank=True)
    area = models.ForeignKey(
        "units.AdministrativeArea",
        verbose_name=_("phạm vi (địa bàn)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Để trống: áp dụng toàn quốc. Chọn tỉnh / xã: áp dụng cho địa bàn đó."),
    )
    amount = models.PositiveIntegerField(_("cước (đồng)"))
    note = models.CharField(_("căn cứ / ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("biểu cước bưu chính")
        verbose_name_plural = _("biểu cước bưu chính")
        ordering = ["-valid_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="postal_rate_period_ordered",
            )
        ]

    def __str__(self) -> str:
        scope = self.area.name if self.area_id else _("Toàn quốc")
        return f"{scope}: {self.amount} đ ({self.valid_from:%d/%m/%Y}–{self.valid_to or '…'})"

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("Ngày kết thúc phải sau ngày bắt đầu.")})
        if not self.valid_from:
            return
        overlapping = PostalFeeRate.objects.filter(area=self.area).exclude(pk=self.pk)
        overlapping = overlapping.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from)
        )
        if self.valid_to:
            overlapping = overlapping.filter(valid_from__lte=self.valid_to)
        if overlapping.exists():
            raise ValidationError(
                _("Đã có mức cước cho cùng phạm vi trong khoảng thời gian này: %(rate)s")
                % {"rate": overlapping.first()}
            )


class ShipmentState(models.TextChoices):
    ACCEPTED = "accepted", _("Bưu điện đã nhận gửi")
    IN_TRANSIT = "in_transit", _("Đang vận chuyển")
    DELIVERED = "delivered", _("Đã phát thành công")
    RETURNED = "returned", _("Không phát được, đã chuyển hoàn")


# Forward-only order of the states; delivered and returned are final.
STATE_RANK = {
    ShipmentState.ACCEPTED: 0,
    ShipmentState.IN_TRANSIT: 1,
    ShipmentState.DELIVERED: 2,
    ShipmentState.RETURNED: 2,
}
FINAL_STATES = (ShipmentState.DELIVERED, ShipmentState.RETURNED)


class Shipment(models.Model):
    """A result handed to the post for one dossier, with its tracking number."""

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        on_delete=models.PROTECT,
        related_name="shipments",
    )
    provider = models.CharField(_("đơn vị bưu chính"), max_length=40)
    tracking_number = models.CharField(_("số hiệu bưu gửi"), max_length=40, unique=True)
    state = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=ShipmentState.choices,
        default=ShipmentState.ACCEPTED,
    )
    address = models.CharField(_("địa chỉ nhận"), max_length=300)
    fee = models.PositiveIntegerField(_("cước (đồng)"), default=0)
    created_at = models.DateTimeField(_("gửi lúc"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ giao bưu điện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_event_at = models.DateTimeField(_("cập nhật lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("bưu gửi trả kết quả")
        verbose_name_plural = _("bưu gửi trả kết quả")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES


class ShipmentEvent(models.Model):
    """One tracking event as reported by the provider (immutable)."""

    shipment = models.ForeignKey(
        Shipment, verbose_name=_("bưu gửi"), on_delete=models.CASCADE, related_name="events"
    )
    event_id = models.CharField(_("mã sự kiện"), max_length=64)
    state = models.CharField(_("trạng thái"), max_length=20, choices=ShipmentState.choices)
    occurred_at = models.DateTimeField(_("thời điểm"))
    received_at = models.DateTimeField(_("nhận lúc"), default=timezone.now)
    description = models.CharField(_("mô tả"), max_length=300, blank=True)
    location = models.CharField(_("địa điểm"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("hành trình bưu gửi")
        verbose_name_plural = _("hành trình bưu gửi")
        ordering = ["occurred_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "event_id"], name="postal_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.shipment} {self.state} {self.occurred_at:%H:%M %d/%m/%Y}"
