"""Rate limits: the one place that decides who a client is and counts its requests.

- `client_ip(request)`: the client's address. With `TRUSTED_PROXY_COUNT = 0` (the default: the
  portal faces the clients directly) it is REMOTE_ADDR and X-Forwarded-For is ignored entirely,
  because anyone can write that header. Behind N trusted proxies it is the N-th address from the
  right of X-Forwarded-For (each proxy appends the address it received the request from), falling
  back to REMOTE_ADDR when the header is shorter. DRF throttles, the HTML lookup, the one-time code
  limits and django-axes (AXES_CLIENT_IP_CALLABLE) all key on it.
- `hit(key, limit=, window=)`: counts one request in a fixed window that starts with the first
  request. The counter lives in the cache (Redis in production); when the cache does not answer,
  the counter falls back to a database table (`core.RateLimitCounter`), so a limit keeps applying
  with Redis down and never turns into a 500. Only if the database fails too does it raise
  `RateLimitUnavailable` (HTTP 503, a Vietnamese message).
- `ClientRateThrottle`: DRF's ScopedRateThrottle on top of `client_ip` and `hit`.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import random
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.throttling import ScopedRateThrottle

from portal.core.errors import DomainError

log = logging.getLogger("portal.ratelimit")

# After the cache failed, counters go to the database for this many seconds before the cache is
# tried again (a dead Redis then costs one connection attempt per period, not one per request).
CACHE_RETRY_SECONDS = 15
_cache_down_until = 0.0


class RateLimitUnavailable(DomainError):
    """Neither the cache nor the database could count the request: refuse it cleanly."""

    code = "rate_limit_unavailable"
    status = 503

    def __init__(self, message=None, **kwargs):
        super().__init__(
            message
            or str(
                _("Hệ thống tạm thời không kiểm tra được yêu cầu. Vui lòng thử lại sau ít phút.")
            ),
            **kwargs,
        )


def trusted_proxy_count() -> int:
    return max(int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0), 0)


def _valid(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return ""


def client_ip(request) -> str:
    """The real client address (see the module docstring); "unknown" if there is none."""
    return client_ip_or_none(request) or "unknown"


def client_ip_or_none(request) -> str | None:
    """`client_ip` for django-axes (AXES_CLIENT_IP_CALLABLE), which stores a valid address or
    NULL (PostgreSQL inet column)."""
    remote = _valid(request.META.get("REMOTE_ADDR") or "")
    proxies = trusted_proxy_count()
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if len(addresses) >= proxies:
            remote = _valid(addresses[-proxies]) or remote
    return remote or None


# --- counters ------------------------------------------------------------------------------------


def _digest(key: str) -> str:
    """Cache and database keys of bounded length whatever the caller puts in (phone, address…)."""
    return "rl:" + hashlib.sha256(key.encode()).hexdigest()[:40]


def _cache_hit(key: str, window: int) -> tuple[int, float]:
    """(count after this hit, end of the window) from the cache; raises if the cache fails."""
    now = time.time()
    if cache.add(key, 1, timeout=window):
        cache.set(f"{key}:end", now + window, timeout=window)
        return 1, now + window
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        cache.set(f"{key}:end", now + window, timeout=window)
        return 1, now + window
    end = cache.get(f"{key}:end")
    return count, float(end) if end is not None else now + window


def _database_hit(key: str, window: int) -> tuple[int, float]:
    """The same counter in the database: one atomic upsert (SQLite ≥ 3.35 and PostgreSQL)."""
    from portal.core.models import RateLimitCounter

    now = time.time()
    q = connection.ops.quote_name
    table, key_, count_, end_ = (
        q(RateLimitCounter._meta.db_table),
        q("key"),
        q("count"),
        q("window_end"),
    )
    sql = (
        f"INSERT INTO {table} ({key_}, {count_}, {end_}) VALUES (%s, 1, %s) "
        f"ON CONFLICT ({key_}) DO UPDATE SET "
        f"{count_} = CASE WHEN {table}.{end_} <= %s THEN 1 ELSE {table}.{count_} + 1 END, "
        f"{end_} = CASE WHEN {table}.{end_} <= %s THEN excluded.{end_} ELSE {table}.{end_} END "
        f"RETURNING {count_}, {end_}"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [key, now + window, now, now])
        count, end = cursor.fetchone()
        if random.random() < 0.02:  # now and then, forget finished windows
            RateLimitCounter.objects.filter(window_end__lt=now - 60).delete()
    return int(count), float(end)


def tally(key: str, *, window: int) -> tuple[int, float]:
    """Count one request under `key`; (requests in the current window, its end as a timestamp)."""
    global _cache_down_until
    key = _digest(key)
    window = max(int(window), 1)
    if time.time() >= _cache_down_until:
        try:
            return _cache_hit(key, window)
        except Exception:  # the cache backend's own errors (redis.ConnectionError, timeouts…)
            _cache_down_until = time.time() + CACHE_RETRY_SECONDS
            log.warning("rate limit: the cache does not answer, counting in the database")
    try:
        return _database_hit(key, window)
    except DatabaseError:
        log.exception("rate limit: neither the cache nor the database could count a request")
        raise RateLimitUnavailable() from None


def hit(key: str, *, limit: int, window: int) -> bool:
    """Count one request; False once `key` made more than `limit` requests in the window."""
    return tally(key, window=window)[0] <= limit


def hit_or_wait(key: str, *, limit: int, window: int) -> int:
    """Count one request; 0 if allowed, else the seconds until the window ends (at least 1)."""
    n, end = tally(key, window=window)
    if n <= limit:
        return 0
    return max(int(end - time.time() + 0.999), 1)


def reset_cache_breaker() -> None:
    """Try the cache again at the next request (tests; after Redis came back)."""
    global _cache_down_until
    _cache_down_until = 0.0


# --- DRF -----------------------------------------------------------------------------------------


class ClientRateThrottle(ScopedRateThrottle):
    """ScopedRateThrottle keyed on `client_ip` (never a client-written header) and counted by
    `hit_or_wait`, so it survives a cache outage like every other limit of the portal."""

    def get_ident(self, request):
        return client_ip(request)

    def allow_request(self, request, view):
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self._wait = hit_or_wait(
            f"throttle:{self.scope}:{self.get_ident(request)}",
            limit=self.num_requests,
            window=self.duration,
        )
        return self._wait == 0

    def wait(self):
        return getattr(self, "_wait", None) or None
