"""Reviews behind a card: read them friends first, report one, and the retailers' moderation queue."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from core.i18n import Html
from handlers.common import App, opened, retailer_scope
from handlers.context import BotContext
from social import reviews
from social.errors import Refused

REASONS = ("insult", "spam", "wrong")
BUTTONS_PER_ROW = 3
QUEUE_LIMIT = 10


def _markup(buttons: list[InlineKeyboardButton]) -> InlineKeyboardMarkup | None:
    """Return the buttons in rows, or None when there are none (Telegram refuses an empty keyboard)."""
    if not buttons:
        return None
    rows = [buttons[start : start + BUTTONS_PER_ROW] for start in range(0, len(buttons), BUTTONS_PER_ROW)]
    return InlineKeyboardMarkup(rows)


def _line(context: BotContext, number: int, review: reviews.ProductReview) -> Html:
    if review.text:
        return context.t(
            "reviews-line", number=number, stars=review.stars, name=review.first_name, text=review.text
        )
    return context.t("reviews-line-stars", number=number, stars=review.stars, name=review.first_name)


def _reviews_view(
    context: BotContext, rating: reviews.RatingSummary, *, viewer_id: int
) -> tuple[Html, InlineKeyboardMarkup | None]:
    """Return the visible reviews, friends' first, with a report button for each review by someone else."""
    lines: list[str] = [context.t("reviews-title")]
    listed = [*rating.friends_reviews, *rating.others]
    for header, part, start in (
        ("reviews-friends", rating.friends_reviews, 1),
        ("reviews-others", rating.others, len(rating.friends_reviews) + 1),
    ):
        if part:
            lines += ["", context.t(header)]
            lines += [_line(context, number, review) for number, review in enumerate(part, start=start)]
    if not listed:
        lines.append(context.t("reviews-none"))
    report = [
        InlineKeyboardButton(
            context.t("reviews-report-button", number=number), callback_data=f"rvr:{review.id}"
        )
        for number, review in enumerate(listed, start=1)
        if review.user_id != viewer_id
    ]
    return Html("\n".join(lines)), _markup(report)


def _queue_view(
    context: BotContext, queue: list[reviews.ReportedReview]
) -> tuple[Html, InlineKeyboardMarkup | None]:
    """Return the reported reviews, most reported first, with a hide button for each."""
    lines = [context.t("reviews-queue-title"), ""]
    for number, item in enumerate(queue, start=1):
        reasons = ", ".join(
            context.t(f"review-reason-{reason}") if reason in REASONS else reason for reason in item.reasons
        )
        lines += [
            _line(context, number, item.review),
            context.t("reviews-queue-reports", reports=item.reports, reasons=reasons),
        ]
    if not queue:
        lines.append(context.t("reviews-queue-empty"))
    hide = [
        InlineKeyboardButton(
            context.t("reviews-hide-button", number=number), callback_data=f"rvh:{item.review.id}"
        )
        for number, item in enumerate(queue, start=1)
    ]
    return Html("\n".join(lines)), _markup(hide)


async def show(update: Update, context: BotContext) -> None:
    """Send the product's visible reviews, friends first, each with a report button."""
    where = await opened(update, context)
    if where is None or not context.matches:
        return
    message, user = where
    async with context.uow() as session:
        rating = await reviews.summary(
            session, product_id=int(context.matches[0].group(1)), viewer_id=user.id
        )
    text, markup = _reviews_view(context, rating, viewer_id=user.id)
    await message.reply_text(text, reply_markup=markup)


async def ask_reason(update: Update, context: BotContext) -> None:
    """Ask why the review is reported, with a short fixed list of reasons."""
    where = await opened(update, context)
    if where is None or not context.matches:
        return
    message, _ = where
    review_id = int(context.matches[0].group(1))
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    context.t(f"review-reason-{reason}"), callback_data=f"rvr:{review_id}:{reason}"
                )
            ]
            for reason in REASONS
        ]
    )
    await message.reply_text(context.t("reviews-report-ask"), reply_markup=markup)


async def report(update: Update, context: BotContext) -> None:
    """Report the review with the chosen reason and thank the reporter."""
    query = update.callback_query
    assert query is not None and context.matches
    try:
        async with context.uow() as session:
            new = await reviews.report(
                session,
                review_id=int(context.matches[0].group(1)),
                reporter_id=query.from_user.id,
                reason=context.matches[0].group(2),
                now=context.now,
            )
    except Refused as refused:
        await query.answer(context.t(refused.reason_key, **refused.args_), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(context.t("reviews-reported" if new else "reviews-reported-before"))


async def queue(update: Update, context: BotContext) -> None:
    """Show a retailer the reported reviews of its orders that are still visible (/reviews)."""
    where = await opened(update, context, private_only="reviews-queue-private-only")
    if where is None:
        return
    message, user = where
    if (scope := await retailer_scope(context, user.id)) is None:
        await message.reply_text(context.t("reviews-retailers-only"))
        return
    async with context.uow() as session:
        listed = await reviews.reported(session, limit=QUEUE_LIMIT, retailer_id=scope.retailer_id)
    text, markup = _queue_view(context, listed)
    await message.reply_text(text, reply_markup=markup)


async def hide(update: Update, context: BotContext) -> None:
    """Hide the reported review from every card and show the rest of the queue."""
    query = update.callback_query
    assert query is not None and context.matches
    scope = await retailer_scope(context, query.from_user.id)
    if scope is None:
        await query.answer(context.t("reviews-retailers-only"), show_alert=True)
        return
    review_id = int(context.matches[0].group(1))
    try:
        async with context.uow() as session:
            if not scope.covers_all(await reviews.retailer_ids(session, review_id=review_id)):
                raise Refused("review-error-unknown")
            new = await reviews.hide(
                session, review_id=review_id, by=f"retailer:{query.from_user.id}", now=context.now
            )
            listed = await reviews.reported(session, limit=QUEUE_LIMIT, retailer_id=scope.retailer_id)
    except Refused as refused:
        await query.answer(context.t(refused.reason_key, **refused.args_), show_alert=True)
        return
    await query.answer(context.t("reviews-hidden" if new else "reviews-hidden-before"))
    text, markup = _queue_view(context, listed)
    await query.edit_message_text(text, reply_markup=markup)


def register(app: App) -> None:
    """Install the reviews button of the card, reporting, and the retailers' /reviews queue."""
    app.add_handler(CallbackQueryHandler(show, pattern=r"^rv:(\d+)$"))
    app.add_handler(CallbackQueryHandler(ask_reason, pattern=r"^rvr:(\d+)$"))
    app.add_handler(CallbackQueryHandler(report, pattern=rf"^rvr:(\d+):({'|'.join(REASONS)})$"))
    app.add_handler(CommandHandler("reviews", queue))
    app.add_handler(CallbackQueryHandler(hide, pattern=r"^rvh:(\d+)$"))
