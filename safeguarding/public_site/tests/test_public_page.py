import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from safeguarding.audit.models import AuditEvent
from safeguarding.core.uploads import PDF
from safeguarding.public_site import services
from safeguarding.public_site.models import ContentBlock, PublicDocument


def stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p) for p in root.rglob("*") if p.is_file()}


# The public page --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_public_page_shows_blocks_and_documents_with_type_and_size(client, block, document):
    response = client.get(reverse("public_site:reviews", args=["testshire"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Safeguarding Adults Reviews" in html
    assert '<ul class="govuk-list govuk-list--bullet"><li>one point</li>' in html
    assert "Procedures and guidance" in html
    assert "SAR procedure" in html
    assert f"(PDF, {document.size_bytes / 1024:.1f}\xa0KB)" in html


@pytest.mark.django_db
def test_public_page_escapes_html_in_blocks(client, partnership, business_unit_user):
    services.content_block_create(
        partnership=partnership,
        actor=business_unit_user,
        heading="<b>Heading</b>",
        body="<script>alert(1)</script>",
        review_type="",
        position=1,
    )
    html = client.get(reverse("public_site:reviews", args=["testshire"])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.django_db
def test_public_page_has_a_helpful_empty_state_and_no_placeholders(client, partnership):
    html = client.get(reverse("public_site:reviews", args=["testshire"])).content.decode()
    assert "has not written about its reviews here yet" in html
    assert "coming soon" not in html.lower()
    assert "Documents" not in html


@pytest.mark.django_db
def test_unknown_partnership_is_a_govuk_404(client):
    response = client.get("/no-such-place/reviews/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_document_downloads_with_its_name_and_type(client, document, sample_pdf):
    response = client.get(reverse("public_site:document_download", args=["testshire", document.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="sar-procedure.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == sample_pdf


@pytest.mark.django_db
def test_public_page_query_count_does_not_grow_with_content(
    client, partnership, business_unit_user, sample_pdf, django_assert_max_num_queries
):
    from safeguarding.publication.models import NationalReview

    for n in range(15):
        NationalReview.objects.create(
            partnership=partnership,
            title=f"National review {n}",
            published_on=datetime.date(2025, 1, 1),
            url="https://panel.example/r",
        )
        services.content_block_create(
            partnership=partnership,
            actor=business_unit_user,
            heading=f"Section {n}",
            body="Text",
            review_type="",
            position=n,
        )
        PublicDocument.objects.create(
            partnership=partnership,
            title=f"Doc {n}",
            category="leaflet",
            file="x.pdf",
            original_name="x.pdf",
            file_kind="pdf",
            size_bytes=10,
        )
    # + R38 settings, published items, digests, the public content version (ADR 0023)
    with django_assert_max_num_queries(8):
        client.get(reverse("public_site:reviews", args=["testshire"]))


# Editing the page -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_business_unit_edits_a_block_and_the_edit_is_audited_and_versioned(bu_client, block):
    url = reverse("public_page:block_edit", args=["testshire", block.pk])
    response = bu_client.post(
        url, {"heading": block.heading, "body": "New text.", "review_type": "sar", "position": 10}
    )
    assert response.status_code == 302
    block.refresh_from_db()
    assert block.body == "New text."
    event = AuditEvent.objects.get(action="public_page.block_changed")
    assert event.payload == {"fields": ["body"]}
    assert event.object_id == str(block.pk)
    assert block.history.count() == 2
    follow = bu_client.get(response.url)
    assert "Section ‘Safeguarding Adults Reviews’ saved" in follow.content.decode()


@pytest.mark.django_db
def test_a_block_with_missing_fields_shows_errors_and_saves_nothing(bu_client, block):
    url = reverse("public_page:block_edit", args=["testshire", block.pk])
    response = bu_client.post(
        url, {"heading": "", "body": "", "review_type": "xx", "position": "a"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    for message in ("Enter a heading", "Enter the text of the section", "Position must be a whole"):
        assert message in html
    block.refresh_from_db()
    assert block.body.startswith("First paragraph")
    assert not AuditEvent.objects.filter(action="public_page.block_changed").exists()


@pytest.mark.django_db
def test_adding_a_block_for_a_review_type_the_partnership_does_not_run_is_refused(bu_client):
    response = bu_client.post(
        reverse("public_page:block_add", args=["testshire"]),
        {"heading": "DHR", "body": "Text", "review_type": "dhr", "position": 1},
    )
    assert "Select a valid choice" in response.content.decode()
    assert ContentBlock.objects.count() == 0


@pytest.mark.django_db
def test_business_unit_uploads_a_document(bu_client, sample_docx):
    response = bu_client.post(
        reverse("public_page:document_upload", args=["testshire"]),
        {
            "title": "Referral form",
            "category": "referral_form",
            "review_type": "",
            "file": SimpleUploadedFile("referral.docx", sample_docx),
        },
    )
    assert response.status_code == 302
    document = PublicDocument.objects.get()
    assert (document.file_kind, document.size_bytes) == ("docx", len(sample_docx))
    assert AuditEvent.objects.filter(action="public_page.document_uploaded").exists()


def _upload(client, filename: str, content: bytes, **extra):
    data = {"title": "A document", "category": "procedure", "review_type": ""}
    data.update(extra)
    data["file"] = SimpleUploadedFile(filename, content)
    return client.post(reverse("public_page:document_upload", args=["testshire"]), data)


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("leaflet.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "must be a PDF, Word document"),
        ("notes.pdf", b"just some text that claims to be a PDF", "must be a PDF, Word document"),
        ("form.docx", b"PK\x03\x04 not really a zip", "must be a PDF, Word document"),
        ("archive.docx", _zip(["readme.txt"]), "must be a PDF, Word document"),
        ("locked.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100, "must be a PDF"),
        ("empty.pdf", b"", "The selected file is empty"),
    ],
)
def test_bad_uploads_are_refused_by_content_and_nothing_is_saved(
    bu_client, filename, content, message
):
    before = stored_files()
    response = _upload(bu_client, filename, content)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    assert PublicDocument.objects.count() == 0
    assert stored_files() == before


@pytest.mark.django_db
def test_a_pdf_named_docx_is_refused(bu_client, sample_pdf):
    html = _upload(bu_client, "procedure.docx", sample_pdf).content.decode()
    assert "The selected file is a PDF but its name does not end in .pdf" in html
    assert PublicDocument.objects.count() == 0


@pytest.mark.django_db
@override_settings(UPLOAD_MAX_BYTES=1000)
def test_an_oversized_upload_is_refused(bu_client, sample_pdf):
    html = _upload(bu_client, "procedure.pdf", sample_pdf).content.decode()
    assert "The selected file must be smaller than 1000\xa0bytes" in html
    assert PublicDocument.objects.count() == 0


@pytest.mark.django_db
def test_an_upload_with_no_file_and_no_title_lists_both_errors(bu_client):
    response = bu_client.post(
        reverse("public_page:document_upload", args=["testshire"]),
        {"title": "", "category": ""},
    )
    html = response.content.decode()
    assert '<a href="#id_title">Enter a title</a>' in html
    assert '<a href="#id_category_0">Select what kind of document it is</a>' in html
    assert '<a href="#id_file">Select a file</a>' in html


@pytest.mark.django_db
def test_a_failed_database_write_removes_the_stored_file(
    partnership, business_unit_user, sample_pdf
):
    before = stored_files()
    with pytest.raises(Exception):  # noqa: B017 - the title is too long for the column
        services.public_document_upload(
            partnership=partnership,
            actor=business_unit_user,
            title="x" * 500,
            category="procedure",
            review_type="",
            uploaded=SimpleUploadedFile("p.pdf", sample_pdf),
            kind=PDF,
        )
    assert PublicDocument.objects.count() == 0
    assert stored_files() == before


@pytest.mark.django_db
def test_taking_a_document_down_hides_it_from_the_public(bu_client, client, document):
    url = reverse("public_page:document_archive", args=["testshire", document.pk])
    assert "Take ‘SAR procedure’ off the public page?" in bu_client.get(url).content.decode()
    bu_client.post(url)
    document.refresh_from_db()
    assert document.archived_at is not None
    assert AuditEvent.objects.filter(action="public_page.document_archived").exists()
    download = reverse("public_site:document_download", args=["testshire", document.pk])
    assert bu_client.get(download).status_code == 404
    html = bu_client.get(reverse("public_site:reviews", args=["testshire"])).content.decode()
    assert "SAR procedure" not in html


@pytest.mark.django_db
def test_another_partnerships_business_unit_cannot_edit_this_page(client, block, other_partnership):
    from safeguarding.accounts.tests.factories import MembershipFactory

    outsider = MembershipFactory(partnership=other_partnership).user
    client.force_login(outsider)
    url = reverse("public_page:block_edit", args=["testshire", block.pk])
    response = client.post(url, {"heading": "Hacked", "body": "x", "position": 1})
    assert response.status_code == 404
    block.refresh_from_db()
    assert block.heading == "Safeguarding Adults Reviews"


# The documents: the newest of each category on the Reviews page, every one on their own page --


def _documents(partnership, category, count, *, start=0, archived=0):
    """``count`` live documents of ``category`` (titles "<category> NN", created a day apart,
    the highest number newest) and ``archived`` taken down."""
    from django.utils import timezone

    made = []
    for n in range(start, start + count + archived):
        document = PublicDocument.objects.create(
            partnership=partnership,
            title=f"{category} {n:02}",
            category=category,
            file="x.pdf",
            original_name="x.pdf",
            file_kind="pdf",
            size_bytes=10,
        )
        when = timezone.now() - datetime.timedelta(days=100 - n)
        PublicDocument.objects.filter(pk=document.pk).update(
            created_at=when, archived_at=when if n >= start + count else None
        )
        made.append(document)
    return made


def _reviews_page(client, settings):
    settings.PUBLIC_CONTENT_VERSION_READ_SECONDS = 0
    return client.get(reverse("public_site:reviews", args=["testshire"])).content.decode()


@pytest.mark.django_db
def test_the_reviews_page_shows_each_categorys_newest_documents_and_links_to_all_of_them(
    client, partnership, settings, django_assert_num_queries
):
    """Issue 16: the Reviews page stays the same size whatever the years of live documents;
    each category shows its newest five and links to its page of every one."""
    from safeguarding.public_site.selectors import DOCUMENTS_SHOWN

    assert DOCUMENTS_SHOWN == 5
    _documents(partnership, "procedure", 12, archived=3)
    _documents(partnership, "leaflet", 2)
    with django_assert_num_queries(8):  # the same queries as with one document or none
        html = _reviews_page(client, settings)
    procedures = html[html.index("Procedures and guidance") : html.index("Leaflets for families")]
    shown = [f"procedure {n:02}" for n in (11, 10, 9, 8, 7)]  # newest first; taken down not
    assert [title for title in shown if title in procedures] == shown
    assert "procedure 06" not in procedures and "procedure 12" not in procedures
    assert "The 5 newest of 12." in procedures
    documents_url = reverse("public_site:documents", args=["testshire"])
    assert f'href="{documents_url}?category=procedure">See all 12 procedures and guidance' in html
    leaflets = html[html.index("Leaflets for families") :]
    assert "leaflet 00" in leaflets and "leaflet 01" in leaflets
    assert "See all 2" not in leaflets and "newest of" not in leaflets  # nothing more to see
    assert "Referral forms" not in html  # an empty category is left out
    assert f'href="{documents_url}">All documents' in html


@pytest.mark.django_db
def test_the_reviews_page_makes_the_same_queries_with_no_document(
    client, partnership, settings, django_assert_num_queries
):
    with django_assert_num_queries(8):
        html = _reviews_page(client, settings)
    assert "Documents" not in html


def _documents_page(client, **params):
    return client.get(reverse("public_site:documents", args=["testshire"]), params)


def _titles(html: str) -> list[str]:
    import re

    return re.findall(r'/documents/\d+/">([^<]+)</a>', html)


@pytest.mark.django_db
def test_the_documents_page_lists_every_live_document_by_title_a_page_at_a_time(
    client, partnership, other_partnership, settings, django_assert_num_queries
):
    _documents(partnership, "procedure", 20, archived=2)
    _documents(partnership, "leaflet", 10)
    _documents(other_partnership, "procedure", 3)
    settings.PUBLIC_CONTENT_VERSION_READ_SECONDS = 0
    # the content version, the partnership, the page of documents with their count
    with django_assert_num_queries(3):
        first = _documents_page(client).content.decode()
    expected = sorted(
        [f"leaflet {n:02}" for n in range(10)] + [f"procedure {n:02}" for n in range(20)]
    )
    assert _titles(first) == expected[:25]
    assert "30 documents, showing 1 to 25." in first
    assert "govuk-pagination" in first
    second = _documents_page(client, page="2").content.decode()
    assert _titles(second) == expected[25:]
    assert "procedure 20" not in first + second  # taken down
    # Filtered: the category is kept in the links to the other pages.
    with django_assert_num_queries(3):
        procedures = _documents_page(client, category="procedure").content.decode()
    assert _titles(procedures) == [f"procedure {n:02}" for n in range(20)]
    assert "20 documents in procedures and guidance." in procedures
    assert "govuk-pagination" not in procedures
    _documents(partnership, "procedure", 10, start=30)
    page_1 = _documents_page(client, category="procedure").content.decode()
    assert "?category=procedure&amp;page=2" in page_1
    page_2 = _documents_page(client, category="procedure", page="2").content.decode()
    assert _titles(page_2) == [f"procedure {n:02}" for n in range(35, 40)]
    assert "?category=procedure&amp;page=1" in page_2


@pytest.mark.django_db
@pytest.mark.parametrize(("asked", "shown"), [("x", 1), ("0", 2), ("9", 2), ("-3", 2)])
def test_a_bad_documents_page_number_answers_a_page_that_exists(client, partnership, asked, shown):
    _documents(partnership, "other", 30)
    html = _documents_page(client, page=asked).content.decode()
    assert f'aria-label="Page {shown}" aria-current="page"' in html
    assert len(_titles(html)) == (25 if shown == 1 else 5)


@pytest.mark.django_db
def test_a_bad_category_shows_a_govuk_error_and_every_document(client, partnership):
    _documents(partnership, "leaflet", 2)
    response = _documents_page(client, category="secret")
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and "Select a category from the list" in html
    assert _titles(html) == ["leaflet 00", "leaflet 01"]


@pytest.mark.django_db
def test_the_documents_page_says_when_there_are_none(client, partnership):
    assert "has not put any documents on its page" in _documents_page(client).content.decode()
    html = _documents_page(client, category="referral_form").content.decode()
    assert "There are no referral forms on the page." in html
    assert _documents_page(client).status_code == 200
    assert client.get("/no-such-place/documents/").status_code == 404
