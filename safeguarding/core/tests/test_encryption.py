"""The cipher behind real identities at rest (issue 12, item 6): Fernet tokens under the first of
IDENTITY_ENCRYPTION_KEYS, readable with any key in the list, and a clear error when none fits."""

import datetime

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import override_settings

from config.settings.base import LOCAL_DEVELOPMENT_IDENTITY_KEY
from safeguarding.core.encryption import (
    EncryptedDateField,
    EncryptedTextField,
    IdentityDecryptionError,
    decrypt_text,
    encrypt_text,
)

OLD, NEW, STRANGER = (Fernet.generate_key().decode() for _ in range(3))


def test_a_value_is_stored_as_a_token_that_does_not_hold_it():
    token = encrypt_text("Ottoline Fictionalname")
    assert token.startswith("gAAAAA")  # a Fernet token, version 0x80
    assert "Ottoline" not in token
    assert encrypt_text("Ottoline Fictionalname") != token  # a fresh IV every time
    assert decrypt_text(token) == "Ottoline Fictionalname"


def test_every_key_in_the_list_reads_and_the_first_writes():
    with override_settings(IDENTITY_ENCRYPTION_KEYS=[OLD]):
        old_token = encrypt_text("Leopold Fictional")
    with override_settings(IDENTITY_ENCRYPTION_KEYS=[NEW, OLD]):
        assert decrypt_text(old_token) == "Leopold Fictional"
        new_token = encrypt_text("Leopold Fictional")
    assert Fernet(NEW.encode()).decrypt(new_token.encode()) == b"Leopold Fictional"


def test_a_token_no_key_opens_is_an_error_not_an_empty_value():
    with override_settings(IDENTITY_ENCRYPTION_KEYS=[OLD]):
        token = encrypt_text("Leopold Fictional")
    with (
        override_settings(IDENTITY_ENCRYPTION_KEYS=[STRANGER]),
        pytest.raises(IdentityDecryptionError, match="cannot be decrypted with any key"),
    ):
        decrypt_text(token, where="reviews.PersonIdentity.full_name")
    with pytest.raises(IdentityDecryptionError, match="is the value not encrypted"):
        decrypt_text("Leopold Fictional")  # plaintext where a token should be


def test_a_key_that_is_not_a_fernet_key_is_a_configuration_error():
    with (
        override_settings(IDENTITY_ENCRYPTION_KEYS=[NEW, "not-a-key"]),
        pytest.raises(ImproperlyConfigured, match="key 2 of 2 is not a Fernet key"),
    ):
        encrypt_text("x")
    with (
        override_settings(IDENTITY_ENCRYPTION_KEYS=[]),
        pytest.raises(ImproperlyConfigured, match="IDENTITY_ENCRYPTION_KEYS is empty"),
    ):
        encrypt_text("x")


def test_development_and_tests_use_the_public_development_key(settings):
    assert settings.IDENTITY_ENCRYPTION_KEYS == [LOCAL_DEVELOPMENT_IDENTITY_KEY]
    Fernet(LOCAL_DEVELOPMENT_IDENTITY_KEY.encode())  # a valid key


def test_the_text_field_limits_the_plaintext_not_the_token():
    field = EncryptedTextField(max_length=10)
    field.clean("1234567890", None)
    with pytest.raises(ValidationError):
        field.clean("12345678901", None)
    assert len(field.get_prep_value("1234567890")) > 10


def test_the_date_field_stores_an_encrypted_iso_date_and_gives_back_a_date():
    field = EncryptedDateField(null=True)
    token = field.get_prep_value(datetime.date(2013, 7, 21))
    assert "2013" not in token
    assert decrypt_text(token) == "2013-07-21"
    assert field.get_prep_value(None) is None
    assert field.get_prep_value("") is None
    assert field.to_python("2013-07-21") == datetime.date(2013, 7, 21)
    with pytest.raises(ValidationError):
        field.to_python("21/07/2013")
