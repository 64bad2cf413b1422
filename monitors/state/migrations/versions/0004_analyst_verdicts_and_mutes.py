"""analyst verdicts and mutes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04

Two append-only tables written by the desk, never by the engine:

- ``analyst_verdicts``: an analyst's verdict on one report for one claim (``claimwatch
  verdict``), with who and when. The newest row per (claim, feed, report) overrides the
  machine's verdict for every version of the report; earlier rows stay as the audit trail.
- ``mutes``: a claim, a feed or a source (a link's host) whose alerts are held back until
  ``until`` (NULL: until lifted). ``lifted_at`` ends one early; rows are never deleted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "analyst_verdicts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("claim_id", sa.String(64), nullable=False),
        sa.Column("feed_id", sa.String(64), nullable=False),
        sa.Column("report_id", sa.String(512), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("machine_verdict", sa.String(16), nullable=False),
        sa.Column("analyst", sa.String(128), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("created_at", TIME, nullable=False),
    )
    op.create_index(
        "ix_analyst_verdicts_report", "analyst_verdicts", ["claim_id", "feed_id", "report_id"]
    )
    op.create_table(
        "mutes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.String(512), nullable=False),
        sa.Column("until", TIME),
        sa.Column("reason", sa.Text),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("lifted_at", TIME),
    )
    op.create_index("ix_mutes_target", "mutes", ["kind", "target"])


def downgrade() -> None:
    op.drop_index("ix_mutes_target", table_name="mutes")
    op.drop_table("mutes")
    op.drop_index("ix_analyst_verdicts_report", table_name="analyst_verdicts")
    op.drop_table("analyst_verdicts")
