"""The one error mechanism: the core raises a message id and parameters, the edges translate.

Every error a user may see is a ``PQMError``: ``key`` is a message id of the i18n
catalogs (``errors.*``) and ``params`` fill its placeholders. The core never builds
user-visible text; the CLI and the screens render an error with ``Translator.error``.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# the prefix of every trigger refusal (schema.py), recognised by ``translate_locks``; here,
# not in schema.py, so that an error can be raised without loading sqlite-utils
LOCKED = "PQM-LOCKED"


class PQMError(Exception):
    """An error a user sees: message id ``key`` of the catalogs and its parameters."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key, params)
        self.key = key
        self.params = params

    def __str__(self) -> str:  # for logs and tracebacks; users see ``Translator.error``
        return f"{self.key} {self.params}" if self.params else self.key


class ModelError(PQMError):
    """Base of model errors."""


class NotFoundError(ModelError):
    """A row that was asked for does not exist."""


class LockedError(ModelError):
    """A trigger refused a change to signed or append-only data."""


class RuleError(ModelError):
    """A change breaks a rule of the domain (state, cap, missing answer …)."""


class StorageError(ModelError):
    """The database file cannot be written (or read) now (存储故障).

    Busy with another process's write, the disk full, the file read-only, the
    folder gone: the change was not made, nothing half-made stays behind, and the
    same unit of work may be tried again later.
    """


FULL_BELOW = 256 * 1024  # bytes free under which an I/O error is taken for a full disk

# SQLite's primary result code → what the user is told (the extended codes share it).
STORAGE_KEYS = {
    sqlite3.SQLITE_BUSY: "errors.storage.busy",
    sqlite3.SQLITE_LOCKED: "errors.storage.busy",
    sqlite3.SQLITE_FULL: "errors.storage.full",
    sqlite3.SQLITE_READONLY: "errors.storage.read_only",
    sqlite3.SQLITE_IOERR: "errors.storage.io",
    sqlite3.SQLITE_CANTOPEN: "errors.storage.gone",
}


# What an operating-system error writing a file means for the user.
OS_KEYS = {
    errno.ENOSPC: "errors.storage.full",
    errno.EDQUOT: "errors.storage.full",
    errno.EROFS: "errors.storage.read_only",
    errno.EACCES: "errors.storage.read_only",
    errno.EPERM: "errors.storage.read_only",
    errno.ENOENT: "errors.storage.gone",
    errno.ENOTDIR: "errors.storage.gone",
}
# Why the system refused, without naming a file (:func:`os_reason`): errno → message id.
REASON_KEYS = {
    errno.ENOENT: "errors.os.missing",
    errno.EACCES: "errors.os.denied",
    errno.EPERM: "errors.os.denied",
    errno.EISDIR: "errors.os.is_dir",
    errno.ENOTDIR: "errors.os.not_dir",
    errno.ENOSPC: "errors.os.full",
    errno.EROFS: "errors.os.read_only",
    errno.EEXIST: "errors.os.exists",
}


def os_storage_error(exc: OSError, path: object = None) -> StorageError:
    """The StorageError for a file the system refused (full, read-only, gone, other I/O)."""
    key = OS_KEYS.get(exc.errno or 0, "errors.storage.io")
    where = exc.filename or "" if path is None else path
    return StorageError(key, path=where, detail=exc.strerror or str(exc))


def storage_error(exc: sqlite3.Error, path: object = "") -> StorageError | None:
    """The StorageError ``exc`` stands for, or None when it is not about storage."""
    code = getattr(exc, "sqlite_errorcode", None)
    key = STORAGE_KEYS.get(code & 0xFF) if isinstance(code, int) else None
    if key and path:
        key = _refine(key, Path(str(path)))
    return StorageError(key, path=path, detail=str(exc)) if key else None


def _refine(key: str, path: Path) -> str:
    """SQLite's "disk I/O error" and "unable to open" said as what they are here."""
    if key == "errors.storage.io" and _no_space_beside(path):
        return "errors.storage.full"  # its -wal or -shm could not grow
    if key == "errors.storage.gone" and path.exists():
        writable = os.access(path.parent, os.W_OK) and os.access(path, os.W_OK)
        return "errors.storage.io" if writable else "errors.storage.read_only"
    return key


def _no_space_beside(path: Path) -> bool:
    """True when the folder holding ``path`` has (almost) no free space left."""
    try:
        return shutil.disk_usage(path.parent).free < FULL_BELOW
    except OSError:
        return False


@contextmanager
def translate_storage(path: object = "") -> Iterator[None]:
    """Turn SQLite's busy, full, read-only and I/O errors into StorageError."""
    try:
        yield
    except sqlite3.Error as exc:
        error = storage_error(exc, path)
        if error is None:
            raise
        raise error from exc


# What a trigger's refusal (schema.py, in English for the logs) is about → its message id.
LOCK_REASONS = (
    ("area of a signed", "errors.db.locked_area"),
    ("published assessment", "errors.db.locked_assessment"),
    ("signed", "errors.db.locked_signed"),
    ("checklist version in use", "errors.db.locked_checklist"),
    ("append-only", "errors.db.locked_history"),
    ("never deleted", "errors.db.locked_history"),
)


@contextmanager
def translate_locks() -> Iterator[None]:
    """Turn trigger refusals into LockedError."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        if LOCKED not in str(exc):
            raise
        detail = str(exc).removeprefix(LOCKED + ": ")
        key = next((k for words, k in LOCK_REASONS if words in detail), "errors.db.locked")
        raise LockedError(key, detail=detail) from None


def os_reason(exc: OSError) -> PQMError:
    """Why a file could not be read, in the user's words (``errors.os.*``, by its errno).

    A refused write is a :func:`os_storage_error`: a whole sentence naming the file.
    """
    key = REASON_KEYS.get(exc.errno or 0, "errors.os.other")
    return PQMError(key, detail=exc.strerror or type(exc).__name__)
