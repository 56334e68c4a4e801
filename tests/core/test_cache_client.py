"""The shared cache reuses one redis client per server (portal/core/cache.py, issue 13): Django's
backend built one per cache call. Behaviour (values, timeouts, failures) stays Django's."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.core.cache import cache

from portal.core.cache import PortalRedisCache

pytestmark = pytest.mark.skipif(
    "Portal" not in settings.CACHES["default"]["BACKEND"], reason="needs the Redis cache"
)


def test_the_settings_use_the_portal_backend_with_its_timeouts():
    from django.core.cache import caches

    backend = caches["default"]
    assert isinstance(backend, PortalRedisCache)
    options = backend._cache._pool_options
    assert options["socket_connect_timeout"] == 1 and options["socket_timeout"] == 1


def test_one_client_serves_every_call_and_every_thread():
    from django.core.cache import caches

    client = caches["default"]._cache
    first = client.get_client("a")
    assert client.get_client("b") is first
    assert client.get_client("c", write=True) is first  # one server: reads and writes alike
    seen = []

    def work():
        seen.append(client.get_client("d"))
        cache.set("core-test-key", 1, 5)
        seen.append(cache.get("core-test-key"))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [s for s in seen if s != 1] == [first] * 4 and seen.count(1) == 4


def test_values_timeouts_and_many_keys_behave_as_django():
    cache.set("core-a", {"x": 1}, 30)
    cache.set("core-b", 7, 30)
    assert cache.get("core-a") == {"x": 1} and cache.get_many(["core-a", "core-b"]) == {
        "core-a": {"x": 1},
        "core-b": 7,
    }
    assert cache.add("core-a", 2) is False and cache.incr("core-b") == 8
    cache.set("core-c", 1, 0)  # a zero timeout deletes
    assert cache.get("core-c") is None
    cache.delete_many(["core-a", "core-b"])
    assert cache.get("core-a") is None


def test_a_dead_server_still_fails_fast():
    dead = PortalRedisCache(
        "redis://127.0.0.1:1/0",
        {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}},
    )
    with pytest.raises(Exception):  # noqa: B017 - whatever redis-py raises: nobody listens
        dead.get("probe")
    with pytest.raises(Exception):  # noqa: B017 - and again with the same (reused) client
        dead.get("probe")
