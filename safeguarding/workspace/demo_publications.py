"""Fictional published reviews for the demo (issue 5 item 7): made directly with the ORM so the
public Reviews page, its archive and feed have something to show. Pseudonyms only."""

from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from safeguarding.core.calendar import add_calendar_months
from safeguarding.publication.models import Publication, PublicationFile, Revision
from safeguarding.publication.rules import earliest_removal_on
from safeguarding.referrals.models import Case, Status
from safeguarding.reviews.models import Review
from safeguarding.reviews.running import services as review_services
from safeguarding.workspace.demo_review_work import record_published_review_work
from safeguarding.workspace.documents import pdf_bytes

# (partnership slug, pseudonym, review type, review kind, months ago or None, days ahead,
#  status, form, available on request)
PUBLICATIONS = [
    ("riverton-safeguarding", "Child R", "cspr", "lcspr", 3, 0, "published", "full_report", True),
    ("riverton-safeguarding", "Adult S", "sar", "sar", 2, 0, "published", "improvements", True),
    ("riverton-community-safety", "Adult T", "dhr", "dhr", 14, 0, "published", "full_report", True),
    (
        "riverton-safeguarding",
        "Child U",
        "cspr",
        "lcspr",
        None,
        10,
        "scheduled",
        "full_report",
        True,
    ),
    ("riverton-safeguarding", "Adult V", "sar", "sar", 40, 0, "withdrawn", "full_report", True),
]

SUMMARY = (
    "The review looked at how agencies worked together in the months before the incident and "
    "what they will do differently."
)
IMPROVEMENTS = (
    "Agencies will share risk assessments within one working day.\n\n"
    "- GP practices will flag carers' own needs\n- The police will check previous call-outs"
)


def load_demo_publications(*, partnerships, uploader) -> None:
    today = timezone.localdate()
    for number, (
        slug,
        pseudonym,
        review_type,
        kind,
        months,
        ahead,
        status,
        form,
        on_request,
    ) in enumerate(PUBLICATIONS, start=1):
        partnership = partnerships[slug]
        publish_on = (
            add_calendar_months(today, -months) if months else today + timedelta(days=ahead)
        )
        case = Case.objects.create(
            partnership=partnership,
            reference=f"DEMO-PUB-{number:03d}",
            pseudonym=pseudonym,
            status=Status.DECIDED,
            became_aware_on=add_calendar_months(publish_on, -20),
        )
        review = Review.objects.create(
            partnership=partnership,
            case=case,
            kind=kind,
            stage=Review.Stage.DRAFTING,
            reference=f"DEMO-PUB-R{number:03d}",
            title=pseudonym,
            started_on=add_calendar_months(publish_on, -14),
        )
        # The record written while the review was drafted, then it is signed off.
        if number == 1:
            record_published_review_work(
                review=review,
                actor=uploader,
                agencies=list(partnership.agencies.order_by("name")[:3]),
                today=today,
            )
        if kind == Review.Kind.DHR:
            review_services.family_contact_record(
                review=review,
                actor=uploader,
                kind="advocacy_signposted",
                happened_on=review.started_on,
                advocate="AAFDA (the family chose this advocate)",
                summary="The chair signposted specialist advocacy at the first meeting.",
            )
        # Signed off two months before publication (never after today), with its date: a
        # signed-off review without one counted as still ongoing in the annual figures.
        signed_on = min(add_calendar_months(publish_on, -2), today)
        review.stage = Review.Stage.SIGNED_OFF
        review.signed_off_at = timezone.make_aware(datetime.combine(signed_on, time(16)))
        Review.objects.filter(pk=review.pk).update(
            stage=review.stage, signed_off_at=review.signed_off_at
        )
        at = timezone.make_aware(datetime.combine(min(publish_on, today), time(9)))
        title = f"Review of {pseudonym}"
        improvements = IMPROVEMENTS if form == "improvements" else ""
        publication = Publication.objects.create(
            partnership=partnership,
            review=review,
            review_type=review_type,
            title=title,
            summary=SUMMARY,
            form=form,
            not_full_reason="To protect a surviving family member." if improvements else "",
            improvements=improvements,
            reviewer_names="Dr Fictional Reviewer and Pat Example",
            status=status,
            publish_on=publish_on,
            published_at=at if status != "draft" else None,
            earliest_removal_on=earliest_removal_on(publish_on),  # R16, R35
            withdrawn_at=timezone.now() if status == "withdrawn" else None,
            withdrawal_reason="Taken off the page after three years"
            if status == "withdrawn"
            else "",
            available_on_request=on_request,
        )
        revision = Revision.objects.create(
            publication=publication,
            number=1,
            published_at=at,
            title=title,
            summary=SUMMARY,
            form=form,
            improvements=improvements,
            reviewer_names=publication.reviewer_names,
        )
        if form == "full_report" and status in ("published", "scheduled"):
            content = pdf_bytes(
                title,
                [
                    f"This fictional report is about {pseudonym}.",
                    SUMMARY,
                    f"Agencies knew {pseudonym} through several services.",
                ],
            )
            published_file = PublicationFile(
                publication=publication,
                title=f"{title}: full report",
                original_name=f"review-of-{pseudonym.lower().replace(' ', '-')}.pdf",
                file_kind="pdf",
                size_bytes=len(content),
                uploaded_by=uploader,
                checked_at=at,
            )
            published_file.file.save("report.pdf", ContentFile(content), save=False)
            published_file.save()
            revision.files.add(published_file)
