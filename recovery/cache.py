"""Django's Redis cache, keeping one Redis client per connection pool.

Django's client makes a new `redis.Redis` for every operation (each builds ~170 response callbacks before it
sends a byte): on this app's pages that was three times a request, 0.2 ms a `get` where the command itself
takes 0.05 ms. A client over a connection pool is safe to share between threads, and the pools are already
kept for the process's life; so are these clients.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis


class _Client(redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))  # type: ignore[attr-defined]
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _Client
