"""SQL that differs between SQLite and PostgreSQL, in one place: conflict-ignoring inserts,
upserts, UTC."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from monitors.errors import StoreError


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def insert_ignore(conn: Connection, table: Any, row: dict[str, Any]) -> Any:
    """INSERT that does nothing on a unique-key conflict, in the dialect at hand."""
    name = conn.dialect.name
    if name == "sqlite":
        return sqlite.insert(table).values(**row).on_conflict_do_nothing()
    if name == "postgresql":
        return postgresql.insert(table).values(**row).on_conflict_do_nothing()
    raise StoreError(f"unsupported database '{name}': use sqlite or postgresql")


def upsert(conn: Connection, table: Any, keys: Sequence[str], update: Sequence[str]) -> Any:
    """INSERT, or on a conflict of ``keys`` UPDATE the ``update`` columns from the new row; a
    statement without values, for ``conn.execute(statement, rows)`` (one executemany)."""
    name = conn.dialect.name
    if name == "sqlite":
        statement: Any = sqlite.insert(table)
    elif name == "postgresql":
        statement = postgresql.insert(table)
    else:
        raise StoreError(f"unsupported database '{name}': use sqlite or postgresql")
    return statement.on_conflict_do_update(
        index_elements=list(keys), set_={c: statement.excluded[c] for c in update}
    )
