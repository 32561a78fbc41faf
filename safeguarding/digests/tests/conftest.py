import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    """The subscribe limits live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()
