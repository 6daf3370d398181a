"""personal deals: subscriptions, deals and their deliveries

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 21:45:23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deal_brands",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("brand_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("chosen_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_deal_brands_brand_id_brands"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_deal_brands_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "brand_id", name=op.f("pk_deal_brands")),
    )
    with op.batch_alter_table("deal_brands", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_brands_brand_id"), ["brand_id"], unique=False)

    op.create_table(
        "deal_categories",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("category_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("muted", sa.Boolean(), nullable=False),
        sa.Column("chosen_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_deal_categories_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_deal_categories_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "category_id", name=op.f("pk_deal_categories")),
    )
    with op.batch_alter_table("deal_categories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_categories_category_id"), ["category_id"], unique=False)

    op.create_table(
        "deal_preferences",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("cap", sa.SmallInteger(), nullable=False),
        sa.Column("cap_period", sa.String(length=4), nullable=False),
        sa.Column("quiet_from", sa.SmallInteger(), nullable=True),
        sa.Column("quiet_until", sa.SmallInteger(), nullable=True),
        sa.Column("max_price", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("cap_period IN ('day', 'week')", name=op.f("ck_deal_preferences_cap_period")),
        sa.CheckConstraint(
            "(quiet_from IS NULL) = (quiet_until IS NULL)", name=op.f("ck_deal_preferences_quiet_both")
        ),
        sa.CheckConstraint("cap BETWEEN 1 AND 10", name=op.f("ck_deal_preferences_cap_range")),
        sa.CheckConstraint(
            "max_price IS NULL OR max_price > 0", name=op.f("ck_deal_preferences_max_price_positive")
        ),
        sa.CheckConstraint(
            "quiet_from IS NULL OR quiet_from BETWEEN 0 AND 23",
            name=op.f("ck_deal_preferences_quiet_from_hour"),
        ),
        sa.CheckConstraint(
            "quiet_until IS NULL OR quiet_until BETWEEN 0 AND 23",
            name=op.f("ck_deal_preferences_quiet_until_hour"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_deal_preferences_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_deal_preferences")),
    )
    op.create_table(
        "deal_retailers",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("retailer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("chosen_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["retailer_id"],
            ["retailers.id"],
            name=op.f("fk_deal_retailers_retailer_id_retailers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_deal_retailers_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "retailer_id", name=op.f("pk_deal_retailers")),
    )
    with op.batch_alter_table("deal_retailers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_retailers_retailer_id"), ["retailer_id"], unique=False)

    op.create_table(
        "deals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("retailer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("category_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("percent", sa.SmallInteger(), nullable=False),
        sa.Column("starts_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('scheduled', 'running', 'ended', 'cancelled')", name=op.f("ck_deals_status")
        ),
        sa.CheckConstraint(
            "(product_id IS NULL) <> (category_id IS NULL)", name=op.f("ck_deals_one_subject")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_deals_ends_after_start")),
        sa.CheckConstraint("percent BETWEEN 1 AND 90", name=op.f("ck_deals_percent_range")),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_deals_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_deals_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_deals_product_id_products"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["retailer_id"], ["retailers.id"], name=op.f("fk_deals_retailer_id_retailers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deals")),
    )
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deals_category_id"), ["category_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deals_product_id"), ["product_id"], unique=False)
        batch_op.create_index("ix_deals_retailer_id_status", ["retailer_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_deals_status"), ["status"], unique=False)

    op.create_table(
        "deal_deliveries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("deal_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("price_change_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("queued_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('deal', 'drop', 'gift')", name=op.f("ck_deal_deliveries_kind")),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed', 'dropped')",
            name=op.f("ck_deal_deliveries_status"),
        ),
        sa.CheckConstraint(
            "deal_id IS NOT NULL OR price_change_id IS NOT NULL", name=op.f("ck_deal_deliveries_subject")
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_deal_deliveries_deal_id_deals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["price_change_id"],
            ["price_changes.id"],
            name=op.f("fk_deal_deliveries_price_change_id_price_changes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_deal_deliveries_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_deal_deliveries_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_deliveries")),
        sa.UniqueConstraint("user_id", "deal_id", name=op.f("uq_deal_deliveries_user_id_deal_id")),
        sa.UniqueConstraint(
            "user_id", "price_change_id", name=op.f("uq_deal_deliveries_user_id_price_change_id")
        ),
    )
    with op.batch_alter_table("deal_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_deliveries_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index("ix_deal_deliveries_status_user_id", ["status", "user_id"], unique=False)
        batch_op.create_index("ix_deal_deliveries_user_id_sent_at", ["user_id", "sent_at"], unique=False)

    op.create_table(
        "deal_items",
        sa.Column("deal_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("regular_price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("regular_compare_at", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("deal_price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("price_change_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_deal_items_deal_id_deals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["price_change_id"],
            ["price_changes.id"],
            name=op.f("fk_deal_items_price_change_id_price_changes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_deal_items_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("deal_id", "product_id", name=op.f("pk_deal_items")),
    )
    with op.batch_alter_table("deal_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_items_price_change_id"), ["price_change_id"], unique=False)
        batch_op.create_index(
            "uq_deal_items_active_product",
            ["product_id"],
            unique=True,
            sqlite_where=sa.text("active"),
            postgresql_where=sa.text("active"),
        )


def downgrade() -> None:
    with op.batch_alter_table("deal_items", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_deal_items_active_product", sqlite_where=sa.text("active"), postgresql_where=sa.text("active")
        )
        batch_op.drop_index(batch_op.f("ix_deal_items_price_change_id"))

    op.drop_table("deal_items")
    with op.batch_alter_table("deal_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deal_deliveries_user_id_sent_at")
        batch_op.drop_index("ix_deal_deliveries_status_user_id")
        batch_op.drop_index(batch_op.f("ix_deal_deliveries_deal_id"))

    op.drop_table("deal_deliveries")
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deals_status"))
        batch_op.drop_index("ix_deals_retailer_id_status")
        batch_op.drop_index(batch_op.f("ix_deals_product_id"))
        batch_op.drop_index(batch_op.f("ix_deals_category_id"))

    op.drop_table("deals")
    with op.batch_alter_table("deal_retailers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_retailers_retailer_id"))

    op.drop_table("deal_retailers")
    op.drop_table("deal_preferences")
    with op.batch_alter_table("deal_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_categories_category_id"))

    op.drop_table("deal_categories")
    with op.batch_alter_table("deal_brands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_brands_brand_id"))

    op.drop_table("deal_brands")
