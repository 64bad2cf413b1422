"""feed poll state

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03

A feed's poll state lasts across runs and workers (``monitors/feedstate.py``): when it may be
polled next (backoff, Retry-After), since when it has been failing, whether a 410 disabled it,
where a 301 moved it, and whether the operator was told about it. All nullable: an existing row
reads as "healthy, due on the next run", which is what it was.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("next_poll_at", TIME))
        batch.add_column(sa.Column("failing_since", TIME))
        batch.add_column(sa.Column("disabled_at", TIME))
        batch.add_column(sa.Column("disabled_reason", sa.Text))
        batch.add_column(sa.Column("moved_to", sa.Text))
        batch.add_column(sa.Column("moved_at", TIME))
        batch.add_column(sa.Column("health_alerted_at", TIME))


def downgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        for column in (
            "health_alerted_at",
            "moved_at",
            "moved_to",
            "disabled_reason",
            "disabled_at",
            "failing_since",
            "next_poll_at",
        ):
            batch.drop_column(column)
