"""Retailer accounts: who works for which retailer, one-time invite codes, and API keys.

A platform administrator (``ADMIN_USER_IDS``) creates a retailer and gets a one-time invite code for its first
member, the owner; the owner invites staff the same way. Everything a retailer has (products, stores, orders
of its products, group buys, deals, broadcasts, subscribers) is reached through its id, and every retailer
action checks that the object belongs to the acting account's retailer (:func:`owns_product`,
:func:`owns_order`). Codes and API keys are stored only as SHA-256 hashes; the plain text is shown once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models import Product, Retailer
from core.db import AutoId, Base, Session, UTCDateTime

INVITE_VALID = timedelta(days=7)
ROLES = ("owner", "staff")
KEY_PREFIX = "kr_"


class Refused(ValueError):
    """A retailer-account request turned down; ``reason_key`` names the locale text, ``args_`` fill it in."""

    def __init__(self, reason_key: str, **args: str | int) -> None:
        super().__init__(reason_key)
        self.reason_key = reason_key
        self.args_ = args


class RetailerMember(Base):
    """A person who acts for a retailer: its owner or staff."""

    __tablename__ = "retailer_members"
    __table_args__ = (UniqueConstraint("user_id"),)

    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(8))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RetailerInvite(Base):
    """A one-time code that makes whoever redeems it first a member of the retailer."""

    __tablename__ = "retailer_invites"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(8))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RetailerApiKey(Base):
    """A key for the retailer HTTP API; ``prefix`` (shown in lists) names it, only its hash is kept."""

    __tablename__ = "retailer_api_keys"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@dataclass(frozen=True, slots=True)
class Account:
    """The retailer a person (or an API key) acts for, and in which role."""

    retailer_id: int
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class Invite:
    """A new one-time invite code for a retailer (shown once)."""

    retailer_id: int
    name: str
    code: str
    expires_at: datetime


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.strip().encode()).hexdigest()


def _slug(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:48] or "retailer"


async def create(session: Session, *, name: str, created_by: int, now: datetime) -> Invite:
    """Create a retailer and return the one-time invite code for its owner."""
    name = " ".join(name.split())[:128]
    if len(name) < 2:
        raise Refused("retailer-error-name")
    slug, number = _slug(name), 1
    while await session.scalar(select(Retailer.id).where(Retailer.slug == slug)) is not None:
        number += 1
        slug = f"{_slug(name)}-{number}"
    retailer = Retailer(slug=slug, name=name)
    session.add(retailer)
    await session.flush()
    return await invite(session, retailer_id=retailer.id, role="owner", created_by=created_by, now=now)


async def invite(session: Session, *, retailer_id: int, role: str, created_by: int, now: datetime) -> Invite:
    """Return a new one-time invite code to the retailer, valid for a week."""
    if role not in ROLES:
        raise Refused("retailer-error-role")
    retailer = await session.get(Retailer, retailer_id)
    if retailer is None:
        raise Refused("retailer-error-unknown")
    code = f"R-{secrets.token_urlsafe(9)}"
    session.add(
        RetailerInvite(
            retailer_id=retailer_id,
            code_hash=_hash(code),
            role=role,
            created_by=created_by,
            created_at=now,
            expires_at=now + INVITE_VALID,
        )
    )
    await session.flush()
    return Invite(retailer_id=retailer_id, name=retailer.name, code=code, expires_at=now + INVITE_VALID)


async def redeem(session: Session, *, code: str, user_id: int, now: datetime) -> Account:
    """Make the person a member of the invite's retailer; each code works once, for a week."""
    if await of_user(session, user_id=user_id) is not None:
        raise Refused("retailer-error-already-member")
    taken = await session.execute(
        update(RetailerInvite)
        .where(
            RetailerInvite.code_hash == _hash(code),
            RetailerInvite.used_at.is_(None),
            RetailerInvite.expires_at > now,
        )
        .values(used_by=user_id, used_at=now)
        .returning(RetailerInvite.retailer_id, RetailerInvite.role)
    )
    row = taken.one_or_none()
    if row is None:
        raise Refused("retailer-error-code")
    session.add(RetailerMember(retailer_id=row.retailer_id, user_id=user_id, role=row.role, joined_at=now))
    await session.flush()
    account = await of_user(session, user_id=user_id)
    assert account is not None
    return account


async def of_user(session: Session, *, user_id: int) -> Account | None:
    """Return the retailer the person acts for, if any."""
    row = (
        await session.execute(
            select(RetailerMember.retailer_id, Retailer.name, RetailerMember.role)
            .join(Retailer, Retailer.id == RetailerMember.retailer_id)
            .where(RetailerMember.user_id == user_id)
        )
    ).one_or_none()
    return Account(retailer_id=row[0], name=row[1], role=row[2]) if row is not None else None


async def members(session: Session, *, retailer_id: int) -> list[tuple[int, str]]:
    """Return the retailer's members as ``(user id, role)``, the owner first."""
    rows = await session.execute(
        select(RetailerMember.user_id, RetailerMember.role)
        .where(RetailerMember.retailer_id == retailer_id)
        .order_by(RetailerMember.role, RetailerMember.joined_at)
    )
    return [(user_id, role) for user_id, role in rows]


async def owns_product(session: Session, *, retailer_id: int, product_id: int) -> bool:
    """Tell whether the product belongs to the retailer."""
    owner = await session.scalar(select(Product.retailer_id).where(Product.id == product_id))
    return owner == retailer_id


async def create_api_key(session: Session, *, retailer_id: int, created_by: int | None, now: datetime) -> str:
    """Return a new API key for the retailer (shown once; only its hash is stored)."""
    key = f"{KEY_PREFIX}{secrets.token_urlsafe(24)}"
    session.add(
        RetailerApiKey(
            retailer_id=retailer_id,
            prefix=key[:10],
            key_hash=_hash(key),
            created_by=created_by,
            created_at=now,
        )
    )
    await session.flush()
    return key


async def by_api_key(session: Session, *, key: str) -> Account | None:
    """Return the retailer an API key belongs to, unless the key is unknown or revoked."""
    row = (
        await session.execute(
            select(Retailer.id, Retailer.name)
            .join(RetailerApiKey, RetailerApiKey.retailer_id == Retailer.id)
            .where(RetailerApiKey.key_hash == _hash(key), RetailerApiKey.revoked_at.is_(None))
        )
    ).one_or_none()
    return Account(retailer_id=row[0], name=row[1], role="api") if row is not None else None


async def revoke_api_keys(session: Session, *, retailer_id: int, now: datetime) -> int:
    """Revoke every key of the retailer; return how many."""
    result = await session.execute(
        update(RetailerApiKey)
        .where(RetailerApiKey.retailer_id == retailer_id, RetailerApiKey.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)
