"""The Gmail calls the service makes, each mapped onto the error taxonomy.

Use cases hand in a ``Connection``; this adapter turns it into credentials (``CredentialsCache``) so that no
Google type leaks out of the ``gmail`` package.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import google_auth_httplib2
import httplib2
from google.auth.exceptions import GoogleAuthError
from google.oauth2.credentials import Credentials
from googleapiclient.errors import HttpError
from pydantic import SecretStr

from gmail_integration.gmail.client import (
    HTTP_TIMEOUT_S,
    authorized_http,
    drop_pools,
    gmail_service,
    shared_http,
    user_credentials,
)
from gmail_integration.gmail.credentials import CredentialsCache
from gmail_integration.gmail.errors import classify_google_error
from gmail_integration.models.domain import Connection
from gmail_integration.models.gmail import (
    AddedMessage,
    GmailAccount,
    HistoryPage,
    MessageHeaders,
    SentMessage,
    payload_headers,
)
from gmail_integration.models.gmail_errors import AuthorizationLostError, DeliveryUnknownError, TransientError
from gmail_integration.models.scopes import missing_scopes
from gmail_integration.oauth.google import OAuthClient

GOOGLE_FAILURES = (HttpError, GoogleAuthError, httplib2.HttpLib2Error, OSError, TimeoutError)
"""What the Google libraries raise for a refused or failed call; anything else is a bug and propagates."""

HISTORY_PAGE_SIZE = 500


class GoogleGmailGateway:
    def __init__(
        self,
        api_url: str,
        oauth_client: Callable[[], OAuthClient],
        credentials: CredentialsCache,
        timeout_s: float = HTTP_TIMEOUT_S,
    ) -> None:
        self._api_url = api_url
        self._oauth_client = oauth_client
        self._credentials = credentials
        self._timeout_s = timeout_s

    @property
    def _users(self) -> Any:
        return gmail_service(self._api_url).users()

    def _execute(self, request: Any, credentials: Credentials) -> Any:
        try:
            return request.execute(http=authorized_http(credentials, self._timeout_s))
        except GOOGLE_FAILURES as exc:
            error = classify_google_error(exc)
            granted = credentials.granted_scopes
            if isinstance(exc, HttpError) and exc.resp.status == 403 and granted and missing_scopes(tuple(granted)):
                # Google's last token answer no longer lists a scope we need: the grant itself changed.
                error = AuthorizationLostError("scope_removed")
            raise error from exc

    def _call(self, connection: Connection, request: Any) -> Any:
        return self._execute(request, self._credentials.for_connection(connection))

    def forget(self, workspace_id: str) -> None:
        self._credentials.forget(workspace_id)

    def warm(self) -> None:
        """Parses Gmail's discovery document (the static copy) now, so that no first call pays for it."""
        gmail_service(self._api_url)

    def forget_all(self) -> None:
        """Drops every workspace's credentials (access tokens) and the connection pool."""
        self._credentials.forget_all()
        drop_pools()

    def get_profile(self, credentials: Credentials) -> GmailAccount:
        answer = self._execute(self._users.getProfile(userId="me"), credentials)
        return GmailAccount(email=str(answer["emailAddress"]), history_id=str(answer["historyId"]))

    def read_account(self, refresh_token: SecretStr, access_token: SecretStr) -> GmailAccount:
        """The address and history cursor of a freshly granted account, with the tokens of that grant."""
        credentials = user_credentials(
            self._oauth_client(), refresh_token.get_secret_value(), access_token.get_secret_value()
        )
        return self.get_profile(credentials)

    def current_history_id(self, connection: Connection) -> str:
        return self._call(connection, self._users.getProfile(userId="me"))["historyId"]  # type: ignore[no-any-return]

    def watch(self, connection: Connection, topic: str, label_ids: Sequence[str]) -> int:
        """Starts or renews Gmail push to ``topic``; returns the watch's expiration (epoch milliseconds)."""
        body = {"topicName": topic, "labelIds": list(label_ids), "labelFilterBehavior": "include"}
        return int(self._call(connection, self._users.watch(userId="me", body=body))["expiration"])

    def stop_watch(self, connection: Connection) -> None:
        self._call(connection, self._users.stop(userId="me"))

    def ready(self, connection: Connection) -> None:
        """Loads the API description and makes the access token valid (refreshing it if it must), so the send
        that follows is one HTTP request: the mailbox's slot is stamped just before it, and the time from the stamp
        to Google's receipt must not include a token refresh."""
        self._users  # noqa: B018 - builds (once) and caches the service
        credentials = self._credentials.for_connection(connection)
        if credentials.valid:
            return
        try:
            credentials.refresh(google_auth_httplib2.Request(shared_http(self._timeout_s)))  # type: ignore[no-untyped-call]
        except GOOGLE_FAILURES as exc:
            raise classify_google_error(exc) from exc

    def send(self, connection: Connection, raw: bytes, thread_id: str | None) -> SentMessage:
        body: dict[str, str] = {"raw": base64.urlsafe_b64encode(raw).decode()}
        if thread_id:
            body["threadId"] = thread_id
        try:
            answer = self._call(connection, self._users.messages().send(userId="me", body=body))
        except TransientError as exc:
            if not isinstance(exc.__cause__, HttpError | GoogleAuthError):
                raise DeliveryUnknownError(str(exc)) from exc.__cause__
            raise
        return SentMessage(gmail_message_id=str(answer["id"]), gmail_thread_id=str(answer["threadId"]))

    def message_metadata(self, connection: Connection, message_id: str, names: Sequence[str]) -> dict[str, Any]:
        """Gmail's ``format=metadata`` answer with only the named headers: the metadata scope allows nothing more."""
        request = self._users.messages().get(userId="me", id=message_id, format="metadata", metadataHeaders=list(names))
        return dict(self._call(connection, request))

    def thread_metadata(self, connection: Connection, thread_id: str, names: Sequence[str]) -> list[dict[str, Any]]:
        """The messages of one thread, ``format=metadata`` with only the named headers."""
        request = self._users.threads().get(userId="me", id=thread_id, format="metadata", metadataHeaders=list(names))
        return [dict(m) for m in self._call(connection, request).get("messages", []) or []]

    def message_headers(self, connection: Connection, message_id: str, names: Sequence[str]) -> MessageHeaders:
        answer = self.message_metadata(connection, message_id, names)
        return MessageHeaders(
            gmail_message_id=str(answer["id"]),
            gmail_thread_id=str(answer["threadId"]),
            label_ids=frozenset(answer.get("labelIds", []) or []),
            headers=payload_headers(answer.get("payload", {}) or {}),
        )

    def history_page(
        self, connection: Connection, start_history_id: str, page_token: str | None, label_id: str | None = None
    ) -> HistoryPage:
        """One page of ``messageAdded`` history; Google omits ``history`` when nothing changed."""
        params: dict[str, Any] = {
            "userId": "me",
            "startHistoryId": start_history_id,
            "historyTypes": ["messageAdded"],
            "maxResults": HISTORY_PAGE_SIZE,
        }
        if page_token:
            params["pageToken"] = page_token
        if label_id:
            params["labelId"] = label_id
        answer = self._call(connection, self._users.history().list(**params))
        added = [
            AddedMessage(
                gmail_message_id=str(entry["message"]["id"]),
                gmail_thread_id=str(entry["message"].get("threadId", "")),
                label_ids=frozenset(entry["message"].get("labelIds", []) or []),
            )
            for record in answer.get("history", []) or []
            for entry in record.get("messagesAdded", []) or []
        ]
        return HistoryPage(
            added=added, history_id=str(answer["historyId"]), next_page_token=answer.get("nextPageToken")
        )

    def added_since(
        self, connection: Connection, start_history_id: str, label_id: str | None = None
    ) -> Iterator[AddedMessage]:
        token: str | None = None
        while True:
            page = self.history_page(connection, start_history_id, token, label_id)
            yield from page.added
            token = page.next_page_token
            if not token:
                return
