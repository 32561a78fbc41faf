"""The data migration that records, on facts stored before issue 14 §5, that a death resulted
from abuse where the old questions ("Who caused the death or harm?", "Who is suspected of
causing the death or harm?") said so, and nothing more."""

from importlib import import_module

import pytest
from django.apps import apps

from safeguarding.referrals.models import Case, Referral

from .staff_support import make_case

migration = import_module("safeguarding.referrals.migrations.0013_facts_record_causation")

KILLED_BY_PARTNER = {"age": 34, "harm": "died", "abuse_or_neglect": "known", "harmed_by": "partner"}


@pytest.mark.parametrize(
    ("facts", "said"),
    [
        (KILLED_BY_PARTNER, True),
        ({**KILLED_BY_PARTNER, "harmed_by": "stranger"}, True),
        ({**KILLED_BY_PARTNER, "harm": None, "suicide": True}, True),
        ({**KILLED_BY_PARTNER, "harmed_by": "unknown"}, False),
        ({**KILLED_BY_PARTNER, "harmed_by": None}, False),
        ({**KILLED_BY_PARTNER, "abuse_or_neglect": "not_suspected"}, False),
        ({**KILLED_BY_PARTNER, "harm": "serious_harm"}, False),
        ({**KILLED_BY_PARTNER, "death_resulted_from_abuse": False}, False),
        ({"age": 81, "harm": "died", "self_neglect": True, "abuse_or_neglect": "known"}, False),
    ],
)
def test_only_a_named_person_who_caused_a_death_from_known_abuse_counts(facts, said):
    facts = {key: value for key, value in facts.items() if value is not None}
    assert migration.said_the_death_resulted(facts) is said


@pytest.mark.django_db
def test_the_migration_records_causation_on_cases_and_referrals(partnership, business_unit_user):
    killed = make_case(
        partnership, business_unit_user, pseudonym="Adult A", age_years=34, harm="died",
        abuse_or_neglect="known", harmed_by="partner",
    )  # fmt: skip
    open_question = make_case(
        partnership, business_unit_user, pseudonym="Adult B", age_years=81, harm="died",
        abuse_or_neglect="known", harmed_by="unknown",
    )  # fmt: skip
    answered = make_case(
        partnership, business_unit_user, pseudonym="Adult C", age_years=40, harm="died",
        abuse_or_neglect="suspected", harmed_by="relative", death_resulted_from_abuse=False,
    )  # fmt: skip
    assert "death_resulted_from_abuse" not in killed.facts

    migration.record_causation(apps, None)
    migration.record_causation(apps, None)  # idempotent

    killed.refresh_from_db()
    assert killed.facts["death_resulted_from_abuse"] is True
    assert killed.referrals.get().death_resulted_from_abuse is True
    assert "death_resulted_from_abuse" not in Case.objects.get(pk=open_question.pk).facts
    assert Referral.objects.get(case=open_question).death_resulted_from_abuse is None
    assert Case.objects.get(pk=answered.pk).facts["death_resulted_from_abuse"] is False
    assert Referral.objects.get(case=answered).death_resulted_from_abuse is False
