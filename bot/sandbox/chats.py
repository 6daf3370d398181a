"""Users, chats and memberships: created through the client API, looked up by the bot."""

from __future__ import annotations

import re
from itertools import count
from typing import Any

from .errors import ClientError, bad_request, forbidden
from .params import Method, Params
from .state import ACTIVE, JSON, Chat, User
from .world import World

CHAT_TYPES = ("private", "group", "supergroup")
MEMBER_STATUSES = ("member", "administrator", "left", "kicked")
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
NO_GIFTS = dict.fromkeys(
    ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription", "gifts_from_channels"), False
)
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{4,31}$")
FIRST_USER_ID = 100_001
GROUP_ID_BASE = 4000
SUPERGROUP_ID_BASE = 1_000_000_000_000


class Chats:
    """getChat, getChatMember, leaveChat and sendChatAction; users, chats and members of the client API."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._user_ids = count(FIRST_USER_ID)
        self._group_numbers = count(1)

    def bot_methods(self) -> dict[str, Method]:
        """Return the Bot API methods this module implements."""
        return {
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
            "leaveChat": self.leave_chat,
            "sendChatAction": self.send_chat_action,
        }

    async def get_chat(self, params: Params) -> JSON:
        """Return the ChatFullInfo of a chat, with its most recent pinned message."""
        world = self._world
        chat = world.chat_for(params.get("chat_id"))
        info = world.chat_json(chat) | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": NO_GIFTS,
        }
        pinned = [message for message in chat.messages.values() if message.pinned and not message.deleted]
        if pinned:
            info["pinned_message"] = world.message_json(pinned[-1])
        return info

    async def get_chat_member(self, params: Params) -> JSON:
        """Return a user's ChatMember object in a chat."""
        chat = self._world.chat_for(params.get("chat_id"))
        user_id = params.required_integer("user_id")
        if user_id not in self._world.users:
            raise bad_request("user not found")
        return self._world.member_json(chat, user_id)

    async def leave_chat(self, params: Params) -> bool:
        """Make the bot leave a group or supergroup."""
        world = self._world
        chat = world.chat_for(params.get("chat_id"))
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        if chat.bot_status not in ACTIVE:
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        world.set_status(chat, world.bot.id, "left", actor_id=world.bot.id)
        return True

    async def send_chat_action(self, params: Params) -> bool:
        """Accept a chat action such as "typing"."""
        self._world.writable_chat(params.get("chat_id"))
        if params.text("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def create_user(self, *, user_id: int | None, first_name: Any, username: Any, language_code: Any) -> JSON:
        """Create a user (with the next free id unless one is given)."""
        users = self._world.users
        if user_id is None:
            user_id = next(uid for uid in self._user_ids if uid not in users)
        if user_id <= 0:
            raise ClientError(400, "id must be a positive integer")
        if user_id in users:
            raise ClientError(409, f"user {user_id} already exists")
        if not isinstance(first_name, str) or not 1 <= len(first_name) <= 64:
            raise ClientError(400, "first_name must be a string of 1-64 characters")
        if username is not None:
            if not isinstance(username, str) or not _USERNAME.match(username):
                raise ClientError(
                    400, "username must be 5-32 letters, digits or underscores, starting with a letter"
                )
            if any((other.username or "").lower() == username.lower() for other in users.values()):
                raise ClientError(409, f"username {username} is taken")
        if language_code is not None and not isinstance(language_code, str):
            raise ClientError(400, "language_code must be a string")
        user = User(user_id, first_name, username, language_code)
        users[user_id] = user
        self._world.changes.notify()
        return user.to_client()

    def create_chat(self, *, kind: Any, title: Any, member_ids: Any) -> JSON:
        """Create a private chat (its id is its user's id) or a group with the bot in it."""
        world = self._world
        if kind not in CHAT_TYPES:
            raise ClientError(400, f"type must be one of {', '.join(CHAT_TYPES)}")
        if (
            not isinstance(member_ids, list)
            or not member_ids
            or not all(isinstance(i, int) for i in member_ids)
        ):
            raise ClientError(400, "member_ids must be a non-empty list of user ids")
        if title is not None and not isinstance(title, str):
            raise ClientError(400, "title must be a string")
        members = [world.find_user(user_id) for user_id in dict.fromkeys(member_ids)]
        if kind == "private":
            if len(members) != 1:
                raise ClientError(400, "a private chat has exactly one member")
            if members[0].id in world.chats:
                raise ClientError(409, f"private chat {members[0].id} already exists")
            chat = Chat(members[0].id, "private", None, {members[0].id: "member"}, "member")
            world.chats[chat.id] = chat
            world.changes.notify()
            return chat.to_client()
        number = next(self._group_numbers)
        chat_id = -(GROUP_ID_BASE + number) if kind == "group" else -(SUPERGROUP_ID_BASE + number)
        statuses = {user.id: "creator" if index == 0 else "member" for index, user in enumerate(members)}
        chat = Chat(chat_id, kind, title or f"Group {number}", statuses, "left")
        world.chats[chat_id] = chat
        world.set_status(chat, world.bot.id, "member", actor_id=members[0].id)
        return chat.to_client()

    def set_member(self, chat: Chat, *, user_id: int, status: Any, from_id: int | None) -> JSON:
        """Change a user's (or the bot's) membership of a group, done by ``from_id`` (default: themself)."""
        world = self._world
        if chat.type == "private":
            raise ClientError(400, "the members of a private chat cannot change")
        if status not in MEMBER_STATUSES:
            raise ClientError(400, f"status must be one of {', '.join(MEMBER_STATUSES)}")
        if user_id != world.bot.id:
            world.find_user(user_id)
        actor_id = from_id if from_id is not None else user_id
        if actor_id == world.bot.id:
            actor_id = next(iter(chat.statuses))
        world.find_user(actor_id)
        world.set_status(chat, user_id, status, actor_id=actor_id)
        return chat.to_client()
