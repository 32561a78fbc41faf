"""Production: PostgreSQL, HTTPS only, two-factor sign-in required for staff.

Every secret comes from the environment; start-up fails if one is missing or weak (a short or
development secret key, no identity encryption key or the development one), or if DATABASE_URL
points to SQLite.
"""

from config.startup_checks import (
    refuse_sqlite,
    require_identity_encryption_keys,
    require_strong_secret_key,
)

from .base import *  # noqa: F403
from .base import (
    LOCAL_DEFAULT_SECRET_KEY,
    LOCAL_DEVELOPMENT_IDENTITY_KEY,
    SQLITE_ENGINE,
    env,
)

DEBUG = False
SECRET_KEY = require_strong_secret_key(
    env("DJANGO_SECRET_KEY", default=""), known_keys=frozenset({LOCAL_DEFAULT_SECRET_KEY})
)
IDENTITY_ENCRYPTION_KEYS = require_identity_encryption_keys(
    env.list("IDENTITY_ENCRYPTION_KEYS", default=[]),
    known_keys=frozenset({LOCAL_DEVELOPMENT_IDENTITY_KEY}),
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": refuse_sqlite(env.db("DATABASE_URL"), sqlite_engine=SQLITE_ENGINE)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)

TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")

# Background tasks (milestone reminders) wait in the database; `manage.py db_worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
