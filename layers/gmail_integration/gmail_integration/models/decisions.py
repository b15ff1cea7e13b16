"""What upstream's release or cancel of a parked email came to; the internal route maps it to 200, 404 or 409."""

from __future__ import annotations

from enum import StrEnum


class Decision(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"
    NOT_PARKED = "not_parked"
