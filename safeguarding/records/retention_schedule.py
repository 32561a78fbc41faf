"""The retention schedule as data: each record type, how long it is kept, from when, what then
happens to it, and where the default comes from (docs/security.md §Retention).

Tags as in docs/rules.md: ``[K]`` a default to confirm (a partnership sets its own period on
the retention page, and a policy owner should confirm it), ``[T]`` a technical period the
service needs (not configurable). No national guidance found for these reviews sets a period
for their records (Working Together 2023, the Care and Support Statutory Guidance chapter 14 and
the DHR guidance were read, mostly through restatements: docs/rules.md): the [K] periods are
deliberately long, because a record deleted too early cannot come back, while a period that
is too long can be shortened.
"""

from dataclasses import dataclass

from django.db import models


class Action(models.TextChoices):
    ARCHIVE = "archive", "Archive"
    DELETE = "delete", "Delete"
    ANONYMISE = "anonymise", "Anonymise (remove the real identity)"


class Scope(models.TextChoices):
    PARTNERSHIP = "partnership", "Each partnership (it may set its own period)"
    SERVICE = "service", "The whole service"


STORAGE_LIMITATION = (
    "UK GDPR Article 5(1)(e): personal data kept no longer than needed for the purpose."
)
NO_NATIONAL_PERIOD = (
    "No national period was found for the records of statutory reviews; local authority "
    "schedules (such as the IRMS Retention Guidelines for Local Authorities) set their own. "
    "Confirm with the partnership's records manager and data protection officer."
)


@dataclass(frozen=True)
class RecordType:
    key: str
    label: str
    records: str  # which records, in words
    counts_from: str
    action: Action
    default_amount: int
    unit: str  # "months" (partnership rules) or "days" (service rules)
    scope: Scope
    tag: str  # "[K]" default to confirm, "[T]" technical
    source: str
    minimum_months: int = 1

    @property
    def configurable(self) -> bool:
        return self.scope == Scope.PARTNERSHIP

    def period_label(self, amount: int | None = None) -> str:
        amount = self.default_amount if amount is None else amount
        if self.unit == "days":
            return "when they expire" if amount == 0 else f"{amount} day{'s' * (amount != 1)}"
        if amount % 12 == 0:
            years = amount // 12
            return f"{years} year{'s' * (years != 1)}"
        return f"{amount} month{'s' * (amount != 1)}"


SCHEDULE: tuple[RecordType, ...] = (
    RecordType(
        key="referral_without_case",
        label="Referrals that led to no case",
        records="A referral never opened as a case or linked to one, with the real identity "
        "it holds and its deadlines",
        counts_from="the day the referral was received",
        action=Action.DELETE,
        default_amount=24,
        unit="months",
        scope=Scope.PARTNERSHIP,
        tag="[K]",
        source=f"{STORAGE_LIMITATION} Two years lets a later referral about the same person "
        f"be seen with it. {NO_NATIONAL_PERIOD}",
        minimum_months=3,
    ),
    RecordType(
        key="closed_cases",
        label="Closed cases and their reviews",
        records="The case and its reviews leave the working lists (they stay readable, with "
        "their decisions, findings, recommendations and publications: never deleted)",
        counts_from="the day the case closed",
        action=Action.ARCHIVE,
        default_amount=24,
        unit="months",
        scope=Scope.PARTNERSHIP,
        tag="[K]",
        source="Local records practice: closed files move out of day-to-day use. Statutory "
        "reviews are records of lasting value (their reports are published and kept in the "
        "learning library), so the service archives and does not delete them. "
        f"{NO_NATIONAL_PERIOD}",
    ),
    RecordType(
        key="case_identities",
        label="Real identities of people in a case",
        records="Names, dates of birth, addresses and other identifiers held apart for the "
        "people in a case and the people its referrals are about; pseudonyms stay",
        counts_from="the day the case closed",
        action=Action.ANONYMISE,
        default_amount=120,
        unit="months",
        scope=Scope.PARTNERSHIP,
        tag="[K]",
        source=f"{STORAGE_LIMITATION} Ten years leaves time for a later review, an inquest "
        "or a claim to need them. Records about child sexual abuse may need far longer (the "
        f"Independent Inquiry into Child Sexual Abuse recommended 75 years). {NO_NATIONAL_PERIOD}",
        minimum_months=12,
    ),
    RecordType(
        key="agency_returns",
        label="Agency returns and their attachments",
        records="Every version of every agency's summary, report or chronology return, and "
        "the files attached to them (the requests themselves stay); a chronology file goes "
        "once its rows have gone too",
        counts_from="the day the case closed",
        action=Action.DELETE,
        default_amount=120,
        unit="months",
        scope=Scope.PARTNERSHIP,
        tag="[K]",
        source=f"{STORAGE_LIMITATION} Working papers of the review; the report keeps what was "
        f"learnt. {NO_NATIONAL_PERIOD}",
        minimum_months=12,
    ),
    RecordType(
        key="chronology_entries",
        label="Chronology entries",
        records="Every row of the merged multi-agency chronology, rows replaced by a later "
        "file included, and the chronology files they came from once no return version "
        "refers to them",
        counts_from="the day the case closed",
        action=Action.DELETE,
        default_amount=120,
        unit="months",
        scope=Scope.PARTNERSHIP,
        tag="[K]",
        source=f"{STORAGE_LIMITATION} Working papers of the review. {NO_NATIONAL_PERIOD}",
        minimum_months=12,
    ),
    RecordType(
        key="family_contacts",
        label="Contacts with the family",
        records="Each contact with the family and their advocates, with its notes",
        counts_from="the day the case closed",
        action=Action.DELETE,
        default_amount=120,
        unit="months",
        scope=Scope.PARTNERSHIP,
        tag="[K]",
        source=f"{STORAGE_LIMITATION} Working papers of the review. {NO_NATIONAL_PERIOD}",
        minimum_months=12,
    ),
    RecordType(
        key="digest_subscribers",
        label="Digest subscribers who left or never confirmed",
        records="Email addresses that unsubscribed from the learning digest, or never "
        "confirmed their subscription, with the record of issues sent to them",
        counts_from="the day they unsubscribed, or signed up without confirming",
        action=Action.DELETE,
        default_amount=1,
        unit="months",
        scope=Scope.PARTNERSHIP,
        tag="[K]",
        source=f"{STORAGE_LIMITATION} A month lets a mistaken unsubscription be undone.",
    ),
    RecordType(
        key="notifications",
        label="Notifications and the emails sent with them",
        records="Notices shown in the service and the record of each email sent at a hand-off "
        "(to whom, the subject and text, whether it was delivered), with their calendar "
        "invitations",
        counts_from="the day it was read, or the day it was sent if it never was (an email to "
        "someone without an account is never read in the service)",
        action=Action.DELETE,
        default_amount=12,
        unit="months",
        scope=Scope.PARTNERSHIP,
        tag="[K]",
        source=f"{STORAGE_LIMITATION} A notification is a message about a record, not the "
        "record: the review, request or action and the audit trail keep what happened. A year "
        "lets people look back at what they were told, and the business unit see an email that "
        "failed. Confirm with the partnership's records manager.",
    ),
    RecordType(
        key="invitations",
        label="Invitations that expired or were cancelled",
        records="Invitations to join the partnership that were never accepted: the name and "
        "email address of the person invited and the roles offered (accepted invitations stay, "
        "as the start of the person's access)",
        counts_from="the day the invitation expired or was cancelled",
        action=Action.DELETE,
        default_amount=12,
        unit="months",
        scope=Scope.PARTNERSHIP,
        tag="[K]",
        source=f"{STORAGE_LIMITATION} An invitation not taken up is of no further use; a year "
        "lets the people pages show it if the person asks about it, and it can be sent again "
        "until then. The audit trail keeps that it was sent and cancelled. Confirm with the "
        "partnership's records manager.",
    ),
    RecordType(
        key="audit_events",
        label="Audit events",
        records="The audit trail: who did what, and when (events of no partnership, such as "
        "sign-ins, follow the default)",
        counts_from="the day of the event",
        action=Action.DELETE,
        default_amount=120,
        unit="months",
        scope=Scope.PARTNERSHIP,
        tag="[K]",
        source=f"{STORAGE_LIMITATION} Kept as long as the records whose use they show (ten "
        "years for identities). The deletion is itself an audit event, which says which "
        "events went.",
        minimum_months=12,
    ),
    RecordType(
        key="sessions",
        label="Expired sign-in sessions",
        records="Sessions that have ended (a session ends 30 minutes after the last request, "
        "12 hours after sign-in at most)",
        counts_from="the moment the session expired",
        action=Action.DELETE,
        default_amount=0,
        unit="days",
        scope=Scope.SERVICE,
        tag="[T]",
        source="Django's own clean-up (`manage.py clearsessions`): an expired session is of "
        "no use.",
    ),
    RecordType(
        key="rate_limit_counts",
        label="Rate-limit counts",
        records="Counted requests for the rate limits (password resets, referrals, digest "
        "sign-ups): a keyed hash of the address, never the address",
        counts_from="the request",
        action=Action.DELETE,
        default_amount=1,
        unit="days",
        scope=Scope.SERVICE,
        tag="[T]",
        source="The longest rate-limit window is one hour (core/rate_limits.py).",
    ),
    RecordType(
        key="sign_in_attempts",
        label="Records of sign-in attempts",
        records="Failed and successful sign-in attempts kept for the lockout (django-axes): "
        "the email address typed, the client address and browser",
        counts_from="the attempt",
        action=Action.DELETE,
        default_amount=90,
        unit="days",
        scope=Scope.SERVICE,
        tag="[K]",
        source=f"{STORAGE_LIMITATION} The lockout needs 30 minutes; 90 days leaves time to look "
        "into an attack. Confirm with the service's security lead.",
    ),
)

BY_KEY = {record_type.key: record_type for record_type in SCHEDULE}
