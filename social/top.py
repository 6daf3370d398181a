"""What a group liked this week (``/top``): most 👍 on cards shared in it, most wished, most bought.

Everything counts only the group's current members and the last seven days. "Most wished" reads the
wishlist items that current members added this week (``wishlist_items``: ``product_id``, ``added_by``,
``added_at``) when wishlists are part of the schema; without them the part is left out (``wished`` is
None). "Most bought" counts the units
of the members' orders that were not cancelled or refunded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from core import chats
from core.db import Base, Session
from orders.models import Order, OrderLine
from social.votes import PostVote, ProductPost

WEEK = timedelta(days=7)
LISTED = 5
NOT_BOUGHT = ("cancelled", "refunded")


@dataclass(frozen=True, slots=True)
class Entry:
    """A product and how often the group chose it."""

    product_id: int
    count: int


@dataclass(frozen=True, slots=True)
class Top:
    """The group's week: most liked, most wished (None when there are no wishlists), most bought."""

    liked: list[Entry]
    wished: list[Entry] | None
    bought: list[Entry]


async def week(session: Session, *, chat_id: int, now: datetime, limit: int = LISTED) -> Top:
    """Summarise what the group's members liked, wished and bought in the seven days before ``now``."""
    members = await chats.member_ids(session, chat_id=chat_id)
    since = now - WEEK
    likes = func.count()
    liked = await session.execute(
        select(ProductPost.product_id, likes)
        .join(PostVote, PostVote.post_id == ProductPost.id)
        .where(
            ProductPost.chat_id == chat_id,
            PostVote.value > 0,
            PostVote.voted_at >= since,
            PostVote.user_id.in_(members),
        )
        .group_by(ProductPost.product_id)
        .order_by(likes.desc(), ProductPost.product_id)
        .limit(limit)
    )
    units = func.sum(OrderLine.quantity)
    bought = await session.execute(
        select(OrderLine.product_id, units)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.user_id.in_(members),
            Order.created_at >= since,
            Order.status.not_in(NOT_BOUGHT),
            OrderLine.product_id.is_not(None),
        )
        .group_by(OrderLine.product_id)
        .order_by(units.desc(), OrderLine.product_id)
        .limit(limit)
    )
    return Top(
        liked=_entries(liked),
        wished=await _wished(session, members=members, since=since, limit=limit),
        bought=_entries(bought),
    )


async def _wished(session: Session, *, members: list[int], since: datetime, limit: int) -> list[Entry] | None:
    table = Base.metadata.tables.get("wishlist_items")
    if table is None or not {"product_id", "added_by", "added_at"} <= set(table.c.keys()):
        return None
    product, adder, added = table.c.product_id, table.c.added_by, table.c.added_at
    wishes = func.count()
    rows = await session.execute(
        select(product, wishes)
        .where(adder.in_(members), added >= since)
        .group_by(product)
        .order_by(wishes.desc(), product)
        .limit(limit)
    )
    return _entries(rows)


def _entries(rows: Any) -> list[Entry]:
    return [Entry(product_id, int(count)) for product_id, count in rows]
