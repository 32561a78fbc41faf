"""Fault drills (issue 12, "Also prove"): the process stopped at the worst point of an upload,
an import, a publication, a digest publication and a digest send leaves no half state.

The stop is an exception raised where it hurts most: after the rows are written and the files
stored, before the transaction commits. It is a ``BaseException`` (like the ``SystemExit`` that
gunicorn raises in a worker it aborts, or ``KeyboardInterrupt`` on Ctrl-C), so it passes through
every ``except Exception`` as a real stop would. A process killed outright (SIGKILL) runs no
Python at all: its transaction is rolled back by the database, exactly as here, but a file
stored before the kill stays on disk with no row naming it (docs/security.md, "Fault drills").

Each drill then checks that every table and every stored file is as before (the same
comparison as the access matrix's refused POSTs), and that doing it again works once.
"""

import datetime
import pkgutil

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from safeguarding.audit.models import AuditEvent
from safeguarding.core.email_transport import DjangoMailTransport
from safeguarding.core.uploads import PDF
from safeguarding.digests import sending
from safeguarding.digests import services as digest_services
from safeguarding.digests.models import DigestDelivery, DigestIssue
from safeguarding.digests.tests.support import issue as make_issue
from safeguarding.digests.tests.support import record as library_record
from safeguarding.digests.tests.support import subscriber
from safeguarding.library.models import LibraryRecord
from safeguarding.publication import publishing
from safeguarding.publication.models import Publication
from safeguarding.reviews.chronology import services as chronology_services
from safeguarding.reviews.chronology.parser import ChronologyRow
from safeguarding.reviews.models import AgencyRequest, ChronologyEntry, DocumentVersion
from safeguarding.reviews.running import services as review_services
from safeguarding.reviews.tests.review_support import make_lcspr
from tests.test_access_matrix import changed_between, data_snapshot

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """The process stopped here (a signal turned into an exception)."""


def _stop_at(monkeypatch, target: str, after_calls: int = 0):
    """Make ``target`` ("package.module:Owner.attribute" or "package.module.attribute") stop
    the process on its call number ``after_calls + 1``."""
    owner_name, _, attribute = target.rpartition(".")
    module = pkgutil.resolve_name(owner_name)
    real = getattr(module, attribute)
    calls = {"n": 0}

    def stopping(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > after_calls:
            raise Killed(target)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, attribute, stopping)
    return real


def _drill(monkeypatch, target: str, action, after_calls: int = 0) -> None:
    """Run ``action`` with the process stopped at ``target``: nothing at all changed."""
    before = data_snapshot()
    _stop_at(monkeypatch, target, after_calls)
    with pytest.raises(Killed):
        action()
    monkeypatch.undo()
    assert changed_between(before, data_snapshot()) == []


# An upload ---------------------------------------------------------------------------------------


def test_an_upload_stopped_before_its_commit_leaves_no_row_and_no_file(
    monkeypatch, partnership, business_unit_user, sample_pdf
):
    review, _ = make_lcspr(partnership, business_unit_user)

    def upload():
        return review_services.document_version_upload(
            review=review,
            actor=business_unit_user,
            uploaded=SimpleUploadedFile("draft.pdf", sample_pdf),
            kind=PDF,
            title="Draft report",
            document_kind="draft_report",
        )

    # After the version row is written and the file stored: the audit event is the last write.
    _drill(monkeypatch, "safeguarding.reviews.running.services.audit_record", upload)
    version = upload()
    assert DocumentVersion.objects.filter(document__review=review).get() == version
    assert version.file.storage.exists(version.file.name)


# An import ---------------------------------------------------------------------------------------


def _rows(count: int) -> list[ChronologyRow]:
    return [
        ChronologyRow(
            occurred_on=datetime.date(2025, 3, 1) + datetime.timedelta(days=day),
            occurred_at=None,
            date_is_approximate=False,
            pseudonyms=(),
            event=f"A fictional home visit, day {day}.",
        )
        for day in range(count)
    ]


def test_an_import_stopped_before_its_commit_adds_no_row_and_leaves_the_request_open(
    monkeypatch, partnership, business_unit_user, agency
):
    review, _ = make_lcspr(partnership, business_unit_user)
    review.agencies.add(agency)
    request = AgencyRequest.objects.create(
        review=review,
        agency=agency,
        kind="chronology",
        due_on=timezone.localdate(),
        requested_by=business_unit_user,
    )

    def import_rows():
        return chronology_services.chronology_import(
            review=review,
            agency=agency,
            rows=_rows(1500),
            actor=business_unit_user,
            file=SimpleUploadedFile("chronology.csv", b"date,event\n" * 10),
            file_name="chronology.csv",
        )

    # After the file is stored, 1,500 rows written (two batches) and the request returned.
    _drill(monkeypatch, "safeguarding.reviews.chronology.services.audit_record", import_rows)
    request.refresh_from_db()
    assert request.returned_at is None
    upload = import_rows()
    assert ChronologyEntry.objects.filter(review=review).count() == 1500
    assert upload.file.storage.exists(upload.file.name)
    request.refresh_from_db()
    assert request.returned_at is not None


# A publication (the daily task, with the clock moved to the publication date) ---------------


def test_a_scheduled_publication_stopped_mid_way_stays_scheduled_with_no_revision_or_record(
    monkeypatch, partnership, business_unit_user
):
    from safeguarding.publication.tests.test_publishing import _ready, _signed_off
    from safeguarding.workspace.documents import docx_bytes

    review = _signed_off(partnership, business_unit_user)
    publication = publishing.publication_start(review=review, actor=business_unit_user)
    _ready(publication, business_unit_user, docx_bytes("Child B", ["Child B was seen."]))
    day = timezone.localdate() + datetime.timedelta(days=10)
    publishing.publication_publish(
        publication=publication, publish_on=day, actor=business_unit_user
    )

    # On the day (the clock moved, not waited for), stopped in the library's receiver: after
    # the publication is marked published, its revision frozen and its audit event written.
    _drill(
        monkeypatch,
        "safeguarding.library.services.record_sync_from_publication",
        lambda: publishing.scheduled_publications_publish(day),
    )
    publication.refresh_from_db()
    assert publication.status == Publication.Status.SCHEDULED
    assert not publication.revisions.exists()
    assert not LibraryRecord.objects.filter(publication=publication).exists()

    assert publishing.scheduled_publications_publish(day) == 1
    publication.refresh_from_db()
    assert publication.status == Publication.Status.PUBLISHED
    assert publication.revisions.count() == 1
    assert LibraryRecord.objects.filter(publication=publication).count() == 1
    assert AuditEvent.objects.filter(action="publication.published").count() == 1
    assert publishing.scheduled_publications_publish(day) == 0


def test_a_publication_file_upload_stopped_before_its_commit_leaves_no_file(
    monkeypatch, partnership, business_unit_user
):
    from safeguarding.publication.tests.test_publishing import _signed_off
    from safeguarding.workspace.documents import docx_bytes

    publication = publishing.publication_start(
        review=_signed_off(partnership, business_unit_user), actor=business_unit_user
    )
    data = docx_bytes("Child B", ["Child B was seen."])

    def upload():
        return publishing.publication_file_upload(
            publication=publication,
            actor=business_unit_user,
            uploaded=SimpleUploadedFile("report.docx", data),
            title="Report",
        )

    _drill(monkeypatch, "safeguarding.publication.publishing.audit_record", upload)
    saved = upload()
    assert saved.file.storage.exists(saved.file.name)


# A digest: publication and sending ---------------------------------------------------------


@pytest.fixture
def digest(partnership, business_unit_user):
    library_record(partnership, "Child Aster", published_on=datetime.date(2026, 1, 10))
    draft = make_issue(partnership, business_unit_user)
    available, _ = digest_services.issue_proposals(issue=draft)
    digest_services.items_add(
        issue=draft, actor=business_unit_user, keys=[p.key for p in available][:1]
    )
    digest_services.issue_update(
        issue=draft,
        actor=business_unit_user,
        title=draft.title,
        period_start=draft.period_start,
        period_end=draft.period_end,
        introduction="Welcome to the learning digest.",
    )
    return draft


def test_a_digest_publication_stopped_before_its_commit_leaves_a_draft_and_no_files(
    monkeypatch, digest, business_unit_user
):
    def publish():
        return digest_services.issue_publish(issue=digest, actor=business_unit_user)

    # After the PDF and Word files are stored and the issue saved as published.
    _drill(monkeypatch, "safeguarding.digests.services.audit_record", publish)
    digest.refresh_from_db()
    assert digest.status == DigestIssue.Status.DRAFT
    assert not digest.pdf and not digest.docx
    published = publish()
    assert published.pdf.storage.exists(published.pdf.name)


def test_a_digest_send_stopped_mid_way_sends_nobody_twice_and_a_second_run_finishes_it(
    monkeypatch, partnership, digest, business_unit_user, django_capture_on_commit_callbacks
):
    readers = [subscriber(partnership, f"reader{n}@example.org") for n in range(5)]
    digest_services.issue_publish(issue=digest, actor=business_unit_user)  # not sent yet
    digest.refresh_from_db()

    # Stopped while the third email goes: two sent; the third's delivery row was committed
    # before it went (so that no retry can send it twice): it counts as sent (at most once).
    _stop_at(monkeypatch, "safeguarding.core.email_transport:DjangoMailTransport.send", 2)
    with pytest.raises(Killed):
        sending.issue_send(issue=digest)
    monkeypatch.undo()
    assert [m.to[0] for m in mail.outbox] == [r.email for r in readers[:2]]
    assert DigestDelivery.objects.filter(issue=digest).count() == 3

    # The next run (the task retried, or `manage.py send_digest`) sends the other two only.
    assert sending.issue_send(issue=digest) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        r.email for r in [*readers[:2], *readers[3:]]
    )
    assert sending.issue_send(issue=digest) == 0
    assert DigestDelivery.objects.filter(issue=digest).count() == 5
    assert DjangoMailTransport.send.__name__ == "send"  # the real method is back


def test_the_drill_would_see_a_half_state(partnership, business_unit_user, sample_pdf):
    """The comparison itself: a stored file alone (what a kill before the commit leaves)
    and one row alone are each seen as a change."""
    from django.core.files.storage import default_storage

    before = data_snapshot()
    name = default_storage.save("drill/left-behind.pdf", SimpleUploadedFile("x.pdf", sample_pdf))
    assert changed_between(before, data_snapshot()) == ["<stored files>"]
    default_storage.delete(name)
    make_issue(partnership, business_unit_user)
    assert "digests_digestissue" in changed_between(before, data_snapshot())
