"""The catalog schema: retailers, brands, categories, products and their variants, stores, stock,
pictures and price history.

Later catalog work (import, search, style advice, the idea board) only adds services on these tables.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import AutoId, Base, UTCDateTime

# Money is exact: Numeric(12, 2) beside an ISO 4217 code, never a float.
Money = Numeric(12, 2)

GENDERS = ("women", "men", "unisex")
SEASONS = ("winter", "summer", "all")
FITS = ("slim", "regular", "relaxed", "oversized")
TAG_KINDS = ("style", "occasion", "material")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class Retailer(Base):
    """A shop that sells through the bot; it owns its products and stores."""

    __tablename__ = "retailers"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))


class Brand(Base):
    """A brand; shared by every retailer that carries it."""

    __tablename__ = "brands"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)


class Category(Base):
    """A node of the category tree (women › jackets & coats › winter jackets)."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    # A subcategory belongs to its parent; products keep a category from being deleted (RESTRICT).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_de: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Product(Base):
    """What a customer picks: a retailer's article with its texts, classification and list price."""

    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("retailer_id", "sku"),
        # Variants point at (id, retailer_id) so a variant SKU is unique within its retailer.
        UniqueConstraint("id", "retailer_id"),
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint(
            "compare_at_price IS NULL OR compare_at_price > price", name="compare_at_above_price"
        ),
        CheckConstraint("length(currency) = 3", name="currency_code"),
        CheckConstraint(_one_of("season", SEASONS), name="season"),
        CheckConstraint(f"gender IS NULL OR {_one_of('gender', GENDERS)}", name="gender"),
        CheckConstraint(f"fit IS NULL OR {_one_of('fit', FITS)}", name="fit"),
        Index("ix_products_category_id_active", "category_id", "active"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(64))
    title_de: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    description_de: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="SET NULL"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"))
    gender: Mapped[str | None] = mapped_column(String(8))
    fit: Mapped[str | None] = mapped_column(String(16))
    # One season per product (it is a property of the article, not a set of labels), so a column.
    season: Mapped[str] = mapped_column(String(8), default="all")
    price: Mapped[Decimal] = mapped_column(Money)
    compare_at_price: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    community_designed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProductTag(Base):
    """A style, occasion or material of a product.

    An association table rather than JSON lists: "every product for a wedding" or "all linen" is then an
    indexed lookup on (kind, value) with the same SQL on SQLite and PostgreSQL, and search, style advice
    and deal matching join on it instead of parsing JSON per row with dialect-specific functions.
    """

    __tablename__ = "product_tags"
    __table_args__ = (
        CheckConstraint(_one_of("kind", TAG_KINDS), name="kind"),
        Index("ix_product_tags_kind_value", "kind", "value"),
    )

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(32), primary_key=True)


class Variant(Base):
    """One buyable size and colour of a product, with its barcode and an optional own price."""

    __tablename__ = "variants"
    __table_args__ = (
        ForeignKeyConstraint(
            ["product_id", "retailer_id"], ["products.id", "products.retailer_id"], ondelete="CASCADE"
        ),
        UniqueConstraint("retailer_id", "sku"),
        UniqueConstraint("product_id", "colour", "size"),
        CheckConstraint("colour = lower(colour)", name="colour_lowercase"),
        CheckConstraint("price IS NULL OR price >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    product_id: Mapped[int] = mapped_column(AutoId)
    # Copied from the product (and checked by the composite key) so that imports find a variant by its
    # SKU or barcode within one retailer without a join.
    retailer_id: Mapped[int] = mapped_column(AutoId)
    sku: Mapped[str] = mapped_column(String(64))
    size: Mapped[str] = mapped_column(String(16))
    colour: Mapped[str] = mapped_column(String(24), index=True)
    gtin: Mapped[str | None] = mapped_column(String(14), index=True)
    # Overrides the product's price (in the product's currency) when set.
    price: Mapped[Decimal | None] = mapped_column(Money)


class Store(Base):
    """A shop of a retailer; the one marked ``is_warehouse`` holds the stock for home delivery."""

    __tablename__ = "stores"
    __table_args__ = (UniqueConstraint("retailer_id", "code"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(128))
    city: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(255))
    opening_hours: Mapped[str | None] = mapped_column(Text)
    is_warehouse: Mapped[bool] = mapped_column(Boolean, default=False)


class Stock(Base):
    """How many units of a variant a store has."""

    __tablename__ = "stock"
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity_not_negative"),)

    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True)
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("variants.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    quantity: Mapped[int] = mapped_column(Integer)


class ProductImage(Base):
    """A picture of a product, stored under the media folder; Telegram's file id is kept once uploaded."""

    __tablename__ = "product_images"
    __table_args__ = (UniqueConstraint("product_id", "position"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    path: Mapped[str] = mapped_column(String(255))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    # The variant colour the picture shows, when it shows one.
    colour: Mapped[str | None] = mapped_column(String(24))
    telegram_file_id: Mapped[str | None] = mapped_column(String(255))


class PriceChange(Base):
    """One change of a product's or a variant's price; price-drop alerts read this history."""

    __tablename__ = "price_changes"
    __table_args__ = (
        CheckConstraint("(product_id IS NULL) <> (variant_id IS NULL)", name="one_subject"),
        Index("ix_price_changes_product_id_changed_at", "product_id", "changed_at"),
        Index("ix_price_changes_variant_id_changed_at", "variant_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    price: Mapped[Decimal] = mapped_column(Money)
    # What it cost before, so a drop and its size are known from one row.
    previous_price: Mapped[Decimal | None] = mapped_column(Money)
    compare_at_price: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
