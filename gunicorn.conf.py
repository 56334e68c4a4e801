"""Gunicorn reads this file at every start (./gunicorn.conf.py is its default configuration).

Before serving, the master runs Django's system checks as `manage.py check --deploy --fail-level
ERROR` does: an error (e.g. a published level 3-4 procedure without a plugin, see
portal/dossiers/checks.py) stops gunicorn instead of serving a hollow procedure. Warnings are
printed and do not stop it. Database connections opened by the checks are closed before the
workers fork.
"""

import os


def on_starting(server):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError
    from django.db import connections

    django.setup()
    try:
        call_command("check", deploy=True, fail_level="ERROR")
    except SystemCheckError as exc:
        server.log.error("Not serving: the system checks failed.\n%s", exc)
        raise SystemExit(1) from None
    finally:
        connections.close_all()
