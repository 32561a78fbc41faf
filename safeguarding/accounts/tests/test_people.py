"""The people pages (issue 13 item 2, ADR 0011): inviting by email, accepting, changing roles,
deactivating and reactivating, all audited, with the rules against giving oneself or others
more than one may."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Deactivation, Invitation, Membership, Role, User
from safeguarding.accounts.people import services
from safeguarding.accounts.people.selectors import token_hash
from safeguarding.accounts.tests.factories import (
    AgencyFactory,
    MembershipFactory,
    PartnershipFactory,
    UserFactory,
)
from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError

pytestmark = pytest.mark.django_db

STRONG = "a-long-fictional-passphrase-91"
LINK = re.compile(r"^(\S*/invitation/[^/\s]+/)$", re.MULTILINE)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run ``call`` and the emails it sends after its transaction commits."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


@pytest.fixture
def administrator(user_for_role):
    return user_for_role(Role.ADMINISTRATOR, email="admin@testshire.example")


def _sign_in(client, email: str, password: str) -> bool:
    response = client.post(reverse("accounts:sign_in"), {"username": email, "password": password})
    return response.status_code == 302


def _link(message) -> str:
    return LINK.search(message.body).group(1)


def _path(link: str) -> str:
    return link[link.index("/invitation/") :]


def _invite(send, partnership, actor, **overrides):
    values = {
        "email": "new.person@testshire.example",
        "full_name": "New Person",
        "roles": [Role.REVIEWER],
        "agency": None,
    }
    values.update(overrides)
    return send(
        services.invitation_create,
        partnership=partnership,
        actor=actor,
        link_for=lambda path: f"http://testserver{path}",
        **values,
    )


# Inviting ------------------------------------------------------------------------------------


def test_the_business_unit_invites_an_agency_contributor_after_checking(
    bu_client, partnership, agency, business_unit_user, send
):
    url = reverse("people:invite", args=[partnership.slug])
    form = bu_client.get(url)
    assert form.status_code == 200
    assert "Agency contributor" in form.content.decode()
    response = bu_client.post(
        url,
        {
            "email": "Police.Lead@Testshire.Example",
            "full_name": "Pat Fictional",
            "roles": [Role.AGENCY_CONTRIBUTOR],
            "agency": agency.pk,
        },
    )
    check = reverse("people:invite_check", args=[partnership.slug])
    assert response.status_code == 302 and response.url == check
    page = bu_client.get(check).content.decode()
    assert "police.lead@testshire.example" in page and agency.name in page
    assert not Invitation.objects.exists()

    response = send(bu_client.post, check)

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "police.lead@testshire.example"
    assert invitation.roles == [Role.AGENCY_CONTRIBUTOR] and invitation.agency == agency
    assert invitation.invited_by == business_unit_user
    assert invitation.status == Invitation.Status.PENDING
    (message,) = mail.outbox
    assert message.to == ["police.lead@testshire.example"]
    link = _link(message)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert invitation.token_hash == token_hash(token) and token not in invitation.token_hash
    event = AuditEvent.objects.get(action="person.invited")
    assert event.actor == business_unit_user and event.partnership == partnership
    assert event.payload["roles"] == [Role.AGENCY_CONTRIBUTOR]
    listed = bu_client.get(reverse("people:list", args=[partnership.slug])).content.decode()
    assert "Pat Fictional" in listed and "Invitation sent" in listed


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"email": "not-an-email"}, "email", "Enter an email address in the correct format"),
        ({"roles": []}, "roles", "Choose at least one role"),
        (
            {"roles": [Role.AGENCY_CONTRIBUTOR], "agency": ""},
            "agency",
            "Choose the agency this person works for",
        ),
        ({"email": "member@testshire.example"}, "email", "already a member of the partnership"),
        ({"email": "taken@testshire.example"}, "email", "already been invited"),
        ({"full_name": ""}, "full_name", "Enter their full name"),
    ],
)
def test_bad_input_on_the_invite_form_shows_errors_and_changes_nothing(
    bu_client, partnership, business_unit_user, user_for_role, send, data, field, message
):
    user_for_role(Role.REVIEWER, email="member@testshire.example")
    taken = _invite(send, partnership, business_unit_user, email="taken@testshire.example")
    mail.outbox.clear()
    values = {
        "email": "someone@testshire.example",
        "full_name": "Some One",
        "roles": [Role.REVIEWER],
        "agency": "",
    }
    values.update(data)
    response = bu_client.post(reverse("people:invite", args=[partnership.slug]), values)
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and message in page
    assert field in response.context["form"].errors
    assert list(Invitation.objects.all()) == [taken]
    assert mail.outbox == []


def test_a_business_unit_member_cannot_invite_themself(bu_client, partnership, business_unit_user):
    response = bu_client.post(
        reverse("people:invite", args=[partnership.slug]),
        {"email": business_unit_user.email, "full_name": "Me", "roles": [Role.REVIEWER]},
    )
    assert "You cannot invite yourself" in response.content.decode()


def test_an_agency_of_another_partnership_cannot_be_chosen(
    bu_client, partnership, other_partnership, agency
):
    partnership.agencies.add(agency)
    elsewhere = AgencyFactory(name="Elsewhere Police")
    other_partnership.agencies.add(elsewhere)
    response = bu_client.post(
        reverse("people:invite", args=[partnership.slug]),
        {
            "email": "x@testshire.example",
            "full_name": "X",
            "roles": [Role.AGENCY_CONTRIBUTOR],
            "agency": elsewhere.pk,
        },
    )
    assert "agency" in response.context["form"].errors
    assert not Invitation.objects.exists()


@override_settings(INVITATION_VALID_DAYS=3)
def test_the_link_works_for_the_configured_days(partnership, business_unit_user, send):
    before = timezone.now()
    invitation = _invite(send, partnership, business_unit_user)
    assert (
        before + datetime.timedelta(days=3)
        <= invitation.expires_at
        <= timezone.now() + datetime.timedelta(days=3)
    )
    assert "3 days" in mail.outbox[0].body


# Accepting -----------------------------------------------------------------------------------


def test_the_invitee_sets_a_password_then_signs_in_to_their_agency_only(
    partnership, agency, business_unit_user, send
):
    invitation = _invite(
        send,
        partnership,
        business_unit_user,
        roles=[Role.AGENCY_CONTRIBUTOR],
        agency=agency,
    )
    path = _path(_link(mail.outbox[0]))
    visitor = Client()
    page = visitor.get(path)
    assert page.status_code == 200
    assert "Set your password" in page.content.decode() and agency.name in page.content.decode()

    weak = visitor.post(path, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 200 and "govuk-error-summary" in weak.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()

    done = visitor.post(path, {"new_password1": STRONG, "new_password2": STRONG})
    assert done.status_code == 302 and done.url == reverse("accounts:sign_in")
    user = User.objects.get(email=invitation.email)
    assert user.full_name == "New Person" and user.check_password(STRONG)
    membership = Membership.objects.get(user=user)
    assert (membership.partnership, membership.role, membership.agency) == (
        partnership,
        Role.AGENCY_CONTRIBUTOR,
        agency,
    )
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED and invitation.user == user
    accepted = AuditEvent.objects.get(action="person.invitation_accepted")
    assert accepted.actor == user and accepted.partnership == partnership
    # Audited by the service only: no second event from the safety net.
    assert (
        not AuditEvent.objects.filter(action="membership.added", actor=None)
        .filter(object_label__startswith="New Person")
        .exists()
    )

    signed_in = Client()
    assert _sign_in(signed_in, user.email, STRONG)
    assert signed_in.get(reverse("reviews:my_requests", args=[partnership.slug])).status_code == 200
    assert signed_in.get(reverse("referrals:triage", args=[partnership.slug])).status_code == 403

    used = Client().get(path)
    assert used.status_code == 410 and "This invitation has been used" in used.content.decode()


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_after_accepting_the_new_user_is_led_to_set_up_two_factor(
    partnership, business_unit_user, send
):
    _invite(send, partnership, business_unit_user)
    path = _path(_link(mail.outbox[0]))
    visitor = Client()
    visitor.post(path, {"new_password1": STRONG, "new_password2": STRONG})
    response = visitor.post(
        reverse("accounts:sign_in"),
        {"username": "new.person@testshire.example", "password": STRONG},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:two_factor_setup")


def test_expired_cancelled_unknown_and_replaced_links_show_clear_pages(
    partnership, business_unit_user, send
):
    invitation = _invite(send, partnership, business_unit_user)
    first = _path(_link(mail.outbox[0]))
    services.invitation_resend(
        invitation=invitation, actor=business_unit_user, link_for=lambda p: f"http://x{p}"
    )
    # Sent again: only the newest link works.
    invitation.refresh_from_db()
    assert invitation.send_count == 2
    replaced = Client().get(first)
    assert replaced.status_code == 404 and "not valid" in replaced.content.decode()

    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    invitation.refresh_from_db()
    # Made directly, so that this test knows a token (the emails of on_commit are not run).
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=token_hash("known-token"))
    expired = Client().get("/invitation/known-token/")
    assert expired.status_code == 410 and "This invitation has expired" in expired.content.decode()
    assert (
        Client()
        .post("/invitation/known-token/", {"new_password1": STRONG, "new_password2": STRONG})
        .status_code
        == 410
    )
    assert not User.objects.filter(email=invitation.email).exists()

    services.invitation_cancel(invitation=invitation, actor=business_unit_user)
    cancelled = Client().get("/invitation/known-token/")
    assert cancelled.status_code == 410
    assert "This invitation has been cancelled" in cancelled.content.decode()
    assert AuditEvent.objects.filter(action="person.invitation_cancelled").count() == 1
    assert AuditEvent.objects.filter(action="person.invitation_resent").count() == 1


def test_an_invitation_gives_only_what_its_sender_may_still_give(
    partnership, business_unit_user, user_for_role, send
):
    other_unit = user_for_role(Role.BUSINESS_UNIT)
    invitation = _invite(send, partnership, business_unit_user)
    path = _path(_link(mail.outbox[0]))
    services.person_roles_change(
        partnership=partnership,
        actor=other_unit,
        person=business_unit_user,
        roles=[Role.REVIEWER],
        agency=None,
    )
    response = Client().post(path, {"new_password1": STRONG, "new_password2": STRONG})
    assert "no longer valid" in response.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()


def test_someone_with_an_account_signs_in_to_accept(
    partnership, other_partnership, business_unit_user, send
):
    existing = UserFactory(email="existing@testshire.example")
    MembershipFactory(user=existing, partnership=other_partnership, role=Role.REVIEWER)
    _invite(send, partnership, business_unit_user, email="existing@testshire.example")
    path = _path(_link(mail.outbox[0]))
    anonymous = Client().get(path)
    assert "Sign in to accept the invitation" in anonymous.content.decode()
    # The password of the existing account cannot be set from the link.
    Client().post(path, {"new_password1": STRONG, "new_password2": STRONG})
    existing.refresh_from_db()
    assert not existing.check_password(STRONG)
    assert not Membership.objects.filter(user=existing, partnership=partnership).exists()

    someone_else = Client()
    someone_else.force_login(business_unit_user)
    assert "for someone else" in someone_else.get(path).content.decode()

    client = Client()
    client.force_login(existing)
    assert "Accept the invitation" in client.get(path).content.decode()
    response = client.post(path)
    assert response.status_code == 302
    assert Membership.objects.filter(
        user=existing, partnership=partnership, role=Role.REVIEWER
    ).exists()


# The list ------------------------------------------------------------------------------------


def test_the_list_searches_filters_and_pages(bu_client, partnership, user_for_role):
    for n in range(30):
        user_for_role(Role.PANEL_MEMBER, full_name=f"Panel Person {n:02}")
    user_for_role(Role.REVIEWER, full_name="Ruth Fictional", email="ruth@testshire.example")
    url = reverse("people:list", args=[partnership.slug])
    first = bu_client.get(url)
    assert len(first.context["rows"]) == 25
    assert "Page 1 of 2" in first.content.decode()
    second = bu_client.get(url, {"page": 2})
    assert len(second.context["rows"]) == 7  # 30 + the reviewer + the business unit
    found = bu_client.get(url, {"q": "RUTH@"})
    assert [row.user.full_name for row in found.context["rows"]] == ["Ruth Fictional"]
    reviewers = bu_client.get(url, {"role": Role.REVIEWER})
    assert [row.user.full_name for row in reviewers.context["rows"]] == ["Ruth Fictional"]


def test_people_of_another_partnership_are_not_found(bu_client, partnership, other_partnership):
    stranger = UserFactory()
    MembershipFactory(user=stranger, partnership=other_partnership, role=Role.REVIEWER)
    url = reverse("people:person", args=[partnership.slug, stranger.pk])
    assert bu_client.get(url).status_code == 404
    listed = bu_client.get(reverse("people:list", args=[partnership.slug])).content.decode()
    assert stranger.full_name not in listed
    assert bu_client.get(reverse("people:list", args=[other_partnership.slug])).status_code == 404


# Roles ---------------------------------------------------------------------------------------


def test_the_business_unit_changes_roles_and_the_change_is_audited_from_and_to(
    bu_client, partnership, agency, business_unit_user, user_for_role
):
    reviewer = user_for_role(Role.REVIEWER)
    partnership.agencies.add(agency)
    url = reverse("people:person_roles", args=[partnership.slug, reviewer.pk])
    response = bu_client.post(
        url, {"roles": [Role.PANEL_MEMBER, Role.AGENCY_CONTRIBUTOR], "agency": agency.pk}
    )
    assert response.status_code == 302
    assert set(Membership.objects.filter(user=reviewer).values_list("role", flat=True)) == {
        Role.PANEL_MEMBER,
        Role.AGENCY_CONTRIBUTOR,
    }
    event = AuditEvent.objects.get(action="person.roles_changed")
    assert event.actor == business_unit_user and event.partnership == partnership
    assert [m["role"] for m in event.payload["from"]] == [Role.REVIEWER]
    assert {m["role"] for m in event.payload["to"]} == {
        Role.PANEL_MEMBER,
        Role.AGENCY_CONTRIBUTOR,
    }
    assert not AuditEvent.objects.filter(
        action__in=["membership.added", "membership.removed"], actor=business_unit_user
    ).exists()
    none = bu_client.post(url, {"roles": []})
    assert "Choose at least one role" in none.content.decode()


def test_nobody_changes_their_own_roles(bu_client, partnership, business_unit_user):
    for name in ("person_roles", "person_deactivate", "person_reactivate"):
        url = reverse(f"people:{name}", args=[partnership.slug, business_unit_user.pk])
        assert bu_client.post(url, {"roles": [Role.ADMINISTRATOR]}).status_code == 403
    with pytest.raises(ServiceError, match="your own roles"):
        services.person_roles_change(
            partnership=partnership,
            actor=business_unit_user,
            person=business_unit_user,
            roles=[Role.BUSINESS_UNIT, Role.ADMINISTRATOR],
            agency=None,
        )
    refused = AuditEvent.objects.get(action="person.change_refused")
    assert refused.actor == business_unit_user
    assert refused.payload["attempt"] == "change_roles"


def test_an_administrator_manages_people_but_gives_no_case_data_role(
    client, partnership, administrator, business_unit_user, user_for_role, send
):
    client.force_login(administrator)
    form = client.get(reverse("people:invite", args=[partnership.slug]))
    choices = [value for value, _ in form.context["form"].fields["roles"].choices]
    assert choices == [Role.ADMINISTRATOR]
    # A forged POST with a case-data role is refused and audited.
    forged = client.post(
        reverse("people:invite", args=[partnership.slug]),
        {"email": "friend@testshire.example", "full_name": "Friend", "roles": [Role.REVIEWER]},
    )
    assert "govuk-error-summary" in forged.content.decode()
    with pytest.raises(ServiceError, match="Only the business unit can give"):
        _invite(send, partnership, administrator, roles=[Role.BUSINESS_UNIT])
    assert not Invitation.objects.exists()
    assert AuditEvent.objects.filter(action="person.change_refused", actor=administrator).exists()

    # It may invite another administrator …
    _invite(send, partnership, administrator, roles=[Role.ADMINISTRATOR])
    # … but not give a case-data role to an existing person, nor itself.
    panel = user_for_role(Role.PANEL_MEMBER)
    with pytest.raises(ServiceError, match="Only the business unit can give"):
        services.person_roles_change(
            partnership=partnership,
            actor=administrator,
            person=panel,
            roles=[Role.PANEL_MEMBER, Role.REVIEWER],
            agency=None,
        )
    with pytest.raises(ServiceError, match="your own roles"):
        services.person_roles_change(
            partnership=partnership,
            actor=administrator,
            person=administrator,
            roles=[Role.ADMINISTRATOR, Role.BUSINESS_UNIT],
            agency=None,
        )
    # Nor resend the business unit's invitation of a reviewer.
    bu_invitation = _invite(send, partnership, business_unit_user, email="r@testshire.example")
    with pytest.raises(ServiceError, match="Only the business unit can give"):
        services.invitation_resend(invitation=bu_invitation, actor=administrator)
    # Deactivating is allowed (it takes access away).
    services.person_deactivate(partnership=partnership, actor=administrator, person=panel)
    assert not Membership.objects.filter(user=panel).exists()


def test_other_roles_cannot_open_the_people_pages(client_for, partnership):
    for role in (Role.PARTNER_LEAD, Role.PANEL_MEMBER, Role.REVIEWER, Role.AGENCY_CONTRIBUTOR):
        client = client_for(role)
        assert client.get(reverse("people:list", args=[partnership.slug])).status_code == 403


def test_the_last_business_unit_member_keeps_the_role(
    partnership, administrator, business_unit_user
):
    with pytest.raises(ServiceError, match="only business unit member"):
        services.person_roles_change(
            partnership=partnership,
            actor=administrator,
            person=business_unit_user,
            roles=[Role.ADMINISTRATOR],
            agency=None,
        )
    with pytest.raises(ServiceError, match="only business unit member"):
        services.person_deactivate(
            partnership=partnership, actor=administrator, person=business_unit_user
        )


# Deactivating --------------------------------------------------------------------------------


def test_deactivating_ends_the_roles_switches_the_account_off_and_reactivating_brings_back(
    bu_client, partnership, agency, business_unit_user, user_for_role
):
    contributor = user_for_role(Role.AGENCY_CONTRIBUTOR)
    own_session = Client()
    own_session.force_login(contributor)
    page = bu_client.get(
        reverse("people:person_deactivate", args=[partnership.slug, contributor.pk])
    )
    assert "They will not be able to sign in" in page.content.decode()

    bu_client.post(reverse("people:person_deactivate", args=[partnership.slug, contributor.pk]))

    contributor.refresh_from_db()
    assert not contributor.is_active
    assert not Membership.objects.filter(user=contributor).exists()
    deactivation = Deactivation.objects.get(user=contributor)
    assert deactivation.memberships == [
        {"role": Role.AGENCY_CONTRIBUTOR, "agency": agency.pk, "agency_name": agency.name}
    ]
    assert deactivation.account_switched_off
    event = AuditEvent.objects.get(action="person.deactivated")
    assert event.actor == business_unit_user and event.payload["account_switched_off"]
    # Their open session ends; they cannot sign in.
    home = own_session.get(reverse("workspace:staff_home"))
    assert home.status_code == 302 and reverse("accounts:sign_in") in home.url
    assert not _sign_in(Client(), contributor.email, "correct-horse-battery-staple")
    listed = bu_client.get(reverse("people:list", args=[partnership.slug]), {"role": "deactivated"})
    assert [row.user for row in listed.context["rows"]] == [contributor]

    url = reverse("people:person_reactivate", args=[partnership.slug, contributor.pk])
    form = bu_client.get(url)
    assert form.context["form"].initial == {
        "roles": [Role.AGENCY_CONTRIBUTOR],
        "agency": agency.pk,
    }
    bu_client.post(url, {"roles": [Role.AGENCY_CONTRIBUTOR], "agency": agency.pk})
    contributor.refresh_from_db()
    assert contributor.is_active
    assert Membership.objects.get(user=contributor).agency == agency
    deactivation.refresh_from_db()
    assert deactivation.reactivated_by == business_unit_user
    assert AuditEvent.objects.get(action="person.reactivated").payload["account_switched_on"]


def test_deactivating_in_one_partnership_leaves_the_others(
    partnership, business_unit_user, user_for_role
):
    reviewer = user_for_role(Role.REVIEWER)
    elsewhere = PartnershipFactory()
    MembershipFactory(user=reviewer, partnership=elsewhere, role=Role.REVIEWER)
    services.person_deactivate(partnership=partnership, actor=business_unit_user, person=reviewer)
    reviewer.refresh_from_db()
    assert reviewer.is_active
    assert list(Membership.objects.filter(user=reviewer).values_list("partnership", flat=True)) == [
        elsewhere.pk
    ]


# manage.py invite_business_unit --------------------------------------------------------------


def test_the_first_business_unit_member_is_invited_from_the_command_line(
    partnership, django_capture_on_commit_callbacks
):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "invite_business_unit",
            partnership.slug,
            "First@Testshire.example",
            "First Person",
            stdout=out,
            stderr=io.StringIO(),
        )
    invitation = Invitation.objects.get()
    assert invitation.roles == [Role.BUSINESS_UNIT] and invitation.invited_by is None
    assert invitation.invited_by_label.startswith("manage.py invite_business_unit")
    (message,) = mail.outbox
    token = _link(message).rstrip("/").rsplit("/", 1)[1]
    assert token not in out.getvalue()
    event = AuditEvent.objects.get(action="person.invited")
    assert event.actor is None and event.actor_label.startswith("manage.py invite_business_unit")
