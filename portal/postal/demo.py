"""Demo data: one nationwide postal fee so `make run` shows a fee when post is chosen."""

from __future__ import annotations

import datetime as dt

from portal.postal.models import PostalFeeRate


def seed_postal_rates() -> PostalFeeRate | None:
    """Idempotent: only when the table is empty (an administrator's rows are left alone)."""
    if PostalFeeRate.objects.exists():
        return None
    return PostalFeeRate.objects.create(
        valid_from=dt.date(2024, 1, 1),
        amount=30000,
        note="Mức minh họa cho dữ liệu mẫu – quản trị cập nhật theo hợp đồng với bưu điện",
    )
