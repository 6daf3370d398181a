"""Runs before every other handler: accepts each update once and sets the user's language."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from core import updates
from handlers import fallback, votes
from handlers.common import App, chat_of, person_of
from handlers.context import BotContext

GROUP = -1
NUMBER = re.compile(r"\d+")
# Ids are signed 64-bit integers: a larger number comes from no button or inline result the bot made.
MAX_ID = 2**63 - 1


async def accept(update: Update, context: BotContext) -> None:
    """Drop a redelivered update; remember the sender and pick their language."""
    member = update.chat_member
    person = person_of(member.new_chat_member.user if member is not None else update.effective_user)
    async with context.uow(alone=True) as session:
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
    if not _made_by_the_bot(update):
        await fallback.outdated_button(update, context)
        raise ApplicationHandlerStop


def well_formed(update: Update) -> bool:
    """Tell whether the ids and texts that are stored and read are there with the Bot API's types.

    Telegram never sends anything else; the webhook refuses other bodies, since it checks no more than the
    secret (and SQLite would even store a text where an id belongs).
    """
    member = update.chat_member
    if member is not None and member.new_chat_member is None:
        return False
    user = member.new_chat_member.user if member is not None else update.effective_user
    chat, message = update.effective_chat, update.effective_message
    ids: list[object] = [update.update_id]
    texts: list[object] = []  # each a string
    optional: list[object] = []  # each a string or None
    if user is not None:
        ids.append(user.id)
        texts.append(user.first_name)
        optional += [user.last_name, user.username, user.language_code]
    if chat is not None:
        ids.append(chat.id)
        texts.append(chat.type)
        optional.append(chat.title)
    if message is not None:
        ids += [message.message_id, message.chat.id if message.chat is not None else None]
        optional += [message.text, message.caption]
        # Command handlers slice the text by the first entity's length.
        entities = (*message.entities, *message.caption_entities)
        ids += [number for entity in entities for number in (entity.offset, entity.length)]
        texts += [entity.type for entity in entities]
    query, inline, chosen = update.callback_query, update.inline_query, update.chosen_inline_result
    payments = [payment for payment in (update.pre_checkout_query, update.shipping_query) if payment]
    asked = [asking for asking in (query, inline, chosen, *payments) if asking is not None]
    if any(asking.from_user is None for asking in asked):
        return False
    shipping = update.shipping_query
    if shipping is not None:
        if shipping.shipping_address is None:
            return False
        texts.append(shipping.shipping_address.country_code)
    if query is not None:
        texts.append(query.id)
        optional.append(query.data)
    texts += [inline.id, inline.query, inline.offset] if inline else []
    texts += [chosen.result_id] if chosen else []
    texts += [text for payment in payments for text in (payment.id, payment.invoice_payload)]
    return (
        all(type(value) is int and abs(value) <= MAX_ID for value in ids)
        and all(isinstance(value, str) for value in texts)
        and all(value is None or isinstance(value, str) for value in optional)
    )


def _made_by_the_bot(update: Update) -> bool:
    """Tell whether a press's data or a chosen inline result's id can be what the bot put there.

    Neither is proof of anything (a modified client sends what it likes), so handlers still check every
    right; this only keeps out what cannot be an id, and buttons on messages that never carry them.
    """
    query, chosen = update.callback_query, update.chosen_inline_result
    if query is not None:
        data = query.data or ""
        return ids_fit(data) and (query.message is not None or bool(votes.VOTE.match(data)))
    return chosen is None or ids_fit(chosen.result_id)


def ids_fit(text: str) -> bool:
    """Tell whether every number in the text could be an id."""
    return all(int(number) <= MAX_ID for number in NUMBER.findall(text))


def register(app: App) -> None:
    """Install the update gate in front of every feature handler."""
    app.add_handler(TypeHandler(Update, accept), group=GROUP)
