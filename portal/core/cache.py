"""The default cache backend: Django's Redis cache, reusing its Redis client objects.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every operation; building
one (its response callbacks) costs about as much as the round trip to Redis itself. Here each
connection pool gets one client, kept for the life of the cache instance (Django keeps one cache
instance per thread; a `redis.Redis` over a pool is safe to reuse, and the pool reconnects after
a fork).
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
