"""The catalogue in the shared cache (Redis in production, locmem in development).

Cached answers carry the catalogue *version* they were made at; the version is kept in the same
shared cache and read on every request (one GET of a small key; the answer's bytes are kept in
the process too, see below). Any change to a procedure or its
related rows (fees, legal bases, required documents, forms, the procedure ↔ form
links) sets a new version after the transaction commits, so every process stops using the old
answers at once (nothing depends on one process's memory). A cache that does not answer only costs
the cached speed: the answer is computed as without a cache.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)

VERSION_KEY = "catalogue:version"
TIMEOUT = 24 * 3600  # a day: the date is part of the key anyway (fees depend on it)


def catalogue_version() -> str | None:
    """The current version (created if missing), None if the cache does not answer."""
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(VERSION_KEY)
        return version
    except Exception:  # noqa: BLE001 - a cache outage must not fail the request
        logger.warning("catalogue cache unavailable", exc_info=True)
        return None


def bump_catalogue_version() -> None:
    """A new version: every cached catalogue answer is stale from now on (all processes)."""
    from portal.catalogue.memo import forget_version

    forget_version()  # this request reads the new version (portal/catalogue/memo.py)
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:  # noqa: BLE001
        logger.warning("catalogue cache unavailable: version not bumped", exc_info=True)


def bump_after_commit(**kwargs) -> None:
    """Now (this transaction's own later reads) and again after commit (another process may
    have cached the old rows under the first new version meanwhile)."""
    bump_catalogue_version()
    transaction.on_commit(bump_catalogue_version)


def cache_key(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"catalogue:answer:{digest}"


def store(key: str, version: str, answer) -> None:
    try:
        cache.set(key, (version, answer), timeout=TIMEOUT)
    except Exception:  # noqa: BLE001
        logger.warning("catalogue cache unavailable: answer not stored", exc_info=True)


# -- rendered answers kept in this process too ------------------------------------------------
# The bytes of an answer are also kept here with the version they were made at, so a request reads
# only the small version key from the shared cache (one round trip, still on every request: an edit
# is seen at once by every process) and the answer itself only the first time per process and
# version. Bounded: the keys include whatever query string was asked.

LOCAL_MAX = 64


@dataclass(frozen=True)
class Rendered:
    version: str
    body: bytes
    etag: str


_local: dict[str, Rendered] = {}


def _remember(key: str, version: str, body: bytes) -> Rendered:
    entry = Rendered(version, body, f'"{hashlib.sha256(body).hexdigest()[:32]}"')
    if len(_local) >= LOCAL_MAX and key not in _local:
        _local.clear()
    _local[key] = entry
    return entry


def current_version() -> str | None:
    """The catalogue version, one round trip; None if the cache does not answer."""
    try:
        version = cache.get(VERSION_KEY)
    except Exception:  # noqa: BLE001 - a cache outage must not fail the request
        logger.warning("catalogue cache unavailable", exc_info=True)
        return None
    return version or catalogue_version()


def rendered(key: str, version: str) -> Rendered | None:
    """The answer under `key` made at `version`: from this process, else the shared cache."""
    entry = _local.get(key)
    if entry is not None and entry.version == version:
        return entry
    try:
        shared = cache.get(key)
    except Exception:  # noqa: BLE001
        logger.warning("catalogue cache unavailable", exc_info=True)
        return None
    if (
        isinstance(shared, tuple)
        and len(shared) == 2
        and shared[0] == version
        and isinstance(shared[1], bytes)
    ):
        return _remember(key, version, shared[1])
    return None


def store_rendered(key: str, version: str, body: bytes) -> Rendered:
    """Keep a freshly rendered answer in the shared cache and in this process."""
    store(key, version, body)
    return _remember(key, version, body)


def connect_signals() -> None:
    """Any save or delete of a catalogue model (and the procedure ↔ form links) bumps the version."""
    for model in apps.get_app_config("catalogue").get_models():
        uid = f"catalogue-version-{model._meta.label}"
        post_save.connect(bump_after_commit, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(bump_after_commit, sender=model, dispatch_uid=uid + "-delete")
    through = apps.get_model("catalogue", "Procedure").forms.through
    m2m_changed.connect(bump_after_commit, sender=through, dispatch_uid="catalogue-version-m2m")
    from portal.catalogue.memo import connect_signals as connect_memo_signals

    connect_memo_signals()
