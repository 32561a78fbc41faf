"""Reads for the review pages, scoped to one partnership (and, for reviewers and panel members,
to the reviews they are appointed to)."""

import datetime
from dataclasses import dataclass

from django.db import router
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from safeguarding.accounts.models import Partnership
from safeguarding.accounts.permissions import is_business_unit, is_partner_lead
from safeguarding.audit.models import AuditEvent
from safeguarding.clock.models import Milestone, subject_type_for
from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER, PK_PLACEHOLDER, CompiledQuery
from safeguarding.core.pagination import CompiledList
from safeguarding.referrals.models import Case, Decision, Track
from safeguarding.referrals.share_selectors import review_visible_q

from .. import workflow
from ..models import (
    Appointment,
    ChronologyEntry,
    DocumentVersion,
    FamilyContact,
    Meeting,
    Person,
    PersonIdentity,
    ProposedPerson,
    Review,
    ReviewDisagreement,
    ReviewDocument,
)


def review_list_for_user(
    *, user, partnership: Partnership, shared: bool = False
) -> QuerySet[Review]:
    """Every review for the business unit and partner leads; otherwise only the reviews the
    user is appointed to. Archived reviews (records/retention.py) are not listed.
    ``shared``: with the business unit and partner leads, also the reviews of cases shared with
    the partnership by an accepted share granting the review (ADR 0022), for the lists that
    link to the review's own pages."""
    sees_all = is_business_unit(user, partnership) or is_partner_lead(user, partnership)
    return reviews_listed(
        partnership, shared=shared and sees_all, appointed=None if sees_all else user.pk
    )


def reviews_listed(
    partnership: Partnership, *, shared: bool, appointed: int | None
) -> QuerySet[Review]:
    """The reviews ``review_list_for_user`` lists: ``shared`` with those of cases shared with
    the partnership, ``appointed`` (a user's id) only those the user is appointed to."""
    scope = review_visible_q(partnership) if shared else Q(partnership=partnership)
    reviews = Review.objects.filter(scope, archived_at__isnull=True).select_related("case")
    if appointed is not None:
        reviews = reviews.filter(
            Exists(Appointment.objects.active().filter(review=OuterRef("pk"), user_id=appointed))
        )
    return reviews.order_by("-started_on", "-id")


# The list of reviews, a page at a time with its count in one query, the SQL built once per
# shape (issue 16): the business unit's and partner leads' (with the shared cases' reviews),
# and a reviewer's or panel member's (the reviews they are appointed to).
_PARTNERSHIP_ID = {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)}
_EVERY_REVIEW_PAGES = CompiledList(
    lambda partnership_id: reviews_listed(
        Partnership(pk=partnership_id), shared=True, appointed=None
    ),
    _PARTNERSHIP_ID,
    # Counted apart, the page read in order from ``review_list_order`` (issue 16).
    count_apart=True,
)
_APPOINTED_REVIEW_PAGES = CompiledList(
    lambda partnership_id, user_id: reviews_listed(
        Partnership(pk=partnership_id), shared=False, appointed=user_id
    ),
    {**_PARTNERSHIP_ID, "user_id": (PK_PLACEHOLDER, Appointment._meta.get_field("user"))},
)

#: The newest reviews the staff home lists for someone who is not the business unit (issue 16).
HOME_REVIEWS = 20


def _home_reviews(partnership_id: int, appointed: int | None) -> QuerySet[Review]:
    """``review_list_for_user``'s first ``HOME_REVIEWS``, only the columns the home shows (a
    review row is mostly long text, and its case is not shown)."""
    return (
        reviews_listed(Partnership(pk=partnership_id), shared=False, appointed=appointed)
        .select_related(None)
        .only("pk", "reference", "title", "kind", "stage")[:HOME_REVIEWS]
    )


# Read on every sign-in of a partner lead, panel member or reviewer: SQL built once per shape.
_HOME_EVERY_REVIEW = CompiledQuery(
    lambda partnership_id: _home_reviews(partnership_id, None), _PARTNERSHIP_ID
)
_HOME_APPOINTED_REVIEWS = CompiledQuery(
    lambda partnership_id, user_id: _home_reviews(partnership_id, user_id),
    {**_PARTNERSHIP_ID, "user_id": (PK_PLACEHOLDER, Appointment._meta.get_field("user"))},
)


def review_list_for_home(*, user, partnership: Partnership) -> list[Review]:
    """The first ``HOME_REVIEWS`` of ``review_list_for_user`` (newest first), with only their
    reference, title, kind and stage."""
    if is_business_unit(user, partnership) or is_partner_lead(user, partnership):
        return _HOME_EVERY_REVIEW.read(partnership_id=partnership.pk)
    return _HOME_APPOINTED_REVIEWS.read(partnership_id=partnership.pk, user_id=user.pk)


def review_page_for_user(*, request, user, partnership: Partnership):
    """The page ``?page=`` asks for of ``review_list_for_user(shared=True)`` and its pagination
    links, as ``paginate_in_one_query`` reads it (issue 16)."""
    if is_business_unit(user, partnership) or is_partner_lead(user, partnership):
        return _EVERY_REVIEW_PAGES.page(request, partnership_id=partnership.pk)
    return _APPOINTED_REVIEW_PAGES.page(request, partnership_id=partnership.pk, user_id=user.pk)


# Asked on the case page: SQL built once (issue 16, core.compiled_sql).
_COMMISSIONABLE = CompiledQuery(
    lambda case_id: (
        Track.objects.filter(
            case_id=case_id,
            decision__state=Decision.State.FINAL,
            decision__outcome__in=list(workflow.REVIEW_KIND_FOR_OUTCOME),
        )
        .exclude(reviews__kind__in=[k for k in Review.Kind.values if k != "rapid_review"])
        .select_related("decision")
        .distinct()
    ),
    {"case_id": (PK_PLACEHOLDER, Case._meta.pk)},
)


_REVIEW_TRACKS = CompiledQuery(
    lambda review_id: Track.objects.filter(reviews=review_id),
    {"review_id": (PK_PLACEHOLDER, Review._meta.pk)},
)


def review_tracks(*, review: Review) -> list[Track]:
    """``review.tracks.all()`` (the review page), from SQL built once (issue 16)."""
    return _REVIEW_TRACKS.read(review_id=review.pk)


def commissionable_tracks(*, case: Case) -> list[Track]:
    """The case's tracks whose final decision calls for a review that has not started yet."""
    return _COMMISSIONABLE.read(case_id=case.pk)


def people_for_review(*, review: Review, archived: bool | None = False) -> QuerySet[Person]:
    """The case's people (with ``archived`` True, those removed from it; None, everyone), with
    whether a real identity is held (never the identity itself)."""
    people = Person.objects.filter(case_id=review.case_id)
    if archived is None:
        people = people.select_related("archived_by")
    elif archived:
        people = people.archived().select_related("archived_by")
    else:
        people = people.active()
    return people.annotate(
        has_identity=Exists(PersonIdentity.objects.filter(person=OuterRef("pk")))
    )


# A review (or case) id no row has, standing for the real one while a record's SQL is built.
_OWNER_PLACEHOLDER = -7_301_946_291


def _record_of(records, owner: str) -> CompiledQuery:
    """One record by id under its review (or case), as ``records().get(<owner>=..., pk=...)``
    finds it, with the SQL built once (ADR 0038): the record pages of a review read one."""
    model = records().model
    return CompiledQuery(
        lambda owner_id, pk: records().filter(**{owner: owner_id, "pk": pk}).order_by(),
        {
            "owner_id": (_OWNER_PLACEHOLDER, model._meta.get_field(owner).target_field),
            "pk": (PK_PLACEHOLDER, model._meta.pk),
        },
    )


_PERSON = _record_of(lambda: Person.objects.all(), "case_id")
_APPOINTMENT = _record_of(lambda: Appointment.objects.select_related("review"), "review_id")
_MEETING = _record_of(lambda: Meeting.objects.select_related("review", "recorded_by"), "review_id")
_FAMILY_CONTACT = _record_of(
    lambda: FamilyContact.objects.select_related("review", "person"), "review_id"
)


def _one(query: CompiledQuery, owner_id, pk: int, missing: str):
    found = query.objects(
        router.db_for_read(query.placeholders["pk"][1].model), owner_id=owner_id, pk=pk
    )
    if len(found) != 1:
        raise Http404(missing)
    return found[0]


def person_get(*, review: Review, pk: int) -> Person:
    return _one(_PERSON, review.case_id, pk, "No such person")


def appointment_get(*, review: Review, pk: int) -> Appointment:
    return _one(_APPOINTMENT, review.pk, pk, "No such appointment")


def meeting_get(*, review: Review, pk: int) -> Meeting:
    return _one(_MEETING, review.pk, pk, "No such meeting")


def family_contact_get(*, review: Review, pk: int) -> FamilyContact:
    return _one(_FAMILY_CONTACT, review.pk, pk, "No such contact")


@dataclass(frozen=True)
class HistoryLine:
    """One line of a record's history: when, who, what they did and, for a change, which
    details changed (by their labels: never the values, which may be real identities), or the
    reason given for removing it."""

    at: datetime.datetime
    who: str
    what: str
    changed: str = ""
    reason: str = ""


# Labels of the fields named in history lines, where the field's own name would not read well.
HISTORY_FIELD_LABELS = {
    "held_on": "date",
    "starts_at": "start time",
    "ends_at": "end time",
    "user": "account",
    "role_in_case": "role in the case",
    "happened_on": "date",
    "consent_to_quote": "consent to quote",
    "full_name": "full name",
    "date_of_birth": "date of birth",
    "follow_ups": "follow-ups",
    "appointed_on": "date appointed",
}


def _history(object_type: str, object_id: str, limit: int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id).order_by(
        "-occurred_at", "-id"
    )[:limit]


_HISTORY_LIMIT = 20
# The history of a record page, with the SQL built once (ADR 0038); two strings no event has
# stand for the record's type and id while it is built.
_HISTORY = CompiledQuery(
    lambda object_type, object_id: _history(object_type, object_id, _HISTORY_LIMIT),
    {
        "object_type": ("\x00record type\x00", AuditEvent._meta.get_field("object_type")),
        "object_id": ("\x00record id\x00", AuditEvent._meta.get_field("object_id")),
    },
)


def record_history(*, record, limit: int = _HISTORY_LIMIT) -> list[HistoryLine]:
    """The newest ``limit`` audit events about ``record`` (a person, appointment, meeting or
    family contact), as lines to show on its page: who did what, when."""
    if limit == _HISTORY_LIMIT:
        events = _HISTORY.objects(
            router.db_for_read(AuditEvent),
            object_type=record._meta.label_lower,
            object_id=str(record.pk),
        )
    else:
        events = list(_history(record._meta.label_lower, str(record.pk), limit))
    return [
        HistoryLine(
            at=event.occurred_at,
            who=event.actor_label or "The service",
            what=event.action_label,
            changed=", ".join(
                HISTORY_FIELD_LABELS.get(name, name.replace("_", " "))
                for name in event.payload.get("fields") or []
            ),
            reason=event.payload.get("reason") or "",
        )
        for event in events
    ]


def person_identity_held(*, person: Person) -> bool:
    """Whether a real identity is held for ``person`` (without reading it)."""
    return PersonIdentity.objects.filter(person=person).exists()


def proposals_for_review(*, review: Review) -> list[ProposedPerson]:
    """The people agencies' chronologies proposed for the review, with how many of its rows
    name each (``rows``), waiting ones first. One query."""
    return _PROPOSALS.objects(router.db_for_read(ProposedPerson), review_id=review.pk)


# The people page's proposals, with the SQL built once (ADR 0038; issue 16).
_PROPOSALS = CompiledQuery(
    lambda review_id: (
        ProposedPerson.objects.filter(review_id=review_id)
        .select_related("agency", "person", "decided_by")
        .annotate(rows=Count("entries", filter=Q(entries__archived_at__isnull=True)))
        .order_by("decided_at", "proposed_at", "id")
    ),
    {"review_id": (_OWNER_PLACEHOLDER, Review._meta.pk)},
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
        "appointments": list(review.appointments.active()),
        "people": list(review.case.people.active()),
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


# Disagreements with a review's sign-off (ADR 0012) -----------------------------------------------


def review_disagreements(*, review: Review) -> list[ReviewDisagreement]:
    """Every disagreement with the review's sign-off, in every round, oldest first (``review``
    already read through review_get_for_user)."""
    return list(
        ReviewDisagreement.objects.filter(review=review)
        .select_related("user", "resolution_recorded_by")
        .order_by("raised_at", "id")
    )


def review_disagreement_get(*, review: Review, pk: int) -> ReviewDisagreement:
    """One disagreement with ``review``'s sign-off (already read through
    review_get_for_user); 404 for one of another review."""
    try:
        return ReviewDisagreement.objects.select_related("user").get(review=review, pk=pk)
    except ReviewDisagreement.DoesNotExist:
        raise Http404("No such disagreement") from None


_DISAGREEMENTS_OPEN = CompiledQuery(
    lambda partnership_id: (
        ReviewDisagreement.objects.filter(review__partnership=partnership_id, resolution="")
        .select_related("review")
        .order_by("raised_at", "id")
    ),
    _PARTNERSHIP_ID,
)


def review_disagreements_open(*, partnership: Partnership) -> list[ReviewDisagreement]:
    """The partnership's disagreements with a review's sign-off that the business unit has
    still to resolve, oldest first. One query (the staff home's: SQL built once, issue 16)."""
    return _DISAGREEMENTS_OPEN.read(partnership_id=partnership.pk)
