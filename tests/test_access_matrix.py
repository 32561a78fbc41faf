"""Every URL pattern against anonymous users and every role.

A new page must be added to ACCESS below, or test_every_url_pattern_is_in_the_matrix fails: no
page can be left open by accident. Expected outcomes:

  allow  the page answers (200, or a redirect somewhere other than sign-in)
  login  anonymous: redirected to sign-in
  403    refused to someone who may see the page's record (or the partnership's area) but may
         not do this
  404    hidden: outside the partnership, or outside the record's scope (not appointed, another
         agency, a role that never sees such records), answered as if it did not exist (ADR 0010)
  post   the URL only accepts POST (405 on GET)

The reviewer and panel member of the matrix are not appointed to any review (two others, built
with the world, are: ``appointed``), and the agency contributor's agency is the one asked for
returns and a chronology and owning the action.
"""

import datetime
import sys
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.test.client import ClientHandler
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from safeguarding.accounts.models import (
    AgencyContact,
    Invitation,
    Membership,
    Partnership,
    PartnershipRole,
    Role,
)
from safeguarding.accounts.people.selectors import token_hash
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
from safeguarding.guidance.models import GuidanceAdoption, GuidanceVersion
from safeguarding.information_requests.models import InformationRequest
from safeguarding.library import services as library_services
from safeguarding.notifications.models import Notification, NotificationAttachment
from safeguarding.public_site import services as public_services
from safeguarding.publication.models import (
    CheckFinding,
    HomeOfficeSubmission,
    NationalReview,
    Publication,
    PublicationFile,
    Revision,
)
from safeguarding.records.models import RetentionHold
from safeguarding.referrals import services as referral_services
from safeguarding.referrals import share_services
from safeguarding.referrals.models import DecisionMaker
from safeguarding.referrals.tests.staff_support import ANSWERS, IDENTITY, make_case
from safeguarding.reports.models import ReportRecipient, YearlyReport
from safeguarding.reviews.chronology import services as chronology_services
from safeguarding.reviews.chronology.parser import ChronologyRow
from safeguarding.reviews.marker_sets import services as marker_set_services
from safeguarding.reviews.models import (
    AgencyRequest,
    AgencyReturn,
    Appointment,
    DocumentVersion,
    FamilyContact,
    Finding,
    Meeting,
    Person,
    PersonIdentity,
    ProposedPerson,
    Review,
    ReviewDisagreement,
    ReviewDocument,
)
from safeguarding.reviews.rapid_review import services as rapid_review_services
from safeguarding.reviews.tests.review_support import commission, decided_case, make_lcspr

# No xdist group: the module's tests are handed out one by one like the others (conftest.py
# hands them out first), and each worker that runs some builds the world once (about 1 s of CPU).
# A group would put the whole module (about 100 s of CPU) on one worker; with pytest 9.2 and
# pytest-xdist 3.8 `--dist loadgroup` does not group anyway (pytest-xdist issue 1386).

ROLES = ["anonymous", *[r.value for r in Role], "outsider"]
MEMBERS = [r.value for r in Role]
BU, PL, AGENCY = "business_unit", "partner_lead", "agency_contributor"
PUBLIC = dict.fromkeys(ROLES, "allow")
SIGNED_IN = {"anonymous": "login", **dict.fromkeys([*MEMBERS, "outsider"], "allow")}
PARTNERSHIP_MEMBERS = {"anonymous": "login", **dict.fromkeys(MEMBERS, "allow"), "outsider": "404"}
POST_ONLY = {"anonymous": "login", **dict.fromkeys([*MEMBERS, "outsider"], "post")}


def page(allow=()) -> dict:
    """A page of the partnership's staff area that is not one record (a list, an add form):
    ``allow`` open it, other members get 403, people outside the partnership 404."""
    return {
        "anonymous": "login",
        **{role: "allow" if role in allow else "403" for role in MEMBERS},
        "outsider": "404",
    }


def record(allow=(), forbid=()) -> dict:
    """A page of one record: ``allow`` open it; ``forbid`` see the record but may not do this
    (403); everyone else is outside the record's scope and gets 404, as for a record that does
    not exist (ADR 0010)."""
    return {
        "anonymous": "login",
        **{
            role: "allow" if role in allow else "403" if role in forbid else "404"
            for role in MEMBERS
        },
        "outsider": "404",
    }


BUSINESS_UNIT_ONLY = page(allow=[BU])
READERS = page(allow=[BU, PL])  # business unit and partner leads
READERS_AND_AGENCY = page(allow=[BU, PL, AGENCY])  # the agency sees only its own
# Reviewers and panel members see only the reviews they are appointed to: the matrix's are not.
REVIEW_LIST = page(allow=[BU, PL, "panel_member", "reviewer"])
AGENCY_ONLY = page(allow=[AGENCY])

# One record, read by the business unit and partner leads (referrals, cases, reviews the
# matrix's reviewer and panel member are not appointed to, publications, digest issues).
READ_RECORD = record(allow=[BU, PL])
# One such record, changed by the business unit only: the partner lead sees it (403).
CHANGE_RECORD = record(allow=[BU], forbid=[PL])
# A record the contributor's agency may read too (its request, its chronology, its action).
AGENCY_RECORD = record(allow=[BU, PL, AGENCY])
# Public records of the partnership (library records): every member reads them.
MEMBER_RECORD = record(allow=MEMBERS)
CHANGE_MEMBER_RECORD = record(allow=[BU], forbid=[m for m in MEMBERS if m != BU])
# A notification is seen by the person it was for only (the matrix's is the business unit's):
# anyone else's answers 404, as one that does not exist.
OWN_NOTIFICATION = {
    "anonymous": "login",
    **dict.fromkeys([*MEMBERS, "outsider"], "404"),
    BU: "allow",
}
# People management (ADR 0011): the business unit and the partnership's administrators.
PEOPLE_MANAGERS = page(allow=[BU, "administrator"])

ACCESS = {
    "healthz": PUBLIC,
    "admin_sign_in": dict.fromkeys(ROLES, "login"),  # a redirect to our sign-in page
    "public_site:home": PUBLIC,
    "public_site:accessibility": PUBLIC,
    "public_site:privacy": PUBLIC,
    "public_site:reviews": PUBLIC,
    "public_site:documents": PUBLIC,
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
    "workspace:case_list": REVIEW_LIST,
    # The public page's content is public: members without the role see it, so get 403.
    "public_page:manage": BUSINESS_UNIT_ONLY,
    "public_page:block_add": BUSINESS_UNIT_ONLY,
    "public_page:block_edit": BUSINESS_UNIT_ONLY,
    "public_page:document_upload": BUSINESS_UNIT_ONLY,
    "public_page:document_archive": BUSINESS_UNIT_ONLY,
    "audit:trail": BUSINESS_UNIT_ONLY,
    "people:list": PEOPLE_MANAGERS,
    "people:invite": PEOPLE_MANAGERS,
    "people:invite_check": PEOPLE_MANAGERS,  # a redirect to the form when nothing is entered
    "people:invitation_resend": PEOPLE_MANAGERS,
    "people:invitation_cancel": PEOPLE_MANAGERS,
    "people:person": PEOPLE_MANAGERS,
    "people:person_roles": PEOPLE_MANAGERS,
    "people:person_deactivate": PEOPLE_MANAGERS,
    "people:person_reactivate": PEOPLE_MANAGERS,  # a redirect to the person: not deactivated
    # Partnership setup (issue 13): agencies as people; decision makers by the business unit
    # only (naming one opens decisions to them, which an administrator may never do).
    "setup:agency_list": PEOPLE_MANAGERS,
    "setup:agency_add": PEOPLE_MANAGERS,
    "setup:agency_rename": PEOPLE_MANAGERS,
    "setup:agency_remove": PEOPLE_MANAGERS,  # refused on POST (400): a contributor acts for it
    # Email-only contacts at an agency (ADR 0020), as the agencies themselves.
    "setup:agency_contacts": PEOPLE_MANAGERS,
    "setup:agency_contact_change": PEOPLE_MANAGERS,
    "setup:agency_contact_remove": PEOPLE_MANAGERS,
    "setup:decision_maker_list": BUSINESS_UNIT_ONLY,
    "setup:decision_maker_add": BUSINESS_UNIT_ONLY,
    "setup:decision_maker_change": BUSINESS_UNIT_ONLY,
    "setup:decision_maker_remove": BUSINESS_UNIT_ONLY,
    "setup:guidance_list": BUSINESS_UNIT_ONLY,
    "setup:guidance_adopt": BUSINESS_UNIT_ONLY,
    "setup:guidance_remove": BUSINESS_UNIT_ONLY,
    "accounts:invitation_accept": PUBLIC,  # the holder of the emailed link
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
    "referrals:detail": READ_RECORD,
    "referrals:identity": READ_RECORD,
    "referrals:open_case": CHANGE_RECORD,
    "referrals:link_case": CHANGE_RECORD,
    "referrals:source_agency": CHANGE_RECORD,
    "referrals:case": READ_RECORD,
    "referrals:screening": CHANGE_RECORD,
    "referrals:became_aware": CHANGE_RECORD,
    "referrals:send_for_decision": CHANGE_RECORD,
    "referrals:decision": CHANGE_RECORD,
    "referrals:notification_add": CHANGE_RECORD,
    "referrals:notification_summary": READ_RECORD,
    # The partner lead is the named decision maker here; the business unit sees the decision.
    "referrals:sign": record(allow=[PL], forbid=[BU]),
    "referrals:decline": record(allow=[PL], forbid=[BU]),
    "referrals:disagreement_resolve": CHANGE_RECORD,
    # A signatory who left is replaced on the decision by the business unit (ADR 0019).
    "referrals:signatory_replace": CHANGE_RECORD,
    # Sharing a case with another partnership (ADR 0022): the business unit offers its case,
    # answers a case offered to it; the business unit and partner leads see what is offered.
    "referrals:case_shares": CHANGE_RECORD,
    "referrals:case_share_end": CHANGE_RECORD,
    "referrals:shares": READERS,
    "referrals:share_answer": CHANGE_RECORD,
    # Reviews
    "reviews:list": REVIEW_LIST,
    "reviews:commission": CHANGE_RECORD,  # of a case
    "reviews:start_rapid_review": CHANGE_RECORD,  # of a case
    "reviews:detail": READ_RECORD,
    "reviews:move": POST_ONLY,  # permission is checked on the POST
    "reviews:terms": READ_RECORD,
    "reviews:terms_document": READ_RECORD,
    "reviews:appointments": READ_RECORD,
    "reviews:meetings": READ_RECORD,
    "reviews:people": READ_RECORD,
    "reviews:person_identity": READ_RECORD,
    # Changing and removing what was entered (issue 13): the business unit; meetings also the
    # appointed reviewer (the matrix's is not appointed). Putting back is a POST.
    "reviews:person": CHANGE_RECORD,
    "reviews:person_remove": CHANGE_RECORD,
    "reviews:person_restore": POST_ONLY,
    "reviews:appointment": CHANGE_RECORD,
    "reviews:appointment_end": CHANGE_RECORD,
    "reviews:appointment_restore": POST_ONLY,
    "reviews:meeting": CHANGE_RECORD,
    "reviews:meeting_remove": CHANGE_RECORD,
    "reviews:meeting_restore": POST_ONLY,
    "reviews:family_contact": CHANGE_RECORD,
    "reviews:family_contact_remove": CHANGE_RECORD,
    "reviews:family_contact_restore": POST_ONLY,
    # A name an agency's chronology proposed: the business unit decides (issue 13).
    "reviews:person_proposal": CHANGE_RECORD,
    "reviews:family": READ_RECORD,
    "reviews:documents": READ_RECORD,
    "reviews:document_upload": CHANGE_RECORD,
    "reviews:document_download": READ_RECORD,
    "reviews:quality": READ_RECORD,
    # National returns (issue 17): the business unit records them, partner leads read them.
    "reviews:national_return": READ_RECORD,
    "reviews:national_returns": READERS,
    "reviews:national_returns_xlsx": READERS,
    # The partnership's own quality marker sets (ADR 0024): the business unit only.
    "reviews:marker_sets": BUSINESS_UNIT_ONLY,
    "reviews:marker_set_add": BUSINESS_UNIT_ONLY,
    "reviews:marker_set": BUSINESS_UNIT_ONLY,
    "reviews:marker_set_edit": BUSINESS_UNIT_ONLY,
    "reviews:marker_set_archive": POST_ONLY,
    "reviews:marker_add": BUSINESS_UNIT_ONLY,
    "reviews:marker_edit": BUSINESS_UNIT_ONLY,
    "reviews:marker_archive": POST_ONLY,
    "reviews:marker_restore": POST_ONLY,
    "reviews:findings": READ_RECORD,
    "reviews:finding_edit": CHANGE_RECORD,
    "reviews:sign_off": READ_RECORD,
    # A decision maker of the review declines or disagrees; the business unit records the
    # escalation (ADR 0012). The partner lead is the review's decision maker here.
    "reviews:sign_off_decline": record(allow=[PL], forbid=[BU]),
    "reviews:sign_off_disagreement_resolve": CHANGE_RECORD,
    "reviews:reopen": CHANGE_RECORD,
    "reviews:progress_check": CHANGE_RECORD,
    # Every reader of the review sees its requests (as each request, ADR 0010); only the business
    # unit asks and chases (POST_ACCESS).
    "reviews:requests": READ_RECORD,
    "reviews:request_chase": POST_ONLY,  # permission is checked on the POST
    "reviews:requests_chase": POST_ONLY,  # permission is checked on the POST
    # The business unit records returns sent outside the service and closes requests; the
    # partner lead and the agency's contributor see the request but may not (issue 13).
    "reviews:request_record_return": record(allow=[BU], forbid=[PL, AGENCY]),
    "reviews:request_close": record(allow=[BU], forbid=[PL, AGENCY]),
    "reviews:request_readdress": record(allow=[BU], forbid=[PL, AGENCY]),
    "reviews:my_requests": AGENCY_ONLY,
    # Asking an agency of a partnership that shares the review (ADR 0022): the business unit.
    "reviews:request_partner": CHANGE_RECORD,
    "reviews:request_detail": AGENCY_RECORD,
    "reviews:return_attachment": AGENCY_RECORD,
    "reviews:immediate_actions": CHANGE_RECORD,
    "reviews:rapid_review_outcome": CHANGE_RECORD,
    "reviews:panel": CHANGE_RECORD,
    "reviews:rapid_review_report": READ_RECORD,
    "reviews:chronology": AGENCY_RECORD,
    "reviews:chronology_export": AGENCY_RECORD,
    "reviews:chronology_template": AGENCY_RECORD,
    "reviews:chronology_upload": record(allow=[BU, AGENCY], forbid=[PL]),
    "reviews:chronology_add": record(allow=[BU, AGENCY], forbid=[PL]),
    "reviews:chronology_upload_file": AGENCY_RECORD,  # the agency's own imported file
    # Recommendations and actions (issue 6): agencies see only their own agency's actions.
    "actions:tracker": READERS_AND_AGENCY,
    "actions:tracker_xlsx": READERS_AND_AGENCY,
    "actions:agency": AGENCY_RECORD,
    "actions:plan_docx": READ_RECORD,
    "actions:plan_xlsx": READ_RECORD,
    "actions:themes": READERS,
    "actions:plan": READ_RECORD,
    "actions:learning_add": CHANGE_RECORD,
    "actions:finding_themes": CHANGE_RECORD,
    "actions:recommendation_add": CHANGE_RECORD,
    "actions:recommendation_edit": CHANGE_RECORD,
    "actions:impact": CHANGE_RECORD,
    "actions:action_add": CHANGE_RECORD,
    "actions:action": AGENCY_RECORD,
    "actions:action_edit": record(allow=[BU], forbid=[PL, AGENCY]),
    "actions:progress": record(allow=[BU, AGENCY], forbid=[PL]),
    "actions:completion_request": record(allow=[BU, AGENCY], forbid=[PL]),
    "actions:completion_decide": record(allow=[BU], forbid=[PL, AGENCY]),
    "actions:not_implemented": record(allow=[BU], forbid=[PL, AGENCY]),
    "actions:evidence": AGENCY_RECORD,
    "reports:annual": READERS,
    "reports:annual_xlsx": READERS,
    "reports:figures": READERS,
    "reports:figures_xlsx": READERS,
    "reports:figures_docx": READERS,
    "reports:figure_records": READERS,
    "reports:timeliness": READERS,
    # Learning digests (issue 7)
    "digests:list": READERS,
    "digests:issue_start": BUSINESS_UNIT_ONLY,
    "digests:issue": READ_RECORD,
    "digests:issue_preview": READ_RECORD,
    "digests:issue_edit": CHANGE_RECORD,
    "digests:issue_choose": CHANGE_RECORD,
    "digests:item_add": CHANGE_RECORD,
    "digests:issue_publish": CHANGE_RECORD,
    "digests:item_edit": CHANGE_RECORD,
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
    "publication:detail": READ_RECORD,
    "publication:decision": CHANGE_RECORD,
    "publication:file_upload": CHANGE_RECORD,
    "publication:file_replace": CHANGE_RECORD,
    "publication:finding_resolve": CHANGE_RECORD,
    "publication:findings_false_match": CHANGE_RECORD,
    "publication:step_add": CHANGE_RECORD,
    "publication:home_office": READ_RECORD,  # partner leads read; the business unit records
    "publication:home_office_letter": CHANGE_RECORD,
    "publication:home_office_letter_download": READ_RECORD,
    "publication:publish": CHANGE_RECORD,
    "publication:correct": CHANGE_RECORD,
    "publication:withdraw": READ_RECORD,  # partner leads may withdraw before 12 months (R16)
    # A partner's sign-off of another partnership's publication of a shared review (ADR 0022):
    # under a partnership's own address its own publication is not one (404 to everyone); the
    # partner's roles are in SHARED_ACCESS.
    "publication:partner_sign_off": record(),
    "published:archive": PUBLIC,
    "published:feed": PUBLIC,
    "published:detail": PUBLIC,
    "published:file": PUBLIC,
    # The learning library: every member reads it; only the business unit changes it.
    "library:search": PARTNERSHIP_MEMBERS,
    "library:record": MEMBER_RECORD,
    "library:national_reviews": PARTNERSHIP_MEMBERS,
    "library:themes": PARTNERSHIP_MEMBERS,
    "library:record_add": BUSINESS_UNIT_ONLY,
    "library:record_edit": CHANGE_MEMBER_RECORD,
    "library:record_archive": CHANGE_MEMBER_RECORD,
    "library:import": BUSINESS_UNIT_ONLY,
    "library:national_review_add": BUSINESS_UNIT_ONLY,
    "library:national_review_remove": BUSINESS_UNIT_ONLY,  # national reviews are public
    "library:search_terms": BUSINESS_UNIT_ONLY,
    "library:search_term_remove": record(allow=[BU]),
    "library:submission": CHANGE_MEMBER_RECORD,
    "library:submission_download": CHANGE_MEMBER_RECORD,
    "library:submission_sent": CHANGE_MEMBER_RECORD,
    "library_public:search": PUBLIC,
    "library_public:record": PUBLIC,
    "library_public:json": PUBLIC,
    "clock:settings": BUSINESS_UNIT_ONLY,
    "clock:setting_edit": BUSINESS_UNIT_ONLY,  # the rules are national data, not a record
    "clock:pause": CHANGE_RECORD,  # a milestone of a case
    "clock:resume": CHANGE_RECORD,
    "clock:extend": CHANGE_RECORD,
    # Records management (issue 12 item 7): retention periods and holds, data about a person.
    "records:retention": BUSINESS_UNIT_ONLY,
    "records:retention_edit": BUSINESS_UNIT_ONLY,  # the record types are national data
    "records:hold_add": BUSINESS_UNIT_ONLY,
    "records:hold_lift": record(allow=[BU]),  # a hold is seen by the business unit only
    "records:person_search": BUSINESS_UNIT_ONLY,
    "records:person_download": POST_ONLY,  # permission is checked on the POST
    # Working Together 2023 roles (issue 14 §2): the business unit only (a role linked to an
    # account says in what capacity its signatures are given, as naming decision makers).
    "partnership_roles:list": BUSINESS_UNIT_ONLY,
    "partnership_roles:add": BUSINESS_UNIT_ONLY,
    "partnership_roles:change": BUSINESS_UNIT_ONLY,
    "partnership_roles:end": BUSINESS_UNIT_ONLY,
    # Requests for information (s45, s16H): part of a case, read as the case is read.
    "information_requests:list": READERS,
    "information_requests:case": READ_RECORD,
    "information_requests:make": CHANGE_RECORD,
    "information_requests:detail": READ_RECORD,
    "information_requests:answer": CHANGE_RECORD,
    "information_requests:refuse": CHANGE_RECORD,
    "information_requests:escalate": CHANGE_RECORD,
    # Yearly report duties: read as the figures; recorded by the business unit.
    "reports:yearly_list": READERS,
    "reports:yearly_add": BUSINESS_UNIT_ONLY,
    "reports:yearly_detail": READ_RECORD,
    "reports:yearly_published": CHANGE_RECORD,
    "reports:yearly_sent": CHANGE_RECORD,
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
    count rows). Under pytest-xdist (conftest.py hands the module's tests out first, in a row),
    the module's tests are spread over the workers, and each builds the world once.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = _build_world(sample_pdf)
            APPOINTED_USERS.update(_appoint(built))
            _sign_in_once({**built[0], **APPOINTED_USERS})
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    try:
        yield built
    finally:
        APPOINTED_USERS.clear()
        HARVESTED.clear()
        SESSIONS.clear()
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            # The rollback is the whole point: prove it on every run.
            assert not Partnership.objects.filter(pk=built[2].pk).exists()


# The session of each user of the world (user pk: session key), signed in once with the world:
# a test client given the key is signed in as that user, without a sign-in per request (one
# sign-in writes a session, last_login, an axes log and an audit event: thousands of them made
# a fifth of the module's time). A request that changes a session (renewing it after a minute,
# signing out) changes it in the test's transaction, rolled back after the test.
SESSIONS: dict[int, str] = {}


def _sign_in_once(users: dict) -> None:
    from django.conf import settings

    for user in users.values():
        if user is not None:
            client = Client()
            client.force_login(user)
            SESSIONS[user.pk] = client.cookies[settings.SESSION_COOKIE_NAME].value


def _build_world(sample_pdf):
    partnership = PartnershipFactory(name="Testshire Safeguarding Partnership", slug="testshire")
    other_partnership = PartnershipFactory(
        name="Elsewhere Safeguarding Partnership", slug="elsewhere"
    )
    agency = AgencyFactory(name="Testshire Police", slug="testshire-police")
    partnership.agencies.add(agency)
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
    GuidanceAdoption.objects.create(
        partnership=partnership,
        version=GuidanceVersion.objects.get(code="WT2023"),
        adopted_on=datetime.date(2024, 2, 1),
    )
    decision = referral_services.decision_record(
        track=track,
        outcome="no_further_review",
        rationale="Fictional reasons.",
        decided_on=timezone.localdate(),
        actor=business_unit_user,
    )
    milestone = milestone_list_for_subject(subject=case).first()
    # Another case whose decision the partner lead disagreed with: the business unit resolves it.
    disputed_case = make_case(partnership, business_unit_user, pseudonym="Child D")
    (disputed_track,) = referral_services.case_send_for_decision(
        case=disputed_case, review_types=["cspr"], actor=business_unit_user
    )
    disputed = referral_services.decision_record(
        track=disputed_track,
        outcome="no_further_review",
        rationale="Fictional reasons.",
        decided_on=timezone.localdate(),
        actor=business_unit_user,
    )
    disagreement = referral_services.decision_decline(
        decision=disputed, user=users["partner_lead"], kind="disagreed", reason="Fictional."
    )

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
    chronology_request = AgencyRequest.objects.create(
        review=lcspr,
        agency=agency,
        kind="chronology",
        due_on=timezone.localdate(),
        requested_by=business_unit_user,
    )
    # The contributor's agency's chronology file, naming someone not yet in the case.
    chronology_upload = chronology_services.chronology_import(
        review=lcspr,
        agency=agency,
        rows=[
            ChronologyRow(
                occurred_on=datetime.date(2025, 3, 1),
                occurred_at=None,
                date_is_approximate=False,
                pseudonyms=(),
                proposed=("Lodger",),
                event="A fictional home visit.",
            )
        ],
        actor=business_unit_user,
        file=SimpleUploadedFile("chronology.csv", b"Fictional chronology file"),
    )
    proposal = ProposedPerson.objects.get(review=lcspr)
    person = Person.objects.create(case=lcspr.case, pseudonym="Mother", role_in_case="parent")
    PersonIdentity.objects.create(person=person, full_name="Fictional Realname")
    appointment = Appointment.objects.create(
        review=lcspr, role="chair", name="Fictional Chair", appointed_on=timezone.localdate()
    )
    meeting = Meeting.objects.create(
        review=lcspr,
        held_on=timezone.localdate(),
        title="Panel meeting 1",
        recorded_by=business_unit_user,
    )
    family_contact = FamilyContact.objects.create(
        review=lcspr,
        person=person,
        kind="leaflet_sent",
        happened_on=timezone.localdate(),
        recorded_by=business_unit_user,
    )
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
    agency_contact = AgencyContact.objects.create(
        partnership=partnership,
        agency=agency,
        name="Fictional Contact",
        email="contact@agency.example",
        role="Safeguarding lead",
        added_by=business_unit_user,
    )
    sign_off_disagreement = ReviewDisagreement.objects.create(
        review=lcspr,
        user=users["partner_lead"],
        capacity="Local authority",
        kind="disagreed",
        reason="Fictional.",
    )
    ready_case, _ = decided_case(partnership, business_unit_user, pseudonym="Child R")
    signed, _ = make_lcspr(partnership, business_unit_user)
    signed.stage = "signed_off"
    signed.signed_off_at = timezone.now()
    signed.save(update_fields=["stage", "signed_off_at"])
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
    # A DHR being prepared for publication: sent back once by the Home Office panel, resubmitted.
    dhr_case, _ = decided_case(partnership, business_unit_user, ("dhr",), pseudonym="Adult D")
    dhr = commission(dhr_case, business_unit_user)
    dhr.stage = "signed_off"
    dhr.signed_off_at = timezone.now()
    dhr.save(update_fields=["stage", "signed_off_at"])
    dhr_publication = Publication.objects.create(
        partnership=partnership,
        review=dhr,
        review_type="dhr",
        title="Adult D",
        reviewer_names="A Fictional Reviewer",
    )
    sent_back = HomeOfficeSubmission.objects.create(
        publication=dhr_publication,
        number=1,
        submitted_on=publish_on,
        note="Version 1",
        submitted_by=business_unit_user,
        letter=SimpleUploadedFile("letter.pdf", sample_pdf),
        letter_name="letter.pdf",
        letter_kind="pdf",
        letter_on=publish_on,
        outcome="resubmit",
        reasons=["coercive_control"],
    )
    resubmitted = HomeOfficeSubmission.objects.create(
        publication=dhr_publication,
        number=2,
        submitted_on=publish_on,
        note="Version 2",
        submitted_by=business_unit_user,
    )
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
    # People: an invitation waiting (its link's token is known here only because it is made
    # directly), and the reviewer's page.
    people_invitation = Invitation.objects.create(
        partnership=partnership,
        email="invited@testshire.example",
        full_name="Invited Person",
        roles=[Role.REVIEWER],
        token_hash=token_hash("matrix-invitation-token"),
        invited_by=business_unit_user,
        invited_by_label=business_unit_user.email,
        sent_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    hold = RetentionHold.objects.create(
        partnership=partnership, case=case, reason="Inquest", placed_by=business_unit_user
    )
    # Issue 14 §2: a Lead Safeguarding Partner, a request for information on the case, and a
    # published yearly report with its recipients.
    partnership_role = PartnershipRole.objects.create(
        partnership=partnership,
        kind="lead",
        statutory_partner="police",
        person_name="A Fictional Chief Constable",
        job_title="Chief Constable",
        starts_on=datetime.date(2025, 4, 1),
        recorded_by=business_unit_user,
    )
    information_request = InformationRequest.objects.create(
        partnership=partnership,
        case=case,
        recipient="A fictional GP practice",
        legal_basis="children_act_s16h",
        information_sought="Fictional records.",
        made_on=timezone.localdate(),
        due_on=timezone.localdate(),
        recorded_by=business_unit_user,
    )
    yearly_report = YearlyReport.objects.create(
        partnership=partnership,
        kind="children",
        start_year=2024,
        published_on=datetime.date(2025, 9, 30),
        recorded_by=business_unit_user,
    )
    report_recipient = ReportRecipient.objects.create(report=yearly_report, recipient="panel")
    # Sharing (ADR 0022): a case of this partnership offered to a partner, a case of the
    # partner offered to this partnership, and a joint case shared with the partner (accepted:
    # see test_a_partner_reaches_a_shared_case_for_what_is_granted_and_nothing_else).
    shared = _build_shared(partnership, business_unit_user, users)
    offered_out = share_services.case_share_invite(
        case=disputed_case,
        partner=shared["partner"],
        role="host_authority",
        decides_review_type="",
        grants_review=True,
        grants_publication=False,
        note="",
        actor=business_unit_user,
    )
    # The partnership's own quality marker set (ADR 0024), with one marker.
    marker_set = marker_set_services.marker_set_create(
        partnership=partnership,
        name="Regional SAR quality markers",
        review_kinds=["sar"],
        actor=business_unit_user,
    )
    local_marker = marker_set_services.marker_add(
        marker_set=marker_set, title="Referral made promptly", actor=business_unit_user
    )
    slug = partnership.slug
    review_kwargs = {"slug": slug, "pk": lcspr.pk}
    kwargs = {
        **{
            f"reviews:{name}": {"slug": slug, "pk": marker_set.pk}
            for name in ("marker_set", "marker_set_edit", "marker_set_archive", "marker_add")
        },
        **{
            f"reviews:{name}": {"slug": slug, "pk": marker_set.pk, "marker_pk": local_marker.pk}
            for name in ("marker_edit", "marker_archive", "marker_restore")
        },
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
                "sign_off_decline",
                "reopen",
                "progress_check",
                "national_return",
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
                "requests_chase",
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
        "publication:partner_sign_off": {"slug": slug, "pk": publication.pk},
        "publication:home_office": {"slug": slug, "pk": dhr_publication.pk},
        "publication:home_office_letter": {
            "slug": slug,
            "pk": dhr_publication.pk,
            "submission_pk": resubmitted.pk,
        },
        "publication:home_office_letter_download": {
            "slug": slug,
            "pk": dhr_publication.pk,
            "submission_pk": sent_back.pk,
        },
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
        "publication:findings_false_match": {"slug": slug, "pk": publication.pk},
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
        **{
            f"reviews:{name}": {**review_kwargs, "person_pk": person.pk}
            for name in ("person", "person_remove", "person_restore")
        },
        **{
            f"reviews:{name}": {**review_kwargs, "appointment_pk": appointment.pk}
            for name in ("appointment", "appointment_end", "appointment_restore")
        },
        **{
            f"reviews:{name}": {**review_kwargs, "meeting_pk": meeting.pk}
            for name in ("meeting", "meeting_remove", "meeting_restore")
        },
        **{
            f"reviews:{name}": {**review_kwargs, "contact_pk": family_contact.pk}
            for name in ("family_contact", "family_contact_remove", "family_contact_restore")
        },
        "reviews:person_proposal": {**review_kwargs, "proposal_pk": proposal.pk},
        "reviews:chronology_upload_file": {**review_kwargs, "upload_pk": chronology_upload.pk},
        "reviews:document_download": {**review_kwargs, "version_pk": version.pk},
        "reviews:finding_edit": {**review_kwargs, "finding_pk": finding.pk},
        "reviews:sign_off_disagreement_resolve": {
            **review_kwargs,
            "disagreement_pk": sign_off_disagreement.pk,
        },
        "reviews:request_chase": {"slug": slug, "request_pk": summary_request.pk},
        "reviews:request_detail": {"slug": slug, "request_pk": summary_request.pk},
        **{
            f"reviews:{name}": {"slug": slug, "request_pk": chronology_request.pk}
            for name in ("request_record_return", "request_close", "request_readdress")
        },
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
        "referrals:source_agency": {"slug": partnership.slug, "pk": new_referral.pk},
        "referrals:case": {"slug": partnership.slug, "pk": case.pk},
        "referrals:screening": {"slug": partnership.slug, "pk": case.pk},
        "referrals:became_aware": {"slug": partnership.slug, "pk": case.pk},
        "referrals:send_for_decision": {"slug": partnership.slug, "pk": case.pk},
        "referrals:decision": {"slug": partnership.slug, "pk": case.pk, "track_pk": track.pk},
        "referrals:notification_add": {"slug": partnership.slug, "pk": case.pk},
        "referrals:notification_summary": {"slug": partnership.slug, "pk": case.pk},
        "referrals:sign": {"slug": partnership.slug, "pk": decision.pk},
        "referrals:decline": {"slug": partnership.slug, "pk": decision.pk},
        "referrals:disagreement_resolve": {
            "slug": partnership.slug,
            "pk": disputed.pk,
            "disagreement_pk": disagreement.pk,
        },
        "referrals:signatory_replace": {
            "slug": partnership.slug,
            "pk": decision.pk,
            "decision_maker_pk": DecisionMaker.objects.get(
                partnership=partnership, capacity="Local authority"
            ).pk,
        },
        "referrals:case_shares": {"slug": slug, "pk": disputed_case.pk},
        "referrals:case_share_end": {
            "slug": slug,
            "pk": disputed_case.pk,
            "share_pk": offered_out.pk,
        },
        "referrals:share_answer": {"slug": slug, "pk": shared["offered_in"].pk},
        "clock:setting_edit": {
            "slug": partnership.slug,
            "pk": MilestoneRule.objects.get(code="lcspr-final-report").pk,
        },
        "clock:pause": {"slug": partnership.slug, "pk": milestone.pk},
        "clock:resume": {"slug": partnership.slug, "pk": milestone.pk},
        "clock:extend": {"slug": partnership.slug, "pk": milestone.pk},
        "public_site:reviews": {"slug": partnership.slug},
        "public_site:documents": {"slug": partnership.slug},
        "public_site:document_download": {"slug": partnership.slug, "pk": document.pk},
        "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "accounts:invitation_accept": {"token": "matrix-invitation-token"},
        **{
            f"people:{name}": {"slug": slug, "pk": people_invitation.pk}
            for name in ("invitation_resend", "invitation_cancel")
        },
        **{
            f"people:{name}": {"slug": slug, "pk": users["reviewer"].pk}
            for name in ("person", "person_roles", "person_deactivate", "person_reactivate")
        },
        "workspace:partnership_home": {"slug": partnership.slug},
        "workspace:case_list": {"slug": partnership.slug},
        **{
            f"setup:{name}": {"slug": slug, "pk": agency.pk}
            for name in ("agency_rename", "agency_remove", "agency_contacts")
        },
        **{
            f"setup:{name}": {"slug": slug, "pk": agency.pk, "contact_pk": agency_contact.pk}
            for name in ("agency_contact_change", "agency_contact_remove")
        },
        "setup:decision_maker_add": {"slug": slug, "review_type": "cspr"},
        "setup:guidance_adopt": {"slug": slug, "code": "WT2023"},
        "setup:guidance_remove": {"slug": slug, "code": "WT2023"},
        **{
            f"setup:{name}": {
                "slug": slug,
                "pk": DecisionMaker.objects.get(
                    partnership=partnership, capacity="Local authority"
                ).pk,
            }
            for name in ("decision_maker_change", "decision_maker_remove")
        },
        "notifications:detail": {"pk": notification.pk},
        "notifications:attachment": {"pk": notification.pk, "attachment_pk": invitation.pk},
        "public_page:block_edit": {"slug": partnership.slug, "pk": block.pk},
        "public_page:document_archive": {"slug": partnership.slug, "pk": document.pk},
        "records:retention_edit": {"slug": slug, "key": "referral_without_case"},
        "reports:figure_records": {"slug": slug, "key": "reviews_ongoing"},
        "records:hold_lift": {"slug": slug, "pk": hold.pk},
        **{
            f"partnership_roles:{name}": {"slug": slug, "pk": partnership_role.pk}
            for name in ("change", "end")
        },
        **{
            f"information_requests:{name}": {"slug": slug, "case_pk": case.pk}
            for name in ("case", "make")
        },
        **{
            f"information_requests:{name}": {"slug": slug, "pk": information_request.pk}
            for name in ("detail", "answer", "refuse", "escalate")
        },
        **{
            f"reports:{name}": {"slug": slug, "pk": yearly_report.pk}
            for name in ("yearly_detail", "yearly_published")
        },
        "reports:yearly_sent": {
            "slug": slug,
            "pk": yearly_report.pk,
            "recipient_pk": report_recipient.pk,
        },
    }
    users.update(shared["users"])
    kwargs["shared"] = shared["kwargs"]
    kwargs["reviews:request_partner"] = shared["request_partner"]
    return users, kwargs, partnership


def _build_shared(partnership, business_unit_user, users) -> dict:
    """A partner partnership with one user per role, and the cases shared either way."""
    partner = PartnershipFactory(name="Partnershire Safeguarding Partnership", slug="partnershire")
    partner_users = {}
    for role in MEMBERS:
        user = UserFactory()
        MembershipFactory(user=user, partnership=partner, role=role)
        partner_users[f"partner {role}"] = user
    # The partner's own case offered to this partnership (waiting for its answer).
    partner_case = make_case(partner, partner_users[f"partner {BU}"], pseudonym="Child P")
    offered_in = share_services.case_share_invite(
        case=partner_case,
        partner=partnership,
        role="placing_authority",
        decides_review_type="",
        grants_review=True,
        grants_publication=False,
        note="",
        actor=partner_users[f"partner {BU}"],
    )
    # A joint case of this partnership: the partner accepted, and decides its CSPR track
    # (its partner lead is its decision maker), waiting for a signature.
    joint = make_case(partnership, business_unit_user, pseudonym="Child J")
    share = share_services.case_share_invite(
        case=joint,
        partner=partner,
        role="host_authority",
        decides_review_type="cspr",
        grants_review=True,
        grants_publication=True,
        note="",
        actor=business_unit_user,
    )
    share_services.case_share_accept(share=share, actor=partner_users[f"partner {BU}"])
    DecisionMaker.objects.create(
        partnership=partner,
        review_type="cspr",
        capacity="Local authority",
        user=partner_users[f"partner {PL}"],
    )
    track = joint.tracks.get(review_type="cspr")
    decision = referral_services.decision_record(
        track=track,
        outcome="no_further_review",
        rationale="Fictional reasons.",
        decided_on=timezone.localdate(),
        actor=partner_users[f"partner {BU}"],
    )
    # The review of the joint case, run by this partnership: the partner reads it.
    joint_review, _ = make_lcspr(partnership, business_unit_user)
    Review.objects.filter(pk=joint_review.pk).update(case=joint)
    case_kwargs = {"slug": partner.slug, "pk": joint.pk}
    review_kwargs = {"slug": partner.slug, "pk": joint_review.pk}
    # The one publication of the joint review, prepared by this partnership: the partner signs
    # it off on its own page (R46); and a request to the partner's contributor's agency, which
    # the partner's contributor answers under the partner's address.
    joint_publication = Publication.objects.create(
        partnership=partnership,
        review=joint_review,
        review_type="cspr",
        title="Child J",
        reviewer_names="A Fictional Reviewer",
    )
    partner_agency = Membership.objects.get(
        user=partner_users[f"partner {AGENCY}"], partnership=partner
    ).agency
    partner.agencies.add(partner_agency)
    partner_request = AgencyRequest.objects.create(
        review=joint_review,
        agency=partner_agency,
        kind="agency_report",
        due_on=timezone.localdate() + datetime.timedelta(days=10),
        requested_by=business_unit_user,
        answered_in=partner,
    )
    return {
        "partner": partner,
        "offered_in": offered_in,
        "users": partner_users,
        "request_partner": {
            "slug": partnership.slug,
            "pk": joint_review.pk,
            "partner_pk": partner.pk,
        },
        "kwargs": {
            "publication:partner_sign_off": {"slug": partner.slug, "pk": joint_publication.pk},
            "reviews:request_detail": {"slug": partner.slug, "request_pk": partner_request.pk},
            "referrals:case": case_kwargs,
            "referrals:screening": case_kwargs,
            "referrals:became_aware": case_kwargs,
            "referrals:send_for_decision": case_kwargs,
            "referrals:notification_add": case_kwargs,
            "referrals:notification_summary": case_kwargs,
            "referrals:case_shares": case_kwargs,
            "referrals:case_share_end": {**case_kwargs, "share_pk": share.pk},
            "referrals:decision": {**case_kwargs, "track_pk": track.pk},
            "referrals:sign": {"slug": partner.slug, "pk": decision.pk},
            "referrals:decline": {"slug": partner.slug, "pk": decision.pk},
            "reviews:commission": {"slug": partner.slug, "case_pk": joint.pk},
            "reviews:start_rapid_review": {"slug": partner.slug, "case_pk": joint.pk},
            **dict.fromkeys(SHARED_REVIEW_PAGES, review_kwargs),
            **{
                f"actions:{name}": {"slug": partner.slug, "review_pk": joint_review.pk}
                for name in ("plan", "plan_docx", "plan_xlsx", "learning_add", "recommendation_add")
            },
        },
    }


def _outcome(response) -> str:
    if response.status_code == 405:
        return "post"
    if response.status_code in (403, 404):
        return str(response.status_code)
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
    seen = {role: _outcome(_client(users[role]).get(url)) for role in ROLES}
    assert seen == ACCESS[name], f"{name} ({url})"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/accounts/user/", "/admin/audit/auditevent/", "/admin/auth/group/"]
)
def test_system_administration_is_for_superusers_only(url, world):
    """Anonymous: to sign-in. Every role, and a staff account with every accounts permission
    (what Django's own admin would let in): refused. A superuser: in (ADR 0011)."""
    users, _, _ = world
    for role in ROLES:
        client = Client()
        if users[role] is None:
            response = client.get(url)
            assert response.status_code == 302, (role, url)
            assert "/admin/login/" in response.url or "/sign-in/" in response.url, (role, url)
            continue
        client.force_login(users[role])
        assert client.get(url).status_code == 403, (role, url)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="accounts"))
    client = Client()
    client.force_login(staff)
    assert client.get(url).status_code == 403, ("staff", url)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(url).status_code == 200, ("superuser", url)


def test_admin_namespace_is_the_only_one_outside_the_matrix():
    others = [name for name in ALL_NAMES if name not in ACCESS and not name.startswith("admin:")]
    assert others == []


# One answer for a record the user may not see (ADR 0010) --------------------------------------

MISSING = 999_999

# Each entity read by staff pages: a URL of one of its records and the URL argument that names
# the record (an id that does not exist replaces it).
RECORD_URLS = {
    "referral": ("referrals:detail", "pk"),
    "case": ("referrals:case", "pk"),
    "decision": ("referrals:sign", "pk"),
    "disagreement": ("referrals:disagreement_resolve", "disagreement_pk"),
    "disagreement with a sign-off": ("reviews:sign_off_disagreement_resolve", "disagreement_pk"),
    "decision's signatory": ("referrals:signatory_replace", "decision_maker_pk"),
    "review": ("reviews:detail", "pk"),
    "quality marker set": ("reviews:marker_set", "pk"),
    "rapid review": ("reviews:requests", "pk"),
    "agency request": ("reviews:request_detail", "request_pk"),
    "return": ("reviews:return_attachment", "return_pk"),
    "chronology": ("reviews:chronology", "pk"),
    "person in a review": ("reviews:person_identity", "person_pk"),
    "person's page": ("reviews:person", "person_pk"),
    "appointment": ("reviews:appointment", "appointment_pk"),
    "meeting": ("reviews:meeting", "meeting_pk"),
    "family contact": ("reviews:family_contact", "contact_pk"),
    "document version": ("reviews:document_download", "version_pk"),
    "action plan": ("actions:plan", "review_pk"),
    "recommendation": ("actions:recommendation_edit", "pk"),
    "action": ("actions:action", "pk"),
    "action evidence": ("actions:evidence", "evidence_pk"),
    "agency's actions": ("actions:agency", "agency_slug"),
    "publication": ("publication:detail", "pk"),
    "Home Office submission": ("publication:home_office_letter", "submission_pk"),
    "library record": ("library:record", "pk"),
    "search term": ("library:search_term_remove", "pk"),
    "digest issue": ("digests:issue", "pk"),
    "digest item": ("digests:item_edit", "item_pk"),
    "partnership's agency": ("setup:agency_rename", "pk"),
    "agency's email contact": ("setup:agency_contact_change", "contact_pk"),
    "decision maker": ("setup:decision_maker_change", "pk"),
    "milestone": ("clock:pause", "pk"),
    "retention hold": ("records:hold_lift", "pk"),
    "partnership role": ("partnership_roles:change", "pk"),
    "request for information": ("information_requests:detail", "pk"),
    "yearly report": ("reports:yearly_detail", "pk"),
    "yearly report recipient": ("reports:yearly_sent", "recipient_pk"),
}


def _status(user, name: str, kwargs: dict) -> int:
    return _client(user).get(reverse(name, kwargs=kwargs)).status_code


@pytest.mark.django_db
@pytest.mark.parametrize("entity", RECORD_URLS)
def test_a_record_outside_the_users_scope_answers_like_one_that_does_not_exist(entity, world):
    users, kwargs, _partnership = world
    name, key = RECORD_URLS[entity]
    existing = kwargs[name]
    missing = {**existing, key: "no-such-agency" if key == "agency_slug" else MISSING}
    # Another partnership's member, under this partnership's address and under their own.
    for slug in ("testshire", "elsewhere"):
        for variant in (existing, missing):
            assert _status(users["outsider"], name, {**variant, "slug": slug}) == 404, (
                entity,
                slug,
                variant,
            )
    # Members outside the record's scope (not appointed, another agency, a role that never
    # sees such records) get the same 404 as for an id that does not exist.
    hidden = [role for role in MEMBERS if ACCESS[name][role] == "404"]
    for role in hidden:
        assert _status(users[role], name, existing) == 404, (entity, role)
        assert _status(users[role], name, missing) == 404, (entity, role)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["notifications:detail", "notifications:attachment"])
def test_someone_elses_notification_answers_like_one_that_does_not_exist(name, world):
    users, kwargs, _partnership = world
    existing = kwargs[name]  # the business unit user's notification
    missing = {**existing, "pk": MISSING}
    for role in [*MEMBERS, "outsider"]:
        if role != BU:
            assert _status(users[role], name, existing) == 404, role
            assert _status(users[role], name, missing) == 404, role


# Every staff download is audited (core.files.file_response) ------------------------------------

DOWNLOADS = {
    "reviews:terms_document": ("format=docx", "review.report_downloaded"),
    "reviews:document_download": ("", "review.report_downloaded"),
    "reviews:return_attachment": ("", "agency_return.downloaded"),
    "reviews:rapid_review_report": ("format=docx", "review.report_downloaded"),
    "reviews:chronology_export": ("format=xlsx", "chronology.exported"),
    "reviews:chronology_template": ("format=csv", "chronology.template_downloaded"),
    "reviews:chronology_upload_file": ("", "chronology.file_downloaded"),
    "actions:plan_docx": ("", "action_plan.exported"),
    "actions:plan_xlsx": ("", "action_plan.exported"),
    "actions:tracker_xlsx": ("", "action_plan.exported"),
    "actions:evidence": ("", "action.evidence_downloaded"),
    "reports:annual_xlsx": ("", "action_plan.exported"),
    "reviews:national_returns_xlsx": ("", "national_return.exported"),
    "reports:figures_xlsx": ("", "report_figures.exported"),
    "reports:figures_docx": ("", "report_figures.exported"),
    "library:submission_download": ("", "library.submission_downloaded"),
    "referrals:notification_summary": ("format=txt", "case.summary_downloaded"),
    "notifications:attachment": ("", "notification.attachment_downloaded"),
    "publication:home_office_letter_download": ("", "publication.home_office_letter_downloaded"),
}


@pytest.mark.django_db
def test_every_staff_download_writes_one_audit_event_and_is_never_cached(world):
    from safeguarding.audit.models import AuditEvent

    users, kwargs, partnership = world
    client = Client()
    client.force_login(users["business_unit"])
    for name, (query, action) in DOWNLOADS.items():
        url = reverse(name, kwargs=kwargs.get(name, {"slug": partnership.slug}))
        before = AuditEvent.objects.filter(action=action).count()
        response = client.get(f"{url}?{query}" if query else url)
        assert response.status_code == 200, name
        assert response["Content-Disposition"].startswith("attachment; filename="), name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert "no-store" in response["Cache-Control"], name
        assert AuditEvent.objects.filter(action=action).count() == before + 1, name


CASE_CONTENT = ("referrals:", "reviews:", "actions:", "publication:", "reports:", "clock:")


def test_administrators_see_no_case_content():
    """DESIGN §2: an administrator manages people, roles and settings, and sees no referral,
    case, review, request, identity, action, publication or figure (ADR 0011)."""
    opened = [
        name
        for name, outcomes in ACCESS.items()
        if name.startswith(CASE_CONTENT) and outcomes["administrator"] == "allow"
    ]
    assert opened == []


# POSTs, appointed reviewers and panel members, links (issue 12, "Also prove") ------------------
#
# Every URL is POSTed by every role (anonymous, each member, the outsider under this partnership's
# address and under their own, and the reviewer and panel member appointed to the review), with
# the fields a browser would send from the page's own form. Who may not do it is refused (sign-in,
# 403, 404, or 405 where the URL takes no POST) and nothing changes: every row of every table and
# every stored file is compared before and after. Who may do it gets an answer, not an error.

# The URLs whose views take only GET (reads and downloads): a POST is answered 405 to anyone who
# gets that far; anonymous users are sent to sign in first on staff pages. Every other URL takes
# a POST (a form) and is checked against POST_ACCESS.
GET_ONLY = frozenset(
    {
        "healthz",
        "accounts:account",
        "accounts:signed_out",
        "accounts:password_reset_sent",
        "accounts:password_reset_complete",
        "workspace:staff_home",
        "workspace:partnership_home",
        "notifications:list",
        "notifications:detail",
        "notifications:attachment",
        "publication:home_office_letter_download",
        "public_site:home",
        "public_site:accessibility",
        "public_site:privacy",
        "public_site:reviews",
        "public_site:documents",
        "public_site:document_download",
        "public_page:manage",
        "audit:trail",
        "people:list",
        "people:person",
        "setup:agency_list",
        "setup:decision_maker_list",
        "setup:guidance_list",
        "refer:type_start",
        "refer:sent",
        "refer:word_form",
        "refer:status",
        "referrals:triage",
        "referrals:detail",
        "referrals:case",
        "referrals:notification_summary",
        "referrals:shares",
        "reviews:list",
        "reviews:detail",
        "reviews:documents",
        "reviews:document_download",
        "reviews:terms_document",
        "reviews:my_requests",
        "reviews:return_attachment",
        "reviews:rapid_review_report",
        "reviews:chronology",
        "reviews:chronology_export",
        "reviews:chronology_template",
        "reviews:chronology_upload_file",
        "actions:tracker",
        "actions:tracker_xlsx",
        "actions:agency",
        "actions:plan",
        "actions:plan_docx",
        "actions:plan_xlsx",
        "actions:action",
        "actions:evidence",
        "reports:annual",
        "reports:annual_xlsx",
        "reviews:national_returns",
        "reviews:national_returns_xlsx",
        "reviews:marker_sets",
        "reviews:marker_set",
        "reports:figures",
        "reports:figures_xlsx",
        "reports:figures_docx",
        "reports:figure_records",
        "reports:timeliness",
        "digests:list",
        "digests:issue",
        "digests:issue_preview",
        "digests_public:list",
        "digests_public:subscribe_sent",
        "digests_public:issue",
        "digests_public:pdf",
        "digests_public:docx",
        "publication:list",
        "publication:detail",
        "published:archive",
        "published:feed",
        "published:detail",
        "published:file",
        "library:search",
        "library:record",
        "library:national_reviews",
        "library:themes",
        "library:submission_download",
        "library_public:search",
        "library_public:record",
        "library_public:json",
        "clock:settings",
        "partnership_roles:list",
        "information_requests:list",
        "information_requests:case",
        "information_requests:detail",
        "reports:yearly_list",
        "reports:yearly_detail",
    }
)

# Where the POST differs from the GET matrix: the POST-only URLs (GET answers 405), and forms
# that more roles may read than may send.
POST_ACCESS = {
    "accounts:sign_out": SIGNED_IN,
    "notifications:mark_all_read": SIGNED_IN,  # each person's own notifications
    "reviews:move": CHANGE_RECORD,
    "reviews:request_chase": record(allow=[BU], forbid=[PL, AGENCY]),
    "reviews:requests": CHANGE_RECORD,
    # The contributor's agency returns the request; the review's readers see it (403).
    "reviews:request_detail": record(allow=[AGENCY], forbid=[BU, PL]),
    "digests:item_move": CHANGE_RECORD,
    "digests:item_remove": CHANGE_RECORD,
    "publication:start": CHANGE_RECORD,
    "publication:home_office": CHANGE_RECORD,
    # Partner leads read the review's set-up pages; only the business unit changes them.
    "reviews:terms": CHANGE_RECORD,
    "reviews:appointments": CHANGE_RECORD,
    "reviews:meetings": CHANGE_RECORD,
    "reviews:people": CHANGE_RECORD,
    "reviews:family": CHANGE_RECORD,
    "reviews:findings": CHANGE_RECORD,
    "reviews:quality": CHANGE_RECORD,
    "reviews:national_return": CHANGE_RECORD,
    "reviews:marker_set_archive": BUSINESS_UNIT_ONLY,
    "reviews:marker_archive": BUSINESS_UNIT_ONLY,
    "reviews:marker_restore": BUSINESS_UNIT_ONLY,
    "actions:themes": BUSINESS_UNIT_ONLY,
    "records:person_download": BUSINESS_UNIT_ONLY,
    # Removed records are put back by the business unit (the reviewer: meetings they record).
    "reviews:person_restore": CHANGE_RECORD,
    "reviews:appointment_restore": CHANGE_RECORD,
    "reviews:meeting_restore": CHANGE_RECORD,
    "reviews:family_contact_restore": CHANGE_RECORD,
    "reviews:requests_chase": CHANGE_RECORD,
}

# The reviewer and the panel member appointed to the local review and to the signed-off one (with
# its action plan), members with the same roles as the matrix's reviewer and panel member, who
# are appointed to nothing. DESIGN §2: "Panel member: the reviews they sit on; Reviewer: the
# reviews they are appointed to". They read the review's pages (not the real identities: 403),
# the appointed reviewer writes findings and uploads drafts, and neither changes anything else.
# Pages not listed answer them as the matrix's reviewer and panel member (404 for the rapid
# review, to which they are not appointed).
APPOINTED = ["appointed_reviewer", "appointed_panel_member"]
_READ_BY_APPOINTED = [
    "reviews:detail",
    "reviews:terms",
    "reviews:terms_document",
    "reviews:appointments",
    "reviews:meetings",
    "reviews:people",
    "reviews:family",
    "reviews:documents",
    "reviews:document_download",
    "reviews:quality",
    "reviews:findings",
    "reviews:sign_off",
    "reviews:chronology",
    "reviews:chronology_export",
    "reviews:chronology_template",
    "reviews:chronology_upload_file",  # the files the chronology they read came from
    "actions:plan",
    "actions:plan_docx",
    "actions:plan_xlsx",
    "actions:action",
    "actions:evidence",
]
_SEEN_NOT_CHANGED_BY_APPOINTED = [
    "reviews:person_identity",
    "reviews:person_proposal",
    "reviews:progress_check",
    "reviews:national_return",
    "reviews:reopen",
    "reviews:chronology_add",
    "reviews:chronology_upload",
    "actions:learning_add",
    "actions:finding_themes",
    "actions:recommendation_add",
    "actions:recommendation_edit",
    "actions:impact",
    "actions:action_add",
    "actions:action_edit",
    "actions:progress",
    "actions:completion_request",
    "actions:completion_decide",
    "actions:not_implemented",
    # What was entered in the review: changed, removed and put back by the business unit.
    "reviews:person",
    "reviews:person_remove",
    "reviews:appointment",
    "reviews:appointment_end",
    "reviews:family_contact",
    "reviews:family_contact_remove",
    # The review's agency requests: they read them; the business unit closes, re-addresses
    # and records returns.
    "reviews:request_close",
    "reviews:request_readdress",
    "reviews:request_record_return",
    # They read the sign-off; only its decision makers decline, only the business unit resolves.
    "reviews:sign_off_decline",
    "reviews:sign_off_disagreement_resolve",
]
APPOINTED_ACCESS = {
    **{name: dict.fromkeys(APPOINTED, "allow") for name in _READ_BY_APPOINTED},
    **{name: dict.fromkeys(APPOINTED, "403") for name in _SEEN_NOT_CHANGED_BY_APPOINTED},
    # The appointed reviewer writes findings and uploads drafts (can_edit_review_content).
    "reviews:requests": dict.fromkeys(APPOINTED, "404"),  # the rapid review's
    "reviews:document_upload": {"appointed_reviewer": "allow", "appointed_panel_member": "403"},
    "reviews:finding_edit": {"appointed_reviewer": "allow", "appointed_panel_member": "403"},
    # The appointed reviewer records meetings, so changes, removes and puts them back too.
    **{
        name: {"appointed_reviewer": "allow", "appointed_panel_member": "403"}
        for name in ("reviews:meeting", "reviews:meeting_remove")
    },
}
APPOINTED_POST_ACCESS = {
    # Read, but changed by the business unit only.
    **{
        name: dict.fromkeys(APPOINTED, "403")
        for name in (
            "reviews:terms",
            "reviews:appointments",
            "reviews:people",
            "reviews:family",
            "reviews:quality",
            "reviews:move",
            "publication:start",  # they see the signed-off review; publishing is not theirs
            "reviews:person_restore",
            "reviews:appointment_restore",
            "reviews:family_contact_restore",
        )
    },
    "reviews:meeting_restore": {"appointed_reviewer": "allow", "appointed_panel_member": "403"},
    # The reviewer writes the findings and records meetings (can_edit_review_content).
    "reviews:findings": {"appointed_reviewer": "allow", "appointed_panel_member": "403"},
    "reviews:meetings": {"appointed_reviewer": "allow", "appointed_panel_member": "403"},
    # A decision maker signs; the appointed may open the page (the service refuses them).
    "reviews:sign_off": dict.fromkeys(APPOINTED, "allow"),
}

# Records whose URL names a record of the partnership: the outsider (the other partnership's
# business unit) tries them under their own partnership's address too. The national milestone
# rules are not the partnership's records (each partnership sets its own offsets).
NOT_A_PARTNERSHIP_RECORD = {
    "clock:setting_edit",
    "records:retention_edit",
    "reports:figure_records",  # a figure's name, not a record
    "setup:decision_maker_add",  # a review type
    "setup:guidance_adopt",  # a national guidance version
    "setup:guidance_remove",  # the partnership's adoption, named by the national version
}  # a record type

POST_ROLES = [*ROLES, *APPOINTED]


def _base_role(role: str) -> str:
    return role.removeprefix("appointed_")


def expected_get(name: str, role: str) -> str:
    if role in APPOINTED and role in APPOINTED_ACCESS.get(name, {}):
        return APPOINTED_ACCESS[name][role]
    return ACCESS[name][_base_role(role)]


def expected_post(name: str, role: str) -> str:
    """What a POST by ``role`` answers: sign-in, 403, 404, 405 or allow."""
    base = _base_role(role)
    if name in GET_ONLY:
        anonymous_first = role == "anonymous" and ACCESS[name]["anonymous"] == "login"
        return "login" if anonymous_first else "405"
    if role in APPOINTED:
        if role in APPOINTED_POST_ACCESS.get(name, {}):
            return APPOINTED_POST_ACCESS[name][role]
        if role in APPOINTED_ACCESS.get(name, {}):
            return APPOINTED_ACCESS[name][role]
    return POST_ACCESS.get(name, ACCESS[name])[base]


def _post_outcome(response) -> str:
    return "405" if response.status_code == 405 else _outcome(response)


# The reviewer and panel member appointed to reviews (role: user), built with the world.
APPOINTED_USERS: dict[str, object] = {}


@pytest.fixture
def appointed(world) -> dict:
    """The reviewer and panel member appointed (linked accounts) to the local review and the
    signed-off one; not to the rapid review. Built once with the world (``_appoint``), in its
    transaction: a test's changes to them are rolled back with the test."""
    return APPOINTED_USERS


def _appoint(world) -> dict:
    from safeguarding.reviews.models import Appointment, Review

    _users, kwargs, partnership = world
    reviews = Review.objects.filter(
        pk__in=[kwargs["reviews:detail"]["pk"], kwargs["actions:plan"]["review_pk"]]
    )
    made = {}
    for role in ("reviewer", "panel_member"):
        user = UserFactory()
        MembershipFactory(user=user, partnership=partnership, role=role)
        for review in reviews:
            Appointment.objects.create(
                review=review,
                role=role,
                name=f"A Fictional {role.replace('_', ' ').title()}",
                user=user,
                appointed_on=timezone.localdate(),
            )
        made[f"appointed_{role}"] = user
    return made


def _url(name: str, kwargs: dict, partnership, **override) -> str:
    if name in kwargs:
        return reverse(name, kwargs={**kwargs[name], **override})
    try:
        return reverse(name)
    except Exception:
        return reverse(name, kwargs={"slug": partnership.slug, **override})


_HANDLER = ClientHandler(enforce_csrf_checks=False)


def _client(user, *, renewed_now: bool = False) -> Client:
    """A client signed in as ``user`` (None: anonymous): with the session the world signed the
    user in with (SESSIONS), or, for users made in a test, a new one.

    ``renewed_now``: the session is first marked renewed now (in the test's transaction), as a
    new sign-in would mark it, so the session middleware does not renew it (a write) for a
    minute; signing in again for each attempt (a session, last_login and an audit event) cost
    a quarter of the module's time."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore

    from safeguarding.accounts.middleware import SESSION_RENEWED_AT

    client = Client()
    # One handler for every client of the module: a new one loads the middleware again on its
    # first request (thousands of clients; about 3% of the module's time).
    client.handler = _HANDLER
    if user is None:
        return client
    if user.pk not in SESSIONS:
        client.force_login(user)
        return client
    client.cookies[settings.SESSION_COOKIE_NAME] = SESSIONS[user.pk]
    if renewed_now:
        session = SessionStore(session_key=SESSIONS[user.pk])
        session[SESSION_RENEWED_AT] = int(timezone.now().timestamp())
        session.save(must_create=False)
    return client


# "Nothing changed" -------------------------------------------------------------------------------

# Left out of the comparison, with the reason. Everything else (the audit trail, rate-limit hits,
# notifications, tasks, every app's tables) must be exactly as before a refused POST.
NOT_COMPARED = {
    # The test signs each client in (force_login) before the request, and the session middleware
    # may renew that session: a person's own session, no case data.
    "django_session": "sessions",
}


def table_snapshot() -> dict:
    """Every row of every table (hashed per table), but the tables of NOT_COMPARED."""
    import hashlib

    from django.db import connection

    tables = sorted(set(connection.introspection.table_names()) - set(NOT_COMPARED))
    snapshot = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = sorted(repr(tuple(row)) for row in cursor.fetchall())
            snapshot[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return snapshot


def stored_files() -> list[tuple[str, int]]:
    """Every stored file: its name under MEDIA_ROOT and its size."""
    import os

    from django.conf import settings

    media = str(settings.MEDIA_ROOT)
    return sorted(
        (
            os.path.relpath(os.path.join(folder, name), media),
            os.path.getsize(os.path.join(folder, name)),
        )
        for folder, _folders, names in os.walk(media)
        for name in names
    )


def data_snapshot() -> dict:
    """Every row of every table (hashed per table) and every stored file (name and size)."""
    return {**table_snapshot(), "<stored files>": stored_files()}


def rows_written() -> int | None:
    """How many rows this connection has inserted, updated or deleted so far: a counter that
    every INSERT, UPDATE and DELETE moves, in any table, even one that leaves a row as it was
    (SQLite's total_changes(); on PostgreSQL the current transaction's n_tup_ins, n_tup_upd and
    n_tup_del over every table of the public schema, where all the project's tables are, its
    savepoints included). None on another database, where every attempt is compared row by row.
    test_the_write_counter_sees_every_kind_of_write proves on each run that the counter moves for
    each kind of write."""
    from django.db import connection

    if connection.vendor == "sqlite":
        query = "SELECT total_changes()"
    elif connection.vendor == "postgresql":
        query = (
            "SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0)"
            " FROM pg_stat_xact_all_tables WHERE schemaname = 'public'"  # the project's tables
        )
    else:
        return None
    with connection.cursor() as cursor:
        cursor.execute(query)
        return int(cursor.fetchone()[0])


def tables_changed_by(send) -> list[str]:
    """The tables (less NOT_COMPARED) whose rows differ after ``send()``, which is run in a
    savepoint rolled back after it.

    Hashing every table before and after each attempt was most of the cost of the refused-POST
    test, so the row-by-row comparison is made only when it can find something: when the write
    counter (rows_written) did not move, no row was inserted, updated or deleted, and nothing
    changed. When it moved (a session renewed, or a write), the tables are hashed after
    ``send()``, the savepoint is rolled back to exactly the state before it, and hashed again."""
    counted = rows_written()
    after = None
    try:
        with transaction.atomic():
            send()
            if counted is None or rows_written() != counted:
                after = table_snapshot()
            raise _RolledBack
    except _RolledBack:
        pass
    if after is None:
        return []
    return changed_between(table_snapshot(), after)


def changed_between(before: dict, after: dict) -> list[str]:
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


# The form a browser would send -----------------------------------------------------------------


class _Page(HTMLParser):
    """The links and forms of a page; each form with the fields a browser would send."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "form":
            self._form = {
                "method": (attributes.get("method") or "get").lower(),
                "action": attributes.get("action", ""),
                "fields": [],  # (kind, name, value, checked)
                "options": {},  # select name -> [(value, selected)]
                "textareas": {},
            }
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attributes.get("name", "")
        if tag == "input" and name:
            self._form["fields"].append(
                (
                    attributes.get("type", "text").lower(),
                    name,
                    attributes.get("value", ""),
                    "checked" in attributes,
                )
            )
        elif tag == "select" and name:
            self._select = name
            self._form["options"][name] = []
        elif tag == "option" and self._select:
            self._form["options"][self._select].append(
                (attributes.get("value", ""), "selected" in attributes)
            )
        elif tag == "textarea" and name:
            self._textarea = name
            self._form["textareas"][name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["textareas"][self._textarea] += data


def _typed_value(kind: str, name: str) -> str:
    """A plausible value for an empty field, from its type and name."""
    lowered = name.lower()
    if lowered.endswith("day"):
        return "1"
    if lowered.endswith("month"):
        return "6"
    if lowered.endswith("year"):
        return str(timezone.localdate().year)
    if kind == "email" or "email" in lowered:
        return "fictional.person@example.org"
    if kind == "number":
        return "1"
    if kind == "url" or lowered.endswith("url"):
        return "https://example.org/fictional"
    if kind == "date":
        return timezone.localdate().isoformat()
    return "Fictional text"


def browser_post_data(form: dict, sample_pdf: bytes) -> dict:
    """The fields a browser would send from ``form`` with every field filled in plausibly:
    hidden values as given, the first option of each choice, typed text, a PDF for files."""
    data: dict[str, list] = {}
    radios_done: set[str] = set()
    for kind, name, value, checked in form["fields"]:
        if kind in ("submit", "button", "reset", "image"):
            continue
        if kind == "hidden":
            data.setdefault(name, []).append(value)
        elif kind == "radio":
            if checked:
                data[name] = [value]
                radios_done.add(name)
            elif name not in data and name not in radios_done:
                data[name] = [value]
        elif kind == "checkbox":
            if checked or name not in data:
                data.setdefault(name, []).append(value or "on")
        elif kind == "file":
            data[name] = [SimpleUploadedFile("fictional.pdf", sample_pdf, "application/pdf")]
        else:
            data[name] = [value or _typed_value(kind, name)]
    for name, options in form["options"].items():
        chosen = [v for v, selected in options if selected and v] or [
            v for v, _selected in options if v
        ][:1]
        if chosen:
            data[name] = chosen[:1]
    for name, text in form["textareas"].items():
        data[name] = [text.strip() or "Fictional text."]
    return {name: values if len(values) > 1 else values[0] for name, values in data.items()}


def _forms_posting_to(html: str, page_path: str, target_path: str) -> list[dict]:
    page = _Page()
    page.feed(html)
    found = []
    for form in page.forms:
        if form["method"] != "post":
            continue
        action = urlsplit(form["action"]).path or page_path
        if action == target_path:
            found.append(form)
    return found


# The harvested POST data of each URL name: the world is the same at the start of every test
# (each test's changes are rolled back), so each page is fetched for its form once per module.
HARVESTED: dict[str, dict] = {}


def harvested_form(name, users, kwargs, partnership, sample_pdf, appointed_users) -> dict:
    """The POST data for ``name`` (harvested once, then reused: send a ``_fresh`` copy)."""
    if name not in HARVESTED:
        HARVESTED[name] = _harvest_form(
            name, users, kwargs, partnership, sample_pdf, appointed_users
        )
    return HARVESTED[name]


def _harvest_form(name, users, kwargs, partnership, sample_pdf, appointed_users) -> dict:
    """The POST data for ``name``: its page's own form, as the first role that may send it sees
    it (most fields first); {} when no page of the URL shows a form (a POST-only button)."""
    every = {**users, **appointed_users}
    url = _url(name, kwargs, partnership)
    if name in GET_ONLY:
        return {}
    for role in [BU, PL, AGENCY, *APPOINTED, *MEMBERS, "anonymous"]:
        if expected_post(name, role) != "allow" or expected_get(name, role) != "allow":
            continue
        response = _client(every[role]).get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        forms = _forms_posting_to(response.content.decode(), url.split("?")[0], url.split("?")[0])
        if forms:
            largest = max(forms, key=lambda f: len(f["fields"]) + len(f["options"]))
            return browser_post_data(largest, sample_pdf)
    return {}


def _fresh(data: dict, sample_pdf: bytes) -> dict:
    """A copy whose uploads can be read again (an uploaded file is read once)."""
    return {
        key: SimpleUploadedFile(value.name, sample_pdf, value.content_type)
        if isinstance(value, SimpleUploadedFile)
        else value
        for key, value in data.items()
    }


class _RolledBack(Exception):
    pass


def post_and_roll_back(client: Client, url: str, data: dict):
    """POST inside a savepoint that is then rolled back, so that one role's allowed change does
    not alter what the next role meets. Returns the response or the exception raised."""

    outcome = None
    try:
        with transaction.atomic():
            try:
                outcome = client.post(url, data)
            except Exception as error:  # the view failed: reported as such
                outcome = error
            raise _RolledBack
    except _RolledBack:
        pass
    return outcome


@pytest.mark.django_db
@pytest.mark.parametrize("name", APP_NAMES)
def test_a_post_by_anyone_who_may_not_do_it_is_refused_and_changes_nothing(
    name, world, appointed, sample_pdf
):
    users, kwargs, partnership = world
    every = {**users, **appointed}
    url = _url(name, kwargs, partnership)
    data = harvested_form(name, users, kwargs, partnership, sample_pdf, appointed)
    attempts = [(role, url) for role in POST_ROLES if expected_post(name, role) != "allow"]
    # The outsider is the business unit of the other partnership: under its own address, a
    # record of this partnership must still be out of reach.
    names_a_record = set(kwargs.get(name, {})) - {"slug"}
    if (
        "slug" in kwargs.get(name, {})
        and names_a_record
        and ACCESS[name]["outsider"] != "allow"  # public pages are everyone's
        and name not in NOT_A_PARTNERSHIP_RECORD
    ):
        attempts.append(("outsider", _url(name, kwargs, partnership, slug="elsewhere")))
    problems = []
    for role, address in attempts:
        expected = expected_post(name, role) if address == url else "404"
        if address != url and name in GET_ONLY:
            expected = "405"
        # The session marked renewed before the comparison: one of the world's, older than a
        # minute, would be renewed by the request (a write).
        client = _client(every[role], renewed_now=True)
        files_before = stored_files()

        def send(client=client, address=address, expected=expected, role=role):
            for sent in (_fresh(data, sample_pdf), {}):
                answer = _post_outcome(client.post(address, sent))
                if answer != expected:
                    problems.append(
                        f"{role} at {address} with {sorted(sent)}: {answer}, not {expected}"
                    )

        changed = tables_changed_by(send)
        if stored_files() != files_before:
            changed.append("<stored files>")
        if changed:
            problems.append(f"{role} at {address}: a refused POST changed {changed}")
    assert not problems, f"{name}: " + "; ".join(problems)


@pytest.mark.django_db
def test_the_write_counter_sees_every_kind_of_write(world):
    """The refused-POST test trusts rows_written: when it has not moved, nothing was written.
    On this database, every kind of write moves it (an UPDATE that leaves the row as it was, a
    raw one, a write in a savepoint rolled back), and
    tables_changed_by finds each real change and nothing else."""
    from django.db import connection
    from django.db.models import F

    _users, kwargs, partnership = world
    hold = kwargs["records:hold_lift"]["pk"]
    notification = kwargs["notifications:detail"]["pk"]

    def raw_update():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE accounts_partnership SET name = name WHERE id = %s", [partnership.pk]
            )

    def rolled_back_insert():
        with pytest.raises(_RolledBack), transaction.atomic():
            PartnershipFactory(slug="rolled-back")
            raise _RolledBack

    writes = {
        # A new partnership gets its public content version (ADR 0023).
        "insert": (
            lambda: PartnershipFactory(slug="written"),
            ["accounts_partnership", "public_site_publiccontentversion"],
        ),
        "update": (
            lambda: Partnership.objects.filter(pk=partnership.pk).update(name="Renamed"),
            ["accounts_partnership"],
        ),
        "update to the same value": (
            lambda: Partnership.objects.filter(pk=partnership.pk).update(name=F("name")),
            [],
        ),
        "raw update to the same value": (raw_update, []),
        "delete, with what it cascades to": (
            lambda: Notification.objects.get(pk=notification).delete(),
            # An unread notification's delete lowers its person's kept count (ADR 0046).
            [
                "notifications_notification",
                "notifications_notificationattachment",
                "notifications_unreadcount",
            ],
        ),
        "delete through the ORM's collector": (
            lambda: RetentionHold.objects.get(pk=hold).delete(),
            ["records_retentionhold"],
        ),
        "insert in a savepoint rolled back": (rolled_back_insert, []),
    }
    counted = rows_written()
    for kind, (write, changed) in writes.items():
        if counted is not None:
            with transaction.atomic():
                before = rows_written()
                write()
                assert rows_written() > before, f"{connection.vendor}: {kind} not counted"
                transaction.set_rollback(True)
        assert tables_changed_by(write) == changed, kind
    assert tables_changed_by(lambda: None) == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(set(APP_NAMES) - GET_ONLY))
def test_a_post_by_anyone_who_may_do_it_gets_an_answer_not_an_error(
    name, world, appointed, sample_pdf
):
    """The browser's form and an empty POST, each rolled back after: the page (again, with what
    to correct), or a redirect; never a 5xx, a 403 or a 404. A 400 that says why on the page
    (a refusal of the service, e.g. an administrator resending an invitation that gives a role
    only the business unit gives) is an answer too."""
    users, kwargs, partnership = world
    every = {**users, **appointed}
    url = _url(name, kwargs, partnership)
    data = harvested_form(name, users, kwargs, partnership, sample_pdf, appointed)
    problems = []
    for role in POST_ROLES:
        if expected_post(name, role) != "allow":
            continue
        for sent in (_fresh(data, sample_pdf), {}):
            answer = post_and_roll_back(_client(every[role]), url, sent)
            if isinstance(answer, Exception):
                problems.append(f"{role} with {sorted(sent)}: {type(answer).__name__}: {answer}")
            elif not _is_an_answer(name, answer):
                problems.append(f"{role} with {sorted(sent)}: HTTP {answer.status_code}")
    assert not problems, f"{name}: " + "; ".join(problems)


# Accepting an invitation sets the password and sends the new member to sign in.
ANSWERED_BY_SIGN_IN = {"accounts:invitation_accept"}


def _is_an_answer(name: str, response) -> bool:
    if response.status_code == 400:
        return "govuk-error" in response.content.decode()
    outcome = _post_outcome(response)
    return outcome == "allow" or (outcome == "login" and name in ANSWERED_BY_SIGN_IN)


@pytest.mark.django_db
@pytest.mark.parametrize("name", APP_NAMES)
def test_the_appointed_reviewer_and_panel_member_open_their_reviews_and_nothing_more(
    name, world, appointed
):
    """The appointed open what DESIGN §2 gives them; the matrix's reviewer and panel member,
    with the same roles but appointed to nothing, get 404 for the same review pages: ACCESS
    says so, and test_who_may_open_each_page asks for the same URL as the same users (it is
    not asked again here)."""
    _users, kwargs, partnership = world
    url = _url(name, kwargs, partnership)
    seen = {role: _outcome(_client(appointed[role]).get(url)) for role in APPOINTED}
    assert seen == {role: expected_get(name, role) for role in APPOINTED}, f"{name} ({url})"
    if name in APPOINTED_ACCESS:
        for role in ("reviewer", "panel_member"):
            assert ACCESS[name][role] == "404", (name, role)


# Links a role cannot follow are not shown to it -----------------------------------------------

LINK_ROLES = [*ROLES, *APPOINTED]
CRAWL_LIMIT = 700  # the report figures link each number to its records (issue 17)


def _internal(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(("/static/", "/media/")):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.mark.django_db
@pytest.mark.parametrize("role", LINK_ROLES)
def test_no_page_shows_a_link_or_form_its_viewer_cannot_use(role, world, appointed, sample_pdf):
    """From every page the role may open, follow every link (and each GET form's action) to the
    service's own pages, page after page, and send each POST form as the page shows it (rolled
    back after): none answers 403 or 404. Anonymous users start on the public pages: a link to
    a staff page sends them to sign in, which is not a dead end."""
    users, kwargs, partnership = world
    user = {**users, **appointed}[role]
    client = _client(user)
    queue = [
        _url(name, kwargs, partnership)
        for name in APP_NAMES
        if expected_get(name, role) == "allow" and name not in ("accounts:sign_out",)
    ]
    status: dict[str, int] = {}
    shown_on: dict[str, str] = {}
    posts: dict[str, tuple[str, dict]] = {}
    while queue and len(status) < CRAWL_LIMIT:
        url = queue.pop(0)
        if url in status:
            continue
        response = client.get(url)
        status[url] = response.status_code
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        targets = list(page.links)
        for form in page.forms:
            action = form["action"] or url.split("?")[0]
            if form["method"] == "get":
                targets.append(action)
            elif "sign-out" not in action and _internal(action):
                posts.setdefault(_internal(action), (url, form))
        for href in targets:
            target = _internal(href)
            if target and "sign-out" not in target and target not in status:
                shown_on.setdefault(target, url)
                queue.append(target)
    dead = [
        f"{url} ({code}) shown on {shown_on.get(url, 'the start')}"
        for url, code in status.items()
        if code in (403, 404) and url in shown_on
    ]
    for action, (page_url, form) in posts.items():
        answer = post_and_roll_back(client, action, browser_post_data(form, sample_pdf))
        code = answer.status_code if not isinstance(answer, Exception) else 500
        if code in (403, 404) or code >= 500:
            dead.append(f"POST {action} ({code}) from the form on {page_url}")
    assert len(status) < CRAWL_LIMIT, "the crawl did not finish: raise CRAWL_LIMIT"
    assert not dead, f"{role}: " + "; ".join(dead)


# A case shared with another partnership (ADR 0022) ---------------------------------------------

PARTNER_ROLES = [f"partner {role}" for role in MEMBERS]
# What the partner's roles get on the shared case's pages, under the partner's own address:
# its business unit and partner leads read the case; its business unit records the decision of
# the track it decides, and may end the share; its decision maker (a partner lead) signs. The
# owner's pages for the case answer 403 to those who see the case, 404 to everyone else.
OWNER_ONLY = {f"partner {BU}": "403", f"partner {PL}": "403"}
# The review of the shared case (the share grants the review): its business unit and partner
# leads read the task list's pages and the chronology; the owner's change pages answer them 403;
# the agency requests, the rapid review's pages and the action plan stay the owner's (404).
READ_SHARED = {f"partner {BU}": "allow", f"partner {PL}": "allow"}
SHARED_REVIEW_PAGES = {
    **{
        f"reviews:{name}": READ_SHARED
        for name in (
            "detail",
            "terms",
            "terms_document",
            "appointments",
            "meetings",
            "people",
            "family",
            "documents",
            "quality",
            "findings",
            "sign_off",
            "chronology",
            "chronology_export",
            "chronology_template",
        )
    },
    **{
        f"reviews:{name}": OWNER_ONLY
        for name in (
            "document_upload",
            "reopen",
            "progress_check",
            "chronology_upload",
            "chronology_add",
        )
    },
    **{
        f"reviews:{name}": {}
        for name in (
            "requests",
            "immediate_actions",
            "rapid_review_outcome",
            "panel",
            "rapid_review_report",
        )
    },
}
SHARED_ACCESS = {
    **SHARED_REVIEW_PAGES,
    **{
        f"actions:{name}": {}
        for name in ("plan", "plan_docx", "plan_xlsx", "learning_add", "recommendation_add")
    },
    "referrals:case": {f"partner {BU}": "allow", f"partner {PL}": "allow"},
    # The partner signs off the one publication of the joint review (R46): its business unit
    # records it, its partner leads read it.
    "publication:partner_sign_off": READ_SHARED,
    # A request addressed to the partner's agency: its contributor answers it, and no one else
    # of the partner reaches it.
    "reviews:request_detail": {f"partner {AGENCY}": "allow"},
    "referrals:decision": {f"partner {BU}": "allow", f"partner {PL}": "403"},
    "referrals:case_share_end": {f"partner {BU}": "allow", f"partner {PL}": "403"},
    "referrals:sign": {f"partner {BU}": "403", f"partner {PL}": "allow"},
    # The partner records the notifications of the track it decides (its clock, ADR 0022).
    "referrals:notification_add": {f"partner {BU}": "allow", f"partner {PL}": "403"},
    "referrals:decline": {f"partner {BU}": "403", f"partner {PL}": "allow"},
    **dict.fromkeys(
        (
            "referrals:screening",
            "referrals:became_aware",
            "referrals:send_for_decision",
            "referrals:notification_summary",
            "referrals:case_shares",
            "reviews:commission",
            "reviews:start_rapid_review",
        ),
        OWNER_ONLY,
    ),
}
# Pages whose argument is national data, or the partnership's own setting, not a record of the
# owner's: they are the partner's own pages under its address.
MARKER_SET_RECORD_PAGES = {
    f"reviews:{name}"
    for name in (
        "marker_set",
        "marker_set_edit",
        "marker_set_archive",
        "marker_add",
        "marker_edit",
        "marker_archive",
        "marker_restore",
    )
}
NOT_THE_OWNERS_RECORD = {
    "clock:setting_edit",
    "records:retention_edit",
    "reports:figure_records",
    "setup:decision_maker_add",
    "refer:type_start",
    "refer:page",
    "refer:check",
    "refer:word_form",
    # Role first, then the record (ADR 0010: public or national records): members without the
    # role get 403 whatever the id; the partner's business unit gets 404 (asserted below).
    "public_page:block_edit",
    "public_page:document_archive",
    "library:national_review_remove",
    # The business unit's own roles pages: anyone else in the partnership is refused (403)
    # before the record is looked up; the partner's business unit gets 404 for the owner's role.
    "partnership_roles:change",
    "partnership_roles:end",
    # The partnership's own marker sets (ADR 0024): role first, then the record.
    *MARKER_SET_RECORD_PAGES,
}
# People and setup: the partnership's own people, agencies and decision makers (role first in
# its own area, then the record); no case content, and nothing a share opens.
PARTNERSHIPS_OWN_PAGES = ("people:", "setup:")
ROLE_FIRST = {
    *MARKER_SET_RECORD_PAGES,
    "public_page:block_edit",
    "public_page:document_archive",
    "library:national_review_remove",
}


def _expected_for_partner(name: str, role: str) -> str:
    if name in SHARED_ACCESS:
        return SHARED_ACCESS[name].get(role, "404")
    return "404"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SHARED_ACCESS))
def test_a_partner_reaches_a_shared_case_for_what_is_granted(name, world):
    users, kwargs, _partnership = world
    url = reverse(name, kwargs=kwargs["shared"][name])
    seen = {role: _outcome(_client(users[role]).get(url)) for role in PARTNER_ROLES}
    assert seen == {role: _expected_for_partner(name, role) for role in PARTNER_ROLES}, url


@pytest.mark.django_db
@pytest.mark.parametrize("name", APP_NAMES)
def test_a_partner_gets_404_for_every_record_of_the_owner_it_was_not_granted(name, world):
    """Every page of one of the owner's records, asked for under the partner's own address
    (and under the owner's, where the partner is no member), answers 404 to each of the
    partner's roles (a POST for the pages that take only a POST, rolled back): a share opens
    the shared case's granted pages only."""
    users, kwargs, partnership = world
    record_kwargs = kwargs.get(name, {})
    if (
        name in NOT_THE_OWNERS_RECORD - ROLE_FIRST
        or name.startswith(PARTNERSHIPS_OWN_PAGES)
        or "slug" not in record_kwargs
        or set(record_kwargs) == {"slug"}
    ):
        pytest.skip("not a record of the owner's under its address")
    # A public page of the owner's is public under the owner's address: only the partner's is
    # asked.
    slugs = ("partnershire",) if ACCESS[name] == PUBLIC else ("partnershire", partnership.slug)
    for slug in slugs:
        url = reverse(name, kwargs={**record_kwargs, "slug": slug})
        for role in PARTNER_ROLES:
            client = _client(users[role])
            response = client.get(url)
            if response.status_code == 405:
                response = post_and_roll_back(client, url, {})
            outcome = _outcome(response)
            if name in ROLE_FIRST and slug == "partnershire" and role != f"partner {BU}":
                assert outcome == "403", (name, slug, role)
            else:
                assert outcome == "404", (name, slug, role, url)
