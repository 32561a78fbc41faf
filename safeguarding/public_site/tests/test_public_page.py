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
