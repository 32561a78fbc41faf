"""Rotating the keys that encrypt real identities (issue 12, item 6): ``manage.py
rotate_identity_keys`` re-encrypts every value with the first key, after which the old key can be
removed; a key that opens nothing is a clear error, never an empty name."""

import datetime
import io

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from safeguarding.audit.models import AuditEvent
from safeguarding.core.encryption import IdentityDecryptionError
from safeguarding.referrals.models import ReferralIdentity
from safeguarding.referrals.tests.staff_support import IDENTITY, make_referral
from safeguarding.reviews.models import PersonIdentity
from safeguarding.reviews.running import services as review_services
from safeguarding.reviews.tests.review_support import make_lcspr

pytestmark = pytest.mark.django_db

OLD, NEW, STRANGER = (Fernet.generate_key().decode() for _ in range(3))


@pytest.fixture
def identities_under_the_old_key(partnership, business_unit_user):
    """Two referrals (one from the review's case) and two people in the case, under OLD."""
    with override_settings(IDENTITY_ENCRYPTION_KEYS=[OLD]):
        review, _makers = make_lcspr(partnership, business_unit_user)
        make_referral(partnership)
        for number, born in ((1, datetime.date(1990, 1, 2)), (2, None)):
            review_services.person_add(
                review=review,
                actor=business_unit_user,
                pseudonym=f"Adult {number}",
                role_in_case="parent",
                full_name=f"Fictional Person {number}",
                date_of_birth=born,
            )
    return review


def stored_tokens() -> list[str]:
    """Every stored token, read with raw SQL (not decrypted)."""
    tokens = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT first_name, last_name, other_names, date_of_birth, address "
            "FROM referrals_referralidentity"
        )
        tokens += [value for row in cursor.fetchall() for value in row]
        cursor.execute(
            "SELECT full_name, date_of_birth, address, other_identifiers "
            "FROM reviews_personidentity"
        )
        tokens += [value for row in cursor.fetchall() for value in row]
    return [token for token in tokens if token is not None]


def opens(key: str, token: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def rotate(*arguments: str) -> str:
    out = io.StringIO()
    call_command("rotate_identity_keys", *arguments, stdout=out)
    return out.getvalue()


def names() -> list[str]:
    return sorted(
        [f"{i.first_name} {i.last_name}" for i in ReferralIdentity.objects.all()]
        + [p.full_name for p in PersonIdentity.objects.all()]
    )


EXPECTED_NAMES = sorted(["Zebedee Quillfeather"] * 2 + ["Fictional Person 1", "Fictional Person 2"])


def test_rotation_moves_every_value_to_the_new_key_and_the_old_key_can_go(
    identities_under_the_old_key,
):
    tokens = stored_tokens()
    # 2 referrals × 5 fields + 2 people × 4 fields, less one date of birth not given (NULL);
    # an empty address is encrypted like any other value.
    assert len(tokens) == 17 and all(opens(OLD, t) for t in tokens)

    with override_settings(IDENTITY_ENCRYPTION_KEYS=[NEW, OLD]):
        assert names() == EXPECTED_NAMES  # both keys read before the rotation
        with pytest.raises(CommandError, match="still need an older key"):
            rotate("--check")
        output = rotate("--batch-size", "1")
        assert "Re-encrypted 17 value(s) in 4 row(s) with the first of 2 key(s)" in output
        assert "referrals.ReferralIdentity: 10 value(s) re-encrypted" in output
        assert "reviews.PersonIdentity: 7 value(s) re-encrypted" in output

    tokens = stored_tokens()
    assert len(tokens) == 17
    assert all(opens(NEW, t) and not opens(OLD, t) for t in tokens)
    with override_settings(IDENTITY_ENCRYPTION_KEYS=[NEW]):  # the old key removed
        assert "0 value(s) still need an older key; 17 already use the first" in rotate("--check")
        assert names() == EXPECTED_NAMES
        assert ReferralIdentity.objects.first().date_of_birth == IDENTITY["date_of_birth"]
        adult = PersonIdentity.objects.get(person__pseudonym="Adult 1")
        assert adult.date_of_birth == datetime.date(1990, 1, 2)

    event = AuditEvent.objects.get(action="identity.keys_rotated")
    assert event.payload["completed"] is True
    assert (event.payload["rotated"], event.payload["rows_changed"]) == (17, 4)
    assert event.actor_label == "manage.py rotate_identity_keys"
    assert "Zebedee" not in str(event.payload)


def test_rotation_run_again_changes_nothing(identities_under_the_old_key):
    with override_settings(IDENTITY_ENCRYPTION_KEYS=[NEW, OLD]):
        rotate()
        before = stored_tokens()
        output = rotate()
    assert "Re-encrypted 0 value(s) in 0 row(s)" in output
    assert "17 already used it" in output
    assert stored_tokens() == before
    assert AuditEvent.objects.filter(action="identity.keys_rotated").count() == 2


def test_a_value_no_key_opens_raises_a_clear_error_not_an_empty_value(
    identities_under_the_old_key,
):
    with override_settings(IDENTITY_ENCRYPTION_KEYS=[STRANGER]):
        with pytest.raises(IdentityDecryptionError) as error:
            ReferralIdentity.objects.first().first_name  # noqa: B018
        assert "referrals.ReferralIdentity.first_name cannot be decrypted with any key" in str(
            error.value
        )
        with pytest.raises(IdentityDecryptionError, match=r"reviews\.PersonIdentity\.full_name"):
            list(PersonIdentity.objects.all())
        before = stored_tokens()
        with pytest.raises(CommandError, match="cannot be decrypted with any key"):
            rotate()
    assert stored_tokens() == before  # nothing written
    event = AuditEvent.objects.get(action="identity.keys_rotated")
    assert event.payload["completed"] is False
    assert "cannot be decrypted" in event.payload["error"]


def test_a_change_saved_after_rotation_uses_the_new_key(identities_under_the_old_key):
    with override_settings(IDENTITY_ENCRYPTION_KEYS=[NEW, OLD]):
        rotate()
        identity = PersonIdentity.objects.get(person__pseudonym="Adult 2")
        identity.address = "9 Fictional Close"
        identity.save()
    with override_settings(IDENTITY_ENCRYPTION_KEYS=[NEW]):
        assert PersonIdentity.objects.get(person__pseudonym="Adult 2").address == (
            "9 Fictional Close"
        )
