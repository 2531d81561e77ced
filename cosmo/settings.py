"""Cosmo's one settings module, driven by environment variables (12-factor).

Embedded topology (default): a SQLite file in WAL mode and kombu's filesystem broker, no server needed.
Production topology: DATABASE_URL=postgres://... and CELERY_BROKER_URL=redis://...
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("COSMO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Off unless asked for (`make run` asks): with it off, errors are Cosmo's own pages, never a traceback.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "cosmo-insecure-development-key-only-for-debug"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "nested_admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "cosmo",
    "orders",
    "production",
    "suppliers",
    "lifecycle",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After the session and the user (its refusal page shows who is logged in), before any view.
    "cosmo.hostile.HostileInputMiddleware",
    "cosmo.middleware.ConflictMiddleware",
    "csp.middleware.CSPMiddleware",
    "cosmo.security.PermissionsPolicyMiddleware",
    # Last: it turns a login refused for too many failures into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

# Failed logins are counted by django-axes (page login, token endpoint, admin alike): a username or a
# client address with AXES_FAILURE_LIMIT failures is refused for AXES_COOLOFF_TIME, counted in the cache
# so that every web node agrees. A success resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("COSMO_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("COSMO_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cosmo.security.locked_out"
AXES_CLIENT_IP_CALLABLE = "cosmo.security.client_address"
AXES_VERBOSE = False
# How many proxies in front of the web nodes append to X-Forwarded-For (0: the client is REMOTE_ADDR).
COSMO_PROXY_COUNT = int(os.environ.get("COSMO_PROXY_COUNT", "0"))

# The cache carries the login failures and the API throttles: Redis in production so that every web node
# counts together (e.g. redis://127.0.0.1:6379/1), memory of the one process for the embedded demo.
COSMO_CACHE_URL = os.environ.get("COSMO_CACHE_URL", "locmem://")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": COSMO_CACHE_URL}
    if COSMO_CACHE_URL.startswith(("redis://", "rediss://", "unix://"))
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cosmo"}
}
CACHES["default"]["KEY_PREFIX"] = "cosmo"
# Login failures are counted in the shared cache when there is one, else in the database (which every
# process of the embedded topology shares; the memory cache is one process's own).
AXES_HANDLER = (
    "axes.handlers.cache.AxesCacheHandler"
    if CACHES["default"]["BACKEND"].endswith("RedisCache")
    else "axes.handlers.database.AxesDatabaseHandler"
)

# Requests per period for each throttled action, by the signed-in user or by the client address.
COSMO_THROTTLE_RATES = {
    "token": os.environ.get("COSMO_THROTTLE_TOKEN", "10/min"),
    "signup": os.environ.get("COSMO_THROTTLE_SIGNUP", "5/hour"),
    "order": os.environ.get("COSMO_THROTTLE_ORDER", "30/min"),
}

# Content-Security-Policy (django-csp): scripts and everything else only from Cosmo itself; no inline
# script anywhere. Inline style attributes stay allowed (the charts colour their legends with them).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Permissions-Policy: Cosmo uses none of the browser's powerful features.
COSMO_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), interest-cohort=()"
)

ROOT_URLCONF = "lifecycle.urls"
WSGI_APPLICATION = "cosmo.wsgi.application"

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
                
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

# Database: SQLite (WAL, busy timeout) unless DATABASE_URL names another.
SQLITE_PATH = VAR_DIR / "cosmo.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("COSMO_DB_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "cosmo.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed, compressed names once `collectstatic` has written its manifest (production); plain names before.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and (STATIC_ROOT / "staticfiles.json").exists()
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "cosmo.token_auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "cosmo.api.NewestFirst",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "cosmo.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "cosmo.hostile.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "NUM_PROXIES": COSMO_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cosmo API",
    "DESCRIPTION": "Orders, purchase orders and production of the Cosmo platform.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery: the broker only carries "look at this now"; the database is the truth.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    # Countdowns stay far below this (STYLE 4): a message not acked in an hour is redelivered.
    else {"visibility_timeout": 3600}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    for folder in ("queue", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "240"))
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "300"))
CELERY_TASK_DEFAULT_QUEUE = "orders"
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# The sweeper re-drives any order that stayed in a stage longer than this (seconds of real time).
COSMO_SWEEP_INTERVAL = float(os.environ.get("COSMO_SWEEP_INTERVAL", "30"))
COSMO_STUCK_AFTER = float(os.environ.get("COSMO_STUCK_AFTER", "60"))
# A pass re-drives at most this many orders, oldest first; a re-drive sent is not sent again for that order
# and step until it expires (seconds).
COSMO_SWEEP_LIMIT = int(os.environ.get("COSMO_SWEEP_LIMIT", "500"))
COSMO_REDRIVE_EXPIRES = float(os.environ.get("COSMO_REDRIVE_EXPIRES", "600"))
# What an API token names is kept this many real seconds per web process (cosmo/token_auth.py).
COSMO_TOKEN_CACHE_SECONDS = float(os.environ.get("COSMO_TOKEN_CACHE_SECONDS", "5"))
# A new order nudges the planning step (which takes the oldest accepted orders) at most once per this many
# real seconds per web process; one asked for sooner is sent when the time is up.
COSMO_NUDGE_SECONDS = float(os.environ.get("COSMO_NUDGE_SECONDS", "0.2"))
# The steps behind intake (plan, procure, schedule) take up to this many waiting orders per transaction.
COSMO_STEP_BATCH = int(os.environ.get("COSMO_STEP_BATCH", "100"))
# Suppliers on autopilot answer and ship, and shipments due arrive, checked every this many real seconds.
COSMO_PROCUREMENT_TICK = float(os.environ.get("COSMO_PROCUREMENT_TICK", "10"))
# A purchase order keeps taking new lines for its supplier this many factory hours after it is sent.
COSMO_CONSOLIDATION_HOURS = float(os.environ.get("COSMO_CONSOLIDATION_HOURS", "4"))
# A supplier that declined a part is not asked for it again for this many factory days (while another
# offer for the part exists).
COSMO_DECLINE_MEMORY_DAYS = float(os.environ.get("COSMO_DECLINE_MEMORY_DAYS", "7"))
# Scheduling: the periodic optimization of each factory whose schedule changed, its time limit and threads.
COSMO_OPTIMIZE_INTERVAL = float(os.environ.get("COSMO_OPTIMIZE_INTERVAL", "900"))
COSMO_OPTIMIZE_SECONDS = float(os.environ.get("COSMO_OPTIMIZE_SECONDS", "10"))
COSMO_OPTIMIZE_WORKERS = int(os.environ.get("COSMO_OPTIMIZE_WORKERS", "2"))
# Placing new jobs reads the whole factory (gaps filled, what the floor left behind placed again, batched
# plans competing for late jobs) only up to this many open jobs, the new ones counted; a larger factory gets
# them after each line's last operation and leaves the rest to the optimization runs.
COSMO_REPLAN_JOBS = int(os.environ.get("COSMO_REPLAN_JOBS", "300"))
COSMO_PLANNING_HORIZON_DAYS = int(os.environ.get("COSMO_PLANNING_HORIZON_DAYS", "60"))
COSMO_SHIPPING_DAYS = int(os.environ.get("COSMO_SHIPPING_DAYS", "2"))
COSMO_FAR_SUPPLIER_DAYS = int(os.environ.get("COSMO_FAR_SUPPLIER_DAYS", "5"))
# Seconds between looks for jobs of orders at risk that another factory now promises sooner (lifecycle/reroute.py).
COSMO_REROUTE_INTERVAL = float(os.environ.get("COSMO_REROUTE_INTERVAL", "60"))
# Factory hours added to the quoted completion before a delivery date is promised (breakdowns, variation).
COSMO_PROMISE_SAFETY_HOURS = float(os.environ.get("COSMO_PROMISE_SAFETY_HOURS", "12"))
# The delivery-date quote the configurator shows: orders reaches it by name, without importing production.
# How often (real seconds) beat advances each factory's simulation to the clock's now, and the lateness
# (factory minutes) past which the simulation asks for a reschedule (at most once per that many minutes).
COSMO_FACTORY_TICK = float(os.environ.get("COSMO_FACTORY_TICK", "5"))
COSMO_DRIFT_MINUTES = float(os.environ.get("COSMO_DRIFT_MINUTES", "60"))
# How new jobs are placed: "optimized" (the dispatcher, CP-SAT runs) or "fifo" (first come first served on
# the first free line, the baseline `simulate --policy fifo` compares against; no optimization runs).
COSMO_PLANNING_POLICY = os.environ.get("COSMO_PLANNING_POLICY", "optimized")
# A line in its shift with nothing planned for it switches off and restarts when work is planned for it
# (false: the lines stay on through their shifts, as a floor that does not know what comes next keeps them).
COSMO_LINE_STANDBY = env_bool("COSMO_LINE_STANDBY", True)
# Crews called from the plan (`production.crews`): a line standing by waits for the start of the latest
# coming shift at which every queued job still ends the promise's safety time before it is due, at most the
# look-ahead after its first queued work could start; off: it starts as soon as work is planned for it.
# Needs the lines to stand by; the fifo policy never holds.
COSMO_SHIFT_CALLS = env_bool("COSMO_SHIFT_CALLS", False)
COSMO_SHIFT_CALL_LOOKAHEAD_HOURS = float(os.environ.get("COSMO_SHIFT_CALL_LOOKAHEAD_HOURS", "24"))
# Line telemetry over MQTT: the broker, where the floor comes from ("direct": the simulation writes the
# records itself; "mqtt": the simulated lines publish their events and `telemetry_listen` applies them), and
# how long (real seconds) a line's message that came ahead of a missing one is held before the gap is given up.
COSMO_MQTT_HOST = os.environ.get("COSMO_MQTT_HOST", "127.0.0.1")
COSMO_MQTT_PORT = int(os.environ.get("COSMO_MQTT_PORT", "1883"))
COSMO_FLOOR_SOURCE = os.environ.get("COSMO_FLOOR_SOURCE", "direct")
COSMO_TELEMETRY_GAP_SECONDS = float(os.environ.get("COSMO_TELEMETRY_GAP_SECONDS", "120"))
# The broker credentials of Cosmo's own clients and of each line are derived from this secret (default:
# SECRET_KEY), so `mqtt_credentials` can write the broker's password file and tell a line its password.
COSMO_MQTT_SECRET = os.environ.get("COSMO_MQTT_SECRET", "") or SECRET_KEY
# `simulate --in-process`: a task enqueued runs at once in this process instead of going to the broker.
COSMO_TASKS_INLINE = os.environ.get("COSMO_TASKS_INLINE", "") == "1"
COSMO_DELIVERY_QUOTE = "production.routing.delivery_route"
# The quote asks whether the schedule changed, and reads free stock and offers, and order intake reads the
# catalog's families, at most this often (real seconds) per web process.
COSMO_QUOTE_RECHECK_SECONDS = float(os.environ.get("COSMO_QUOTE_RECHECK_SECONDS", "1"))
# The consumer reads an order's times in the time zone of the factory that makes it.
COSMO_ORDER_TIME_ZONES = "production.bom.orders_time_zones"
# Options that cannot be made (no BOM line or routing step for them): offered as unavailable until fixed.
COSMO_OPTIONS_UNCOVERED = "production.bom.options_uncovered"
# What an order waits for from its suppliers, in a consumer's words (read by the order page).
COSMO_ORDERS_WAITING_ON = "production.materials.orders_waiting_on"


def _every(task: str, seconds: float) -> dict:
    """A periodic task. Each run acts on the state as it then is (the floor advanced to the clock's now, the
    orders stuck by then), so one the worker has not started when the next is sent is dropped (it expires)
    rather than run late: a busy worker does not pile up ticks behind the orders' own steps."""
    return {"task": task, "schedule": seconds, "options": {"expires": seconds}}


CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-orders": _every("lifecycle.tasks.sweep", COSMO_SWEEP_INTERVAL),
    "suppliers-autopilot": _every("lifecycle.tasks.suppliers_autopilot", COSMO_PROCUREMENT_TICK),
    "shipments-arrive": _every("lifecycle.tasks.shipments_arrive", COSMO_PROCUREMENT_TICK),
    "stock-replenish": _every("lifecycle.tasks.stock_replenish", COSMO_PROCUREMENT_TICK),
    "factory-tick": _every("lifecycle.tasks.factory_tick", COSMO_FACTORY_TICK),
    "reroute-jobs": _every("lifecycle.tasks.reroute_jobs", COSMO_REROUTE_INTERVAL),
    "optimize-schedules": _every("lifecycle.tasks.optimize_schedules", COSMO_OPTIMIZE_INTERVAL),
}

# Hostile input (cosmo/hostile.py), refused with a 400 before any work: JSON nesting, items in one JSON array
# or object, the length of any one string (path, query parameter, form field, JSON value) and of a key or
# field name, the size of any number.
COSMO_INPUT_MAX_DEPTH = int(os.environ.get("COSMO_INPUT_MAX_DEPTH", "20"))
COSMO_INPUT_MAX_ITEMS = int(os.environ.get("COSMO_INPUT_MAX_ITEMS", "1000"))
COSMO_INPUT_MAX_STRING = int(os.environ.get("COSMO_INPUT_MAX_STRING", "10000"))
COSMO_INPUT_MAX_KEY = int(os.environ.get("COSMO_INPUT_MAX_KEY", "200"))
COSMO_INPUT_MAX_NUMBER = int(os.environ.get("COSMO_INPUT_MAX_NUMBER", str(10**15)))
# An order's limits: lines, quantity per line, characters of the delivery address, answers in a selection.
COSMO_ORDER_MAX_LINES = int(os.environ.get("COSMO_ORDER_MAX_LINES", "50"))
COSMO_ORDER_MAX_QUANTITY = int(os.environ.get("COSMO_ORDER_MAX_QUANTITY", "10000"))
COSMO_ORDER_MAX_ADDRESS = int(os.environ.get("COSMO_ORDER_MAX_ADDRESS", "500"))
COSMO_SELECTION_MAX = int(os.environ.get("COSMO_SELECTION_MAX", "100"))
# An Idempotency-Key: at most this many characters; forgotten (a new order) after this many hours.
COSMO_IDEMPOTENCY_KEY_MAX = int(os.environ.get("COSMO_IDEMPOTENCY_KEY_MAX", "255"))
COSMO_IDEMPOTENCY_HOURS = float(os.environ.get("COSMO_IDEMPOTENCY_HOURS", "24"))
# A supplier's promised and arrival dates: from the factory's today up to this many days ahead.
COSMO_SUPPLIER_HORIZON_DAYS = int(os.environ.get("COSMO_SUPPLIER_HORIZON_DAYS", "365"))

# The factory clock: factory time = start + (now - epoch) * speed. Speed 1 is real time.
COSMO_CLOCK_SPEED = float(os.environ.get("COSMO_CLOCK_SPEED", "1"))
COSMO_CLOCK_START = os.environ.get("COSMO_CLOCK_START", "")  # ISO datetime; empty: the real now

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
