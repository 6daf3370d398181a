"""Why the social features turn a request down."""

from __future__ import annotations

from typing import Any


class Refused(ValueError):
    """A request the group features turn down; ``reason_key`` names the locale text, ``args_`` fill it in."""

    def __init__(self, reason_key: str, **args: Any) -> None:
        super().__init__(reason_key)
        self.reason_key = reason_key
        self.args_ = args
