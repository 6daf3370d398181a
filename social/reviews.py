"""Product ratings that know your friends, and keeping reviews clean.

Reviews are written for orders (``orders.fulfilment``), so every one comes from a verified buyer. A
product's reviews are the reviews of the received orders that contain it. Friends-first rule: the viewer's
friends are the people who share at least one group with them in which both are still members (creator,
administrator, member or restricted); leaving a group ends that friendship for ratings and for
recommendations alike. Reviews of friends are summarised and listed before everyone else's. Anyone can
report a review; a retailer or an admin (the caller checks who) can hide it, and hidden reviews count
nowhere.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint, exists, func, select, update
from sqlalchemy.orm import Mapped, aliased, mapped_column

from core import privacy
from core.chats import ACTIVE_STATUSES, Membership
from core.db import AutoId, Base, Session, UTCDateTime, upsert
from core.users import User
from orders import states
from orders.fulfilment import STAFF_ACTOR, STAFF_ERASED, Review
from orders.models import Order, OrderLine
from social.errors import Refused

REASON_MAX = 200
LISTED = 5
ONE_DECIMAL = Decimal("0.1")


class ReviewReport(Base):
    """Someone's report that a review is inappropriate; one per review and person."""

    __tablename__ = "review_reports"
    __table_args__ = (UniqueConstraint("review_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HiddenReview(Base):
    """A review a retailer or admin took off the product cards."""

    __tablename__ = "hidden_reviews"

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    hidden_by: Mapped[str] = mapped_column(String(64))
    hidden_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True, slots=True)
class ProductReview:
    """A buyer's rating of a product, with the buyer's first name."""

    id: int
    user_id: int
    first_name: str
    stars: int
    text: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RatingSummary:
    """A product's ratings for one viewer: friends' first, then all buyers' (friends included)."""

    friends_count: int
    friends_average: Decimal | None
    all_count: int
    all_average: Decimal | None
    friends_reviews: list[ProductReview]
    others: list[ProductReview]


@dataclass(frozen=True, slots=True)
class ReportedReview:
    """A visible review that was reported, for whoever moderates."""

    review: ProductReview
    reports: int
    reasons: list[str]


# Two sides of a shared group; aliasing a table builds new columns, so it is done once.
_MINE, _THEIRS = aliased(Membership), aliased(Membership)


async def friend_ids(session: Session, *, user_id: int, among: Collection[int] | None = None) -> set[int]:
    """Return the people sharing an active group membership with the user (optionally only ``among``)."""
    query = (
        select(_THEIRS.user_id)
        .join(_MINE, _MINE.chat_id == _THEIRS.chat_id)
        .where(
            _MINE.user_id == user_id,
            _MINE.status.in_(ACTIVE_STATUSES),
            _THEIRS.status.in_(ACTIVE_STATUSES),
            _THEIRS.user_id != user_id,
        )
        .distinct()
    )
    if among is not None:
        query = query.where(_THEIRS.user_id.in_(among))
    return set(await session.scalars(query))


async def summary(session: Session, *, product_id: int, viewer_id: int, limit: int = LISTED) -> RatingSummary:
    """Summarise a product's visible ratings for the viewer, friends first; list up to ``limit`` of each."""
    reviews = await _visible(session, product_id)
    # Most products have no reviews yet: then there is nobody to look for among the viewer's friends.
    friends = (
        await friend_ids(session, user_id=viewer_id, among={review.user_id for review in reviews})
        if reviews
        else set()
    )
    by_friends = [review for review in reviews if review.user_id in friends]
    return RatingSummary(
        friends_count=len(by_friends),
        friends_average=_average(by_friends),
        all_count=len(reviews),
        all_average=_average(reviews),
        friends_reviews=by_friends[:limit],
        others=[review for review in reviews if review.user_id not in friends][:limit],
    )


async def report(session: Session, *, review_id: int, reporter_id: int, reason: str, now: datetime) -> bool:
    """Report a review with a short reason; False if this person had reported it already."""
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        raise Refused("review-report-error-reason", max=REASON_MAX)
    author = await session.scalar(select(Review.user_id).where(Review.id == review_id))
    if author is None:
        raise Refused("review-error-unknown")
    if author == reporter_id:
        raise Refused("review-report-error-own")
    return bool(
        await upsert(
            session,
            ReviewReport.__table__,
            {"review_id": review_id, "reporter_id": reporter_id, "reason": reason, "created_at": now},
            conflict=["review_id", "reporter_id"],
        )
    )


async def hide(session: Session, *, review_id: int, by: str, now: datetime) -> bool:
    """Hide a review from every card (``by`` names the retailer or admin); False if it was hidden already."""
    if await session.scalar(select(Review.id).where(Review.id == review_id)) is None:
        raise Refused("review-error-unknown")
    return bool(
        await upsert(
            session,
            HiddenReview.__table__,
            {"review_id": review_id, "hidden_by": by[:64], "hidden_at": now},
            conflict=["review_id"],
        )
    )


async def reported(
    session: Session, *, limit: int = 20, retailer_id: int | None = None
) -> list[ReportedReview]:
    """Return the visible reviews that were reported, most reported first (of ``retailer_id``'s orders)."""
    reports = func.count(ReviewReport.id)
    query = (
        select(ReviewReport.review_id, reports)
        .where(~exists().where(HiddenReview.review_id == ReviewReport.review_id))
        .group_by(ReviewReport.review_id)
        .order_by(reports.desc(), ReviewReport.review_id)
        .limit(limit)
    )
    if retailer_id is not None:
        owned = select(Review.id).join(Order, Order.id == Review.order_id).where(states.owned_by(retailer_id))
        query = query.where(ReviewReport.review_id.in_(owned))
    rows = await session.execute(query)
    counts = {review_id: count for review_id, count in rows}
    reasons: dict[int, list[str]] = {}
    for review_id, reason in await session.execute(
        select(ReviewReport.review_id, ReviewReport.reason)
        .where(ReviewReport.review_id.in_(counts))
        .order_by(ReviewReport.created_at, ReviewReport.id)
    ):
        reasons.setdefault(review_id, []).append(reason)
    reviews = {review.id: review for review in await _reviews(session, Review.id.in_(counts))}
    return [
        ReportedReview(reviews[review_id], count, reasons[review_id]) for review_id, count in counts.items()
    ]


async def retailer_ids(session: Session, *, review_id: int) -> set[int]:
    """Return the retailers the reviewed order belongs to (who may hide the review)."""
    order_id = await session.scalar(select(Review.order_id).where(Review.id == review_id))
    if order_id is None:
        raise Refused("review-error-unknown")
    return await states.retailer_ids(session, order_id=order_id)


async def _visible(session: Session, product_id: int) -> list[ProductReview]:
    bought = exists().where(OrderLine.order_id == Review.order_id, OrderLine.product_id == product_id)
    hidden = exists().where(HiddenReview.review_id == Review.id)
    return await _reviews(session, bought & ~hidden)


async def _reviews(session: Session, condition: Any) -> list[ProductReview]:
    rows = await session.execute(
        select(Review.id, Review.user_id, User.first_name, Review.stars, Review.text, Review.created_at)
        .join(User, User.id == Review.user_id)
        .where(condition)
        .order_by(Review.created_at.desc(), Review.id.desc())
    )
    return [ProductReview(*row) for row in rows]


def _average(reviews: list[ProductReview]) -> Decimal | None:
    if not reviews:
        return None
    total = Decimal(sum(review.stars for review in reviews))
    return (total / len(reviews)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@privacy.section("review_reports")
async def _export(session: Session, user_id: int) -> Any:
    rows = await session.execute(
        select(ReviewReport.review_id, ReviewReport.reason, ReviewReport.created_at)
        .where(ReviewReport.reporter_id == user_id)
        .order_by(ReviewReport.created_at)
    )
    return [
        {"review_id": review_id, "reason": reason, "at": at.isoformat()} for review_id, reason, at in rows
    ]


@privacy.eraser("review_moderation")
async def _erase(session: Session, user_id: int, now: datetime) -> None:
    # A review stays hidden when the staff member who hid it erases their data; only their name goes.
    await session.execute(
        update(HiddenReview)
        .where(HiddenReview.hidden_by == STAFF_ACTOR.format(user_id=user_id))
        .values(hidden_by=STAFF_ERASED)
    )


@privacy.section("reviews_hidden")
async def _export_hidden(session: Session, user_id: int) -> Any:
    rows = await session.execute(
        select(HiddenReview.review_id, HiddenReview.hidden_at)
        .where(HiddenReview.hidden_by == STAFF_ACTOR.format(user_id=user_id))
        .order_by(HiddenReview.hidden_at)
    )
    return [{"review_id": review_id, "at": at.isoformat()} for review_id, at in rows]
