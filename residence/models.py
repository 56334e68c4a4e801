"""The residence registry (cơ sở dữ liệu về cư trú) of the portal.

Who lives where, as the residence procedures leave it: persons (linked to accounts by personal
identification number), households with a head and members, addresses (a post-2025 commune or
ward plus the street address), permanent residence (one current per person, with history),
temporary residences (with an expiry), stays (lưu trú) and temporary absences.

Every record names the dossier that made it (`dossier`, null for data loaded before the portal)
and, when it ended, the dossier that ended it; every change also appends a `RegistryChange` row
(the person's history, which the staff views show with links to the dossiers).

Invariants held by the database (so two concurrent approvals cannot both break them, on
PostgreSQL as on SQLite): one current permanent residence per person, one open temporary
residence per person, one current household membership per person, one head per household.
Writers lock the person row (`select_for_update`) before changing what hangs from it.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A temporary residence is registered for at most two years and may be extended (Luật Cư trú
# 2020, Điều 27(3)); an extension is filed within the 15 days before it expires.
MAX_TEMPORARY_DAYS = 2 * 365
EXTENSION_WINDOW_DAYS = 15
# A stay notice covers at most 30 days (domain.md §5).
MAX_STAY_DAYS = 30


class Sex(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


class Relation(models.TextChoices):
    """Relation to the household head (quan hệ với chủ hộ), as on CT01."""

    HEAD = "head", _("Chủ hộ")
    SPOUSE = "spouse", _("Vợ/chồng")
    CHILD = "child", _("Con")
    PARENT = "parent", _("Bố/mẹ")
    GRANDPARENT = "grandparent", _("Ông/bà")
    GRANDCHILD = "grandchild", _("Cháu")
    SIBLING = "sibling", _("Anh/chị/em")
    PARENT_IN_LAW = "parent_in_law", _("Bố/mẹ vợ (chồng)")
    CHILD_IN_LAW = "child_in_law", _("Con dâu/con rể")
    OTHER_RELATIVE = "relative", _("Họ hàng khác")
    OTHER = "other", _("Khác (ở nhờ, ở thuê…)")


class Address(models.Model):
    """A place: a commune/ward (post-2025 structure) and the street address within it."""

    area = models.ForeignKey(
        "units.AdministrativeArea",
        verbose_name=_("xã / phường"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    street = models.CharField(
        _("số nhà, đường phố, thôn, tổ dân phố"), max_length=300, help_text=_("Không gồm tên xã.")
    )
    # Accent/case-folded street (portal.core.text.fold): "so 5 to 3" finds "Số 5, tổ 3".
    street_key = models.CharField(max_length=300, editable=False, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("địa chỉ")
        verbose_name_plural = _("địa chỉ")
        constraints = [
            models.UniqueConstraint(fields=["area", "street_key"], name="residence_address_unique")
        ]

    def __str__(self) -> str:
        return self.full

    def save(self, *args, **kwargs):
        from portal.core.text import fold, nfc

        self.street = nfc(" ".join((self.street or "").split()))
        self.street_key = fold(self.street)
        super().save(*args, **kwargs)

    @property
    def full(self) -> str:
        """Street, commune, province (as written on the forms)."""
        parts = [self.street]
        area = self.area
        while area is not None:
            parts.append(area.name)
            area = area.parent
        return ", ".join(p for p in parts if p)


class Person(models.Model):
    personal_id = models.CharField(_("số định danh cá nhân"), max_length=12, unique=True)
    full_name = models.CharField(_("họ, chữ đệm và tên"), max_length=150)
    date_of_birth = models.DateField(_("ngày sinh"))
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices)
    nationality = models.CharField(_("quốc tịch"), max_length=60, default="Việt Nam")
    ethnicity = models.CharField(_("dân tộc"), max_length=60, blank=True, default="Kinh")
    religion = models.CharField(_("tôn giáo"), max_length=60, blank=True, default="Không")
    hometown = models.CharField(_("quê quán"), max_length=300, blank=True)
    # Folded name and number for staff search.
    search_text = models.TextField(editable=False, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("công dân (CSDL cư trú)")
        verbose_name_plural = _("công dân (CSDL cư trú)")
        ordering = ["full_name", "personal_id"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.personal_id})"

    def save(self, *args, **kwargs):
        from portal.core.text import fold, nfc

        self.full_name = nfc(" ".join((self.full_name or "").split()))
        self.search_text = fold(f"{self.personal_id} {self.full_name}")
        super().save(*args, **kwargs)

    def age_on(self, day: dt.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def is_minor(self) -> bool:
        return self.age_on(timezone.localdate()) < 18


class Household(models.Model):
    number = models.CharField(_("số hộ"), max_length=20, unique=True)
    address = models.ForeignKey(
        Address, verbose_name=_("địa chỉ"), on_delete=models.PROTECT, related_name="households"
    )
    created_at = models.DateTimeField(default=timezone.now)
    dissolved_at = models.DateTimeField(_("chấm dứt lúc"), null=True, blank=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ tạo hộ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number


class HouseholdMember(models.Model):
    """A person's membership of a household (current while `left_on` is empty)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    relation = models.CharField(_("quan hệ với chủ hộ"), max_length=20, choices=Relation.choices)
    joined_on = models.DateField(_("từ ngày"))
    left_on = models.DateField(_("đến ngày"), null=True, blank=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("thành viên hộ")
        verbose_name_plural = _("thành viên hộ")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(left_on__isnull=True),
                name="residence_one_current_household",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(left_on__isnull=True, relation="head"),
                name="residence_one_head_per_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} – {self.household_id} ({self.relation})"

    @property
    def is_current(self) -> bool:
        return self.left_on is None


class PermanentResidence(models.Model):
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="permanent_residences"
    )
    address = models.ForeignKey(
        Address, on_delete=models.PROTECT, related_name="permanent_residents"
    )
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_on = models.DateField(_("đăng ký từ ngày"))
    ended_on = models.DateField(_("xóa đăng ký ngày"), null=True, blank=True)
    end_reason = models.CharField(_("lý do xóa"), max_length=300, blank=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("đăng ký thường trú")
        verbose_name_plural = _("đăng ký thường trú")
        ordering = ["-registered_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True),
                name="residence_one_current_permanent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.address_id} (từ {self.registered_on})"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class TemporaryResidence(models.Model):
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="temporary_residences"
    )
    address = models.ForeignKey(
        Address, on_delete=models.PROTECT, related_name="temporary_residents"
    )
    registered_on = models.DateField(_("đăng ký từ ngày"))
    expires_on = models.DateField(_("thời hạn tạm trú đến"))
    extensions = models.PositiveSmallIntegerField(_("số lần gia hạn"), default=0)
    ended_on = models.DateField(_("xóa đăng ký ngày"), null=True, blank=True)
    end_reason = models.CharField(_("lý do xóa"), max_length=300, blank=True)
    reminder_sent_on = models.DateField(null=True, blank=True, editable=False)
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("đăng ký tạm trú")
        verbose_name_plural = _("đăng ký tạm trú")
        ordering = ["-registered_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True),
                name="residence_one_open_temporary",
            )
        ]
        indexes = [models.Index(fields=["expires_on"], name="residence_temp_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.address_id} (đến {self.expires_on})"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.ended_on is None and self.registered_on <= day <= self.expires_on


class Stay(models.Model):
    """One guest's stay notified by a host (thông báo lưu trú, 2.001159)."""

    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="stays")
    host_name = models.CharField(_("cơ sở lưu trú / chủ hộ"), max_length=200, blank=True)
    guest = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="stays"
    )
    guest_personal_id = models.CharField(_("số định danh của khách"), max_length=12, blank=True)
    guest_name = models.CharField(_("họ tên khách"), max_length=150)
    guest_date_of_birth = models.DateField(_("ngày sinh của khách"), null=True, blank=True)
    guest_search = models.TextField(editable=False, blank=True, default="")
    starts_at = models.DateTimeField(_("lưu trú từ"))
    ends_at = models.DateTimeField(_("lưu trú đến"))
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("lưu trú")
        verbose_name_plural = _("lưu trú")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["address", "ends_at"], name="residence_stay_open_idx")]

    def __str__(self) -> str:
        return f"{self.guest_name} @ {self.address_id} ({self.starts_at:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        from portal.core.text import fold, nfc

        self.guest_name = nfc(" ".join((self.guest_name or "").split()))
        self.guest_search = fold(f"{self.guest_personal_id} {self.guest_name}")
        super().save(*args, **kwargs)


class TemporaryAbsence(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="absences")
    date_from = models.DateField(_("tạm vắng từ ngày"))
    date_to = models.DateField(_("đến ngày"))
    destination = models.CharField(_("nơi đến"), max_length=300)
    reason = models.CharField(_("lý do"), max_length=500, blank=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("khai báo tạm vắng")
        verbose_name_plural = _("khai báo tạm vắng")
        ordering = ["-date_from", "-pk"]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.date_from} – {self.date_to}"


class RegistryChange(models.Model):
    """The history of a person's record: what changed, by which dossier, when (append-only)."""

    class Kind(models.TextChoices):
        PERMANENT_REGISTERED = "permanent_registered", _("Đăng ký thường trú")
        PERMANENT_REMOVED = "permanent_removed", _("Xóa đăng ký thường trú")
        HOUSEHOLD_SPLIT = "household_split", _("Tách hộ")
        INFORMATION_CORRECTED = "information_corrected", _("Điều chỉnh thông tin")
        TEMPORARY_REGISTERED = "temporary_registered", _("Đăng ký tạm trú")
        TEMPORARY_EXTENDED = "temporary_extended", _("Gia hạn tạm trú")
        TEMPORARY_REMOVED = "temporary_removed", _("Xóa đăng ký tạm trú")
        STAY_NOTIFIED = "stay_notified", _("Thông báo lưu trú")
        ABSENCE_DECLARED = "absence_declared", _("Khai báo tạm vắng")
        CONFIRMATION_ISSUED = "confirmation_issued", _("Xác nhận thông tin về cư trú")
        LOADED = "loaded", _("Dữ liệu ban đầu")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("thay đổi thông tin cư trú")
        verbose_name_plural = _("thay đổi thông tin cư trú")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["person", "-at"], name="residence_change_person_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.at:%Y-%m-%d}"
