"""Real identities encrypted at rest (issue 12, item 6; docs/security.md "Identities at rest").

The names, dates of birth, addresses and other identifiers of the people in a case are stored as
Fernet tokens (AES-128-CBC with an HMAC-SHA256, from the ``cryptography`` package) in text
columns. ``settings.IDENTITY_ENCRYPTION_KEYS`` lists the keys: the first encrypts every value
written; every key in the list can read. Rotating a key is: put the new key first, deploy, run
``manage.py rotate_identity_keys`` (which re-encrypts every value with the first key), then
remove the old key.

- ``EncryptedTextField`` and ``EncryptedDateField`` encrypt on the way to the database and
  decrypt on the way back; Python code sees a ``str`` or a ``datetime.date``. A stored value that
  no key can read raises ``IdentityDecryptionError`` naming the model and field: never an
  empty value.
- The database sees only ciphertext, so it cannot filter, sort or search these columns: every
  lookup but ``isnull`` is refused with an error saying so. Load the rows the user may see
  (a selector) and compare in Python.
- ``identity_keys_rotate`` re-encrypts every stored token that is not under the first key, in
  batches, each batch one transaction; running it again changes nothing.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core import validators
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.db import connections, models, router, transaction
from django.forms import DateField as DateFormField


class IdentityDecryptionError(Exception):
    """A stored identity value cannot be decrypted with any key in IDENTITY_ENCRYPTION_KEYS."""


# The cipher -------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _cipher_for(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    if not keys:
        raise ImproperlyConfigured(
            "IDENTITY_ENCRYPTION_KEYS is empty: real identities cannot be read or written"
        )
    fernets = []
    for number, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except ValueError:
            raise ImproperlyConfigured(
                f"IDENTITY_ENCRYPTION_KEYS: key {number} of {len(keys)} is not a Fernet key "
                "(32 url-safe base64-encoded bytes)"
            ) from None
    return MultiFernet(fernets), fernets[0]


def _keys() -> tuple[str, ...]:
    return tuple(key.strip() for key in settings.IDENTITY_ENCRYPTION_KEYS if key.strip())


def identity_cipher() -> MultiFernet:
    """The cipher over every configured key (the first encrypts)."""
    return _cipher_for(_keys())[0]


def _primary() -> Fernet:
    return _cipher_for(_keys())[1]


def encrypt_text(value: str) -> str:
    """``value`` as a Fernet token under the first key."""
    return identity_cipher().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str, *, where: str = "a stored value") -> str:
    """The text inside ``token``, or IdentityDecryptionError if no configured key opens it."""
    try:
        return identity_cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError):
        raise IdentityDecryptionError(
            f"{where} cannot be decrypted with any key in IDENTITY_ENCRYPTION_KEYS "
            f"({len(_keys())} configured). Was a key removed before `manage.py "
            "rotate_identity_keys` re-encrypted every value, or is the value not encrypted?"
        ) from None


# The fields -------------------------------------------------------------------------------------


class EncryptedField(models.TextField):
    """A value stored as a Fernet token in a text column. Subclasses say how a Python value
    becomes text and back (``to_plaintext``, ``from_plaintext``).

    ``max_length``, if given, limits the plaintext (model validation and forms); the column
    itself is unbounded text, since a token is about 1.4 times the length plus 100 characters.
    """

    description = "Encrypted at rest"

    def to_plaintext(self, value) -> str:
        return str(value)

    def from_plaintext(self, text: str):
        return text

    @property
    def validators(self):
        extra = [validators.MaxLengthValidator(self.max_length)] if self.max_length else []
        return [*self.default_validators, *self._validators, *extra]

    def get_prep_value(self, value):
        value = self.to_python(value)
        if value is None:
            return None
        return encrypt_text(self.to_plaintext(value))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        where = f"{self.model._meta.label}.{self.name}"
        return self.from_plaintext(decrypt_text(value, where=where))

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.model._meta.label}.{self.name} is encrypted at rest: the database cannot "
            f"filter, sort or search it ({lookup_name!r}). Load the rows the user may see and "
            "compare in Python."
        )

    def get_transform(self, lookup_name):
        return None


class EncryptedTextField(EncryptedField):
    """Text (a name, an address) encrypted at rest; Python sees a ``str``."""


class EncryptedDateField(EncryptedField):
    """A date (a date of birth) stored as encrypted ISO text; Python sees a ``datetime.date``."""

    description = "Date encrypted at rest"
    empty_strings_allowed = False
    # What django-stubs should see: the attribute is a date, not the column's text.
    _pyi_private_set_type: datetime.date | None
    _pyi_private_get_type: datetime.date | None

    def to_python(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            raise ValidationError(
                "Enter a real date", code="invalid_date", params={"value": value}
            ) from None

    def to_plaintext(self, value) -> str:
        return value.isoformat()

    def from_plaintext(self, text: str):
        return datetime.date.fromisoformat(text)

    @property
    def validators(self):
        return [*self.default_validators, *self._validators]

    def formfield(self, **kwargs):
        return super(models.TextField, self).formfield(**{"form_class": DateFormField, **kwargs})


# Rotation ---------------------------------------------------------------------------------------


class StoredToken(models.Func):
    """The column's stored token as it is, not decrypted (for rotation and tests)."""

    template = "%(expressions)s"

    def __init__(self, name: str):
        super().__init__(models.F(name), output_field=models.TextField())


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with encrypted fields, and those fields' names."""
    found = []
    for model in apps.get_models():
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, EncryptedField) and f.model is model
        ]
        if names:
            found.append((model, names))
    return found


@dataclass
class RotationCounts:
    rotated: int = 0  # values re-encrypted with the first key
    current: int = 0  # values already under the first key
    rows_changed: int = 0
    by_model: dict[str, int] = field(default_factory=dict)  # label → values re-encrypted


def identity_keys_rotate(
    *,
    batch_size: int = 500,
    write: bool = True,
    counts: RotationCounts | None = None,
) -> RotationCounts:
    """Re-encrypt, with the first key, every stored token that is not already under it
    (``MultiFernet.rotate``: the token keeps its original timestamp).

    Each batch of rows is one transaction, its rows locked (PostgreSQL) and read inside it, so a
    change saved meanwhile is not overwritten. A value no key opens stops the run with
    IdentityDecryptionError; the batches before it stay done (running again goes on from there,
    as values already under the first key are left alone). ``counts``, if given, is filled as
    batches commit, so a caller still has them after an error. With ``write=False`` nothing is
    written and the counts say how many values still need an older key. The caller audits.
    """
    cipher, primary = identity_cipher(), _primary()
    counts = counts if counts is not None else RotationCounts()
    for model, names in encrypted_fields():
        label = model._meta.label
        counts.by_model.setdefault(label, 0)
        database = router.db_for_write(model)
        manager = model._base_manager.db_manager(database)
        for ids in _id_batches(manager, batch_size):
            batch = RotationCounts()
            with transaction.atomic(using=database):
                rows = (
                    (manager.select_for_update() if write else manager.all())
                    .filter(pk__in=ids)
                    .order_by("pk")
                    .values_list("pk", *[StoredToken(n) for n in names])
                )
                updates = []
                for pk, *tokens in rows:
                    stored = list(tokens)
                    for index, (name, token) in enumerate(zip(names, tokens, strict=True)):
                        if token is None:
                            continue
                        if _opens(primary, token):
                            batch.current += 1
                            continue
                        try:
                            stored[index] = cipher.rotate(token.encode("ascii")).decode("ascii")
                        except (InvalidToken, UnicodeEncodeError):
                            raise IdentityDecryptionError(
                                f"{label}.{name} of row {pk} cannot be decrypted with any key "
                                "in IDENTITY_ENCRYPTION_KEYS; this batch was not written"
                            ) from None
                        batch.rotated += 1
                    if stored != tokens:
                        batch.rows_changed += 1
                        updates.append((*stored, pk))
                if write and updates:
                    _write_columns(connections[database], model, names, updates)
            counts.rotated += batch.rotated
            counts.current += batch.current
            counts.rows_changed += batch.rows_changed
            counts.by_model[label] += batch.rotated
    return counts


def _write_columns(connection, model: type[models.Model], names: list[str], rows: list[tuple]):
    """Store values as they are (tokens are not encrypted again): ``rows`` are (value per
    name…, pk), one UPDATE per row sent as one batch (executemany), in the caller's
    transaction."""
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(model._meta.get_field(n).column)} = %s" for n in names)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {columns} "  # noqa: S608 (names from _meta)
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _opens(fernet: Fernet, token: str) -> bool:
    try:
        fernet.decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def _id_batches(manager, size: int) -> Iterator[list]:
    """The primary keys of a table, ``size`` at a time, in order."""
    last = None
    while True:
        rows = manager.order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        ids = list(rows.values_list("pk", flat=True)[:size])
        if not ids:
            return
        yield ids
        last = ids[-1]


# Data migrations --------------------------------------------------------------------------------


def migration_encrypt_rows(
    model, *, text: list[str], dates: dict[str, str], using: str, batch: int = 500
):
    """Encrypt a table's plaintext in place, for a data migration (forwards).

    ``model`` is the historical model, whose ``text`` fields are still plain text columns;
    ``dates`` maps each old date column to the new text column that receives its encrypted ISO
    date. Rows are read and written in primary-key batches.
    """
    manager = model._base_manager.db_manager(using)
    names = [*text, *dates.values()]
    for ids in _id_batches(manager, batch):
        rows = []
        for row in manager.filter(pk__in=ids).values("pk", *text, *dates):
            tokens = [encrypt_text(row[name] or "") for name in text]
            tokens += [encrypt_text(row[old].isoformat()) if row[old] else None for old in dates]
            rows.append((*tokens, row["pk"]))
        _write_columns(connections[using], model, names, rows)


def migration_decrypt_rows(
    model, *, text: list[str], dates: dict[str, str], using: str, batch: int = 500
):
    """The reverse of ``migration_encrypt_rows``: plaintext back in the ``text`` columns and
    each old date column filled from its encrypted text column."""
    label = model._meta.label
    manager = model._base_manager.db_manager(using)
    names = [*text, *dates]
    for ids in _id_batches(manager, batch):
        rows = []
        for row in manager.filter(pk__in=ids).values("pk", *text, *dates.values()):
            values = [
                decrypt_text(row[name], where=f"{label}.{name}") if row[name] else ""
                for name in text
            ]
            for old, new in dates.items():
                token = row[new]
                values.append(
                    datetime.date.fromisoformat(decrypt_text(token, where=f"{label}.{old}"))
                    if token
                    else None
                )
            rows.append((*values, row["pk"]))
        _write_columns(connections[using], model, names, rows)
