"""SQL that differs between SQLite and PostgreSQL, in one place: conflict-ignoring inserts,
upserts, UTC, the lock a decision holds."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Connection, text
from sqlalchemy.dialects import postgresql, sqlite

from monitors.errors import StoreError


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def insert_ignore(conn: Connection, table: Any, row: dict[str, Any]) -> Any:
    """INSERT that does nothing on a unique-key conflict, in the dialect at hand."""
    return insert_ignore_many(conn, table).values(**row)


def insert_ignore_many(conn: Connection, table: Any) -> Any:
    """``insert_ignore`` without values, for ``conn.execute(statement, rows)`` (one executemany)."""
    return insert_ignore_in(conn.dialect.name, table)


def insert_ignore_in(name: str, table: Any) -> Any:
    """``insert_ignore_many`` for the dialect called ``name`` (a statement built once per dialect
    can then serve every connection: building one per row cost more than running it)."""
    if name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    if name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
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


# pg_advisory_xact_lock(namespace, key): the two-int4 key space, apart from the upgrade lock's
# bigint key (monitors/state/migrate.py). "cl" + "st": claim state.
CLAIM_LOCK_NAMESPACE: Final = 0x636C7374


def lock_claims(conn: Connection, claim_ids: Iterable[str]) -> None:
    """Serialise decisions about the same claims until this transaction ends; call it first.

    Two runs deciding reports about one claim would otherwise both read its state as 'unknown'
    and both queue a transition. PostgreSQL: a transaction-scoped advisory lock per claim, taken
    in sorted order so two stories over the same claims cannot deadlock (a lock and not
    ``SELECT ... FOR UPDATE`` on claim_state: a claim never decided has no row, and a placeholder
    row would need an ``as_of`` the policy reads). A hash collision only serialises more. SQLite:
    ``BEGIN IMMEDIATE``, the file's one write lock, for the whole transaction.
    """
    name = conn.dialect.name
    if name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif name == "postgresql":
        for key in sorted({_int4(cid) for cid in claim_ids}):
            conn.execute(
                text("SELECT pg_advisory_xact_lock(:ns, :key)"),
                {"ns": CLAIM_LOCK_NAMESPACE, "key": key},
            )
    else:
        raise StoreError(f"unsupported database '{name}': use sqlite or postgresql")


def _int4(value: str) -> int:
    """A stable signed 32-bit key for a claim id (the same in every process, unlike hash())."""
    return zlib.crc32(value.encode("utf-8")) - 2**31
