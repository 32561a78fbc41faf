"""The list pages' rows: the template loops they replaced against ``<app>/rows.py`` (ADR 0034),
in one process, alternately, on the rows the bench pages show.

    .venv/bin/python bench/rows_markup.py            # the ten-year set
    .venv/bin/python bench/rows_markup.py one_year

The loops are the ones kept in ``safeguarding/core/tests/test_row_markup.py``. Prints the
median and fastest CPU time (``time.thread_time``) of each, in milliseconds.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR.parent) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR.parent))

from bench.run import activate, path_for, prepare_databases, user_for  # noqa: E402
from bench.scenarios import SCENARIOS  # noqa: E402


def _cpu_ms(call) -> float:
    start = time.thread_time()
    call()
    return (time.thread_time() - start) * 1000


def main() -> None:
    size = sys.argv[1] if len(sys.argv) > 1 else "default"
    data_set = prepare_databases(regenerate=False)[size]
    activate(data_set)
    from django.template import engines
    from django.urls import resolve
    from django.utils import timezone

    from safeguarding.accounts.models import Partnership
    from safeguarding.actions import tracker_selectors
    from safeguarding.actions.plan_selectors import plan_recommendations, status_tag
    from safeguarding.actions.rows import tracker_rows_html, with_plan_action_rows
    from safeguarding.core.tests import test_row_markup as loops
    from safeguarding.digests import selectors as digest_selectors
    from safeguarding.digests.rows import issue_rows_html
    from safeguarding.referrals import selectors as referral_selectors
    from safeguarding.referrals.rows import triage_rows_html
    from safeguarding.reviews import case_selectors
    from safeguarding.reviews.models import Review
    from safeguarding.workspace.rows import case_rows_html

    partnership = Partnership.objects.get(slug=data_set["stamp"]["target_slug"])
    user = user_for("business_unit", partnership)
    today = timezone.localdate()
    visible = tracker_selectors.actions_visible_to(user=user, partnership=partnership)
    actions = list(tracker_selectors.tracker_rows(visible, view="all", today=today)[:50])
    for action in actions:
        action.tag = status_tag(action, today)
    referrals = list(referral_selectors.referral_list_for_triage(partnership=partnership)[:50])
    search = case_selectors.CaseSearch(today=today)
    cases = list(
        case_selectors.case_search_for_user(user=user, partnership=partnership, search=search)[:25]
    )
    issues = list(digest_selectors.issue_list(partnership=partnership)[:25])
    # The review of the bench's action plan page.
    plan_scenario = next(s for s in SCENARIOS if s.name == "actions.plan")
    review_pk = resolve(path_for(plan_scenario, partnership)).kwargs["review_pk"]
    review = Review.objects.get(pk=review_pk)
    recommendations = plan_recommendations(review=review, today=today)
    plan_actions = sum(len(r.actions.all()) for r in recommendations)
    engine = engines["django"]
    plan_loop = engine.from_string(loops.PLAN_LOOP)
    base = {"partnership": partnership}

    def plan_by_loop():
        for recommendation in recommendations:
            plan_loop.render({**base, "recommendation": recommendation})

    def by_template(source: str, context: dict):
        template = engine.from_string(source)
        return lambda: template.render({**base, **context})

    tables = {
        f"tracker ({len(actions)} rows)": (
            by_template(loops.TRACKER_LOOP, {"page": loops._Page(actions)}),
            lambda: tracker_rows_html(actions, partnership=partnership),
        ),
        f"triage ({len(referrals)} rows)": (
            by_template(loops.TRIAGE_LOOP, {"page": loops._Page(referrals)}),
            lambda: triage_rows_html(referrals, partnership=partnership),
        ),
        f"cases ({len(cases)} rows)": (
            by_template(loops.CASES_LOOP, {"page": loops._Page(cases), "sees_cases": True}),
            lambda: case_rows_html(cases, partnership=partnership, sees_cases=True),
        ),
        f"digests ({len(issues)} rows)": (
            by_template(loops.ISSUES_LOOP, {"issues": issues}),
            lambda: issue_rows_html(issues, partnership=partnership),
        ),
        f"plan ({plan_actions} actions)": (
            plan_by_loop,
            lambda: with_plan_action_rows(recommendations, partnership=partnership),
        ),
    }
    for name, (by_loop, by_rows) in tables.items():
        for _ in range(5):
            by_loop()
            by_rows()
        old, new = [], []
        for _ in range(200):
            old.append(_cpu_ms(by_loop))
            new.append(_cpu_ms(by_rows))
        print(
            f"{size:8} {name:22} loop {statistics.median(old):6.2f} ms (fastest {min(old):5.2f})"
            f"   rows.py {statistics.median(new):5.2f} ms (fastest {min(new):5.2f})"
        )


if __name__ == "__main__":
    main()
