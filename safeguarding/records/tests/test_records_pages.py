"""The business unit's records pages: retention periods, holds, and requests for data about a
person (UK GDPR Article 15)."""

import datetime
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone

from safeguarding.accounts.models import Invitation
from safeguarding.audit.models import AuditEvent
from safeguarding.core.calendar import add_calendar_months
from safeguarding.digests.models import Subscriber
from safeguarding.notifications.models import Notification, NotificationAttachment
from safeguarding.records.models import RetentionHold, RetentionSetting
from safeguarding.referrals.tests.staff_support import IDENTITY, make_case, make_referral
from safeguarding.reviews.models import ChronologyEntry, FamilyContact, Person, PersonIdentity
from safeguarding.reviews.tests.review_support import make_lcspr


def url(partnership, path=""):
    return f"/manage/{partnership.slug}/records/{path}"


@pytest.mark.django_db
def test_the_retention_page_shows_each_record_type_its_period_and_source(partnership, bu_client):
    page = bu_client.get(url(partnership, "retention/")).content.decode()
    assert "Referrals that led to no case" in page
    assert "2 years after the day the referral was received" in page
    assert "Expired sign-in sessions" in page
    assert "Notifications and the emails sent with them" in page
    assert "Invitations that expired or were cancelled" in page
    assert "To confirm" in page and "Technical" in page
    assert "UK GDPR Article 5(1)(e)" in page


@pytest.mark.django_db
def test_a_partnership_sets_its_own_period_and_the_change_is_audited(
    partnership, bu_client, business_unit_user
):
    page = url(partnership, "retention/referral_without_case/")
    response = bu_client.post(page, {"months": "6", "enabled": "on"})
    assert response.status_code == 302
    setting = RetentionSetting.objects.get(partnership=partnership)
    assert (setting.months, setting.enabled) == (6, True)
    event = AuditEvent.objects.get(action="retention.setting_changed")
    assert event.payload == {
        "rule": "referral_without_case",
        "months": 6,
        "enabled": True,
        "default_months": 24,
    }
    assert event.actor == business_unit_user
    listing = bu_client.get(url(partnership, "retention/")).content.decode()
    assert "6 months after" in listing and "Default: 2 years" in listing


@pytest.mark.django_db
def test_a_period_below_the_minimum_is_refused_with_a_message(partnership, bu_client):
    response = bu_client.post(url(partnership, "retention/case_identities/"), {"months": "3"})
    assert response.status_code == 200
    assert "Enter a number of months from 12 to 1,200" in response.content.decode()
    assert not RetentionSetting.objects.exists()


@pytest.mark.django_db
def test_service_wide_periods_cannot_be_changed_by_a_partnership(partnership, bu_client):
    assert bu_client.get(url(partnership, "retention/sessions/")).status_code == 404


@pytest.mark.django_db
def test_a_case_is_put_on_hold_by_reference_and_the_hold_lifted(
    partnership, bu_client, business_unit_user
):
    case = make_case(partnership, business_unit_user)
    refused = bu_client.post(
        url(partnership, "retention/holds/add/"), {"case_reference": "XX-1", "reason": "Inquest"}
    )
    assert "There is no case with this reference" in refused.content.decode()
    response = bu_client.post(
        url(partnership, "retention/holds/add/"),
        {"case_reference": case.reference.lower(), "reason": "Inquest not yet held"},
    )
    assert response.status_code == 302
    hold = RetentionHold.objects.get(case=case)
    again = bu_client.post(
        url(partnership, "retention/holds/add/"),
        {"case_reference": case.reference, "reason": "Twice"},
    )
    assert "already on hold" in again.content.decode()
    assert "Inquest not yet held" in bu_client.get(url(partnership, "retention/")).content.decode()

    bu_client.post(url(partnership, f"retention/holds/{hold.pk}/lift/"))
    hold.refresh_from_db()
    assert hold.lifted_at is not None and hold.lifted_by == business_unit_user
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="retention.hold")] == [
        "retention.hold_lifted",
        "retention.hold_placed",
    ]


@pytest.mark.django_db
def test_another_partnerships_case_cannot_be_put_on_hold(
    partnership, other_partnership, bu_client, business_unit_user
):
    theirs = make_case(other_partnership, business_unit_user)
    response = bu_client.post(
        url(partnership, "retention/holds/add/"),
        {"case_reference": theirs.reference, "reason": "Inquest"},
    )
    assert "There is no case with this reference" in response.content.decode()


# Data about a person ----------------------------------------------------------------------------


@pytest.fixture
def person_in_a_review(partnership, business_unit_user, agency):
    """The referral's person (Zebedee Quillfeather, IDENTITY) is also a person in the case of a
    review, named in its chronology and met by the review."""
    review, _ = make_lcspr(partnership, business_unit_user)
    person = Person.objects.create(case=review.case, pseudonym="Child B", role_in_case="subject")
    PersonIdentity.objects.create(
        person=person,
        full_name="Zebedee Quillfeather",
        date_of_birth=IDENTITY["date_of_birth"],
        address="1 Fictional Row",
    )
    linked = ChronologyEntry.objects.create(
        review=review,
        agency=agency,
        occurred_on=datetime.date(2025, 3, 1),
        event="School nurse saw the child.",
        significance="routine",
        entered_by=business_unit_user,
    )
    linked.people.add(person)
    ChronologyEntry.objects.create(
        review=review,
        agency=agency,
        occurred_on=datetime.date(2025, 3, 2),
        event="GP letter about child b's asthma.",
        significance="routine",
        entered_by=business_unit_user,
        archived_at=timezone.now(),  # replaced by a later file: archived, still held
    )
    ChronologyEntry.objects.create(
        review=review,
        agency=agency,
        occurred_on=datetime.date(2025, 3, 3),
        event="Unrelated entry about Child BC.",
        significance="routine",
        entered_by=business_unit_user,
    )
    FamilyContact.objects.create(
        review=review,
        person=person,
        kind="views_received",
        happened_on=datetime.date(2025, 4, 1),
        summary="Fictional views.",
        recorded_by=business_unit_user,
    )
    return review, person


def _search(client, partnership, **data):
    return client.post(url(partnership, "data-about-a-person/"), {"name": "", **data})


@pytest.mark.django_db
def test_the_search_finds_identities_without_case_or_accents_and_audits_without_the_name(
    partnership, other_partnership, bu_client, person_in_a_review
):
    make_referral(other_partnership)  # the same fictional person, in another partnership
    response = _search(bu_client, partnership, name="quillfeather ZEBEDÉE")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Zebedee Quillfeather") >= 2  # the referral's identity and the person
    assert "Child B (subject of the review)" in page
    event = AuditEvent.objects.get(action="person_data.searched")
    assert "Quillfeather" not in json.dumps(event.payload)
    assert event.payload["matches"] == 2  # the case's referral and the person (not theirs)
    assert event.payload["kinds"] == ["person", "referral_identity"]


@pytest.mark.django_db
def test_a_date_of_birth_leaves_out_identities_with_another_one(
    partnership, bu_client, person_in_a_review
):
    PersonIdentity.objects.update(date_of_birth=datetime.date(1990, 1, 1))
    page = _search(
        bu_client,
        partnership,
        name="Zebedee Quillfeather",
        date_of_birth_0="4",
        date_of_birth_1="5",
        date_of_birth_2="2012",
    ).content.decode()
    assert "Child B (subject of the review)" not in page
    assert "Referral " in page


@pytest.mark.django_db
def test_nothing_found_says_so(partnership, bu_client):
    page = _search(bu_client, partnership, name="Nobody Atall").content.decode()
    assert "No record of" in page and "holds this name" in page


@pytest.mark.django_db
def test_the_download_holds_every_record_chosen_as_json_html_and_pdf_and_is_audited(
    partnership, bu_client, business_unit_user, person_in_a_review
):
    _, person = person_in_a_review
    results = _search(bu_client, partnership, name="Zebedee Quillfeather")
    choices = re.findall(
        r'name="records" type="checkbox" value="([^"]+)"', results.content.decode()
    )
    assert f"person:{person.pk}" in choices
    received = timezone.localdate() - datetime.timedelta(days=3)
    response = bu_client.post(
        url(partnership, "data-about-a-person/download/"),
        {
            "name": "Zebedee Quillfeather",
            "records": choices,
            "received_on_0": received.day,
            "received_on_1": received.month,
            "received_on_2": received.year,
            "reason": "Request from the person, identity checked by the IG team",
            "confirmed": "on",
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["data.json", "summary.html", "summary.pdf"]
    data = json.loads(archive.read("data.json"))
    (in_case,) = data["people_in_cases"]
    assert in_case["identity"]["full_name"] == "Zebedee Quillfeather"
    assert [e["how_found"] for e in in_case["chronology"]] == [
        "linked to the person",
        "mentions the pseudonym",
    ]  # "Child BC" is not "Child B"
    replaced = [e["replaced_by_a_later_file_at"] is not None for e in in_case["chronology"]]
    assert replaced == [False, True]
    assert in_case["family_contacts"][0]["summary"] == "Fictional views."
    assert data["referrals_about_them"][0]["identity"]["last_name"] == "Quillfeather"
    assert "submission_key" not in json.dumps(data)
    assert data["request"]["respond_by"] == add_calendar_months(received, 1).isoformat()
    assert archive.read("summary.pdf").startswith(b"%PDF")
    summary = archive.read("summary.html").decode()
    assert "Data about a person" in summary and "Zebedee Quillfeather" in summary
    assert "asthma. (Replaced by a later chronology file.)" in summary
    event = AuditEvent.objects.get(action="person_data.exported")
    assert event.actor == business_unit_user
    assert event.payload["records"]["person"] == [str(person.pk)]
    assert event.payload["reason"].startswith("Request from the person")
    assert "Quillfeather" not in json.dumps(event.payload)


@pytest.mark.django_db
def test_the_download_needs_a_reason_a_date_and_the_confirmation(
    partnership, bu_client, person_in_a_review
):
    _, person = person_in_a_review
    response = bu_client.post(
        url(partnership, "data-about-a-person/download/"),
        {"name": "Zebedee Quillfeather", "records": [f"person:{person.pk}"]},
    )
    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "Enter reason for the download" in page
    assert "Confirm that the identity or authority has been checked" in page
    assert "Enter date the request was received" in page
    assert not AuditEvent.objects.filter(action="person_data.exported").exists()


@pytest.mark.django_db
def test_a_record_of_another_partnership_cannot_be_downloaded(
    partnership, other_partnership, bu_client, business_unit_user
):
    theirs = make_case(other_partnership, business_unit_user)
    person = Person.objects.create(case=theirs, pseudonym="Mother", role_in_case="parent")
    PersonIdentity.objects.create(person=person, full_name="Zebedee Quillfeather")
    today = timezone.localdate()
    response = bu_client.post(
        url(partnership, "data-about-a-person/download/"),
        {
            "name": "Zebedee Quillfeather",
            "records": [f"person:{person.pk}"],
            "received_on_0": today.day,
            "received_on_1": today.month,
            "received_on_2": today.year,
            "reason": "Test",
            "confirmed": "on",
        },
    )
    assert response["Content-Type"].startswith("text/html")
    assert "is not one of the available choices" in response.content.decode()


@pytest.mark.django_db
def test_a_user_account_and_what_they_did_are_found_by_email(
    partnership, bu_client, business_unit_user
):
    Subscriber.objects.create(partnership=partnership, email="bu@testshire.example")
    page = _search(
        bu_client, partnership, name="Someone Else", email="BU@testshire.example"
    ).content.decode()
    assert "User account bu@testshire.example" in page
    assert "Learning digest subscription" in page


def _download(client, partnership, choices, **criteria):
    today = timezone.localdate()
    return client.post(
        url(partnership, "data-about-a-person/download/"),
        {
            **criteria,
            "records": choices,
            "received_on_0": today.day,
            "received_on_1": today.month,
            "received_on_2": today.year,
            "reason": "Request from the person",
            "confirmed": "on",
        },
    )


def _choices(page) -> list[str]:
    return re.findall(r'name="records" type="checkbox" value="([^"]+)"', page.content.decode())


@pytest.mark.django_db
def test_emails_and_invitations_to_their_address_are_found_and_downloaded(
    partnership, other_partnership, bu_client, business_unit_user
):
    """Someone without an account here: the emails sent to their address (with a calendar
    invitation) and an invitation to join, found by address and by name."""
    sent = Notification.objects.create(
        email="zeb@example.org",
        partnership=partnership,
        kind="meeting.invited",
        subject="Invitation: Fictional family meeting",
        body="You are invited to a fictional meeting.",
    )
    NotificationAttachment.objects.create(
        notification=sent,
        filename="invitation.ics",
        content_type="text/calendar",
        content=b"BEGIN:VCALENDAR\r\nSUMMARY:Fictional family meeting\r\nEND:VCALENDAR\r\n",
    )
    Notification.objects.create(  # another partnership's: not found
        email="zeb@example.org",
        partnership=other_partnership,
        kind="meeting.invited",
        subject="Theirs",
        body="Theirs.",
    )
    invitation = Invitation.objects.create(
        partnership=partnership,
        email="zeb@example.org",
        full_name="Zebedee Quillfeather",
        roles=["reviewer"],
        token_hash="f" * 64,
        invited_by=business_unit_user,
        invited_by_label=business_unit_user.email,
        sent_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    criteria = {"name": "Zebedee Quillfeather", "email": "ZEB@example.org"}
    results = _search(bu_client, partnership, **criteria)
    page = results.content.decode()
    assert "A notification or email sent to them" in page and "Fictional family meeting" in page
    assert "An invitation to join the partnership" in page and "Theirs" not in page
    choices = _choices(results)
    assert set(choices) == {f"notification:{sent.pk}", f"invitation:{invitation.pk}"}
    # By name alone the invitation is found (its name), the emails are not (no name on them).
    assert _choices(_search(bu_client, partnership, name="Zebedee Quillfeather")) == [
        f"invitation:{invitation.pk}"
    ]

    response = _download(bu_client, partnership, choices, **criteria)
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    (email,) = data["notifications"]
    assert email["subject"] == "Invitation: Fictional family meeting"
    assert email["text"] == "You are invited to a fictional meeting."
    assert email["attachments"][0]["content"].startswith("BEGIN:VCALENDAR")
    (invited,) = data["invitations"]
    assert invited["full_name"] == "Zebedee Quillfeather" and invited["roles"] == "Reviewer"
    assert invited["status"] == "Waiting for the person"
    summary = archive.read("summary.html").decode()
    assert "Notifications and emails sent to them" in summary
    assert "Invitations to join the partnership" in summary
    event = AuditEvent.objects.get(action="person_data.exported")
    assert event.payload["records"] == {
        "notification": [str(sent.pk)],
        "invitation": [str(invitation.pk)],
    }


@pytest.mark.django_db
def test_a_user_accounts_notifications_go_with_the_account(
    partnership, bu_client, business_unit_user
):
    Notification.objects.create(
        recipient=business_unit_user,
        email=business_unit_user.email,
        partnership=partnership,
        kind="meeting.invited",
        subject="Fictional notice to the account",
        body="Fictional.",
    )
    Notification.objects.create(  # to the address, before there was an account, say
        email=business_unit_user.email.upper(),
        partnership=partnership,
        kind="meeting.invited",
        subject="Fictional email to the address",
        body="Fictional.",
    )
    criteria = {"name": "Someone Else", "email": business_unit_user.email}
    choices = _choices(_search(bu_client, partnership, **criteria))
    assert choices == [f"user:{business_unit_user.pk}"]  # neither listed again on its own
    response = _download(bu_client, partnership, choices, **criteria)
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("data.json"))
    (account,) = data["user_accounts"]
    assert sorted(n["subject"] for n in account["notifications"]) == [
        "Fictional email to the address",
        "Fictional notice to the account",
    ]


def test_the_records_pages_never_call_a_request_for_data_sar():
    """R44: in this service SAR is a Safeguarding Adults Review (quoted, it is only named)."""
    folder = Path(__file__).resolve().parent.parent
    for path in [*folder.glob("*.py"), *folder.glob("templates/records/*.html")]:
        assert not re.search(r'(?<!")\bSARs?\b(?!")', path.read_text()), path
