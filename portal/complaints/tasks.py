from celery import shared_task


@shared_task(name="complaints.escalate_overdue")
def escalate_overdue() -> int:
    """Beat task: open complaints whose current step is overdue go one level up."""
    from portal.complaints.services import escalate_overdue as run

    return run()
