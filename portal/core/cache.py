"""The shared cache (Redis) with one client object per server for the life of the process.

Django's RedisCacheClient builds a new `redis.Redis` for every cache call (it fills a dict of
~170 response callbacks each time: ~0.1 ms per call, several calls per request). A `redis.Redis`
holds no connection of its own: it takes one from its pool for each command and gives it back, so
one client per pool is safe to share between the threads of a process; after a fork the pool
notices the new pid and opens fresh connections. Everything else (pools, options such as the
socket timeouts, serialisation) is Django's.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            # Two threads may both build one the first time: either is fine, the pool is shared.
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class PortalRedisCache(RedisCache):
    """CACHES backend: Django's RedisCache with the reused client above."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
