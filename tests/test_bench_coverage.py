"""Every URL pattern has a benchmark scenario or a reasoned exclusion (issue 16).

`make bench` fails on a page without one; this test says so in CI, when the page is added, rather
than on the next benchmark run.
"""

from bench.run import coverage


def test_every_url_pattern_has_a_bench_scenario_or_a_reason():
    found = coverage()
    assert found["missing"] == [], "add a line to bench/scenarios.py (bench/README.md says how)"
    assert found["stale"] == [], "a scenario or exclusion names a URL that no longer exists"
    assert found["both"] == [], "a URL is both timed and excluded"
