"""Settings shared by every environment. Values come from the environment (django-environ).

Each environment module (local, test, production) imports this one and changes only what
differs. An integration is switched on only when its variable is set.
"""

import base64
import hashlib
import os
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# numpy's OpenBLAS on one thread (set before numpy is first imported, by the library's search):
# the search's products are small (a query vector against a few thousand record vectors), and
# on a busy machine OpenBLAS's thread pool made each of them 50-100 times slower (measured for
# issue 15: 30-50 ms against 0.5 ms). Set the variable to override.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

# The key for development and tests only: production refuses to start with it (production.py).
LOCAL_DEFAULT_SECRET_KEY = "insecure-local-key-change-me-0123456789abcdefghij"  # noqa: S105
SECRET_KEY = env("DJANGO_SECRET_KEY", default=LOCAL_DEFAULT_SECRET_KEY)

# Keys that encrypt real identities at rest (safeguarding/core/encryption.py; docs/security.md
# "Identities at rest"): comma-separated Fernet keys, the first encrypts new values, every one
# reads. Without the variable, development, the demo and tests use the development key below,
# derived from a public phrase: anyone can compute it. Production refuses to start with it.
LOCAL_DEVELOPMENT_IDENTITY_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"manage-safeguarding-reviews: public development identity key").digest()
).decode("ascii")
IDENTITY_ENCRYPTION_KEYS = env.list(
    "IDENTITY_ENCRYPTION_KEYS", default=[LOCAL_DEVELOPMENT_IDENTITY_KEY]
)
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

SERVICE_NAME = "Manage safeguarding reviews"
SERVICE_PHASE = env("SERVICE_PHASE", default="Beta")
# The service's own address (e.g. https://reviews.example.gov.uk), for links in emails and
# calendar invitations, which are sent without a request. Empty: emails give the page's path.
SERVICE_URL = env("SERVICE_URL", default="").rstrip("/")

INSTALLED_APPS = [
    # Django's admin, for superusers only (ADR 0011).
    "safeguarding.accounts.admin_site.SystemAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_email",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "safeguarding.core",
    "safeguarding.accounts",
    "safeguarding.audit",
    "safeguarding.notifications",
    "safeguarding.public_site",
    "safeguarding.guidance",
    "safeguarding.clock",
    "safeguarding.referrals",
    "safeguarding.reviews",
    "safeguarding.publication",
    "safeguarding.actions",
    "safeguarding.information_requests",
    "safeguarding.library",
    "safeguarding.digests",
    "safeguarding.reports",
    "safeguarding.records",
    "safeguarding.workspace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that static files get the Permissions-Policy header too.
    "safeguarding.core.middleware.ResponseHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "safeguarding.core.middleware.RequestIdMiddleware",
    # "database is locked" (SQLite under load) becomes the GOV.UK "service is busy" page.
    "safeguarding.core.middleware.DatabaseBusyMiddleware",
    # Public pages for visitors without a session, from the cache (ADR 0023): before sessions,
    # authentication and CSRF, which such a page does not need.
    "safeguarding.public_site.middleware.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "safeguarding.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session lifetimes (after messages: it tells the user why they must
    # sign in again).
    "safeguarding.accounts.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # AxesMiddleware must be last: it turns a lockout into the lockout page (HTTP 429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "safeguarding" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safeguarding.core.context_processors.service",
                # Replaces the csrf_token of Django's own processor (issue 16).
                "safeguarding.core.context_processors.csrf",
                "safeguarding.notifications.context_processors.unread_notifications",
            ],
            "builtins": [
                "safeguarding.core.templatetags.govuk",
                "safeguarding.reviews.templatetags.case_navigation",
                # After Django's own: its {% url %} replaces Django's (issue 16).
                "safeguarding.core.templatetags.cached_url",
                # After Django's own: its |date replaces Django's (issue 16).
                "safeguarding.core.templatetags.cached_date",
                "safeguarding.core.templatetags.layout",
            ],
        },
    }
]
# One project form renderer: every Django form field gets GOV.UK markup (core/forms.py).
FORM_RENDERER = "safeguarding.core.forms.GovukFormRenderer"

# SQLite waits this long for another writer before it gives up with "database is locked".
SQLITE_BUSY_TIMEOUT_SECONDS = env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=20)
SQLITE_ENGINE = "django.db.backends.sqlite3"


def sqlite_for_web_server(database: dict) -> dict:
    """Set SQLite up for several requests at once; other engines are returned unchanged.

    - WAL journal: readers do not block the writer, nor the writer the readers.
    - synchronous=NORMAL: safe with WAL (a power cut may lose the last commit, never corrupt).
    - transaction_mode IMMEDIATE: every transaction takes the write lock when it begins, so a
      transaction that reads and then writes waits its turn (busy timeout) instead of failing
      at once with "database is locked" when it tries to upgrade its read lock.
    - timeout: how long a connection waits for the write lock.
    """
    if database.get("ENGINE") != SQLITE_ENGINE:
        return database
    options = database.setdefault("OPTIONS", {})
    options.setdefault("timeout", SQLITE_BUSY_TIMEOUT_SECONDS)
    options.setdefault("transaction_mode", "IMMEDIATE")
    options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
    return database


DATABASES = {
    "default": sqlite_for_web_server(
        env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # AxesStandaloneBackend must come first: it refuses locked-out credentials.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend, loading the user with the two-factor middleware's question
    # answered in the same query (issue 16).
    "safeguarding.accounts.backends.ModelBackend",
]
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "workspace:staff_home"
LOGOUT_REDIRECT_URL = "accounts:signed_out"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour

# The cache of public pages for anonymous visitors (ADR 0023), in each server process's memory:
# the content version that keys it is in the database, so every process sees a change at once.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public_pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "public-pages",
        "OPTIONS": {"MAX_ENTRIES": env.int("PUBLIC_PAGE_CACHE_ENTRIES", default=2_000)},
    },
    # Rendered parts of staff report pages, each under a digest of everything it shows
    # (reports/views.py: the timeliness page's sections), so never stale; bounded.
    "report_fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "report-fragments",
        "OPTIONS": {"MAX_ENTRIES": env.int("REPORT_FRAGMENT_CACHE_ENTRIES", default=2_000)},
    },
}
REPORT_FRAGMENT_CACHE_SECONDS = env.int("REPORT_FRAGMENT_CACHE_SECONDS", default=24 * 60 * 60)
# How long a browser or proxy may reuse a public page without asking (then it asks with its
# ETag and gets a 304 if nothing changed), and the longest a page stays in the server's cache.
PUBLIC_PAGE_MAX_AGE = env.int("PUBLIC_PAGE_MAX_AGE", default=60)
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=600)
# Each server process reads a partnership's content version from the database at most once in
# this many seconds: another process's change reaches it within that time (its own at once).
PUBLIC_CONTENT_VERSION_READ_SECONDS = env.float("PUBLIC_CONTENT_VERSION_READ_SECONDS", default=1.0)

# Sessions end after 30 minutes without activity. The session is not written on every request
# (with SQLite every write takes the database's one write lock): SessionLifetimeMiddleware
# renews it when more than SESSION_RENEW_AFTER_SECONDS have passed since it was last renewed,
# so a session ends between SESSION_IDLE_SECONDS - SESSION_RENEW_AFTER_SECONDS and
# SESSION_IDLE_SECONDS after the last request, never later.
# Django's database sessions, read with SQL built once per process (issue 16).
SESSION_ENGINE = "safeguarding.accounts.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_AFTER_SECONDS = 60
# However active, a signed-in session ends this long after sign-in (then sign in again).
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "safeguarding.core.views.csrf_failure"

# Lockout after repeated failures (django-axes): by user name and IP together.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
# Email addresses are not case-sensitive: Name@x and name@x count towards the same lockout.
AXES_USERNAME_CALLABLE = "safeguarding.accounts.email_addresses.axes_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The client's address, for every caller that needs it (rate limits, sign-in audit events,
# lockouts): the address the trusted proxies in front of the service saw (TRUSTED_PROXY_COUNT).
AXES_CLIENT_IP_CALLABLE = "safeguarding.core.client_address.client_address"

# How many reverse proxies in front of the service add the address they received to
# X-Forwarded-For. 0 (the default): the service is reached directly and the header is ignored,
# so nobody can choose their own address by sending one. 1: one proxy (e.g. nginx with
# `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`): the client is the last address
# in the header. Never more than the proxies really there: the extra ones could be forged.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Password reset emails: at most this many an hour to one email address, and from one client
# address (counted in the database, so every server process shares the count).
PASSWORD_RESET_EMAILS_PER_HOUR_PER_EMAIL = env.int(
    "PASSWORD_RESET_EMAILS_PER_HOUR_PER_EMAIL", default=3
)
PASSWORD_RESET_REQUESTS_PER_HOUR_PER_CLIENT = env.int(
    "PASSWORD_RESET_REQUESTS_PER_HOUR_PER_CLIENT", default=10
)

# Invitations to join a partnership (the people pages, ADR 0011): days the emailed link works.
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)

# Two-factor sign-in (TOTP). Required for every member of staff when this is true.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=False)
OTP_TOTP_ISSUER = SERVICE_NAME
# Setting up an authenticator app needs a code emailed to the user first (django-otp's email
# device), so a stolen password alone cannot enrol a new authenticator.
OTP_EMAIL_SUBJECT = f"Your code to set up two-factor sign-in – {SERVICE_NAME}"
OTP_EMAIL_BODY_TEMPLATE_PATH = "accounts/email/two_factor_email_code.txt"
OTP_EMAIL_TOKEN_VALIDITY = 15 * 60
OTP_EMAIL_COOLDOWN_DURATION = 60
# How long after the emailed code is entered the authenticator app must be confirmed.
TWO_FACTOR_EMAIL_CONFIRMATION_SECONDS = 30 * 60

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "safeguarding" / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env("MEDIA_ROOT", default=str(VAR_DIR / "media"))},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = STORAGES["default"]["OPTIONS"]["location"]
# The daily run (clock/tasks.py: the send_milestone_reminders task and `manage.py send_reminders`)
# calls each of these after the reminders, with today's real date: the retention schedule
# (records/retention.py).
DAILY_JOBS = [
    "safeguarding.records.retention.retention_apply_daily",
    # Each case's closing day worked out again (records/closing.py): a safety net, logged.
    "safeguarding.records.closing.refresh_closing_daily",
]
# Backups (`manage.py backup` / `restore`, docs/how-to/back-up-and-restore.md): the key that
# encrypts them, 32 bytes in URL-safe base64 (`manage.py backup --new-key`). Several keys,
# separated by commas, read older backups; the first one encrypts. Keep it apart from backups.
BACKUP_ENCRYPTION_KEY = env("BACKUP_ENCRYPTION_KEY", default="")
# Largest accepted upload (documents on the public page). Checked by the upload validator.
# "Have we seen this before?" on the action plan forms: the library's finder (the library reads
# the actions app, so it is wired here rather than imported).
SIMILAR_LEARNING_FINDER = "safeguarding.library.similar.similar_texts"
# The library's meaning-based search (a packaged sentence model on onnxruntime, docs/search.md).
LIBRARY_SEARCH_VECTORS = env.bool("LIBRARY_SEARCH_VECTORS", default=True)
# A search query's vector from the model's 8-bit query graph (about twice as fast; records'
# vectors stay float32; docs/search.md, "int8 query vectors"). False: queries run float32 too.
LIBRARY_QUERY_INT8 = env.bool("LIBRARY_QUERY_INT8", default=True)
# Load the sentence model when the app starts rather than on the first search (about 2-6 s and
# 300 MB). config/gunicorn.conf.py turns it on for the web server, which loads it once in the
# master process and forks the workers from it; management commands and tests leave it off.
LIBRARY_WARM_UP = env.bool("LIBRARY_WARM_UP", default=False)
# Online referrals and digest sign-ups: most any one client address may send in an hour (abuse
# protection; counted in the database by core.rate_limits, shared by every server process).
REFERRALS_PER_HOUR_PER_ADDRESS = env.int("REFERRALS_PER_HOUR_PER_ADDRESS", default=10)
DIGEST_SUBSCRIBE_PER_HOUR_PER_ADDRESS = env.int("DIGEST_SUBSCRIBE_PER_HOUR_PER_ADDRESS", default=10)
# Every staff download is written to the audit trail by this recorder (core.files).
DOWNLOAD_AUDIT_RECORDER = "safeguarding.audit.services.audit_record"
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Decompression bombs (core/uploads.py): a Word, Excel or OpenDocument file is refused before
# it is read if it would unpack to more than this in all, if it (or any part over 1 MB) unpacks
# to more than RATIO times its packed size, or if it has more parts than this.
UPLOAD_MAX_UNPACKED_BYTES = env.int("UPLOAD_MAX_UNPACKED_BYTES", default=50 * 1024 * 1024)
UPLOAD_MAX_COMPRESSION_RATIO = env.int("UPLOAD_MAX_COMPRESSION_RATIO", default=100)
UPLOAD_MAX_ARCHIVE_MEMBERS = env.int("UPLOAD_MAX_ARCHIVE_MEMBERS", default=1_000)
# Reading one file's text (identity check, Word referral forms, chronologies): most seconds,
# most characters kept, most PDF pages.
UPLOAD_PARSE_SECONDS = env.int("UPLOAD_PARSE_SECONDS", default=20)
UPLOAD_MAX_TEXT_CHARACTERS = env.int("UPLOAD_MAX_TEXT_CHARACTERS", default=5_000_000)
UPLOAD_MAX_PDF_PAGES = env.int("UPLOAD_MAX_PDF_PAGES", default=2_000)

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="no-reply@safeguarding-reviews.example")
# GOV.UK Notify (safeguarding/core/email_transport.py): on when NOTIFY_API_KEY is set, and then
# every email of the service goes through it (not EMAIL_BACKEND), invitations included, except
# password resets and two-factor codes, which stay on Django's mail. Templates are Notify's, by
# id: one per notification kind if wanted (NOTIFY_TEMPLATE_IDS="milestone.due_soon=<id>,
# digest.issue=<id>,people.invitation=<id>"), else the generic one, whose subject is
# ((subject)) and body ((body)). Checked at start-up (notifications/checks.py).
NOTIFY_API_KEY = env("NOTIFY_API_KEY", default="")
NOTIFY_GENERIC_TEMPLATE_ID = env("NOTIFY_GENERIC_TEMPLATE_ID", default="")
NOTIFY_TEMPLATE_IDS = env.dict("NOTIFY_TEMPLATE_IDS", default={})
NOTIFY_BASE_URL = env("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_TIMEOUT_SECONDS = env.int("NOTIFY_TIMEOUT_SECONDS", default=10)

# Background tasks (django-tasks). Here, in development and in tests, a task runs at once in
# the process that enqueues it; production queues it in the database for `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# SHA-256 of the inline script in base.html (checked by safeguarding/public_site/tests).
BASE_INLINE_SCRIPT_HASH = "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # No per-response nonce, so that a public page can be cached (ADR 0023): the scripts
        # are files of our own, and base.html's one inline script (GOV.UK Frontend's
        # js-enabled line) is allowed by its hash, BASE_INLINE_SCRIPT_HASH.
        "script-src": [SELF, BASE_INLINE_SCRIPT_HASH],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
X_FRAME_OPTIONS = "DENY"
# Browser features no page of the service uses, switched off for every response
# (ResponseHeadersMiddleware). Only names Chromium knows (checked with Chromium 156): it logs a
# console warning for each unknown one (e.g. battery, bluetooth, document-domain).
PERMISSIONS_POLICY = [
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "camera",
    "clipboard-read",
    "clipboard-write",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "gamepad",
    "geolocation",
    "gyroscope",
    "hid",
    "identity-credentials-get",
    "idle-detection",
    "interest-cohort",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "otp-credentials",
    "payment",
    "picture-in-picture",
    "publickey-credentials-create",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "storage-access",
    "usb",
    "window-management",
    "xr-spatial-tracking",
]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
