"""Each case's kept earliest due date (``referrals.CaseDue``, issue 16): after any change to the
milestones, by a service, ``save()``, ``update()``, ``bulk_create()`` or ``delete()``, or to a
case's partnership, the kept rows equal a fresh reading of the cases' own milestones still due,
on SQLite and PostgreSQL (the database triggers of migration ``referrals/0028``)."""

import datetime

import pytest
from django.db.models import Min

from safeguarding.clock.models import Milestone, MilestoneRule, subject_type_for
from safeguarding.referrals.models import Case, CaseDue, Referral

from .staff_support import make_case, today

pytestmark = pytest.mark.django_db


def _fresh() -> dict[int, tuple[int, datetime.date]]:
    due = dict(
        Milestone.objects.filter(subject_type=subject_type_for(Case), status=Milestone.Status.DUE)
        .order_by()
        .values("subject_id")
        .annotate(first=Min("due_on"))
        .values_list("subject_id", "first")
    )
    partnerships = dict(Case.objects.filter(pk__in=due).values_list("pk", "partnership_id"))
    return {pk: (partnerships[pk], first) for pk, first in due.items() if pk in partnerships}


def assert_kept():
    kept = {row.case_id: (row.partnership_id, row.due_from) for row in CaseDue.objects.all()}
    assert kept == _fresh()


def _milestone(case, rule, due_on, **extra) -> Milestone:
    return Milestone(
        partnership=case.partnership,
        rule=rule,
        subject_type=subject_type_for(type(case)),
        subject_id=case.pk,
        subject_label="Kept",
        offset_amount=5,
        offset_unit=rule.offset_unit,
        starts_on=due_on - datetime.timedelta(days=10),
        due_on=due_on,
        original_due_on=due_on,
        **extra,
    )


def test_kept_due_dates_follow_every_kind_of_write(
    partnership, other_partnership, business_unit_user
):
    # The services: a referral's awareness clock moves to the case when it opens.
    first = make_case(partnership, business_unit_user, pseudonym="Child A")
    second = make_case(partnership, business_unit_user, pseudonym="Child B")
    assert_kept()
    used = Milestone.objects.values("rule_id")  # a rule starts one milestone per subject
    rules = list(MilestoneRule.objects.exclude(pk__in=used).order_by("pk")[:2])
    day = today()
    late = _milestone(first, rules[0], day - datetime.timedelta(days=3))
    late.save()  # save(): an insert
    assert CaseDue.objects.get(case=first).due_from == late.due_on
    assert_kept()
    Milestone.objects.bulk_create(
        [
            _milestone(first, rules[1], day - datetime.timedelta(days=9)),
            _milestone(second, rules[1], day + datetime.timedelta(days=4)),
        ]
    )
    assert_kept()
    late.due_on = day - datetime.timedelta(days=20)  # extended backwards: the earliest now
    late.save()
    assert CaseDue.objects.get(case=first).due_from == late.due_on
    Milestone.objects.filter(subject_id=first.pk, subject_type=subject_type_for(Case)).update(
        status=Milestone.Status.DONE
    )
    assert not CaseDue.objects.filter(case=first).exists()  # none still due: no row
    assert_kept()
    late.refresh_from_db()
    late.status = Milestone.Status.DUE
    late.save()
    assert_kept()
    # A milestone moved to another case, then to a referral; then deleted.
    Milestone.objects.filter(pk=late.pk).update(subject_id=second.pk)
    assert_kept()
    referral = Referral.objects.filter(case=second).first()
    Milestone.objects.filter(pk=late.pk).update(
        subject_type=subject_type_for(Referral), subject_id=referral.pk
    )
    assert_kept()
    Milestone.objects.filter(pk=late.pk).update(
        subject_type=subject_type_for(Case), subject_id=first.pk
    )
    assert_kept()
    Milestone.objects.filter(subject_id=second.pk, subject_type=subject_type_for(Case)).delete()
    assert not CaseDue.objects.filter(case=second).exists()
    assert_kept()
    # A case given to another partnership takes its row with it.
    Case.objects.filter(pk=first.pk).update(partnership=other_partnership)
    assert CaseDue.objects.get(case=first).partnership_id == other_partnership.pk
    assert_kept()
