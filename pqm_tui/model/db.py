"""Opening the database: the one place that sets connection pragmas and begins writes.

Durability: WAL with ``synchronous=FULL`` — every acknowledged finding survives
``kill -9`` and power loss (a laptop whose battery dies). ``bench/db_sync.py``
measures FULL against NORMAL.

Many writers (多进程同时写入): every write transaction begins ``IMMEDIATE`` —
``PQMDatabase.atomic`` for every unit of work (sqlite-utils' own writes use it
too) and the connection's implicit transactions — so it takes the write lock
before it reads and waits for it up to the busy timeout. A deferred transaction
that reads, then writes after another process committed fails at once with
``SQLITE_BUSY_SNAPSHOT`` whatever the timeout (``bench/concurrency.py``).
When a write still cannot be made (busy past the timeout, disk full, file
read-only, folder gone) it raises ``StorageError``: nothing was written and the
caller may try the same unit of work again.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Generator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from pqm_tui.model.audit_chain import ChainReport, check_chain
from pqm_tui.model.errors import PQMError, StorageError, translate_storage
from pqm_tui.model.inspection_seals import SealProblem, check_seals
from pqm_tui.model.plain_connection import BUSY_TIMEOUT, optimize_connection
from pqm_tui.model.schema import (
    applied_names,
    expected_triggers,
    known_names,
    latest_version,
    migrate,
    schema_version,
    triggers_of,
)

SYSTEM_ACTOR = "system"


class DatabaseError(PQMError):
    """The database cannot be opened or is not a PQM database."""


MIN_SQLITE = (3, 34)  # FTS5's trigram tokenizer (review search, migration m006)
READING = ("SELECT", "PRAGMA", "EXPLAIN")  # statements that never open a write


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


class PQMDatabase(Database):
    """A sqlite-utils ``Database`` whose writes begin IMMEDIATE and fail as StorageError.

    ``path`` is the file it was opened from; a write first checks that the file is
    still there (a deleted or replaced folder would otherwise swallow answers into
    an unlinked file). ``actor`` is who the audit trail records for this connection's
    writes (``set_actor`` changes it: the app's 切换用户). ``migration_backup`` is the
    copy written before this connection migrated an older schema (said to the user once), else None.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, actor: str = SYSTEM_ACTOR) -> None:
        self.path = path
        self.actor = actor  # what ``pqm_actor()`` records: the acting person's id (人员 id)
        self.identity = _identity(path)
        self.migration_backup: Path | None = None
        super().__init__(conn, execute_plugins=False)

    def check_file(self) -> None:
        """StorageError when the file this connection writes is gone or replaced."""
        if self.identity is not None and _identity(self.path) != self.identity:
            raise StorageError("errors.storage.gone", path=self.path, detail="")

    @contextmanager
    def atomic(self) -> Generator[Database, None, None]:
        """One unit of work: ``BEGIN IMMEDIATE`` … ``COMMIT`` (a savepoint when nested)."""
        if self.conn.in_transaction:
            with translate_storage(self.path), super().atomic():
                yield self
            return
        self.check_file()
        with translate_storage(self.path):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
                self.conn.execute("COMMIT")
            except BaseException:
                self._rollback_quietly()
                raise

    def close(self) -> None:
        """Let SQLite refresh its statistics (``optimize``), then close."""
        optimize(self)
        super().close()

    def _rollback_quietly(self) -> None:
        """Roll back; a failing rollback (disk gone) must not hide the first error."""
        with suppress(sqlite3.Error):  # SQLite rolls the journal back on the next open
            self.rollback()

    def execute(
        self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None
    ) -> sqlite3.Cursor:
        """Run one statement; a write outside a transaction commits (IMMEDIATE) at once."""
        if not self.conn.in_transaction and not sql.lstrip().upper().startswith(READING):
            self.check_file()
        with translate_storage(self.path):
            return super().execute(sql, parameters)

    def query(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> Generator[dict[str, Any], None, None]:
        """Rows of a SELECT as dicts (a failure to run it as StorageError)."""
        with translate_storage(self.path):
            return super().query(sql, params)


def connect(
    path: Path | str, actor: str = SYSTEM_ACTOR, *, migrate_schema: bool = True
) -> PQMDatabase:
    """Open (creating if needed) and migrate the database at ``path``.

    ``actor`` is recorded in the audit log for every change made through this
    connection. A connection belongs to the thread that opened it. A database of
    a newer schema than this program knows is refused (DatabaseError saying which
    version it needs); an older one is copied beside itself before it is migrated
    (``schema.migrate``).
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
        with translate_storage(target):
            conn = sqlite3.connect(str(target), timeout=BUSY_TIMEOUT)
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise DatabaseError("errors.db.unusable", path=target, detail=str(exc)) from None
    conn.isolation_level = "IMMEDIATE"  # the driver's implicit transactions, too
    # sqlite-utils plugins are not ours to run on this connection (and scanning for them
    # costs start-up time).
    db = PQMDatabase(conn, target, actor)
    register_functions(conn, lambda: db.actor)
    if migrate_schema:
        try:
            _prepare_schema(db)
        except sqlite3.DatabaseError as exc:
            db.close()
            raise DatabaseError("errors.db.schema", path=target, detail=str(exc)) from None
        except BaseException:  # refused (newer schema, no backup, storage): nothing stays open
            db.close()
            raise
    return db


def _prepare_schema(db: PQMDatabase) -> None:
    """Refuse a newer schema; back up, then migrate, an older one (结构版本)."""
    applied = applied_names(db)
    known = known_names()
    unknown = [name for name in applied if name not in known]
    stamped = db.execute("PRAGMA user_version").fetchone()[0]
    if unknown or stamped > len(known):
        raise DatabaseError(
            "errors.db.newer_schema",
            path=db.path,
            found=max(len(applied), stamped),
            known=len(known),
            unknown=", ".join(unknown) or f"user_version {stamped}",
        )
    pending = [name for name in known if name not in applied]
    if pending and applied:  # a fresh file has nothing to back up
        db.migration_backup = _backup(db, pending[0])
    if pending or stamped != len(applied):
        with db.atomic():  # one process migrates; the others wait, then find nothing to do
            migrate(db)


def backup_path(path: Path, migration: str) -> Path:
    """Where the copy made before ``migration`` is written: ``<name>.before-m009.sqlite3``."""
    step = migration.split("_", 1)[0]
    return path.with_name(f"{path.stem}.before-{step}{path.suffix or '.sqlite3'}")


def _backup(db: PQMDatabase, migration: str) -> Path:
    """Copy the database beside itself (SQLite's backup API) before ``migration``."""
    target = backup_path(db.path, migration)
    if target.is_file():  # an earlier attempt's copy of the same version
        return target
    partial = target.with_name(f"{target.name}.{os.getpid()}.part")
    try:
        copy = sqlite3.connect(str(partial))
        try:
            db.conn.backup(copy)
        finally:
            copy.close()
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        with suppress(OSError):
            partial.unlink(missing_ok=True)
        raise DatabaseError(
            "errors.db.backup_failed", path=db.path, backup=target, detail=str(exc)
        ) from None
    return target


def optimize(db: Database) -> None:
    """Refresh the query planner's statistics where they are missing or stale (统计信息).

    ``PRAGMA optimize`` runs ``ANALYZE`` only on the tables this connection queried that
    need it, sampling at most ``ANALYSIS_LIMIT`` rows per index: what SQLite advises on
    closing a connection, and after a big import. Skipped quietly when the database is
    busy, read-only or gone: the plans are good without statistics too, only better
    with them.
    """
    optimize_connection(db.conn)


def close_whole(db: Database) -> None:
    """Fold the WAL into the file and close, so the file alone can be moved or copied."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def sha256_hex(text: str | None) -> str | None:
    """SHA-256 (hex) of ``text`` as UTF-8: the SQL function ``pqm_sha256`` (NULL stays NULL)."""
    return None if text is None else hashlib.sha256(str(text).encode("utf-8")).hexdigest()


def register_functions(
    conn: sqlite3.Connection, actor: str | Callable[[], str] = SYSTEM_ACTOR
) -> None:
    """The SQL functions PQM's triggers call: ``pqm_actor()`` and ``pqm_sha256(text)``.

    ``actor`` is a person's id, or a function giving the current one.

    A connection without them (the plain ``sqlite3`` shell) cannot write an audited
    table: the audit triggers chain each row's hash with ``pqm_sha256``.
    """
    who = actor if callable(actor) else (lambda: actor)
    conn.create_function("pqm_actor", 0, who, deterministic=False)
    conn.create_function("pqm_sha256", 1, sha256_hex, deterministic=True)


def is_empty(db: Database) -> bool:
    """True when the database holds no organisation data yet."""
    return db["companies"].count == 0 and db["inspections"].count == 0


def current_actor(db: Database) -> str:
    """The actor this connection records in the audit log."""
    return str(db.execute("SELECT pqm_actor()").fetchone()[0])


def set_actor(db: Database, actor: str) -> None:
    """Record ``actor`` (a person's id) for this connection's next writes (切换用户)."""
    if not isinstance(db, PQMDatabase):
        raise TypeError("set_actor needs a connection opened by pqm_tui.model.db.connect")
    db.actor = actor


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
