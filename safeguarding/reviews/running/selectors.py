"""Reads for the review pages, scoped to one partnership (and, for reviewers and panel members,
to the reviews they are appointed to)."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from safeguarding.accounts.models import Partnership
from safeguarding.accounts.permissions import is_business_unit, is_partner_lead
from safeguarding.clock.models import Milestone, subject_type_for
from safeguarding.referrals.models import Case, Decision, Track

from .. import workflow
from ..models import (
    Appointment,
    ChronologyEntry,
    DocumentVersion,
    Person,
    PersonIdentity,
    ProposedPerson,
    Review,
    ReviewDocument,
)


def review_list_for_user(*, user, partnership: Partnership) -> QuerySet[Review]:
    """Every review for the business unit and partner leads; otherwise only the reviews the
    user is appointed to."""
    reviews = Review.objects.filter(partnership=partnership).select_related("case")
    if not (is_business_unit(user, partnership) or is_partner_lead(user, partnership)):
        reviews = reviews.filter(
            Exists(Appointment.objects.filter(review=OuterRef("pk"), user=user))
        )
    return reviews.order_by("-started_on", "-id")


def commissionable_tracks(*, case: Case) -> list[Track]:
    """The case's tracks whose final decision calls for a review that has not started yet."""
    tracks = (
        Track.objects.filter(
            case=case,
            decision__state=Decision.State.FINAL,
            decision__outcome__in=list(workflow.REVIEW_KIND_FOR_OUTCOME),
        )
        .exclude(reviews__kind__in=[k for k in Review.Kind.values if k != "rapid_review"])
        .select_related("decision")
        .distinct()
    )
    return list(tracks)


def people_for_review(*, review: Review) -> QuerySet[Person]:
    """The case's people, with whether a real identity is held (never the identity itself)."""
    return Person.objects.filter(case_id=review.case_id).annotate(
        has_identity=Exists(PersonIdentity.objects.filter(person=OuterRef("pk")))
    )


def person_get(*, review: Review, pk: int) -> Person:
    try:
        return Person.objects.get(case_id=review.case_id, pk=pk)
    except Person.DoesNotExist:
        raise Http404("No such person") from None


def proposals_for_review(*, review: Review) -> list[ProposedPerson]:
    """The people agencies' chronologies proposed for the review, with how many of its rows
    name each (``rows``), waiting ones first. One query."""
    return list(
        ProposedPerson.objects.filter(review=review)
        .select_related("agency", "person", "decided_by")
        .annotate(rows=Count("entries", filter=Q(entries__archived_at__isnull=True)))
        .order_by("decided_at", "proposed_at", "id")
    )


def proposal_get(*, review: Review, pk: int) -> ProposedPerson:
    try:
        return ProposedPerson.objects.select_related("agency", "proposed_by", "person").get(
            review=review, pk=pk
        )
    except ProposedPerson.DoesNotExist:
        raise Http404("No such proposed person") from None


def proposal_rows(*, proposal: ProposedPerson, limit: int = 20) -> list[ChronologyEntry]:
    """The chronology rows that name a proposed person, for the business unit to judge who it
    is (the first ``limit``, in time order)."""
    return list(
        proposal.entries.filter(archived_at__isnull=True)
        .select_related("agency")
        .order_by("occurred_on", "occurred_at", "id")[:limit]
    )


def person_identity_get(*, person: Person) -> PersonIdentity | None:
    return PersonIdentity.objects.filter(person=person).first()


def documents_for_review(*, review: Review) -> list[ReviewDocument]:
    return list(
        review.documents.prefetch_related(
            Prefetch(
                "versions",
                queryset=DocumentVersion.objects.select_related("uploaded_by").order_by("-version"),
            )
        )
    )


def document_get(*, review: Review, pk: int) -> ReviewDocument:
    try:
        return review.documents.get(pk=pk)
    except ReviewDocument.DoesNotExist:
        raise Http404("No such document") from None


def document_version_get(*, review: Review, pk: int) -> DocumentVersion:
    try:
        return DocumentVersion.objects.select_related("document").get(
            document__review=review, pk=pk
        )
    except DocumentVersion.DoesNotExist:
        raise Http404("No such document") from None


def terms_facts(*, review: Review) -> dict:
    """What the terms of reference show besides the review's own fields."""
    return {
        "tracks": list(review.tracks.all()),
        "agencies": list(review.agencies.all()),
        "appointments": list(review.appointments.all()),
        "people": list(review.case.people.all()),
    }


# R13: the progress check of a local review (rule lcspr-progress-check, the partnership's interval).
PROGRESS_CHECK_RULE = "lcspr-progress-check"


def progress_check_open(*, review: Review) -> Milestone | None:
    """The progress check due (or paused) for the review's case, if any (R13)."""
    return (
        Milestone.objects.select_related("rule")
        .filter(
            subject_type=subject_type_for(review.case),
            subject_id=review.case_id,
            rule__code=PROGRESS_CHECK_RULE,
            status__in=[Milestone.Status.DUE, Milestone.Status.PAUSED],
        )
        .first()
    )
