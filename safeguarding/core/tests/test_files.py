"""Serving files (``file_response``) and where uploads are kept (``UploadPath``)."""

import re

import pytest
from django.core.files.base import ContentFile
from django.db.migrations.writer import MigrationWriter
from django.http import Http404
from django.test import RequestFactory

from safeguarding.accounts.tests.factories import UserFactory
from safeguarding.audit.models import AuditEvent
from safeguarding.core.files import UploadPath, content_disposition, download_name, file_response
from safeguarding.core.models import RateLimitHit

# Content-Disposition --------------------------------------------------------------------------


def test_a_plain_name_is_quoted_as_it_is():
    assert content_disposition("report.pdf") == 'attachment; filename="report.pdf"'
    assert content_disposition("report.pdf", inline=True) == 'inline; filename="report.pdf"'


def test_a_name_that_is_not_ascii_gets_an_rfc_6266_filename_star_beside_a_fallback():
    header = content_disposition("Résumé – été.docx")
    assert header == (
        'attachment; filename="Resume _ ete.docx"; '
        "filename*=UTF-8''R%C3%A9sum%C3%A9%20%E2%80%93%20%C3%A9t%C3%A9.docx"
    )
    assert content_disposition("報告.pdf").startswith('attachment; filename="download.pdf"; ')


@pytest.mark.parametrize(
    "name",
    [
        'evil.pdf"\r\nSet-Cookie: session=stolen',
        "evil.pdf\nX-Injected: 1",
        "evil\x00.pdf",
        "evil\u2028.pdf",
    ],
)
def test_no_name_can_add_a_header_or_break_out_of_the_quotes(name):
    header = content_disposition(name)
    assert "\r" not in header and "\n" not in header and "\x00" not in header
    assert "\u2028" not in header
    quoted = re.match(r'^attachment; filename="([^"]*)"(; filename\*=UTF-8\'\'\S+)?$', header)
    assert quoted is not None, header


def test_folders_and_quotes_are_taken_out_of_the_name():
    assert download_name("../../etc/passwd") == "_.._etc_passwd"
    assert download_name('a "quoted" name.pdf') == "a _quoted_ name.pdf"
    assert download_name("   ") == "download"


def test_a_very_long_name_is_shortened_keeping_its_extension():
    name = download_name("x" * 400 + ".docx")
    assert len(name) == 150 and name.endswith(".docx")


# file_response ---------------------------------------------------------------------------------


@pytest.fixture
def staff_request(db):
    request = RequestFactory().get("/manage/testshire/file/")
    request.user = UserFactory(email="reader@testshire.example")
    return request


def test_a_staff_file_is_audited_never_cached_and_not_sniffed(staff_request):
    target = RateLimitHit.objects.create(bucket="b", key_hash="k")
    response = file_response(
        staff_request,
        content=b"%PDF-1.7 fictional",
        filename="notes.pdf",
        content_type="application/pdf",
        audit_action="review.report_downloaded",
        target=target,
        payload={"format": "pdf"},
    )
    assert response.content == b"%PDF-1.7 fictional"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="notes.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get()
    assert event.action == "review.report_downloaded"
    assert event.actor == staff_request.user
    assert event.object_type == "core.ratelimithit" and event.object_id == str(target.pk)
    assert event.payload == {"format": "pdf"}


def test_a_staff_file_needs_an_audit_action(staff_request):
    with pytest.raises(ValueError, match="audit_action"):
        file_response(staff_request, content=b"x", filename="x.txt", content_type="text/plain")
    assert not AuditEvent.objects.exists()


def test_an_unregistered_action_code_refuses_the_download(staff_request):
    with pytest.raises(LookupError):
        file_response(
            staff_request,
            content=b"x",
            filename="x.txt",
            content_type="text/plain",
            audit_action="nobody.registered_this",
        )


@pytest.mark.django_db
def test_a_public_file_is_served_with_the_same_headers_and_no_audit_event():
    request = RequestFactory().get("/testshire/published/1/files/1/")
    response = file_response(
        request,
        content="Plain text",
        filename="leaflet.txt",
        content_type="text/plain; charset=utf-8",
        public=True,
    )
    assert response.content == b"Plain text"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="leaflet.txt"'
    assert "Cache-Control" not in response
    assert not AuditEvent.objects.exists()


def test_a_stored_file_streams_and_a_missing_one_answers_404(
    staff_request, partnership, tmp_path, settings
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    from safeguarding.public_site.models import PublicDocument

    document = PublicDocument(partnership=partnership, original_name="leaflet.pdf")
    document.file.save("leaflet.pdf", ContentFile(b"%PDF-1.7 leaflet"), save=False)
    response = file_response(
        staff_request,
        content=document.file,
        filename=document.original_name,
        content_type="application/pdf",
        public=True,
    )
    assert b"".join(response.streaming_content) == b"%PDF-1.7 leaflet"
    assert response["Content-Disposition"] == 'attachment; filename="leaflet.pdf"'
    document.file.storage.delete(document.file.name)
    gone = PublicDocument(partnership=partnership, file=document.file.name)
    with pytest.raises(Http404):
        file_response(
            staff_request,
            content=gone.file,
            filename="leaflet.pdf",
            content_type="application/pdf",
            audit_action="review.report_downloaded",
        )
    assert not AuditEvent.objects.exists()  # nothing was downloaded


# UploadPath ----------------------------------------------------------------------------------


class _Owner:
    review_id = 42


class _Upload:
    request = _Owner()


def test_an_upload_path_is_random_keeps_the_extension_and_groups_by_owner():
    upload_to = UploadPath("agency-returns", "request.review_id")
    first = upload_to(_Upload(), "Summary of Child A.PDF")
    second = upload_to(_Upload(), "Summary of Child A.PDF")
    assert re.fullmatch(r"agency-returns/42/[0-9a-f]{32}\.pdf", first)
    assert first != second
    assert "Child" not in first


def test_an_odd_extension_is_dropped():
    upload_to = UploadPath("action-evidence", "review_id")
    assert re.fullmatch(r"action-evidence/42/[0-9a-f]{32}", upload_to(_Owner(), "x.p df"))
    assert re.fullmatch(r"action-evidence/42/[0-9a-f]{32}", upload_to(_Owner(), "no-extension"))


def test_an_upload_path_is_written_into_migrations_by_its_arguments():
    written, imports = MigrationWriter.serialize(UploadPath("digests", "partnership_id"))
    assert written == "safeguarding.core.files.UploadPath('digests', 'partnership_id')"
    assert imports == {"import safeguarding.core.files"}
    assert UploadPath("digests", "partnership_id") == UploadPath("digests", "partnership_id")
