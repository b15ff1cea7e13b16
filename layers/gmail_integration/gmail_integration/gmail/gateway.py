"""The Gmail calls the service makes, each mapped onto the error taxonomy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httplib2
from google.auth.exceptions import GoogleAuthError
from google.oauth2.credentials import Credentials
from googleapiclient.errors import HttpError
from pydantic import SecretStr

from gmail_integration.gmail.client import authorized_http, gmail_service, user_credentials
from gmail_integration.gmail.errors import classify
from gmail_integration.oauth.google import OAuthClient

GOOGLE_FAILURES = (HttpError, GoogleAuthError, httplib2.HttpLib2Error, OSError, TimeoutError)
"""What the Google libraries raise for a refused or failed call; anything else is a bug and propagates."""


@dataclass(frozen=True)
class Profile:
    email: str
    history_id: str


class GoogleGmailGateway:
    def __init__(self, api_url: str, oauth_client: Callable[[], OAuthClient]) -> None:
        self._api_url = api_url
        self._oauth_client = oauth_client

    @property
    def _users(self) -> Any:
        return gmail_service(self._api_url).users()

    def _execute(self, request: Any, credentials: Credentials) -> Any:
        try:
            return request.execute(http=authorized_http(credentials))
        except GOOGLE_FAILURES as exc:
            raise classify(exc) from exc

    def get_profile(self, credentials: Credentials) -> Profile:
        answer = self._execute(self._users.getProfile(userId="me"), credentials)
        return Profile(email=str(answer["emailAddress"]), history_id=str(answer["historyId"]))

    def read_profile(self, refresh_token: SecretStr, access_token: SecretStr) -> Profile:
        """The address and history cursor of a freshly granted account, with the tokens of that grant."""
        credentials = user_credentials(
            self._oauth_client(), refresh_token.get_secret_value(), access_token.get_secret_value()
        )
        return self.get_profile(credentials)
