"""Settings for the test suite: fast hashing, mail kept in memory, plain static storage."""

import tempfile

from .base import *  # noqa: F403
from .base import DATABASES, STORAGES, VAR_DIR

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
LIBRARY_WARM_UP = False  # the tests that need the model load it when they first use it
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The library's sentence model is slow to load and run: off, except in the tests that need it
# (the ``search_vectors`` marker, conftest.py).
LIBRARY_SEARCH_VECTORS = False
# SQLite: the test database is a file in var/ (not in memory), so that --reuse-db (make
# test-fast) can keep it between runs; pytest-xdist gives each worker its own (_gw0, _gw1...).
# It is set up as for a web server (base.py), except that a test database need not survive a
# power cut: synchronous=OFF, no waiting for the disk on each commit.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    DATABASES["default"]["OPTIONS"]["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF"
    )

# A second database for the backup and restore drill (records/tests/test_backup_drill.py): the
# same engine and server as the default one, created empty (migrated) for a run that collects
# the tests that ask for it (each pytest-xdist worker collects them all). SQLite: a file in var/
# beside the test database, not in memory, so that --reuse-db keeps it migrated too (migrating
# it took each worker 20-40 s of every `make test-fast`); PostgreSQL: test_<name>_restore_drill.
# Its tests never commit to it (each runs in a transaction rolled back after it), so it stays
# empty between runs.
DATABASES = {
    **DATABASES,
    "restore_drill": {
        **DATABASES["default"],
        "TEST": {
            "NAME": str(VAR_DIR / "test_restore_drill.sqlite3")
            if DATABASES["default"]["ENGINE"].endswith("sqlite3")
            else f"test_{DATABASES['default']['NAME']}_restore_drill"
        },
    },
}
