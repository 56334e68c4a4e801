"""Background jobs of the residence registry."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="residence.remind_expiring_temporary", ignore_result=True)
def remind_expiring_temporary_task() -> int:
    """Daily (beat): remind holders whose temporary residence expires within 15 days."""
    from residence.services.reminders import send_expiry_reminders

    return send_expiry_reminders()
