"""Shoppers' searches, kept so that result pages can be turned and the user can see and delete them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from core import privacy
from core.db import AutoId, Base, Session, UTCDateTime

KEEP_FOR = timedelta(days=30)


class SearchRequest(Base):
    """One search a user made, in the language it was made in."""

    __tablename__ = "search_requests"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(String(512))
    locale: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


@dataclass(frozen=True, slots=True)
class Saved:
    """A stored search."""

    id: int
    user_id: int
    text: str
    locale: str


async def save(
    session: Session, *, user_id: int, chat_id: int, text: str, locale: str, now: datetime
) -> Saved:
    """Store a search and return it with its id (for paging buttons)."""
    request = SearchRequest(user_id=user_id, chat_id=chat_id, text=text[:512], locale=locale, created_at=now)
    session.add(request)
    await session.flush()
    return Saved(request.id, user_id, request.text, locale)


async def get(session: Session, *, search_id: int) -> Saved | None:
    """Return a stored search, or None when it is gone (deleted or expired)."""
    request = await session.get(SearchRequest, search_id)
    return Saved(request.id, request.user_id, request.text, request.locale) if request else None


async def prune(session: Session, *, now: datetime) -> int:
    """Forget searches older than KEEP_FOR; return how many."""
    result = await session.execute(delete(SearchRequest).where(SearchRequest.created_at < now - KEEP_FOR))
    return int(getattr(result, "rowcount", 0) or 0)


@privacy.section("searches")
async def _export(session: Session, user_id: int) -> Any:
    rows = await session.execute(
        select(SearchRequest.text, SearchRequest.created_at)
        .where(SearchRequest.user_id == user_id)
        .order_by(SearchRequest.created_at)
    )
    return [{"text": text, "at": at.isoformat()} for text, at in rows.all()]
