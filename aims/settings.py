"""One settings module, read from the environment.

Defaults just work on a laptop (SQLite under ./data, debug on). With ``AIMS_ENV=production`` the
app refuses to start unless the critical values are given.
"""

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
ENV = os.environ.get("AIMS_ENV", "development")
PRODUCTION = ENV == "production"


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when AIMS_ENV=production.")
    return value


DATA_DIR = Path(os.environ.get("AIMS_DATA_DIR", Path.cwd() / "data")).resolve()


def _development_secret_key() -> str:
    """A random key kept in the data folder, so sessions survive restarts on a laptop."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


MIN_SECRET_KEY_LENGTH = 50


def _production_secret_key() -> str:
    key = _required("AIMS_SECRET_KEY")
    if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5:
        raise ImproperlyConfigured(
            f"AIMS_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} random characters in "
            "production (for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
    return key


if PRODUCTION:
    SECRET_KEY = _production_secret_key()
    ALLOWED_HOSTS = [h.strip() for h in _required("AIMS_ALLOWED_HOSTS").split(",") if h.strip()]
    DATABASES = {"default": dj_database_url.parse(_required("DATABASE_URL"), conn_max_age=60)}
    if _flag("AIMS_DEBUG", False):
        raise ImproperlyConfigured(
            "AIMS_DEBUG must be off in production: debug pages show settings and source code."
        )
    DEBUG = False
else:
    SECRET_KEY = os.environ.get("AIMS_SECRET_KEY") or _development_secret_key()
    ALLOWED_HOSTS = [
        h.strip()
        for h in os.environ.get("AIMS_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
        if h.strip()
    ]
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'aims.sqlite3'}")
        )
    }
    DEBUG = _flag("AIMS_DEBUG", True)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE avoids "database is locked" upgrades.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "aims.core",
    "aims.organizations",
    "aims.trail",
    "aims.trail.pages",
    "aims.proposals",
    "aims.catalog",
    "aims.inventory",
    "aims.risk",
    "aims.soa",
    "aims.evidence",
    "aims.checks",
    "aims.context",
    "aims.documents",
    "aims.competence",
    "aims.communication",
    "aims.leadership",
    "aims.objectives",
    "aims.datasets",
    "aims.suppliers",
    "aims.impact",
    "aims.techdocs",
    "aims.incidents",
    "aims.changes",
    "aims.nonconformities",
    "aims.improvement",
    "aims.audits",
    "aims.reviews",
    "aims.euaiact",
    "aims.readiness",
    "aims.frameworks",
    "aims.oscal",
    "aims.package",
    "aims.businesscase",
    "aims.reminders",
    "aims.dashboard",
    "aims.search",
    "aims.demo",
    "aims.api",
    "aims.accounts",
]

MIDDLEWARE = [
    "aims.core.limits.BodyLimitMiddleware",  # first: oversized bodies are refused unread
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout page
]

ROOT_URLCONF = "aims.urls"
WSGI_APPLICATION = "aims.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "aims.organizations.context.navigation_context",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in: the lockout check (django-axes) comes before the password check.
AUTHENTICATION_BACKENDS = [
    "aims.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failed passwords or codes for one username from one address lock that combination out
# for 15 minutes, even with the right password; a successful sign-in clears the count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("AIMS_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the time the page names stays right
AXES_LOCKOUT_CALLABLE = "aims.accounts.lockout.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # lockouts go to the change trail; no log of every sign-in
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
AXES_VERBOSE = False  # no banner on every command
# Two-factor sign-in (django-otp): authenticator apps (TOTP) and recovery codes. Wrong codes are
# counted by the lockout above, so django-otp's own growing delay is off.
OTP_TOTP_ISSUER = "OpenAIMS"
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("AIMS_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing folder
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Per-process memory cache for overviews (see aims/core/cache.py); each entry is keyed by the
# organization's audit sequence, so no cache ever needs clearing.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "aims",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

# Background work ("Run now", scheduled checks): Django's task interface on the database
# backend, executed by `aims worker` (which `aims run` starts alongside the web server).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("AIMS_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
AIMS_WORKER_INTERVAL = float(os.environ.get("AIMS_WORKER_INTERVAL", "1"))
# Finished task records (not the check runs, which are kept) are pruned after this many days.
AIMS_TASK_RESULTS_DAYS = int(os.environ.get("AIMS_TASK_RESULTS_DAYS", "14"))
# A running task refreshes its lease every quarter of this; a task whose lease is older lost its
# worker and is queued again, at most AIMS_TASK_MAX_ATTEMPTS times in all, then recorded as failed.
AIMS_TASK_LEASE_SECONDS = max(1, int(os.environ.get("AIMS_TASK_LEASE_SECONDS", "60")))
AIMS_TASK_MAX_ATTEMPTS = max(1, int(os.environ.get("AIMS_TASK_MAX_ATTEMPTS", "3")))
# Stored evidence files are re-hashed this often by the worker (`aims evidence verify`).
AIMS_EVIDENCE_VERIFY_DAYS = float(os.environ.get("AIMS_EVIDENCE_VERIFY_DAYS", "7"))

# Certification evidence packages (aims/package): the ZIPs, the organizations' Ed25519 signing
# keys (private, mode 0600), and how many days a built package is kept.
AIMS_PACKAGE_DIR = os.environ.get("AIMS_PACKAGE_DIR") or None
AIMS_PACKAGE_KEY_DIR = os.environ.get("AIMS_PACKAGE_KEY_DIR") or None
AIMS_PACKAGE_DAYS = int(os.environ.get("AIMS_PACKAGE_DAYS", "7"))

# Evidence files: content-addressed under the data folder, never under a public media URL.
EVIDENCE_ROOT = Path(os.environ.get("AIMS_EVIDENCE_DIR", DATA_DIR / "evidence")).resolve()
AIMS_MAX_UPLOAD_MB = int(os.environ.get("AIMS_MAX_UPLOAD_MB", "25"))
# Technical checks read prediction logs uploaded (up to this size) or from these folders only.
AIMS_MAX_CHECK_DATA_MB = int(os.environ.get("AIMS_MAX_CHECK_DATA_MB", "200"))
AIMS_CHECK_DATA_DIRS = [
    p for p in os.environ.get("AIMS_CHECK_DATA_DIRS", str(DATA_DIR / "check-data")).split(":") if p
]
# Request bodies (aims/core/limits.py): a request larger than its route allows is answered 413
# before it is read. Signing in and anything sent by someone not signed in: 16 KiB; a signed-in
# person's forms and JSON API requests: 2 MiB; an evidence upload: 100 MiB in all (each file
# AIMS_MAX_UPLOAD_MB); a check's data upload: two files of AIMS_MAX_CHECK_DATA_MB.
AIMS_MAX_ANONYMOUS_BODY_KB = float(os.environ.get("AIMS_MAX_ANONYMOUS_BODY_KB", "16"))
AIMS_MAX_BODY_MB = float(os.environ.get("AIMS_MAX_BODY_MB", "2"))
AIMS_MAX_UPLOAD_REQUEST_MB = float(os.environ.get("AIMS_MAX_UPLOAD_REQUEST_MB", "100"))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(AIMS_MAX_BODY_MB * 1024 * 1024)
# Uploaded files up to this size stay in memory; larger ones stream to a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = int(float(os.environ.get("AIMS_UPLOAD_MEMORY_MB", "2")) * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "aims.core.limits.BoundedUploadHandler",  # counts the bytes; stops at the route's limit
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Membership: people join an organization by accepting an invitation (a signed, expiring link).
# Anyone signed in may create an organization only where the instance allows it.
AIMS_ALLOW_ORG_CREATION = _flag("AIMS_ALLOW_ORG_CREATION", not PRODUCTION)
AIMS_INVITATION_DAYS = int(os.environ.get("AIMS_INVITATION_DAYS", "7"))

# E-mail (invitations): SMTP when AIMS_EMAIL_HOST is set, otherwise printed to the log.
EMAIL_HOST = os.environ.get("AIMS_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("AIMS_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("AIMS_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("AIMS_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _flag("AIMS_EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("AIMS_EMAIL_FROM", "OpenAIMS <aims@localhost>")
# Absolute links in e-mails sent by the worker (the daily reminder digest), which has no request.
AIMS_BASE_URL = os.environ.get("AIMS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The daily reminder digest goes out at the worker's first round after this hour (local time).
AIMS_DIGEST_HOUR = int(os.environ.get("AIMS_DIGEST_HOUR", "7"))

# Security headers. The CSP allows no inline script or style: every asset is served by the app.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = PRODUCTION or _flag("AIMS_SECURE_COOKIES", False)
CSRF_COOKIE_HTTPONLY = PRODUCTION  # htmx reads the token from the page, never from the cookie
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("AIMS_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
if PRODUCTION:
    # HTTPS only: plain-HTTP requests are redirected and browsers remember it for a year.
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("AIMS_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("AIMS_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _flag("AIMS_HSTS_PRELOAD", True)
    if _flag("AIMS_BEHIND_PROXY_SSL", False):
        # A reverse proxy terminates TLS and says so in X-Forwarded-Proto. Trusted only when
        # configured: a client could otherwise claim HTTPS on a plain connection.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("AIMS_LOG_LEVEL", "INFO")},
    # The worker polls in rounds; its "starting"/"no more tasks" lines would fill the log.
    # WeasyPrint logs each step of each PDF report, and each resource it was refused.
    "loggers": {"django_tasks_db": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
