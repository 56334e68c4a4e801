"""Shared tables."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateLimitCounter(models.Model):
    """A rate-limit counter kept in the database while the cache (Redis) does not answer
    (portal.core.ratelimit). `key` is a digest; `window_end` a Unix timestamp."""

    key = models.CharField(max_length=64, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_end = models.FloatField(db_index=True)

    class Meta:
        verbose_name = _("Bộ đếm giới hạn truy cập")
        verbose_name_plural = _("Bộ đếm giới hạn truy cập")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
