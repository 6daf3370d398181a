"""The ideas board: members vote once and may change their mind, a group's ideas stay in the group,
retailers see counts across groups, and adopting an idea credits its author once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from catalog.models import Product
from core import chats, privacy
from core.clock import Clock
from core.db import Database
from core.money import Money
from orders import credits
from social import ideas
from social.errors import Refused
from tests.social.conftest import ANNA, BEN, CEM, CLUB, DORA, EVA, WG, Friends

RETAILER = EVA
FIVE = Money(Decimal("5.00"), "EUR")


async def test_members_vote_once_and_can_change_their_vote(
    db: Database, friends: Friends, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        idea = await ideas.propose(
            session, author_id=ANNA, chat_id=WG, text="  Regenjacke mit Fahrradkapuze ", now=clock.now()
        )
        assert idea.text == "Regenjacke mit Fahrradkapuze" and idea.is_yours
        await ideas.vote(session, idea_id=idea.id, user_id=BEN, value=1, now=clock.now())
        await ideas.vote(session, idea_id=idea.id, user_id=BEN, value=1, now=clock.now())
        cem = await ideas.vote(session, idea_id=idea.id, user_id=CEM, value=-1, now=clock.now())
        assert (cem.up, cem.down, cem.your_vote, cem.is_yours) == (1, 1, -1, False)
        changed = await ideas.vote(session, idea_id=idea.id, user_id=CEM, value=1, now=clock.now())
        assert (changed.up, changed.down, changed.your_vote) == (2, 0, 1)
        taken_back = await ideas.vote(session, idea_id=idea.id, user_id=BEN, value=0, now=clock.now())
        assert (taken_back.up, taken_back.down, taken_back.your_vote) == (1, 0, 0)
        with pytest.raises(ValueError):
            await ideas.vote(session, idea_id=idea.id, user_id=BEN, value=2, now=clock.now())


async def test_a_groups_ideas_are_for_its_members_only(db: Database, friends: Friends, clock: Clock) -> None:
    async with db.unit_of_work() as session:
        wg = await ideas.propose(
            session, author_id=BEN, chat_id=WG, text="Bettwäsche aus Leinen", now=clock.now()
        )
        private = await ideas.propose(
            session, author_id=DORA, text="Socken mit Namen", photo_file_id="F1", now=clock.now()
        )
        with pytest.raises(Refused) as refused:
            await ideas.propose(session, author_id=DORA, chat_id=WG, text="Hallo", now=clock.now())
        assert refused.value.reason_key == "idea-error-not-allowed"
        for outsider in (DORA, EVA):
            for attempt in (
                ideas.get(session, idea_id=wg.id, viewer_id=outsider),
                ideas.vote(session, idea_id=wg.id, user_id=outsider, value=1, now=clock.now()),
                ideas.of_chat(session, chat_id=WG, viewer_id=outsider),
            ):
                with pytest.raises(Refused) as refused:
                    await attempt
                assert refused.value.reason_key == "idea-error-not-allowed"
        with pytest.raises(Refused):
            await ideas.get(session, idea_id=private.id, viewer_id=ANNA)
        assert [idea.id for idea in await ideas.of_chat(session, chat_id=WG, viewer_id=CEM)] == [wg.id]
        assert [idea.id for idea in await ideas.of_chat(session, chat_id=CLUB, viewer_id=ANNA)] == []
        assert [idea.photo_file_id for idea in await ideas.mine(session, user_id=DORA)] == ["F1"]

        await chats.set_membership(session, chat_id=WG, user_id=CEM, status="left", now=clock.now())
        with pytest.raises(Refused):
            await ideas.get(session, idea_id=wg.id, viewer_id=CEM)


async def test_retailers_see_top_ideas_across_groups_as_counts(
    db: Database, friends: Friends, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        old = await ideas.propose(session, author_id=ANNA, chat_id=WG, text="Alte Idee", now=clock.now())
        for voter in (ANNA, BEN, CEM):
            await ideas.vote(session, idea_id=old.id, user_id=voter, value=1, now=clock.now())
        clock.advance(8 * 24 * 3600)
        since = clock.now() - timedelta(days=7)
        wg = await ideas.propose(session, author_id=BEN, chat_id=WG, text="Kissen", now=clock.now())
        club = await ideas.propose(
            session, author_id=DORA, chat_id=CLUB, text="Vereinsschal", now=clock.now()
        )
        private = await ideas.propose(session, author_id=EVA, text="Thermobecher", now=clock.now())
        for voter, value in ((ANNA, 1), (DORA, 1)):
            await ideas.vote(session, idea_id=club.id, user_id=voter, value=value, now=clock.now())
        await ideas.vote(session, idea_id=wg.id, user_id=CEM, value=1, now=clock.now())
        await ideas.vote(session, idea_id=wg.id, user_id=ANNA, value=-1, now=clock.now())
        await ideas.comment(
            session, idea_id=club.id, retailer_user_id=RETAILER, text="Gute Idee!", now=clock.now()
        )
        top = await ideas.top(session, limit=10, since=since)
        assert [idea.id for idea in await ideas.top(session, limit=1, since=since)] == [club.id]
        with pytest.raises(Refused) as refused:
            await ideas.comment(
                session, idea_id=club.id, retailer_user_id=RETAILER, text=" ", now=clock.now()
            )
        assert refused.value.reason_key == "idea-error-comment"
        seen_by_dora = await ideas.get(session, idea_id=club.id, viewer_id=DORA)

    assert [(idea.id, idea.up, idea.down) for idea in top] == [
        (club.id, 2, 0),
        (wg.id, 1, 1),
        (private.id, 0, 0),
    ]
    assert all(idea.your_vote == 0 and not idea.is_yours for idea in top)
    assert [comment.text for comment in top[0].comments] == ["Gute Idee!"]
    assert [comment.text for comment in seen_by_dora.comments] == ["Gute Idee!"]
    # What a retailer gets names nobody: no author, no voter, no group.
    assert set(ideas.IdeaView.__dataclass_fields__) == {
        "id",
        "text",
        "photo_file_id",
        "up",
        "down",
        "your_vote",
        "is_yours",
        "comments",
        "adopted_product_id",
        "created_at",
    }


async def test_adopting_marks_the_product_and_credits_the_author_once(
    db: Database, friends: Friends, clock: Clock
) -> None:
    product_id, other_product = friends.products[0], friends.products[1]
    async with db.unit_of_work() as session:
        idea = await ideas.propose(
            session, author_id=BEN, chat_id=WG, text="Faltbarer Wäschekorb", now=clock.now()
        )
        first = await ideas.adopt(
            session,
            idea_id=idea.id,
            product_id=product_id,
            retailer_user_id=RETAILER,
            reward=FIVE,
            now=clock.now(),
        )
        again = await ideas.adopt(
            session,
            idea_id=idea.id,
            product_id=product_id,
            retailer_user_id=RETAILER,
            reward=FIVE,
            now=clock.now(),
        )
        with pytest.raises(Refused) as refused:
            await ideas.adopt(
                session,
                idea_id=idea.id,
                product_id=other_product,
                retailer_user_id=RETAILER,
                reward=FIVE,
                now=clock.now(),
            )
        assert refused.value.reason_key == "idea-error-already-adopted"
        product = await session.get_one(Product, product_id)
        balance = await credits.balance(session, user_id=BEN, currency="EUR")
        seen = await ideas.get(session, idea_id=idea.id, viewer_id=CEM)
        exported = (await privacy.export(session, user_id=BEN, now=clock.now()))["ideas"]

    assert first == ideas.Adoption(idea_id=idea.id, product_id=product_id, author_id=BEN, reward=FIVE)
    assert again.reward is None
    assert product.community_designed
    assert balance == FIVE
    assert seen.adopted_product_id == product_id
    assert exported["ideas"][0]["adopted"] and exported["ideas"][0]["text"] == "Faltbarer Wäschekorb"


async def test_ideas_are_checked(db: Database, friends: Friends, clock: Clock) -> None:
    async with db.unit_of_work() as session:
        for text in ("", "x" * 501):
            with pytest.raises(Refused) as refused:
                await ideas.propose(session, author_id=ANNA, text=text, now=clock.now())
            assert refused.value.reason_key == "idea-error-text" and refused.value.args_ == {"max": 500}
        for attempt in (
            ideas.get(session, idea_id=10**9, viewer_id=ANNA),
            ideas.adopt(
                session,
                idea_id=10**9,
                product_id=friends.products[0],
                retailer_user_id=RETAILER,
                reward=FIVE,
                now=clock.now(),
            ),
        ):
            with pytest.raises(Refused) as refused:
                await attempt
            assert refused.value.reason_key == "idea-error-unknown"
