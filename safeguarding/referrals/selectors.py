"""Reads of referrals, cases, decisions and notifications, scoped to one partnership.

Every function takes the partnership the view already checked (partnership_get_for_user), so
nothing here can reach another partnership's records: an id from elsewhere is a 404. One record
is read through its ``*_get_for_user`` selector, which also answers 404 to a member who may not
see referrals at all (ADR 0010): only the business unit and partner leads see them, and a named
decision maker sees the decision they sign.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from safeguarding.accounts.models import Agency, Partnership, ReviewType, User
from safeguarding.core.compiled_sql import (
    PARTNERSHIP_PLACEHOLDER,
    PK_PLACEHOLDER,
    CompiledQuery,
    ManyToManyQuery,
    RecordQuery,
)
from safeguarding.core.rule_sources import rules_in_words
from safeguarding.guidance.default_versions import dhr_test_for
from safeguarding.guidance.models import Strand
from safeguarding.guidance.selectors import versions_applying

from . import permissions, screening, share_selectors
from .models import (
    Case,
    CaseGuidance,
    Decision,
    DecisionMaker,
    DecisionSignatory,
    Disagreement,
    Notification,
    Referral,
    ReferralCount,
    ReferralIdentity,
    Signature,
    Status,
    Track,
)

# Triage ----------------------------------------------------------------------------------------


def _triage_filtered(
    *,
    partnership: Partnership,
    review_type: str = "",
    age_group: str = "",
    agency: Agency | None = None,
) -> QuerySet[Referral]:
    referrals = Referral.objects.filter(partnership=partnership)
    if review_type:
        referrals = referrals.filter(review_type=review_type)
    if age_group:
        referrals = referrals.filter(age_group=age_group)
    if agency is not None:
        # One row per referral: (referral, agency) is unique in the through table.
        referrals = referrals.filter(agencies=agency)
    return referrals


def referral_counts_by_status(
    *,
    partnership: Partnership,
    review_type: str = "",
    age_group: str = "",
    agency: Agency | None = None,
) -> dict[str, int]:
    """How many referrals are in each status (with the other triage filters applied), in one
    query. The key "all" holds the total.

    Without an agency, from the kept counts (``ReferralCount``, by review type, age group and
    status, kept by triggers): a few rows whatever the number of referrals received over the
    years (issue 16: the count over ten years' 5,000 child referrals grew 8 times against a
    first year's). Under an agency (referrals linked to it), counted."""
    if agency is None:
        kept = ReferralCount.objects.filter(partnership=partnership)
        if review_type:
            kept = kept.filter(review_type=review_type)
        if age_group:
            kept = kept.filter(age_group=age_group)
        totals = dict.fromkeys(["all", *Status.values], 0)
        for status, n in kept.values_list("status", "n"):
            totals["all"] += n
            if status in totals:
                totals[status] += n
        return totals
    counts = _triage_filtered(
        partnership=partnership, review_type=review_type, age_group=age_group, agency=agency
    ).aggregate(
        all=Count("id"),
        **{status.value: Count("id", filter=Q(status=status)) for status in Status},
    )
    return {key: value or 0 for key, value in counts.items()}


def referrals_new(*, partnership: Partnership) -> QuerySet[Referral]:
    """The partnership's referrals that are new (not yet screened): the staff home counts them
    on the triage index alone, not with every status of every referral ever received (issue
    16)."""
    return Referral.objects.filter(partnership=partnership, status=Status.NEW)


def referral_list_for_triage(
    *,
    partnership: Partnership,
    review_type: str = "",
    age_group: str = "",
    agency: Agency | None = None,
    status: str = "",
) -> QuerySet[Referral]:
    """The triage list, newest first (index referral_triage). Only the columns the table shows
    are loaded: never the identity, never what happened."""
    referrals = _triage_filtered(
        partnership=partnership, review_type=review_type, age_group=age_group, agency=agency
    )
    if status:
        referrals = referrals.filter(status=status)
    return (
        referrals.select_related("case")
        .only(
            "id",
            "reference",
            "review_type",
            "age_group",
            "received_on",
            "status",
            "source",
            "case__id",
            "case__reference",
            "case__pseudonym",
        )
        .order_by("-received_on", "-id")
    )


def agency_list_for_partnership(*, partnership: Partnership) -> QuerySet[Agency]:
    return partnership.agencies.order_by("name")


# Referrals -------------------------------------------------------------------------------------


# A referral's pages read it first, with its agencies as ``prefetch_related`` gave them
# (ordered by name): the SQL of both is built once (issue 16).
_REFERRAL = RecordQuery(lambda: Referral.objects.select_related("case", "source_agency"))
_REFERRAL_AGENCIES = ManyToManyQuery(Referral, "agencies", order_by=("name",))


def referral_get_for_user(*, user, partnership: Partnership, pk: int) -> Referral:
    """One referral of the partnership, with its agencies and case; 404 outside it and for
    members who do not see referrals. The identity is not loaded: see referral_identity_get."""
    if not permissions.can_view_referrals(user, partnership):
        raise Http404("No such referral")
    referral = _REFERRAL.get(partnership=partnership, pk=pk)
    if referral is None:
        raise Http404("No such referral")
    _REFERRAL_AGENCIES.prefetch(referral)
    return referral


def referral_identity_get(*, referral: Referral) -> ReferralIdentity | None:
    """The real identity. Callers must record the view (services.referral_identity_viewed)."""
    return ReferralIdentity.objects.filter(referral=referral).first()


# Cases -----------------------------------------------------------------------------------------

PSEUDONYM_PREFIX: dict[str, str] = {
    ReviewType.CSPR: "Child",
    ReviewType.SAFEGUARDING_ADULTS_REVIEW: "Adult",
    ReviewType.DHR: "Person",
}


def _letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (like spreadsheet columns)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def case_pseudonym_suggestion(*, partnership: Partnership, review_type: str) -> str:
    """'Child A', 'Adult B', 'Person C': the next letter after the partnership's cases that
    already use the prefix. Staff may change it."""
    prefix = PSEUDONYM_PREFIX.get(review_type, "Person")
    used = Case.objects.filter(partnership=partnership, pseudonym__startswith=f"{prefix} ").count()
    return f"{prefix} {_letters(used)}"


OPEN_CASE_LIMIT = 50


def case_list_open(*, partnership: Partnership, limit: int = OPEN_CASE_LIMIT) -> list[Case]:
    """Cases still being screened or decided, newest first, capped so the page stays small."""
    return list(
        Case.objects.filter(
            partnership=partnership, status__in=[Status.IN_SCREENING, Status.AWAITING_DECISION]
        ).order_by("-created_at", "-id")[:limit]
    )


# A case's pages and a decision's read it first: the SQL (with the share's EXISTS) is built
# once (issue 16, core.compiled_sql).
_CASE = RecordQuery(
    lambda: Case.objects.select_related("partnership"), share_selectors.case_visible_q
)
_DECISION = RecordQuery(
    lambda: Decision.objects.select_related(
        "track", "track__case", "track__case__partnership", "track__decided_by"
    ),
    lambda partnership: share_selectors.case_visible_q(partnership, "track__case__"),
    partnership_model=Partnership,
)


def case_get_for_user(*, user, partnership: Partnership, pk: int) -> Case:
    """One case of the partnership, or one shared with it by an accepted share (ADR 0022);
    404 outside them and for members who do not see cases. Whether ``partnership`` owns the
    case or reaches it through a share: ``share_selectors.case_share_accepted``."""
    if not permissions.can_view_referrals(user, partnership):
        raise Http404("No such case")
    case = _CASE.get(partnership=partnership, pk=pk)
    if case is None:
        raise Http404("No such case")
    return case


_CASE_REFERRALS = CompiledQuery(
    lambda case_id: Referral.objects.filter(case_id=case_id).order_by("received_on", "id"),
    {"case_id": (PK_PLACEHOLDER, Case._meta.pk)},
)


def case_referral_list(*, case: Case) -> list[Referral]:
    """The case's referrals, first received first, without their agencies (the case page lists
    neither), from SQL built once (issue 16)."""
    return _CASE_REFERRALS.read(case_id=case.pk)


_CASE_REVIEWS = CompiledQuery(
    lambda case_id: Case.objects.filter(pk=case_id, reviews__isnull=False).values_list("pk")[:1],
    {"case_id": (PK_PLACEHOLDER, Case._meta.pk)},
)


def case_has_reviews(*, case: Case) -> bool:
    """Whether a review (of any kind) was started for the case."""
    return bool(_CASE_REVIEWS.read_rows(case_id=case.pk))


def case_referrals(*, case: Case) -> list[Referral]:
    return list(
        Referral.objects.filter(case=case)
        .prefetch_related(Prefetch("agencies", queryset=Agency.objects.order_by("name")))
        .order_by("received_on", "id")
    )


@dataclass(frozen=True)
class SignatoryRow:
    decision_maker: DecisionMaker
    signature: Signature | None
    # This round's disagreement by the decision maker: open, or resolved with the decision
    # standing without their signature (shown instead of "not signed yet").
    disagreement: Disagreement | None = None


@dataclass(frozen=True)
class TrackRow:
    track: Track
    decision: Decision | None
    signatories: list[SignatoryRow]
    disagreements: list[Disagreement]

    @property
    def signed_count(self) -> int:
        return sum(1 for row in self.signatories if row.signature is not None)

    @property
    def screening_label(self) -> str:
        return _result_label(self.track.screening_result)

    @property
    def waiting_for(self) -> list[DecisionMaker]:
        return [row.decision_maker for row in self.signatories if row.signature is None]

    @property
    def open_disagreements(self) -> list[Disagreement]:
        return [d for d in self.disagreements if d.is_open]


def _signatory_rows(
    signatures: list[Signature],
    makers: list[DecisionMaker],
    disagreements: Sequence[Disagreement] = (),
) -> list[SignatoryRow]:
    by_maker = {s.decision_maker_id: s for s in signatures}
    by_user = {
        d.user_id: d
        for d in disagreements
        if d.is_open or d.resolution == Disagreement.Resolution.WITHOUT_SIGNATURE
    }
    rows = [
        SignatoryRow(maker, signature, None if signature else by_user.get(maker.user_id))
        for maker in makers
        for signature in [by_maker.pop(maker.pk, None)]
    ]
    # A signature by someone no longer named still counts in the record: show it too.
    rows += [SignatoryRow(s.decision_maker, s) for s in by_maker.values()]
    return rows


# The case page's reads of its tracks, decisions and signatures: SQL built once per process
# (issue 16, ADR 0038), the case's id its one value. Each list is read whole for the case and
# given to its decision here (what ``prefetch_related`` did with an ``IN`` of the decisions).
def _by_case(build) -> CompiledQuery:
    return CompiledQuery(build, {"case_id": (PK_PLACEHOLDER, Case._meta.pk)})


_CASE_TRACKS = _by_case(
    lambda case_id: (
        Track.objects.filter(case_id=case_id)
        .select_related("decision", "decided_by")
        .order_by("review_type")
    )
)
_CASE_SIGNATURES = _by_case(
    lambda case_id: (
        Signature.objects.filter(decision__track__case_id=case_id)
        .select_related("user", "decision_maker")
        .order_by("signed_at", "id")
    )
)
_CASE_DISAGREEMENTS = _by_case(
    lambda case_id: (
        Disagreement.objects.filter(decision__track__case_id=case_id)
        .select_related("user", "resolution_recorded_by")
        .order_by("raised_at", "id")
    )
)
_CASE_REPLACED_SIGNATORIES = _by_case(
    lambda case_id: (
        DecisionSignatory.objects.filter(
            decision__track__case_id=case_id, replaced_at__isnull=False
        )
        .select_related("decision_maker__user", "replacement__decision_maker__user", "replaced_by")
        .order_by("replaced_at", "id")
    )
)
_CASE_CURRENT_SIGNATORIES = _by_case(
    lambda case_id: _current_signatories(
        DecisionSignatory.objects.filter(decision__track__case_id=case_id)
    )
)


def _by_decision(rows: list) -> dict[int, list]:
    found: dict[int, list] = {}
    for row in rows:
        found.setdefault(row.decision_id, []).append(row)
    return found


def case_tracks(*, case: Case) -> list[TrackRow]:
    """The case's tracks with their decisions, signatures, disagreements and the decision
    makers who must sign: at most six queries however many tracks, decisions and signatures
    there are. Signatures and disagreements of earlier rounds (before a decision was changed) are
    listed with the disagreements, not counted."""
    tracks = _CASE_TRACKS.read(case_id=case.pk)
    decided = [t.decision for t in tracks if getattr(t, "decision", None) is not None]
    signatures: dict[int, list[Signature]] = {}
    disagreements_of: dict[int, list[Disagreement]] = {}
    if decided:
        signatures = _by_decision(_CASE_SIGNATURES.read(case_id=case.pk))
        disagreements_of = _by_decision(_CASE_DISAGREEMENTS.read(case_id=case.pk))
        replaced = _by_decision(_CASE_REPLACED_SIGNATORIES.read(case_id=case.pk))
        for decision in decided:
            decision.replaced_signatories = replaced.get(decision.pk, [])
    # Who would sign a decision not recorded yet: the decision makers named now by the
    # partnership that decides the track (the case's, or a partner it was shared with: ADR
    # 0022); a recorded decision keeps its own signatories (ADR 0019).
    makers_by_type: dict[tuple[int, str], list[DecisionMaker]] = {}
    makers_by_decision: dict[int, list[DecisionMaker]] = {}
    undecided = [t for t in tracks if getattr(t, "decision", None) is None]
    if undecided:
        for maker in DecisionMaker.objects.filter(
            partnership_id__in={t.decided_by_id or case.partnership_id for t in undecided},
            review_type__in={t.review_type for t in undecided},
        ).select_related("user"):
            makers_by_type.setdefault((maker.partnership_id, maker.review_type), []).append(maker)
    if tracks:
        for row in _CASE_CURRENT_SIGNATORIES.read(case_id=case.pk):
            makers_by_decision.setdefault(row.decision_id, []).append(row.decision_maker)
    rows = []
    for track in tracks:
        track.case = case  # who decides it reads the case's partnership: no query per track
        decision = getattr(track, "decision", None)
        disagreements = disagreements_of.get(decision.pk, []) if decision else []
        rows.append(
            TrackRow(
                track=track,
                decision=decision,
                signatories=_signatory_rows(
                    [s for s in signatures.get(decision.pk, []) if s.round == decision.round]
                    if decision
                    else [],
                    makers_by_decision.get(decision.pk, [])
                    if decision
                    else makers_by_type.get(
                        (track.decided_by_id or case.partnership_id, track.review_type), []
                    ),
                    [d for d in disagreements if d.round == decision.round] if decision else [],
                ),
                disagreements=disagreements,
            )
        )
    return rows


def track_get(*, case: Case, pk: int) -> Track:
    try:
        return Track.objects.select_related("case", "case__partnership", "decided_by").get(
            case=case, pk=pk
        )
    except Track.DoesNotExist:
        raise Http404("No such track") from None


_CASE_NOTIFICATIONS = CompiledQuery(
    lambda case_id: (
        Notification.objects.filter(case_id=case_id)
        .select_related("recorded_by")
        .order_by("sent_on")
    ),
    {"case_id": (PK_PLACEHOLDER, Case._meta.pk)},
)


def notification_list_for_case(*, case: Case) -> list[Notification]:
    return _CASE_NOTIFICATIONS.read(case_id=case.pk)


# Screening -------------------------------------------------------------------------------------

SCREENING_KEYS = {
    ReviewType.CSPR: "CSPR",
    ReviewType.SAFEGUARDING_ADULTS_REVIEW: "SAR",
    ReviewType.DHR: "DHR",
}

# Which recipients each notification the screening asks for goes to (R2, R4, R5).
NOTIFICATION_RECIPIENTS = {
    screening.NOTIFY_PANEL: [Notification.Recipient.PANEL],
    screening.NOTIFY_LOOKED_AFTER_DEATH: [
        Notification.Recipient.OFSTED,
        Notification.Recipient.SECRETARY_OF_STATE,
    ],
    screening.NOTIFY_CARE_LEAVER_DEATH: [
        Notification.Recipient.OFSTED,
        Notification.Recipient.SECRETARY_OF_STATE,
    ],
}


@dataclass(frozen=True)
class Screening:
    """The screening of a case's facts: ``result`` is screen(...).as_dict(), or None with the
    problems when the stored facts cannot be read."""

    result: dict | None
    problems: tuple[str, ...] = ()


def case_dhr_test(*, case: Case) -> str:
    """The statutory DHR test the case's guidance versions call for (the 2004 Act s9 test, or
    the Domestic Abuse Related Death Review test of the Victims and Prisoners Act 2024 s19 where
    the partnership adopted it before the case began; R27, R38)."""
    return dhr_test_for(case_guidance_codes(case=case))


def case_screening(*, case: Case) -> Screening:
    try:
        facts = screening.Facts.from_dict(case.facts)
        return Screening(screening.screen(facts, dhr_test=case_dhr_test(case=case)).as_dict())
    except screening.ScreeningFactsError as error:
        return Screening(None, error.problems)


@dataclass(frozen=True)
class ScreeningRow:
    review_type: str
    review_type_label: str
    key: str
    result: str
    rules: list[str]
    reasons: list[str]
    partnership_runs: bool

    @property
    def result_label(self) -> str:
        return _result_label(self.result)

    @property
    def tag_class(self) -> str:
        return RESULT_TAGS.get(self.result, "govuk-tag--grey")


def screening_rows(*, result: dict | None, partnership: Partnership) -> list[ScreeningRow]:
    if not result:
        return []
    runs = {t.value for t in partnership.review_types}
    return [
        ScreeningRow(
            review_type=review_type.value,
            review_type_label=review_type.label,
            key=key,
            result=result[key]["result"],
            rules=list(result[key]["rules"]),
            reasons=list(result[key]["reasons"]),
            partnership_runs=review_type.value in runs,
        )
        for review_type, key in SCREENING_KEYS.items()
    ]


@dataclass(frozen=True)
class NotificationNeed:
    code: str
    label: str
    recipients: list[str]
    recorded: list[Notification]

    @property
    def done(self) -> bool:
        return {n.recipient for n in self.recorded} >= set(self.recipients)


def notifications_needed(
    *, result: dict | None, notifications: list[Notification]
) -> list[NotificationNeed]:
    """The notifications the screening says are due, each with those already recorded."""
    if not result:
        return []
    needs = []
    for code in result.get("notifications", []):
        recipients = [str(r) for r in NOTIFICATION_RECIPIENTS.get(code, [])]
        needs.append(
            NotificationNeed(
                code=code,
                label=screening.NOTIFICATION_LABELS.get(code, code),
                recipients=recipients,
                recorded=[n for n in notifications if n.recipient in recipients],
            )
        )
    return needs


# Decisions -------------------------------------------------------------------------------------


def decision_get_for_user(*, user, partnership: Partnership, pk: int) -> Decision:
    """One decision of a case the partnership owns or reaches through an accepted share
    (ADR 0022), for those who see cases and for its named decision makers; 404 for anyone
    else."""
    decision = _DECISION.get(partnership=partnership, pk=pk)
    if decision is None:
        raise Http404("No such decision")
    if not (
        permissions.can_view_referrals(user, partnership)
        or permissions.can_sign_decision(user, decision)
    ):
        raise Http404("No such decision")
    return decision


def decision_signatories(*, decision: Decision) -> list[SignatoryRow]:
    """Every current signatory of the decision (ADR 0019), with their signature of this round
    (or None) and any disagreement of theirs that stands in its place, plus any signature of
    this round by someone no longer a signatory."""
    signatures = _ROUND_SIGNATURES.read(decision_id=decision.pk, round=decision.round)
    disagreements = _ROUND_DISAGREEMENTS.read(decision_id=decision.pk, round=decision.round)
    makers = [row.decision_maker for row in _SIGNATORIES.read(decision_id=decision.pk)]
    return _signatory_rows(signatures, makers, disagreements)


# A decision's signing pages read its signatories, and this round's signatures and
# disagreements: the SQL is built once (issue 16). A round no decision reaches stands in for
# the real one while it is built.
_ROUND = (32_761, Signature._meta.get_field("round"))
_ROUND_SIGNATURES = CompiledQuery(
    lambda decision_id, round: (
        Signature.objects.filter(decision_id=decision_id, round=round)
        .select_related("user", "decision_maker")
        .order_by("signed_at", "id")
    ),
    {"decision_id": (PK_PLACEHOLDER, Decision._meta.pk), "round": _ROUND},
)
_ROUND_DISAGREEMENTS = CompiledQuery(
    lambda decision_id, round: Disagreement.objects.filter(decision_id=decision_id, round=round),
    {"decision_id": (PK_PLACEHOLDER, Decision._meta.pk), "round": _ROUND},
)
_SIGNATORIES = CompiledQuery(
    lambda decision_id: _current_signatories(
        DecisionSignatory.objects.filter(decision_id=decision_id)
    ),
    {"decision_id": (PK_PLACEHOLDER, Decision._meta.pk)},
)


def _current_signatories(rows: QuerySet[DecisionSignatory]) -> QuerySet[DecisionSignatory]:
    return (
        rows.filter(replaced_at__isnull=True)
        .select_related("decision_maker__user")
        .order_by("decision_maker__capacity", "id")
    )


def decision_signatory_history(*, decision: Decision) -> list[DecisionSignatory]:
    """The decision's replaced signatories, oldest replacement first, each with who replaced
    them (``replacement``), who recorded it and why (ADR 0019)."""
    return list(
        DecisionSignatory.objects.filter(decision=decision, replaced_at__isnull=False)
        .select_related("decision_maker__user", "replacement__decision_maker__user", "replaced_by")
        .order_by("replaced_at", "id")
    )


def decision_signatory_get(*, decision: Decision, decision_maker_pk: int) -> DecisionSignatory:
    """The current signatory of ``decision`` (already read through decision_get_for_user) in
    the capacity ``decision_maker_pk``; 404 if there is none."""
    try:
        return DecisionSignatory.objects.select_related("decision_maker__user").get(
            decision=decision, decision_maker_id=decision_maker_pk, replaced_at__isnull=True
        )
    except DecisionSignatory.DoesNotExist:
        raise Http404("No such signatory") from None


def decision_signatories_who_left(*, decision: Decision) -> list[DecisionSignatory]:
    """The decision's current signatories who have left (decision maker row archived or
    account deactivated) and have not signed this round: the ones the business unit may
    replace."""
    signed = Signature.objects.filter(decision=decision, round=decision.round).values(
        "decision_maker_id"
    )
    return list(
        _current_signatories(DecisionSignatory.objects.filter(decision=decision))
        .filter(
            Q(decision_maker__archived_at__isnull=False) | Q(decision_maker__user__is_active=False)
        )
        .exclude(decision_maker_id__in=signed)
    )


def decision_maker_choices_for(*, decision: Decision) -> QuerySet[DecisionMaker]:
    """The decision makers named now for the decision's review type, with an active account,
    who are not already its signatories: who may replace one who left."""
    track = decision.track
    return (
        DecisionMaker.objects.filter(
            partnership_id=track.deciding_partnership_id,
            review_type=track.review_type,
            user__is_active=True,
        )
        .exclude(
            pk__in=DecisionSignatory.objects.filter(
                decision=decision, replaced_at__isnull=True
            ).values("decision_maker_id")
        )
        .select_related("user")
        .order_by("capacity")
    )


def decision_disagreements(*, decision: Decision) -> list[Disagreement]:
    """Every disagreement with the decision, in every round, oldest first."""
    return list(
        Disagreement.objects.filter(decision=decision)
        .select_related("user", "resolution_recorded_by")
        .order_by("raised_at", "id")
    )


def _disagreements_open(partnership_id: int) -> QuerySet[Disagreement]:
    return (
        Disagreement.objects.filter(
            share_selectors.decided_here_q(Partnership(pk=partnership_id), "decision__track__"),
            resolution="",
        )
        .select_related("decision__track__case")
        .order_by("raised_at", "id")
    )


# The staff home's (every sign-in of the business unit): SQL built once (issue 16).
_DISAGREEMENTS_OPEN = CompiledQuery(
    _disagreements_open,
    {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)},
)


def disagreement_list_open(*, partnership: Partnership) -> list[Disagreement]:
    """The disagreements the partnership's business unit has still to resolve (with decisions
    of the tracks it decides, ADR 0022), oldest first. One query."""
    return _DISAGREEMENTS_OPEN.read(partnership_id=partnership.pk)


def disagreement_get(*, decision: Decision, pk: int) -> Disagreement:
    """One disagreement with ``decision`` (already read through decision_get_for_user)."""
    try:
        return Disagreement.objects.select_related("user").get(decision=decision, pk=pk)
    except Disagreement.DoesNotExist:
        raise Http404("No such disagreement") from None


def track_signatories(*, track: Track) -> list[SignatoryRow]:
    """Who must sign the track's decision, before one is recorded."""
    return _signatory_rows([], _decision_makers(track))


def _decision_makers(track: Track) -> list[DecisionMaker]:
    return list(
        DecisionMaker.objects.filter(
            partnership_id=track.deciding_partnership_id, review_type=track.review_type
        ).select_related("user")
    )


def _awaiting_signature(partnership: Partnership, user) -> QuerySet[Decision]:
    # The decisions ``partnership`` takes: its own cases' tracks and the shared tracks given to
    # it (ADR 0022); its decision makers sign only those.
    decisions = Decision.objects.filter(
        share_selectors.decided_here_q(partnership, "track__"),
        state__in=[Decision.State.AWAITING_SIGNATURES, Decision.State.DISPUTED],
    )
    unsigned_capacity = DecisionSignatory.objects.filter(
        decision=OuterRef("pk"), replaced_at__isnull=True, decision_maker__user=user
    ).exclude(
        decision_maker_id__in=Signature.objects.filter(
            decision=OuterRef(OuterRef("pk")), round=OuterRef(OuterRef("round"))
        ).values("decision_maker_id")
    )
    # Someone who declined or disagreed is not asked again until it is resolved, nor when it
    # was resolved with the decision standing without their signature.
    their_disagreement = Disagreement.objects.filter(
        decision=OuterRef("pk"), round=OuterRef("round"), user=user
    ).filter(Q(resolution="") | Q(resolution=Disagreement.Resolution.WITHOUT_SIGNATURE))
    return (
        decisions.filter(Exists(unsigned_capacity))
        .exclude(Exists(their_disagreement))
        .select_related("track", "track__case")
        .order_by("decided_on", "id")
    )


# A user placeholder distinct from the partnership's and the case's (core.compiled_sql).
_USER_PLACEHOLDER = -7_301_946_291

# The case page's question, with the SQL built once (issue 16).
_CASE_AWAITING = CompiledQuery(
    lambda partnership_id, case_id, user_id: _awaiting_signature(
        Partnership(pk=partnership_id), User(pk=user_id)
    ).filter(track__case_id=case_id),
    {
        "partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk),
        "case_id": (PK_PLACEHOLDER, Case._meta.pk),
        "user_id": (_USER_PLACEHOLDER, User._meta.pk),
    },
)

# The staff home's question (every sign-in), with the SQL built once (issue 16).
_AWAITING = CompiledQuery(
    lambda partnership_id, user_id: _awaiting_signature(
        Partnership(pk=partnership_id), User(pk=user_id)
    ),
    {
        "partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk),
        "user_id": (_USER_PLACEHOLDER, User._meta.pk),
    },
)


def decisions_awaiting_signature(
    *, user, partnership: Partnership, case: Case | None = None
) -> list[Decision]:
    """Decisions of ``partnership`` (or of one ``case``) that still need ``user``'s signature
    in at least one of the capacities they are named for, oldest first. One query."""
    if not getattr(user, "is_authenticated", False):
        return []
    if case is not None:
        return _CASE_AWAITING.read(partnership_id=partnership.pk, case_id=case.pk, user_id=user.pk)
    return _AWAITING.read(partnership_id=partnership.pk, user_id=user.pk)


# The notification summary ----------------------------------------------------------------------


def _line(label: str, value) -> str:
    return f"{label}: {value if value not in (None, '') else 'Not known'}"


def _format_date(value: datetime.date | None) -> str:
    return f"{value:%-d %B %Y}" if value else "Not known"


def notification_summary_text(
    *, case: Case, referrals: list[Referral], screening: dict | None
) -> str:
    """A plain-text summary for the Panel, Ofsted or the Home Office to paste or attach.

    It names the case by its reference and pseudonym only: never a real name, date of birth or
    address (ReferralIdentity is not read here).
    """
    first = referrals[0] if referrals else None
    agencies = sorted({agency.name for r in referrals for agency in r.agencies.all()})
    others = sorted({r.other_agencies for r in referrals if r.other_agencies})
    lines = [
        "Serious case notification summary",
        "",
        _line("Partnership", case.partnership.name),
        _line("Case reference", case.reference),
        _line("Pseudonym", case.pseudonym),
        _line("Date the partnership became aware", _format_date(case.became_aware_on)),
    ]
    if first is not None:
        lines += [
            _line("Incident date", _format_date(first.incident_date)),
            _line("Age group", first.get_age_group_display()),
            _line("Harm", first.get_harm_display()),
            _line("Abuse or neglect", first.get_abuse_or_neglect_display()),
            _line("Where it happened", first.get_place_display()),
        ]
        if first.date_of_death:
            lines.append(_line("Date of death", _format_date(first.date_of_death)))
        lines.append(_line("Referrals", ", ".join(r.reference for r in referrals)))
    lines += ["", "Screening against the statutory tests"]
    if screening:
        for key in ("CSPR", "SAR", "DHR"):
            result = screening.get(key)
            if not result:
                continue
            rules = rules_in_words(", ".join(result.get("rules") or [])) or "none"
            lines.append(f"- {key}: {_result_label(result.get('result'))} (guidance: {rules})")
            for reason in result.get("reasons") or []:
                lines.append(f"    {rules_in_words(reason)}")
    else:
        lines.append("- Not screened yet")
    lines += ["", "Agencies involved"]
    if agencies or others:
        lines += [f"- {name}" for name in agencies]
        lines += [f"- {name}" for name in others]
    else:
        lines.append("- None recorded")
    lines += ["", "What happened"]
    lines.append(first.what_happened.strip() if first and first.what_happened else "Not recorded")
    return "\n".join(lines) + "\n"


# How each screening result reads, per review type, and its GOV.UK tag colour.
RESULT_LABELS = {
    "notify": "Met: notify the Panel",
    "mandatory": "Met: mandatory review",
    "discretionary": "Discretionary review possible",
    "required": "Met: review required",
    "not_met": "Not met",
    "unknown": "Cannot be decided yet",
}
RESULT_TAGS = {
    "notify": "govuk-tag--purple",
    "mandatory": "govuk-tag--purple",
    "required": "govuk-tag--purple",
    "discretionary": "govuk-tag--blue",
    "not_met": "govuk-tag--grey",
    "unknown": "govuk-tag--yellow",
}


def _result_label(result: str | None) -> str:
    if not result:
        return "Not known"
    return RESULT_LABELS.get(result, result.replace("_", " ").capitalize())


# Guidance versions (ADR 0018) ------------------------------------------------------------------


@dataclass(frozen=True)
class CaseGuidanceRow:
    strand: str
    strand_label: str
    code: str
    title: str
    status_label: str
    why: str
    recorded: bool


_CASE_GUIDANCE = CompiledQuery(
    lambda case_id: CaseGuidance.objects.filter(case_id=case_id).select_related("version"),
    {"case_id": (PK_PLACEHOLDER, Case._meta.pk)},
)


def _recorded_guidance(case: Case) -> list[CaseGuidance]:
    """The guidance versions recorded on the case (by strand), read once per request: the
    screening's codes and the case page's rows both need them (SQL built once, issue 16)."""
    cached = getattr(case, "_guidance_recorded", None)
    if cached is None:
        cached = case._guidance_recorded = _CASE_GUIDANCE.read(case_id=case.pk)  # type: ignore[attr-defined]
    return cached


def case_guidance_rows(*, case: Case) -> list[CaseGuidanceRow]:
    """The guidance versions the case follows and why, for the case page. A case recorded
    before versions existed and not yet migrated (never in practice: migration 0011 records
    them) shows the versions that apply on its day of awareness, marked not recorded."""
    recorded = _recorded_guidance(case)
    if recorded:
        return [
            CaseGuidanceRow(
                strand=row.strand,
                strand_label=Strand(row.strand).label,
                code=row.version.code,
                title=row.version.short_title,
                status_label=row.version.get_status_display(),
                why=row.why,
                recorded=True,
            )
            for row in recorded
        ]
    applying = _versions_applying(case)
    return [
        CaseGuidanceRow(
            strand=strand,
            strand_label=Strand(strand).label,
            code=applied.version.code,
            title=applied.version.short_title,
            status_label=applied.version.get_status_display(),
            why=f"Aware on {case.became_aware_on:%-d %B %Y}; {applied.why}",
            recorded=False,
        )
        for strand, applied in sorted(applying.items())
    ]


def case_guidance_codes(*, case: Case) -> list[str]:
    """The codes of the guidance versions the case follows: those recorded on it, or (for a
    case without any recorded) those applying on the day the partnership became aware."""
    cached = getattr(case, "_guidance_codes", None)  # read once per request (screening, panel)
    if cached is not None:
        return list(cached)
    codes = sorted(row.version.code for row in _recorded_guidance(case))
    if not codes:
        codes = sorted(applied.version.code for applied in _versions_applying(case).values())
    case._guidance_codes = tuple(codes)  # type: ignore[attr-defined]
    return codes


def _versions_applying(case: Case) -> dict:
    """``versions_applying`` on the day the partnership became aware of the case, read once
    per request (the screening's codes and the case page's guidance rows both need it)."""
    cached = getattr(case, "_guidance_applying", None)
    if cached is None:
        cached = versions_applying(partnership=case.partnership, on_date=case.became_aware_on)
        case._guidance_applying = cached  # type: ignore[attr-defined]
    return cached
