"""Settings for the load test (bench/load.py): the benchmark settings (production code path,
DEBUG off) with what a load test on this machine needs.

- The service sits behind one trusted proxy (``TRUSTED_PROXY_COUNT = 1``), as in production:
  the load test sends each simulated referrer's own address in ``X-Forwarded-For``, so the
  referral limit counts per referrer, as it does behind the real proxy (issue 12, item 1).
- Database connections are kept for a minute, as in production (``CONN_MAX_AGE``).
- Media in the load test's own folder (``BENCH_MEDIA_ROOT``, set by bench/load.py).

``DATABASE_URL`` and ``BENCH_MEDIA_ROOT`` are set by bench/load.py before Django starts.
"""

from bench.settings import *  # noqa: F403
from bench.settings import DATABASES

TRUSTED_PROXY_COUNT = 1
DATABASES["default"]["CONN_MAX_AGE"] = 60
