"""Messages: the bot sends, edits, deletes and pins them; users post theirs through the client API."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from . import limits
from .errors import ApiError, ClientError, bad_request
from .html import clean_input, detect_entities, utf16_len
from .params import Method, Params
from .state import JSON, Chat, Message, StoredFile, User
from .world import World

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same as a "
    "current content and reply markup of the message"
)


def text_fields(key: str, text: str, entities: list[JSON]) -> JSON:
    """Return the content fields of a text (``text``) or caption (``caption``) with its entities."""
    if not text:
        return {}
    entity_key = "entities" if key == "text" else "caption_entities"
    return {key: text, entity_key: entities} if entities else {key: text}


def send(world: World, chat: Chat, params: Params, content: JSON, **fields: Any) -> Message:
    """Post a message from the bot with the call's reply markup and reply target, within the rate limits."""
    markup = params.get("reply_markup")
    if markup is not None:
        checked = limits.reply_markup(markup)
        if "inline_keyboard" in checked:
            fields["reply_markup"] = checked
        else:
            fields["reply_keyboard"] = checked
    fields["reply_to"] = _reply_target(chat, params)
    world.take_rate(chat)
    return world.post(chat, world.bot.id, content, **fields)


def _reply_target(chat: Chat, params: Params) -> int | None:
    reply = params.get("reply_parameters")
    if isinstance(reply, dict):
        message_id = reply.get("message_id")
        allow_missing = bool(reply.get("allow_sending_without_reply"))
    else:
        message_id = params.integer("reply_to_message_id")
        allow_missing = params.flag("allow_sending_without_reply")
    if message_id is None:
        return None
    target = chat.messages.get(message_id) if isinstance(message_id, int) else None
    if target is None or target.deleted:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    return target.message_id


class Messages:
    """sendMessage, sendPhoto, sendDocument, the edits, deleteMessage and pinning; users' own messages."""

    def __init__(self, world: World) -> None:
        self._world = world

    def bot_methods(self) -> dict[str, Method]:
        """Return the Bot API methods this module implements."""
        return {
            "sendMessage": self.send_message,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "editMessageText": self.edit_text,
            "editMessageCaption": self.edit_caption,
            "editMessageReplyMarkup": self.edit_reply_markup,
            "deleteMessage": self.delete_message,
            "pinChatMessage": self.pin,
            "unpinChatMessage": self.unpin,
        }

    async def send_message(self, params: Params) -> JSON:
        """Send a text message."""
        world = self._world
        chat = world.writable_chat(params.get("chat_id"))
        text, entities = world.text(
            params.text("text") or "", params.text("parse_mode"), params.get("entities"), caption=False
        )
        return world.message_json(send(world, chat, params, text_fields("text", text, entities)))

    async def send_photo(self, params: Params) -> JSON:
        """Send a photo: an upload, a known file_id or an HTTP URL."""
        chat = self._world.writable_chat(params.get("chat_id"))
        content = {"photo": [self._file(params, "photo").photo_size()], **self._caption(params)}
        if params.flag("has_spoiler"):
            content["has_media_spoiler"] = True
        if params.flag("show_caption_above_media"):
            content["show_caption_above_media"] = True
        return self._world.message_json(send(self._world, chat, params, content))

    async def send_document(self, params: Params) -> JSON:
        """Send a document: an upload, a known file_id or an HTTP URL."""
        chat = self._world.writable_chat(params.get("chat_id"))
        content = {"document": self._file(params, "document").document(), **self._caption(params)}
        return self._world.message_json(send(self._world, chat, params, content))

    def _file(self, params: Params, name: str) -> StoredFile:
        files = self._world.files
        upload = params.upload(name)
        if upload is not None:
            if name == "photo":
                return files.photo(upload.data)
            return files.document(upload.data, upload.file_name, upload.content_type)
        reference = params.text(name)
        if not reference:
            raise bad_request(f"there is no {name} in the request")
        return files.reference(reference, "photos" if name == "photo" else "documents")

    def _caption(self, params: Params) -> JSON:
        caption, entities = self._world.text(
            params.text("caption") or "",
            params.text("parse_mode"),
            params.get("caption_entities"),
            caption=True,
        )
        return text_fields("caption", caption, entities)

    async def edit_text(self, params: Params) -> JSON | bool:
        """Edit the text of a message the bot sent, or of an inline message."""
        message, inline = self._edit_target(params)
        if "text" not in message.content:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._world.text(
            params.text("text") or "", params.text("parse_mode"), params.get("entities"), caption=False
        )
        return self._edit(message, inline, params, text_fields("text", text, entities), ("text", "entities"))

    async def edit_caption(self, params: Params) -> JSON | bool:
        """Edit the caption of a photo or document message."""
        message, inline = self._edit_target(params)
        if not {"photo", "document"} & message.content.keys():
            raise bad_request("there is no caption in the message to edit")
        return self._edit(message, inline, params, self._caption(params), ("caption", "caption_entities"))

    async def edit_reply_markup(self, params: Params) -> JSON | bool:
        """Replace (or without reply_markup remove) a message's inline keyboard."""
        message, inline = self._edit_target(params)
        return self._edit(message, inline, params, {}, ())

    def _edit_target(self, params: Params) -> tuple[Message, bool]:
        world = self._world
        inline_message_id = params.text("inline_message_id")
        if inline_message_id:
            where = world.inline_messages.get(inline_message_id)
            if where is None:
                raise bad_request("MESSAGE_ID_INVALID")
            return world.bot_message(world.chats[where[0]], where[1], "message to edit not found"), True
        chat = world.chat_for(params.get("chat_id"))
        if params.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        message = world.bot_message(chat, params.get("message_id"), "message to edit not found")
        if message.from_id != world.bot.id:
            raise bad_request("message can't be edited")
        return message, False

    def _edit(
        self, message: Message, inline: bool, params: Params, fields: JSON, replaced: tuple[str, ...]
    ) -> JSON | bool:
        markup = params.get("reply_markup")
        new_markup = limits.inline_keyboard(markup) if markup is not None else None
        content = {key: value for key, value in message.content.items() if key not in replaced} | fields
        if content == message.content and new_markup == message.reply_markup:
            raise bad_request(NOT_MODIFIED)
        message.content = content
        message.reply_markup = new_markup
        self._world.touch(message, edited=True)
        return True if inline else self._world.message_json(message)

    async def delete_message(self, params: Params) -> bool:
        """Delete a message: the bot's own, any in a private chat, others' in groups only as administrator."""
        world = self._world
        chat = world.chat_for(params.get("chat_id"))
        message = world.bot_message(chat, params.get("message_id"), "message to delete not found")
        may_delete_others = chat.type == "private" or chat.bot_status in ("administrator", "creator")
        if message.from_id != world.bot.id and not may_delete_others:
            raise bad_request("message can't be deleted")
        message.deleted = True
        world.touch(message)
        return True

    async def pin(self, params: Params) -> bool:
        """Pin a message; in groups, like Telegram, only as an administrator."""
        chat = self._world.chat_for(params.get("chat_id"))
        self._may_pin(chat)
        message = self._world.bot_message(chat, params.get("message_id"), "message to pin not found")
        if not message.pinned:
            message.pinned = True
            self._world.touch(message)
        return True

    async def unpin(self, params: Params) -> bool:
        """Unpin the given message, or without message_id the most recent pinned one."""
        chat = self._world.chat_for(params.get("chat_id"))
        self._may_pin(chat)
        if params.get("message_id") is None:
            pinned = [message for message in chat.messages.values() if message.pinned and not message.deleted]
            target = pinned[-1] if pinned else None
        else:
            target = self._world.bot_message(chat, params.get("message_id"), "message to unpin not found")
        if target is not None and target.pinned:
            target.pinned = False
            self._world.touch(target)
        return True

    @staticmethod
    def _may_pin(chat: Chat) -> None:
        if chat.type != "private" and chat.bot_status not in ("administrator", "creator"):
            raise bad_request("not enough rights to manage pinned messages in the chat")

    def post_from_user(
        self,
        chat: Chat,
        user: User,
        *,
        text: str | None,
        photo_base64: str | None,
        caption: str | None,
        reply_to_message_id: int | None,
    ) -> JSON:
        """Post a user's text or photo message and deliver it to the bot if Telegram would."""
        world = self._world
        if (text is None) == (photo_base64 is None):
            raise ClientError(400, "send exactly one of text and photo_base64")
        text, caption = (None if value is None else clean_input(value) for value in (text, caption))
        if reply_to_message_id is not None:
            replied = chat.messages.get(reply_to_message_id)
            if replied is None or replied.deleted:
                raise ClientError(400, f"message {reply_to_message_id} to reply to not found")
        if text is not None:
            if not 1 <= utf16_len(text) <= limits.MAX_TEXT:
                raise ClientError(400, f"text must be 1-{limits.MAX_TEXT} characters long")
            content = text_fields("text", text, detect_entities(text))
        else:
            content = {"photo": [self._user_photo(photo_base64 or "").photo_size()]}
            if caption is not None and utf16_len(caption) > limits.MAX_CAPTION:
                raise ClientError(400, f"caption must be at most {limits.MAX_CAPTION} characters long")
            content |= text_fields("caption", caption or "", detect_entities(caption or ""))
        message = world.post(chat, user.id, content, reply_to=reply_to_message_id)
        return {"message_id": message.message_id, "update_id": world.deliver(message)}

    def _user_photo(self, photo_base64: str) -> StoredFile:
        try:
            data = base64.b64decode(photo_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ClientError(400, "photo_base64 is not valid base64") from None
        try:
            return self._world.files.photo(data)
        except ApiError as exc:
            raise ClientError(400, f"photo_base64 is not a usable image: {exc.description}") from None
