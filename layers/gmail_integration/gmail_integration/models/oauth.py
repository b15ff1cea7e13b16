"""What the OAuth port hands back and raises, free of the Google libraries that produce it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import SecretStr


@dataclass(frozen=True)
class TokenGrant:
    access_token: SecretStr
    refresh_token: SecretStr | None
    granted_scopes: frozenset[str]


class ExchangeFailedError(Exception):
    """Google refused the code (expired, reused, wrong verifier) or could not be reached."""


class RevokeOutcome(StrEnum):
    REVOKED = "revoked"
    ALREADY_REVOKED = "already_revoked"
    FAILED = "failed"
