"""Records in the states some pages need, made through the app's own services (issue 16).

The other generators leave every referral decision signed and every review where it ends up;
these pages need a record part-way: a referral decision awaiting signatures (signing it,
declining to sign, replacing a signatory) or disputed (resolving the disagreement), a track
not decided yet (recording its decision), a rapid review (its panel, immediate actions and
outcome), an action whose completion is asked for, and a national-library submission prepared
for a published review. As many of each as ``params["pending"]`` (1 a year of data). Its own
random generator (seed 2026 + 10), run after the others, so adding it changed no other row of
the data set.
"""

from __future__ import annotations

import random

NOTE = "Fictional: made by the benchmark generator."


def build_states(params: dict, seed: int, target, business_unit, log=print) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from django.utils import timezone

    from bench.generate import BENCH_USERS
    from safeguarding.accounts.models import User
    from safeguarding.actions import services as actions
    from safeguarding.actions.models import Action
    from safeguarding.core.errors import ServiceError
    from safeguarding.library import services as library
    from safeguarding.library.models import LibraryRecord
    from safeguarding.publication.models import Publication
    from safeguarding.referrals import permissions
    from safeguarding.referrals import selectors as referral_selectors
    from safeguarding.referrals import services as referrals
    from safeguarding.referrals.models import OUTCOMES_BY_TYPE, Case, ReviewType, Track
    from safeguarding.reviews.models import Review
    from safeguarding.reviews.rapid_review import services as rapid_reviews
    from safeguarding.reviews.requests.services import rapid_review_deadline
    from safeguarding.workspace.documents import pdf_bytes

    rng = random.Random(seed)
    editor = User.objects.get(email=BENCH_USERS["business_unit"])
    wanted = params["pending"]
    today = timezone.localdate()

    def made(kind: str, count: int) -> None:
        if count < wanted:
            raise RuntimeError(f"The generator made {count} {kind} of the {wanted} wanted")

    # Decisions awaiting signatures: on tracks the target decides, keeping one undecided track
    # for the page that records a decision.
    undecided = [
        track
        for track in Track.objects.filter(case__partnership=target, decision__isnull=True)
        .select_related("case")
        .order_by("pk")
        if permissions.decides_track(target, track)
    ]
    rng.shuffle(undecided)
    recorded = []
    for track in undecided[:-1]:
        if len(recorded) == 2 * wanted:
            break
        try:
            recorded.append(
                referrals.decision_record(
                    track=track,
                    outcome=OUTCOMES_BY_TYPE[track.review_type][0],
                    rationale=NOTE,
                    decided_on=today,
                    actor=editor,
                )
            )
        except ServiceError:
            continue
    decisions = min(len(recorded), wanted)
    # The second half disputed: a decision maker disagrees, for the business unit to resolve.
    disputed = 0
    for decision in recorded[wanted:]:
        signatory = next(
            row
            for row in referral_selectors.decision_signatories(decision=decision)
            if row.signature is None
        )
        referrals.decision_decline(
            decision=decision, user=signatory.decision_maker.user, kind="disagreed", reason=NOTE
        )
        disputed += 1
    made("decisions awaiting signatures", decisions)
    made("disputed decisions", disputed)

    # Rapid reviews, on cases with a CSPR track and none yet.
    cases = list(
        Case.objects.filter(partnership=target, tracks__review_type=ReviewType.CSPR)
        .exclude(reviews__kind=Review.Kind.RAPID_REVIEW)
        .distinct()
        .order_by("pk")
    )
    rng.shuffle(cases)
    rapid = 0
    for case in cases:
        if rapid == wanted:
            break
        try:
            with transaction.atomic():
                review = rapid_reviews.rapid_review_start(case=case, actor=editor)
                # Its pages show the deadline, which only guidance with the rapid-review rule
                # sets (a case that follows an older version has none): such a case is skipped.
                rapid_review_deadline(review)
        except ServiceError:
            continue
        rapid += 1
    made("rapid reviews", rapid)

    # Completion asked for on open actions, with a small PDF as evidence.
    actions_open = list(
        Action.objects.filter(partnership=target, status__in=Action.AGENCY_SETTABLE).order_by("pk")
    )
    rng.shuffle(actions_open)
    asked = 0
    for action in actions_open:
        if asked == wanted:
            break
        evidence = SimpleUploadedFile(
            f"evidence-{action.pk}.pdf", pdf_bytes("Evidence", [NOTE]), "application/pdf"
        )
        try:
            actions.completion_request(action=action, actor=editor, note=NOTE, evidence=[evidence])
        except ServiceError:
            continue
        asked += 1
    made("completion requests", asked)

    # National-library submissions prepared (not sent) for the target's published reviews.
    records = list(
        LibraryRecord.objects.filter(
            partnership=target,
            source=LibraryRecord.Source.OWN,
            publication__status=Publication.Status.PUBLISHED,
            archived_at__isnull=True,
        ).order_by("pk")
    )
    prepared = 0
    for record in records:
        if prepared == wanted:
            break
        try:
            library.submission_prepare(
                record=record,
                actor=editor,
                page_url=f"https://bench.example/library/{record.pk}/",
            )
        except ServiceError:
            continue
        prepared += 1
    made("national-library submissions", prepared)
    log(
        f"  {decisions} decisions awaiting signatures, {disputed} disputed, {rapid} rapid "
        f"reviews, {asked} completion requests, {prepared} national-library submissions prepared"
    )
