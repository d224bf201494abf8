"""SQLAlchemy 2 models: everything ROI bot stores, every row scoped to its Slack workspace."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (JSON, BigInteger, Boolean, Column, ForeignKey, Index, Integer, LargeBinary, MetaData, String,
                        Table, Text, UniqueConstraint, func)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import DateTime

from bot.dbtypes import Cents, UTCDateTime, utcnow  # noqa: F401 - also imported from here by the rest of the app
from metrics.status import Status

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with constraint names Alembic can rely on."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {Decimal: Cents(), datetime: UTCDateTime(), dict: JSON()}


class Workspace(Base):
    """A Slack workspace (team) using the app; every other row hangs off one."""

    __tablename__ = "workspaces"
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    uninstalled_at: Mapped[datetime | None]


class Campaign(Base):
    """A campaign with its budget, currency, dates, digest channel and schedule, and alert thresholds."""

    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("workspace_id", "name_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    name_key: Mapped[str] = mapped_column(String(40))
    budget: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    start: Mapped[date | None]
    end: Mapped[date | None]
    channel_id: Mapped[str | None] = mapped_column(String(32))
    digest: Mapped[str] = mapped_column(String(80), default="mon 09:00")
    # When the current schedule was set: a scheduled time before it was never missed, so never caught up.
    digest_since: Mapped[datetime | None]
    min_roi: Mapped[Decimal] = mapped_column(default=Decimal(0))
    grace_days: Mapped[int] = mapped_column(default=7)
    window_days: Mapped[int] = mapped_column(default=7)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=Status.ACTIVE)
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="campaign", cascade="all, delete-orphan")


class Influencer(Base):
    """A creator the team works with: handle, platform, audience size and the manager who decides on them."""

    __tablename__ = "influencers"
    __table_args__ = (UniqueConstraint("workspace_id", "handle_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    handle: Mapped[str] = mapped_column(String(64))
    handle_key: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(16), default="other")
    followers: Mapped[int | None] = mapped_column(BigInteger)
    manager_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="influencer", cascade="all, delete-orphan")


class Enrolment(Base):
    """An influencer in a campaign, with what they cost and what they should bring in."""

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("campaign_id", "influencer_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    influencer_id: Mapped[int] = mapped_column(ForeignKey("influencers.id", ondelete="CASCADE"), index=True)
    fee: Mapped[Decimal] = mapped_column(default=Decimal(0))
    commission_pct: Mapped[Decimal] = mapped_column(default=Decimal(0))
    product_cost: Mapped[Decimal] = mapped_column(default=Decimal(0))
    goal_revenue: Mapped[Decimal | None]
    start: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default=Status.ACTIVE)
    cut_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="enrolments")
    influencer: Mapped[Influencer] = relationship(back_populates="enrolments")
    codes: Mapped[list[Code]] = relationship(back_populates="enrolment", cascade="all, delete-orphan")


class Code(Base):
    """A discount code (and optional tracking link) of one influencer in one campaign."""

    __tablename__ = "codes"
    __table_args__ = (UniqueConstraint("campaign_id", "code_key"), Index("ix_codes_ws_code", "workspace_id", "code_key"))
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    code_key: Mapped[str] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrolment: Mapped[Enrolment] = relationship(back_populates="codes")


class Order(Base):
    """One imported or hand-entered order; identified by (workspace, source, order id)."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("workspace_id", "source", "order_id"),
        Index("ix_orders_ws_date", "workspace_id", "order_date"),
        # Covers every per-campaign sum of the reports (bot.queries): they are answered from the index alone.
        Index("ix_orders_campaign_report", "campaign_id", "attribution", "order_date", "enrolment_id", "currency",
              "revenue", "counted"),
        Index("ix_orders_enrolment", "enrolment_id"),
        Index("ix_orders_store_order", "workspace_id", "source", "store_order_id"),
    )
    # BIGINT on PostgreSQL (a big shop passes 2**31 line items); SQLite needs INTEGER for its rowid alias.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    order_id: Mapped[str] = mapped_column(String(128))
    created: Mapped[datetime | None]
    order_date: Mapped[date]
    currency: Mapped[str | None] = mapped_column(String(3))
    subtotal: Mapped[Decimal] = mapped_column(default=Decimal(0))
    refunded: Mapped[Decimal] = mapped_column(default=Decimal(0))
    cancelled: Mapped[bool] = mapped_column(default=False)
    financial_status: Mapped[str | None] = mapped_column(String(32))
    # Lower-case code keys wrapped in commas (",spring10,ana15,"), so `LIKE '%,code,%'` finds an order by code.
    codes: Mapped[str | None] = mapped_column(Text)
    utm_campaign: Mapped[str | None] = mapped_column(String(255))
    utm_content: Mapped[str | None] = mapped_column(String(255))
    # Derived on write (metrics.orders): what the order brings in and whether it counts as an order.
    revenue: Mapped[Decimal] = mapped_column(default=Decimal(0))
    counted: Mapped[bool] = mapped_column(default=True)
    # Attribution as the current registrations give it (metrics.attribution), kept up to date when they change:
    # "code" / "utm" = credited to the enrolment; "outside" = its code or link belongs to the campaign but the
    # order falls outside the window; None = nobody's.
    attribution: Mapped[str | None] = mapped_column(String(8))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolments.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # From a connected store (bot.stores): the store's own id of the order (its refunds and deletions name it), and
    # the store's `updated_at` of the version stored, so an older version delivered late never overwrites it.
    store_order_id: Mapped[str | None] = mapped_column(String(32))
    store_updated_at: Mapped[datetime | None]


class StoreConnection(Base):
    """A Shopify or WooCommerce store sending a workspace its orders (SPEC §8); secrets kept as Slack tokens are."""

    __tablename__ = "store_connections"
    # The shop named by a webhook picks the workspace: one shop belongs to one workspace.
    __table_args__ = (UniqueConstraint("kind", "shop"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # shopify | woocommerce
    shop: Mapped[str] = mapped_column(String(255))  # as webhooks name it, normalised (bot.stores.connections.shop_key)
    webhook_secret: Mapped[str | None] = mapped_column(String(255))  # Shopify's client secret, WooCommerce's own
    api_key: Mapped[str | None] = mapped_column(String(255))  # Shopify's client id, WooCommerce's consumer key
    api_secret: Mapped[str | None] = mapped_column(String(255))  # WooCommerce's consumer secret
    access_token: Mapped[str | None] = mapped_column(String(255))  # Shopify's Admin API access token
    api_url: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    uninstalled_at: Mapped[datetime | None]
    last_delivery_at: Mapped[datetime | None]
    # The sync (bot.stores.sync): orders updated after `synced_until` are still to be pulled; a sync under way
    # began at `sync_started_at` and has read up to `sync_cursor` (Shopify's page cursor, WooCommerce's next page),
    # so one killed half-way resumes there.
    synced_until: Mapped[datetime | None]
    sync_started_at: Mapped[datetime | None]
    sync_cursor: Mapped[str | None] = mapped_column(String(512))
    last_sync_at: Mapped[datetime | None]


class StoreDelivery(Base):
    """One webhook delivery, kept from its verification until it is processed: nothing acknowledged is lost."""

    __tablename__ = "store_deliveries"
    # Stores deliver at least once: a delivery key seen before is acknowledged and not kept again.
    __table_args__ = (UniqueConstraint("connection_id", "delivery_key"),
                      Index("ix_store_deliveries_pending", "processed_at", "next_attempt_at"))
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("store_connections.id", ondelete="CASCADE"))
    delivery_key: Mapped[str] = mapped_column(String(128))
    topic: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    # The store's id of the order a refund or deletion names: a refund waits here until its order is stored.
    store_order_id: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
    owner: Mapped[str | None] = mapped_column(String(128))  # the process processing it (bot.jobs.owners), while it does


class ImportRun(Base):
    """One import of a file (CLI or a CSV shared with the bot): what it was, who sent it, and its summary."""

    __tablename__ = "import_runs"
    # A file shared in Slack is imported once, however often Slack retries the event or processes race for it.
    __table_args__ = (UniqueConstraint("workspace_id", "file_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(String(255))
    file_id: Mapped[str | None] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(32))
    summary: Mapped[dict | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    owner: Mapped[str | None] = mapped_column(String(128))  # the process importing a shared file, while pending


class EngagementStat(Base):
    """Engagement counters of one post (or one day) of an influencer in a campaign."""

    __tablename__ = "engagement_stats"
    __table_args__ = (UniqueConstraint("enrolment_id", "stat_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    stat_key: Mapped[str] = mapped_column(String(2048))
    stat_date: Mapped[date]
    post: Mapped[str | None] = mapped_column(Text)
    impressions: Mapped[int | None] = mapped_column(BigInteger)
    reach: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    comments: Mapped[int | None] = mapped_column(BigInteger)
    shares: Mapped[int | None] = mapped_column(BigInteger)
    saves: Mapped[int | None] = mapped_column(BigInteger)
    clicks: Mapped[int | None] = mapped_column(BigInteger)
    views: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Alert(Base):
    """An underperformer alert sent for an enrolment on a day, and the decision taken on it."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("enrolment_id", "alert_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    alert_date: Mapped[date]
    reasons: Mapped[dict] = mapped_column(default=dict)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    decision: Mapped[str | None] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    quiet_until: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    owner: Mapped[str | None] = mapped_column(String(128))  # the process sending it, until it is sent


class JobRun(Base):
    """A claimed period of a scheduled job: the unique key makes each digest post once, whatever runs it."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("workspace_id", "kind", "subject", "period_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64))
    period_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="claimed")
    result: Mapped[dict | None]
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # Which process holds the claim (bot.jobs.owners): a claim whose holder died is taken over, not lost.
    owner: Mapped[str | None] = mapped_column(String(128))


class AppMeta(Base):
    """A fact about the database itself rather than a workspace's data, by key (see bot.meta)."""

    __tablename__ = "app_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# Multi-workspace installs (SLACK_CLIENT_ID …): slack_sdk's own SQLAlchemy stores (bot.oauth_stores) keep
# installations and OAuth states in these tables, in the same database. They are written out as slack_sdk 3.x
# defines them, rather than built by slack_sdk, whose store modules cost every start-up a tenth of a second;
# tests/bot/test_db.py checks they still match what slack_sdk builds.


def _bot_columns() -> list[Column]:
    return [Column("bot_token", String(200)), Column("bot_id", String(32)), Column("bot_user_id", String(32)),
            Column("bot_scopes", String(1000)), Column("bot_refresh_token", String(200)),
            Column("bot_token_expires_at", DateTime)]


def _who(*, url: bool) -> list[Column]:
    """The app, enterprise and team columns both installation tables start with."""
    return [Column("id", Integer, primary_key=True, autoincrement=True), Column("client_id", String(32), nullable=False),
            Column("app_id", String(32), nullable=False), Column("enterprise_id", String(32)),
            Column("enterprise_name", String(200)), *([Column("enterprise_url", String(200))] if url else []),
            Column("team_id", String(32)), Column("team_name", String(200))]


slack_bots = Table(
    "slack_bots", Base.metadata, *_who(url=False), *_bot_columns(),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)
slack_installations = Table(
    "slack_installations", Base.metadata, *_who(url=True), *_bot_columns(),
    Column("user_id", String(32), nullable=False), Column("user_token", String(200)),
    Column("user_scopes", String(1000)), Column("user_refresh_token", String(200)),
    Column("user_token_expires_at", DateTime), Column("incoming_webhook_url", String(200)),
    Column("incoming_webhook_channel", String(200)), Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, default=False, nullable=False), Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index("slack_installations_idx", "client_id", "enterprise_id", "team_id", "user_id", "installed_at"),
)
slack_oauth_states = Table(
    "slack_oauth_states", Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True), Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)
