"""Settings, read from the environment (see README and .env.example).

With nothing set and DJANGO_DEMO=1 the application runs on embedded defaults: SQLite and a
file-system Celery broker under var/, with secrets kept in var/. Settings only read: the folders
and the demo secrets are made by scripts/prepare.py (make run and make test run it). Outside demo
mode the secrets must come from the environment, so production never runs on a made-up key.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("DJANGO_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
DEMO_MODE = env.bool("DJANGO_DEMO", default=False)
TESTING = env.bool("DJANGO_TESTING", default=False)
DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _demo_secret(name: str) -> str:
    """Return a secret kept in var/ (demo and tests only), made by scripts/prepare.py."""
    path = VAR_DIR / name
    if not path.exists():
        raise ImproperlyConfigured(
            f"{path} is missing: run `python scripts/prepare.py` (make run and make test do), "
            "or set the secrets in the environment (see .env.example)."
        )
    return path.read_text().strip()


if env.str("DJANGO_SECRET_KEY", default=""):
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
elif DEMO_MODE or TESTING:
    SECRET_KEY = _demo_secret("secret_key")
else:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set. Set it (see .env.example), or set DJANGO_DEMO=1 to run "
        "the embedded demo with a key generated into var/."
    )

# Personal data at rest: Fernet keys, newest first (MultiFernet decrypts with any, encrypts with
# the first; `manage.py reencrypt_personal_data` moves old rows to the first). PERSON_HASH_KEY keys
# the HMAC that finds a person already in a trial without storing the identifier in clear.
if env.str("FIELD_ENCRYPTION_KEYS", default=""):
    FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")
elif DEMO_MODE or TESTING:
    FIELD_ENCRYPTION_KEYS = [_demo_secret("field_key")]
else:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS is not set: personal data is encrypted at rest with these keys "
        "(see .env.example)."
    )
if env.str("PERSON_HASH_KEY", default=""):
    PERSON_HASH_KEY = env.str("PERSON_HASH_KEY")
elif DEMO_MODE or TESTING:
    PERSON_HASH_KEY = _demo_secret("person_hash_key")
else:
    raise ImproperlyConfigured("PERSON_HASH_KEY is not set (see .env.example).")

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["127.0.0.1", "localhost", "[::1]"] if (DEMO_MODE or DEBUG or TESTING) else [],
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Where e-mails send people (a breach to decide, a report to download): scheme and host. The
# site's own origin is its CSRF-trusted origin, so that is the fallback outside demo mode.


def _site_address(value: str, name: str) -> str:
    """Return scheme://host of a site address, refusing what a mail client could not open."""
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or "*" in parts.netloc
        or parts.path.strip("/")
        or parts.query
        or parts.fragment
    ):
        raise ImproperlyConfigured(
            f"{name} must be the site's address, like https://trials.example.police.uk "
            f"(found {value!r})."
        )
    return f"{parts.scheme}://{parts.netloc}"


_origins = [origin for origin in CSRF_TRUSTED_ORIGINS if "*" not in origin]  # no wildcards
if env.str("SITE_URL", default=""):
    SITE_URL = _site_address(env.str("SITE_URL"), "SITE_URL")
elif _origins:
    SITE_URL = _site_address(_origins[0], "DJANGO_CSRF_TRUSTED_ORIGINS")
elif DEMO_MODE or DEBUG or TESTING:
    SITE_URL = "http://127.0.0.1:8000"  # where `make run` serves
else:
    raise ImproperlyConfigured(
        "SITE_URL is not set: e-mails link to the application by it, e.g. "
        "https://trials.example.police.uk (see .env.example)."
    )

INSTALLED_APPS = [
    "common.apps.TrialAdminConfig",
    # Before django.contrib.auth, so that its createsuperuser and changepassword replace the
    # stock ones (they go through the audited services).
    "common",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_otp",
    "axes",
    "csp",
    "signin",
    "trial",
    "participants",
    "workshops",
    "outcomes",
    "reports",
    "privacy",
    "oversight",
    "plans",
    "rest_framework",
    "drf_spectacular",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "api.middleware.BodyCapMiddleware",  # before anything reads a body
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "signin.middleware.PrivatePageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "signin.middleware.SessionLimitsMiddleware",
    "signin.middleware.SecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "common.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite in var/ unless DATABASE_URL names another (postgres://user@host:port/name).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock when their transaction starts, so two enrolments queue instead of
    # failing half-way with "database is locked" (see trial/allocation.py).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that a Celery worker started by a test sees the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "common.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Argon2id first: a fraction of PBKDF2's time per sign-in for more work per guess; older hashes
# still check, and Django re-hashes them with Argon2 at the user's next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Password links (invitations and resets) work once, for this long.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=24 * 3600)

# Sign-in security (signin/, SECURITY.md). Sessions end after SIGNIN_IDLE_SECONDS without a
# request (a page warns a minute before) and SIGNIN_MAX_SECONDS after sign-in, whichever first.
SIGNIN_IDLE_SECONDS = env.int("SIGNIN_IDLE_SECONDS", default=15 * 60)
SIGNIN_MAX_SECONDS = env.int("SIGNIN_MAX_SECONDS", default=10 * 3600)
SESSION_COOKIE_AGE = SIGNIN_MAX_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SIGNIN_REAUTH_SECONDS = env.int("SIGNIN_REAUTH_SECONDS", default=5 * 60)  # before sensitive acts
# Two-factor sign-in (TOTP apps) for every role: on by default outside demo mode and tests.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=not (DEMO_MODE or TESTING))
TWO_FACTOR_ISSUER = env.str("TWO_FACTOR_ISSUER", default="Trial manager")
# Lockout (django-axes): SIGNIN_LOCKOUT_LIMIT failed sign-ins for one account, or from one
# address, lock it for SIGNIN_LOCKOUT_MINUTES; a trial manager can unlock it sooner.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "common.backends.MembershipBackend",
]
AXES_FAILURE_LIMIT = env.int("SIGNIN_LOCKOUT_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGNIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "signin.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "signin.selectors.client_address"
AXES_DISABLE_ACCESS_LOG = True  # the audit trail records every sign-in
AXES_VERBOSE = False
SIGNIN_RESET_LIMIT = env.int("SIGNIN_RESET_LIMIT", default=5)  # password-reset requests an hour

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"  # made by scripts/prepare.py (WhiteNoise wants it)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: EMAIL_URL names the SMTP server (smtp+tls://user:pw@host:587). The demo writes each
# e-mail to a file in var/demo-mail/ (thousands are sent as its story loads: printed, they would
# bury the sign-in details); tests and debug print to the console; production refuses to start
# without a server, as password links must not be logged.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
elif env.str("EMAIL_BACKEND", default=""):
    EMAIL_BACKEND = env.str("EMAIL_BACKEND")
elif DEMO_MODE and not TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "demo-mail")  # made by scripts/prepare.py
elif TESTING or DEBUG:
    vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
else:
    raise ImproperlyConfigured(
        "EMAIL_URL is not set: e-mails (password links included) would only be printed to the "
        "log. Set it to your SMTP server, e.g. smtp+tls://user:password@host:587 (.env.example)."
    )
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="trial-manager@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis when CELERY_BROKER_URL or REDIS_URL is set; otherwise a folder under var/ acts as
# the queue, so the demo runs a real worker outside the web request with no server installed.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_QUEUE_DIR = VAR_DIR / "celery" / "queue"
if CELERY_BROKER_URL.startswith("filesystem://"):  # its folders are made by scripts/prepare.py
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR),
        "data_folder_out": str(CELERY_QUEUE_DIR),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        # Kombu keeps its exchange tables in ./control unless told otherwise.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND",
    default=CELERY_BROKER_URL
    if CELERY_BROKER_URL.startswith("redis")
    else f"file://{VAR_DIR / 'celery' / 'results'}",
)
# Eager execution exists for the test suite only; the served application always uses a worker.
CELERY_TASK_ALWAYS_EAGER = TESTING and env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Recompute every allocation hash chain at night; the trial dashboard shows the result.
    "trial-chains-verify": {"task": "trial.chains_verify", "schedule": crontab(hour=2, minute=30)},
}
# The audit trail's hash chain (common/services/audit_chain.py): new rows sealed every minute,
# the whole chain recomputed at night.
CELERY_BEAT_SCHEDULE["common-audit-seal"] = {"task": "common.audit_seal", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["common-audit-verify"] = {
    "task": "common.audit_verify",
    "schedule": crontab(hour=3, minute=0),
}
# Retention (docs/data-protection.md): a closed trial's personal data are erased the night its
# retention period ends.
CELERY_BEAT_SCHEDULE["privacy-erasures-due"] = {
    "task": "privacy.erasures_due",
    "schedule": crontab(hour=3, minute=30),
}
# Workshop reminders: hourly in the daytime, so a missed run catches up and nobody gets a text at
# night; each reminder is sent once however often the job runs (workshops/reminders.py).
CELERY_BEAT_SCHEDULE["workshops-reminders"] = {
    "task": "workshops.reminders_send_due",
    "schedule": crontab(minute=5, hour="8-20"),
}
# Text messages: the default backend only logs; a provider's backend is named here.
SMS_BACKEND = env.str("SMS_BACKEND", default="common.sms.LoggingSmsBackend")
# The outbox (docs/outbox.md): e-mails and texts written in the service's transaction, sent after
# commit by common.outbox_send; the sweep sends what a dead worker or a broker outage left behind.
CELERY_BEAT_SCHEDULE["common-outbox-sweep"] = {
    "task": "common.outbox_send_pending",
    "schedule": 60.0,
    "options": {"expires": 55},  # sweeps queued while no worker ran are not all run at once
}
OUTBOX_MAX_ATTEMPTS = 10  # transient errors (about four hours of backoff), then failed
OUTBOX_BACKOFF_SECONDS = 60  # the wait after the first transient error, doubled each time
OUTBOX_BACKOFF_MAX_SECONDS = 3600
# One SMTP conversation never waits forever (the claim's lease must outlast a send).
OUTBOX_SEND_TIMEOUT = 30
OUTBOX_SWEEP_BATCH = 200  # messages per sweep; the next minute's sweep takes the rest
# A sender's claim on a message lasts this long (docs/outbox.md): well past a send of several
# envelopes at OUTBOX_SEND_TIMEOUT each. A sender that died is replaced once it ends.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=300)
# A sender whose database connection dropped after the send reconnects after these waits (s).
OUTBOX_RECONNECT_WAITS = (0.5, 1.0, 2.0, 4.0, 8.0)

# Security: strict outside demo and debug; each can be relaxed by its variable (README explains).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
_production = not (DEBUG or DEMO_MODE or TESTING)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=_production)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=_production)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=_production)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000 if _production else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles from this site only, no inline script
# (base.html's were moved to static/js). Inline style attributes are allowed: they cannot run
# code, and the progress bars set their widths with them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SILENCED_SYSTEM_CHECKS = env.list("DJANGO_SILENCED_SYSTEM_CHECKS", default=[])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"no_query": {"()": "common.log_filters.QueryStringRemoved"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "requests": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_query"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # Request logs carry only paths; personal data never appears in URLs (design.md).
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # every sign-in is in the audit trail instead
        # WeasyPrint's font subsetting logs a line per glyph table of every PDF it renders.
        "fontTools": {"level": "WARNING"},
        # The folder broker has no host name, which kombu warns of on every connection.
        **(
            {"kombu.connection": {"level": "ERROR"}}
            if CELERY_BROKER_URL.startswith("filesystem://")
            else {}
        ),
        # The development server's request lines, without their query strings (a search holds
        # a name); gunicorn's access log is set the same way in gunicorn.conf.py.
        "django.server": {"handlers": ["requests"], "level": "INFO", "propagate": False},
    },
}

# Follow-up (outcomes): refused re-offence extracts are kept here with their error reports, and
# the daily wave pulls every source and freezes the follow-up windows that have closed.
OUTCOMES_QUARANTINE_DIR = MEDIA_ROOT / "outcomes" / "quarantine"
# What a record source may reach (outcomes/sources/address.py): the origins of the records
# systems (https only unless an entry says http; internal addresses only when named), and the
# one folder drop folders lie in.
OUTCOMES_SOURCE_URLS = env.list("OUTCOMES_SOURCE_URLS", default=[])
OUTCOMES_DROP_ROOT = Path(env.str("OUTCOMES_DROP_ROOT", default=str(VAR_DIR / "drop")))
CELERY_BEAT_SCHEDULE["outcomes-followup-daily"] = {
    "task": "outcomes.followup_daily",
    "schedule": crontab(hour=2, minute=30),  # after the records system's nightly extract
}

# The largest file or page any import reads (uploads, drop folders, HTTP pages, load_harm_index,
# import_trial_history), in bytes; refused before it is read (outcomes/cells.py).
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)

# Extract files kept by the follow-up (uploads, quarantine, drop folders' imported/) are sealed with
# FIELD_ENCRYPTION_KEYS and removed this many days after they were written, by the nightly job
# below (or `manage.py expire_import_files`). A key taken out of FIELD_ENCRYPTION_KEYS must have
# stopped encrypting at least this long before, or the files it sealed cannot be read.
IMPORT_FILE_RETENTION_DAYS = env.int("IMPORT_FILE_RETENTION_DAYS", default=30)
CELERY_BEAT_SCHEDULE["outcomes-import-files-expire"] = {
    "task": "outcomes.import_files_expire",
    "schedule": crontab(hour=3, minute=15),
}
# Every other file the app writes through Django's storage (report PDFs, datasets): 0600 / 0700.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Reports: an interim report for each window a follow-up wave added snapshots to (built from the
# waves of previous days, so a wave still running cannot change a report's data).
CELERY_BEAT_SCHEDULE["reports-auto-interim"] = {
    "task": "reports.auto_interim",
    "schedule": crontab(hour=6, minute=0),
}

# The REST API (api/, docs/api.md): bearer tokens only (no session, so no CSRF to carry),
# problem+json errors, cursor pages, a budget per token, and a body cap answered with 413.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=16 * 1024 * 1024)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasToken"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env.str("API_TOKEN_RATE", default="600/minute")},
    "EXCEPTION_HANDLER": "api.problems.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Each token's request count: in Redis when REDIS_URL is set, so every web worker shares one
# budget per token; otherwise in the process (the demo and tests).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api-throttle": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"}
    ),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Trial manager API",
    "DESCRIPTION": (
        "Screening, enrolment and re-offence records for custody and records systems; "
        "reads for researchers. Errors are application/problem+json (RFC 9457)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v[0-9]+",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.openapi.problems_everywhere",
    ],
}

# Idempotency-Keys of machine requests last 24 hours (common/services/idempotency.py).
CELERY_BEAT_SCHEDULE["common-idempotency-keys-expire"] = {
    "task": "common.idempotency_keys_expire",
    "schedule": crontab(minute=40),
}
