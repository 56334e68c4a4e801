"""Background jobs of payments."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="payments.reconcile", ignore_result=True)
def reconcile_task() -> int:
    """Beat: ask the provider about payments pending too long (lost IPN)."""
    from portal.payments.services import reconcile

    return reconcile()


@shared_task(name="payments.render_receipt", acks_late=True, max_retries=3)
def render_receipt_task(payment_id: int) -> str:
    """Render the receipt (biên lai) once, after the payment committed."""
    from portal.payments.services import render_receipt

    return render_receipt(payment_id=payment_id).receipt.name
