"""/privacy: what is stored, export as a JSON document, deletion after confirmation."""

from __future__ import annotations

import json

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from core import privacy
from handlers.common import App, keyboard, opened
from handlers.context import BotContext


async def overview(update: Update, context: BotContext) -> None:
    """Show what is stored about the user, with export and delete buttons."""
    if (where := await opened(update, context, private_only="privacy-private-only")) is None:
        return
    message, user = where
    async with context.uow() as session:
        stored = await privacy.summary(session, user_id=user.id)
    if stored is None:
        return
    on, off = context.t("privacy-on"), context.t("privacy-off")
    text = context.t(
        "privacy-overview",
        name=stored.first_name,
        language=context.t(f"language-name-{context.locale}"),
        timezone=stored.time_zone,
        groups=stored.groups,
        deals=on if stored.consent_personal_deals else off,
        broadcasts=on if stored.consent_broadcasts else off,
    )
    buttons = keyboard(
        [(context.t("privacy-export"), "privacy:export"), (context.t("privacy-delete"), "privacy:delete")]
    )
    await message.reply_text(text, reply_markup=buttons)


async def export(update: Update, context: BotContext) -> None:
    """Send everything stored about the user as a JSON document."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    async with context.uow() as session:
        document = await privacy.export(session, user_id=query.from_user.id, now=context.now)
    await context.bot.send_document(
        chat_id=query.from_user.id,
        document=json.dumps(document, ensure_ascii=False, indent=2).encode(),
        filename=f"kaufrunde-{query.from_user.id}.json",
        caption=context.t("privacy-export-caption"),
    )


async def confirm_delete(update: Update, context: BotContext) -> None:
    """Ask before deleting anything."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(
        context.t("privacy-delete-confirm"),
        reply_markup=keyboard(
            [
                (context.t("privacy-delete-yes"), "privacy:delete:yes"),
                (context.t("privacy-delete-no"), "privacy:delete:no"),
            ]
        ),
    )


async def delete(update: Update, context: BotContext) -> None:
    """Delete the user's data, or leave it when they cancelled."""
    query = update.callback_query
    assert query is not None and context.matches
    await query.answer()
    if context.matches[0].group(1) == "no":
        await query.edit_message_text(context.t("privacy-delete-cancelled"))
        return
    async with context.uow() as session:
        await privacy.erase(session, user_id=query.from_user.id, now=context.now)
    # What a question in progress was about (a force reply's subject) is forgotten as well.
    if context.user_data is not None:
        context.user_data.clear()
    await query.edit_message_text(context.t("privacy-deleted"))


def register(app: App) -> None:
    """Install /privacy and its buttons."""
    app.add_handler(CommandHandler("privacy", overview))
    app.add_handler(CallbackQueryHandler(overview, pattern=r"^menu:privacy$"))
    app.add_handler(CallbackQueryHandler(export, pattern=r"^privacy:export$"))
    app.add_handler(CallbackQueryHandler(confirm_delete, pattern=r"^privacy:delete$"))
    app.add_handler(CallbackQueryHandler(delete, pattern=r"^privacy:delete:(yes|no)$"))
