import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from safeguarding.accounts.models import Membership, Partnership, User
from safeguarding.accounts.tests.factories import MembershipFactory
from safeguarding.audit.services import audit_record
from safeguarding.public_site.models import ContentBlock, PublicDocument
from safeguarding.referrals.models import Case, Disagreement, Referral
from safeguarding.reviews.models import ChronologyEntry
from safeguarding.workspace.demo_content import DEMO_PASSWORD, USERS


@pytest.mark.django_db
def test_member_of_one_partnership_goes_straight_to_its_home(client_for, partnership):
    response = client_for("panel_member").get(reverse("workspace:staff_home"))
    assert response.url == reverse("workspace:partnership_home", args=[partnership.slug])


@pytest.mark.django_db
def test_member_of_two_partnerships_chooses_one(client, business_unit_user, other_partnership):
    MembershipFactory(user=business_unit_user, partnership=other_partnership, role="reviewer")
    client.force_login(business_unit_user)
    html = client.get(reverse("workspace:staff_home")).content.decode()
    assert "Testshire Safeguarding Partnership" in html
    assert "Elsewhere Safeguarding Partnership" in html
    assert "Your roles: Reviewer" in html


@pytest.mark.django_db
def test_someone_with_no_role_is_told_what_to_do(client):
    from safeguarding.accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    html = client.get(reverse("workspace:staff_home")).content.decode()
    assert "You do not have a role in any partnership yet" in html


@pytest.mark.django_db
def test_business_unit_home_shows_page_counts_and_recent_activity(bu_client, partnership):
    html = bu_client.get(reverse("workspace:partnership_home", args=["testshire"])).content.decode()
    assert "Change the public Reviews page" in html
    assert "See who did what, and when" in html
    assert "Recent activity" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("agency_contributor", "There are no requests for your agency"),
        ("panel_member", "You have not been added to any review yet"),
        ("reviewer", "You have not been added to any review yet"),
        ("partner_lead", "No decisions are waiting for your signature"),
        ("administrator", "You do not see case content"),
    ],
)
def test_other_roles_see_their_own_work_and_no_business_unit_links(client_for, role, expected):
    html = client_for(role).get(reverse("workspace:partnership_home", args=["testshire"]))
    html = html.content.decode()
    assert expected in html
    assert "Change the public Reviews page" not in html
    assert "Audit trail" not in html


@pytest.mark.django_db
def test_staff_home_query_count_does_not_grow_with_activity(
    bu_client, partnership, business_unit_user, django_assert_max_num_queries
):
    for _ in range(50):
        audit_record(action="public_page.block_added", actor=business_unit_user, target=partnership)
    _milestones(partnership, 30)
    # +1: the unread notifications count; +4: the counts of cases, reviews and new referrals;
    # +1: review sign-off disagreements to resolve (ADR 0019); +1: shared cases waiting to be
    # answered (ADR 0022). Issue 16: 23 -> 21, the cases' counts by status and overdue in one
    # aggregate, the role labels from the roles the request has read; 21 -> 18 (17 on SQLite,
    # 18 on PostgreSQL run alone), the counts of new referrals, shares waiting, sections and
    # documents in one query (ADR 0050).
    with django_assert_max_num_queries(18):
        bu_client.get(reverse("workspace:partnership_home", args=["testshire"]))


def _milestones(partnership, count: int):
    import datetime

    from django.utils import timezone

    from safeguarding.clock.models import Milestone, MilestoneRule, subject_type_for

    rule = MilestoneRule.objects.get(code="cspr-serious-incident-notification")
    today = timezone.localdate()
    rows = []
    for n in range(count):
        due = today + datetime.timedelta(days=(n % 9) - 4)
        rows.append(
            Milestone(
                partnership=partnership,
                rule=rule,
                subject_type=subject_type_for(partnership),
                subject_id=10_000 + n,
                subject_label=f"Referral R2026-TEST{n:02d}",
                offset_amount=5,
                offset_unit="working_days",
                starts_on=due,
                due_on=due,
                original_due_on=due,
                status="paused" if n % 5 == 0 else "due",
                paused_reason="Criminal trial" if n % 5 == 0 else "",
            )
        )
    Milestone.objects.bulk_create(rows)


@pytest.mark.django_db
def test_business_unit_dashboard_shows_overdue_due_soon_and_paused_with_rules(
    bu_client, partnership
):
    _milestones(partnership, 9)
    html = bu_client.get(reverse("workspace:partnership_home", args=["testshire"])).content
    html = html.decode()
    assert "Statutory deadlines" in html
    assert "Overdue (" in html
    assert "Due in the next 5 working days (" in html
    assert "Paused: Criminal trial" in html
    assert "R2" in html
    assert "Notify the Child Safeguarding Practice Review Panel" in html


@pytest.mark.django_db
def test_dashboard_has_helpful_empty_states(bu_client, partnership):
    html = bu_client.get(reverse("workspace:partnership_home", args=["testshire"])).content
    assert "Nothing is overdue." in html.decode()


@pytest.mark.django_db
def test_demo_data_loads_once_and_every_demo_user_can_sign_in():
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)  # a second run changes nothing
    assert Partnership.objects.count() == 2
    assert User.objects.count() == len(USERS)
    assert ContentBlock.objects.count() == 9
    assert Referral.objects.count() == 9
    assert set(Referral.objects.values_list("status", flat=True)) == {
        "new",
        "in_screening",
        "awaiting_decision",
        "decided",
    }
    multi_track = Case.objects.get(pseudonym="Young person E")
    assert set(multi_track.tracks.values_list("review_type", flat=True)) == {"cspr", "dhr"}
    assert multi_track.referrals.count() == 2
    # A joint SAR/DHR shared with the Community Safety Partnership, which decided the DHR with
    # its own decision maker; one joint review (ADR 0022).
    joint = Case.objects.get(pseudonym="Adult G")
    share = joint.shares.get()
    assert (share.partner.slug, share.state, share.decides_review_type) == (
        "riverton-community-safety",
        "accepted",
        "dhr",
    )
    assert joint.tracks.get(review_type="dhr").decided_by == share.partner
    assert joint.tracks.get(review_type="dhr").decision.signatures.get().capacity == (
        "Community Safety Partnership chair"
    )
    assert joint.reviews.get().kind == "joint"
    # A disagreement to resolve, and one resolved by escalation before the decision was final.
    assert sorted(Disagreement.objects.values_list("kind", "resolution")) == [
        ("declined", "sign"),
        ("disagreed", ""),
    ]
    kinds = set(multi_track.reviews.values_list("kind", "stage"))
    assert kinds == {("rapid_review", "submitted_to_panel"), ("lcspr", "commissioning")}
    assert ChronologyEntry.objects.filter(review__case=multi_track).count() == 4
    assert PublicDocument.objects.count() == 5
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {
        "business_unit",
        "partner_lead",
        "panel_member",
        "reviewer",
        "agency_contributor",
        "administrator",
    }
    # The people pages: the demo's people and one invitation waiting (ADR 0011).
    people = Client()
    people.post(
        reverse("accounts:sign_in"),
        {"username": "business.unit@riverton.example", "password": DEMO_PASSWORD},
    )
    page = people.get(reverse("people:list", args=["riverton-safeguarding"]))
    assert page.status_code == 200
    assert {row.user.email for row in page.context["rows"]} >= {"admin@riverton.example"}
    assert [i.email for i in page.context["invitations"]] == ["jordan.ellis@riverton.example"]
    for email, *_ in USERS:
        client = Client()
        response = client.post(
            reverse("accounts:sign_in"), {"username": email, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, email
        home = client.get(response.url, follow=True)
        assert home.status_code == 200, email


@pytest.mark.django_db
def test_partner_lead_home_lists_decisions_awaiting_their_signature(
    client, partnership, business_unit_user
):
    from django.utils import timezone

    from safeguarding.referrals import services
    from safeguarding.referrals.tests.staff_support import make_case, name_decision_makers

    signers = name_decision_makers(partnership)
    case = make_case(partnership, business_unit_user, pseudonym="Child Z")
    (track,) = services.case_send_for_decision(
        case=case, review_types=["cspr"], actor=business_unit_user
    )
    services.decision_record(
        track=track,
        outcome="no_further_review",
        rationale="Fictional reasons.",
        decided_on=timezone.localdate(),
        actor=business_unit_user,
    )
    client.force_login(signers["Police"])
    html = client.get(reverse("workspace:partnership_home", args=["testshire"])).content.decode()
    assert "1 decision needs your signature" in html
    assert "(Child Z)" in html
    assert "See referrals and cases" in html


@pytest.mark.django_db
def test_the_demo_shows_every_feature_with_data():
    """Family contacts, quality assessments, a published review with its whole chronology, a
    planned meeting and notices in "Your notifications" for more than the agencies."""
    from safeguarding.notifications.models import Notification
    from safeguarding.reviews.models import FamilyContact, QualityAssessment, Review
    from safeguarding.workspace.management.commands.load_demo import load_demo

    load_demo()
    assert FamilyContact.objects.filter(review__stage="signed_off").exists()
    assert FamilyContact.objects.exclude(review__stage="signed_off").exists()
    assert FamilyContact.objects.filter(kind="advocacy_signposted", review__kind="dhr").exists()
    assert QualityAssessment.objects.filter(review__stage="signed_off").exists()
    assert QualityAssessment.objects.exclude(review__stage="signed_off").exists()
    published = Review.objects.filter(publication__status="published", chronology__isnull=False)
    review = published.distinct().get()
    assert review.chronology.values("agency").distinct().count() >= 3
    assert review.chronology.count() >= 8
    noticed = set(Notification.objects.values_list("recipient__email", flat=True))
    assert "business.unit@riverton.example" in noticed
    assert "reviewer@riverton.example" in noticed  # the meeting invitation
    client = Client()
    client.force_login(User.objects.get(email="business.unit@riverton.example"))
    html = client.get(reverse("notifications:list")).content.decode()
    assert "You have no notifications yet" not in html


@pytest.mark.django_db
def test_demo_shows_partners_a_delegates_signature_a_yearly_report_and_requests():
    """Issue 14 §2 in the demo: leads, delegates and a chair; a decision signed by a delegate;
    a yearly report with its recipients; one open and one answered request for information."""
    from safeguarding.accounts.models import PartnershipRole
    from safeguarding.information_requests.models import InformationRequest
    from safeguarding.referrals.models import Signature
    from safeguarding.reports.models import YearlyReport
    from safeguarding.workspace.management.commands.load_demo import load_demo

    load_demo()
    kinds = sorted(PartnershipRole.objects.values_list("kind", flat=True))
    assert kinds == ["chair", "delegate", "delegate", "delegate", "lead", "lead", "lead"]
    by_delegate = Signature.objects.filter(role_kind="delegate")
    assert by_delegate.exists()
    assert "delegated by" in by_delegate.first().signed_as
    report = YearlyReport.objects.get(kind="children")
    assert report.recipients.filter(sent_on__isnull=False).count() == 1
    assert set(InformationRequest.objects.values_list("status", flat=True)) == {"open", "answered"}
    client = Client()
    client.force_login(User.objects.get(email="business.unit@riverton.example"))
    slug = "riverton-safeguarding"
    roles_page = client.get(reverse("partnership_roles:list", args=[slug])).content.decode()
    assert "Aisha Bello" in roles_page and "Rosalind Achebe" in roles_page
    decision = by_delegate.first().decision
    case_page = client.get(
        reverse("referrals:case", args=[slug, decision.track.case_id])
    ).content.decode()
    assert "Signed as Delegated Safeguarding Partner" in case_page


@pytest.mark.django_db
def test_the_home_counts_the_new_referrals_only(bu_client, partnership, other_partnership):
    """The figure is counted on its own (issue 16), not with every status of every referral."""
    from safeguarding.referrals.models import Status
    from safeguarding.referrals.tests.staff_support import make_referral

    for _ in range(3):
        make_referral(partnership)
    screened = make_referral(partnership)
    Referral.objects.filter(pk=screened.pk).update(status=Status.IN_SCREENING)
    make_referral(other_partnership)

    html = bu_client.get(reverse("workspace:partnership_home", args=["testshire"])).content
    assert "New referrals: 3</a>" in html.decode()
