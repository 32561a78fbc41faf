"""Publishing a signed-off review (issue 5): the decision (R15), the check for leaked identities,
the steps before publication (R17, R34, R36), publication as frozen revisions, scheduled
publication, and withdrawal no earlier than 12 months without a special permission (R16, R35).

The rules themselves live in ``rules.py`` (``missing_for_publication`` and friends); these are the
writes: validated, in one transaction, audited.
"""

import datetime
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safeguarding.accounts.models import ReviewType
from safeguarding.audit.services import audit_record
from safeguarding.core.errors import ServiceError
from safeguarding.core.models import apply_changes
from safeguarding.core.uploads import DOCX, PDF, validate_upload
from safeguarding.referrals.models import ReferralIdentity
from safeguarding.reviews.running.quality_markers import DHR_RESUBMISSION_REASONS

from . import rules
from .identifier_check import Identifiers, TooLargeToRead, UnreadableFile, check_file
from .models import (
    CheckFinding,
    HomeOfficeSubmission,
    PrePublicationStep,
    Publication,
    PublicationFile,
    Revision,
)
from .permissions import can_withdraw
from .signals import publication_published

Kind = PrePublicationStep.Kind
TEXT_FIELDS = ("title", "summary", "form", "not_full_reason", "improvements", "reviewer_names")
DECISION_FIELDS = (*TEXT_FIELDS, "planned_publish_on")


class PublicationRefused(ServiceError):
    """Publication cannot go out: ``reasons`` lists everything that is missing."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def _today() -> datetime.date:
    return timezone.localdate()


def _writable(publication: Publication) -> None:
    if publication.status == Publication.Status.WITHDRAWN:
        raise ServiceError("This publication has been withdrawn, so it cannot be changed")


# Starting and deciding -------------------------------------------------------------------------


def _review_types(review) -> list[str]:
    return sorted(set(review.tracks.values_list("review_type", flat=True)))


def default_title(review) -> str:
    labels = [ReviewType(t).label for t in _review_types(review)] or [review.get_kind_display()]
    return f"{' and '.join(labels)}: {review.case.pseudonym}"


def default_reviewer_names(review) -> str:
    names = (
        review.appointments.active()
        .filter(role__in=["reviewer", "chair"])
        .values_list("name", flat=True)
    )
    return ", ".join(dict.fromkeys(n.strip() for n in names if n.strip()))


def publication_start(*, review, actor) -> Publication:
    """Start preparing the publication of a signed-off review (once per review)."""
    if review.stage != "signed_off":
        raise ServiceError("The review must be signed off before its publication is prepared")
    if Publication.objects.filter(review=review).exists():
        raise ServiceError("The publication of this review has already been started")
    types = _review_types(review)
    with transaction.atomic():
        publication = Publication.objects.create(
            partnership=review.partnership,
            review=review,
            review_type=types[0] if types else "",
            title=default_title(review)[:300],
            reviewer_names=default_reviewer_names(review)[:500],
            created_by=actor,
            modified_by=actor,
        )
        audit_record(
            action="publication.started",
            actor=actor,
            target=publication,
            payload={"review": review.pk},
        )
    return publication


def publication_update(*, publication: Publication, actor, **values) -> Publication:
    """The decision: title, summary, full report or improvements (with the reason, R15), the
    reviewer names, which are always published, and the date the partnership plans to publish
    (the business unit is reminded of the steps before it: reminders.py)."""
    _writable(publication)
    unknown = set(values) - set(DECISION_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    planned = {}
    if "planned_publish_on" in values:
        planned["planned_publish_on"] = values.pop("planned_publish_on")
        if (
            planned["planned_publish_on"] is not None
            and planned["planned_publish_on"] != publication.planned_publish_on
            and planned["planned_publish_on"] < _today()
        ):
            raise ServiceError(
                "The planned publication date must be today or in the future",
                field="planned_publish_on",
            )
    values = {key: (value or "").strip() for key, value in values.items()}
    if "title" in values and not values["title"]:
        raise ServiceError("Enter the title to publish", field="title")
    if "reviewer_names" in values and not values["reviewer_names"]:
        raise ServiceError(
            "Enter the name of the reviewer or reviewers: they must be published",
            field="reviewer_names",
        )
    form = values.get("form", publication.form)
    if form not in Publication.Form.values:
        raise ServiceError("Select what will be published", field="form")
    if form == Publication.Form.IMPROVEMENTS:
        if not values.get("not_full_reason", publication.not_full_reason):
            raise ServiceError(
                "Record why the full report is not being published (R15)",
                field="not_full_reason",
            )
        if not values.get("improvements", publication.improvements):
            raise ServiceError(
                "Write the information about the improvements to be made (R15)",
                field="improvements",
            )
    with transaction.atomic():
        changed = apply_changes(publication, {**values, **planned})
        publication.modified_by = actor
        publication.full_clean()
        publication.save(update_fields=[*changed, "modified_by", "modified_at"])
        audit_record(
            action="publication.updated",
            actor=actor,
            target=publication,
            payload={"changed": changed, "form": publication.form},
        )
    return publication


# Files and the check for leaked identities -----------------------------------------------------


def identifiers_for(publication: Publication) -> Identifiers:
    """Every real identifier recorded for the people in the case: the referrals' identities
    and the identities of the people added to the review."""
    case = publication.review.case
    names, dates, addresses, other = [], [], [], []
    for identity in ReferralIdentity.objects.filter(referral__case=case):
        names.append(f"{identity.first_name} {identity.last_name}")
        names.extend(n for n in identity.other_names.split(",") if n.strip())
        if identity.date_of_birth:
            dates.append(identity.date_of_birth)
        if identity.address.strip():
            addresses.append(identity.address)
    from safeguarding.reviews.models import PersonIdentity

    for identity in PersonIdentity.objects.filter(person__case=case):
        names.append(identity.full_name)
        if identity.date_of_birth:
            dates.append(identity.date_of_birth)
        if identity.address.strip():
            addresses.append(identity.address)
        if identity.other_identifiers.strip():
            other.append(identity.other_identifiers)

    def clean(items):
        return tuple(dict.fromkeys(i.strip() for i in items if i and i.strip()))

    return Identifiers(
        names=clean(names),
        dates_of_birth=tuple(dict.fromkeys(dates)),
        addresses=clean(addresses),
        other=clean(other),
    )


def _checked_upload(publication: Publication, uploaded):
    """Validate the file (PDF or DOCX, by content) and run the identifier check on it.
    Returns (kind, findings); raises ServiceError if the file cannot be read."""
    try:
        kind = validate_upload(uploaded, allowed=(PDF, DOCX))
    except ValidationError as error:
        raise ServiceError(error.messages[0], field="file") from None
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    try:
        findings = check_file(data, identifiers_for(publication))
    except TooLargeToRead as error:
        raise ServiceError(error.message, field="file") from None
    except UnreadableFile:
        raise ServiceError(
            "The selected file cannot be read, so it cannot be checked for real names. "
            "Remove any password and save it again as PDF or Word (.docx)",
            field="file",
        ) from None
    return kind, findings


@contextmanager
def _discard_on_failure(stored: list):
    """Remove the files in ``stored`` if the block fails: its transaction is rolled back, so no
    row refers to them. BaseException: a signal turned into SystemExit too (fault drills)."""
    try:
        yield
    except BaseException:
        for file in stored:
            file.delete(save=False)
        raise


def _save_file(publication, uploaded, kind, findings, title, actor) -> PublicationFile:
    now = timezone.now()
    saved = PublicationFile(
        publication=publication,
        title=title[:200],
        original_name=(uploaded.name or "file")[:255],
        file_kind=kind.code,
        size_bytes=uploaded.size,
        uploaded_by=actor,
        checked_at=now,
    )
    saved.file.save(uploaded.name or f"file.{kind.code}", uploaded, save=False)
    # Removed again if the caller's transaction fails after this (_discard_on_failure).
    saved.save()
    CheckFinding.objects.bulk_create(
        CheckFinding(
            file=saved,
            kind=finding.kind[:30],
            text=finding.text[:300],
            page=finding.page,
            context=finding.context[:1000],
        )
        for finding in findings
    )
    return saved


def publication_file_upload(
    *, publication: Publication, actor, uploaded, title: str
) -> PublicationFile:
    """Add a file to publish; it is checked for real identities at once."""
    _writable(publication)
    title = (title or "").strip()
    if not title:
        raise ServiceError("Enter the title of the file", field="title")
    kind, findings = _checked_upload(publication, uploaded)
    stored: list = []
    with _discard_on_failure(stored), transaction.atomic():
        saved = _save_file(publication, uploaded, kind, findings, title, actor)
        stored.append(saved.file)
        audit_record(
            action="publication.file_uploaded",
            actor=actor,
            target=publication,
            payload={"file": saved.pk, "kind": kind.code, "findings": len(findings)},
        )
    return saved


def file_replace(*, old_file: PublicationFile, actor, uploaded) -> PublicationFile:
    """Replace a file (for example after removing a real name): the old one is kept but never
    published again, and its open findings are resolved as 'file replaced'."""
    publication = old_file.publication
    _writable(publication)
    if old_file.replaced_at is not None:
        raise ServiceError("This file has already been replaced", field="file")
    kind, findings = _checked_upload(publication, uploaded)
    now = timezone.now()
    stored: list = []
    with _discard_on_failure(stored), transaction.atomic():
        saved = _save_file(publication, uploaded, kind, findings, old_file.title, actor)
        stored.append(saved.file)
        old_file.replaced_at = now
        old_file.save(update_fields=["replaced_at"])
        old_file.findings.filter(resolution="").update(
            resolution=CheckFinding.Resolution.FILE_REPLACED,
            resolved_by=actor,
            resolved_at=now,
            resolution_reason=f"Replaced by {saved.original_name}"[:2000],
        )
        audit_record(
            action="publication.file_replaced",
            actor=actor,
            target=publication,
            payload={"old_file": old_file.pk, "file": saved.pk, "findings": len(findings)},
        )
    return saved


def finding_mark_false_match(*, finding: CheckFinding, actor, reason: str) -> CheckFinding:
    return findings_mark_false_match(
        publication=finding.file.publication, findings=[finding], actor=actor, reason=reason
    )[0]


def findings_mark_false_match(
    *, publication: Publication, findings: list[CheckFinding], actor, reason: str
) -> list[CheckFinding]:
    """Mark several findings of one publication as false matches with one reason: all or none,
    in one transaction, one audit event per finding."""
    _writable(publication)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Enter why this is not a real identifier", field="reason")
    if not findings:
        raise ServiceError("Select at least one finding", field="findings")
    with transaction.atomic():
        locked = list(
            CheckFinding.objects.select_for_update(of=("self",))
            .select_related("file")
            .filter(file__publication=publication, pk__in=[f.pk for f in findings])
            .order_by("pk")
        )
        if len(locked) != len({f.pk for f in findings}):
            raise ServiceError("Select findings of this publication", field="findings")
        if any(finding.resolution for finding in locked):
            raise ServiceError("A selected finding has already been resolved", field="findings")
        now = timezone.now()
        for finding in locked:
            finding.resolution = CheckFinding.Resolution.FALSE_MATCH
            finding.resolution_reason = reason
            finding.resolved_by = actor
            finding.resolved_at = now
            finding.full_clean()
            finding.save()
            audit_record(
                action="publication.finding_false_match",
                actor=actor,
                target=publication,
                payload={"finding": finding.pk, "file": finding.file_id, "kind": finding.kind},
            )
    return locked


# Steps before publication ----------------------------------------------------------------------


def allowed_steps(publication: Publication) -> list[tuple[str, str]]:
    """(kind, rule ID) that may be recorded: the required steps, plus for a DHR the revisions
    the Home Office QA Panel asked for (tracked, R34)."""
    steps = list(rules.required_steps(publication))
    if (Kind.HOME_OFFICE_CONTENT, "R34") in steps:
        steps.insert(
            steps.index((Kind.HOME_OFFICE_CONTENT, "R34")), (Kind.HOME_OFFICE_REVISIONS, "R34")
        )
    return steps


def step_record(
    *, publication: Publication, actor, kind: str, done_on: datetime.date, evidence: str
) -> PrePublicationStep:
    _writable(publication)
    rule_ids = dict(allowed_steps(publication))
    if kind not in rule_ids:
        raise ServiceError("Select a step this review needs before publication", field="kind")
    if publication.steps.filter(kind=kind).exists():
        raise ServiceError(f"‘{Kind(kind).label}’ has already been recorded", field="kind")
    if done_on is None:
        raise ServiceError("Enter the date it was done", field="done_on")
    if done_on > _today():
        raise ServiceError("The date it was done must be today or in the past", field="done_on")
    evidence = (evidence or "").strip()
    if not evidence:
        raise ServiceError(
            "Enter the evidence, for example who it was sent to and how", field="evidence"
        )
    with transaction.atomic():
        step = PrePublicationStep.objects.create(
            publication=publication,
            kind=kind,
            done_on=done_on,
            evidence=evidence,
            rule_id=rule_ids[kind],
            recorded_by=actor,
        )
        audit_record(
            action="publication.step_recorded",
            actor=actor,
            target=publication,
            payload={"kind": kind, "done_on": done_on.isoformat(), "rule": rule_ids[kind]},
        )
    return step


# The Home Office Quality Assurance Panel (R34, issue 14 §4) ------------------------------------


def needs_home_office(publication: Publication) -> bool:
    return (Kind.HOME_OFFICE_CONTENT, "R34") in rules.required_steps(publication)


def home_office_submit(
    *, publication: Publication, actor, submitted_on: datetime.date, note: str
) -> HomeOfficeSubmission:
    """Record that the report was sent (again) to the Panel. Refused while the Panel's answer
    to the last submission is awaited, and once it has said it is content."""
    _writable(publication)
    if not needs_home_office(publication):
        raise ServiceError("Only a Domestic Homicide Review goes to the Home Office panel")
    note = (note or "").strip()
    if submitted_on is None:
        raise ServiceError("Enter the date it was sent", field="submitted_on")
    if submitted_on > _today():
        raise ServiceError(
            "The date it was sent must be today or in the past", field="submitted_on"
        )
    if not note:
        raise ServiceError("Enter what was sent, for example the report version", field="note")
    with transaction.atomic():
        Publication.objects.select_for_update().filter(pk=publication.pk).first()
        last = publication.home_office_submissions.order_by("-number").first()
        if last is not None and not last.outcome:
            raise ServiceError(
                "Record the panel's letter on the last submission before submitting again",
                field="note",
            )
        if last is not None and last.outcome == HomeOfficeSubmission.Outcome.APPROVED:
            raise ServiceError("The panel has already said it is content", field="note")
        submission = HomeOfficeSubmission.objects.create(
            publication=publication,
            number=(last.number + 1) if last else 1,
            submitted_on=submitted_on,
            note=note,
            submitted_by=actor,
        )
        audit_record(
            action="publication.home_office_submitted",
            actor=actor,
            target=publication,
            payload={"number": submission.number, "submitted_on": submitted_on.isoformat()},
        )
    return submission


def home_office_letter_record(
    *,
    submission: HomeOfficeSubmission,
    actor,
    uploaded,
    letter_on: datetime.date,
    outcome: str,
    reasons: list[str],
    reasons_text: str = "",
) -> HomeOfficeSubmission:
    """The Panel's letter (PDF or Word, checked by its content) and its outcome. When the Panel
    is content, the step before publication is recorded from the letter (R34)."""
    publication = submission.publication
    _writable(publication)
    if submission.outcome:
        raise ServiceError("The panel's letter on this submission has already been recorded")
    known = {code for code, _label in DHR_RESUBMISSION_REASONS}
    reasons = list(dict.fromkeys(reasons or []))
    reasons_text = (reasons_text or "").strip()
    if uploaded is None:
        raise ServiceError("Select the panel's letter", field="letter")
    try:
        kind = validate_upload(uploaded, allowed=(PDF, DOCX))
    except ValidationError as error:
        raise ServiceError(error.messages[0], field="letter") from None
    if letter_on is None:
        raise ServiceError("Enter the date of the letter", field="letter_on")
    if letter_on > _today() or letter_on < submission.submitted_on:
        raise ServiceError(
            "The date of the letter must be between the date of submission and today",
            field="letter_on",
        )
    if outcome not in HomeOfficeSubmission.Outcome.values:
        raise ServiceError("Select what the panel decided", field="outcome")
    if set(reasons) - known:
        raise ServiceError("Select reasons from the list", field="reasons")
    if outcome == HomeOfficeSubmission.Outcome.RESUBMIT and not (reasons or reasons_text):
        raise ServiceError(
            "Select the panel's reasons for asking for changes, or describe them",
            field="reasons",
        )
    if outcome == HomeOfficeSubmission.Outcome.APPROVED:
        reasons = []
    uploaded.seek(0)
    stored: list = []
    with _discard_on_failure(stored), transaction.atomic():
        locked = HomeOfficeSubmission.objects.select_for_update().get(pk=submission.pk)
        if locked.outcome:
            raise ServiceError("The panel's letter on this submission has already been recorded")
        submission.letter.save(uploaded.name or f"letter.{kind.code}", uploaded, save=False)
        stored.append(submission.letter)
        submission.letter_name = (uploaded.name or "letter")[:255]
        submission.letter_kind = kind.code
        submission.letter_on = letter_on
        submission.outcome = outcome
        submission.reasons = reasons
        submission.reasons_text = reasons_text
        submission.outcome_by = actor
        submission.outcome_at = timezone.now()
        submission.save()
        if (
            outcome == HomeOfficeSubmission.Outcome.APPROVED
            and not publication.steps.filter(kind=Kind.HOME_OFFICE_CONTENT).exists()
        ):
            PrePublicationStep.objects.create(
                publication=publication,
                kind=Kind.HOME_OFFICE_CONTENT,
                done_on=letter_on,
                evidence=f"The panel's letter of {letter_on:%d %B %Y} on submission "
                f"{submission.number}",
                rule_id="R34",
                recorded_by=actor,
            )
        audit_record(
            action="publication.home_office_letter",
            actor=actor,
            target=publication,
            payload={
                "number": submission.number,
                "outcome": outcome,
                "reasons": reasons,
                "letter_on": letter_on.isoformat(),
            },
        )
    return submission


# Publishing ------------------------------------------------------------------------------------


def _freeze(publication: Publication, published_at, note: str) -> Revision:
    number = (
        publication.revisions.order_by("-number").values_list("number", flat=True).first()
    ) or 0
    revision = Revision.objects.create(
        publication=publication,
        number=number + 1,
        published_at=published_at,
        title=publication.title,
        summary=publication.summary,
        form=publication.form,
        improvements=publication.improvements,
        reviewer_names=publication.reviewer_names,
        note=note[:500],
    )
    revision.files.set(publication.files.filter(replaced_at__isnull=True))
    return revision


def _publish_now(publication: Publication, publish_on: datetime.date, actor) -> Revision:
    now = timezone.now()
    publication.status = Publication.Status.PUBLISHED
    publication.publish_on = publish_on
    publication.published_at = now
    publication.earliest_removal_on = rules.earliest_removal_on(publish_on)
    publication.modified_by = actor
    publication.save()
    revision = _freeze(publication, now, "First publication")
    audit_record(
        action="publication.published",
        actor=actor,
        actor_label="" if actor else "Scheduled publication",
        target=publication,
        payload={
            "revision": revision.number,
            "publish_on": publish_on.isoformat(),
            "earliest_removal_on": publication.earliest_removal_on.isoformat(),
        },
    )
    publication_published.send(sender=Publication, publication=publication, actor=actor)
    return revision


def publication_publish(
    *, publication: Publication, publish_on: datetime.date | None, actor
) -> Publication:
    """Publish today, or schedule for a later date. Refused, with every reason, while anything
    the rules need is missing (reviewer names, steps and their dates, the check)."""
    if publication.status not in (Publication.Status.DRAFT, Publication.Status.SCHEDULED):
        raise ServiceError("This publication has already been published")
    today = _today()
    missing = rules.missing_for_publication(publication, publish_on, today)
    if missing:
        raise PublicationRefused(missing)
    with transaction.atomic():
        if publish_on > today:
            publication.status = Publication.Status.SCHEDULED
            publication.publish_on = publish_on
            publication.modified_by = actor
            publication.save()
            audit_record(
                action="publication.scheduled",
                actor=actor,
                target=publication,
                payload={"publish_on": publish_on.isoformat()},
            )
        else:
            _publish_now(publication, publish_on, actor)
    return publication


def publication_correct(*, publication: Publication, actor, note: str) -> Revision:
    """Publish a correction: a new revision of the current fields and files; history is kept."""
    if publication.status != Publication.Status.PUBLISHED:
        raise ServiceError("Only a published item can be corrected")
    note = (note or "").strip()
    if not note:
        raise ServiceError("Enter what was corrected", field="note")
    missing = rules.missing_for_publication(
        publication, publication.publish_on, publication.publish_on
    )
    if missing:
        raise PublicationRefused(missing)
    with transaction.atomic():
        revision = _freeze(publication, timezone.now(), note)
        audit_record(
            action="publication.corrected",
            actor=actor,
            target=publication,
            payload={"revision": revision.number},
        )
        publication_published.send(sender=Publication, publication=publication, actor=actor)
    return revision


def scheduled_publications_publish(today: datetime.date | None = None) -> int:
    """Publish every scheduled item whose date has come (the daily task). An item that no
    longer meets the rules (a new file not yet cleared, say) stays scheduled. Returns how many
    were published."""
    today = today or _today()
    published = 0
    due = Publication.objects.filter(
        status=Publication.Status.SCHEDULED, publish_on__lte=today
    ).select_related("partnership", "review")
    for publication in due:
        if rules.missing_for_publication(
            publication, publication.publish_on, publication.publish_on
        ):
            continue
        with transaction.atomic():
            _publish_now(publication, publication.publish_on, None)
        published += 1
    return published


# Withdrawal ------------------------------------------------------------------------------------


def publication_withdraw(
    *, publication: Publication, actor, reason: str, available_on_request: bool
) -> Publication:
    """Take a published item off the public page. Before its earliest removal date (publication
    + 12 months, R16, R35) only a holder of the special permission may do so."""
    if publication.status != Publication.Status.PUBLISHED:
        raise ServiceError("Only a published item can be withdrawn")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Enter why it is being withdrawn", field="reason")
    today = _today()
    early = today < publication.earliest_removal_on
    if not can_withdraw(actor, publication, today):
        raise ServiceError(
            "It must stay public until "
            f"{publication.earliest_removal_on:%-d %B %Y} (12 months, R16, R35). Removing it "
            "earlier needs a partner lead",
            field="reason",
        )
    with transaction.atomic():
        publication.status = Publication.Status.WITHDRAWN
        publication.withdrawn_at = timezone.now()
        publication.withdrawal_reason = reason
        publication.available_on_request = bool(available_on_request)
        publication.modified_by = actor
        publication.save()
        audit_record(
            action="publication.withdrawn",
            actor=actor,
            target=publication,
            payload={"early": early, "available_on_request": publication.available_on_request},
        )
        publication_published.send(sender=Publication, publication=publication, actor=actor)
    return publication
