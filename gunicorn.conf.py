"""Gunicorn reads this file at every start (./gunicorn.conf.py is its default configuration).

Before serving, the master runs Django's system checks as `manage.py check --deploy --fail-level
ERROR` does: an error (e.g. a published level 3-4 procedure without a plugin, see
portal/dossiers/checks.py) stops gunicorn instead of serving a hollow procedure. Warnings are
printed and do not stop it.

The checks run in a child process, not in the master (issue 13: worker memory): the workers are
forked from the master and load the application themselves, so everything the master imported
(Django, the apps, and what only the checks import: the management commands, drf_spectacular's
schema generator, PyYAML...) would stay in every worker's memory, about 10 MB each.
"""

import subprocess
import sys
from pathlib import Path

MANAGE_PY = Path(__file__).resolve().with_name("manage.py")
CHECK_COMMAND = [sys.executable, str(MANAGE_PY), "check", "--deploy", "--fail-level", "ERROR"]


def on_starting(server):
    result = subprocess.run(CHECK_COMMAND, check=False)
    if result.returncode != 0:
        server.log.error("Not serving: the system checks failed (see their output above).")
        raise SystemExit(1)
