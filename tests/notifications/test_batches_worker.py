"""A real Celery worker on Redis: the notices of one transaction arrive as ONE task."""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from notifications import events as ev
from notifications.models import Notification, Status
from notifications.services import notify
from tests.notifications.realworker import wait_for
from tests.notifications.test_real_worker import CTX, real_worker, worker_parts  # noqa: F401

pytestmark = [pytest.mark.redis, pytest.mark.smtp, pytest.mark.django_db(transaction=True)]


def test_a_transaction_of_notices_is_one_task_through_the_worker(real_worker):  # noqa: F811
    gateway, smtp, worker = real_worker
    before = len(re.findall(r"Task notifications\.deliver\w*\[[^\]]+\] received", worker.output()))
    with transaction.atomic():
        rows = []
        for i in range(12):
            rows += notify(
                event=ev.RESULT_READY,
                phone=f"+849130{i:05d}",
                email=f"nguoi{i}@example.vn",
                context=CTX,
            )
    ids = [r.pk for r in rows]
    wait_for(
        lambda: (
            Notification.objects.filter(
                pk__in=ids, status__in=[Status.SENT, Status.DELIVERED]
            ).count()
            == len(ids)
        ),
        timeout=60,
    )
    tasks = re.findall(r"Task notifications\.deliver\w*\[[^\]]+\] received", worker.output())
    assert len(tasks) - before == 1
    assert "notifications.deliver_batch" in tasks[-1]
    assert len(gateway.accepted) == 12 and len(smtp.messages) == 12
    assert len({r["peer"] for r in gateway.received}) == 1
    assert len(set(smtp.peers[-12:])) == 1
