"""Builders for the library record, import and page tests, all through the real services:
a review published by the partnership (signed off, tagged, with a recommendation and a PDF),
and records entered by hand."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from safeguarding.actions import services as action_services
from safeguarding.actions.models import Theme
from safeguarding.actions.tests.support import add_recommendation, signed_off_review
from safeguarding.core.calendar import add_working_days
from safeguarding.library import services
from safeguarding.publication import publishing

FINDINGS = (
    ("Safe sleep advice", "Advice about safe sleep was given once and not checked again."),
    ("Drinking at home", "Nobody asked how much the parents drank at home."),
)
RECOMMENDATION = "Health visitors should revisit safe sleep at every contact."


def shared_themes(*names: str) -> list[Theme]:
    themes = {t.name: t for t in Theme.objects.filter(partnership__isnull=True, name__in=names)}
    assert len(themes) == len(names), f"unknown themes: {set(names) - set(themes)}"
    return [themes[name] for name in names]


def published_review(
    partnership,
    actor,
    pdf_bytes: bytes,
    *,
    themes=("Sudden unexpected death in infancy (SUDI)", "Parental substance misuse"),
    summary="A fictional baby died while sleeping on a sofa.",
):
    """A local CSPR signed off, its findings tagged, a recommendation added, and its
    publication (a PDF report) published today. Returns the publication."""
    review = signed_off_review(partnership, actor, pdf_bytes, findings=FINDINGS)
    chosen = shared_themes(*themes)
    for finding in review.findings.all():
        action_services.finding_themes_set(finding=finding, actor=actor, themes=chosen)
    add_recommendation(review, actor, text=RECOMMENDATION)
    publication = publishing.publication_start(review=review, actor=actor)
    publishing.publication_update(
        publication=publication,
        actor=actor,
        reviewer_names="Dr A Fictional-Reviewer",
        summary=summary,
    )
    publishing.publication_file_upload(
        publication=publication,
        actor=actor,
        uploaded=SimpleUploadedFile("report.pdf", pdf_bytes),
        title="Full report",
    )
    # Eight working days back, not seven: on a weekend or bank holiday seven back and seven on
    # (R17 advance copies) land on the next working day, after today.
    sent = add_working_days(timezone.localdate(), -8)
    for kind in ("advance_copy_panel", "advance_copy_sos"):
        publishing.step_record(
            publication=publication, actor=actor, kind=kind, done_on=sent, evidence="Emailed."
        )
    publishing.publication_publish(
        publication=publication, publish_on=timezone.localdate(), actor=actor
    )
    publication.refresh_from_db()
    return publication


def add_record(partnership, actor, **overrides):
    """A record entered by hand (public unless told otherwise)."""
    values = {
        "title": "A fictional review from Northwold",
        "review_type": "sar",
        "publisher": "Northwold Safeguarding Adults Board",
        "year": 2022,
        "published_on": datetime.date(2022, 6, 1),
        "age_group": "older_adult",
        "summary": "An older man living alone stopped letting carers in.",
        "learning": "Self-neglect needs a multi-agency response.",
        "recommendations": "Agencies should use the self-neglect protocol.",
        "full_text": "",
        "url": "https://example.org/northwold-review",
        "is_public": True,
        "themes": [],
    }
    values.update(overrides)
    return services.record_add(partnership=partnership, actor=actor, **values)
