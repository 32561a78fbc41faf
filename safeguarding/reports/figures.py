"""The figures a board publishes for a period, and the records behind each one (issue 17).

Every figure is defined once here, as *a set of records*: a scoped queryset (``_sources``) and a
filter on it (``Q``) or, for durations, a test on each record. The page counts the set with one
aggregate query per source; the list "records behind this figure" reads the same set. So a
figure and its list cannot disagree, and both are scoped to the partnership by construction.

Which date puts a record in a period (docs/adr: how figures are defined):

- a referral: the day it was received (``received_on``);
- a screening outcome: the day its track was opened (``Track.created_at``, local day);
- a serious incident notification to the Panel: the day it was sent (``sent_on``);
- a timeliness milestone (notification within 5 working days, rapid review within 15): the day
  it was done (``done_on``); on time when done on or before the due date first set by the rule
  (``original_due_on``: an extension does not make a late milestone on time);
- a decision: the day it was decided (``decided_on``), once final, counted by the partnership
  that decides the track (its own or a shared track it decides, ADR 0022);
- a review commissioned: started (``started_on``); completed: signed off (``signed_off_at``);
  ongoing: started by the last day and not signed off by then. Rapid reviews are counted apart;
- a publication: published (``published_at``);
- a recommendation: agreed (``agreed_on``); its actions by their status today;
- a recurring theme: tagged on a finding of a review signed off in the period, in two reviews or
  more.
"""

import datetime
import functools
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Agency, Partnership, ReviewType
from safeguarding.actions.models import Action, Theme
from safeguarding.clock.models import (
    REPORT_CLOCK_STARTS,
    Event,
    Milestone,
    MilestoneRule,
    OffsetUnit,
    ReportClockStart,
)
from safeguarding.core.calendar import add_calendar_months
from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER, CompiledQuery, aggregating
from safeguarding.core.rule_sources import rule_source, rules_in_words
from safeguarding.publication.models import Publication
from safeguarding.referrals.agency_match import normalised_organisation
from safeguarding.referrals.models import (
    OUTCOMES_BY_TYPE,
    CaseGuidance,
    Decision,
    Notification,
    Outcome,
    Referral,
    Track,
)
from safeguarding.reviews.models import Review

from . import selectors, trends
from .period import Period

EXPECTED_MONTHS = 6  # a review's report in six months from the decision (R14, R26, R33)
NOTIFICATION_DAYS = 5  # working days (R2)
RAPID_REVIEW_DAYS = 15  # working days (R9)

SCREENING_LABELS = {
    "notify": "Notify the Panel",
    "mandatory": "Mandatory review criteria met",
    "discretionary": "A discretionary review could be held",
    "required": "A review is required",
    "not_met": "Criteria not met",
    "unknown": "Not enough known yet",
    "": "Not screened",
}


# The shapes the page, the downloads and the tests read -------------------------------------------


@dataclass(frozen=True)
class Figure:
    label: str
    value: int
    key: str  # the set of records behind it (``records``)
    group: str = ""  # for a figure of a breakdown: which value of it

    def query(self) -> str:
        return f"&group={self.group}" if self.group else ""


@dataclass(frozen=True)
class Chart:
    """A bar chart of some of the section's figures (drawn by ``charts.bar_chart_svg``)."""

    title: str
    description: str
    bars: list[Figure]


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure]
    intro: str = ""
    chart: Chart | None = None
    note: str = ""
    # Extra figures that are not counts (medians), as (label, text) lines.
    measures: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Pack:
    """The figures in the shape one board's report needs."""

    title: str
    statute: str
    partnership: Partnership
    period: Period
    sections: list[Section]
    complete: bool  # the period has ended

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def value(self, key: str, group: str = "") -> int:
        """The value of one figure (for tests and the workbook)."""
        for section in self.sections:
            for figure in section.figures:
                if figure.key == key and figure.group == group:
                    return figure.value
        raise KeyError((key, group))


PACK_TITLES = {
    Partnership.Kind.CHILDREN: (
        "Figures for the yearly report",
        "Working Together to Safeguard Children 2023: the safeguarding partners publish a "
        "yearly report of what they have done, including the reviews, and how effective the "
        "arrangements have been.",
    ),
    Partnership.Kind.ADULTS: (
        "Figures for the annual report",
        "Care Act 2014, Schedule 2: the Safeguarding Adults Board publishes an annual report "
        "of the reviews it arranged that concluded or are ongoing, what it did to implement "
        "their findings, and its reasons for any decision not to implement a finding.",
    ),
    Partnership.Kind.COMMUNITY_SAFETY: (
        "Domestic Homicide Review figures",
        "The Community Safety Partnership's Domestic Homicide Reviews: the deaths considered, "
        "the decisions whether to hold a review, the reviews held and their timeliness.",
    ),
    Partnership.Kind.COMBINED: (
        "Figures for the annual report",
        "The partnership's reviews of every kind it runs, in the shape each statutory report "
        "needs.",
    ),
}


# The sets of records -----------------------------------------------------------------------------


def _local_day(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(value) if value else None


# Defined with the reads the kept years count (selectors, ADR 0059).
_decisions = selectors.final_decisions
_reviews = selectors.pack_reviews


def _timeliness(partnership: Partnership, event: str, period: Period) -> QuerySet[Milestone]:
    return Milestone.objects.filter(
        partnership=partnership,
        rule__done_on_event=event,
        status=Milestone.Status.DONE,
        done_on__range=(period.start, period.end),
    )


def _publications(partnership: Partnership, period: Period) -> QuerySet[Publication]:
    return Publication.objects.filter(
        partnership=partnership,
        published_at__gte=period.starts_at,
        published_at__lt=period.ends_before,
    )


def _sources(partnership: Partnership, period: Period) -> dict[str, QuerySet]:
    start, end = period.start, period.end
    recommendations = selectors.partnership_recommendations(partnership).filter(
        agreed_on__range=(start, end)
    )
    return {
        "referrals": Referral.objects.filter(
            partnership=partnership, received_on__range=(start, end)
        ),
        "screening": selectors.screening_tracks(partnership, period),
        "notifications": Notification.objects.filter(
            case__partnership=partnership,
            recipient=Notification.Recipient.PANEL,
            sent_on__range=(start, end),
        ),
        "notification_milestones": _timeliness(partnership, Event.PANEL_NOTIFIED, period),
        "rapid_reviews": Review.objects.filter(
            partnership=partnership,
            kind=Review.Kind.RAPID_REVIEW,
            started_on__range=(start, end),
        ),
        "rapid_review_milestones": _timeliness(partnership, Event.RAPID_REVIEW_COMPLETED, period),
        "decisions": _decisions(partnership).filter(decided_on__range=(start, end)),
        "reviews": _reviews(partnership),
        "publications": _publications(partnership, period),
        "recommendations": recommendations,
        # The actions of the recommendations agreed in the period, read through them (an
        # action's partnership is its review's, actions.services.action_add). Filtering on the
        # action's own partnership made SQLite read every action the partnership ever had
        # (the ``action_tracker`` index) and check each recommendation's date: 6.5 ms at ten
        # years against 0.9 ms this way (issue 16).
        "actions": Action.objects.filter(recommendation__in=recommendations.values("pk")),
    }


REVIEW_SET_NAMES = selectors.REVIEW_SET_NAMES
_review_sets = selectors.review_sets


def _on_time() -> Q:
    """On time against the due date the rule first set: the headline (ADR 0026)."""
    return Q(done_on__lte=F("original_due_on"))


def _within_extension() -> Q:
    """Done by the due date as extended (on time, or late against the first due date but
    within an agreed extension)."""
    return _on_time() | Q(done_on__lte=F("due_on"))


def _extended() -> Q:
    """Late against the first due date but within an agreed extension."""
    return ~_on_time() & Q(done_on__lte=F("due_on"))


def _late() -> Q:
    """Late against the first due date and any extension."""
    return ~_within_extension()


#: The rules of the notifications and rapid reviews (their SQL built once: issue 16).
_NOTIFIED_AND_RAPID_RULES = CompiledQuery(
    lambda: MilestoneRule.objects.filter(
        done_on_event__in=(Event.PANEL_NOTIFIED, Event.RAPID_REVIEW_COMPLETED)
    ).values_list("pk", "done_on_event"),
    {},
)


def _kept_timeliness(partnership: Partnership, period: Period) -> dict[str, dict[str, int]] | None:
    """For a financial year, the counts of ``_timeliness_counts`` for the notifications and the
    rapid reviews, read from the timeliness years kept per rule (``trends.year_by_rule``,
    ADR 0027): two queries whatever the number of milestones, where counting them read every
    milestone done in the year (issue 16). None for any other period."""
    if period.financial_year is None:
        return None
    events = (Event.PANEL_NOTIFIED, Event.RAPID_REVIEW_COMPLETED)
    by_rule = trends.year_by_rule(
        partnership=partnership, year=selectors.FinancialYear(period.financial_year)
    )
    rule_events = dict(_NOTIFIED_AND_RAPID_RULES.read_values())
    names = ("done", *TIMELINESS_SETS, "extended_with_reason")
    counts = {event: dict.fromkeys(names, 0) for event in events}
    for rule_id, (done, on_time, within, _median, with_reason) in by_rule.items():
        if rule_id not in rule_events:
            continue
        total = counts[rule_events[rule_id]]
        # On time and within the extension are kept; the rest follow (done_on is set).
        total["done"] += done
        total["on_time"] += on_time
        total["within_extension"] += within
        total["extended"] += within - on_time
        total["late"] += done - within
        total["extended_with_reason"] += with_reason
    return counts


TIMELINESS_SETS: dict[str, Callable[[], Q]] = {
    "on_time": _on_time,
    "within_extension": _within_extension,
    "extended": _extended,
    "late": _late,
}


# The figures a key stands for: (source, filter). A breakdown key takes a group value.
def _filters(period: Period) -> dict[str, tuple[str, Callable[[str], Q]]]:
    reviews = _review_sets(period)
    return {
        "referrals": ("referrals", lambda g: Q()),
        "referrals_by_type": ("referrals", lambda g: Q(review_type=g)),
        "screening": ("screening", _screening_q),
        "notifications": ("notifications", lambda g: Q()),
        **{
            f"notifications_{name}": ("notification_milestones", _constant(q))
            for name, q in TIMELINESS_SETS.items()
        },
        "rapid_reviews": ("rapid_reviews", lambda g: Q()),
        **{
            f"rapid_reviews_{name}": ("rapid_review_milestones", _constant(q))
            for name, q in TIMELINESS_SETS.items()
        },
        "decisions": ("decisions", _decision_q),
        **{key: ("reviews", functools.partial(_review_q, q)) for key, q in reviews.items()},
        "publications": ("publications", lambda g: Q()),
        "recommendations": ("recommendations", lambda g: Q()),
        "actions_by_status": ("actions", lambda g: Q(status=g)),
    }


def _constant(q: Callable[[], Q]) -> Callable[[str], Q]:
    return lambda group: q()


def _timeliness_counts(milestones: QuerySet[Milestone]) -> dict[str, int]:
    """The four timeliness sets of some milestones and the extensions with a reason, in one
    aggregate query."""
    return milestones.aggregate(
        done=Count("pk"),
        **{name: Count("pk", filter=q()) for name, q in TIMELINESS_SETS.items()},
        extended_with_reason=Count("pk", filter=_extended() & ~Q(extension_reason="")),
    )


def _timeliness_figures(prefix: str, counts: dict[str, int], within: str) -> list[Figure]:
    """On time against the first due date (the headline), then within an agreed extension."""
    return [
        Figure(
            f"On time against the first due date ({within})", counts["on_time"], f"{prefix}_on_time"
        ),
        Figure(
            "Within the agreed extension (on time, or late against the first due date but "
            "done by the extended date)",
            counts["within_extension"],
            f"{prefix}_within_extension",
        ),
        Figure(
            "Of those, late against the first due date but within the agreed extension",
            counts["extended"],
            f"{prefix}_extended",
        ),
        Figure(
            "Late against the first due date and any extension", counts["late"], f"{prefix}_late"
        ),
    ]


def _extension_measure(counts: dict[str, int]) -> tuple[str, str]:
    return (
        "Extensions with a reason recorded",
        f"{counts['extended_with_reason']} of the {counts['extended']} done within an "
        "agreed extension",
    )


NOT_MATCHED = "not matched to an agency"


def _source_figures(rows: list[dict]) -> list[Figure]:
    """Referrals by the agency they came from; those not linked to one, by the organisation
    typed, normalised (agency_match.py) so spelling variants make one row. From the rows of
    ``_REFERRAL_COUNTS``: the period's referrals counted by review type and by where they came
    from, in one grouped query over the ``referral_received_counts`` index alone."""
    linked: dict[int, list] = {}
    typed: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        if row["source_agency_id"] is not None:
            entry = linked.setdefault(row["source_agency_id"], [row["source_agency__name"], 0])
            entry[1] += row["n"]
        else:
            typed[normalised_organisation(row["referrer_organisation"])][
                row["referrer_organisation"].strip()
            ] += row["n"]
    found = [
        Figure(name, n, "referrals_by_agency", f"agency:{pk}") for pk, (name, n) in linked.items()
    ]
    for name, spellings in typed.items():
        shown = min(spellings, key=lambda s: (-spellings[s], s)) or "Not given"
        found.append(
            Figure(
                f"{shown} ({NOT_MATCHED})",
                sum(spellings.values()),
                "referrals_by_agency",
                f"typed:{name}",
            )
        )
    return sorted(found, key=lambda f: (-f.value, f.label))


def _source_records(referrals: QuerySet[Referral], group: str) -> tuple[str, QuerySet] | None:
    """The referrals behind one row of ``_source_figures`` and the row's title."""
    kind, _, value = group.partition(":")
    if kind == "agency" and value.isdigit():
        agency = Agency.objects.filter(pk=int(value)).first()
        if agency is None:
            return None
        return f"Referrals from {agency.name}", referrals.filter(source_agency=agency)
    if kind == "typed":
        unlinked = referrals.filter(source_agency__isnull=True)
        matched = [
            (pk, organisation.strip())
            for pk, organisation in unlinked.values_list("pk", "referrer_organisation")
            if normalised_organisation(organisation) == value
        ]
        ids = [pk for pk, _ in matched]
        spellings = Counter(organisation for _, organisation in matched)
        shown = min(spellings, key=lambda s: (-spellings[s], s), default="") or (
            "an organisation not given"
        )
        return f"Referrals from {shown} ({NOT_MATCHED})", unlinked.filter(pk__in=ids)
    return None


def _screening_q(group: str) -> Q:
    review_type, _, result = group.partition(":")
    return Q(review_type=review_type, screening_result=result)


def _decision_q(group: str) -> Q:
    review_type, _, outcome = group.partition(":")
    return Q(track__review_type=review_type, outcome=outcome)


REVIEW_KINDS = {
    ReviewType.CSPR: [Review.Kind.LCSPR],
    ReviewType.SAFEGUARDING_ADULTS_REVIEW: [Review.Kind.SAR],
    ReviewType.DHR: [Review.Kind.DHR],
}


def _review_q(q: Q, group: str) -> Q:
    return q & Q(kind=group) if group else q


# Durations (tested per record, not in SQL: a calendar month is not a fixed number of days) ------
#
# A review's report is expected a number of months after its clock starts, and which day starts
# it is the clock's own rule (ADR 0026): the report rule of the review type in the case's
# guidance version names its start event, and the clock's REPORT_CLOCK_STARTS says whether that
# event falls on the decision to hold the review (R14, R33) or on the start of the review (R26).
# The figures and the clock's report milestones therefore count from the same day.


@dataclass(frozen=True)
class ClockStart:
    day: datetime.date | None  # None: the day it counts from is not recorded (no final decision)
    starts_with: ReportClockStart | None
    months: int = EXPECTED_MONTHS


@dataclass(frozen=True)
class ReviewRef:
    """The columns of a review that its duration and the records behind it read (issue 16: read
    as values, not as models; a tenth year signs off and publishes six times a first's)."""

    pk: int
    reference: str
    title: str
    case_id: int
    started_on: datetime.date | None


class _ClockSubject(Protocol):
    """What ``_clock_starts`` reads of a review: a ``Review`` or a ``ReviewRef``."""

    @property
    def pk(self) -> Any: ...

    @property
    def case_id(self) -> Any: ...

    @property
    def started_on(self) -> datetime.date | None: ...


@dataclass(frozen=True)
class Duration:
    review: ReviewRef
    start: ClockStart
    done_on: datetime.date

    @property
    def started_on(self) -> datetime.date | None:
        return self.start.day

    @property
    def days(self) -> int | None:
        return (self.done_on - self.start.day).days if self.start.day else None

    @functools.cached_property  # the pack counts each duration in three figures
    def within_expectation(self) -> bool | None:
        if self.start.day is None:
            return None
        return self.done_on <= add_calendar_months(self.start.day, self.start.months)


REPORT_DONE_EVENTS = {
    ReviewType.CSPR: Event.LCSPR_REPORT_COMPLETED,  # R14
    ReviewType.SAFEGUARDING_ADULTS_REVIEW: Event.SAR_REPORT_COMPLETED,  # R26
    ReviewType.DHR: Event.DHR_REPORT_COMPLETED,  # R33
}


def _clock_starts(
    reviews: Sequence[_ClockSubject], among: QuerySet[Review] | None = None
) -> dict[int, ClockStart]:
    """The day each review's report clock starts, from the report rule of each of its review
    types in the case's guidance version. Three queries, whatever the number of reviews.

    ``among`` selects the same reviews in SQL: with it the three queries run even when there
    are no reviews, so a page makes as many queries in a quiet period as in a busy one (issue
    16: the board pack made 24 at one year and 27 at ten)."""
    if among is None:
        if not reviews:
            return {}
        among = Review.objects.filter(pk__in=[r.pk for r in reviews])
    return _starts_from(
        reviews,
        _report_rules().values_list(*_RULE_COLUMNS),
        _guidance_of(among).values_list("case_id", "version_id"),
        _tracks_of(among).values_list(*_TRACK_COLUMNS),
    )


#: What the clock starts read: the report rules, each case's guidance and each review's tracks.
_RULE_COLUMNS = (
    "review_type",
    "version_id",
    "version__effective_from",
    "starts_on_event",
    "offset_amount",
    "offset_unit",
)
_TRACK_COLUMNS = ("reviews", "review_type", "decision__state", "decision__decided_on")


def _report_rules() -> QuerySet[MilestoneRule]:
    return MilestoneRule.objects.filter(done_on_event__in=REPORT_DONE_EVENTS.values()).order_by(
        "version__effective_from", "pk"
    )


def _guidance_of(among: QuerySet[Review]) -> QuerySet[CaseGuidance]:
    return CaseGuidance.objects.filter(case__in=among.values("case_id"))


def _tracks_of(among: QuerySet[Review]) -> QuerySet[Track]:
    return Track.objects.filter(reviews__in=among.values("pk"))


def _starts_from(
    reviews: Sequence[_ClockSubject],
    rule_rows: Iterable[tuple],
    guidance_rows: Iterable[tuple],
    track_rows: Iterable[tuple],
) -> dict[int, ClockStart]:
    """``_clock_starts`` from the rows it reads (``_RULE_COLUMNS`` of the report rules, each
    case's guidance versions, ``_TRACK_COLUMNS`` of the reviews' tracks)."""
    rules: defaultdict[str, list[tuple[int, datetime.date, str, int, str]]] = defaultdict(list)
    for review_type, version_id, effective, event, amount, unit in rule_rows:
        rules[review_type].append((version_id, effective, event, amount, unit))
    followed: defaultdict[int, set[int]] = defaultdict(set)
    for case_id, version_id in guidance_rows:
        followed[case_id].add(version_id)
    types: defaultdict[int, dict[str, datetime.date | None]] = defaultdict(dict)
    for review_id, review_type, state, decided_on in track_rows:
        final = decided_on if state == Decision.State.FINAL else None
        known = types[review_id].get(review_type)
        types[review_id][review_type] = min((d for d in (known, final) if d), default=None)
    starts = {}
    for review in reviews:
        candidates = []
        for review_type, decided_on in types[review.pk].items():
            rule = _report_rule(rules[review_type], followed[review.case_id])
            if rule is None:
                continue
            event, amount, unit = rule
            starts_with = REPORT_CLOCK_STARTS.get(event)
            day = review.started_on if starts_with == ReportClockStart.REVIEW_START else decided_on
            months = amount if unit == OffsetUnit.CALENDAR_MONTHS else EXPECTED_MONTHS
            candidates.append(ClockStart(day, starts_with, months))
        dated = [c for c in candidates if c.day is not None]
        # A joint review counts from the first of its clocks to start.
        starts[review.pk] = (
            min(dated, key=lambda c: c.day)  # type: ignore[arg-type,return-value]
            if dated
            else ClockStart(None, candidates[0].starts_with if candidates else None)
        )
    return starts


def _report_rule(
    rules: list[tuple[int, datetime.date, str, int, str]], versions: set[int]
) -> tuple[str, int, str] | None:
    """The report rule of the version the case follows; for a case with none recorded, the
    rule of the latest version (the versions of one review type agree on the start today)."""
    chosen = [r for r in rules if r[0] in versions] or rules[-1:]
    if not chosen:
        return None
    _version, _effective, event, amount, unit = chosen[-1]
    return event, amount, unit


#: The columns of a review that its duration and the records behind it read.
_DURATION_REVIEW = ("id", "reference", "title", "case_id", "started_on")


def _signed_in(partnership_id: int, starts_at, ends_before) -> QuerySet[Review]:
    return _reviews(Partnership(pk=partnership_id)).filter(
        signed_off_at__gte=starts_at, signed_off_at__lt=ends_before
    )


def _published_in(partnership_id: int, starts_at, ends_before) -> QuerySet[Publication]:
    return Publication.objects.filter(
        partnership=partnership_id, published_at__gte=starts_at, published_at__lt=ends_before
    )


def _among(partnership_id: int, starts_at, ends_before) -> QuerySet[Review]:
    """The reviews signed off in the period and those published in it, in SQL."""
    return Review.objects.filter(
        Q(pk__in=_signed_in(partnership_id, starts_at, ends_before).values("pk"))
        | Q(pk__in=_published_in(partnership_id, starts_at, ends_before).values("review_id"))
    )


# The durations' five reads, their SQL built once (ADR 0038, core.compiled_sql): building them
# in the ORM on every request was a quarter of the board pack's time (issue 16). The period's
# bounds stand in the SQL as parameters, like the partnership.
_PERIOD_PLACEHOLDERS = {
    "partnership_id": (PARTNERSHIP_PLACEHOLDER, Review._meta.get_field("partnership")),
    "starts_at": (
        datetime.datetime(1901, 2, 3, 4, 5, 6, tzinfo=datetime.UTC),
        Review._meta.get_field("signed_off_at"),
    ),
    "ends_before": (
        datetime.datetime(1901, 2, 3, 4, 5, 7, tzinfo=datetime.UTC),
        Review._meta.get_field("signed_off_at"),
    ),
}
_SIGNED_ROWS = CompiledQuery(
    lambda **period: (
        _signed_in(**period)
        .order_by("signed_off_at", "pk")
        .values_list(*_DURATION_REVIEW, "signed_off_at")
    ),
    _PERIOD_PLACEHOLDERS,
)
_PUBLISHED_ROWS = CompiledQuery(
    lambda **period: (
        _published_in(**period)
        .order_by("published_at", "pk")
        .values_list(*(f"review__{f}" for f in _DURATION_REVIEW), "published_at")
    ),
    _PERIOD_PLACEHOLDERS,
)
_RULE_ROWS = CompiledQuery(lambda: _report_rules().values_list(*_RULE_COLUMNS), {})
_GUIDANCE_ROWS = CompiledQuery(
    lambda **period: _guidance_of(_among(**period)).values_list("case_id", "version_id"),
    _PERIOD_PLACEHOLDERS,
)
_TRACK_ROWS = CompiledQuery(
    lambda **period: _tracks_of(_among(**period)).values_list(*_TRACK_COLUMNS),
    _PERIOD_PLACEHOLDERS,
)


def _durations(partnership: Partnership, period: Period) -> dict[str, list[Duration]]:
    """Reviews signed off in the period and publications published in it, each with the day
    its report's clock started. Five queries, whatever the number of reviews."""
    bounds = {
        "partnership_id": partnership.pk,
        "starts_at": period.starts_at,
        "ends_before": period.ends_before,
    }
    # Only the columns a duration reads, as values (issue 16: a review row is mostly long and
    # encrypted text, and a tenth year signs off and publishes six times as many as a first).
    signed = [(ReviewRef(*row[:-1]), row[-1]) for row in _SIGNED_ROWS.read_values(**bounds)]
    published = [(ReviewRef(*row[:-1]), row[-1]) for row in _PUBLISHED_ROWS.read_values(**bounds)]
    reviews = {r.pk: r for r, _done in [*signed, *published]}
    starts = _starts_from(
        list(reviews.values()),
        _RULE_ROWS.read_values(),
        _GUIDANCE_ROWS.read_values(**bounds),
        _TRACK_ROWS.read_values(**bounds),
    )
    # The local day of each moment, the time zone looked up once (``timezone.localdate`` looks
    # it up for each: a tenth year's 60-odd reviews, issue 16).
    zone = timezone.get_current_timezone()
    return {
        part: [
            Duration(review, starts[review.pk], done.astimezone(zone).date() if done else None)
            for review, done in rows
        ]
        for part, rows in (("signed_off", signed), ("published", published))
    }


DURATION_SETS = {
    "signed_off_within": ("signed_off", True),
    "signed_off_over": ("signed_off", False),
    "signed_off_undated": ("signed_off", None),
    "published_within": ("published", True),
    "published_over": ("published", False),
    "published_undated": ("published", None),
}


def _median_days(durations: Iterable[Duration]) -> str:
    days = [d.days for d in durations if d.days is not None]
    if not days:
        return "No reviews"
    return f"{statistics.median(days):g} days ({len(days)} reviews)"


# The pack's reads, their SQL built once ----------------------------------------------------------


def _count(source: str) -> selectors.PeriodQuery:
    """The number of records of one of ``_sources``."""
    return selectors.PeriodQuery(
        lambda partnership, bounds: aggregating(
            _sources(partnership, bounds)[source].order_by(), n=Count("*")
        )
    )


# A financial year's referrals by type and source, decisions by outcome, recurring themes,
# reviews by kind and recommendations agreed are kept with its action figures (``selectors.
# PACK_KEYS``, ADR 0059); these count them for any other period, with the same reads.
_REFERRAL_COLUMNS = selectors.PACK_REFERRAL_COLUMNS
_REFERRAL_COUNTS = selectors.PeriodQuery(selectors.pack_referral_counts)
_NOTIFICATIONS = _count("notifications")
_RAPID_REVIEWS = _count("rapid_reviews")
_RECOMMENDATIONS = _count("recommendations")
_DECISIONS = selectors.PeriodQuery(selectors.pack_decision_counts)
_THEMES = selectors.PeriodQuery(selectors.pack_theme_counts)
#: The reviews' counts, one aggregate per set of kinds a partnership runs.
_REVIEW_COUNTS: dict[tuple[str, ...], selectors.PeriodQuery] = {}


def _review_counts(partnership: Partnership, period: Period, kinds: list[str]) -> dict[str, int]:
    """Reviews commissioned, completed and ongoing in the period, by kind: one aggregate."""
    names = [f"{name}:{kind}" for name in REVIEW_SET_NAMES for kind in kinds]
    if tuple(kinds) not in _REVIEW_COUNTS:

        def build(partnership: Partnership, bounds: selectors.Bounds) -> QuerySet:
            review_sets = _review_sets(bounds)
            return aggregating(
                _sources(partnership, bounds)["reviews"].order_by(),
                **{
                    f"{name}:{kind}": Count("pk", filter=q & Q(kind=kind))
                    for name, q in review_sets.items()
                    for kind in kinds
                },
            )

        _REVIEW_COUNTS[tuple(kinds)] = selectors.PeriodQuery(build)
    (row,) = _REVIEW_COUNTS[tuple(kinds)].rows(partnership, period)
    return dict(zip(names, row, strict=True))


# The pack ----------------------------------------------------------------------------------------


def board_pack(*, partnership: Partnership, period: Period, today: datetime.date) -> Pack:
    """Every figure of the partnership's report for the period, in sections, each figure with
    the key of the records behind it. A fixed number of queries (about twenty), whatever the
    number of records."""
    types = partnership.review_types
    sections: list[Section] = []
    # Counted with the implementation figures, kept per financial year (ADR 0031; issue 16):
    # the screening outcomes and actions by status, and (``pack``, ADR 0059) the referrals,
    # decisions, reviews, recommendations agreed and recurring themes.
    annual = selectors.implementation_counts(partnership=partnership, year=period)
    pack = annual.pack

    # Referrals -----------------------------------------------------------------------------
    referral_rows = [
        dict(zip((*_REFERRAL_COLUMNS, "n"), row, strict=True))
        for row in (pack["pack:referrals"] if pack else _REFERRAL_COUNTS.rows(partnership, period))
    ]
    by_type: defaultdict[tuple, int] = defaultdict(int)
    for row in referral_rows:
        by_type[(row["review_type"],)] += row["n"]
    type_figures = [
        Figure(label, by_type.get((value,), 0), "referrals_by_type", value)
        for value, label in ReviewType.choices
        if value in types or by_type.get((value,))
    ]
    sections.append(
        Section(
            "referrals",
            "Referrals received",
            [Figure("Referrals received", sum(by_type.values()), "referrals"), *type_figures],
            intro="Referrals are counted on the day they were received.",
            chart=Chart(
                "Referrals received, by the review asked for",
                "A bar for each type of review, its length the number of referrals",
                type_figures,
            ),
        )
    )
    agency_figures = _source_figures(referral_rows)
    sections.append(
        Section(
            "referral_sources",
            "Referrals by the organisation that referred",
            agency_figures,
            intro="By the partnership's agency each referral came from: matched from the "
            "organisation the referrer typed, or set by the business unit during triage. A "
            "referral from elsewhere is counted under the name typed (case, spaces and "
            "punctuation ignored), marked as not matched to an agency.",
            chart=Chart(
                "Referrals by the organisation that referred",
                "A bar for each referring organisation, its length the number of referrals",
                agency_figures,
            ),
        )
    )

    # Screening ----------------------------------------------------------------------------
    screened = annual.screening
    screening_figures = [
        Figure(
            f"{ReviewType(review_type).label}: {SCREENING_LABELS.get(result, result)}",
            n,
            "screening",
            f"{review_type}:{result}",
        )
        for (review_type, result), n in sorted(screened.items())
    ]
    sections.append(
        Section(
            "screening",
            "Screening outcomes",
            screening_figures,
            intro="Each review type a case was screened for, counted on the day it was opened.",
        )
    )

    # Serious incidents and rapid reviews (children) ------------------------------------------
    if ReviewType.CSPR in types:
        kept = _kept_timeliness(partnership, period)
        notes = (
            kept[Event.PANEL_NOTIFIED]
            if kept
            else _timeliness_counts(_sources(partnership, period)["notification_milestones"])
        )
        notified = [
            Figure(
                "Serious incidents notified to the Panel",
                _NOTIFICATIONS.rows(partnership, period)[0][0],
                "notifications",
            ),
            *_timeliness_figures(
                "notifications", notes, f"within {NOTIFICATION_DAYS} working days"
            ),
        ]
        sections.append(
            Section(
                "notifications",
                "Serious incident notifications",
                notified,
                intro=rules_in_words(
                    "The local authority notifies the Child Safeguarding Practice Review Panel "
                    f"within {NOTIFICATION_DAYS} working days of becoming aware (R2)."
                ),
                chart=Chart(
                    "Notifications on time, within an extension and late",
                    "Three bars: on time against the first due date, late against it but "
                    "within an agreed extension, and late",
                    [notified[1], notified[3], notified[4]],
                ),
                note="Timeliness is read from the notification milestones done in the period. "
                "The first figure is measured against the due date the rule first set; an "
                "extension is counted only in the figures that say so.",
                measures=[_extension_measure(notes)],
            )
        )
        rapid = (
            kept[Event.RAPID_REVIEW_COMPLETED]
            if kept
            else _timeliness_counts(_sources(partnership, period)["rapid_review_milestones"])
        )
        rapid_figures = [
            Figure(
                "Rapid reviews started",
                _RAPID_REVIEWS.rows(partnership, period)[0][0],
                "rapid_reviews",
            ),
            *_timeliness_figures(
                "rapid_reviews", rapid, f"within {RAPID_REVIEW_DAYS} working days"
            ),
        ]
        sections.append(
            Section(
                "rapid_reviews",
                "Rapid reviews",
                rapid_figures,
                intro=rules_in_words(
                    f"A rapid review is expected within {RAPID_REVIEW_DAYS} working days of "
                    "the notification (R9)."
                ),
                chart=Chart(
                    "Rapid reviews on time, within an extension and late",
                    "Three bars: on time against the first due date, late against it but "
                    "within an agreed extension, and late",
                    [rapid_figures[1], rapid_figures[3], rapid_figures[4]],
                ),
                note="The first figure is measured against the due date the rule first set; "
                "an extension is counted only in the figures that say so.",
                measures=[_extension_measure(rapid)],
            )
        )

    # Decisions ----------------------------------------------------------------------------
    decided = {
        (review_type, outcome): n
        for review_type, outcome, n in (
            pack["pack:decisions"] if pack else _DECISIONS.rows(partnership, period)
        )
    }
    for review_type in types:
        outcome_figures = [
            Figure(
                outcome.label,
                decided.get((review_type, outcome.value), 0),
                "decisions",
                f"{review_type}:{outcome.value}",
            )
            for outcome in OUTCOMES_BY_TYPE[review_type]
        ]
        label = ReviewType(review_type).label
        sections.append(
            Section(
                f"decisions_{review_type}",
                f"Decisions: {label}",
                outcome_figures,
                intro="Final decisions, counted on the day they were decided.",
                chart=Chart(
                    f"Decisions by outcome: {label}",
                    "A bar for each outcome, its length the number of decisions",
                    outcome_figures,
                ),
            )
        )

    # Reviews ----------------------------------------------------------------------------
    kinds = [kind for review_type in types for kind in REVIEW_KINDS[review_type]]
    review_sets = _review_sets(period)
    counts = (
        pack["pack:reviews"]
        if pack
        else _review_counts(partnership, period, [*kinds, Review.Kind.JOINT])
    )
    review_figures = []
    for kind in [*kinds, Review.Kind.JOINT]:
        if kind == Review.Kind.JOINT and not any(counts[f"{name}:{kind}"] for name in review_sets):
            continue
        label = Review.Kind(kind).label
        review_figures += [
            Figure(
                f"{label}: commissioned",
                counts[f"reviews_commissioned:{kind}"],
                "reviews_commissioned",
                kind,
            ),
            Figure(
                f"{label}: completed (signed off)",
                counts[f"reviews_completed:{kind}"],
                "reviews_completed",
                kind,
            ),
            Figure(
                f"{label}: ongoing at {period.end:%-d %B %Y}",
                counts[f"reviews_ongoing:{kind}"],
                "reviews_ongoing",
                kind,
            ),
        ]
    sections.append(
        Section(
            "reviews",
            "Reviews commissioned, completed and ongoing",
            review_figures,
            intro="Commissioned: started in the period. Completed: signed off in it. Ongoing: "
            "started by its last day and not signed off by then.",
            chart=Chart(
                "Reviews commissioned, completed and ongoing",
                "A bar for each figure, its length the number of reviews",
                review_figures,
            ),
        )
    )

    # Durations and publication -------------------------------------------------------------
    durations = _durations(partnership, period)
    duration_figures = [
        Figure(_duration_label(name, within), _duration_count(durations[part], within), name)
        for name, (part, within) in DURATION_SETS.items()
    ]
    sections.append(
        Section(
            "timeliness",
            "Time to sign-off and to publication",
            duration_figures,
            intro=rules_in_words(
                f"Against the expectation of a report within {EXPECTED_MONTHS} months, counted "
                "as the clock counts it: from the decision to hold a local child safeguarding "
                "practice review (R14) or a Domestic Homicide Review (R33), and from the start "
                "of a Safeguarding Adults Review (R26). A joint review counts from the first of "
                "its clocks to start."
            ),
            chart=Chart(
                f"Reviews within and over {EXPECTED_MONTHS} months",
                "A bar for each figure, its length the number of reviews",
                [f for f in duration_figures if not f.key.endswith("_undated")],
            ),
            measures=[
                ("Median time to sign-off", _median_days(durations["signed_off"])),
                ("Median time to publication", _median_days(durations["published"])),
            ],
        )
    )
    sections.append(
        Section(
            "publications",
            "Publications",
            [Figure("Reviews published", len(durations["published"]), "publications")],
            intro="Counted on the day the report was published.",
        )
    )

    # Recommendations, actions and implementation (R24) ---------------------------------------
    # The actions agreed in the period by their status today: kept with them too.
    status_figures = [
        Figure(label, annual.actions_by_status[value], "actions_by_status", value)
        for value, label in Action.Status.choices
    ]
    sections.append(
        Section(
            "recommendations",
            "Recommendations and actions",
            [
                Figure(
                    "Recommendations agreed",
                    annual.recommendations_agreed
                    if annual.recommendations_agreed is not None
                    else _RECOMMENDATIONS.rows(partnership, period)[0][0],
                    "recommendations",
                ),
                *status_figures,
            ],
            intro="Recommendations agreed in the period; their actions by their status today.",
            chart=Chart(
                "Actions of the recommendations agreed, by status",
                "A bar for each status, its length the number of actions",
                status_figures,
            ),
        )
    )
    sections.append(
        Section(
            "implementation",
            "Implementing the findings",
            [
                Figure(
                    "Actions completed in the period", annual.actions_completed, "actions_completed"
                ),
                Figure(
                    f"Actions outstanding at {period.end:%-d %B %Y}",
                    annual.actions_outstanding,
                    "actions_outstanding",
                ),
                Figure(
                    "Of those, overdue",
                    annual.actions_outstanding_overdue,
                    "actions_outstanding_overdue",
                ),
                Figure(
                    "Decisions not to implement an action",
                    annual.not_implemented,
                    "not_implemented",
                ),
                Figure(
                    "Recommendations with impact recorded",
                    annual.impact_recorded,
                    "impact_recorded",
                ),
            ],
            intro=rules_in_words(
                "What was done to implement the findings of the reviews, and the reasons for "
                "any decision not to implement one (R24)."
            ),
            note="The reasons are listed behind the figure of decisions not to implement.",
        )
    )

    # Recurring themes ----------------------------------------------------------------------
    theme_figures = [
        Figure(name, n, "themes", str(pk))
        for pk, name, n in (pack["pack:themes"] if pack else _THEMES.rows(partnership, period))
    ]
    sections.append(
        Section(
            "themes",
            "Recurring themes",
            theme_figures,
            intro="Themes tagged on the findings of two or more reviews signed off in the "
            "period; each figure is the number of reviews.",
            chart=Chart(
                "Recurring themes",
                "A bar for each theme, its length the number of reviews",
                theme_figures,
            )
            if theme_figures
            else None,
        )
    )

    title, statute = PACK_TITLES[Partnership.Kind(partnership.kind)]
    return Pack(title, statute, partnership, period, sections, complete=period.end < today)


def _duration_label(name: str, within: bool | None) -> str:
    done = "Signed off" if name.startswith("signed_off") else "Published"
    if within is None:
        return f"{done} with no start of the clock recorded"
    return f"{done} {'within' if within else 'more than'} {EXPECTED_MONTHS} months of the start"


def _duration_count(durations: list[Duration], within: bool | None) -> int:
    return sum(1 for d in durations if d.within_expectation is within)


# The records behind a figure ---------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    reference: str
    text: str
    day: datetime.date | None
    url: str = ""
    detail: str = ""


@dataclass
class Records:
    title: str
    date_label: str
    rows: list[Row]


KEYS = {
    *[
        "referrals",
        "referrals_by_type",
        "referrals_by_agency",
        "screening",
        "notifications",
        *[f"notifications_{name}" for name in TIMELINESS_SETS],
        "rapid_reviews",
        *[f"rapid_reviews_{name}" for name in TIMELINESS_SETS],
        "decisions",
        "reviews_commissioned",
        "reviews_completed",
        "reviews_ongoing",
        "publications",
        "recommendations",
        "actions_by_status",
        "actions_completed",
        "actions_outstanding",
        "actions_outstanding_overdue",
        "milestones_done",
        "milestones_on_time",
        "milestones_within_extension",
        "not_implemented",
        "impact_recorded",
        "themes",
    ],
    *DURATION_SETS,
}


def records(
    *, partnership: Partnership, period: Period, key: str, group: str, today: datetime.date
) -> Records | None:
    """The records behind one figure (None for an unknown key): the same set the figure
    counts, read through the same scoped querysets. A fixed number of queries."""
    if key not in KEYS:
        return None
    slug = partnership.slug
    if key in DURATION_SETS:
        part, within = DURATION_SETS[key]
        durations = _durations(partnership, period)[part]
        return Records(
            _duration_label(key, within),
            "Done on",
            [
                Row(
                    d.review.reference,
                    d.review.title,
                    d.done_on,
                    reverse("reviews:detail", args=[slug, d.review.pk]),
                    f"Counted from {d.start.starts_with.label} on {d.started_on:%-d %B %Y}; "
                    f"{d.days} days"
                    if d.started_on and d.start.starts_with
                    else "No final decision recorded",
                )
                for d in durations
                if d.within_expectation is within
            ],
        )
    if key in {"actions_completed", "actions_outstanding", "actions_outstanding_overdue"}:
        actions, sets = selectors.annual_action_sets(partnership=partnership, year=period)
        name = key.removeprefix("actions_")
        return Records(
            {
                "completed": "Actions completed in the period",
                "outstanding": f"Actions outstanding at {period.end:%-d %B %Y}",
                "outstanding_overdue": "Actions outstanding and overdue",
            }[name],
            "Target date",
            _action_rows(actions.filter(sets[name]), slug),
        )
    if key in {"not_implemented", "impact_recorded"}:
        annual = selectors.annual_figures(partnership=partnership, year=period, today=today)
        if key == "not_implemented":
            return Records(
                rules_in_words("Decisions not to implement an action, with the reasons (R24)"),
                "Decided on",
                [
                    Row(
                        a.reference,
                        a.text,
                        a.decided_on,
                        reverse("actions:action", args=[slug, a.pk]),
                        f"{a.agency.name}. Reason: {a.not_implemented_reason}",
                    )
                    for a in annual.not_implemented
                ],
            )
        return Records(
            "Recommendations with impact recorded",
            "Recorded on",
            [
                Row(
                    f"{r.review.reference} recommendation {r.number}",
                    r.text,
                    r.impact_recorded_on,
                    reverse("reviews:detail", args=[slug, r.review_id]),
                    r.get_impact_judgement_display(),
                )
                for r in annual.impact_recorded
            ],
        )
    if key in {"milestones_done", "milestones_on_time", "milestones_within_extension"}:
        if not group.isdigit():
            return None
        milestones = Milestone.objects.filter(
            partnership=partnership,
            rule_id=int(group),
            status=Milestone.Status.DONE,
            done_on__range=(period.start, period.end),
        )
        which = "done"
        if key != "milestones_done":
            which = key.removeprefix("milestones_")
            milestones = milestones.filter(TIMELINESS_SETS[which]())
        rule = MilestoneRule.objects.filter(pk=int(group)).first()
        if rule is None:
            return None
        return Records(
            f"{rule.name} ({rule_source(rule.rule_id)}): milestones "
            + ("done" if which == "done" else TIMELINESS_TITLES[which]),
            *_rows("milestones", key, milestones, slug),
        )
    if key == "themes":
        if not group.isdigit():
            return None
        theme = Theme.objects.filter(
            Q(partnership=None) | Q(partnership=partnership), pk=int(group)
        ).first()  # the shared vocabulary or the partnership's own: never another's theme name
        if theme is None:
            return None
        reviews = (
            _reviews(partnership)
            .filter(_review_sets(period)["reviews_completed"], findings__themes=theme)
            .distinct()
            .order_by("signed_off_at", "pk")
        )
        return Records(
            f"Reviews signed off with the theme {theme.name}",
            "Signed off",
            [_review_row(r, slug, r.signed_off_at) for r in reviews],
        )

    if key == "referrals_by_agency":
        chosen = _source_records(_sources(partnership, period)["referrals"], group)
        if chosen is None:
            return None
        title, referrals = chosen
        return Records(title, *_rows("referrals", key, referrals, slug))
    source, make_filter = _filters(period)[key]
    queryset = _sources(partnership, period)[source].filter(make_filter(group))
    title = _title(key, group, period)
    return Records(title, *_rows(source, key, queryset, slug))


TIMELINESS_TITLES = {
    "on_time": "on time against the first due date",
    "within_extension": "within the agreed extension (or on time)",
    "extended": "late against the first due date but within the agreed extension",
    "late": "late against the first due date and any extension",
}


def _title(key: str, group: str, period: Period) -> str:
    titles = {
        "referrals": "Referrals received",
        "referrals_by_type": f"Referrals asking for a {_choice(ReviewType, group)}",
        "notifications": "Serious incidents notified to the Panel",
        **{
            f"notifications_{name}": f"Notifications to the Panel: {label}"
            for name, label in TIMELINESS_TITLES.items()
        },
        "rapid_reviews": "Rapid reviews started",
        **{
            f"rapid_reviews_{name}": f"Rapid reviews: {label}"
            for name, label in TIMELINESS_TITLES.items()
        },
        "reviews_commissioned": "Reviews commissioned",
        "reviews_completed": "Reviews completed (signed off)",
        "reviews_ongoing": f"Reviews ongoing at {period.end:%-d %B %Y}",
        "publications": "Reviews published",
        "recommendations": "Recommendations agreed",
        "actions_by_status": f"Actions with the status {_choice(Action.Status, group)}",
    }
    if key == "screening":
        review_type, _, result = group.partition(":")
        return f"Screened for a {_choice(ReviewType, review_type)}: " + SCREENING_LABELS.get(
            result, result
        )
    if key == "decisions":
        review_type, _, outcome = group.partition(":")
        return f"Decisions on a {_choice(ReviewType, review_type)}: {_choice(Outcome, outcome)}"
    title = titles[key]
    if key.startswith("reviews_") and group:
        title += f": {_choice(Review.Kind, group)}"
    return title


def _choice(choices, value: str) -> str:
    return dict(choices.choices).get(value, value or "none")


def _review_row(review: Review, slug: str, when) -> Row:
    day = _local_day(when) if isinstance(when, datetime.datetime) else when
    return Row(
        review.reference,
        review.title,
        day,
        reverse("reviews:detail", args=[slug, review.pk]),
        review.get_kind_display(),
    )


def _action_rows(actions: QuerySet[Action], slug: str) -> list[Row]:
    actions = actions.select_related("agency").order_by("target_date", "pk")
    return [
        Row(
            a.reference,
            a.text,
            a.target_date,
            reverse("actions:action", args=[slug, a.pk]),
            f"{a.agency.name}: {a.get_status_display()}",
        )
        for a in actions
    ]


def _milestone_detail(m: Milestone) -> str:
    text = f"First due {m.original_due_on:%-d %B %Y} ({rule_source(m.rule.rule_id)})"
    if m.due_on != m.original_due_on:
        text += f"; extended to {m.due_on:%-d %B %Y}"
        text += f" ({m.extension_reason})" if m.extension_reason else " (no reason recorded)"
    if m.done_on <= m.original_due_on:
        return f"{text}: on time"
    if m.done_on <= m.due_on:
        return f"{text}: late against the first due date, within the extension"
    return f"{text}: late"


def _rows(source: str, key: str, queryset: QuerySet, slug: str) -> tuple[str, list[Row]]:
    if source == "referrals":
        return "Received", [
            Row(
                r.reference,
                f"{r.get_review_type_display()} from {r.referrer_organisation}",
                r.received_on,
                reverse("referrals:detail", args=[slug, r.pk]),
            )
            for r in queryset.order_by("received_on", "pk")
        ]
    if source == "screening":
        tracks = queryset.select_related("case").annotate(day=TruncDate("created_at"))
        return "Opened", [
            Row(
                t.case.reference,
                t.get_review_type_display(),
                _local_day(t.created_at),
                reverse("referrals:case", args=[slug, t.case_id]),
                SCREENING_LABELS.get(t.screening_result, t.screening_result),
            )
            for t in tracks.order_by("created_at", "pk")
        ]
    if source == "notifications":
        return "Sent", [
            Row(
                n.case.reference,
                n.get_recipient_display(),
                n.sent_on,
                reverse("referrals:case", args=[slug, n.case_id]),
                n.reference,
            )
            for n in queryset.select_related("case").order_by("sent_on", "pk")
        ]
    if source.endswith("milestones"):
        return "Done", [
            Row(
                m.subject_label,
                m.rule.name,
                m.done_on,
                m.subject_url,
                _milestone_detail(m),
            )
            for m in queryset.select_related("rule").order_by("done_on", "pk")
        ]
    if source == "decisions":
        return "Decided", [
            Row(
                d.track.case.reference,
                d.get_outcome_display(),
                d.decided_on,
                reverse("referrals:case", args=[slug, d.track.case_id]),
                d.track.get_review_type_display(),
            )
            for d in queryset.select_related("track__case").order_by("decided_on", "pk")
        ]
    if source in {"reviews", "rapid_reviews"}:
        field = "signed_off_at" if key == "reviews_completed" else "started_on"
        label = "Signed off" if key == "reviews_completed" else "Started"
        return label, [
            _review_row(r, slug, getattr(r, field)) for r in queryset.order_by(field, "pk")
        ]
    if source == "publications":
        return "Published", [
            Row(
                p.review.reference,
                p.title,
                _local_day(p.published_at),
                reverse("publication:detail", args=[slug, p.pk]),
                p.get_status_display(),
            )
            for p in queryset.select_related("review").order_by("published_at", "pk")
        ]
    if source == "recommendations":
        return "Agreed", [
            Row(
                f"{r.review.reference} recommendation {r.number}",
                r.text,
                r.agreed_on,
                reverse("reviews:detail", args=[slug, r.review_id]),
            )
            for r in queryset.select_related("review").order_by("agreed_on", "pk")
        ]
    return "Target date", _action_rows(queryset, slug)
