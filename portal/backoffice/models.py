"""Back office data: the managed list of refusal reasons, the supervisors' refusal review list,
contact logs with citizens (before setting a result method on their behalf) and late apologies.

Dossiers themselves belong to `portal.dossiers`; these rows only point at them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.catalogue.models import Field


class RefusalReason(models.Model):
    """A category of refusal, each tied to the legal provision the refusal slip (CT06) cites.

    There is deliberately no category meaning "come in person" (notice §2.1): refusing a complete
    online dossier to make the citizen file it at the office is forbidden.
    """

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    title = models.CharField(_("lý do"), max_length=300)
    legal_provision = models.CharField(
        _("căn cứ pháp lý"),
        max_length=300,
        help_text=_(
            "Điều, khoản, văn bản được trích dẫn trên phiếu từ chối, ví dụ "
            "“Khoản 1 Điều 20 Luật Cư trú 2020”."
        ),
    )
    description = models.TextField(_("hướng dẫn sử dụng"), blank=True)
    field = models.CharField(
        _("lĩnh vực áp dụng"),
        max_length=20,
        choices=Field.choices,
        blank=True,
        help_text=_("Để trống: áp dụng cho mọi lĩnh vực."),
    )
    procedure_codes = models.JSONField(
        _("mã thủ tục áp dụng"),
        default=list,
        blank=True,
        help_text=_(
            'Danh sách mã thủ tục quốc gia mà lý do này áp dụng, ví dụ ["1.004222"]. '
            "Để trống: mọi thủ tục của lĩnh vực đã chọn."
        ),
    )
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("lý do từ chối")
        verbose_name_plural = _("danh mục lý do từ chối")
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title

    def applies_to(self, procedure) -> bool:
        """The category names this procedure (by field and national procedure code)."""
        if self.field and procedure.field != self.field:
            return False
        return not self.procedure_codes or procedure.code in self.procedure_codes

    @classmethod
    def for_procedure(cls, procedure) -> list[RefusalReason]:
        return [r for r in cls.objects.filter(is_active=True) if r.applies_to(procedure)]

    def clean(self):
        from django.core.exceptions import ValidationError

        from .services import demands_in_person_filing

        if self.procedure_codes is None:
            self.procedure_codes = []
        codes = self.procedure_codes
        if not isinstance(codes, list) or not all(isinstance(c, str) and c.strip() for c in codes):
            raise ValidationError(
                {"procedure_codes": _('Nhập danh sách mã thủ tục, ví dụ ["1.004222"].')}
            )

        for field in ("title", "description"):
            if demands_in_person_filing(getattr(self, field)):
                raise ValidationError(
                    {
                        field: _(
                            "Không được từ chối hồ sơ trực tuyến để yêu cầu công dân đến nộp "
                            "trực tiếp. Nêu lý do cụ thể vì sao hồ sơ không được giải quyết, "
                            "hoặc yêu cầu bổ sung giấy tờ."
                        )
                    }
                )


class RefusalReview(models.Model):
    """Every refusal lands here, for the supervisor (the level above) to review."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Chờ xem xét")
        UPHELD = "upheld", _("Đồng ý với việc từ chối")
        CHALLENGED = "challenged", _("Yêu cầu đơn vị xem xét lại")

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        on_delete=models.PROTECT,
        related_name="refusal_reviews",
    )
    unit = models.ForeignKey(
        "units.PoliceUnit",
        verbose_name=_("đơn vị từ chối"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.ForeignKey(
        RefusalReason, verbose_name=_("lý do"), on_delete=models.PROTECT, related_name="reviews"
    )
    legal_provision = models.CharField(_("căn cứ pháp lý"), max_length=300)
    explanation = models.TextField(_("giải thích cụ thể"))
    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người từ chối"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    refused_at = models.DateTimeField(_("thời điểm từ chối"), default=timezone.now)
    all_documents_verified = models.BooleanField(
        _("giấy tờ bắt buộc đã được kiểm tra đủ"), default=False
    )
    outcome = models.CharField(
        _("kết quả xem xét"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xem xét"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("xem xét lúc"), null=True, blank=True)
    review_note = models.TextField(_("ý kiến"), blank=True)

    class Meta:
        # Counted by the admin ("2 hồ sơ bị từ chối chờ cấp trên xem xét"): a plural that reads
        # after a number.
        verbose_name = _("hồ sơ bị từ chối chờ cấp trên xem xét")
        verbose_name_plural = _("hồ sơ bị từ chối chờ cấp trên xem xét")
        ordering = ["outcome", "-refused_at"]
        indexes = [
            models.Index(fields=["unit", "outcome", "refused_at"], name="refusal_review_queue_idx")
        ]

    def __str__(self) -> str:
        return f"{self.dossier} – {self.reason}"


class RefusalProposal(models.Model):
    """An officer proposes a refusal; the unit leader decides it (approves and signs the CT06, or
    sends it back). Officers never refuse on their own (notice §2.1, the head signs the CT06)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ lãnh đạo duyệt")
        APPROVED = "approved", _("Lãnh đạo đã duyệt, hồ sơ bị từ chối")
        RETURNED = "returned", _("Lãnh đạo trả lại đề xuất")
        WITHDRAWN = "withdrawn", _("Không còn hiệu lực (hồ sơ đã chuyển trạng thái)")

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        on_delete=models.PROTECT,
        related_name="refusal_proposals",
    )
    reason = models.ForeignKey(
        RefusalReason, verbose_name=_("lý do"), on_delete=models.PROTECT, related_name="+"
    )
    explanation = models.TextField(_("giải thích cụ thể"))
    documents = models.JSONField(_("giấy tờ liên quan"), default=list, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ đề xuất"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("thời điểm đề xuất"), default=timezone.now)
    status = models.CharField(
        _("tình trạng"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lãnh đạo quyết định"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("thời điểm quyết định"), null=True, blank=True)
    decision_note = models.TextField(_("ý kiến của lãnh đạo"), blank=True)

    class Meta:
        verbose_name = _("đề xuất từ chối")
        verbose_name_plural = _("đề xuất từ chối")
        ordering = ["dossier", "-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=models.Q(status="pending"),
                name="one_pending_refusal_proposal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier} – {self.reason}"


class ContactLog(models.Model):
    """Staff contacted the citizen (e.g. to agree how the result will be returned)."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Điện thoại")
        SMS = "sms", _("Tin nhắn SMS")
        EMAIL = "email", _("Thư điện tử")
        IN_PERSON = "in_person", _("Gặp trực tiếp")
        PORTAL = "portal", _("Tin nhắn trên Cổng")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Đã liên hệ được, công dân đã chọn hình thức nhận")
        NO_ANSWER = "no_answer", _("Không liên hệ được")
        CALL_BACK = "call_back", _("Công dân hẹn liên hệ lại")

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        on_delete=models.PROTECT,
        related_name="contact_logs",
    )
    contacted_at = models.DateTimeField(_("thời điểm liên hệ"))
    channel = models.CharField(_("hình thức liên hệ"), max_length=20, choices=Channel.choices)
    outcome = models.CharField(_("kết quả"), max_length=20, choices=Outcome.choices)
    note = models.TextField(_("nội dung trao đổi"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("nhật ký liên hệ công dân")
        verbose_name_plural = _("nhật ký liên hệ công dân")
        ordering = ["dossier", "-contacted_at"]

    def __str__(self) -> str:
        return f"{self.dossier} {self.contacted_at:%d/%m/%Y %H:%M}"


class Apology(models.Model):
    """The leader's apology and new appointment when a dossier cannot meet its due moment."""

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        on_delete=models.PROTECT,
        related_name="apologies",
    )
    original_due_at = models.DateTimeField(_("hẹn trả cũ"))
    new_due_at = models.DateTimeField(_("hẹn trả mới"))
    reason = models.TextField(_("lý do chậm"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lãnh đạo"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    document = models.ForeignKey(
        "dossiers.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("phiếu xin lỗi và hẹn lại")
        verbose_name_plural = _("phiếu xin lỗi và hẹn lại")
        ordering = ["dossier", "-issued_at"]

    def __str__(self) -> str:
        return f"{self.dossier} → {self.new_due_at:%d/%m/%Y}"
