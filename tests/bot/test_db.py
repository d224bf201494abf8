"""Schema: the migrations build exactly the models, on every backend; money is exact."""

from __future__ import annotations

from decimal import Decimal

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, func, select

from bot.db import current_revision, head_revision
from bot.models import Base, Campaign, Workspace


def test_migrations_match_the_models(engine):
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_money_round_trips_exactly_and_sums_in_sql(sessions):
    with sessions.begin() as session:
        ws = Workspace(team_id="T1")
        session.add(ws)
        session.flush()
        for n, budget in enumerate(["0.10", "0.20", "1234567.89"]):
            session.add(Campaign(workspace_id=ws.id, name=f"c{n}", name_key=f"c{n}", budget=Decimal(budget)))
    with sessions() as session:
        budgets = sorted(session.scalars(select(Campaign.budget)))
        total = session.scalar(select(func.sum(Campaign.budget)))
    assert budgets == [Decimal("0.10"), Decimal("0.20"), Decimal("1234567.89")]
    assert total == Decimal("1234568.19")  # 0.1 + 0.2 would not be exact in floating point


def test_the_installation_tables_are_the_ones_slack_sdks_stores_build():
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    theirs = MetaData()
    built = [SQLAlchemyInstallationStore.build_installations_table(theirs, "slack_installations"),
             SQLAlchemyInstallationStore.build_bots_table(theirs, "slack_bots"),
             SQLAlchemyOAuthStateStore.build_oauth_states_table(theirs, "slack_oauth_states")]

    def shape(table):
        columns = [(c.name, repr(c.type), c.nullable, c.primary_key) for c in table.columns]
        return columns, sorted((i.name, tuple(c.name for c in i.columns)) for i in table.indexes)

    for table in built:
        assert shape(Base.metadata.tables[table.name]) == shape(table), table.name


def test_dates_stored_before_the_bounds_are_brought_within_them_by_the_upgrade(engine, sessions):
    from datetime import date

    from alembic import command

    from bot.db import _alembic_config, upgrade
    from bot.reports import campaign_report

    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0005")
    with sessions.begin() as session:  # what `/campaign create … end=9999-12-31 window_days=100000` stored before
        ws = Workspace(team_id="T1")
        session.add(ws)
        session.flush()
        session.add_all([
            Campaign(workspace_id=ws.id, name="far", name_key="far", budget=Decimal(1), start=date(1, 1, 1),
                     end=date(9999, 12, 31), window_days=100_000, grace_days=100_000),
            Campaign(workspace_id=ws.id, name="usual", name_key="usual", budget=Decimal(1), start=date(2026, 3, 1),
                     end=date(2026, 3, 31), window_days=7, grace_days=7),
        ])

    upgrade(engine)

    with sessions() as session:
        far, usual = session.scalars(select(Campaign).order_by(Campaign.name))
        assert (far.start, far.end, far.window_days, far.grace_days) == (date(2000, 1, 1), date(2100, 12, 31), 365, 365)
        assert (usual.start, usual.end, usual.window_days, usual.grace_days) == (date(2026, 3, 1), date(2026, 3, 31), 7, 7)
        assert campaign_report(session, far, today=date(2026, 3, 16)).totals.revenue == Decimal("0.00")
