"""The service's configuration, read once from the Lambda environment that template.yaml sets.

One validated model instead of ``os.environ`` lookups scattered through the code: a misconfigured
deployment fails at the first invocation with the name of the missing variable, not deep inside a use case.
"""

from __future__ import annotations

import os
from functools import lru_cache
from ipaddress import ip_address
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

_LOOPBACK_HOSTS = {"localhost"}


def is_loopback_url(url: str) -> bool:
    """True for http(s) URLs whose host is this machine: the only place plain http is acceptable."""
    host = urlsplit(url).hostname or ""
    if host in _LOOPBACK_HOSTS:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def is_plain_loopback(url: str) -> bool:
    """Plain http on this machine: where a browser would not keep a ``Secure`` cookie, so none is asked for."""
    return url.startswith("http://") and is_loopback_url(url)


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    table_name: str = Field(alias="TABLE_NAME", min_length=1)
    kms_key_id: str = Field(alias="KMS_KEY_ID", min_length=1)
    event_bus_name: str = Field(alias="EVENT_BUS_NAME", min_length=1)
    send_queue_url: str = Field(alias="SEND_QUEUE_URL", min_length=1)
    send_dlq_url: str = Field(default="", alias="SEND_DLQ_URL")
    poll_queue_url: str = Field(alias="POLL_QUEUE_URL", min_length=1)
    schedule_shard_queue_url: str = Field(default="", alias="SCHEDULE_SHARD_QUEUE_URL")
    workspace_claim: str = Field(default="workspace_id", alias="WORKSPACE_CLAIM", min_length=1)
    frontend_origin: str = Field(alias="FRONTEND_ORIGIN", pattern=r"^https?://[^/]+$")
    google_client_id: str = Field(alias="GOOGLE_CLIENT_ID", min_length=1)
    google_client_secret_arn: str = Field(alias="GOOGLE_CLIENT_SECRET_ARN", min_length=1)
    google_auth_uri: str = Field(default="https://accounts.google.com/o/oauth2/v2/auth", alias="GOOGLE_AUTH_URI")
    google_token_uri: str = Field(default="https://oauth2.googleapis.com/token", alias="GOOGLE_TOKEN_URI")
    google_revoke_uri: str = Field(default="https://oauth2.googleapis.com/revoke", alias="GOOGLE_REVOKE_URI")
    gmail_api_url: str = Field(default="https://gmail.googleapis.com/", alias="GMAIL_API_URL")
    oauth_redirect_uri: str = Field(default="", alias="OAUTH_REDIRECT_URI")
    message_id_domain: str = Field(default="mail.outsales.app", alias="MESSAGE_ID_DOMAIN", pattern=r"^[A-Za-z0-9.-]+$")
    send_lease_s: int = Field(default=120, alias="SEND_LEASE_S", ge=5, le=900)
    gmail_http_timeout_s: float = Field(default=20, alias="GMAIL_HTTP_TIMEOUT_S", gt=0, le=25)
    # Gmail push: an empty topic means no push, and the schedule polls every mailbox every minute.
    gmail_push_topic: str = Field(default="", alias="GMAIL_PUSH_TOPIC", pattern=r"^(projects/[^/]+/topics/[^/]+)?$")
    push_audience: str = Field(default="", alias="PUSH_AUDIENCE")
    push_service_account: str = Field(default="", alias="PUSH_SERVICE_ACCOUNT")
    google_certs_url: str = Field(default="https://www.googleapis.com/oauth2/v1/certs", alias="GOOGLE_CERTS_URL")
    safety_poll_minutes: int = Field(default=15, alias="SAFETY_POLL_MINUTES", ge=1, le=1440)
    email_retention_days: int = Field(default=365, alias="EMAIL_RETENTION_DAYS", ge=1, le=3650)
    recovery_window_days: int = Field(default=30, alias="RECOVERY_WINDOW_DAYS", ge=1, le=365)
    # Every mailbox's pace (docs/deploy.md says why these defaults); a workspace may set its own on the internal route.
    send_min_gap_s: float = Field(default=30, alias="SEND_MIN_GAP_S", ge=0, le=3600)
    send_max_per_hour: int = Field(default=100, alias="SEND_MAX_PER_HOUR", ge=0, le=10000)

    @field_validator("google_auth_uri", "google_token_uri", "google_revoke_uri", "gmail_api_url", "google_certs_url")
    @classmethod
    def _https_unless_loopback(cls, url: str) -> str:
        # Tokens travel over these URLs: plain http is only tolerated for the local emulator on this machine.
        if not url.startswith("https://") and not (url.startswith("http://") and is_loopback_url(url)):
            raise ValueError("must be an https URL (plain http only on loopback)")
        return url

    @property
    def push_enabled(self) -> bool:
        return bool(self.gmail_push_topic)

    @property
    def google_is_local(self) -> bool:
        return not all(
            u.startswith("https://")
            for u in (self.google_auth_uri, self.google_token_uri, self.google_revoke_uri, self.gmail_api_url)
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.model_validate(dict(os.environ))
