"""The simulated Telegram: who is where, what was said, and which updates the bot gets about it."""

from __future__ import annotations

import copy
from itertools import count
from typing import Any

from core.clock import Clock

from . import limits
from .errors import QUERY_TOO_OLD, ClientError, bad_request, forbidden
from .faults import Faults
from .files import FileStore
from .html import entity_text
from .state import (
    ACTIVE,
    JSON,
    Call,
    Changes,
    Chat,
    InlineQuery,
    Message,
    Payment,
    Poll,
    Query,
    User,
)
from .updates import UpdateQueue

SERVICE_FIELDS = frozenset({"new_chat_members", "left_chat_member", "successful_payment"})
ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
)


class World:
    """All sandbox state, and the rules that turn users' actions into updates for the bot."""

    def __init__(self, *, clock: Clock, bot: User, privacy_mode: bool) -> None:
        self.clock = clock
        self.bot = bot
        self.privacy_mode = privacy_mode
        self.changes = Changes()
        self.updates = UpdateQueue(self.changes, self.timestamp)
        self.faults = Faults()
        self.files = FileStore()
        self.users: dict[int, User] = {bot.id: bot}
        self.chats: dict[int, Chat] = {}
        self.polls: dict[str, Poll] = {}
        self.payments: dict[str, Payment] = {}
        self.queries: dict[str, Query] = {}
        self.inline_messages: dict[str, tuple[int, int]] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.calls: list[Call] = []
        self._ids = count(1_000_001)

    def new_id(self) -> str:
        """Return a fresh numeric string id for queries, polls and charges."""
        return str(next(self._ids))

    def timestamp(self) -> int:
        """Return the sandbox clock as a unix timestamp, Telegram's ``date``."""
        return int(self.clock.now().timestamp())

    def user_json(self, user_id: int) -> JSON | None:
        """Return the User object of a known user, else None."""
        user = self.users.get(user_id)
        return None if user is None else user.to_json()

    def text(
        self, text: str, parse_mode: str | None, entities: Any, *, caption: bool
    ) -> tuple[str, list[JSON]]:
        """Parse and check a message text or caption the way Telegram does."""
        return limits.formatted(text, parse_mode, entities, self.user_json, caption=caption)

    def parse(self, text: str, parse_mode: str | None, entities: Any) -> tuple[str, list[JSON]]:
        """Parse a text with entities (poll questions and options) without a message's length checks."""
        return limits.parse(text, parse_mode, entities, self.user_json)

    # Lookups for the client API: unknown ids are 404s.

    def find_user(self, user_id: int) -> User:
        """Return a user played through the client API, or raise 404."""
        user = self.users.get(user_id)
        if user is None or user.id == self.bot.id:
            raise ClientError(404, f"user {user_id} not found")
        return user

    def find_chat(self, chat_id: int) -> Chat:
        """Return a chat, or raise 404."""
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ClientError(404, f"chat {chat_id} not found")
        return chat

    def find_message(self, chat: Chat, message_id: int) -> Message:
        """Return a message of the chat, or raise 404."""
        message = chat.messages.get(message_id)
        if message is None:
            raise ClientError(404, f"message {message_id} not found in chat {chat.id}")
        return message

    def find_member(self, chat: Chat, user_id: int) -> User:
        """Return a user who is a member of the chat, or raise 4xx."""
        user = self.find_user(user_id)
        if chat.statuses.get(user_id) not in ACTIVE:
            raise ClientError(403, f"user {user_id} is not a member of chat {chat.id}")
        return user

    # Lookups for the Bot API: Telegram's errors.

    def chat_for(self, chat_id: Any) -> Chat:
        """Return the chat a Bot API call names, or raise "chat not found"."""
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def writable_chat(self, chat_id: Any) -> Chat:
        """Return a chat the bot may send to, or raise Telegram's error why it may not."""
        if isinstance(chat_id, int) and chat_id not in self.chats and chat_id in self.users:
            raise forbidden("bot can't initiate conversation with a user")
        chat = self.chat_for(chat_id)
        if chat.type == "private" and self.faults.is_blocked(chat.id):
            raise forbidden("bot was blocked by the user")
        if chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        if chat.bot_status not in ACTIVE:
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        return chat

    def take_rate(self, chat: Chat) -> None:
        """Count a message to the chat against the rate limits, or raise 429."""
        self.faults.take(chat.id, private=chat.type == "private")

    def bot_message(self, chat: Chat, message_id: Any, missing: str) -> Message:
        """Return a live message the bot addresses by id, or raise 400 with Telegram's ``missing`` text."""
        message = chat.messages.get(message_id) if isinstance(message_id, int) else None
        if message is None or message.deleted:
            raise bad_request(missing)
        return message

    def query(self, query_id: Any, kind: str) -> Query:
        """Return an open query of that kind the bot may still answer, or raise "query is too old"."""
        query = self.queries.get(query_id) if isinstance(query_id, str) else None
        if query is None or query.kind != kind or not query.open or query.answer is not None:
            raise bad_request(QUERY_TOO_OLD)
        return query

    # Telegram objects.

    def chat_json(self, chat: Chat) -> JSON:
        """Return the Telegram Chat object."""
        if chat.type == "private":
            user = self.users[chat.id]
            data: JSON = {"id": chat.id, "type": "private", "first_name": user.first_name}
            if user.username:
                data["username"] = user.username
            return data
        return {"id": chat.id, "type": chat.type, "title": chat.title}

    def message_json(self, message: Message, *, client: bool = False, nested: bool = True) -> JSON:
        """Return the Telegram Message object; ``client`` adds the sandbox's own fields for the client API."""
        chat = self.chats[message.chat_id]
        data: JSON = {
            "message_id": message.message_id,
            "from": self.users[message.from_id].to_json(),
            "chat": self.chat_json(chat),
            "date": message.date,
        }
        if message.via_bot:
            data["via_bot"] = self.bot.to_json()
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        replied = chat.messages.get(message.reply_to) if nested and message.reply_to is not None else None
        if replied is not None and not replied.deleted:
            data["reply_to_message"] = self.message_json(replied, client=client, nested=False)
        data.update(copy.deepcopy(message.content))
        if message.poll_id is not None:
            data["poll"] = self.polls[message.poll_id].to_json()
        if message.invoice is not None:
            data["invoice"] = message.invoice.to_json()
        if message.reply_markup is not None:
            data["reply_markup"] = copy.deepcopy(message.reply_markup)
        if client:
            data["version"] = message.version
            if message.deleted:
                data["deleted"] = True
            if message.pinned:
                data["pinned"] = True
            if message.inline_message_id is not None:
                data["inline_message_id"] = message.inline_message_id
            if message.reply_keyboard is not None:
                data["reply_keyboard"] = copy.deepcopy(message.reply_keyboard)
            if message.invoice is not None:
                data["invoice_details"] = message.invoice.details()
        return data

    def member_json(self, chat: Chat, user_id: int) -> JSON:
        """Return the Telegram ChatMember object of a user (or the bot) in the chat."""
        status = chat.bot_status if user_id == self.bot.id else chat.statuses.get(user_id, "left")
        data: JSON = {"status": status, "user": self.users[user_id].to_json()}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "administrator":
            data.update({"can_be_edited": False, "is_anonymous": False} | dict.fromkeys(ADMIN_RIGHTS, True))
        elif status == "kicked":
            data["until_date"] = 0
        return data

    # What happens.

    def post(self, chat: Chat, from_id: int, content: JSON, **fields: Any) -> Message:
        """Add a message to the chat with the next message_id and the clock's date."""
        message = Message(
            chat_id=chat.id,
            message_id=chat.next_message_id,
            from_id=from_id,
            date=self.timestamp(),
            content=content,
            **fields,
        )
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        self.changes.notify()
        return message

    def touch(self, message: Message, *, edited: bool = False) -> None:
        """Record that a message changed, so waiters see its new version."""
        message.version += 1
        if edited:
            message.edit_date = self.timestamp()
        self.changes.notify()

    def deliver(self, message: Message) -> int | None:
        """Send the bot a ``message`` update if Telegram would; return its update_id."""
        if not self.bot_sees(message):
            return None
        return self.updates.push("message", self.message_json(message))

    def bot_sees(self, message: Message) -> bool:
        """Tell whether the bot gets a user's message: in private chats always, in groups per privacy mode.

        As in Telegram, privacy mode does not apply to a bot that is an administrator of the group.
        """
        chat = self.chats[message.chat_id]
        if chat.bot_status not in ACTIVE:
            return False
        if chat.type == "private" or not self.privacy_mode or message.via_bot or chat.bot_status != "member":
            return True
        if SERVICE_FIELDS & message.content.keys():
            return True
        replied = chat.messages.get(message.reply_to) if message.reply_to is not None else None
        if replied is not None and replied.from_id == self.bot.id:
            return True
        return self._addresses_bot(message.content)

    def _addresses_bot(self, content: JSON) -> bool:
        text: str = content.get("text") or content.get("caption") or ""
        entities: list[JSON] = content.get("entities") or content.get("caption_entities") or []
        username = (self.bot.username or "").lower()
        for entity in entities:
            covered = entity_text(text, entity).lower()
            if entity["type"] == "mention" and covered == f"@{username}":
                return True
            if entity["type"] == "bot_command" and entity["offset"] == 0:
                target = covered.partition("@")[2]
                if target in ("", username):
                    return True
        return False

    def set_status(self, chat: Chat, user_id: int, status: str, *, actor_id: int) -> None:
        """Change a member's status, with the chat_member or my_chat_member update and service message."""
        old = self.member_json(chat, user_id)
        if user_id == self.bot.id:
            chat.bot_status = status
        else:
            chat.statuses[user_id] = status
        new = self.member_json(chat, user_id)
        if old["status"] == new["status"]:
            return
        change = {
            "chat": self.chat_json(chat),
            "from": self.users[actor_id].to_json(),
            "date": self.timestamp(),
            "old_chat_member": old,
            "new_chat_member": new,
        }
        self.updates.push("my_chat_member" if user_id == self.bot.id else "chat_member", change)
        joined = old["status"] not in ACTIVE and status in ACTIVE
        left = old["status"] in ACTIVE and status not in ACTIVE
        if joined or left:
            user = self.users[user_id].to_json()
            content = {"new_chat_members": [user]} if joined else {"left_chat_member": user}
            self.deliver(self.post(chat, actor_id, content))

    async def ask(self, query: Query, payload: JSON, seconds: float) -> JSON | None:
        """Send the bot a query as an update of its kind and wait up to ``seconds`` for the answer.

        The query is closed afterwards, answered or not; None when the bot did not answer (or its
        allowed_updates keep it from ever seeing the query).
        """
        self.queries[query.id] = query
        update = {"id": query.id, "from": self.users[query.from_id].to_json(), **payload}
        if self.updates.push(query.kind, update) is not None:
            await self.changes.wait_for(lambda: query.answer is not None, seconds)
        query.open = False
        return query.answer

    def inline_query(self, query_id: str) -> InlineQuery:
        """Return an inline query by id, or raise 404."""
        query = self.queries.get(query_id)
        if not isinstance(query, InlineQuery):
            raise ClientError(404, f"inline query {query_id} not found")
        return query

    def record(self, call: Call) -> None:
        """Add a Bot API call to the calls log."""
        self.calls.append(call)
