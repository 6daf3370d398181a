"""Shopping with friends: /top of the week, recommending a card to a member, /invite and /credits."""

from __future__ import annotations

from decimal import Decimal

from telegram import ForceReply, Update
from telegram.error import Forbidden
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from catalog import products
from core import users
from core.money import Money
from handlers import products as product_handlers
from handlers.common import App, RepliesTo, is_private, keyboard, opened
from handlers.context import SERVICES_KEY, BotContext
from handlers.render import money
from social import recommendations, referrals, top
from social.errors import Refused

# What a referral earns each side in credit; a constant for now, to become a setting.
REFERRAL_REWARD = Money(Decimal("5.00"), "EUR")
PENDING_KEY = "recommend"


async def top_command(update: Update, context: BotContext) -> None:
    """Summarise what the group liked, wished and bought this week."""
    found = await opened(update, context)
    if found is None:
        return
    message, _ = found
    if is_private(update):
        await message.reply_text(context.t("top-group-only"))
        return
    async with context.uow() as session:
        week = await top.week(session, chat_id=message.chat.id, now=context.now)
        titles = {}
        for entry in [*week.liked, *(week.wished or []), *week.bought]:
            card = await products.card(session, product_id=entry.product_id, locale=context.locale)
            titles[entry.product_id] = card.title if card else "?"
    parts: list[str] = [context.t("top-title")]
    sections = [("top-liked", week.liked), ("top-wished", week.wished), ("top-bought", week.bought)]
    for key, entries in sections:
        if entries is None:
            continue
        parts.append("")
        parts.append(context.t(key))
        if not entries:
            parts.append(context.t("top-none"))
        for number, entry in enumerate(entries, start=1):
            parts.append(
                context.t("top-line", number=number, title=titles[entry.product_id], count=entry.count)
            )
    await message.reply_text("\n".join(parts))


async def recommend_pick(update: Update, context: BotContext) -> None:
    """Offer the group's other members to recommend the card's product to."""
    query = update.callback_query
    assert query is not None and context.matches and query.message is not None
    product_id = int(context.matches[0].group(1))
    async with context.uow() as session:
        members = await recommendations.recipients(
            session, chat_id=query.message.chat.id, user_id=query.from_user.id
        )
    if not members:
        await query.answer(context.t("recommend-nobody"), show_alert=True)
        return
    await query.answer()
    rows = [[(member.first_name, f"rec:to:{product_id}:{member.user_id}")] for member in members]
    await context.bot.send_message(
        query.message.chat.id,
        context.t("recommend-pick", name=query.from_user.first_name),
        reply_markup=keyboard(*rows),
    )


async def recommend_note(update: Update, context: BotContext) -> None:
    """Ask for an optional note (a reply), or send the recommendation without one."""
    query = update.callback_query
    assert query is not None and context.matches and query.message is not None
    product_id, recipient_id = int(context.matches[0].group(1)), int(context.matches[0].group(2))
    await query.answer()
    # The choice waits for the reply in this process; a restart only loses an unfinished note.
    assert context.user_data is not None
    context.user_data[PENDING_KEY] = (query.message.chat.id, product_id, recipient_id)
    await query.edit_message_text(
        context.t("recommend-note-or-skip"),
        reply_markup=keyboard([(context.t("recommend-skip"), f"rec:go:{product_id}:{recipient_id}")]),
    )
    await context.bot.send_message(
        query.message.chat.id, context.t("recommend-note-prompt"), reply_markup=ForceReply(selective=True)
    )


async def recommend_without_note(update: Update, context: BotContext) -> None:
    """Send the recommendation without a note."""
    query = update.callback_query
    assert query is not None and context.matches and query.message is not None
    product_id, recipient_id = int(context.matches[0].group(1)), int(context.matches[0].group(2))
    if context.user_data is not None:
        context.user_data.pop(PENDING_KEY, None)
    text = await _recommend(
        context, query.message.chat.id, query.from_user.id, product_id, recipient_id, None
    )
    await query.answer()
    await query.edit_message_text(text)


async def recommend_with_note(update: Update, context: BotContext) -> None:
    """Send the recommendation with the note the member replied."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or context.user_data is None:
        return
    pending = context.user_data.pop(PENDING_KEY, None)
    if pending is None or pending[0] != message.chat.id:
        await message.reply_text(context.t("recommend-note-expired"))
        return
    chat_id, product_id, recipient_id = pending
    await message.reply_text(
        await _recommend(context, chat_id, user.id, product_id, recipient_id, message.text)
    )


async def _recommend(
    context: BotContext, chat_id: int, sender_id: int, product_id: int, recipient_id: int, note: str | None
) -> str:
    """Store the recommendation and deliver it privately; return what the group is told."""
    try:
        async with context.uow() as session:
            sent = await recommendations.recommend(
                session,
                chat_id=chat_id,
                sender_id=sender_id,
                recipient_id=recipient_id,
                product_id=product_id,
                note=note,
                now=context.now,
            )
            recipient = await users.get(session, user_id=recipient_id)
            recipient_name = recipient.first_name if recipient else "?"
            translator = context.services.translator
            locale = recipient.locale(translator.locales, translator.default_locale) if recipient else None
            sender_locale, context.locale = context.locale, locale or context.locale
            try:
                # Sent before the unit of work commits: a recipient who never started the bot undoes it.
                await context.bot.send_message(
                    recipient_id,
                    context.t(
                        "recommend-received-note" if sent.note else "recommend-received",
                        name=sent.sender_name,
                        group=sent.chat_title or "",
                        note=sent.note or "",
                    ),
                )
            finally:
                context.locale = sender_locale
    except Refused as refused:
        return context.t(refused.reason_key, **refused.args_)
    except Forbidden:
        return context.t("recommend-not-started", name=recipient_name, bot=context.bot.username or "")
    context.locale = locale or context.locale
    try:
        await product_handlers.send_card(context, chat_id=recipient_id, product_id=product_id)
    finally:
        context.locale = sender_locale
    return context.t("recommend-sent", name=recipient_name)


async def invite(update: Update, context: BotContext) -> None:
    """Show the personal invite link and how many friends came and earned the reward."""
    found = await opened(update, context, private_only="invite-private-only")
    if found is None:
        return
    message, user = found
    async with context.uow() as session:
        parameter = await referrals.invite_parameter(session, user_id=user.id, now=context.now)
        invited, rewarded = await referrals.invited_count(session, user_id=user.id)
    await message.reply_text(
        context.t(
            "invite-text",
            link=f"https://t.me/{context.bot.username}?start={parameter}",
            reward=money(context, REFERRAL_REWARD.amount, REFERRAL_REWARD.currency),
            invited=invited,
            rewarded=rewarded,
        )
    )


async def credits_command(update: Update, context: BotContext) -> None:
    """Show the credit balance and its newest movements."""
    found = await opened(update, context, private_only="credits-private-only")
    if found is None:
        return
    message, user = found
    async with context.uow() as session:
        history = await referrals.history(session, user_id=user.id)
    if not history.balances:
        await message.reply_text(context.t("credits-empty"))
        return
    lines = [
        context.t(
            "credits-balance",
            amount=", ".join(
                money(context, balance.amount, balance.currency) for balance in history.balances
            ),
        ),
        "",
    ]
    for line in history.lines:
        lines.append(
            context.t(
                "credits-line",
                amount=money(context, line.amount.amount, line.amount.currency),
                reason=context.t(line.key, **line.args),
            )
        )
    await message.reply_text("\n".join(lines))


def register(app: App) -> None:
    """Install /top, the recommend buttons and note, /invite and /credits."""
    app.add_handler(CommandHandler("top", top_command))
    app.add_handler(CommandHandler("invite", invite))
    app.add_handler(CommandHandler("credits", credits_command))
    app.add_handler(CallbackQueryHandler(recommend_pick, pattern=r"^rec:(\d+)$"))
    app.add_handler(CallbackQueryHandler(recommend_note, pattern=r"^rec:to:(\d+):(\d+)$"))
    app.add_handler(CallbackQueryHandler(recommend_without_note, pattern=r"^rec:go:(\d+):(\d+)$"))
    note = RepliesTo(app.bot_data[SERVICES_KEY].translator, "recommend-note-prompt")
    app.add_handler(MessageHandler(note, recommend_with_note))
