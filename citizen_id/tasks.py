"""Background jobs of the identity-card registry."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="citizen_id.daily_cards", ignore_result=True)
def daily_cards_task() -> dict:
    """Daily (beat): mark cards past their expiry as expired, then remind holders whose card
    expires within 30 days (once per card and expiry date, so a rerun sends nothing)."""
    from citizen_id.services import expire_cards, send_card_reminders

    return {"expired": expire_cards(), "reminded": send_card_reminders()}
