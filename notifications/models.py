"""The outbox: templates, notifications (one row per channel), attempts, delivery receipts, the local
SMS outbox and one-time codes."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications import sms_encoding
from notifications.events import EVENT_CHOICES


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Thư điện tử")


class Status(models.TextChoices):
    CREATED = "created", _("Mới tạo")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã chuyển cho nhà mạng")
    DELIVERED = "delivered", _("Đã nhận")
    TEMPORARY_FAILURE = "temporary_failure", _("Lỗi tạm thời")
    PERMANENT_FAILURE = "permanent_failure", _("Lỗi vĩnh viễn")
    TECHNICAL_FAILURE = "technical_failure", _("Lỗi kỹ thuật")


# A status only ever moves to a higher rank; final statuses (rank 3) never change.
STATUS_RANK = {
    Status.CREATED: 0,
    Status.SENDING: 1,
    Status.SENT: 2,
    Status.DELIVERED: 3,
    Status.TEMPORARY_FAILURE: 3,
    Status.PERMANENT_FAILURE: 3,
    Status.TECHNICAL_FAILURE: 3,
}
FINAL_STATUSES = frozenset(s for s, rank in STATUS_RANK.items() if rank == 3)
FAILURE_STATUSES = frozenset(
    {Status.TEMPORARY_FAILURE, Status.PERMANENT_FAILURE, Status.TECHNICAL_FAILURE}
)


def statuses_below(status: str) -> list[str]:
    rank = STATUS_RANK[status]
    return [s.value for s, r in STATUS_RANK.items() if r < rank]


class NotificationTemplate(models.Model):
    class SmsMode(models.TextChoices):
        KEEP = sms_encoding.KEEP, _("Giữ dấu tiếng Việt (UCS-2, 70/67 ký tự)")
        STRIP = sms_encoding.STRIP, _("Bỏ dấu (GSM-7, 160/153 ký tự)")

    event = models.CharField(_("sự kiện"), max_length=40, choices=EVENT_CHOICES)
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("tiêu đề thư"), max_length=200, blank=True)
    body = models.TextField(
        _("nội dung"), help_text=_("Cú pháp mẫu Django, ví dụ {{ dossier_code }}.")
    )
    html_body = models.TextField(
        _("nội dung HTML (thư)"),
        blank=True,
        help_text=_("Để trống: tạo tự động từ nội dung văn bản."),
    )
    sms_mode = models.CharField(
        _("mã hóa SMS"), max_length=10, choices=SmsMode.choices, default=SmsMode.KEEP
    )
    max_sms_parts = models.PositiveSmallIntegerField(_("số phần SMS tối đa"), default=4)
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("mẫu thông báo")
        verbose_name_plural = _("mẫu thông báo")
        ordering = ["event", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["event", "channel"], name="unique_template_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} – {self.get_channel_display()} (v{self.version})"


class Notification(models.Model):
    reference = models.UUIDField(
        _("mã tham chiếu"), default=uuid.uuid4, unique=True, editable=False
    )
    event = models.CharField(_("sự kiện"), max_length=40, choices=EVENT_CHOICES, db_index=True)
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    recipient = models.CharField(_("địa chỉ nhận"), max_length=254, blank=True)
    template = models.ForeignKey(
        NotificationTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    template_version = models.PositiveIntegerField(_("phiên bản mẫu"), default=0)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    body = models.TextField(_("nội dung"), blank=True)
    html_body = models.TextField(_("nội dung HTML"), blank=True)
    sms_encoding = models.CharField(_("mã hóa SMS"), max_length=5, blank=True)
    sms_parts = models.PositiveSmallIntegerField(_("số phần SMS"), default=0)
    sensitive = models.BooleanField(default=False, editable=False)
    queue = models.CharField(max_length=20, default="celery", editable=False)

    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.CREATED
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=500, blank=True)
    provider = models.CharField(_("nhà cung cấp"), max_length=40, blank=True)
    provider_reference = models.CharField(
        _("mã của nhà cung cấp"), max_length=100, blank=True, db_index=True
    )
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True, db_index=True)
    status_changed_at = models.DateTimeField(_("đổi trạng thái lúc"), null=True, blank=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("nhận lúc"), null=True, blank=True)
    failed_at = models.DateTimeField(_("lỗi lúc"), null=True, blank=True)
    purged_at = models.DateTimeField(_("xóa nội dung lúc"), null=True, blank=True)

    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    about = GenericForeignKey("content_type", "object_id")
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="notif_status_created"),
            models.Index(fields=["user", "-created_at"], name="notif_user_created"),
            models.Index(fields=["content_type", "object_id"], name="notif_about"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} / {self.get_channel_display()} #{self.pk}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class NotificationAttachment(models.Model):
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(max_length=200)
    mimetype = models.CharField(max_length=100)
    content = models.BinaryField()

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")

    def __str__(self) -> str:
        return self.filename


class DeliveryAttempt(models.Model):
    class Outcome(models.TextChoices):
        OK = "ok", _("Thành công")
        RETRYABLE = "retryable", _("Lỗi, sẽ thử lại")
        PERMANENT = "permanent", _("Lỗi vĩnh viễn")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="delivery_attempts"
    )
    number = models.PositiveSmallIntegerField(_("lần"))
    provider = models.CharField(max_length=40)
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("lần gửi")
        verbose_name_plural = _("lần gửi")
        ordering = ["notification", "number"]

    def __str__(self) -> str:
        return f"#{self.notification_id}/{self.number}: {self.outcome}"


class DeliveryReceipt(models.Model):
    """A provider's delivery report, stored once (idempotent on `receipt_id`)."""

    provider = models.CharField(max_length=40)
    receipt_id = models.CharField(max_length=100)
    reference = models.CharField(max_length=100, db_index=True)
    status = models.CharField(max_length=20)
    occurred_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="receipts"
    )
    applied = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("báo cáo phát")
        verbose_name_plural = _("báo cáo phát")
        constraints = [
            models.UniqueConstraint(fields=["provider", "receipt_id"], name="unique_receipt")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.receipt_id} {self.status}"


class OutboxSms(models.Model):
    """What the local SMS backend "sent": the developer's phone."""

    phone = models.CharField(_("số điện thoại"), max_length=20)
    body = models.TextField(_("nội dung"))
    encoding = models.CharField(_("mã hóa"), max_length=5)
    parts = models.PositiveSmallIntegerField(_("số phần"))
    reference = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("SMS trong hộp thư đi (thử nghiệm)")
        verbose_name_plural = _("SMS trong hộp thư đi (thử nghiệm)")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.phone}: {self.body[:40]}"


class OneTimeCode(models.Model):
    phone = models.CharField(max_length=20, db_index=True)
    purpose = models.CharField(max_length=60)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã xác thực")
        verbose_name_plural = _("mã xác thực")
        indexes = [models.Index(fields=["phone", "purpose", "-created_at"], name="otp_lookup")]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.created_at:%Y-%m-%d %H:%M})"
