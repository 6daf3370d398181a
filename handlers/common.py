"""Small helpers the handler modules share: the application type, keyboards and the sender's data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.ext import Application, ExtBot, JobQueue, filters

from catalog import retailers
from catalog.retailers import Account, Scope
from core.chats import ChatInfo
from core.i18n import Arg, Translator
from core.users import Person
from handlers.context import BotContext

App = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[BotContext]
]


def keyboard(*rows: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """Build an inline keyboard from rows of ``(label, callback_data)``."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def person_of(user: User | None) -> Person | None:
    """Return a Telegram user as the domain sees a person (None for bots and anonymous senders)."""
    if user is None or user.is_bot:
        return None
    return Person(
        id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )


def chat_of(update: Update) -> ChatInfo | None:
    """Return the chat the update came from, as the domain sees a chat."""
    chat = update.effective_chat
    if chat is None:
        return None
    return ChatInfo(id=chat.id, type=chat.type, title=chat.title)


async def opened(
    update: Update,
    context: BotContext,
    *,
    private_only: str | None = None,
    retailers_only: str | None = None,
) -> tuple[Message, User] | None:
    """Start a feature opened by a command or a menu button: acknowledge the button, return where to answer.

    With ``private_only`` (a locale key) a group gets that hint instead, and None is returned; with
    ``retailers_only`` likewise anyone who is not a retailer.
    """
    if update.callback_query is not None:
        await update.callback_query.answer()
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return None
    if private_only is not None and not is_private(update):
        await message.reply_text(context.t(private_only))
        return None
    if retailers_only is not None and not await is_retailer(context, user.id):
        await message.reply_text(context.t(retailers_only))
        return None
    return message, user


async def is_retailer(context: BotContext, user_id: int) -> bool:
    """Tell whether the user acts for a retailer (a member of one, or a platform administrator)."""
    return await retailer_scope(context, user_id) is not None


def is_admin(context: BotContext, user_id: int) -> bool:
    """Tell whether the user is a platform administrator (``ADMIN_USER_IDS``)."""
    return user_id in context.services.admin_user_ids


async def retailer_scope(context: BotContext, user_id: int) -> Scope | None:
    """Return whose data the user may act on as a retailer, or None when they are no retailer."""
    async with context.uow() as session:
        return await retailers.acting_for(session, user_id=user_id, admin=is_admin(context, user_id))


async def retailer_of(context: BotContext, user_id: int) -> Account | None:
    """Return the retailer the user acts for (for an administrator who is no member: the only retailer)."""
    scope = await retailer_scope(context, user_id)
    return None if scope is None else scope.account


def is_private(update: Update) -> bool:
    """Tell whether the update comes from a private chat."""
    return update.effective_chat is not None and update.effective_chat.type == "private"


class RepliesTo(filters.MessageFilter):
    """Lets through replies to the bot's message ``key`` (in any language), e.g. a question it asked."""

    def __init__(self, translator: Translator, key: str) -> None:
        super().__init__(name=f"RepliesTo({key})")
        self.texts = {translator.t(locale, key) for locale in translator.locales}

    def filter(self, message: Message) -> bool:
        """Tell whether the message replies to one of the texts."""
        replied = message.reply_to_message
        return replied is not None and replied.text in self.texts


class RepliesStartingWith(filters.MessageFilter):
    """Lets through replies to the bot's question ``key`` whose text goes on with details (an item number)."""

    def __init__(self, translator: Translator, key: str, **sample: Arg) -> None:
        super().__init__(name=f"RepliesStartingWith({key})")
        self.prefixes = tuple(
            translator.t(locale, key, **sample).split("0")[0] for locale in translator.locales
        )

    def filter(self, message: Message) -> bool:
        """Tell whether the message replies to the question."""
        replied = message.reply_to_message
        return replied is not None and (replied.text or "").startswith(self.prefixes)
