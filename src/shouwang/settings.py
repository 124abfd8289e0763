"""The one settings module. Everything comes from the environment (SHOUWANG_*, DATABASE_URL,
REDIS_URL); a `.env` file in the working directory is read first for local use, and real
environment variables win over it. `shouwang init-env` writes a `.env` with fresh secrets."""

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from dotenv import load_dotenv

django_stubs_ext.monkeypatch()  # lets admin and form classes take type arguments at run time
BASE_DIR = Path(__file__).resolve().parent
load_dotenv(os.environ.get("SHOUWANG_ENV_FILE", Path.cwd() / ".env"), override=False)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int_map(name: str, default: str) -> dict[str, list[int]]:
    """`key:1,other:2:30` -> {"key": [1], "other": [2, 30]}; keys the variable leaves out keep
    their default."""

    def parse(text: str) -> dict[str, list[int]]:
        pairs = (item.split(":") for item in text.split(",") if item.strip())
        return {key.strip(): [int(number) for number in numbers] for key, *numbers in pairs}

    return {**parse(default), **parse(os.environ.get(name, ""))}


def env_required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Run `shouwang init-env` to write a .env with fresh secrets, "
            "or set it in the environment."
        )
    return value


DEBUG = env_bool("SHOUWANG_DEBUG")
SECRET_KEY = env_required("SHOUWANG_SECRET_KEY")
DATA_DIR = Path(os.environ.get("SHOUWANG_DATA_DIR", Path.cwd() / "var")).resolve()
ALLOWED_HOSTS = env_list("SHOUWANG_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("SHOUWANG_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "shouwang.core",
    "shouwang.notify",
    "shouwang.cases",
    "shouwang.places",
    "shouwang.devices",
    "shouwang.open311",
    "shouwang.insight",
    "shouwang.mediation",
    "shouwang.inspections",
    "shouwang.community",
    "shouwang.housing",
    "shouwang.gazetteer",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shouwang.core.middleware.RequestShapeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shouwang.core.locale.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shouwang.core.middleware.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shouwang.core.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "shouwang.urls"
ASGI_APPLICATION = "shouwang.asgi.application"
WSGI_APPLICATION = None

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

# --- Database: one DATABASE_URL switches SQLite (embedded default) and PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'shouwang.sqlite3'}",
        conn_max_age=int(os.environ.get("SHOUWANG_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue on busy_timeout instead of failing with "database is locked" mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory, so a live server thread in browser tests sees the test data; one per
    # process so concurrent test runs never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Under ASGI every request runs in its own thread, so persistent connections are never
    # reused (CONN_MAX_AGE > 0 ran PostgreSQL out of connections under load, 0 reconnects per
    # request): a bounded per-process pool shared by all threads instead.
    pool_max = int(os.environ.get("SHOUWANG_DB_POOL_MAX", "20"))
    if pool_max > 0 and DATABASES["default"].get("CONN_MAX_AGE", 0) == 0:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": pool_max,
            "timeout": float(os.environ.get("SHOUWANG_DB_POOL_TIMEOUT", "10")),
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# HTTP requests in flight at once per process before a quick 503 (core/admission.py; 0 = no
# limit): twice the connection pool.
SHOUWANG_HTTP_MAX_IN_FLIGHT = int(
    os.environ.get(
        "SHOUWANG_HTTP_MAX_IN_FLIGHT", str(2 * int(os.environ.get("SHOUWANG_DB_POOL_MAX", "20")))
    )
)

# `shouwang serve` and `shouwang demo`: where to listen (HOST, PORT, as `make demo` sets them),
# and uvicorn's limit on open connections, WebSockets included (0 = none).
SHOUWANG_SERVE_HOST = os.environ.get("HOST", "127.0.0.1")
SHOUWANG_SERVE_PORT = int(os.environ.get("PORT", "8000"))
SHOUWANG_LIMIT_CONCURRENCY = int(os.environ.get("SHOUWANG_LIMIT_CONCURRENCY", "0"))
# The demo people's password (`shouwang init-env` writes one into .env).
SHOUWANG_DEMO_PASSWORD = os.environ.get("SHOUWANG_DEMO_PASSWORD", "")
# The server `shouwang simulate devices --via http` drives: by default the one `serve`/`demo`
# listen on (PORT, from the environment or .env).
SHOUWANG_URL = os.environ.get("SHOUWANG_URL", f"http://127.0.0.1:{SHOUWANG_SERVE_PORT}")

# Proxies whose X-Forwarded-For names the client: none by default (anyone on the host could
# otherwise forge the audit log's address); behind nginx on this machine set "127.0.0.1,::1".
# `shouwang serve` hands this list to uvicorn, which puts the client it names in REMOTE_ADDR;
# the header from anyone else is ignored (core/services/audit.py client_ip).
SHOUWANG_TRUSTED_PROXIES = env_list("SHOUWANG_TRUSTED_PROXIES", "")

# --- Cache and channel layer: Redis in production, process memory embedded.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Messages waiting for a channel before the layer drops new ones, silently (both layers' default
# is 100; on Redis it counts everything waiting for one server process's sockets). An alarm
# storm sends each contact a message per alarm faster than a busy server reads them off:
# bench/alarms.py lost 10-16 of 200 per contact at 100. Late beats lost; each is held at most
# the layer's expiry (60 s), a few KB.
CHANNEL_CAPACITY = int(os.environ.get("SHOUWANG_CHANNEL_CAPACITY", "10000"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("SHOUWANG_CACHE_PREFIX", "shouwang"),
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": os.environ.get("SHOUWANG_CHANNEL_PREFIX", "shouwang"),
                "capacity": CHANNEL_CAPACITY,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": CHANNEL_CAPACITY},
        }
    }

# --- People and sign-in (MLPS 2.0 level 3: unique accounts, complex passwords, lockout, idle
# logout).
AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "shouwang.core.password_validation.CharacterClassValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(os.environ.get("SHOUWANG_SESSION_IDLE_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = True  # the age above then counts from the last request: idle logout

# --- Sign-in, two factors, tokens, CSP (MLPS 2.0 level 3, OWASP ASVS 5.0 level 2).
# Failures are counted by django-axes per (username, address) and per address over every
# username (core/signin_lockout.py); the delay doubles past the limit. Admins and superusers
# (leaders too with SHOUWANG_OTP_FOR_LEADERS=1) sign in with a TOTP code after the password.
# Bearer tokens live 12 hours. Every HTML page carries a strict Content-Security-Policy.
from csp.constants import NONCE as CSP_NONCE  # noqa: E402
from csp.constants import NONE as CSP_NONE  # noqa: E402
from csp.constants import SELF as CSP_SELF  # noqa: E402

INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp", "csp"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = [
    "shouwang.core.auth_backends.LockoutBackend",
    "shouwang.core.auth_backends.RoleBackend",
]
AXES_HANDLER = "shouwang.core.signin_lockout.PairAndSprayHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = int(os.environ.get("SHOUWANG_LOGIN_FAILURE_LIMIT", "5"))
SHOUWANG_SIGNIN_ADDRESS_LIMIT = int(os.environ.get("SHOUWANG_SIGNIN_ADDRESS_LIMIT", "30"))
SHOUWANG_SIGNIN_DELAY_SECONDS = int(os.environ.get("SHOUWANG_SIGNIN_DELAY_SECONDS", "300"))
SHOUWANG_SIGNIN_DELAY_MAX_SECONDS = int(os.environ.get("SHOUWANG_SIGNIN_DELAY_MAX_SECONDS", "3600"))
AXES_COOLOFF_TIME = "shouwang.core.signin_lockout.cool_off"
AXES_CLIENT_IP_CALLABLE = "shouwang.core.signin_lockout.client_address"
AXES_LOCKOUT_CALLABLE = "shouwang.core.signin_lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # the audit log records sign-ins
AXES_ENABLE_ADMIN = False  # unlock through the person's admin page or `shouwang unlock`: audited
AXES_VERBOSE = False
SHOUWANG_OTP_FOR_LEADERS = env_bool("SHOUWANG_OTP_FOR_LEADERS", False)
OTP_TOTP_ISSUER = "Shouwang"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret or its QR code
API_TOKEN_TTL_SECONDS = int(os.environ.get("SHOUWANG_API_TOKEN_TTL_SECONDS", str(12 * 3600)))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF, CSP_NONCE],  # no inline script, no eval; a nonce where needed
        "style-src": [CSP_SELF, CSP_NONCE],  # no style="" attribute, no <style> without nonce
        "img-src": [CSP_SELF, "data:", "blob:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],  # CSP 3: 'self' also matches ws(s):// of this host
        "frame-ancestors": [CSP_NONE],
        "form-action": [CSP_SELF],
        "base-uri": [CSP_SELF],
        "object-src": [CSP_NONE],
    }
}

# --- Personal data (PIPL, GB/T 35273): AES-GCM keys with ids for rotation, a keyed hash for
# exact lookup. Keys never live in code.
PII_KEYS = env_required("SHOUWANG_PII_KEYS")
PII_ACTIVE_KEY = env_required("SHOUWANG_PII_ACTIVE_KEY")
PII_HASH_KEY = env_required("SHOUWANG_PII_HASH_KEY")

# --- Language and time: Chinese first, English complete; stored UTC, shown Asia/Shanghai.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files: ours under static/shouwang/, front-end libraries served from node_modules
# (installed from package.json by `make`), never copied into the repository.
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
NODE_MODULES = Path(
    os.environ.get("SHOUWANG_NODE_MODULES", BASE_DIR.parent.parent / "node_modules")
)
STATICFILES_DIRS = [
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/htmx-ext-ws", NODE_MODULES / "htmx-ext-ws" / "dist"),
    ("vendor/alpinejs", NODE_MODULES / "alpinejs" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"

# --- Security headers. Production runs behind TLS (nginx); the embedded demo on 127.0.0.1 sets
# SHOUWANG_DEBUG=1 and plain HTTP.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SHOUWANG_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SHOUWANG_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- The closed loop: radii in metres, windows in minutes, upload limit in bytes (nginx's
# client_max_body_size must allow it).
# Intake refuses a point farther than this outside the city's (root node's) boundary.
SHOUWANG_SERVICE_AREA_MARGIN_M = int(os.environ.get("SHOUWANG_SERVICE_AREA_MARGIN_M", "5000"))
SHOUWANG_ARRIVE_RADIUS_M = int(os.environ.get("SHOUWANG_ARRIVE_RADIUS_M", "300"))
SHOUWANG_FIRST_RESPONDER_RADIUS_M = int(os.environ.get("SHOUWANG_FIRST_RESPONDER_RADIUS_M", "1000"))
SHOUWANG_DUPLICATE_RADIUS_M = int(os.environ.get("SHOUWANG_DUPLICATE_RADIUS_M", "300"))
SHOUWANG_DUPLICATE_WINDOW_MINUTES = int(os.environ.get("SHOUWANG_DUPLICATE_WINDOW_MINUTES", "120"))
SHOUWANG_POSITION_FRESH_MINUTES = int(os.environ.get("SHOUWANG_POSITION_FRESH_MINUTES", "10"))
SHOUWANG_ATTACHMENT_MAX_BYTES = int(os.environ.get("SHOUWANG_ATTACHMENT_MAX_BYTES", str(10 << 20)))
DATA_UPLOAD_MAX_MEMORY_SIZE = SHOUWANG_ATTACHMENT_MAX_BYTES + (1 << 20)

# --- Citizen reports: anonymous reports per address per window.
SHOUWANG_REPORT_RATE_LIMIT = int(os.environ.get("SHOUWANG_REPORT_RATE_LIMIT", "5"))
SHOUWANG_REPORT_RATE_WINDOW_S = int(os.environ.get("SHOUWANG_REPORT_RATE_WINDOW_S", "3600"))

# --- Open311 GeoReport v2: posts per API key per minute.
OPEN311_POSTS_PER_MINUTE = int(os.environ.get("SHOUWANG_OPEN311_POSTS_PER_MINUTE", "30"))

# --- Notifications: an SMS/voice gateway class (dotted path; empty logs instead of sending),
# HTTP timeout for webhooks and robots, and the robots' per-minute budget (DingTalk/WeCom: ~20).
SHOUWANG_SMS_BACKEND = os.environ.get("SHOUWANG_SMS_BACKEND", "")
# Click-to-call through operator privacy numbers (隐私号): a gateway class (dotted path; empty
# records the call and dials the number directly), see core/telephony.py.
SHOUWANG_PRIVACY_NUMBER_BACKEND = os.environ.get("SHOUWANG_PRIVACY_NUMBER_BACKEND", "")
# WebSocket rows are delivered by the committing thread right after the commit when this
# process serves sockets (notify/delivery/now.py); the workers stay the safety net.
SHOUWANG_OUTBOX_DELIVER_ON_COMMIT = os.environ.get("SHOUWANG_OUTBOX_DELIVER_ON_COMMIT", "1") == "1"
NOTIFY_HTTP_TIMEOUT_SECONDS = float(os.environ.get("SHOUWANG_NOTIFY_HTTP_TIMEOUT_SECONDS", "5"))
NOTIFY_ROBOT_POSTS_PER_MINUTE = int(os.environ.get("SHOUWANG_NOTIFY_ROBOT_POSTS_PER_MINUTE", "20"))

# --- Devices (devices/README.md): MQTT, the heartbeat buffer, push timestamp windows, alarm
# acknowledgement, links and CAP.
SHOUWANG_MQTT_URL = os.environ.get("SHOUWANG_MQTT_URL", "")
SHOUWANG_MQTT_CLIENT_ID = os.environ.get("SHOUWANG_MQTT_CLIENT_ID", "")
SHOUWANG_MQTT_SESSION_EXPIRY = int(os.environ.get("SHOUWANG_MQTT_SESSION_EXPIRY", "3600"))
SHOUWANG_MQTT_SHARE_GROUP = os.environ.get("SHOUWANG_MQTT_SHARE_GROUP", "") or "shouwang"
SHOUWANG_MQTT_ALARM_WORKERS = int(os.environ.get("SHOUWANG_MQTT_ALARM_WORKERS", "2"))
SHOUWANG_DEVICES_HEARTBEAT_BUFFER = int(
    os.environ.get("SHOUWANG_DEVICES_HEARTBEAT_BUFFER", "200000")
)
SHOUWANG_DEVICES_FLUSH_THREAD = env_bool("SHOUWANG_DEVICES_FLUSH_THREAD", True)
# Our own devices sign at send time: five minutes covers clock drift and a retry or two.
# Platforms re-send for a while (OneNET up to 16 times) with the first timestamp: an hour.
SHOUWANG_DEVICES_REPLAY_WINDOW_S = int(os.environ.get("SHOUWANG_DEVICES_REPLAY_WINDOW_S", "300"))
SHOUWANG_DEVICES_PLATFORM_WINDOW_S = int(
    os.environ.get("SHOUWANG_DEVICES_PLATFORM_WINDOW_S", "3600")
)
SHOUWANG_ALARM_ACK_SECONDS = int(os.environ.get("SHOUWANG_ALARM_ACK_SECONDS", "60"))
SHOUWANG_ALARM_REMINDERS = int(os.environ.get("SHOUWANG_ALARM_REMINDERS", "2"))
SHOUWANG_PUBLIC_URL = os.environ.get("SHOUWANG_PUBLIC_URL", "")
SHOUWANG_CAP_SENDER = os.environ.get("SHOUWANG_CAP_SENDER", "") or "shouwang@localhost"
# --- Rental housing (issue #20): registration is due this many days after arrival (Yiwu's rule);
# the card lists go to door controllers under this MQTT topic prefix.
HOUSING_REGISTRATION_DAYS = int(os.environ.get("SHOUWANG_HOUSING_REGISTRATION_DAYS", "3"))
HOUSING_MQTT_PREFIX = os.environ.get("SHOUWANG_HOUSING_MQTT_PREFIX", "shouwang/doors")
HOUSING_MQTT_URL = os.environ.get("SHOUWANG_HOUSING_MQTT_URL", "")  # else SHOUWANG_MQTT_URL

# --- Inspections (docs/inspections.md): rectification deadline by hazard level in Chinese
# working days after the day it was found (0 = by the end of that day, 立即整改; local rules
# differ: `serious:0,major:3,general:7`); an inspection recorded farther than this from the
# premises is flagged (not refused).
HAZARD_DEADLINE_WORKING_DAYS = {
    level: days[0]
    for level, days in env_int_map(
        "SHOUWANG_HAZARD_DEADLINE_WORKING_DAYS", "serious:0,major:3,general:7"
    ).items()
}
INSPECTION_GPS_TOLERANCE_M = float(os.environ.get("SHOUWANG_INSPECTION_GPS_TOLERANCE_M", "300"))

# --- Mediation: the civil-to-criminal risk score that raises an alert where no node (or
# ancestor) has a threshold of its own.
SHOUWANG_RISK_THRESHOLD = float(os.environ.get("SHOUWANG_RISK_THRESHOLD", "0.5"))
# --- Insight: when the worker issues the city's bulletins (Asia/Shanghai wall-clock times),
# e.g. "daily:07:30,weekly:08:00,monthly:08:30"; a period left out keeps its default.
SHOUWANG_BULLETIN_SCHEDULE = {"daily": "07:30", "weekly": "08:00", "monthly": "08:30"} | {
    kind.strip(): at.strip()
    for kind, _, at in (
        part.partition(":") for part in os.environ.get("SHOUWANG_BULLETIN_SCHEDULE", "").split(",")
    )
    if kind.strip() and at.strip()
}

# --- Community (community/README.md). A check-in farther than this from the post is refused
# (phone GPS outdoors: ~20-50 m); the same person at the same post again within the interval is
# refused (one visit, one check-in, one award).
SHOUWANG_CHECKIN_RADIUS_M = int(os.environ.get("SHOUWANG_CHECKIN_RADIUS_M", "100"))
SHOUWANG_CHECKIN_INTERVAL_MIN = int(os.environ.get("SHOUWANG_CHECKIN_INTERVAL_MIN", "30"))
# Ten-household groups (seed 000): members acknowledge in 1 minute and arrive in 3; arrival
# counts when the member's phone is this near the alert.
SHOUWANG_GROUP_ACK_TARGET_S = int(os.environ.get("SHOUWANG_GROUP_ACK_TARGET_S", "60"))
SHOUWANG_GROUP_ARRIVE_TARGET_S = int(os.environ.get("SHOUWANG_GROUP_ARRIVE_TARGET_S", "180"))
SHOUWANG_GROUP_ARRIVE_RADIUS_M = int(os.environ.get("SHOUWANG_GROUP_ARRIVE_RADIUS_M", "150"))
# A burst: this many report awards within the radius of each other in these hours from one
# person are held for a person to review; two photo dHashes this many bits apart or fewer are
# the same photo.
SHOUWANG_POINTS_BURST_COUNT = int(os.environ.get("SHOUWANG_POINTS_BURST_COUNT", "5"))
SHOUWANG_POINTS_BURST_RADIUS_M = int(os.environ.get("SHOUWANG_POINTS_BURST_RADIUS_M", "100"))
SHOUWANG_POINTS_BURST_HOURS = int(os.environ.get("SHOUWANG_POINTS_BURST_HOURS", "24"))
SHOUWANG_POINTS_PHOTO_HAMMING = int(os.environ.get("SHOUWANG_POINTS_PHOTO_HAMMING", "6"))
# Earning rules where the admin has no EarningRule row, `code:points:daily cap` (seed 000: "a
# photo of a broken camera = 3 points").
SHOUWANG_POINTS_RULES = {
    code: (numbers[0], numbers[1])
    for code, numbers in env_int_map(
        "SHOUWANG_POINTS_RULES",
        "report_verified:3:30,hazard_confirmed:5:50,patrol_hour:2:16,checkin:1:10",
    ).items()
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SHOUWANG_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
