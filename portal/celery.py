"""Celery application. Without REDIS_URL, tasks run eagerly in-process (developer default).

Loaded by the workers and beat (`celery -A portal` finds `portal.celery.app`) and, on first use,
by portal/core/dispatch.py in a process that publishes directly. Web workers hand tasks over
through the relay (portal/core/dispatch.py, portal/core/relay.py) and never load it.
"""

import os

from portal.drf_optional import UNUSED_BY_CELERY, without

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

with without(UNUSED_BY_CELERY):  # portal/drf_optional.py: optional integrations not used here
    from celery import Celery
    from celery.schedules import crontab
    from django.conf import settings
    from kombu import Queue

    app = Celery("portal")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.task_queues = tuple(Queue(name) for name in settings.TASK_QUEUE_NAMES)
    app.conf.beat_schedule = {
        name: {
            **entry,
            "schedule": crontab(**entry["schedule"])
            if isinstance(entry["schedule"], dict)
            else entry["schedule"],
        }
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
    }
    app.autodiscover_tasks()

    from portal.core.relay import TaskRelayStep

    app.steps["worker"].add(TaskRelayStep)
