"""Bring values stored before SPEC §7's bounds within them, so that no answer, digest or scan fails on them.

Before the bounds, `/campaign create … end=9999-12-31` was accepted, and adding the attribution window to it (or a
digest period) overflowed Python's dates in every later report. Campaign and enrolment dates are clamped to
2000-01-01…2100-12-31 and `grace_days`/`window_days` to 365 days (bot/limits.py); no value inside the bounds changes.
An end of 9999-12-31 meant "no end in sight", which 2100-12-31 still means.

Revision ID: 0006
Revises: 0005
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# Written out rather than imported: a migration keeps meaning what it meant when it was written.
MIN_DATE, MAX_DATE, MAX_DAYS = date(2000, 1, 1), date(2100, 12, 31), 365
DATES = {'campaigns': ('start', 'end'), 'enrolments': ('start', 'cut_on')}
DAYS = ('grace_days', 'window_days')


def upgrade() -> None:
    bind = op.get_bind()
    for name, columns in DATES.items():
        table = sa.table(name, *(sa.column(c, sa.Date) for c in columns))
        for column in columns:
            col = table.c[column]
            bind.execute(sa.update(table).where(col < MIN_DATE).values({column: MIN_DATE}))
            bind.execute(sa.update(table).where(col > MAX_DATE).values({column: MAX_DATE}))
    campaigns = sa.table('campaigns', *(sa.column(c, sa.Integer) for c in DAYS))
    for column in DAYS:
        bind.execute(sa.update(campaigns).where(campaigns.c[column] > MAX_DAYS).values({column: MAX_DAYS}))


def downgrade() -> None:
    pass  # the values outside the bounds are not kept: they could not be used
