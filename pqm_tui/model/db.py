"""Opening the database: the one place that sets connection pragmas.

Durability: WAL with ``synchronous=FULL`` — every acknowledged finding survives
``kill -9`` and power loss (a laptop whose battery dies). ``bench/db_sync.py``
measures FULL against NORMAL.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from pqm_tui.model.audit_chain import ChainReport, check_chain
from pqm_tui.model.errors import PQMError
from pqm_tui.model.inspection_seals import SealProblem, check_seals
from pqm_tui.model.schema import (
    expected_triggers,
    latest_version,
    migrate,
    schema_version,
    triggers_of,
)

SYSTEM_ACTOR = "system"


class DatabaseError(PQMError):
    """The database cannot be opened or is not a PQM database."""


MIN_SQLITE = (3, 34)  # FTS5's trigram tokenizer (review search, migration m006)


def connect(
    path: Path | str, actor: str = SYSTEM_ACTOR, *, migrate_schema: bool = True
) -> Database:
    """Open (creating if needed) and migrate the database at ``path``.

    ``actor`` is recorded in the audit log for every change made through this
    connection. A connection belongs to the thread that opened it.
    """
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        wanted = ".".join(map(str, MIN_SQLITE))
        raise DatabaseError("errors.db.old_sqlite", wanted=wanted, found=sqlite3.sqlite_version)
    target = Path(path)
    if target.exists() and target.is_dir():
        raise DatabaseError("errors.db.is_folder", path=target)
    if not target.parent.exists():
        raise DatabaseError("errors.db.no_folder", path=target.parent)
    try:
        conn = sqlite3.connect(str(target), timeout=10.0)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 10000")
    except sqlite3.DatabaseError as exc:
        raise DatabaseError("errors.db.unusable", path=target, detail=str(exc)) from None
    register_functions(conn, actor)
    # sqlite-utils plugins are not ours to run on this connection (and scanning for them
    # costs start-up time).
    db = Database(conn, execute_plugins=False)
    if migrate_schema:
        try:
            migrate(db)
        except sqlite3.DatabaseError as exc:
            raise DatabaseError("errors.db.schema", path=target, detail=str(exc)) from None
    return db


def sha256_hex(text: str | None) -> str | None:
    """SHA-256 (hex) of ``text`` as UTF-8: the SQL function ``pqm_sha256`` (NULL stays NULL)."""
    return None if text is None else hashlib.sha256(str(text).encode("utf-8")).hexdigest()


def register_functions(conn: sqlite3.Connection, actor: str = SYSTEM_ACTOR) -> None:
    """The SQL functions PQM's triggers call: ``pqm_actor()`` and ``pqm_sha256(text)``.

    A connection without them (the plain ``sqlite3`` shell) cannot write an audited
    table: the audit triggers chain each row's hash with ``pqm_sha256``.
    """
    conn.create_function("pqm_actor", 0, lambda: actor, deterministic=False)
    conn.create_function("pqm_sha256", 1, sha256_hex, deterministic=True)


def is_empty(db: Database) -> bool:
    """True when the database holds no organisation data yet."""
    return db["companies"].count == 0 and db["inspections"].count == 0


def current_actor(db: Database) -> str:
    """The actor this connection records in the audit log."""
    return str(db.execute("SELECT pqm_actor()").fetchone()[0])


@dataclass(frozen=True)
class IntegrityReport:
    """What ``integrity_check``, ``foreign_key_check`` and the trigger comparison found."""

    integrity: list[str]  # ["ok"] when the file is sound
    foreign_keys: list[tuple[Any, ...]]  # (table, rowid, parent table, fk index) per violation
    missing_triggers: tuple[str, ...] = ()  # lock, audit or search triggers dropped
    changed_triggers: tuple[str, ...] = ()  # present under their name with another body
    extra_triggers: tuple[str, ...] = ()  # not created by PQM
    chain: ChainReport | None = None  # the audit trail's hash chain (None: not checked)
    seals: tuple[SealProblem, ...] = ()  # signed inspections whose facts changed

    @property
    def ok(self) -> bool:
        """True when the file is sound, no foreign key is broken, every trigger is PQM's,
        the audit chain holds and every signed inspection matches its seal."""
        triggers = self.missing_triggers + self.changed_triggers + self.extra_triggers
        chain_ok = self.chain is None or self.chain.ok
        sound = self.integrity == ["ok"] and not self.foreign_keys
        return sound and not triggers and chain_ok and not self.seals


def check_integrity(db: Database) -> IntegrityReport:
    """Run ``integrity_check`` and ``foreign_key_check``; compare the triggers with PQM's;
    verify the audit hash chain and the seals of signed inspections.

    The triggers are compared (name and SQL) with those of a freshly migrated database
    when the schema is at the latest version: a dropped or rewritten lock shows here.
    The chain and the seals are checked then too (``db`` needs ``pqm_sha256``).
    """
    integrity = [str(r[0]) for r in db.execute("PRAGMA integrity_check").fetchall()]
    foreign = [tuple(r) for r in db.execute("PRAGMA foreign_key_check").fetchall()]
    if schema_version(db) != latest_version():
        return IntegrityReport(integrity, foreign)
    expected, present = expected_triggers(), triggers_of(db)
    return IntegrityReport(
        integrity,
        foreign,
        tuple(sorted(set(expected) - set(present))),
        tuple(sorted(n for n in set(expected) & set(present) if expected[n] != present[n])),
        tuple(sorted(set(present) - set(expected))),
        check_chain(db),
        tuple(check_seals(db)),
    )
