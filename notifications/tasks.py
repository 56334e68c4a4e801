"""Celery tasks. They take ids, acknowledge late, and only call services."""

from __future__ import annotations

import time

from celery import shared_task

from notifications import services

EAGER_MAX_WAIT = 2.0  # seconds; longer waits are left to the sweeper


def _deliver(task, notification_id: int) -> str:
    while True:
        outcome = services.deliver(notification_id=notification_id)
        if outcome.retry_in is None:
            return outcome.status
        countdown = outcome.retry_in
        if not task.request.is_eager:
            raise task.retry(countdown=countdown)
        # Eager mode (development, tests): retry inline when the wait is short.
        if countdown > EAGER_MAX_WAIT:
            return outcome.status
        time.sleep(countdown)


def _deliver_many(task, notification_ids: list[int]) -> dict[str, int]:
    """Deliver a batch; the notices that failed retryably are retried together, by the same task
    with their ids only, once the longest of their backoffs is over (each row keeps its own
    `next_attempt_at`, which the claim checks)."""
    ids = list(notification_ids)
    tally: dict[str, int] = {}
    while ids:
        outcomes = services.deliver_batch(notification_ids=ids)
        retry = {pk: o.retry_in for pk, o in outcomes.items() if o.retry_in is not None}
        for outcome in outcomes.values():
            if outcome.retry_in is None:
                tally[outcome.status] = tally.get(outcome.status, 0) + 1
        if not retry:
            return tally
        countdown = max(retry.values())
        if not task.request.is_eager:
            raise task.retry(args=[sorted(retry)], countdown=countdown)
        if countdown > EAGER_MAX_WAIT:  # eager mode: longer waits are left to the sweeper
            tally["retry"] = len(retry)
            return tally
        time.sleep(countdown)
        ids = sorted(retry)
    return tally


_COMMON = {"bind": True, "acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(name="notifications.deliver_batch", max_retries=None, **_COMMON)
def deliver_batch(self, notification_ids: list[int]) -> dict[str, int]:
    """The notices written in one transaction (or re-queued together by the sweeper)."""
    return _deliver_many(self, notification_ids)


@shared_task(name="notifications.deliver", max_retries=None, **_COMMON)
def deliver_notification(self, notification_id: int) -> str:
    """One notice (kept for tasks queued before batches, and for callers with one id)."""
    return _deliver(self, notification_id)


@shared_task(name="notifications.deliver_otp", max_retries=None, **_COMMON)
def deliver_otp(self, notification_id: int) -> str:
    """One-time codes: own queue, short timeouts, few attempts, short maximum age (fail fast)."""
    return _deliver(self, notification_id)


@shared_task(name="notifications.sweep", ignore_result=True)
def sweep_notifications() -> int:
    return services.sweep()


@shared_task(name="notifications.purge", ignore_result=True)
def purge_notifications() -> int:
    return services.purge_personal_content()


@shared_task(name="notifications.staff_digest", ignore_result=True)
def send_staff_digests() -> int:
    from notifications import digest

    return digest.send_digests()


@shared_task(name="notifications.noop", ignore_result=True)
def noop() -> None:
    """Does nothing: the benchmark's baseline."""
