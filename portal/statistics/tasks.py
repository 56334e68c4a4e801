"""Beat task: keep the aggregate tables of the current and previous month up to date."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="statistics.refresh_recent", acks_late=True)
def refresh_recent_task() -> list[str]:
    """Idempotent upsert of the current and previous month (a duplicate run rewrites the same
    rows)."""
    from portal.statistics.services import refresh_recent

    return refresh_recent()
