"""Recommending products to friends, only inside a group both are still in."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import chats, privacy
from core.clock import Clock
from core.db import Database
from social import recommendations
from social.errors import Refused
from tests.social.conftest import ANNA, BEN, CEM, CLUB, DORA, EVA, WG, Friends


async def test_a_member_recommends_to_another_who_finds_it_in_the_inbox(
    db: Database, friends: Friends, clock: Clock
) -> None:
    product = friends.products[0]
    async with db.unit_of_work() as session:
        sent = await recommendations.recommend(
            session,
            chat_id=WG,
            sender_id=ANNA,
            recipient_id=BEN,
            product_id=product,
            note="  Passt zu dir! ",
            now=clock.now(),
        )
        clock.advance(60)
        await recommendations.recommend(
            session,
            chat_id=WG,
            sender_id=CEM,
            recipient_id=BEN,
            product_id=product,
            note=None,
            now=clock.now(),
        )
        inbox = await recommendations.inbox(session, user_id=BEN)
        nothing = await recommendations.inbox(session, user_id=ANNA)

    assert (sent.sender_name, sent.recipient_id, sent.note, sent.chat_title) == (
        "Anna",
        BEN,
        "Passt zu dir!",
        "WG",
    )
    assert [(item.sender_name, item.note) for item in inbox] == [("Cem", None), ("Anna", "Passt zu dir!")]
    assert nothing == []


async def test_recipients_are_the_other_members_of_the_group(db: Database, friends: Friends) -> None:
    async with db.unit_of_work() as session:
        wg = await recommendations.recipients(session, chat_id=WG, user_id=ANNA)
        outsider = await recommendations.recipients(session, chat_id=WG, user_id=DORA)
    assert [member.first_name for member in wg] == ["Ben", "Cem"]
    assert outsider == []


@pytest.mark.parametrize(
    ("chat_id", "sender", "recipient"),
    [(WG, ANNA, DORA), (WG, DORA, ANNA), (CLUB, BEN, ANNA), (WG, ANNA, EVA)],
    ids=["recipient-not-in-group", "sender-not-in-group", "other-group", "stranger"],
)
async def test_only_members_of_the_group_recommend_to_each_other(
    db: Database, friends: Friends, clock: Clock, chat_id: int, sender: int, recipient: int
) -> None:
    async with db.unit_of_work() as session:
        with pytest.raises(Refused) as refused:
            await recommendations.recommend(
                session,
                chat_id=chat_id,
                sender_id=sender,
                recipient_id=recipient,
                product_id=friends.products[0],
                note=None,
                now=clock.now(),
            )
        assert await recommendations.inbox(session, user_id=recipient) == []
    assert refused.value.reason_key == "recommend-error-not-in-group"


async def test_after_leaving_the_group_recommending_is_refused(
    db: Database, friends: Friends, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        await chats.set_membership(session, chat_id=WG, user_id=BEN, status="left", now=clock.now())
        with pytest.raises(Refused) as to_leaver:
            await recommendations.recommend(
                session,
                chat_id=WG,
                sender_id=ANNA,
                recipient_id=BEN,
                product_id=friends.products[0],
                note=None,
                now=clock.now(),
            )
        with pytest.raises(Refused) as from_leaver:
            await recommendations.recommend(
                session,
                chat_id=WG,
                sender_id=BEN,
                recipient_id=ANNA,
                product_id=friends.products[0],
                note=None,
                now=clock.now(),
            )
    assert to_leaver.value.reason_key == from_leaver.value.reason_key == "recommend-error-not-in-group"


async def test_no_self_recommendation_no_long_note_no_unknown_product(
    db: Database, friends: Friends, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        with pytest.raises(Refused) as self_:
            await recommendations.recommend(
                session,
                chat_id=WG,
                sender_id=ANNA,
                recipient_id=ANNA,
                product_id=friends.products[0],
                note=None,
                now=clock.now(),
            )
        with pytest.raises(Refused) as long_note:
            await recommendations.recommend(
                session,
                chat_id=WG,
                sender_id=ANNA,
                recipient_id=BEN,
                product_id=friends.products[0],
                note="x" * 201,
                now=clock.now(),
            )
        with pytest.raises(Refused) as unknown:
            await recommendations.recommend(
                session,
                chat_id=WG,
                sender_id=ANNA,
                recipient_id=BEN,
                product_id=987_654,
                note=None,
                now=clock.now(),
            )
        fits = await recommendations.recommend(
            session,
            chat_id=WG,
            sender_id=ANNA,
            recipient_id=BEN,
            product_id=friends.products[0],
            note="x" * 200,
            now=clock.now(),
        )
    assert self_.value.reason_key == "recommend-error-self"
    assert long_note.value.reason_key == "recommend-error-note-too-long"
    assert long_note.value.args_ == {"max": 200}
    assert unknown.value.reason_key == "recommend-error-unknown-product"
    assert fits.note == "x" * 200


async def test_the_same_recommendation_only_once_a_day(db: Database, friends: Friends, clock: Clock) -> None:
    product = friends.products[0]
    clock.advance(14 * 3600)  # 23:00 UTC: the next attempt falls on the next calendar day
    async with db.unit_of_work() as session:
        await recommendations.recommend(
            session,
            chat_id=WG,
            sender_id=ANNA,
            recipient_id=BEN,
            product_id=product,
            note=None,
            now=clock.now(),
        )
    clock.advance(2 * 3600)
    async with db.unit_of_work() as session:
        with pytest.raises(Refused) as again:
            await recommendations.recommend(
                session,
                chat_id=WG,
                sender_id=ANNA,
                recipient_id=BEN,
                product_id=product,
                note=None,
                now=clock.now(),
            )
        other = await recommendations.recommend(
            session,
            chat_id=WG,
            sender_id=ANNA,
            recipient_id=CEM,
            product_id=product,
            note=None,
            now=clock.now(),
        )
    clock.advance(timedelta(days=1).total_seconds())
    async with db.unit_of_work() as session:
        later = await recommendations.recommend(
            session,
            chat_id=WG,
            sender_id=ANNA,
            recipient_id=BEN,
            product_id=product,
            note=None,
            now=clock.now(),
        )
        assert len(await recommendations.inbox(session, user_id=BEN)) == 2
    assert again.value.reason_key == "recommend-error-duplicate"
    assert other.recipient_id == CEM and later.recipient_id == BEN


async def test_the_export_lists_sent_and_received_recommendations(
    db: Database, friends: Friends, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        await recommendations.recommend(
            session,
            chat_id=WG,
            sender_id=ANNA,
            recipient_id=BEN,
            product_id=friends.products[0],
            note="Schau!",
            now=clock.now(),
        )
        anna = await privacy.export(session, user_id=ANNA, now=clock.now())
        ben = await privacy.export(session, user_id=BEN, now=clock.now())
        await privacy.erase(session, user_id=ANNA, now=clock.now())
        after = await recommendations.inbox(session, user_id=BEN)
    common = {
        "product_id": friends.products[0],
        "chat_id": WG,
        "note": "Schau!",
        "at": clock.now().isoformat(),
    }
    assert anna["recommendations"] == [{"direction": "sent", "other_user_id": BEN, **common}]
    assert ben["recommendations"] == [{"direction": "received", "other_user_id": ANNA, **common}]
    assert after == []
