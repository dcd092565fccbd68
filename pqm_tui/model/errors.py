"""The one error mechanism: the core raises a message id and parameters, the edges translate.

Every error a user may see is a ``PQMError``: ``key`` is a message id of the i18n
catalogs (``errors.*``) and ``params`` fill its placeholders. The core never builds
user-visible text; the CLI and the screens render an error with ``Translator.error``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from pqm_tui.model.schema import LOCKED


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


# What a trigger's refusal (schema.py, in English for the logs) is about → its message id.
LOCK_REASONS = (
    ("area of a signed", "errors.db.locked_area"),
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
