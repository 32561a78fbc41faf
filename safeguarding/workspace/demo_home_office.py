"""Fictional demo data for the Home Office Quality Assurance Panel pages of a DHR (R34, issue 14
§4): a signed-off Domestic Homicide Review of the community safety partnership whose report went
to the panel, came back with its reasons for changes, and was sent again; and, for the reviews
of the demo, a partnership's own marker set and national returns (issue 17). Pseudonyms only;
no real case, person or report."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from safeguarding.publication import publishing
from safeguarding.publication.models import Publication
from safeguarding.referrals.models import Case, Status
from safeguarding.reviews.marker_sets import services as marker_set_services
from safeguarding.reviews.models import NationalReturn, Review
from safeguarding.reviews.returns import services as return_services
from safeguarding.workspace.documents import pdf_bytes

HOME_OFFICE_REFERENCE = "DEMO-HO-R001"


def load_demo_home_office(*, partnerships, uploader) -> Publication:
    """A DHR publication in preparation: its first submission to the panel returned for changes
    (with the letter and the panel's reasons), the second awaiting the panel's answer."""
    partnership = partnerships["riverton-community-safety"]
    today = timezone.localdate()
    signed_on = today - datetime.timedelta(days=120)
    case = Case.objects.create(
        partnership=partnership,
        reference="DEMO-HO-001",
        pseudonym="Adult W",
        status=Status.DECIDED,
        became_aware_on=today - datetime.timedelta(days=600),
    )
    review = Review.objects.create(
        partnership=partnership,
        case=case,
        kind=Review.Kind.DHR,
        stage=Review.Stage.SIGNED_OFF,
        signed_off_at=timezone.make_aware(datetime.datetime.combine(signed_on, datetime.time(16))),
        reference=HOME_OFFICE_REFERENCE,
        title="Adult W",
        started_on=today - datetime.timedelta(days=500),
    )
    publication = Publication.objects.create(
        partnership=partnership,
        review=review,
        review_type="dhr",
        title="Domestic Homicide Review: Adult W",
        summary=(
            "A fictional review of how agencies responded to the domestic abuse Adult W lived with."
        ),
        reviewer_names="Sam Example (independent chair)",
        created_by=uploader,
        modified_by=uploader,
    )
    first = publishing.home_office_submit(
        publication=publication,
        actor=uploader,
        submitted_on=today - datetime.timedelta(days=90),
        note="Overview report version 3 and the executive summary",
    )
    letter = pdf_bytes(
        "Home Office Quality Assurance Panel: fictional feedback letter",
        [
            "This is a fictional letter for the demonstration.",
            "The panel asks the partnership to revise and resubmit the report.",
        ],
    )
    publishing.home_office_letter_record(
        submission=first,
        actor=uploader,
        uploaded=SimpleUploadedFile("panel-letter-1.pdf", letter, "application/pdf"),
        letter_on=today - datetime.timedelta(days=50),
        outcome="resubmit",
        reasons=["equality_diversity", "victim_voice"],
        reasons_text="Say more about what the family told the review about Adult W's wishes.",
    )
    publishing.home_office_submit(
        publication=publication,
        actor=uploader,
        submitted_on=today - datetime.timedelta(days=14),
        note="Overview report version 4, with the family's account and the equality analysis",
    )
    return publication


REGIONAL_MARKERS = (
    ("Setting up", "The referral and decision were made within the board's timescales"),
    ("Running", "The adult's own voice, or their family's, shapes the review"),
    ("Running", "Practitioners took part and were supported"),
    ("Output", "Findings are about the system, with clear questions for the board"),
)

SAR_RETURN = {
    "basis": "mandatory",
    "harm": "died",
    "abuse_types": ["self_neglect", "neglect"],
    "setting": "own_home",
    "individuals": 1,
    "approach": "systems",
}


def load_demo_returns_and_markers(*, partnerships, actor) -> None:
    """A fictional regional SAR marker set for the safeguarding partnership (ADR 0024), and the
    national return of its signed-off SARs that have none yet (issue 17)."""
    partnership = partnerships["riverton-safeguarding"]
    marker_set = marker_set_services.marker_set_create(
        partnership=partnership,
        name="Riverton region SAR quality markers (fictional)",
        review_kinds=["sar"],
        note="A fictional regional checklist, used alongside the national SAR quality markers.",
        actor=actor,
    )
    for stage, title in REGIONAL_MARKERS:
        marker_set_services.marker_add(marker_set=marker_set, stage=stage, title=title, actor=actor)
    reviews = Review.objects.filter(
        partnership=partnership, kind=Review.Kind.SAR, stage=Review.Stage.SIGNED_OFF
    ).exclude(pk__in=NationalReturn.objects.values("review"))
    for review in reviews.order_by("pk"):
        return_services.national_return_save(
            review=review, scheme="sar", answers=SAR_RETURN, actor=actor
        )
