"""Settings, all from the environment (see .env.example). Defaults serve a developer."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not DEBUG:
    if not SECRET_KEY:
        raise ImproperlyConfigured("DEBUG=false requires SECRET_KEY to be set.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DEBUG=false requires ALLOWED_HOSTS to be set.")
else:
    SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "testserver"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "portal.core.views.csrf_failure"  # JSON under /api/

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_fsm",
    "csp",
    # the shared engine
    "portal.core",
    "portal.accounts",
    "portal.units",
    "portal.catalogue",
    "portal.workcalendar",
    "portal.dossiers",
    "portal.backoffice",
    "portal.complaints",
    "portal.statistics",
    "portal.postal",
    "portal.booking",
    "portal.signing",
    "portal.payments",
    # the two fields and the outbox
    "residence",
    "citizen_id",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.core.csp.PortalCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Pages: Vietnamese unless English was chosen (cookie); the API also honours Accept-Language.
    "portal.core.locale.ChosenLanguageMiddleware",
    # NUL anywhere and over-long query values: a Vietnamese 400 (JSON under /api/), never a 500
    "portal.core.middleware.InputGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Django's, for pages only (the API has no flash messages)
    "portal.core.middleware.PageMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Seconds a database connection is kept open between requests (0 = close after each request).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_MAX_AGE"] != 0
# The dossier detail API prepares its statement once per PostgreSQL connection (portal.core.compiled);
# turn off behind a transaction-mode pooler (PgBouncer), where a session's prepared statements are
# not kept.
DB_PREPARED_STATEMENTS = env.bool("DB_PREPARED_STATEMENTS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
# locale/: the English of the portal's (Vietnamese) strings. portal/core/django_vi: Vietnamese for
# the Django strings its own "vi" catalogue lacks ("Show counts", "2 minutes"); not named "locale"
# so makemessages leaves it alone. FORMAT_MODULE_PATH: one date format, "H:i d/m/Y".
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "portal" / "core" / "django_vi"]
FORMAT_MODULE_PATH = ["portal.core.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded attachments and generated documents: never under a public URL; served by access-checked views.
PRIVATE_STORAGE_ROOT = env.path("PRIVATE_STORAGE_ROOT", default=str(VAR_DIR / "private"))
MEDIA_ROOT = PRIVATE_STORAGE_ROOT
MEDIA_URL = None

# Attachments
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
DOSSIER_ATTACHMENTS_MAX_BYTES = env.int("DOSSIER_ATTACHMENTS_MAX_BYTES", default=50 * 1024 * 1024)
DOSSIER_ATTACHMENTS_MAX_COUNT = env.int("DOSSIER_ATTACHMENTS_MAX_COUNT", default=30)
# Hostile uploads (portal/dossiers/attachments.py). 50 MP: a phone's full-resolution photo
# (12–50 MP) and a 600-dpi A4 scan (35 MP) pass; a decompression bomb does not.
ATTACHMENT_IMAGE_MAX_PIXELS = env.int("ATTACHMENT_IMAGE_MAX_PIXELS", default=50_000_000)
# Decoded size of one PDF stream (an uncompressed 600-dpi A4 colour page is 100 MiB) and of all.
ATTACHMENT_PDF_MAX_STREAM_BYTES = env.int("ATTACHMENT_PDF_MAX_STREAM_BYTES", default=128 * 2**20)
ATTACHMENT_PDF_MAX_DECODED_BYTES = env.int("ATTACHMENT_PDF_MAX_DECODED_BYTES", default=256 * 2**20)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# Longest query parameter value accepted (portal.core.middleware): codes, dates and searches are
# far shorter; the admin's preserved filters stay well below it.
INPUT_MAX_QUERY_VALUE_LENGTH = 1000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Dossier code: placeholders {unit}, {date:%Y%m%d}, {seq}
DOSSIER_CODE_FORMAT = env.str("DOSSIER_CODE_FORMAT", default="{unit}-{date:%Y%m%d}-{seq:04d}")

# Public site address, used in QR codes on slips and in every link of SMS and emails. `make run`
# sets it from its PORT; in production it must be the address citizens reach: with DEBUG=false a
# missing or loopback address (127.x, ::1, localhost) refuses to start, like SECRET_KEY.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")


def _is_loopback_url(url: str) -> bool:
    import ipaddress
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


if not DEBUG and (not env.str("PUBLIC_BASE_URL", default="") or _is_loopback_url(PUBLIC_BASE_URL)):
    raise ImproperlyConfigured(
        "DEBUG=false requires PUBLIC_BASE_URL to be the public address of the site "
        "(not a loopback address such as 127.0.0.1 or localhost)."
    )

# Postal return (portal.postal): the operator adapter and the secret its webhook events are
# signed with (HMAC-SHA256). The simulator is the development default. With DEBUG=false and no
# secret, no event is accepted; with DEBUG on a development value is used.
POSTAL_PROVIDER = env.str("POSTAL_PROVIDER", default="portal.postal.providers.SimulatorProvider")
POSTAL_WEBHOOK_SECRET = env.str("POSTAL_WEBHOOK_SECRET", default="")
if not POSTAL_WEBHOOK_SECRET and DEBUG:
    POSTAL_WEBHOOK_SECRET = "dev-only-postal-webhook-secret"

# Background jobs: Redis when REDIS_URL is set, otherwise tasks run eagerly in-process.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat entries: "schedule" is seconds, or a dict of crontab fields ({"hour": 3, "minute": 15});
# portal/celery.py turns those into Celery's crontab (settings import neither Celery nor kombu:
# a web worker never loads them, see portal/core/dispatch.py).
CELERY_BEAT_SCHEDULE: dict = {}
# How a process without Celery loaded hands tasks over (portal/core/dispatch.py): "auto" relays
# through the workers' relay list when the broker is Redis; "always"; "never" (publish directly).
TASK_RELAY = env.str("TASK_RELAY", default="auto")
if TASK_RELAY not in ("auto", "always", "never"):
    raise ImproperlyConfigured(f"TASK_RELAY must be auto, always or never, not {TASK_RELAY!r}")
TASK_RELAY_URL = env.str("TASK_RELAY_URL", default="")  # default: the broker's Redis

CACHES = (
    {
        "default": {
            # Django's RedisCache reusing one client per server (portal/core/cache.py)
            "BACKEND": "portal.core.cache.PortalRedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that does not answer must not hold requests: the rate limits fall back to the
            # database (portal.core.ratelimit) after at most these many seconds.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    if REDIS_URL
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)

# Reverse proxies in front of the portal that append to X-Forwarded-For (0 = none: the client is
# REMOTE_ADDR and the header is ignored). Every rate limit and lockout keys on this address
# (portal.core.ratelimit.client_ip).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Email: a local outbox folder by default (one .log file per message)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=str(VAR_DIR / "outbox" / "email"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Cổng dịch vụ công <no-reply@localhost>")
# SMS: a local outbox by default; "http" sends through an HTTP gateway
SMS_BACKEND = env.str("SMS_BACKEND", default="outbox")
# The "outbox" backend prints each SMS on the console and appends it to a daily file here.
SMS_OUTBOX_PATH = env.path("SMS_OUTBOX_PATH", default=str(VAR_DIR / "outbox" / "sms"))
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_API_KEY = env.str("SMS_GATEWAY_API_KEY", default="")
SMS_GATEWAY_STATUS_URL = env.str("SMS_GATEWAY_STATUS_URL", default="")

REST_FRAMEWORK = {
    # Token first: an anonymous call answers 401 with `WWW-Authenticate: Token` (as documented),
    # not 403; a browser session still works (CSRF checked on writes, 403 when missing).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.accounts.authentication.PortalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "portal.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {
        "lookup": env.str("LOOKUP_THROTTLE_RATE", default="10/min"),
        "card_expiry": env.str("CARD_EXPIRY_THROTTLE_RATE", default="30/min"),
    },
    # DRF's own throttles trust X-Forwarded-For when this is None: key them like everything else.
    # The portal's throttles use portal.core.ratelimit.ClientRateThrottle.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cổng dịch vụ công – Công an (API)",
    "DESCRIPTION": "Residence registration and identity card procedures: catalogue, dossiers, lookup.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from the package (drf-spectacular-sidecar), not a CDN: works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The error answers every operation can give (401, 403, 404 for pages, 415…), in one place.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.core.schema.document_common_errors",
    ],
}

# Content-Security-Policy on every page (django-csp 4; portal/core/csp.py): scripts, styles,
# fonts and frames only from this site, no inline script or style, no plugin, not framed.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    # Production: HTTPS only. TLS usually ends at a reverse proxy that sets X-Forwarded-Proto.
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},  # WeasyPrint's font subsetting is chatty at DEBUG/INFO
        "weasyprint": {"level": "WARNING"},
    },
}

# ---------------------------------------------------------------------------------------------
# notifications (owned by the notifications app; see notifications/services.py)
# One-time codes have their own queue so they never wait behind a backlog of notices.
# A plain `celery worker` consumes both queues (declared in portal/celery.py from these names);
# a dedicated worker can take `-Q otp`.
TASK_QUEUE_NAMES = ("celery", "otp")
CELERY_TASK_ROUTES = {"notifications.deliver_otp": {"queue": "otp"}}
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=8)
NOTIFICATIONS_MAX_AGE_SECONDS = env.int("NOTIFICATIONS_MAX_AGE_SECONDS", default=24 * 3600)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.float("NOTIFICATIONS_RETRY_BASE_SECONDS", default=30)
NOTIFICATIONS_RETRY_MAX_SECONDS = env.float("NOTIFICATIONS_RETRY_MAX_SECONDS", default=3600)
NOTIFICATIONS_CLAIM_LEASE_SECONDS = env.int("NOTIFICATIONS_CLAIM_LEASE_SECONDS", default=120)
NOTIFICATIONS_SWEEP_GRACE_SECONDS = env.int("NOTIFICATIONS_SWEEP_GRACE_SECONDS", default=60)
NOTIFICATIONS_RETENTION_DAYS = env.int("NOTIFICATIONS_RETENTION_DAYS", default=365)
NOTIFICATIONS_SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=10)
NOTIFICATIONS_EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=20)
# Delivery receipts: HMAC-SHA256 of the body; the previous secret stays valid during a rotation.
SMS_RECEIPT_SECRETS = [
    s
    for s in (
        env.str("SMS_RECEIPT_SECRET", default=""),
        env.str("SMS_RECEIPT_SECRET_PREVIOUS", default=""),
    )
    if s
]
# One-time codes
NOTIFICATIONS_OTP_TTL_SECONDS = env.int("OTP_TTL_SECONDS", default=300)
NOTIFICATIONS_OTP_MAX_TRIES = env.int("OTP_MAX_TRIES", default=5)
NOTIFICATIONS_OTP_MAX_ATTEMPTS = 2  # delivery attempts: a late code is useless
NOTIFICATIONS_OTP_GATEWAY_TIMEOUT = 3.0  # seconds; a late code is useless
NOTIFICATIONS_OTP_MAX_AGE_SECONDS = NOTIFICATIONS_OTP_TTL_SECONDS
NOTIFICATIONS_OTP_PER_PHONE = env.int("OTP_PER_PHONE", default=3)
NOTIFICATIONS_OTP_PER_IP = env.int("OTP_PER_IP", default=10)
NOTIFICATIONS_OTP_RATE_WINDOW_SECONDS = env.int("OTP_RATE_WINDOW_SECONDS", default=900)
# Codes entered (password reset finish, phone verification) per account / per client address in
# the same window: a person mistypes a few times; a guesser is stopped long before a code is found.
NOTIFICATIONS_OTP_CHECKS_PER_ACCOUNT = env.int("OTP_CHECKS_PER_ACCOUNT", default=10)
NOTIFICATIONS_OTP_CHECKS_PER_IP = env.int("OTP_CHECKS_PER_IP", default=30)
# After sign-up the citizen gets a code by SMS and lands on the phone verification page.
ACCOUNTS_POST_SIGNUP_REDIRECT = "notifications.views.after_signup"
# Staff digest: hour of the morning run
NOTIFICATIONS_DIGEST_HOUR = env.int("NOTIFICATIONS_DIGEST_HOUR", default=7)
CELERY_BEAT_SCHEDULE.update(
    {
        "notifications-sweep": {"task": "notifications.sweep", "schedule": 60.0},
        "notifications-purge": {
            "task": "notifications.purge",
            "schedule": {"hour": 3, "minute": 15},
        },
        "notifications-staff-digest": {
            "task": "notifications.staff_digest",
            "schedule": {"hour": NOTIFICATIONS_DIGEST_HOUR, "minute": 0},
        },
        # Citizens are told once when their dossier passes its due moment (issue 14).
        "dossiers-notify-overdue": {"task": "dossiers.notify_overdue", "schedule": 300.0},
        # Identity cards (issue 11): expire, then remind 30 days before expiry, once a day.
        "citizen-id-daily-cards": {
            "task": "citizen_id.daily_cards",
            "schedule": {"hour": 6, "minute": 30},
        },
        # Documents are rendered once, by the worker; re-queue those whose task was lost.
        "dossiers-render-pending-documents": {
            "task": "dossiers.render_pending_documents",
            "schedule": 60.0,
        },
    }
)
# end notifications

# statistics: the aggregate tables behind the supervisors' dashboard and /minh-bach/ are refreshed
# (current and previous month, idempotent upsert) every STATISTICS_REFRESH_MINUTES.
STATISTICS_REFRESH_MINUTES = env.int("STATISTICS_REFRESH_MINUTES", default=15)
CELERY_BEAT_SCHEDULE["statistics-refresh"] = {
    "task": "statistics.refresh_recent",
    "schedule": {"minute": f"*/{max(1, min(STATISTICS_REFRESH_MINUTES, 59))}"},
}
# end statistics

# residence: holders of a temporary residence expiring within 15 days are reminded once a day.
CELERY_BEAT_SCHEDULE["residence-remind-expiring-temporary"] = {
    "task": "residence.remind_expiring_temporary",
    "schedule": {"hour": 8, "minute": 0},
}

# back office: staff log into the admin with a password AND a TOTP code (django-otp); repeated
# failed logins lock the admin login for a while (django-axes, failures recorded from Django's
# user_login_failed signal; the lockout is enforced by portal.backoffice.otp.BackofficeAdminSite).
from datetime import timedelta as _timedelta  # noqa: E402

INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "axes"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
# On by default. The test suite turns it off for tests that merely need an officer in the admin
# (tests/conftest.py) and back on where the second factor itself is tested (tests/backoffice).
BACKOFFICE_OTP_REQUIRED = env.bool("BACKOFFICE_OTP_REQUIRED", default=True)
OTP_TOTP_ISSUER = "Cổng dịch vụ công – Công an"
# Login lockout, shared by the site login, the admin login and the API token endpoint (failures
# on any of them count; portal.accounts.lockout): within AXES_COOLOFF_TIME,
#   5 failures for one account from one client address lock that pair (AXES_FAILURE_LIMIT);
#   10 failures for one account from any addresses lock the account (guessing spread over many
#      addresses; the owner's own address is locked already after 5);
#   30 failures from one address over any accounts lock the address (password spraying; room
#      for an office or a carrier NAT where several people mistype).
AXES_FAILURE_LIMIT = 5
LOGIN_FAILURE_LIMIT_PER_ACCOUNT = 10
LOGIN_FAILURE_LIMIT_PER_CLIENT = 30
AXES_COOLOFF_TIME = _timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "portal.accounts.lockout.TieredLockoutHandler"
AXES_CLIENT_IP_CALLABLE = "portal.core.ratelimit.client_ip_or_none"
AXES_VERBOSE = False
# Axes is used without its authentication backend and middleware (they would break
# `Client.login()` in tests); the login views check the lockout themselves (lockout.py).
SILENCED_SYSTEM_CHECKS = ["axes.W002", "axes.W003"]
# end back office

# complaints (phản ánh, kiến nghị): a second complaint by the same person about the same dossier
# (or unit) within this many days is a repeat and goes straight to the level above the supervisor.
COMPLAINT_REPEAT_WINDOW_DAYS = env.int("COMPLAINT_REPEAT_WINDOW_DAYS", default=30)
# Deadlines of each step, in working hours of the unit that must act (portal.workcalendar).
# The supervisor directs "at once"; the response deadline given to the unit defaults to one day.
COMPLAINT_DIRECT_HOURS = env.int("COMPLAINT_DIRECT_HOURS", default=4)
COMPLAINT_RESPONSE_HOURS = env.int("COMPLAINT_RESPONSE_HOURS", default=8)
COMPLAINT_RESOLVE_HOURS = env.int("COMPLAINT_RESOLVE_HOURS", default=40)
COMPLAINT_CLOSE_HOURS = env.int("COMPLAINT_CLOSE_HOURS", default=16)
CELERY_BEAT_SCHEDULE["complaints-escalate-overdue"] = {
    "task": "complaints.escalate_overdue",
    "schedule": 15 * 60.0,
}
# Two models have a "state" field: name both enums (the dossier's keeps its name "StateEnum").
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "StateEnum": "portal.dossiers.models.State",
        "ComplaintStateEnum": "portal.complaints.models.ComplaintState",
        "ShipmentStateEnum": "portal.postal.models.ShipmentState",
    }
)

# appointment booking (portal.booking): slots offered from tomorrow up to this many days ahead, and
# the slot length / capacity of a unit that has no SlotPolicy row.
BOOKING_DAYS_AHEAD = env.int("BOOKING_DAYS_AHEAD", default=14)
BOOKING_DEFAULT_SLOT_MINUTES = env.int("BOOKING_DEFAULT_SLOT_MINUTES", default=30)
BOOKING_DEFAULT_CAPACITY = env.int("BOOKING_DEFAULT_CAPACITY", default=2)
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["AppointmentStateEnum"] = (
    "portal.booking.models.AppointmentState"
)
# Digital signatures of level-4 results and public verification (portal.signing). Without a
# PKCS#12, a development CA and one certificate per unit live under SIGNING_PKI_DIR
# (`manage.py make_dev_pki`, run by `make run`).
SIGNING_PKI_DIR = env.path("SIGNING_PKI_DIR", default=str(VAR_DIR / "pki"))
SIGNING_PKCS12_PATH = env.str("SIGNING_PKCS12_PATH", default="")
SIGNING_PKCS12_PASSWORD = env.str("SIGNING_PKCS12_PASSWORD", default="")
SIGNING_PKCS12_DIR = env.str("SIGNING_PKCS12_DIR", default="")
SIGNING_TRUST_ROOTS = env.list("SIGNING_TRUST_ROOTS", default=[])
VERIFY_MAX_UPLOAD_BYTES = env.int("VERIFY_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
VERIFY_RATE_LIMIT = env.int("VERIFY_RATE_LIMIT", default=20)
VERIFY_RATE_WINDOW_SECONDS = env.int("VERIFY_RATE_WINDOW_SECONDS", default=10 * 60)

# identity cards (citizen_id.procedures): a lost or damaged card is re-issued fully online (no visit,
# card by post) when the last biometric capture is younger than this many years and the data unchanged.
CITIZEN_ID_BIOMETRIC_REUSE_YEARS = env.int("CITIZEN_ID_BIOMETRIC_REUSE_YEARS", default=5)

# Online fee payment (portal.payments). "sandbox" plays VNPay on this machine (development, `make
# run`, tests); "vnpay" is the real gateway (2.1.0), configured from the environment alone.
PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", default="sandbox" if DEBUG else "")
VNPAY_TMN_CODE = env.str("VNPAY_TMN_CODE", default="")
VNPAY_HASH_SECRET = env.str("VNPAY_HASH_SECRET", default="")
VNPAY_PAYMENT_URL = env.str(
    "VNPAY_PAYMENT_URL", default="https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
)
VNPAY_QUERY_URL = env.str(
    "VNPAY_QUERY_URL", default="https://sandbox.vnpayment.vn/merchant_webapi/api/transaction"
)
SANDBOX_TMN_CODE = "SANDBOX1"
SANDBOX_HASH_SECRET = env.str(
    "SANDBOX_HASH_SECRET", default="sandbox-hash-secret-not-for-production"
)
# A payment link is valid this long; reconciliation asks the provider about payments pending longer
# than PAYMENT_RECONCILE_AFTER_MINUTES and gives up (expired) after PAYMENT_GIVE_UP_HOURS.
PAYMENT_EXPIRE_MINUTES = env.int("PAYMENT_EXPIRE_MINUTES", default=15)
PAYMENT_RECONCILE_AFTER_MINUTES = env.int("PAYMENT_RECONCILE_AFTER_MINUTES", default=15)
PAYMENT_GIVE_UP_HOURS = env.int("PAYMENT_GIVE_UP_HOURS", default=24)
CELERY_BEAT_SCHEDULE["payments-reconcile"] = {"task": "payments.reconcile", "schedule": 5 * 60.0}
# VietQR bank transfer (alternative to the gateway; staff confirm against the bank statement).
VIETQR_BANK_BIN = env.str("VIETQR_BANK_BIN", default="970415")
VIETQR_ACCOUNT_NO = env.str("VIETQR_ACCOUNT_NO", default="113366668888")
VIETQR_ACCOUNT_NAME = env.str("VIETQR_ACCOUNT_NAME", default="CONG AN XA DEMO")
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["PaymentStateEnum"] = (
    "portal.payments.models.PaymentState"
)
