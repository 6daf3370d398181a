"""Group buys in the chat: /groupbuy in a group, joining in private, the live progress message, invoices.

The group sees one progress message (pinned when the bot may pin) that is edited as people join; who joins
picks a variant and a quantity in a private chat with the bot, where the invoice arrives after the close.
Retailers set a product's tiers with /tiers and follow their group buys with /groupbuys.
"""

from __future__ import annotations

import logging
import re
from contextlib import suppress
from datetime import datetime, timedelta

from telegram import Bot, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from catalog import products, retailers
from catalog.query import parse
from core import users
from core.i18n import Html, Translator, format_datetime, format_duration, format_money
from core.money import Money
from core.users import DEFAULT_TIME_ZONE
from handlers import checkout as checkout_handlers
from handlers.common import App, is_private, keyboard, opened, retailer_scope
from handlers.context import BotContext, Services
from handlers.render import colours
from social import groupbuys
from social.errors import Refused

log = logging.getLogger(__name__)

# Progress edits are coalesced like vote counts: at most one per message in this interval.
EDIT_INTERVAL = timedelta(seconds=2)
QUANTITIES = (1, 2, 3, 4, 5, 10)
START_PREFIX = "gb"
START_LINK = re.compile(r"gb(\d{1,12})")
LIMIT = re.compile(r"(min|max)\s*[:=]?\s*(\d{1,5})", re.IGNORECASE)


def _money(translator: Translator, locale: str, amount: Money) -> str:
    return format_money(amount.amount, amount.currency, locale)


def _when(moment: datetime, locale: str) -> str:
    return format_datetime(moment, locale, time_zone=DEFAULT_TIME_ZONE, style="short")


def tier_lines(translator: Translator, locale: str, progress: groupbuys.Progress) -> list[Html]:
    """Return one line per tier, the one reached marked."""
    current = progress.price or progress.tier.price
    return [
        translator.t(
            locale,
            "groupbuy-tier-line",
            marker="▸" if tier.price == current else "·",
            units=tier.units,
            price=_money(translator, locale, tier.price),
        )
        for tier in progress.tiers
    ]


def progress_text(translator: Translator, progress: groupbuys.Progress, now: datetime) -> Html:
    """Return the group's progress message in the group buy's language."""
    locale = progress.locale

    def t(key: str, **args: str | int) -> Html:
        return translator.t(locale, key, **args)

    lines = [
        t("groupbuy-progress-title", title=progress.title(locale)),
        *tier_lines(translator, locale, progress),
        Html(""),
    ]
    if progress.status == "cancelled":
        lines.append(t("groupbuy-progress-cancelled", units=progress.units, min=progress.min_units))
        return Html("\n".join(lines))
    price = _money(translator, locale, progress.price or progress.tier.price)
    if progress.status in {"payment", "done"}:
        key = "groupbuy-progress-payment" if progress.status == "payment" else "groupbuy-progress-done"
        lines.append(t(key, price=price, paid=progress.paid_units, units=progress.units))
        if progress.status == "payment" and progress.waiting:
            lines.append(t("groupbuy-progress-waiting", waiting=progress.waiting))
        return Html("\n".join(lines))
    lines.append(
        t("groupbuy-progress-units", units=progress.units, people=progress.participants, price=price)
    )
    if progress.next_tier is not None:
        lines.append(
            t(
                "groupbuy-progress-next",
                missing=progress.next_tier.units - progress.units,
                price=_money(translator, locale, progress.next_tier.price),
            )
        )
    if progress.units < progress.min_units:
        lines.append(
            t(
                "groupbuy-progress-min-missing",
                missing=progress.min_units - progress.units,
                min=progress.min_units,
            )
        )
    else:
        lines.append(t("groupbuy-progress-min-reached", min=progress.min_units))
    if progress.full:
        lines.append(t("groupbuy-progress-full", waiting=progress.waiting))
    else:
        if progress.left is not None:
            lines.append(t("groupbuy-progress-left", left=progress.left))
        if progress.waiting:
            lines.append(t("groupbuy-progress-waiting", waiting=progress.waiting))
    lines.append(
        t(
            "groupbuy-progress-time-left",
            left=format_duration(max(progress.deadline - now, timedelta(0)), locale),
            deadline=_when(progress.deadline, locale),
        )
    )
    return Html("\n".join(lines))


def progress_keyboard(translator: Translator, progress: groupbuys.Progress) -> InlineKeyboardMarkup | None:
    """Return the progress message's buttons: join while open, and close early once it is full."""
    if progress.status != "open":
        return None
    locale = progress.locale
    rows = [[(translator.t(locale, "groupbuy-join-button"), f"gb:join:{progress.id}")]]
    if progress.full:
        rows.append([(translator.t(locale, "groupbuy-close-button"), f"gb:close:{progress.id}")])
    return keyboard(*rows)


async def show_progress(bot: Bot, services: Services, shown: list[groupbuys.Progress]) -> None:
    """Edit the progress messages in their groups; unpin them once the group buy is over."""
    now = services.clock.now()
    for progress in shown:
        if progress.message_id is None:
            continue
        try:
            await bot.edit_message_text(
                progress_text(services.translator, progress, now),
                chat_id=progress.chat_id,
                message_id=progress.message_id,
                reply_markup=progress_keyboard(services.translator, progress),
            )
        except BadRequest as error:
            if "not modified" not in str(error):
                log.warning("group buy %s: progress not edited: %s", progress.id, error)
        except Forbidden:
            log.info("group buy %s: the bot left the group", progress.id)
        if progress.status in {"done", "cancelled"}:
            with suppress(TelegramError):  # never pinned, or no rights any more
                await bot.unpin_chat_message(progress.chat_id, message_id=progress.message_id)


async def refresh(context: BotContext, group_buy_id: int) -> None:
    """Show a group buy's changes in its group now, unless it was edited a moment ago."""
    async with context.uow() as session:
        due = await groupbuys.due_renders(
            session, now=context.now, min_interval=EDIT_INTERVAL, group_buy_id=group_buy_id
        )
    await show_progress(context.bot, context.services, due)


async def catch_up(context: BotContext) -> None:
    """Show the progress held back to respect Telegram's edit limits (a job runs this)."""
    async with context.uow() as session:
        due = await groupbuys.due_renders(session, now=context.now, min_interval=EDIT_INTERVAL)
    await show_progress(context.bot, context.services, due)


async def tell(bot: Bot, services: Services, outcome: groupbuys.Outcome) -> list[int]:
    """Send the invoices and messages a change of a group buy brings, each in its person's language.

    Returns the people who blocked the bot, for the caller to mark in its unit of work.
    """
    translator, progress = services.translator, outcome.progress
    blocked: list[int] = []
    for notice in outcome.notices:
        text = translator.t(notice.locale, notice.key, title=progress.title(notice.locale), **notice.args)
        if not await _send(bot, notice.user_id, text):
            blocked.append(notice.user_id)
    for invitation in outcome.invitations:
        locale = invitation.locale
        key = "groupbuy-invoice-moved-up" if invitation.moved_up else "groupbuy-invoice-note"
        pay_by = _when(invitation.pay_by, locale)
        price = _money(translator, locale, progress.price or progress.tier.price)
        note = translator.t(locale, key, title=progress.title(locale), price=price, pay_by=pay_by)
        if not await _send(bot, invitation.user_id, note):
            blocked.append(invitation.user_id)
            continue
        await checkout_handlers.send_invoice(bot, services, locale, invitation.user_id, invitation.invoice)
    return blocked


async def _send(bot: Bot, user_id: int, text: str) -> bool:
    try:
        await bot.send_message(user_id, text)
    except Forbidden:
        return False
    return True


async def _tell(context: BotContext, outcome: groupbuys.Outcome) -> None:
    blocked = await tell(context.bot, context.services, outcome)
    if blocked:
        async with context.uow() as session:
            for user_id in blocked:
                await users.mark_blocked(session, user_id=user_id)


def _variant(context: BotContext, colour: str, size: str) -> str:
    shown = colours(context, [colour])
    return shown if size == "one size" else f"{shown} · {size}"


def _refusal(context: BotContext, refused: Refused) -> Html:
    return context.t(refused.reason_key, **refused.args_)


async def groupbuy_command(update: Update, context: BotContext) -> None:
    """/groupbuy in a group: pick one of the products with group-buy prices (or search among them)."""
    if (where := await opened(update, context)) is None:
        return
    message, _ = where
    if is_private(update):
        await message.reply_text(context.t("groupbuy-group-only"))
        return
    wanted = " ".join(context.args or []).strip()
    async with context.uow() as session:
        product_ids: list[int] | None = None
        if wanted:
            by_sku = await products.by_sku(session, sku=wanted)
            if by_sku is not None:
                product_ids = [by_sku]
            else:
                searcher = context.services.searcher
                query = parse(wanted, lexicon=searcher.lexicon, locale=context.locale)
                product_ids = [hit.product_id for hit in (await searcher.search(query, limit=50)).hits]
        offers = await groupbuys.offers(session, product_ids=product_ids)
        cards = [
            await products.card(session, product_id=offer.product_id, locale=context.locale)
            for offer in offers
        ]
    rows = [
        [
            (
                context.t(
                    "groupbuy-product-button",
                    title=card.title,
                    price=_money(context.services.translator, context.locale, offer.tiers[-1].price),
                ),
                f"gb:new:{offer.product_id}",
            )
        ]
        for offer, card in zip(offers, cards, strict=True)
        if card is not None
    ]
    if not rows:
        await message.reply_text(context.t("groupbuy-none-offered"))
        return
    await message.reply_text(context.t("groupbuy-pick-product"), reply_markup=keyboard(*rows))


async def pick_deadline(update: Update, context: BotContext) -> None:
    """Show the chosen product's tiers and ask how long the group buy runs."""
    query = update.callback_query
    assert query is not None and context.matches
    product_id = int(context.matches[0].group(1))
    async with context.uow() as session:
        found = await groupbuys.offers(session, product_ids=[product_id])
        card = await products.card(session, product_id=product_id, locale=context.locale)
    if not found or card is None:
        await query.answer(context.t("groupbuy-error-no-tiers"), show_alert=True)
        return
    await query.answer()
    offer = found[0]
    translator = context.services.translator
    tiers = [
        context.t(
            "groupbuy-tier-line",
            marker="·",
            units=tier.units,
            price=_money(translator, context.locale, tier.price),
        )
        for tier in offer.tiers
    ]
    text = context.t(
        "groupbuy-pick-deadline",
        title=card.title,
        tiers=Html("\n".join(tiers)),
        min=offer.min_units,
    )
    buttons = [
        (context.t("groupbuy-days", days=days), f"gb:open:{product_id}:{days}")
        for days in groupbuys.DEADLINE_DAYS
    ]
    await query.edit_message_text(text, reply_markup=keyboard(buttons))


async def open_group_buy(update: Update, context: BotContext) -> None:
    """Open the group buy: post its progress message into the group and pin it when allowed."""
    query = update.callback_query
    assert query is not None and context.matches and isinstance(query.message, Message)
    product_id, days = int(context.matches[0].group(1)), int(context.matches[0].group(2))
    chat_id = query.message.chat.id
    scope = await retailer_scope(context, query.from_user.id)
    try:
        async with context.uow() as session:
            # Only the product's own retailer opens a group buy in a group it is no member of.
            owner = await retailers.of_product(session, product_id=product_id)
            progress = await groupbuys.open(
                session,
                product_id=product_id,
                chat_id=chat_id,
                opened_by=query.from_user.id,
                by_retailer=scope is not None and scope.covers(owner),
                days=days,
                locale=context.locale,
                now=context.now,
            )
    except Refused as refused:
        await query.answer(_refusal(context, refused), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(
        context.t("groupbuy-opened", name=query.from_user.first_name, title=progress.title(context.locale))
    )
    sent = await context.bot.send_message(
        chat_id,
        progress_text(context.services.translator, progress, context.now),
        reply_markup=progress_keyboard(context.services.translator, progress),
    )
    try:
        pinned = await context.bot.pin_chat_message(chat_id, sent.message_id, disable_notification=True)
    except TelegramError:
        pinned = False  # the bot may not pin here; the message is there all the same
    async with context.uow() as session:
        await groupbuys.attach_message(
            session, group_buy_id=progress.id, message_id=sent.message_id, pinned=pinned, now=context.now
        )


async def _offer_choice(
    context: BotContext, group_buy_id: int, user_id: int
) -> tuple[Html, InlineKeyboardMarkup] | Html:
    """Return the private question what to join with: the variants in stock, or the quantities."""
    async with context.uow() as session:
        try:
            progress = await groupbuys.progress(session, group_buy_id=group_buy_id)
        except Refused as refused:
            return _refusal(context, refused)
        card = await products.card(session, product_id=progress.product_id, locale=context.locale)
        share = await groupbuys.mine(session, group_buy_id=group_buy_id, user_id=user_id)
    if progress.status != "open" or card is None:
        return context.t("groupbuy-error-closed")
    choices = [variant for variant in card.variants if variant.quantity > 0]
    if not choices:
        return context.t("groupbuy-sold-out", available=0)
    if len(choices) == 1:
        return _quantity_question(
            context, progress, choices[0].id, _variant(context, choices[0].colour, choices[0].size), share
        )
    buttons = [(_variant(context, v.colour, v.size), f"gb:v:{group_buy_id}:{v.id}") for v in choices]
    rows = [buttons[start : start + 3] for start in range(0, len(buttons), 3)]
    return context.t("groupbuy-pick-variant", title=progress.title(context.locale)), keyboard(*rows)


def _quantity_question(
    context: BotContext,
    progress: groupbuys.Progress,
    variant_id: int,
    variant: str,
    share: groupbuys.Share | None,
) -> tuple[Html, InlineKeyboardMarkup]:
    translator = context.services.translator
    next_tier = progress.next_tier
    text = context.t(
        "groupbuy-pick-quantity",
        title=progress.title(context.locale),
        variant=variant,
        price=_money(translator, context.locale, progress.tier.price),
        next=context.t(
            "groupbuy-pick-quantity-next",
            missing=next_tier.units - progress.units,
            price=_money(translator, context.locale, next_tier.price),
        )
        if next_tier is not None
        else "",
    )
    if share is not None and share.status == "joined":
        text = Html(text + "\n" + context.t("groupbuy-pick-quantity-now", quantity=share.quantity))
    buttons = [(str(n), f"gb:q:{progress.id}:{variant_id}:{n}") for n in QUANTITIES]
    return text, keyboard(buttons[:3], buttons[3:])


async def join_button(update: Update, context: BotContext) -> None:
    """Ask privately what to join with (a deep link to a private chat when there is none yet)."""
    query = update.callback_query
    assert query is not None and context.matches and query.message is not None
    group_buy_id = int(context.matches[0].group(1))
    question = await _offer_choice(context, group_buy_id, query.from_user.id)
    if isinstance(question, str):
        await query.answer(question, show_alert=True)
        return
    text, markup = question
    if is_private(update):
        await query.answer()
        await context.bot.send_message(query.from_user.id, text, reply_markup=markup)
        return
    try:
        await context.bot.send_message(query.from_user.id, text, reply_markup=markup)
    except Forbidden:
        link = f"https://t.me/{context.bot.username}?start={START_PREFIX}{group_buy_id}"
        await query.answer(context.t("groupbuy-start-privately"), show_alert=True, url=link)
        return
    await query.answer(context.t("groupbuy-written-privately"))


async def start_link(context: BotContext, message: Message, group_buy_id: int) -> None:
    """Answer /start gb<id> (from the group's join button): ask what to join with."""
    assert message.from_user is not None
    question = await _offer_choice(context, group_buy_id, message.from_user.id)
    if isinstance(question, str):
        await message.reply_text(question)
        return
    text, markup = question
    await message.reply_text(text, reply_markup=markup)


async def pick_quantity(update: Update, context: BotContext) -> None:
    """Ask how many units of the chosen variant."""
    query = update.callback_query
    assert query is not None and context.matches
    group_buy_id, variant_id = int(context.matches[0].group(1)), int(context.matches[0].group(2))
    async with context.uow() as session:
        try:
            progress = await groupbuys.progress(session, group_buy_id=group_buy_id)
        except Refused as refused:
            await query.answer(_refusal(context, refused), show_alert=True)
            return
        card = await products.card(session, product_id=progress.product_id, locale=context.locale)
        share = await groupbuys.mine(session, group_buy_id=group_buy_id, user_id=query.from_user.id)
    variant = next((v for v in card.variants if v.id == variant_id), None) if card else None
    if variant is None:
        await query.answer(context.t("groupbuy-error-unknown"), show_alert=True)
        return
    await query.answer()
    text, markup = _quantity_question(
        context, progress, variant_id, _variant(context, variant.colour, variant.size), share
    )
    await query.edit_message_text(text, reply_markup=markup)


def _share_keyboard(context: BotContext, group_buy_id: int) -> InlineKeyboardMarkup:
    return keyboard(
        [
            (context.t("groupbuy-change-button"), f"gb:join:{group_buy_id}"),
            (context.t("groupbuy-leave-button"), f"gb:leave:{group_buy_id}"),
        ]
    )


async def join(update: Update, context: BotContext) -> None:
    """Join (or change one's share) with the quantity; offer what is left or the waiting list when short."""
    query = update.callback_query
    assert query is not None and context.matches
    group_buy_id, variant_id, quantity = (int(context.matches[0].group(n)) for n in (1, 2, 3))
    try:
        async with context.uow() as session:
            outcome = await groupbuys.join(
                session,
                group_buy_id=group_buy_id,
                user_id=query.from_user.id,
                variant_id=variant_id,
                quantity=quantity,
                locale=context.locale,
                now=context.now,
            )
            share = await groupbuys.mine(session, group_buy_id=group_buy_id, user_id=query.from_user.id)
    except Refused as refused:
        if refused.reason_key != "groupbuy-sold-out":
            await query.answer(_refusal(context, refused), show_alert=True)
            return
        await query.answer()
        available = int(refused.args_.get("available", 0))
        buttons = [
            (
                context.t("groupbuy-queue-button", quantity=quantity),
                f"gb:wl:{group_buy_id}:{variant_id}:{quantity}",
            )
        ]
        if available > 0:
            buttons.insert(
                0,
                (
                    context.t("groupbuy-take-button", available=available),
                    f"gb:q:{group_buy_id}:{variant_id}:{available}",
                ),
            )
        await query.edit_message_text(_refusal(context, refused), reply_markup=keyboard(buttons))
        return
    await query.answer()
    assert share is not None
    progress = outcome.progress
    await query.edit_message_text(
        context.t(
            "groupbuy-joined",
            quantity=share.quantity,
            title=progress.title(context.locale),
            variant=_variant(context, share.colour, share.size),
            price=_money(context.services.translator, context.locale, progress.tier.price),
            deadline=_when(progress.deadline, context.locale),
        ),
        reply_markup=_share_keyboard(context, group_buy_id),
    )
    await _tell(context, outcome)
    await refresh(context, group_buy_id)


async def queue(update: Update, context: BotContext) -> None:
    """Put the person on the waiting list."""
    query = update.callback_query
    assert query is not None and context.matches
    group_buy_id, variant_id, quantity = (int(context.matches[0].group(n)) for n in (1, 2, 3))
    try:
        async with context.uow() as session:
            share = await groupbuys.queue(
                session,
                group_buy_id=group_buy_id,
                user_id=query.from_user.id,
                variant_id=variant_id,
                quantity=quantity,
                locale=context.locale,
                now=context.now,
            )
            progress = await groupbuys.progress(session, group_buy_id=group_buy_id)
    except Refused as refused:
        await query.answer(_refusal(context, refused), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(
        context.t(
            "groupbuy-queued",
            position=share.position or 1,
            quantity=share.quantity,
            title=progress.title(context.locale),
            variant=_variant(context, share.colour, share.size),
        ),
        reply_markup=keyboard([(context.t("groupbuy-leave-button"), f"gb:leave:{group_buy_id}")]),
    )
    await refresh(context, group_buy_id)


async def leave(update: Update, context: BotContext) -> None:
    """Leave the group buy (or its waiting list); the freed units move the waiting list up."""
    query = update.callback_query
    assert query is not None and context.matches
    group_buy_id = int(context.matches[0].group(1))
    try:
        async with context.uow() as session:
            outcome = await groupbuys.leave(
                session, group_buy_id=group_buy_id, user_id=query.from_user.id, now=context.now
            )
    except Refused as refused:
        await query.answer(_refusal(context, refused), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(context.t("groupbuy-left", title=outcome.progress.title(context.locale)))
    await _tell(context, outcome)
    await refresh(context, group_buy_id)


async def close_now(update: Update, context: BotContext) -> None:
    """The opener closes a full group buy before its deadline."""
    query = update.callback_query
    assert query is not None and context.matches
    group_buy_id = int(context.matches[0].group(1))
    try:
        async with context.uow() as session:
            outcome = await groupbuys.close(
                session,
                group_buy_id=group_buy_id,
                now=context.now,
                stars=context.services.payment_provider_token is None,
                by_user=query.from_user.id,
            )
    except Refused as refused:
        await query.answer(_refusal(context, refused), show_alert=True)
        return
    await query.answer()
    if outcome is not None:
        await _tell(context, outcome)
    await refresh(context, group_buy_id)


def _read_tiers_command(args: list[str]) -> tuple[str, str, int | None, int | None]:
    """Split "/tiers SKU 1-4:50 5-9:42 10+:35 min 5 max 20" into SKU, tiers text, minimum and maximum."""
    sku, rest = (args[0], " ".join(args[1:])) if args else ("", "")
    limits = {name.lower(): int(value) for name, value in LIMIT.findall(rest)}
    return sku, LIMIT.sub("", rest), limits.get("min"), limits.get("max")


async def tiers_command(update: Update, context: BotContext) -> None:
    """/tiers SKU TIERS [min N] [max M]: a retailer offers group-buy prices for one of its products."""
    if (where := await opened(update, context)) is None:
        return
    message, user = where
    if (scope := await retailer_scope(context, user.id)) is None:
        await message.reply_text(context.t("order-admin-only"))
        return
    sku, tiers_text, min_units, max_units = _read_tiers_command(context.args or [])
    if not sku or not tiers_text.strip():
        await message.reply_text(context.t("groupbuy-tiers-usage"))
        return
    try:
        async with context.uow() as session:
            product_id = await products.by_sku(session, sku=sku, retailer_id=scope.retailer_id)
            card = (
                await products.card(session, product_id=product_id, locale=context.locale)
                if product_id
                else None
            )
            if card is None:
                raise Refused("groupbuy-error-unknown-product", sku=sku)
            tiers = groupbuys.parse_tiers(tiers_text, currency=card.currency)
            offer = await groupbuys.set_offer(
                session,
                product_id=card.id,
                tiers=tiers,
                min_units=min_units or tiers[min(1, len(tiers) - 1)].units,
                max_units=max_units,
                by=user.id,
                now=context.now,
            )
    except Refused as refused:
        await message.reply_text(_refusal(context, refused))
        return
    translator = context.services.translator
    lines = [
        context.t(
            "groupbuy-tier-line",
            marker="·",
            units=tier.units,
            price=_money(translator, context.locale, tier.price),
        )
        for tier in offer.tiers
    ]
    await message.reply_text(
        context.t(
            "groupbuy-tiers-set",
            title=card.title,
            tiers=Html("\n".join(lines)),
            min=offer.min_units,
            max=context.t("groupbuy-tiers-max", max=offer.max_units) if offer.max_units else "",
        )
    )


def _summary_line(context: BotContext, progress: groupbuys.Progress) -> Html:
    price = progress.price or progress.tier.price
    return context.t(
        "groupbuys-line",
        id=str(progress.id),
        title=progress.title(context.locale),
        status=context.t(f"groupbuy-status-{progress.status}"),
        units=progress.units,
        people=progress.participants,
        price=_money(context.services.translator, context.locale, price),
    )


async def retailer_list(update: Update, context: BotContext) -> None:
    """/groupbuys for retailers: their newest group buys with their state, each with its participants."""
    if (where := await opened(update, context)) is None:
        return
    message, user = where
    if (scope := await retailer_scope(context, user.id)) is None:
        await message.reply_text(context.t("order-admin-only"))
        return
    async with context.uow() as session:
        found = await groupbuys.listing(session, retailer_id=scope.retailer_id)
    if not found:
        await message.reply_text(context.t("groupbuys-none"))
        return
    lines = [context.t("groupbuys-title"), "", *(_summary_line(context, item.progress) for item in found)]
    rows = [[(f"👥 #{item.progress.id}", f"gb:adm:{item.progress.id}")] for item in found[:10]]
    await message.reply_text(Html("\n".join(lines)), reply_markup=keyboard(*rows))


def share_state(context: BotContext, progress: groupbuys.Progress, share: groupbuys.Share) -> Html:
    """Say where a person's share stands: in, waiting, to pay, paid, or out."""

    def when(moment: datetime | None) -> str:
        return _when(moment, context.locale) if moment else ""

    if share.paid:
        return context.t("groupbuy-share-paid")
    if share.status == "joined" and progress.status == "payment":
        return context.t("groupbuy-share-to-pay", pay_by=when(share.pay_by))
    if share.status == "joined":
        return context.t("groupbuy-share-joined", deadline=when(progress.deadline))
    if share.status == "waiting":
        return context.t("groupbuy-share-waiting", position=share.position or 1)
    return context.t(f"groupbuy-share-{share.status}")


async def retailer_detail(update: Update, context: BotContext) -> None:
    """Show a retailer one group buy with every participant and where their share stands."""
    query = update.callback_query
    assert query is not None and context.matches and query.message is not None
    scope = await retailer_scope(context, query.from_user.id)
    if scope is None:
        await query.answer(context.t("order-admin-only"), show_alert=True)
        return
    group_buy_id = int(context.matches[0].group(1))
    async with context.uow() as session:
        try:
            progress = await groupbuys.progress(session, group_buy_id=group_buy_id)
            if not scope.covers(await retailers.of_product(session, product_id=progress.product_id)):
                raise Refused("groupbuy-error-unknown")
        except Refused as refused:
            await query.answer(_refusal(context, refused), show_alert=True)
            return
        shares = await groupbuys.shares(session, group_buy_id=group_buy_id)
        names = {share.user_id: await users.get(session, user_id=share.user_id) for share in shares}
    await query.answer()
    lines = [_summary_line(context, progress), ""]
    lines += [
        context.t(
            "groupbuy-participant-line",
            name=person.first_name if (person := names.get(share.user_id)) else "?",
            quantity=share.quantity,
            variant=_variant(context, share.colour, share.size),
            state=share_state(context, progress, share),
        )
        for share in shares
    ] or [context.t("groupbuy-no-participants")]
    await context.bot.send_message(query.message.chat.id, Html("\n".join(lines)))


def register(app: App) -> None:
    """Install /groupbuy, /tiers, /groupbuys and the group-buy buttons."""
    app.add_handler(CommandHandler("groupbuy", groupbuy_command))
    app.add_handler(CommandHandler("tiers", tiers_command))
    app.add_handler(CommandHandler("groupbuys", retailer_list))
    app.add_handler(CallbackQueryHandler(pick_deadline, pattern=r"^gb:new:(\d+)$"))
    app.add_handler(CallbackQueryHandler(open_group_buy, pattern=r"^gb:open:(\d+):(\d+)$"))
    app.add_handler(CallbackQueryHandler(join_button, pattern=r"^gb:join:(\d+)$"))
    app.add_handler(CallbackQueryHandler(pick_quantity, pattern=r"^gb:v:(\d+):(\d+)$"))
    app.add_handler(CallbackQueryHandler(join, pattern=r"^gb:q:(\d+):(\d+):(\d+)$"))
    app.add_handler(CallbackQueryHandler(queue, pattern=r"^gb:wl:(\d+):(\d+):(\d+)$"))
    app.add_handler(CallbackQueryHandler(leave, pattern=r"^gb:leave:(\d+)$"))
    app.add_handler(CallbackQueryHandler(close_now, pattern=r"^gb:close:(\d+)$"))
    app.add_handler(CallbackQueryHandler(retailer_detail, pattern=r"^gb:adm:(\d+)$"))
