"""The sender profile: the display name in From and the OutSales signature appended to every email."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from gmail_integration.models.types import BodyText, DisplayName
from gmail_integration.sanitizer import sanitize_html

MAX_SIGNATURE_TEXT = 5_000
MAX_SIGNATURE_HTML = 20_000


SignatureHtml = Annotated[BodyText, Field(max_length=MAX_SIGNATURE_HTML), AfterValidator(sanitize_html)]
"""Stored as the sanitizer leaves it, so ``GET /profile`` shows exactly what recipients will get."""


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    display_name: DisplayName = ""
    signature_text: BodyText = Field(default="", max_length=MAX_SIGNATURE_TEXT)
    signature_html: SignatureHtml = ""
