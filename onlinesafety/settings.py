"""Settings for the online safety product.

Everything configurable comes from environment variables (listed in README.md). Development
defaults are safe and need nothing running; ``DJANGO_ENV=production`` turns the defaults off and
refuses to start without a SECRET_KEY and ALLOWED_HOSTS. With DEBUG off, a weak SECRET_KEY is refused too.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

# Every variable these settings read, so tests can check README.md and docker-compose.yml against it.
ENVIRONMENT_VARIABLES: set[str] = set()


def env(name: str, default: str = "") -> str:
    ENVIRONMENT_VARIABLES.add(name)
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name, "")
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DJANGO_ENV = env("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)

DEVELOPMENT_SECRET_KEY = "development-only-key-never-used-in-production"
MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_CHARACTERS = 5


def weak_secret_key(key: str) -> str:
    """Why ``key`` is not fit to sign sessions, password resets and links on a live site ("" when it is).
    The thresholds are Django's own (check security.W009), here refused at start-up rather than warned about."""
    if key == DEVELOPMENT_SECRET_KEY:
        return "it is the development key written in the source code"
    if key.startswith("django-insecure-"):
        return "it is a key Django generated for development ('django-insecure-')"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"it has fewer than {MIN_SECRET_KEY_LENGTH} characters"
    if len(set(key)) < MIN_SECRET_KEY_CHARACTERS:
        return f"it has fewer than {MIN_SECRET_KEY_CHARACTERS} different characters"
    return ""


SECRET_KEY = env("SECRET_KEY").strip()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if PRODUCTION:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
else:
    SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "testserver"]
if not DEBUG and (reason := weak_secret_key(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"SECRET_KEY is too weak for a site with DEBUG off: {reason}. Set SECRET_KEY to a long random value, e.g. "
        "the output of: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))
if not PRODUCTION:
    VAR_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "onlinesafety.accounts",
    "onlinesafety.schools",
    "onlinesafety.audit",
    "onlinesafety.mail",
    "onlinesafety.roster",
    "onlinesafety.submissions",
    "onlinesafety.sso",
    "incidents",
    "policies",
    "filtering",
    "aup",
    "monitoring",
    "governors",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's list of passkeys loads it
    "crispy_forms",
    "crispy_bootstrap5",
    "guardian",
    "django_htmx",
    "django_celery_beat",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    # Single sign-on (onlinesafety/sso): allauth's social accounts and its OpenID Connect provider.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]

MIDDLEWARE = [
    # /healthz and /readyz, before the host check and the HTTPS redirect: probes come to the container's address.
    "onlinesafety.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "onlinesafety.headers.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "onlinesafety.headers.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "onlinesafety.schools.middleware.CurrentSchoolMiddleware",
    # Refuses a request larger than MAX_REQUEST_BYTES before its body is read (first at CsrfViewMiddleware's view
    # check): everything above looks at headers and the session only, so the "too large" page is the site's own.
    "onlinesafety.requestsize.RequestSizeMiddleware",
    "onlinesafety.accounts.middleware.IdleTimeoutMiddleware",
    "onlinesafety.accounts.middleware.SecondFactorRequiredMiddleware",
    "aup.middleware.AgreementsFirstMiddleware",
]

ROOT_URLCONF = "onlinesafety.urls"
WSGI_APPLICATION = "onlinesafety.wsgi.application"

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
                "onlinesafety.schools.context_processors.current_school",
            ],
            # {% form_token %} in every form that writes, with no {% load %} (onlinesafety.submissions).
            "builtins": ["onlinesafety.submissions.templatetags.form_tokens"],
        },
    },
]

# One cache every web worker shares, kept in the database so that nothing more needs to run: sign-in, reset and
# link rate limits count across workers with it. The table is made by a migration (accounts 0004). Django's own
# database cache, with an atomic incr that keeps the expiry (onlinesafety/cache.py).
CACHES = {
    "default": {
        "BACKEND": "onlinesafety.cache.DatabaseCache",
        "LOCATION": "onlinesafety_cache",
        # Django culls a third of the keys, live ones too, past MAX_ENTRIES (300 by default): room for every
        # network's rate-limit counters and lockouts, expired keys being the first to go.
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    }
}

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'onlinesafety.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0")),
        # A kept connection is checked before a request uses it, so one the database dropped (a restart, a pooler's
        # idle timeout) is replaced instead of failing the request with a 500.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for locks and take them up front.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so a real Celery worker started by the tests can open the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-onlinesafety.sqlite3")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short web queries: PostgreSQL's JIT compiler costs far more than it saves (see docs/performance.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # A database host that takes the connection and never answers fails the request after this many seconds,
    # instead of holding a web worker until gunicorn's timeout.
    DATABASES["default"]["OPTIONS"]["connect_timeout"] = int(env("DATABASE_CONNECT_TIMEOUT", "5"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

# Sign-in: django-allauth (accounts, second factors and single sign-on from one library; docs/architecture.md).
# Email and password, no sign-up (schools add their people), no email management by the person (the school's
# roster owns the address), nothing emailed to an address that has no account.
ACCOUNT_ADAPTER = "onlinesafety.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "onlinesafety.accounts.forms.SignInForm",
    "reset_password": "onlinesafety.accounts.forms.PasswordResetRequestForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Lockout and rate limits (allauth's own, counted in the shared database cache; docs/architecture.md "Sign-in").
# An account is locked for one network after SIGN_IN_ATTEMPTS wrong passwords from it in SIGN_IN_LOCKOUT_MINUTES,
# and everywhere after SIGN_IN_ATTEMPTS_ANYWHERE from all networks together (so someone guessing elsewhere does
# not lock the DSL out at school unless they keep at it); second-factor codes SIGN_IN_ATTEMPTS per account. A
# school signs in from one address: the per-address limits are far above a school's morning. A reset email goes
# to one address at most 3 times in 15 minutes.
SIGN_IN_ATTEMPTS = int(env("SIGN_IN_ATTEMPTS", "5"))
SIGN_IN_ATTEMPTS_ANYWHERE = int(env("SIGN_IN_ATTEMPTS_ANYWHERE", "50"))
SIGN_IN_LOCKOUT_MINUTES = int(env("SIGN_IN_LOCKOUT_MINUTES", "15"))
ACCOUNT_RATE_LIMITS = {
    "login": "600/m/ip",
    "login_failed": f"120/m/ip,{SIGN_IN_ATTEMPTS}/{SIGN_IN_LOCKOUT_MINUTES * 60}s/key",
    "login_failed_anywhere": f"{SIGN_IN_ATTEMPTS_ANYWHERE}/{SIGN_IN_LOCKOUT_MINUTES * 60}s/key",
    "reset_password": "20/m/ip,3/15m/key",
    "reset_password_from_key": "20/m/ip",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
    "signup": "1/m/ip",
}
# The second factor: an authenticator app (TOTP), a passkey or security key (WebAuthn), and recovery codes.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", "Online Safety")
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG  # http://127.0.0.1 in development; https everywhere else
MFA_ADAPTER = "onlinesafety.accounts.adapter.MfaAdapter"
# Encrypts the authenticator apps' keys in the database. Defaults to one made from SECRET_KEY: set it on its own
# before ever changing SECRET_KEY (to the old SECRET_KEY), or every authenticator app has to be set up again.
MFA_SECRET_KEY = env("MFA_SECRET_KEY", "") or f"mfa:{SECRET_KEY}"
# Step-up: what CPOMS calls elevated access. Opening an allegation about staff, an old case or the incident log
# asks for the second factor again when the last one is older than this.
STEP_UP_MINUTES = int(env("STEP_UP_MINUTES", "15"))
# The safeguarding roles are signed out after this long without a click.
IDLE_TIMEOUT_MINUTES = int(env("IDLE_TIMEOUT_MINUTES", "30"))
# A person's sessions are listed from their sign-ins ("sign out everywhere"); not tracked on every request, which
# would cost a write per page.
USERSESSIONS_TRACK_ACTIVITY = False

# Single sign-on: "Sign in with Microsoft" (Entra ID) and "Sign in with Google" (Workspace), each configured by a
# school or a trust (onlinesafety/sso, docs/operations.md). Every configuration is an OpenID Connect app of
# allauth's openid_connect provider, supplied by the adapter from the database (no SocialApp rows, nothing from
# these settings). An identity only ever signs in to an existing, switched-on account with a current role in the
# school or trust whose configuration it came through: no sign-up, no linking by allauth itself.
SOCIALACCOUNT_ADAPTER = "onlinesafety.sso.adapter.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, object]] = {}
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 5  # seconds, for each call to the identity provider
# Where the identity providers are (not environment variables: they are Microsoft's and Google's). Only https is
# used (onlinesafety.sso.oidc); the tests point these at a fake provider on this machine, which plain http may reach
# outside production only.
SSO_MICROSOFT_AUTHORITY = "https://login.microsoftonline.com"
SSO_GOOGLE_ISSUER = "https://accounts.google.com"

# Guardian: object permissions only for signed-in users; no anonymous user row.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "onlinesafety.views.csrf_failure"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "private-media"},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded files are private: there is no MEDIA_URL; they are served only by views that check access.
MEDIA_ROOT = VAR_DIR / "private-media"
# Outside production, serve static files straight from the source folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads stream to a temporary file
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# The largest request read, files and all (onlinesafety.requestsize): above the largest form but one (a concern with
# a few pieces of evidence of 10 MB each); the provider log import marks its own 500 MB on its view.
MAX_REQUEST_BYTES = int(env("MAX_REQUEST_BYTES", str(50 * 1024 * 1024)))

# Every form's required fields say what to do ("Enter …", "Select …"), not "This field is required." (forms.py).
FORM_RENDERER = "onlinesafety.forms.FormRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email. In development every message is written to var/mail/ and listed at /dev/mail/.
# The address people use to reach the site; links in emails start with it.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Online Safety <no-reply@onlinesafety.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_FILE_PATH = Path(env("EMAIL_FILE_PATH", str(VAR_DIR / "mail")))
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_PORT = int(env("EMAIL_PORT", "587"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = 20  # seconds: a hung mail server must not hold the outbox row lock for long
if DEBUG and not EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = EMAIL_HOST or "localhost"

# Each task's hard time limit in seconds (its soft limit, which lets it mark its job failed, is a minute less).
# Jobs tied to a record (an import, a report, a batch of emails) are acknowledged once done (acks_late): killed
# mid-way, they come back after the visibility timeout, and meanwhile their periodic task has already sent them
# again; the record's state makes a second run a no-op. Periodic tasks are acknowledged when taken: killed, they
# simply run at their next time.
TASK_TIME_LIMITS = {
    "filtering.tasks.import_provider_log": 3600,  # up to 500 MB of log
    "monitoring.tasks.import_alerts": 1800,  # up to 200 MB of alerts
    "onlinesafety.roster.tasks.apply_roster_import": 1800,
    "onlinesafety.roster.tasks.fetch_roster_import": 600,  # one Wonde fetch has a 60 s budget per kind
    "onlinesafety.governors.tasks.build_report": 300,  # seconds in practice
    "onlinesafety.mail.tasks.deliver_email": 120,
    "onlinesafety.mail.tasks.deliver_emails": 900,  # a hundred emails
}
PERIODIC_TASK_TIME_LIMITS = {
    "onlinesafety.roster.tasks.import_nightly": 4 * 3600,  # every school's MIS, one after another
    "onlinesafety.mail.tasks.drain_outbox": 900,
    "onlinesafety.governors.tasks.generate_due_reports": 900,
    "onlinesafety.governors.tasks.look_after_reports": 300,
    "onlinesafety.roster.tasks.look_after_imports": 300,
    "filtering.tasks.requeue_waiting_imports": 300,
    "filtering.tasks.process_reverts": 900,
    "monitoring.tasks.requeue_waiting_imports": 300,
    "policies.tasks.send_due_reminders": 1800,
    "aup.tasks.remind_families": 1800,
    "onlinesafety.submissions.tasks.forget_old_tokens": 900,
}
LONGEST_TASK_SECONDS = max(TASK_TIME_LIMITS.values())
CELERY_TASK_ANNOTATIONS = {
    **{name: {"time_limit": limit, "soft_time_limit": limit - 60} for name, limit in TASK_TIME_LIMITS.items()},
    **{name: {"time_limit": limit, "soft_time_limit": limit - 60, "acks_late": False}
       for name, limit in PERIODIC_TASK_TIME_LIMITS.items()},
}

# Celery. With no CELERY_BROKER_URL, kombu's filesystem transport under var/ is the broker, so one
# command still runs a real worker and beat with nothing else installed.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_DIR = Path(env("CELERY_BROKER_DIR", str(VAR_DIR / "celery")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
    # The filesystem transport has no broadcast: the worker's remote control stays off.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
else:
    # Publishing from a web request tries the broker once and gives up (onlinesafety.jobs): a broker that is
    # down must never hold a request. What was not published waits for its periodic task. A task taken but not
    # acknowledged (its worker was killed) goes back to the queue after the visibility timeout, which outlasts
    # the longest task's hard limit so that no task still running is handed to a second worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "visibility_timeout": LONGEST_TASK_SECONDS + 300}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Publishing a task from a request (onlinesafety.jobs): the connect and socket timeout, in seconds, of the
# connection it publishes on. A broker that does not answer costs a request at most about twice this.
PUBLISH_TIMEOUT = float(env("PUBLISH_TIMEOUT", "0.3"))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "onlinesafety")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "mail-drain-outbox": {
        "task": "onlinesafety.mail.tasks.drain_outbox",
        "schedule": 60.0,
    },
    # Daily; each school's dates are worked out in its own time zone. Change the time in the admin.
    "policies-send-due-reminders": {
        "task": "policies.tasks.send_due_reminders",
        "schedule": crontab(hour=6, minute=30),
    },
    "aup-remind-families": {
        "task": "aup.tasks.remind_families",
        "schedule": crontab(hour=9, minute=15),
    },
    "governors-look-after-reports": {
        "task": "onlinesafety.governors.tasks.look_after_reports",
        "schedule": 300.0,  # a report left queued (broker down), building (worker killed) or failed is sent again
    },
    "governors-generate-due-reports": {
        "task": "onlinesafety.governors.tasks.generate_due_reports",
        "schedule": crontab(hour=5, minute=30),  # the day after a term ends, before anyone is in
    },
    "filtering-process-reverts": {
        "task": "filtering.tasks.process_reverts",
        "schedule": crontab(hour="7-17", minute=0),  # hourly in the school day; each reminder goes once
    },
    "filtering-requeue-waiting-imports": {
        "task": "filtering.tasks.requeue_waiting_imports",
        "schedule": 300.0,  # an import queued while the broker was down is sent to a worker again
    },
    "monitoring-requeue-waiting-imports": {
        "task": "monitoring.tasks.requeue_waiting_imports",
        "schedule": 300.0,  # an alerts import queued while the broker was down is sent to a worker again
    },
    "roster-look-after-imports": {
        "task": "onlinesafety.roster.tasks.look_after_imports",
        "schedule": 300.0,  # re-send roster imports left waiting, fail stuck ones, expire day-old dry runs
    },
    "submissions-forget-old-tokens": {
        "task": "onlinesafety.submissions.tasks.forget_old_tokens",
        "schedule": crontab(hour=3, minute=40),  # form tokens older than a week are refused, so their claims go
    },
    "roster-import-nightly": {
        "task": "onlinesafety.roster.tasks.import_nightly",
        "schedule": crontab(hour=2, minute=15),  # the MIS's overnight exports, and the schools on its API
    },
}
# Never eager outside tests: the worker does the work.
CELERY_TASK_ALWAYS_EAGER = False

DEMO_PASSWORD = env("DEMO_PASSWORD", "oakfield-demo-2026")
# Each domain app adds its part of the demo; seed_demo runs these after the schools and people.
DEMO_SEEDERS = ["incidents.demo.seed", "policies.demo.seed", "filtering.demo.seed", "aup.demo.seed",
                "monitoring.demo.seed", "onlinesafety.schools.people.demo.seed", "governors.demo.seed",
                "onlinesafety.schools.setup.demo.seed",
                "onlinesafety.accounts.demo.seed"]
# Lines printed after the demo logins (each returns a list of strings), e.g. a working signing link.
DEMO_ANNOUNCERS = ["aup.demo.signing_link", "incidents.demo.pupil_link",
                   "onlinesafety.schools.people.demo.invitation_link", "onlinesafety.accounts.demo.announce"]

# How long an invitation to set a password works (the link is single use).
INVITATION_DAYS = int(env("INVITATION_DAYS", "7"))

# Acceptable use agreements: how long a parent's link works, how long after an answer its receipt and PDF copy
# can still be opened through the link (afterwards only signed in), when reminders go, and how long a pupil may
# use school technology after a new agreement is published before it must be signed.
AUP_LINK_DAYS = int(env("AUP_LINK_DAYS", "30"))
AUP_COPY_MINUTES = max(0, int(env("AUP_COPY_MINUTES", "30")))
AUP_REMINDER_DAYS = [int(day) for day in env_list("AUP_REMINDER_DAYS", "7,14")]
AUP_MAX_REMINDERS = int(env("AUP_MAX_REMINDERS", "3"))
AUP_GRACE_DAYS = int(env("AUP_GRACE_DAYS", "14"))

# Rate limits on the pages opened without signing in (onlinesafety.ratelimit; 0 switches a limit off): links that do
# not work (unknown, expired, used) from one network before it is locked out of every link page, the minutes they
# are counted over and the lockout lasts, heavy actions (answers, PDF copies, passwords tried) through one link in
# an hour, and requests from one network to the signed-out pages in a minute.
RATE_LIMIT_LINK_FAILURES = max(0, int(env("RATE_LIMIT_LINK_FAILURES", "20")))
RATE_LIMIT_LOCKOUT_MINUTES = max(1, int(env("RATE_LIMIT_LOCKOUT_MINUTES", "15")))
RATE_LIMIT_LINK_ACTIONS_PER_HOUR = max(0, int(env("RATE_LIMIT_LINK_ACTIONS_PER_HOUR", "30")))
RATE_LIMIT_PUBLIC_PER_MINUTE = max(0, int(env("RATE_LIMIT_PUBLIC_PER_MINUTE", "120")))
# Reports sent without signing in, in an hour: a parent's form per network, and a school's pupil link (a classroom
# shares one network, so the pupils' reports are counted by the link).
# A parent's reports: per email address they give, and (higher: a parents' evening on the school's wifi) per network
RATE_LIMIT_PARENT_REPORTS_PER_EMAIL_PER_HOUR = max(0, int(env("RATE_LIMIT_PARENT_REPORTS_PER_EMAIL_PER_HOUR", "5")))
RATE_LIMIT_PARENT_REPORTS_PER_NETWORK_PER_HOUR = max(0, int(env("RATE_LIMIT_PARENT_REPORTS_PER_NETWORK_PER_HOUR",
                                                                "30")))
RATE_LIMIT_PUPIL_REPORTS_PER_HOUR = max(0, int(env("RATE_LIMIT_PUPIL_REPORTS_PER_HOUR", "60")))

# Governor reports: counts from 1 up to one below this are shown as "fewer than N", so no child is recognisable.
GOVERNOR_REPORT_SMALL_NUMBER = max(3, int(env("GOVERNOR_REPORT_SMALL_NUMBER", "3")))

# The roster import from the school's MIS: the folder the MIS's scheduled exports are dropped in (one sub-folder per
# school slug; empty turns the nightly folder import off), the share of a school's records an unattended import may
# mark as left before it waits for a person, and the MIS data provider's API (Wonde) for the installation.
ROSTER_DROP_FOLDER = env("ROSTER_DROP_FOLDER", "")
ROSTER_MAX_LEAVERS_PERCENT = int(env("ROSTER_MAX_LEAVERS_PERCENT", "10"))
WONDE_API_TOKEN = env("WONDE_API_TOKEN", "")
WONDE_API_URL = env("WONDE_API_URL", "https://api.wonde.com/v1.0/")

# Logs carry ids and counts, never names or link tokens. Every line naming a request's address goes through
# onlinesafety.logscrub (no query string, "[token]" for a link's secret): on the loggers that write those lines, so
# every handler sees the clean line, and on the handlers, for any other logger. Gunicorn's logs: gunicorn_conf.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub_addresses": {"()": "onlinesafety.logscrub.ScrubAddresses"},
                "without_template_context": {"()": "onlinesafety.logscrub.WithoutTemplateContext"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}",
                          "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["scrub_addresses"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server",
                          "filters": ["scrub_addresses"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console and admin-email handlers off: its lines reach the root's console once, scrubbed.
        "django": {"handlers": [], "level": "INFO"},
        "django.request": {"filters": ["scrub_addresses"]},
        "django.security.csrf": {"filters": ["scrub_addresses"]},
        "django.template": {"filters": ["without_template_context"]},  # its DEBUG tracebacks print the context
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False,
                          "filters": ["scrub_addresses"]},
        "django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Content-Security-Policy (django-csp), on every response but a file shown inline (onlinesafety.downloads): scripts
# and styles only from our own static files, so no inline <script>, on*= handler or style="" anywhere. Images also
# from data: URIs, because Bootstrap's CSS draws its select arrows, check marks and menu icon as inline SVG.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
# Browser features no page uses, switched off for every page (onlinesafety.headers.PermissionsPolicyMiddleware).
# Passkeys and security keys (publickey-credentials-get) are the second factor's: left to the default, this site.
PERMISSIONS_POLICY_DISABLED = [
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "geolocation",
    "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi", "payment",
    "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
]

# The proxies in front of the app (addresses or networks). Only a request from one of them has its
# X-Forwarded-For read for the client's address (onlinesafety.clientaddress); from anyone else it is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network.") from None

# HTTPS hardening. Read in every mode so the variables are known; applied in production.
SECURE_SSL_REDIRECT_WANTED = env_bool("SECURE_SSL_REDIRECT", default=True)
HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = SECURE_SSL_REDIRECT_WANTED
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = HSTS_SECONDS
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    # Joining the browsers' HSTS preload list is the domain owner's decision, not the application's.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
