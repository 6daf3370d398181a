"""Button presses: a user presses an inline keyboard button, the bot answers the callback query."""

from __future__ import annotations

import hashlib

from . import limits
from .errors import ClientError, bad_request
from .html import utf16_len
from .params import Method, Params
from .state import JSON, Chat, Message, Query, User
from .world import World


def chat_instance(chat_id: int) -> str:
    """Return the stable chat_instance Telegram gives callback queries from a chat."""
    return str(int.from_bytes(hashlib.sha256(str(chat_id).encode()).digest()[:7], "big"))


class Callbacks:
    """answerCallbackQuery, and the presses that cause callback queries."""

    def __init__(self, world: World) -> None:
        self._world = world

    def bot_methods(self) -> dict[str, Method]:
        """Return the Bot API methods this module implements."""
        return {"answerCallbackQuery": self.answer}

    async def answer(self, params: Params) -> bool:
        """Answer a callback query with an optional notification or alert."""
        query = self._world.query(params.text("callback_query_id"), "callback_query")
        text = params.text("text")
        if text is not None and utf16_len(text) > limits.MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        answer: JSON = {"text": text, "show_alert": params.flag("show_alert")}
        url = params.text("url")
        if url:
            answer["url"] = url
        query.answer = answer
        self._world.changes.notify()
        return True

    async def press(self, chat: Chat, message: Message, user: User, data: str, seconds: float) -> JSON:
        """Press the button with that callback_data and wait for the bot's answerCallbackQuery."""
        if message.deleted:
            raise ClientError(400, f"message {message.message_id} was deleted")
        if data not in limits.callback_data_of(message.reply_markup):
            raise ClientError(400, f"callback_data {data!r} is not a button of message {message.message_id}")
        query = Query(self._world.new_id(), "callback_query", user.id)
        payload: JSON = {"chat_instance": chat_instance(chat.id), "data": data}
        if message.inline_message_id is not None:
            payload["inline_message_id"] = message.inline_message_id
        else:
            payload["message"] = self._world.message_json(message)
        answer = await self._world.ask(query, payload, seconds)
        return {"callback_query_id": query.id, "answer": answer}
