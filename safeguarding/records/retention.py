"""Applying the retention schedule (``retention_schedule.py``): what is due, and doing it.

Run every day by the daily run (``settings.DAILY_JOBS``, called from clock/tasks.py after the
reminders) and by ``manage.py apply_retention [--dry-run]``. Each batch of records is archived,
deleted or anonymised in its own transaction with its audit event, which lists the ids.

**When a case closes, and when it is kept.** A case is open, and the schedule touches nothing
of it, while:

- a retention hold is in place (``RetentionHold``: an inquest, a trial, a claim, an inquiry);
- it is still being screened or decided;
- a final decision calls for a review that has not been commissioned;
- a review of it is running (a rapid review until it is sent to the National Panel, any other
  review until it is signed off);
- a signed-off review is not yet published, or was published less than 12 months ago (R16,
  R35: a report stays public for at least a year).

Otherwise it closed on the latest of: its decisions, its reviews' sign-off or submission to the
Panel, the end of its publications' 12 public months, their withdrawal. The periods of the
case's record types count from that day.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from safeguarding.accounts.models import Invitation, Partnership
from safeguarding.audit.models import AuditEvent
from safeguarding.audit.services import audit_record
from safeguarding.clock.models import Milestone
from safeguarding.core.calendar import add_calendar_months
from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER, CompiledQuery, aggregating
from safeguarding.core.models import RateLimitHit
from safeguarding.digests.models import Subscriber
from safeguarding.notifications.models import Notification
from safeguarding.publication.models import Publication
from safeguarding.referrals.models import Case, Referral, ReferralIdentity, Status, Track
from safeguarding.reviews.models import (
    AgencyReturn,
    ChronologyEntry,
    ChronologyUpload,
    FamilyContact,
    PersonIdentity,
    Review,
)
from safeguarding.reviews.workflow import REVIEW_KIND_FOR_OUTCOME

from .models import RetentionHold, RetentionSetting
from .retention_schedule import SCHEDULE, Action, RecordType

logger = logging.getLogger(__name__)

BATCH = 200  # records per transaction and audit event
PUBLIC_MONTHS = 12  # R16, R35
AUDIT_ACTIONS = {
    Action.DELETE: "retention.records_deleted",
    Action.ARCHIVE: "retention.records_archived",
    Action.ANONYMISE: "retention.identities_removed",
}
CASE_RULES = (
    "closed_cases",
    "case_identities",
    "agency_returns",
    "chronology_entries",
    "family_contacts",
)


# Periods ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    record_type: RecordType
    amount: int  # months, or days for the service's rules
    enabled: bool
    changed: bool  # the partnership set its own

    @property
    def label(self) -> str:
        return self.record_type.period_label(self.amount)


def periods_for(partnership: Partnership | None) -> dict[str, Period]:
    """Every record type's period for a partnership (its own where it set one), or the
    defaults (``None``: the service's records and events of no partnership)."""
    own = (
        {s.record_type: s for s in RetentionSetting.objects.filter(partnership=partnership)}
        if partnership is not None
        else {}
    )
    periods = {}
    for record_type in SCHEDULE:
        setting = own.get(record_type.key) if record_type.configurable else None
        periods[record_type.key] = Period(
            record_type=record_type,
            amount=setting.months if setting else record_type.default_amount,
            enabled=setting.enabled if setting else True,
            changed=setting is not None,
        )
    return periods


def _start_of_day_after(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    )


def _local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment is not None else None


# When a case closes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseState:
    closed_on: datetime.date | None  # None while the case is open
    kept_because: str = ""  # why the schedule leaves it alone ("" when it may act)


def cases_with_history(queryset: models.QuerySet[Case]) -> models.QuerySet[Case]:
    """Cases with what ``case_state`` reads, in a fixed number of queries."""
    return queryset.prefetch_related(
        Prefetch(
            "tracks",
            queryset=Track.objects.select_related("decision").prefetch_related("reviews"),
        ),
        Prefetch("reviews", queryset=Review.objects.select_related("publication")),
        Prefetch(
            "retention_holds",
            queryset=RetentionHold.objects.filter(lifted_at__isnull=True),
            to_attr="holds_in_place",
        ),
    )


def _publication(review: Review) -> Publication | None:
    try:
        return review.publication
    except Publication.DoesNotExist:
        return None


def case_state(case: Case, *, today: datetime.date) -> CaseState:
    """Whether a case is closed, since when, or why it is kept (see the module's docstring).
    ``case`` comes from ``cases_with_history``."""
    holds = getattr(case, "holds_in_place", None)
    if holds is None:
        holds = list(case.retention_holds.filter(lifted_at__isnull=True))
    if holds:
        return CaseState(None, f"On hold: {holds[0].reason}")
    if case.status != Status.DECIDED:
        return CaseState(None, "Still being screened or decided")
    dates = [timezone.localdate(case.created_at)]
    for track in case.tracks.all():
        decision = getattr(track, "decision", None)
        if decision is None:
            return CaseState(None, "A review type has no decision yet")
        if decision.finalised_at:
            dates.append(timezone.localdate(decision.finalised_at))
        reviewed = any(r.kind != Review.Kind.RAPID_REVIEW for r in track.reviews.all())
        if decision.outcome in REVIEW_KIND_FOR_OUTCOME and not reviewed:
            return CaseState(None, "A review was decided on and has not been commissioned")
    for review in case.reviews.all():
        if review.is_rapid_review:
            if review.stage != Review.Stage.SUBMITTED_TO_PANEL:
                return CaseState(None, f"Rapid review {review.reference} is running")
            dates += [d for d in (review.panel_submitted_on, review.panel_response_on) if d]
            continue
        if review.stage != Review.Stage.SIGNED_OFF:
            return CaseState(None, f"Review {review.reference} is running")
        dates.append(_local_date(review.signed_off_at) or review.started_on)
        publication = _publication(review)
        if publication is None or publication.status in (
            Publication.Status.DRAFT,
            Publication.Status.SCHEDULED,
        ):
            return CaseState(None, f"Review {review.reference} is not published yet")
        if publication.status == Publication.Status.WITHDRAWN:
            dates.append(_local_date(publication.withdrawn_at) or today)
            continue
        published_on = _local_date(publication.published_at) or publication.publish_on or today
        public_until = max(
            publication.earliest_removal_on or published_on,
            add_calendar_months(published_on, PUBLIC_MONTHS),
        )
        if public_until > today:
            return CaseState(
                None, f"Review {review.reference} was published less than 12 months ago"
            )
        dates.append(public_until)
    return CaseState(max(dates))


# The same rules in the database (the retention page, issue 16) -----------------------------------


def last_day_counted(today: datetime.date, months: int) -> datetime.date:
    """The latest day ``d`` with ``add_calendar_months(d, months) <= today``: a period of
    ``months`` counted from any day up to it has ended by ``today``. (Not always
    ``add_calendar_months(today, -months)``: on 28 February, a month from 31 January has
    ended too.)"""
    day = add_calendar_months(today, -months)
    while add_calendar_months(day + datetime.timedelta(days=1), months) <= today:
        day += datetime.timedelta(days=1)
    return day


def _any(*alternatives: Q | None) -> Q:
    """The alternatives that can hold (``None``: one that cannot, worked out in Python)."""
    found = [q for q in alternatives if q is not None]
    if not found:
        return Q(pk__in=[])
    combined = found[0]
    for q in found[1:]:
        combined |= q
    return combined


def _later_than(field: str, day: datetime.date) -> Q:
    """A moment whose local date is after ``day``."""
    return Q(**{f"{field}__gte": _start_of_day_after(day)})


def _published_after(day: datetime.date, today: datetime.date) -> Q:
    """On a review: its publication's ``published_on`` (as ``case_state`` takes it: the
    moment, else the date set, else today) is after ``day``."""
    return _any(
        _later_than("publication__published_at", day),
        Q(publication__published_at__isnull=True, publication__publish_on__gt=day),
        Q(publication__published_at__isnull=True, publication__publish_on__isnull=True)
        if today > day
        else None,
    )


def _public_after(day: datetime.date, today: datetime.date) -> Q:
    """On a review: its publication's ``public_until`` (the later of the earliest removal,
    else the publication day, and 12 months after publication) is after ``day``."""
    return _any(
        Q(publication__earliest_removal_on__gt=day),
        Q(publication__earliest_removal_on__isnull=True) & _published_after(day, today),
        _published_after(last_day_counted(day, PUBLIC_MONTHS), today),
    )


def cases_closed_by(
    cases: models.QuerySet[Case], *, day: datetime.date, today: datetime.date
) -> models.QuerySet[Case]:
    """The cases that ``case_state`` finds closed on ``day`` or before, found in the
    database in one query, whatever their number. The same rules, turned round: a case is
    left out if anything keeps it open (module docstring) or any of its dates is after
    ``day``. Checked against ``case_state`` case by case in test_retention_page_queries."""
    rapid = Review.Kind.RAPID_REVIEW
    holds = RetentionHold.objects.filter(case=OuterRef("pk"), lifted_at__isnull=True)
    reviewed = Review.tracks.through.objects.filter(track=OuterRef("pk")).exclude(
        review__kind=rapid
    )
    open_tracks = Track.objects.filter(case=OuterRef("pk")).filter(
        _any(
            Q(decision__isnull=True),
            _later_than("decision__finalised_at", day),
            Q(decision__outcome__in=list(REVIEW_KIND_FOR_OUTCOME)) & ~Exists(reviewed),
        )
    )
    running_rapid = Q(kind=rapid) & _any(
        ~Q(stage=Review.Stage.SUBMITTED_TO_PANEL),
        Q(panel_submitted_on__gt=day),
        Q(panel_response_on__gt=day),
    )
    published = Publication.Status
    public_until = min(day, today)  # kept while public after today; counted from that day
    open_review = ~Q(kind=rapid) & _any(
        ~Q(stage=Review.Stage.SIGNED_OFF),
        _later_than("signed_off_at", day),
        Q(signed_off_at__isnull=True, started_on__gt=day),
        Q(publication__isnull=True),
        Q(publication__status__in=[published.DRAFT, published.SCHEDULED]),
        Q(publication__status=published.WITHDRAWN)
        & _any(
            _later_than("publication__withdrawn_at", day),
            Q(publication__withdrawn_at__isnull=True) if today > day else None,
        ),
        Q(publication__status=published.PUBLISHED) & _public_after(public_until, today),
    )
    open_reviews = Review.objects.filter(case=OuterRef("pk")).filter(running_rapid | open_review)
    return (
        cases.filter(status=Status.DECIDED, created_at__lt=_start_of_day_after(day))
        .exclude(Exists(holds))
        .exclude(Exists(open_tracks))
        .exclude(Exists(open_reviews))
    )


def _cases_closed_on_page(
    cases: models.QuerySet[Case], *, day: datetime.date, today: datetime.date
) -> models.QuerySet[Case]:
    """``cases_closed_by`` for the retention page: for a day before today, read from each
    case's closing day kept on it (records/closing.py: the same cases, without reading the
    history of thousands of old cases, issue 16); for today, from the history."""
    if day < today:
        return cases.filter(closes_on__lte=day)
    return cases_closed_by(cases, day=day, today=today)


# Batches ----------------------------------------------------------------------------------------


@dataclass
class Batch:
    """Records one rule acts on together: one case's, or up to BATCH of a partnership's (or of
    the service's)."""

    record_type: RecordType
    period: Period
    partnership: Partnership | None
    ids: dict[str, list] = field(default_factory=dict)  # model label -> primary keys
    case: Case | None = None
    counts_from: datetime.date | None = None
    cutoff: datetime.date | None = None
    list_ids: bool = True  # False: the audit event gives the count only (session keys…)
    names: list[str] = field(default_factory=list)  # references shown by a dry run
    done: int = 0

    @property
    def count(self) -> int:
        return sum(len(pks) for pks in self.ids.values())

    def describe(self) -> str:
        what = ", ".join(
            f"{len(pks):,} {_MODEL_WORDS.get(label, label)}" for label, pks in self.ids.items()
        )
        rule = (
            f"{self.record_type.action.label} · {self.record_type.label} "
            f"({self.period.label} after {self.record_type.counts_from})"
        )
        if self.case is not None:
            closed = f", closed {self.counts_from:%-d %B %Y}" if self.counts_from else ""
            where = f"case {self.case.reference} ({self.case.pseudonym}){closed}: "
        else:
            where = ""
        names = f" — {', '.join(self.names[:20])}{' …' if len(self.names) > 20 else ''}"
        return f"{rule}: {where}{what}{names if self.names else ''}"


_MODEL_WORDS = {
    "referrals.Referral": "referral(s)",
    "referrals.Case": "case(s)",
    "reviews.Review": "review(s)",
    "referrals.ReferralIdentity": "referral identity(ies)",
    "reviews.PersonIdentity": "person identity(ies)",
    "reviews.AgencyReturn": "agency return version(s)",
    "reviews.ChronologyEntry": "chronology entry(ies)",
    "reviews.ChronologyUpload": "chronology file(s)",
    "reviews.FamilyContact": "family contact(s)",
    "digests.Subscriber": "subscriber(s)",
    "notifications.Notification": "notification(s) (with their calendar invitations)",
    "accounts.Invitation": "invitation(s)",
    "audit.AuditEvent": "audit event(s)",
    "sessions.Session": "session(s)",
    "core.RateLimitHit": "rate-limit count(s)",
    "axes.AccessAttempt": "sign-in attempt(s)",
    "axes.AccessLog": "sign-in log(s)",
    "axes.AccessFailureLog": "failed sign-in log(s)",
}


def _chunks(items: list, size: int = BATCH) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _pks(queryset: models.QuerySet) -> list:
    return list(queryset.order_by("pk").values_list("pk", flat=True))


# What each rule finds ---------------------------------------------------------------------------


# The records each case rule acts on: (model label, model, the path from a record to its case's
# primary key, further filters). One table for the daily run (one case at a time) and for the
# retention page's counts (every case of the partnership at once, ``retention_due_counts``).
CASE_RECORDS: dict[str, tuple[tuple[str, type[models.Model], str, dict], ...]] = {
    "closed_cases": (
        ("referrals.Case", Case, "pk", {"archived_at__isnull": True}),
        ("reviews.Review", Review, "case_id", {"archived_at__isnull": True}),
    ),
    "case_identities": (
        ("reviews.PersonIdentity", PersonIdentity, "person__case_id", {}),
        ("referrals.ReferralIdentity", ReferralIdentity, "referral__case_id", {}),
    ),
    "agency_returns": (("reviews.AgencyReturn", AgencyReturn, "request__review__case_id", {}),),
    "chronology_entries": (("reviews.ChronologyEntry", ChronologyEntry, "review__case_id", {}),),
    "family_contacts": (("reviews.FamilyContact", FamilyContact, "review__case_id", {}),),
}


def _case_querysets(key: str, case: Case) -> dict[str, models.QuerySet]:
    return {
        label: model.objects.filter(**{path: case.pk}, **filters)
        for label, model, path, filters in CASE_RECORDS[key]
    }


def _case_due_on(state: CaseState, period: Period, today: datetime.date) -> bool:
    """Whether a case rule acts on a case today (its period counted from the day it closed)."""
    return (
        state.closed_on is not None
        and period.enabled
        and add_calendar_months(state.closed_on, period.amount) <= today
    )


def _case_batches(
    partnership: Partnership, periods: dict[str, Period], today: datetime.date, kept: list
) -> list[Batch]:
    batches = []
    cases = cases_with_history(Case.objects.filter(partnership=partnership)).order_by("pk")
    for case in cases:
        state = case_state(case, today=today)
        if state.closed_on is None:
            if case.holds_in_place:
                kept.append(Kept(partnership, case, state.kept_because))
            continue
        for key in CASE_RULES:
            period = periods[key]
            if not _case_due_on(state, period, today):
                continue
            found = {label: _pks(qs) for label, qs in _case_querysets(key, case).items()}
            found = {label: pks for label, pks in found.items() if pks}
            for label, pks in found.items():
                for chunk in _chunks(pks):
                    batches.append(
                        Batch(
                            record_type=period.record_type,
                            period=period,
                            partnership=partnership,
                            ids={label: chunk},
                            case=case,
                            counts_from=state.closed_on,
                        )
                    )
    return batches


def _referrals_due(partnership, period: Period, today) -> models.QuerySet[Referral]:
    return _referrals_received_by(partnership, add_calendar_months(today, -period.amount))


def _referrals_received_by(partnership, cutoff: datetime.date) -> models.QuerySet[Referral]:
    return Referral.objects.filter(
        partnership=partnership, case__isnull=True, received_on__lte=cutoff
    )


def _referral_batches(partnership, period: Period, today) -> list[Batch]:
    cutoff = add_calendar_months(today, -period.amount)
    referrals = list(
        _referrals_due(partnership, period, today).order_by("pk").values_list("pk", "reference")
    )
    return [
        Batch(
            record_type=period.record_type,
            period=period,
            partnership=partnership,
            ids={"referrals.Referral": [pk for pk, _ in chunk]},
            cutoff=cutoff,
            names=[reference for _, reference in chunk],
        )
        for chunk in _chunks(referrals)
    ]


def _subscribers_due(partnership, period: Period, today) -> models.QuerySet[Subscriber]:
    return _subscribers_before(
        partnership, _start_of_day_after(add_calendar_months(today, -period.amount))
    )


def _subscribers_before(partnership, before: datetime.datetime) -> models.QuerySet[Subscriber]:
    return Subscriber.objects.filter(partnership=partnership).filter(
        Q(unsubscribed_at__lt=before)
        | Q(confirmed_at__isnull=True, unsubscribed_at__isnull=True, created_at__lt=before)
    )


def _subscriber_batches(partnership, period: Period, today) -> list[Batch]:
    cutoff = add_calendar_months(today, -period.amount)
    pks = _pks(_subscribers_due(partnership, period, today))
    return [
        Batch(period.record_type, period, partnership, {"digests.Subscriber": chunk}, cutoff=cutoff)
        for chunk in _chunks(pks)
    ]


def _notifications_due(queryset: models.QuerySet, before: datetime.datetime) -> models.QuerySet:
    return queryset.filter(Q(read_at__lt=before) | Q(read_at__isnull=True, created_at__lt=before))


def _partnership_notifications_due(
    partnership, period: Period, today
) -> models.QuerySet[Notification]:
    """Read notifications from when they were read; the others (never read, or emails to
    people without an account) from when they were sent."""
    before = _start_of_day_after(add_calendar_months(today, -period.amount))
    return _notifications_before(partnership, before)


def _notifications_before(partnership, before: datetime.datetime) -> models.QuerySet[Notification]:
    return _notifications_due(Notification.objects.filter(partnership=partnership), before)


def _notification_batches(partnership, period: Period, today) -> list[Batch]:
    cutoff = add_calendar_months(today, -period.amount)
    pks = _pks(_partnership_notifications_due(partnership, period, today))
    return [
        Batch(
            period.record_type,
            period,
            partnership,
            {"notifications.Notification": chunk},
            cutoff=cutoff,
        )
        for chunk in _chunks(pks)
    ]


def _partnership_invitations_due(partnership, period: Period, today) -> models.QuerySet[Invitation]:
    """Invitations never accepted: cancelled ones from when they were cancelled, the others
    from when their link expired. Accepted invitations are kept."""
    before = _start_of_day_after(add_calendar_months(today, -period.amount))
    return _invitations_before(partnership, before)


def _invitations_before(partnership, before: datetime.datetime) -> models.QuerySet[Invitation]:
    return _invitations_due(Invitation.objects.filter(partnership=partnership), before)


def _invitation_batches(partnership, period: Period, today) -> list[Batch]:
    cutoff = add_calendar_months(today, -period.amount)
    pks = _pks(_partnership_invitations_due(partnership, period, today))
    return [
        Batch(
            period.record_type, period, partnership, {"accounts.Invitation": chunk}, cutoff=cutoff
        )
        for chunk in _chunks(pks)
    ]


def _invitations_due(queryset: models.QuerySet, before: datetime.datetime) -> models.QuerySet:
    return queryset.filter(accepted_at__isnull=True).filter(
        Q(cancelled_at__lt=before) | Q(cancelled_at__isnull=True, expires_at__lt=before)
    )


def _audit_events_due(partnership, period: Period, today) -> models.QuerySet[AuditEvent]:
    cutoff = add_calendar_months(today, -period.amount)
    return _audit_events_before(partnership, _start_of_day_after(cutoff))


def _audit_events_before(partnership, before: datetime.datetime) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(partnership=partnership, occurred_at__lt=before)


def _audit_batches(partnership, period: Period, today) -> list[Batch]:
    cutoff = add_calendar_months(today, -period.amount)
    pks = _pks(_audit_events_due(partnership, period, today))
    return [
        Batch(period.record_type, period, partnership, {"audit.AuditEvent": chunk}, cutoff=cutoff)
        for chunk in _chunks(pks, size=BATCH * 5)
    ]


def _service_batches(periods: dict[str, Period], today) -> list[Batch]:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    now = timezone.now()
    batches = []
    sources: dict[str, list[tuple[str, models.QuerySet]]] = {
        "sessions": [("sessions.Session", Session.objects.filter(expire_date__lt=now))],
        "rate_limit_counts": [
            (
                "core.RateLimitHit",
                RateLimitHit.objects.filter(
                    at__lt=now - datetime.timedelta(days=periods["rate_limit_counts"].amount)
                ),
            )
        ],
        "sign_in_attempts": [
            (
                f"axes.{model.__name__}",
                model.objects.filter(
                    attempt_time__lt=now
                    - datetime.timedelta(days=periods["sign_in_attempts"].amount)
                ),
            )
            for model in (AccessAttempt, AccessLog, AccessFailureLog)
        ],
    }
    for key, found in sources.items():
        period = periods[key]
        for label, queryset in found:
            pks = _pks(queryset)
            for chunk in _chunks(pks, size=BATCH * 5):
                batches.append(
                    Batch(period.record_type, period, None, {label: chunk}, list_ids=False)
                )
    batches += _audit_batches(None, periods["audit_events"], today)
    return batches


# The plan ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kept:
    partnership: Partnership
    case: Case
    reason: str


@dataclass
class RetentionRun:
    today: datetime.date
    dry_run: bool
    batches: list[Batch] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(b.count for b in self.batches) if self.dry_run else self.done

    @property
    def done(self) -> int:
        return sum(b.done for b in self.batches)

    def lines(self) -> list[str]:
        heading = f"Retention schedule for {self.today:%-d %B %Y}"
        lines = [heading + (" (dry run: nothing changed)" if self.dry_run else "")]
        groups: dict[str, list[str]] = {}
        for batch in self.batches:
            name = batch.partnership.name if batch.partnership else "The whole service"
            text = batch.describe()
            if not self.dry_run and batch.done != batch.count:
                text += f" (done: {batch.done:,}; the rest no longer due)"
            groups.setdefault(name, []).append(text)
        for kept in self.kept:
            groups.setdefault(kept.partnership.name, []).append(
                f"Kept · case {kept.case.reference} ({kept.case.pseudonym}): {kept.reason}"
            )
        for name, texts in groups.items():
            lines.append(f"{name}:")
            lines += [f"  {text}" for text in texts]
        if not self.batches:
            lines.append("Nothing is due.")
        return lines


def retention_plan(
    *, today: datetime.date, partnerships: Iterable[Partnership] | None = None
) -> RetentionRun:
    """What the schedule would do today, writing nothing. ``partnerships``: only theirs (the
    retention page); by default every partnership's and the service's."""
    run = RetentionRun(today=today, dry_run=True)
    whole_service = partnerships is None
    for partnership in Partnership.objects.all() if whole_service else partnerships:
        periods = periods_for(partnership)
        if periods["referral_without_case"].enabled:
            run.batches += _referral_batches(partnership, periods["referral_without_case"], today)
        run.batches += _case_batches(partnership, periods, today, run.kept)
        if periods["digest_subscribers"].enabled:
            run.batches += _subscriber_batches(partnership, periods["digest_subscribers"], today)
        if periods["notifications"].enabled:
            run.batches += _notification_batches(partnership, periods["notifications"], today)
        if periods["invitations"].enabled:
            run.batches += _invitation_batches(partnership, periods["invitations"], today)
        if periods["audit_events"].enabled:
            run.batches += _audit_batches(partnership, periods["audit_events"], today)
    if whole_service:
        run.batches += _service_batches(periods_for(None), today)
    return run


@dataclass(frozen=True)
class DueCount:
    """How many records of one record type the next run would act on, and in how many cases."""

    record_type: RecordType
    count: int
    cases: int


def _count_per_case(model: type[models.Model], path: str, filters: dict) -> models.Expression:
    """How many of ``model``'s records (``filters``) each case of the outer query has: the case
    itself read from its own row (no lookup of the case by its key per case, issue 16), any
    other record by a count subquery."""
    if model is Case and path == "pk":
        return models.Case(
            models.When(Q(**filters), then=models.Value(1)),
            default=models.Value(0),
            output_field=models.IntegerField(),
        )
    return Coalesce(
        Subquery(
            model.objects.filter(**{path: OuterRef("pk")}, **filters)
            .order_by()
            .annotate(n=models.Func(models.F("pk"), function="COUNT"))
            .values("n")
        ),
        0,
    )


# The page's counts with their SQL built once per database (ADR 0038, core.compiled_sql):
# building the ten queries in the ORM was most of the page's time (issue 16). The partnership
# and the day or moment each rule counts from are parameters.
_PARTNERSHIP_ID = PARTNERSHIP_PLACEHOLDER
_DAY = datetime.date(1901, 3, 4)
_BEFORE = datetime.datetime(1901, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)


def _count_before(build, field: models.Field, moment) -> CompiledQuery:
    """``build(partnership, moment).count()``, its SQL built once."""
    return CompiledQuery(
        lambda partnership_id, moment: aggregating(
            build(Partnership(pk=partnership_id), moment).order_by(), n=models.Count("*")
        ),
        {
            "partnership_id": (_PARTNERSHIP_ID, Case._meta.get_field("partnership")),
            "moment": (moment, field),
        },
    )


_SIMPLE_COUNTS = {
    "referral_without_case": (
        _count_before(_referrals_received_by, Referral._meta.get_field("received_on"), _DAY),
        lambda period, today: add_calendar_months(today, -period.amount),
    ),
    **{
        key: (
            _count_before(build, AuditEvent._meta.get_field("occurred_at"), _BEFORE),
            lambda period, today: _start_of_day_after(add_calendar_months(today, -period.amount)),
        )
        for key, build in (
            ("digest_subscribers", _subscribers_before),
            ("notifications", _notifications_before),
            ("invitations", _invitations_before),
            ("audit_events", _audit_events_before),
        )
    },
}
#: A case rule's counts for a day before today, one per rule (built when first asked).
_CASE_COUNTS: dict[str, CompiledQuery] = {}


def _case_counts(
    key: str, cases: models.QuerySet[Case], day: datetime.date, today
) -> models.QuerySet:
    """The records of a case rule in the cases closed by ``day`` and those cases: a query of
    one row (``records``, ``cases``)."""
    counts = {
        f"n{i}": _count_per_case(model, path, filters)
        for i, (_label, model, path, filters) in enumerate(CASE_RECORDS[key])
    }
    with_records = _any(*(Q(**{f"{name}__gt": 0}) for name in counts))
    return aggregating(
        _cases_closed_on_page(cases, day=day, today=today).annotate(**counts).order_by(),
        records=Sum(sum((models.F(name) for name in counts), models.Value(0))),
        cases=models.Count("pk", filter=with_records),
    ).values_list("records", "cases")


def _records_of_closed_cases(
    model: type[models.Model], path: str, filters: dict, partnership_id, day: datetime.date
) -> models.Expression:
    """How many of ``model``'s records (``filters``) belong to the partnership's cases closed by
    ``day`` (their kept closing day): one count over a join from the cases' index, run once."""
    case = path.removesuffix("_id")  # "review__case_id" -> "review__case"
    rows = model.objects.filter(
        **filters, **{f"{case}__partnership": partnership_id, f"{case}__closes_on__lte": day}
    )
    return Subquery(
        rows.order_by().values(n=models.Func(models.F("pk"), function="COUNT")),
        output_field=models.IntegerField(),
    )


def _case_counts_by_kept_day(key: str, partnership_id, day: datetime.date) -> models.QuerySet[Case]:
    """``_case_counts`` for a day before today, read from the cases' kept closing days: the
    same two figures, the records counted model by model over a join rather than case by case
    (a count subquery per case, run for each of a ten-year partnership's 3,700 closed cases:
    about 3 ms of the retention page's 5 at ten years, issue 16). A case counts in ``cases``
    when it is itself a record of the rule or has one: the case's own test comes first, so the
    database looks for its other records only when the case is not one."""
    cases = Case.objects.filter(partnership=partnership_id, closes_on__lte=day)
    records: models.Expression = models.Value(0)
    with_records = None
    for _label, model, path, filters in CASE_RECORDS[key]:
        if model is Case and path == "pk":
            records = records + Sum(
                models.Case(
                    models.When(Q(**filters), then=models.Value(1)),
                    default=models.Value(0),
                    output_field=models.IntegerField(),
                )
            )
            test = Q(**filters)
        else:
            records = records + _records_of_closed_cases(model, path, filters, partnership_id, day)
            test = Q(Exists(model.objects.filter(**{path: OuterRef("pk")}, **filters)))
        with_records = test if with_records is None else with_records | test
    return aggregating(
        cases.order_by(), records=records, cases=models.Count("pk", filter=with_records)
    ).values_list("records", "cases")


def _case_counts_before_today(key: str, partnership: Partnership, day: datetime.date):
    if key not in _CASE_COUNTS:
        # The day is before today: the cases' kept closing days are read (``today`` plays no
        # part in the SQL then).
        _CASE_COUNTS[key] = CompiledQuery(
            lambda partnership_id, day: _case_counts_by_kept_day(key, partnership_id, day),
            {
                "partnership_id": (_PARTNERSHIP_ID, Case._meta.get_field("partnership")),
                "day": (_DAY, Case._meta.get_field("closes_on")),
            },
        )
    return _CASE_COUNTS[key].read_values(partnership_id=partnership.pk, day=day)[0]


def retention_due_counts(
    *, partnership: Partnership, today: datetime.date, periods: dict[str, Period] | None = None
) -> list[DueCount]:
    """The figures of ``retention_plan(partnerships=[partnership])`` by record type, counted in
    the database in a fixed number of queries whatever the partnership's data (the retention
    page, issue 16): one per rule.

    The same rules as the run: a case rule's cases are those closed on the last day its
    period has ended by today (``_case_due_on``; ``_cases_closed_on_page``), its records those of
    ``CASE_RECORDS``, counted per case by a subquery and added up; the other rules count the
    run's own querysets. ``cases``: the distinct cases with a record due. ``periods``: the
    partnership's (``periods_for``), if the caller has read them already."""
    if periods is None:
        periods = periods_for(partnership)
    found: dict[str, tuple[int, int]] = {}
    for key in _SIMPLE_COUNTS:  # the run's own querysets (``_referrals_due``...), counted
        if periods[key].enabled:
            query, moment = _SIMPLE_COUNTS[key]
            ((n,),) = query.read_values(
                partnership_id=partnership.pk, moment=moment(periods[key], today)
            )
            found[key] = (n, 0)
    cases = Case.objects.filter(partnership=partnership)
    for key in CASE_RULES:
        period = periods[key]
        if not period.enabled:
            continue
        day = last_day_counted(today, period.amount)
        if day < today:
            records, with_records = _case_counts_before_today(key, partnership, day)
        else:
            ((records, with_records),) = _case_counts(key, cases, day, today)
        found[key] = (int(records or 0), int(with_records or 0))
    return [
        DueCount(record_type, *found[record_type.key])
        for record_type in SCHEDULE
        if found.get(record_type.key, (0, 0))[0]
    ]


# Doing it ---------------------------------------------------------------------------------------


def _delete_referrals(pks: list, batch: Batch) -> int:
    referrals = Referral.objects.filter(
        pk__in=pks, case__isnull=True, received_on__lte=batch.cutoff
    )
    due = _pks(referrals)
    Milestone.objects.filter(
        subject_type=ContentType.objects.get_for_model(Referral), subject_id__in=due
    ).delete()
    Referral.objects.filter(pk__in=due).delete()
    batch.ids = {"referrals.Referral": due}
    return len(due)


def _delete_returns(pks: list, batch: Batch) -> int:
    returns = AgencyReturn.objects.filter(pk__in=pks)
    files = [name for name in returns.values_list("attachment", flat=True) if name]
    deleted = returns.delete()[0]
    transaction.on_commit(lambda: _delete_files(files))
    return deleted


def _delete_chronology_files(batch: Batch) -> int:
    """The case's chronology files (``ChronologyUpload``: a chronology return's version, and
    the file its rows came from) that no agency return version and no chronology row refers to
    any longer, with their stored files after the commit: they go with the later of the two
    rules. Named in the batch's event beside the records of the rule."""
    uploads = (
        ChronologyUpload.objects.filter(review__case=batch.case)
        .exclude(Exists(AgencyReturn.objects.filter(chronology_upload=OuterRef("pk"))))
        .exclude(
            Exists(
                ChronologyEntry.objects.filter(
                    Q(upload=OuterRef("pk")) | Q(archived_for=OuterRef("pk"))
                )
            )
        )
    )
    pks = _pks(uploads)
    if not pks:
        return 0
    going = ChronologyUpload.objects.filter(pk__in=pks)
    files = [name for name in going.values_list("file", flat=True) if name]
    # "Replaced by" points between the case's files (PROTECT): let go of the ones going.
    ChronologyUpload.objects.filter(replaced_by__in=pks).update(replaced_by=None)
    deleted = going.delete()[1].get(ChronologyUpload._meta.label, 0)
    batch.ids[ChronologyUpload._meta.label] = pks
    transaction.on_commit(lambda: _delete_files(files))
    return deleted


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("Retention: could not delete the file %s", name)


def _archive(label: str, pks: list) -> int:
    model = Case if label == "referrals.Case" else Review
    return model.objects.filter(pk__in=pks, archived_at__isnull=True).update(
        archived_at=timezone.now()
    )


def _delete_still_due(model, due: models.QuerySet, batch: Batch) -> int:
    """Delete the batch's records that are still due (checked again in the transaction: an
    invitation sent again or accepted since the plan was made is kept), naming those in the
    batch. Rows that go with them (a notification's calendar invitations) are not counted."""
    label = model._meta.label
    pks = _pks(due)
    batch.ids = {label: pks}
    return model.objects.filter(pk__in=pks).delete()[1].get(label, 0)


def _delete_plain(label: str, pks: list) -> int:
    from django.apps import apps

    model = apps.get_model(label)
    if model is AuditEvent:
        return AuditEvent.objects.filter(pk__in=pks).delete_under_retention()
    return model._base_manager.filter(pk__in=pks).delete()[0]


# Records whose due date can move after the plan (read, sent again, accepted): found again.
CHECKED_AGAIN = {
    "notifications.Notification": (Notification, _notifications_due),
    "accounts.Invitation": (Invitation, _invitations_due),
}


def _act(batch: Batch) -> int:
    ((label, pks),) = batch.ids.items()
    if batch.record_type.action == Action.ARCHIVE:
        return _archive(label, pks)
    if label == "referrals.Referral":
        return _delete_referrals(pks, batch)
    if label == "reviews.AgencyReturn":
        return _delete_returns(pks, batch) + _delete_chronology_files(batch)
    if label == "reviews.ChronologyEntry":
        return _delete_plain(label, pks) + _delete_chronology_files(batch)
    if label in CHECKED_AGAIN:
        model, due = CHECKED_AGAIN[label]
        before = _start_of_day_after(batch.cutoff)
        return _delete_still_due(model, due(model.objects.filter(pk__in=pks), before), batch)
    return _delete_plain(label, pks)


def _still_due(batch: Batch, today: datetime.date) -> bool:
    """Checked again inside the batch's transaction: a hold placed, or a case reopened, since
    the plan was made keeps the case."""
    if batch.case is None:
        return True
    case = cases_with_history(Case.objects.filter(pk=batch.case.pk)).first()
    state = case_state(case, today=today) if case else CaseState(None, "Gone")
    return state.closed_on is not None and (
        add_calendar_months(state.closed_on, batch.period.amount) <= today
    )


def _apply(batch: Batch, today: datetime.date, actor_label: str) -> None:
    with transaction.atomic():
        if not _still_due(batch, today):
            return
        batch.done = _act(batch)
        if not batch.done:
            return
        payload = {
            "rule": batch.record_type.key,
            "period": batch.period.label,
            "count": batch.done,
        }
        if batch.list_ids:
            payload["ids"] = {label: [str(pk) for pk in pks] for label, pks in batch.ids.items()}
        else:
            payload["models"] = list(batch.ids)
        if batch.counts_from:
            payload["case_closed_on"] = batch.counts_from.isoformat()
        if batch.cutoff:
            payload["on_or_before"] = batch.cutoff.isoformat()
        audit_record(
            action=AUDIT_ACTIONS[batch.record_type.action],
            actor_label=actor_label,
            target=batch.case,
            partnership=batch.partnership,
            payload=payload,
        )


def retention_apply(
    *,
    today: datetime.date,
    dry_run: bool = False,
    actor_label: str = "manage.py apply_retention",
) -> RetentionRun:
    """Apply the schedule for ``today`` (or, with ``dry_run``, only say what it would do)."""
    run = retention_plan(today=today)
    if dry_run:
        return run
    run.dry_run = False
    for batch in run.batches:
        _apply(batch, today, actor_label)
    done = [b for b in run.batches if b.done]
    if done:
        logger.info(
            "Retention schedule: %s record(s) archived, deleted or anonymised in %s batch(es)",
            run.done,
            len(done),
        )
    return run


def retention_apply_daily(*, today: datetime.date) -> int:
    """The daily run's entry (settings.DAILY_JOBS): apply the schedule; return how many
    records it archived, deleted or anonymised."""
    return retention_apply(today=today, actor_label="Retention schedule (daily run)").done
