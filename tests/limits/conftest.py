"""Rate limits and login lockout: the dossier fixtures, a clean cache, and a Redis that is down."""

from __future__ import annotations

import contextlib

import pytest
from django.core.cache import cache

from portal.core import ratelimit
from tests.dossiers.conftest import *  # noqa: F403 - units, people, procedures, make_dossier


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """(The star import above leaves out underscore names such as the engine's own copy.)"""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_counters():
    ratelimit.reset_cache_breaker()
    cache.clear()
    yield
    ratelimit.reset_cache_breaker()
    with contextlib.suppress(Exception):  # the cache may still be the dead Redis here
        cache.clear()


@pytest.fixture
def redis_down(settings):
    """The cache is a Redis nobody listens to (port 1): every cache call fails to connect."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    ratelimit.reset_cache_breaker()
    from django.core.cache import cache as proxy

    with pytest.raises(Exception):  # noqa: B017 - whatever redis-py raises: it is down
        proxy.get("probe")
    yield
    ratelimit.reset_cache_breaker()
