"""Plain ``sqlite3`` connections (无需迁移时的快速读取): what reads before sqlite-utils loads.

``open_current`` opens a database that is already at this program's schema version
(结构版本, one ``PRAGMA user_version``) — ``pqm inspection list`` and the app's first
paint read on it; otherwise None, and the caller opens it with ``db.connect``
(created, migrated, or refused when newer). ``optimize_connection`` refreshes the
planner's statistics before any connection closes, PQM's own included.
"""

from __future__ import annotations

import sqlite3
from contextlib import suppress
from pathlib import Path

# the number of migrations of model/schema.py (tests/test_import_hygiene.py keeps it so):
# a database stamped with it needs no migration
SCHEMA_VERSION = 19
BUSY_TIMEOUT = 10.0  # seconds a write waits for another process's write to end
ANALYSIS_LIMIT = 400  # rows ANALYZE samples per index: statistics in milliseconds at any size


def open_current(path: Path) -> sqlite3.Connection | None:
    """A connection for reading the database at ``path`` when it exists and needs no
    migration, else None (then ``db.connect`` creates, migrates or refuses it)."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT)
    except sqlite3.Error:
        return None
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        current = conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    except sqlite3.Error:  # not a database, locked past the timeout: said by db.connect
        current = False
    if not current:
        conn.close()
        return None
    return conn


def optimize_connection(conn: sqlite3.Connection) -> None:
    """``PRAGMA optimize`` (ANALYZE where stale, ``ANALYSIS_LIMIT`` rows per index) before
    a connection closes, as SQLite advises; skipped quietly when busy, read-only or gone."""
    with suppress(sqlite3.Error):  # ProgrammingError, too: already closed
        if conn.in_transaction:  # never commit someone's open work
            return
        conn.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        conn.execute("PRAGMA optimize")
        if conn.in_transaction:
            conn.commit()


def close_reading(conn: sqlite3.Connection) -> None:
    """Refresh the statistics, then close a connection of ``open_current``."""
    optimize_connection(conn)
    conn.close()
