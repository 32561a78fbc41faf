"""``apply_changes``: the one "update these fields and tell me what changed" helper."""

import datetime

import pytest

from safeguarding.accounts.tests.factories import AgencyFactory, PartnershipFactory
from safeguarding.core.models import RateLimitHit, apply_changes, apply_many_changes

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def hit():
    return RateLimitHit.objects.create(bucket="first", key_hash="abc", at=AT)


def test_only_the_values_that_differ_are_set_and_named_in_order(hit):
    changed = apply_changes(hit, {"key_hash": "xyz", "bucket": "first", "at": AT})
    assert changed == ["key_hash"]
    assert hit.key_hash == "xyz"
    hit.save(update_fields=changed)
    hit.refresh_from_db()
    assert hit.key_hash == "xyz"


def test_nothing_changes_when_every_value_is_the_same(hit):
    assert apply_changes(hit, {"bucket": "first", "key_hash": "abc"}) == []


def test_fields_limit_what_is_looked_at_and_missing_values_are_left_alone(hit):
    changed = apply_changes(hit, {"bucket": "second", "key_hash": "xyz"}, fields=("key_hash", "at"))
    assert changed == ["key_hash"]
    assert hit.bucket == "first"


def test_a_many_to_many_field_goes_through_apply_many_changes():
    partnership = PartnershipFactory()
    first, second = AgencyFactory(), AgencyFactory()
    with pytest.raises(ValueError, match="many-to-many"):
        apply_changes(partnership, {"agencies": [first]})
    assert apply_many_changes(partnership, {"agencies": [first, second]}) == ["agencies"]
    assert apply_many_changes(partnership, {"agencies": [second, first]}) == []
    assert apply_many_changes(partnership, {"agencies": [second]}) == ["agencies"]
    assert list(partnership.agencies.all()) == [second]
