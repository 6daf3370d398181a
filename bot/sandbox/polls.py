"""Native polls: the bot sends and stops them, users vote."""

from __future__ import annotations

from typing import Any

from . import limits
from .errors import ClientError, bad_request
from .messages import send
from .params import Method, Params
from .state import JSON, Poll
from .world import World


class Polls:
    """sendPoll and stopPoll, and users' votes with their poll_answer and poll updates."""

    def __init__(self, world: World) -> None:
        self._world = world

    def bot_methods(self) -> dict[str, Method]:
        """Return the Bot API methods this module implements."""
        return {"sendPoll": self.send_poll, "stopPoll": self.stop_poll}

    async def send_poll(self, params: Params) -> JSON:
        """Send a regular or quiz poll."""
        world = self._world
        chat = world.writable_chat(params.get("chat_id"))
        question, question_entities = world.parse(
            params.required_text("question"),
            params.text("question_parse_mode"),
            params.get("question_entities"),
        )
        raw_options = params.get("options")
        if not isinstance(raw_options, list):
            raise bad_request("can't parse options JSON object")
        options = [self._option(option) for option in raw_options]
        kind = params.text("type") or "regular"
        if kind not in ("regular", "quiz"):
            raise bad_request("wrong poll type specified")
        correct = params.get("correct_option_ids")
        if correct is None:
            single = params.integer("correct_option_id")
            correct = [] if single is None else [single]
        if not isinstance(correct, list) or not all(isinstance(index, int) for index in correct):
            raise bad_request("wrong correct option ID specified")
        multiple = params.flag("allows_multiple_answers")
        limits.poll(
            question=question,
            options=[option["text"] for option in options],
            quiz=kind == "quiz",
            multiple=multiple,
            correct=correct,
        )
        poll_id = world.new_id()
        message = send(world, chat, params, {}, poll_id=poll_id)
        world.polls[poll_id] = Poll(
            id=poll_id,
            chat_id=chat.id,
            message_id=message.message_id,
            question=question,
            question_entities=question_entities,
            options=options,
            is_anonymous=params.flag("is_anonymous", default=True),
            type=kind,
            allows_multiple_answers=multiple,
            allows_revoting=params.flag("allows_revoting", default=kind != "quiz"),
            members_only=params.flag("members_only"),
            correct_option_ids=correct if kind == "quiz" else [],
            is_closed=params.flag("is_closed"),
        )
        return world.message_json(message)

    def _option(self, option: Any) -> JSON:
        if isinstance(option, str):
            return {"text": option}
        if not isinstance(option, dict) or not isinstance(option.get("text"), str):
            raise bad_request("can't parse InputPollOption JSON object")
        text, entities = self._world.parse(
            option["text"], option.get("text_parse_mode"), option.get("text_entities")
        )
        return {"text": text, "text_entities": entities} if entities else {"text": text}

    async def stop_poll(self, params: Params) -> JSON:
        """Close a poll the bot sent and return its final state."""
        world = self._world
        chat = world.chat_for(params.get("chat_id"))
        message = world.bot_message(chat, params.get("message_id"), "message with poll to stop not found")
        if message.poll_id is None or message.from_id != world.bot.id:
            raise bad_request("message with poll to stop not found")
        poll = world.polls[message.poll_id]
        if poll.is_closed:
            raise bad_request("poll has already been closed")
        markup = params.get("reply_markup")
        if markup is not None:
            message.reply_markup = limits.inline_keyboard(markup)
        poll.is_closed = True
        world.touch(message)
        world.updates.push("poll", poll.to_json())
        return poll.to_json()

    def vote(self, poll_id: str, user_id: int, option_ids: Any) -> JSON:
        """Record (or with no options retract) a user's answer and tell the bot."""
        world = self._world
        poll = world.polls.get(poll_id)
        if poll is None:
            raise ClientError(404, f"poll {poll_id} not found")
        chat = world.chats[poll.chat_id]
        user = world.find_member(chat, user_id)
        if poll.is_closed:
            raise ClientError(400, f"poll {poll_id} is closed")
        if (
            not isinstance(option_ids, list)
            or not all(isinstance(index, int) and 0 <= index < len(poll.options) for index in option_ids)
            or len(set(option_ids)) != len(option_ids)
        ):
            raise ClientError(400, f"option_ids must be distinct option indexes 0-{len(poll.options) - 1}")
        if len(option_ids) > 1 and not poll.allows_multiple_answers:
            raise ClientError(400, f"poll {poll_id} allows only one answer")
        previous = poll.votes.get(user.id, [])
        if previous and not poll.allows_revoting:
            raise ClientError(400, f"poll {poll_id} does not allow changing an answer")
        chosen = sorted(option_ids)
        if chosen != previous:
            if chosen:
                poll.votes[user.id] = chosen
            else:
                poll.votes.pop(user.id, None)
            world.touch(chat.messages[poll.message_id])
            if not poll.is_anonymous:
                answer = {
                    "poll_id": poll.id,
                    "user": user.to_json(),
                    "option_ids": chosen,
                    "option_persistent_ids": [str(index) for index in chosen],
                }
                world.updates.push("poll_answer", answer)
            world.updates.push("poll", poll.to_json())
        return {"poll": poll.to_json()}
