"""Requests for data about a person: the right of access (UK GDPR Article 15, a "subject access
request"). Never abbreviated here: in this service "SAR" is a Safeguarding Adults Review (R44).

The business unit finds every record of its partnership that may hold the person's data, picks
those that are about them, and downloads one ZIP: ``data.json`` (everything, as data) and a
readable summary (``summary.pdf`` and ``summary.html``, from the core document builder).

Real identities are held apart and encrypted at rest, so the database cannot search them: the
partnership's identities are read (decrypted) into memory and compared there, and they are
shown only on the results page and in the export, both audited (the search by services.py, the
download by ``core.files.file_response`` with the payload ``person_data_export`` gives).
"""

from __future__ import annotations

import datetime
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from safeguarding.accounts.models import Invitation, Membership, Partnership, User
from safeguarding.audit.models import AuditEvent
from safeguarding.core import documents as doc
from safeguarding.core.calendar import add_calendar_months
from safeguarding.core.errors import ServiceError
from safeguarding.digests.models import DigestDelivery, Subscriber
from safeguarding.notifications.models import Notification
from safeguarding.referrals.models import Referral, ReferralIdentity, Signature
from safeguarding.reviews.models import (
    Appointment,
    ChronologyEntry,
    FamilyContact,
    Person,
    PersonIdentity,
    ReviewSignature,
)

# Referral columns that are the service's own workings, not data about anyone.
REFERRAL_INTERNAL = {
    "id",
    "partnership",
    "case",
    "submission_key",
    "status_token_hash",
    "submitted_ip_hash",
    "created_by",
    "modified_by",
}
REFERRER_FIELDS = (
    "referrer_name",
    "referrer_job_title",
    "referrer_organisation",
    "referrer_email",
    "referrer_phone",
)

KINDS = {
    "referral_identity": "The person a referral is about",
    "person": "A person in a case",
    "referrer": "The professional who sent a referral",
    "user": "A user account of the service",
    "appointment": "A reviewer, chair or panel member of a review",
    "subscriber": "A subscriber to the learning digest",
    "notification": "A notification or email sent to them",
    "invitation": "An invitation to join the partnership",
}


def _words(text: str) -> list[str]:
    """Words of a name, compared without case or accents: "Zoë O'Brien" -> zoe, o, brien."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.findall(r"[^\W_]+", plain.casefold())


def _name_matches(query: list[str], *names: str) -> bool:
    words = set()
    for name in names:
        words.update(_words(name))
    return bool(query) and all(word in words for word in query)


@dataclass(frozen=True)
class Match:
    kind: str
    pk: int
    label: str  # what the record is
    detail: str  # how it matched, shown to the business unit only

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.pk}"

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


def _date(value: datetime.date | None) -> str:
    return f"{value:%-d %B %Y}" if value else "not recorded"


def _dob_matches(wanted: datetime.date | None, held: datetime.date | None) -> bool:
    return wanted is None or held is None or wanted == held


def person_matches(
    *,
    partnership: Partnership,
    name: str,
    date_of_birth: datetime.date | None = None,
    email: str = "",
) -> list[Match]:
    """Every record of ``partnership`` whose name (every word of ``name``, in any order,
    without case or accents) or email address matches. A date of birth, if given, leaves out
    identities with another one (those with none recorded stay, marked)."""
    query = _words(name)
    email = (email or "").strip().casefold()
    found: list[Match] = []
    identities = ReferralIdentity.objects.filter(referral__partnership=partnership).select_related(
        "referral"
    )
    for identity in identities.order_by("referral__received_on", "pk"):
        names = (identity.first_name, identity.last_name, identity.other_names)
        if _name_matches(query, *names) and _dob_matches(date_of_birth, identity.date_of_birth):
            full = " ".join(n for n in names if n)
            found.append(
                Match(
                    "referral_identity",
                    identity.pk,
                    f"Referral {identity.referral.reference}, received "
                    f"{_date(identity.referral.received_on)}",
                    f"{full}, born {_date(identity.date_of_birth)}",
                )
            )
    people = PersonIdentity.objects.filter(person__case__partnership=partnership).select_related(
        "person__case"
    )
    for identity in people.order_by("person__case__reference", "pk"):
        if _name_matches(query, identity.full_name) and _dob_matches(
            date_of_birth, identity.date_of_birth
        ):
            person = identity.person
            found.append(
                Match(
                    "person",
                    person.pk,
                    f"{person.pseudonym} ({person.get_role_in_case_display().lower()}) in case "
                    f"{person.case.reference} ({person.case.pseudonym})",
                    f"{identity.full_name}, born {_date(identity.date_of_birth)}",
                )
            )
    for referral in Referral.objects.filter(partnership=partnership).order_by("received_on", "pk"):
        by_email = email and referral.referrer_email.casefold() == email
        if by_email or _name_matches(query, referral.referrer_name):
            found.append(
                Match(
                    "referrer",
                    referral.pk,
                    f"Referral {referral.reference}, received {_date(referral.received_on)}",
                    f"{referral.referrer_name}, {referral.referrer_job_title}, "
                    f"{referral.referrer_organisation}",
                )
            )
    accounts: dict[int, str] = {}  # the user accounts found, and their addresses
    members = User.objects.filter(memberships__partnership=partnership).distinct()
    for user in members.order_by("full_name", "pk"):
        if (email and user.email.casefold() == email) or _name_matches(query, user.full_name):
            accounts[user.pk] = user.email.casefold()
            found.append(Match("user", user.pk, f"User account {user.email}", user.full_name))
    appointments = Appointment.objects.filter(review__partnership=partnership).select_related(
        "review"
    )
    for appointment in appointments.order_by("review__reference", "pk"):
        if _name_matches(query, appointment.name):
            found.append(
                Match(
                    "appointment",
                    appointment.pk,
                    f"{appointment.get_role_display()} of review {appointment.review.reference}",
                    f"{appointment.name}, {appointment.organisation or 'no organisation'}",
                )
            )
    invitations = Invitation.objects.filter(partnership=partnership).select_related("agency")
    for invitation in invitations.order_by("created_at", "pk"):
        by_email = email and invitation.email.casefold() == email
        if by_email or _name_matches(query, invitation.full_name):
            roles = ", ".join(invitation.role_labels).lower() or "no role"
            sent = timezone.localdate(invitation.sent_at)
            found.append(
                Match(
                    "invitation",
                    invitation.pk,
                    f"Invitation to join as {roles}, sent {_date(sent)}",
                    f"{invitation.full_name}, {invitation.email} "
                    f"({invitation.status.label.lower()})",
                )
            )
    if email:
        # Notifications to a user account found above, or to its address with no account
        # named, go with the account (_notifications_to); these are the others: emails to
        # people without an account here (a referrer, an attendee, someone whose account has
        # gone).
        notifications = Notification.objects.filter(partnership=partnership).exclude(
            recipient__in=list(accounts)
        )
        for notification in notifications.order_by("created_at", "pk"):
            address = notification.email.casefold()
            with_an_account = notification.recipient_id is None and address in accounts.values()
            if address == email and not with_an_account:
                found.append(
                    Match(
                        "notification",
                        notification.pk,
                        f"‘{notification.subject}’, sent "
                        f"{_date(timezone.localdate(notification.created_at))}",
                        f"To {notification.email}",
                    )
                )
        for subscriber in Subscriber.objects.filter(partnership=partnership).order_by("pk"):
            if subscriber.email.casefold() == email:
                found.append(
                    Match(
                        "subscriber",
                        subscriber.pk,
                        "Learning digest subscription",
                        subscriber.email,
                    )
                )
    return found


# The data ---------------------------------------------------------------------------------------


def _display(instance: models.Model, field: models.Field):
    value = getattr(instance, field.attname)
    if field.choices and value not in (None, ""):
        return getattr(instance, f"get_{field.name}_display")()
    return value


def _identity(identity, names: tuple[str, ...]) -> dict:
    return {name: getattr(identity, name) for name in names}


def _referral_about(identity: ReferralIdentity) -> dict:
    referral = identity.referral
    about = {
        str(f.verbose_name): _display(referral, f)
        for f in Referral._meta.concrete_fields
        if f.name not in REFERRAL_INTERNAL and f.name not in REFERRER_FIELDS
    }
    about["Agencies involved"] = ", ".join(a.name for a in referral.agencies.all())
    return {
        "reference": referral.reference,
        "identity": _identity(
            identity, ("first_name", "last_name", "other_names", "date_of_birth", "address")
        ),
        "referral": about,
        "case": (
            {"reference": referral.case.reference, "pseudonym": referral.case.pseudonym}
            if referral.case_id
            else None
        ),
    }


def _mentions(pseudonym: str):
    return re.compile(rf"(?<!\w){re.escape(pseudonym)}(?!\w)", re.IGNORECASE)


def _person_in_case(person: Person) -> dict:
    case = person.case
    try:
        identity = person.identity
    except PersonIdentity.DoesNotExist:
        identity = None
    mentions = _mentions(person.pseudonym)
    entries = (
        ChronologyEntry.objects.filter(review__case=case)
        .select_related("agency", "review")
        .prefetch_related("people")
        .order_by("occurred_on", "occurred_at", "pk")
    )
    chronology = [
        {
            "review": entry.review.reference,
            "date": entry.occurred_on,
            "time": entry.occurred_at,
            "date_is_approximate": entry.date_is_approximate,
            "agency": entry.agency.name,
            "event": entry.event,
            "source_record": entry.source_record,
            "practitioner_role": entry.practitioner_role,
            "significance": entry.get_significance_display(),
            # A row a later chronology file replaced is archived, not deleted: still held.
            "replaced_by_a_later_file_at": entry.archived_at,
            "how_found": "linked to the person"
            if person in entry.people.all()
            else "mentions the pseudonym",
        }
        for entry in entries
        if person in entry.people.all() or mentions.search(entry.event)
    ]
    contacts = FamilyContact.objects.filter(person=person).select_related("review")
    return {
        "case": {
            "reference": case.reference,
            "pseudonym": case.pseudonym,
            "became_aware_on": case.became_aware_on,
            "status": case.get_status_display(),
        },
        "pseudonym": person.pseudonym,
        "role_in_case": person.get_role_in_case_display(),
        "relationship": person.relationship,
        "identity": _identity(
            identity, ("full_name", "date_of_birth", "address", "other_identifiers")
        )
        if identity
        else None,
        "reviews": [
            {
                "reference": r.reference,
                "title": r.title,
                "kind": r.get_kind_display(),
                "stage": r.get_stage_display(),
            }
            for r in case.reviews.order_by("started_on", "pk")
        ],
        "chronology": chronology,
        "family_contacts": [
            {
                "review": c.review.reference,
                "date": c.happened_on,
                "kind": c.get_kind_display(),
                "advocate": c.advocate,
                "summary": c.summary,
                "consent_to_quote": c.consent_to_quote,
            }
            for c in contacts.order_by("happened_on", "pk")
        ],
    }


def _notification(notification: Notification) -> dict:
    """A notification as the person saw it: the notice, the email and whether it arrived, and
    its calendar invitations (text)."""
    return {
        "sent_at": notification.created_at,
        "to": notification.email,
        "subject": notification.subject,
        "text": notification.body,
        "link": notification.link,
        "read_in_the_service_at": notification.read_at,
        "email": notification.get_email_status_display(),
        "attachments": [
            {
                "filename": attachment.filename,
                "content": bytes(attachment.content).decode("utf-8", errors="replace"),
            }
            for attachment in notification.attachments.all()
        ],
    }


def _notifications_to(user: User, partnership: Partnership) -> list[dict]:
    """The notifications of the partnership for a user: to their account, or to their address
    (sent before they had an account, say)."""
    notifications = Notification.objects.filter(partnership=partnership).filter(
        models.Q(recipient=user) | models.Q(recipient__isnull=True, email__iexact=user.email)
    )
    return [
        _notification(n)
        for n in notifications.prefetch_related("attachments").order_by("created_at", "pk")
    ]


def _invitation(invitation: Invitation) -> dict:
    inviter = invitation.invited_by
    return {
        "email": invitation.email,
        "full_name": invitation.full_name,
        "roles": ", ".join(invitation.role_labels),
        "agency": invitation.agency.name if invitation.agency_id else None,
        "invited_by": inviter.full_name if inviter else invitation.invited_by_label,
        "sent_at": invitation.sent_at,
        "times_sent": invitation.send_count,
        "link_expires_at": invitation.expires_at,
        "accepted_at": invitation.accepted_at,
        "cancelled_at": invitation.cancelled_at,
        "status": invitation.status.label,
    }


def _user_account(user: User, partnership: Partnership) -> dict:
    events = AuditEvent.objects.filter(actor=user, partnership=partnership).order_by(
        "occurred_at", "pk"
    )
    return {
        "full_name": user.full_name,
        "email": user.email,
        "job_title": user.job_title,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "is_active": user.is_active,
        "roles": [
            m.get_role_display() + (f" ({m.agency.name})" if m.agency_id else "")
            for m in Membership.objects.filter(user=user, partnership=partnership).select_related(
                "agency"
            )
        ],
        "appointments": [
            {
                "review": a.review.reference,
                "role": a.get_role_display(),
                "appointed_on": a.appointed_on,
            }
            for a in Appointment.objects.filter(user=user, review__partnership=partnership)
        ],
        "decision_signatures": [
            {"decision": str(s.decision), "capacity": s.capacity, "signed_at": s.signed_at}
            for s in Signature.objects.filter(
                user=user, decision__track__case__partnership=partnership
            ).select_related("decision__track__case")
        ],
        "review_signatures": [
            {"review": s.review.reference, "capacity": s.capacity, "signed_at": s.signed_at}
            for s in ReviewSignature.objects.filter(
                user=user, review__partnership=partnership
            ).select_related("review")
        ],
        "notifications": _notifications_to(user, partnership),
        "audit_events": [
            {
                "when": e.occurred_at,
                "what": e.action_label,
                "record": e.object_label,
            }
            for e in events
        ],
    }


def person_data(
    *, partnership: Partnership, matches: list[Match], received_on: datetime.date
) -> dict:
    """Everything the chosen records hold about the person, as plain data."""
    by_kind: dict[str, list[int]] = {}
    for match in matches:
        by_kind.setdefault(match.kind, []).append(match.pk)
    identities = ReferralIdentity.objects.filter(
        pk__in=by_kind.get("referral_identity", []), referral__partnership=partnership
    ).select_related("referral__case")
    people = Person.objects.filter(
        pk__in=by_kind.get("person", []), case__partnership=partnership
    ).select_related("case")
    sent = Referral.objects.filter(pk__in=by_kind.get("referrer", []), partnership=partnership)
    users = User.objects.filter(
        pk__in=by_kind.get("user", []), memberships__partnership=partnership
    ).distinct()
    appointments = Appointment.objects.filter(
        pk__in=by_kind.get("appointment", []), review__partnership=partnership
    ).select_related("review")
    subscribers = Subscriber.objects.filter(
        pk__in=by_kind.get("subscriber", []), partnership=partnership
    )
    notifications = Notification.objects.filter(
        pk__in=by_kind.get("notification", []), partnership=partnership
    ).prefetch_related("attachments")
    invitations = Invitation.objects.filter(
        pk__in=by_kind.get("invitation", []), partnership=partnership
    ).select_related("agency", "invited_by")
    return {
        "request": {
            "law": "UK GDPR Article 15 (the right of access)",
            "received_on": received_on,
            "respond_by": add_calendar_months(received_on, 1),  # R44: one calendar month
            "prepared_at": timezone.now(),
            "partnership": partnership.name,
        },
        "referrals_about_them": [_referral_about(i) for i in identities.order_by("pk")],
        "people_in_cases": [_person_in_case(p) for p in people.order_by("pk")],
        "referrals_they_sent": [
            {"reference": r.reference, "received_on": r.received_on}
            | {f: getattr(r, f) for f in REFERRER_FIELDS}
            for r in sent.order_by("pk")
        ],
        "user_accounts": [_user_account(u, partnership) for u in users.order_by("pk")],
        "appointments": [
            {
                "review": a.review.reference,
                "role": a.get_role_display(),
                "name": a.name,
                "organisation": a.organisation,
                "independent": a.independent,
                "appointed_on": a.appointed_on,
            }
            for a in appointments.order_by("pk")
        ],
        "digest_subscriptions": [
            {
                "email": s.email,
                "signed_up_at": s.created_at,
                "confirmed_at": s.confirmed_at,
                "unsubscribed_at": s.unsubscribed_at,
                "issues_sent": list(
                    DigestDelivery.objects.filter(subscriber=s)
                    .order_by("issue__number")
                    .values_list("issue__number", flat=True)
                ),
            }
            for s in subscribers.order_by("pk")
        ],
        "notifications": [_notification(n) for n in notifications.order_by("created_at", "pk")],
        "invitations": [_invitation(i) for i in invitations.order_by("created_at", "pk")],
    }


# The summary ------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%-d %B %Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%-d %B %Y}"
    return str(value)


def _pairs(values: dict) -> doc.SummaryList:
    return doc.SummaryList(
        rows=[(str(key).replace("_", " ").capitalize(), _text(v)) for key, v in values.items()],
        widths=(1, 2),
    )


def _notifications_table(notifications: list[dict]) -> doc.Table:
    return doc.Table(
        header=["Sent", "To", "Subject", "Email", "Read in the service"],
        rows=[
            [
                _text(n["sent_at"]),
                n["to"],
                n["subject"],
                n["email"],
                _text(n["read_in_the_service_at"]),
            ]
            for n in notifications
        ],
        caption="Notifications and emails (their text is in data.json)",
        widths=(1.2, 1.5, 2.5, 0.8, 1.2),
    )


def _event(entry: dict) -> str:
    if entry["replaced_by_a_later_file_at"]:
        return f"{entry['event']} (Replaced by a later chronology file.)"
    return entry["event"]


def person_data_document(data: dict, *, prepared_by: str) -> doc.Document:
    request = data["request"]
    document = doc.Document(
        title="Data about a person",
        subject="A request for data about a person (UK GDPR Article 15)",
        lines=[
            f"{request['partnership']}. Prepared by {prepared_by} on "
            f"{_text(request['prepared_at'])}.",
            f"Request received {_text(request['received_on'])}; respond by "
            f"{_text(request['respond_by'])} (one calendar month).",
            doc.Span(
                "Check every page before it is sent: these records also hold data about other "
                "people, which may have to be withheld or redacted.",
                bold=True,
            ),
        ],
    )
    blocks = document.blocks
    if data["referrals_about_them"]:
        blocks.append(doc.Heading("Referrals about them"))
        for item in data["referrals_about_them"]:
            blocks.append(doc.Heading(f"Referral {item['reference']}", level=2))
            blocks.append(_pairs(item["identity"]))
            blocks.append(_pairs(item["referral"]))
    if data["people_in_cases"]:
        blocks.append(doc.Heading("In the cases of statutory reviews"))
        for item in data["people_in_cases"]:
            case = item["case"]
            blocks.append(
                doc.Heading(
                    f"{item['pseudonym']} in case {case['reference']} ({case['pseudonym']})",
                    level=2,
                )
            )
            blocks.append(
                _pairs(
                    {
                        "role in case": item["role_in_case"],
                        "relationship": item["relationship"],
                        **(item["identity"] or {}),
                        "reviews": ", ".join(
                            f"{r['reference']} {r['title']} ({r['kind']})" for r in item["reviews"]
                        ),
                    }
                )
            )
            if item["chronology"]:
                blocks.append(
                    doc.Table(
                        header=["Date", "Agency", "What happened", "How found"],
                        rows=[
                            [_text(e["date"]), e["agency"], _event(e), e["how_found"]]
                            for e in item["chronology"]
                        ],
                        caption="Chronology entries",
                        widths=(1, 1.2, 4, 1.2),
                    )
                )
            if item["family_contacts"]:
                blocks.append(
                    doc.Table(
                        header=["Date", "Contact", "Advocate", "Notes"],
                        rows=[
                            [_text(c["date"]), c["kind"], _text(c["advocate"]), _text(c["summary"])]
                            for c in item["family_contacts"]
                        ],
                        caption="Contacts with the family",
                        widths=(1, 1.5, 1.2, 3),
                    )
                )
    if data["referrals_they_sent"]:
        blocks.append(doc.Heading("Referrals they sent"))
        blocks += [_pairs(item) for item in data["referrals_they_sent"]]
    for account in data["user_accounts"]:
        blocks.append(doc.Heading(f"User account {account['email']}"))
        details = {k: v for k, v in account.items() if not isinstance(v, list)}
        details["roles"] = ", ".join(account["roles"])
        blocks.append(_pairs(details))
        if account["notifications"]:
            blocks.append(_notifications_table(account["notifications"]))
        if account["audit_events"]:
            blocks.append(
                doc.Table(
                    header=["When", "What they did", "Record"],
                    rows=[
                        [_text(e["when"]), e["what"], _text(e["record"])]
                        for e in account["audit_events"]
                    ],
                    caption="What they did in the service (audit trail)",
                    widths=(1.2, 2, 2),
                )
            )
    if data["appointments"]:
        blocks.append(doc.Heading("Appointments to reviews"))
        blocks += [_pairs(item) for item in data["appointments"]]
    if data["digest_subscriptions"]:
        blocks.append(doc.Heading("Learning digest"))
        for item in data["digest_subscriptions"]:
            item = {**item, "issues_sent": ", ".join(str(n) for n in item["issues_sent"])}
            blocks.append(_pairs(item))
    if data["notifications"]:
        blocks.append(doc.Heading("Notifications and emails sent to them"))
        blocks.append(_notifications_table(data["notifications"]))
    if data["invitations"]:
        blocks.append(doc.Heading("Invitations to join the partnership"))
        blocks += [_pairs(item) for item in data["invitations"]]
    if len(blocks) == 0:
        blocks.append(doc.Paragraph("No records were chosen."))
    return document


def person_data_zip(*, data: dict, document: doc.Document) -> bytes:
    """The download: data.json, summary.html and summary.pdf."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        )
        archive.writestr("summary.html", doc.html(document))
        archive.writestr("summary.pdf", doc.pdf_bytes(document))
    return buffer.getvalue()


# The export -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonDataExport:
    archive: bytes
    filename: str
    payload: dict  # for the download's audit event: no real identity, only ids and dates


def person_data_export(
    *,
    partnership: Partnership,
    matches: list[Match],
    received_on: datetime.date,
    reason: str,
    prepared_by: str,
) -> PersonDataExport:
    """The ZIP of the data held about a person (UK GDPR Article 15), with what its download's
    audit event records. The identities in it are decrypted only for this. Writes nothing: the
    view serves it through ``file_response``, which writes the audit event."""
    reason = reason.strip()
    if not matches:
        raise ServiceError("Select the records that are about the person", field="records")
    if not reason:
        raise ServiceError("Enter the reason for the download", field="reason")
    today = timezone.localdate()
    if received_on > today:
        raise ServiceError(
            "The date the request was received must be today or in the past", field="received_on"
        )
    data = person_data(partnership=partnership, matches=matches, received_on=received_on)
    archive = person_data_zip(
        data=data, document=person_data_document(data, prepared_by=prepared_by)
    )
    records: dict[str, list[str]] = {}
    for match in matches:
        records.setdefault(match.kind, []).append(str(match.pk))
    return PersonDataExport(
        archive=archive,
        filename=f"data-about-a-person-{today:%Y-%m-%d}.zip",
        payload={
            "reason": reason[:500],
            "received_on": received_on.isoformat(),
            "respond_by": add_calendar_months(received_on, 1).isoformat(),
            "records": records,
            "bytes": len(archive),
        },
    )
