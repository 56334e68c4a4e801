"""Administrative areas (from the vietnam-provinces package) and the police unit tree."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class AdministrativeArea(models.Model):
    """A province or a commune-level unit (xã / phường / đặc khu) after the 2025 reform."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Tỉnh / thành phố")
        COMMUNE = "commune", _("Xã / phường / đặc khu")
        LEGACY_DISTRICT = "district", _("Quận / huyện (trước 2025)")

    code = models.CharField(_("mã"), max_length=10, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("cấp"), max_length=10, choices=Kind.choices)
    division_type = models.CharField(_("loại"), max_length=50, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PoliceUnit(models.Model):
    """A police unit. Units form a tree of any depth: ministry → province → (legacy district) → commune.

    `path` is a materialised path of ids ("/1/4/17/") so that a whole subtree is one indexed
    `path__startswith` query; it is maintained by `save()`.
    """

    class Level(models.TextChoices):
        MINISTRY = "ministry", _("Bộ Công an")
        PROVINCE = "province", _("Công an tỉnh / thành phố")
        DISTRICT = "district", _("Công an huyện (trước 2025)")
        COMMUNE = "commune", _("Công an xã / phường")

    code = models.CharField(
        _("mã đơn vị"),
        max_length=20,
        unique=True,
        help_text=_("Dùng trong mã hồ sơ, ví dụ G09.20."),
    )
    name = models.CharField(_("tên đơn vị"), max_length=200)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    area = models.ForeignKey(
        AdministrativeArea,
        verbose_name=_("địa bàn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="police_units",
    )
    address = models.CharField(_("địa chỉ trụ sở"), max_length=300, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("đơn vị Công an")
        verbose_name_plural = _("đơn vị Công an")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        new_path = (self.parent.path if self.parent_id else "/") + f"{self.pk}/"
        if new_path != self.path:
            old_path = self.path
            self.path = new_path
            type(self).objects.filter(pk=self.pk).update(path=new_path)
            if old_path:  # moved: re-root the whole subtree
                for child in (
                    type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk)
                ):
                    child.path = new_path + child.path[len(old_path) :]
                    type(self).objects.filter(pk=child.pk).update(path=child.path)

    def clean(self):
        super().clean()
        parent = self.parent if self.parent_id else None
        if (
            parent is not None
            and self.pk
            and (parent.pk == self.pk or (self.path and parent.path.startswith(self.path)))
        ):
            raise ValidationError(
                {
                    "parent": _(
                        "Đơn vị cấp trên không thể là chính đơn vị này hoặc đơn vị cấp dưới của nó."
                    )
                }
            )

    def subtree(self):
        return type(self).objects.filter(path__startswith=self.path)

    def ancestors(self):
        ids = [int(p) for p in self.path.strip("/").split("/") if p]
        return type(self).objects.filter(pk__in=ids).exclude(pk=self.pk).order_by("path")
