"""Gmail push notifications as Pub/Sub delivers them, and the refusal of a push that is not one.

Pub/Sub's push envelope is ``{"message": {"data": <base64 JSON>, "messageId", "publishTime"}, "subscription"}``;
Gmail's data is ``{"emailAddress", "historyId"}``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class PushRejectedError(Exception):
    """The request is not a valid push for this service; nothing was changed."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Notification(BaseModel):
    model_config = ConfigDict(frozen=True)

    email_address: Annotated[
        str, Field(alias="emailAddress", min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    ]
    history_id: Annotated[int, Field(alias="historyId", gt=0, lt=2**64)]


class PushMessage(BaseModel):
    model_config = ConfigDict(frozen=True)

    data: Annotated[str, Field(min_length=1, max_length=10_000)]
    message_id: Annotated[str, Field(alias="messageId", min_length=1, max_length=200)]


class PushEnvelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    message: PushMessage
    subscription: Annotated[str, Field(min_length=1, max_length=500)]
