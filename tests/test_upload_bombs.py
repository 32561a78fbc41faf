"""Decompression bombs posted to every page that accepts an upload: each is refused with an
error summary, nothing is saved, and the refusal is quick and small (issue 12, item 4).

The bombs are real files made here: a valid .docx whose text unpacks to 60 MB (about 0.4 MB
packed), and a valid .xlsx whose first sheet unpacks to 60 MB, for the chronology upload.
"""

import datetime
import time
import tracemalloc
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Role
from safeguarding.actions.models import ActionEvidence, ActionUpdate
from safeguarding.actions.tests.support import add_action, add_recommendation, signed_off_review
from safeguarding.core.tests import bombs
from safeguarding.library.models import LibraryRecord
from safeguarding.public_site.models import PublicDocument
from safeguarding.publication import publishing
from safeguarding.publication.models import PublicationFile
from safeguarding.referrals.models import Referral
from safeguarding.referrals.tests.staff_support import make_case
from safeguarding.reviews.chronology import parser as chronology
from safeguarding.reviews.models import AgencyReturn, ChronologyEntry, DocumentVersion, Review
from safeguarding.reviews.requests import services as requests_services
from safeguarding.reviews.tests.review_support import make_lcspr

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
TOO_LARGE = "The file is too large when unpacked"


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    data = bombs.docx_bomb(60 * MB)
    assert len(data) < MB
    return data


@pytest.fixture(scope="module")
def xlsx_bomb() -> bytes:
    data = bombs.xlsx_bomb(60 * MB, chronology.HEADINGS)
    assert len(data) < 2 * MB
    return data


def _media_files() -> set[Path]:
    return {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}


# Each upload page: (client, url, data with the bomb as "file", the rows that must not grow)


def _publication(ctx):
    review = signed_off_review(ctx.partnership, ctx.user, ctx.sample_pdf)
    return publishing.publication_start(review=review, actor=ctx.user)


def publication_file(ctx):
    publication = _publication(ctx)
    url = reverse("publication:file_upload", args=["testshire", publication.pk])
    return ctx.bu_client, url, {"title": "Report"}, "file", [PublicationFile.objects]


def publication_file_replaced(ctx):
    publication = _publication(ctx)
    old = publishing.publication_file_upload(
        publication=publication,
        actor=ctx.user,
        uploaded=SimpleUploadedFile("report.pdf", ctx.sample_pdf),
        title="Report",
    )
    url = reverse("publication:file_replace", args=["testshire", publication.pk, old.pk])
    return ctx.bu_client, url, {}, "file", [PublicationFile.objects]


def word_referral(ctx):
    url = reverse("referrals:upload", args=["testshire"])
    return ctx.bu_client, url, {}, "file", [Referral.objects]


def agency_return(ctx):
    ctx.partnership.agencies.add(ctx.agency)
    case = make_case(ctx.partnership, ctx.user, pseudonym="Child Q", agencies=[ctx.agency])
    review = Review.objects.create(
        partnership=ctx.partnership,
        case=case,
        kind=Review.Kind.LCSPR,
        stage=Review.Stage.AGENCY_REPORTS,
        reference="RV2026-00077",
        title="Child Q",
        started_on=timezone.localdate(),
        created_by=ctx.user,
    )
    review.agencies.set([ctx.agency])
    (request,) = requests_services.agency_requests_send(
        review=review,
        agencies=[ctx.agency],
        kind="agency_report",
        due_on=timezone.localdate() + datetime.timedelta(days=20),
        instructions="",
        actor=ctx.user,
    )
    client = ctx.client_for(Role.AGENCY_CONTRIBUTOR)
    url = reverse("reviews:request_detail", args=["testshire", request.pk])
    return client, url, {"report": "Our report is attached."}, "attachment", [AgencyReturn.objects]


def action_evidence(ctx):
    review = signed_off_review(ctx.partnership, ctx.user, ctx.sample_pdf)
    recommendation = add_recommendation(review, ctx.user, agencies=[ctx.agency])
    action = add_action(recommendation, ctx.user, ctx.agency)
    url = reverse("actions:progress", args=["testshire", action.pk])
    data = {"note": "Half the staff are trained.", "status": "on_track"}
    return ctx.bu_client, url, data, "evidence", [ActionEvidence.objects, ActionUpdate.objects]


def review_document(ctx):
    review, _ = make_lcspr(ctx.partnership, ctx.user)
    url = reverse("reviews:document_upload", args=["testshire", review.pk])
    data = {"document": "new", "title": "Draft report", "document_kind": "draft_report"}
    return ctx.bu_client, url, data, "file", [DocumentVersion.objects]


def public_page_document(ctx):
    url = reverse("public_page:document_upload", args=["testshire"])
    data = {"title": "Procedure", "category": "procedure", "review_type": ""}
    return ctx.bu_client, url, data, "file", [PublicDocument.objects]


def chronology_upload(ctx):
    review, _ = make_lcspr(ctx.partnership, ctx.user)
    review.agencies.add(ctx.agency)
    url = reverse("reviews:chronology_upload", args=["testshire", review.pk])
    return ctx.bu_client, url, {"agency": str(ctx.agency.pk)}, "file", [ChronologyEntry.objects]


def library_import(ctx):
    url = reverse("library:import", args=["testshire"])
    return ctx.bu_client, url, {}, "file", [LibraryRecord.objects]


PAGES = {
    "publication file": (publication_file, "report.docx"),
    "publication file replaced": (publication_file_replaced, "report.docx"),
    "Word referral": (word_referral, "referral.docx"),
    "agency return": (agency_return, "report.docx"),
    "action evidence": (action_evidence, "evidence.docx"),
    "review document": (review_document, "draft.docx"),
    "public page document": (public_page_document, "procedure.docx"),
    "chronology": (chronology_upload, "chronology.xlsx"),
    # Not a zip format: the same bytes named as a library file are refused without unpacking.
    "library import": (library_import, "records.csv"),
}


class Context:
    def __init__(self, request):
        for name in ("partnership", "agency", "sample_pdf", "bu_client", "client_for"):
            setattr(self, name, request.getfixturevalue(name))
        self.user = request.getfixturevalue("business_unit_user")


@pytest.mark.parametrize("page", list(PAGES))
def test_a_bomb_is_refused_quickly_on_every_upload_page_and_nothing_is_saved(
    request, page, docx_bomb, xlsx_bomb
):
    make, name = PAGES[page]
    client, url, data, field, querysets = make(Context(request))
    bomb = xlsx_bomb if name.endswith(".xlsx") else docx_bomb
    counts = [queryset.count() for queryset in querysets]
    files = _media_files()
    client.get(url)  # warm up: the page's first rendering is not the check

    tracemalloc.start()
    started = time.process_time()
    response = client.post(url, {**data, field: SimpleUploadedFile(name, bomb)})
    seconds = time.process_time() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    if page == "library import":
        assert "The file must be saved as UTF-8 text" in html
    else:
        assert TOO_LARGE in html
    assert [queryset.count() for queryset in querysets] == counts
    assert _media_files() == files
    # The check reads the zip's directory only: the request takes a fraction of a second and a
    # few megabytes, not the 53 seconds and 2.3 GB the publication upload took before.
    assert seconds < 3.0, f"{seconds:.2f} s of CPU"
    assert peak < 16 * MB, f"{peak / MB:.1f} MB"


def test_a_pdf_of_too_many_pages_is_refused_on_the_publication_upload(request):
    ctx = Context(request)
    publication = _publication(ctx)
    url = reverse("publication:file_upload", args=["testshire", publication.pk])
    started = time.process_time()
    response = ctx.bu_client.post(
        url,
        {"title": "Report", "file": SimpleUploadedFile("report.pdf", bombs.pdf_many_pages(3_000))},
    )
    assert time.process_time() - started < 3.0
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "The file is too large to check: it has 3,000 pages" in html
    assert not PublicationFile.objects.exists()


def test_a_pdf_page_of_megabytes_of_text_is_refused_on_the_publication_upload(request):
    ctx = Context(request)
    publication = _publication(ctx)
    url = reverse("publication:file_upload", args=["testshire", publication.pk])
    bomb = bombs.pdf_text_bomb(60 * MB)
    started = time.process_time()
    response = ctx.bu_client.post(
        url, {"title": "Report", "file": SimpleUploadedFile("report.pdf", bomb)}
    )
    assert time.process_time() - started < 3.0
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert f"{TOO_LARGE}: a page holds far more than a real document does" in html
    assert not PublicationFile.objects.exists()
