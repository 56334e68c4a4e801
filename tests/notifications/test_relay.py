"""The hand-over of tasks by a process without Celery (portal/core/dispatch.py) and the workers'
relay (portal/core/relay.py), on the real Redis. The worker end to end is in test_real_worker.py."""

from __future__ import annotations

import json
import threading

import pytest
import redis

from notifications import events as ev
from notifications.models import Status
from notifications.services import notify
from portal.core import dispatch, relay
from tests.conftest import require_service
from tests.notifications.realworker import REDIS_TEST_URL, redis_available

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

CTX = {
    "dossier_code": "G09.20-20260609-0100",
    "procedure_name": "Đăng ký tạm trú",
    "unit_name": "Công an phường Túc Duyên",
    "collection_method": "Nhận trực tiếp tại trụ sở",
}


@pytest.fixture
def relay_list(settings):
    require_service(redis_available(), "Redis at 127.0.0.1:6379")
    settings.TASK_RELAY = "always"
    settings.TASK_RELAY_URL = REDIS_TEST_URL
    client = redis.Redis.from_url(REDIS_TEST_URL)
    client.delete(dispatch.RELAY_KEY)
    yield client
    client.delete(dispatch.RELAY_KEY)


def test_a_notice_handed_to_the_relay_waits_there_then_is_delivered(
    relay_list, citizen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (sms,) = notify(event=ev.RESULT_READY, user=citizen, context=CTX, channels=("sms",))
    # Handed over after commit: one message naming the batch task, the notice and its queue.
    (raw,) = relay_list.lrange(dispatch.RELAY_KEY, 0, -1)
    message = json.loads(raw)
    assert (message["task"], message["args"], message["queue"]) == (
        "notifications.tasks.deliver_batch",
        [[sms.pk]],
        "celery",
    )
    sms.refresh_from_db()
    assert sms.status == Status.CREATED  # nothing sent until a worker publishes it
    # The worker's relay publishes it (Celery eager here: the task runs at once).
    assert relay.forward(relay_list.lpop(dispatch.RELAY_KEY)) is True
    sms.refresh_from_db()
    assert sms.status == Status.DELIVERED  # the development outbox delivers at once


def test_one_time_codes_keep_their_own_queue_through_the_relay(relay_list, monkeypatch):
    dispatch.send("notifications.tasks.deliver_otp", args=[42], queue="otp")
    from notifications import tasks

    published = []
    monkeypatch.setattr(tasks.deliver_otp, "apply_async", lambda **kwargs: published.append(kwargs))
    assert relay.forward(relay_list.lpop(dispatch.RELAY_KEY)) is True
    assert published == [{"args": [42], "queue": "otp"}]


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        json.dumps({"task": "os.system", "args": ["true"]}),
        json.dumps({"task": "notifications.services.enqueue", "args": [[]]}),
        json.dumps({"task": "notifications.tasks.DEFAULT_QUEUE", "args": []}),
        json.dumps({"task": "notifications.tasks.deliver_batch", "args": "1,2"}),
        json.dumps({"args": []}),
    ],
)
def test_a_malformed_message_is_dropped_not_published(raw):
    assert relay.forward(raw) is False


def test_the_relay_publishes_in_order_and_puts_back_what_the_broker_refused(
    relay_list, monkeypatch
):
    for n in (1, 2):
        dispatch.send("notifications.tasks.noop", args=[n])
    seen: list[int] = []
    stop = threading.Event()

    def forward(raw):
        n = json.loads(raw)["args"][0]
        seen.append(n)
        if len(seen) == 1:
            raise ConnectionError("broker refused")  # the first attempt of message 1 fails
        if len(seen) == 3:
            stop.set()
        return True

    monkeypatch.setattr(relay, "forward", forward)
    assert relay.relay_pending(relay_list, stop=stop, wait=0.2) == 2
    assert seen == [1, 1, 2]
    assert relay_list.llen(dispatch.RELAY_KEY) == 0


def test_who_relays(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.TASK_RELAY_URL = "redis://127.0.0.1:6379/11"
    settings.TASK_RELAY = "auto"
    assert dispatch.relayed() is False  # this process has Celery loaded: it publishes itself
    settings.TASK_RELAY = "always"
    assert dispatch.relayed() is True
    settings.TASK_RELAY = "never"
    assert dispatch.relayed() is False
    settings.TASK_RELAY = "always"
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the developer set-up without Redis runs tasks here
    assert dispatch.relayed() is False
