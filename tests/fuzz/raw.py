"""Raw updates the sandbox's client API cannot produce, posted to the bot's webhook with the secret.

Each body starts from something real (a message posted into the sandbox's chat, so the bot's answer has a
place to go; a query registered with the sandbox, so the bot may answer it) and is then bent: fields
missing, fields of the wrong type, fields and update kinds no Bot API version has, huge values, or no update
at all.
"""

from __future__ import annotations

import copy
import itertools
import json
import random
from dataclasses import dataclass
from typing import Any

from bot.sandbox.html import clean_input, detect_entities
from bot.sandbox.state import InlineQuery, Query
from bot.sandbox.world import World
from tests.fuzz import inputs

JSON = dict[str, Any]
# Far above the sandbox's own update ids (which start below 2**30), so the two never meet.
FIRST_UPDATE_ID = 2**40
NOT_UPDATES: tuple[bytes, ...] = (
    b"{not json",
    b"",
    b"[]",
    b"null",
    b"42",
    b'"update"',
    b"{}",
    b'{"update_id": "7"}',
    b'{"update_id": 7.5}',
    b'{"update_id": null, "message": {}}',
    b'{"message": {"message_id": 1}}',
    b'{"update_id": 99, "message": {}}',
    b'{"update_id": 99, "message": []}',
    b'{"update_id": 99, "callback_query": "x"}',
    b"\xff\xfe\x00",
)
UNKNOWN_KINDS = (
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "business_connection",
    "purchased_paid_media",
    "chat_boost",
    "removed_chat_boost",
    "message_reaction_count",
    "future_update_kind",
)
# Fields the Bot API may leave out, by a field that tells which object holds them.
OPTIONAL: dict[str, frozenset[str]] = {
    "message_id": frozenset(
        {"from", "text", "entities", "caption", "caption_entities", "reply_markup", "via_bot", "edit_date"}
        | {"sender_chat", "reply_to_message", "photo"}
    ),
    "is_bot": frozenset({"username", "language_code", "last_name", "is_premium"}),
    "chat_instance": frozenset({"message", "data", "inline_message_id", "game_short_name"}),
    "type": frozenset({"title", "username", "first_name", "last_name"}),
    "invoice_payload": frozenset({"shipping_option_id", "order_info"}),
    "result_id": frozenset({"inline_message_id", "location"}),
    "offset": frozenset({"chat_type", "location"}),
    "user_chat_id": frozenset({"bio", "invite_link"}),
    "new_chat_member": frozenset({"invite_link", "via_join_request", "via_chat_folder_invite_link"}),
}
WRONG_VALUES: tuple[Any, ...] = (None, "", "x", [], {}, 0, -1, 2**70, 1.5, True, "🙈" * 300)


@dataclass
class Body:
    """A raw webhook body and what it is, for the report.

    ``valid`` is False for bodies that break the Bot API's own rules (a required field missing or of the
    wrong type): Telegram never sends those, so the bot may refuse them or fail on them, as long as it keeps
    running and changes nothing that is not the sender's.
    """

    kind: str
    data: bytes
    update_id: int | None
    valid: bool = True


class RawUpdates:
    """Builds raw update bodies for one sender in one chat of the sandbox."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._ids = itertools.count(FIRST_UPDATE_ID)

    def body(self, rng: random.Random, *, chat_id: int, user_id: int) -> Body:
        """Return one raw body, chosen by ``rng``."""
        roll = rng.random()
        if roll < 0.08:
            return Body("no-update", rng.choice(NOT_UPDATES), None, valid=False)
        update_id = next(self._ids)
        if roll < 0.16:
            kind = rng.choice(UNKNOWN_KINDS)
            payload = rng.choice(({}, {"x": 1}, self._message(rng, chat_id, user_id), None, [1, 2]))
            return self._encode("unknown-kind", {"update_id": update_id, kind: payload})
        if roll < 0.22:
            return self._encode(
                "only-id", {"update_id": update_id, "unknown_field": rng.choice(WRONG_VALUES)}
            )
        builders = (
            self._message_update,
            self._message_update,
            self._edited,
            self._channel_post,
            self._callback,
            self._callback,
            self._pre_checkout,
            self._shipping,
            self._inline,
            self._chosen,
            self._poll_answer,
            self._poll,
            self._member,
            self._join_request,
            self._reaction,
        )
        name, update = rng.choice(builders)(rng, chat_id, user_id)
        update["update_id"] = update_id
        mutation = rng.random()
        valid = True
        if mutation < 0.25:
            valid = _drop(rng, update)
            name += "/missing" if valid else "/missing-required"
        elif mutation < 0.45:
            _retype(rng, update)
            name += "/wrong-type"
            valid = False
        elif mutation < 0.6:
            _extend(rng, update)
            name += "/extra"
        return self._encode(name, update, valid=valid)

    def _encode(self, kind: str, update: JSON, *, valid: bool = True) -> Body:
        update_id = update.get("update_id")
        return Body(
            kind, json.dumps(update).encode(), update_id if isinstance(update_id, int) else None, valid
        )

    def _user(self, user_id: int) -> JSON:
        user = self.world.user_json(user_id)
        assert user is not None
        return user

    def _message(self, rng: random.Random, chat_id: int, user_id: int) -> JSON:
        """Post a message into the sandbox's chat (unseen by the bot) and return it as Telegram shows it."""
        chat = self.world.chats[chat_id]
        text = _command(rng, group=chat.type != "private") if rng.random() < 0.4 else _text(rng)
        if rng.random() < 0.05:
            text = "x" * rng.choice((5000, 100_000))
        entities = detect_entities(text)
        content: JSON = {"text": text, "entities": entities} if entities else {"text": text}
        message = self.world.post(chat, user_id, content)
        return self.world.message_json(message)

    def _bot_message(self, rng: random.Random, chat_id: int) -> JSON | None:
        recent = itertools.islice(reversed(self.world.chats[chat_id].messages.values()), 40)
        mine = [message for message in recent if message.from_id == self.world.bot.id]
        return self.world.message_json(rng.choice(mine)) if mine else None

    def _message_update(self, rng: random.Random, chat_id: int, user_id: int) -> tuple[str, JSON]:
        return "message", {"message": self._message(rng, chat_id, user_id)}

    def _edited(self, rng: random.Random, chat_id: int, user_id: int) -> tuple[str, JSON]:
        message = self._message(rng, chat_id, user_id)
        message["edit_date"] = message["date"] + 1
        return "edited_message", {"edited_message": message}

    def _channel_post(self, rng: random.Random, chat_id: int, user_id: int) -> tuple[str, JSON]:
        post = {
            "message_id": rng.randrange(1, 1000),
            "date": self.world.timestamp(),
            "chat": {"id": -1001234567890, "type": "channel", "title": "Kanal"},
            "sender_chat": {"id": -1001234567890, "type": "channel", "title": "Kanal"},
            "text": _text(rng),
        }
        return "channel_post", {rng.choice(("channel_post", "edited_channel_post")): post}

    def _callback(self, rng: random.Random, chat_id: int, user_id: int) -> tuple[str, JSON]:
        query_id = self.world.new_id()
        self.world.queries[query_id] = Query(query_id, "callback_query", user_id)
        query: JSON = {
            "id": query_id,
            "from": self._user(user_id),
            "chat_instance": str(rng.randrange(10**12)),
        }
        shape = rng.randrange(5)
        message = self._bot_message(rng, chat_id)
        if shape == 0 or message is None:
            pass  # neither message nor inline_message_id
        elif shape == 1:
            query["message"] = {"message_id": message["message_id"], "date": 0, "chat": message["chat"]}
        elif shape == 2:
            query["inline_message_id"] = f"forged-{rng.randrange(10**6)}"
        else:
            query["message"] = message
        if rng.random() < 0.15:
            query["game_short_name"] = "game"
        else:
            query["data"] = _text(rng, limit=64) if rng.random() < 0.5 else "menu:cart"
        return "callback_query", {"callback_query": query}

    def _pre_checkout(self, rng: random.Random, chat_id: int, user_id: int) -> tuple[str, JSON]:
        query_id = self.world.new_id()
        self.world.queries[query_id] = Query(query_id, "pre_checkout_query", user_id)
        query = {
            "id": query_id,
            "from": self._user(user_id),
            "currency": rng.choice(("EUR", "XTR", "USD", "eur")),
            "total_amount": rng.choice((0, 1, 4990, -5, 2**40)),
            "invoice_payload": rng.choice(("", "x", "c:1", "gb:1:2", _text(rng, limit=128))),
        }
        return "pre_checkout_query", {"pre_checkout_query": query}

    def _shipping(self, rng: random.Random, chat_id: int, user_id: int) -> tuple[str, JSON]:
        query_id = self.world.new_id()
        self.world.queries[query_id] = Query(query_id, "shipping_query", user_id)
        address = {
            "country_code": rng.choice(("DE", "XX", "")),
            "state": "",
            "city": _text(rng, limit=30),
            "street_line1": "Alexanderplatz 1",
            "street_line2": "",
            "post_code": rng.choice(("10178", "", "ABC")),
        }
        query = {
            "id": query_id,
            "from": self._user(user_id),
            "invoice_payload": rng.choice(("", "x", _text(rng, limit=128))),
            "shipping_address": address,
        }
        return "shipping_query", {"shipping_query": query}

    def _inline(self, rng: random.Random, chat_id: int, user_id: int) -> tuple[str, JSON]:
        query_id = self.world.new_id()
        text = _text(rng, limit=256)
        self.world.queries[query_id] = InlineQuery(
            query_id, "inline_query", user_id, chat_id=chat_id, query=text
        )
        query = {
            "id": query_id,
            "from": self._user(user_id),
            "query": text,
            "offset": rng.choice(("", "0", "10", "-1", "x", "999999999999999999999")),
            "chat_type": rng.choice(("sender", "private", "group", "supergroup", "channel", "unknown")),
        }
        return "inline_query", {"inline_query": query}

    def _chosen(self, rng: random.Random, chat_id: int, user_id: int) -> tuple[str, JSON]:
        chosen: JSON = {
            "result_id": rng.choice(("1", "0", "x", "99999999999999999999", _text(rng, limit=64))),
            "from": self._user(user_id),
            "query": _text(rng, limit=256),
        }
        if rng.random() < 0.7:
            chosen["inline_message_id"] = f"forged-{rng.randrange(10**6)}"
        return "chosen_inline_result", {"chosen_inline_result": chosen}

    def _poll_answer(self, rng: random.Random, chat_id: int, user_id: int) -> tuple[str, JSON]:
        answer: JSON = {
            "poll_id": rng.choice(("1", "x", self.world.new_id())),
            "option_ids": rng.choice(([], [0], [1, 2], [99], [-1])),
        }
        if rng.random() < 0.2:
            answer["voter_chat"] = {"id": chat_id, "type": "group", "title": "x"}
        else:
            answer["user"] = self._user(user_id)
        return "poll_answer", {"poll_answer": answer}

    def _poll(self, rng: random.Random, chat_id: int, user_id: int) -> tuple[str, JSON]:
        poll = {
            "id": rng.choice(("1", "x", self.world.new_id())),
            "question": _text(rng, limit=300),
            "options": [{"text": "a", "voter_count": 1}, {"text": "b", "voter_count": 0}],
            "total_voter_count": 1,
            "is_closed": rng.random() < 0.5,
            "is_anonymous": False,
            "type": "regular",
            "allows_multiple_answers": False,
        }
        return "poll", {"poll": poll}

    def _member(self, rng: random.Random, chat_id: int, user_id: int) -> tuple[str, JSON]:
        chat = self.world.chats[chat_id]
        target = self.world.bot.id if rng.random() < 0.5 else user_id
        old = self.world.member_json(chat, target)
        new = copy.deepcopy(old)
        new["status"] = rng.choice(("member", "left", "kicked", "restricted", "administrator", "creator"))
        if new["status"] == "restricted":
            new.update(is_member=rng.random() < 0.5, until_date=0)
        change = {
            "chat": self.world.chat_json(chat),
            "from": self._user(user_id),
            "date": self.world.timestamp(),
            "old_chat_member": old,
            "new_chat_member": new,
        }
        kind = "my_chat_member" if target == self.world.bot.id else "chat_member"
        return kind, {kind: change}

    def _join_request(self, rng: random.Random, chat_id: int, user_id: int) -> tuple[str, JSON]:
        chat = self.world.chats[chat_id]
        request = {
            "chat": self.world.chat_json(chat),
            "from": self._user(user_id),
            "user_chat_id": user_id,
            "date": self.world.timestamp(),
            "bio": _text(rng, limit=70),
        }
        return "chat_join_request", {"chat_join_request": request}

    def _reaction(self, rng: random.Random, chat_id: int, user_id: int) -> tuple[str, JSON]:
        chat = self.world.chats[chat_id]
        reaction = {
            "chat": self.world.chat_json(chat),
            "message_id": rng.randrange(1, 50),
            "user": self._user(user_id),
            "date": self.world.timestamp(),
            "old_reaction": [],
            "new_reaction": [{"type": "emoji", "emoji": "👍"}],
        }
        return "message_reaction", {"message_reaction": reaction}


def _text(rng: random.Random, *, limit: int = inputs.MAX_TEXT) -> str:
    # Texts in updates are cleaned by Telegram's clients first, as the sandbox does with what users send.
    return clean_input(inputs.odd_text(rng, limit=limit))


def _command(rng: random.Random, *, group: bool) -> str:
    return clean_input(inputs.command_text(rng, group=group))


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Return the path of every field inside the update (not the update_id)."""
    found: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if path or key != "update_id":
                found.append((*path, key))
                found += _paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found.append((*path, index))
            found += _paths(inner, (*path, index))
    return found


def _parent(update: JSON, path: tuple[Any, ...]) -> Any:
    node: Any = update
    for step in path[:-1]:
        node = node[step]
    return node


def _optional(parent: JSON, key: Any) -> bool:
    """Tell whether the Bot API lets this field be absent from the object that holds it."""
    return any(marker in parent and key in keys for marker, keys in OPTIONAL.items())


def _drop(rng: random.Random, update: JSON) -> bool:
    """Remove one field; return whether the Bot API allows it to be absent."""
    paths = [path for path in _paths(update) if isinstance(_parent(update, path), dict)]
    if not paths:
        return True
    path = rng.choice(paths)
    parent = _parent(update, path)
    optional = _optional(parent, path[-1])
    del parent[path[-1]]
    return optional


def _retype(rng: random.Random, update: JSON) -> None:
    """Give one field a value of another JSON type than it has."""
    paths = _paths(update)
    if paths:
        path = rng.choice(paths)
        parent = _parent(update, path)
        kind = _kind(parent[path[-1]])
        parent[path[-1]] = copy.deepcopy(
            rng.choice([value for value in WRONG_VALUES if _kind(value) != kind])
        )


def _kind(value: Any) -> str:
    # JSON's types: a bool is no number, and a whole number is one kind with a fraction.
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _extend(rng: random.Random, update: JSON) -> None:
    nodes = [update] + [
        _parent(update, (*path, None))
        for path in _paths(update)
        if isinstance(_parent(update, (*path, None)), dict)
    ]
    node = rng.choice(nodes)
    node[rng.choice(("is_topic_message", "x_new_field", "sender_boost_count", "quote", "story"))] = (
        rng.choice(({"deep": {"deeper": [1, {"x": None}]}}, 1, "x", [], True))
    )
