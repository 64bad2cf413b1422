"""feed leases

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03

Concurrent monitor runs share the feeds: a run leases the feeds it is about to poll
(``lease_owner``: its run id, ``lease_until``: when the lease lapses if the run dies). The cycle
marker is the existing ``last_attempt_at``: it is written in the same transaction as the
validators, after the feed's reports are decided.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(64)))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
