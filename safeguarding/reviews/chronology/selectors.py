"""Reads for the merged chronology: the entries a user may see under the filters, a page of
them, and the light (day, agency, count) summary the timeline, the multi-agency days and the
gaps are worked out from; the pseudonyms an agency may use; the rows of a file already in the
chronology. Every read is a fixed number of queries, whatever the size. Archived rows (replaced
by a later file) are never part of the chronology."""

import datetime
import itertools
from collections import Counter
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from django.db import connections, router
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from safeguarding.accounts.models import Agency, Partnership
from safeguarding.core.compiled_sql import PK_PLACEHOLDER, CompiledQuery, set_prefetched

from ..models import (
    AgencyRequest,
    ChronologyEntry,
    ChronologyMonth,
    ChronologyUpload,
    Person,
    ProposedPerson,
    Review,
)
from ..permissions import agency_ids_for, can_view_identities, can_view_review
from ..selectors import review_in_scope
from . import timeline
from .parser import AllowedPseudonym, ChronologyRow

PAGE_SIZE = 50  # entries a page of the merged view; the timeline and exports have them all
DEFAULT_GAP_DAYS = 90


# Who sees which rows ---------------------------------------------------------------------------


def contributor_agency_ids(user, review: Review) -> set[int]:
    """The user's agencies that this review asked for a chronology (empty for other roles)."""
    mine = agency_ids_for(user, review.partnership)
    if not mine:
        return set()
    return set(
        AgencyRequest.objects.filter(
            review=review, agency_id__in=mine, kind=AgencyRequest.Kind.CHRONOLOGY
        ).values_list("agency_id", flat=True)
    )


@dataclass(frozen=True)
class Chronology:
    """A review's chronology as one user may read it: ``scope`` is None for every agency's
    rows (the review's readers), or the ids of the contributor's own agencies."""

    review: Review
    scope: set[int] | None


def chronology_get_for_user(*, user, partnership: Partnership, pk: int) -> Chronology:
    """The review's chronology for its readers (every agency's rows) and for contributors whose
    agency was asked for a chronology (their own rows); 404 for anyone else, whether or not the
    review exists (ADR 0010)."""
    # The chronology is one: a partnership the case is shared with by an accepted share
    # granting the review reads it too, every agency's rows (ADR 0022).
    review = review_in_scope(partnership=partnership, pk=pk, shared=True)
    if review is None:
        raise Http404("No such review")
    if can_view_review(user, review, partnership):
        return Chronology(review=review, scope=None)
    if review.partnership_id != partnership.pk:
        raise Http404("No such review")
    own = contributor_agency_ids(user, review)
    if not own:
        raise Http404("No such review")
    return Chronology(review=review, scope=own)


@dataclass(frozen=True)
class Filters:
    agency_id: int | None = None
    person_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    significance: str = ""
    gap_days: int = DEFAULT_GAP_DAYS

    def as_payload(self) -> dict:
        """For the audit trail (ids and dates only: never names)."""
        return {
            key: (value.isoformat() if isinstance(value, datetime.date) else value)
            for key, value in self.__dict__.items()
            if value not in (None, "") and key != "gap_days"
        }

    @property
    def active(self) -> bool:
        return bool(self.as_payload())


def entries(*, review: Review, scope: set[int] | None, filters: Filters) -> QuerySet:
    """The review's entries in time order; ``scope``: the agency ids the user may see (None:
    every agency)."""
    qs = ChronologyEntry.objects.filter(review=review).active()
    if scope is not None:
        qs = qs.filter(agency_id__in=scope)
    if filters.agency_id:
        qs = qs.filter(agency_id=filters.agency_id)
    if filters.person_id:
        qs = qs.filter(people=filters.person_id)
    if filters.date_from:
        qs = qs.filter(occurred_on__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(occurred_on__lte=filters.date_to)
    if filters.significance:
        qs = qs.filter(significance=filters.significance)
    return qs.order_by("occurred_on", "occurred_at", "id")


def _pending_proposals() -> QuerySet:
    return ProposedPerson.objects.filter(state=ProposedPerson.State.PROPOSED).order_by("pseudonym")


def entries_with_people(qs: QuerySet, *, personalised: bool) -> QuerySet:
    """The entries with their people and the names still waiting for the business unit
    (``pending_proposals``)."""
    people = Person.objects.order_by("pseudonym")
    if personalised:
        people = people.select_related("identity")
    return qs.select_related("agency").prefetch_related(
        Prefetch("people", queryset=people),
        Prefetch("proposed_people", queryset=_pending_proposals(), to_attr="pending_proposals"),
    )


# A page of the whole chronology (every agency's rows, no filter, pseudonyms) with the SQL built
# once (issue 16; ADRs 0038, 0045): the page's entries with their agency, the offset a
# parameter, then the page's people and the names proposed for it, each read by the page's ids
# (one statement per number of entries on the page, each id a parameter), as the prefetches
# gave them.
_ENTRY_PAGE = CompiledQuery(
    lambda review_id: (
        ChronologyEntry.objects.filter(review_id=review_id)
        .active()
        .select_related("agency")
        .order_by("occurred_on", "occurred_at", "id")
    ),
    {"review_id": (PK_PLACEHOLDER, Review._meta.pk)},
    page_size=PAGE_SIZE,
)
_ENTRY_PLACEHOLDER = -7_301_946_400  # the page's ids: this, less one for each next


class _ByEntries:
    """A read of the links of a page's entries (``build(ids)``), built once per number of
    entries on the page."""

    def __init__(self, build):
        self.build = build
        self._queries: dict[int, CompiledQuery] = {}

    def read(self, ids: list[int]) -> list:
        n = len(ids)
        if n not in self._queries:
            names = [f"e{i}" for i in range(n)]
            field = ChronologyEntry._meta.pk
            self._queries[n] = CompiledQuery(
                lambda **given: self.build([given[name] for name in names]),
                {name: (_ENTRY_PLACEHOLDER - i, field) for i, name in enumerate(names)},
            )
        return self._queries[n].read(**{f"e{i}": pk for i, pk in enumerate(ids)})


_PAGE_PEOPLE = _ByEntries(
    lambda ids: (
        ChronologyEntry.people.through.objects.filter(chronologyentry_id__in=ids)
        .select_related("person")
        .order_by("person__pseudonym")
    )  # as the prefetch's queryset
)
_PAGE_PROPOSALS = _ByEntries(
    lambda ids: (
        ChronologyEntry.proposed_people.through.objects.filter(
            chronologyentry_id__in=ids, proposedperson__state=ProposedPerson.State.PROPOSED
        )
        .select_related("proposedperson")
        .order_by("proposedperson__pseudonym")
    )  # as ``_pending_proposals``
)


class EntryPage:
    """The entries for a Paginator whose count is known (the summary's): a slice is
    ``entries_with_people(qs)[bounds]``, or with ``compiled`` (the whole chronology: no scope,
    no filter, pseudonyms) a page of at most ``PAGE_SIZE`` read with the SQL built once."""

    def __init__(self, qs: QuerySet, *, review: Review, personalised: bool, compiled: bool):
        self.qs, self.review, self.personalised = qs, review, personalised
        self.compiled = compiled and not personalised

    def __getitem__(self, bounds: slice) -> list[ChronologyEntry]:
        start, stop = bounds.start or 0, bounds.stop
        if stop <= start:
            return []  # an empty list: no query, as the ORM's empty slice
        if not self.compiled or stop - start > PAGE_SIZE:
            return list(entries_with_people(self.qs, personalised=self.personalised)[bounds])
        found = _ENTRY_PAGE.read(review_id=self.review.pk, offset=start)[: stop - start]
        if not found:
            return found
        ids = [entry.pk for entry in found]
        people: dict[int, list[Person]] = {}
        for link in _PAGE_PEOPLE.read(ids):
            people.setdefault(link.chronologyentry_id, []).append(link.person)
        proposals: dict[int, list[ProposedPerson]] = {}
        for link in _PAGE_PROPOSALS.read(ids):
            proposals.setdefault(link.chronologyentry_id, []).append(link.proposedperson)
        for entry in found:
            set_prefetched(entry, "people", Person, people.get(entry.pk, []))
            entry.pending_proposals = proposals.get(entry.pk, [])
        return found


def shows_proposed_names(user, review: Review, scope: set[int] | None) -> bool:
    """A proposed name is written as the agency wrote it, perhaps a real name: shown to the
    agency that wrote it (its own rows) and to those who may see real identities. Everyone else
    reads "awaiting confirmation"."""
    return scope is not None or can_view_identities(user, review.partnership)


def proposed_label(proposal: ProposedPerson, *, shown: bool) -> str:
    if shown:
        return f"{proposal.pseudonym} (proposed, awaiting confirmation)"
    return "A person awaiting confirmation"


@dataclass
class Summary:
    """What the timeline and the table marks need, from one grouped query (``groups``) or from
    the kept months (``months``, when the timeline is drawn by month: ``kept_summary``)."""

    groups: list[tuple[datetime.date, int, int]] = field(default_factory=list)  # day, agency, n
    months: "timeline.Months | None" = None
    total: int = 0
    multi_agency_days: AbstractSet[datetime.date] = field(default_factory=set)
    gaps: list["Gap"] = field(default_factory=list)
    first: datetime.date | None = None
    last: datetime.date | None = None


@dataclass(frozen=True)
class Gap:
    after: datetime.date  # the last day with a contact before the gap
    before: datetime.date  # the first day with a contact after it

    @property
    def days(self) -> int:
        """Days with no recorded contact between the two."""
        return (self.before - self.after).days - 1

    @property
    def starts(self) -> datetime.date:
        return self.after + datetime.timedelta(days=1)

    @property
    def ends(self) -> datetime.date:
        return self.before - datetime.timedelta(days=1)


def summary(qs: QuerySet, *, gap_days: int = DEFAULT_GAP_DAYS) -> Summary:
    """One grouped query: (day, agency, entries) under the filters, in day order. It is read
    from the ``chrono_timeline_live`` index alone, and through the cursor: with tens of
    thousands of groups the ORM's per-row conversion cost more than the query (issue 16)."""
    grouped = (
        qs.order_by()
        .values("occurred_on", "agency_id")
        .annotate(n=Count("id"))
        .order_by("occurred_on", "agency_id")
        .values_list("occurred_on", "agency_id", "n")
    )
    sql, params = grouped.query.get_compiler(using=grouped.db).as_sql()
    with connections[grouped.db].cursor() as cursor:
        cursor.execute(sql, params)
        # (date, agency id, count): SQLite's date columns come back as dates (Django's
        # sqlite3 converter), as PostgreSQL's do.
        groups: list[tuple[datetime.date, int, int]] = cursor.fetchall()
    result = Summary(groups=groups, total=sum(n for _, _, n in groups))
    agencies_on = Counter(day for day, _, _ in groups)
    result.multi_agency_days = {day for day, count in agencies_on.items() if count > 1}
    days = sorted(agencies_on)
    if days:
        result.first, result.last = days[0], days[-1]
    for earlier, later in itertools.pairwise(days):
        if (later - earlier).days - 1 > gap_days:
            result.gaps.append(Gap(earlier, later))
    return result


@dataclass
class KeptMonths:
    """The agencies with entries (by name) and the kept months of a review's chronology as
    one user may read it: (first of the month as a day number, agency id, entries, day bits)."""

    agencies: list[Agency]
    rows: list[tuple[int, int, int, int]]


def _kept_columns(kept: QuerySet) -> QuerySet:
    # The agencies in the database's order of names; the rows through the cursor (as summary).
    return kept.order_by("agency__name", "agency_id", "month").values_list(
        "agency_id", "agency__name", "month", "entries", "days"
    )


_KEPT_MONTHS = CompiledQuery(
    lambda review_id: _kept_columns(ChronologyMonth.objects.filter(review_id=review_id)),
    {"review_id": (PK_PLACEHOLDER, Review._meta.pk)},
)
_PEOPLE_IN_CASE = CompiledQuery(
    lambda case_id: Person.objects.active().filter(case_id=case_id).order_by("pseudonym"),
    {"case_id": (PK_PLACEHOLDER, Person._meta.get_field("case").target_field)},
)


def kept_months(*, review: Review, scope: set[int] | None) -> KeptMonths:
    """One query on the kept months (``ChronologyMonth``, ADR 0033) and their agencies: the
    agencies with entries for the filters, and what ``kept_summary`` draws a long timeline
    from, without reading the entries."""
    if scope is None:  # every agency: the SQL built once (issue 16)
        db = router.db_for_read(ChronologyMonth)
        found = _KEPT_MONTHS.rows(db, review_id=review.pk)
    else:
        if not scope:
            return KeptMonths(agencies=[], rows=[])
        columns = _kept_columns(ChronologyMonth.objects.filter(review=review, agency_id__in=scope))
        db = columns.db
        sql, params = columns.query.get_compiler(using=db).as_sql()
        with connections[db].cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
    agencies: list[Agency] = []
    rows = []
    last_id = None
    for agency_id, name, month, count, days in found:
        if agency_id != last_id:
            agencies.append(Agency.from_db(db, ["id", "name"], (agency_id, name)))
            last_id = agency_id
        rows.append((month.toordinal(), agency_id, count, days))
    return KeptMonths(agencies=agencies, rows=rows)


def kept_summary(
    kept: KeptMonths, *, filters: Filters, max_marks: int = timeline.MAX_MARKS
) -> Summary | None:
    """The summary from the kept months, when they can give it exactly and the timeline is
    drawn by month (more than ``max_marks`` marks by day and by week: a long chronology): no
    filter but the agency, which the kept months are kept by. None otherwise: the caller reads
    the groups (``summary``). The multi-agency days and the gaps come from the day bits."""
    if filters.person_id or filters.date_from or filters.date_to or filters.significance:
        return None
    rows = kept.rows
    if filters.agency_id:
        rows = [row for row in rows if row[1] == filters.agency_id]
    if not rows:
        return Summary()
    months = timeline.Months(rows)
    if months.unit(max_marks) != "month":
        return None
    result = Summary(months=months, total=months.total)
    result.multi_agency_days = months.multi_agency_days()
    result.first, result.last = months.first_and_last()
    result.gaps = [Gap(after, before) for after, before in months.gaps(filters.gap_days)]
    return result


def people_in_case(*, review: Review) -> list[Person]:
    """The people in the case a chronology row may name: not those removed from it."""
    return _PEOPLE_IN_CASE.read(case_id=review.case_id)


def allowed_pseudonyms(
    *, review: Review, people: list[Person] | None = None
) -> list[AllowedPseudonym]:
    """The pseudonyms an agency may use in "People involved": the people in the case, and the
    case's own pseudonym (its subject's), even before anyone is recorded in the case. Never an
    identity: the role in the case says who each one is."""
    if people is None:
        people = people_in_case(review=review)
    allowed = [
        AllowedPseudonym(person.pseudonym, person.get_role_in_case_display()) for person in people
    ]
    case_pseudonym = review.case.pseudonym.strip()
    if case_pseudonym and case_pseudonym.lower() not in {p.pseudonym.lower() for p in people}:
        allowed.insert(
            0, AllowedPseudonym(case_pseudonym, Person.RoleInCase.SUBJECT.label + " (the case)")
        )
    return allowed


#: Entries read from the database at a time by an export (a server-side cursor on PostgreSQL).
EXPORT_CHUNK = 2_000


def export_rows(qs: QuerySet, *, personalised: bool, show_proposed: bool = False) -> Iterator[dict]:
    """Every entry under the filters as plain dicts, people as display names (then the names
    proposed by the agency and not yet confirmed, see ``shows_proposed_names``): four queries
    whatever the number of rows. The entries are yielded as they are read, a chunk at a time,
    so an export of tens of thousands holds one chunk of entries in memory (and the people of
    every entry as ids); the queries run when the first row is asked for."""
    Through = ChronologyEntry.people.through
    people_of: dict[int, list[int]] = {}
    for entry_id, person_id in (
        Through.objects.filter(chronologyentry_id__in=qs.values("id"))
        .values_list("chronologyentry_id", "person_id")
        .iterator(chunk_size=EXPORT_CHUNK)
    ):
        people_of.setdefault(entry_id, []).append(person_id)
    names = {}
    if people_of:
        people = Person.objects.filter(
            pk__in=Through.objects.filter(chronologyentry_id__in=qs.values("id")).values(
                "person_id"
            )
        )
        if personalised:
            people = people.select_related("identity")
        for person in people:
            names[person.pk] = (person.pseudonym, person_label(person, personalised=personalised))
    proposals = ChronologyEntry.proposed_people.through.objects.filter(
        chronologyentry_id__in=qs.values("id"),
        proposedperson__state=ProposedPerson.State.PROPOSED,
    ).values_list("chronologyentry_id", "proposedperson__pseudonym")
    proposed_by_entry: dict[int, list[str]] = {}
    for entry_id, pseudonym in proposals.iterator(chunk_size=EXPORT_CHUNK):
        proposed_by_entry.setdefault(entry_id, []).append(pseudonym)
    rows = qs.values(
        "id",
        "occurred_on",
        "occurred_at",
        "date_is_approximate",
        "agency__name",
        "event",
        "source_record",
        "practitioner_role",
        "significance",
    )
    for row in rows.iterator(chunk_size=EXPORT_CHUNK):
        row["people"] = [
            label for _, label in sorted(names[pk] for pk in people_of.get(row["id"], ()))
        ]
        for pseudonym in sorted(proposed_by_entry.get(row["id"], [])):
            row["people"].append(
                proposed_label(ProposedPerson(pseudonym=pseudonym), shown=show_proposed)
            )
        yield row


def person_label(person: Person, *, personalised: bool) -> str:
    if personalised:
        identity = getattr(person, "identity", None) if _has_identity(person) else None
        if identity is not None and identity.full_name:
            return f"{identity.full_name} ({person.pseudonym})"
    return person.pseudonym


def _has_identity(person: Person) -> bool:
    try:
        person.identity  # noqa: B018
    except Person.identity.RelatedObjectDoesNotExist:
        return False
    return True


# Files and rows given again (issue 12 item 10) --------------------------------------------------


@dataclass
class Duplicates:
    """What a checked file repeats of one agency's chronology, before anything is saved."""

    rows_in_file: int
    repeated_rows: list[ChronologyRow]  # rows of the file already in the chronology
    same_file: ChronologyUpload | None  # this very file, imported before for this agency
    earlier_uploads: list[ChronologyUpload]  # files whose rows this one repeats
    repeated_by_hand: int  # rows entered one at a time that the file repeats
    rows_to_archive: int  # what "replace" would archive

    @property
    def found(self) -> bool:
        return bool(self.repeated_rows) or self.same_file is not None

    @property
    def new_rows(self) -> int:
        return self.rows_in_file - len(self.repeated_rows)


def duplicates_find(
    *, review: Review, agency: Agency, rows: list[ChronologyRow], content_hash: str = ""
) -> Duplicates:
    """The rows of ``rows`` already in the agency's chronology (by ``row_fingerprint``) and an
    earlier import of the same file (by its SHA-256). Three queries, whatever the size."""
    active = list(
        ChronologyEntry.objects.filter(review=review, agency=agency)
        .active()
        .values_list("fingerprint", "upload_id")
    )
    present = {fingerprint for fingerprint, _ in active}
    in_file = {row.fingerprint(agency.pk) for row in rows}
    repeated = [row for row in rows if row.fingerprint(agency.pk) in present]
    upload_ids = {
        upload_id
        for fingerprint, upload_id in active
        if upload_id is not None and fingerprint in in_file
    }
    same_file = None
    if content_hash:
        same_file = (
            ChronologyUpload.objects.filter(review=review, agency=agency, content_hash=content_hash)
            .select_related("uploaded_by", "replaced_by")
            .order_by("-uploaded_at", "-id")
            .first()
        )
        if same_file is not None and same_file.replaced_at is None:
            upload_ids.add(same_file.pk)
    earlier = list(
        ChronologyUpload.objects.filter(pk__in=upload_ids, replaced_at__isnull=True)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "id")
    )
    earlier_ids = {upload.pk for upload in earlier}
    by_hand = sum(
        1 for fingerprint, upload_id in active if upload_id is None and fingerprint in in_file
    )
    from_earlier = sum(1 for _, upload_id in active if upload_id in earlier_ids)
    return Duplicates(
        rows_in_file=len(rows),
        repeated_rows=repeated,
        same_file=same_file,
        earlier_uploads=earlier,
        repeated_by_hand=by_hand,
        rows_to_archive=from_earlier + by_hand,
    )


def upload_get(*, review: Review, scope: set[int] | None, pk: int) -> ChronologyUpload:
    """An imported file of the review, for a reader of its chronology: a contributor only
    their own agency's (404 otherwise, ADR 0010)."""
    qs = ChronologyUpload.objects.filter(review=review).exclude(file="")
    if scope is not None:
        qs = qs.filter(agency_id__in=scope)
    try:
        return qs.get(pk=pk)
    except ChronologyUpload.DoesNotExist:
        raise Http404("No such file") from None
