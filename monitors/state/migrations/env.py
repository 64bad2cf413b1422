"""Alembic's environment for the state database; ``monitors.state.migrate`` runs it.

The runner passes its connection in ``config.attributes["connection"]`` with a transaction already
open (and, on PostgreSQL, the upgrade lock held), so every revision and the version stamp commit
together, or not at all.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from monitors.state import schema


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=schema.metadata,
        render_as_batch=True,  # SQLite alters a table by copying it; see the README
    )
    with context.begin_transaction():
        context.run_migrations()


if hasattr(context, "config"):  # only while Alembic runs this file; importing it does nothing
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("run claimwatch's migrations through monitors.state.migrate.upgrade")
    run_migrations(connection)
