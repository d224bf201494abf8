"""Alembic environment: runs migrations on the connection the app hands over (see bot.db.upgrade)."""

from alembic import context

from bot.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `roi-bot db upgrade`, which passes the connection")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
