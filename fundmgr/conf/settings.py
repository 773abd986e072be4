"""fundmgr settings: read from the environment only (DESIGN 5.1).

Unset means the embedded default: SQLite under var/, Celery tasks run inline.
Bad values raise ImproperlyConfigured instead of silently falling back.
"""

import datetime as dt
import ipaddress
import json
import os
import secrets
import sys
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

# Commands that read the code and print or write schema and catalogues only - nothing
# they do is signed, stored or served - run without a key: a throwaway one, so
# `manage.py makemigrations --check` works on a fresh checkout off DEBUG as well.
KEYLESS_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate", "makemessages", "help"}
SECRET_KEY = os.environ.get("SECRET_KEY", "")
_command = sys.argv[1] if len(sys.argv) > 1 and Path(sys.argv[0]).name == "manage.py" else ""
if not SECRET_KEY and _command in KEYLESS_COMMANDS:
    SECRET_KEY = secrets.token_urlsafe(50)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (e.g. `python3 -c "
            "'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
    SECRET_KEY = "django-insecure-development-only-never-in-production"
# A short or low-variety key (SECRET_KEY=x was accepted with a warning) lets sessions,
# CSRF tokens and password-reset links be forged: off DEBUG, startup refuses it (every
# process, gunicorn too, not only `check --deploy`). Django's own measure of a weak key.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE = 5
if not DEBUG and (
    len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH
    or len(set(SECRET_KEY)) < SECRET_KEY_MIN_UNIQUE
    or SECRET_KEY.startswith("django-insecure-")
):
    raise ImproperlyConfigured(
        f"SECRET_KEY is too weak: it needs at least {SECRET_KEY_MIN_LENGTH} characters with at"
        f" least {SECRET_KEY_MIN_UNIQUE} different ones (e.g. `python3 -c 'import secrets;"
        " print(secrets.token_urlsafe(50))'`)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Public URL of this deployment, printed on receipts and statements (QR codes).
SITE_URL_SET = bool(os.environ.get("SITE_URL"))
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For is
# believed: behind the README's TLS proxy every request comes from the proxy, and rate
# limits and login lock-outs keyed on it would be shared by every resident. Unset: no
# proxy is trusted and the header is ignored (a client could otherwise pick its own
# address). fundmgr.lib.clientaddr reads it.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an address or network (e.g. 10.0.0.1,"
            " 192.168.0.0/24)."
        ) from exc

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "djmoney",
    # Login throttling and lock-out (issue 21: 50 wrong passwords in 16 s were all let
    # through).
    "axes",
    # Second factor (TOTP, with one-time backup codes) for the roles in TWO_FACTOR_ROLES.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ledger",
    "fundmgr",
    "fundmgr.decisions",
    "fundmgr.spaces",
    "fundmgr.reconcile",
    "fundmgr.inflows",
    "fundmgr.projects",
    "reports",
    "reports.checking",
    "reports.supervision",
    "reports.notices",
    "reports.answers",
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
    "django_otp.middleware.OTPMiddleware",
    "fundmgr.conf.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "fundmgr.conf.middleware.PrivateWhenPersonalMiddleware",
    # Last, as django-axes asks: it turns a lock-out into the page below.
    "axes.middleware.AxesMiddleware",
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
                "fundmgr.access.navigation",
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
# Twelve characters at least: `Passw0rd!` (nine, and every character class) was accepted.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "fundmgr.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: a locked-out username/address pair is refused before
    # its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords for one username from one address lock that pair out for half an
# hour (others can still log in: a resident cannot lock the officer out from elsewhere).
# An administrator lifts it early: admin → Axes → access attempts, or `manage.py
# axes_reset_username USER`.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "fundmgr.accounts.lockout.username_of"  # normalised, bounded
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The same client address as the rate limits: X-Forwarded-For only from TRUSTED_PROXIES.
AXES_CLIENT_IP_CALLABLE = "fundmgr.lib.clientaddr.client_address"
# Lock-outs are recorded in the database (admin → Axes); no start-up banner in every
# command's output.
AXES_VERBOSE = False
# Roles that move money, sign or see everything need a second factor (TOTP) at login;
# one constant, extended when a role is added. Staff (the Django admin) need it too.
TWO_FACTOR_ROLES = frozenset({"officer", "reviewer", "auditor", "supervisor"})
# Off only in the test settings' unit tests (force_login has no device); the security
# and browser tests run with it on.
TWO_FACTOR_ENFORCED = env_bool("TWO_FACTOR_ENFORCED", True)
# The demo (DEBUG only): its users, whose passwords the README lists, log in without a
# second factor unless DEMO_2FA=1. Never off DEBUG.
DEMO_2FA_EXEMPT = DEBUG and not env_bool("DEMO_2FA", False)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "fundmgr")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace"  # fundmgr.conf.views.workspace: by role
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
# The key of the beneficiary tokens of purchase-contract deliveries (an HMAC of a
# resident's identifier): the identifier is never stored; without the key nobody can
# test a guess. Defaults to one derived from SECRET_KEY.
BENEFICIARY_KEY = os.environ.get("BENEFICIARY_KEY", "") or ("beneficiary:" + SECRET_KEY)
# The key of the single-use codes of online resident votes (fundmgr.decisions.online):
# only an HMAC of each printed code is stored, so a database copy cannot vote. Defaults to
# one derived from SECRET_KEY; changing it voids every unused code.
VOTE_CODE_KEY = os.environ.get("VOTE_CODE_KEY", "") or ("vote-code:" + SECRET_KEY)
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

# --- E-mail (residents' notices, reports.notices) -------------------------------------
# The demo and DEBUG print mail on the console; production names an SMTP server.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG or not os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "fundmgr <noreply@localhost>")

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

# A strict Content-Security-Policy on every response (django-csp): scripts only from our
# own static files (no inline script, no eval), nothing framed, forms post only here.
# Styles may be inline: the layout's <style> and SVG bars' attributes carry no code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
