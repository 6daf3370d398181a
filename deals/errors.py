"""Why the deal features turn a request down."""

from __future__ import annotations

from typing import Any


class Refused(ValueError):
    """A deal or subscription request turned down; ``reason_key`` names the locale text, ``args_`` fill it in.

    ``field`` names the input at fault, so the HTTP API can say which field to correct.
    """

    def __init__(self, reason_key: str, *, field: str | None = None, **args: Any) -> None:
        super().__init__(reason_key)
        self.reason_key = reason_key
        self.field = field
        self.args_ = args
