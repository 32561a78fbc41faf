"""Writes for learning digests: validated, in one transaction, audited.

An issue is a draft until it is published; then it is read-only. Publishing stores the PDF and
the Word file and, once the transaction has committed, queues the task that emails the issue to
every confirmed subscriber (``tasks.send_digest_issue``, which runs ``sending.issue_send``).
Each email is recorded by a ``DigestDelivery`` row written before it goes (unique per issue and
subscriber), so running the task again, or retrying it, sends nobody the same issue twice.
Imports go one way: services → tasks → sending.

Publishing also tells the partnership's own people (issue 13): each active member gets a notice
in the service and an email (``digest.published``), except the person who published it and
anyone whose address is a confirmed subscriber, who is sent the issue itself and is not emailed
twice.
"""

import datetime
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Partnership, User
from safeguarding.accounts.selectors import membership_list_for_partnership
from safeguarding.audit.services import audit_record
from safeguarding.core.email_transport import OutgoingEmail, email_send
from safeguarding.core.errors import ServiceError
from safeguarding.core.models import apply_changes
from safeguarding.core.rate_limits import RateLimit
from safeguarding.notifications.services import notify

from . import rendering, selectors
from .models import DigestIssue, DigestItem, Subscriber
from .proposals import item_key, proposals_for
from .tasks import send_digest_issue

logger = logging.getLogger(__name__)

PUBLISHED_READ_ONLY = "This issue has been published and cannot be changed"
CONFIRMATION_COOLDOWN_SECONDS = 15 * 60  # one confirmation email per address per 15 minutes


# Issues ---------------------------------------------------------------------------------------


def _ensure_draft(issue: DigestIssue) -> None:
    if issue.status != DigestIssue.Status.DRAFT:
        raise ServiceError(PUBLISHED_READ_ONLY)


def _check_period(period_start: datetime.date, period_end: datetime.date) -> None:
    if period_end <= period_start:
        raise ServiceError("The end of the period must be after its start", field="period_end")


def issue_start(
    *,
    partnership: Partnership,
    actor,
    number: int,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
) -> DigestIssue:
    """Start a draft issue with the given number (the next one, unless the editor chose
    another that is free)."""
    title = title.strip()
    if not title:
        raise ServiceError("Enter a title", field="title")
    if number < 1:
        raise ServiceError("The issue number must be 1 or more", field="number")
    _check_period(period_start, period_end)
    try:
        with transaction.atomic():
            issue = DigestIssue.objects.create(
                partnership=partnership,
                number=number,
                title=title,
                period_start=period_start,
                period_end=period_end,
                created_by=actor,
                modified_by=actor,
            )
            audit_record(
                action="digest.created",
                actor=actor,
                target=issue,
                payload={"number": number, "period": [str(period_start), str(period_end)]},
            )
    except IntegrityError:
        raise ServiceError(
            f"There is already an issue {number}. Choose another number", field="number"
        ) from None
    return issue


def _changed(issue: DigestIssue, actor, what: str, **payload) -> None:
    issue.modified_by = actor
    issue.save(update_fields=["modified_by", "modified_at"])
    audit_record(
        action="digest.changed", actor=actor, target=issue, payload={"what": what, **payload}
    )


def issue_update(
    *,
    issue: DigestIssue,
    actor,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    introduction: str,
) -> DigestIssue:
    """Change the title, period and introduction of a draft issue."""
    _ensure_draft(issue)
    title = title.strip()
    if not title:
        raise ServiceError("Enter a title", field="title")
    _check_period(period_start, period_end)
    values = {
        "title": title,
        "period_start": period_start,
        "period_end": period_end,
        "introduction": introduction.strip(),
    }
    with transaction.atomic():
        changed = apply_changes(issue, values)
        issue.save(update_fields=changed)
        _changed(issue, actor, "details", fields=changed)
    return issue


# Items ----------------------------------------------------------------------------------------


def _renumber(issue: DigestIssue, ordered: list[DigestItem]) -> None:
    changed = []
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
            changed.append(item)
    if changed:
        DigestItem.objects.bulk_update(changed, ["position"])


def issue_proposals(*, issue: DigestIssue, items: list | None = None) -> tuple[list, list]:
    """The proposals for the issue's period: (not in the issue yet, in it already). ``items``:
    the issue's items when the caller has read them."""
    proposals = proposals_for(
        partnership=issue.partnership,
        period_start=issue.period_start,
        period_end=issue.period_end,
    )
    included = {item_key(item) for item in (issue.items.all() if items is None else items)}
    return (
        [p for p in proposals if p.key not in included],
        [p for p in proposals if p.key in included],
    )


def items_add(*, issue: DigestIssue, actor, keys: list[str]) -> list[DigestItem]:
    """Add the chosen proposals to the end of the issue, in the order proposed. A proposal
    already in the issue, or no longer proposed, is skipped."""
    _ensure_draft(issue)
    wanted = set(keys)
    available, _ = issue_proposals(issue=issue)
    chosen = [p for p in available if p.key in wanted]
    if not chosen:
        raise ServiceError("Those items are no longer proposed for this period", field="items")
    with transaction.atomic():
        ordered = selectors.item_list(issue=issue)
        _renumber(issue, ordered)
        items = DigestItem.objects.bulk_create(
            [
                DigestItem(
                    issue=issue,
                    position=len(ordered) + index,
                    kind=proposal.kind,
                    record_id=proposal.record_id,
                    heading=proposal.heading,
                    text=proposal.text,
                    link=proposal.link,
                )
                for index, proposal in enumerate(chosen, start=1)
            ]
        )
        _changed(issue, actor, "items_added", count=len(items))
    return items


def item_add(*, issue: DigestIssue, actor, heading: str, text: str, link: str = "") -> DigestItem:
    """Add an item the editor wrote (not proposed) to the end of the issue."""
    _ensure_draft(issue)
    heading, text = heading.strip(), text.strip()
    if not heading:
        raise ServiceError("Enter a heading", field="heading")
    if not text:
        raise ServiceError("Enter the text", field="text")
    with transaction.atomic():
        ordered = selectors.item_list(issue=issue)
        _renumber(issue, ordered)
        item = DigestItem.objects.create(
            issue=issue,
            position=len(ordered) + 1,
            kind=DigestItem.Kind.OTHER,
            heading=heading,
            text=text,
            link=link.strip(),
        )
        _changed(issue, actor, "item_added", item=item.pk)
    return item


def item_update(*, item: DigestItem, actor, heading: str, text: str) -> DigestItem:
    issue = item.issue
    _ensure_draft(issue)
    heading, text = heading.strip(), text.strip()
    if not heading:
        raise ServiceError("Enter a heading", field="heading")
    if not text:
        raise ServiceError("Enter the text", field="text")
    with transaction.atomic():
        changed = apply_changes(item, {"heading": heading, "text": text})
        item.save(update_fields=changed)
        _changed(issue, actor, "item_changed", item=item.pk, fields=changed)
    return item


def item_move(*, item: DigestItem, actor, direction: str) -> DigestItem:
    """Move an item one place up or down the issue."""
    issue = item.issue
    _ensure_draft(issue)
    if direction not in ("up", "down"):
        raise ServiceError("Choose up or down")
    with transaction.atomic():
        ordered = selectors.item_list(issue=issue)
        index = next(i for i, other in enumerate(ordered) if other.pk == item.pk)
        target = index - 1 if direction == "up" else index + 1
        if 0 <= target < len(ordered):
            ordered[index], ordered[target] = ordered[target], ordered[index]
            _renumber(issue, ordered)
            _changed(issue, actor, "item_moved", item=item.pk, direction=direction)
    item.refresh_from_db(fields=["position"])
    return item


def item_remove(*, item: DigestItem, actor) -> None:
    issue = item.issue
    _ensure_draft(issue)
    with transaction.atomic():
        item_pk = item.pk
        item.delete()
        _renumber(issue, selectors.item_list(issue=issue))
        _changed(issue, actor, "item_removed", item=item_pk)


# Publishing -----------------------------------------------------------------------------------


def issue_publish(*, issue: DigestIssue, actor, base_url: str = "") -> DigestIssue:
    """Publish a draft issue: store its PDF and Word file, show it on the public site, and
    (after the commit) queue the emails to subscribers. ``base_url`` makes the links in the
    files and emails absolute."""
    stored: list = []  # files written in the transaction: removed if it fails
    try:
        with transaction.atomic():
            issue = (
                DigestIssue.objects.select_for_update()
                .select_related("partnership")
                .get(pk=issue.pk)
            )
            _ensure_draft(issue)
            items = selectors.item_list(issue=issue)
            if not items:
                raise ServiceError("Add at least one item before publishing")
            if not issue.introduction.strip():
                raise ServiceError("Write the introduction before publishing")
            hidden = [
                item.heading
                for item in items
                if item.record is not None
                and (not item.record.is_public or item.record.archived_at is not None)
            ]
            if hidden:
                # A review withdrawn (or taken out of the library) since it was chosen.
                raise ServiceError(
                    "Remove the items about reviews that are no longer public: " + "; ".join(hidden)
                )
            issue.status = DigestIssue.Status.PUBLISHED
            issue.published_at = timezone.now()
            issue.modified_by = actor
            document = rendering.build_document(issue, items, base_url=base_url)
            pdf, docx = rendering.pdf_bytes(document), rendering.docx_bytes(document)
            issue.pdf.save(rendering.filename(issue, "pdf"), ContentFile(pdf), False)
            stored.append(issue.pdf)
            issue.docx.save(rendering.filename(issue, "docx"), ContentFile(docx), False)
            stored.append(issue.docx)
            issue.save()
            told = _tell_members(issue, actor)
            audit_record(
                action="digest.published",
                actor=actor,
                target=issue,
                payload={"number": issue.number, "items": len(items), "notified": told},
            )
            issue_pk = issue.pk
            transaction.on_commit(
                lambda: send_digest_issue.enqueue(issue_id=issue_pk, base_url=base_url)
            )
    except BaseException:  # a signal turned into SystemExit too (fault drills)
        for file in stored:
            file.delete(save=False)
        raise
    return issue


def _tell_members(issue: DigestIssue, actor) -> int:
    """Notify the partnership's active members of the new issue (in the publishing
    transaction; emailed after the commit), except the publisher and confirmed subscribers
    (they are sent the issue itself). Return how many were told."""
    partnership = issue.partnership
    subscribed = {
        email.lower()
        for email in Subscriber.objects.filter(
            partnership=partnership, confirmed_at__isnull=False, unsubscribed_at__isnull=True
        ).values_list("email", flat=True)
    }
    members: dict[int, User] = {}
    for membership in membership_list_for_partnership(partnership=partnership):
        user = membership.user
        if user.is_active and user.pk != actor.pk and user.email.lower() not in subscribed:
            members[user.pk] = user
    recipients: list[User] = sorted(members.values(), key=lambda member: member.email)
    told = notify(
        kind="digest.published",
        recipients=recipients,
        partnership=partnership,
        subject_object=issue,
        context={"issue": issue, "period": rendering.period_text(issue)},
        link=reverse("digests_public:issue", args=[partnership.slug, issue.number]),
        dedupe_key=f"digest_issue:{issue.pk}:published",
    )
    return len(told)


# Subscribers ----------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _subscribe_limit() -> RateLimit:
    """Sign-ups from one client address in any hour: more than any real person makes
    (DIGEST_SUBSCRIBE_PER_HOUR_PER_ADDRESS), counted in the database for every process."""
    return RateLimit(
        bucket="digest_subscribe:client",
        limit=settings.DIGEST_SUBSCRIBE_PER_HOUR_PER_ADDRESS,
        window=datetime.timedelta(hours=1),
    )


def _confirmation_limit() -> RateLimit:
    """One confirmation email to an address (per partnership) every 15 minutes."""
    return RateLimit(
        bucket="digest_confirmation:email",
        limit=1,
        window=datetime.timedelta(seconds=CONFIRMATION_COOLDOWN_SECONDS),
    )


def subscriber_request(
    *, partnership: Partnership, email: str, ip: str = "", base_url: str = ""
) -> None:
    """Someone asked for the digest by email. Whether or not the address is known, the answer
    is the same; the address gets a confirmation link (or, if it is subscribed already, a
    note saying so), at most once every 15 minutes."""
    if not _subscribe_limit().allow(ip):
        raise ServiceError(
            "You have tried to subscribe a lot of times in the last hour. Wait an hour and try "
            "again",
            field="email",
        )
    email = normalise_email(email)
    try:
        with transaction.atomic():
            subscriber, _ = Subscriber.objects.get_or_create(partnership=partnership, email=email)
    except IntegrityError:
        subscriber = Subscriber.objects.get(partnership=partnership, email=email)
    if not _confirmation_limit().allow(f"{partnership.pk}:{email}"):
        return
    subscribed = subscriber.confirmed_at is not None and subscriber.unsubscribed_at is None
    slug = partnership.slug
    confirm_url = rendering.public_url("digests_public:confirm", base_url, slug, subscriber.token)
    context = {
        "partnership": partnership,
        "confirm": confirm_url,
        "unsubscribe": rendering.public_url(
            "digests_public:unsubscribe", base_url, slug, subscriber.token
        ),
        "subscribed": subscribed,
    }
    if subscribed:
        subject = f"You already get learning digests from {partnership.name}"
    else:
        subject = f"Confirm that you want learning digests from {partnership.name}"
    try:
        email_send(
            OutgoingEmail(
                to=email,
                subject=subject[:200],
                body=render_to_string("digests/email/confirm.txt", context),
                template="digest.subscription",
                link=confirm_url,
            )
        )
    except Exception:
        logger.exception("Could not send the digest confirmation to subscriber %s", subscriber.pk)


def subscriber_confirm(*, subscriber: Subscriber) -> Subscriber:
    """Confirm a subscription (or renew one that was ended) from the emailed link."""
    with transaction.atomic():
        if subscriber.confirmed_at is None or subscriber.unsubscribed_at is not None:
            subscriber.confirmed_at = timezone.now()
            subscriber.unsubscribed_at = None
            subscriber.save(update_fields=["confirmed_at", "unsubscribed_at"])
            audit_record(
                action="digest.subscribed",
                partnership=subscriber.partnership,
                actor_label="Subscriber",
                payload={"subscriber": subscriber.pk},
            )
    return subscriber


def subscriber_unsubscribe(*, subscriber: Subscriber) -> Subscriber:
    with transaction.atomic():
        if subscriber.unsubscribed_at is None:
            subscriber.unsubscribed_at = timezone.now()
            subscriber.save(update_fields=["unsubscribed_at"])
            audit_record(
                action="digest.unsubscribed",
                partnership=subscriber.partnership,
                actor_label="Subscriber",
                payload={"subscriber": subscriber.pk},
            )
    return subscriber
