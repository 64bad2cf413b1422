"""The state database's tables (SQLAlchemy Core), portable between SQLite and PostgreSQL.

Uniqueness constraints carry the product's guarantees, not application checks: a report version is
evaluated once per claim (``evidence`` unique key), and an alert is queued once per channel
(``outbox.key``), even when two runs or two workers race.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

feeds = Table(
    "feeds",
    metadata,
    Column("feed_id", String(64), primary_key=True),
    Column("url", Text, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_attempt_at", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
    Column("last_new_report_at", DateTime(timezone=True)),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("last_error", Text),
    # A run polling the feed until lease_until (revision 0002); see Store.claim_feeds.
    Column("lease_owner", String(64)),
    Column("lease_until", DateTime(timezone=True)),
    # Poll state across runs (revision 0003); see monitors/feedstate.py. ``url`` is the URL
    # feeds.yaml gave; ``moved_to`` the one a 301 moved it to, used while ``url`` is unchanged.
    Column("next_poll_at", DateTime(timezone=True)),
    Column("failing_since", DateTime(timezone=True)),
    Column("disabled_at", DateTime(timezone=True)),
    Column("disabled_reason", Text),
    Column("moved_to", Text),
    Column("moved_at", DateTime(timezone=True)),
    Column("health_alerted_at", DateTime(timezone=True)),
)

reports = Table(
    "reports",
    metadata,
    Column("feed_id", String(64), primary_key=True),
    Column("report_id", String(512), primary_key=True),
    Column("content_hash", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("link", Text),
    Column("published", DateTime(timezone=True)),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_changed", DateTime(timezone=True), nullable=False),
)

evidence = Table(
    "evidence",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("claim_id", String(64), nullable=False),
    Column("feed_id", String(64), nullable=False),
    Column("report_id", String(512), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("relatedness", Float, nullable=False),
    Column("spans", Text, nullable=False),  # JSON list of Evidence.to_dict()
    Column("report_title", Text, nullable=False),
    Column("report_link", Text),
    Column("published", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint(
        "claim_id", "feed_id", "report_id", "content_hash", name="uq_evidence_version"
    ),
)
Index("ix_evidence_claim", evidence.c.claim_id, evidence.c.created_at)

claim_state = Table(
    "claim_state",
    metadata,
    Column("claim_id", String(64), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("as_of", DateTime(timezone=True), nullable=False),  # when the deciding report appeared
    Column("evidence_id", Integer, ForeignKey("evidence.id")),
    Column("changed_at", DateTime(timezone=True), nullable=False),  # last actual change
)

state_changes = Table(  # the claim's history: one row per actual change of state
    "state_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("claim_id", String(64), nullable=False),
    Column("previous", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("reported_at", DateTime(timezone=True), nullable=False),  # the deciding report's time
    Column("evidence_id", Integer, ForeignKey("evidence.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
Index("ix_state_changes_claim", state_changes.c.claim_id, state_changes.c.id)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(128), nullable=False, unique=True),  # idempotency: alert key + channel
    Column("channel", String(64), nullable=False),
    Column("claim_id", String(64), nullable=False),
    Column("payload", Text, nullable=False),  # JSON of Alert.to_dict()
    Column("status", String(16), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("lease_until", DateTime(timezone=True)),  # a worker is sending it until then
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
)
Index("ix_outbox_status", outbox.c.status, outbox.c.channel)

deliveries = Table(  # the audit log: one row per delivery attempt
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("outbox_id", Integer, ForeignKey("outbox.id"), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("outcome", String(16), nullable=False),  # delivered | failed
    Column("error", Text),
)

# Written by the desk, never by the engine (revision 0004); append-only, see monitors/feedback.py.
analyst_verdicts = Table(  # the newest row per (claim, feed, report) overrides the machine
    "analyst_verdicts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("claim_id", String(64), nullable=False),
    Column("feed_id", String(64), nullable=False),
    Column("report_id", String(512), nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("machine_verdict", String(16), nullable=False),  # what it corrected, for the export
    Column("analyst", String(128), nullable=False),
    Column("note", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index(
    "ix_analyst_verdicts_report",
    analyst_verdicts.c.claim_id,
    analyst_verdicts.c.feed_id,
    analyst_verdicts.c.report_id,
)

mutes = Table(  # alerts about a claim, from a feed or from a source (link host) held back
    "mutes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # claim | feed | source
    Column("target", String(512), nullable=False),
    Column("until", DateTime(timezone=True)),  # None: until lifted
    Column("reason", Text),
    Column("created_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("lifted_at", DateTime(timezone=True)),
)
Index("ix_mutes_target", mutes.c.kind, mutes.c.target)
