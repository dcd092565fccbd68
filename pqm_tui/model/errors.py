"""Errors raised by the model layer, with messages fit to show a user."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from pqm_tui.model.schema import LOCKED


class ModelError(Exception):
    """Base of model errors."""


class NotFoundError(ModelError):
    """A row that was asked for does not exist."""


class LockedError(ModelError):
    """A trigger refused a change to signed or append-only data."""


class RuleError(ModelError):
    """A change breaks a rule of the domain (state, cap, missing answer …)."""


@contextmanager
def translate_locks() -> Iterator[None]:
    """Turn trigger refusals into LockedError."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        if LOCKED in str(exc):
            raise LockedError(str(exc).removeprefix(LOCKED + ": ")) from None
        raise
