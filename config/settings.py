"""Loupe's one settings module: every value comes from the environment.

Defaults make `make run` work on a laptop with no servers (SQLite, Celery's filesystem broker,
console email and texts). Production sets DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS,
the email provider and the Twilio account; `manage.py check --deploy` is then clean.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, *, default: bool) -> bool:
    """A boolean from the environment; anything but a clear yes or no stops start-up."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw not in _TRUE | _FALSE:
        raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")
    return raw in _TRUE


DEBUG = env_bool("DEBUG", default=False)
# Fail fast: without DEBUG there is no development key to fall back on.
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-loupe-development-only-key-never-in-production"  # noqa: S105
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "anymail",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "import_export",
    "phonenumber_field",
    "simple_history",
    "core",
    "staff",
    "crm",
    "repairs",
    "followups",
    "events",
    "insights",
    "appointments",
    "sampledata",
]

MIDDLEWARE = [
    # First, so every log line of the request (and the response header) carries its id.
    "core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML compressed for the floor tablet's Wi-Fi (static files come compressed from
    # whitenoise); Django pads each response against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.StoreMiddleware",
    "staff.middleware.FloorMiddleware",
    # Axes goes last so it sees the final response of a failed login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "core.context_processors.staff",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": CONTEXT_PROCESSORS},
    },
    # The floor's busiest screens and the layout's navigation (core.jinja): jinja2/*.jinja.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        # `perms` from the permissions gathered once a request, for a page's dozen checks
        # (core.context_processors.auth; the admin's Django templates keep Django's). The CSRF
        # token once a page (the backend's own is worked out, and masked, each time the page
        # writes it).
        "OPTIONS": {"environment": "core.jinja.environment",
                    "context_processors": [*CONTEXT_PROCESSORS, "core.context_processors.auth",
                                           "django.template.context_processors.csrf"]},
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'loupe.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # No JIT: its compiling cost 50-200 ms a query on the dashboard's aggregates at the 1M
    # size, more than the queries themselves; Loupe runs short queries, not analytics.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file on a laptop: wait for the lock instead of failing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Django's Redis cache keeping one client per pool (core.cache says why).
    CACHES = {"default": {"BACKEND": "core.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that reads the login, its staff member, store and permissions in one query.
    "core.auth.StaffBackend",
    # Only for sessions opened before StaffBackend (their backend path is ModelBackend's):
    # they stay logged in; the next login is StaffBackend's.
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: the floor tablet shares one IP, so lock a username on that IP, not the IP.
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lockout page says when to try again (and that a manager can unlock sooner).
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# One language, the store's: the screens are written in English and no catalog translates
# them, so nothing is negotiated per request (a tablet set to German got Django's own form
# errors and month names in German amid English screens) and `{% translate %}` is a plain
# string, not a catalog lookup: 14.6 -> 13.2 ms of the customer page at 1M customers. A
# store in another language adds its catalog and turns both back on.
LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="America/New_York")
USE_I18N = False
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = env("PHONE_REGION", default="US")
PHONENUMBER_DB_FORMAT = "E164"

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (POS imports, photos of pieces) are private: no MEDIA_URL serves them; each is
# read through a permission-checked view or by a worker.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Production may keep them in any S3-compatible bucket (django-storages): set S3_BUCKET (and
# S3_ENDPOINT_URL for a non-AWS service; the keys come from AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY as boto3 reads them). Objects stay private.
S3_BUCKET = env("S3_BUCKET", default="")
_DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if S3_BUCKET:
    _DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("S3_ENDPOINT_URL", default="") or None,
            "region_name": env("S3_REGION", default="") or None,
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Files found by the finders win over STATIC_ROOT's and are served uncompressed: so once
# collectstatic has run (the image, the benchmark), serve its compressed copies (a floor tablet
# on slow Wi-Fi fetched 369 KB for the login page instead of ~100 KB); DEBUG, or a checkout
# that never collected, serves from the finders.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS",
                                  default=DEBUG or not STATIC_ROOT.is_dir())

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security. HTTPS defaults on whenever DEBUG is off; a test or laptop run may say HTTPS=false.
HTTPS = env_bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions read from the cache (Redis), written through to the database: no session query on
# each page, and a Redis flush only costs a database read.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Behind a TLS-terminating proxy, trust its X-Forwarded-Proto so request.is_secure() and
# provider signature checks (which sign the https URL) see what the customer's provider saw.
if env_bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Email: console by default; a provider through django-anymail in production.
ANYMAIL_ESP = env("ANYMAIL_ESP", default="")
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default=(f"anymail.backends.{ANYMAIL_ESP}.EmailBackend" if ANYMAIL_ESP
             else "django.core.mail.backends.console.EmailBackend"),
)
ANYMAIL = {
    "WEBHOOK_SECRET": env("WEBHOOK_SECRET", default=""),
}
if ANYMAIL_ESP:
    ANYMAIL[f"{ANYMAIL_ESP.upper()}_API_KEY"] = env("ANYMAIL_API_KEY")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Loupe <loupe@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Texts: a backend seam shaped like Django's email backends (console, locmem, twilio).
SMS_BACKEND = env("SMS_BACKEND", default="followups.sms.ConsoleBackend")
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")

# Celery: Redis in production and tests; a folder on disk when nothing is installed.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
if CELERY_BROKER_URL == "filesystem://":
    _queue = VAR_DIR / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue / "queue"),
        "data_folder_out": str(_queue / "queue"),
        "processed_folder": str(_queue / "processed"),
        # kombu's default is ./control, which lands in the repository root.
        "control_folder": str(_queue / "control"),
        "store_processed": False,
    }
else:
    # Redis redelivers unacked tasks after the visibility timeout; work due later waits as a
    # database row, never as a Celery ETA, so an hour is ample for any running task.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
# Redis down must never hang or fail a request: publishing gives up within seconds and the
# outbox row stays for the dispatcher (followups), which runs again when Redis is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0,
                                    "interval_step": 0.2, "interval_max": 0.2}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2,
                     "interval_max": 0.2},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Messages the dispatcher queues per run (each minute): within what the email and SMS
# providers accept (SendGrid/Twilio messaging services take 100 a second and more).
OUTBOX_DISPATCH_PER_MINUTE = env.int("OUTBOX_DISPATCH_PER_MINUTE", default=6000)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # The planner is idempotent (unique constraints), so a missed or doubled run is harmless.
    "plan-followups": {"task": "followups.tasks.plan_followups", "schedule": 3600},
    # Aftercare (care checks, a year with their piece) from purchases; idempotent too.
    "plan-aftercare": {"task": "followups.tasks.plan_aftercare", "schedule": 3600},
    # The outbox rows are the schedule: this picks up what has come due (quiet hours, retries).
    "dispatch-due-messages": {"task": "followups.tasks.dispatch_due_messages", "schedule": 60},
    # A message stuck in "sending" (its worker died mid-send) is shown for a person to check.
    "flag-stuck-messages": {"task": "followups.tasks.flag_stuck_messages", "schedule": 300},
    # Event campaigns: start the scheduled ones that are due, finish expansions, mark done.
    "advance-campaigns": {"task": "events.tasks.advance_campaigns", "schedule": 60},
    # The dashboard's roll-ups (last contact, orphans at month end): each run costs what
    # changed since the last; a missed run is caught up by the next.
    "refresh-insights": {"task": "insights.tasks.refresh_rollups", "schedule": 3600},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line names the request it belongs to ("-" in a worker or a command).
    "filters": {"request_id": {"()": "core.request_id.RequestIdFilter"}},
    "formatters": {"plain": {
        "format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Error reporting is optional: with no SENTRY_DSN nothing is initialised and nothing leaves
# the machine. Customers' personal data is never sent (send_default_pii off).
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from core.monitoring import sentry_start

    sentry_start(dsn=SENTRY_DSN, environment=env("SENTRY_ENVIRONMENT", default="production"))
