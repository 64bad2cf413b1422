"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26

The tables exactly as ``metadata.create_all`` made them before migrations existed (release
535f171), so a database from that release is stamped with this revision instead of created.
Written by hand; it must not follow later edits of ``monitors/state/schema.py``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("feed_id", sa.String(64), primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("last_attempt_at", TIME),
        sa.Column("last_success_at", TIME),
        sa.Column("last_new_report_at", TIME),
        sa.Column("consecutive_failures", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
    )
    op.create_table(
        "reports",
        sa.Column("feed_id", sa.String(64), primary_key=True),
        sa.Column("report_id", sa.String(512), primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("link", sa.Text),
        sa.Column("published", TIME),
        sa.Column("first_seen", TIME, nullable=False),
        sa.Column("last_changed", TIME, nullable=False),
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("claim_id", sa.String(64), nullable=False),
        sa.Column("feed_id", sa.String(64), nullable=False),
        sa.Column("report_id", sa.String(512), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("relatedness", sa.Float, nullable=False),
        sa.Column("spans", sa.Text, nullable=False),
        sa.Column("report_title", sa.Text, nullable=False),
        sa.Column("report_link", sa.Text),
        sa.Column("published", TIME),
        sa.Column("created_at", TIME, nullable=False),
        sa.UniqueConstraint(
            "claim_id", "feed_id", "report_id", "content_hash", name="uq_evidence_version"
        ),
    )
    op.create_index("ix_evidence_claim", "evidence", ["claim_id", "created_at"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(128), nullable=False, unique=True),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("claim_id", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("lease_until", TIME),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.Column("delivered_at", TIME),
    )
    op.create_index("ix_outbox_status", "outbox", ["status", "channel"])
    op.create_table(
        "claim_state",
        sa.Column("claim_id", sa.String(64), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("as_of", TIME, nullable=False),
        sa.Column("evidence_id", sa.Integer, sa.ForeignKey("evidence.id")),
        sa.Column("changed_at", TIME, nullable=False),
    )
    op.create_table(
        "state_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("claim_id", sa.String(64), nullable=False),
        sa.Column("previous", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reported_at", TIME, nullable=False),
        sa.Column("evidence_id", sa.Integer, sa.ForeignKey("evidence.id"), nullable=False),
        sa.Column("recorded_at", TIME, nullable=False),
    )
    op.create_index("ix_state_changes_claim", "state_changes", ["claim_id", "id"])
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("outbox_id", sa.Integer, sa.ForeignKey("outbox.id"), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
    )


def downgrade() -> None:
    for table in (
        "deliveries",
        "state_changes",
        "claim_state",
        "outbox",
        "evidence",
        "reports",
        "feeds",
    ):
        op.drop_table(table)  # their indexes go with them
