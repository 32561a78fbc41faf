"""Settings for the test suite: fast hashing, mail kept in memory, plain static storage."""

import tempfile

from .base import *  # noqa: F403
from .base import DATABASES, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
NOTIFY_API_KEY = ""  # tests never reach GOV.UK Notify (its tests use a local server)
MEDIA_ROOT = tempfile.mkdtemp(prefix="safeguarding-test-media-")
STORAGES = {
    **STORAGES,
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# A second database for the backup and restore drill (records/tests/test_backup_drill.py): the
# same engine and server as the default one, created empty (migrated) only for the tests that
# ask for it. SQLite: an in-memory database of its own; PostgreSQL: test_<name>_restore_drill.
DATABASES = {
    **DATABASES,
    "restore_drill": {
        **DATABASES["default"],
        "TEST": {
            "NAME": None
            if DATABASES["default"]["ENGINE"].endswith("sqlite3")
            else f"test_{DATABASES['default']['NAME']}_restore_drill"
        },
    },
}
