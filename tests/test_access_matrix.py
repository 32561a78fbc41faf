"""Every URL pattern against anonymous users and every role.

A new page must be added to ACCESS below, or test_every_url_pattern_is_in_the_matrix fails: no
page can be left open by accident. Expected outcomes:

  allow  the page answers (200, or a redirect somewhere other than sign-in)
  login  anonymous: redirected to sign-in
  deny   refused: 403, or 404 where the partnership's staff area must not reveal itself
  post   the URL only accepts POST (405 on GET)
"""

import datetime
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from safeguarding.accounts.models import Partnership, Role
from safeguarding.accounts.tests.factories import (
    AgencyFactory,
    MembershipFactory,
    PartnershipFactory,
    UserFactory,
)
from safeguarding.actions.models import Action, ActionEvidence, Recommendation
from safeguarding.clock.models import MilestoneRule
from safeguarding.clock.selectors import milestone_list_for_subject
from safeguarding.core.uploads import PDF
from safeguarding.digests import services as digest_services
from safeguarding.digests.models import Subscriber
from safeguarding.library import services as library_services
from safeguarding.notifications.models import Notification, NotificationAttachment
from safeguarding.public_site import services as public_services
from safeguarding.publication.models import (
    CheckFinding,
    NationalReview,
    Publication,
    PublicationFile,
    Revision,
)
from safeguarding.referrals import services as referral_services
from safeguarding.referrals.models import DecisionMaker
from safeguarding.referrals.tests.staff_support import ANSWERS, IDENTITY, make_case
from safeguarding.reviews.models import (
    AgencyRequest,
    AgencyReturn,
    DocumentVersion,
    Finding,
    Person,
    PersonIdentity,
    ReviewDocument,
)
from safeguarding.reviews.rapid_review import services as rapid_review_services
from safeguarding.reviews.tests.review_support import decided_case, make_lcspr

# One xdist group: the module runs on one worker, which builds the world (below) once.
pytestmark = pytest.mark.xdist_group("access_matrix")

ROLES = ["anonymous", *[r.value for r in Role], "outsider"]
MEMBERS = [r.value for r in Role]
PUBLIC = dict.fromkeys(ROLES, "allow")
SIGNED_IN = {"anonymous": "login", **dict.fromkeys([*MEMBERS, "outsider"], "allow")}
PARTNERSHIP_MEMBERS = {"anonymous": "login", **dict.fromkeys(MEMBERS, "allow"), "outsider": "deny"}
BUSINESS_UNIT_ONLY = {
    "anonymous": "login",
    **dict.fromkeys(MEMBERS, "deny"),
    "business_unit": "allow",
    "outsider": "deny",
}

READERS = {**BUSINESS_UNIT_ONLY, "partner_lead": "allow"}  # business unit and partner leads
SIGNATORY_ONLY = {**BUSINESS_UNIT_ONLY, "business_unit": "deny", "partner_lead": "allow"}

POST_ONLY = {"anonymous": "login", **dict.fromkeys([*MEMBERS, "outsider"], "post")}
AGENCY_ONLY = {**BUSINESS_UNIT_ONLY, "business_unit": "deny", "agency_contributor": "allow"}
READERS_AND_AGENCY = {**READERS, "agency_contributor": "allow"}  # the agency sees only its own
BUSINESS_UNIT_AND_AGENCY = {**BUSINESS_UNIT_ONLY, "agency_contributor": "allow"}
# Reviewers and panel members see only the reviews they are appointed to: the matrix's are not.
REVIEW_LIST = {**READERS, "panel_member": "allow", "reviewer": "allow"}
# A notification is seen by the person it was for only: the matrix's is the business unit's.
OWN_NOTIFICATION = {"anonymous": "login", **dict.fromkeys([*MEMBERS, "outsider"], "deny")}
OWN_NOTIFICATION["business_unit"] = "allow"

ACCESS = {
    "healthz": PUBLIC,
    "admin_sign_in": dict.fromkeys(ROLES, "login"),  # a redirect to our sign-in page
    "public_site:home": PUBLIC,
    "public_site:accessibility": PUBLIC,
    "public_site:privacy": PUBLIC,
    "public_site:reviews": PUBLIC,
    "public_site:document_download": PUBLIC,
    "accounts:sign_in": PUBLIC,
    "accounts:signed_out": PUBLIC,
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_sent": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,
    "accounts:password_reset_complete": PUBLIC,
    "accounts:sign_out": {"anonymous": "login", **dict.fromkeys([*MEMBERS, "outsider"], "post")},
    "accounts:two_factor_verify": SIGNED_IN,
    "accounts:two_factor_setup": SIGNED_IN,
    "accounts:account": SIGNED_IN,
    "accounts:password_change": SIGNED_IN,
    "workspace:staff_home": SIGNED_IN,
    "notifications:list": SIGNED_IN,  # everyone's own notifications
    "notifications:mark_all_read": POST_ONLY,
    "notifications:detail": OWN_NOTIFICATION,
    "notifications:attachment": OWN_NOTIFICATION,
    "workspace:partnership_home": PARTNERSHIP_MEMBERS,
    "public_page:manage": BUSINESS_UNIT_ONLY,
    "public_page:block_add": BUSINESS_UNIT_ONLY,
    "public_page:block_edit": BUSINESS_UNIT_ONLY,
    "public_page:document_upload": BUSINESS_UNIT_ONLY,
    "public_page:document_archive": BUSINESS_UNIT_ONLY,
    "audit:trail": BUSINESS_UNIT_ONLY,
    # Referrers: public forms, and a status page for the holder of the private link only.
    "refer:start": PUBLIC,
    "refer:type_start": PUBLIC,
    "refer:page": PUBLIC,
    "refer:check": PUBLIC,
    "refer:sent": PUBLIC,
    "refer:word_form": PUBLIC,
    "refer:status": PUBLIC,
    # Staff: agency contributors, panel members, reviewers and administrators see no referrals.
    "referrals:triage": READERS,
    "referrals:upload": BUSINESS_UNIT_ONLY,
    "referrals:detail": READERS,
    "referrals:identity": READERS,
    "referrals:open_case": BUSINESS_UNIT_ONLY,
    "referrals:link_case": BUSINESS_UNIT_ONLY,
    "referrals:case": READERS,
    "referrals:screening": BUSINESS_UNIT_ONLY,
    "referrals:became_aware": BUSINESS_UNIT_ONLY,
    "referrals:send_for_decision": BUSINESS_UNIT_ONLY,
    "referrals:decision": BUSINESS_UNIT_ONLY,
    "referrals:notification_add": BUSINESS_UNIT_ONLY,
    "referrals:notification_summary": READERS,
    "referrals:sign": SIGNATORY_ONLY,  # the partner lead is the named decision maker here
    # Reviews
    "reviews:list": REVIEW_LIST,
    "reviews:commission": BUSINESS_UNIT_ONLY,
    "reviews:start_rapid_review": BUSINESS_UNIT_ONLY,
    "reviews:detail": READERS,
    "reviews:move": POST_ONLY,  # permission is checked on the POST
    "reviews:terms": READERS,
    "reviews:terms_document": READERS,
    "reviews:appointments": READERS,
    "reviews:meetings": READERS,
    "reviews:people": READERS,
    "reviews:person_identity": READERS,
    "reviews:family": READERS,
    "reviews:documents": READERS,
    "reviews:document_upload": BUSINESS_UNIT_ONLY,
    "reviews:document_download": READERS,
    "reviews:quality": READERS,
    "reviews:findings": READERS,
    "reviews:finding_edit": BUSINESS_UNIT_ONLY,
    "reviews:sign_off": READERS,
    "reviews:reopen": BUSINESS_UNIT_ONLY,
    "reviews:progress_check": BUSINESS_UNIT_ONLY,
    "reviews:requests": BUSINESS_UNIT_ONLY,
    "reviews:request_chase": POST_ONLY,  # permission is checked on the POST
    "reviews:my_requests": AGENCY_ONLY,
    "reviews:request_detail": READERS_AND_AGENCY,
    "reviews:return_attachment": READERS_AND_AGENCY,
    "reviews:immediate_actions": BUSINESS_UNIT_ONLY,
    "reviews:rapid_review_outcome": BUSINESS_UNIT_ONLY,
    "reviews:panel": BUSINESS_UNIT_ONLY,
    "reviews:rapid_review_report": READERS,
    "reviews:chronology": READERS_AND_AGENCY,
    "reviews:chronology_export": READERS_AND_AGENCY,
    "reviews:chronology_template": READERS_AND_AGENCY,
    "reviews:chronology_upload": BUSINESS_UNIT_AND_AGENCY,
    "reviews:chronology_add": BUSINESS_UNIT_AND_AGENCY,
    # Recommendations and actions (issue 6): agencies see only their own agency's actions.
    "actions:tracker": READERS_AND_AGENCY,
    "actions:tracker_xlsx": READERS_AND_AGENCY,
    "actions:agency": READERS_AND_AGENCY,
    "actions:plan_docx": READERS,
    "actions:plan_xlsx": READERS,
    "actions:themes": READERS,
    "actions:plan": READERS,
    "actions:learning_add": BUSINESS_UNIT_ONLY,
    "actions:finding_themes": BUSINESS_UNIT_ONLY,
    "actions:recommendation_add": BUSINESS_UNIT_ONLY,
    "actions:recommendation_edit": BUSINESS_UNIT_ONLY,
    "actions:impact": BUSINESS_UNIT_ONLY,
    "actions:action_add": BUSINESS_UNIT_ONLY,
    "actions:action": READERS_AND_AGENCY,
    "actions:action_edit": BUSINESS_UNIT_ONLY,
    "actions:progress": BUSINESS_UNIT_AND_AGENCY,
    "actions:completion_request": BUSINESS_UNIT_AND_AGENCY,
    "actions:completion_decide": BUSINESS_UNIT_ONLY,
    "actions:not_implemented": BUSINESS_UNIT_ONLY,
    "actions:evidence": READERS_AND_AGENCY,
    "reports:annual": READERS,
    "reports:annual_xlsx": READERS,
    # Learning digests (issue 7)
    "digests:list": READERS,
    "digests:issue_start": BUSINESS_UNIT_ONLY,
    "digests:issue": READERS,
    "digests:issue_preview": READERS,
    "digests:issue_edit": BUSINESS_UNIT_ONLY,
    "digests:issue_choose": BUSINESS_UNIT_ONLY,
    "digests:item_add": BUSINESS_UNIT_ONLY,
    "digests:issue_publish": BUSINESS_UNIT_ONLY,
    "digests:item_edit": BUSINESS_UNIT_ONLY,
    "digests:item_move": POST_ONLY,
    "digests:item_remove": POST_ONLY,
    "digests_public:list": PUBLIC,
    "digests_public:subscribe": PUBLIC,
    "digests_public:subscribe_sent": PUBLIC,
    "digests_public:issue": PUBLIC,
    "digests_public:pdf": PUBLIC,
    "digests_public:docx": PUBLIC,
    "digests_public:confirm": PUBLIC,
    "digests_public:unsubscribe": PUBLIC,
    "publication:list": READERS,
    "publication:start": POST_ONLY,  # permission is checked on the POST
    "publication:detail": READERS,
    "publication:decision": BUSINESS_UNIT_ONLY,
    "publication:file_upload": BUSINESS_UNIT_ONLY,
    "publication:file_replace": BUSINESS_UNIT_ONLY,
    "publication:finding_resolve": BUSINESS_UNIT_ONLY,
    "publication:step_add": BUSINESS_UNIT_ONLY,
    "publication:publish": BUSINESS_UNIT_ONLY,
    "publication:correct": BUSINESS_UNIT_ONLY,
    "publication:withdraw": READERS,  # partner leads may withdraw before 12 months (R16)
    "published:archive": PUBLIC,
    "published:feed": PUBLIC,
    "published:detail": PUBLIC,
    "published:file": PUBLIC,
    # The learning library: every member reads it; only the business unit changes it.
    "library:search": PARTNERSHIP_MEMBERS,
    "library:record": PARTNERSHIP_MEMBERS,
    "library:national_reviews": PARTNERSHIP_MEMBERS,
    "library:themes": PARTNERSHIP_MEMBERS,
    "library:record_add": BUSINESS_UNIT_ONLY,
    "library:record_edit": BUSINESS_UNIT_ONLY,
    "library:record_archive": BUSINESS_UNIT_ONLY,
    "library:import": BUSINESS_UNIT_ONLY,
    "library:national_review_add": BUSINESS_UNIT_ONLY,
    "library:national_review_remove": BUSINESS_UNIT_ONLY,
    "library:search_terms": BUSINESS_UNIT_ONLY,
    "library:search_term_remove": BUSINESS_UNIT_ONLY,
    "library:submission": BUSINESS_UNIT_ONLY,
    "library:submission_download": BUSINESS_UNIT_ONLY,
    "library:submission_sent": BUSINESS_UNIT_ONLY,
    "library_public:search": PUBLIC,
    "library_public:record": PUBLIC,
    "library_public:json": PUBLIC,
    "clock:settings": BUSINESS_UNIT_ONLY,
    "clock:setting_edit": BUSINESS_UNIT_ONLY,
    "clock:pause": BUSINESS_UNIT_ONLY,
    "clock:resume": BUSINESS_UNIT_ONLY,
    "clock:extend": BUSINESS_UNIT_ONLY,
}


def _walk(resolver: URLResolver, namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else f"{namespace}<unnamed {entry}>"


ALL_NAMES = sorted(set(_walk(get_resolver())))
APP_NAMES = [name for name in ALL_NAMES if not name.startswith("admin:")]


def test_every_url_pattern_is_in_the_matrix():
    missing = [name for name in APP_NAMES if name not in ACCESS]
    assert not missing, f"Add these pages to ACCESS in tests/test_access_matrix.py: {missing}"
    stale = [name for name in ACCESS if name not in APP_NAMES]
    assert not stale, f"These names are no longer URL patterns: {stale}"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, sample_pdf):
    """Every role and one of each record, built once for the module (about 0.4 s a time).

    It is made inside a transaction that stays open for the module and is rolled back at its
    end; each test runs in pytest-django's own transaction, a savepoint inside that one, so what
    a test changes is undone after it and nothing of the world reaches another module (which may
    count rows). Under pytest-xdist the module's tests are one group (``--dist loadgroup``), so
    they run together on one worker and the world is built once there.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = _build_world(sample_pdf)
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            # The rollback is the whole point: prove it on every run.
            assert not Partnership.objects.filter(pk=built[2].pk).exists()


def _build_world(sample_pdf):
    partnership = PartnershipFactory(name="Testshire Safeguarding Partnership", slug="testshire")
    other_partnership = PartnershipFactory(
        name="Elsewhere Safeguarding Partnership", slug="elsewhere"
    )
    agency = AgencyFactory(name="Testshire Police", slug="testshire-police")
    business_unit_user = UserFactory(email="bu@testshire.example")
    MembershipFactory(user=business_unit_user, partnership=partnership, role=Role.BUSINESS_UNIT)
    block = public_services.content_block_create(
        partnership=partnership,
        actor=business_unit_user,
        heading="Safeguarding Adults Reviews",
        body="First paragraph.\n\n- one point\n- another point",
        review_type="sar",
        position=10,
    )
    document = public_services.public_document_upload(
        partnership=partnership,
        actor=business_unit_user,
        title="SAR procedure",
        category="procedure",
        review_type="sar",
        uploaded=SimpleUploadedFile("sar-procedure.pdf", sample_pdf),
        kind=PDF,
    )
    users = {"anonymous": None, "business_unit": business_unit_user}
    for role in MEMBERS:
        if role == "business_unit":
            continue
        user = UserFactory()
        MembershipFactory(
            user=user,
            partnership=partnership,
            role=role,
            agency=agency if role == Role.AGENCY_CONTRIBUTOR else None,
        )
        users[role] = user
    outsider = UserFactory()
    MembershipFactory(user=outsider, partnership=other_partnership, role=Role.BUSINESS_UNIT)
    users["outsider"] = outsider

    # A referral, a case with a track and a decision the partner lead must sign, a milestone.
    new_referral, token = referral_services.referral_submit(
        partnership=partnership, review_type="cspr", answers=ANSWERS, identity=IDENTITY
    )
    case = make_case(partnership, business_unit_user)
    (track,) = referral_services.case_send_for_decision(
        case=case, review_types=["cspr"], actor=business_unit_user
    )
    DecisionMaker.objects.create(
        partnership=partnership,
        review_type="cspr",
        capacity="Local authority",
        user=users["partner_lead"],
    )
    decision = referral_services.decision_record(
        track=track,
        outcome="no_further_review",
        rationale="Fictional reasons.",
        decided_on=timezone.localdate(),
        actor=business_unit_user,
    )
    milestone = milestone_list_for_subject(subject=case).first()

    # Reviews: a rapid review with requests to the contributor's agency, a commissioned local
    # review with a person, a document, a finding and a chronology request, and a decided case
    # that is ready for a review to be commissioned.
    rapid = rapid_review_services.rapid_review_start(case=case, actor=business_unit_user)
    summary_request = AgencyRequest.objects.create(
        review=rapid,
        agency=agency,
        kind="agency_summary",
        due_on=timezone.localdate(),
        requested_by=business_unit_user,
    )
    agency_return = AgencyReturn.objects.create(
        request=summary_request,
        version=1,
        submitted_by=users["agency_contributor"],
        involvement="Fictional involvement.",
        attachment=SimpleUploadedFile("summary.pdf", sample_pdf),
        attachment_name="summary.pdf",
        attachment_kind="pdf",
        attachment_size=len(sample_pdf),
    )
    lcspr, _ = make_lcspr(partnership, business_unit_user)
    AgencyRequest.objects.create(
        review=lcspr,
        agency=agency,
        kind="chronology",
        due_on=timezone.localdate(),
        requested_by=business_unit_user,
    )
    person = Person.objects.create(case=lcspr.case, pseudonym="Mother", role_in_case="parent")
    PersonIdentity.objects.create(person=person, full_name="Fictional Realname")
    review_document = ReviewDocument.objects.create(
        review=lcspr, title="Draft", kind="draft_report"
    )
    version = DocumentVersion.objects.create(
        document=review_document,
        version=1,
        file=SimpleUploadedFile("draft.pdf", sample_pdf),
        original_name="draft.pdf",
        file_kind="pdf",
        size_bytes=len(sample_pdf),
        uploaded_by=business_unit_user,
    )
    finding = Finding.objects.create(review=lcspr, number=1, title="Sharing", text="Text.")
    ready_case, _ = decided_case(partnership, business_unit_user, pseudonym="Child R")
    signed, _ = make_lcspr(partnership, business_unit_user)
    signed.stage = "signed_off"
    signed.save(update_fields=["stage"])
    publish_on = timezone.localdate() - datetime.timedelta(days=10)
    publication = Publication.objects.create(
        partnership=partnership,
        review=signed,
        review_type="cspr",
        title="Child S",
        reviewer_names="A Fictional Reviewer",
        status="published",
        publish_on=publish_on,
        published_at=timezone.now(),
        earliest_removal_on=publish_on + datetime.timedelta(days=366),
    )
    published_file = PublicationFile.objects.create(
        publication=publication,
        title="Report",
        file=SimpleUploadedFile("r.pdf", sample_pdf),
        original_name="r.pdf",
        file_kind="pdf",
        size_bytes=len(sample_pdf),
        uploaded_by=business_unit_user,
        checked_at=timezone.now(),
    )
    check_finding = CheckFinding.objects.create(
        file=published_file,
        kind="name",
        text="Fictional",
        page=1,
        context="A Fictional name",
        resolution="false_match",
        resolution_reason="A common word.",
    )
    revision = Revision.objects.create(
        publication=publication,
        number=1,
        published_at=timezone.now(),
        title="Child S",
        form="full_report",
        reviewer_names="A Fictional Reviewer",
    )
    revision.files.add(published_file)
    # The library: the published review's record, its prepared submission, a search term.
    library_record = library_services.record_sync_from_publication(
        publication=publication, actor=business_unit_user
    )
    library_services.submission_prepare(
        record=library_record, actor=business_unit_user, page_url=""
    )
    search_term = library_services.search_term_add(
        partnership=partnership,
        actor=business_unit_user,
        term="lado",
        expansion="local authority designated officer",
    )
    national = NationalReview.objects.create(
        partnership=partnership,
        title="A fictional national review",
        published_on=timezone.localdate(),
        url="https://panel.example/review",
    )
    # An action plan on the signed-off review: a finding, a recommendation, an action owned by
    # the contributor's agency, with evidence.
    plan_finding = Finding.objects.create(review=signed, number=1, title="Learning", text="Text.")
    recommendation = Recommendation.objects.create(
        review=signed,
        number=1,
        text="Fictional recommendation.",
        scope="multi_agency",
        expected_change="Fictional change.",
        to_partnership=True,
    )
    recommendation.findings.add(plan_finding)
    action = Action.objects.create(
        partnership=partnership,
        recommendation=recommendation,
        number=1,
        text="Fictional action.",
        agency=agency,
        lead_name="A Fictional Lead",
        target_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    evidence = ActionEvidence.objects.create(
        action=action,
        file=SimpleUploadedFile("evidence.pdf", sample_pdf),
        original_name="evidence.pdf",
        file_kind="pdf",
        size_bytes=len(sample_pdf),
        uploaded_by=users["agency_contributor"],
    )
    # Learning digests: a draft issue with an item, a published issue and a subscriber.
    today = timezone.localdate()
    draft_issue = digest_services.issue_start(
        partnership=partnership,
        actor=business_unit_user,
        number=1,
        title="Draft digest",
        period_start=today - datetime.timedelta(days=90),
        period_end=today,
    )
    digest_item = digest_services.item_add(
        issue=draft_issue, actor=business_unit_user, heading="An item", text="Fictional text."
    )
    published_issue = digest_services.issue_start(
        partnership=partnership,
        actor=business_unit_user,
        number=2,
        title="Published digest",
        period_start=today - datetime.timedelta(days=90),
        period_end=today,
    )
    digest_services.item_add(
        issue=published_issue, actor=business_unit_user, heading="Item", text="Fictional."
    )
    digest_services.issue_update(
        issue=published_issue,
        actor=business_unit_user,
        title="Published digest",
        period_start=published_issue.period_start,
        period_end=published_issue.period_end,
        introduction="A fictional introduction.",
    )
    digest_services.issue_publish(issue=published_issue, actor=business_unit_user)
    subscriber = Subscriber.objects.create(partnership=partnership, email="reader@example.org")
    # A notification for the business unit user, with a calendar invitation to download.
    notification = Notification.objects.create(
        recipient=business_unit_user,
        email=business_unit_user.email,
        partnership=partnership,
        kind="meeting.invited",
        subject="Invitation: Panel meeting 1",
        body="You are invited.",
    )
    invitation = NotificationAttachment.objects.create(
        notification=notification,
        filename="invitation.ics",
        content_type="text/calendar; method=REQUEST; charset=utf-8",
        content=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
    )
    slug = partnership.slug
    review_kwargs = {"slug": slug, "pk": lcspr.pk}
    kwargs = {
        **{
            f"reviews:{name}": review_kwargs
            for name in (
                "detail",
                "move",
                "terms",
                "terms_document",
                "appointments",
                "meetings",
                "people",
                "family",
                "documents",
                "document_upload",
                "quality",
                "findings",
                "sign_off",
                "reopen",
                "progress_check",
                "chronology",
                "chronology_export",
                "chronology_template",
                "chronology_upload",
                "chronology_add",
            )
        },
        **{
            f"reviews:{name}": {"slug": slug, "pk": rapid.pk}
            for name in (
                "requests",
                "immediate_actions",
                "rapid_review_outcome",
                "panel",
                "rapid_review_report",
            )
        },
        "reviews:commission": {"slug": slug, "case_pk": ready_case.pk},
        "library:national_review_remove": {"slug": slug, "pk": national.pk},
        **{
            f"actions:{name}": {"slug": slug, "review_pk": signed.pk}
            for name in ("plan", "plan_docx", "plan_xlsx", "learning_add", "recommendation_add")
        },
        "actions:finding_themes": {
            "slug": slug,
            "review_pk": signed.pk,
            "finding_pk": plan_finding.pk,
        },
        **{
            f"actions:{name}": {"slug": slug, "pk": recommendation.pk}
            for name in ("recommendation_edit", "impact", "action_add")
        },
        **{
            f"actions:{name}": {"slug": slug, "pk": action.pk}
            for name in (
                "action",
                "action_edit",
                "progress",
                "completion_request",
                "completion_decide",
                "not_implemented",
            )
        },
        "actions:evidence": {"slug": slug, "pk": action.pk, "evidence_pk": evidence.pk},
        **{
            f"digests:{name}": {"slug": slug, "pk": draft_issue.pk}
            for name in (
                "issue",
                "issue_preview",
                "issue_edit",
                "issue_choose",
                "item_add",
                "issue_publish",
            )
        },
        **{
            f"digests:{name}": {"slug": slug, "pk": draft_issue.pk, "item_pk": digest_item.pk}
            for name in ("item_edit", "item_move", "item_remove")
        },
        **{
            f"digests_public:{name}": {"slug": slug, "number": published_issue.number}
            for name in ("issue", "pdf", "docx")
        },
        **{
            f"digests_public:{name}": {"slug": slug, "token": subscriber.token}
            for name in ("confirm", "unsubscribe")
        },
        "actions:agency": {"slug": slug, "agency_slug": agency.slug},
        **{
            f"publication:{name}": {"slug": slug, "pk": publication.pk}
            for name in (
                "detail",
                "decision",
                "file_upload",
                "step_add",
                "publish",
                "correct",
                "withdraw",
            )
        },
        "publication:start": {"slug": slug, "review_pk": signed.pk},
        "publication:file_replace": {
            "slug": slug,
            "pk": publication.pk,
            "file_pk": published_file.pk,
        },
        "publication:finding_resolve": {
            "slug": slug,
            "pk": publication.pk,
            "finding_pk": check_finding.pk,
        },
        **{
            f"library:{name}": {"slug": slug, "pk": library_record.pk}
            for name in (
                "record",
                "record_edit",
                "record_archive",
                "submission",
                "submission_download",
                "submission_sent",
            )
        },
        "library:search_term_remove": {"slug": slug, "pk": search_term.pk},
        "library_public:record": {"slug": slug, "pk": library_record.pk},
        "published:detail": {"slug": slug, "pk": publication.pk},
        "published:file": {"slug": slug, "pk": publication.pk, "file_pk": published_file.pk},
        "reviews:start_rapid_review": {"slug": slug, "case_pk": ready_case.pk},
        "reviews:person_identity": {**review_kwargs, "person_pk": person.pk},
        "reviews:document_download": {**review_kwargs, "version_pk": version.pk},
        "reviews:finding_edit": {**review_kwargs, "finding_pk": finding.pk},
        "reviews:request_chase": {"slug": slug, "request_pk": summary_request.pk},
        "reviews:request_detail": {"slug": slug, "request_pk": summary_request.pk},
        "reviews:return_attachment": {
            "slug": slug,
            "request_pk": summary_request.pk,
            "return_pk": agency_return.pk,
        },
        "refer:type_start": {"slug": partnership.slug, "review_type": "cspr"},
        "refer:page": {"slug": partnership.slug, "review_type": "cspr", "page": "about-you"},
        "refer:check": {"slug": partnership.slug, "review_type": "cspr"},
        "refer:word_form": {"slug": partnership.slug, "review_type": "cspr"},
        "refer:status": {"slug": partnership.slug, "token": token},
        "referrals:detail": {"slug": partnership.slug, "pk": new_referral.pk},
        "referrals:identity": {"slug": partnership.slug, "pk": new_referral.pk},
        "referrals:open_case": {"slug": partnership.slug, "pk": new_referral.pk},
        "referrals:link_case": {"slug": partnership.slug, "pk": new_referral.pk},
        "referrals:case": {"slug": partnership.slug, "pk": case.pk},
        "referrals:screening": {"slug": partnership.slug, "pk": case.pk},
        "referrals:became_aware": {"slug": partnership.slug, "pk": case.pk},
        "referrals:send_for_decision": {"slug": partnership.slug, "pk": case.pk},
        "referrals:decision": {"slug": partnership.slug, "pk": case.pk, "track_pk": track.pk},
        "referrals:notification_add": {"slug": partnership.slug, "pk": case.pk},
        "referrals:notification_summary": {"slug": partnership.slug, "pk": case.pk},
        "referrals:sign": {"slug": partnership.slug, "pk": decision.pk},
        "clock:setting_edit": {
            "slug": partnership.slug,
            "pk": MilestoneRule.objects.get(code="lcspr-final-report").pk,
        },
        "clock:pause": {"slug": partnership.slug, "pk": milestone.pk},
        "clock:resume": {"slug": partnership.slug, "pk": milestone.pk},
        "clock:extend": {"slug": partnership.slug, "pk": milestone.pk},
        "public_site:reviews": {"slug": partnership.slug},
        "public_site:document_download": {"slug": partnership.slug, "pk": document.pk},
        "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "workspace:partnership_home": {"slug": partnership.slug},
        "notifications:detail": {"pk": notification.pk},
        "notifications:attachment": {"pk": notification.pk, "attachment_pk": invitation.pk},
        "public_page:block_edit": {"slug": partnership.slug, "pk": block.pk},
        "public_page:document_archive": {"slug": partnership.slug, "pk": document.pk},
    }
    return users, kwargs, partnership


def _outcome(response) -> str:
    if response.status_code == 405:
        return "post"
    if response.status_code in (403, 404):
        return "deny"
    if response.status_code in (301, 302):
        return "login" if response.url.startswith(reverse("accounts:sign_in")) else "allow"
    if response.status_code == 200:
        return "allow"
    return f"HTTP {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", APP_NAMES)
def test_who_may_open_each_page(name, world):
    users, kwargs, partnership = world
    if name in kwargs:
        url = reverse(name, kwargs=kwargs[name])
    else:
        try:
            url = reverse(name)
        except Exception:
            url = reverse(name, kwargs={"slug": partnership.slug})
    seen = {}
    for role in ROLES:
        client = Client()
        if users[role] is not None:
            client.force_login(users[role])
        seen[role] = _outcome(client.get(url))
    assert seen == ACCESS[name], f"{name} ({url})"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/accounts/user/", "/admin/audit/auditevent/", "/admin/auth/group/"]
)
def test_system_administration_needs_a_staff_account(url, world):
    users, _, _ = world
    for role in ROLES:
        client = Client()
        if users[role] is not None:
            client.force_login(users[role])
        response = client.get(url)
        assert response.status_code == 302, (role, url)
        assert "/admin/login/" in response.url or "/sign-in/" in response.url, (role, url)


def test_admin_namespace_is_the_only_one_outside_the_matrix():
    others = [name for name in ALL_NAMES if name not in ACCESS and not name.startswith("admin:")]
    assert others == []
