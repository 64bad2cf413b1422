"""SQL that differs between SQLite and PostgreSQL, in one place: conflict-ignoring inserts, UTC."""

from __future__ import annotations

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
