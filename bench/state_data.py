"""Records in the states some pages need, made through the app's own services (issue 16).

The other generators leave every referral decision signed and every review where it ends up;
these pages need a record part-way: a referral decision awaiting signatures (signing it,
declining to sign, replacing a signatory) or disputed (resolving the disagreement), a track
not decided yet (recording its decision), a rapid review (its panel, immediate actions and
outcome), an action whose completion is asked for, and a national-library submission prepared
for a published review; and (issue 16, the last pages without a record) a review in sign-off
with a decision maker's disagreement, a person proposed by an agency's chronology, a Domestic
Homicide Review's publication with an identifier-check finding and a submission to the Home
Office panel awaiting its letter, and cases shared between the target and a neighbour (one
offered to the target, one of the target's reviews taking part with the neighbour, one
neighbour's publication the target signs off). As many of each as ``params["pending"]`` (1 a
year of data). Its own
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
    build_review_states(wanted, rng, target, editor, made, log=log)
    build_dhr_publications(wanted, target, editor, made, log=log)
    build_shares(wanted, target, editor, made, log=log)


def build_review_states(wanted: int, rng, target, editor, made, log=print) -> None:
    """Reviews commissioned through the service from the target's newest decided tracks whose
    decision calls for a review (so they have tracks and decision makers; the generated reviews
    have neither). The first ``wanted`` are put in sign-off, where a decision maker disagrees
    (the business unit's page to resolve it; the other decision maker's page to decline);
    the next ``wanted`` stay in commissioning, each with a chronology row from one of its
    agencies naming someone not in the case (a person proposed). Shortcut, flagged: the stage is
    set to sign-off directly (the workflow would need terms, a reviewer, agency returns, the
    report and the quality assessment first, none of which these pages read)."""
    import datetime as dt

    from safeguarding.core.errors import ServiceError
    from safeguarding.referrals.models import Decision, Track
    from safeguarding.reviews import workflow
    from safeguarding.reviews.chronology import services as chronology
    from safeguarding.reviews.chronology.parser import ChronologyRow
    from safeguarding.reviews.models import Review
    from safeguarding.reviews.running import services as running

    tracks = (
        Track.objects.filter(
            case__partnership=target,
            decided_by__isnull=True,
            decision__state=Decision.State.FINAL,
            decision__outcome__in=list(workflow.REVIEW_KIND_FOR_OUTCOME),
            reviews__isnull=True,
        )
        .select_related("case")
        .order_by("-pk")  # the newest: the commission page's lookup takes the first
    )
    signing = proposing = 0
    for track in tracks:
        if proposing == wanted:
            break
        try:
            review = running.review_commission(case=track.case, tracks=[track], actor=editor)
        except ServiceError:
            continue
        if signing < wanted:
            makers = running.decision_makers_for(review)
            if len({maker.user_id for maker in makers}) < 2:
                raise RuntimeError("a review in sign-off needs two decision makers")
            running.finding_add(review=review, actor=editor, title="Information sharing", text=NOTE)
            Review.objects.filter(pk=review.pk).update(stage=Review.Stage.SIGN_OFF)
            review.refresh_from_db()
            running.review_sign_off_decline(
                review=review, user=makers[0].user, kind="disagreed", reason=NOTE
            )
            signing += 1
            continue
        agencies = chronology.review_agencies(review)
        if not agencies:
            continue
        row = ChronologyRow(
            occurred_on=dt.date(2026, 10, rng.randint(1, 28)),
            occurred_at=None,
            date_is_approximate=False,
            pseudonyms=(),
            event="Home visit; a relative was present",
            source_record=f"REC-{rng.randint(1000, 99999)}",
            practitioner_role="Health visitor",
            proposed=(f"Uncle {chr(ord('A') + proposing % 26)}",),
        )
        chronology.chronology_import(
            review=review, agency=agencies[0], rows=[row], actor=editor, by_command=True
        )
        proposing += 1
    made("reviews in sign-off with a disagreement", signing)
    made("people proposed by an agency", proposing)
    log(f"  {signing} reviews in sign-off with a disagreement, {proposing} people proposed")


def build_dhr_publications(wanted: int, target, editor, made, log=print) -> None:
    """The publication of signed-off Domestic Homicide Reviews (record_data.py leaves them out),
    through the services: started, a report uploaded that names the person of the case's
    referral (so the identifier check finds it), and a submission to the Home Office panel
    awaiting its letter (R34)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from safeguarding.publication import publishing
    from safeguarding.publication.models import CheckFinding, Publication
    from safeguarding.referrals.models import ReferralIdentity
    from safeguarding.reviews.models import Review
    from safeguarding.workspace.documents import pdf_bytes

    reviews = Review.objects.filter(
        partnership=target,
        stage=Review.Stage.SIGNED_OFF,
        kind=Review.Kind.DHR,
        publication__isnull=True,
    ).order_by("pk")
    started = 0
    for review in reviews:
        if started == wanted:
            break
        identity = (
            ReferralIdentity.objects.filter(referral__case_id=review.case_id).order_by("pk").first()
        )
        if identity is None:
            continue
        publication = publishing.publication_start(review=review, actor=editor)
        if not publication.review_type:  # the generated reviews have no tracks linked
            publication.review_type = "dhr"
            Publication.objects.filter(pk=publication.pk).update(review_type="dhr")
        name = f"{identity.first_name} {identity.last_name}"
        report = pdf_bytes(publication.title, [f"{name} was seen at home by the GP.", NOTE])
        publishing.publication_file_upload(
            publication=publication,
            actor=editor,
            uploaded=SimpleUploadedFile("report.pdf", report, "application/pdf"),
            title="The review report",
        )
        if not CheckFinding.objects.filter(file__publication=publication).exists():
            raise RuntimeError(f"the identifier check found nothing in {publication.pk}'s report")
        publishing.home_office_submit(
            publication=publication,
            actor=editor,
            submitted_on=timezone.localdate(),
            note="Report version 1",
        )
        started += 1
    made("DHR publications with a finding and a Home Office submission", started)
    log(f"  {started} DHR publications with a finding and a submission to the Home Office panel")


def build_shares(wanted: int, target, editor, made, log=print) -> None:
    """Cases shared between the target and its first neighbour (ADR 0022), through the share
    services: a neighbour's case offered to the target (waiting for its answer); a case of one
    of the target's reviews shared with the neighbour for the review (accepted: the review may
    ask the neighbour's agencies); and a neighbour's signed-off review, with its publication
    started, whose case is shared with the target for the publication (accepted: the target
    signs it off, R46). The neighbour's cases are created as the generator creates cases
    (directly: the neighbours have no referrals), its review as an import would
    (``review_create``, signed off)."""
    from safeguarding.accounts.models import Membership, Partnership, Role
    from safeguarding.publication import publishing
    from safeguarding.publication.models import Publication
    from safeguarding.referrals import share_services as shares
    from safeguarding.referrals.models import Case, CaseShare
    from safeguarding.reviews.models import Review
    from safeguarding.reviews.services import review_create

    neighbour = Partnership.objects.exclude(pk=target.pk).order_by("pk").first()
    their_unit = (
        Membership.objects.filter(partnership=neighbour, role=Role.BUSINESS_UNIT)
        .select_related("user")
        .order_by("pk")
        .first()
        .user
    )

    def their_case(number: int, kind: str) -> Case:
        return Case.objects.create(
            partnership=neighbour,
            reference=f"C2026-NB{kind}{number:03d}",
            pseudonym=f"Child NB{kind}{number}",
            status="decided",
            became_aware_on=target_day,
            created_by=their_unit,
            modified_by=their_unit,
        )

    def offer(case, partner, role, actor, review=False, publication=False) -> CaseShare:
        return shares.case_share_invite(
            case=case,
            partner=partner,
            role=role,
            decides_review_type="",
            grants_review=review,
            grants_publication=publication,
            note=NOTE,
            actor=actor,
        )

    from django.utils import timezone

    target_day = timezone.localdate()
    offered = joined = signing = 0
    for number in range(wanted):
        offer(
            their_case(number, "O"), target, CaseShare.Role.HOST_AUTHORITY, their_unit, review=True
        )
        offered += 1
    reviews = (
        Review.objects.filter(partnership=target, stage=Review.Stage.COMMISSIONING)
        .exclude(case__shares__isnull=False)
        .order_by("-pk")
    )
    for review in reviews[:wanted]:
        share = offer(review.case, neighbour, CaseShare.Role.PLACING_AUTHORITY, editor, review=True)
        shares.case_share_accept(share=share, actor=their_unit)
        joined += 1
    for number in range(wanted):
        case = their_case(number, "P")
        review = review_create(
            case=case,
            kind=Review.Kind.LCSPR,
            stage=Review.Stage.SIGNED_OFF,
            title=case.pseudonym,
            actor=their_unit,
            tracks=[],
        )
        publication = publishing.publication_start(review=review, actor=their_unit)
        Publication.objects.filter(pk=publication.pk).update(review_type="cspr")
        share = offer(case, target, CaseShare.Role.HOST_AUTHORITY, their_unit, publication=True)
        shares.case_share_accept(share=share, actor=editor)
        signing += 1
    made("cases offered to the target", offered)
    made("target reviews shared with a partner", joined)
    made("neighbour publications the target signs off", signing)
    log(
        f"  {offered} cases offered to the target, {joined} of its reviews shared with "
        f"{neighbour.name}, {signing} of {neighbour.name}'s publications for it to sign off"
    )
