"""The procedure catalogue: procedures are data (loaded from versioned files, editable in the admin)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Field(models.TextChoices):
    RESIDENCE = "residence", _("Đăng ký, quản lý cư trú")
    IDENTITY = "identity", _("Cấp, quản lý căn cước")


class ServiceLevel(models.IntegerChoices):
    """Decree 43/2011 levels, with the Decree 42/2022 name shown beside them."""

    INFORMATION = 1, _("Mức độ 1")
    FORMS = 2, _("Mức độ 2")
    PARTLY_ONLINE = 3, _("Mức độ 3")
    FULLY_ONLINE = 4, _("Mức độ 4")


DECREE_42_NAMES = {
    1: _("Cung cấp thông tin trực tuyến"),
    2: _("Cung cấp thông tin trực tuyến"),
    3: _("Dịch vụ công trực tuyến một phần"),
    4: _("Dịch vụ công trực tuyến toàn trình"),
}


class ResultMethod(models.TextChoices):
    IN_PERSON = "in_person", _("Nhận trực tiếp tại cơ quan")
    POST = "post", _("Qua dịch vụ bưu chính công ích")
    ELECTRONIC = "electronic", _("Bản điện tử (có ký số) qua thư điện tử / tài khoản")


class ReceptionMode(models.TextChoices):
    OFFICE_HOURS = "office_hours", _("Tiếp nhận trong giờ hành chính")
    ROUND_THE_CLOCK = "round_the_clock", _("Tiếp nhận 24/7 (thông báo lưu trú)")


class DeadlineKind(models.TextChoices):
    WORKING_DAYS = "working_days", _("Ngày làm việc")
    IMMEDIATE = "immediate", _("Ngay trong ngày / ngay khi tiếp nhận")


class FormTemplate(models.Model):
    """A form (tờ khai) citizens can download as a PDF, e.g. CT01."""

    code = models.CharField(_("ký hiệu"), max_length=20, unique=True)
    name = models.CharField(_("tên mẫu"), max_length=300)
    template_name = models.CharField(
        _("mẫu HTML"), max_length=200, help_text=_("Ví dụ: pdf/forms/ct01.html")
    )
    legal_source = models.CharField(_("ban hành kèm theo"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("mẫu tờ khai")
        verbose_name_plural = _("mẫu tờ khai")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class Procedure(models.Model):
    code = models.CharField(
        _("mã thủ tục"),
        max_length=20,
        unique=True,
        help_text=_("Mã thủ tục quốc gia, ví dụ 1.004222."),
    )
    name_vi = models.CharField(_("tên thủ tục"), max_length=300)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=300, blank=True)
    search_text = models.TextField(
        editable=False, blank=True, default="", help_text="Accent-folded name and code, for search."
    )
    field = models.CharField(_("lĩnh vực"), max_length=20, choices=Field.choices)
    level = models.PositiveSmallIntegerField(_("mức độ"), choices=ServiceLevel.choices)
    summary = models.TextField(_("trình tự thực hiện"), blank=True)
    applicants = models.TextField(_("đối tượng thực hiện"), blank=True)
    conditions = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    deadline_kind = models.CharField(
        _("loại thời hạn"),
        max_length=20,
        choices=DeadlineKind.choices,
        default=DeadlineKind.WORKING_DAYS,
    )
    deadline_days = models.DecimalField(
        _("thời hạn (ngày làm việc)"), max_digits=4, decimal_places=1, default=Decimal("0")
    )
    deadline_days_max = models.DecimalField(
        _("thời hạn tối đa (ngày làm việc)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_(
            "Thời hạn kéo dài trong trường hợp phải xác minh / phức tạp (để trống nếu không có)."
        ),
    )
    deadline_note = models.CharField(_("ghi chú thời hạn"), max_length=300, blank=True)
    reception_mode = models.CharField(
        _("thời gian tiếp nhận"),
        max_length=20,
        choices=ReceptionMode.choices,
        default=ReceptionMode.OFFICE_HOURS,
    )
    exemptions = models.TextField(_("miễn, giảm lệ phí"), blank=True)
    handling_level = models.CharField(
        _("cấp thực hiện"),
        max_length=10,
        default="commune",
        help_text=_("Cấp đơn vị Công an giải quyết (commune, province…)."),
    )
    result_methods = models.JSONField(_("hình thức nhận kết quả"), default=list, blank=True)
    result_document = models.CharField(_("kết quả"), max_length=300, blank=True)
    forms = models.ManyToManyField(
        FormTemplate, verbose_name=_("mẫu tờ khai"), blank=True, related_name="procedures"
    )
    source = models.TextField(_("nguồn dữ liệu"), blank=True)
    is_published = models.BooleanField(_("công khai"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["field", "code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name_vi}"

    def save(self, *args, **kwargs):
        from portal.core.text import fold

        self.search_text = fold(f"{self.code} {self.name_vi} {self.name_en}")
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        """The name in the page's language: English pages show `name_en` when there is one."""
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name_vi

    @property
    def has_plugin(self) -> bool:
        """A field app registered the online part of this procedure (portal.dossiers.registry)."""
        from portal.dossiers.registry import registry

        return registry.is_registered(self.code)

    def has_online_fee(self, today: dt.date | None = None) -> bool:
        """A non-zero online fee in force today or later (the fees are usually prefetched)."""
        from django.utils import timezone

        today = today or timezone.localdate()
        return any(
            fee.channel == ProcedureFee.Channel.ONLINE
            and fee.amount > 0
            and (fee.valid_to is None or fee.valid_to >= today)
            for fee in self.fees.all()
        )

    @property
    def effective_level(self) -> int:
        """The level the portal really offers (pages and API show this one).

        A level 3–4 procedure whose online part is not built (no plugin registered) is information
        and downloadable forms (level 2); a level-4 procedure with an online fee while no payment
        provider exists is level 3 (fee paid at the office). `manage.py check` reports both.
        """
        from portal.dossiers import payments

        if self.level >= ServiceLevel.PARTLY_ONLINE and not self.has_plugin:
            return ServiceLevel.FORMS
        if (
            self.level == ServiceLevel.FULLY_ONLINE
            and not payments.available()
            and self.has_online_fee()
        ):
            return ServiceLevel.PARTLY_ONLINE
        return self.level

    def get_effective_level_display(self) -> str:
        return str(ServiceLevel(self.effective_level).label)

    @property
    def decree_42_name(self) -> str:
        return str(DECREE_42_NAMES[self.effective_level])

    @property
    def allows_online_submission(self) -> bool:
        return self.effective_level >= ServiceLevel.PARTLY_ONLINE

    @property
    def requires_online_payment(self) -> bool:
        return self.effective_level == ServiceLevel.FULLY_ONLINE

    def fees_for(self, channel: str) -> list[ProcedureFee]:
        return sorted(
            (fee for fee in self.fees.all() if fee.channel == channel), key=lambda f: f.valid_from
        )

    def fee_on(self, day: dt.date, channel: str) -> ProcedureFee | None:
        for fee in self.fees.all():
            if (
                fee.channel == channel
                and fee.valid_from <= day
                and (fee.valid_to is None or day <= fee.valid_to)
            ):
                return fee
        return None


class LegalBasis(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="legal_bases")
    number = models.CharField(_("số hiệu"), max_length=60)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    title = models.CharField(_("trích yếu"), max_length=500)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("căn cứ pháp lý")
        verbose_name_plural = _("căn cứ pháp lý")
        ordering = ["procedure", "position"]

    def __str__(self) -> str:
        return f"{self.number} – {self.title}"


class ProcedureFee(models.Model):
    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("Nộp trực tiếp")
        ONLINE = "online", _("Nộp trực tuyến")

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="fees")
    channel = models.CharField(_("hình thức nộp"), max_length=10, choices=Channel.choices)
    amount = models.PositiveIntegerField(_("mức thu (đồng)"))
    valid_from = models.DateField(_("áp dụng từ"))
    valid_to = models.DateField(_("áp dụng đến"), null=True, blank=True)
    legal_basis = models.CharField(_("căn cứ"), max_length=200, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("lệ phí")
        verbose_name_plural = _("lệ phí")
        ordering = ["procedure", "channel", "valid_from"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.amount:,} đ"


class RequiredDocument(models.Model):
    class CopyKind(models.TextChoices):
        ORIGINAL = "original", _("Bản chính")
        COPY = "copy", _("Bản sao")
        CERTIFIED_COPY = "certified_copy", _("Bản sao có chứng thực")
        ORIGINAL_OR_COPY = "original_or_copy", _("Bản chính hoặc bản sao")

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="required_documents"
    )
    key = models.SlugField(
        _("mã giấy tờ"), max_length=60, help_text=_("Dùng để gắn tệp đính kèm với giấy tờ yêu cầu.")
    )
    name = models.CharField(_("tên giấy tờ"), max_length=400)
    is_mandatory = models.BooleanField(_("bắt buộc"), default=True)
    copy_kind = models.CharField(
        _("loại bản"), max_length=20, choices=CopyKind.choices, default=CopyKind.ORIGINAL_OR_COPY
    )
    quantity = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    note = models.CharField(_("ghi chú"), max_length=400, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["procedure", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "key"], name="unique_required_document_key"
            )
        ]

    def __str__(self) -> str:
        return self.name
