"""Schema migrations of the state database: Alembic, run in code (there is no alembic.ini).

``upgrade(engine)`` brings a database to ``HEAD``. A new database gets every revision; one made by
a release before migrations (tables from ``create_all``, no ``alembic_version``) is recognised and
stamped as revision 0001 without touching its rows; one already at ``HEAD`` costs one query, and
Alembic is not even imported. Two processes upgrading at once are serialised: on PostgreSQL by a
transaction-scoped advisory lock, on SQLite by ``BEGIN IMMEDIATE`` (the file's write lock); the
loser then finds the work done. Everything, version stamp included, commits in one transaction.

A developer adds a revision with::

    python -m monitors.state.migrate revision -m "add feeds.title"

which writes ``migrations/versions/<next number>_<slug>.py``; fill in ``upgrade()`` and set
``HEAD`` below to the new number (``tests/test_migrations.py`` checks it).
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

from sqlalchemy import Connection, Engine, inspect, text

from monitors.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

HEAD: Final = "0004"  # the newest revision in migrations/versions/
MIGRATIONS: Final = Path(__file__).with_name("migrations")
VERSION_TABLE: Final = "alembic_version"
PG_LOCK_KEY: Final = 0x636C61696D776174  # "claimwat": pg_advisory_xact_lock's key for upgrades


def _columns(names: str) -> frozenset[str]:
    return frozenset(names.split())


# The tables and columns as releases before migrations created them (revision 0001). Frozen: a
# database that has exactly these and no version table is stamped 0001, whatever schema.py says.
PRE_MIGRATION_TABLES: Final[dict[str, frozenset[str]]] = {
    "feeds": _columns(
        "feed_id url etag last_modified last_attempt_at last_success_at last_new_report_at"
        " consecutive_failures last_error"
    ),
    "reports": _columns(
        "feed_id report_id content_hash title summary link published first_seen last_changed"
    ),
    "evidence": _columns(
        "id claim_id feed_id report_id content_hash verdict score relatedness spans"
        " report_title report_link published created_at"
    ),
    "claim_state": _columns("claim_id state as_of evidence_id changed_at"),
    "state_changes": _columns("id claim_id previous state reported_at evidence_id recorded_at"),
    "outbox": _columns(
        "id key channel claim_id payload status attempts last_error lease_until created_at"
        " updated_at delivered_at"
    ),
    "deliveries": _columns("id outbox_id channel at outcome error"),
}
PRE_MIGRATION_REVISION: Final = "0001"

# Alembic's `context` and `op` are module-level proxies, so one thread at a time may run it (the
# database locks only serialise upgrades of one database).
_ALEMBIC_LOCK: Final = threading.Lock()


def config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code; ``connection`` is the one env.py migrates."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["connection"] = connection
    return cfg


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision; None when it has none (new, or from before migrations)."""
    with engine.connect() as conn:
        return _revision(conn)


def upgrade(engine: Engine) -> None:
    """Bring the database to ``HEAD`` (see the module docstring). Raises StoreError."""
    if current_revision(engine) == HEAD:
        return
    with engine.connect() as conn:
        _lock(conn)
        revision = _revision(conn)  # again: another process may have upgraded while we waited
        if revision == HEAD:
            return
        if revision is None and _is_pre_migration(conn):
            _alembic(conn, "stamp", PRE_MIGRATION_REVISION)
        elif revision is not None:
            _check_known(conn, revision)
        _alembic(conn, "upgrade", "head")
        conn.commit()


def _revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(rows) > 1:
        raise StoreError(
            f"state database {_where(conn)} has {len(rows)} rows in {VERSION_TABLE}"
            f" ({', '.join(sorted(rows))}); claimwatch's revisions form one line, so there should"
            f" be one. Keep the newest revision's row ({HEAD} or older) and delete the others."
        )
    return str(rows[0]) if rows else None


def _lock(conn: Connection) -> None:
    """Begin the upgrade's transaction holding the database's write lock."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
    elif dialect == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # waits out another writer (busy_timeout)


def _is_pre_migration(conn: Connection) -> bool:
    """True for a complete database from before migrations; False for one without our tables."""
    inspector = inspect(conn)
    present = set(inspector.get_table_names()) & PRE_MIGRATION_TABLES.keys()
    if not present:
        return False
    missing = sorted(PRE_MIGRATION_TABLES.keys() - present)
    if missing:
        raise StoreError(
            f"state database {_where(conn)} has some of claimwatch's tables"
            f" ({', '.join(sorted(present))}) but not {', '.join(missing)}, and no"
            f" {VERSION_TABLE} table, so it is not a database claimwatch made (or its creation was"
            " interrupted). Point --database-url (or $CLAIMWATCH_DATABASE_URL) at a new database,"
            " or, if nothing in it is needed, drop those tables and claimwatch will create them."
        )
    for table in sorted(present):
        columns = {c["name"] for c in inspector.get_columns(table)}
        if columns != PRE_MIGRATION_TABLES[table]:
            odd = sorted(columns ^ PRE_MIGRATION_TABLES[table])
            raise StoreError(
                f"state database {_where(conn)}: table {table} has no {VERSION_TABLE} revision and"
                f" its columns differ from claimwatch's ({', '.join(odd)}); it was changed by hand"
                " or made by something else. Restore it from a backup, or point --database-url"
                " (or $CLAIMWATCH_DATABASE_URL) at a new database."
            )
    return True


def _check_known(conn: Connection, revision: str) -> None:
    from alembic.script import ScriptDirectory

    known = {script.revision for script in ScriptDirectory.from_config(config()).walk_revisions()}
    if revision not in known:
        raise StoreError(
            f"state database {_where(conn)} is at schema revision {revision}, which this claimwatch"
            f" does not know (its newest is {HEAD}): a newer claimwatch upgraded it. Upgrade"
            " claimwatch, or point --database-url at another database."
        )


def _alembic(conn: Connection, command_name: str, revision: str) -> None:
    from alembic import command
    from alembic.util import CommandError

    try:
        with _ALEMBIC_LOCK:
            getattr(command, command_name)(config(conn), revision)
    except CommandError as exc:
        raise StoreError(
            f"cannot migrate state database {_where(conn)} ({command_name} {revision}): {exc}"
        ) from exc


def _where(conn: Connection) -> str:
    return conn.engine.url.render_as_string(hide_password=True)


def main(argv: Sequence[str] | None = None) -> int:
    """``revision -m MESSAGE``: write the next revision file (for developers)."""
    parser = argparse.ArgumentParser(prog="python -m monitors.state.migrate")
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser("revision", help="write an empty revision after the newest one")
    new.add_argument("-m", "--message", required=True, help="what the revision changes")
    args = parser.parse_args(argv)

    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = config()
    head = ScriptDirectory.from_config(cfg).get_current_head()
    rev_id = f"{int(head or '0') + 1:04d}"
    command.revision(cfg, message=args.message, rev_id=rev_id)
    print(f"now write its upgrade() and set HEAD = {rev_id!r} in {Path(__file__).name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
