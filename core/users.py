"""Users: who talks to the bot, their language, time zone and consents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.util import identity_key

from core.db import Base, Session, UTCDateTime, execute_core, upsert_statement

DEFAULT_TIME_ZONE = "Europe/Berlin"


class User(Base):
    """A Telegram user the bot has met."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(64))
    last_name: Mapped[str | None] = mapped_column(String(64))
    username: Mapped[str | None] = mapped_column(String(32))
    language_code: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    time_zone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIME_ZONE)
    consent_personal_deals: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_broadcasts: Mapped[bool] = mapped_column(Boolean, default=False)
    start_parameter: Mapped[str | None] = mapped_column(String(64))
    blocked_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True, slots=True)
class Person:
    """What Telegram tells about a user with each update."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


@dataclass(frozen=True, slots=True)
class UserView:
    """A user as the rest of the bot sees them."""

    id: int
    first_name: str
    language: str | None
    language_code: str | None
    time_zone: str
    consent_personal_deals: bool
    consent_broadcasts: bool
    start_parameter: str | None
    blocked_bot: bool = False

    def locale(self, available: tuple[str, ...], default: str) -> str:
        """Pick the stored choice, else Telegram's language, else the default."""
        for candidate in (self.language, (self.language_code or "").split("-")[0].lower()):
            if candidate in available:
                return candidate
        return default


def _view(user: User) -> UserView:
    return UserView(
        id=user.id,
        first_name=user.first_name,
        language=user.language,
        language_code=user.language_code,
        time_zone=user.time_zone,
        consent_personal_deals=user.consent_personal_deals,
        consent_broadcasts=user.consent_broadcasts,
        start_parameter=user.start_parameter,
        blocked_bot=user.blocked_bot,
    )


# What a touch updates of a known user, and what it gives back.
SEEN = ["first_name", "last_name", "username", "language_code", "last_seen_at", "blocked_bot"]
VIEWED = tuple(UserView.__dataclass_fields__)


def seen_row(person: Person, now: datetime) -> dict[str, Any]:
    """Return the users row that :func:`touch` inserts (a known user gets the ``SEEN`` columns of it)."""
    return {
        "id": person.id,
        "first_name": person.first_name[:64],
        "last_name": (person.last_name or None) and person.last_name[:64],
        "username": person.username,
        "language_code": person.language_code,
        "time_zone": DEFAULT_TIME_ZONE,
        "consent_personal_deals": False,
        "consent_broadcasts": False,
        "blocked_bot": False,
        "created_at": now,
        "last_seen_at": now,
    }


async def touch(session: Session, *, person: Person, now: datetime) -> UserView:
    """Record that ``person`` was seen now (creating them on first contact) and return them."""
    values = seen_row(person, now)
    statement = upsert_statement(
        session, User.__table__, tuple(values), conflict=["id"], update=SEEN, returning=VIEWED
    )
    # One round trip: the stored row comes back from the upsert itself (every update sends it).
    row = (await execute_core(session, statement, values)).one()
    loaded = session.sync_session.identity_map.get(identity_key(User, person.id))
    if loaded is not None:
        await session.refresh(loaded)
    return UserView(*row)


async def get(session: Session, *, user_id: int) -> UserView | None:
    """Return the user, or None if the bot has never met them."""
    user = await session.get(User, user_id)
    return _view(user) if user is not None else None


async def set_language(session: Session, *, user_id: int, language: str) -> None:
    """Remember the language the user chose."""
    user = await session.get(User, user_id)
    if user is None:
        raise LookupError(f"unknown user {user_id}")
    user.language = language


async def remember_start_parameter(session: Session, *, user_id: int, parameter: str) -> bool:
    """Keep the first deep-link parameter a user arrived with (referrals use it); True if stored."""
    user = await session.get(User, user_id)
    if user is None or user.start_parameter is not None:
        return False
    user.start_parameter = parameter[:64]
    return True


async def mark_blocked(session: Session, *, user_id: int) -> None:
    """Note that the user blocked the bot, so nothing more is sent to them."""
    user = await session.get(User, user_id)
    if user is not None:
        user.blocked_bot = True


async def export(session: Session, *, user_id: int) -> dict[str, Any]:
    """Return everything stored about the user itself."""
    user = (await session.execute(select(User).where(User.id == user_id))).scalar_one_or_none()
    if user is None:
        return {}
    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "username": user.username,
        "telegram_language": user.language_code,
        "chosen_language": user.language,
        "time_zone": user.time_zone,
        "consents": {
            "personal_deals": user.consent_personal_deals,
            "broadcasts": user.consent_broadcasts,
        },
        "arrived_with_link": user.start_parameter,
        "first_seen": user.created_at.isoformat(),
        "last_seen": user.last_seen_at.isoformat(),
    }


async def erase(session: Session, *, user_id: int) -> bool:
    """Delete the user; every table that belongs to a user cascades from this row."""
    result = await session.execute(delete(User).where(User.id == user_id))
    return bool(getattr(result, "rowcount", 0))
