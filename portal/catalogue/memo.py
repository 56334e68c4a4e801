"""Reference rows kept in each process's memory, valid for one catalogue version.

Filing a dossier reads rows that change only when staff edit them: the procedure and its fees,
its form templates, the administrative area, the receiving police unit, the notification
templates. Each process keeps them here, tagged with the catalogue version of the shared cache
(portal/catalogue/cache.py) they were read at, and uses them only while that version is current.
Every save or delete of such a row sets a new version now and again after commit (the signals
below and `cache.connect_signals`), so no process keeps using an outdated row.

The version is read from the shared cache once per request (`request_started` forgets it; a
bump in the request forgets it too); outside a request (tasks, commands) it is read at each
lookup. When the shared cache does not answer there is no version: everything is read from the
database as without this module. Only rows that exist are kept (a miss is read again).

The kept instances are shared by the requests of a process: callers must not modify them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.core.signals import request_finished, request_started

T = TypeVar("T")

MAX_ENTRIES = 4096  # a few hundred procedures, 3,355 areas at most in practice

_entries: dict[tuple, tuple[str, object]] = {}
_request = threading.local()


def _version() -> str | None:
    from portal.catalogue.cache import catalogue_version

    if getattr(_request, "active", False):
        version = getattr(_request, "version", None)
        if version is None:
            version = _request.version = catalogue_version()
        return version
    return catalogue_version()


def remembered(kind: str, key, load: Callable[[], T | None]) -> T | None:
    """The value kept for (kind, key) at the current catalogue version, else `load()` (kept when
    it is not None)."""
    version = _version()
    if version is None:
        return load()
    entry = _entries.get((kind, key))
    if entry is not None and entry[0] == version:
        return entry[1]  # type: ignore[return-value]
    value = load()
    if value is not None:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[(kind, key)] = (version, value)
    return value


def forget_version(**kwargs) -> None:
    """The next lookup reads the version again (a new request, or a bump in this one)."""
    _request.version = None


def clear() -> None:
    """Forget every kept row (tests: the database is rolled back without any signal)."""
    _entries.clear()
    forget_version()


def _started(**kwargs) -> None:
    _request.active = True
    _request.version = None


def _finished(**kwargs) -> None:
    _request.active = False
    _request.version = None


def connect_signals() -> None:
    """Requests read the version once; saves and deletes of the kept rows outside the catalogue
    app (areas, units, notification templates) set a new version like catalogue saves do."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    from portal.catalogue.cache import bump_after_commit

    request_started.connect(_started, dispatch_uid="catalogue-memo-started")
    request_finished.connect(_finished, dispatch_uid="catalogue-memo-finished")
    for label in (
        "units.AdministrativeArea",
        "units.PoliceUnit",
        "notifications.NotificationTemplate",
    ):
        try:
            model = apps.get_model(label)
        except LookupError:  # an app not installed here
            continue
        uid = f"catalogue-version-{label}"
        post_save.connect(bump_after_commit, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(bump_after_commit, sender=model, dispatch_uid=uid + "-delete")
