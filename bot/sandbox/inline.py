"""Inline mode: a user types ``@bot query``, the bot answers with results, the user posts one via the bot."""

from __future__ import annotations

import base64
import copy
from typing import Any

from . import limits
from .errors import QUERY_TOO_OLD, ClientError, bad_request
from .html import clean_input, utf16_len
from .messages import text_fields
from .params import Method, Params
from .state import JSON, Chat, InlineQuery, User
from .world import World

RESULT_TYPES = ("article", "photo")


class Inline:
    """answerInlineQuery, and the inline queries and chosen results of users."""

    def __init__(self, world: World) -> None:
        self._world = world

    def bot_methods(self) -> dict[str, Method]:
        """Return the Bot API methods this module implements."""
        return {"answerInlineQuery": self.answer}

    async def answer(self, params: Params) -> bool:
        """Answer an inline query with at most 50 results of type article or photo."""
        query = self._world.query(params.text("inline_query_id"), "inline_query")
        if not isinstance(query, InlineQuery):
            raise bad_request(QUERY_TOO_OLD)
        results = params.get("results")
        if not isinstance(results, list) or not all(isinstance(result, dict) for result in results):
            raise bad_request("can't parse results JSON object")
        if len(results) > limits.MAX_INLINE_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        contents: dict[str, tuple[JSON, JSON | None]] = {}
        for result in results:
            result_id = result.get("id")
            if (
                not isinstance(result_id, str)
                or not 1 <= len(result_id.encode()) <= limits.MAX_INLINE_RESULT_ID_BYTES
            ):
                raise bad_request("RESULT_ID_INVALID")
            if result_id in contents:
                raise bad_request("RESULT_ID_DUPLICATE")
            contents[result_id] = self._content(result)
        next_offset = params.text("next_offset") or ""
        if len(next_offset.encode()) > 64:
            raise bad_request("NEXT_OFFSET_INVALID")
        query.contents = contents
        query.answer = {
            "results": results,
            "next_offset": next_offset,
            "cache_time": params.integer("cache_time", 300),
            "is_personal": params.flag("is_personal"),
        }
        self._world.changes.notify()
        return True

    def _content(self, result: JSON) -> tuple[JSON, JSON | None]:
        """Return the message content and keyboard a result posts when chosen."""
        kind = result.get("type")
        if kind not in RESULT_TYPES:
            raise bad_request("RESULT_TYPE_INVALID")
        markup = result.get("reply_markup")
        keyboard = limits.inline_keyboard(markup) if markup is not None else None
        message_content = result.get("input_message_content")
        if message_content is not None:
            return self._text_content(message_content), keyboard
        if kind == "article":
            raise bad_request("MESSAGE_EMPTY")
        reference = result.get("photo_file_id") or result.get("photo_url")
        if not isinstance(reference, str) or not reference:
            raise bad_request("PHOTO_INVALID")
        photo = self._world.files.reference(reference, "photos")
        if photo.data is None:
            photo.width = _dimension(result.get("photo_width"), photo.width)
            photo.height = _dimension(result.get("photo_height"), photo.height)
        caption, entities = self._world.text(
            _string(result.get("caption")),
            result.get("parse_mode"),
            result.get("caption_entities"),
            caption=True,
        )
        return {"photo": [photo.photo_size()], **text_fields("caption", caption, entities)}, keyboard

    def _text_content(self, content: Any) -> JSON:
        if not isinstance(content, dict) or not isinstance(content.get("message_text"), str):
            raise bad_request("the sandbox implements only InputTextMessageContent in inline results")
        text, entities = self._world.text(
            content["message_text"], content.get("parse_mode"), content.get("entities"), caption=False
        )
        return text_fields("text", text, entities)

    async def ask(self, user: User, chat: Chat, query: str, offset: str, seconds: float) -> JSON:
        """Send the bot an inline query typed in the chat and wait for its results."""
        self._world.find_member(chat, user.id)
        query = clean_input(query)
        if utf16_len(query) > limits.MAX_INLINE_QUERY:
            raise ClientError(400, f"query must be at most {limits.MAX_INLINE_QUERY} characters long")
        inline = InlineQuery(self._world.new_id(), "inline_query", user.id, chat_id=chat.id, query=query)
        chat_type = "sender" if chat.type == "private" else chat.type
        answer = await self._world.ask(
            inline, {"query": query, "offset": offset, "chat_type": chat_type}, seconds
        )
        if answer is None:
            return {"inline_query_id": inline.id, "results": [], "next_offset": ""}
        return {
            "inline_query_id": inline.id,
            "results": answer["results"],
            "next_offset": answer["next_offset"],
        }

    def choose(self, query_id: str, result_id: str) -> JSON:
        """Post a result into the query's chat via the bot and report the chosen_inline_result."""
        world = self._world
        query = world.inline_query(query_id)
        if query.answer is None:
            raise ClientError(400, f"the bot did not answer inline query {query_id}")
        if result_id not in query.contents:
            raise ClientError(
                400, f"result {result_id!r} is not among the results of inline query {query_id}"
            )
        content, keyboard = query.contents[result_id]
        chat = world.chats[query.chat_id]
        inline_message_id = None
        if keyboard is not None:
            inline_message_id = _inline_message_id(chat.id, chat.next_message_id)
        message = world.post(
            chat,
            query.from_id,
            copy.deepcopy(content),
            reply_markup=copy.deepcopy(keyboard),
            via_bot=True,
            inline_message_id=inline_message_id,
        )
        chosen: JSON = {
            "result_id": result_id,
            "from": world.users[query.from_id].to_json(),
            "query": query.query,
        }
        if inline_message_id is not None:
            world.inline_messages[inline_message_id] = (chat.id, message.message_id)
            chosen["inline_message_id"] = inline_message_id
        world.deliver(message)
        world.updates.push("chosen_inline_result", chosen)
        return {"message_id": message.message_id, "inline_message_id": inline_message_id}


def _inline_message_id(chat_id: int, message_id: int) -> str:
    return base64.urlsafe_b64encode(f"inline:{chat_id}:{message_id}".encode()).decode().rstrip("=")


def _dimension(value: Any, default: int) -> int:
    return value if isinstance(value, int) and value > 0 else default


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""
