"""Dealership settings: one file, read from the environment (see README, "Configuration").

Absent DATABASE_URL the embedded default is a SQLite file; absent REDIS_URL and
CELERY_BROKER_URL, Celery uses kombu's filesystem transport, which needs no server.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from dealership.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_secret("SECRET_KEY")
_LOCAL_KEY = DATA_DIR / "secret_key"  # written once by `make install` for a checkout
if not SECRET_KEY and _LOCAL_KEY.is_file():
    SECRET_KEY = _LOCAL_KEY.read_text(encoding="utf-8").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-4f1c9a"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
# The address customers reach the site at (e.g. https://dealer.example.cn): put in front of
# the links messages carry (the satisfaction survey's). Empty: the link is a path only.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "").rstrip("/")
if PUBLIC_BASE_URL and not PUBLIC_BASE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("PUBLIC_BASE_URL must start with https:// (or http://).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

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
    "django_htmx",
    "django_filters",
    "template_partials",
    "csp",
    "axes",
    "dealership",
    "leads",
    "showroom",
    "contracts",
    "delivery",
    "aftersales",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dealership.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dealership.urls"
WSGI_APPLICATION = "dealership.wsgi.application"

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
                "django.template.context_processors.tz",
                "dealership.context_processors.shell",
            ],
        },
    },
]

# Form widgets render through the project's templates, so templates/django/forms/ can
# replace Django's untranslated "---------" prompt of a select.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # No JIT: the screens' queries are short index scans, and JIT compiling a 30-day
        # count took 165 ms of its 246 ms (issue 15). Set per connection, so it needs no
        # superuser and no change to the server's configuration.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
else:
    # The embedded default: a file under DATA_DIR, created on first use.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets readers work while a writer commits; IMMEDIATE
    # transactions take the write lock up front so two writers queue (busy timeout)
    # instead of failing with "database is locked" half-way through a transaction.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "db.sqlite3",
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                " PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;",
            },
        }
    }
# A streaming read replica for the report pages (dealership/db_router.py, docs/scaling.md).
# In tests it is a mirror of default: no test database of its own, and the router keeps
# reads inside a transaction (every non-transactional test) on default.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    if not DATABASE_URL:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL: a read replica "
                                   "is a PostgreSQL standby of the primary.")
    DATABASES["replica"] = {
        **dj_database_url.parse(
            DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        ),
        "OPTIONS": {"options": "-c jit=off"},
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["dealership.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # Short timeouts: a request must not hang on a cache server that is away.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "dealership.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600, minimum=300)

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one
# username, or from one client address, sign-in is refused for LOGIN_LOCKOUT_MINUTES
# (an administrator can unlock sooner in the admin; both are audited).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "dealership.views.account.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "dealership.middleware.client_ip"
# Behind a reverse proxy the client's address is in X-Forwarded-For: TRUSTED_PROXY_COUNT is
# how many proxies of ours append to it (0: the app is reached directly, REMOTE_ADDR is the
# client and the header, which a client can forge, is ignored).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE {TIME_ZONE!r} is not a known IANA time zone") from None
PHONE_DEFAULT_REGION = env_str("PHONE_DEFAULT_REGION", "CN")

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# --- Security -------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # htmx reads the token from <body hx-headers>, not the cookie
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline scripts or styles anywhere: htmx is configured for it in base.html.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
    },
}

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or REDIS_URL or (
    f"file://{DATA_DIR / 'celery' / 'results'}"
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue = DATA_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(DATA_DIR / "celery" / "processed"),
        "control_folder": str(DATA_DIR / "celery" / "control"),
        "store_processed": False,
        "polling_interval": 0.1,
    }
    CELERY_FILESYSTEM_FOLDERS = [
        _queue, DATA_DIR / "celery" / "processed", DATA_DIR / "celery" / "control",
        DATA_DIR / "celery" / "results",
    ]
else:
    CELERY_FILESYSTEM_FOLDERS = []
    # A request that queues a task (dealership.tasks.task_enqueue) waits at most this long
    # for a broker that is away; workers reconnect on their own.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# WeasyPrint grows in long-lived processes: recycle worker children.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 200, minimum=1)
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BEAT_SCHEDULE: dict = {
    # Leads (docs/leads-jobs.md): each job is idempotent and safe with two workers.
    "leads-escalate-first-contact": {"task": "leads.escalate_first_contact",
                                     "schedule": crontab(minute="*/5")},
    "leads-flag-overdue": {"task": "leads.flag_overdue", "schedule": crontab(minute=5)},
    # 02:30 in CELERY_TIMEZONE (TIME_ZONE, the stores' local time by default).
    "leads-daily-housekeeping": {"task": "leads.daily_lead_housekeeping",
                                 "schedule": crontab(hour=2, minute=30)},
    # Each consultant's open-lead load, kept by the services, recomputed after the above.
    "leads-reconcile-routing-loads": {"task": "leads.reconcile_routing_loads",
                                      "schedule": crontab(hour=2, minute=50)},
    "leads-send-outbox": {"task": "leads.send_outbox", "schedule": crontab(minute="*")},
    # Lead CSV uploads whose task message was lost (broker down) or whose worker died.
    "leads-run-pending-imports": {"task": "leads.run_pending_imports",
                                  "schedule": crontab(minute="*/2")},
    # Showroom: invitations whose day is over (the store has closed) become no-shows.
    "showroom-mark-no-shows": {"task": "showroom.mark_no_shows",
                               "schedule": crontab(hour=23, minute=30)},
    # Contracts: signed contracts whose PDF message was lost or whose rendering failed.
    "contracts-render-pending-documents": {"task": "contracts.render_pending_documents",
                                           "schedule": crontab(minute="*/5")},
    # Delivery (docs/delivery-jobs.md): overdue balances reminded at 09:10, deliveries at
    # risk flagged at 08:40, tomorrow's deliveries announced at 16:00; each once a day.
    "delivery-remind-overdue-balances": {"task": "delivery.remind_overdue_balances",
                                         "schedule": crontab(hour=9, minute=10)},
    "delivery-flag-at-risk": {"task": "delivery.flag_deliveries_at_risk",
                              "schedule": crontab(hour=8, minute=40)},
    "delivery-announce-tomorrow": {"task": "delivery.announce_tomorrows_deliveries",
                                   "schedule": crontab(hour=16, minute=0)},
    # After-sales: hourly, each store on its own day (idempotent: a step, a reminder or an
    # escalation is written once however often the job runs); complaint clocks every 5 min.
    "aftersales-advance-care-plans": {"task": "aftersales.advance_care_plans",
                                      "schedule": crontab(minute=20)},
    "aftersales-remind-appointments": {"task": "aftersales.remind_appointments",
                                       "schedule": crontab(minute=25)},
    "aftersales-escalate-complaints": {"task": "aftersales.escalate_complaints",
                                       "schedule": crontab(minute="*/5")},
    # Reports: every 10 minutes, the stores whose daily-report time has passed today and
    # whose day has no report yet get one (idempotent per store and day).
    "reports-make-daily-reports": {"task": "reports.make_daily_reports",
                                   "schedule": crontab(minute="*/10")},
    # PIPL retention: never-converted customers past their store's period are anonymised.
    "dealership-anonymise-expired-customers": {
        "task": "dealership.anonymise_expired_customers", "schedule": crontab(hour=3, minute=15)},
}

# --- Customer messages ----------------------------------------------------------------
# The class that sends SMS; the development sender only records them (Messages page).
LEADS_MESSAGE_SENDER = env_str("LEADS_MESSAGE_SENDER", "leads.senders.DevelopmentSender")
# For leads.senders.HttpSmsSender: the gateway's JSON endpoint and bearer key.
LEADS_SMS_GATEWAY_URL = env_str("LEADS_SMS_GATEWAY_URL")
LEADS_SMS_GATEWAY_KEY = env_secret("LEADS_SMS_GATEWAY_KEY") or ""
LEADS_SMS_GATEWAY_TIMEOUT = env_int("LEADS_SMS_GATEWAY_TIMEOUT", 10, minimum=1)
# The secret the gateway signs inbound texts with (POST /api/v1/sms/inbound, STOP replies);
# unset: the webhook answers 503.
LEADS_SMS_WEBHOOK_SECRET = env_secret("LEADS_SMS_WEBHOOK_SECRET") or ""

# --- Logging --------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"one_line_client_errors": {"()": "dealership.log_filters.OneLineClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["one_line_client_errors"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own console handler (DEBUG only) would print each of its records a
        # second time beside the root's: its records go to the root's handler alone.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "fontTools": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # a banner per command, a line per failed sign-in
        # The filesystem broker has no host, and kombu warns about that on every publish.
        **({"kombu.connection": {"level": "ERROR"}}
           if CELERY_BROKER_URL.startswith("filesystem://") else {}),
    },
}
