"""Accounts: one user model for citizens and staff.

Citizens log in with their 12-digit personal identification number (stored as `username` and as
`personal_id`). Staff belong to one police unit and hold one or more roles (`StaffRole`).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RECEIVING_OFFICER = "receiving_officer", _("Cán bộ tiếp nhận")
    HANDLING_OFFICER = "handling_officer", _("Cán bộ xử lý")
    UNIT_LEADER = "unit_leader", _("Lãnh đạo đơn vị")
    SUPERVISOR = "supervisor", _("Cán bộ giám sát (cấp trên)")
    ADMINISTRATOR = "administrator", _("Quản trị hệ thống")


class Sex(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


NFC_FIELDS = ("full_name", "first_name", "last_name", "permanent_address", "current_address")
SEARCHED_FIELDS = ("username", "full_name", "permanent_address", "current_address")


class User(AbstractUser):
    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("Công dân")
        STAFF = "staff", _("Cán bộ")

    kind = models.CharField(
        _("loại tài khoản"), max_length=10, choices=Kind.choices, default=Kind.CITIZEN
    )
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    personal_id = models.CharField(
        _("số định danh cá nhân"), max_length=12, unique=True, null=True, blank=True
    )
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(
        _("số điện thoại"),
        max_length=20,
        blank=True,
        help_text=_("Dạng E.164, ví dụ +84912345678."),
    )
    phone_verified_at = models.DateTimeField(_("xác minh số điện thoại lúc"), null=True, blank=True)
    permanent_address = models.CharField(_("nơi thường trú"), max_length=300, blank=True)
    current_address = models.CharField(_("nơi ở hiện tại"), max_length=300, blank=True)
    permanent_area = models.ForeignKey(
        "units.AdministrativeArea",
        verbose_name=_("xã / phường thường trú"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    current_area = models.ForeignKey(
        "units.AdministrativeArea",
        verbose_name=_("xã / phường nơi ở hiện tại"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Accent- and case-folded username, name and addresses (portal.core.text.fold), kept by
    # save(), for the admin's user search; trigram GIN index on PostgreSQL (migration 0003).
    search_text = models.TextField(editable=False, blank=True, default="")
    unit = models.ForeignKey(
        "units.PoliceUnit",
        verbose_name=_("đơn vị công tác"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        indexes = [
            GinIndex(fields=["search_text"], opclasses=["gin_trgm_ops"], name="user_search_trgm")
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        # NFC whatever the path (page, API, admin, import): decomposed text (NFD) looks the same
        # but is not found by search. The request boundary normalises too (InputGuardMiddleware).
        from portal.core.text import fold, nfc

        for field in NFC_FIELDS:
            value = getattr(self, field)
            if value:
                setattr(self, field, nfc(value))
        self.search_text = fold(" ".join(getattr(self, f) or "" for f in SEARCHED_FIELDS))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(SEARCHED_FIELDS):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def is_citizen(self) -> bool:
        return self.kind == self.Kind.CITIZEN

    @property
    def is_officer(self) -> bool:
        return self.kind == self.Kind.STAFF

    def role_set(self) -> frozenset[str]:
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = (
                frozenset(self.staff_roles.values_list("role", flat=True))
                if self.pk
                else frozenset()
            )
            self._role_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set().intersection(roles))

    @property
    def is_administrator(self) -> bool:
        return bool(self.is_superuser or (self.is_officer and self.has_role(Role.ADMINISTRATOR)))

    def check_password(self, raw_password):
        # A right password stored with an outdated hasher is re-hashed and saved here: that is
        # not a change of password, so it must not revoke the account's tokens and sessions
        # (see portal.accounts.credentials).
        self._rehashing_password = True
        try:
            return super().check_password(raw_password)
        finally:
            self._rehashing_password = False

    async def acheck_password(self, raw_password):
        self._rehashing_password = True
        try:
            return await super().acheck_password(raw_password)
        finally:
            self._rehashing_password = False


class StaffRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = _("vai trò cán bộ")
        verbose_name_plural = _("vai trò cán bộ")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_staff_role")]

    def __str__(self) -> str:
        return self.get_role_display()
