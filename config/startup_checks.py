"""Checks the production settings run at start-up: the service refuses to start rather than run
with a guessable secret key, without identity encryption keys (or with the public development
one) or on SQLite."""

import base64

from django.core.exceptions import ImproperlyConfigured

SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
INSECURE_PREFIX = "django-insecure-"


def secret_key_problem(key: str, *, known_keys: frozenset[str] = frozenset()) -> str:
    """What is wrong with ``key`` as a production secret key ("" when nothing is).

    The rules are Django's own deployment check (security.W009) plus the keys this project
    ships for development, which anyone can read in the source.
    """
    if not key:
        return "DJANGO_SECRET_KEY is not set"
    if key in known_keys:
        return "DJANGO_SECRET_KEY is the project's development key, which is public"
    if key.startswith(INSECURE_PREFIX):
        return f"DJANGO_SECRET_KEY starts with {INSECURE_PREFIX!r} (a generated development key)"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"DJANGO_SECRET_KEY has fewer than {SECRET_KEY_MIN_LENGTH} characters"
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return (
            f"DJANGO_SECRET_KEY has fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS} "
            "different characters"
        )
    return ""


def require_strong_secret_key(key: str, *, known_keys: frozenset[str] = frozenset()) -> str:
    """``key``, or ImproperlyConfigured saying what is wrong with it and how to make one."""
    problem = secret_key_problem(key, known_keys=known_keys)
    if problem:
        raise ImproperlyConfigured(
            f"{problem}. Production needs a random key of at least {SECRET_KEY_MIN_LENGTH} "
            "characters, for example from: "
            "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
    return key


def refuse_sqlite(database: dict, *, sqlite_engine: str) -> dict:
    """``database``, unless it is SQLite: production runs on PostgreSQL (several server
    processes, backups, and no "database is locked" under load)."""
    if database.get("ENGINE") == sqlite_engine:
        raise ImproperlyConfigured(
            "DATABASE_URL points to SQLite. Production needs PostgreSQL, for example "
            "DATABASE_URL=postgres://user:password@host:5432/reviews"
        )
    return database


IDENTITY_KEY_HOW_TO = (
    "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)


def identity_keys_problem(keys: list[str], *, known_keys: frozenset[str] = frozenset()) -> str:
    """What is wrong with ``keys`` as the production identity encryption keys ("" when nothing
    is). The message never shows a key."""
    keys = [key.strip() for key in keys if key.strip()]
    if not keys:
        return "IDENTITY_ENCRYPTION_KEYS is not set"
    for number, key in enumerate(keys, start=1):
        where = f"IDENTITY_ENCRYPTION_KEYS: key {number} of {len(keys)}"
        if key in known_keys:
            return f"{where} is the project's development key, which is public"
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raw = b""
        if len(raw) != 32:
            return f"{where} is not a Fernet key (32 url-safe base64-encoded bytes)"
    if len(set(keys)) != len(keys):
        return "IDENTITY_ENCRYPTION_KEYS lists the same key twice"
    return ""


def require_identity_encryption_keys(
    keys: list[str], *, known_keys: frozenset[str] = frozenset()
) -> list[str]:
    """``keys``, or ImproperlyConfigured saying what is wrong and how to make a key."""
    problem = identity_keys_problem(keys, known_keys=known_keys)
    if problem:
        raise ImproperlyConfigured(
            f"{problem}. Production encrypts real identities with the keys in "
            "IDENTITY_ENCRYPTION_KEYS (comma-separated, the first encrypts new values; see "
            f"docs/security.md, 'Identities at rest'). Make a key with: {IDENTITY_KEY_HOW_TO}"
        )
    return [key.strip() for key in keys if key.strip()]
