"""Telegram's limits on what a bot may send, checked with Telegram's own error texts."""

from __future__ import annotations

import re
from typing import Any

from .errors import bad_request
from .html import JSON, EntityParseError, UserLookup, parse_html, trim, utf16_len

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER = 200
MAX_INLINE_QUERY = 256
MAX_INLINE_RESULTS = 50
MAX_INLINE_RESULT_ID_BYTES = 64
MAX_POLL_QUESTION = 300
MAX_POLL_OPTION = 100
MIN_POLL_OPTIONS = 1
MAX_POLL_OPTIONS = 12
MAX_INVOICE_TITLE = 32
MAX_INVOICE_DESCRIPTION = 255
MAX_INVOICE_PAYLOAD_BYTES = 128
MAX_COMMANDS = 100
MAX_COMMAND_DESCRIPTION = 256
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_FILE_BYTES = 50 * 1024 * 1024
PRE_CHECKOUT_SECONDS = 10.0
STARS = "XTR"

INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_BUTTON_URL = re.compile(r"^(https?|tg)://\S+$", re.IGNORECASE)


def parse(text: str, parse_mode: str | None, entities: Any, users: UserLookup) -> tuple[str, list[JSON]]:
    """Return text and entities after parsing (explicit entities win over parse_mode) and trimming."""
    if entities is not None:
        found = _entities(entities)
    elif parse_mode:
        if parse_mode.lower() != "html":
            raise bad_request(f"unsupported parse_mode {parse_mode!r}: the sandbox implements HTML only")
        try:
            text, found = parse_html(text, users)
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    else:
        found = []
    return trim(text, found)


def formatted(
    text: str, parse_mode: str | None, entities: Any, users: UserLookup, *, caption: bool
) -> tuple[str, list[JSON]]:
    """Return a message text or caption with its entities, or raise Telegram's error for it."""
    text, found = parse(text, parse_mode, entities, users)
    length = utf16_len(text)
    if caption:
        if length > MAX_CAPTION:
            raise bad_request("message caption is too long")
    elif not text:
        raise bad_request("message text is empty")
    elif length > MAX_TEXT:
        raise bad_request("message is too long")
    return text, found


def _entities(entities: Any) -> list[JSON]:
    if not isinstance(entities, list) or not all(
        isinstance(entity, dict)
        and isinstance(entity.get("type"), str)
        and isinstance(entity.get("offset"), int)
        and isinstance(entity.get("length"), int)
        for entity in entities
    ):
        raise bad_request("can't parse entities: entities must be an array of MessageEntity objects")
    return [dict(entity) for entity in entities]


def reply_markup(markup: Any) -> JSON:
    """Check any reply markup the send methods accept: an inline keyboard or a reply keyboard."""
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return inline_keyboard(markup)
    if isinstance(markup, dict) and (
        isinstance(markup.get("keyboard"), list)
        or markup.get("remove_keyboard") is True
        or markup.get("force_reply") is True
    ):
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def inline_keyboard(markup: Any) -> JSON:
    """Check an inline keyboard: rows of buttons, each with a text and exactly one action."""
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard markup JSON object")
    for row in rows:
        for button in row:
            _button(button)
    return {"inline_keyboard": rows}


def _button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [name for name in INLINE_ACTIONS if button.get(name) is not None]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    data = button.get("callback_data")
    if data is not None and (
        not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and (not isinstance(url, str) or not _BUTTON_URL.match(url)):
        raise bad_request("BUTTON_URL_INVALID")


def callback_data_of(markup: JSON | None) -> set[str]:
    """Return the callback_data of every button of an inline keyboard."""
    if markup is None:
        return set()
    return {
        button["callback_data"]
        for row in markup.get("inline_keyboard", [])
        for button in row
        if "callback_data" in button
    }


def invoice(
    *, title: str, description: str, payload: str, currency: str, prices: Any, provider_token: str
) -> list[JSON]:
    """Check an invoice's fields and return its prices."""
    if not 1 <= len(title) <= MAX_INVOICE_TITLE:
        raise bad_request(f"invoice title must be 1-{MAX_INVOICE_TITLE} characters long")
    if not 1 <= len(description) <= MAX_INVOICE_DESCRIPTION:
        raise bad_request(f"invoice description must be 1-{MAX_INVOICE_DESCRIPTION} characters long")
    if not 1 <= len(payload.encode()) <= MAX_INVOICE_PAYLOAD_BYTES:
        raise bad_request("INVOICE_PAYLOAD_INVALID")
    if not _CURRENCY.match(currency):
        raise bad_request("CURRENCY_INVALID")
    checked = labeled_prices(prices)
    if currency == STARS and (len(checked) != 1 or provider_token):
        raise bad_request("STARS_INVOICE_INVALID")
    if currency != STARS and not provider_token:
        raise bad_request("PAYMENT_PROVIDER_INVALID")
    if sum(price["amount"] for price in checked) <= 0:
        raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID")
    return checked


def labeled_prices(prices: Any) -> list[JSON]:
    """Check a non-empty list of ``{"label", "amount"}`` with integer amounts."""
    if (
        not isinstance(prices, list)
        or not prices
        or not all(
            isinstance(price, dict)
            and isinstance(price.get("label"), str)
            and price["label"]
            and isinstance(price.get("amount"), int)
            and not isinstance(price["amount"], bool)
            for price in prices
        )
    ):
        raise bad_request("prices must be a non-empty array of LabeledPrice with integer amounts")
    return [{"label": price["label"], "amount": price["amount"]} for price in prices]


def poll(*, question: str, options: list[str], quiz: bool, multiple: bool, correct: list[int]) -> None:
    """Check a poll's question, options and quiz answer."""
    if not question:
        raise bad_request("poll question must be non-empty")
    if utf16_len(question) > MAX_POLL_QUESTION:
        raise bad_request(f"poll question length must not exceed {MAX_POLL_QUESTION}")
    if len(options) < MIN_POLL_OPTIONS:
        raise bad_request(f"poll must have at least {MIN_POLL_OPTIONS} option")
    if len(options) > MAX_POLL_OPTIONS:
        raise bad_request(f"poll can't have more than {MAX_POLL_OPTIONS} options")
    for option in options:
        if not option:
            raise bad_request("poll options must be non-empty")
        if utf16_len(option) > MAX_POLL_OPTION:
            raise bad_request(f"poll options length must not exceed {MAX_POLL_OPTION}")
    if quiz and (not correct or any(not 0 <= index < len(options) for index in correct)):
        raise bad_request("wrong correct option ID specified")
    if quiz and len(correct) > 1 and not multiple:
        raise bad_request("quiz with one answer must have exactly one correct option")


def commands(value: Any) -> list[JSON]:
    """Check a setMyCommands list."""
    if not isinstance(value, list) or len(value) > MAX_COMMANDS:
        raise bad_request(f"commands must be an array of at most {MAX_COMMANDS} BotCommand")
    checked: list[JSON] = []
    for command in value:
        name = command.get("command") if isinstance(command, dict) else None
        description = command.get("description") if isinstance(command, dict) else None
        if not isinstance(name, str) or not _COMMAND.match(name.removeprefix("/").lower()):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description) <= MAX_COMMAND_DESCRIPTION:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        checked.append({"command": name.removeprefix("/").lower(), "description": description})
    return checked
