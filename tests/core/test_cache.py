"""core.cache: Django's Redis cache, one client kept per pool."""

import redis
from django.core.cache import cache

from core.cache import KeptClientRedisCacheClient


def test_the_cache_is_redis_with_its_client_kept():
    assert isinstance(cache._cache, KeptClientRedisCacheClient)
    client = cache._cache.get_client("any", write=True)
    assert isinstance(client, redis.Redis)
    assert cache._cache.get_client("other") is client


def test_values_go_to_redis_and_back():
    cache.set("core-cache-test", {"answer": 42}, 30)
    assert cache.get("core-cache-test") == {"answer": 42}
    assert cache._cache.get_client().exists(cache.make_key("core-cache-test"))
    cache.delete("core-cache-test")
    assert cache.get("core-cache-test") is None
