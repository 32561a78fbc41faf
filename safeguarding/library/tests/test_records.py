"""Library records: own published reviews become records by themselves (and stop being public
when withdrawn), records by hand, national reviews, search terms, national library
submissions. Everything through the real services and the real database."""

import datetime
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.utils import timezone

from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError
from safeguarding.library import national_libraries, selectors, services
from safeguarding.library.models import LibraryRecord, NationalLibrarySubmission, SearchTerm
from safeguarding.library.signals import publication_changed
from safeguarding.publication import publishing
from safeguarding.publication import services as publication_services
from safeguarding.publication.models import NationalReview
from safeguarding.publication.signals import publication_published

from .pages_support import RECOMMENDATION, add_record, published_review, shared_themes

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


# Own published reviews -------------------------------------------------------------------------


def test_a_published_review_becomes_a_public_library_record(
    partnership, business_unit_user, sample_pdf
):
    publication = published_review(partnership, business_unit_user, sample_pdf)

    record = LibraryRecord.objects.get(publication=publication)
    assert record.source == LibraryRecord.Source.OWN
    assert record.external_id == f"testshire-publication-{publication.pk}"
    assert record.title == publication.title
    assert record.review_type == "cspr"
    assert record.publisher == "Testshire Safeguarding Partnership"
    assert (record.year, record.published_on) == (today().year, today())
    assert record.age_group == "adolescent"  # the referral says 14
    assert record.summary == "A fictional baby died while sleeping on a sofa."
    assert "Safe sleep advice" in record.learning  # the findings: the full report is published
    assert record.recommendations == f"1. {RECOMMENDATION}"
    assert "fictional document for tests" in record.full_text  # the text of the PDF
    assert sorted(t.name for t in record.themes.all()) == [
        "Parental substance misuse",
        "Sudden unexpected death in infancy (SUDI)",
    ]
    assert "Parental substance misuse" in record.themes_text
    assert record.is_public
    assert AuditEvent.objects.filter(action="library.record_added", object_id=str(record.pk))


def test_a_withdrawn_review_stays_in_the_library_but_is_not_public(
    partnership, business_unit_user, user_for_role, sample_pdf
):
    publication = published_review(partnership, business_unit_user, sample_pdf)
    publishing.publication_withdraw(
        publication=publication,
        actor=user_for_role("partner_lead"),
        reason="A court order.",
        available_on_request=False,
    )
    record = LibraryRecord.objects.get(publication=publication)
    assert not record.is_public
    assert record.archived_at is None
    assert selectors.record_list_live(partnership=partnership).filter(pk=record.pk).exists()
    assert not selectors.record_list_public(partnership=partnership).exists()
    with pytest.raises(ServiceError, match="no longer published"):
        services.record_update(
            record=record,
            actor=business_unit_user,
            themes=list(record.themes.all()),
            is_public=True,
        )


def test_a_correction_copies_the_review_again(partnership, business_unit_user, sample_pdf):
    publication = published_review(partnership, business_unit_user, sample_pdf)
    publishing.publication_update(
        publication=publication, actor=business_unit_user, title="Child B: a corrected title"
    )
    publishing.publication_correct(
        publication=publication, actor=business_unit_user, note="The title was corrected."
    )
    record = LibraryRecord.objects.get(publication=publication)
    assert record.title == "Child B: a corrected title"
    assert AuditEvent.objects.filter(action="library.record_changed", object_id=str(record.pk))


def test_a_scheduled_review_gets_its_record_when_it_is_published(
    partnership, business_unit_user, sample_pdf, monkeypatch
):
    # Publish for tomorrow: scheduled, so no record yet.
    from safeguarding.actions.tests.support import signed_off_review
    from safeguarding.core.calendar import add_working_days

    review = signed_off_review(partnership, business_unit_user, sample_pdf)
    publication = publishing.publication_start(review=review, actor=business_unit_user)
    publishing.publication_update(
        publication=publication, actor=business_unit_user, reviewer_names="Dr A Reviewer"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    publishing.publication_file_upload(
        publication=publication,
        actor=business_unit_user,
        uploaded=SimpleUploadedFile("report.pdf", sample_pdf),
        title="Full report",
    )
    # Eight working days back, not seven: on a weekend or bank holiday seven back and seven on
    # (R17 advance copies) land on the next working day, after today.
    sent = add_working_days(today(), -8)
    for kind in ("advance_copy_panel", "advance_copy_sos"):
        publishing.step_record(
            publication=publication,
            actor=business_unit_user,
            kind=kind,
            done_on=sent,
            evidence="Emailed.",
        )
    tomorrow = today() + datetime.timedelta(days=1)
    publishing.publication_publish(
        publication=publication, publish_on=tomorrow, actor=business_unit_user
    )
    assert not LibraryRecord.objects.exists()

    assert publishing.scheduled_publications_publish(tomorrow) == 1
    record = LibraryRecord.objects.get(publication=publication)
    assert record.published_on == tomorrow
    event = AuditEvent.objects.get(action="library.record_added")
    assert event.actor is None and event.actor_label == "Learning library"


def test_library_sync_makes_records_for_what_was_published_before_the_library(
    partnership, business_unit_user, sample_pdf
):
    publication_published.disconnect(dispatch_uid="library_publication_changed")
    try:
        publication = published_review(partnership, business_unit_user, sample_pdf)
        publication_services.national_review_add(
            partnership=partnership,
            actor=business_unit_user,
            title="Out of routine",
            published_on=datetime.date(2020, 7, 1),
            url="https://example.org/out-of-routine",
        )
    finally:
        publication_published.connect(
            publication_changed, dispatch_uid="library_publication_changed"
        )
    assert not LibraryRecord.objects.exists()

    out = io.StringIO()
    call_command("library_sync", stdout=out)
    assert "1 made and 0 brought up to date for published reviews, 1 made for national" in (
        out.getvalue()
    )
    assert LibraryRecord.objects.get(publication=publication).is_public
    national = LibraryRecord.objects.get(source="national")
    assert (national.title, national.year, national.review_type) == (
        "Out of routine",
        2020,
        "national",
    )
    # Running it again changes nothing.
    assert services.library_sync() == services.SyncResult(created=0, updated=0, national=0)


# Records by hand -------------------------------------------------------------------------------


def test_a_record_by_hand_is_added_changed_and_taken_out(partnership, business_unit_user):
    themes = shared_themes("Self-neglect and hoarding")
    record = add_record(partnership, business_unit_user, themes=themes)
    assert record.source == "manual" and record.external_id.startswith("manual-")
    assert record.themes_text == "Self-neglect and hoarding"

    services.record_update(
        record=record,
        actor=business_unit_user,
        themes=[],
        title="A changed title",
        is_public=False,
    )
    record.refresh_from_db()
    assert (record.title, record.is_public, record.themes_text) == ("A changed title", False, "")
    event = AuditEvent.objects.get(action="library.record_changed")
    assert set(event.payload["changed"]) == {"title", "is_public", "themes"}

    services.record_archive(record=record, actor=business_unit_user)
    assert not selectors.record_list_live(partnership=partnership).exists()
    assert AuditEvent.objects.filter(action="library.record_archived").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "  "}, "title", "Enter the title"),
        ({"review_type": "inquest"}, "review_type", "The review type must be one of"),
        ({"year": 1850, "published_on": None}, "year", "The year must be between 1900"),
        ({"year": 2021}, "year", "must be the year of published_on"),
        ({"published_on": datetime.date(2099, 1, 1), "year": 2099}, "published_on", "today"),
        ({"url": "ftp://example.org/x"}, "url", "must be a web address"),
    ],
)
def test_a_bad_record_is_refused_and_nothing_is_saved(
    partnership, business_unit_user, overrides, field, message
):
    with pytest.raises(ServiceError, match=message) as caught:
        add_record(partnership, business_unit_user, **overrides)
    assert caught.value.field == field
    assert not LibraryRecord.objects.exists()


def test_themes_of_another_partnership_are_refused(
    partnership, other_partnership, business_unit_user
):
    from safeguarding.actions.models import Theme

    theirs = Theme.objects.create(partnership=other_partnership, facet="practice", name="Theirs")
    with pytest.raises(ServiceError, match="Select themes from the list"):
        add_record(partnership, business_unit_user, themes=[theirs])


# National reviews ------------------------------------------------------------------------------


def test_a_national_review_goes_to_the_public_page_and_the_library(partnership, business_unit_user):
    record = services.national_review_add(
        partnership=partnership,
        actor=business_unit_user,
        title="The Myth of Invisible Men",
        published_on=datetime.date(2021, 9, 16),
        url="https://example.org/invisible-men",
        summary="Fathers and father-figures are overlooked.",
        themes=shared_themes("Male carers (invisible men)"),
    )
    review = NationalReview.objects.get()
    assert record.national_review == review
    assert (record.source, record.review_type, record.publisher, record.year) == (
        "national",
        "national",
        "Child Safeguarding Practice Review Panel",
        2021,
    )
    assert record.themes_text == "Male carers (invisible men)"
    assert AuditEvent.objects.filter(action="national_review.added").count() == 1


def test_a_bad_national_review_saves_neither(partnership, business_unit_user):
    with pytest.raises(ServiceError, match="today or in the past"):
        services.national_review_add(
            partnership=partnership,
            actor=business_unit_user,
            title="From the future",
            published_on=today() + datetime.timedelta(days=3),
            url="https://example.org/future",
        )
    assert not NationalReview.objects.exists()
    assert not LibraryRecord.objects.exists()


# Search terms ----------------------------------------------------------------------------------


def test_search_terms_are_added_and_removed(partnership, business_unit_user):
    term = services.search_term_add(
        partnership=partnership,
        actor=business_unit_user,
        term="  Co-Sleeping ",
        expansion="sharing a bed   with a baby",
    )
    assert (term.term, term.expansion) == ("co-sleeping", "sharing a bed with a baby")
    with pytest.raises(ServiceError, match="already in your search terms"):
        services.search_term_add(
            partnership=partnership, actor=business_unit_user, term="co-sleeping", expansion="x"
        )
    services.search_term_remove(search_term=term, actor=business_unit_user)
    assert not SearchTerm.objects.filter(partnership=partnership).exists()
    assert AuditEvent.objects.filter(action="library.search_term_removed").exists()


def test_shared_search_terms_cannot_be_removed(business_unit_user):
    shared = SearchTerm.objects.filter(partnership__isnull=True).first() or (
        SearchTerm.objects.create(term="sudi", expansion="sudden unexpected death in infancy")
    )
    with pytest.raises(ServiceError):
        services.search_term_remove(search_term=shared, actor=business_unit_user)


# National library submissions ------------------------------------------------------------------


def test_a_cspr_is_prepared_for_the_nspcc_repository_with_its_files_and_metadata(
    partnership, business_unit_user, sample_pdf
):
    publication = published_review(partnership, business_unit_user, sample_pdf)
    record = LibraryRecord.objects.get(publication=publication)
    submission = services.submission_prepare(
        record=record, actor=business_unit_user, page_url="https://example.org/published/1/"
    )
    assert submission.library == NationalLibrarySubmission.Library.NSPCC
    library = national_libraries.LIBRARIES["nspcc"]
    assert list(submission.metadata) == [key for key, _ in library.fields]
    assert submission.metadata["partnership"] == "Testshire Safeguarding Partnership"
    assert submission.metadata["publication_date"] == today().isoformat()
    assert submission.metadata["reviewer_names"] == "Dr A Fictional-Reviewer"
    assert submission.metadata["age_group"] == "12 to 17"
    assert submission.metadata["files"] == ["files/01-report.pdf"]

    data = national_libraries.submission_zip(submission, selectors.record_files(record=record))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == ["files/01-report.pdf", "metadata.json"]
        assert archive.read("files/01-report.pdf") == sample_pdf
        document = json.loads(archive.read("metadata.json"))
    assert document["library"] == "nspcc"
    assert document["metadata"]["title"] == record.title
    assert document["labels"]["partnership"] == "Local safeguarding partnership"

    services.submission_record_sent(
        submission=submission, actor=business_unit_user, sent_on=today(), note="By email."
    )
    submission.refresh_from_db()
    assert (submission.sent_on, submission.sent_by, submission.sent_note) == (
        today(),
        business_unit_user,
        "By email.",
    )
    with pytest.raises(ServiceError, match="already recorded as sent"):
        services.submission_record_sent(
            submission=submission, actor=business_unit_user, sent_on=today()
        )
    with pytest.raises(ServiceError, match="was sent to the"):
        services.submission_prepare(record=record, actor=business_unit_user, page_url="")
    assert AuditEvent.objects.filter(action="library.submission_sent").count() == 1


def test_each_review_type_has_its_national_library():
    assert national_libraries.library_for("cspr").code == "nspcc"
    assert national_libraries.library_for("scr").code == "nspcc"
    assert national_libraries.library_for("sar").code == "sar_library"
    assert national_libraries.library_for("dhr").code == "home_office"
    assert national_libraries.library_for("national") is None


def test_only_own_published_reviews_can_be_submitted(partnership, business_unit_user):
    record = add_record(partnership, business_unit_user)
    with pytest.raises(ServiceError, match="Only a review the partnership has published"):
        services.submission_prepare(record=record, actor=business_unit_user, page_url="")


def test_a_future_sent_date_is_refused(partnership, business_unit_user, sample_pdf):
    publication = published_review(partnership, business_unit_user, sample_pdf)
    record = LibraryRecord.objects.get(publication=publication)
    submission = services.submission_prepare(record=record, actor=business_unit_user, page_url="")
    with pytest.raises(ServiceError, match="today or in the past"):
        services.submission_record_sent(
            submission=submission,
            actor=business_unit_user,
            sent_on=today() + datetime.timedelta(days=1),
        )
    submission.refresh_from_db()
    assert submission.sent_on is None
