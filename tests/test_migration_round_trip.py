"""The data migrations that move rows between shapes keep every row, back and forth, in one round
trip: migrating renders every migration state in between, the costliest thing the suite does
(about 20 s of CPU a trip with core/tests/migrating.py's executor, which renders each state
once on the way back; 33 s with Django's), so one trip serves both of them.

- The upgrade to one reminder engine keeps the history (clock 0005, reviews 0005, actions 0003):
  reminders sent before it (in the three old tables) become claims, so none is sent again;
  migrating back puts the claims made after it back into the old tables.
- Real identities are encrypted at rest (referrals 0005, reviews 0007; issue 12, item 6): the
  migration encrypts the rows written before it and decrypts them backwards.

The trip goes back to the earliest state either needs (the reminder engine's targets, and
referrals 0004 for the identities: reviews 0004 is before reviews 0007 already), so both data
migrations are undone and done again, each with the rows it moves.
"""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

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
from safeguarding.core.tests.migrating import Executor
from safeguarding.guidance.default_versions import load_default_versions
from safeguarding.guidance.models import GuidanceVersion
from safeguarding.referrals.models import Case, ReferralIdentity
from safeguarding.reviews.models import AgencyRequest, PersonIdentity
from safeguarding.reviews.tests.review_support import make_lcspr
from tests.test_identities_at_rest import (
    IN_CASE,
    OTHER_IDENTIFIERS,
    REFERRED,
    _person_with_identity,
    _referral_with_identity,
)

BEFORE = [
    # The reminder engine: before clock 0005, reviews 0005 and actions 0003.
    ("clock", "0004_review_events"),
    ("reviews", "0004_finding_created_at_finding_kind"),
    ("actions", "0002_default_themes"),
    # The identities: before referrals 0005 (and reviews 0007, after reviews 0004).
    ("referrals", "0004_rate_limit_counted_in_core"),
]
# After the upgrade: every app's latest migration (clock 0005, reviews 0005 and actions 0003
# move the old rows into claims; referrals 0005 and reviews 0007 encrypt the identities), so the
# models the reminder engine reads match the tables.
KNOWN_ON = datetime.date(2026, 11, 2)  # the R4 milestone is due on 9 November 2026
TODAY = datetime.date(2026, 11, 10)  # everything below is overdue today
SENT_AT = datetime.datetime(2026, 11, 5, 7, 0, tzinfo=datetime.UTC)


def migrate(targets):
    executor = Executor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest() -> None:
    executor = Executor(connection)
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


@pytest.fixture
def identities(partnership, business_unit_user):
    """A referral and a person in a case, each with a real identity written through the
    services (so encrypted)."""
    review, _makers = make_lcspr(partnership, business_unit_user)
    referral = _referral_with_identity(partnership)
    person = _person_with_identity(review, business_unit_user)
    return referral, person


OLD_TABLES = (
    ("clock.MilestoneReminder", "milestone_id", 0),
    ("reviews.AgencyRequestReminder", "request_id", 1),
    ("actions.ActionReminder", "action_id", 2),
)


def _identities_are_plain_again(referral, person) -> None:
    """Backwards: plaintext and real dates again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT first_name, last_name, other_names, date_of_birth, address "
            "FROM referrals_referralidentity WHERE referral_id = %s",
            [referral.pk],
        )
        first, last, other, born, address = cursor.fetchone()
        cursor.execute(
            "SELECT full_name, date_of_birth, other_identifiers "
            "FROM reviews_personidentity WHERE person_id = %s",
            [person.pk],
        )
        full_name, person_born, other_identifiers = cursor.fetchone()
    assert (first, last, other, address) == (
        "Zephyrine",
        "Quarterbridge",
        "Zeffie Marchbanks",
        REFERRED["address"],
    )
    assert str(born) == "2013-07-21" and str(person_born) == "1987-11-03"
    assert (full_name, other_identifiers) == (IN_CASE["full_name"], OTHER_IDENTIFIERS)


def _identities_are_encrypted(referral, person) -> None:
    """Forwards: Fernet tokens in the columns, which the models read back."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT first_name, date_of_birth FROM referrals_referralidentity "
            "WHERE referral_id = %s",
            [referral.pk],
        )
        tokens = cursor.fetchone()
    assert all(token.startswith("gAAAAA") for token in tokens)
    assert ReferralIdentity.objects.get(referral=referral).date_of_birth == datetime.date(
        2013, 7, 21
    )
    assert PersonIdentity.objects.get(person=person).other_identifiers == OTHER_IDENTIFIERS


@pytest.mark.django_db(transaction=True)
def test_the_data_migrations_keep_reminders_sent_and_identities_both_ways(world, identities):
    """Back: the claims made after the upgrade go back into the old tables, and the identities
    are plain text again. Then the old tables hold the reminders sent before the upgrade, and
    forward: they become claims, so none is sent again; the identities are encrypted again."""
    subjects = world
    referral, person = identities
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
        _identities_are_plain_again(referral, person)

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
        mail.outbox.clear()  # what the services sent while the identities' records were made
        assert reminders_send(today=TODAY) == 0  # each was sent before the upgrade
        assert mail.outbox == []
    finally:
        # Every app's latest migration again (migrate_to_latest is not reached if an assertion
        # failed), for the tests that follow; and migrate's post_migrate handlers (the
        # library's search index).
        call_command("migrate", verbosity=0)
    _identities_are_encrypted(referral, person)
