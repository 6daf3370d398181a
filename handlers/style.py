"""/style: the style quiz with buttons, the stored profile, and outfits as answers."""

from __future__ import annotations

from datetime import timedelta

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from catalog import style
from core import tasks
from core.i18n import Html
from core.money import Money
from handlers.common import App, RepliesTo, opened
from handlers.context import SERVICES_KEY, BotContext
from handlers.render import money, outfit_text, short

REMINDER = style.REMINDER_TASK
REMIND_AFTER = timedelta(days=1)
CALLBACK = r"^sty:(\d+):(a|t|next|skip|type)(?::([\w.-]+))?$"


def step_view(context: BotContext, index: int, profile: style.Profile) -> tuple[Html, InlineKeyboardMarkup]:
    """Return the question of quiz step ``index`` and its buttons, marking the answers already given."""
    step = style.QUIZ[index]
    chosen = getattr(profile, step.field)
    selected = set(chosen) if isinstance(chosen, tuple) else {chosen}
    action = "t" if step.multiple else "a"
    buttons = [
        InlineKeyboardButton(
            ("✓ " if step.multiple and option.value in selected else "")
            + (context.t(option.label) if option.label else option.value),
            callback_data=f"sty:{index}:{action}:{option.value}",
        )
        for option in step.options
    ]
    width = 4 if all(option.label is None for option in step.options) else 2
    rows = [buttons[start : start + width] for start in range(0, len(buttons), width)]
    if step.free_amount:
        rows.append(
            [InlineKeyboardButton(context.t("style-quiz-type-amount"), callback_data=f"sty:{index}:type")]
        )
    closing = "style-quiz-next" if step.multiple else "style-quiz-skip"
    rows.append(
        [
            InlineKeyboardButton(
                context.t(closing), callback_data=f"sty:{index}:{'next' if step.multiple else 'skip'}"
            )
        ]
    )
    progress = context.t("style-quiz-progress", step=index + 1, steps=len(style.QUIZ))
    text = Html(f"{context.t(step.question)}\n{progress}")
    return text, InlineKeyboardMarkup(rows)


def profile_view(context: BotContext, profile: style.Profile) -> tuple[Html, InlineKeyboardMarkup]:
    """Return the profile summary with its buttons."""
    none = context.t("style-profile-none")

    def labels(prefix: str, values: tuple[str, ...]) -> str:
        return ", ".join(context.t(f"{prefix}-{value}") for value in values) or none

    text = context.t(
        "style-profile",
        occasion=context.t(f"style-occasion-{profile.occasion}") if profile.occasion else none,
        styles=labels("style-look", profile.styles),
        avoid=labels("style-colour", profile.avoid_colours),
        top=profile.top_size or none,
        bottom=profile.bottom_size or none,
        shoes=profile.shoe_size or none,
        budget=money(context, profile.budget.amount, profile.budget.currency) if profile.budget else none,
    )
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(context.t("style-profile-outfits"), callback_data="sty:outfits")],
            [
                InlineKeyboardButton(context.t("style-profile-edit"), callback_data="sty:restart"),
                InlineKeyboardButton(context.t("style-profile-delete"), callback_data="sty:delete"),
            ],
        ]
    )
    return text, keyboard


async def command(update: Update, context: BotContext) -> None:
    """Show the style profile, or start the quiz when there is none."""
    if (where := await opened(update, context, private_only="style-private-only")) is None:
        return
    message, user = where
    async with context.uow() as session:
        profile = await style.get(session, user_id=user.id)
        if profile is None:
            await tasks.reschedule(
                session, kind=REMINDER, key=str(user.id), due_at=context.now + REMIND_AFTER
            )
    if profile is None:
        text, keyboard = step_view(context, 0, style.Profile())
    else:
        text, keyboard = profile_view(context, profile)
    await message.reply_text(text, reply_markup=keyboard)


async def answer(update: Update, context: BotContext) -> None:
    """Take a quiz answer and show the next question (or the finished profile)."""
    query = update.callback_query
    assert query is not None and context.matches
    index, action, value = (
        int(context.matches[0].group(1)),
        context.matches[0].group(2),
        context.matches[0].group(3),
    )
    options = {option.value for option in style.QUIZ[index].options} if index < len(style.QUIZ) else set()
    if index >= len(style.QUIZ) or (action in ("a", "t") and value not in options):
        await query.answer(context.t("button-outdated"), show_alert=True)
        return
    await query.answer()
    if action == "type":
        await context.bot.send_message(
            query.from_user.id, context.t("style-quiz-amount-prompt"), reply_markup=ForceReply(selective=True)
        )
        return
    step = style.QUIZ[index]
    async with context.uow() as session:
        profile = await style.get(session, user_id=query.from_user.id) or style.Profile()
        if action == "a" and value is not None:
            profile = style.answer(profile, field=step.field, values=[value])
        elif action == "t" and value is not None:
            current = set(getattr(profile, step.field))
            profile = style.answer(profile, field=step.field, values=list(current ^ {value}))
        profile = await style.save(session, user_id=query.from_user.id, profile=profile, now=context.now)
        following = index if action == "t" else index + 1
        if following == len(style.QUIZ):
            await tasks.cancel(session, kind=REMINDER, key=str(query.from_user.id), now=context.now)
    if following == len(style.QUIZ):
        text, keyboard = saved_view(context, profile)
        await query.edit_message_text(text, reply_markup=keyboard)
        return
    text, keyboard = step_view(context, following, profile)
    await query.edit_message_text(text, reply_markup=keyboard)


async def typed_budget(update: Update, context: BotContext) -> None:
    """Take a budget the user typed in reply to the amount question."""
    message = update.effective_message
    assert message is not None and message.text is not None and update.effective_user is not None
    user_id = update.effective_user.id
    async with context.uow() as session:
        profile = await style.get(session, user_id=user_id) or style.Profile()
        try:
            profile = style.answer(profile, field="budget", values=[message.text])
        except ValueError:
            await message.reply_text(context.t("style-quiz-amount-invalid", text=message.text))
            return
        profile = await style.save(session, user_id=user_id, profile=profile, now=context.now)
        await tasks.cancel(session, kind=REMINDER, key=str(user_id), now=context.now)
    text, keyboard = saved_view(context, profile)
    await message.reply_text(text, reply_markup=keyboard)


def saved_view(context: BotContext, profile: style.Profile) -> tuple[Html, InlineKeyboardMarkup]:
    """Return the confirmation that the quiz is done, with the profile and its buttons."""
    text, keyboard = profile_view(context, profile)
    return Html(f"{context.t('style-quiz-saved')}\n\n{text}"), keyboard


async def restart(update: Update, context: BotContext) -> None:
    """Walk through the quiz again, showing the answers given before."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    async with context.uow() as session:
        profile = await style.get(session, user_id=query.from_user.id) or style.Profile()
        await tasks.reschedule(
            session, kind=REMINDER, key=str(query.from_user.id), due_at=context.now + REMIND_AFTER
        )
    text, keyboard = step_view(context, 0, profile)
    await query.edit_message_text(text, reply_markup=keyboard)


async def delete(update: Update, context: BotContext) -> None:
    """Delete the style profile."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    async with context.uow() as session:
        await style.delete(session, user_id=query.from_user.id)
        await tasks.cancel(session, kind=REMINDER, key=str(query.from_user.id), now=context.now)
    await query.edit_message_text(context.t("style-profile-deleted"))


async def outfits_from_profile(update: Update, context: BotContext) -> None:
    """Suggest outfits for the profile's occasion, sizes and budget."""
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer()
    async with context.uow() as session:
        profile = await style.get(session, user_id=query.from_user.id)
        found = await style.outfits(
            session,
            occasion=profile.occasion if profile else None,
            budget=profile.budget if profile else None,
            profile=profile,
            now=context.now,
        )
    await send_outfits(
        context, chat_id=query.message.chat.id, outfits=found, budget=profile.budget if profile else None
    )


async def send_outfits(
    context: BotContext,
    *,
    chat_id: int,
    outfits: list[style.Outfit],
    budget: Money | None,
    sizes_known: bool = True,
) -> None:
    """Send each outfit as a message with buttons opening its pieces, or say that none fits."""
    if not outfits:
        shown = money(context, budget.amount, budget.currency) if budget else "none"
        await context.bot.send_message(chat_id, context.t("outfit-none", budget=shown))
        return
    for number, outfit in enumerate(outfits, start=1):
        buttons = [
            [
                InlineKeyboardButton(
                    f"🔍 {short(item.title_de if context.locale == 'de' else item.title_en)}",
                    callback_data=f"card:{item.product_id}",
                )
            ]
            for item in outfit.items
        ]
        await context.bot.send_message(
            chat_id, outfit_text(context, number, outfit), reply_markup=InlineKeyboardMarkup(buttons)
        )
    if not sizes_known:
        await context.bot.send_message(chat_id, context.t("outfit-sizes-hint"))


def register(app: App) -> None:
    """Install /style, the quiz buttons and the typed budget."""
    app.add_handler(CommandHandler("style", command))
    app.add_handler(CallbackQueryHandler(command, pattern=r"^menu:style$"))
    app.add_handler(CallbackQueryHandler(answer, pattern=CALLBACK))
    app.add_handler(CallbackQueryHandler(delete, pattern=r"^sty:delete$"))
    app.add_handler(CallbackQueryHandler(outfits_from_profile, pattern=r"^sty:outfits$"))
    app.add_handler(CallbackQueryHandler(restart, pattern=r"^sty:restart$"))
    prompt = RepliesTo(app.bot_data[SERVICES_KEY].translator, "style-quiz-amount-prompt")
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & prompt, typed_budget))
