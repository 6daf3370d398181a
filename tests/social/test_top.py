"""What a group liked, wished and bought this week."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from bot.db import metadata
from core import chats
from core.clock import Clock
from core.db import Database
from social import top, votes
from tests.social.conftest import ANNA, BEN, CEM, CLUB, DORA, WG, Friends, buy


def _wg(message_id: int) -> votes.PostRef:
    return votes.PostRef.message(chat_id=WG, message_id=message_id)


async def test_the_week_counts_the_groups_members_and_this_week_only(
    db: Database, friends: Friends, clock: Clock
) -> None:
    first, second, third, fourth = friends.products[:4]
    now = clock.now()
    async with db.unit_of_work() as session:
        for message_id, product, chat_id in ((1, first, WG), (2, second, WG), (3, third, CLUB)):
            await votes.share(
                session,
                post=votes.PostRef.message(chat_id=chat_id, message_id=message_id),
                product_id=product,
                shared_by=ANNA,
                now=now - timedelta(days=9),
            )
        await votes.vote(session, post=_wg(1), user_id=ANNA, value=1, now=now)
        await votes.vote(session, post=_wg(2), user_id=ANNA, value=1, now=now)
        await votes.vote(session, post=_wg(2), user_id=BEN, value=1, now=now)
        await votes.vote(session, post=_wg(2), user_id=CEM, value=-1, now=now)
        await votes.vote(session, post=_wg(1), user_id=CEM, value=1, now=now - timedelta(days=8))
        await votes.vote(
            session, post=votes.PostRef.message(chat_id=CLUB, message_id=3), user_id=DORA, value=1, now=now
        )
        await buy(session, user_id=BEN, product_id=third, now=now, quantity=2)
        await buy(session, user_id=CEM, product_id=fourth, now=now)
        await buy(session, user_id=CEM, product_id=first, now=now, status="refunded")
        await buy(session, user_id=DORA, product_id=first, now=now)
        await buy(session, user_id=ANNA, product_id=second, now=now - timedelta(days=8))
        # Cem leaves: what he did no longer speaks for the group.
        await chats.set_membership(session, chat_id=WG, user_id=CEM, status="left", now=now)
        week = await top.week(session, chat_id=WG, now=now)

    assert week.liked == [top.Entry(second, 2), top.Entry(first, 1)]
    assert week.bought == [top.Entry(third, 2)]


async def test_wishes_of_members_this_week_count_when_wishlists_exist(
    db: Database, friends: Friends, clock: Clock
) -> None:
    table = metadata.tables["wishlist_items"]
    first, second = friends.products[:2]
    now = clock.now()
    lists = metadata.tables["wishlists"]
    async with db.unit_of_work() as session:
        for user_id in (ANNA, BEN, DORA):
            await session.execute(
                insert(metadata.tables["wishlists"]).values(owner_id=user_id, created_at=now)
            )
        owned = {
            owner: list_id for owner, list_id in await session.execute(select(lists.c.owner_id, lists.c.id))
        }
        for user_id, product, at in (
            (ANNA, first, now),
            (BEN, first, now),
            (BEN, second, now),
            (DORA, second, now),
            (ANNA, second, now - timedelta(days=8)),
        ):
            await session.execute(
                insert(table).values(
                    wishlist_id=owned[user_id],
                    product_id=product,
                    quantity=1,
                    priority=1,
                    added_by=user_id,
                    added_at=at,
                    in_stock=True,
                )
            )
        week = await top.week(session, chat_id=WG, now=now)
    assert week.wished == [top.Entry(first, 2), top.Entry(second, 1)]
