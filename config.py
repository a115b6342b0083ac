"""Configuration from environment variables.

Each class is a plain object read by ``app.config.from_object``. The embedded default is a
SQLite file under ``instance/`` so that a laptop needs no database server; PostgreSQL is chosen by
setting ``DATABASE_URL``.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("CONGRESS_INSTANCE_DIR", BASE_DIR / "instance"))
DEV_SECRET_KEY = "dev-only-secret-key-change-me"
# The base of every external link and identifier in development and tests (never the request's host);
# production refuses to start without PUBLIC_BASE_URL.
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:5000"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def normalise_database_url(url: str) -> str:
    """Map plain ``postgres://`` URLs (Heroku style) to the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'congress.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "30000"))

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    SERVER_NAME = os.environ.get("SERVER_NAME")
    FORCE_HTTPS = _bool("FORCE_HTTPS", False)
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(60 * 1024 * 1024)))

    # Sites that may show the embeddable programme (/<slug>/programme/embed) in an <iframe>: origins,
    # comma-separated, e.g. "https://www.weerbaresamenleving.nl". Every other page refuses framing.
    EMBED_ORIGINS = os.environ.get("EMBED_ORIGINS", "")
    # Who may read /metrics without a token (CIDR, comma-separated); a `read` API token always may.
    METRICS_ALLOW_NETWORKS = os.environ.get("METRICS_ALLOW_NETWORKS", "")
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # "json": one JSON object per log line (congress/logs.py)
    DATABASE_POOL_SIZE = os.environ.get("DATABASE_POOL_SIZE", "")  # PostgreSQL connections per process

    # Who publishes this installation's programme and knowledge base: the feed-level author of the
    # Atom feed, the repository name harvesters show, the publisher of open data.
    PUBLISHER_NAME = os.environ.get("PUBLISHER_NAME", "Congres")
    # The contact address of the open-data catalogue (DCAT contact point); default the sender address.
    PUBLISHER_EMAIL = os.environ.get("PUBLISHER_EMAIL", "")

    # Languages
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = ("nl", "en")

    # Mail
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "8025"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Congres <congres@example.org>")
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "6"))
    MAIL_RETRY_BASE_SECONDS = float(os.environ.get("MAIL_RETRY_BASE_SECONDS", "30"))
    # A claimed message ("sending") is given back to the queue only when its claim is this old:
    # well above MAIL_TIMEOUT and the time to render its attachments (never less than three
    # MAIL_TIMEOUTs, whatever is set here). A database error while
    # delivering (locked, connection lost) is retried after MAIL_DB_RETRY_SECONDS, without using up
    # an attempt.
    MAIL_CLAIM_TIMEOUT_SECONDS = float(os.environ.get("MAIL_CLAIM_TIMEOUT_SECONDS", "600"))
    MAIL_DB_RETRY_SECONDS = float(os.environ.get("MAIL_DB_RETRY_SECONDS", "5"))
    # Deliverability (docs/deploy.md): the envelope sender bounces go to (the Return-Path receivers
    # record; default the From address), and DKIM signing with the key whose public half is published
    # at <selector>._domainkey.<domain>. No key file: messages go unsigned.
    MAIL_RETURN_PATH = os.environ.get("MAIL_RETURN_PATH", "")
    MAIL_DKIM_PRIVATE_KEY_FILE = os.environ.get("MAIL_DKIM_PRIVATE_KEY_FILE", "")
    MAIL_DKIM_SELECTOR = os.environ.get("MAIL_DKIM_SELECTOR", "congres")
    MAIL_DKIM_DOMAIN = os.environ.get("MAIL_DKIM_DOMAIN", "")
    # How many due messages a worker claims at once and sends over one SMTP connection.
    MAIL_BATCH_SIZE = int(os.environ.get("MAIL_BATCH_SIZE", "25"))
    # Show the outbox to organisers (always on in development).
    MAIL_OUTBOX_VISIBLE = _bool("MAIL_OUTBOX_VISIBLE", True)

    # Background jobs (Huey): SQLite file by default, Redis when REDIS_URL is set.
    REDIS_URL = os.environ.get("REDIS_URL")
    HUEY_SQLITE_PATH = os.environ.get("HUEY_SQLITE_PATH", str(INSTANCE_DIR / "huey.db"))
    HUEY_IMMEDIATE = _bool("HUEY_IMMEDIATE", False)

    # Rate limits (Flask-Limiter): memory per process by default, Redis in production.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", REDIS_URL or "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    # Roles that must sign in with a second factor (accounts/mfa.py), comma-separated; "" for none.
    MFA_REQUIRED_ROLES = os.environ.get("MFA_REQUIRED_ROLES", "admin,organiser")

    # Single sign-on through the organisation's OpenID provider (accounts/oidc.py; docs/single-sign-on.md).
    # Off while OIDC_ISSUER is empty. The callback to register at the provider: <PUBLIC_BASE_URL>/login/oidc/callback.
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "")
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
    # The button's name: "Inloggen met <OIDC_PROVIDER_NAME>".
    OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "")
    # The ID-token claim with the person's groups, and which group gives which role (JSON, see the docs):
    # {"congres-organisatie": {"role": "organiser"},
    #  "spoor-digitaal": {"role": "track_manager", "edition": "congres-2026", "track": "Digitale weerbaarheid"}}
    OIDC_ROLES_CLAIM = os.environ.get("OIDC_ROLES_CLAIM", "groups")
    OIDC_ROLE_MAP = os.environ.get("OIDC_ROLE_MAP", "")
    # Whether a single sign-on counts as the second factor of MFA_REQUIRED_ROLES: "false" (the default: a
    # second factor in Congres is still asked), "true" (the provider always asks one), or "amr" (when the
    # ID token's amr claim says so: "mfa", RFC 8176).
    OIDC_SATISFIES_MFA = os.environ.get("OIDC_SATISFIES_MFA", "false")
    OIDC_SCOPES = os.environ.get("OIDC_SCOPES", "openid email profile")
    # Seconds the clocks of Congres and the provider may differ when checking a token's times.
    OIDC_LEEWAY_SECONDS = int(os.environ.get("OIDC_LEEWAY_SECONDS", "60"))
    OIDC_TIMEOUT_SECONDS = float(os.environ.get("OIDC_TIMEOUT_SECONDS", "10"))
    # Per client address, for /login/oidc and its callback: higher than LOGIN_RATE_LIMIT, as a ministry's
    # staff often share one address (the provider limits its own password attempts).
    OIDC_RATE_LIMIT = os.environ.get("OIDC_RATE_LIMIT", "30 per minute;300 per hour")
    # Signing in with an e-mail address and password. False: staff sign in through the OpenID provider only
    # (speakers of the call for proposals, who have no account there, keep their password).
    LOCAL_LOGIN_ENABLED = _bool("LOCAL_LOGIN_ENABLED", True)

    # Sessions of signed-in staff and speakers (server-side, accounts/sessions.py): ended after this many
    # minutes without a request, and this many hours after the sign-in whatever happens.
    STAFF_IDLE_MINUTES = float(os.environ.get("STAFF_IDLE_MINUTES", "30"))
    STAFF_MAX_HOURS = float(os.environ.get("STAFF_MAX_HOURS", "12"))

    # Mailings (congress/communications): messages queued per transaction by the sending job, and how
    # long a mailing may show no progress before the periodic sweep runs its job again.
    MAILING_BATCH_SIZE = int(os.environ.get("MAILING_BATCH_SIZE", "200"))
    MAILING_STALL_SECONDS = float(os.environ.get("MAILING_STALL_SECONDS", "120"))

    # Tokens
    PASSWORD_RESET_HOURS = int(os.environ.get("PASSWORD_RESET_HOURS", "2"))
    INVITATION_DAYS = int(os.environ.get("INVITATION_DAYS", "7"))

    # The one source of external links (pages, feeds, API, mails), calendar UIDs and Message-IDs, e.g.
    # https://congres.example.nl or https://example.nl/congres; never taken from the request's Host header.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or DEFAULT_PUBLIC_BASE_URL
    # Host names the application answers besides the host of PUBLIC_BASE_URL (comma-separated); others get
    # 400. In production the host of PUBLIC_BASE_URL is always trusted; elsewhere only when this is set.
    TRUSTED_HOSTS_EXTRA = _list("TRUSTED_HOSTS")
    # Reverse proxies in front of the application whose X-Forwarded-For/-Proto are believed (0: none).
    TRUSTED_PROXIES = os.environ.get("TRUSTED_PROXIES", "0")
    # security.txt (RFC 9116): where to report a vulnerability; default security@ the public domain.
    SECURITY_CONTACT = os.environ.get("SECURITY_CONTACT")

    # Registration: how long an unconfirmed registration holds its seats; rate limits per IP.
    # Session evaluations: a session's (or the congress's) results are shown and exported only from this
    # many answers on, so that no answer can be traced to a person.
    EVALUATION_MIN_RESPONSES = int(os.environ.get("EVALUATION_MIN_RESPONSES", "5"))
    REGISTRATION_HOLD_HOURS = int(os.environ.get("REGISTRATION_HOLD_HOURS", "48"))
    # Certificates of attendance: their verification records (name, edition, hours, points) are kept this
    # many years after issue, apart from the edition's retention of other personal data.
    CERTIFICATE_RETENTION_YEARS = int(os.environ.get("CERTIFICATE_RETENTION_YEARS", "7"))
    CERTIFICATE_VERIFY_RATE_LIMIT = os.environ.get("CERTIFICATE_VERIFY_RATE_LIMIT", "30 per minute;300 per hour")
    REGISTRATION_RATE_LIMIT = os.environ.get("REGISTRATION_RATE_LIMIT", "20 per minute;200 per hour")
    REGISTRATION_API_RATE_LIMIT = os.environ.get("REGISTRATION_API_RATE_LIMIT", "120 per minute")

    # Uploads (kept outside the static folder, under content-hash names).
    ARCHIVE_MAX_FILE_BYTES = int(os.environ.get("ARCHIVE_MAX_FILE_BYTES", str(50 * 1024 * 1024)))
    ARCHIVE_UPLOAD_DIR = os.environ.get("ARCHIVE_UPLOAD_DIR")  # default: instance/uploads
    # Recordings on a session's item (docs/online-participation.md "Recordings"): an uploaded MP4/WebM
    # up to this size (keep it below MAX_CONTENT_LENGTH), WebVTT captions up to this size, and the
    # hosts (comma-separated; subdomains included) a link to the organisation's video platform may
    # name: empty accepts any https address.
    ARCHIVE_MAX_VIDEO_BYTES = int(os.environ.get("ARCHIVE_MAX_VIDEO_BYTES", str(50 * 1024 * 1024)))
    ARCHIVE_MAX_CAPTION_BYTES = int(os.environ.get("ARCHIVE_MAX_CAPTION_BYTES", str(1024 * 1024)))
    RECORDING_URL_HOSTS = os.environ.get("RECORDING_URL_HOSTS", "")
    CFP_UPLOAD_DIR = os.environ.get("CFP_UPLOAD_DIR")  # default: instance/cfp
    SITE_UPLOAD_DIR = os.environ.get("SITE_UPLOAD_DIR")  # default: instance/site (the editions' logos)
    # Object storage instead of those folders (congress/storage.py, docs/deploy.md "Object storage"):
    # STORAGE_URL=s3://bucket/prefix; endpoint and credentials of any S3-compatible service (empty
    # credentials: boto3's own chain, e.g. AWS_ACCESS_KEY_ID or an instance role).
    STORAGE_URL = os.environ.get("STORAGE_URL", "")
    STORAGE_S3_ENDPOINT_URL = os.environ.get("STORAGE_S3_ENDPOINT_URL", "")
    STORAGE_S3_REGION = os.environ.get("STORAGE_S3_REGION", "")
    STORAGE_S3_ACCESS_KEY_ID = os.environ.get("STORAGE_S3_ACCESS_KEY_ID", "")
    STORAGE_S3_SECRET_ACCESS_KEY = os.environ.get("STORAGE_S3_SECRET_ACCESS_KEY", "")
    STORAGE_S3_ADDRESSING_STYLE = os.environ.get("STORAGE_S3_ADDRESSING_STYLE", "path")  # or "virtual"
    STORAGE_S3_TIMEOUT_SECONDS = float(os.environ.get("STORAGE_S3_TIMEOUT_SECONDS", "10"))
    STORAGE_S3_MAX_ATTEMPTS = int(os.environ.get("STORAGE_S3_MAX_ATTEMPTS", "3"))
    # Downloads: 0 streams the object through the app; N > 0 redirects (after the same access checks)
    # to a presigned URL valid N seconds.
    STORAGE_PRESIGNED_SECONDS = int(os.environ.get("STORAGE_PRESIGNED_SECONDS", "0"))

    # Front-end packages installed by npm at set-up (never committed).
    NODE_MODULES_DIR = os.environ.get("NODE_MODULES_DIR", str(BASE_DIR / "node_modules"))

    PRODUCTION = False


class DevelopmentConfig(Config):
    DEBUG = True
    # A working day at a laptop without signing in again (production keeps 30 minutes and 12 hours).
    STAFF_IDLE_MINUTES = float(os.environ.get("STAFF_IDLE_MINUTES", "480"))
    STAFF_MAX_HOURS = float(os.environ.get("STAFF_MAX_HOURS", "24"))
    # The demo accounts of `make run` sign in with a password alone (set MFA_REQUIRED_ROLES to try the
    # enforced enrolment); production requires a second factor of admins and organisers.
    MFA_REQUIRED_ROLES = os.environ.get("MFA_REQUIRED_ROLES", "")


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("TEST_DATABASE_URL", "sqlite:///" + str(INSTANCE_DIR / "test.db"))
    )
    WTF_CSRF_ENABLED = False
    # Limits stay on (so that they are tested) but high; tests of a limit lower it.
    LOGIN_RATE_LIMIT = "1000 per minute"
    OIDC_RATE_LIMIT = "1000 per minute"
    # Off for the suite at large (its staff sign in with a password); tests/accounts/test_mfa.py turns it on.
    MFA_REQUIRED_ROLES = ""
    HUEY_IMMEDIATE = True
    MAIL_RETRY_BASE_SECONDS = 60.0
    SERVER_NAME = None
    PUBLIC_BASE_URL = DEFAULT_PUBLIC_BASE_URL  # fixed: the environment does not change what tests see
    TRUSTED_HOSTS_EXTRA: list[str] = []
    TRUSTED_PROXIES = 0
    SECURITY_CONTACT = None
    STAFF_IDLE_MINUTES = 30.0  # fixed: tests of the timeouts set their own
    STAFF_MAX_HOURS = 12.0


class ProductionConfig(Config):
    PRODUCTION = True
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    FORCE_HTTPS = _bool("FORCE_HTTPS", True)
    MAIL_OUTBOX_VISIBLE = _bool("MAIL_OUTBOX_VISIBLE", False)
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL")  # required: no default in production

    @staticmethod
    def validate(config: dict) -> None:
        """Refuse to start without a real secret key or without the public address."""
        key = config.get("SECRET_KEY")
        if not key or key == DEV_SECRET_KEY or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY is missing or is the development default: set SECRET_KEY to a random "
                "string of at least 32 characters (python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        problem = public_base_url_problem(config.get("PUBLIC_BASE_URL"))
        if problem:
            raise RuntimeError(problem)


def public_base_url_problem(value: str | None) -> str | None:
    """Why ``value`` cannot be PUBLIC_BASE_URL (one line), or None when it can."""
    example = "e.g. PUBLIC_BASE_URL=https://congres.example.nl (every link, feed and calendar UID is built on it)"
    if not value or not value.strip():
        return f"PUBLIC_BASE_URL is missing: set it to the address the public uses, {example}."
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        return f"PUBLIC_BASE_URL '{value}' is not an http(s) address without query or fragment, {example}."
    return None


def trusted_hosts(config: dict) -> list[str] | None:
    """Flask's TRUSTED_HOSTS: the host of PUBLIC_BASE_URL and TRUSTED_HOSTS_EXTRA; None (every host) outside
    production when no extra host is configured."""
    extra = list(config.get("TRUSTED_HOSTS_EXTRA") or [])
    if not config.get("PRODUCTION") and not extra:
        return None
    host = urlsplit(config.get("PUBLIC_BASE_URL") or DEFAULT_PUBLIC_BASE_URL).hostname
    return list(dict.fromkeys([*([host] if host else []), *extra]))


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "testing": TestConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    return CONFIGS.get(os.environ.get("CONGRESS_ENV", os.environ.get("FLASK_ENV", "development")), DevelopmentConfig)
