"""Reads for the list of cases and reviews (``/manage/<partnership>/cases/``) and the counts on
the staff home: one row per case with the reviews the user may read, searched by reference,
pseudonym, type, case status, review stage, agency, dates and overdue deadlines. Scoped like
``referrals.selectors.case_get_for_user`` and ``running.selectors.review_list_for_user``."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import router
from django.db.models import (
    Count,
    Exists,
    Field,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone

from safeguarding.accounts.models import Agency, Partnership, ReviewType
from safeguarding.accounts.permissions import is_business_unit, is_partner_lead
from safeguarding.clock.models import Milestone, subject_type_for
from safeguarding.core.compiled_sql import (
    PARTNERSHIP_PLACEHOLDER,
    PK_PLACEHOLDER,
    CompiledByIds,
    CompiledQuery,
    set_prefetched,
)
from safeguarding.core.pagination import CompiledList, paginate_in_one_query
from safeguarding.referrals.models import Case, CaseDue, CaseShare, Referral, Status, Track
from safeguarding.referrals.permissions import can_view_referrals
from safeguarding.referrals.share_selectors import case_visible_q, review_visible_q

from .models import AgencyRequest, Appointment, Review
from .running import selectors as running_selectors


@dataclass(frozen=True)
class CaseSearch:
    """What the list of cases and reviews is narrowed to; empty values do not narrow it."""

    text: str = ""  # a case, review or referral reference, or a pseudonym or review title
    review_type: str = ""  # CSPR, SAR or DHR (a track, a referral or a review of the case)
    case_status: str = ""
    review_stage: str = ""
    agency: Agency | None = None  # named on a referral, a review or an agency request
    aware_from: datetime.date | None = None
    aware_to: datetime.date | None = None
    overdue: bool = False  # a statutory deadline of the case or one of its reviews is overdue
    today: datetime.date | None = None  # for ``overdue``


REVIEW_KINDS_FOR_TYPE: dict[str, list[str]] = {
    ReviewType.CSPR: [Review.Kind.RAPID_REVIEW, Review.Kind.LCSPR],
    ReviewType.SAFEGUARDING_ADULTS_REVIEW: [Review.Kind.SAR],
    ReviewType.DHR: [Review.Kind.DHR],
}


def case_search_for_user(*, user, partnership: Partnership, search: CaseSearch) -> QuerySet[Case]:
    """The cases the user may see in the list of cases and reviews, newest first, each with
    ``visible_reviews`` (the reviews the user may read, prefetched) and ``review_types``.

    Scope (ADR 0010, the same as the scoped selectors): the business unit and partner leads see
    every case of the partnership (``case_get_for_user``) and every review
    (``review_list_for_user``); reviewers and panel members see only the cases of the reviews
    they are appointed to, with only those reviews. Nobody else sees any: ask
    ``permissions.can_list_cases`` first. Filters are ``Exists`` subqueries, so a case is one row
    however many reviews, referrals or agencies match, and the page's queries do not grow with
    the rows.
    """
    reviews = running_selectors.review_list_for_user(
        user=user, partnership=partnership, shared=True
    )
    cases = _cases_found(user=user, partnership=partnership, search=search, reviews=reviews)
    return cases.prefetch_related(
        Prefetch(
            "reviews", queryset=reviews.order_by("started_on", "id"), to_attr="visible_reviews"
        ),
        Prefetch("tracks", queryset=Track.objects.order_by("review_type")),
    ).order_by("-became_aware_on", "-id")


#: Cases on a page of the list of cases and reviews.
CASE_PAGE_SIZE = 25
# The list page's columns of a case (``workspace.rows.case_rows_html``) and of its reviews.
_CASE_COLUMNS = ("pk", "reference", "pseudonym", "status", "became_aware_on")
_REVIEW_COLUMNS = ("pk", "case_id", "reference", "kind", "stage")
_PARTNERSHIP_ID = {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)}
_USER_ID = {"user_id": (PK_PLACEHOLDER, Appointment._meta.get_field("user"))}


def _listed(partnership_id: int, user_id: int | None = None) -> QuerySet[Case]:
    """``_cases_found`` with an empty search, newest first, only the columns the list shows:
    ``user_id`` for a reviewer or panel member (the cases of the reviews they are appointed
    to), none for the business unit and partner leads (every case)."""
    partnership = Partnership(pk=partnership_id)
    cases = Case.objects.filter(case_visible_q(partnership))
    if user_id is not None:
        reviews = running_selectors.reviews_listed(partnership, shared=False, appointed=user_id)
        cases = cases.filter(Exists(reviews.filter(case=OuterRef("pk"))))
    return cases.only(*_CASE_COLUMNS).order_by("-became_aware_on", "-id")


# The unfiltered list a page at a time with its count in one query, then the page's reviews and
# tracks by the page's ids, each with the SQL built once (issue 16; ADRs 0040, 0048): building
# the list's three querysets and prefetching cost the page more than running them.
_EVERY_CASE_PAGES = CompiledList(
    lambda partnership_id: _listed(partnership_id),
    _PARTNERSHIP_ID,
    per_page=CASE_PAGE_SIZE,
    count_apart=True,
)
_APPOINTED_CASE_PAGES = CompiledList(
    _listed, {**_PARTNERSHIP_ID, **_USER_ID}, per_page=CASE_PAGE_SIZE, count_apart=True
)
_PAGE_REVIEWS = CompiledByIds(
    lambda ids, partnership_id, user_id=None: (
        running_selectors.reviews_listed(
            Partnership(pk=partnership_id), shared=user_id is None, appointed=user_id
        )
        .filter(case_id__in=ids)
        .select_related(None)
        .only(*_REVIEW_COLUMNS)
        .order_by("started_on", "id")  # as the prefetch's queryset
    ),
    Case._meta.pk,
    {**_PARTNERSHIP_ID, **_USER_ID},
)
_PAGE_TRACKS = CompiledByIds(
    lambda ids: (
        Track.objects.filter(case_id__in=ids)
        .only("pk", "case_id", "review_type")
        .order_by("review_type")
    ),
    Case._meta.pk,
)


def case_page_for_user(*, request, user, partnership: Partnership, search: CaseSearch):
    """The page ``?page=`` asks for of ``case_search_for_user`` (25 cases, with only the
    columns the list shows, each with ``visible_reviews`` and its ``tracks``) and its
    pagination links: the rows and the count of every row in one query
    (``paginate_in_one_query``), built once when nothing narrows the list, then the page's
    reviews and tracks in one query each (none for an empty page)."""
    sees_all = can_view_referrals(user, partnership)
    values: dict[str, Any] = {"partnership_id": partnership.pk}
    if not sees_all:
        values["user_id"] = user.pk
    if search == CaseSearch(today=search.today):
        pages = _EVERY_CASE_PAGES if sees_all else _APPOINTED_CASE_PAGES
        page, links = pages.page(request, **values)
    else:
        reviews = running_selectors.review_list_for_user(
            user=user, partnership=partnership, shared=True
        )
        found = _cases_found(user=user, partnership=partnership, search=search, reviews=reviews)
        page, links = paginate_in_one_query(
            request,
            found.only(*_CASE_COLUMNS).order_by("-became_aware_on", "-id"),
            per_page=CASE_PAGE_SIZE,
            count_apart=True,
        )
    cases = list(page.object_list)
    page.object_list = cases
    ids = [case.pk for case in cases]
    by_case: dict[int, list[Review]] = {pk: [] for pk in ids}
    for review in _PAGE_REVIEWS.read(ids, **values):
        by_case[review.case_id].append(review)
    tracks: dict[int, list[Track]] = {pk: [] for pk in ids}
    for track in _PAGE_TRACKS.read(ids):
        tracks[track.case_id].append(track)
    for case in cases:
        case.visible_reviews = by_case[case.pk]
        set_prefetched(case, "tracks", Track, tracks[case.pk])
    return page, links


def _cases_found(
    *, user, partnership: Partnership, search: CaseSearch, reviews: QuerySet[Review]
) -> QuerySet[Case]:
    """The cases of ``case_search_for_user``, unordered and without their reviews; ``reviews``:
    the reviews the user may read (``review_list_for_user(shared=True)``)."""
    # The partnership's cases and those shared with it by an accepted share (ADR 0022).
    cases = Case.objects.filter(case_visible_q(partnership))
    sees_cases = can_view_referrals(user, partnership)
    if not sees_cases:
        cases = cases.filter(Exists(reviews.filter(case=OuterRef("pk"))))
    review_of_case = reviews.filter(case=OuterRef("pk"))
    # Referrals stay with the partnership that holds the case: a shared case is not found by
    # them.
    referral_of_case = Referral.objects.filter(case=OuterRef("pk"), partnership=partnership)
    if search.text:
        text = search.text.strip()
        match = Q(reference__icontains=text) | Q(pseudonym__icontains=text)
        match |= Q(
            Exists(review_of_case.filter(Q(reference__icontains=text) | Q(title__icontains=text)))
        )
        if sees_cases:
            match |= Q(Exists(referral_of_case.filter(reference__icontains=text)))
        cases = cases.filter(match)
    if search.review_type:
        cases = cases.filter(
            Exists(Track.objects.filter(case=OuterRef("pk"), review_type=search.review_type))
            | Exists(referral_of_case.filter(review_type=search.review_type))
            | Exists(
                review_of_case.filter(kind__in=REVIEW_KINDS_FOR_TYPE.get(search.review_type, []))
            )
        )
    if search.case_status:
        cases = cases.filter(status=search.case_status)
    if search.review_stage:
        cases = cases.filter(Exists(review_of_case.filter(stage=search.review_stage)))
    if search.agency is not None:
        cases = cases.filter(
            Exists(referral_of_case.filter(agencies=search.agency))
            | Exists(review_of_case.filter(agencies=search.agency))
            | Exists(
                AgencyRequest.objects.filter(
                    review__in=reviews.filter(case=OuterRef(OuterRef("pk"))).values("pk"),
                    agency=search.agency,
                )
            )
        )
    if search.aware_from:
        cases = cases.filter(became_aware_on__gte=search.aware_from)
    if search.aware_to:
        cases = cases.filter(became_aware_on__lte=search.aware_to)
    if search.overdue:
        cases = cases.filter(_overdue(reviews, search.today or timezone.localdate()))
    return cases


def _overdue(reviews: QuerySet[Review], today: datetime.date) -> Q:
    """A due milestone of the case, or of one of its (visible) reviews, past its date. The
    list's filter; the staff home counts the same cases from their kept earliest due dates
    (``_overdue_counts``)."""
    # Read from the late milestones (a range of the ``milestone_overdue`` index), not case by
    # case (issue 16).
    late = Milestone.objects.filter(status=Milestone.Status.DUE, due_on__lt=today)
    of_case = late.filter(subject_type=subject_type_for(Case).pk).values("subject_id")
    late_reviews = late.filter(subject_type=subject_type_for(Review).pk).values("subject_id")
    of_review = reviews.filter(pk__in=late_reviews).values("case_id")
    return Q(pk__in=of_case) | Q(pk__in=of_review)


@dataclass(frozen=True)
class CaseCounts:
    """The counts on the staff home, each a link to the list filtered the same way."""

    in_screening: int
    awaiting_decision: int
    overdue_cases: int
    reviews_by_stage: list[tuple[str, str, int]]  # (stage, label, count), stages with reviews


def case_counts_for_user(*, user, partnership: Partnership, today: datetime.date) -> CaseCounts:
    """In two aggregate queries, whatever the number of cases and reviews: the cases' (by
    status, and those with an overdue deadline, as ``CaseSearch(overdue=True)`` finds them) and
    the reviews' by stage. Case statuses count only for readers of cases; reviewers and panel
    members get their own cases' counts.

    Every staff home reads them, so their SQL is built once per shape of scope (ADR 0038):
    building the two querysets cost several times running them (issue 16)."""
    sees_all = is_business_unit(user, partnership) or is_partner_lead(user, partnership)
    sees_cases = can_view_referrals(user, partnership)
    cases_query, stages_query = _counts_queries(sees_all=sees_all, sees_cases=sees_cases)
    values = {"partnership_id": partnership.pk}
    if not sees_all:
        values["user_id"] = user.pk
    alias = router.db_for_read(Case)
    (counts,) = cases_query.rows(
        alias,
        **values,
        today=today,
        review_type=subject_type_for(Review).pk,
    )
    in_screening, awaiting_decision, in_screening_here, awaiting_here, *overdue = counts
    by_stage = dict(stages_query.rows(alias, **values))
    return CaseCounts(
        in_screening=(in_screening or 0) + (in_screening_here or 0),
        awaiting_decision=(awaiting_decision or 0) + (awaiting_here or 0),
        overdue_cases=sum(n or 0 for n in overdue),
        reviews_by_stage=[
            (stage.value, stage.label, by_stage[stage.value])
            for stage in Review.Stage
            if by_stage.get(stage.value)
        ],
    )


# Values no real row has, standing for the real ones while the counts' SQL is built.
_PARTNERSHIP_PLACEHOLDER = -7_301_946_289
_USER_PLACEHOLDER = -7_301_946_291
_TODAY_PLACEHOLDER = datetime.date(1901, 2, 3)
_REVIEW_TYPE_PLACEHOLDER = -7_301_946_293
_COUNTS_QUERIES: dict[tuple[bool, bool], tuple[CompiledQuery, CompiledQuery]] = {}


def _counts_queries(*, sees_all: bool, sees_cases: bool) -> tuple[CompiledQuery, CompiledQuery]:
    """The counts' two queries for one shape of scope, built once: the reviews the user may
    read as ``review_list_for_user(shared=True)`` and the cases as ``_cases_found`` with an
    empty search."""
    key = (sees_all, sees_cases)
    if key not in _COUNTS_QUERIES:

        def reviews_for(partnership_id: int, user_id: int | None) -> QuerySet[Review]:
            partnership = Partnership(pk=partnership_id)
            scope = review_visible_q(partnership) if sees_all else Q(partnership=partnership)
            reviews = Review.objects.filter(scope, archived_at__isnull=True)
            if not sees_all:
                reviews = reviews.filter(
                    Exists(Appointment.objects.active().filter(review=OuterRef("pk"), user=user_id))
                )
            return reviews

        def cases(
            partnership_id: int,
            today: datetime.date,
            review_type: int,
            user_id: int | None = None,
        ):
            reviews = reviews_for(partnership_id, user_id)
            found = Case.objects.filter(case_visible_q(Partnership(pk=partnership_id)))
            if not sees_cases:
                found = found.filter(Exists(reviews.filter(case=OuterRef("pk"))))
            # Only the cases the status counts can take, never every case the years leave
            # decided (issue 16: 7,800 cases at ten years, 240 open). For readers of cases, the
            # partnership's own in each status are counted from ``case_partnership_status``
            # alone, and only those shared with it are read; for the others, the partnership's
            # in screening or awaiting a decision and those shared with it are read by id.
            shared_here = CaseShare.objects.filter(
                partner=partnership_id, state=CaseShare.State.ACCEPTED
            ).values("case_id")
            own: dict[str, Any] = {}
            if sees_cases:
                read = Q(pk__in=shared_here)
                for name, status in (
                    ("in_screening_here", Status.IN_SCREENING),
                    ("awaiting_decision_here", Status.AWAITING_DECISION),
                ):
                    own[name] = _counted(
                        Case.objects.filter(partnership=partnership_id, status=status)
                    )
                found_read = found.filter(read).exclude(partnership=partnership_id)
            else:
                open_here = Case.objects.filter(
                    partnership=partnership_id,
                    status__in=[Status.IN_SCREENING, Status.AWAITING_DECISION],
                ).values("pk")
                found_read = found.filter(Q(pk__in=open_here) | Q(pk__in=shared_here))
                own = {
                    "in_screening_here": Value(0, IntegerField()),
                    "awaiting_decision_here": Value(0, IntegerField()),
                }
            return _aggregated(
                found_read.order_by(),
                in_screening=Count("id", filter=Q(status=Status.IN_SCREENING)),
                awaiting_decision=Count("id", filter=Q(status=Status.AWAITING_DECISION)),
                **own,
                **_overdue_counts(
                    found, reviews, partnership_id, today, review_type, sees_cases=sees_cases
                ),
            )

        def stages(partnership_id: int, user_id: int | None = None):
            return (
                reviews_for(partnership_id, user_id)
                .order_by()
                .values("stage")
                .annotate(n=Count("id"))
                .values_list("stage", "n")
            )

        subject_type = Milestone._meta.get_field("subject_type")
        placeholders: dict[str, tuple[Any, Field]] = {
            "partnership_id": (_PARTNERSHIP_PLACEHOLDER, Case._meta.get_field("partnership"))
        }
        if not sees_all:
            placeholders["user_id"] = (_USER_PLACEHOLDER, Appointment._meta.get_field("user"))
        _COUNTS_QUERIES[key] = (
            CompiledQuery(
                cases,
                {
                    **placeholders,
                    "today": (_TODAY_PLACEHOLDER, Milestone._meta.get_field("due_on")),
                    # The content types are ids in the database: the SQL keeps none.
                    "review_type": (_REVIEW_TYPE_PLACEHOLDER, subject_type),
                },
            ),
            CompiledQuery(stages, placeholders),
        )
    return _COUNTS_QUERIES[key]


def _overdue_counts(
    found: QuerySet[Case],
    reviews: QuerySet[Review],
    partnership_id: int,
    today: datetime.date,
    review_type: int,
    *,
    sees_cases: bool,
) -> dict[str, Subquery | Value]:
    """The overdue cases among ``found`` (the cases the user may see), as ``_overdue`` finds
    them, counted in one or two columns to add up.

    A case's own milestones are read from their earliest due date kept per case
    (``CaseDue``, migration referrals 0028), not from every late milestone. For readers of
    cases (every case of the partnership and those shared with it), the partnership's own
    overdue cases are a range of ``case_due_overdue`` counted from the index alone; the second
    column counts the others: those shared with it and those late only through a review
    (issue 16: 1,004 overdue cases of ten years' data, each read through its milestones and its
    row, took 5-9 ms against 1 in a first year)."""
    kept_late = CaseDue.objects.filter(due_from__lt=today)
    late_reviews = Milestone.objects.filter(
        status=Milestone.Status.DUE, due_on__lt=today, subject_type=review_type
    ).values("subject_id")
    late_by_review = Q(pk__in=reviews.filter(pk__in=late_reviews).values("case_id"))
    if not sees_cases:
        overdue = Q(pk__in=kept_late.values("case_id")) | late_by_review
        return {
            "overdue_here": Value(0, IntegerField()),
            "overdue_others": _counted(found.filter(overdue)),
        }
    own_late = kept_late.filter(partnership=partnership_id)
    shared_late = kept_late.filter(
        case__in=CaseShare.objects.filter(
            partner=partnership_id, state=CaseShare.State.ACCEPTED
        ).values("case_id")
    )
    others = found.filter(Q(pk__in=shared_late.values("case_id")) | late_by_review).exclude(
        pk__in=own_late.values("case_id")
    )
    return {"overdue_here": _counted(own_late), "overdue_others": _counted(others)}


def _counted(records: QuerySet) -> Subquery:
    """``records.count()`` as a column of another query."""
    return Subquery(
        records.order_by().annotate(n=Func(Value(1), function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


def _aggregated(queryset: QuerySet, **aggregates) -> QuerySet:
    """A queryset whose SQL is ``queryset.aggregate(**aggregates)``'s (one row, no grouping),
    for ``CompiledQuery``: ``aggregate()`` runs at once and gives no queryset to build from."""
    query = queryset.query.chain()
    for alias, aggregate in aggregates.items():
        query.add_annotation(aggregate, alias, select=True)
    query.default_cols = False
    aggregated = queryset.all()
    aggregated.query = query
    return aggregated
