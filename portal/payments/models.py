"""Payments of a dossier's fee: online (VNPay or the sandbox), VietQR bank transfer confirmed by
staff, or cash at the office counter (level 3). States only move forward (django-fsm)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition


class PaymentState(models.TextChoices):
    PENDING = "pending", _("Chờ thanh toán")
    SUCCEEDED = "succeeded", _("Thành công")
    FAILED = "failed", _("Thất bại")
    CANCELLED = "cancelled", _("Đã hủy")
    EXPIRED = "expired", _("Hết hạn")
    REFUND_DUE = "refund_due", _("Thanh toán trùng – cần hoàn tiền")


class PaymentMethod(models.TextChoices):
    ONLINE = "online", _("Cổng thanh toán trực tuyến")
    BANK_TRANSFER = "bank_transfer", _("Chuyển khoản (VietQR)")
    COUNTER = "counter", _("Nộp tại cơ quan")


def receipt_path(instance: Payment, filename: str) -> str:
    return f"payments/receipts/{instance.txn_ref}.pdf"


class Payment(FSMModelMixin, models.Model):
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="payments"
    )
    method = models.CharField(
        _("hình thức"), max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.ONLINE
    )
    provider = models.CharField(_("đơn vị thanh toán"), max_length=30, blank=True)
    txn_ref = models.CharField(_("mã giao dịch"), max_length=40, unique=True)
    amount = models.PositiveIntegerField(_("số tiền (đồng)"))
    currency = models.CharField(_("đơn vị tiền"), max_length=3, default="VND")
    state = FSMField(
        _("trạng thái"),
        max_length=20,
        choices=PaymentState.choices,
        default=PaymentState.PENDING,
        protected=True,
    )
    provider_txn_no = models.CharField(
        _("mã giao dịch tại VNPay/ngân hàng"), max_length=40, blank=True
    )
    bank_code = models.CharField(_("ngân hàng"), max_length=20, blank=True)
    response_code = models.CharField(_("mã phản hồi"), max_length=10, blank=True)
    raw_ipn = models.JSONField(_("thông báo IPN gốc"), default=dict, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("đối soát lần cuối"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cán bộ xác nhận"),
    )
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    receipt = models.FileField(_("biên lai"), upload_to=receipt_path, blank=True, max_length=200)

    class Meta:
        verbose_name = _("khoản thanh toán")
        verbose_name_plural = _("khoản thanh toán")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.txn_ref} ({self.amount:,} đ)"

    @transition(
        field=state,
        source=[PaymentState.PENDING, PaymentState.EXPIRED],
        target=PaymentState.SUCCEEDED,
    )
    def succeed(self):
        """Only a success confirmed by the provider (IPN, query) or by staff is final."""

    @transition(field=state, source=PaymentState.PENDING, target=PaymentState.FAILED)
    def fail(self):
        pass

    @transition(field=state, source=PaymentState.PENDING, target=PaymentState.CANCELLED)
    def cancel(self):
        pass

    @transition(field=state, source=PaymentState.PENDING, target=PaymentState.EXPIRED)
    def expire(self):
        pass

    @transition(
        field=state,
        source=[PaymentState.PENDING, PaymentState.EXPIRED],
        target=PaymentState.REFUND_DUE,
    )
    def flag_refund(self):
        """Money received for a fee already paid: never applied twice, staff refund it."""


class SandboxCharge(models.Model):
    """What the sandbox 'bank' did (development and tests only): the record its query answers
    from, so reconciliation can recover a payment whose IPN was lost."""

    txn_ref = models.CharField(max_length=40, unique=True)
    amount = models.PositiveIntegerField()
    response_code = models.CharField(max_length=2)
    transaction_no = models.CharField(max_length=20)
    bank_code = models.CharField(max_length=20, default="NCB")
    pay_date = models.CharField(max_length=14)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("giao dịch thử nghiệm (sandbox)")
        verbose_name_plural = _("giao dịch thử nghiệm (sandbox)")

    def __str__(self) -> str:
        return f"{self.txn_ref}: {self.response_code}"


class ExemptionReason(models.TextChoices):
    """Who is exempt from residence registration fees (Điều 4 Thông tư 75/2022/TT-BTC; the
    procedure's `exemptions` text in the catalogue says which apply)."""

    CHILD = "child", _("Trẻ em")
    ELDERLY = "elderly", _("Người cao tuổi")
    DISABLED = "disabled", _("Người khuyết tật")
    MERIT = "merit", _("Người có công với cách mạng và thân nhân")
    POOR_HOUSEHOLD = "poor_household", _("Thành viên hộ nghèo")
    ETHNIC_MINORITY = (
        "ethnic_minority",
        _("Đồng bào dân tộc thiểu số ở xã có điều kiện kinh tế - xã hội đặc biệt khó khăn"),
    )
    OTHER = "other", _("Trường hợp khác theo quy định")


class ExemptionState(models.TextChoices):
    CLAIMED = "claimed", _("Chờ cán bộ xem xét")
    ACCEPTED = "accepted", _("Được miễn lệ phí")
    REJECTED = "rejected", _("Không được miễn")


class FeeExemption(FSMModelMixin, models.Model):
    """A citizen's claim to be exempt from the fee, with a proof attached to the dossier; staff
    accept it (the fee is waived and the dossier proceeds) or reject it with a reason."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="fee_exemptions"
    )
    reason = models.CharField(_("đối tượng miễn"), max_length=30, choices=ExemptionReason.choices)
    details = models.CharField(_("giải trình"), max_length=300, blank=True)
    proof = models.ForeignKey(
        "dossiers.Attachment",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("giấy tờ chứng minh"),
    )
    state = FSMField(
        _("trạng thái"),
        max_length=10,
        choices=ExemptionState.choices,
        default=ExemptionState.CLAIMED,
        protected=True,
    )
    claimed_at = models.DateTimeField(_("đề nghị lúc"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cán bộ xem xét"),
    )
    reviewed_at = models.DateTimeField(_("xem xét lúc"), null=True, blank=True)
    rejection_reason = models.CharField(_("lý do không miễn"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("đề nghị miễn lệ phí")
        verbose_name_plural = _("đề nghị miễn lệ phí")
        ordering = ["-claimed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.get_reason_display()}"

    @transition(field=state, source=ExemptionState.CLAIMED, target=ExemptionState.ACCEPTED)
    def accept(self):
        pass

    @transition(field=state, source=ExemptionState.CLAIMED, target=ExemptionState.REJECTED)
    def reject(self):
        pass
