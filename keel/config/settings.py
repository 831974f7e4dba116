"""Keel settings, read from the environment (see docs/configuration.md)."""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse_lazy

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("KEEL_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

KEEL_ENV = os.environ.get("KEEL_ENV", "development").lower()
PRODUCTION = KEEL_ENV == "production"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """Production must be given a key; development generates one once into var/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when KEEL_ENV=production.")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.simple_history",
    "unfold.contrib.import_export",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "rules.apps.AutodiscoverRulesConfig",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "keel.core",
    "keel.users",
    "keel.parties",
    "keel.products",
    "keel.accounting",
    "keel.crm",
    "keel.inventory",
    "keel.purchasing",
    "keel.sales",
    "keel.analytics",
    "keel.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "keel.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "keel.core.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "keel.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "keel.config.urls"
WSGI_APPLICATION = "keel.config.wsgi.application"
ASGI_APPLICATION = "keel.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'keel.sqlite3'}"
# Health checks: a connection kept from before a database restart is replaced, not
# used (its first query would fail the request).
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of
    # deadlocking on lock upgrade (ARCHITECTURE: concurrency and integrity).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not :memory:, so threads in concurrency tests share it; one per
    # process, so parallel runs do not trample each other.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-keel-{os.getpid()}.sqlite3")}
# A streaming replica (docs/operations.md, "Read replica and read routing"): only the
# pages that opt in (reports, dashboards, downloads) read from it, and only while it is
# reachable and at most KEEL_REPLICA_MAX_LAG_SECONDS behind; all else uses the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
KEEL_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("KEEL_REPLICA_MAX_LAG_SECONDS", "30"))
KEEL_REPLICA_CHECK_SECONDS = float(os.environ.get("KEEL_REPLICA_CHECK_SECONDS", "5"))
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True
    )
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a PostgreSQL streaming replica.")
    # A replica that is down must cost a report seconds, not a hung worker.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    # Tests make no database of their own for it: it mirrors the primary's.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["keel.core.db_routing.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    "keel.users.sign_in.SignInThrottleBackend",  # first: a locked-out name goes no further
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Password policy (docs/operations.md, Security): at least 12 characters (a passphrase
# beats forced symbols), not like the user's name or e-mail, not a common or all-digit one.
KEEL_PASSWORD_MIN_LENGTH = int(os.environ.get("KEEL_PASSWORD_MIN_LENGTH", "12"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": KEEL_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions last a working day (12 hours from sign-in, not two weeks): a sign-in left
# open on a shared machine does not outlive the day. Not renewed on every request,
# which would write the session row on each one. Closing the browser signs out only
# when asked (KEEL_SESSION_EXPIRE_AT_BROWSER_CLOSE), as people keep the workspace open.
SESSION_COOKIE_AGE = int(os.environ.get("KEEL_SESSION_SECONDS", str(12 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("KEEL_SESSION_EXPIRE_AT_BROWSER_CLOSE", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LOGIN_URL = "admin:login"
# unfold's login form posts no `next`; without this Django sends people to /accounts/profile/.
LOGIN_REDIRECT_URL = "admin:index"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Largest uploaded file any import accepts (keel.core.uploads); an import may keep a
# lower limit of its own (vCards 2 MB, bank statements 20 MB).
KEEL_UPLOAD_MAX_MB = int(os.environ.get("KEEL_UPLOAD_MAX_MB", "50"))
# What a workbook's parts may unpack to, together (a zip bomb is refused at this).
KEEL_UPLOAD_MAX_UNPACKED_MB = int(os.environ.get("KEEL_UPLOAD_MAX_UNPACKED_MB", "200"))

# --- Security: production turns on everything `check --deploy` asks for ------
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The load balancer's health check may call the app server over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when KEEL_ENV=production.")

# --- E-mail ---------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION or os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "keel@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where customers reach Keel: the start of links in e-mails (a quotation's acceptance link).
KEEL_PUBLIC_URL = os.environ.get("KEEL_PUBLIC_URL", "http://localhost:8000")
# How long a quotation's acceptance link works (seconds); 90 days by default.
SALES_QUOTATION_LINK_MAX_AGE = int(os.environ.get("SALES_QUOTATION_LINK_MAX_AGE", 90 * 24 * 3600))

# --- Background tasks -----------------------------------------------------
# "immediate": tasks run in the web process right after commit (demo, no worker).
# "database": tasks are queued in the database and run by `keel worker`.
KEEL_TASKS = os.environ.get("KEEL_TASKS", "database" if PRODUCTION else "immediate")
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "dummy": "django_tasks.backends.dummy.DummyBackend",
}
if KEEL_TASKS not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"KEEL_TASKS must be one of {sorted(_TASK_BACKENDS)}.")
TASKS = {
    "default": {"BACKEND": _TASK_BACKENDS[KEEL_TASKS]},
    "database": {"BACKEND": _TASK_BACKENDS["database"]},
}

# How often `keel worker` recovers what a killed worker left: undispatched outbox
# events, webhook deliveries no task will send (seconds; 0 turns it off).
KEEL_WORKER_SWEEP_SECONDS = float(os.environ.get("KEEL_WORKER_SWEEP_SECONDS", "10"))
# A worker says it is alive every KEEL_WORKER_HEARTBEAT_SECONDS; one silent for
# KEEL_WORKER_LOST_SECONDS is gone (kill -9, a dead machine) and the sweep fails the
# tasks it was running, queueing again those safe to retry (outbox, webhooks). A task
# whose worker never said it was alive (a plain `db_worker`) is lost when it has been
# running for KEEL_TASK_LEASE_SECONDS: longer than any of Keel's tasks takes.
KEEL_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("KEEL_WORKER_HEARTBEAT_SECONDS", "10"))
KEEL_WORKER_LOST_SECONDS = float(os.environ.get("KEEL_WORKER_LOST_SECONDS", "120"))
KEEL_TASK_LEASE_SECONDS = float(os.environ.get("KEEL_TASK_LEASE_SECONDS", "900"))

# --- Retention (keel.core.services.retention; `keel purge`, and `keel worker` hourly) --
# Technical rows that only need to live for a while. Business records, their history
# and the audit trail are never purged.
# Idempotency-Key answers and claimed form tokens: a retry with the same key within this
# window replays the first answer; after it, the key is forgotten.
KEEL_RETENTION_IDEMPOTENCY_KEY_DAYS = int(
    os.environ.get("KEEL_RETENTION_IDEMPOTENCY_KEY_DAYS", "7")
)
# The HTTP attempts logged for a webhook delivery that was delivered (not for one that
# failed: an administrator may still need those to see why).
KEEL_RETENTION_WEBHOOK_ATTEMPT_DAYS = int(
    os.environ.get("KEEL_RETENTION_WEBHOOK_ATTEMPT_DAYS", "30")
)
# Finished background tasks' results: successful ones, and failed ones (kept longer).
KEEL_RETENTION_TASK_RESULT_DAYS = int(os.environ.get("KEEL_RETENTION_TASK_RESULT_DAYS", "14"))
KEEL_RETENTION_FAILED_TASK_DAYS = int(os.environ.get("KEEL_RETENTION_FAILED_TASK_DAYS", "30"))
# Heartbeats of workers gone for this long (each start of a worker adds one).
KEEL_RETENTION_WORKER_DAYS = int(os.environ.get("KEEL_RETENTION_WORKER_DAYS", "7"))
# How often `keel worker` purges (seconds; 0: never, e.g. when cron runs `keel purge`).
KEEL_RETENTION_PURGE_SECONDS = float(os.environ.get("KEEL_RETENTION_PURGE_SECONDS", "3600"))

# --- Outbound HTTP (webhooks) ---------------------------------------------
# SSRF guard (keel.core.http.check_target): URLs users give (webhook targets) must be
# http(s) on the public internet; hosts listed here (e.g. "127.0.0.1,localhost" for a
# local receiver, or an intranet name) are called whatever they resolve to.
KEEL_OUTBOUND_ALLOWED_HOSTS = env_list("KEEL_OUTBOUND_ALLOWED_HOSTS")
KEEL_WEBHOOK_TIMEOUT = float(os.environ.get("KEEL_WEBHOOK_TIMEOUT", "10"))
# A delivery being sent is held for the timeout plus this; a sender killed mid-way
# frees it for another when the hold runs out.
KEEL_WEBHOOK_CLAIM_GRACE_SECONDS = float(os.environ.get("KEEL_WEBHOOK_CLAIM_GRACE_SECONDS", "30"))
KEEL_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("KEEL_WEBHOOK_MAX_ATTEMPTS", "8"))
KEEL_WEBHOOK_BACKOFF_SECONDS = float(os.environ.get("KEEL_WEBHOOK_BACKOFF_SECONDS", "30"))

# --- REST API -------------------------------------------------------------
# Exported lists: text cells that a spreadsheet would run as a formula are quoted.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
from keel.core.export_formats import EXPORT_FORMATS as EXPORT_FORMATS  # noqa: E402

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous call then gets 401 with WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["keel.core.api.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "keel.core.api.pagination.KeelPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "keel.core.api.filters.KeelFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("KEEL_API_ANON_RATE", "60/minute"),
        "user": os.environ.get("KEEL_API_USER_RATE", "2000/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "keel.core.api.schema.KeelAutoSchema",
    "EXCEPTION_HANDLER": "keel.core.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Keel API",
    "DESCRIPTION": "The REST API of Keel, the integrated ERP + CRM.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `kind`/`status` choice set; name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "PartyKindEnum": "keel.parties.models.Party.Kind",
        "AddressKindEnum": "keel.parties.models.Address.Kind",
        "ProductKindEnum": "keel.products.models.catalog.Product.Kind",
        "ScoringRuleKindEnum": "keel.crm.models.leads.ScoringRule.Kind",
        "ActivityKindEnum": "keel.crm.models.activities.Activity.Kind",
        "InvoiceKindEnum": "keel.accounting.models.invoices.Invoice.Kind",
        "InvoiceStatusEnum": "keel.accounting.models.invoices.Invoice.Status",
        "TransferKindEnum": "keel.inventory.models.transfers.Transfer.Kind",
        "TransferStatusEnum": "keel.inventory.models.transfers.Status",
        "PurchaseProgressEnum": "keel.purchasing.models.orders.PurchaseOrder.Progress",
        "QuotationStatusEnum": "keel.sales.models.Quotation.Status",
    },
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Workspace (django-unfold) ----------------------------------------------
UNFOLD = {
    "SITE_TITLE": "Keel",
    "SITE_HEADER": "Keel",
    "SITE_SUBHEADER": "ERP + CRM",
    "SITE_URL": "/",
    "SITE_SYMBOL": "sailing",
    "SHOW_HISTORY": True,
    "DASHBOARD_CALLBACK": "keel.web.dashboard.dashboard_callback",
    "ENVIRONMENT": "keel.web.navigation.environment_callback",
    "COMMAND": {
        "search_models": False,
        "search_callback": "keel.web.navigation.search_callback",
    },
    "SIDEBAR": {
        "show_search": True,
        "command_search": True,
        "show_all_applications": False,
        "navigation": "keel.web.navigation.sidebar_navigation",
    },
    "LOGIN": {"redirect_after": lambda request: reverse_lazy("admin:index")},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"keel": {"level": os.environ.get("KEEL_LOG_LEVEL", "INFO")}},
}
