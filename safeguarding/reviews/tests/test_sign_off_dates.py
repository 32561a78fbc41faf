"""A signed-off review always has its sign-off date (issue 17): the constraint, the data
migration that dates the reviews signed off without one, and the annual figures (R24) that
count them as concluded once dated."""

import datetime
from contextlib import contextmanager
from importlib import import_module

import pytest
from django.apps import apps as current_apps
from django.db import IntegrityError, connection, transaction

from safeguarding.accounts.tests.factories import UserFactory
from safeguarding.actions.tests.tracker_support import review_for
from safeguarding.audit.models import AuditEvent
from safeguarding.audit.services import audit_record
from safeguarding.publication.models import Publication
from safeguarding.referrals.models import DecisionMaker
from safeguarding.reports import selectors as reports
from safeguarding.reviews.models import Review, ReviewSignature

migration = import_module("safeguarding.reviews.migrations.0014_fill_sign_off_dates")

YEAR = reports.FinancialYear(2024)  # 1 April 2024 to 31 March 2025
TODAY = datetime.date(2026, 11, 26)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_a_review_cannot_be_signed_off_without_a_date(partnership):
    review = review_for(partnership, started_on=datetime.date(2024, 5, 1))

    review.stage = Review.Stage.SIGNED_OFF
    with pytest.raises(IntegrityError), transaction.atomic():
        review.save(update_fields=["stage"])

    Review.objects.filter(pk=review.pk).update(
        stage=Review.Stage.SIGNED_OFF, signed_off_at=at(datetime.date(2025, 1, 6))
    )
    assert Review.objects.get(pk=review.pk).stage == Review.Stage.SIGNED_OFF


def _signed_without_date(partnership, title: str) -> Review:
    review = review_for(partnership, title=title, started_on=datetime.date(2023, 5, 1))
    Review.objects.filter(pk=review.pk).update(stage=Review.Stage.SIGNED_OFF)
    return Review.objects.get(pk=review.pk)


def _sign(review: Review, partnership, capacity: str, signed_at: datetime.datetime) -> None:
    user = UserFactory(full_name=f"{capacity} lead")
    maker = DecisionMaker.objects.create(
        partnership=partnership, review_type="cspr", capacity=capacity, user=user
    )
    signature = ReviewSignature.objects.create(
        review=review, decision_maker=maker, user=user, capacity=capacity
    )
    ReviewSignature.objects.filter(pk=signature.pk).update(signed_at=signed_at)


@contextmanager
def signed_off_without_a_date_allowed():
    """The state the demo left before reviews 0015 added the constraint: reviews signed off
    with no date can be written. Only the constraint is lifted (not a migration back to reviews
    0014, which would undo most of the schema after it: about 25 s of CPU a run), and it is put
    back before the end, checked against the rows then."""
    constraint = next(c for c in Review._meta.constraints if c.name == "review_signed_off_has_date")
    if connection.vendor == "sqlite":
        # SQLite cannot drop a CHECK constraint without rebuilding the table (and its
        # triggers): it is set aside for this connection instead.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA ignore_check_constraints = OFF")
        with connection.cursor() as cursor:
            cursor.execute(  # what adding the constraint back checks on PostgreSQL
                "SELECT COUNT(*) FROM reviews_review "
                "WHERE stage = 'signed_off' AND signed_off_at IS NULL"
            )
            assert cursor.fetchone() == (0,), "signed-off reviews left without a date"
    else:
        # In the test's transaction: rolled back with it whatever happens, and checked
        # against the rows as it is added back.
        with connection.schema_editor() as editor:
            editor.remove_constraint(Review, constraint)
        yield
        with connection.cursor() as cursor:  # the foreign keys' deferred checks, done first
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with connection.schema_editor() as editor:
            editor.add_constraint(Review, constraint)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.mark.django_db
def test_the_migration_dates_each_signed_off_review_from_the_best_evidence(
    partnership, business_unit_user
):
    with signed_off_without_a_date_allowed():
        signed = _signed_without_date(partnership, "Child S")
        _sign(signed, partnership, "Police", at(datetime.date(2024, 6, 3)))
        _sign(signed, partnership, "Local authority", at(datetime.date(2024, 6, 10)))

        moved = _signed_without_date(partnership, "Child M")
        event = audit_record(
            action="review.stage_changed",
            actor=business_unit_user,
            target=moved,
            payload={"from": "sign_off", "to": "signed_off"},
        )

        # As the demo made them: signed off with no date, then published.
        published = _signed_without_date(partnership, "Adult P")
        Publication.objects.create(
            partnership=partnership,
            review=published,
            review_type="sar",
            title="Review of Adult P",
            status="published",
            publish_on=datetime.date(2024, 9, 10),
            published_at=at(datetime.date(2024, 9, 10), 9),
        )
        bare = _signed_without_date(partnership, "Child N")
        running = review_for(partnership, title="Child R", started_on=datetime.date(2024, 5, 1))
        dated = review_for(
            partnership, title="Child D", signed_off_at=at(datetime.date(2024, 12, 2))
        )

        figures = reports.annual_figures(partnership=partnership, year=YEAR, today=TODAY)
        assert "Adult P" in {r.title for r in figures.reviews_ongoing}  # the bug of issue 17

        migration.fill_sign_off_dates(current_apps, None)
        migration.fill_sign_off_dates(current_apps, None)  # nothing left to fill

        def signed_off_at(review):
            return Review.objects.get(pk=review.pk).signed_off_at

        assert signed_off_at(signed) == at(datetime.date(2024, 6, 10))
        assert signed_off_at(moved) == event.occurred_at
        assert signed_off_at(published) == at(datetime.date(2024, 9, 10), 9)
        assert signed_off_at(bare) == Review.objects.get(pk=bare.pk).modified_at
        assert signed_off_at(running) is None
        assert signed_off_at(dated) == at(datetime.date(2024, 12, 2))

        recorded = AuditEvent.objects.filter(action="review.sign_off_date_filled")
        evidence = {e.object_label.split(" ", 1)[1]: e.payload["evidence"] for e in recorded}
        assert evidence == {
            "Child S": "last_signature",
            "Child M": "stage_move",
            "Adult P": "publication",
            "Child N": "last_change",
        }
        assert recorded.get(object_id=str(published.pk)).partnership_id == partnership.pk

        # The annual figures (R24) now count them where they were concluded.
        figures = reports.annual_figures(partnership=partnership, year=YEAR, today=TODAY)
        assert [r.title for r in figures.reviews_signed_off] == ["Child S", "Adult P", "Child D"]
        # Dated today from the audit trail or the last change: still ongoing at 31 March 2025.
        assert {r.title for r in figures.reviews_ongoing} == {"Child R", "Child M", "Child N"}

    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=running.pk).update(stage=Review.Stage.SIGNED_OFF)
