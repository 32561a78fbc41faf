"""How many examples a Hypothesis property test tries.

The number a test names, in ``make test`` and in any plain pytest run; a fifth of it (at least
20) in ``make test-fast``, which sets HYPOTHESIS_EXAMPLES=fast for a quicker run between
changes (the ``fast`` profile, conftest.py, does the same for tests that name no number). The
full number is the check: ``make test`` (and CI) always runs it.
"""

import os

FAST = os.environ.get("HYPOTHESIS_EXAMPLES") == "fast"


def examples(full: int) -> int:
    return max(20, full // 5) if FAST else full
