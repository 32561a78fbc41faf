"""The demo's sign-off story (issue 13), through the apps' services as staff would do it: a
local review signed off after the police lead disagreed and the partners' escalation resolved
it (ADR 0012), its publication being prepared with a planned date, and an agency that works
outside the service with an email contact who is emailed its request (ADR 0020). Fictional."""

import datetime
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from safeguarding.accounts.models import Agency
from safeguarding.core.uploads import PDF
from safeguarding.publication import publishing
from safeguarding.referrals.models import Case, Status, Track
from safeguarding.reviews import services as review_stages
from safeguarding.reviews.models import Review
from safeguarding.reviews.requests import services as requests_services
from safeguarding.reviews.running import services as review_services
from safeguarding.reviews.running.quality_markers import markers_for
from safeguarding.workspace.documents import pdf_bytes
from safeguarding.workspace.setup import services as setup_services


def _review_at_sign_off(partnership, bu, today: datetime.date) -> Review:
    case = Case.objects.create(
        partnership=partnership,
        reference="DEMO-SIGN-001",
        pseudonym="Child W",
        status=Status.DECIDED,
        became_aware_on=today - timedelta(days=300),
    )
    track = Track.objects.create(case=case, review_type="cspr", screening_result="notify")
    review = Review.objects.create(
        partnership=partnership,
        case=case,
        kind=Review.Kind.LCSPR,
        stage=Review.Stage.DRAFTING,
        reference="DEMO-SIGN-R001",
        title="Child W",
        started_on=today - timedelta(days=240),
    )
    review.tracks.add(track)
    review_services.finding_add(
        review=review,
        actor=bu,
        title="Escalation between agencies",
        text="Practitioners did not escalate when their concerns were not acted on.",
    )
    review_services.document_version_upload(
        review=review,
        actor=bu,
        uploaded=SimpleUploadedFile(
            "child-w-final-report.pdf",
            pdf_bytes("Review of Child W", ["A fictional final report for the demo."]),
        ),
        kind=PDF,
        title="Final report",
        document_kind="final_report",
    )
    review_services.quality_assessment_save(
        review=review,
        actor=bu,
        ratings={n: {"rating": "met"} for n in markers_for(review).numbers},
        summary="The report meets the markers.",
    )
    review_stages.review_move(review=review, target=Review.Stage.SIGN_OFF, actor=bu)
    return review


def load_demo_sign_off(*, partnerships: dict, users: dict) -> None:
    today = timezone.localdate()
    riverton = partnerships["riverton-safeguarding"]
    bu = users["business.unit@riverton.example"]
    review = _review_at_sign_off(riverton, bu, today)
    # The police lead disagrees with a finding; the partners resolve it at their meeting and
    # the report stands without the police lead's signature (their disagreement is kept).
    disagreement = review_services.review_sign_off_decline(
        review=review,
        user=users["police.lead@riverton.example"],
        kind="disagreed",
        reason="The finding about escalation does not reflect the police's own escalation "
        "to children's services in March.",
    )
    for email in ("partner.lead@riverton.example", "icb.lead@riverton.example"):
        review_services.review_sign(review=review, user=users[email])
    review_services.review_disagreement_resolve(
        disagreement=disagreement,
        resolution="without_signature",
        resolved_by="The three lead safeguarding partners at their meeting",
        reason="The partners agreed the finding is supported by the chronology; the police's "
        "view is recorded with the report.",
        resolved_on=today,
        actor=bu,
    )
    review.refresh_from_db()
    # Its publication is being prepared, with the date the partnership plans to publish.
    publication = publishing.publication_start(review=review, actor=bu)
    publishing.publication_update(
        publication=publication,
        actor=bu,
        summary="How agencies escalated concerns about Child W.",
        planned_publish_on=today + timedelta(days=35),
    )
    # An agency with no one in the service: its safeguarding lead is emailed its requests.
    school = Agency.objects.get(slug="riverton-academy-trust")
    setup_services.agency_contact_add(
        partnership=riverton,
        actor=bu,
        agency=school,
        name="Morgan Fictional",
        email="safeguarding@riverton-academy.example",
        role="Designated safeguarding lead",
    )
    local = (
        Review.objects.filter(partnership=riverton, kind=Review.Kind.LCSPR, title="Young person E")
        .exclude(stage=Review.Stage.SIGNED_OFF)
        .first()
    )
    if local is not None and not local.is_read_only:
        requests_services.agency_requests_send(
            review=local,
            agencies=[school],
            kind="agency_report",
            due_on=today + timedelta(days=28),
            instructions="The school's contacts with Young person E in the last two years.",
            actor=bu,
        )
