"""The ideas board: customers propose products, members vote, retailers comment and adopt.

An idea proposed in a group is seen by that group's active members only; one proposed privately by its
author only. Retailers see ideas from every group through :func:`top`, which carries texts and vote
counts but never who proposed or voted, nor in which group. Whether a user is a retailer is decided by
the caller (the bot's configuration), so the functions for retailers take the retailer's id as given.

Adopting an idea marks the product community-designed and credits the author once: the adoption is a
guarded UPDATE of the idea, so a repeated or concurrent adoption neither credits twice nor moves the idea
to another product.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
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
from core import chats, privacy
from core.db import AutoId, Base, Session, UTCDateTime, upsert
from core.money import Money
from orders import credits
from social.errors import Refused

TEXT_MAX = 500
COMMENT_MAX = 500
VOTE_VALUES = (-1, 0, 1)


class Idea(Base):
    """A product idea, proposed in a group (``chat_id``) or privately (no chat)."""

    __tablename__ = "ideas"
    __table_args__ = (Index("ix_ideas_chat_id_created_at", "chat_id", "created_at"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int | None] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(TEXT_MAX))
    photo_file_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    adopted_product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IdeaVote(Base):
    """A member's vote on an idea: +1 or -1, one per member, changeable."""

    __tablename__ = "idea_votes"
    __table_args__ = (CheckConstraint("value IN (-1, 1)", name="value"),)

    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    value: Mapped[int] = mapped_column(SmallInteger)
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdeaComment(Base):
    """A retailer's comment on an idea, seen by those who see the idea."""

    __tablename__ = "idea_comments"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    retailer_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(String(COMMENT_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True, slots=True)
class Comment:
    """A retailer's comment."""

    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class IdeaView:
    """An idea with its vote counts and comments; never who proposed or voted, nor in which group."""

    id: int
    text: str
    photo_file_id: str | None
    up: int
    down: int
    your_vote: int
    is_yours: bool
    comments: tuple[Comment, ...]
    adopted_product_id: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Adoption:
    """An adopted idea: its product, its author and the credit they got (None when adopted before)."""

    idea_id: int
    product_id: int
    author_id: int
    reward: Money | None


def _clean(text: str, *, limit: int, key: str) -> str:
    text = text.strip()
    if not text or len(text) > limit:
        raise Refused(key, max=limit)
    return text


async def _visible(session: Session, *, idea_id: int, user_id: int) -> Idea:
    """Return the idea if the user sees it (its group's member, or the author of a private idea)."""
    idea = await session.get(Idea, idea_id)
    if idea is None:
        raise Refused("idea-error-unknown")
    if idea.chat_id is None:
        allowed = idea.author_id == user_id
    else:
        allowed = user_id in await chats.member_ids(session, chat_id=idea.chat_id)
    if not allowed:
        raise Refused("idea-error-not-allowed")
    return idea


async def propose(
    session: Session,
    *,
    author_id: int,
    text: str,
    now: datetime,
    chat_id: int | None = None,
    photo_file_id: str | None = None,
) -> IdeaView:
    """Propose an idea in a group the author is a member of, or privately (no chat)."""
    text = _clean(text, limit=TEXT_MAX, key="idea-error-text")
    if chat_id is not None and author_id not in await chats.member_ids(session, chat_id=chat_id):
        raise Refused("idea-error-not-allowed")
    idea = Idea(author_id=author_id, chat_id=chat_id, text=text, photo_file_id=photo_file_id, created_at=now)
    session.add(idea)
    await session.flush()
    return (await _views(session, [idea.id], viewer_id=author_id))[0]


async def vote(session: Session, *, idea_id: int, user_id: int, value: int, now: datetime) -> IdeaView:
    """Vote +1 or -1 on an idea the user sees, change the vote, or take it back with 0."""
    if value not in VOTE_VALUES:
        raise ValueError(f"a vote is one of {VOTE_VALUES}, not {value}")
    idea = await _visible(session, idea_id=idea_id, user_id=user_id)
    if value == 0:
        await session.execute(
            delete(IdeaVote).where(IdeaVote.idea_id == idea.id, IdeaVote.user_id == user_id)
        )
    else:
        await upsert(
            session,
            IdeaVote.__table__,
            {"idea_id": idea.id, "user_id": user_id, "value": value, "voted_at": now},
            conflict=["idea_id", "user_id"],
            update=["value", "voted_at"],
        )
    return (await _views(session, [idea.id], viewer_id=user_id))[0]


async def get(session: Session, *, idea_id: int, viewer_id: int) -> IdeaView:
    """Return an idea the viewer sees."""
    idea = await _visible(session, idea_id=idea_id, user_id=viewer_id)
    return (await _views(session, [idea.id], viewer_id=viewer_id))[0]


async def of_chat(session: Session, *, chat_id: int, viewer_id: int, limit: int = 20) -> list[IdeaView]:
    """Return a group's newest ideas to one of its members."""
    if viewer_id not in await chats.member_ids(session, chat_id=chat_id):
        raise Refused("idea-error-not-allowed")
    ids = await session.scalars(
        select(Idea.id)
        .where(Idea.chat_id == chat_id)
        .order_by(Idea.created_at.desc(), Idea.id.desc())
        .limit(limit)
    )
    return await _views(session, list(ids), viewer_id=viewer_id)


async def mine(session: Session, *, user_id: int, limit: int = 20) -> list[IdeaView]:
    """Return the ideas the user proposed, newest first."""
    ids = await session.scalars(
        select(Idea.id)
        .where(Idea.author_id == user_id)
        .order_by(Idea.created_at.desc(), Idea.id.desc())
        .limit(limit)
    )
    return await _views(session, list(ids), viewer_id=user_id)


def _count(value: int) -> ColumnElement[int]:
    return func.count(case((IdeaVote.value == value, 1)))


async def top(session: Session, *, limit: int, since: datetime) -> list[IdeaView]:
    """Return, for retailers, the ideas proposed since ``since`` with the most up-votes, across groups."""
    up, down = _count(1), _count(-1)
    ids = await session.scalars(
        select(Idea.id)
        .outerjoin(IdeaVote, IdeaVote.idea_id == Idea.id)
        .where(Idea.created_at >= since)
        .group_by(Idea.id, Idea.created_at)
        .order_by(up.desc(), (up - down).desc(), Idea.created_at, Idea.id)
        .limit(limit)
    )
    return await _views(session, list(ids), viewer_id=None)


async def comment(
    session: Session, *, idea_id: int, retailer_user_id: int, text: str, now: datetime
) -> IdeaView:
    """Add a retailer's comment to an idea and return the idea as retailers see it."""
    text = _clean(text, limit=COMMENT_MAX, key="idea-error-comment")
    if await session.get(Idea, idea_id) is None:
        raise Refused("idea-error-unknown")
    session.add(IdeaComment(idea_id=idea_id, retailer_user_id=retailer_user_id, text=text, created_at=now))
    await session.flush()
    return (await _views(session, [idea_id], viewer_id=None))[0]


async def adopt(
    session: Session,
    *,
    idea_id: int,
    product_id: int,
    retailer_user_id: int,
    reward: Money,
    now: datetime,
    retailer_id: int | None = None,
) -> Adoption:
    """Turn an idea into a product marked community-designed and credit its author, once.

    With ``retailer_id`` the product must be that retailer's (a retailer adopts into its own catalog).
    """
    idea = await session.get(Idea, idea_id)
    if idea is None:
        raise Refused("idea-error-unknown")
    product = await session.get(Product, product_id)
    if product is None or (retailer_id is not None and product.retailer_id != retailer_id):
        raise Refused("idea-error-unknown-product")
    adopted = await session.execute(
        update(Idea)
        .where(Idea.id == idea_id, Idea.adopted_product_id.is_(None))
        .values(adopted_product_id=product_id, adopted_at=now)
    )
    if not getattr(adopted, "rowcount", 0):
        await session.refresh(idea)
        if idea.adopted_product_id != product_id:
            raise Refused("idea-error-already-adopted")
        return Adoption(idea_id=idea_id, product_id=product_id, author_id=idea.author_id, reward=None)
    product.community_designed = True
    product.updated_at = now
    await credits.grant(session, user_id=idea.author_id, amount=reward, reason=f"idea:{idea_id}", now=now)
    return Adoption(idea_id=idea_id, product_id=product_id, author_id=idea.author_id, reward=reward)


async def _views(session: Session, idea_ids: list[int], *, viewer_id: int | None) -> list[IdeaView]:
    if not idea_ids:
        return []
    ideas = {idea.id: idea for idea in await session.scalars(select(Idea).where(Idea.id.in_(idea_ids)))}
    counts = {
        idea_id: (up, down)
        for idea_id, up, down in await session.execute(
            select(IdeaVote.idea_id, _count(1), _count(-1))
            .where(IdeaVote.idea_id.in_(idea_ids))
            .group_by(IdeaVote.idea_id)
        )
    }
    yours: dict[int, int] = {}
    if viewer_id is not None:
        yours = {
            idea_id: value
            for idea_id, value in await session.execute(
                select(IdeaVote.idea_id, IdeaVote.value).where(
                    IdeaVote.idea_id.in_(idea_ids), IdeaVote.user_id == viewer_id
                )
            )
        }
    comments: dict[int, list[Comment]] = {}
    for row in await session.scalars(
        select(IdeaComment)
        .where(IdeaComment.idea_id.in_(idea_ids))
        .order_by(IdeaComment.created_at, IdeaComment.id)
    ):
        comments.setdefault(row.idea_id, []).append(Comment(text=row.text, at=row.created_at))
    return [
        IdeaView(
            id=idea.id,
            text=idea.text,
            photo_file_id=idea.photo_file_id,
            up=counts.get(idea.id, (0, 0))[0],
            down=counts.get(idea.id, (0, 0))[1],
            your_vote=yours.get(idea.id, 0),
            is_yours=viewer_id is not None and idea.author_id == viewer_id,
            comments=tuple(comments.get(idea.id, ())),
            adopted_product_id=idea.adopted_product_id,
            created_at=idea.created_at,
        )
        for idea in (ideas[idea_id] for idea_id in idea_ids)
    ]


@privacy.section("ideas")
async def _export(session: Session, user_id: int) -> Any:
    ideas = await session.scalars(
        select(Idea).where(Idea.author_id == user_id).order_by(Idea.created_at, Idea.id)
    )
    votes = await session.execute(
        select(IdeaVote.idea_id, IdeaVote.value, IdeaVote.voted_at)
        .where(IdeaVote.user_id == user_id)
        .order_by(IdeaVote.voted_at)
    )
    comments = await session.execute(
        select(IdeaComment.idea_id, IdeaComment.text, IdeaComment.created_at)
        .where(IdeaComment.retailer_user_id == user_id)
        .order_by(IdeaComment.created_at, IdeaComment.id)
    )
    return {
        "ideas": [
            {
                "id": idea.id,
                "chat_id": idea.chat_id,
                "text": idea.text,
                "photo": idea.photo_file_id is not None,
                "adopted": idea.adopted_product_id is not None,
                "at": idea.created_at.isoformat(),
            }
            for idea in ideas
        ],
        "votes": [{"idea_id": idea_id, "value": value, "at": at.isoformat()} for idea_id, value, at in votes],
        "comments": [
            {"idea_id": idea_id, "text": text, "at": at.isoformat()} for idea_id, text, at in comments
        ],
    }
