"""Hand a background task over after commit, with or without Celery loaded in this process.

Every side effect (rendering a document, delivering a notice, a payment receipt) runs in a Celery
worker. The service that causes it persists what the task works on (the outbox notice, the pending
document) and calls `send(...)` from `transaction.on_commit`; a hand-over that is lost (broker
down, a worker killed at the wrong moment) is made good by the beat sweepers that look for rows
left behind. Callers catch and log what `send` raises, as they did for `apply_async`.

A web worker does not load Celery for this (issue 13, worker memory: Celery, kombu, amqp,
billiard, click, dateutil and their imports are about 6-8 MB of every gunicorn worker). When the
broker is Redis and Celery is not loaded in this process, `send` appends a small JSON message to a
Redis list (RELAY_KEY, on the broker's Redis) and returns; every Celery worker runs a relay step
(portal/core/relay.py) that pops those messages and publishes the tasks. Processes that have
Celery loaded (workers, beat, shells and tests that imported it) and the eager developer set-up
(no Redis) publish directly. settings.TASK_RELAY: "auto" (that rule), "always" or "never".
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Sequence

from django.conf import settings

RELAY_KEY = "portal:task-relay"

_clients: dict[str, object] = {}


def send(
    task: str,
    *,
    args: Sequence = (),
    queue: str | None = None,
    retry_policy: dict | None = None,
) -> None:
    """Queue `task` (dotted path of a task in an app's `tasks` module) with `args` (JSON values).
    Raises what the broker or Redis raises; the caller logs it and the sweepers retry later."""
    if relayed():
        message = {"task": task, "args": list(args), "queue": queue}
        relay_client().rpush(RELAY_KEY, json.dumps(message, separators=(",", ":")))
        return
    options: dict = {}
    if queue:
        options["queue"] = queue
    if retry_policy:
        options.update(retry=True, retry_policy=retry_policy)
    task_at(task).apply_async(args=list(args), **options)


def relayed() -> bool:
    """True when this process hands tasks to the workers' relay instead of publishing them."""
    mode = settings.TASK_RELAY
    if mode == "never" or settings.CELERY_TASK_ALWAYS_EAGER:
        return False
    if mode == "always":
        return True
    return is_redis_url(relay_url()) and "portal.celery" not in sys.modules


def relay_url() -> str:
    return settings.TASK_RELAY_URL or settings.CELERY_BROKER_URL


def relay_client():
    """One Redis client per process for the relay list (redis-py's pool is fork- and
    thread-safe). A Redis that does not answer fails the hand-over within a second or two."""
    url = relay_url()
    client = _clients.get(url)
    if client is None:
        import redis

        client = _clients[url] = redis.Redis.from_url(
            url, socket_connect_timeout=1, socket_timeout=2
        )
    return client


def task_at(path: str):
    """The Celery task at `path` ("app.tasks.name"), with the portal's Celery app loaded first so
    that the shared tasks bind to it. Only attributes of a `tasks` module are accepted."""
    module_name, _, name = path.rpartition(".")
    if not module_name.endswith(".tasks") or not name.isidentifier():
        raise ValueError(f"not a task path: {path!r}")
    import portal.celery  # noqa: F401 - the app the shared tasks bind to

    task = getattr(importlib.import_module(module_name), name)
    if not callable(getattr(task, "apply_async", None)):
        raise ValueError(f"not a Celery task: {path!r}")
    return task


def is_redis_url(url: str) -> bool:
    return url.startswith(("redis://", "rediss://", "unix://"))
