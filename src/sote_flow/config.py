"""Every setting in one place: read from the environment (SOTE_FLOW_*), validated at start."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

DEFAULT_INSTANCE_DIR = Path.cwd() / "instance"


@dataclass(frozen=True)
class Settings:
    """Application settings. Environment variable = SOTE_FLOW_ + field name in upper case."""

    # Database URL; SQLite in the instance folder by default, PostgreSQL for production.
    database_url: str = f"sqlite:///{DEFAULT_INSTANCE_DIR / 'sote-flow.db'}"
    # Signs session cookies and CSRF tokens; must be set (and kept secret) in production.
    secret_key: str = ""
    # Largest accepted diagram/form file in a deployment, in bytes.
    max_diagram_bytes: int = 2_000_000
    # Pattern a client number (asiakasnumero) must match.
    client_number_pattern: str = r"^[0-9]{6,10}$"
    # The pattern in words for error messages (e.g. "8 numeroa"); set it with the pattern.
    client_number_hint: str = ""
    # Lifetime of API bearer tokens, in hours.
    token_ttl_hours: int = 12
    # A signed-in session ends after this many minutes without a request.
    session_idle_minutes: int = 30
    # Rows per page in inboxes and queues.
    page_size: int = 25
    # Language when the user has not chosen one: fi, sv or en.
    default_locale: str = "fi"
    # Public base URL used in links sent by mail.
    base_url: str = "http://127.0.0.1:5000"
    # Mark session cookies Secure (needs HTTPS); off for the local demo.
    secure_cookies: bool = False
    # Outgoing mail (the outbox is delivered by the scheduler). With a mail directory set,
    # mails are written there as .eml files instead of sent (the demo does this).
    mail_directory: str = ""
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "sote-flow@localhost"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    # Delivery attempts before a mail is marked failed, and the first retry delay (doubles).
    mail_max_attempts: int = 5
    mail_retry_seconds: int = 30
    # Public contact form and chat: submissions accepted per address in 10 minutes.
    public_form_limit: int = 5
    # Days a secure download link to a document stays valid (1–90).
    download_link_days: int = 14
    # Text messages go through an HTTP SMS gateway (JSON POST, bearer token); empty URL = no SMS.
    sms_gateway_url: str = ""
    sms_gateway_token: str = ""
    sms_sender_name: str = "sote-flow"
    # Video meetings: with an API URL each meeting is created at the provider (JSON POST, bearer
    # token); without one a link is the base URL plus a random token.
    video_meeting_base_url: str = "https://etatapaaminen.example.fi/t"
    video_meeting_api_url: str = ""
    video_meeting_api_token: str = ""
    # How often the scheduler runs the processes' upkeep (e.g. erasing closed contacts' details).
    housekeeping_minutes: int = 15
    # Audit chain checkpoints are signed (HMAC-SHA256) with this key; keep it outside the
    # database (and its backups). The scheduler appends one daily to the file, when set.
    audit_checkpoint_key: str = ""
    audit_checkpoint_file: str = ""
    # Retention (`sote-flow retention archive`): days a closed case is kept after it closed.
    # 0 = not set: the county's archive rules decide, so nothing is ever purged by default.
    retention_case_days: int = 0
    # Days an access-log entry is kept. 4383 days ≈ 12 years is the remembered rule of the
    # earlier law (../shared/reference/legal_deadlines.csv line 25): UNCERTAIN, check Finlex.
    retention_access_log_days: int = 4383
    # Staff single sign-on over OpenID Connect (Entra ID, AD FS, Keycloak); empty issuer = off.
    # The claim map is a JSON file naming the claim whose values give roles and groups.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid profile email groups"
    oidc_claim_map: str = ""
    oidc_username_claim: str = "preferred_username"

    def validate(self, require_secret: bool = True) -> Settings:
        """Return self, or raise ValueError naming the first invalid setting."""
        if require_secret and (not self.secret_key or len(self.secret_key) < 16):
            raise ValueError("SOTE_FLOW_SECRET_KEY must be set (at least 16 characters)")
        if self.default_locale not in ("fi", "sv", "en"):
            raise ValueError("SOTE_FLOW_DEFAULT_LOCALE must be fi, sv or en")
        for name in (
            "max_diagram_bytes",
            "token_ttl_hours",
            "session_idle_minutes",
            "page_size",
            "smtp_port",
            "mail_max_attempts",
            "mail_retry_seconds",
            "housekeeping_minutes",
            "public_form_limit",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"SOTE_FLOW_{name.upper()} must be positive")
        if self.retention_case_days < 0:
            raise ValueError("SOTE_FLOW_RETENTION_CASE_DAYS must not be negative (0 = not set)")
        if self.retention_access_log_days <= 0:
            raise ValueError("SOTE_FLOW_RETENTION_ACCESS_LOG_DAYS must be positive")
        if not 1 <= self.download_link_days <= 90:
            raise ValueError("SOTE_FLOW_DOWNLOAD_LINK_DAYS must be between 1 and 90 (days)")
        try:
            re.compile(self.client_number_pattern)
        except re.error as exc:
            raise ValueError(
                f"SOTE_FLOW_CLIENT_NUMBER_PATTERN is not a valid pattern: {exc}"
            ) from None
        if self.sms_gateway_url and not self.sms_gateway_url.startswith(("http://", "https://")):
            raise ValueError("SOTE_FLOW_SMS_GATEWAY_URL must be an http:// or https:// URL")
        if not self.video_meeting_base_url.startswith(("http://", "https://")):
            raise ValueError("SOTE_FLOW_VIDEO_MEETING_BASE_URL must be an http:// or https:// URL")
        if self.video_meeting_api_url and not self.video_meeting_api_url.startswith(
            ("http://", "https://")
        ):
            raise ValueError("SOTE_FLOW_VIDEO_MEETING_API_URL must be an http:// or https:// URL")
        if self.audit_checkpoint_file and len(self.audit_checkpoint_key) < 16:
            raise ValueError(
                "SOTE_FLOW_AUDIT_CHECKPOINT_FILE vaatii SOTE_FLOW_AUDIT_CHECKPOINT_KEY:n "
                "(vähintään 16 merkkiä)"
            )
        if self.oidc_issuer:
            self._validate_oidc()
        if not self.database_url.startswith(("sqlite", "postgresql")):
            raise ValueError("SOTE_FLOW_DATABASE_URL must be a sqlite:// or postgresql:// URL")
        return self

    def _validate_oidc(self) -> None:
        # Plain http only on loopback (the test provider): elsewhere tokens would travel in clear.
        loopback = ("http://127.0.0.1:", "http://localhost:", "http://[::1]:")
        if not self.oidc_issuer.startswith(("https://", *loopback)):
            raise ValueError("SOTE_FLOW_OIDC_ISSUER must be an https:// URL")
        if not self.oidc_client_id or not self.oidc_client_secret:
            raise ValueError(
                "SOTE_FLOW_OIDC_ISSUER needs SOTE_FLOW_OIDC_CLIENT_ID and "
                "SOTE_FLOW_OIDC_CLIENT_SECRET"
            )
        if "openid" not in self.oidc_scopes.split():
            raise ValueError("SOTE_FLOW_OIDC_SCOPES must include openid")
        if not self.oidc_username_claim.strip():
            raise ValueError("SOTE_FLOW_OIDC_USERNAME_CLAIM must not be empty")
        if not self.oidc_claim_map or not Path(self.oidc_claim_map).is_file():
            raise ValueError("SOTE_FLOW_OIDC_CLAIM_MAP must name an existing JSON file")


def load_settings(
    environ: Mapping[str, str] | None = None,
    override: Mapping[str, Any] | None = None,
    require_secret: bool = True,
) -> Settings:
    """Build settings from the environment, then `override`; validate them."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for field in fields(Settings):
        raw = environ.get(f"SOTE_FLOW_{field.name.upper()}")
        if raw is not None:
            values[field.name] = _convert(field.name, raw, field.type)
    settings = replace(Settings(), **{**values, **dict(override or {})})
    if settings.database_url.startswith("postgres://"):
        settings = replace(
            settings, database_url="postgresql+psycopg://" + settings.database_url[11:]
        )
    elif settings.database_url.startswith("postgresql://"):
        settings = replace(
            settings, database_url="postgresql+psycopg://" + settings.database_url[13:]
        )
    return settings.validate(require_secret)


def demo_secret_key(instance_dir: Path) -> str:
    """Return the demo's secret key, created once and kept in the instance folder."""
    path = instance_dir / "secret_key"
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _convert(name: str, raw: str, kind: Any) -> Any:
    kind = str(kind)
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"SOTE_FLOW_{name.upper()} must be a whole number") from None
    if kind == "bool":
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return raw
