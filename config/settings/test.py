"""Settings for the test suite: fast hashing, mail kept in memory, plain static storage."""

import tempfile

from .base import *  # noqa: F403
from .base import STORAGES

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
