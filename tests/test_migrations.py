"""Schema migrations on real SQLite and PostgreSQL: new databases, the previous release's, races."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, Engine, bindparam, create_engine, inspect, text

from monitors.errors import StoreError
from monitors.models import (
    Alert,
    Claim,
    ClaimState,
    Evidence,
    Feed,
    Report,
    SentenceStance,
    Validators,
    Verdict,
)
from monitors.state import migrate, schema
from monitors.state.store import ClaimStatus, OutboxItem, Store
from tests.fixtures.stores import fresh_postgres_database

# The tables as release 535f171 created them (metadata.create_all, SQLAlchemy's DDL for each
# dialect), frozen here: later edits of schema.py must not change what an "old database" is.
RELEASE_535F171_DDL = """
CREATE TABLE feeds (
    feed_id VARCHAR(64) NOT NULL,
    url TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    last_attempt_at {ts},
    last_success_at {ts},
    last_new_report_at {ts},
    consecutive_failures INTEGER NOT NULL,
    last_error TEXT,
    PRIMARY KEY (feed_id)
);
CREATE TABLE reports (
    feed_id VARCHAR(64) NOT NULL,
    report_id VARCHAR(512) NOT NULL,
    content_hash VARCHAR(64) NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    link TEXT,
    published {ts},
    first_seen {ts} NOT NULL,
    last_changed {ts} NOT NULL,
    PRIMARY KEY (feed_id, report_id)
);
CREATE TABLE evidence (
    id {serial} NOT NULL,
    claim_id VARCHAR(64) NOT NULL,
    feed_id VARCHAR(64) NOT NULL,
    report_id VARCHAR(512) NOT NULL,
    content_hash VARCHAR(64) NOT NULL,
    verdict VARCHAR(16) NOT NULL,
    score FLOAT NOT NULL,
    relatedness FLOAT NOT NULL,
    spans TEXT NOT NULL,
    report_title TEXT NOT NULL,
    report_link TEXT,
    published {ts},
    created_at {ts} NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_evidence_version UNIQUE (claim_id, feed_id, report_id, content_hash)
);
CREATE INDEX ix_evidence_claim ON evidence (claim_id, created_at);
CREATE TABLE outbox (
    id {serial} NOT NULL,
    "key" VARCHAR(128) NOT NULL,
    channel VARCHAR(64) NOT NULL,
    claim_id VARCHAR(64) NOT NULL,
    payload TEXT NOT NULL,
    status VARCHAR(16) NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    lease_until {ts},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    delivered_at {ts},
    PRIMARY KEY (id),
    UNIQUE ("key")
);
CREATE INDEX ix_outbox_status ON outbox (status, channel);
CREATE TABLE claim_state (
    claim_id VARCHAR(64) NOT NULL,
    state VARCHAR(16) NOT NULL,
    as_of {ts} NOT NULL,
    evidence_id INTEGER,
    changed_at {ts} NOT NULL,
    PRIMARY KEY (claim_id),
    FOREIGN KEY(evidence_id) REFERENCES evidence (id)
);
CREATE TABLE state_changes (
    id {serial} NOT NULL,
    claim_id VARCHAR(64) NOT NULL,
    previous VARCHAR(16) NOT NULL,
    state VARCHAR(16) NOT NULL,
    reported_at {ts} NOT NULL,
    evidence_id INTEGER NOT NULL,
    recorded_at {ts} NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(evidence_id) REFERENCES evidence (id)
);
CREATE INDEX ix_state_changes_claim ON state_changes (claim_id, id);
CREATE TABLE deliveries (
    id {serial} NOT NULL,
    outbox_id INTEGER NOT NULL,
    channel VARCHAR(64) NOT NULL,
    at {ts} NOT NULL,
    outcome VARCHAR(16) NOT NULL,
    error TEXT,
    PRIMARY KEY (id),
    FOREIGN KEY(outbox_id) REFERENCES outbox (id)
);
"""
DDL_TYPES = {
    "sqlite": {"ts": "DATETIME", "serial": "INTEGER"},
    "postgresql": {"ts": "TIMESTAMP WITH TIME ZONE", "serial": "SERIAL"},
}
ALL_TABLES = set(schema.metadata.tables)

AT = datetime(2025, 4, 20, 6, 0, tzinfo=UTC)
CLAIM = Claim(id="gornal", statement="Russian forces recaptured Gornal", aliases=("Gornal",))
SPAN = {
    "sentence": "Russian forces recaptured Gornal.",
    "stance": "assert",
    "score": 0.9,
    "alias": "Gornal",
    "matched": "Gornal",
    "cue": "recaptured",
    "why": "asserts: 'recaptured' near 'Gornal'",
}
PAYLOAD = {  # an alert as that release serialised it into the outbox
    "key": "gornal:wire:r1:h1",
    "claim_id": "gornal",
    "claim_statement": "Russian forces recaptured Gornal",
    "verdict": "confirm",
    "previous_state": "unknown",
    "new_state": "confirmed",
    "score": 0.9,
    "report_title": "Gornal retaken",
    "report_link": "https://example.org/r1",
    "feed_id": "wire",
    "feed_name": "Wire",
    "published": "2025-04-20T06:00:00+00:00",
    "evidence": [SPAN],
    "created_at": "2025-04-20T06:00:00+00:00",
    "sources": [],
}
OLD_ROWS = [  # written the way that release wrote them: SQLAlchemy binding the datetimes
    "INSERT INTO feeds (feed_id, url, etag, last_success_at, consecutive_failures)"
    " VALUES ('wire', 'http://127.0.0.1/feed', '\"v1\"', :at, 0)",
    "INSERT INTO reports VALUES ('wire', 'r1', 'h1', 'Gornal retaken',"
    " 'Russian forces recaptured Gornal.', 'https://example.org/r1', :at, :at, :at)",
    "INSERT INTO evidence (claim_id, feed_id, report_id, content_hash, verdict, score,"
    " relatedness, spans, report_title, report_link, published, created_at)"
    " VALUES ('gornal', 'wire', 'r1', 'h1', 'confirm', 0.9, 1.0, :spans, 'Gornal retaken',"
    " 'https://example.org/r1', :at, :at)",
    "INSERT INTO claim_state VALUES ('gornal', 'confirmed', :at, 1, :at)",
    'INSERT INTO outbox ("key", channel, claim_id, payload, status, attempts, created_at,'
    " updated_at) VALUES ('gornal:wire:r1:h1:mail', 'mail', 'gornal', :payload, 'pending', 0,"
    " :at, :at)",
]


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty database: a SQLite file, or a database on the test PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    return fresh_postgres_database(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(empty_url: str) -> Iterator[Engine]:
    """A plain engine on the empty database, for building fixtures and looking inside."""
    eng = create_engine(empty_url)
    yield eng
    eng.dispose()


def make_old_database(engine: Engine, tables: set[str] = ALL_TABLES) -> None:
    """Create ``tables`` as release 535f171 did; when all, add rows (a feed, report, alert...)."""
    ddl = RELEASE_535F171_DDL.format(**DDL_TYPES[engine.dialect.name])
    statements = [s.strip() for s in ddl.split(";") if s.strip()]
    with engine.begin() as conn:
        for statement in statements:
            if table_of(statement) in tables:
                conn.execute(text(statement))
        if tables == ALL_TABLES:
            for row in OLD_ROWS:
                conn.execute(
                    text(row).bindparams(bindparam("at", type_=DateTime(timezone=True))),
                    {"at": AT, "spans": json.dumps([SPAN]), "payload": json.dumps(PAYLOAD)},
                )


def table_of(statement: str) -> str:
    match = re.match(r"CREATE (TABLE|INDEX \w+ ON) (\w+)", statement)
    assert match, statement
    return match[2]


def version_rows(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def shape(engine: Engine) -> dict[str, Any]:
    """Everything reflection tells about our tables: columns, keys, constraints, indexes."""
    insp = inspect(engine)
    found: dict[str, Any] = {}
    for table in sorted(ALL_TABLES):
        found[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("default"), c.get("autoincrement"))
                for c in insp.get_columns(table)
            ],
            "primary_key": insp.get_pk_constraint(table),
            "foreign_keys": insp.get_foreign_keys(table),
            "indexes": sorted(insp.get_indexes(table), key=lambda i: str(i["name"])),
            "unique": sorted(insp.get_unique_constraints(table), key=lambda u: str(u["name"])),
        }
    return found


def test_a_new_database_gets_every_table_at_head(tmp_path: Path) -> None:
    """A fresh SQLite file is created at HEAD with every table of schema.py."""
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        assert migrate.HEAD == migrate.current_revision(store.engine)
        assert ALL_TABLES | {"alembic_version"} == table_names(store.engine)
    finally:
        store.close()


def test_revision_0001_builds_what_create_all_built(engine: Engine, tmp_path: Path) -> None:
    """Revision 0001 makes the same columns, keys, constraints and indexes as create_all did."""
    migrate.upgrade(engine)
    if engine.dialect.name == "sqlite":
        reference = create_engine(f"sqlite:///{tmp_path / 'create_all.db'}")
    else:
        reference = create_engine(fresh_postgres_database(str(engine.url)))
    try:
        schema.metadata.create_all(reference)
        assert shape(reference) == shape(engine)
    finally:
        reference.dispose()


def test_a_database_from_the_previous_release_is_stamped_and_kept(
    engine: Engine, empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Release 535f171's database is stamped 0001, its rows read back, and a reopen is a no-op."""
    make_old_database(engine)
    store = Store(empty_url)
    try:
        assert [migrate.HEAD] == version_rows(engine)
        assert {"wire": Validators('"v1"', None)} == store.validators()
        report = Report(
            feed_id="wire",
            report_id="r1",
            title="Gornal retaken",
            summary="Russian forces recaptured Gornal.",
            link="https://example.org/r1",
            published=AT,
            content_hash="h1",
        )
        assert [report] == store.stored_reports()
        status = ClaimStatus(
            "gornal", ClaimState.CONFIRMED, 1, 0, 0, AT, "Gornal retaken", report.link
        )
        assert [status] == store.claim_statuses([CLAIM])
        span = Evidence(**{**SPAN, "stance": SentenceStance.ASSERT})
        alert = Alert(
            key="gornal:wire:r1:h1",
            claim_id="gornal",
            claim_statement=CLAIM.statement,
            verdict=Verdict.CONFIRM,
            previous_state=ClaimState.UNKNOWN,
            new_state=ClaimState.CONFIRMED,
            score=0.9,
            report_title="Gornal retaken",
            report_link=report.link,
            feed_id="wire",
            feed_name="Wire",
            published=AT,
            evidence=(span,),
            created_at=AT,
        )
        assert [OutboxItem(1, "mail", alert, 0, "pending", None)] == store.outbox()
    finally:
        store.close()

    def not_at_head(*args: object) -> None:
        raise AssertionError("a database already at head was locked or migrated")

    monkeypatch.setattr(migrate, "_lock", not_at_head)
    monkeypatch.setattr(migrate, "_alembic", not_at_head)
    Store(empty_url).close()
    assert [migrate.HEAD] == version_rows(engine)


def test_workers_starting_together_upgrade_once(empty_url: str, engine: Engine) -> None:
    """Four Stores opened at once on one new database all succeed; one version row results."""
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def open_store() -> None:
        start.wait()
        try:
            Store(empty_url).close()
        except BaseException as exc:  # the assertion below shows it
            errors.append(exc)

    workers = [threading.Thread(target=open_store, daemon=True) for _ in range(4)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 60
    for worker in workers:
        worker.join(timeout=max(0.0, deadline - time.monotonic()))
    assert [] == [w.name for w in workers if w.is_alive()]
    assert [] == [repr(e) for e in errors]
    assert [migrate.HEAD] == version_rows(engine)


def test_threads_upgrading_different_databases_do_not_mix(tmp_path: Path) -> None:
    """Four threads creating four databases at once each get a complete one (Alembic is global)."""
    urls = [f"sqlite:///{tmp_path / f'state{i}.db'}" for i in range(4)]
    start = threading.Barrier(len(urls))
    errors: list[str] = []

    def open_store(url: str) -> None:
        start.wait()
        try:
            Store(url).close()
        except BaseException as exc:  # the assertion below shows it
            errors.append(repr(exc))

    workers = [threading.Thread(target=open_store, args=(u,), daemon=True) for u in urls]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [] == errors
    for url in urls:
        engine = create_engine(url)
        assert (migrate.HEAD, ALL_TABLES) == (
            migrate.current_revision(engine),
            table_names(engine) - {"alembic_version"},
        )
        engine.dispose()


def test_a_new_sqlite_file_another_connection_is_writing_is_waited_for(tmp_path: Path) -> None:
    """Opening waits while another connection writes a new file, though WAL cannot be set yet."""
    path = tmp_path / "state.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # still a rollback-journal file: the WAL switch must wait
    timer = threading.Timer(0.5, other.execute, args=("COMMIT",))
    timer.start()
    try:
        Store(f"sqlite:///{path}").close()
    finally:
        timer.join()
        other.close()
    engine = create_engine(f"sqlite:///{path}")
    assert migrate.HEAD == migrate.current_revision(engine)
    engine.dispose()


def test_a_partial_old_schema_is_refused_with_advice(engine: Engine) -> None:
    """Some old tables and no version table: StoreError says what to do, nothing is changed."""
    make_old_database(engine, tables={"feeds", "reports"})
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "postgresql":  # the message must not show it
        url = engine.url.set(password="s3cret").render_as_string(hide_password=False)
    with pytest.raises(StoreError) as raised:
        Store(url)
    message = str(raised.value)
    expected = (
        "has some of claimwatch's tables (feeds, reports) but not claim_state, deliveries,"
        " evidence, outbox, state_changes, and no alembic_version table"
    )
    assert expected in message
    assert "--database-url" in message
    assert "s3cret" not in message
    assert {"feeds", "reports"} == table_names(engine)


def test_an_old_table_with_other_columns_is_refused(tmp_path: Path) -> None:
    """An unversioned table whose columns differ from the old release's is not stamped."""
    url = f"sqlite:///{tmp_path / 'state.db'}"
    engine = create_engine(url)
    make_old_database(engine)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE feeds ADD COLUMN colour TEXT"))
    with pytest.raises(StoreError, match="table feeds has no alembic_version revision.*colour"):
        Store(url)
    assert "alembic_version" not in table_names(engine)
    engine.dispose()


def test_a_revision_from_a_newer_claimwatch_is_refused(tmp_path: Path) -> None:
    """A database stamped with a revision this code does not know says to upgrade claimwatch."""
    url = f"sqlite:///{tmp_path / 'state.db'}"
    Store(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(StoreError, match="revision 0099, which this claimwatch does not know"):
        Store(url)
    engine.dispose()


NEXT = f"{int(migrate.HEAD) + 1:04d}"
NEXT_REVISION = f'''"""add feeds.title"""

import sqlalchemy as sa
from alembic import op

revision = "{NEXT}"
down_revision = "{migrate.HEAD}"


def upgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("title", sa.Text))
'''


@pytest.fixture
def migrations_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of migrations/ that migrate uses instead, for adding revisions in a test."""
    copy = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrate, "MIGRATIONS", copy)
    return copy


@pytest.mark.parametrize("made_by", ["0001", "535f171"])
def test_an_older_database_is_upgraded_to_a_newer_head(
    made_by: str,
    engine: Engine,
    empty_url: str,
    migrations_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A database at HEAD, or from before migrations, reaches the next revision with rows kept."""
    if made_by == "0001":
        store = Store(empty_url)
        store.record_fetch_success(Feed("wire", "http://127.0.0.1/feed"), Validators('"v1"'), 0)
        store.close()
    else:
        make_old_database(engine)
    (migrations_copy / "versions" / f"{NEXT}_add_feeds_title.py").write_text(NEXT_REVISION)
    monkeypatch.setattr(migrate, "HEAD", NEXT)
    store = Store(empty_url)
    try:
        assert [NEXT] == version_rows(engine)
        assert "title" in {c["name"] for c in inspect(engine).get_columns("feeds")}
        assert {"wire": Validators('"v1"', None)} == store.validators()
    finally:
        store.close()


def test_head_is_the_newest_revision_file() -> None:
    """migrate.HEAD names the head of migrations/versions/ (bump it with every new revision)."""
    script = ScriptDirectory.from_config(migrate.config())
    assert script.get_current_head() == migrate.HEAD
    assert "0001" == [s.revision for s in script.walk_revisions()][-1]


def test_the_revision_command_writes_the_next_numbered_file(
    migrations_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``python -m monitors.state.migrate revision -m ...`` writes the next numbered file."""
    before = sorted(p.name for p in (migrations_copy / "versions").glob("0*.py"))
    assert before[-1].startswith(migrate.HEAD)  # the revision files and HEAD agree
    assert 0 == migrate.main(["revision", "-m", "add feeds.title"])
    written = sorted(p.name for p in (migrations_copy / "versions").glob("0*.py"))
    assert [*before, f"{NEXT}_add_feeds_title.py"] == written
    source = (migrations_copy / "versions" / f"{NEXT}_add_feeds_title.py").read_text()
    assert f'revision = "{NEXT}"\ndown_revision = "{migrate.HEAD}"\n' in source
    assert f"set HEAD = '{NEXT}'" in capsys.readouterr().out
