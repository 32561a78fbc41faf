"""Publishing an issue: the PDF and Word files, the public pages, and the emails (once each)."""

import io
from datetime import date

import pytest
from django.core import mail
from django.urls import NoReverseMatch, reverse
from docx import Document
from pypdf import PdfReader

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import MembershipFactory, UserFactory
from safeguarding.audit.models import AuditEvent
from safeguarding.core.tests.document_checks import assert_accessible_pdf, docx_facts
from safeguarding.digests import sending, services
from safeguarding.digests.models import DigestDelivery, DigestIssue
from safeguarding.digests.tasks import send_digest_issue
from safeguarding.notifications.models import Notification

from .support import issue, record, subscriber

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"digests:{name}", args=["testshire", *args])


def public(name, *args):
    return reverse(f"digests_public:{name}", args=["testshire", *args])


@pytest.fixture
def composed(partnership, business_unit_user):
    """A draft with three chosen items in an order of the editor's, one proposal left out."""
    record(
        partnership,
        "Child Aster",
        published_on=date(2026, 1, 10),
        learning="- See the baby\n- Ask who lives there",
    )
    record(partnership, "Child Birch", published_on=date(2026, 2, 10))
    record(partnership, "Child Unchosen", published_on=date(2026, 3, 10))
    draft = issue(partnership, business_unit_user)
    available, _ = services.issue_proposals(issue=draft)
    keys = {p.heading: p.key for p in available}
    services.items_add(
        issue=draft,
        actor=business_unit_user,
        keys=[keys["Child Aster"], keys["Child Birch"], keys["Learning from Child Aster"]],
    )
    services.item_add(
        issue=draft,
        actor=business_unit_user,
        heading="Learning event in June",
        text="Join us on 4 June 2026.",
        link="https://events.example/june",
    )
    birch = draft.items.get(heading="Child Birch")
    services.item_move(item=birch, actor=business_unit_user, direction="up")
    services.issue_update(
        issue=draft,
        actor=business_unit_user,
        title=draft.title,
        period_start=draft.period_start,
        period_end=draft.period_end,
        introduction="Welcome to the first learning digest.",
    )
    return draft


ORDER = ["Child Birch", "Child Aster", "Learning from Child Aster", "Learning event in June"]


def _in_order(text: str, headings: list[str]) -> bool:
    positions = [text.find(h) for h in headings]
    return all(p >= 0 for p in positions) and positions == sorted(positions)


def _publish(bu_client, draft, capture):
    with capture(execute=True):
        response = bu_client.post(url("issue_publish", draft.pk))
    draft.refresh_from_db()
    return response


def test_publishing_stores_a_pdf_and_a_word_file_with_the_chosen_items_in_order(
    bu_client, composed, django_capture_on_commit_callbacks
):
    response = _publish(bu_client, composed, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert composed.status == DigestIssue.Status.PUBLISHED
    assert composed.published_at is not None
    assert AuditEvent.objects.filter(action="digest.published").count() == 1

    with composed.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    pdf_text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "Learning digest 1: Spring learning" in pdf_text
    assert "Welcome to the first learning digest." in pdf_text
    assert _in_order(pdf_text, ORDER)
    assert "Child Unchosen" not in pdf_text
    assert reader.metadata.title == "Learning digest 1: Spring learning"
    with composed.pdf.open("rb") as handle:
        facts = assert_accessible_pdf(handle.read(), title="Learning digest 1: Spring learning")
    assert facts.structure["H2"] == len(ORDER)  # a heading per item, under the title
    assert facts.structure["LI"] == 2  # the bulleted list

    with composed.docx.open("rb") as handle:
        document = Document(io.BytesIO(handle.read()))
    docx_text = "\n".join(p.text for p in document.paragraphs)
    assert _in_order(docx_text, ORDER)
    assert "Child Unchosen" not in docx_text
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ORDER
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["See the baby", "Ask who lives there"]
    with composed.docx.open("rb") as handle:
        word = docx_facts(handle.read(), title="Learning digest 1: Spring learning")
    assert word.headings == [("Title", "Learning digest 1: Spring learning")] + [
        ("Heading 1", heading) for heading in ORDER
    ]


def test_the_public_pages_show_the_published_issue_and_its_files(
    client, bu_client, composed, django_capture_on_commit_callbacks
):
    assert client.get(public("issue", 1)).status_code == 404  # a draft is not public
    _publish(bu_client, composed, django_capture_on_commit_callbacks)
    client.logout()

    listing = client.get(public("list")).content.decode()
    assert "Issue 1: Spring learning" in listing

    page = client.get(public("issue", 1))
    assert page.status_code == 200
    body = page.content.decode()
    assert _in_order(body, ORDER)
    assert "Child Unchosen" not in body
    assert "(PDF, " in body and "(Word document, " in body
    assert 'href="https://events.example/june"' in body
    try:
        record_url = reverse(
            "library_public:record",
            kwargs={"slug": "testshire", "pk": composed.items.get(heading="Child Aster").record_id},
        )
    except NoReverseMatch:
        record_url = None
    if record_url:
        assert f'href="{record_url}"' in body

    pdf = client.get(public("pdf", 1))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    docx = client.get(public("docx", 1))
    assert "wordprocessingml" in docx["Content-Type"]
    assert 'filename="testshire-learning-digest-1.docx"' in docx["Content-Disposition"]

    reviews_page = client.get(reverse("public_site:reviews", args=["testshire"])).content.decode()
    assert "Learning digests" in reviews_page
    assert public("issue", 1) in reviews_page
    assert public("subscribe") in reviews_page


def test_each_confirmed_subscriber_gets_the_issue_exactly_once(
    bu_client, partnership, other_partnership, composed, django_capture_on_commit_callbacks
):
    reader = subscriber(partnership, "reader@example.org")
    subscriber(partnership, "second@example.org")
    subscriber(partnership, "unconfirmed@example.org", confirmed=False)
    subscriber(partnership, "gone@example.org", unsubscribed=True)
    subscriber(other_partnership, "elsewhere@example.org")

    _publish(bu_client, composed, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == ["reader@example.org", "second@example.org"]
    message = next(m for m in mail.outbox if m.to == ["reader@example.org"])
    assert "Learning digest 1: Spring learning" in message.subject
    assert _in_order(message.body, ORDER)
    unsubscribe = public("unsubscribe", reader.token)
    assert unsubscribe in message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<http://testserver{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The task runs again (a retry, a second worker): nobody is sent it twice.
    assert send_digest_issue.enqueue(issue_id=composed.pk).return_value == 0
    assert sending.issue_send(issue=composed) == 0
    assert len(mail.outbox) == 2
    assert DigestDelivery.objects.filter(issue=composed).count() == 2

    # Someone who confirms later gets the issue on the next run, and only they do.
    subscriber(partnership, "late@example.org")
    assert sending.issue_send(issue=composed) == 1
    assert mail.outbox[-1].to == ["late@example.org"]


def test_a_published_issue_is_read_only(
    bu_client, business_unit_user, composed, django_capture_on_commit_callbacks
):
    _publish(bu_client, composed, django_capture_on_commit_callbacks)
    item = composed.items.first()
    for response in (
        bu_client.get(url("issue_edit", composed.pk)),
        bu_client.get(url("issue_choose", composed.pk)),
        bu_client.post(url("item_add", composed.pk), {"heading": "Late", "text": "Too late"}),
        bu_client.post(url("item_edit", composed.pk, item.pk), {"heading": "X", "text": "Y"}),
        bu_client.post(url("item_move", composed.pk, item.pk), {"direction": "down"}),
        bu_client.post(url("item_remove", composed.pk, item.pk)),
        bu_client.post(url("issue_publish", composed.pk)),
    ):
        assert response.status_code == 403
    assert composed.items.count() == 4
    with pytest.raises(services.ServiceError):
        services.item_add(issue=composed, actor=business_unit_user, heading="H", text="T")
    page = bu_client.get(url("issue", composed.pk)).content.decode()
    assert "Move up" not in page
    assert "cannot be changed" in page


def test_an_issue_with_no_items_or_no_introduction_is_not_published(
    bu_client, partnership, business_unit_user
):
    empty = issue(partnership, business_unit_user, number=5)
    response = bu_client.post(url("issue_publish", empty.pk))
    assert response.status_code == 200
    assert "Add at least one item before publishing" in response.content.decode()
    services.item_add(issue=empty, actor=business_unit_user, heading="H", text="T")
    response = bu_client.post(url("issue_publish", empty.pk))
    assert "Write the introduction before publishing" in response.content.decode()
    empty.refresh_from_db()
    assert empty.status == DigestIssue.Status.DRAFT
    assert not empty.pdf


def test_other_roles_cannot_publish(client_for, composed):
    # The partner lead reads the issue (403); a reviewer does not see digests at all (404).
    for role, status in ((Role.PARTNER_LEAD, 403), (Role.REVIEWER, 404)):
        assert client_for(role).post(url("issue_publish", composed.pk)).status_code == status
    composed.refresh_from_db()
    assert composed.status == DigestIssue.Status.DRAFT


@pytest.mark.parametrize("size", [1, 10])
def test_public_list_and_issue_query_counts_do_not_grow(
    client,
    partnership,
    business_unit_user,
    django_assert_max_num_queries,
    django_assert_num_queries,
    size,
):
    for number in range(1, size + 1):
        made = issue(partnership, business_unit_user, number=number)
        for k in range(size):
            services.item_add(issue=made, actor=business_unit_user, heading=f"I{k}", text="T")
        DigestIssue.objects.filter(pk=made.pk).update(status=DigestIssue.Status.PUBLISHED)
    # The content version (ADR 0023), the partnership, the page with its count (issue 16).
    with django_assert_num_queries(3):
        assert client.get(public("list")).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(public("issue", size)).status_code == 200


def test_the_partnerships_members_are_told_once_and_subscribers_are_not_emailed_twice(
    bu_client,
    partnership,
    other_partnership,
    user_for_role,
    composed,
    django_capture_on_commit_callbacks,
):
    lead = user_for_role(Role.PARTNER_LEAD, email="lead@testshire.example")
    officer = user_for_role(Role.AGENCY_CONTRIBUTOR, email="officer@police.example")
    user_for_role(Role.REVIEWER, email="reader@example.org")  # subscribed as well
    subscriber(partnership, "reader@example.org")
    stranger = UserFactory(email="someone@elsewhere.example")
    MembershipFactory(user=stranger, partnership=other_partnership, role=Role.BUSINESS_UNIT)

    _publish(bu_client, composed, django_capture_on_commit_callbacks)
    addresses = sorted(m.to[0] for m in mail.outbox)
    # The subscriber once (the issue itself), the lead and officer once each (the notice);
    # not the publisher, nor anyone of another partnership.
    assert addresses == ["lead@testshire.example", "officer@police.example", "reader@example.org"]
    notice = next(m for m in mail.outbox if m.to == ["lead@testshire.example"])
    assert notice.subject == "Learning digest 1 published: Spring learning"
    assert public("issue", 1) in notice.body
    told = Notification.objects.filter(kind="digest.published")
    assert {n.recipient_id for n in told} == {lead.pk, officer.pk}
    event = AuditEvent.objects.get(action="digest.published")
    assert event.payload["notified"] == 2
