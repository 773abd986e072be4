"""fundmgr settings: read from the environment only (DESIGN 5.1).

Unset means the embedded default: SQLite under var/, Celery tasks run inline.
Bad values raise ImproperlyConfigured instead of silently falling back.
"""

import datetime as dt
import json
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("FUNDMGR_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (e.g. `python3 -c "
            "'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
    SECRET_KEY = "django-insecure-development-only-never-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Public URL of this deployment, printed on receipts and statements (QR codes).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "djmoney",
    "ledger",
    "fundmgr",
    "fundmgr.decisions",
    "fundmgr.spaces",
    "fundmgr.projects",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fundmgr.conf.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "fundmgr.conf.urls"
WSGI_APPLICATION = "fundmgr.conf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'fundmgr.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL") or DEFAULT_SQLITE
if not DATABASE_URL.startswith(("postgres://", "postgresql://", "sqlite://")):
    raise ImproperlyConfigured(
        "DATABASE_URL must be postgres://... or sqlite:///absolute/path, "
        f"not {DATABASE_URL.split(':', 1)[0]!r}."
    )
# Connections are kept (a minute by default) and checked before reuse: opening one per
# request cost a loaded server a third of its time (bench/ web).
_db = dj_database_url.parse(
    DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] != ":memory:":
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _db["OPTIONS"] = {
        # IMMEDIATE takes SQLite's write lock at BEGIN: two officers posting at once
        # queue for the lock instead of both reading the chain head and one failing
        # with "database is locked" at its first write.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- I18n: Chinese first, English too --------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Money ------------------------------------------------------------------------
CURRENCIES = ("CNY", "HKD", "MOP", "TWD", "USD", "EUR")
DEFAULT_CURRENCY = "CNY"
CURRENCY_DECIMAL_PLACES = 2

# --- Static files -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

# --- Published tree heads are signed with this Ed25519 key, made on first use -------
SIGNING_KEY_PATH = Path(os.environ.get("SIGNING_KEY_PATH") or VAR_DIR / "signing-ed25519.pem")

# --- Statements: optional PAdES signing (a PKCS#12 file and its password) -------------
STATEMENT_SIGNING_P12 = os.environ.get("STATEMENT_SIGNING_P12", "")
STATEMENT_SIGNING_PASSWORD = os.environ.get("STATEMENT_SIGNING_PASSWORD", "")
if STATEMENT_SIGNING_P12 and not Path(STATEMENT_SIGNING_P12).is_file():
    raise ImproperlyConfigured(f"STATEMENT_SIGNING_P12={STATEMENT_SIGNING_P12!r} is not a file.")

# --- Red flags: thresholds (reports.redflags.RULE_DEFAULTS) and public holidays --------
try:
    RED_FLAG_THRESHOLDS = json.loads(os.environ.get("RED_FLAG_THRESHOLDS") or "{}")
    PUBLIC_HOLIDAYS = [
        dt.date.fromisoformat(d.strip())
        for d in os.environ.get("PUBLIC_HOLIDAYS", "").split(",")
        if d.strip()
    ]
    # The work calendar (fundmgr/lib/workcalendar.py) for years chinese-calendar does not
    # know yet: WORK_CALENDAR='{"2027": {"holidays": ["2027-01-01", ...], "workdays":
    # ["2027-02-07", ...]}}' (workdays: the 调休 weekends that are working days).
    WORK_CALENDAR = json.loads(os.environ.get("WORK_CALENDAR") or "{}")
    for _year, _days in WORK_CALENDAR.items():
        if not (
            str(_year).isdigit()
            and isinstance(_days, dict)
            and set(_days) <= {"holidays", "workdays"}
        ):
            raise ValueError(f"WORK_CALENDAR[{_year!r}] needs holidays and workdays lists")
        for _day in (*_days.get("holidays", ()), *_days.get("workdays", ())):
            dt.date.fromisoformat(_day)
except ValueError as exc:
    raise ImproperlyConfigured(
        f"RED_FLAG_THRESHOLDS, PUBLIC_HOLIDAYS or WORK_CALENDAR is malformed: {exc}"
    ) from exc

# --- Cache (import progress, rate limits): shared between web and worker processes ---
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL:
    raise ImproperlyConfigured("CACHE_URL must be redis://... (unset: files under var/cache)")
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Celery -----------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
if CELERY_BROKER_URL and not CELERY_BROKER_URL.startswith(("redis://", "rediss://", "amqp://")):
    raise ImproperlyConfigured("CELERY_BROKER_URL must be redis://... or amqp://...")
# No broker: tasks run inline, in the caller's process, with errors propagated.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "rpc://"
)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# `celery -A fundmgr.conf beat` runs these; the auditor workspace shows the nightly result.
CELERY_BEAT_SCHEDULE = {
    "nightly-verify": {
        "task": "reports.nightly_verify",
        "schedule": crontab(hour=2, minute=30),  # Asia/Shanghai
        "options": {"expires": 6 * 3600},
    },
}

# --- Security: production-safe whenever DEBUG is off --------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
