"""Runs before every other handler: accepts each update once and sets the user's language."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from core import updates
from handlers.common import App, chat_of, person_of
from handlers.context import BotContext

GROUP = -1


async def accept(update: Update, context: BotContext) -> None:
    """Drop a redelivered update; remember the sender and pick their language."""
    member = update.chat_member
    person = person_of(member.new_chat_member.user if member is not None else update.effective_user)
    async with context.uow() as session:
        fresh, sender = await updates.accept(
            session,
            update_id=update.update_id,
            now=context.now,
            person=person,
            chat=chat_of(update),
            member_status=member.new_chat_member.status if member is not None else None,
        )
    if not fresh:
        raise ApplicationHandlerStop
    if sender is not None and member is None:
        translator = context.services.translator
        context.locale = sender.locale(translator.locales, translator.default_locale)


def register(app: App) -> None:
    """Install the update gate in front of every feature handler."""
    app.add_handler(TypeHandler(Update, accept), group=GROUP)
