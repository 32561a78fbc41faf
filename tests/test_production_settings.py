"""Production refuses to start with a weak secret key, without identity encryption keys (or with
the public development one) or on SQLite (issue 12, items 9, 6 and 5).

Each case imports the production settings in a fresh Python process with its own environment,
as the server would at start-up.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from config.settings.base import LOCAL_DEFAULT_SECRET_KEY, LOCAL_DEVELOPMENT_IDENTITY_KEY

STRONG_KEY = "9vJ2kQ7wX4mN8pR1tY6uZ3aB5cD0eF-gH_iJkLmNoPqRsTuVwXyZ0123456789ab"
IDENTITY_KEY = "hCvT3pW0rYfQm2aX8sK5nL1dJ7gB4eZ9uV6iO0cR3wE="  # a Fernet key for these tests only
OLDER_IDENTITY_KEY = "Q2xm8vN1rT4wY7zA0cF3hJ6kM9pS2uX5bE8gK1nR4tW="
POSTGRES = "postgres://reviews:secret@127.0.0.1:5432/reviews"


def start_production(**environment: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_ALLOWED_HOSTS": "reviews.example.org",
        "DATABASE_URL": POSTGRES,
        "DJANGO_SECRET_KEY": STRONG_KEY,
        "IDENTITY_ENCRYPTION_KEYS": IDENTITY_KEY,
        **environment,
    }
    return subprocess.run(
        [sys.executable, "-c", "import config.settings.production"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def refused(result: subprocess.CompletedProcess, message: str) -> bool:
    return (
        result.returncode != 0
        and "django.core.exceptions.ImproperlyConfigured" in result.stderr
        and message in result.stderr
    )


def test_production_starts_with_a_strong_key_and_postgresql():
    result = start_production()
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "DJANGO_SECRET_KEY is not set"),
        ("abc", "fewer than 50 characters"),
        (LOCAL_DEFAULT_SECRET_KEY, "the project's development key"),
        ("django-insecure-" + "x7Kp2Qm9Lw4Rt8Yz" * 4, "starts with 'django-insecure-'"),
        ("abcd" * 20, "fewer than 5 different characters"),
        ("k" * 49 + "Z", "fewer than 5 different characters"),
    ],
    ids=["empty", "abc", "project-default", "django-insecure", "four-characters", "two-chars"],
)
def test_production_refuses_a_weak_secret_key(key, message):
    result = start_production(DJANGO_SECRET_KEY=key)
    assert refused(result, message), result.stderr[-2000:]
    assert "secrets.token_urlsafe(64)" in result.stderr  # says how to make a good one


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("", "IDENTITY_ENCRYPTION_KEYS is not set"),
        (LOCAL_DEVELOPMENT_IDENTITY_KEY, "key 1 of 1 is the project's development key"),
        (f"{IDENTITY_KEY},{LOCAL_DEVELOPMENT_IDENTITY_KEY}", "key 2 of 2 is the project's"),
        ("not-a-fernet-key", "key 1 of 1 is not a Fernet key"),
        (STRONG_KEY, "key 1 of 1 is not a Fernet key"),
        (f"{IDENTITY_KEY},{IDENTITY_KEY}", "lists the same key twice"),
    ],
    ids=["unset", "development-key", "development-key-second", "not-a-key", "secret-key", "twice"],
)
def test_production_refuses_missing_or_public_identity_keys(keys, message):
    result = start_production(IDENTITY_ENCRYPTION_KEYS=keys)
    assert refused(result, message), result.stderr[-2000:]
    assert "Fernet.generate_key()" in result.stderr  # says how to make one
    assert IDENTITY_KEY not in result.stderr  # never shows a key


def test_production_starts_with_a_new_and_an_old_identity_key():
    result = start_production(IDENTITY_ENCRYPTION_KEYS=f"{IDENTITY_KEY},{OLDER_IDENTITY_KEY}")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("url", ["sqlite:////srv/reviews/db.sqlite3", "sqlite://:memory:"])
def test_production_refuses_sqlite(url):
    result = start_production(DATABASE_URL=url)
    assert refused(result, "DATABASE_URL points to SQLite"), result.stderr[-2000:]


def test_the_ci_deployment_check_still_passes():
    """One of .ci/run's checks: `manage.py check --deploy` with a generated key."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": STRONG_KEY,
            "IDENTITY_ENCRYPTION_KEYS": IDENTITY_KEY,
            "DJANGO_ALLOWED_HOSTS": "reviews.example.org",
            "SERVICE_URL": "https://reviews.example.org",
            "DATABASE_URL": POSTGRES,
        },
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
