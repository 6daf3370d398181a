"""The errors the sandbox answers: Telegram-shaped on the Bot API side, ``{"error"}`` on the client side."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API error, answered as ``{"ok": false, "error_code", "description", "parameters"?}``."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def to_json(self) -> dict[str, Any]:
        """Return the body Telegram answers for this error."""
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    """Return a 400 error with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """Return a 403 error with Telegram's "Forbidden: " prefix."""
    return ApiError(403, f"Forbidden: {detail}")


QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


class ClientError(Exception):
    """A client API error, answered as ``{"error": message}`` with a 4xx status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
