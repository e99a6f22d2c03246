import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """The capture form's rate limit lives in the cache (this run's own Redis database)."""
    cache.clear()
    yield
    cache.clear()
