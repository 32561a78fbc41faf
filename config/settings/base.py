"""Settings shared by every environment. Values come from the environment (django-environ).

Each environment module (local, test, production) imports this one and changes only what
differs. An integration is switched on only when its variable is set.
"""

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-key-change-me-0123456789abcdefghij")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

SERVICE_NAME = "Manage safeguarding reviews"
SERVICE_PHASE = env("SERVICE_PHASE", default="Beta")
# The service's own address (e.g. https://reviews.example.gov.uk), for links in emails and
# calendar invitations, which are sent without a request. Empty: emails give the page's path.
SERVICE_URL = env("SERVICE_URL", default="").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
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
    "safeguarding.clock",
    "safeguarding.referrals",
    "safeguarding.reviews",
    "safeguarding.publication",
    "safeguarding.actions",
    "safeguarding.library",
    "safeguarding.digests",
    "safeguarding.reports",
    "safeguarding.workspace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "safeguarding.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "safeguarding.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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
                "safeguarding.notifications.context_processors.unread_notifications",
            ],
            "builtins": ["safeguarding.core.templatetags.govuk"],
        },
    }
]
# One project form renderer: every Django form field gets GOV.UK markup (core/forms.py).
FORM_RENDERER = "safeguarding.core.forms.GovukFormRenderer"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # AxesStandaloneBackend must come first: it refuses locked-out credentials.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
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

# Sessions end after 30 minutes without activity (each request renews the cookie).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
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
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Two-factor sign-in (TOTP). Required for every member of staff when this is true.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=False)
OTP_TOTP_ISSUER = SERVICE_NAME

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
# Largest accepted upload (documents on the public page). Checked by the upload validator.
# "Have we seen this before?" on the action plan forms: the library's finder (the library reads
# the actions app, so it is wired here rather than imported).
SIMILAR_LEARNING_FINDER = "safeguarding.library.similar.similar_texts"
# The library's meaning-based search (a packaged sentence model on onnxruntime, docs/search.md).
LIBRARY_SEARCH_VECTORS = env.bool("LIBRARY_SEARCH_VECTORS", default=True)
# Online referrals: most any one address may send in an hour (abuse protection).
REFERRALS_PER_HOUR_PER_ADDRESS = env.int("REFERRALS_PER_HOUR_PER_ADDRESS", default=10)
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="no-reply@safeguarding-reviews.example")
# GOV.UK Notify (safeguarding/notifications/transport.py): on when NOTIFY_API_KEY is set, and then
# every email of the service goes through it (not EMAIL_BACKEND), except password resets, which
# stay on Django's mail. Templates are Notify's, by id: one per notification kind if wanted
# (NOTIFY_TEMPLATE_IDS="milestone.due_soon=<id>,digest.issue=<id>"), else the generic one, whose
# subject is ((subject)) and body ((body)). Checked at start-up (notifications/checks.py).
NOTIFY_API_KEY = env("NOTIFY_API_KEY", default="")
NOTIFY_GENERIC_TEMPLATE_ID = env("NOTIFY_GENERIC_TEMPLATE_ID", default="")
NOTIFY_TEMPLATE_IDS = env.dict("NOTIFY_TEMPLATE_IDS", default={})
NOTIFY_BASE_URL = env("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_TIMEOUT_SECONDS = env.int("NOTIFY_TIMEOUT_SECONDS", default=10)

# Background tasks (django-tasks). Here, in development and in tests, a task runs at once in
# the process that enqueues it; production queues it in the database for `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
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
