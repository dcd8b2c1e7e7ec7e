"""Settings from the environment, with defaults that let Hearth run embedded on SQLite."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _secret_key(instance_path: Path) -> str:
    """Read SECRET_KEY from the environment, else from the instance folder (made once, never committed)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def load(instance_path: Path) -> dict:
    """The configuration mapping for create_app; every key can be overridden by the caller."""
    default_db = f"sqlite:///{instance_path / 'hearth.db'}"
    return {
        "SECRET_KEY": _secret_key(instance_path),
        # "environment" or "instance": a per-machine key breaks sessions and links across servers
        "SECRET_KEY_SOURCE": "environment" if os.environ.get("SECRET_KEY") else "instance",
        "DATABASE_URL": os.environ.get("DATABASE_URL", default_db),
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "PRACTICE_TIMEZONE": os.environ.get("PRACTICE_TIMEZONE", "America/New_York"),
        # Sessions
        "IDLE_TIMEOUT_MINUTES": _int("IDLE_TIMEOUT_MINUTES", 15),
        "ABSOLUTE_SESSION_HOURS": _int("ABSOLUTE_SESSION_HOURS", 12),
        "REAUTH_MINUTES": _int("REAUTH_MINUTES", 5),
        "STAFF_TWO_FACTOR_REQUIRED": os.environ.get("STAFF_TWO_FACTOR_REQUIRED", "1") == "1",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        # Login throttling
        "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCKOUT_MINUTES": _int("LOGIN_LOCKOUT_MINUTES", 15),
        # Empty: Redis at REDIS_URL when set (limits shared by every worker process), else this process's memory
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", ""),
        "RATELIMIT_KEY_PREFIX": "hearth",
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,  # Redis down: limit per process rather than fail requests
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "1") == "1",
        # How many proxies in front of Hearth set X-Forwarded-For/-Proto/-Host (0: use the socket's address)
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        # API tokens
        "ACCESS_TOKEN_MINUTES": _int("ACCESS_TOKEN_MINUTES", 15),
        "REFRESH_TOKEN_DAYS": _int("REFRESH_TOKEN_DAYS", 30),
        # Mail (SMTP); empty host means the email channel is off
        "MAIL_HOST": os.environ.get("MAIL_HOST", ""),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "0") == "1",
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Hearth <no-reply@hearth.localhost>"),
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 30),
        # Push (FCM HTTP v1): off unless both are set
        "FCM_PROJECT_ID": os.environ.get("FCM_PROJECT_ID", ""),
        "GOOGLE_APPLICATION_CREDENTIALS": os.environ.get("GOOGLE_APPLICATION_CREDENTIALS", ""),
        "FCM_TIMEOUT": _int("FCM_TIMEOUT", 30),
        # Uploaded files (hearth.files): a folder outside the web root; empty = instance/uploads
        "FILE_STORAGE_DIR": os.environ.get("FILE_STORAGE_DIR", ""),
        # SMS (a Twilio-compatible API): off unless all four are set
        "SMS_API_BASE": os.environ.get("SMS_API_BASE", ""),
        "SMS_ACCOUNT_SID": os.environ.get("SMS_ACCOUNT_SID", ""),
        "SMS_AUTH_TOKEN": os.environ.get("SMS_AUTH_TOKEN", ""),
        "SMS_FROM": os.environ.get("SMS_FROM", ""),
        "SMS_TIMEOUT": _int("SMS_TIMEOUT", 10),
        # Notification worker: rows per claim, claims per run, seconds before a stuck "sending" row returns
        "NOTIFY_BATCH_SIZE": _int("NOTIFY_BATCH_SIZE", 100),
        "NOTIFY_MAX_BATCHES": _int("NOTIFY_MAX_BATCHES", 50),
        "NOTIFY_SENDING_TIMEOUT": _int("NOTIFY_SENDING_TIMEOUT", 300),
        # Public base URL used in emailed links
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        "INVITATION_DAYS": _int("INVITATION_DAYS", 7),
        "PASSWORD_RESET_MINUTES": _int("PASSWORD_RESET_MINUTES", 60),
        "EMAIL_CHANGE_HOURS": _int("EMAIL_CHANGE_HOURS", 24),
        "WTF_CSRF_TIME_LIMIT": None,
        # Operations: logs, health
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        "READY_MAX_BACKLOG_SECONDS": _int("READY_MAX_BACKLOG_SECONDS", 600),
        "BACKLOG_WARN_EVERY": _int("BACKLOG_WARN_EVERY", 60),
        # Largest request body accepted (bytes); a bigger one is answered 413
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 1024 * 1024),
        "LANGUAGES": ["en", "es"],
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
    }
