"""The workers' side of portal/core/dispatch.py: publish the tasks web workers handed over.

Every Celery worker runs `TaskRelayStep` (added to the worker blueprint in portal/celery.py): a
thread that waits on the relay list (BLPOP, on the broker's Redis) and publishes each task it pops
with the worker's own Celery app. Several workers share the list; each message goes to one of
them. A message that cannot be published (the broker refused it) is put back at the head of the
list and tried again a second later; a malformed one is logged and dropped. A message lost
between the pop and the publish (the worker killed in between) is what a broker outage is today:
the row it concerns is still pending and the beat sweepers queue it again.
"""

from __future__ import annotations

import json
import logging
import threading

from celery import bootsteps

from portal.core import dispatch

logger = logging.getLogger(__name__)

WAIT_SECONDS = 1  # how long one BLPOP waits before the thread looks at its stop flag


def forward(raw: bytes | str) -> bool:
    """Publish the task of one relay message. False for a malformed message (dropped); what
    publishing raises propagates (the caller puts the message back)."""
    try:
        message = json.loads(raw)
        task = dispatch.task_at(message["task"])
        args = message.get("args") or []
        queue = message.get("queue")
        if not isinstance(args, list) or not (queue is None or isinstance(queue, str)):
            raise ValueError("args must be a list and queue a name")
    except (ValueError, KeyError, TypeError, ImportError, AttributeError) as exc:
        logger.error("task relay: dropped a malformed message (%s): %.300r", exc, raw)
        return False
    task.apply_async(args=args, **({"queue": queue} if queue else {}))
    return True


def relay_pending(client, *, stop: threading.Event, wait: float = WAIT_SECONDS) -> int:
    """Forward messages until `stop` is set; returns how many were published."""
    published = 0
    while not stop.is_set():
        try:
            popped = client.blpop([dispatch.RELAY_KEY], timeout=wait)
        except Exception as exc:  # noqa: BLE001 - Redis away: wait, the list is still there
            logger.warning("task relay: Redis unavailable (%s); retrying", exc)
            stop.wait(1)
            continue
        if not popped:
            continue
        raw = popped[1]
        try:
            published += forward(raw)
        except Exception as exc:  # noqa: BLE001 - broker refused: back to the head, retry
            logger.warning("task relay: could not publish (%s); retrying", exc)
            try:
                client.lpush(dispatch.RELAY_KEY, raw)
            except Exception:  # noqa: BLE001
                logger.exception("task relay: lost a message: %.300r", raw)
            stop.wait(1)
    return published


class TaskRelayStep(bootsteps.StartStopStep):
    """Worker bootstep running `relay_pending` in a daemon thread (Redis brokers only)."""

    label = "task relay"

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.stop_event = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self, worker):
        url = dispatch.relay_url()
        if not dispatch.is_redis_url(url):
            return
        import redis

        # No socket timeout shorter than the BLPOP wait: the server answers after `wait` seconds.
        client = redis.Redis.from_url(
            url, socket_connect_timeout=2, socket_timeout=WAIT_SECONDS + 5
        )
        self.stop_event.clear()
        self.thread = threading.Thread(
            target=relay_pending,
            args=(client,),
            kwargs={"stop": self.stop_event},
            name="portal-task-relay",
            daemon=True,
        )
        self.thread.start()
        logger.info("task relay: forwarding %s", dispatch.RELAY_KEY)

    def stop(self, worker):
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(timeout=WAIT_SECONDS + 6)
            self.thread = None

    shutdown = stop
