"""Wishlists: gifts stay a surprise for the owner, one unit goes to one member, alerts come once per
change, and only members of the right group see a list."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, insert, select

from catalog import prices
from catalog.models import Product, Stock, Store, Variant
from core import chats, privacy
from core.clock import Clock
from core.db import Database, Session
from social import wishlists
from social.errors import Refused
from tests.social.conftest import ANNA, BEN, CEM, DORA, EVA, WG, Friends


async def _birthday_list(
    db: Database, friends: Friends, clock: Clock, *, quantity: int = 2
) -> tuple[int, int]:
    """Give Anna a wishlist shared into the WG with one item; return the wishlist's and the item's id."""
    async with db.unit_of_work() as session:
        wishlist = await wishlists.personal(session, user_id=ANNA, now=clock.now())
        item = await wishlists.add_item(
            session,
            wishlist_id=wishlist.id,
            user_id=ANNA,
            product_id=friends.products[0],
            quantity=quantity,
            priority=1,
            note="Größe M bitte",
            now=clock.now(),
        )
        await wishlists.share(
            session,
            wishlist_id=wishlist.id,
            user_id=ANNA,
            chat_id=WG,
            title=" Annas  Geburtstag ",
            now=clock.now(),
        )
    return wishlist.id, item.id


async def _set_stock(session: Session, *, product_id: int, quantity: int) -> None:
    """Give every variant of the product ``quantity`` units in the first store, nothing elsewhere."""
    variants = list(await session.scalars(select(Variant.id).where(Variant.product_id == product_id)))
    store = await session.scalar(select(Store.id).order_by(Store.id).limit(1))
    await session.execute(delete(Stock).where(Stock.variant_id.in_(variants)))
    await session.execute(
        insert(Stock),
        [{"store_id": store, "variant_id": variant, "quantity": quantity} for variant in variants],
    )


async def test_the_owner_never_sees_claims(db: Database, friends: Friends, clock: Clock) -> None:
    wishlist_id, item_id = await _birthday_list(db, friends, clock)
    async with db.unit_of_work() as session:
        before = await wishlists.view(session, wishlist_id=wishlist_id, viewer_id=ANNA)
        await wishlists.claim(session, item_id=item_id, user_id=BEN, now=clock.now())
        await wishlists.claim(session, item_id=item_id, user_id=CEM, now=clock.now())
        after = await wishlists.view(session, wishlist_id=wishlist_id, viewer_id=ANNA)
        ben = await wishlists.view(session, wishlist_id=wishlist_id, viewer_id=BEN)
        for refused_action in (
            wishlists.claim(session, item_id=item_id, user_id=ANNA, now=clock.now()),
            wishlists.release(session, item_id=item_id, user_id=ANNA),
        ):
            with pytest.raises(Refused) as refused:
                await refused_action
            assert refused.value.reason_key == "wishlist-error-own-wishlist"

    assert after == before, "a claim changes nothing in the owner's view"
    assert after.is_owner and [item.claims for item in after.items] == [None]
    assert "claim" not in repr(asdict(after)).replace("'claims': None", "")
    assert after.shares == (wishlists.Share(chat_id=WG, title="Annas Geburtstag"),)
    assert after.items[0].note == "Größe M bitte" and after.items[0].quantity == 2

    assert not ben.is_owner
    assert ben.items[0].claims == wishlists.Claims(claimed=2, by_you=1, claimer_ids=(BEN, CEM))


async def test_two_members_claiming_the_last_unit_at_once_leave_one_claim(
    db: Database, friends: Friends, clock: Clock
) -> None:
    _, item_id = await _birthday_list(db, friends, clock, quantity=1)

    async def claim(user_id: int) -> wishlists.Claims | Refused:
        try:
            async with db.unit_of_work() as session:
                return await wishlists.claim(session, item_id=item_id, user_id=user_id, now=clock.now())
        except Refused as refused:
            return refused

    results = await asyncio.gather(claim(BEN), claim(CEM))
    won = [result for result in results if isinstance(result, wishlists.Claims)]
    lost = [result for result in results if isinstance(result, Refused)]
    assert len(won) == 1 and won[0].claimed == 1 and won[0].by_you == 1
    assert len(lost) == 1 and lost[0].reason_key == "wishlist-error-all-claimed"
    async with db.unit_of_work() as session:
        units = list(await session.scalars(select(wishlists.WishlistClaim.unit)))
    assert units == [1]


async def test_two_members_claiming_two_units_at_once_get_one_each(
    db: Database, friends: Friends, clock: Clock
) -> None:
    _, item_id = await _birthday_list(db, friends, clock, quantity=2)

    async def claim(user_id: int) -> wishlists.Claims:
        async with db.unit_of_work() as session:
            return await wishlists.claim(session, item_id=item_id, user_id=user_id, now=clock.now())

    results = await asyncio.gather(claim(BEN), claim(CEM))
    assert sorted(result.claimed for result in results) == [1, 2]
    async with db.unit_of_work() as session:
        units = sorted(await session.scalars(select(wishlists.WishlistClaim.unit)))
    assert units == [1, 2]


async def test_a_claimer_releases_and_the_unit_is_free_again(
    db: Database, friends: Friends, clock: Clock
) -> None:
    _, item_id = await _birthday_list(db, friends, clock, quantity=1)
    async with db.unit_of_work() as session:
        await wishlists.claim(session, item_id=item_id, user_id=BEN, now=clock.now())
        with pytest.raises(Refused) as refused:
            await wishlists.release(session, item_id=item_id, user_id=CEM)
        assert refused.value.reason_key == "wishlist-error-not-claimed"
        released = await wishlists.release(session, item_id=item_id, user_id=BEN)
        assert released == wishlists.Claims(claimed=0, by_you=0, claimer_ids=())
        claimed = await wishlists.claim(session, item_id=item_id, user_id=CEM, now=clock.now())
    assert claimed == wishlists.Claims(claimed=1, by_you=1, claimer_ids=(CEM,))


async def test_only_members_of_a_group_it_is_shared_into_see_a_personal_list(
    db: Database, friends: Friends, clock: Clock
) -> None:
    wishlist_id, item_id = await _birthday_list(db, friends, clock)
    async with db.unit_of_work() as session:
        await wishlists.claim(session, item_id=item_id, user_id=BEN, now=clock.now())
        for outsider in (DORA, EVA):
            with pytest.raises(Refused) as refused:
                await wishlists.view(session, wishlist_id=wishlist_id, viewer_id=outsider)
            assert refused.value.reason_key == "wishlist-error-not-allowed"
            with pytest.raises(Refused):
                await wishlists.claim(session, item_id=item_id, user_id=outsider, now=clock.now())
        with pytest.raises(Refused):
            await wishlists.add_item(
                session, wishlist_id=wishlist_id, user_id=BEN, product_id=friends.products[1], now=clock.now()
            )
        with pytest.raises(Refused):
            await wishlists.share(
                session, wishlist_id=wishlist_id, user_id=BEN, chat_id=WG, title="Meins", now=clock.now()
            )
        assert [title for _, title in await wishlists.in_group(session, chat_id=WG, viewer_id=CEM)] == [
            "Annas Geburtstag"
        ]

        await chats.set_membership(session, chat_id=WG, user_id=BEN, status="left", now=clock.now())
        for action in (
            wishlists.view(session, wishlist_id=wishlist_id, viewer_id=BEN),
            wishlists.release(session, item_id=item_id, user_id=BEN),
            wishlists.in_group(session, chat_id=WG, viewer_id=BEN),
        ):
            with pytest.raises(Refused):
                await action
        cem = await wishlists.view(session, wishlist_id=wishlist_id, viewer_id=CEM)
        # Ben's claim still holds the unit, but Cem no longer shares a group with him through this list.
        assert cem.items[0].claims == wishlists.Claims(claimed=1, by_you=0, claimer_ids=())

        assert await wishlists.unshare(session, wishlist_id=wishlist_id, user_id=ANNA, chat_id=WG)
        with pytest.raises(Refused):
            await wishlists.view(session, wishlist_id=wishlist_id, viewer_id=CEM)


async def test_a_group_list_is_for_its_members_and_has_no_owner(
    db: Database, friends: Friends, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        group = await wishlists.of_group(session, chat_id=WG, user_id=BEN, now=clock.now())
        assert await wishlists.of_group(session, chat_id=WG, user_id=CEM, now=clock.now()) == group
        item = await wishlists.add_item(
            session, wishlist_id=group.id, user_id=BEN, product_id=friends.products[2], now=clock.now()
        )
        assert item.claims == wishlists.Claims(claimed=0, by_you=0, claimer_ids=())
        await wishlists.claim(session, item_id=item.id, user_id=CEM, now=clock.now())
        ben = await wishlists.view(session, wishlist_id=group.id, viewer_id=BEN)
        assert ben.items[0].claims == wishlists.Claims(claimed=1, by_you=0, claimer_ids=(CEM,))
        for outsider in (DORA, EVA):
            with pytest.raises(Refused):
                await wishlists.of_group(session, chat_id=WG, user_id=outsider, now=clock.now())
            with pytest.raises(Refused):
                await wishlists.view(session, wishlist_id=group.id, viewer_id=outsider)
        await wishlists.remove_item(session, item_id=item.id, user_id=ANNA)
        assert (await wishlists.view(session, wishlist_id=group.id, viewer_id=ANNA)).items == ()


@pytest.mark.parametrize(
    ("change", "reason_key"),
    [
        ({"note": "x" * 141}, "wishlist-error-note-too-long"),
        ({"priority": 4}, "wishlist-error-priority"),
        ({"quantity": 0}, "wishlist-error-quantity"),
        ({"product_id": 10**9}, "wishlist-error-unknown-product"),
    ],
)
async def test_items_are_checked(
    db: Database, friends: Friends, clock: Clock, change: dict[str, Any], reason_key: str
) -> None:
    async with db.unit_of_work() as session:
        wishlist = await wishlists.personal(session, user_id=EVA, now=clock.now())
        arguments: dict[str, Any] = {"product_id": friends.products[0], **change}
        with pytest.raises(Refused) as refused:
            await wishlists.add_item(
                session, wishlist_id=wishlist.id, user_id=EVA, now=clock.now(), **arguments
            )
    assert refused.value.reason_key == reason_key


async def test_a_price_drop_is_announced_once_to_owner_and_claimers(
    db: Database, friends: Friends, clock: Clock
) -> None:
    _, item_id = await _birthday_list(db, friends, clock)
    product_id = friends.products[0]
    async with db.unit_of_work() as session:
        await wishlists.claim(session, item_id=item_id, user_id=BEN, now=clock.now())
        assert await wishlists.alerts_due(session, now=clock.now()) == []
        old = (await session.get_one(Product, product_id)).price
        await prices.set_price(
            session, product_id=product_id, price=old - 5, compare_at_price=None, now=clock.now()
        )
        alerts = await wishlists.alerts_due(session, now=clock.now())
        assert await wishlists.alerts_due(session, now=clock.now()) == []
        await prices.set_price(
            session, product_id=product_id, price=old + 5, compare_at_price=None, now=clock.now()
        )
        assert await wishlists.alerts_due(session, now=clock.now()) == []
        await prices.set_price(
            session, product_id=product_id, price=old, compare_at_price=None, now=clock.now()
        )
        again = await wishlists.alerts_due(session, now=clock.now())

    assert [(alert.chat_id, alert.key) for alert in alerts] == [
        (ANNA, "wishlist-alert-price-drop"),
        (BEN, "wishlist-alert-price-drop-gift"),
    ]
    assert alerts[0].args["price"].amount == old - 5 and alerts[0].args["previous_price"].amount == old
    assert alerts[0].args["product_id"] == product_id
    assert [(alert.chat_id, alert.args["price"].amount) for alert in again] == [(ANNA, old), (BEN, old)]


async def test_back_in_stock_is_announced_once_per_return(
    db: Database, friends: Friends, clock: Clock
) -> None:
    product_id = friends.products[0]
    async with db.unit_of_work() as session:
        await _set_stock(session, product_id=product_id, quantity=0)
    _, item_id = await _birthday_list(db, friends, clock)
    async with db.unit_of_work() as session:
        await wishlists.claim(session, item_id=item_id, user_id=CEM, now=clock.now())
        await chats.set_membership(session, chat_id=WG, user_id=CEM, status="kicked", now=clock.now())
        assert await wishlists.alerts_due(session, now=clock.now()) == []
        await _set_stock(session, product_id=product_id, quantity=3)
        first = await wishlists.alerts_due(session, now=clock.now())
        assert await wishlists.alerts_due(session, now=clock.now()) == []
        await _set_stock(session, product_id=product_id, quantity=0)
        assert await wishlists.alerts_due(session, now=clock.now()) == []
        await chats.set_membership(session, chat_id=WG, user_id=CEM, status="member", now=clock.now())
        await _set_stock(session, product_id=product_id, quantity=1)
        second = await wishlists.alerts_due(session, now=clock.now())
    # Cem was out of the group at the first return, so only Anna heard of it.
    assert [(alert.chat_id, alert.key) for alert in first] == [(ANNA, "wishlist-alert-back-in-stock")]
    assert [(alert.chat_id, alert.key) for alert in second] == [
        (ANNA, "wishlist-alert-back-in-stock"),
        (CEM, "wishlist-alert-back-in-stock-gift"),
    ]


async def test_a_group_list_alerts_the_member_who_added_the_item(
    db: Database, friends: Friends, clock: Clock
) -> None:
    product_id = friends.products[1]
    async with db.unit_of_work() as session:
        group = await wishlists.of_group(session, chat_id=WG, user_id=BEN, now=clock.now())
        await wishlists.add_item(
            session, wishlist_id=group.id, user_id=BEN, product_id=product_id, now=clock.now()
        )
        price = (await session.get_one(Product, product_id)).price
        await prices.set_price(
            session,
            product_id=product_id,
            price=price - Decimal("1.00"),
            compare_at_price=None,
            now=clock.now(),
        )
        alerts = await wishlists.alerts_due(session, now=clock.now())
    assert [(alert.chat_id, alert.key) for alert in alerts] == [(BEN, "wishlist-alert-price-drop")]


async def test_export_holds_own_items_shares_and_claims(db: Database, friends: Friends, clock: Clock) -> None:
    _, item_id = await _birthday_list(db, friends, clock)
    async with db.unit_of_work() as session:
        await wishlists.claim(session, item_id=item_id, user_id=BEN, now=clock.now())
        anna = (await privacy.export(session, user_id=ANNA, now=clock.now()))["wishlists"]
        ben = (await privacy.export(session, user_id=BEN, now=clock.now()))["wishlists"]
    assert [item["note"] for item in anna["items"]] == ["Größe M bitte"]
    assert anna["shared_into"][0]["title"] == "Annas Geburtstag" and anna["gift_claims"] == []
    assert ben["items"] == [] and [claim["item_id"] for claim in ben["gift_claims"]] == [item_id]


async def test_only_the_owner_changes_a_wishs_priority_and_note(
    db: Database, friends: Friends, clock: Clock
) -> None:
    wishlist_id, item_id = await _birthday_list(db, friends, clock)
    async with db.unit_of_work() as session:
        await wishlists.update_item(session, item_id=item_id, user_id=ANNA, priority=3, note="  in Blau  ")
        with pytest.raises(Refused) as stranger:
            await wishlists.update_item(session, item_id=item_id, user_id=BEN, priority=1)
        with pytest.raises(Refused) as bad_priority:
            await wishlists.update_item(session, item_id=item_id, user_id=ANNA, priority=4)
        with pytest.raises(Refused) as too_long:
            await wishlists.update_item(session, item_id=item_id, user_id=ANNA, note="x" * 141)
        view = await wishlists.view(session, wishlist_id=wishlist_id, viewer_id=ANNA)
    assert stranger.value.reason_key == "wishlist-error-not-allowed"
    assert bad_priority.value.reason_key == "wishlist-error-priority"
    assert too_long.value.reason_key == "wishlist-error-note-too-long"
    assert [(item.priority, item.note) for item in view.items] == [(3, "in Blau")]
