"""Retailer accounts: who works for which retailer, one-time invite codes, and API keys.

A platform administrator (``ADMIN_USER_IDS``) creates a retailer and gets a one-time invite code for its first
member, the owner; the owner invites staff the same way. Everything a retailer has (products, stores, orders
of its products, group buys, deals, broadcasts, subscribers) is reached through its id, and every retailer
action checks that the object belongs to the acting account's retailer: :func:`acting_for` returns the
person's :class:`Scope` (one retailer, or every retailer for a platform administrator), and the caller asks
it whether it covers the retailer(s) an object belongs to (:func:`owns_product` here; an order belongs to a
retailer when all its articles do, see ``orders.states.retailer_ids``). Codes and API keys are stored only
as SHA-256 hashes; the plain text is shown once.

A person acts for at most one retailer. A platform administrator who is no member acts for the only
retailer while there is exactly one (the demo shop), else for none, but may act on every retailer's data.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint, delete, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models import Product, Retailer
from core import privacy, users
from core.db import AutoId, Base, Session, UTCDateTime
from core.users import Person

INVITE_VALID = timedelta(days=7)
ROLES = ("owner", "staff")
# The role of a platform administrator acting for a retailer they are no member of.
ADMIN = "admin"
# Who may invite staff, remove them and manage API keys.
MANAGERS = frozenset({"owner", ADMIN})
KEY_PREFIX = "kr_"
CODE_PREFIX = "R-"
SHOWN_PREFIX = 10


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
class Scope:
    """Whose data a person may act on as a retailer: one retailer's, or (an administrator) everyone's."""

    account: Account | None
    admin: bool = False

    @property
    def retailer_id(self) -> int | None:
        """Return the retailer to filter by, or None for an administrator, who sees every retailer."""
        return None if self.admin or self.account is None else self.account.retailer_id

    def covers(self, retailer_id: int | None) -> bool:
        """Tell whether the person may act on an object of ``retailer_id``."""
        return self.admin or (self.account is not None and retailer_id == self.account.retailer_id)

    def covers_all(self, retailer_ids: Collection[int]) -> bool:
        """Tell whether the person may act on an object of exactly these retailers (none else)."""
        if self.admin:
            return True
        return self.account is not None and set(retailer_ids) == {self.account.retailer_id}


@dataclass(frozen=True, slots=True)
class Member:
    """A member of a retailer, with the name the bot knows."""

    user_id: int
    first_name: str
    role: str
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class ApiKey:
    """An active API key as the owner sees it: its first characters and when it was made."""

    prefix: str
    created_at: datetime


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
    code = f"{CODE_PREFIX}{secrets.token_urlsafe(9)}"
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


async def members(session: Session, *, retailer_id: int) -> list[Member]:
    """Return the retailer's members, the owners first, then staff in the order they joined."""
    rows = await session.execute(
        select(RetailerMember.user_id, users.User.first_name, RetailerMember.role, RetailerMember.joined_at)
        .join(users.User, users.User.id == RetailerMember.user_id)
        .where(RetailerMember.retailer_id == retailer_id)
        .order_by(RetailerMember.role, RetailerMember.joined_at, RetailerMember.user_id)
    )
    return [Member(*row) for row in rows]


async def remove(session: Session, *, retailer_id: int, user_id: int) -> None:
    """Take a staff member off the retailer (an owner stays: a retailer always keeps its owner)."""
    role = await session.scalar(
        select(RetailerMember.role).where(
            RetailerMember.retailer_id == retailer_id, RetailerMember.user_id == user_id
        )
    )
    if role is None:
        raise Refused("retailer-error-not-member")
    if role == "owner":
        raise Refused("retailer-error-remove-owner")
    await session.execute(
        delete(RetailerMember).where(
            RetailerMember.retailer_id == retailer_id, RetailerMember.user_id == user_id
        )
    )


async def acting_for(session: Session, *, user_id: int, admin: bool) -> Scope | None:
    """Return what the person may act on as a retailer, or None when they are no retailer at all.

    ``admin`` says whether the person is a platform administrator (the bot's configuration decides).
    """
    account = await of_user(session, user_id=user_id)
    if account is None and admin:
        only = (await session.execute(select(Retailer.id, Retailer.name).limit(2))).all()
        if len(only) == 1:
            account = Account(retailer_id=only[0][0], name=only[0][1], role=ADMIN)
    if account is None and not admin:
        return None
    return Scope(account=account, admin=admin)


async def ensure_owner(
    session: Session, *, retailer_slug: str, person: Person, now: datetime
) -> Account | None:
    """Make the person the owner of the retailer unless they act for a retailer already (idempotent)."""
    retailer = await session.scalar(select(Retailer).where(Retailer.slug == retailer_slug))
    if retailer is None:
        return None
    if await users.get(session, user_id=person.id) is None:
        await users.touch(session, person=person, now=now)
    account = await of_user(session, user_id=person.id)
    if account is None:
        session.add(RetailerMember(retailer_id=retailer.id, user_id=person.id, role="owner", joined_at=now))
        await session.flush()
        account = Account(retailer_id=retailer.id, name=retailer.name, role="owner")
    return account


async def slug_of(session: Session, *, retailer_id: int) -> str | None:
    """Return the retailer's slug (the catalog import names a retailer by it)."""
    slug: str | None = await session.scalar(select(Retailer.slug).where(Retailer.id == retailer_id))
    return slug


async def count(session: Session) -> int:
    """Return how many retailers there are."""
    return int(await session.scalar(select(func.count()).select_from(Retailer)) or 0)


async def owns_product(session: Session, *, retailer_id: int, product_id: int) -> bool:
    """Tell whether the product belongs to the retailer."""
    owner = await session.scalar(select(Product.retailer_id).where(Product.id == product_id))
    return owner == retailer_id


async def of_product(session: Session, *, product_id: int) -> int | None:
    """Return the retailer a product belongs to, or None for an unknown product."""
    owner: int | None = await session.scalar(select(Product.retailer_id).where(Product.id == product_id))
    return owner


async def create_api_key(session: Session, *, retailer_id: int, created_by: int | None, now: datetime) -> str:
    """Return a new API key for the retailer (shown once; only its hash is stored)."""
    key = f"{KEY_PREFIX}{secrets.token_urlsafe(24)}"
    session.add(
        RetailerApiKey(
            retailer_id=retailer_id,
            prefix=key[:SHOWN_PREFIX],
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


async def api_keys(session: Session, *, retailer_id: int) -> list[ApiKey]:
    """Return the retailer's active keys (their first characters), oldest first."""
    rows = await session.execute(
        select(RetailerApiKey.prefix, RetailerApiKey.created_at)
        .where(RetailerApiKey.retailer_id == retailer_id, RetailerApiKey.revoked_at.is_(None))
        .order_by(RetailerApiKey.created_at, RetailerApiKey.id)
    )
    return [ApiKey(prefix=prefix, created_at=created_at) for prefix, created_at in rows]


async def revoke_api_keys(
    session: Session, *, retailer_id: int, now: datetime, prefix: str | None = None
) -> int:
    """Revoke the retailer's keys (only those starting with ``prefix``, if given); return how many."""
    query = update(RetailerApiKey).where(
        RetailerApiKey.retailer_id == retailer_id, RetailerApiKey.revoked_at.is_(None)
    )
    if prefix is not None:
        query = query.where(RetailerApiKey.prefix == prefix.strip()[:SHOWN_PREFIX])
    result = await session.execute(query.values(revoked_at=now))
    return int(getattr(result, "rowcount", 0) or 0)


@privacy.section("retailer")
async def _export(session: Session, user_id: int) -> dict[str, Any]:
    account = await of_user(session, user_id=user_id)
    invites = await session.execute(
        select(RetailerInvite.role, RetailerInvite.created_at, RetailerInvite.used_at)
        .where(RetailerInvite.created_by == user_id)
        .order_by(RetailerInvite.created_at, RetailerInvite.id)
    )
    keys = await session.execute(
        select(RetailerApiKey.prefix, RetailerApiKey.created_at, RetailerApiKey.revoked_at)
        .where(RetailerApiKey.created_by == user_id)
        .order_by(RetailerApiKey.created_at, RetailerApiKey.id)
    )
    return {
        "retailer": None if account is None else account.name,
        "role": None if account is None else account.role,
        "invites_created": [
            {"role": role, "at": at.isoformat(), "used": used is not None} for role, at, used in invites
        ],
        "api_keys_created": [
            {"prefix": prefix, "at": at.isoformat(), "revoked": revoked is not None}
            for prefix, at, revoked in keys
        ],
    }
