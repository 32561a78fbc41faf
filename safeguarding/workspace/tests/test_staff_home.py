import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from safeguarding.accounts.models import Membership, Partnership, User
from safeguarding.accounts.tests.factories import MembershipFactory
from safeguarding.audit.services import audit_record
from safeguarding.public_site.models import ContentBlock, PublicDocument
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
    with django_assert_max_num_queries(13):
        bu_client.get(reverse("workspace:partnership_home", args=["testshire"]))


@pytest.mark.django_db
def test_demo_data_loads_once_and_every_demo_user_can_sign_in():
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)  # a second run changes nothing
    assert Partnership.objects.count() == 2
    assert User.objects.count() == len(USERS)
    assert ContentBlock.objects.count() == 8
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
    for email, *_ in USERS:
        client = Client()
        response = client.post(
            reverse("accounts:sign_in"), {"username": email, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, email
        home = client.get(response.url, follow=True)
        assert home.status_code == 200, email
