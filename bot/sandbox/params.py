"""A Bot API call's parameters, decoded and typed the way Telegram types them.

Telegram's parameters are typed by name across all methods: the names in ``JSON_PARAMS`` carry JSON
(objects, arrays), those in ``INT_PARAMS`` and ``BOOL_PARAMS`` numbers and booleans, and every other
parameter (``text``, ``caption``, ``title``, ``payload``…) is a plain string that is never JSON-decoded.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import bad_request

_T = TypeVar("_T")
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "options",
        "prices",
        "results",
        "commands",
        "scope",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "menu_button",
        "shipping_options",
        "suggested_tip_amounts",
        "question_entities",
        "explanation_entities",
        "correct_option_ids",
        "button",
        "media",
    }
)
INT_PARAMS = frozenset(
    {
        "chat_id",
        "message_id",
        "user_id",
        "offset",
        "limit",
        "timeout",
        "reply_to_message_id",
        "message_thread_id",
        "max_tip_amount",
        "photo_size",
        "photo_width",
        "photo_height",
        "cache_time",
        "correct_option_id",
        "open_period",
        "close_date",
        "max_connections",
    }
)
BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "is_anonymous",
        "allows_multiple_answers",
        "allows_revoting",
        "members_only",
        "is_closed",
        "is_personal",
        "ok",
        "need_name",
        "need_phone_number",
        "need_email",
        "need_shipping_address",
        "send_phone_number_to_provider",
        "send_email_to_provider",
        "is_flexible",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "has_spoiler",
        "show_caption_above_media",
        "disable_content_type_detection",
        "allow_paid_broadcast",
    }
)


@dataclass
class Upload:
    """A file sent in a multipart/form-data part."""

    file_name: str | None
    content_type: str | None
    data: bytes


def coerce(name: str, value: Any) -> Any:
    """Return a raw parameter value converted to the type Telegram gives that parameter name."""
    if name in JSON_PARAMS:
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name.replace('_', ' ')} JSON object") from None
    if name in INT_PARAMS:
        return _integer(name, value)
    if name in BOOL_PARAMS:
        return value if isinstance(value, bool) else str(value).lower() in ("true", "1")
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    return value


def _integer(name: str, value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        if name == "chat_id" and text:
            return text
        raise bad_request(f"invalid {name} specified") from None


class Params:
    """Typed access to a call's parameters; a missing required one raises Telegram's "... is empty"."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload]) -> None:
        self.values = values
        self.uploads = uploads

    def get(self, name: str) -> Any:
        """Return a parameter's value, None when absent."""
        return self.values.get(name)

    def text(self, name: str, default: str | None = None) -> str | None:
        """Return a string parameter."""
        value = self.values.get(name, default)
        if value is not None and not isinstance(value, str):
            raise bad_request(f"{name} must be a String")
        return value

    def required_text(self, name: str) -> str:
        """Return a string parameter that must be present."""
        return _present(name, self.text(name))

    def integer(self, name: str, default: int | None = None) -> int | None:
        """Return an integer parameter."""
        value = self.values.get(name, default)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise bad_request(f"invalid {name} specified")
        return value

    def required_integer(self, name: str) -> int:
        """Return an integer parameter that must be present."""
        return _present(name, self.integer(name))

    def flag(self, name: str, default: bool = False) -> bool:
        """Return a boolean parameter."""
        return bool(self.values.get(name, default))

    def upload(self, name: str) -> Upload | None:
        """Return the file uploaded under that parameter name, if any."""
        return self.uploads.get(name)

    def for_log(self) -> dict[str, Any]:
        """Return the parameters as the calls log records them, files as their name and size."""
        logged = dict(self.values)
        for name, upload in self.uploads.items():
            logged[name] = {"file_name": upload.file_name, "size": len(upload.data)}
        return logged


def _present(name: str, value: _T | None) -> _T:
    if value is None:
        raise bad_request(f"{name} is empty")
    return value


Method = Callable[[Params], Awaitable[Any]]
