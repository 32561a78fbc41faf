"""Bench data for the action tracker: a few hundred reviews of the target, their findings tagged
with themes from the shared vocabulary, 3,000 recommendations answering them and 10,000 actions
owned by the data set's agencies, in every status. Rows as ``actions.services`` leaves them (a
reason for every action not being implemented, ``completed_on`` for every complete one, impact
results only where a method was planned), bulk-created for speed.

Dates run from 2017 (the one-year set: December 2025) to 2028 around the data set's "today"
(20 November 2026): most actions whose
target date is long past are complete, some were decided against, some are still open
(overdue); most of those due later are open. Its own random generator (seed 2026 + 5), so adding
it changes no other generated row.
"""

import datetime as dt
import random

ANCHOR = dt.date(2026, 11, 20)
FIRST_START = dt.date(2017, 1, 2)
LAST_START = dt.date(2026, 6, 1)
KIND_MIX = [("lcspr", 50), ("sar", 35), ("dhr", 15)]
TITLE_PREFIX = {"lcspr": "Child", "sar": "Adult", "dhr": "Person"}
FINDINGS_PER_REVIEW = 8
SHARING = "Information sharing"
# Status by how far the target date is from ANCHOR: (target before this many days, mix).
STATUS_BY_TARGET = [
    (-180, [("complete", 80), ("not_implemented", 6), ("on_track", 6), ("at_risk", 4),
            ("not_started", 2), ("completion_requested", 2)]),
    (0, [("complete", 45), ("on_track", 20), ("at_risk", 15), ("completion_requested", 8),
         ("not_started", 7), ("not_implemented", 5)]),
    (None, [("on_track", 45), ("not_started", 30), ("at_risk", 12),
            ("completion_requested", 8), ("complete", 4), ("not_implemented", 1)]),
]  # fmt: skip
FINDING_TITLES = [
    "Information held by one agency was not shared",
    "The child's lived experience was not understood",
    "Practitioners accepted explanations without checking them",
    "Risk was assessed once and not again",
    "Concerns were not escalated when nothing changed",
    "The whole family was not considered",
    "The case moved between areas and records did not",
    "Thresholds were applied inconsistently",
    "Carers' own needs were not assessed",
    "The person's capacity to decide was assumed",
]
RECOMMENDATIONS = [
    "Agencies should share concerns at the first sign, using the partnership's protocol",
    "The partnership should review its escalation policy and train staff in it",
    "Health and children's services should agree a joint approach to missed appointments",
    "Every agency should record the voice of the child or adult in its assessments",
    "The partnership should audit the use of strategy discussions",
    "Agencies should check that records follow a family that moves area",
]
ACTIONS = [
    "Brief every front-line practitioner on the protocol",
    "Add a prompt to the case recording system",
    "Run a multi-agency audit of twenty cases",
    "Publish a seven-minute briefing",
    "Update the single-agency policy and circulate it",
    "Add the learning to induction training",
    "Report progress to the partnership's learning subgroup",
]
CHANGES = [
    "Concerns reach the right agency within one working day",
    "Assessments record what the child or adult said, in their words",
    "Practitioners escalate when a plan is not working",
]
REASONS = [
    "A national programme replaces this action",
    "The service was decommissioned before the action could start",
    "The agency's board decided the cost outweighs the benefit; the risk is managed another way",
]
LEADS = ["Amira Khan", "Ben Walsh", "Chloe Evans", "Daniel Quinn", "Efua Mensah", "Farah Iqbal"]
RESULTS = [
    "A case file audit found the change in most of the cases sampled",
    "Practitioners surveyed say they now escalate sooner",
    "Too few cases since the change to tell",
]


def _weighted(rng: random.Random, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


def build_action_plans(params: dict, seed: int, target, business_unit, agencies, log=print):
    from django.utils import timezone

    from safeguarding.actions.models import Action, Recommendation, Theme
    from safeguarding.referrals.models import Case
    from safeguarding.reviews.models import Finding, Review

    count_recommendations = params.get("recommendations", 0)
    count_actions = params.get("actions", 0)
    count_reviews = params.get("action_reviews", 0)
    if not (count_recommendations and count_actions and count_reviews):
        return
    from bench.generate import history_day

    rng = random.Random(seed)
    cases = list(Case.objects.filter(partnership=target).order_by("pk")[:count_reviews])
    actor = business_unit[0]
    agencies = list(agencies)
    themes = list(Theme.objects.filter(partnership__isnull=True).order_by("pk"))
    # The one-year set's reviews start within its year (a month in, as the ten-year set's do).
    first_start = history_day(params, FIRST_START)
    span = (LAST_START - first_start).days

    # Reviews: most signed off some months after they started -----------------------------------
    reviews = []
    for number, case in enumerate(cases, start=1):
        # The first three cover every type (the small data set has only three reviews).
        kind = KIND_MIX[number - 1][0] if number <= len(KIND_MIX) else _weighted(rng, KIND_MIX)
        started = first_start + dt.timedelta(days=rng.randint(0, span))
        if number <= len(KIND_MIX):  # and recent enough to have open and overdue actions
            started = LAST_START - dt.timedelta(days=rng.randint(300, 500))
            started = max(started, first_start)  # not before the one-year set's first day
        signed = started + dt.timedelta(days=rng.randint(150, 400))
        done = signed < ANCHOR
        reviews.append(
            Review(
                partnership=target,
                case=case,
                kind=kind,
                stage="signed_off" if done else "drafting",
                reference=f"RV{started.year}-A{number:04d}",
                title=f"{TITLE_PREFIX[kind]} {case.pseudonym.split()[-1]}",
                started_on=started,
                signed_off_at=timezone.make_aware(dt.datetime.combine(signed, dt.time(15)))
                if done
                else None,
                created_by=actor,
                modified_by=actor,
            )
        )
    reviews = Review.objects.bulk_create(reviews, batch_size=1000)

    # Findings, each tagged with one to three themes -------------------------------------------
    findings = []
    for review in reviews:
        for number in range(1, FINDINGS_PER_REVIEW + 1):
            title = rng.choice(FINDING_TITLES)
            findings.append(
                Finding(
                    review=review,
                    number=number,
                    kind="learning_point" if number == FINDINGS_PER_REVIEW else "finding",
                    title=title,
                    text=f"{title}. The review found this in the agencies' records.",
                )
            )
    findings = Finding.objects.bulk_create(findings, batch_size=2000)
    # Information sharing, the theme most reviews find, on every review's first finding.
    sharing = next(theme for theme in themes if theme.name == SHARING)
    others = [theme for theme in themes if theme is not sharing]
    Tagged = Theme.findings.through
    Tagged.objects.bulk_create(
        (
            Tagged(theme_id=theme.pk, finding_id=finding.pk)
            for finding in findings
            for theme in ([sharing] if finding.number == 1 else [])
            + rng.sample(others, rng.randint(1, 2))
        ),
        batch_size=5000,
    )
    findings_of: dict[int, list] = {}
    for finding in findings:
        findings_of.setdefault(finding.review_id, []).append(finding)

    # Recommendations, spread over the reviews, agreed when the review was signed off -----------
    recommendations = []
    per_review = [count_recommendations // len(reviews)] * len(reviews)
    for index in range(count_recommendations - sum(per_review)):
        per_review[index] += 1
    for review, how_many in zip(reviews, per_review, strict=True):
        agreed = (
            timezone.localdate(review.signed_off_at)
            if review.signed_off_at
            else min(review.started_on + dt.timedelta(days=120), ANCHOR)
        )
        for number in range(1, how_many + 1):
            method = rng.choice(["", "", "measure", "audit", "survey"])
            recorded = method and agreed + dt.timedelta(days=rng.randint(300, 700)) < ANCHOR
            recorded_on = agreed + dt.timedelta(days=rng.randint(300, 700)) if recorded else None
            recommendations.append(
                Recommendation(
                    review=review,
                    number=number,
                    text=rng.choice(RECOMMENDATIONS),
                    to_partnership=rng.random() < 0.5,
                    scope=rng.choice(["single_agency", "multi_agency", "multi_agency"]),
                    expected_change=rng.choice(CHANGES),
                    agreed_on=agreed,
                    impact_method=method,
                    impact_plan="Audit twenty cases a year after the change" if method else "",
                    impact_review_on=agreed + dt.timedelta(days=365) if method else None,
                    impact_result=rng.choice(RESULTS) if recorded_on else "",
                    impact_judgement=rng.choice(["changed", "partly", "no_evidence"])
                    if recorded_on
                    else "",
                    impact_recorded_on=min(recorded_on, ANCHOR) if recorded_on else None,
                    created_by=actor,
                    modified_by=actor,
                )
            )
    recommendations = Recommendation.objects.bulk_create(recommendations, batch_size=2000)
    Answers = Recommendation.findings.through

    def answered(recommendation) -> list:
        """One or two findings; the first recommendation answers the first finding."""
        review_findings = findings_of[recommendation.review_id]
        chosen = rng.sample(review_findings, rng.randint(1, 2))
        if recommendation.number == 1 and review_findings[0] not in chosen:
            chosen[0] = review_findings[0]
        return chosen

    Answers.objects.bulk_create(
        (
            Answers(recommendation_id=recommendation.pk, finding_id=finding.pk)
            for recommendation in recommendations
            for finding in answered(recommendation)
        ),
        batch_size=5000,
    )
    Addressed = Recommendation.agencies.through
    Addressed.objects.bulk_create(
        (
            Addressed(recommendation_id=recommendation.pk, agency_id=agency.pk)
            for recommendation in recommendations
            if not recommendation.to_partnership
            for agency in rng.sample(agencies, rng.randint(1, 3))
        ),
        batch_size=5000,
    )

    # Actions: three or four a recommendation, in every status ----------------------------------
    per_recommendation = [count_actions // len(recommendations)] * len(recommendations)
    for index in rng.sample(range(len(recommendations)), count_actions - sum(per_recommendation)):
        per_recommendation[index] += 1
    actions = []
    now = timezone.now()
    for recommendation, how_many in zip(recommendations, per_recommendation, strict=True):
        for number in range(1, how_many + 1):
            target_date = recommendation.agreed_on + dt.timedelta(days=rng.randint(30, 720))
            delta = (target_date - ANCHOR).days
            mix = next(m for limit, m in STATUS_BY_TARGET if limit is None or delta < limit)
            status = _weighted(rng, mix)
            completed = None
            if status == "complete":
                completed = target_date + dt.timedelta(days=rng.randint(-60, 45))
                completed = max(min(completed, ANCHOR), recommendation.agreed_on)
            # An action decided against was last changed when it was decided (half way to its
            # target date, not after the anchor): the annual figures date the decision by it
            # when no update records it. Until 5 December 2026 it was the moment of generation,
            # so every action ever decided against fell in the current financial year (547 at
            # ten years). No random draw: the other columns and rows are as before.
            changed = now
            if status == "not_implemented":
                decided = recommendation.agreed_on + (target_date - recommendation.agreed_on) / 2
                decided = min(decided, ANCHOR)
                changed = timezone.make_aware(dt.datetime.combine(decided, dt.time(16)))
            actions.append(
                Action(
                    partnership=target,
                    recommendation=recommendation,
                    number=number,
                    text=rng.choice(ACTIONS),
                    agency=rng.choice(agencies),
                    lead_name=rng.choice(LEADS),
                    target_date=target_date,
                    status=status,
                    not_implemented_reason=rng.choice(REASONS)
                    if status == "not_implemented"
                    else "",
                    completed_on=completed,
                    created_at=now,
                    created_by=actor,
                    modified_at=changed,
                    modified_by=actor,
                )
            )
    from bench.generate import explicit_dates

    with explicit_dates(Action):
        Action.objects.bulk_create(actions, batch_size=2000)
    log(
        f"  {len(reviews)} reviews with {len(findings)} findings, {len(recommendations)} "
        f"recommendations and {len(actions)} actions"
    )


def tracker_theme_pk() -> int:
    """The theme the filtered tracker scenario filters by."""
    from safeguarding.actions.models import Theme

    return Theme.objects.get(partnership__isnull=True, name=SHARING).pk
