"""Reminders of the steps before publication (issue 13): against the planned publication date,
through the clock's one reminder engine, to the business unit, at most once per date and kind."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from safeguarding.audit.models import AuditEvent
from safeguarding.clock.models import ReminderClaim
from safeguarding.clock.reminders import reminders_send
from safeguarding.core.calendar import add_working_days
from safeguarding.core.errors import ServiceError
from safeguarding.notifications.models import Notification
from safeguarding.publication import publishing
from safeguarding.publication.models import PrePublicationStep, Publication
from safeguarding.publication.reminders import publication_reminders_due, steps_due

from .test_publishing import _signed_off, today

pytestmark = pytest.mark.django_db
Kind = PrePublicationStep.Kind


@pytest.fixture
def publication(partnership, business_unit_user):
    review = _signed_off(partnership, business_unit_user)
    return publishing.publication_start(review=review, actor=business_unit_user)


def _plan(publication, actor, planned: datetime.date) -> Publication:
    return publishing.publication_update(
        publication=publication, actor=actor, planned_publish_on=planned
    )


def _send(on: datetime.date, capture) -> int:
    with capture(execute=True):
        return reminders_send(today=on, sources=["publications"])


def test_a_cspr_has_its_advance_copies_due_seven_working_days_before_the_planned_date(
    publication, business_unit_user
):
    planned = add_working_days(today(), 30)
    _plan(publication, business_unit_user, planned)
    groups = steps_due(publication)
    assert [(g.due_on, g.steps, g.publish) for g in groups] == [
        (
            add_working_days(planned, -7),
            ("Advance copy to the National Panel", "Advance copy to the Secretary of State"),
            False,
        ),
        (planned, (), True),
    ]


def test_the_business_unit_is_reminded_once_before_the_advance_copies_are_due(
    publication, business_unit_user, django_capture_on_commit_callbacks
):
    planned = add_working_days(today(), 15)  # the advance copies are due in 8 working days
    _plan(publication, business_unit_user, planned)
    assert _send(today(), django_capture_on_commit_callbacks) == 1
    assert [m.to for m in mail.outbox if "publication" in m.subject] == [["bu@testshire.example"]]
    email = mail.outbox[-1]
    due = add_working_days(planned, -7)
    assert email.subject == (
        f"Due {due:%-d %B %Y}: steps before publication of {publication.review.reference}"
    )
    assert "- Advance copy to the National Panel" in email.body
    assert "- Advance copy to the Secretary of State" in email.body
    assert f"/manage/testshire/publication/reviews/{publication.pk}/" in email.body
    # The daily task run again, or on the next day: nothing more.
    assert _send(today(), django_capture_on_commit_callbacks) == 0
    assert _send(today() + datetime.timedelta(days=1), django_capture_on_commit_callbacks) == 0
    assert Notification.objects.filter(kind="publication.step_due_soon").count() == 1
    claim = ReminderClaim.objects.get()
    assert (claim.kind, claim.due_on) == ("upcoming", due)
    event = AuditEvent.objects.get(action="publication.reminder_sent")
    assert event.payload["steps"] == [
        "Advance copy to the National Panel",
        "Advance copy to the Secretary of State",
    ]


def test_recorded_steps_are_not_reminded_and_the_publication_date_is(
    publication, business_unit_user, django_capture_on_commit_callbacks
):
    planned = add_working_days(today(), 5)
    _plan(publication, business_unit_user, planned)
    for kind in (Kind.ADVANCE_COPY_PANEL, Kind.ADVANCE_COPY_SOS):
        publishing.step_record(
            publication=publication,
            actor=business_unit_user,
            kind=kind,
            done_on=today(),
            evidence="Emailed.",
        )
    assert _send(today(), django_capture_on_commit_callbacks) == 1
    email = mail.outbox[-1]
    assert (
        email.subject == f"Due {planned:%-d %B %Y}: publication of {publication.review.reference}"
    )
    assert "Advance copy" not in email.body
    assert "- Publish" in email.body


def test_missed_steps_are_reminded_as_overdue(
    publication, business_unit_user, django_capture_on_commit_callbacks
):
    planned = add_working_days(today(), 3)  # the advance copies were due 4 working days ago
    Publication.objects.filter(pk=publication.pk).update(planned_publish_on=planned)
    assert _send(today(), django_capture_on_commit_callbacks) == 2
    subjects = sorted(m.subject for m in mail.outbox if "publication" in m.subject)
    assert subjects[0].startswith("Due ")  # the publication itself, in 3 working days
    assert subjects[1] == (f"Overdue: steps before publication of {publication.review.reference}")
    overdue = Notification.objects.get(kind="publication.step_overdue")
    assert "are not recorded yet" in overdue.body


def test_scheduled_published_archived_and_unplanned_publications_are_not_reminded(
    publication, business_unit_user
):
    assert publication_reminders_due(today()) == []  # no planned date
    planned = add_working_days(today(), 3)
    Publication.objects.filter(pk=publication.pk).update(
        planned_publish_on=planned, status=Publication.Status.SCHEDULED
    )
    assert publication_reminders_due(today()) == []
    Publication.objects.filter(pk=publication.pk).update(
        status=Publication.Status.DRAFT, archived_at=datetime.datetime.now(datetime.UTC)
    )
    assert publication_reminders_due(today()) == []


def test_a_planned_date_in_the_past_is_refused(publication, business_unit_user):
    with pytest.raises(ServiceError) as raised:
        _plan(publication, business_unit_user, today() - datetime.timedelta(days=1))
    assert raised.value.field == "planned_publish_on"
    publication.refresh_from_db()
    assert publication.planned_publish_on is None


def test_the_decision_page_sets_the_planned_date_and_shows_a_past_one_as_an_error(
    bu_client, publication
):
    url = reverse("publication:decision", args=["testshire", publication.pk])
    data = {
        "title": publication.title,
        "form": "full_report",
        "reviewer_names": "Alex Fictional-Reviewer",
    }
    past = today() - datetime.timedelta(days=3)
    response = bu_client.post(
        url,
        {
            **data,
            "planned_publish_on_0": past.day,
            "planned_publish_on_1": past.month,
            "planned_publish_on_2": past.year,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "The planned publication date must be today or in the future" in page
    publication.refresh_from_db()
    assert publication.planned_publish_on is None

    planned = add_working_days(today(), 20)
    response = bu_client.post(
        url,
        {
            **data,
            "planned_publish_on_0": planned.day,
            "planned_publish_on_1": planned.month,
            "planned_publish_on_2": planned.year,
        },
    )
    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.planned_publish_on == planned
    page = bu_client.get(response.url).content.decode()
    assert f"{planned:%-d %B %Y}. The business unit is emailed" in page
