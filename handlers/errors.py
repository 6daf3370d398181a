"""The one error handler: a short apology for the user, the update id and traceback for the log."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, TelegramError

from core import updates, users
from handlers.common import App
from handlers.context import BotContext

log = logging.getLogger(__name__)
# What Telegram answers when a handler edits a message that cannot show its answer any more: it shows that
# already, is too old, was deleted, or is no text of the bot's (a button pressed on a message it was never
# on). The change itself is done, and the press was answered; no apology is owed.
STALE = (
    "message is not modified",
    "message can't be edited",
    "message to edit not found",
    "there is no text in the message to edit",
)


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure, let a redelivery retry it, and apologise in the user's language."""
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(context.error, BadRequest) and any(
        reason in context.error.message.lower() for reason in STALE
    ):
        log.info("update %s came too late to be shown: %s", update_id, context.error.message)
        return
    log.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update):
        return
    locale = None
    try:
        async with context.uow() as session:
            await updates.release(session, update_id=update.update_id)
            if update.effective_user is not None:
                sender = await users.get(session, user_id=update.effective_user.id)
                translator = context.services.translator
                locale = sender.locale(translator.locales, translator.default_locale) if sender else None
    except Exception:
        log.exception("could not release update %s after its failure", update_id)
    if locale is None and update.effective_user is not None:
        code = (update.effective_user.language_code or "").split("-")[0]
        locale = code if code in context.services.translator.locales else None
    context.locale = locale or context.services.translator.default_locale
    apology = context.t("error-apology")
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(apology, show_alert=True)
            return
        except TelegramError:
            pass  # already answered by the failed handler: say it in the chat instead
    if update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, apology)
        except TelegramError:
            log.warning("could not apologise for update %s", update_id)


def register(app: App) -> None:
    """Install the error handler."""
    app.add_error_handler(on_error)
