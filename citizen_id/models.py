"""The identity-card registry (issue 11).

Cards (thẻ căn cước) keyed by the holder's personal identification number, with the issuing unit,
the dates and a status; the card a new one replaces; the old 9-digit identity-card numbers
(chứng minh nhân dân) linked to the person; and the date of the last biometric capture (only the
date: no biometric data is kept here).

Writers go through `citizen_id.services` (row locks on the card, history rows for each change of
status). The database holds the invariant "one valid card per person" so two concurrent issues
cannot both leave a valid card.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CardStatus(models.TextChoices):
    VALID = "valid", _("Còn hiệu lực")
    EXPIRED = "expired", _("Hết hạn")
    REPORTED_LOST = "reported_lost", _("Đã báo mất")
    REVOKED = "revoked", _("Đã thu hồi")
    REPLACED = "replaced", _("Đã được thay bằng thẻ mới")


class IssueKind(models.TextChoices):
    FIRST = "first", _("Cấp lần đầu")
    RENEWAL = "renewal", _("Cấp đổi")
    REISSUE = "reissue", _("Cấp lại")


class IdentityCard(models.Model):
    person = models.ForeignKey(
        "residence.Person",
        verbose_name=_("người được cấp"),
        on_delete=models.PROTECT,
        related_name="identity_cards",
    )
    # The card's number is the holder's personal identification number (Luật Căn cước 2023, Đ.18).
    number = models.CharField(_("số thẻ (số định danh cá nhân)"), max_length=12, db_index=True)
    # What is printed on the card, as it was at issue (the person's data may change later).
    full_name = models.CharField(_("họ, chữ đệm và tên"), max_length=150)
    date_of_birth = models.DateField(_("ngày sinh"))
    sex = models.CharField(_("giới tính"), max_length=1)
    kind = models.CharField(
        _("hình thức cấp"), max_length=10, choices=IssueKind.choices, default=IssueKind.FIRST
    )
    issued_on = models.DateField(_("ngày cấp"))
    expires_on = models.DateField(
        _("có giá trị đến"), null=True, blank=True, help_text=_("Để trống: không thời hạn.")
    )
    issuing_unit = models.ForeignKey(
        "units.PoliceUnit",
        verbose_name=_("nơi cấp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("tình trạng"), max_length=20, choices=CardStatus.choices, default=CardStatus.VALID
    )
    status_changed_at = models.DateTimeField(_("đổi tình trạng lúc"), default=timezone.now)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("thay cho thẻ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    created_by_dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ cấp thẻ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("thẻ căn cước")
        verbose_name_plural = _("thẻ căn cước")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="valid"),
                name="citizen_id_one_valid_card_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.issued_on:%d/%m/%Y})"

    @property
    def is_valid(self) -> bool:
        return self.status == CardStatus.VALID


class CardStatusChange(models.Model):
    """History of a card's status: every change appends a row, nothing is overwritten."""

    card = models.ForeignKey(IdentityCard, on_delete=models.PROTECT, related_name="history")
    from_status = models.CharField(max_length=20, choices=CardStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CardStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("thay đổi tình trạng thẻ")
        verbose_name_plural = _("thay đổi tình trạng thẻ")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.card_id}: {self.from_status} → {self.to_status}"


class FormerIdNumber(models.Model):
    """An old 9-digit identity-card number (chứng minh nhân dân) of a person."""

    person = models.ForeignKey(
        "residence.Person",
        verbose_name=_("công dân"),
        on_delete=models.PROTECT,
        related_name="former_id_numbers",
    )
    number = models.CharField(_("số CMND 9 số"), max_length=9, unique=True)
    issued_on = models.DateField(_("ngày cấp"), null=True, blank=True)
    place = models.CharField(_("nơi cấp"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("số CMND 9 số")
        verbose_name_plural = _("số CMND 9 số")
        ordering = ["person", "issued_on"]

    def __str__(self) -> str:
        return self.number


class BiometricCapture(models.Model):
    """When and where a person's biometrics were last captured (the date only, no data)."""

    person = models.ForeignKey(
        "residence.Person",
        verbose_name=_("công dân"),
        on_delete=models.PROTECT,
        related_name="biometric_captures",
    )
    captured_on = models.DateField(_("ngày thu nhận sinh trắc học"))
    unit = models.ForeignKey(
        "units.PoliceUnit",
        verbose_name=_("đơn vị thu nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("lần thu nhận sinh trắc học")
        verbose_name_plural = _("lần thu nhận sinh trắc học")
        ordering = ["-captured_on", "-pk"]
        get_latest_by = "captured_on"

    def __str__(self) -> str:
        return f"{self.person_id} {self.captured_on:%d/%m/%Y}"


class CardReminder(models.Model):
    """A reminder sent about a card, once per (card, expiry date): the daily task is idempotent
    through this unique key. The reason says whether the expiry is a renewal age."""

    class Reason(models.TextChoices):
        EXPIRING = "expiring", _("Thẻ sắp hết hạn")
        RENEWAL_AGE = "renewal_age", _("Đến tuổi đổi thẻ")

    card = models.ForeignKey(IdentityCard, on_delete=models.CASCADE, related_name="reminders")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    due_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("nhắc đổi thẻ")
        verbose_name_plural = _("nhắc đổi thẻ")
        constraints = [
            models.UniqueConstraint(fields=["card", "due_on"], name="citizen_id_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.card_id} {self.reason} {self.due_on}"
