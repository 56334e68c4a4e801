"""What a web worker imports (issue 13: worker memory).

A gunicorn worker loads the settings, the apps (their models and admin modules) and the URLconf.
Packages that only the Celery workers, the commands or a rare request need are imported where
they are used, so they do not sit in every web worker's memory: `holidays` (the working calendar
reads a generated table), `cryptography`/pyHanko (document signing and verification), WeasyPrint
and its font stack (the workers render PDFs), and DRF's optional `requests`/`pygments`
integrations, kombu's YAML/Brotli and Celery's greenlet support (portal/drf_optional.py), and
drf_spectacular's schema views until their first request (portal/core/lazy_views.py), and Celery
with kombu, amqp, billiard and click: a web worker hands its tasks to the workers' relay
(portal/core/dispatch.py).
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import require_service
from tests.setup.test_settings import run_django

NOT_IN_A_WEB_WORKER = [
    "holidays",
    "cryptography",
    "pyhanko",
    "weasyprint",
    "pydyf",
    "fontTools",
    "openpyxl",
    "qrcode",
    "requests",
    "pygments",
    "yaml",  # catalogue loader and drf_spectacular's YAML renderer (schema views are lazy)
    "brotli",  # kombu's optional compression
    "greenlet",  # Celery's optional greenlet idents
    "drf_spectacular.views",
    "celery",
    "kombu",
    "amqp",
    "billiard",
    "click",
    "portal.celery",
]


def test_a_web_worker_does_not_import_what_only_workers_and_commands_need():
    result = run_django(
        "import json, sys\n"
        "from django.urls import resolve\n"
        "import portal.wsgi\n"
        "resolve('/api/v1/procedures/'); resolve('/api/schema/'); resolve('/admin/')\n"
        f"print(json.dumps(sorted(set({NOT_IN_A_WEB_WORKER!r}) & set(sys.modules))))",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_drf_optional_integrations_are_off_but_the_packages_still_import():
    result = run_django(
        "import json\n"
        "from rest_framework import compat\n"
        "import requests, pygments\n"
        "print(json.dumps([compat.requests is None, compat.pygments is None,"
        " requests.Session is not None]))",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [True, True, True]


def test_hidden_optional_packages_import_normally_afterwards_and_the_schema_views_answer():
    result = run_django(
        "import json\n"
        "import portal.wsgi\n"
        "import yaml, greenlet\n"
        "from django.test import Client\n"
        "c = Client()\n"
        "schema = c.get('/api/schema/')\n"
        "docs = c.get('/api/docs/')\n"
        "print(json.dumps([yaml.safe_load('a: 1'), greenlet.getcurrent() is not None,"
        " schema.status_code, docs.status_code, b'openapi' in schema.content]))",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [{"a": 1}, True, 200, 200, True]


@pytest.mark.redis
def test_a_web_worker_hands_a_task_to_the_relay_without_loading_celery():
    import redis

    from portal.core.dispatch import RELAY_KEY
    from tests.notifications.realworker import REDIS_TEST_URL, redis_available

    require_service(redis_available(), "Redis at 127.0.0.1:6379")
    client = redis.Redis.from_url(REDIS_TEST_URL)
    client.delete(RELAY_KEY)
    result = run_django(
        "import json, sys\n"
        "import portal.wsgi\n"
        "from portal.core import dispatch\n"
        "dispatch.send('portal.dossiers.tasks.render_document_task', args=[7])\n"
        "print(json.dumps([dispatch.relayed(), sorted({'celery', 'kombu'} & set(sys.modules))]))",
        REDIS_URL=REDIS_TEST_URL,
    )
    try:
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout.strip().splitlines()[-1]) == [True, []]
        (raw,) = client.lrange(RELAY_KEY, 0, -1)
        message = json.loads(raw)
        assert (message["task"], message["args"]) == (
            "portal.dossiers.tasks.render_document_task",
            [7],
        )
    finally:
        client.delete(RELAY_KEY)


def test_without_redis_a_task_runs_in_the_process_that_hands_it_over():
    """The development set-up (no REDIS_URL): Celery is loaded on the first hand-over and the task
    runs eagerly, in the request's process."""
    result = run_django(
        "import json, sys\n"
        "import portal.wsgi\n"
        "from portal.core import dispatch\n"
        "before = 'portal.celery' in sys.modules\n"
        "from celery.signals import task_success\n"
        "ran = []\n"
        "task_success.connect(lambda sender, **kw: ran.append(sender.name), weak=False)\n"
        "dispatch.send('notifications.tasks.noop')\n"
        "print(json.dumps([before, dispatch.relayed(), ran]))",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        False,
        False,
        ["notifications.noop"],
    ]
