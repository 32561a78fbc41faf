"""The statutory publication rules as code (R15–R17, R34–R36, R46): which steps each review type
needs, the earliest publication date, and why a publication cannot go out yet."""

import datetime

from safeguarding.accounts.models import Partnership
from safeguarding.core.calendar import add_calendar_months, add_working_days
from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER, PK_PLACEHOLDER, CompiledQuery
from safeguarding.core.rule_sources import rule_source
from safeguarding.referrals.models import Track
from safeguarding.referrals.selectors import case_guidance_codes
from safeguarding.referrals.share_selectors import sign_off_partners
from safeguarding.reviews.models import Review

from .models import (
    CheckFinding,
    PartnerSignOff,
    PrePublicationStep,
    Publication,
    PublicationSettings,
)

Kind = PrePublicationStep.Kind


def settings_for(partnership) -> PublicationSettings:
    settings, _ = PublicationSettings.objects.get_or_create(partnership=partnership)
    return settings


KIND_TYPES = {"lcspr": {"cspr"}, "rapid_review": {"cspr"}, "sar": {"sar"}, "dhr": {"dhr"}}


def _settings(publication: Publication) -> PublicationSettings:
    cached = publication.__dict__.get("_rules_settings")
    return cached if cached is not None else settings_for(publication.partnership)


def _review_types_read(publication: Publication) -> frozenset[str]:
    types = set(publication.review.tracks.values_list("review_type", flat=True))
    return frozenset(types or KIND_TYPES.get(publication.review.kind, {publication.review_type}))


def review_types_of(publication: Publication) -> set[str]:
    """The review types the publication answers for: its review's tracks (a joint review has
    several), or the review's kind when it has none recorded."""
    cached = publication.__dict__.get("_rules_review_types")
    return set(cached if cached is not None else _review_types_read(publication))


# The publication's page reads these with SQL built once (issue 16, core.compiled_sql).
_SETTINGS = CompiledQuery(
    lambda partnership_id: PublicationSettings.objects.filter(partnership_id=partnership_id),
    {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)},
)
_TRACK_TYPES = CompiledQuery(
    lambda review_id: Track.objects.filter(reviews=review_id).values_list("review_type"),
    {"review_id": (PK_PLACEHOLDER, Review._meta.pk)},
)


_SIGN_OFFS = CompiledQuery(
    lambda publication_id: PartnerSignOff.objects.filter(
        publication_id=publication_id
    ).select_related("recorded_by"),
    {"publication_id": (PK_PLACEHOLDER, Publication._meta.pk)},
)


def read_once_for_page(publication: Publication, live_files: list | None = None) -> None:
    """Read the partnership's settings and the review's types once for a page that asks the
    rules several times (the publication's page: steps allowed, what is missing, the earliest
    date, the Home Office Panel; issue 16). Kept on this object only: elsewhere the rules read
    them afresh each time. ``live_files`` (not replaced, their findings prefetched), when the
    page has read them, answer what is missing about the files without asking again."""
    found = _SETTINGS.read(partnership_id=publication.partnership_id)
    publication.__dict__["_rules_settings"] = (
        found[0] if found else settings_for(publication.partnership)
    )
    types = {row[0] for row in _TRACK_TYPES.read_rows(review_id=publication.review_id)}
    publication.__dict__["_rules_review_types"] = frozenset(
        types or KIND_TYPES.get(publication.review.kind, {publication.review_type})
    )
    if live_files is not None:
        publication.__dict__["_rules_live_files"] = live_files


def required_steps(publication: Publication) -> list[tuple[str, str]]:
    """(step kind, rule ID) the publication needs before it can go out, by the guidance versions
    the review's case follows (ADR 0018): Working Together 2018 names Ofsted for the advance copy
    (R17; under 2023 it is the partnership's setting); under the 2024 Act's section 19 the report
    goes to the Secretary of State as well as the Domestic Abuse Commissioner (R36)."""
    types = review_types_of(publication)
    versions = set(case_guidance_codes(case=publication.review.case))
    steps = []
    if "cspr" in types:
        steps += [(Kind.ADVANCE_COPY_PANEL, "R17"), (Kind.ADVANCE_COPY_SOS, "R17")]
        if "WT2018" in versions or _settings(publication).advance_copy_to_ofsted:
            steps.append((Kind.ADVANCE_COPY_OFSTED, "R17"))
    if "dhr" in types:
        steps += [(Kind.HOME_OFFICE_CONTENT, "R34"), (Kind.DA_COMMISSIONER_COPY, "R36")]
        if "VPA2024" in versions:
            steps.append((Kind.DARDR_SOS_COPY, "R36"))
    # The Board signs its SAR off (R46, local practice). When a partner Board decides the SAR
    # track of a shared case, its own sign-off (``partner_sign_offs``) stands for this step.
    if (
        "sar" in types
        and not publication.review.tracks.filter(review_type="sar", decided_by__isnull=False)
        .exclude(decided_by=publication.partnership_id)
        .exists()
    ):
        steps.append((Kind.BOARD_SIGN_OFF, "R46"))
    return steps


def partner_sign_offs(publication: Publication) -> list[tuple[object, PartnerSignOff | None]]:
    """Each partner partnership that shares the review and signs its publication off (ADR
    0022, R46), with its sign-off or None while it has not recorded one. Read once on a page
    that asked ``read_once_for_page``."""
    if "_rules_settings" in publication.__dict__:
        cached = publication.__dict__.get("_rules_partner_sign_offs")
        if cached is None:
            cached = publication.__dict__["_rules_partner_sign_offs"] = _partner_sign_offs(
                publication
            )
        return list(cached)
    return _partner_sign_offs(publication)


def _partner_sign_offs(publication: Publication) -> list[tuple[object, PartnerSignOff | None]]:
    done = {
        sign_off.partnership_id: sign_off
        for sign_off in _SIGN_OFFS.read(publication_id=publication.pk)
    }
    return [
        (partner, done.get(partner.pk))
        for partner in sign_off_partners(case=publication.review.case)
    ]


def earliest_publish_on(
    publication: Publication, today: datetime.date
) -> tuple[datetime.date, str]:
    """The earliest date the rules allow, and why (a plain sentence)."""
    done = {step.kind: step for step in publication.steps.all()}
    earliest, why = today, "today"
    advance = [
        done[k].done_on
        for k in (Kind.ADVANCE_COPY_PANEL, Kind.ADVANCE_COPY_SOS, Kind.ADVANCE_COPY_OFSTED)
        if k in done
    ]
    if advance:
        days = _settings(publication).advance_copy_working_days
        date = add_working_days(max(advance), days)
        if date > earliest:
            earliest = date
            why = (  # R17
                f"{days} working days after the last advance copy ({max(advance):%-d %B %Y}), "
                f"{rule_source('R17')}"
            )
    if Kind.HOME_OFFICE_CONTENT in done and done[Kind.HOME_OFFICE_CONTENT].done_on > earliest:
        earliest = done[Kind.HOME_OFFICE_CONTENT].done_on
        why = f"the date the Home Office said it was content ({rule_source('R34')})"
    return earliest, why


def earliest_removal_on(publish_on: datetime.date) -> datetime.date:
    """Published items stay public for at least 12 months (R16, R35)."""
    return add_calendar_months(publish_on, 12)


def missing_for_publication(
    publication: Publication, publish_on: datetime.date | None, today: datetime.date
) -> list[str]:
    """Why the publication cannot be published (or scheduled) on ``publish_on``; empty: it can."""
    missing = []
    if publication.review.stage != "signed_off":
        missing.append("The review must be signed off first")
    if not publication.reviewer_names.strip():
        missing.append("Enter the name of the reviewer or reviewers: they must be published")
    if publication.form == Publication.Form.IMPROVEMENTS:
        if not publication.not_full_reason.strip():
            missing.append("Record why the full report is not being published")  # R15
        if not publication.improvements.strip():
            missing.append("Write the information about the improvements to be made")  # R15
    read = publication.__dict__.get("_rules_live_files")  # the page's files, or asked here
    if read is not None:
        any_live = bool(read)
        unchecked = any(file.checked_at is None for file in read)
        unresolved = any(
            finding.resolution == "" for file in read for finding in file.findings.all()
        )
    else:
        live_files = publication.files.filter(replaced_at__isnull=True)
        any_live = publication.form != Publication.Form.FULL_REPORT or live_files.exists()
        unchecked = live_files.filter(checked_at__isnull=True).exists()
        unresolved = CheckFinding.objects.filter(file__in=live_files, resolution="").exists()
    if publication.form == Publication.Form.FULL_REPORT and not any_live:
        missing.append("Upload the report to publish")
    if unchecked:
        missing.append("Run the check for real names and other identifiers on every file")
    if unresolved:
        missing.append(
            "Resolve every possible identifier the check found: replace the file or mark the "
            "finding a false match"
        )
    done = {step.kind for step in publication.steps.all()}  # prefetched by a page, or read
    for kind, rule in required_steps(publication):
        if kind not in done:
            missing.append(f"Record the step ‘{Kind(kind).label}’ ({rule_source(rule)})")
    for partner, sign_off in partner_sign_offs(publication):
        if sign_off is None:
            missing.append(
                f"{partner.name} shares this review and must record its sign-off of the "
                f"publication ({rule_source('R46')})"
            )
    if publish_on is None:
        missing.append("Choose the publication date")
    else:
        earliest, why = earliest_publish_on(publication, today)
        if publish_on < earliest:
            missing.append(f"The publication date cannot be before {earliest:%-d %B %Y}: {why}")
    return missing
