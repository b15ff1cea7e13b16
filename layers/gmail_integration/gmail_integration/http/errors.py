"""Errors a route raises to answer a 4xx in the contract's shape ``{"error": code, "message": words}``."""

from __future__ import annotations

from http import HTTPStatus


class ApiError(Exception):
    def __init__(self, status: HTTPStatus, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class NotFoundError(ApiError):
    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(HTTPStatus.NOT_FOUND, "not_found", message)


class UnauthorizedError(ApiError):
    def __init__(self, message: str = "Sign in again.") -> None:
        super().__init__(HTTPStatus.UNAUTHORIZED, "unauthorized", message)
