"""Votes on product cards posted into a chat: 👍/👎, one vote per person, changeable and retractable.

A posted card is identified by its message: ``"<chat id>:<message id>"`` for a message the bot sent into
a chat, the ``inline_message_id`` for a card posted through inline mode (Telegram does not say into which
chat, so such a post may have no chat).

Coalescing edits
----------------
The counts on the card are edited in place, but Telegram limits how often a message may be edited. So a
vote never edits anything itself: it marks the post as wanting an edit (``render_due_at``, the moment of
the first vote since the last edit; later votes leave it alone). :func:`due_edits` hands out the posts
that want an edit and whose last edit (``rendered_at``) is at least ``min_interval`` ago, with their
current tally, and records that tally as rendered (``rendered_up``/``rendered_down``) in the same
transaction. The handler calls it for the voted post right after a vote (so a quiet card updates at
once), and a job calls it every second or so for the rest: however many people vote at once, each
message is edited at most once per ``min_interval``, and the last vote always shows after at most that
long. A post whose votes came back to what is shown needs no edit and is just marked clean. Posts are
claimed with ``FOR UPDATE SKIP LOCKED``, so bot instances running the job side by side never edit the
same message twice for one change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    case,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models import Product
from core import privacy
from core.db import AutoId, Base, Session, UTCDateTime, upsert
from social.errors import Refused

VALUES = (-1, 0, 1)


class ProductPost(Base):
    """A product card posted into a chat, with what its vote buttons currently show."""

    __tablename__ = "product_posts"
    __table_args__ = (Index("ix_product_posts_chat_id_created_at", "chat_id", "created_at"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    message_key: Mapped[str] = mapped_column(String(255), unique=True)
    chat_id: Mapped[int | None] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    shared_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rendered_up: Mapped[int] = mapped_column(Integer, default=0)
    rendered_down: Mapped[int] = mapped_column(Integer, default=0)
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    render_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class PostVote(Base):
    """One person's vote on a posted card."""

    __tablename__ = "post_votes"
    __table_args__ = (CheckConstraint("value IN (-1, 1)", name="value"),)

    post_id: Mapped[int] = mapped_column(ForeignKey("product_posts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    value: Mapped[int] = mapped_column(SmallInteger)
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True, slots=True)
class PostRef:
    """Which message a card was posted as: its chat (None when Telegram does not tell) and message key."""

    chat_id: int | None
    message_key: str

    @classmethod
    def message(cls, *, chat_id: int, message_id: int) -> PostRef:
        """Refer to a message the bot sent into a chat."""
        return cls(chat_id=chat_id, message_key=f"{chat_id}:{message_id}")

    @classmethod
    def inline(cls, *, inline_message_id: str, chat_id: int | None = None) -> PostRef:
        """Refer to a card posted through inline mode."""
        return cls(chat_id=chat_id, message_key=inline_message_id)


@dataclass(frozen=True, slots=True)
class Tally:
    """The votes on one posted card."""

    post_id: int
    product_id: int
    up: int
    down: int


@dataclass(frozen=True, slots=True)
class Edit:
    """A card whose counts are to be edited now to show ``tally``."""

    post: PostRef
    tally: Tally


async def share(
    session: Session, *, post: PostRef, product_id: int, shared_by: int | None, now: datetime
) -> int:
    """Record that a product card was posted (once per message) and return the post's id."""
    if await session.get(Product, product_id) is None:
        raise Refused("vote-error-unknown-post")
    await upsert(
        session,
        ProductPost.__table__,
        {
            "message_key": post.message_key,
            "chat_id": post.chat_id,
            "product_id": product_id,
            "shared_by": shared_by,
            "created_at": now,
            "rendered_up": 0,
            "rendered_down": 0,
        },
        conflict=["message_key"],
    )
    post_id = await _post_id(session, post)
    assert post_id is not None
    return post_id


async def vote(session: Session, *, post: PostRef, user_id: int, value: int, now: datetime) -> Tally:
    """Vote 👍 (+1) or 👎 (-1) on a posted card, or take the vote back (0); return the new counts."""
    if isinstance(value, bool) or value not in VALUES:
        raise Refused("vote-error-value")
    post_id = await _post_id(session, post)
    if post_id is None:
        raise Refused("vote-error-unknown-post")
    await _record(session, post_id=post_id, user_id=user_id, value=value, now=now)
    return (await _tallies(session, [post_id]))[post_id]


async def press(
    session: Session, *, post: PostRef, product_id: int, user_id: int, wanted: int, now: datetime
) -> int:
    """Count a press of 👍 (+1) or 👎 (-1) on a product's card: the vote, or none when it was the person's
    vote already (pressing it again takes it back). A card not yet known is recorded first. Returns the
    vote that counts now (0: none); the counts are shown by :func:`due_edits`.
    """
    if isinstance(wanted, bool) or wanted not in (1, -1):
        raise Refused("vote-error-value")
    known = (
        await session.execute(
            select(ProductPost.id, ProductPost.product_id).where(ProductPost.message_key == post.message_key)
        )
    ).first()
    if known is None:
        post_id = await share(session, post=post, product_id=product_id, shared_by=None, now=now)
    elif known.product_id != product_id:  # the buttons of this card name its own product
        raise Refused("vote-error-unknown-post")
    else:
        post_id = known.id
    mine = await session.scalar(
        select(PostVote.value).where(PostVote.post_id == post_id, PostVote.user_id == user_id)
    )
    value = 0 if mine == wanted else wanted
    await _record(session, post_id=post_id, user_id=user_id, value=value, now=now)
    return value


async def _post_id(session: Session, post: PostRef) -> int | None:
    return await session.scalar(select(ProductPost.id).where(ProductPost.message_key == post.message_key))


async def _record(session: Session, *, post_id: int, user_id: int, value: int, now: datetime) -> None:
    if value:
        await upsert(
            session,
            PostVote.__table__,
            {"post_id": post_id, "user_id": user_id, "value": value, "voted_at": now},
            conflict=["post_id", "user_id"],
            update=["value", "voted_at"],
        )
    else:
        await session.execute(
            delete(PostVote).where(PostVote.post_id == post_id, PostVote.user_id == user_id)
        )
    # After the vote itself: a concurrent edit claim that missed this vote is followed by this mark.
    await session.execute(
        update(ProductPost)
        .where(ProductPost.id == post_id)
        .values(render_due_at=func.coalesce(ProductPost.render_due_at, now))
        .execution_options(synchronize_session=False)
    )


async def tally(session: Session, *, post: PostRef) -> Tally | None:
    """Return the votes on a posted card, or None if the card is unknown."""
    post_id = await _post_id(session, post)
    return None if post_id is None else (await _tallies(session, [post_id]))[post_id]


async def my_vote(session: Session, *, post: PostRef, user_id: int) -> int:
    """Return the person's vote on a posted card: +1, -1, or 0 for none."""
    value = await session.scalar(
        select(PostVote.value)
        .join(ProductPost, ProductPost.id == PostVote.post_id)
        .where(ProductPost.message_key == post.message_key, PostVote.user_id == user_id)
    )
    return value or 0


async def due_edits(
    session: Session, *, now: datetime, min_interval: timedelta, post: PostRef | None = None, limit: int = 50
) -> list[Edit]:
    """Claim the cards whose counts are to be edited now (see the module docs) and return them."""
    query = (
        select(
            ProductPost.id,
            ProductPost.chat_id,
            ProductPost.message_key,
            ProductPost.rendered_up,
            ProductPost.rendered_down,
        )
        .where(
            ProductPost.render_due_at <= now,
            (ProductPost.rendered_at.is_(None)) | (ProductPost.rendered_at <= now - min_interval),
        )
        .order_by(ProductPost.render_due_at, ProductPost.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if post is not None:
        query = query.where(ProductPost.message_key == post.message_key)
    claimed = list(await session.execute(query))
    if not claimed:
        return []
    tallies = await _tallies(session, [row.id for row in claimed])
    edits: list[Edit] = []
    for post_id, chat_id, message_key, shown_up, shown_down in claimed:
        current = tallies[post_id]
        values: dict[str, Any] = {"render_due_at": None}
        if (shown_up, shown_down) != (current.up, current.down):
            values |= {"rendered_up": current.up, "rendered_down": current.down, "rendered_at": now}
            edits.append(Edit(post=PostRef(chat_id=chat_id, message_key=message_key), tally=current))
        await session.execute(
            update(ProductPost)
            .where(ProductPost.id == post_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    return edits


async def _tallies(session: Session, post_ids: list[int]) -> dict[int, Tally]:
    rows = await session.execute(
        select(
            ProductPost.id,
            ProductPost.product_id,
            func.count(case((PostVote.value > 0, 1))),
            func.count(case((PostVote.value < 0, 1))),
        )
        .outerjoin(PostVote, PostVote.post_id == ProductPost.id)
        .where(ProductPost.id.in_(post_ids))
        .group_by(ProductPost.id, ProductPost.product_id)
    )
    return {post_id: Tally(post_id, product_id, up, down) for post_id, product_id, up, down in rows}


@privacy.section("product_votes")
async def _export(session: Session, user_id: int) -> Any:
    rows = await session.execute(
        select(ProductPost.chat_id, ProductPost.product_id, PostVote.value, PostVote.voted_at)
        .join(ProductPost, ProductPost.id == PostVote.post_id)
        .where(PostVote.user_id == user_id)
        .order_by(PostVote.voted_at)
    )
    return [
        {"chat_id": chat_id, "product_id": product_id, "vote": value, "at": at.isoformat()}
        for chat_id, product_id, value, at in rows
    ]


@privacy.section("shared_cards")
async def _export_shared(session: Session, user_id: int) -> Any:
    rows = await session.execute(
        select(ProductPost.chat_id, ProductPost.product_id, ProductPost.created_at)
        .where(ProductPost.shared_by == user_id)
        .order_by(ProductPost.created_at, ProductPost.id)
    )
    return [
        {"chat_id": chat_id, "product_id": product_id, "at": at.isoformat()}
        for chat_id, product_id, at in rows
    ]
