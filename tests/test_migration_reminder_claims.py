"""The upgrade to one reminder engine keeps the history: reminders sent before it (in the three old
tables) become claims, so none is sent again; migrating back restores them."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from safeguarding.accounts.models import Role
from safeguarding.actions.tests.tracker_support import (
    action_for,
    contributor_for,
    finding_for,
    recommendation_for,
    review_for,
)
from safeguarding.clock import services as clock_services
from safeguarding.clock.default_rules import load_default_rules
from safeguarding.clock.models import Event, MilestoneRule, ReminderClaim
from safeguarding.clock.reminders import reminders_send
from safeguarding.guidance.default_versions import load_default_versions
from safeguarding.guidance.models import GuidanceVersion
from safeguarding.referrals.models import Case
from safeguarding.reviews.models import AgencyRequest

BEFORE = [
    ("clock", "0004_review_events"),
    ("reviews", "0004_finding_created_at_finding_kind"),
    ("actions", "0002_default_themes"),
]
# After the upgrade: every app's latest migration (clock 0005, reviews 0005 and actions 0003
# move the old rows into claims), so the models the reminder engine reads match the tables.
KNOWN_ON = datetime.date(2026, 11, 2)  # the R4 milestone is due on 9 November 2026
TODAY = datetime.date(2026, 11, 10)  # everything below is overdue today
SENT_AT = datetime.datetime(2026, 11, 5, 7, 0, tzinfo=datetime.UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def world(partnership, agency, business_unit_user, user_for_role):
    """An overdue milestone, agency request and action, each with someone to remind."""
    # A transactional test before this one may have flushed them.
    load_default_versions(GuidanceVersion)
    load_default_rules(MilestoneRule, GuidanceVersion)
    owner = user_for_role(Role.BUSINESS_UNIT, email="owner@testshire.example")
    case = Case.objects.create(
        partnership=partnership,
        reference="C2026-00001",
        pseudonym="Child A",
        became_aware_on=KNOWN_ON,
    )
    (milestone,) = clock_services.milestones_start(
        partnership=partnership,
        event=Event.LOOKED_AFTER_DEATH_KNOWN,
        subject=case,
        on_date=KNOWN_ON,
        label="C2026-00001 (Child A)",
        review_types=["cspr"],
        owner=owner,
    )
    partnership.agencies.add(agency)
    contributor_for(partnership, agency, email="officer@police.example")
    review = review_for(partnership, title="Child R", started_on=datetime.date(2025, 1, 6))
    request = AgencyRequest.objects.create(
        review=review,
        agency=agency,
        kind="chronology",
        due_on=datetime.date(2026, 11, 9),
        requested_by=business_unit_user,
    )
    recommendation = recommendation_for(review, 1, [finding_for(review, 1)])
    action = action_for(recommendation, 1, agency, target_date=datetime.date(2026, 11, 9))
    return milestone, request, action


OLD_TABLES = (
    ("clock.MilestoneReminder", "milestone_id", 0),
    ("reviews.AgencyRequestReminder", "request_id", 1),
    ("actions.ActionReminder", "action_id", 2),
)


@pytest.mark.django_db(transaction=True)
def test_reminders_sent_before_the_upgrade_are_not_sent_again(world):
    """One round trip (migrating back and forth renders every migration state: the costliest
    test there is). Back: the claims made after the upgrade go back into the old tables. Then
    the old tables hold the reminders sent before the upgrade, and forward: they become claims,
    so none is sent again."""
    subjects = world
    for subject in subjects:
        ReminderClaim.objects.create(
            subject=subject,
            kind="overdue",
            due_on=datetime.date(2026, 11, 9),
            sent_to="claimed@testshire.example",
            claimed_at=SENT_AT,
        )
    try:
        old = migrate(BEFORE)  # back: the old tables get the claims' rows
        for model, field, index in OLD_TABLES:
            (row,) = old.get_model(model).objects.all()
            assert (getattr(row, field), row.kind, row.due_on, row.sent_to, row.sent_at) == (
                subjects[index].pk,
                "overdue",
                datetime.date(2026, 11, 9),
                "claimed@testshire.example",
                SENT_AT,
            )

        # The reminders sent before the upgrade, as the old engines wrote them.
        for model, field, index in OLD_TABLES:
            Old = old.get_model(model)
            Old.objects.all().delete()
            Old._meta.get_field("sent_at").auto_now_add = False
            Old.objects.create(
                **{field: subjects[index].pk},
                kind="overdue",
                due_on=datetime.date(2026, 11, 9),
                sent_to="someone@testshire.example",
                sent_at=SENT_AT,
            )

        migrate_to_latest()

        milestone, request, action = subjects
        claims = ReminderClaim.objects.order_by("subject_type__app_label")
        assert [(c.subject, c.kind, c.due_on, c.sent_to, c.claimed_at) for c in claims] == [
            (action, "overdue", datetime.date(2026, 11, 9), "someone@testshire.example", SENT_AT),
            (
                milestone,
                "overdue",
                datetime.date(2026, 11, 9),
                "someone@testshire.example",
                SENT_AT,
            ),
            (request, "overdue", datetime.date(2026, 11, 9), "someone@testshire.example", SENT_AT),
        ]
        assert reminders_send(today=TODAY) == 0  # each was sent before the upgrade
        assert mail.outbox == []
    finally:
        # Every app's latest migration again (not just AFTER: later migrations of these apps,
        # such as the identity encryption, were unapplied too), for the tests that follow; and
        # migrate's post_migrate handlers (the library's search index).
        call_command("migrate", verbosity=0)
